//! Webhook deliveries and the signing secret's versions.

use super::{Arg, KeyVersion, all, first, run};
use crate::error::AppResult;
use deflect_shared::api::{DeliveryState, WebhookDelivery};
use serde::Deserialize;
use worker::D1Database;

/// A delivery as stored.
#[derive(Deserialize)]
pub(crate) struct DeliveryRow {
    pub(crate) id: String,
    pub(crate) event: String,
    pub(crate) url: String,
    pub(crate) rule: Option<String>,
    pub(crate) ticket_id: Option<String>,
    pub(crate) payload: String,
    pub(crate) state: String,
    pub(crate) attempts: f64,
    pub(crate) last_status: Option<f64>,
    pub(crate) last_error: Option<String>,
    pub(crate) next_attempt_at: Option<f64>,
    pub(crate) created_at: f64,
    pub(crate) delivered_at: Option<f64>,
}

impl DeliveryRow {
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts as u32
    }

    pub(crate) fn view(&self) -> WebhookDelivery {
        WebhookDelivery {
            id: self.id.clone(),
            event: self.event.clone(),
            url: self.url.clone(),
            rule: self.rule.clone(),
            ticket_id: self.ticket_id.clone(),
            payload: self.payload.clone(),
            state: DeliveryState::parse(&self.state).unwrap_or(DeliveryState::Failed),
            attempts: self.attempts(),
            last_status: self.last_status.map(|s| s as u16),
            last_error: self.last_error.clone(),
            next_attempt_at: self.next_attempt_at.map(|t| t as i64),
            created_at: self.created_at as i64,
            delivered_at: self.delivered_at.map(|t| t as i64),
        }
    }
}

const COLUMNS: &str = "id, event, url, rule, ticket_id, payload, state, attempts, last_status, last_error, \
                       next_attempt_at, created_at, delivered_at";

/// A delivery to queue.
pub(crate) struct NewDelivery<'a> {
    pub(crate) id: &'a str,
    pub(crate) event: &'a str,
    pub(crate) url: &'a str,
    pub(crate) rule: Option<&'a str>,
    pub(crate) ticket_id: Option<&'a str>,
    pub(crate) payload: &'a str,
}

/// Queues a delivery whose first attempt is in flight until `lease_until`
/// (the cron leaves it alone until then).
pub(crate) async fn insert(db: &D1Database, d: &NewDelivery<'_>, now: i64, lease_until: i64) -> AppResult<()> {
    run(
        db,
        "INSERT INTO webhook_deliveries (id, event, url, rule, ticket_id, payload, state, attempts, \
         next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', 0, ?7, ?8)",
        &[
            Arg::Text(d.id),
            Arg::Text(d.event),
            Arg::Text(d.url),
            Arg::OptText(d.rule),
            Arg::OptText(d.ticket_id),
            Arg::Text(d.payload),
            Arg::Int(lease_until),
            Arg::Int(now),
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn by_id(db: &D1Database, id: &str) -> AppResult<Option<DeliveryRow>> {
    first(db, &format!("SELECT {COLUMNS} FROM webhook_deliveries WHERE id = ?1"), &[Arg::Text(id)]).await
}

/// The newest deliveries, optionally in one state, optionally about one
/// ticket.
pub(crate) async fn list(
    db: &D1Database,
    state: Option<DeliveryState>,
    ticket: Option<&str>,
    limit: u32,
) -> AppResult<Vec<DeliveryRow>> {
    all(
        db,
        &format!(
            "SELECT {COLUMNS} FROM webhook_deliveries WHERE (?1 IS NULL OR state = ?1) \
             AND (?2 IS NULL OR ticket_id = ?2) ORDER BY created_at DESC, id DESC LIMIT ?3"
        ),
        &[Arg::OptText(state.map(DeliveryState::as_str)), Arg::OptText(ticket), Arg::Int(i64::from(limit))],
    )
    .await
}

/// Pending deliveries whose next attempt is due, the longest waiting
/// first.
pub(crate) async fn due(db: &D1Database, now: i64, limit: u32) -> AppResult<Vec<DeliveryRow>> {
    all(
        db,
        &format!(
            "SELECT {COLUMNS} FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ?1 \
             ORDER BY next_attempt_at LIMIT ?2"
        ),
        &[Arg::Int(now), Arg::Int(i64::from(limit))],
    )
    .await
}

/// Takes a due delivery for one attempt: moves its next attempt to
/// `lease_until` if nobody else took it since it was read. Two cron runs
/// cannot both send it.
pub(crate) async fn claim(db: &D1Database, row: &DeliveryRow, lease_until: i64) -> AppResult<bool> {
    let changed = run(
        db,
        "UPDATE webhook_deliveries SET next_attempt_at = ?3 WHERE id = ?1 AND state = 'pending' \
         AND next_attempt_at = ?2",
        &[Arg::Text(&row.id), Arg::Int(row.next_attempt_at.map_or(0, |t| t as i64)), Arg::Int(lease_until)],
    )
    .await?;
    Ok(changed == 1)
}

/// Takes any delivery for an attempt an admin asked for.
pub(crate) async fn claim_again(db: &D1Database, id: &str, lease_until: i64) -> AppResult<bool> {
    let changed = run(
        db,
        "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = ?2 WHERE id = ?1",
        &[Arg::Text(id), Arg::Int(lease_until)],
    )
    .await?;
    Ok(changed == 1)
}

/// What an attempt left behind.
pub(crate) struct Attempted<'a> {
    pub(crate) attempts: u32,
    pub(crate) state: DeliveryState,
    pub(crate) status: Option<u16>,
    pub(crate) error: Option<&'a str>,
    pub(crate) next_attempt_at: Option<i64>,
    pub(crate) delivered_at: Option<i64>,
}

pub(crate) async fn record(db: &D1Database, id: &str, a: &Attempted<'_>) -> AppResult<()> {
    run(
        db,
        "UPDATE webhook_deliveries SET attempts = ?2, state = ?3, last_status = ?4, last_error = ?5, \
         next_attempt_at = ?6, delivered_at = COALESCE(?7, delivered_at) WHERE id = ?1",
        &[
            Arg::Text(id),
            Arg::Int(i64::from(a.attempts)),
            Arg::Text(a.state.as_str()),
            Arg::OptInt(a.status.map(i64::from)),
            Arg::OptText(a.error),
            Arg::OptInt(a.next_attempt_at),
            Arg::OptInt(a.delivered_at),
        ],
    )
    .await?;
    Ok(())
}

/// Forgets finished deliveries made before `before`; returns how many.
pub(crate) async fn forget_before(db: &D1Database, before: i64) -> AppResult<u64> {
    run(db, "DELETE FROM webhook_deliveries WHERE state != 'pending' AND created_at < ?1", &[Arg::Int(before)]).await
}

/// The newest two versions, the current one first (none before the first
/// rotation: version 0 is implicit).
pub(crate) async fn keys(db: &D1Database) -> AppResult<Vec<KeyVersion>> {
    all(db, "SELECT version, created_at FROM webhook_keys ORDER BY version DESC LIMIT 2", &[]).await
}

/// Adds the next version.
pub(crate) async fn rotate(db: &D1Database, now: i64) -> AppResult<()> {
    run(
        db,
        "INSERT INTO webhook_keys (version, created_at) SELECT COALESCE(MAX(version), 0) + 1, ?1 FROM webhook_keys",
        &[Arg::Int(now)],
    )
    .await?;
    Ok(())
}
