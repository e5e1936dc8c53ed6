//! Agents' mail alerts waiting to go, and those sent, and who follows
//! which ticket (see `desk::mail_alerts`).

use super::{Arg, all, run};
use crate::error::AppResult;
use serde::Deserialize;
use worker::D1Database;

/// An alert due an attempt.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DueAlert {
    pub(crate) id: String,
    pub(crate) agent_id: String,
    pub(crate) ticket_id: String,
    pub(crate) event: String,
    /// The note a mention is about.
    #[serde(default)]
    pub(crate) message_id: Option<String>,
    pub(crate) attempts: f64,
}

/// An alert to queue.
pub(crate) struct NewAlert<'a> {
    /// When it goes (later than now while it waits for business hours).
    pub(crate) next_at: i64,
    pub(crate) id: &'a str,
    pub(crate) agent: &'a str,
    pub(crate) ticket: &'a str,
    pub(crate) event: &'a str,
    /// The note, for a mention.
    pub(crate) message: Option<&'a str>,
}

/// Queues an alert; nothing when the same one waits already.
pub(crate) async fn queue(db: &D1Database, a: &NewAlert<'_>, now: i64) -> AppResult<bool> {
    let n = run(
        db,
        "INSERT OR IGNORE INTO mail_alerts (id, agent_id, ticket_id, event, message_id, created_at, next_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &[
            Arg::Text(a.id),
            Arg::Text(a.agent),
            Arg::Text(a.ticket),
            Arg::Text(a.event),
            Arg::OptText(a.message),
            Arg::Int(now),
            Arg::Int(a.next_at),
        ],
    )
    .await?;
    Ok(n > 0)
}

/// Makes an agent's alerts that wait for a later time (business hours)
/// due now; how many.
pub(crate) async fn release_held(db: &D1Database, agent: &str, now: i64) -> AppResult<u64> {
    run(
        db,
        "UPDATE mail_alerts SET next_at = ?2 WHERE agent_id = ?1 AND state = 'pending' AND attempts = 0 AND next_at > ?2",
        &[Arg::Text(agent), Arg::Int(now)],
    )
    .await
}

/// Leaves as failed the alerts whose last attempt never finished.
pub(crate) async fn fail_lapsed_last(db: &D1Database, now: i64, max_attempts: i64, reason: &str) -> AppResult<()> {
    run(
        db,
        "UPDATE mail_alerts SET state = 'failed', error = ?3 \
         WHERE state IN ('pending', 'failed', 'sending') AND state = 'sending' AND next_at <= ?1 AND attempts >= ?2",
        &[Arg::Int(now), Arg::Int(max_attempts), Arg::Text(reason)],
    )
    .await?;
    Ok(())
}

/// The alerts due an attempt, oldest first.
pub(crate) async fn due(db: &D1Database, now: i64, max_attempts: i64, limit: u32) -> AppResult<Vec<DueAlert>> {
    all(
        db,
        "SELECT id, agent_id, ticket_id, event, message_id, attempts FROM mail_alerts \
         WHERE state IN ('pending', 'failed', 'sending') AND next_at <= ?1 AND attempts < ?2 \
         ORDER BY next_at LIMIT ?3",
        &[Arg::Int(now), Arg::Int(max_attempts), Arg::Int(i64::from(limit))],
    )
    .await
}

/// Claims attempt number `attempt` of an alert until `until`: a
/// compare-and-set on the attempt count, so of two runs only one sends it.
pub(crate) async fn claim(db: &D1Database, id: &str, attempt: i64, until: i64) -> AppResult<bool> {
    let n = run(
        db,
        "UPDATE mail_alerts SET state = 'sending', attempts = ?2, next_at = ?3 \
         WHERE id = ?1 AND attempts = ?2 - 1 AND state IN ('pending', 'failed', 'sending')",
        &[Arg::Text(id), Arg::Int(attempt), Arg::Int(until)],
    )
    .await?;
    Ok(n > 0)
}

/// Records how an attempt went, unless the claim lapsed meanwhile.
pub(crate) async fn finish(db: &D1Database, id: &str, attempt: i64, state: &str, error: Option<&str>) -> AppResult<()> {
    run(
        db,
        "UPDATE mail_alerts SET state = ?2, error = ?3 WHERE id = ?1 AND state = 'sending' AND attempts = ?4",
        &[Arg::Text(id), Arg::Text(state), Arg::OptText(error), Arg::Int(attempt)],
    )
    .await?;
    Ok(())
}

/// Forgets alerts made before `before` that are done with (sent, or
/// failed for good).
pub(crate) async fn forget_done(db: &D1Database, before: i64, max_attempts: i64) -> AppResult<u64> {
    run(
        db,
        "DELETE FROM mail_alerts WHERE created_at < ?1 \
         AND (state = 'sent' OR (state = 'failed' AND attempts >= ?2))",
        &[Arg::Int(before), Arg::Int(max_attempts)],
    )
    .await
}

/// Why the latest alert to `agent` that is done with failed, if it did.
pub(crate) async fn last_failure(db: &D1Database, agent: &str, max_attempts: i64) -> AppResult<Option<String>> {
    #[derive(Deserialize)]
    struct Last {
        state: String,
        error: Option<String>,
    }
    let last: Option<Last> = super::first(
        db,
        "SELECT state, error FROM mail_alerts WHERE agent_id = ?1 \
         AND (state = 'sent' OR (state = 'failed' AND attempts >= ?2)) ORDER BY created_at DESC, id DESC LIMIT 1",
        &[Arg::Text(agent), Arg::Int(max_attempts)],
    )
    .await?;
    Ok(last.filter(|l| l.state == "failed").map(|l| l.error.unwrap_or_default()))
}

/// An agent follows a ticket (again: nothing changes).
pub(crate) async fn follow(db: &D1Database, ticket: &str, agent: &str, now: i64) -> AppResult<()> {
    run(
        db,
        "INSERT OR IGNORE INTO ticket_followers (ticket_id, agent_id, created_at) VALUES (?1, ?2, ?3)",
        &[Arg::Text(ticket), Arg::Text(agent), Arg::Int(now)],
    )
    .await?;
    Ok(())
}

/// An agent stops following a ticket.
pub(crate) async fn unfollow(db: &D1Database, ticket: &str, agent: &str) -> AppResult<()> {
    run(
        db,
        "DELETE FROM ticket_followers WHERE ticket_id = ?1 AND agent_id = ?2",
        &[Arg::Text(ticket), Arg::Text(agent)],
    )
    .await?;
    Ok(())
}

/// The agents who follow a ticket, first to follow first.
pub(crate) async fn followers(db: &D1Database, ticket: &str) -> AppResult<Vec<String>> {
    #[derive(Deserialize)]
    struct Follower {
        agent_id: String,
    }
    let rows: Vec<Follower> = all(
        db,
        "SELECT agent_id FROM ticket_followers WHERE ticket_id = ?1 ORDER BY created_at, agent_id",
        &[Arg::Text(ticket)],
    )
    .await?;
    Ok(rows.into_iter().map(|f| f.agent_id).collect())
}
