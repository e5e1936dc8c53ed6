//! Agents, sessions and the agent-side views.

use super::ticket::{Attachment, CustomerTicket, Message, QueueItem};
use super::validate;
use crate::error::Error;
use serde::{Deserialize, Serialize};

/// An agent's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Works tickets.
    Agent,
    /// Also edits the KB, rules, settings and agents.
    Admin,
}

impl Role {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Admin => "admin",
        }
    }

    /// Parses a lower-case name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "agent" => Some(Role::Agent),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// `POST /v1/auth/login`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// E-mail.
    pub email: String,
    /// Password.
    pub password: String,
    /// With two-step login on: the code from the authenticator app, or a
    /// recovery code. Without it such a login is answered with 401
    /// `two_factor_required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// An agent as others see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentView {
    /// Id.
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Teams.
    pub teams: Vec<String>,
    /// Skills.
    pub skills: Vec<String>,
    /// Whether they receive tickets and can log in.
    pub active: bool,
    /// Open tickets assigned.
    pub open_tickets: u32,
    /// Whether they log in with a code from an authenticator app too.
    #[serde(default)]
    pub two_factor: bool,
    /// In the answers to logging in and `GET /v1/auth/me`: the team
    /// requires two-step login and this agent has not set it up, so only
    /// their own account routes work until they do.
    #[serde(default)]
    pub two_factor_required: bool,
    /// Away: gets no new tickets until back.
    #[serde(default)]
    pub away: bool,
    /// Added without a password and invited to choose one, which they have
    /// not done yet.
    #[serde(default)]
    pub invited: bool,
    /// What they are mailed about.
    #[serde(default)]
    pub mail_alerts: MailAlerts,
    /// In the answers about one's own account: the desk has an address to
    /// mail alerts from (a site's reply address, or
    /// `DEFLECT_SUPPORT_EMAIL`); without one, none are sent.
    #[serde(default)]
    pub mail_alerts_can_send: bool,
    /// In the answers about one's own account: why the latest alert mailed
    /// to them could not be sent, when it could not (after every attempt).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_alerts_failure: Option<String>,
    /// In the answers about one's own account: the desk's business hours
    /// in words, which [`MailAlerts::business_hours_only`] keeps to; absent
    /// while it keeps none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_alerts_hours: Option<String>,
    /// What goes below their replies to customers ([`crate::signature`]);
    /// absent while they have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// What an agent asks to be mailed about (`PUT /v1/auth/mail-alerts`), so
/// they hear of work without a dashboard tab open. A teammate's mention is
/// mailed until the agent turns it off; each other alert is off until they
/// turn it on. See [`crate::mail_alert`] for who gets which mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailAlerts {
    /// A teammate mentions them (`@handle`) in an internal note.
    #[serde(default = "mentions_by_default")]
    pub mentioned: bool,
    /// A ticket is given to them, by someone else or by the desk.
    #[serde(default)]
    pub assigned: bool,
    /// The customer of a ticket of theirs writes again.
    #[serde(default)]
    pub customer_replied: bool,
    /// A new ticket comes in for their team (or any, when it has no team).
    #[serde(default)]
    pub new_ticket: bool,
    /// A ticket of theirs misses its SLA target (or one of their team's
    /// that no one has).
    #[serde(default)]
    pub sla_missed: bool,
    /// Only while the desk is open: an alert that comes outside its
    /// business hours waits for the next opening, and those waiting come
    /// together then. No effect while the desk keeps no business hours.
    #[serde(default)]
    pub business_hours_only: bool,
    /// A summary each morning: the desk's last day in figures, and what
    /// waits (see [`crate::daily_summary`]).
    #[serde(default)]
    pub daily_summary: bool,
}

fn mentions_by_default() -> bool {
    true
}

