//! Webhook deliveries: how each one is signed so that a receiver can trust
//! it, and when a failed one is tried again.
//!
//! A delivery is a POST of a JSON body with three headers:
//! `Deflect-Event`, `Deflect-Delivery` (the same id on every attempt, so a
//! receiver can drop repeats) and `Deflect-Signature: t=<unix seconds>,
//! v1=<hex HMAC-SHA256>`. The MAC covers `"<t>.<body>"` under the site's
//! signing secret, so neither the body nor the time can be changed without
//! breaking it; receivers should also refuse times more than
//! [`TOLERANCE_SECS`] from their clock. For a day after the secret is
//! rotated, a second `v1` made with the previous secret rides along, so
//! receivers can switch at their own pace.

use std::fmt::Write as _;

/// The header with the signature.
pub const SIGNATURE_HEADER: &str = "deflect-signature";
/// The header with the event name.
pub const EVENT_HEADER: &str = "deflect-event";
/// The header with the delivery id, the same on every attempt.
pub const DELIVERY_HEADER: &str = "deflect-delivery";

/// How far a signature's time may be from the receiver's clock, as
/// receivers are advised to check.
pub const TOLERANCE_SECS: i64 = 300;

/// How long, after a rotation, deliveries are signed with the previous
/// secret as well.
pub const ROTATION_GRACE_MS: i64 = 24 * 3_600_000;

/// How long the edge waits for a receiver before counting the attempt as
/// failed.
pub const TIMEOUT_MS: u64 = 10_000;

/// The waits after the first, second, ... failed attempt. After the last
/// one fails the delivery is given up (an admin can still send it again).
const RETRY_WAITS_MS: [i64; 5] = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 8 * 3_600_000];

/// Attempts a delivery gets before it is given up.
pub const MAX_ATTEMPTS: u32 = RETRY_WAITS_MS.len() as u32 + 1;

/// What [`url_ok`] asks of an address, in words.
pub const URL_RULE: &str = "must be an https:// URL (http:// is allowed only for 127.0.0.1 and localhost)";

/// Whether deliveries may go to `url`: an https:// address, or http:// to
/// this machine (for local receivers).
pub fn url_ok(url: &str) -> bool {
    if url.len() > 2000 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let host_of = |rest: &str| -> String {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = authority.rsplit('@').next().unwrap_or("");
        host.split(':').next().unwrap_or("").to_ascii_lowercase()
    };
    if let Some(rest) = url.strip_prefix("https://") {
        !host_of(rest).is_empty()
    } else if let Some(rest) = url.strip_prefix("http://") {
        matches!(host_of(rest).as_str(), "127.0.0.1" | "localhost")
    } else {
        false
    }
}

/// What the receiver must sign over: the time, a dot, then the body exactly
/// as sent.
pub fn signed_message(timestamp_secs: i64, body: &str) -> String {
    format!("{timestamp_secs}.{body}")
}

/// The `Deflect-Signature` value for one time and one MAC per valid secret
/// (the current one first).
pub fn signature_header(timestamp_secs: i64, macs: &[Vec<u8>]) -> String {
    let mut out = format!("t={timestamp_secs}");
    for mac in macs {
        out.push_str(",v1=");
        for b in mac {
            let _ = write!(out, "{b:02x}");
        }
    }
    out
}

/// The dashboard page of a ticket, for a payload's `ticket.url`, under the
/// address the dashboard is served from (`DEFLECT_PUBLIC_URL`, e.g.
/// `https://help.example.com`). `None` when that address is not an
/// http(s) origin with an optional path: a delivery then goes without a
/// link rather than with a wrong one.
pub fn ticket_link(public_url: &str, ticket: &str) -> Option<String> {
    let base = public_url.trim().trim_end_matches('/');
    let rest = base.strip_prefix("https://").or_else(|| base.strip_prefix("http://"))?;
    let host = rest.split('/').next().unwrap_or("");
    let clean = |s: &str| !s.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#' | '@'));
    let id_ok = !ticket.is_empty() && ticket.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    (!host.is_empty() && clean(rest) && id_ok && base.len() <= 2000)
        .then(|| format!("{base}/dashboard/#/ticket/{ticket}"))
}

/// A parsed `Deflect-Signature`, for receivers (and this project's tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Unix seconds when the delivery was signed.
    pub timestamp: i64,
    /// One MAC per secret that was valid then.
    pub macs: Vec<Vec<u8>>,
}

/// Why a `Deflect-Signature` value could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// No `t=` part, or one that is not a number.
    NoTime,
    /// No `v1=` part.
    NoMac,
    /// A `v1=` part that is not 64 hex digits.
    BadMac,
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignatureError::NoTime => "the signature has no time (t=<unix seconds>)",
            SignatureError::NoMac => "the signature has no v1= part",
            SignatureError::BadMac => "a v1= part is not 64 hex digits",
        })
    }
}

impl std::error::Error for SignatureError {}

