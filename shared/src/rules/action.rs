//! Rule actions.

use crate::error::Error;
use crate::priority::Level;
use serde::{Deserialize, Serialize};

/// Something a rule does. The engine applies the ticket changes; the edge
/// carries out the side effects (`auto_reply`, `notify_webhook`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Set the priority level (an override of the computed score).
    SetPriority {
        /// low, normal, high or urgent.
        level: Level,
    },
    /// Add a tag.
    AddTag {
        /// The tag.
        tag: String,
    },
    /// Assign to a team; the assignment strategy picks the agent.
    AssignTeam {
        /// The team.
        team: String,
    },
    /// Reply to the customer with a KB article.
    AutoReply {
        /// The article id.
        article: String,
    },
    /// POST the ticket to a webhook.
    NotifyWebhook {
        /// An https URL (http only for loopback, in development).
        url: String,
    },
    /// Change the status.
    SetStatus {
        /// open, pending, solved or closed.
        status: String,
    },
}

/// Ticket statuses.
pub const STATUSES: [&str; 4] = ["open", "pending", "solved", "closed"];

impl Action {
    /// Checks the action's values. `at` names its place for the message.
    pub fn validate(&self, at: &str) -> Result<(), Error> {
        let err = |m: String| Err(Error::rule(format!("{at}: {m}")));
        let name_ok = |s: &str| {
            !s.trim().is_empty()
                && s.len() <= 64
                && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '))
        };
        match self {
            Action::SetPriority { .. } => Ok(()),
            Action::AddTag { tag } if !name_ok(tag) => {
                err(format!("tag {tag:?} must be 1 to 64 letters, digits, spaces, '-', '_' or '.'"))
            }
            Action::AssignTeam { team } if !name_ok(team) => {
                err(format!("team {team:?} must be 1 to 64 letters, digits, spaces, '-', '_' or '.'"))
            }
            Action::AutoReply { article } if article.trim().is_empty() || article.len() > 100 => {
                err("auto_reply needs an article id".into())
            }
            Action::NotifyWebhook { url } if !crate::webhook::url_ok(url) => {
                err(format!("webhook {url:?} {}", crate::webhook::URL_RULE))
            }
            Action::SetStatus { status } if !STATUSES.contains(&status.as_str()) => {
                err(format!("status {status:?} must be one of open, pending, solved, closed"))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_parse_from_json() {
        let a: Action = serde_json::from_str(r#"{"type":"set_priority","level":"urgent"}"#).expect("parses");
        assert_eq!(a, Action::SetPriority { level: Level::Urgent });
        assert!(serde_json::from_str::<Action>(r#"{"type":"explode"}"#).is_err());
        let bad = Action::SetStatus { status: "gone".into() };
        assert!(bad.validate("r").unwrap_err().to_string().contains("one of open"));
    }
}