impl Default for MailAlerts {
    /// Mentions on, the rest off: a mention is a teammate asking them.
    fn default() -> Self {
        MailAlerts {
            mentioned: true,
            assigned: false,
            customer_replied: false,
            new_ticket: false,
            sla_missed: false,
            business_hours_only: false,
            daily_summary: false,
        }
    }
}

/// `PUT /v1/auth/away`: an agent marks themselves away (no new tickets) or
/// back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Away {
    /// `true`: away; `false`: back.
    pub away: bool,
}

/// `PUT /v1/auth/signature`: what goes below the caller's replies to
/// customers; empty for none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// A few lines ([`crate::signature::MAX_LINES`], at most
    /// [`crate::signature::MAX_CHARS`] characters).
    pub signature: String,
}

impl Signature {
    /// The signature as kept, `None` for none; refused in words when too
    /// long or not plain text.
    pub fn validate(&self) -> Result<Option<String>, Error> {
        crate::signature::clean(&self.signature)
    }
}

/// `POST /v1/admin/agents`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    /// E-mail (their login).
    pub email: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Password, at least 12 characters; without one, the agent is mailed
    /// an invitation to set their own (`shared::password_reset`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Teams.
    #[serde(default)]
    pub teams: Vec<String>,
    /// Skills.
    #[serde(default)]
    pub skills: Vec<String>,
}

/// `POST /v1/admin/agents`'s answer: the new agent, and for one invited
/// to set their own password, whether the invitation was mailed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentCreated {
    /// The agent.
    #[serde(flatten)]
    pub agent: AgentView,
    /// For an invited agent: `"mailed"`, or why it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation: Option<String>,
}

/// Minimum password length.
pub const MIN_PASSWORD: usize = 12;

fn names(field: &str, items: &[String]) -> Result<Vec<String>, Error> {
    if items.len() > 20 {
        return Err(Error::field(field, "at most 20 items"));
    }
    items.iter().map(|s| validate::text(field, s, 1, 64)).collect()
}

/// Checks a new password.
pub fn password(field: &str, value: &str) -> Result<(), Error> {
    let n = value.chars().count();
    if n < MIN_PASSWORD {
        return Err(Error::field(field, format!("needs at least {MIN_PASSWORD} characters")));
    }
    if n > 200 {
        return Err(Error::field(field, "is longer than 200 characters"));
    }
    Ok(())
}

impl NewAgent {
    /// Checks every field; returns the normalised e-mail, name, teams and
    /// skills.
    pub fn validate(&self) -> Result<(String, String, Vec<String>, Vec<String>), Error> {
        if let Some(p) = &self.password {
            password("password", p)?;
        }
        Ok((
            validate::email("email", &self.email)?,
            validate::text("name", &self.name, 1, 100)?,
            names("teams", &self.teams)?,
            names("skills", &self.skills)?,
        ))
    }
}

/// `PATCH /v1/admin/agents/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentUpdate {
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// New role.
    #[serde(default)]
    pub role: Option<Role>,
    /// New teams.
    #[serde(default)]
    pub teams: Option<Vec<String>>,
    /// New skills.
    #[serde(default)]
    pub skills: Option<Vec<String>>,
    /// Activate or deactivate.
    #[serde(default)]
    pub active: Option<bool>,
    /// New password.
    #[serde(default)]
    pub password: Option<String>,
    /// `true` turns their two-step login off (a lost phone); they set it up
    /// again after logging in with the password.
    #[serde(default)]
    pub reset_two_factor: Option<bool>,
    /// Mark them away (no new tickets) or back.
    #[serde(default)]
    pub away: Option<bool>,
}

impl AgentUpdate {
    /// Checks the given fields.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(n) = &self.name {
            validate::text("name", n, 1, 100)?;
        }
        if let Some(t) = &self.teams {
            names("teams", t)?;
        }
        if let Some(s) = &self.skills {
            names("skills", s)?;
        }
        if let Some(p) = &self.password {
            password("password", p)?;
        }
        Ok(())
    }
}

