//! A small Markdown reader for article bodies: headings, paragraphs, lists,
//! code blocks, and bold, italic, code and links inside them.
//!
//! It produces blocks, not HTML, so each renderer (the widget's DOM, the
//! help centre's escaped HTML) decides how to show text, and no article can
//! inject markup. Link targets are kept only for `http:`, `https:`,
//! `mailto:` and site-relative addresses.

/// A piece of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// `**bold**`.
    Strong(String),
    /// `*italic*` or `_italic_`.
    Emphasis(String),
    /// `` `code` ``.
    Code(String),
    /// `[text](href)` with a safe href.
    Link {
        /// Link text.
        text: String,
        /// Target.
        href: String,
    },
}

/// A block of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// `#`..`######` heading, level 1..=6.
    Heading(u8, Vec<Inline>),
    /// A paragraph (consecutive lines joined with spaces).
    Paragraph(Vec<Inline>),
    /// A list; `true` when numbered.
    List(bool, Vec<Vec<Inline>>),
    /// A fenced code block.
    Code(String),
}

fn safe_href(href: &str) -> bool {
    let h = href.trim().to_ascii_lowercase();
    h.starts_with("https://")
        || h.starts_with("http://")
        || h.starts_with("mailto:")
        || (h.starts_with('/') && !h.starts_with("//"))
}

