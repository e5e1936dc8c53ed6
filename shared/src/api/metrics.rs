//! Metrics and retraining reports.

use crate::metrics::{AgentFigures, ChannelFigures, DurationStats};
use serde::{Deserialize, Serialize};

/// One day of ticket counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayCounts {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Tickets created that day by priority: low, normal, high, urgent.
    pub by_priority: [u64; 4],
    /// Tickets created that day that are now open, pending, solved, closed.
    pub by_status: [u64; 4],
}

/// `GET /v1/agent/metrics`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Metrics {
    /// Days covered.
    pub days: u32,
    /// Widget sessions with a question.
    pub widget_sessions: u64,
    /// Of those, sessions answered in the widget and not escalated.
    pub deflected_sessions: u64,
    /// deflected / sessions (`None` without sessions).
    pub deflection_rate: Option<f64>,
    /// "This helped" clicks.
    pub helped: u64,
    /// "This did not help" clicks.
    pub not_helped: u64,
    /// Tickets created, without those closed as spam.
    pub tickets: u64,
    /// Tickets created and closed as spam, left out of every other figure.
    #[serde(default)]
    pub spam_tickets: u64,
    /// Tickets on which a rule acted.
    pub automated_tickets: u64,
    /// automated / tickets.
    pub automation_rate: Option<f64>,
    /// First response time.
    pub first_response: DurationStats,
    /// Resolution time.
    pub resolution: DurationStats,
    /// CSAT ratings given.
    pub csat_count: u64,
    /// Average CSAT (1..=5).
    pub csat_average: Option<f64>,
    /// Share of ratings that are 4 or 5.
    pub csat_satisfied: Option<f64>,
    /// Share of the tickets solved that their customer rated
    /// ([`crate::metrics::rating_response`]).
    #[serde(default)]
    pub csat_response_rate: Option<f64>,
    /// Daily counts, oldest first.
    pub daily: Vec<DayCounts>,
    /// Per agent: their tickets of the period and the replies they wrote.
    #[serde(default)]
    pub by_agent: Vec<AgentFigures>,
    /// Per channel: the tickets of the period by the way they came.
    #[serde(default)]
    pub by_channel: Vec<ChannelFigures>,
    /// What customers wrote with their ratings, the lowest ratings first
    /// (at most [`MAX_FEEDBACK`]).
    #[serde(default)]
    pub feedback: Vec<Feedback>,
}

/// Most comments [`Metrics::feedback`] holds.
pub const MAX_FEEDBACK: u32 = 20;

/// A rating with the customer's comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    /// The ticket rated.
    pub ticket_id: String,
    /// Its subject.
    pub subject: String,
    /// 1 to 5.
    pub rating: u8,
    /// What the customer wrote.
    pub comment: String,
    /// Who the ticket is assigned to.
    pub agent_name: Option<String>,
    /// When the ticket was created.
    pub created_at: i64,
}

/// Before/after of one retrained model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetrainPart {
    /// Training examples used.
    pub examples: usize,
    /// Agreement (share right) before.
    pub before: f64,
    /// After.
    pub after: f64,
    /// Whether the new weights were published.
    pub published: bool,
    /// Why not, when not.
    pub note: Option<String>,
}

/// `POST /v1/admin/retrain`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetrainReport {
    /// The priority model, fitted to agents' overrides.
    pub priority: RetrainPart,
    /// The matcher weights, fitted to tickets linked to articles and
    /// "this helped" clicks.
    pub matcher: RetrainPart,
}
