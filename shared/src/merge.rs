//! Merging a duplicate ticket into another of the same customer: when a
//! merge is allowed, and what the two threads say about it.
//!
//! The edge moves the duplicate's messages into the ticket it is merged
//! into and closes the duplicate, which then points at it. Only one
//! customer's tickets can be merged: their ticket token would otherwise
//! show one customer another's conversation.

use crate::api::Status;
use std::fmt;

/// What a merge needs to know of each ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Side<'a> {
    /// Ticket id.
    pub id: &'a str,
    /// Its customer.
    pub customer: &'a str,
    /// Its status.
    pub status: Status,
    /// The ticket it was merged into, if it was.
    pub merged_into: Option<&'a str>,
    /// Whether its customer's data was erased.
    pub erased: bool,
}

/// Why a merge is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The two are the same ticket.
    SameTicket,
    /// The duplicate was merged already (into this ticket).
    AlreadyMerged(String),
    /// The target was itself merged (into this ticket): merge there.
    TargetMerged(String),
    /// The target is closed and takes no more messages.
    TargetClosed,
    /// The tickets belong to different customers.
    OtherCustomer,
    /// The customer's data was erased.
    Erased,
}

impl Refusal {
    /// True when the request is fine but the tickets' state forbids it
    /// (HTTP 409); otherwise the named target is wrong (HTTP 422, field
    /// `into`).
    pub fn is_conflict(&self) -> bool {
        matches!(self, Refusal::AlreadyMerged(_) | Refusal::TargetClosed | Refusal::Erased)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::SameTicket => write!(f, "into: a ticket cannot be merged into itself"),
            Refusal::AlreadyMerged(t) => write!(f, "this ticket was already merged into ticket {t}"),
            Refusal::TargetMerged(t) => {
                write!(f, "into: that ticket was itself merged into ticket {t}; merge into that one")
            }
            Refusal::TargetClosed => write!(f, "that ticket is closed and takes no more messages"),
            Refusal::OtherCustomer => {
                write!(f, "into: that ticket belongs to another customer; only one customer's tickets can be merged")
            }
            Refusal::Erased => write!(f, "the customer's data was erased; their tickets cannot be merged"),
        }
    }
}

impl std::error::Error for Refusal {}

/// Whether `duplicate` may be merged into `target`.
pub fn check(duplicate: &Side<'_>, target: &Side<'_>) -> Result<(), Refusal> {
    if duplicate.id == target.id {
        return Err(Refusal::SameTicket);
    }
    if let Some(t) = duplicate.merged_into {
        return Err(Refusal::AlreadyMerged(t.to_string()));
    }
    if duplicate.customer != target.customer {
        return Err(Refusal::OtherCustomer);
    }
    if let Some(t) = target.merged_into {
        return Err(Refusal::TargetMerged(t.to_string()));
    }
    if duplicate.erased || target.erased {
        return Err(Refusal::Erased);
    }
    if target.status == Status::Closed {
        return Err(Refusal::TargetClosed);
    }
    Ok(())
}

fn chinese(locale: &str) -> bool {
    locale.eq_ignore_ascii_case("zh") || locale.to_ascii_lowercase().starts_with("zh-")
}

/// The note added to the target's thread, in the customer's language.
pub fn merged_from_note(locale: &str, duplicate_subject: &str) -> String {
    if chinese(locale) {
        format!("您的请求“{duplicate_subject}”已合并到此对话。")
    } else {
        format!("Your request “{duplicate_subject}” was merged into this conversation.")
    }
}

/// The note added to the duplicate's thread, in the customer's language.
pub fn continued_note(locale: &str, target_subject: &str) -> String {
    if chinese(locale) {
        format!("此对话在“{target_subject}”中继续。")
    } else {
        format!("This conversation continues in “{target_subject}”.")
    }
}

/// The union of two lists, in order of first appearance, without repeats.
pub fn union(first: &[String], second: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(first.len() + second.len());
    for item in first.iter().chain(second) {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side<'a>(id: &'a str, customer: &'a str) -> Side<'a> {
        Side { id, customer, status: Status::Open, merged_into: None, erased: false }
    }

    #[test]
    fn a_duplicate_of_the_same_customer_merges() {
        assert_eq!(check(&side("a", "c"), &side("b", "c")), Ok(()));
        let solved = Side { status: Status::Closed, ..side("a", "c") };
        assert_eq!(check(&solved, &side("b", "c")), Ok(()), "a closed duplicate may still be merged");
    }

    #[test]
    fn refusals_say_why_and_how_they_map() {
        let cases = [
            (side("a", "c"), side("a", "c"), Refusal::SameTicket),
            (Side { merged_into: Some("z"), ..side("a", "c") }, side("b", "c"), Refusal::AlreadyMerged("z".into())),
            (side("a", "c"), side("b", "d"), Refusal::OtherCustomer),
            (side("a", "c"), Side { merged_into: Some("z"), ..side("b", "c") }, Refusal::TargetMerged("z".into())),
            (side("a", "c"), Side { erased: true, ..side("b", "c") }, Refusal::Erased),
            (side("a", "c"), Side { status: Status::Closed, ..side("b", "c") }, Refusal::TargetClosed),
        ];
        for (dup, target, want) in cases {
            let got = check(&dup, &target).expect_err("refused");
            assert_eq!(got, want);
            let text = got.to_string();
            assert!(!text.is_empty() && !text.ends_with('.'), "{text}");
            assert_eq!(text.starts_with("into: "), !got.is_conflict(), "{text}");
        }
    }

    #[test]
    fn notes_follow_the_customer_language() {
        assert_eq!(merged_from_note("en", "Refund"), "Your request “Refund” was merged into this conversation.");
        assert_eq!(continued_note("zh-CN", "退款"), "此对话在“退款”中继续。");
        assert_eq!(continued_note("ZH", "退款"), "此对话在“退款”中继续。");
        assert!(continued_note("zhx", "a").starts_with("This"));
    }

    #[test]
    fn union_keeps_first_order_without_repeats() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(union(&s(&["a", "b"]), &s(&["b", "c", "a", "d"])), s(&["a", "b", "c", "d"]));
        assert_eq!(union(&[], &[]), Vec::<String>::new());
    }
}
