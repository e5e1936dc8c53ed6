//! Tickets on the wire: what the widget sends and what customers and agents
//! read back.

use super::validate;
use crate::error::Error;
use crate::priority::{Explanation, Level};
use serde::{Deserialize, Serialize};

/// Most articles the widget may list as already shown.
pub const MAX_SHOWN: usize = 10;
/// Longest message, in characters.
pub const MAX_MESSAGE: usize = 10_000;

/// The customer as the widget knows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    /// E-mail address (required: replies go there).
    pub email: String,
    /// Name, if given.
    #[serde(default)]
    pub name: Option<String>,
    /// Phone, if given.
    #[serde(default)]
    pub phone: Option<String>,
    /// The site's signature of the e-mail, when its page identified the
    /// customer (see [`crate::identity`]): 64 hex digits (anything else
    /// does not match). Only the widget sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// `POST /v1/tickets`: a customer opens a ticket. Sent with an
/// `Idempotency-Key` header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTicket {
    /// The site the widget is embedded in.
    pub site: String,
    /// Who asks.
    pub customer: CustomerInput,
    /// Subject; defaults to the start of the message.
    #[serde(default)]
    pub subject: Option<String>,
    /// The question, in the customer's words.
    pub message: String,
    /// Ids of KB articles the widget showed before escalating.
    #[serde(default)]
    pub shown_articles: Vec<String>,
    /// The page the customer was on.
    #[serde(default)]
    pub page_url: Option<String>,
    /// Interface language.
    #[serde(default)]
    pub locale: Option<String>,
    /// The widget session, to link deflection events.
    #[serde(default)]
    pub session: Option<String>,
}

/// A validated [`CreateTicket`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewTicket {
    /// Site id.
    pub site: String,
    /// Lower-cased e-mail.
    pub email: String,
    /// Name.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// The site's signature of the e-mail, as sent, to check.
    pub signature: Option<String>,
    /// Subject (never empty).
    pub subject: String,
    /// Message.
    pub message: String,
    /// Shown article ids.
    pub shown_articles: Vec<String>,
    /// Page URL.
    pub page_url: Option<String>,
    /// `en` or `zh`.
    pub locale: String,
    /// Widget session id.
    pub session: Option<String>,
    /// Where it came from: [`CHANNEL_WIDGET`], [`CHANNEL_WEB`] (the help
    /// centre's form), `email` for a mail, or one of [`LOGGED_CHANNELS`]
    /// when an agent logged it.
    pub channel: String,
}

impl CreateTicket {
    /// Validates every field; the error names the first bad one.
    pub fn validate(&self) -> Result<NewTicket, Error> {
        let message = validate::text("message", &self.message, 1, MAX_MESSAGE)?;
        let subject = match validate::optional_text("subject", self.subject.as_deref(), 200)? {
            Some(s) => s,
            None => {
                let first_line = message.lines().next().unwrap_or("");
                let mut s: String = first_line.chars().take(80).collect();
                if first_line.chars().count() > 80 {
                    s.push('…');
                }
                s
            }
        };
        if self.shown_articles.len() > MAX_SHOWN {
            return Err(Error::field("shown_articles", format!("lists more than {MAX_SHOWN} articles")));
        }
        for a in &self.shown_articles {
            validate::text("shown_articles", a, 1, 100)?;
        }
        let phone = validate::optional_text("customer.phone", self.customer.phone.as_deref(), 40)?;
        if let Some(p) = &phone
            && !p.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'))
        {
            return Err(Error::field("customer.phone", "may hold only digits, spaces and + - ( ) ."));
        }
        Ok(NewTicket {
            site: validate::id("site", &self.site)?,
            email: validate::email("customer.email", &self.customer.email)?,
            name: validate::optional_text("customer.name", self.customer.name.as_deref(), 200)?,
            phone,
            signature: validate::optional_text(
                "customer.signature",
                self.customer.signature.as_deref(),
                crate::identity::MAX_SIGNATURE,
            )?,
            subject,
            message,
            shown_articles: self.shown_articles.clone(),
            page_url: match self.page_url.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(u) => Some(validate::url("page_url", u)?),
            },
            locale: validate::locale("locale", self.locale.as_deref())?,
            session: match self.session.as_deref() {
                None | Some("") => None,
                Some(s) => Some(validate::id("session", s)?),
            },
            channel: CHANNEL_WIDGET.to_string(),
        })
    }
}

