//! Persistence: D1 for tickets, customers, messages, what their files
//! are, articles, events, agents and the audit log; R2 for the files'
//! (sealed) contents; KV for the settings' copy every request reads, the
//! published KB index, the models and rate limits (D1 keeps the settings
//! of record). SQL lives only here, always with `?N`
//! placeholders.

pub(crate) mod agents;
pub(crate) mod articles;
pub(crate) mod attachments;
pub(crate) mod audit;
pub(crate) mod customers;
pub(crate) mod events;
pub(crate) mod file_objects;
pub(crate) mod identity_keys;
pub(crate) mod known_devices;
pub(crate) mod kv;
pub(crate) mod login_failures;
pub(crate) mod mail;
pub(crate) mod mail_alerts;
pub(crate) mod password_resets;
pub(crate) mod presence;
pub(crate) mod settings_record;
pub(crate) mod tickets;
pub(crate) mod webhooks;

use crate::error::{AppError, AppResult};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::time::Duration;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, Delay};

/// A version of a secret derived from the data key and a version number
/// (the webhook signing secret, a site's identity secret): each rotation
/// adds one.
#[derive(serde::Deserialize)]
pub(crate) struct KeyVersion {
    pub(crate) version: f64,
    pub(crate) created_at: f64,
}

/// Where a rotated secret stands, from its newest versions (newest first;
/// none before the first rotation, version 0 being implicit): the current
/// version, when a rotation made it, and until when the previous version
/// still holds (`grace` after the rotation, while that is after `now`).
pub(crate) fn key_standing(newest: &[KeyVersion], now: i64, grace: i64) -> (u32, Option<i64>, Option<i64>) {
    let (version, rotated_at) = newest.first().map_or((0, None), |k| (k.version as u32, Some(k.created_at as i64)));
    (version, rotated_at, rotated_at.map(|t| t + grace).filter(|until| *until > now))
}

/// A bound argument.
#[derive(Clone, Copy)]
pub(crate) enum Arg<'a> {
    Text(&'a str),
    OptText(Option<&'a str>),
    Int(i64),
    OptInt(Option<i64>),
    Real(f64),
}

impl From<&Arg<'_>> for JsValue {
    fn from(a: &Arg<'_>) -> JsValue {
        match a {
            Arg::Text(s) => JsValue::from_str(s),
            Arg::OptText(Some(s)) => JsValue::from_str(s),
            Arg::OptText(None) | Arg::OptInt(None) => JsValue::NULL,
            // D1 numbers are doubles; every integer we store (millisecond
            // times, counts, cents) is below 2^53.
            Arg::Int(i) | Arg::OptInt(Some(i)) => JsValue::from_f64(*i as f64),
            Arg::Real(f) => JsValue::from_f64(*f),
        }
    }
}

/// Prepares and binds a statement.
pub(crate) fn stmt(db: &D1Database, sql: &str, args: &[Arg<'_>]) -> AppResult<D1PreparedStatement> {
    let values: Vec<JsValue> = args.iter().map(JsValue::from).collect();
    Ok(db.prepare(sql).bind(&values)?)
}

/// Messages of D1 failures that a retry can cure: SQLite's lock held by
/// another process (locally `wrangler d1 execute` beside the dev server,
/// which the local runtime reports as an "internal error" with a
/// reference), and the transient errors Cloudflare documents for D1.
const TRANSIENT: [&str; 6] = [
    "SQLITE_BUSY",
    "database is locked",
    "internal error; reference",
    "Network connection lost",
    "storage caused object to be reset",
    "reset because its code was updated",
];

fn is_busy(e: &worker::Error) -> bool {
    let text = e.to_string();
    TRANSIENT.iter().any(|t| text.contains(t))
}

/// Runs a D1 call, trying again when it failed for a transient reason. A
/// few short waits usually see it through; after them the client is told to
/// come back (503 with Retry-After), which the widget's outbox does. Every
/// write is a single statement or one batch (a transaction), so a failed
/// attempt changed nothing.
async fn patiently<T, F, Fut>(mut call: F) -> AppResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = worker::Result<T>>,
{
    let mut wait_ms = 25;
    for _ in 0..5 {
        match call().await {
            Err(e) if is_busy(&e) => {
                // Said, so a run that ends busy shows why.
                worker::console_warn!("D1 is busy ({e}); trying again in {wait_ms} ms");
                Delay::from(Duration::from_millis(wait_ms)).await;
                wait_ms *= 2;
            }
            other => return Ok(other?),
        }
    }
    match call().await {
        Err(e) if is_busy(&e) => Err(AppError::Unavailable),
        other => Ok(other?),
    }
}

/// Runs a statement and returns every row.
pub(crate) async fn all<T: DeserializeOwned>(db: &D1Database, sql: &str, args: &[Arg<'_>]) -> AppResult<Vec<T>> {
    let s = stmt(db, sql, args)?;
    Ok(patiently(|| s.all()).await?.results::<T>()?)
}

/// Runs a statement and returns the first row.
pub(crate) async fn first<T: DeserializeOwned>(db: &D1Database, sql: &str, args: &[Arg<'_>]) -> AppResult<Option<T>> {
    let s = stmt(db, sql, args)?;
    patiently(|| s.first::<T>(None)).await
}

/// Runs a `SELECT COUNT(*) AS n ...` and returns the count.
pub(crate) async fn count(db: &D1Database, sql: &str, args: &[Arg<'_>]) -> AppResult<u64> {
    Ok(first::<Count>(db, sql, args).await?.map_or(0, |r| r.n as u64))
}

/// Runs a statement for its effect; returns the number of changed rows.
pub(crate) async fn run(db: &D1Database, sql: &str, args: &[Arg<'_>]) -> AppResult<u64> {
    run_stmt(&stmt(db, sql, args)?).await
}

/// Runs a prepared statement for its effect; returns the number of
/// changed rows.
pub(crate) async fn run_stmt(s: &D1PreparedStatement) -> AppResult<u64> {
    let r = patiently(|| s.run()).await?;
    Ok(r.meta()?.and_then(|m| m.changes).unwrap_or(0) as u64)
}

/// Runs statements in one transaction; returns the number of rows each
/// one changed.
pub(crate) async fn batch(db: &D1Database, statements: Vec<D1PreparedStatement>) -> AppResult<Vec<u64>> {
    let results = patiently(|| db.batch(statements.clone())).await?;
    results.iter().map(|r| Ok(r.meta()?.and_then(|m| m.changes).unwrap_or(0) as u64)).collect()
}

/// A JSON column as a value, or its default when unreadable.
pub(crate) fn from_json<T: DeserializeOwned + Default>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_default()
}

/// A row with one number column named `n`.
#[derive(serde::Deserialize)]
struct Count {
    n: f64,
}
