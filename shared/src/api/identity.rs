//! Identity verification on the wire (see [`crate::identity`]).

use serde::{Deserialize, Serialize};

/// `GET /v1/admin/identity-secret?site=…`: the secret a site's server
/// signs its customers' e-mails with, for an admin to give to the site's
/// developers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentitySecret {
    /// The site.
    pub site: String,
    /// The secret, `idsec_` and base64url; its text is the HMAC key.
    pub secret: String,
    /// Counts rotations; 0 is the first secret.
    pub version: u32,
    /// When this secret was made by a rotation (`None` for the first).
    pub rotated_at: Option<i64>,
    /// Until when the previous secret's signatures still match.
    pub previous_valid_until: Option<i64>,
}

/// What the site's signature said of a ticket's customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    /// The site signed this e-mail: its page had logged the customer in.
    Verified,
    /// A signature came that the site's secret did not make for this
    /// e-mail (a wrong secret, or an address changed in the form).
    Mismatched,
}

impl Identity {
    /// The stored value (`tickets.customer_identity`).
    pub fn as_str(self) -> &'static str {
        match self {
            Identity::Verified => "verified",
            Identity::Mismatched => "mismatched",
        }
    }

    /// Reads a stored value.
    pub fn parse(s: &str) -> Option<Identity> {
        [Identity::Verified, Identity::Mismatched].into_iter().find(|i| i.as_str() == s)
    }
}
