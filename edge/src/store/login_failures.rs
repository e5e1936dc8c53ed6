//! Failed login attempts (`login_failures`), by the digest of the address
//! tried.

use super::{Arg, all, batch, run, stmt};
use crate::error::AppResult;
use worker::D1Database;

#[derive(serde::Deserialize)]
struct At {
    at: f64,
}

/// When this login failed since `since`.
pub(crate) async fn since(db: &D1Database, email_hash: &str, since: i64) -> AppResult<Vec<i64>> {
    let rows: Vec<At> = all(
        db,
        "SELECT at FROM login_failures WHERE email_hash = ?1 AND at > ?2 ORDER BY at DESC LIMIT 100",
        &[Arg::Text(email_hash), Arg::Int(since)],
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.at as i64).collect())
}

/// Keeps one more failure, and forgets every failure from before `forget_before`.
pub(crate) async fn record(db: &D1Database, email_hash: &str, now: i64, forget_before: i64) -> AppResult<()> {
    batch(
        db,
        vec![
            stmt(
                db,
                "INSERT INTO login_failures (email_hash, at) VALUES (?1, ?2)",
                &[Arg::Text(email_hash), Arg::Int(now)],
            )?,
            stmt(db, "DELETE FROM login_failures WHERE at < ?1", &[Arg::Int(forget_before)])?,
        ],
    )
    .await?;
    Ok(())
}

/// Forgets this login's failures (a new password was set).
pub(crate) async fn forget(db: &D1Database, email_hash: &str) -> AppResult<()> {
    run(db, "DELETE FROM login_failures WHERE email_hash = ?1", &[Arg::Text(email_hash)]).await?;
    Ok(())
}
