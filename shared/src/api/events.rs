//! Widget events: what the deflection rate is counted from.

use super::validate;
use crate::error::Error;
use serde::{Deserialize, Serialize};

/// What happened in the widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The customer asked a question and saw an answer or suggestions.
    AnswerShown,
    /// "This helped".
    Helped,
    /// "This did not help".
    NotHelped,
    /// No article fitted: the widget offered a ticket.
    NoAnswer,
}

impl EventKind {
    /// snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::AnswerShown => "answer_shown",
            EventKind::Helped => "helped",
            EventKind::NotHelped => "not_helped",
            EventKind::NoAnswer => "no_answer",
        }
    }
}

/// `POST /v1/events`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WidgetEvent {
    /// Site id.
    pub site: String,
    /// Widget session (random, made when the widget opens).
    pub session: String,
    /// What happened.
    pub kind: EventKind,
    /// The article concerned.
    #[serde(default)]
    pub article: Option<String>,
    /// The customer's question.
    #[serde(default)]
    pub question: Option<String>,
    /// Matcher confidence, 0..=1.
    #[serde(default)]
    pub confidence: Option<f32>,
}

impl WidgetEvent {
    /// Checks the fields.
    pub fn validate(&self) -> Result<(), Error> {
        validate::id("site", &self.site)?;
        validate::id("session", &self.session)?;
        if let Some(a) = &self.article {
            validate::text("article", a, 1, 100)?;
        }
        validate::optional_text("question", self.question.as_deref(), 1000)?;
        if let Some(c) = self.confidence
            && !(0.0..=1.0).contains(&c)
        {
            return Err(Error::field("confidence", "must be between 0 and 1"));
        }
        if matches!(self.kind, EventKind::Helped | EventKind::NotHelped) && self.article.is_none() {
            return Err(Error::field("article", "is required for helped and not_helped"));
        }
        Ok(())
    }
}
