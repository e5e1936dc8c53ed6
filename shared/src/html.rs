//! Text as HTML for the pages the edge renders (the help centre and a
//! customer's page of their request): every character that could start
//! markup is escaped, and only the markup [`crate::markdown`] allows is
//! produced, with links that carry no referrer.

use crate::markdown::{Block, Inline, blocks, links};

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn inlines(items: &[Inline]) -> String {
    items
        .iter()
        .map(|i| match i {
            Inline::Text(t) => escape(t),
            Inline::Strong(t) => format!("<strong>{}</strong>", escape(t)),
            Inline::Emphasis(t) => format!("<em>{}</em>", escape(t)),
            Inline::Code(t) => format!("<code>{}</code>", escape(t)),
            Inline::Link { text, href } => {
                format!("<a href=\"{}\" rel=\"nofollow noopener noreferrer\">{}</a>", escape(href), escape(text))
            }
        })
        .collect()
}

/// An article's Markdown as HTML; its headings one level below the page's
/// title.
pub fn article(md: &str) -> String {
    blocks(md)
        .iter()
        .map(|b| match b {
            Block::Heading(l, t) => {
                let l = (*l + 1).min(6);
                format!("<h{l}>{}</h{l}>", inlines(t))
            }
            Block::Paragraph(t) => format!("<p>{}</p>", inlines(t)),
            Block::List(ordered, items) => {
                let tag = if *ordered { "ol" } else { "ul" };
                let li: String = items.iter().map(|i| format!("<li>{}</li>", inlines(i))).collect();
                format!("<{tag}>{li}</{tag}>")
            }
            Block::Code(c) => format!("<pre><code>{}</code></pre>", escape(c)),
        })
        .collect()
}

/// A message as text, its web addresses as links and nothing else as
/// markup (line breaks are kept by the page's `white-space`).
pub fn message(body: &str) -> String {
    inlines(&links(body))
}

#[cfg(test)]
mod tests {
    use super::{article, escape, message};

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<script>\"x\"&'"), "&lt;script&gt;&quot;x&quot;&amp;&#39;");
        let html = article("# <b>t</b>\n\n[x](https://a.b/?q=\"1\") <img src=x onerror=alert(1)>");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.starts_with("<h2>&lt;b&gt;t&lt;/b&gt;</h2>"), "{html}");
        assert!(html.contains("href=\"https://a.b/?q=&quot;1&quot;\""), "{html}");
    }

    #[test]
    fn a_message_is_text_with_its_links() {
        let html = message("See https://shop.example/a?b=1&c=2 **not bold** <i>x</i>\nbye");
        assert_eq!(
            html,
            "See <a href=\"https://shop.example/a?b=1&amp;c=2\" rel=\"nofollow noopener noreferrer\">\
             https://shop.example/a?b=1&amp;c=2</a> **not bold** &lt;i&gt;x&lt;/i&gt;\nbye"
        );
        assert_eq!(message("javascript:alert(1)"), "javascript:alert(1)");
    }
}
