//! Customers (the CRM record). E-mail and phone are stored encrypted, with
//! a keyed hash of the e-mail for lookups.

use super::{Arg, all, attachments, batch, first, run, stmt};
use crate::error::{AppError, AppResult};
use deflect_shared::api::TimeCursor;
use serde::Deserialize;
use worker::D1Database;

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CustomerRow {
    pub(crate) id: String,
    pub(crate) site_id: String,
    pub(crate) email_enc: String,
    pub(crate) phone_enc: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) plan: Option<String>,
    pub(crate) value_cents: f64,
    pub(crate) attributes: String,
    pub(crate) created_at: f64,
    pub(crate) erased_at: Option<f64>,
    /// When an agent marked them as a sender of spam.
    #[serde(default)]
    pub(crate) blocked_at: Option<f64>,
}

pub(crate) struct Upsert<'a> {
    pub(crate) new_id: &'a str,
    pub(crate) site: &'a str,
    pub(crate) email_hash: &'a str,
    pub(crate) email_enc: &'a str,
    pub(crate) phone_enc: Option<&'a str>,
    pub(crate) name: Option<&'a str>,
}

/// Creates the customer or refreshes their name and phone; returns the row.
pub(crate) async fn upsert(db: &D1Database, u: &Upsert<'_>, now: i64) -> AppResult<CustomerRow> {
    first(
        db,
        "INSERT INTO customers (id, site_id, email_hash, email_enc, phone_enc, name, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) \
         ON CONFLICT(site_id, email_hash) DO UPDATE SET \
           name = COALESCE(excluded.name, customers.name), \
           phone_enc = COALESCE(excluded.phone_enc, customers.phone_enc), \
           updated_at = excluded.updated_at \
         RETURNING id, site_id, email_enc, phone_enc, name, plan, value_cents, attributes, created_at, erased_at, blocked_at",
        &[
            Arg::Text(u.new_id),
            Arg::Text(u.site),
            Arg::Text(u.email_hash),
            Arg::Text(u.email_enc),
            Arg::OptText(u.phone_enc),
            Arg::OptText(u.name),
            Arg::Int(now),
        ],
    )
    .await?
    .ok_or_else(|| AppError::Internal("customer upsert returned no row".into()))
}