/// The channel of tickets customers open in the widget.
pub const CHANNEL_WIDGET: &str = "widget";

/// The channels an agent logs a ticket from.
pub const LOGGED_CHANNELS: [&str; 2] = ["email", "phone"];

/// The channel of tickets customers open with the help centre's form.
pub const CHANNEL_WEB: &str = "web";

/// The help centre's form to write to the team
/// (`POST /help/{site}/contact`): the widget's rules, without a widget.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContactForm {
    /// The site whose help centre it is.
    pub site: String,
    /// Where the team answers.
    pub email: String,
    /// Name; blank when not given.
    pub name: String,
    /// The question.
    pub message: String,
    /// The help centre's language, `en` or `zh`.
    pub locale: String,
}

impl ContactForm {
    /// Validates every field; the error names the first bad one
    /// (`customer.email`, `customer.name`, `message`).
    pub fn validate(&self) -> Result<NewTicket, Error> {
        let mut new = CreateTicket {
            site: self.site.clone(),
            customer: CustomerInput {
                email: self.email.clone(),
                name: Some(self.name.clone()).filter(|n| !n.trim().is_empty()),
                phone: None,
                signature: None,
            },
            subject: None,
            message: self.message.clone(),
            shown_articles: Vec::new(),
            page_url: None,
            locale: Some(self.locale.clone()),
            session: None,
        }
        .validate()?;
        new.channel = CHANNEL_WEB.to_string();
        Ok(new)
    }
}

/// `POST /v1/agent/tickets`: an agent logs what a customer asked by e-mail
/// or on the phone, as a ticket of that customer's. Sent with an
/// `Idempotency-Key` header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogTicket {
    /// The site; the first one when left out.
    #[serde(default)]
    pub site: Option<String>,
    /// The customer.
    pub customer: CustomerInput,
    /// Subject; the message's first line when left out.
    #[serde(default)]
    pub subject: Option<String>,
    /// What the customer asked, in their words as far as known.
    pub message: String,
    /// `email` or `phone`.
    pub channel: String,
    /// The customer's language, `en` when left out.
    #[serde(default)]
    pub locale: Option<String>,
    /// Assign it to the agent who logs it, whatever the rules would pick.
    #[serde(default)]
    pub assign_to_me: bool,
}

impl LogTicket {
    /// Validates every field with the widget's rules; `default_site` stands
    /// in for a missing site.
    pub fn validate(&self, default_site: &str) -> Result<NewTicket, Error> {
        if !LOGGED_CHANNELS.contains(&self.channel.as_str()) {
            return Err(Error::field("channel", "must be email or phone"));
        }
        if self.customer.signature.is_some() {
            return Err(Error::field("customer.signature", "comes only from a site's page, through the widget"));
        }
        let mut new = CreateTicket {
            site: self.site.clone().unwrap_or_else(|| default_site.to_string()),
            customer: self.customer.clone(),
            subject: self.subject.clone(),
            message: self.message.clone(),
            shown_articles: Vec::new(),
            page_url: None,
            locale: self.locale.clone(),
            session: None,
        }
        .validate()?;
        new.channel = self.channel.clone();
        Ok(new)
    }
}

/// Ticket status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Waiting for the team.
    Open,
    /// Waiting for the customer.
    Pending,
    /// Answered.
    Solved,
    /// Done; no more changes.
    Closed,
}

