//! Browsers a login has succeeded from (`known_devices`), by the digest of
//! their device cookie; one cookie may be known to several logins.

use super::{Arg, batch, count, stmt};
use crate::error::AppResult;
use worker::D1Database;

/// How long a device nobody logs in from is remembered.
pub(crate) const FORGET_AFTER_MS: i64 = 365 * 86_400_000;

/// Whether the device with this cookie digest is known to this login
/// (`Some`), or to any login (`None`): the desk issued that cookie.
pub(crate) async fn knows(db: &D1Database, token_hash: &str, email_hash: Option<&str>, now: i64) -> AppResult<bool> {
    let sql = "SELECT COUNT(*) AS n FROM known_devices WHERE token_hash = ?1 AND (?2 IS NULL OR email_hash = ?2) \
               AND last_used_at > ?3";
    Ok(count(db, sql, &[Arg::Text(token_hash), Arg::OptText(email_hash), Arg::Int(now - FORGET_AFTER_MS)]).await? > 0)
}

/// Remembers a device for this login, or marks it used now; forgets
/// devices unused for [`FORGET_AFTER_MS`].
pub(crate) async fn remember(db: &D1Database, token_hash: &str, email_hash: &str, now: i64) -> AppResult<()> {
    batch(
        db,
        vec![
            stmt(
                db,
                "INSERT INTO known_devices (token_hash, email_hash, created_at, last_used_at) VALUES (?1, ?2, ?3, ?3) \
                 ON CONFLICT (token_hash, email_hash) DO UPDATE SET last_used_at = excluded.last_used_at",
                &[Arg::Text(token_hash), Arg::Text(email_hash), Arg::Int(now)],
            )?,
            stmt(db, "DELETE FROM known_devices WHERE last_used_at < ?1", &[Arg::Int(now - FORGET_AFTER_MS)])?,
        ],
    )
    .await?;
    Ok(())
}
