//! Password-reset links (`password_resets`): the digest of each link's
//! token, whose agent it is for, and until when it works.

use super::{Arg, batch, first, stmt};
use crate::error::AppResult;
use worker::D1Database;

#[derive(serde::Deserialize)]
struct Latest {
    at: Option<f64>,
}

#[derive(serde::Deserialize)]
struct Owner {
    agent_id: String,
}

/// When the newest link for this agent was made, if one is kept.
pub(crate) async fn latest(db: &D1Database, agent: &str) -> AppResult<Option<i64>> {
    let row: Option<Latest> =
        first(db, "SELECT MAX(created_at) AS at FROM password_resets WHERE agent_id = ?1", &[Arg::Text(agent)]).await?;
    Ok(row.and_then(|r| r.at).map(|at| at as i64))
}

/// Keeps a new link for the agent in place of any older ones.
pub(crate) async fn replace(
    db: &D1Database,
    agent: &str,
    token_hash: &str,
    now: i64,
    expires_at: i64,
) -> AppResult<()> {
    batch(
        db,
        vec![
            stmt(db, "DELETE FROM password_resets WHERE agent_id = ?1", &[Arg::Text(agent)])?,
            stmt(
                db,
                "INSERT INTO password_resets (token_hash, agent_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                &[Arg::Text(token_hash), Arg::Text(agent), Arg::Int(now), Arg::Int(expires_at)],
            )?,
        ],
    )
    .await?;
    Ok(())
}

/// The agent a link that still works is for.
pub(crate) async fn owner(db: &D1Database, token_hash: &str, now: i64) -> AppResult<Option<String>> {
    let row: Option<Owner> = first(
        db,
        "SELECT agent_id FROM password_resets WHERE token_hash = ?1 AND expires_at > ?2",
        &[Arg::Text(token_hash), Arg::Int(now)],
    )
    .await?;
    Ok(row.map(|r| r.agent_id))
}

/// Uses the link: in one transaction, while it still works and its agent is
/// active, sets the agent's password (an invitation is then answered), ends every session of theirs and
/// forgets the agent's links. Returns whether it did (of two uses at once,
/// one does).
pub(crate) async fn use_link(
    db: &D1Database,
    token_hash: &str,
    agent: &str,
    password_hash: &str,
    now: i64,
) -> AppResult<bool> {
    let still = "EXISTS (SELECT 1 FROM password_resets WHERE token_hash = ?1 AND agent_id = ?2 AND expires_at > ?3)";
    let link = [Arg::Text(token_hash), Arg::Text(agent), Arg::Int(now)];
    let changed = batch(
        db,
        vec![
            stmt(
                db,
                &format!(
                    "UPDATE agents SET password_hash = ?4, invited_at = NULL WHERE id = ?2 AND active != 0 AND {still}"
                ),
                &[link[0], link[1], link[2], Arg::Text(password_hash)],
            )?,
            stmt(db, &format!("DELETE FROM sessions WHERE agent_id = ?2 AND {still}"), &link)?,
            stmt(
                db,
                "DELETE FROM password_resets WHERE agent_id = ?1 OR expires_at <= ?2",
                &[Arg::Text(agent), Arg::Int(now)],
            )?,
        ],
    )
    .await?;
    Ok(changed.first().copied().unwrap_or(0) > 0)
}
