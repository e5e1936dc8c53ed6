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
    id: String,
    actor: String,
    actor_name: Option<String>,
    action: String,
    target: String,
    detail: String,
    created_at: f64,
}

/// Which lines to read.
#[derive(Debug, Default)]
pub(crate) struct Filter<'a> {
    /// On this target.
    pub(crate) target: Option<&'a str>,
    /// By this actor (an agent id, or `system`).
    pub(crate) actor: Option<&'a str>,
    /// This action (`article.update`), or the actions of an area (`article`).
    pub(crate) action: Option<&'a str>,
    /// Older than this line (its time and id).
    pub(crate) before: Option<(i64, &'a str)>,
}

/// The newest lines that pass `filter`, newest first.
pub(crate) async fn recent(db: &D1Database, filter: &Filter<'_>, limit: u32) -> AppResult<Vec<AuditEntry>> {
    let area = filter.action.filter(|a| !a.contains('.')).map(|a| format!("{a}.%"));
    let exact = filter.action.filter(|a| a.contains('.'));
    let rows: Vec<Row> = all(
        db,
        "SELECT l.id, l.actor, g.name AS actor_name, l.action, l.target, l.detail, l.created_at \
         FROM audit_log l LEFT JOIN agents g ON g.id = l.actor \
         WHERE (?1 IS NULL OR l.target = ?1) AND (?2 IS NULL OR l.actor = ?2) \
           AND (?3 IS NULL OR l.action = ?3) AND (?4 IS NULL OR l.action LIKE ?4) \
           AND (?5 IS NULL OR l.created_at < ?5 OR (l.created_at = ?5 AND l.id < ?6)) \
         ORDER BY l.created_at DESC, l.id DESC LIMIT ?7",
        &[
            Arg::OptText(filter.target),
            Arg::OptText(filter.actor),
            Arg::OptText(exact),
            Arg::OptText(area.as_deref()),
            Arg::OptInt(filter.before.map(|b| b.0)),
            Arg::Text(filter.before.map_or("", |b| b.1)),
            Arg::Int(i64::from(limit)),
        ],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            at: r.created_at as i64,
            actor: r.actor,
            actor_name: r.actor_name,
            action: r.action,
            target: r.target,
            detail: serde_json::from_str(&r.detail).unwrap_or_default(),
        })
        .collect())
}
