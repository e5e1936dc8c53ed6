//! An agent's signature: a few lines of their own (a name, a role, a
//! phone number) that go below each of their replies to customers, never
//! below an internal note. It is added when the reply is kept, so the
//! customer reads it alike in the widget, on the request's page and in the
//! mail.

use crate::error::Error;

/// Longest signature, in characters.
pub const MAX_CHARS: usize = 500;

/// Most lines in a signature.
pub const MAX_LINES: usize = 6;

/// A signature as kept: trimmed, with Windows line ends made plain;
/// `None` for an empty one (no signature). Refused in words when too long
/// or holding control characters.
pub fn clean(text: &str) -> Result<Option<String>, Error> {
    let text = text.replace("\r\n", "\n");
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_CHARS {
        return Err(Error::field("signature", format!("at most {MAX_CHARS} characters")));
    }
    if text.lines().count() > MAX_LINES {
        return Err(Error::field("signature", format!("at most {MAX_LINES} lines")));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::field("signature", "control characters are not allowed"));
    }
    Ok(Some(text.to_string()))
}

/// A reply with the signature below it, after an empty line; the reply
/// alone without one.
pub fn signed(reply: &str, signature: Option<&str>) -> String {
    match signature.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => format!("{}\n\n{s}", reply.trim_end()),
        None => reply.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_kept_clean_and_goes_below_the_reply() {
        assert_eq!(clean("  Ada Lovelace\r\nAcme support  \n").unwrap().as_deref(), Some("Ada Lovelace\nAcme support"));
        assert_eq!(clean(" \n ").unwrap(), None);
        assert!(clean(&"x".repeat(MAX_CHARS + 1)).unwrap_err().to_string().contains("at most 500 characters"));
        assert!(clean("1\n2\n3\n4\n5\n6\n7").unwrap_err().to_string().contains("at most 6 lines"));
        assert!(clean("bell\u{7}").unwrap_err().to_string().contains("control characters"));
        assert_eq!(clean(&"字".repeat(MAX_CHARS)).unwrap().map(|s| s.chars().count()), Some(MAX_CHARS));

        assert_eq!(signed("It ships today.\n", Some("Ada\nAcme support")), "It ships today.\n\nAda\nAcme support");
        assert_eq!(signed("It ships today.", None), "It ships today.");
        assert_eq!(signed("It ships today.", Some("  ")), "It ships today.");
    }
}
