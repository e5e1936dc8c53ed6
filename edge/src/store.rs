//! Persistence: D1 for tickets, customers, messages, articles, events,
//! agents and the audit log; KV for settings, the published KB index, the
//! models and rate limits. SQL lives only here, always with `?N`
//! placeholders.

pub(crate) mod agents;
pub(crate) mod articles;
pub(crate) mod audit;
pub(crate) mod customers;
pub(crate) mod events;
pub(crate) mod kv;
pub(crate) mod tickets;

use crate::error::AppResult;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

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

/// Runs a statement and returns every row.
pub(crate) async fn all<T: DeserializeOwned>(db: &D1Database, sql: &str, args: &[Arg<'_>]) -> AppResult<Vec<T>> {
    Ok(stmt(db, sql, args)?.all().await?.results::<T>()?)
}

/// Runs a statement and returns the first row.
pub(crate) async fn first<T: DeserializeOwned>(db: &D1Database, sql: &str, args: &[Arg<'_>]) -> AppResult<Option<T>> {
    Ok(stmt(db, sql, args)?.first::<T>(None).await?)
}

/// Runs a statement for its effect; returns the number of changed rows.
pub(crate) async fn run(db: &D1Database, sql: &str, args: &[Arg<'_>]) -> AppResult<u64> {
    let r = stmt(db, sql, args)?.run().await?;
    Ok(r.meta()?.and_then(|m| m.changes).unwrap_or(0) as u64)
}

/// Runs statements in one transaction.
pub(crate) async fn batch(db: &D1Database, statements: Vec<D1PreparedStatement>) -> AppResult<()> {
    db.batch(statements).await?;
    Ok(())
}

/// A JSON column as a value, or its default when unreadable.
pub(crate) fn from_json<T: DeserializeOwned + Default>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_default()
}

/// A row with one number column named `n`.
#[derive(serde::Deserialize)]
pub(crate) struct Count {
    pub(crate) n: f64,
}
