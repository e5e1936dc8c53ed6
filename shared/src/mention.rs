//! Mentions of teammates in internal notes: `@` and a teammate's handle,
//! the part of their login address before the `@` (`@bo.chen` for
//! `bo.chen@shop.example`), any case. A mentioned agent is mailed the note
//! when they asked for it (see [`crate::mail_alert`]).

/// An agent's handle: their address's local part, lower-cased.
pub fn handle(email: &str) -> String {
    email.split('@').next().unwrap_or_default().to_lowercase()
}

/// The handles a text mentions, lower-cased, each once, in order. A handle
/// follows an `@` that starts the text or follows a space or an opening
/// bracket (so `ann@shop.example` in a note is an address, not a mention),
/// and ends before any character an address's local part does not hold; a
/// full stop or hyphen at its end ends the sentence, not the handle.
pub fn handles(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut before: Option<char> = None;
    for (at, c) in text.char_indices() {
        let starts = c == '@' && opens(before);
        before = Some(c);
        if !starts {
            continue;
        }
        let rest = &text[at + 1..];
        let end = rest.find(|c: char| !in_handle(c)).unwrap_or(rest.len());
        let name = rest[..end].trim_end_matches(['.', '-']).to_lowercase();
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The agents of `roster` (id and address) a text mentions, in the
/// roster's order.
pub fn mentioned<'a>(text: &str, roster: &[(&'a str, &str)]) -> Vec<&'a str> {
    let named = handles(text);
    if named.is_empty() {
        return Vec::new();
    }
    roster.iter().filter(|(_, email)| named.contains(&handle(email))).map(|(id, _)| *id).collect()
}

/// Whether a character can be part of a handle.
fn in_handle(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-')
}

/// Whether a mention can start after this character (or at the start).
fn opens(before: Option<char>) -> bool {
    before.is_none_or(|b| b.is_whitespace() || matches!(b, '(' | '[' | '"' | '\''))
}

/// A mention being typed: where its `@` is (a byte offset) and what
/// follows it up to the caret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typing {
    /// Byte offset of the `@`.
    pub at: usize,
    /// What is typed after it, up to the caret.
    pub prefix: String,
}

/// The mention being typed at the caret (a byte offset in `text`), if
/// any: an `@` where a mention can start (see [`handles`]), followed up to
/// the caret only by characters a handle holds.
pub fn typing(text: &str, caret: usize) -> Option<Typing> {
    let before = text.get(..caret)?;
    let at = before.rfind('@')?;
    let prefix = &before[at + 1..];
    if !prefix.chars().all(in_handle) || !opens(before[..at].chars().next_back()) {
        return None;
    }
    Some(Typing { at, prefix: prefix.to_string() })
}

/// The text with the mention being typed (up to the caret, and the rest
/// of the handle-like word after it) replaced by `@handle`, and the caret
/// (a byte offset) where typing goes on: after the space that follows it
/// (one is added at the end of the text), or before the punctuation that
/// does.
pub fn complete(text: &str, typing: &Typing, caret: usize, handle: &str) -> (String, usize) {
    let rest = &text[caret..];
    let word_end = rest.find(|c: char| !in_handle(c)).unwrap_or(rest.len());
    let after = &rest[word_end..];
    let gap = if after.is_empty() { " " } else { "" };
    let out = format!("{}@{handle}{gap}{after}", &text[..typing.at]);
    let end = typing.at + 1 + handle.len();
    let caret = match after.chars().next() {
        Some(c) if c.is_whitespace() => end + c.len_utf8(),
        Some(_) => end,
        None => end + 1,
    };
    (out, caret)
}

