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
        let starts = c == '@' && before.is_none_or(|b| b.is_whitespace() || matches!(b, '(' | '[' | '"' | '\''));
        before = Some(c);
        if !starts {
            continue;
        }
        let rest = &text[at + 1..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-')))
            .unwrap_or(rest.len());
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
}
