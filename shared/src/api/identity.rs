//! Identity verification on the wire (see [`crate::identity`]).

use super::validate;
use crate::error::Error;
use crate::identity::{MAX_SIGNATURE, normalise_signature};
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

/// `POST /v1/identity/tickets`: a customer the site's page identified, with
/// the site's signature of their e-mail, asks for their tickets on that
/// site, so their conversations follow them to any browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifiedCustomer {
    /// The site.
    pub site: String,
    /// The customer's e-mail, as the page named it.
    pub email: String,
    /// The site's signature of the e-mail ([`crate::identity`]).
    pub signature: String,
}

impl VerifiedCustomer {
    /// Checks the request: the site id, the e-mail (lower-cased, as a
    /// ticket keeps it) and a signature of the right form, normalised.
    pub fn validate(&self) -> Result<VerifiedCustomer, Error> {
        let signature = normalise_signature(&validate::text("signature", &self.signature, 1, MAX_SIGNATURE)?);
        // Hex, or an expiring one's `<seconds>.<hex>`.
        if !signature.bytes().all(|b| b.is_ascii_hexdigit() || b == b'.') {
            return Err(Error::field("signature", "must be hex digits (after `<seconds>.` when it expires)"));
        }
        Ok(VerifiedCustomer {
            site: validate::id("site", &self.site)?,
            email: validate::email("email", &self.email)?,
            signature,
        })
    }
}

/// Most tickets one [`VerifiedTickets`] lists: the customer's most
/// recently active ones.
pub const MAX_VERIFIED_TICKETS: usize = 20;

/// One of a verified customer's tickets, with the token to read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifiedTicket {
    /// Ticket id.
    pub id: String,
    /// Its subject.
    pub subject: String,
    /// Its customer token (`X-Ticket-Token`).
    pub token: String,
    /// Created, ms since the epoch.
    pub created_at: i64,
    /// The customer's own last message, ms since the epoch (else
    /// `created_at`): a browser new to the ticket counts the team's
    /// replies after it as unread.
    pub seen_at: i64,
}

/// Answer to `POST /v1/identity/tickets`: the customer's tickets on the
/// site, the most recently active first (at most
/// [`MAX_VERIFIED_TICKETS`]; none for an e-mail the site has no tickets
/// from). Merged tickets are left out: their conversation continues in
/// the ticket they were merged into.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VerifiedTickets {
    /// The tickets.
    pub tickets: Vec<VerifiedTicket>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(site: &str, email: &str, signature: &str) -> Result<VerifiedCustomer, Error> {
        VerifiedCustomer { site: site.into(), email: email.into(), signature: signature.into() }.validate()
    }

    #[test]
    fn a_verified_customer_is_normalised_as_a_ticket_keeps_them() {
        let sig = format!(" {} ", "AB".repeat(32));
        let v = ask("demo", " Ann@Example.COM ", &sig).unwrap();
        assert_eq!(v.email, "ann@example.com");
        assert_eq!(v.signature, "ab".repeat(32));
        assert_eq!(v.site, "demo");
    }

    #[test]
    fn a_verified_customer_with_bad_fields_is_refused_by_field() {
        let sig = "ab".repeat(32);
        let field = |r: Result<VerifiedCustomer, Error>| match r.as_ref().map_err(Error::kind) {
            Err(crate::ErrorKind::InvalidField { field, .. }) => field.clone(),
            other => panic!("expected a field error, got {other:?}"),
        };
        assert_eq!(field(ask("de mo", "ann@example.com", &sig)), "site");
        assert_eq!(field(ask("demo", "ann", &sig)), "email");
        assert_eq!(field(ask("demo", "ann@example.com", "")), "signature");
        assert_eq!(field(ask("demo", "ann@example.com", "zz")), "signature");
        assert_eq!(field(ask("demo", "ann@example.com", &"a".repeat(MAX_SIGNATURE + 1))), "signature");
    }
}