impl Status {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Pending => "pending",
            Status::Solved => "solved",
            Status::Closed => "closed",
        }
    }

    /// Parses a lower-case name.
    pub fn parse(s: &str) -> Option<Status> {
        [Status::Open, Status::Pending, Status::Solved, Status::Closed].into_iter().find(|x| x.as_str() == s)
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Author {
    /// The customer.
    Customer,
    /// A support agent.
    Agent,
    /// Deflect itself (auto-replies).
    System,
}

/// One message of a thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Message id.
    pub id: String,
    /// Who wrote it.
    pub author: Author,
    /// The agent's or customer's display name.
    pub author_name: Option<String>,
    /// Plain text; always rendered as text, never as HTML.
    pub body: String,
    /// Internal notes are never shown to customers.
    pub internal: bool,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    /// For agents, on a reply mailed to the customer: `pending`, `sent` or
    /// `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<String>,
    /// Why mailing it failed, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_error: Option<String>,
    /// For agents, on a team member's message: who wrote it (names need
    /// not be unique).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
}

/// A ticket as its customer sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerTicket {
    /// Ticket id.
    pub id: String,
    /// Subject.
    pub subject: String,
    /// Status.
    pub status: Status,
    /// Created, ms since the epoch.
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
    /// Public messages only.
    pub messages: Vec<Message>,
    /// The customer's rating, once given.
    pub csat: Option<u8>,
    /// Where the conversation continues, when the team merged this ticket
    /// into another of the customer's.
    #[serde(default)]
    pub continued_in: Option<TicketLink>,
    /// The files of its public messages (theirs, and the team's), saved
    /// from `/help/{site}/tickets/{id}/files/{file}?token=…`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// A file kept with a message: one that came with a customer's mail, or
/// one an agent uploaded for a reply. Agents download it from
/// `GET /v1/agent/tickets/{ticket}/attachments/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Attachment id.
    pub id: String,
    /// The message it came with; `None` for an upload whose reply is not
    /// sent yet.
    pub message: Option<String>,
    /// Its file name, cleaned (see `attachment::clean_name`).
    pub name: String,
    /// Its MIME type as the sender gave it.
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
}

/// Another of the customer's tickets, with the token to read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketLink {
    /// Ticket id.
    pub id: String,
    /// Its subject.
    pub subject: String,
    /// Its customer token (`X-Ticket-Token`).
    pub token: String,
    /// Created, ms since the epoch.
    pub created_at: i64,
}

/// Most tickets one [`UnreadQuery`] asks about: the widget keeps at most
/// this many per browser.
pub const MAX_UNREAD_QUERY: usize = 50;

/// One ticket a browser keeps, and how far its customer has read it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownTicket {
    /// Ticket id.
    pub id: String,
    /// Its customer token (`X-Ticket-Token`).
    pub token: String,
    /// The newest message time the customer has seen, ms since the epoch.
    pub seen_at: i64,
}

/// `POST /v1/unread`: which of a browser's tickets have replies
/// its customer has not read, in one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnreadQuery {
    /// 1 to [`MAX_UNREAD_QUERY`] tickets, each id once.
    pub tickets: Vec<KnownTicket>,
}

impl UnreadQuery {
    /// Checks the list: its length, each id and token, no id twice.
    pub fn validate(&self) -> Result<&[KnownTicket], Error> {
        if self.tickets.is_empty() || self.tickets.len() > MAX_UNREAD_QUERY {
            return Err(Error::field("tickets", format!("must hold 1 to {MAX_UNREAD_QUERY} tickets")));
        }
        for (i, t) in self.tickets.iter().enumerate() {
            validate::id(&format!("tickets[{i}].id"), &t.id)?;
            validate::text(&format!("tickets[{i}].token"), &t.token, 1, 100)?;
            if t.seen_at < 0 {
                return Err(Error::field(format!("tickets[{i}].seen_at"), "must be 0 or more"));
            }
            if self.tickets[..i].iter().any(|o| o.id == t.id) {
                return Err(Error::field(format!("tickets[{i}].id"), "is in the list twice"));
            }
        }
        Ok(&self.tickets)
    }
}

/// Answer to `POST /v1/unread`. A ticket whose token does not fit,
/// or that is no longer kept, is in `unknown` (the same for both, so ids
/// cannot be probed); the rest are in `unread` or in none of the lists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UnreadTickets {
    /// Tickets with a reply from the team after their `seen_at`.
    pub unread: Vec<String>,
    /// Tickets erased at the customer's request.
    pub erased: Vec<String>,
    /// Tickets the edge does not know for that token.
    pub unknown: Vec<String>,
}

