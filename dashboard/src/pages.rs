//! The dashboard's pages, one module each.

pub mod account;
pub mod audit;
pub mod customers;
pub mod identity;
pub mod kb;
pub mod log_ticket;
pub mod login;
pub mod metrics;
pub mod password_reset;
pub mod queue;
pub mod settings;
pub mod ticket;
pub mod tokens;
pub mod webhooks;

use deflect_shared::priority::Explanation;
use leptos::prelude::*;

/// The page's status line ("Saved", "Published"), read by screen readers;
/// nothing while `note` is empty.
#[component]
pub fn Notice(
    /// What to say.
    note: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <Show when=move || note.get().is_some()>
            <p class="notice" role="status">{move || note.get().unwrap_or_default()}</p>
        </Show>
    }
}

/// A priority badge with its explanation: the score and every term.
#[component]
pub fn PriorityBadge(
    /// Level name.
    level: String,
    /// Score 0..=100.
    score: f32,
    /// The terms.
    explanation: Explanation,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let class = format!("badge p-{level}");
    let summary = format!("{level} · {score:.0}");
    view! {
        <span class="prio">
            <button type="button" class=class aria-expanded=move || open.get().to_string() title="Why this priority?"
                on:click=move |_| open.update(|o| *o = !*o)>{summary}</button>
            <Show when=move || open.get()>
                <Explain explanation=explanation.clone() />
            </Show>
        </span>
    }
}

/// The terms of a priority score, as a table.
#[component]
pub fn Explain(
    /// The explanation.
    explanation: Explanation,
) -> impl IntoView {
    let e = explanation;
    view! {
        <div class="explain">
            <p>
                "score " <strong>{format!("{:.1}", e.score)}</strong>
                " = " {format!("{:.1}", e.bias)} " (base) + " {format!("{:.1}", e.importance)} " importance + "
                {format!("{:.1}", e.urgency)} " urgency"
                {e.held_to().map(|to| format!(" = {:.1}, held to {to:.0}", e.unclamped()))}
                {if e.terms.iter().any(|t| t.group == "rule") { " ± rules" } else { "" }}
                " · model: " {e.model.clone()}
            </p>
            <table>
                <thead><tr><th scope="col">"term"</th><th scope="col">"why"</th><th scope="col">"value × weight"</th><th scope="col">"points"</th></tr></thead>
                <tbody>
                    {e.terms.into_iter().map(|t| view! {
                        <tr>
                            <td>{t.name}</td>
                            <td>{t.detail}</td>
                            <td>{format!("{:.2} × {:.1}", t.value, t.weight)}</td>
                            <td>{format!("{:+.1}", t.contribution)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