pub(crate) async fn by_id(db: &D1Database, id: &str) -> AppResult<Option<CustomerRow>> {
    first(
        db,
        "SELECT id, site_id, email_enc, phone_enc, name, plan, value_cents, attributes, created_at, erased_at, blocked_at \
         FROM customers WHERE id = ?1",
        &[Arg::Text(id)],
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct History {
    pub(crate) recent: f64,
    pub(crate) csat: Option<f64>,
}

/// Tickets in the 30 days before `now` and the average CSAT ever given.
pub(crate) async fn history(db: &D1Database, customer: &str, now: i64) -> AppResult<History> {
    Ok(first(
        db,
        "SELECT (SELECT COUNT(*) FROM tickets WHERE customer_id = ?1 AND created_at > ?2) AS recent, \
                (SELECT AVG(csat) FROM tickets WHERE customer_id = ?1 AND csat IS NOT NULL) AS csat",
        &[Arg::Text(customer), Arg::Int(now - 30 * 86_400_000)],
    )
    .await?
    .unwrap_or(History { recent: 0.0, csat: None }))
}

#[derive(Debug, Deserialize)]
pub(crate) struct TicketLine {
    pub(crate) id: String,
    pub(crate) subject: String,
    pub(crate) status: String,
    pub(crate) csat: Option<f64>,
    pub(crate) created_at: f64,
}

pub(crate) async fn tickets(db: &D1Database, customer: &str) -> AppResult<Vec<TicketLine>> {
    all(
        db,
        "SELECT id, subject, status, csat, created_at FROM tickets WHERE customer_id = ?1 ORDER BY created_at DESC LIMIT 100",
        &[Arg::Text(customer)],
    )
    .await
}

/// One of the tickets a verified customer may see in any browser.
#[derive(Debug, Deserialize)]
pub(crate) struct OwnTicket {
    pub(crate) id: String,
    pub(crate) subject: String,
    pub(crate) created_at: f64,
    /// The customer's own last message, else when the ticket was made.
    pub(crate) seen_at: f64,
}

/// The tickets of the customer with this e-mail hash on `site`, the most
/// recently active first: none once the customer is erased, and none
/// merged into another (the conversation continues there).
pub(crate) async fn own_tickets(
    db: &D1Database,
    site: &str,
    email_hash: &str,
    limit: u32,
) -> AppResult<Vec<OwnTicket>> {
    all(
        db,
        "SELECT t.id, t.subject, t.created_at, \
           COALESCE((SELECT MAX(m.created_at) FROM messages m \
                     WHERE m.ticket_id = t.id AND m.author = 'customer'), t.created_at) AS seen_at \
         FROM customers c JOIN tickets t ON t.customer_id = c.id \
         WHERE c.site_id = ?1 AND c.email_hash = ?2 AND c.erased_at IS NULL AND t.merged_into IS NULL \
         ORDER BY t.updated_at DESC, t.id LIMIT ?3",
        &[Arg::Text(site), Arg::Text(email_hash), Arg::Int(i64::from(limit))],
    )
    .await
}

/// What the customer directory is filtered by.
pub(crate) struct Search<'a> {
    /// The keyed hash of a whole e-mail address: addresses are stored
    /// encrypted, so only a whole one can be found.
    pub(crate) email_hash: Option<&'a str>,
    /// Text the name contains (ASCII case folded).
    pub(crate) name: Option<&'a str>,
    /// The plan, exactly (ASCII case folded).
    pub(crate) plan: Option<&'a str>,
    pub(crate) site: Option<&'a str>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LineRow {
    pub(crate) id: String,
    pub(crate) site_id: String,
    pub(crate) email_enc: String,
    pub(crate) name: Option<String>,
    pub(crate) plan: Option<String>,
    pub(crate) value_cents: f64,
    pub(crate) created_at: f64,
    pub(crate) tickets: f64,
    pub(crate) open_tickets: f64,
    pub(crate) last_contact_at: Option<f64>,
    /// [`LAST_CONTACT`]: what the directory sorts by.
    pub(crate) last_contact: f64,
}

/// The directory's filter over `customers c`, bound to `?1`..`?4`.
const SEARCH_WHERE: &str = "((?1 IS NULL AND ?2 IS NULL) OR c.email_hash = ?1 \
       OR (?2 IS NOT NULL AND instr(lower(COALESCE(c.name, '')), lower(?2)) > 0)) \
     AND (?3 IS NULL OR lower(c.plan) = lower(?3)) \
     AND (?4 IS NULL OR c.site_id = ?4) \
     AND c.erased_at IS NULL";

/// When a customer was last in touch: their latest ticket's last change,
/// else when they were added.
const LAST_CONTACT: &str = "COALESCE(MAX(t.updated_at), c.created_at)";

impl Search<'_> {
    fn args(&self) -> [Arg<'_>; 4] {
        [Arg::OptText(self.email_hash), Arg::OptText(self.name), Arg::OptText(self.plan), Arg::OptText(self.site)]
    }
}

/// The customer directory: up to `limit` customers `s` matches, the most
/// recently in touch first, starting after `after`. With both an e-mail
/// hash and a name, either may match. Erased customers are not listed.
pub(crate) async fn search(
    db: &D1Database,
    s: &Search<'_>,
    after: Option<&TimeCursor>,
    limit: u32,
) -> AppResult<Vec<LineRow>> {
    let sql = format!(
        "SELECT c.id, c.site_id, c.email_enc, c.name, c.plan, c.value_cents, c.created_at, \
           COUNT(t.id) AS tickets, COALESCE(SUM(t.status IN ('open', 'pending')), 0) AS open_tickets, \
           MAX(t.updated_at) AS last_contact_at, {LAST_CONTACT} AS last_contact \
         FROM customers c LEFT JOIN tickets t ON t.customer_id = c.id \
         WHERE {SEARCH_WHERE} \
         GROUP BY c.id \
         HAVING ?5 IS NULL OR {LAST_CONTACT} < ?5 OR ({LAST_CONTACT} = ?5 AND c.id > ?6) \
         ORDER BY {LAST_CONTACT} DESC, c.id \
         LIMIT ?7"
    );
    let mut args = s.args().to_vec();
    args.extend([
        Arg::OptInt(after.map(|c| c.at)),
        Arg::Text(after.map_or("", |c| c.id.as_str())),
        Arg::Int(i64::from(limit.clamp(1, 501))),
    ]);
    all(db, &sql, &args).await
}

