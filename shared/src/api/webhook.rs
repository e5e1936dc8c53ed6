//! Webhook deliveries and the signing secret, as admins see them.

use serde::{Deserialize, Serialize};

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Not delivered yet; another attempt is due at `next_attempt_at`.
    Pending,
    /// A receiver answered 2xx.
    Delivered,
    /// Every attempt failed; only an admin's "send again" tries once more.
    Failed,
}

impl DeliveryState {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    /// Reads a stored or query name.
    pub fn parse(s: &str) -> Option<DeliveryState> {
        match s {
            "pending" => Some(DeliveryState::Pending),
            "delivered" => Some(DeliveryState::Delivered),
            "failed" => Some(DeliveryState::Failed),
            _ => None,
        }
    }
}

/// One webhook delivery and its attempts so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    /// Also sent as `Deflect-Delivery`, the same on every attempt.
    pub id: String,
    /// Also sent as `Deflect-Event`, e.g. `ticket.rule`.
    pub event: String,
    /// The receiver.
    pub url: String,
    /// The rule that sent it.
    pub rule: Option<String>,
    /// The ticket it is about.
    pub ticket_id: Option<String>,
    /// The body, exactly as sent.
    pub payload: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// Attempts made.
    pub attempts: u32,
    /// The receiver's status at the last attempt.
    pub last_status: Option<u16>,
    /// Why the last attempt failed, in words.
    pub last_error: Option<String>,
    /// When the next attempt is due (pending only).
    pub next_attempt_at: Option<i64>,
    /// When it was queued.
    pub created_at: i64,
    /// When a receiver took it.
    pub delivered_at: Option<i64>,
}

/// The secret deliveries are signed with (HMAC-SHA256 over
/// `"<t>.<body>"`), for an admin to give to a receiver.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookSecret {
    /// The secret, `whsec_` and base64url.
    pub secret: String,
    /// Counts rotations; 0 is the first secret.
    pub version: u32,
    /// When this secret was made by a rotation (`None` for the first).
    pub rotated_at: Option<i64>,
    /// Until when deliveries also carry a signature with the previous
    /// secret.
    pub previous_valid_until: Option<i64>,
}

/// A request to send a test delivery (event `ping`) to an address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookTest {
    /// The receiver to try.
    pub url: String,
}

impl WebhookTest {
    /// The checked address.
    pub fn validate(&self) -> Result<&str, crate::Error> {
        let url = self.url.trim();
        if crate::webhook::url_ok(url) {
            Ok(url)
        } else {
            Err(crate::Error::field("url", format!("the address {}", crate::webhook::URL_RULE)))
        }
    }
}
