//! What e-mail keeps in D1 (`desk::mail`): the Message-IDs that thread a
//! ticket's mail, the support address a ticket was written to, and the
//! delivery of each reply mailed to a customer.
//!
//! A reply's `delivery` is `pending` until an attempt claims it, `sending`
//! while one runs (until `delivery_next_at`, when the claim lapses), then
//! `sent` or `failed` with `delivery_error`.

use super::{Arg, all, first, run};
use crate::error::AppResult;
use serde::Deserialize;
use worker::D1Database;

/// A reply to mail, with its author's name.
#[derive(Debug, Deserialize)]
pub(crate) struct Outgoing {
    pub(crate) id: String,
    pub(crate) ticket_id: String,
    pub(crate) body: String,
    pub(crate) delivery_attempts: f64,
    pub(crate) author_name: Option<String>,
    /// The key it was kept under, which names a rating request.
    #[serde(default)]
    pub(crate) idempotency_key: Option<String>,
}

const OUTGOING: &str = "SELECT m.id, m.ticket_id, m.body, m.delivery_attempts, a.name AS author_name, m.idempotency_key \
     FROM messages m LEFT JOIN agents a ON a.id = m.author_id";

#[derive(Deserialize)]
struct TicketId {
    ticket_id: String,
}

/// The tickets a Message-ID was seen on (at most one, in practice).
pub(crate) async fn tickets_of_mail(db: &D1Database, mail_id: &str) -> AppResult<Vec<String>> {
    let found: Vec<TicketId> =
        all(db, "SELECT ticket_id FROM messages WHERE mail_id = ?1 LIMIT 1", &[Arg::Text(mail_id)]).await?;
    Ok(found.into_iter().map(|f| f.ticket_id).collect())
}

/// The tickets of this customer (by e-mail hash) on this site whose id
/// starts with `prefix`, a subject tag's; at most two, so a caller can tell
/// one from several.
pub(crate) async fn tickets_tagged(db: &D1Database, prefix: &str, hash: &str, site: &str) -> AppResult<Vec<String>> {
    let found: Vec<TicketId> = all(
        db,
        "SELECT t.id AS ticket_id FROM tickets t JOIN customers c ON c.id = t.customer_id \
         WHERE substr(t.id, 1, ?1) = ?2 AND c.email_hash = ?3 AND c.site_id = ?4 LIMIT 2",
        &[Arg::Int(prefix.len() as i64), Arg::Text(prefix), Arg::Text(hash), Arg::Text(site)],
    )
    .await?;
    Ok(found.into_iter().map(|f| f.ticket_id).collect())
}

/// A customer's keyed e-mail hash.
pub(crate) async fn customer_hash(db: &D1Database, customer: &str) -> AppResult<Option<String>> {
    #[derive(Deserialize)]
    struct Hash {
        email_hash: String,
    }
    let found: Option<Hash> =
        first(db, "SELECT email_hash FROM customers WHERE id = ?1", &[Arg::Text(customer)]).await?;
    Ok(found.map(|h| h.email_hash))
}

/// Keeps the support address a ticket was written to, unless it has one.
pub(crate) async fn keep_address(db: &D1Database, ticket: &str, address: &str) -> AppResult<()> {
    run(
        db,
        "UPDATE tickets SET mail_address = COALESCE(mail_address, ?2) WHERE id = ?1",
        &[Arg::Text(ticket), Arg::Text(address)],
    )
    .await?;
    Ok(())
}

/// Records the Message-ID of the mail that brought the message kept under
/// `key` on this ticket.
pub(crate) async fn keep_answer_id(db: &D1Database, ticket: &str, key: &str, mail_id: Option<&str>) -> AppResult<()> {
    run(
        db,
        "UPDATE messages SET mail_id = ?3 WHERE ticket_id = ?1 AND idempotency_key = ?2",
        &[Arg::Text(ticket), Arg::Text(key), Arg::OptText(mail_id)],
    )
    .await?;
    Ok(())
}

/// Records the Message-ID of the mail that opened this ticket.
pub(crate) async fn keep_opening_id(db: &D1Database, ticket: &str, mail_id: Option<&str>) -> AppResult<()> {
    run(
        db,
        "UPDATE messages SET mail_id = ?2 WHERE ticket_id = ?1 AND author = 'customer'",
        &[Arg::Text(ticket), Arg::OptText(mail_id)],
    )
    .await?;
    Ok(())
}

/// The customer's message on this ticket kept under `key`, or without a
/// key the first one.
pub(crate) async fn customer_message(db: &D1Database, ticket: &str, key: Option<&str>) -> AppResult<Option<String>> {
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let found: Option<Id> = first(
        db,
        "SELECT id FROM messages WHERE ticket_id = ?1 AND author = 'customer' AND (?2 IS NULL OR idempotency_key = ?2) \
         ORDER BY created_at, rowid LIMIT 1",
        &[Arg::Text(ticket), Arg::OptText(key)],
    )
    .await?;
    Ok(found.map(|f| f.id))
}

/// Marks the rules' auto-replies on a new ticket to be mailed; how many.
pub(crate) async fn queue_auto_replies(db: &D1Database, ticket: &str, now: i64) -> AppResult<u64> {
    run(
        db,
        "UPDATE messages SET delivery = 'pending', delivery_next_at = ?2 \
         WHERE ticket_id = ?1 AND author = 'system' AND internal = 0",
        &[Arg::Text(ticket), Arg::Int(now)],
    )
    .await
}