/// Parses the inline markup of one line or paragraph.
pub fn inlines(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let find = |from: usize, pat: &[char]| -> Option<usize> {
        (from..chars.len().saturating_sub(pat.len() - 1)).find(|&j| chars[j..j + pat.len()] == *pat)
    };
    let flush = |plain: &mut String, out: &mut Vec<Inline>| {
        if !plain.is_empty() {
            out.push(Inline::Text(std::mem::take(plain)));
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let span = match c {
            '*' if chars.get(i + 1) == Some(&'*') => {
                find(i + 2, &['*', '*']).map(|end| (Inline::Strong(chars[i + 2..end].iter().collect()), end + 2))
            }
            '*' | '_' => find(i + 1, &[c])
                .filter(|&end| end > i + 1)
                .map(|end| (Inline::Emphasis(chars[i + 1..end].iter().collect()), end + 1)),
            '`' => find(i + 1, &['`']).map(|end| (Inline::Code(chars[i + 1..end].iter().collect()), end + 1)),
            '[' => find(i + 1, &[']', '(']).and_then(|mid| {
                let end = find(mid + 2, &[')'])?;
                let text: String = chars[i + 1..mid].iter().collect();
                let href: String = chars[mid + 2..end].iter().collect();
                Some((
                    if safe_href(&href) {
                        Inline::Link { text, href: href.trim().to_string() }
                    } else {
                        Inline::Text(text)
                    },
                    end + 1,
                ))
            }),
            _ => None,
        };
        match span {
            Some((inline, next)) => {
                flush(&mut plain, &mut out);
                out.push(inline);
                i = next;
            }
            None => {
                plain.push(c);
                i += 1;
            }
        }
    }
    flush(&mut plain, &mut out);
    out
}

fn list_item(line: &str) -> Option<(bool, &str)> {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")).or_else(|| t.strip_prefix("+ ")) {
        return Some((false, rest));
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && t[digits..].starts_with(". ") {
        return Some((true, &t[digits + 2..]));
    }
    None
}

/// Parses an article body into blocks.
pub fn blocks(md: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut lines = md.lines().peekable();
    let end_para = |para: &mut Vec<&str>, out: &mut Vec<Block>| {
        if !para.is_empty() {
            out.push(Block::Paragraph(inlines(&para.join(" "))));
            para.clear();
        }
    };
    while let Some(line) = lines.next() {
        let t = line.trim();
        if t.is_empty() {
            end_para(&mut para, &mut out);
        } else if t.starts_with("```") {
            end_para(&mut para, &mut out);
            let mut code = Vec::new();
            for l in lines.by_ref() {
                if l.trim().starts_with("```") {
                    break;
                }
                code.push(l);
            }
            out.push(Block::Code(code.join("\n")));
        } else if let Some(level) = (1..=6).find(|&n| t.starts_with(&"#".repeat(n)) && t[n..].starts_with(' ')) {
            end_para(&mut para, &mut out);
            let level =
                (1..=6).rev().find(|&n| t.starts_with(&"#".repeat(n)) && t[n..].starts_with(' ')).unwrap_or(level);
            out.push(Block::Heading(level as u8, inlines(t[level..].trim())));
        } else if let Some((ordered, first)) = list_item(line) {
            end_para(&mut para, &mut out);
            let mut items = vec![inlines(first.trim())];
            while let Some((o, item)) = lines.peek().and_then(|l| list_item(l)) {
                if o != ordered {
                    break;
                }
                items.push(inlines(item.trim()));
                lines.next();
            }
            out.push(Block::List(ordered, items));
        } else {
            para.push(t);
        }
    }
    end_para(&mut para, &mut out);
    out
}

/// The plain text of inlines.
pub fn plain(inlines: &[Inline]) -> String {
    inlines
        .iter()
        .map(|i| match i {
            Inline::Text(t) | Inline::Strong(t) | Inline::Emphasis(t) | Inline::Code(t) => t.as_str(),
            Inline::Link { text, .. } => text.as_str(),
        })
        .collect()
}

/// Plain text (a chat message) with its bare `http://` and `https://`
/// addresses as links and everything else as text. An address ends at
/// white space, at a character outside printable ASCII (so "。" after it is
/// not part of it) or at `<>"`; trailing punctuation is left out, and so is
/// a closing bracket the address did not open.
pub fn links(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut plain_from = 0;
    let mut i = 0;
    let lower = text.to_ascii_lowercase();
    while i < text.len() {
        let rest = &lower[i..];
        let starts = (rest.starts_with("https://") || rest.starts_with("http://"))
            && !text[..i].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric());
        if !starts {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        }
        let len =
            text[i..].find(|c: char| !c.is_ascii_graphic() || matches!(c, '<' | '>' | '"')).unwrap_or(text.len() - i);
        let mut url = &text[i..i + len];
        loop {
            let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '*']);
            let trimmed = match trimmed.chars().last() {
                Some(close @ (')' | ']' | '}')) => {
                    let open = match close {
                        ')' => '(',
                        ']' => '[',
                        _ => '{',
                    };
                    if trimmed.matches(open).count() < trimmed.matches(close).count() {
                        &trimmed[..trimmed.len() - 1]
                    } else {
                        trimmed
                    }
                }
                _ => trimmed,
            };
            if trimmed.len() == url.len() {
                break;
            }
            url = trimmed;
        }
        // An address needs a host.
        if url.split_once("://").is_some_and(|(_, host)| !host.is_empty()) {
            if plain_from < i {
                out.push(Inline::Text(text[plain_from..i].to_string()));
            }
            out.push(Inline::Link { text: url.to_string(), href: url.to_string() });
            plain_from = i + url.len();
        }
        i += url.len().max(1);
    }
    if plain_from < text.len() {
        out.push(Inline::Text(text[plain_from..].to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(url: &str) -> Inline {
        Inline::Link { text: url.into(), href: url.into() }
    }

    #[test]
    fn bare_addresses_in_messages_become_links() {
        assert_eq!(
            links("See https://help.example/a/1. Or (http://x.io/b_(c)) now!"),
            vec![
                Inline::Text("See ".into()),
                link("https://help.example/a/1"),
                Inline::Text(". Or (".into()),
                link("http://x.io/b_(c)"),
                Inline::Text(") now!".into()),
            ]
        );
        assert_eq!(
            links("看这里：https://x.cn/文档。"),
            vec![Inline::Text("看这里：".into()), link("https://x.cn/"), Inline::Text("文档。".into())]
        );
        assert_eq!(links("HTTPS://X.IO"), vec![link("HTTPS://X.IO")]);
    }

    #[test]
    fn only_web_addresses_become_links() {
        for text in ["javascript:alert(1)", "see http:// here", "xhttps://a.io", "ftp://a.io", "<b>bold</b>", ""] {
            let l = links(text);
            assert!(l.iter().all(|i| matches!(i, Inline::Text(_))), "{text}: {l:?}");
            assert_eq!(plain(&l), text);
        }
        assert_eq!(
            links("<https://a.io/x>\"y"),
            vec![Inline::Text("<".into()), link("https://a.io/x"), Inline::Text(">\"y".into())]
        );
    }

    proptest::proptest! {
        #[test]
        fn linking_keeps_every_character(text in "(\\PC|https?://[a-z./()]{0,12}){0,12}") {
            let l = links(&text);
            proptest::prop_assert_eq!(plain(&l), text);
            for i in &l {
                if let Inline::Link { href, .. } = i {
                    proptest::prop_assert!(safe_href(href), "{}", href);
                }
            }
        }
    }

    #[test]
    fn parses_blocks_and_inlines() {
        let md = "# Reset\n\nOpen **Settings** then `Security`.\nSee [help](https://x.com/h).\n\n- one\n- two\n\n1. a\n2. b\n\n```\ncode <b>\n```";
        let b = blocks(md);
        assert_eq!(b[0], Block::Heading(1, vec![Inline::Text("Reset".into())]));
        assert_eq!(
            b[1],
            Block::Paragraph(vec![
                Inline::Text("Open ".into()),
                Inline::Strong("Settings".into()),
                Inline::Text(" then ".into()),
                Inline::Code("Security".into()),
                Inline::Text(". See ".into()),
                Inline::Link { text: "help".into(), href: "https://x.com/h".into() },
                Inline::Text(".".into()),
            ])
        );
        assert!(matches!(&b[2], Block::List(false, items) if items.len() == 2));
        assert!(matches!(&b[3], Block::List(true, items) if items.len() == 2));
        assert_eq!(b[4], Block::Code("code <b>".into()));
    }

    #[test]
    fn unsafe_links_become_text() {
        assert_eq!(inlines("[x](javascript:alert(1))")[0], Inline::Text("x".into()));
        assert_eq!(inlines("[x](//evil.com)")[0], Inline::Text("x".into()));
        assert_eq!(plain(&inlines("a **b** [c](/d)")), "a b c");
    }
}