/// Reads a `Deflect-Signature` value. Unknown parts (later schemes) are
/// skipped.
pub fn parse_signature(header: &str) -> Result<Signature, SignatureError> {
    let mut timestamp = None;
    let mut macs = Vec::new();
    for part in header.split(',') {
        let Some((key, value)) = part.trim().split_once('=') else { continue };
        match key {
            "t" => timestamp = Some(value.parse::<i64>().map_err(|_| SignatureError::NoTime)?),
            "v1" => macs.push(from_hex(value).ok_or(SignatureError::BadMac)?),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::NoTime)?;
    if macs.is_empty() {
        return Err(SignatureError::NoMac);
    }
    Ok(Signature { timestamp, macs })
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect()
}

/// When to try again after `attempts` failed attempts (ms from the last
/// one), or `None` once the delivery has had all its attempts.
pub fn retry_wait_ms(attempts: u32) -> Option<i64> {
    let i = usize::try_from(attempts).ok()?.checked_sub(1)?;
    RETRY_WAITS_MS.get(i).copied()
}

/// What became of an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver answered with this status.
    Answered(u16),
    /// No answer: the connection failed or timed out (in words).
    NoAnswer(String),
}

impl Outcome {
    /// A 2xx answer delivers; anything else is tried again.
    pub fn delivered(&self) -> bool {
        matches!(self, Outcome::Answered(s) if (200..300).contains(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_links() {
        let link = |base| ticket_link(base, "t_01");
        assert_eq!(
            link("https://help.example.com").as_deref(),
            Some("https://help.example.com/dashboard/#/ticket/t_01")
        );
        assert_eq!(link("http://127.0.0.1:8787/").as_deref(), Some("http://127.0.0.1:8787/dashboard/#/ticket/t_01"));
        assert_eq!(
            link(" https://example.com/desk ").as_deref(),
            Some("https://example.com/desk/dashboard/#/ticket/t_01")
        );
        for bad in ["", "example.com", "ftp://example.com", "https://", "https://a b", "https://x?y", "https://u@x"] {
            assert_eq!(link(bad), None, "{bad:?}");
        }
        assert_eq!(ticket_link("https://example.com", "../x"), None);
        assert_eq!(ticket_link("https://example.com", ""), None);
    }

    #[test]
    fn webhook_urls() {
        assert!(url_ok("https://hooks.example.com/x"));
        assert!(url_ok("http://127.0.0.1:9000/hook"));
        assert!(!url_ok("http://example.com/hook"));
        assert!(!url_ok("ftp://example.com"));
        assert!(!url_ok("https://"));
    }

    #[test]
    fn a_header_reads_back() {
        let macs = vec![vec![0xab; 32], (0u8..32).collect::<Vec<_>>()];
        let h = signature_header(1_700_000_000, &macs);
        assert!(h.starts_with("t=1700000000,v1=abab"), "{h}");
        assert_eq!(parse_signature(&h), Ok(Signature { timestamp: 1_700_000_000, macs }));
        let later_scheme = format!("{h},v2=zz");
        assert!(parse_signature(&later_scheme).is_ok());
    }

    #[test]
    fn malformed_headers_say_why() {
        assert_eq!(parse_signature(""), Err(SignatureError::NoTime));
        assert_eq!(parse_signature("t=x,v1=00"), Err(SignatureError::NoTime));
        assert_eq!(parse_signature("t=5"), Err(SignatureError::NoMac));
        assert_eq!(parse_signature("t=5,v1=abc"), Err(SignatureError::BadMac));
        let not_hex = format!("t=5,v1={}", "g".repeat(64));
        assert_eq!(parse_signature(&not_hex), Err(SignatureError::BadMac));
        let multibyte = format!("t=5,v1={}", "é".repeat(32));
        assert_eq!(parse_signature(&multibyte), Err(SignatureError::BadMac));
    }

    #[test]
    fn the_message_binds_time_and_body() {
        let m = signed_message(12, "3.{\"a\":1}");
        assert_eq!(m, "12.3.{\"a\":1}");
        assert_eq!(m.split_once('.'), Some(("12", "3.{\"a\":1}")), "the first dot ends the time");
    }

    #[test]
    fn retries_back_off_then_stop() {
        assert_eq!(retry_wait_ms(0), None, "nothing failed yet");
        let waits: Vec<i64> = (1..MAX_ATTEMPTS).map(|n| retry_wait_ms(n).expect("a wait")).collect();
        assert!(waits.windows(2).all(|w| w[0] < w[1]), "{waits:?}");
        assert_eq!(retry_wait_ms(MAX_ATTEMPTS), None, "given up after the last attempt");
        let total: i64 = waits.iter().sum();
        assert!(total > 10 * 3_600_000, "a receiver down for ten hours still gets it: {total}");
    }

    #[test]
    fn only_2xx_delivers() {
        assert!(Outcome::Answered(204).delivered());
        assert!(!Outcome::Answered(301).delivered());
        assert!(!Outcome::Answered(500).delivered());
        assert!(!Outcome::NoAnswer("timed out".into()).delivered());
    }
}
