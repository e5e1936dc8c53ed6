//! Agents on a ticket's page: one row per ticket and agent, refreshed by
//! the dashboard every few seconds, forgotten by the cron once stale.

use super::{Arg, all, run};
use crate::error::AppResult;
use deflect_shared::api::Viewer;
use serde::Deserialize;
use worker::D1Database;

/// Records that `agent` is on `ticket`'s page (and whether typing), or
/// that they left it.
pub(crate) async fn report(
    db: &D1Database,
    ticket: &str,
    agent: &str,
    typing: bool,
    leaving: bool,
    now: i64,
) -> AppResult<()> {
    if leaving {
        run(db, "DELETE FROM presence WHERE ticket_id = ?1 AND agent_id = ?2", &[Arg::Text(ticket), Arg::Text(agent)])
            .await?;
    } else {
        run(
            db,
            "INSERT INTO presence (ticket_id, agent_id, typing, seen_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT(ticket_id, agent_id) DO UPDATE SET typing = excluded.typing, seen_at = excluded.seen_at",
            &[Arg::Text(ticket), Arg::Text(agent), Arg::Int(i64::from(typing)), Arg::Int(now)],
        )
        .await?;
    }
    Ok(())
}

#[derive(Deserialize)]
struct Row {
    agent_id: String,
    name: String,
    typing: f64,
}

/// The other agents seen on `ticket`'s page since `since`.
pub(crate) async fn others(db: &D1Database, ticket: &str, me: &str, since: i64) -> AppResult<Vec<Viewer>> {
    let rows: Vec<Row> = all(
        db,
        "SELECT p.agent_id, a.name, p.typing FROM presence p JOIN agents a ON a.id = p.agent_id \
         WHERE p.ticket_id = ?1 AND p.agent_id != ?2 AND p.seen_at >= ?3 ORDER BY a.name, p.agent_id",
        &[Arg::Text(ticket), Arg::Text(me), Arg::Int(since)],
    )
    .await?;
    Ok(rows.into_iter().map(|r| Viewer { agent_id: r.agent_id, name: r.name, typing: r.typing != 0.0 }).collect())
}

/// Forgets reports older than `before`; returns how many.
pub(crate) async fn forget_before(db: &D1Database, before: i64) -> AppResult<u64> {
    run(db, "DELETE FROM presence WHERE seen_at < ?1", &[Arg::Int(before)]).await
}
