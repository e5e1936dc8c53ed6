//! Failed login attempts (`login_failures`), by the digest of the address
//! tried and, for a browser that login knows, the digest of its device
//! cookie (`None`: from anywhere else).

use super::{Arg, all, batch, run, stmt};
use crate::error::AppResult;
use worker::D1Database;

#[derive(serde::Deserialize)]
struct At {
    at: f64,
}

/// When this login failed since `since`, from this device (or from
/// anywhere but a known device, for `None`).
pub(crate) async fn since(db: &D1Database, email_hash: &str, device: Option<&str>, since: i64) -> AppResult<Vec<i64>> {
    let rows: Vec<At> = all(
        db,
        "SELECT at FROM login_failures WHERE email_hash = ?1 AND device IS ?2 AND at > ?3 ORDER BY at DESC LIMIT 100",
        &[Arg::Text(email_hash), Arg::OptText(device), Arg::Int(since)],
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.at as i64).collect())
}

/// Keeps one more failure, and forgets every failure from before `forget_before`.
pub(crate) async fn record(
    db: &D1Database,
    email_hash: &str,
    device: Option<&str>,
    now: i64,
    forget_before: i64,
) -> AppResult<()> {
    batch(
        db,
        vec![
            stmt(
                db,
                "INSERT INTO login_failures (email_hash, device, at) VALUES (?1, ?2, ?3)",
                &[Arg::Text(email_hash), Arg::OptText(device), Arg::Int(now)],
            )?,
            stmt(db, "DELETE FROM login_failures WHERE at < ?1", &[Arg::Int(forget_before)])?,
        ],
    )
    .await?;
    Ok(())
}

/// Forgets this login's failures, from every device (a new password was set).
pub(crate) async fn forget(db: &D1Database, email_hash: &str) -> AppResult<()> {
    run(db, "DELETE FROM login_failures WHERE email_hash = ?1", &[Arg::Text(email_hash)]).await?;
    Ok(())
}