/// How many customers the directory's filter passes.
pub(crate) async fn count(db: &D1Database, s: &Search<'_>) -> AppResult<u64> {
    super::count(db, &format!("SELECT COUNT(*) AS n FROM customers c WHERE {SEARCH_WHERE}"), &s.args()).await
}

pub(crate) struct Changes<'a> {
    pub(crate) name: Option<&'a str>,
    pub(crate) plan: Option<&'a str>,
    pub(crate) value_cents: Option<i64>,
    pub(crate) attributes: Option<&'a str>,
}

pub(crate) async fn update(db: &D1Database, id: &str, c: &Changes<'_>, now: i64) -> AppResult<bool> {
    let n = run(
        db,
        "UPDATE customers SET name = COALESCE(?2, name), plan = COALESCE(?3, plan), \
         value_cents = COALESCE(?4, value_cents), attributes = COALESCE(?5, attributes), updated_at = ?6 WHERE id = ?1",
        &[
            Arg::Text(id),
            Arg::OptText(c.name),
            Arg::OptText(c.plan),
            Arg::OptInt(c.value_cents),
            Arg::OptText(c.attributes),
            Arg::Int(now),
        ],
    )
    .await?;
    Ok(n == 1)
}

/// Marks a customer as a sender of spam (`Some(now)`), or not (`None`);
/// whether they exist.
pub(crate) async fn set_blocked(db: &D1Database, id: &str, at: Option<i64>) -> AppResult<bool> {
    let n = run(db, "UPDATE customers SET blocked_at = ?2 WHERE id = ?1", &[Arg::Text(id), Arg::OptInt(at)]).await?;
    Ok(n == 1)
}

/// Tickets of a customer: `IN` this subquery.
const THEIR_TICKETS: &str = "SELECT id FROM tickets WHERE customer_id = ?1";

/// Counts of what erasing a customer touches.
#[derive(Debug, Deserialize)]
pub(crate) struct Holdings {
    pub(crate) tickets: f64,
    pub(crate) messages: f64,
    pub(crate) questions: f64,
}

/// The widget sessions that became the customer's tickets: `IN` this
/// subquery.
fn their_sessions() -> String {
    format!("SELECT session_id FROM events WHERE ticket_id IN ({THEIR_TICKETS})")
}

pub(crate) async fn holdings(db: &D1Database, id: &str) -> AppResult<Holdings> {
    Ok(first(
        db,
        &format!(
            "SELECT (SELECT COUNT(*) FROM tickets WHERE customer_id = ?1) AS tickets, \
               (SELECT COUNT(*) FROM messages WHERE ticket_id IN ({THEIR_TICKETS})) AS messages, \
               (SELECT COUNT(*) FROM events WHERE question IS NOT NULL AND session_id IN ({})) AS questions",
            their_sessions()
        ),
        &[Arg::Text(id)],
    )
    .await?
    .unwrap_or(Holdings { tickets: 0.0, messages: 0.0, questions: 0.0 }))
}