/// `POST /v1/auth/password`: an agent changes their own password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password they log in with now.
    pub current_password: String,
    /// The new one, at least [`MIN_PASSWORD`] characters.
    pub new_password: String,
}

impl PasswordChange {
    /// Checks the new password's length and that it differs from the
    /// current one; the current one is checked against the stored hash by
    /// the edge.
    pub fn validate(&self) -> Result<(), Error> {
        if self.current_password.is_empty() || self.current_password.chars().count() > 200 {
            return Err(Error::field("current_password", "must be 1 to 200 characters"));
        }
        password("new_password", &self.new_password)?;
        if self.new_password == self.current_password {
            return Err(Error::field("new_password", "is the same as the current password"));
        }
        Ok(())
    }
}

/// `POST /v1/auth/password-reset`: an agent who forgot their password
/// asks for a link to set a new one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    /// The address they log in with.
    pub email: String,
}

impl PasswordResetRequest {
    /// The address, trimmed and in lower case, as logins compare it.
    pub fn validate(&self) -> Result<String, Error> {
        let email = self.email.trim().to_lowercase();
        if email.len() > 254 || !email.contains('@') || email.chars().any(char::is_whitespace) {
            return Err(Error::field("email", "is not an e-mail address"));
        }
        Ok(email)
    }
}

/// `POST /v1/auth/password-reset/confirm`: the link's token and the new
/// password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// The token from the mailed link.
    pub token: String,
    /// The new password, at least [`MIN_PASSWORD`] characters.
    pub new_password: String,
}

impl PasswordReset {
    /// Checks the token's shape (URL-safe base64, as the edge makes them)
    /// and the new password's length.
    pub fn validate(&self) -> Result<(), Error> {
        let t = &self.token;
        if t.is_empty() || t.len() > 100 || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(Error::field("token", "is not a link this desk sent: copy the whole link from the mail"));
        }
        password("new_password", &self.new_password)
    }
}

/// `POST /v1/admin/tokens`: an API token for scripts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What it is for.
    pub name: String,
    /// Days until it stops working by itself (1 to [`MAX_TOKEN_DAYS`]);
    /// none: until it is revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_days: Option<u32>,
}

/// The longest an expiring API token may last: ten years.
pub const MAX_TOKEN_DAYS: u32 = 3650;

impl NewToken {
    /// Checks the fields; returns the name, trimmed, and when the token
    /// stops working, if it does, for a token made at `now_ms`.
    pub fn validate(&self, now_ms: i64) -> Result<(String, Option<i64>), Error> {
        let name = validate::text("name", &self.name, 1, 100)?;
        let expires_at = match self.expires_in_days {
            None => None,
            Some(d) if (1..=MAX_TOKEN_DAYS).contains(&d) => Some(now_ms + i64::from(d) * 86_400_000),
            Some(_) => return Err(Error::field("expires_in_days", format!("must be 1 to {MAX_TOKEN_DAYS} days"))),
        };
        Ok((name, expires_at))
    }
}

/// `POST /v1/admin/tokens` answer: the token itself is shown only here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenCreated {
    /// The handle to list and revoke it by (not a credential).
    pub id: String,
    /// The bearer token (`dfl_…`).
    pub token: String,
    /// What it is for.
    pub name: String,
    /// When it stops working by itself, if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

/// An API token as admins see it: never the token itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenView {
    /// The handle to revoke it by.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// The agent it acts as.
    pub agent_id: String,
    /// That agent's name.
    pub agent_name: String,
    /// When it was made.
    pub created_at: i64,
    /// When it last authenticated a request.
    pub last_used_at: Option<i64>,
    /// When it stops (or stopped) working by itself, if it does.
    #[serde(default)]
    pub expires_at: Option<i64>,
}

