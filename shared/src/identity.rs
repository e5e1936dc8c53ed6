//! Identity verification: a site vouches for the customer its page names
//! to the widget.
//!
//! The site's server signs the customer's e-mail with the site's identity
//! secret (HMAC-SHA256 over [`signed_text`], in hex, keyed with the
//! secret's text, as Intercom's and Crisp's user hashes are) and the page
//! passes it on with `Deflect.identify({ email, name, signature })`. The
//! edge signs the ticket's e-mail again and keeps on the ticket whether the
//! two agree ([`Identity`](crate::api::Identity)), so agents know which
//! customers the site itself has logged in and which typed an address into
//! the widget.
//!
//! A signature may also expire, so one that leaks from a page is of no use
//! after its time: `<unix seconds>.<hex>`, where the hex is the HMAC of the
//! e-mail as above, a line break, and the seconds ([`expiring_text`]). A
//! line break cannot be part of an e-mail, so no signature of one form
//! passes for the other.
//!
//! A signature that does not match (or is not even of the right form) is
//! not refused: the ticket is kept and marked so, since refusing it would lose the customer's question to a
//! site's configuration mistake. For a day after a rotation the previous
//! secret's signatures still match, so a site can deploy the new one at
//! its own pace.

/// The start of every identity secret.
pub const SECRET_PREFIX: &str = "idsec_";

/// Hex digits in a signature (the 32 bytes of HMAC-SHA256).
pub const SIGNATURE_HEX_LEN: usize = 64;

/// How long, after a rotation, the previous secret's signatures still
/// match.
pub const ROTATION_GRACE_MS: i64 = 24 * 3_600_000;

/// What a site signs for a customer: the e-mail, trimmed and lower-cased,
/// as a ticket keeps it.
pub fn signed_text(email: &str) -> String {
    email.trim().to_lowercase()
}

/// What an expiring signature signs: the e-mail as [`signed_text`] has
/// it, a line break, and the Unix time in seconds until which it holds.
pub fn expiring_text(email: &str, until_secs: u64) -> String {
    format!("{}\n{until_secs}", signed_text(email))
}

/// A signature as a page sent it, read ([`read_signature`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// The site's HMAC of the e-mail, in lower-case hex; good until the
    /// site's secret is rotated.
    Plain(String),
    /// The site's HMAC of [`expiring_text`], in lower-case hex, good until
    /// `until_secs`.
    Expiring {
        /// Unix time in seconds.
        until_secs: u64,
        /// The HMAC, in lower-case hex.
        mac: String,
    },
}

impl Signature {
    /// The text the site signed for `email`.
    pub fn signed_for(&self, email: &str) -> String {
        match self {
            Signature::Plain(_) => signed_text(email),
            Signature::Expiring { until_secs, .. } => expiring_text(email, *until_secs),
        }
    }

    /// The HMAC, in lower-case hex.
    pub fn mac(&self) -> &str {
        match self {
            Signature::Plain(mac) | Signature::Expiring { mac, .. } => mac,
        }
    }

    /// Whether it holds no longer than `max_hours` from `now_ms`, as a site
    /// that sets [`Site::signature_max_hours`](crate::api::Site) asks: a
    /// plain signature never expires, so it does not; with no limit,
    /// every signature does.
    pub fn within(&self, now_ms: i64, max_hours: Option<u32>) -> bool {
        let Some(hours) = max_hours else { return true };
        self.until_ms().is_some_and(|until| until <= now_ms.saturating_add(i64::from(hours) * 3_600_000))
    }

    /// Whether it no longer holds at `now_ms`.
    pub fn expired(&self, now_ms: i64) -> bool {
        self.until_ms().is_some_and(|until| until < now_ms)
    }

    /// Until when an expiring signature holds, in ms since the epoch
    /// (`None` for a plain one, or a time past what an `i64` holds).
    fn until_ms(&self) -> Option<i64> {
        match self {
            Signature::Plain(_) => None,
            Signature::Expiring { until_secs, .. } => i64::try_from(*until_secs).ok().map(|s| s.saturating_mul(1000)),
        }
    }
}

/// Reads a signature: `<seconds>.<hex>` is an expiring one, anything else
/// plain (which then matches only if it is the right hex).
pub fn read_signature(signature: &str) -> Signature {
    let s = normalise_signature(signature);
    match s.split_once('.') {
        Some((secs, mac)) if !secs.is_empty() && secs.bytes().all(|b| b.is_ascii_digit()) => match secs.parse() {
            Ok(until_secs) => Signature::Expiring { until_secs, mac: mac.to_string() },
            Err(_) => Signature::Plain(s),
        },
        _ => Signature::Plain(s),
    }
}

/// The longest a site may ask its signatures to hold at most: a year.
pub const MAX_SIGNATURE_HOURS: u32 = 8_760;

/// The longest signature taken (a right one has [`SIGNATURE_HEX_LEN`]
/// digits; anything else up to this length is kept as not matching).
pub const MAX_SIGNATURE: usize = 128;

/// A signature as a page sent it, in the form it is compared in: trimmed,
/// hex digits lower-cased.
pub fn normalise_signature(signature: &str) -> String {
    signature.trim().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_text_is_the_email_as_a_ticket_keeps_it() {
        assert_eq!(signed_text("  Ann@Example.COM "), "ann@example.com");
    }

    #[test]
    fn a_signature_is_compared_trimmed_and_in_lower_case() {
        assert_eq!(normalise_signature(" AB12 "), "ab12");
    }

    #[test]
    fn an_expiring_signature_says_until_when_and_signs_that_too() {
        let s = read_signature(" 1700000000.AB12 ");
        assert_eq!(s, Signature::Expiring { until_secs: 1_700_000_000, mac: "ab12".into() });
        assert_eq!(s.signed_for(" Ann@Example.com"), "ann@example.com\n1700000000");
        assert_eq!(s.mac(), "ab12");
        assert!(!s.expired(1_700_000_000_000) && s.expired(1_700_000_000_001));
        let plain = read_signature("AB12");
        assert_eq!((plain.signed_for("Ann@Example.com"), plain.mac()), ("ann@example.com".to_string(), "ab12"));
        assert!(!plain.expired(i64::MAX));
        // A site's limit on how long a signature may hold.
        let now = 1_699_990_000_000;
        assert!(s.within(now, None) && plain.within(now, None));
        assert!(s.within(now, Some(3)) && !s.within(now, Some(2)));
        assert!(!plain.within(now, Some(MAX_SIGNATURE_HOURS)));
        // Not of the expiring form: plain (and then it will not match).
        for odd in [".ab", "12x.ab", "99999999999999999999999.ab"] {
            assert!(matches!(read_signature(odd), Signature::Plain(_)), "{odd}");
        }
    }
}
