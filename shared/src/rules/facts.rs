//! The ticket as rules see it.

use crate::priority::Level;

/// The fields of a ticket that conditions test and actions change.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketFacts {
    /// Where the ticket came from: `widget`, `web` (the help centre's
    /// form), `email` or `phone`.
    pub channel: String,
    /// Subject line.
    pub subject: String,
    /// Subject and every customer message, joined.
    pub text: String,
    /// Current level.
    pub priority: Level,
    /// Current score, 0..=100.
    pub priority_score: f32,
    /// The customer's plan.
    pub customer_plan: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// `open`, `pending`, `solved` or `closed`.
    pub status: String,
    /// Hours since the ticket last changed.
    pub hours_since_update: f32,
    /// Language tag.
    pub locale: String,
    /// Assigned agent id.
    pub assignee: Option<String>,
    /// Assigned team.
    pub team: Option<String>,
}

impl Default for TicketFacts {
    fn default() -> Self {
        TicketFacts {
            channel: "widget".into(),
            subject: String::new(),
            text: String::new(),
            priority: Level::Normal,
            priority_score: 37.5,
            customer_plan: None,
            tags: Vec::new(),
            status: "open".into(),
            hours_since_update: 0.0,
            locale: "en".into(),
            assignee: None,
            team: None,
        }
    }
}
