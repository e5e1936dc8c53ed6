//! Asking a customer to rate our help once their ticket is solved: when a
//! solve asks (once per ticket, never of a ticket already rated, merged
//! away or of an erased customer), and the words, in the ticket's
//! language. The edge mails the request as a message of the thread, so the
//! team sees it was asked and the mail links the request's own page, where
//! the customer rates.

/// The key the request is kept under in its ticket's thread: a ticket
/// holds one message per key, so a ticket is asked once, however often it
/// is solved.
pub const KEY: &str = "deflect:rating-request";

/// A ticket's status change, and what else decides whether it asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change<'a> {
    /// The status before: `open`, `pending`, `solved` or `closed`.
    pub before: &'a str,
    /// The status after.
    pub after: &'a str,
    /// The customer has rated this ticket already.
    pub rated: bool,
    /// The ticket was merged into another (which is the one to rate).
    pub merged: bool,
    /// The customer's data was erased.
    pub erased: bool,
}

impl Change<'_> {
    /// Whether this change asks the customer for a rating: it makes the
    /// ticket solved, and the ticket is theirs to rate.
    pub fn asks(&self) -> bool {
        self.after == "solved" && self.before != "solved" && !self.rated && !self.merged && !self.erased
    }
}

/// The request's words, in the ticket's locale (`zh…` is Chinese,
/// anything else English). The mail adds the link to the page.
pub fn words(locale: &str) -> &'static str {
    if locale.to_ascii_lowercase().starts_with("zh") {
        "我们已将您的请求标记为已解决。您对我们的服务满意吗？请在您的请求页面上为我们评分（1 到 5 分），也可以留下几句话。如果问题仍未解决，请直接回复，您的请求会重新打开。"
    } else {
        "We have marked your request as solved. How did we do? Rate our help from 1 to 5 on your request's page, with a few words if you like. If something is still not right, write back and your request opens again."
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(before: &'static str, after: &'static str) -> Change<'static> {
        Change { before, after, rated: false, merged: false, erased: false }
    }

    #[test]
    fn only_a_solve_of_an_unrated_ticket_asks() {
        assert!(change("open", "solved").asks());
        assert!(change("pending", "solved").asks());
        assert!(!change("solved", "solved").asks(), "a change that leaves it solved asks nothing");
        assert!(!change("open", "closed").asks(), "closing skips the question");
        assert!(!change("solved", "open").asks());
        assert!(!Change { rated: true, ..change("open", "solved") }.asks());
        assert!(!Change { merged: true, ..change("open", "solved") }.asks());
        assert!(!Change { erased: true, ..change("open", "solved") }.asks());
    }

    #[test]
    fn the_words_follow_the_ticket_language() {
        assert!(words("en").starts_with("We have marked your request as solved."));
        assert!(words("zh-CN").starts_with("我们已将您的请求标记为已解决。"));
        assert_eq!(words("fr"), words("en"));
    }
}
