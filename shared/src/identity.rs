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
}