/// Answer to `POST /v1/tickets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketCreated {
    /// The ticket.
    pub ticket: CustomerTicket,
    /// Secret that lets this customer read and rate the ticket
    /// (`X-Ticket-Token` header). Returned on every replay of the request.
    pub token: String,
}

/// `POST /v1/tickets/{id}/messages` (customer) and
/// `POST /v1/agent/tickets/{id}/messages` (agent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// Text.
    pub body: String,
    /// Agents only: an internal note.
    #[serde(default)]
    pub internal: bool,
    /// Agents only: the newest message of the thread they had read. When
    /// someone else has written since, the message is not sent (409), so
    /// two agents do not answer at once or past a customer's new words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_up_to: Option<String>,
    /// Agents only: the files uploaded for this message
    /// (`POST /v1/agent/tickets/{id}/attachments`), sent with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

impl NewMessage {
    /// The checked body.
    pub fn validate(&self) -> Result<String, Error> {
        if self.seen_up_to.as_ref().is_some_and(|s| s.is_empty() || s.len() > 64) {
            return Err(Error::field("seen_up_to", "a message id (1 to 64 characters)"));
        }
        if self.attachments.len() > crate::attachment::MAX_ATTACHMENTS {
            return Err(Error::field(
                "attachments",
                format!("at most {} files go with one message", crate::attachment::MAX_ATTACHMENTS),
            ));
        }
        if self.attachments.iter().any(|a| a.is_empty() || a.len() > 64) {
            return Err(Error::field("attachments", "each is a file id (1 to 64 characters)"));
        }
        let mut ids = self.attachments.clone();
        ids.sort();
        ids.dedup();
        if ids.len() != self.attachments.len() {
            return Err(Error::field("attachments", "a file is named twice"));
        }
        validate::text("body", &self.body, 1, MAX_MESSAGE)
    }
}

/// `POST /v1/tickets/{id}/csat`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Csat {
    /// 1 (bad) ..= 5 (great).
    pub rating: u8,
    /// Optional words.
    #[serde(default)]
    pub comment: Option<String>,
}

impl Csat {
    /// The checked rating and comment.
    pub fn validate(&self) -> Result<(u8, Option<String>), Error> {
        if !(1..=5).contains(&self.rating) {
            return Err(Error::field("rating", "must be 1 to 5"));
        }
        Ok((self.rating, validate::optional_text("comment", self.comment.as_deref(), 2000)?))
    }
}

/// SLA state as the queue shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SlaView {
    /// `met`, `running` or `breached`.
    pub state: String,
    /// `first_response` or `resolution`, when running or breached.
    pub target: Option<String>,
    /// Minutes left (negative when breached).
    pub minutes_left: Option<i64>,
}

/// A ticket in the agents' queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueItem {
    /// Ticket id.
    pub id: String,
    /// Site id.
    pub site: String,
    /// Subject.
    pub subject: String,
    /// Status.
    pub status: Status,
    /// Level (the override when an agent set one).
    pub priority: Level,
    /// Score 0..=100.
    pub priority_score: f32,
    /// Why: the terms of the score.
    pub explanation: Explanation,
    /// Set when an agent overrode the computed level.
    pub priority_override: Option<Level>,
    /// Assigned agent id.
    pub assignee: Option<String>,
    /// Assigned agent name.
    pub assignee_name: Option<String>,
    /// Team.
    pub team: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Customer id.
    pub customer_id: String,
    /// Customer name or e-mail.
    pub customer_name: String,
    /// SLA clock.
    pub sla: SlaView,
    /// Created.
    pub created_at: i64,
    /// Last change.
    pub updated_at: i64,
    /// Where it came from: `widget`, or `email` and `phone` for tickets
    /// agents logged.
    #[serde(default)]
    pub channel: String,
    /// A snoozed ticket waits (pending) until then, in milliseconds since
    /// the epoch, and opens again unless the customer wrote first.
    #[serde(default)]
    pub snoozed_until: Option<i64>,
}

