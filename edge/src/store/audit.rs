//! The audit log: every agent action, and what automation did.

use super::{Arg, all, run};
use crate::error::AppResult;
use deflect_shared::api::AuditEntry;
use serde::Deserialize;
use worker::D1Database;

pub(crate) async fn record(
    db: &D1Database,
    id: &str,
    actor: &str,
    action: &str,
    target: &str,
    detail: &serde_json::Value,
    now: i64,
) -> AppResult<()> {
    run(
        db,
        "INSERT INTO audit_log (id, actor, action, target, detail, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[
            Arg::Text(id),
            Arg::Text(actor),
            Arg::Text(action),
            Arg::Text(target),
            Arg::Text(&detail.to_string()),
            Arg::Int(now),
        ],
    )
    .await?;
    Ok(())
}

#[derive(Deserialize)]
struct Row {
    actor: String,
    action: String,
    target: String,
    detail: String,
    created_at: f64,
}

pub(crate) async fn recent(db: &D1Database, target: Option<&str>, limit: u32) -> AppResult<Vec<AuditEntry>> {
    let rows: Vec<Row> = all(
        db,
        "SELECT actor, action, target, detail, created_at FROM audit_log WHERE (?1 IS NULL OR target = ?1) ORDER BY created_at DESC LIMIT ?2",
        &[Arg::OptText(target), Arg::Int(i64::from(limit))],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            at: r.created_at as i64,
            actor: r.actor,
            action: r.action,
            target: r.target,
            detail: serde_json::from_str(&r.detail).unwrap_or_default(),
        })
        .collect())
}