/// A customer record (CRM).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    /// Id.
    pub id: String,
    /// Site.
    pub site: String,
    /// E-mail (decrypted for agents); `None` once the customer is erased.
    pub email: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Phone (decrypted for agents).
    pub phone: Option<String>,
    /// Plan.
    pub plan: Option<String>,
    /// Lifetime value in cents.
    pub lifetime_value_cents: i64,
    /// Custom attributes.
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// First seen.
    pub created_at: i64,
    /// Their tickets, newest first.
    pub tickets: Vec<TicketSummary>,
    /// Average of their CSAT ratings.
    pub average_csat: Option<f32>,
    /// When their personal data was erased (ms since the epoch); the record
    /// and their tickets stay, without it, for the team's figures.
    pub erased_at: Option<i64>,
    /// When an agent marked them as a sender of spam (ms since the epoch):
    /// their new tickets are kept closed, tagged `spam`, out of the queue.
    #[serde(default)]
    pub blocked_at: Option<i64>,
}

/// The tag of a ticket marked as spam, or opened by a blocked customer.
pub const SPAM_TAG: &str = "spam";

/// What replaces every text of an erased customer: their tickets' subjects,
/// every message on them, their CSAT comments.
pub const ERASED_TEXT: &str = "(erased at the customer's request)";

/// `DELETE /v1/admin/customers/{id}`: what was erased.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Erasure {
    /// The customer.
    pub customer_id: String,
    /// When (ms since the epoch); the first erasure's time on a repeat.
    pub erased_at: i64,
    /// Their tickets, kept without their text.
    pub tickets: u32,
    /// Messages on those tickets whose text was erased.
    pub messages: u32,
    /// Questions they typed into the widget, erased.
    pub widget_questions: u32,
}

/// `GET /v1/admin/customers/{id}/export`: everything Deflect holds about a
/// customer, for a data access request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerExport {
    /// When the export was made (ms since the epoch).
    pub exported_at: i64,
    /// Their record.
    pub customer: CustomerView,
    /// Their tickets, oldest first, with every message.
    pub tickets: Vec<ExportedTicket>,
    /// What they asked the widget in the conversations that became their
    /// tickets, oldest first.
    pub widget_questions: Vec<ExportedQuestion>,
}

/// A ticket in a [`CustomerExport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedTicket {
    /// Ticket id.
    pub id: String,
    /// Subject.
    pub subject: String,
    /// Status.
    pub status: String,
    /// The page they wrote from.
    pub page_url: Option<String>,
    /// Their rating.
    pub csat: Option<u8>,
    /// Their rating's comment.
    pub csat_comment: Option<String>,
    /// Created (ms since the epoch).
    pub created_at: i64,
    /// Every message, internal notes included.
    pub messages: Vec<Message>,
    /// The files kept with its messages (their names, types and sizes;
    /// each is downloaded from the ticket).
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// A widget question in a [`CustomerExport`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedQuestion {
    /// The question.
    pub question: String,
    /// When (ms since the epoch).
    pub asked_at: i64,
}

/// A line of customer history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketSummary {
    /// Ticket id.
    pub id: String,
    /// Subject.
    pub subject: String,
    /// Status.
    pub status: String,
    /// CSAT rating, if given.
    pub csat: Option<u8>,
    /// Created.
    pub created_at: i64,
}

/// A line of `GET /v1/agent/customers`, the customer directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerLine {
    /// Id.
    pub id: String,
    /// Site.
    pub site: String,
    /// E-mail (decrypted for agents).
    pub email: String,
    /// Name.
    pub name: Option<String>,
    /// Plan.
    pub plan: Option<String>,
    /// Lifetime value in cents.
    pub lifetime_value_cents: i64,
    /// Tickets ever.
    pub tickets: u32,
    /// Tickets open or pending.
    pub open_tickets: u32,
    /// When one of their tickets last changed (ms), if they have any.
    pub last_contact_at: Option<i64>,
    /// First seen.
    pub created_at: i64,
}