/// Most hours a ticket can be snoozed: 90 days.
pub const MAX_SNOOZE_HOURS: u32 = 90 * 24;

/// `PATCH /v1/agent/tickets/{id}`: every field optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketUpdate {
    /// New status.
    #[serde(default)]
    pub status: Option<Status>,
    /// New assignee (agent id); empty string unassigns.
    #[serde(default)]
    pub assignee: Option<String>,
    /// Override the priority level (recorded as training data).
    #[serde(default)]
    pub priority: Option<Level>,
    /// Replace the tags.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// The KB article that solved the ticket (training data for the
    /// matcher); empty string clears it.
    #[serde(default)]
    pub solved_by_article: Option<String>,
    /// Snooze: the ticket waits (pending) this many hours, 1 to
    /// [`MAX_SNOOZE_HOURS`], then opens again, unless the customer writes
    /// first. Another status ends a snooze.
    #[serde(default)]
    pub snooze_hours: Option<u32>,
}

/// Most tickets one bulk change may touch.
pub const MAX_BULK: usize = 50;

/// `POST /v1/agent/tickets/bulk`: one change to several tickets (a status
/// or an assignee for a selection in the queue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkUpdate {
    /// The tickets, 1 to [`MAX_BULK`], each once.
    pub ids: Vec<String>,
    /// The change, as for one ticket.
    pub update: TicketUpdate,
}

impl BulkUpdate {
    /// Checks the ids and the change.
    pub fn validate(&self) -> Result<(), Error> {
        if self.ids.is_empty() || self.ids.len() > MAX_BULK {
            return Err(Error::field("ids", format!("give 1 to {MAX_BULK} ticket ids")));
        }
        for (i, id) in self.ids.iter().enumerate() {
            if id.is_empty() || id.len() > 64 {
                return Err(Error::field(format!("ids[{i}]"), "a ticket id (1 to 64 characters)"));
            }
            if self.ids[..i].contains(id) {
                return Err(Error::field(format!("ids[{i}]"), format!("{id} is listed twice")));
            }
        }
        self.update.validate().map_err(|e| match e.kind() {
            crate::ErrorKind::InvalidField { field, message } => {
                Error::field(format!("update.{field}"), message.trim_start_matches(&format!("{field}: ")).to_string())
            }
            _ => e,
        })
    }
}

/// Answer to a bulk change: which tickets changed, and why the others did
/// not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkResult {
    /// Tickets changed.
    pub updated: Vec<String>,
    /// Tickets left as they were, with the reason in words.
    pub failed: Vec<BulkFailure>,
}

/// A ticket a bulk change could not change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkFailure {
    /// Ticket id.
    pub id: String,
    /// Why.
    pub error: String,
}