/// Erases a customer's personal data in one transaction: their contact
/// details and attributes, the text of their tickets (subject, page,
/// every message, CSAT comment, and the subject in webhook deliveries kept
/// for them), the files kept with their mail, the questions they typed into the widget in the sessions
/// that became those tickets, and the customer's details in earlier audit
/// entries. What the team's figures need stays: the
/// tickets' times, statuses, priorities and ratings. Returns false when
/// there is no such customer, or they were erased already.
pub(crate) async fn erase(db: &D1Database, id: &str, erased_text: &str, now: i64) -> AppResult<bool> {
    // Every statement runs only while the customer is not erased yet, so a
    // repeat changes nothing; the customer row goes last, and its update
    // says whether this call was the one that erased.
    const NOT_ERASED: &str = "EXISTS (SELECT 1 FROM customers WHERE id = ?1 AND erased_at IS NULL)";
    let args = [Arg::Text(id), Arg::Text(erased_text), Arg::Int(now)];
    let sessions = their_sessions();
    let mut statements = vec![
        stmt(
            db,
            &format!(
                "UPDATE events SET question = NULL WHERE question IS NOT NULL AND session_id IN ({sessions}) \
                     AND {NOT_ERASED}"
            ),
            &args[..1],
        )?,
        stmt(
            db,
            &format!("UPDATE messages SET body = ?2 WHERE ticket_id IN ({THEIR_TICKETS}) AND {NOT_ERASED}"),
            &args[..2],
        )?,
        stmt(
            db,
            &format!(
                "UPDATE tickets SET subject = ?2, page_url = NULL, csat_comment = NULL, request_hash = '' \
                     WHERE customer_id = ?1 AND {NOT_ERASED}"
            ),
            &args[..2],
        )?,
        stmt(
            db,
            &format!(
                "UPDATE webhook_deliveries SET payload = json_set(payload, '$.ticket.subject', ?2) \
                     WHERE ticket_id IN ({THEIR_TICKETS}) AND json_type(payload, '$.ticket.subject') IS NOT NULL \
                     AND {NOT_ERASED}"
            ),
            &args[..2],
        )?,
        stmt(
            db,
            &format!(
                "UPDATE audit_log SET detail = '{{\"erased\":true}}' \
                     WHERE target = ?1 AND action = 'customer.update' AND {NOT_ERASED}"
            ),
            &args[..1],
        )?,
        stmt(
            db,
            "UPDATE customers SET email_hash = 'erased:' || id, email_enc = '', phone_enc = NULL, name = NULL, \
                 plan = NULL, value_cents = 0, attributes = '{}', erased_at = ?2, updated_at = ?2 \
                 WHERE id = ?1 AND erased_at IS NULL",
            &[args[0], args[2]],
        )?,
    ];
    // The files of their mail go too; the customer row stays last.
    let customer_row = statements.pop();
    statements.extend(attachments::erase_statements(db, id, THEIR_TICKETS, NOT_ERASED)?);
    statements.extend(customer_row);
    let results = batch(db, statements).await?;
    Ok(results.last().copied().unwrap_or(0) == 1)
}

#[derive(Debug, Deserialize)]
pub(crate) struct ExportTicket {
    pub(crate) id: String,
    pub(crate) subject: String,
    pub(crate) status: String,
    pub(crate) page_url: Option<String>,
    pub(crate) csat: Option<f64>,
    pub(crate) csat_comment: Option<String>,
    pub(crate) created_at: f64,
}

/// Every ticket of a customer, oldest first.
pub(crate) async fn all_tickets(db: &D1Database, id: &str) -> AppResult<Vec<ExportTicket>> {
    all(
        db,
        "SELECT id, subject, status, page_url, csat, csat_comment, created_at FROM tickets \
         WHERE customer_id = ?1 ORDER BY created_at, id",
        &[Arg::Text(id)],
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct Question {
    pub(crate) question: String,
    pub(crate) created_at: f64,
}

/// What the customer typed into the widget in the sessions that became
/// their tickets, oldest first.
pub(crate) async fn widget_questions(db: &D1Database, id: &str) -> AppResult<Vec<Question>> {
    all(
        db,
        &format!(
            "SELECT question, created_at FROM events WHERE question IS NOT NULL AND session_id IN ({}) \
             ORDER BY created_at, id",
            their_sessions()
        ),
        &[Arg::Text(id)],
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct Inactive {
    pub(crate) id: String,
}

/// Up to `limit` customers, not erased, with no open or pending ticket,
/// whose last contact (their record's or any ticket's last change) was
/// before `cutoff`: the ones a retention limit has run out for.
pub(crate) async fn inactive_before(db: &D1Database, cutoff: i64, limit: u32) -> AppResult<Vec<Inactive>> {
    all(
        db,
        "SELECT c.id FROM customers c WHERE c.erased_at IS NULL AND c.updated_at < ?1 \
           AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.customer_id = c.id \
                           AND (t.updated_at >= ?1 OR t.status IN ('open', 'pending'))) \
         ORDER BY c.updated_at LIMIT ?2",
        &[Arg::Int(cutoff), Arg::Int(i64::from(limit))],
    )
    .await
}