/// `PATCH /v1/agent/customers/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerUpdate {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Plan.
    #[serde(default)]
    pub plan: Option<String>,
    /// Lifetime value in cents.
    #[serde(default)]
    pub lifetime_value_cents: Option<i64>,
    /// Replace the custom attributes.
    #[serde(default)]
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
    /// Block (`true`: their new tickets are closed as spam) or unblock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked: Option<bool>,
}

impl CustomerUpdate {
    /// Checks sizes.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(n) = &self.name {
            validate::text("name", n, 1, 200)?;
        }
        if let Some(p) = &self.plan {
            validate::text("plan", p, 1, 40)?;
        }
        if let Some(v) = self.lifetime_value_cents
            && !(0..=crate::money::MAX_CENTS).contains(&v)
        {
            return Err(Error::field("lifetime_value_cents", "must be 0 to 10^12"));
        }
        if let Some(a) = &self.attributes
            && (a.len() > 50 || serde_json::to_string(a).map_or(0, |s| s.len()) > 8_000)
        {
            return Err(Error::field("attributes", "at most 50 attributes and 8000 bytes"));
        }
        Ok(())
    }
}

/// `GET /v1/agent/tickets/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketDetail {
    /// Queue fields.
    pub ticket: QueueItem,
    /// Every message, internal notes included.
    pub messages: Vec<Message>,
    /// The customer's record and history.
    pub customer: CustomerView,
    /// Articles the widget showed before the customer escalated.
    pub shown_articles: Vec<String>,
    /// The page the customer was on.
    pub page_url: Option<String>,
    /// Article an agent linked as the solution.
    pub solved_by_article: Option<String>,
    /// The customer's rating.
    pub csat: Option<u8>,
    /// What the customer wrote with it.
    #[serde(default)]
    pub csat_comment: Option<String>,
    /// Channel.
    pub channel: String,
    /// Locale.
    pub locale: String,
    /// Articles of the site's published KB that match the ticket, best
    /// first (at most three; none when nothing fits).
    pub suggested_articles: Vec<SuggestedArticle>,
    /// The ticket this one was merged into, if it was.
    pub merged_into: Option<String>,
    /// The files kept with its messages, oldest first.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// The agents who follow it (ids): they hear of its customer's replies
    /// and a missed SLA as its assignee does.
    #[serde(default)]
    pub followers: Vec<String>,
    /// What the site's signature said of the customer's e-mail, when the
    /// widget sent one (see [`crate::identity`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_identity: Option<super::Identity>,
}

/// `GET /v1/agent/tickets/{id}/thread`: a ticket's conversation as it now
/// stands, which an open ticket page asks for every few seconds to show
/// what arrived meanwhile without drawing the page (and the reply being
/// written) again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketThread {
    /// Every message, internal notes included, oldest first.
    pub messages: Vec<Message>,
    /// The files kept with them, oldest first.
    pub attachments: Vec<Attachment>,
    /// When the ticket last changed (a message, or its status, assignee,
    /// priority or tags), ms since the epoch.
    pub updated_at: i64,
    /// Its SLA clock now.
    pub sla: super::SlaView,
}

/// `PUT /v1/agent/tickets/{id}/following`: the calling agent follows a
/// ticket, or stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Following {
    /// `true`: follow; `false`: stop.
    pub following: bool,
}

/// An article the matcher suggests to the agent for a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestedArticle {
    /// Article id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Whether the widget showed it to the customer before they asked for
    /// help (so it did not answer them on its own).
    pub shown_to_customer: bool,
}

/// The customer-facing part, for the widget.
pub type CustomerTicketView = CustomerTicket;

