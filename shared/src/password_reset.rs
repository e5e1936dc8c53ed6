//! An agent who forgot their password asks for a link by mail and sets a
//! new one from it; a new agent an admin added without a password is
//! mailed one to choose theirs ([`INVITE_VALID_MS`]). The link's token is random and single-use; the edge
//! keeps only its digest, for [`VALID_MS`], and mails at most one link per
//! agent each [`RESEND_AFTER_MS`]. Setting the password logs every session
//! of theirs out; two-step login, if on, is still asked at the next login.

use crate::mail_alert::{Envelope, message};

/// How long a link works.
pub const VALID_MS: i64 = 60 * 60_000;

/// How long an invitation's link works: a new agent may not read it the
/// same day.
pub const INVITE_VALID_MS: i64 = 7 * 24 * 60 * 60_000;

/// How soon after one link another may be mailed to the same agent, so the
/// form cannot be used to flood someone's inbox.
pub const RESEND_AFTER_MS: i64 = 60_000;

/// The page of the dashboard that sets the new password: the token is in
/// the fragment, which browsers never send to a server or in a `Referer`.
pub fn link(public_url: &str, token: &str) -> String {
    format!("{}/dashboard/#/reset/{token}", public_url.trim_end_matches('/'))
}

/// The mail with the link, as an RFC 5322 message.
pub fn compose(envelope: &Envelope<'_>, link: &str) -> String {
    let minutes = VALID_MS / 60_000;
    let text = format!(
        "Hello {name},\n\n\
         Someone, probably you, asked to set a new password for your Deflect login ({to}).\n\n\
         Set a new password: {link}\n\n\
         The link works once, for {minutes} minutes. Setting a new password logs you out everywhere; \
         two-step login, if you use it, is still asked for.\n\n\
         If you did not ask, ignore this mail: your password stays as it is.\n",
        name = envelope.to_name,
        to = envelope.to,
    );
    message(envelope, "Set a new password for Deflect", &text)
}

/// The mail that invites a new agent, whom `by` added, to set their
/// password, as an RFC 5322 message.
pub fn compose_invite(envelope: &Envelope<'_>, link: &str, by: &str) -> String {
    let days = INVITE_VALID_MS / (24 * 60 * 60_000);
    let text = format!(
        "Hello {name},\n\n\
         {by} added you to {desk}'s help desk in Deflect, to log in as {to}.\n\n\
         Choose your password: {link}\n\n\
         The link works once, for {days} days. After that, ask for a new one with \"Forgot your password?\" \
         on the login page.\n",
        name = envelope.to_name,
        desk = envelope.from_name,
        to = envelope.to,
    );
    message(envelope, &format!("{by} invited you to {}'s help desk", envelope.from_name), &text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::inbound;

    #[test]
    fn an_invitation_says_who_added_them_and_carries_the_link_for_a_week() {
        let envelope = Envelope {
            from: "help@shop.example",
            from_name: "Shop",
            to: "cy@shop.example",
            to_name: "Cy",
            message_id: "deflect-alert.invite.1@shop.example",
            sent_at: 0,
        };
        let raw = compose_invite(&envelope, "https://help.example/dashboard/#/reset/t", "Ada Admin");
        let mail = inbound::parse(raw.as_bytes(), "cy@shop.example").expect("a mail the desk itself can read");
        assert_eq!(mail.subject, "Ada Admin invited you to Shop's help desk");
        assert!(
            mail.text.contains("Ada Admin added you to Shop's help desk in Deflect, to log in as cy@shop.example.")
        );
        assert!(mail.text.contains("Choose your password: https://help.example/dashboard/#/reset/t"), "{}", mail.text);
        assert!(mail.text.contains("for 7 days"), "{}", mail.text);
    }

    #[test]
    fn the_mail_carries_the_link_and_says_how_long_it_works() {
        let link = link("https://help.example/", "tok_en-1");
        assert_eq!(link, "https://help.example/dashboard/#/reset/tok_en-1");
        let envelope = Envelope {
            from: "help@shop.example",
            from_name: "Shop",
            to: "bo@shop.example",
            to_name: "Bo",
            message_id: "deflect-reset.1@shop.example",
            sent_at: 0,
        };
        let raw = compose(&envelope, &link);
        assert!(raw.contains("Subject: Set a new password for Deflect"), "{raw}");
        assert!(raw.contains("Auto-Submitted: auto-generated"), "{raw}");
        let mail = inbound::parse(raw.as_bytes(), "bo@shop.example").expect("a mail the desk itself can read");
        assert!(mail.automatic.is_some(), "marked as sent by a machine, so a reply to it is never a ticket");
        assert!(mail.text.contains("Hello Bo,"), "{}", mail.text);
        assert!(mail.text.contains(&format!("Set a new password: {link}")), "{}", mail.text);
        assert!(mail.text.contains("for 60 minutes"), "{}", mail.text);
    }
}
