//! The audit log's actions in words, for the people who read it.
//!
//! Every action the edge records has a line here; a test reads the log of a
//! whole test run and fails on one without.

/// Each recorded action with what it means, as "who …" would end.
pub const ACTIONS: &[(&str, &str)] = &[
    ("agent.away", "marked themselves away"),
    ("agent.back", "marked themselves back"),
    ("agent.bootstrap", "made the first admin from the deployment's secrets"),
    ("agent.create", "added an agent"),
    ("agent.invited", "mailed a new agent a link to choose their password"),
    ("agent.mail_alerts", "chose what they are mailed about"),
    ("agent.signature", "changed the signature below their replies"),
    ("agent.update", "changed an agent"),
    ("article.create", "wrote an article"),
    ("article.delete", "deleted an article"),
    ("article.import", "imported articles"),
    ("article.restore", "restored an article revision"),
    ("article.update", "changed an article"),
    ("auth.failed", "failed to log in"),
    ("auth.login", "logged in"),
    ("auth.other_sessions_ended", "logged out their other sessions"),
    ("auth.password_changed", "changed their password"),
    ("auth.password_reset", "set a new password from a mailed link"),
    ("auth.password_reset_mailed", "was mailed a link to set a new password"),
    ("auth.recovery_codes_renewed", "renewed their recovery codes"),
    ("auth.session_ended", "ended a session"),
    ("auth.two_factor_off", "turned two-step login off"),
    ("auth.two_factor_on", "turned two-step login on"),
    ("auth.two_factor_setup", "began setting up two-step login"),
    ("customer.erase", "erased a customer's data"),
    ("customer.export", "downloaded a customer's data"),
    ("customer.update", "changed a customer's record"),
    ("identity.secret.rotate", "rotated a site's identity secret"),
    ("identity.secret.show", "looked at a site's identity secret"),
    ("kb.categories", "ordered the help centre's categories"),
    ("kb.export", "downloaded the knowledge base"),
    ("kb.publish", "published the knowledge base"),
    ("models.retrain", "retrained the models"),
    ("rules.applied", "ran automation rules"),
    ("settings.update", "changed the settings"),
    ("sla.breached", "marked an SLA breach"),
    ("ticket.file_saved", "saved a ticket's file"),
    ("ticket.file_uploaded", "uploaded a file for a reply or note"),
    ("ticket.follow", "followed a ticket"),
    ("ticket.log", "logged a ticket for a customer who wrote or called"),
    ("ticket.mail_again", "mailed a reply again that had not gone"),
    ("ticket.merge", "merged tickets"),
    ("ticket.note", "wrote an internal note"),
    ("ticket.reply", "replied to a customer"),
    ("ticket.rule", "changed a ticket by a rule"),
    ("ticket.spam", "marked a ticket as spam and blocked its sender"),
    ("ticket.unfollow", "stopped following a ticket"),
    ("ticket.update", "changed a ticket"),
    ("token.create", "made an API token"),
    ("token.revoke", "revoked an API token"),
    ("webhook.resend", "sent a webhook delivery again"),
    ("webhook.secret.rotate", "rotated the webhook signing secret"),
    ("webhook.secret.show", "looked at the webhook signing secret"),
    ("webhook.test", "sent a test webhook"),
];

/// What an action means, or `None` for one this build does not know.
pub fn describe(action: &str) -> Option<&'static str> {
    ACTIONS.binary_search_by(|(a, _)| a.cmp(&action)).ok().map(|i| ACTIONS[i].1)
}

/// The areas actions belong to (the part before the first dot), sorted:
/// the audit page filters by them.
pub fn areas() -> Vec<&'static str> {
    let mut out: Vec<&str> = ACTIONS.iter().filter_map(|(a, _)| a.split('.').next()).collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::{ACTIONS, areas, describe};

    #[test]
    fn actions_are_sorted_and_described() {
        assert!(ACTIONS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(describe("kb.publish"), Some("published the knowledge base"));
        assert_eq!(describe("kb.nothing"), None);
        assert_eq!(areas()[..3], ["agent", "article", "auth"]);
    }
}
