//! Settings: sites and their origins, SLA targets, assignment, rules,
//! rate limits and saved replies.

use super::validate;
use crate::assignment::Strategy;
use crate::error::Error;
use crate::identity::MAX_SIGNATURE_HOURS;
use crate::kb::validate_order;
use crate::retention;
use crate::rules::{RuleSet, RuleSpec};
use crate::saved_reply::{self, SavedReply};
use crate::sla::SlaPolicy;
use serde::{Deserialize, Serialize};

/// A website the widget is embedded in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    /// Id used in `data-site`.
    pub id: String,
    /// Display name (help-centre title).
    pub name: String,
    /// Origins allowed to call the public API (CORS).
    pub allowed_origins: Vec<String>,
    /// When set, agents' replies to this site's customers (from the widget,
    /// or logged from a call) are also mailed to them, from this address,
    /// with a link to their page of the request. Route it to the worker in
    /// Email Routing, so their answers come back to the ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_address: Option<String>,
    /// When a ticket whose customer hears from us by mail (a mail ticket,
    /// or any ticket once the site has a reply address) is first solved,
    /// they are asked by mail to rate our help (see
    /// [`crate::rating_request`]). On unless turned off.
    #[serde(default = "asked")]
    pub rating_by_mail: bool,
    /// The order of the help centre's categories: those named here first,
    /// in this order, then the others alphabetically (see
    /// [`crate::kb::by_category`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category_order: Vec<String>,
    /// Only customers the site signed in may write from the widget: a
    /// widget ticket without the site's signature of its e-mail
    /// ([`crate::identity`]) is refused, so no one can write as another
    /// customer. The help centre's form and mail are not affected. Off
    /// unless turned on.
    #[serde(default, skip_serializing_if = "is_off")]
    pub require_identity: bool,
    /// When set, only identity signatures that expire within this many
    /// hours verify a customer ([`crate::identity`]): a plain signature,
    /// which holds until the secret is rotated, or one that gives a later
    /// time, is taken as not the site's, so a signature that leaks from a
    /// page is of no use for long. 1 to
    /// [`MAX_SIGNATURE_HOURS`](crate::identity::MAX_SIGNATURE_HOURS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_max_hours: Option<u32>,
}

fn is_off(on: &bool) -> bool {
    !*on
}

fn asked() -> bool {
    true
}

/// Everything an admin configures, stored as one JSON document in KV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Sites.
    pub sites: Vec<Site>,
    /// SLA targets.
    #[serde(default)]
    pub sla: SlaPolicy,
    /// Assignment strategy.
    #[serde(default)]
    pub assignment: Strategy,
    /// Automation rules.
    #[serde(default)]
    pub rules: Vec<RuleSpec>,
    /// Limits on the public endpoints, per client address and minute.
    #[serde(default)]
    pub rate_limits: RateLimits,
    /// The team's saved replies.
    #[serde(default)]
    pub saved_replies: Vec<SavedReply>,
    /// Days a customer's personal data is kept after their last contact
    /// (see [`crate::retention`]); `None` keeps it until erased by hand.
    #[serde(default)]
    pub retention_days: Option<u32>,
    /// Every agent must use two-step login: one without it can only set it
    /// up until they do. API tokens are not affected.
    #[serde(default)]
    pub require_two_factor: bool,
}

/// Requests per client address and minute on the public endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimits {
    /// `POST /v1/tickets` and customer replies (1..=100_000).
    pub tickets: u32,
    /// `POST /v1/events` (1..=100_000).
    pub events: u32,
    /// Reads: the KB index, ticket status, the help centre (1..=100_000).
    pub reads: u32,
    /// Login attempts (1..=1_000).
    pub logins: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits { tickets: 20, events: 300, reads: 600, logins: 10 }
    }
}