/// One audit log line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// The line's id; with `at`, the cursor of the next page
    /// (`before=<at>-<id>`).
    #[serde(default)]
    pub id: String,
    /// When.
    pub at: i64,
    /// Agent id (or `system`).
    pub actor: String,
    /// The agent's name, when the actor is an agent.
    #[serde(default)]
    pub actor_name: Option<String>,
    /// What (`ticket.reply`).
    pub action: String,
    /// On what.
    pub target: String,
    /// Details.
    pub detail: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(current: &str, new: &str) -> PasswordChange {
        PasswordChange { current_password: current.into(), new_password: new.into() }
    }

    #[test]
    fn a_password_change_needs_a_long_new_password_that_differs() {
        assert!(change("old password 1", "new password 2").validate().is_ok());
        let field = |c: PasswordChange| c.validate().unwrap_err().to_string();
        assert!(field(change("old password 1", "short")).contains("new_password"));
        assert!(field(change("same password 1", "same password 1")).contains("same as the current"));
        assert!(field(change("", "new password 2")).contains("current_password"));
        assert!(field(change("old password 1", &"x".repeat(201))).contains("200"));
    }

    #[test]
    fn a_token_may_expire_after_one_day_to_ten_years() {
        let token = |days: Option<u32>| NewToken { name: " deploys ".into(), expires_in_days: days };
        assert_eq!(token(None).validate(1_000), Ok(("deploys".to_string(), None)));
        assert_eq!(token(Some(30)).validate(1_000), Ok(("deploys".to_string(), Some(1_000 + 30 * 86_400_000))));
        assert!(token(Some(MAX_TOKEN_DAYS)).validate(0).is_ok());
        for bad in [0, MAX_TOKEN_DAYS + 1] {
            assert!(token(Some(bad)).validate(0).unwrap_err().to_string().contains("expires_in_days"), "{bad}");
        }
        let unnamed = NewToken { name: "  ".into(), expires_in_days: None };
        assert!(unnamed.validate(0).unwrap_err().to_string().contains("name"));
    }

    #[test]
    fn a_reset_takes_a_token_of_the_desk_s_shape_and_a_long_password() {
        let reset = |token: &str, new: &str| PasswordReset { token: token.into(), new_password: new.into() };
        assert!(reset("Ab-_09", "new password 2").validate().is_ok());
        for bad in ["", "a b", "a/b", "a%2F", &"a".repeat(101)] {
            let e = reset(bad, "new password 2").validate().unwrap_err().to_string();
            assert!(e.contains("token") && e.contains("whole link"), "{bad:?}: {e}");
        }
        assert!(reset("Ab", "short").validate().unwrap_err().to_string().contains("new_password"));
        let ask = |email: &str| PasswordResetRequest { email: email.into() }.validate();
        assert_eq!(ask("  Bo@Shop.Example ").as_deref(), Ok("bo@shop.example"));
        for bad in ["", "bo", "b o@shop.example", &format!("{}@x", "a".repeat(260))] {
            assert!(ask(bad).unwrap_err().to_string().contains("not an e-mail address"), "{bad:?}");
        }
    }
}

/// `POST /v1/agent/tickets/{id}/merge`: merge this ticket into another of
/// the same customer's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeTickets {
    /// The ticket to merge into.
    pub into: String,
}

impl MergeTickets {
    /// Checks the fields; returns the target's id.
    pub fn validate(&self) -> Result<&str, Error> {
        let into = self.into.trim();
        if into.is_empty() || into.len() > 64 || !into.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(Error::field("into", "a ticket id (1 to 64 letters, digits or '-')"));
        }
        Ok(into)
    }
}

/// `POST /v1/agent/tickets/{id}/presence`: this agent is on the ticket's
/// page (sent every few seconds), typing a reply, or leaving it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresenceUpdate {
    /// A reply is being written.
    #[serde(default)]
    pub typing: bool,
    /// The agent left the page.
    #[serde(default)]
    pub leaving: bool,
}

/// Another agent on the same ticket's page, seen in the last
/// [`PRESENCE_FRESH_MS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    /// Agent id.
    pub agent_id: String,
    /// Their name.
    pub name: String,
    /// Writing a reply.
    pub typing: bool,
}

/// How long a presence report counts (the dashboard sends one every ten
/// seconds).
pub const PRESENCE_FRESH_MS: i64 = 30_000;