/// Marks a reply to be mailed.
pub(crate) async fn queue(db: &D1Database, message: &str, now: i64) -> AppResult<()> {
    run(
        db,
        "UPDATE messages SET delivery = 'pending', delivery_next_at = ?2 WHERE id = ?1 AND delivery IS NULL",
        &[Arg::Text(message), Arg::Int(now)],
    )
    .await?;
    Ok(())
}

/// Marks as failed, with `reason`, the claims that lapsed on a reply's
/// last attempt (its worker stopped before it ended).
pub(crate) async fn fail_lapsed_last(db: &D1Database, now: i64, max_attempts: i64, reason: &str) -> AppResult<()> {
    // The IN names the delivery index's condition, so SQLite uses it.
    run(
        db,
        "UPDATE messages SET delivery = 'failed', delivery_error = ?3 \
         WHERE delivery IN ('pending', 'failed', 'sending') AND delivery = 'sending' \
         AND delivery_next_at <= ?1 AND delivery_attempts >= ?2",
        &[Arg::Int(now), Arg::Int(max_attempts), Arg::Text(reason)],
    )
    .await?;
    Ok(())
}

/// The replies due an attempt (new, failed and due again, or a lapsed
/// claim), oldest first.
pub(crate) async fn due(db: &D1Database, now: i64, max_attempts: i64, limit: u32) -> AppResult<Vec<Outgoing>> {
    all(
        db,
        &format!(
            "{OUTGOING} WHERE m.delivery IN ('pending', 'failed', 'sending') AND m.delivery_next_at <= ?1 \
             AND m.delivery_attempts < ?2 ORDER BY m.delivery_next_at LIMIT ?3"
        ),
        &[Arg::Int(now), Arg::Int(max_attempts), Arg::Int(i64::from(limit))],
    )
    .await
}

/// Claims attempt number `attempt` of a reply, held until `until`: a
/// compare-and-set on the attempt count, so of two runs only one wins.
pub(crate) async fn claim(db: &D1Database, message: &str, attempt: i64, until: i64) -> AppResult<bool> {
    let claimed = run(
        db,
        "UPDATE messages SET delivery = 'sending', delivery_attempts = ?2, delivery_next_at = ?3 \
         WHERE id = ?1 AND delivery_attempts = ?2 - 1 AND delivery IN ('pending', 'failed', 'sending')",
        &[Arg::Text(message), Arg::Int(attempt), Arg::Int(until)],
    )
    .await?;
    Ok(claimed > 0)
}

/// Claims a failed reply for an attempt an agent asked for, as its first
/// again; false if it is not failed (any more).
pub(crate) async fn claim_failed(db: &D1Database, message: &str, until: i64) -> AppResult<bool> {
    let claimed = run(
        db,
        "UPDATE messages SET delivery = 'sending', delivery_attempts = 1, delivery_next_at = ?2, \
         delivery_error = NULL WHERE id = ?1 AND delivery = 'failed'",
        &[Arg::Text(message), Arg::Int(until)],
    )
    .await?;
    Ok(claimed > 0)
}

/// How a message of this ticket stands: `None` when there is no such
/// message, `Some(None)` when it is not mailed.
pub(crate) async fn delivery(db: &D1Database, ticket: &str, message: &str) -> AppResult<Option<Option<String>>> {
    #[derive(Deserialize)]
    struct State {
        delivery: Option<String>,
    }
    let found: Option<State> = first(
        db,
        "SELECT delivery FROM messages WHERE id = ?1 AND ticket_id = ?2",
        &[Arg::Text(message), Arg::Text(ticket)],
    )
    .await?;
    Ok(found.map(|s| s.delivery))
}

/// One reply to mail.
pub(crate) async fn outgoing(db: &D1Database, message: &str) -> AppResult<Option<Outgoing>> {
    first(db, &format!("{OUTGOING} WHERE m.id = ?1"), &[Arg::Text(message)]).await
}

/// Ends attempt `attempt` as `sent` or `failed`, unless its claim lapsed
/// and another run took the reply up meanwhile.
pub(crate) async fn finish(
    db: &D1Database,
    message: &str,
    attempt: i64,
    state: &str,
    error: Option<&str>,
) -> AppResult<()> {
    run(
        db,
        "UPDATE messages SET delivery = ?2, delivery_error = ?3 \
         WHERE id = ?1 AND delivery = 'sending' AND delivery_attempts = ?4",
        &[Arg::Text(message), Arg::Text(state), Arg::OptText(error), Arg::Int(attempt)],
    )
    .await?;
    Ok(())
}

/// The Message-IDs of a ticket's mail so far but `except`'s, oldest first
/// (at most 20).
pub(crate) async fn thread(db: &D1Database, ticket: &str, except: &str) -> AppResult<Vec<String>> {
    #[derive(Deserialize)]
    struct MailId {
        mail_id: String,
    }
    let found: Vec<MailId> = all(
        db,
        "SELECT mail_id FROM messages WHERE ticket_id = ?1 AND mail_id IS NOT NULL AND id != ?2 \
         ORDER BY created_at, id LIMIT 20",
        &[Arg::Text(ticket), Arg::Text(except)],
    )
    .await?;
    Ok(found.into_iter().map(|m| m.mail_id).collect())
}

/// Records the Message-ID a reply is mailed under.
pub(crate) async fn set_mail_id(db: &D1Database, message: &str, mail_id: &str) -> AppResult<()> {
    run(db, "UPDATE messages SET mail_id = ?2 WHERE id = ?1", &[Arg::Text(message), Arg::Text(mail_id)]).await?;
    Ok(())
}
