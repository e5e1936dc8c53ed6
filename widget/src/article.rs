//! Showing an article body: shared Markdown blocks turned into elements.
//! Text is always set as text, never parsed as HTML.

use deflect_shared::markdown::{Block, Inline, blocks};
use leptos::prelude::*;

/// One inline element; text stays text.
pub(crate) fn inline(i: Inline) -> AnyView {
    match i {
        Inline::Text(t) => t.into_any(),
        Inline::Strong(t) => view! { <strong>{t}</strong> }.into_any(),
        Inline::Emphasis(t) => view! { <em>{t}</em> }.into_any(),
        Inline::Code(t) => view! { <code>{t}</code> }.into_any(),
        Inline::Link { text, href } => {
            view! { <a href=href target="_blank" rel="noopener noreferrer">{text}</a> }.into_any()
        }
    }
}

fn inlines(items: Vec<Inline>) -> Vec<AnyView> {
    items.into_iter().map(inline).collect()
}

/// The body of an article.
#[component]
pub(crate) fn Body(
    /// Markdown text.
    text: String,
) -> impl IntoView {
    blocks(&text)
        .into_iter()
        .map(|b| match b {
            Block::Heading(_, t) => view! { <p class="dfl-h">{inlines(t)}</p> }.into_any(),
            Block::Paragraph(t) => view! { <p>{inlines(t)}</p> }.into_any(),
            Block::List(true, items) => {
                view! { <ol>{items.into_iter().map(|i| view! { <li>{inlines(i)}</li> }).collect_view()}</ol> }
                    .into_any()
            }
            Block::List(false, items) => {
                view! { <ul>{items.into_iter().map(|i| view! { <li>{inlines(i)}</li> }).collect_view()}</ul> }
                    .into_any()
            }
            Block::Code(c) => view! { <pre><code>{c}</code></pre> }.into_any(),
        })
        .collect_view()
}
