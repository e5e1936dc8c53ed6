//! Mail the local edge sent. Locally, wrangler's `send_email` binding
//! delivers nothing: it writes each message to an `.eml` file and logs the
//! file's path. The HTTP tests read those files, and `cargo xtask run`
//! shows each new one (who it went to, its subject and its links), so a
//! password reset or an invitation can be followed on a laptop.

use crate::wrangler_log::plain;
use std::collections::HashSet;
use std::path::PathBuf;

/// The `.eml` paths in a wrangler log, each once, oldest first.
pub fn paths_in_log(log: &str) -> Vec<PathBuf> {
    let mut seen = HashSet::new();
    log.split_whitespace()
        .map(|word| plain(word).trim_matches(|c: char| c.is_control()).to_string())
        .filter(|word| word.ends_with(".eml"))
        .filter(|path| seen.insert(path.clone()))
        .map(PathBuf::from)
        .collect()
}

/// What a sent mail says, in short.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The `To` header's addresses.
    pub to: Vec<String>,
    /// The subject.
    pub subject: String,
    /// The web links in its text, in order.
    pub links: Vec<String>,
}

/// Reads a raw message; `None` when it does not parse as mail.
pub fn summary(raw: &[u8]) -> Option<Summary> {
    let mail = mail_parser::MessageParser::default().parse(raw)?;
    let to =
        mail.to().map(|to| to.iter().filter_map(|a| a.address()).map(str::to_string).collect()).unwrap_or_default();
    let subject = mail.subject().unwrap_or_default().to_string();
    let text = mail.body_text(0).unwrap_or_default();
    let links = text
        .split_whitespace()
        .map(|w| w.trim_end_matches(['.', ',', ')', '>']).trim_start_matches(['(', '<']))
        .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
        .map(str::to_string)
        .collect();
    Some(Summary { to, subject, links })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_found_once_without_colour_codes() {
        let log = "[wrangler:info] send_email binding called with the following message:\n  \
                   \u{1b}[2m/tmp/m/files/email/a.eml\u{1b}[22m\n[wrangler:info] again /tmp/m/files/email/a.eml \
                   and /tmp/m/files/email/b.eml\nnot-a-mail.emlx";
        assert_eq!(
            paths_in_log(log),
            vec![PathBuf::from("/tmp/m/files/email/a.eml"), PathBuf::from("/tmp/m/files/email/b.eml")]
        );
    }

    #[test]
    fn a_summary_says_who_what_and_which_links() {
        let raw = "From: \"Acme\" <help@acme.example>\r\nTo: \"Ada\" <ada@example.com>\r\n\
                   Subject: =?utf-8?q?Set_a_new_password_=E2=80=94_Acme?=\r\nMIME-Version: 1.0\r\n\
                   Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n\
                   U2V0IGl0OiBodHRwOi8vMTI3LjAuMC4xOjg3ODcvZGFzaGJvYXJkLyMvcmVzZXQvYWJjLiBCeWUu\r\n";
        let s = summary(raw.as_bytes()).expect("a mail");
        assert_eq!(s.to, vec!["ada@example.com".to_string()]);
        assert_eq!(s.subject, "Set a new password — Acme");
        assert_eq!(s.links, vec!["http://127.0.0.1:8787/dashboard/#/reset/abc".to_string()]);
        assert_eq!(summary(b""), None);
    }
}
