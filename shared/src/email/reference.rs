//! How a ticket's mails are named, so that an answer finds its ticket.
//!
//! Every mail Deflect sends has a Message-ID that holds the ticket's id
//! (`deflect.<ticket>.<message>@<domain>`); mail clients quote it back in
//! `In-Reply-To` and `References`. The subject also carries a short tag,
//! `[#<first 10 hex digits>]`, for clients that drop those headers. Either
//! only names a ticket: the edge still checks that the sender is the
//! ticket's customer.

/// Hex digits of a ticket id in the subject tag.
pub const TAG_DIGITS: usize = 10;

/// The line at the top of every reply: what the customer writes above it
/// is their answer, and what is below is quoted history.
pub const REPLY_ABOVE: &str = "-- Reply above this line / 请在此行上方回复 --";

/// The Message-ID (without angle brackets) of a mail for `message` of
/// `ticket`, in the sender's `domain`.
pub fn message_id(ticket: &str, message: &str, domain: &str) -> String {
    format!("deflect.{ticket}.{message}@{domain}")
}

/// The ticket a Message-ID of Deflect's names, if it is one.
pub fn ticket_of(message_id: &str) -> Option<&str> {
    let local = message_id.strip_prefix("deflect.")?.split('@').next()?;
    let (ticket, message) = local.split_once('.')?;
    let hex = |s: &str| !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    (hex(ticket) && hex(message)).then_some(ticket)
}

/// The Message-ID (without angle brackets) of an agent's mail alert
/// about `ticket` (see [`crate::mail_alert`]). It is not a ticket's
/// Message-ID: an answer to an alert names no ticket.
pub fn alert_id(ticket: &str, alert: &str, domain: &str) -> String {
    format!("deflect-alert.{ticket}.{alert}@{domain}")
}

/// Whether a Message-ID is one of an agent's mail alert.
pub fn is_alert(message_id: &str) -> bool {
    message_id.starts_with("deflect-alert.")
}

/// The subject tag of a ticket: `[#0123456789]`.
pub fn tag(ticket: &str) -> String {
    let short: String = ticket.chars().take(TAG_DIGITS).collect();
    format!("[#{short}]")
}

/// The ticket-id prefix a subject's tag names, if it has one.
pub fn tagged(subject: &str) -> Option<&str> {
    subject.match_indices("[#").find_map(|(at, _)| {
        let rest = &subject[at + 2..];
        let end = rest.find(']')?;
        let digits = &rest[..end];
        (digits.len() == TAG_DIGITS && digits.bytes().all(|b| b.is_ascii_hexdigit())).then_some(digits)
    })
}

/// The subject of a reply on a ticket: `Re: ` once, and the ticket's tag
/// once.
pub fn reply_subject(subject: &str, ticket: &str) -> String {
    let tag = tag(ticket);
    let mut base = subject.trim();
    while let Some(rest) = strip_reply_prefix(base) {
        base = rest.trim_start();
    }
    let base = base.replace(&tag, "");
    let base = base.trim();
    if base.is_empty() { format!("Re: {tag}") } else { format!("Re: {base} {tag}") }
}

fn strip_reply_prefix(s: &str) -> Option<&str> {
    ["re:", "aw:", "sv:", "回复:", "回复：", "答复:", "答复："].iter().find_map(|p| {
        let head = s.get(..p.len())?;
        head.eq_ignore_ascii_case(p).then(|| &s[p.len()..])
    })
}

/// The domain of an address (after its last `@`).
pub fn domain(address: &str) -> &str {
    address.rsplit_once('@').map_or("localhost", |(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TICKET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn a_message_id_names_its_ticket() {
        let id = message_id(TICKET, "ff00", "help.example.com");
        assert_eq!(id, format!("deflect.{TICKET}.ff00@help.example.com"));
        assert_eq!(ticket_of(&id), Some(TICKET));
        for other in ["abc@mail.example.com", "deflect.@x", "deflect.xyz.12@x", "deflect.12@x", "deflect.12.@x"] {
            assert_eq!(ticket_of(other), None, "{other}");
        }
        assert!(!is_alert(&id));
    }

    #[test]
    fn an_alert_id_names_no_ticket() {
        let id = alert_id(TICKET, "ff00", "help.example.com");
        assert!(is_alert(&id));
        assert_eq!(ticket_of(&id), None, "an answer to an alert must not join the customer's thread");
    }

    #[test]
    fn the_subject_tag_is_found_again() {
        assert_eq!(tag(TICKET), "[#0123456789]");
        assert_eq!(tagged("Re: Where is my order? [#0123456789]"), Some("0123456789"));
        assert_eq!(tagged("[#123] then [#0123456789]"), Some("0123456789"));
        assert_eq!(tagged("Re: price [#01234567zz]"), None);
        assert_eq!(tagged("no tag"), None);
        assert_eq!(tagged("broken [#0123"), None);
    }

    #[test]
    fn a_reply_subject_has_one_prefix_and_one_tag() {
        let want = "Re: Where is my order? [#0123456789]";
        assert_eq!(reply_subject("Where is my order?", TICKET), want);
        assert_eq!(reply_subject("RE: Re: Where is my order?", TICKET), want);
        assert_eq!(reply_subject(want, TICKET), want);
        assert_eq!(reply_subject("回复：退款", TICKET), "Re: 退款 [#0123456789]");
        assert_eq!(reply_subject("", TICKET), "Re: [#0123456789]");
    }

    #[test]
    fn domains() {
        assert_eq!(domain("help@support.example.com"), "support.example.com");
        assert_eq!(domain("nobody"), "localhost");
    }
}
