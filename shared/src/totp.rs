//! Two-step login: time-based one-time codes (TOTP, RFC 6238, the codes
//! authenticator apps show) and single-use recovery codes.
//!
//! The MAC itself (HMAC-SHA1 over the step counter) is computed by the
//! caller, so this module stays free of cryptography and I/O: it says which
//! steps to try, turns a MAC into a code, reads what a person typed, and
//! writes the `otpauth://` address apps scan.

use crate::error::Error;

/// Seconds per code.
pub const STEP_SECS: i64 = 30;

/// Digits per code.
pub const DIGITS: u32 = 6;

/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

/// Recovery codes made at once.
pub const RECOVERY_CODES: usize = 10;

/// Random bytes behind one recovery code (10 base32 letters, 50 bits).
pub const RECOVERY_BYTES: usize = 7;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps take secrets.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Reads base32 (any case, spaces and padding ignored); `None` for any
/// other letter.
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let upper = c.to_ascii_uppercase() as u32;
        let v = BASE32.iter().position(|&b| u32::from(b) == upper)? as u32;
        buffer = ((buffer << 5) | v) & 0xffff;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// The step a time (ms since the epoch) falls in.
pub fn step(now_ms: i64) -> i64 {
    now_ms.div_euclid(1000).div_euclid(STEP_SECS)
}

/// The message to MAC for a step: the counter, 8 bytes big-endian.
pub fn counter(step: i64) -> [u8; 8] {
    (step.max(0) as u64).to_be_bytes()
}

/// The steps a code typed at `now_ms` may belong to, oldest first: the
/// current one and one either side, for clocks a little apart and for a
/// code typed as it changed. Steps at or before `last_used` are left out,
/// so each code logs in once.
pub fn steps_to_try(now_ms: i64, last_used: Option<i64>) -> Vec<i64> {
    let s = step(now_ms);
    (s - 1..=s + 1).filter(|c| last_used.is_none_or(|l| *c > l)).collect()
}

/// The code for a step from its HMAC-SHA1 (RFC 4226 dynamic truncation).
pub fn code(mac: &[u8; 20]) -> u32 {
    let offset = usize::from(mac[19] & 0x0f);
    let bin = u32::from_be_bytes([mac[offset] & 0x7f, mac[offset + 1], mac[offset + 2], mac[offset + 3]]);
    bin % 10u32.pow(DIGITS)
}

/// What someone typed into the code field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entered {
    /// Six digits from the app.
    Code(u32),
    /// A recovery code, normalised (lower case, no separators).
    Recovery(String),
}

/// Reads the code field: six digits (spaces allowed), or a recovery code
/// (ten letters and digits, hyphens and spaces allowed, any case).
pub fn parse(input: &str) -> Result<Entered, Error> {
    let kept: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if kept.len() == DIGITS as usize && kept.bytes().all(|b| b.is_ascii_digit()) {
        return kept.parse().map(Entered::Code).map_err(|_| bad_code());
    }
    let lower = kept.to_ascii_lowercase();
    if lower.len() == 10 && lower.bytes().all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b)) {
        return Ok(Entered::Recovery(lower));
    }
    Err(bad_code())
}

fn bad_code() -> Error {
    Error::field("code", "enter the 6 digits your authenticator app shows, or one of your recovery codes")
}

/// A recovery code from random bytes, as shown: `abcde-fghij`.
pub fn recovery_code(random: &[u8; RECOVERY_BYTES]) -> String {
    let letters = base32(random).to_ascii_lowercase();
    format!("{}-{}", &letters[..5], &letters[5..10])
}

/// The `otpauth://` address of a secret, which apps read from a QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let label = format!("{}:{}", percent(issuer), percent(account));
    format!(
        "otpauth://totp/{label}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        base32(secret),
        percent(issuer)
    )
}

fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};
    use proptest::prelude::*;
    use sha1::Sha1;

    fn mac(secret: &[u8], step: i64) -> [u8; 20] {
        let mut m = Hmac::<Sha1>::new_from_slice(secret).expect("any key length");
        m.update(&counter(step));
        m.finalize().into_bytes().into()
    }

    /// RFC 6238, appendix B (SHA-1, eight digits there; the last six here).
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        for (secs, eight) in [
            (59, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            let s = step(secs * 1000);
            assert_eq!(code(&mac(secret, s)), eight % 1_000_000, "at {secs} s");
        }
    }

    #[test]
    fn base32_matches_rfc_4648() {
        for (plain, encoded) in
            [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB")]
        {
            assert_eq!(base32(plain.as_bytes()), encoded);
            assert_eq!(from_base32(encoded).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(from_base32("mzxw 6ytb===").as_deref(), Some(&b"fooba"[..]));
        assert_eq!(from_base32("MZXW1"), None, "1 is not a base32 letter");
    }

    proptest! {
        #[test]
        fn base32_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(from_base32(&base32(&bytes)), Some(bytes));
        }
    }

    #[test]
    fn each_code_logs_in_once() {
        let now = 1_700_000_015_000;
        let s = step(now);
        assert_eq!(steps_to_try(now, None), vec![s - 1, s, s + 1]);
        assert_eq!(steps_to_try(now, Some(s)), vec![s + 1], "the code just used, and older ones, are refused");
        assert!(steps_to_try(now, Some(s + 1)).is_empty());
    }

    #[test]
    fn typed_codes_are_read_kindly() {
        assert_eq!(parse(" 123 456 "), Ok(Entered::Code(123_456)));
        assert_eq!(parse("000042"), Ok(Entered::Code(42)));
        assert_eq!(parse("ABCDE-FGH23"), Ok(Entered::Recovery("abcdefgh23".into())));
        for bad in ["", "12345", "1234567", "abcde-fgh1j", "١٢٣٤٥٦", "abcdefghijk"] {
            let e = parse(bad).expect_err(bad);
            assert!(e.to_string().contains("6 digits"), "{bad}: {e}");
        }
    }

    #[test]
    fn recovery_codes_read_back() {
        let c = recovery_code(&[0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03]);
        assert_eq!(c.len(), 11);
        assert_eq!(&c[5..6], "-");
        assert_eq!(parse(&c), Ok(Entered::Recovery(c.replace('-', ""))));
    }

    #[test]
    fn the_app_address_names_the_account() {
        let uri = otpauth_uri("Deflect", "ann@example.com", b"12345678901234567890");
        assert_eq!(
            uri,
            "otpauth://totp/Deflect:ann@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Deflect\
             &algorithm=SHA1&digits=6&period=30"
        );
        assert!(otpauth_uri("Acme Help", "a&b", b"x").starts_with("otpauth://totp/Acme%20Help:a%26b?"));
    }
}