impl Settings {
    /// Checks sites, origins, SLA targets, rules and saved replies.
    pub fn validate(&self) -> Result<Settings, Error> {
        if self.sites.is_empty() || self.sites.len() > 50 {
            return Err(Error::field("sites", "need 1 to 50 sites"));
        }
        let mut out = self.clone();
        for (i, s) in out.sites.iter_mut().enumerate() {
            s.id = validate::id(&format!("sites[{i}].id"), &s.id)?;
            s.name = validate::text(&format!("sites[{i}].name"), &s.name, 1, 100)?;
            if s.allowed_origins.len() > 50 {
                return Err(Error::field(format!("sites[{i}].allowed_origins"), "at most 50 origins"));
            }
            s.allowed_origins = s
                .allowed_origins
                .iter()
                .enumerate()
                .map(|(j, o)| validate::origin(&format!("sites[{i}].allowed_origins[{j}]"), o))
                .collect::<Result<_, _>>()?;
            s.reply_address = match s.reply_address.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(a) => Some(validate::email(&format!("sites[{i}].reply_address"), a)?),
            };
            s.category_order = validate_order(&format!("sites[{i}].category_order"), &s.category_order)?;
            if s.signature_max_hours.is_some_and(|h| !(1..=MAX_SIGNATURE_HOURS).contains(&h)) {
                return Err(Error::field(
                    format!("sites[{i}].signature_max_hours"),
                    format!("signatures may be asked to expire within 1 to {MAX_SIGNATURE_HOURS} hours"),
                ));
            }
        }
        let mut ids: Vec<&str> = out.sites.iter().map(|s| s.id.as_str()).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::field("sites", "two sites have the same id"));
        }
        out.sla.validate()?;
        let r = out.rate_limits;
        if [r.tickets, r.events, r.reads].iter().any(|v| !(1..=100_000).contains(v)) || !(1..=1_000).contains(&r.logins)
        {
            return Err(Error::field("rate_limits", "limits must be 1 to 100000 (logins 1 to 1000)"));
        }
        RuleSet::from_specs(out.rules.clone())?;
        out.saved_replies = saved_reply::validate_all(&out.saved_replies)?;
        out.retention_days = retention::validate(out.retention_days)?;
        Ok(out)
    }

    /// A site by id.
    pub fn site(&self, id: &str) -> Option<&Site> {
        self.sites.iter().find(|s| s.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::{Settings, Site};

    fn with_reply_address(address: Option<&str>) -> Settings {
        let site = Site {
            id: "shop".into(),
            name: "Shop".into(),
            allowed_origins: Vec::new(),
            reply_address: address.map(str::to_string),
            rating_by_mail: true,
            category_order: Vec::new(),
            require_identity: false,
            signature_max_hours: None,
        };
        serde_json::from_value(serde_json::json!({ "sites": [site] })).expect("settings with one site")
    }

    #[test]
    fn a_reply_address_is_checked_and_kept_lower_case() {
        let ok = with_reply_address(Some(" Help@Shop.Example ")).validate().expect("a good address");
        assert_eq!(ok.sites[0].reply_address.as_deref(), Some("help@shop.example"));
        let none = with_reply_address(Some("  ")).validate().expect("empty is none");
        assert_eq!(none.sites[0].reply_address, None);
        let bad = with_reply_address(Some("help at shop")).validate().expect_err("not an address");
        assert!(bad.to_string().contains("sites[0].reply_address"), "{bad}");
        let json = serde_json::to_value(with_reply_address(None)).expect("serialises");
        assert!(json["sites"][0].get("reply_address").is_none(), "left out when unset: {json}");
    }

    #[test]
    fn a_site_asks_for_ratings_by_mail_unless_turned_off() {
        let read = |site: serde_json::Value| -> Settings {
            serde_json::from_value(serde_json::json!({ "sites": [site] })).expect("settings with one site")
        };
        let before = read(serde_json::json!({ "id": "shop", "name": "Shop", "allowed_origins": [] }));
        assert!(before.sites[0].rating_by_mail, "settings saved before the field ask");
        let off =
            read(serde_json::json!({ "id": "shop", "name": "Shop", "allowed_origins": [], "rating_by_mail": false }));
        assert!(!off.sites[0].rating_by_mail);
        assert_eq!(serde_json::to_value(&off).expect("serialises")["sites"][0]["rating_by_mail"], false);
    }

    #[test]
    fn a_sites_category_order_is_checked_and_kept_trimmed() {
        let mut s = with_reply_address(None);
        s.sites[0].category_order = vec![" Billing ".into(), "Account".into()];
        assert_eq!(s.validate().expect("a good order").sites[0].category_order, ["Billing", "Account"]);
        s.sites[0].category_order.push("BILLING".into());
        let bad = s.validate().expect_err("a category twice");
        assert!(bad.to_string().starts_with("sites[0].category_order[2]"), "{bad}");
        let json = serde_json::to_value(with_reply_address(None)).expect("serialises");
        assert!(json["sites"][0].get("category_order").is_none(), "left out when empty: {json}");
    }

    #[test]
    fn a_sites_limit_on_signature_lifetimes_is_checked() {
        let mut s = with_reply_address(None);
        for ok in [1, 24, crate::identity::MAX_SIGNATURE_HOURS] {
            s.sites[0].signature_max_hours = Some(ok);
            assert_eq!(s.validate().expect("a good limit").sites[0].signature_max_hours, Some(ok));
        }
        for bad in [0, crate::identity::MAX_SIGNATURE_HOURS + 1] {
            s.sites[0].signature_max_hours = Some(bad);
            let e = s.validate().expect_err("out of range");
            assert!(e.to_string().starts_with("sites[0].signature_max_hours"), "{e}");
        }
        let json = serde_json::to_value(with_reply_address(None)).expect("serialises");
        assert!(json["sites"][0].get("signature_max_hours").is_none(), "left out when unset: {json}");
    }
}