/// The teammates of `roster` (name and address) to offer for a mention
/// begun with `prefix`, as indices: those whose handle starts with it, then
/// those with a word of their name that does (any case), each once, at
/// most `max`.
pub fn suggest(prefix: &str, roster: &[(&str, &str)], max: usize) -> Vec<usize> {
    let prefix = prefix.to_lowercase();
    let by_handle = roster.iter().enumerate().filter(|(_, (_, email))| handle(email).starts_with(&prefix));
    let by_name = roster
        .iter()
        .enumerate()
        .filter(|(_, (name, _))| name.split_whitespace().any(|w| w.to_lowercase().starts_with(&prefix)));
    let mut out: Vec<usize> = Vec::new();
    for (i, _) in by_handle.chain(by_name) {
        if !out.contains(&i) && out.len() < max {
            out.push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handle_is_the_local_part_in_lower_case() {
        assert_eq!(handle("Bo.Chen@Shop.example"), "bo.chen");
        assert_eq!(handle("no-at-sign"), "no-at-sign");
    }

    #[test]
    fn mentions_are_read_where_a_word_starts() {
        assert_eq!(handles("@bo can you look? cc @Ann.Lee."), ["bo", "ann.lee"]);
        assert_eq!(handles("(@cy) and \"@di\" and @bo, @bo again"), ["cy", "di", "bo"]);
        assert!(handles("write to ann@shop.example or pay@@ once").is_empty(), "{:?}", handles("ann@shop.example"));
        assert!(handles("@ alone, @. and @-").is_empty());
        assert_eq!(handles("问一下@bo"), Vec::<String>::new(), "inside a word, even a Chinese one");
        assert_eq!(handles("问一下 @bo。"), ["bo"]);
    }

    #[test]
    fn only_teammates_are_mentioned() {
        let roster = [("1", "bo@shop.example"), ("2", "ann.lee@shop.example"), ("3", "cy@shop.example")];
        assert_eq!(mentioned("@ANN.LEE and @bo, not @zed", &roster), ["1", "2"]);
        assert!(mentioned("no one here", &roster).is_empty());
    }

    #[test]
    fn the_mention_being_typed_is_found_at_the_caret() {
        let text = "Thanks @an";
        assert_eq!(typing(text, text.len()), Some(Typing { at: 7, prefix: "an".into() }));
        assert_eq!(typing("@", 1), Some(Typing { at: 0, prefix: String::new() }), "just the @");
        assert_eq!(typing("问一下 @b", "问一下 @b".len()), Some(Typing { at: 10, prefix: "b".into() }));
        assert_eq!(typing("mail ann@sh", 11), None, "an address");
        assert_eq!(typing("@ann and more", 13), None, "the caret is past the word");
        assert_eq!(typing("@ann and more", 3), Some(Typing { at: 0, prefix: "an".into() }), "inside the word");
        assert_eq!(typing("no at", 5), None);
        assert_eq!(typing("问", 1), None, "not at a character's boundary");
    }

    #[test]
    fn completing_replaces_the_typed_word_and_puts_the_caret_after() {
        let text = "cc @an, please";
        let t = typing(text, 5).expect("typing");
        assert_eq!(complete(text, &t, 5, "ann.lee"), ("cc @ann.lee, please".to_string(), 11), "before the comma");
        let text = "cc @a thanks";
        let t = typing(text, 5).expect("typing");
        assert_eq!(complete(text, &t, 5, "ann"), ("cc @ann thanks".to_string(), 8), "after the space there");
        let text = "cc @annie? ok";
        let t = typing(text, 5).expect("typing");
        assert_eq!(complete(text, &t, 5, "ann"), ("cc @ann? ok".to_string(), 7), "the rest of the word goes");
        let t = typing("@", 1).expect("typing");
        assert_eq!(complete("@", &t, 1, "bo"), ("@bo ".to_string(), 4));
    }

    #[test]
    fn teammates_are_offered_by_handle_then_by_name() {
        let roster = [("Ann Lee", "ann.lee@shop.example"), ("Bo Chen", "bo@shop.example"), ("Lena Anders", "la@x")];
        assert_eq!(suggest("an", &roster, 5), [0, 2], "Ann's handle, then Lena's surname");
        assert_eq!(suggest("CH", &roster, 5), [1]);
        assert_eq!(suggest("", &roster, 2), [0, 1], "everyone, up to the most");
        assert!(suggest("zed", &roster, 5).is_empty());
    }
}