impl TicketUpdate {
    /// Checks tags.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(tags) = &self.tags {
            if tags.len() > 20 {
                return Err(Error::field("tags", "at most 20 tags"));
            }
            for t in tags {
                validate::text("tags", t, 1, 64)?;
            }
        }
        if let Some(h) = self.snooze_hours {
            if !(1..=MAX_SNOOZE_HOURS).contains(&h) {
                return Err(Error::field("snooze_hours", format!("from 1 to {MAX_SNOOZE_HOURS} hours")));
            }
            if self.status.is_some_and(|s| s != Status::Pending) {
                return Err(Error::field("snooze_hours", "a snoozed ticket is pending; leave out status"));
            }
        }
        if self.status.is_none()
            && self.assignee.is_none()
            && self.priority.is_none()
            && self.tags.is_none()
            && self.solved_by_article.is_none()
            && self.snooze_hours.is_none()
        {
            return Err(Error::field(
                "body",
                "changes nothing: give status, assignee, priority, tags, solved_by_article or snooze_hours",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: &str) -> Result<NewTicket, String> {
        let r: CreateTicket = serde_json::from_str(json).map_err(|e| e.to_string())?;
        r.validate().map_err(|e| e.to_string())
    }

    #[test]
    fn the_help_centres_form_makes_a_web_ticket_with_the_widgets_rules() {
        let form = ContactForm {
            site: "demo".into(),
            email: " Ann@Example.COM ".into(),
            name: "  ".into(),
            message: "My invoice is wrong\nIt says 2025.".into(),
            locale: "zh".into(),
        };
        let t = form.validate().expect("valid");
        assert_eq!(t.channel, CHANNEL_WEB);
        assert_eq!((t.email.as_str(), t.name.as_deref(), t.locale.as_str()), ("ann@example.com", None, "zh"));
        assert_eq!(t.subject, "My invoice is wrong", "the first line");
        assert_eq!((t.page_url, t.session, t.shown_articles.len()), (None, None, 0));
        let named = ContactForm { name: "Ann".into(), ..form.clone() }.validate().expect("valid");
        assert_eq!(named.name.as_deref(), Some("Ann"));
        let field = |f: ContactForm| match f.validate().map_err(|e| e.kind().clone()) {
            Err(crate::ErrorKind::InvalidField { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(ContactForm { email: "not an address".into(), ..form.clone() }), "customer.email");
        assert_eq!(field(ContactForm { message: " ".into(), ..form.clone() }), "message");
        assert_eq!(field(ContactForm { name: "n".repeat(201), ..form.clone() }), "customer.name");
        assert_eq!(field(ContactForm { site: "no site!".into(), ..form }), "site");
    }

    #[test]
    fn a_logged_ticket_keeps_its_channel_and_the_widget_rules() {
        let log = |channel: &str, site: Option<&str>| LogTicket {
            site: site.map(str::to_string),
            customer: CustomerInput {
                email: "Ann@Example.com".into(),
                name: Some("Ann".into()),
                phone: None,
                signature: None,
            },
            subject: None,
            message: "Called about the invoice\nshe wants a copy".into(),
            channel: channel.into(),
            locale: None,
            assign_to_me: true,
        };
        let t = log("phone", None).validate("demo").map_err(|e| e.to_string());
        let t = t.as_ref().map(|t| (t.site.as_str(), t.email.as_str(), t.subject.as_str(), t.channel.as_str()));
        assert_eq!(t, Ok(("demo", "ann@example.com", "Called about the invoice", "phone")));
        assert_eq!(log("email", Some("shop")).validate("demo").map(|t| t.site), Ok("shop".to_string()));
        for bad in ["widget", "", "fax", "Phone"] {
            assert_eq!(
                log(bad, None).validate("demo").map_err(|e| e.to_string()),
                Err("channel: must be email or phone".into())
            );
        }
        let mut no_mail = log("phone", None);
        no_mail.customer.email = "ann".into();
        assert!(no_mail.validate("demo").is_err());
        let mut signed = log("phone", None);
        signed.customer.signature = Some("ab".repeat(32));
        assert_eq!(
            signed.validate("demo").map_err(|e| e.to_string()),
            Err("customer.signature: comes only from a site's page, through the widget".into())
        );
        assert_eq!(
            request(r#"{"site":"demo","customer":{"email":"a@b.co"},"message":"x"}"#).map(|t| t.channel),
            Ok("widget".into())
        );
    }

    #[test]
    fn a_widget_ticket_carries_the_sites_signature_checked_for_its_form() {
        let with = |sig: &str| {
            request(&format!(r#"{{"site":"demo","customer":{{"email":"a@b.co","signature":"{sig}"}},"message":"x"}}"#))
        };
        assert_eq!(with(&"AB".repeat(32)).map(|t| t.signature), Ok(Some("AB".repeat(32))));
        // One of the wrong form is kept, to be found not to match: a
        // site's mistake must not lose the customer's ticket.
        assert_eq!(with("not hex").map(|t| t.signature), Ok(Some("not hex".into())));
        assert!(with(&"a".repeat(129)).is_err_and(|e| e.starts_with("customer.signature:")));
        assert_eq!(
            request(r#"{"site":"demo","customer":{"email":"a@b.co"},"message":"x"}"#).map(|t| t.signature),
            Ok(None)
        );
    }

    #[test]
    fn unread_queries_are_checked() {
        let known = |id: &str| KnownTicket { id: id.into(), token: "tok".into(), seen_at: 0 };
        let q = |tickets: Vec<KnownTicket>| UnreadQuery { tickets };
        assert_eq!(q(vec![known("a"), known("b")]).validate().map(<[_]>::len), Ok(2));
        let field = |r: Result<&[KnownTicket], Error>| match r.map_err(|e| e.kind().clone()) {
            Err(crate::ErrorKind::InvalidField { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(q(vec![]).validate()), "tickets");
        assert_eq!(field(q((0..=MAX_UNREAD_QUERY).map(|i| known(&format!("t{i}"))).collect()).validate()), "tickets");
        assert_eq!(field(q(vec![known("a"), known("../x")]).validate()), "tickets[1].id");
        assert_eq!(field(q(vec![known("a"), known("a")]).validate()), "tickets[1].id");
        let mut bad = known("a");
        bad.token = String::new();
        assert_eq!(field(q(vec![bad]).validate()), "tickets[0].token");
        let mut early = known("a");
        early.seen_at = -1;
        assert_eq!(field(q(vec![early]).validate()), "tickets[0].seen_at");
    }

    #[test]
    fn valid_ticket_gets_defaults() {
        let t = request(r#"{"site":"demo","customer":{"email":"A@B.co"},"message":"Help!\nMy card is gone"}"#)
            .expect("valid");
        assert_eq!(t.email, "a@b.co");
        assert_eq!(t.subject, "Help!");
        assert_eq!(t.locale, "en");
    }

    #[test]
    fn invalid_tickets_name_the_field() {
        let e = |j: &str| request(j).unwrap_err();
        assert!(e(r#"{"site":"demo","customer":{"email":"x"},"message":"m"}"#).starts_with("customer.email"));
        assert!(e(r#"{"site":"demo","customer":{"email":"a@b.co"},"message":"  "}"#).starts_with("message"));
        assert!(e(r#"{"site":"de mo","customer":{"email":"a@b.co"},"message":"m"}"#).starts_with("site"));
        assert!(e(r#"{"site":"demo","customer":{"email":"a@b.co"},"message":"m","x":1}"#).contains("unknown field"));
        assert!(e(r#"{"site":"demo","customer":{"email":"a@b.co"},"message":5}"#).contains("invalid type"));
    }

    #[test]
    fn bulk_changes_name_the_bad_part() {
        let status = TicketUpdate { status: Some(Status::Solved), ..Default::default() };
        let bulk = |ids: &[&str], update: TicketUpdate| BulkUpdate {
            ids: ids.iter().map(|s| s.to_string()).collect(),
            update,
        };
        assert_eq!(bulk(&["a", "b"], status.clone()).validate(), Ok(()));
        let e = |b: BulkUpdate| b.validate().expect_err("refused").to_string();
        assert_eq!(e(bulk(&[], status.clone())), "ids: give 1 to 50 ticket ids");
        assert_eq!(e(bulk(&["a", "b", "a"], status.clone())), "ids[2]: a is listed twice");
        let many: Vec<String> = (0..=MAX_BULK).map(|i| i.to_string()).collect();
        assert!(e(BulkUpdate { ids: many, update: status }).starts_with("ids:"));
        assert!(e(bulk(&["a"], TicketUpdate::default())).starts_with("update.body: changes nothing"));
        let snooze =
            |h: u32, status: Option<Status>| TicketUpdate { snooze_hours: Some(h), status, ..Default::default() };
        assert!(snooze(1, None).validate().is_ok());
        assert!(snooze(MAX_SNOOZE_HOURS, Some(Status::Pending)).validate().is_ok());
        for bad in [snooze(0, None), snooze(MAX_SNOOZE_HOURS + 1, None), snooze(4, Some(Status::Solved))] {
            assert!(bad.validate().unwrap_err().to_string().starts_with("snooze_hours: "), "{bad:?}");
        }
    }

    #[test]
    fn csat_range() {
        assert!(Csat { rating: 0, comment: None }.validate().is_err());
        assert!(Csat { rating: 5, comment: Some(" ".into()) }.validate().is_ok_and(|(_, c)| c.is_none()));
    }
}
