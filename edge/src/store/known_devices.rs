//! Browsers a login has succeeded from (`known_devices`), by the digest of
//! their device cookie; one cookie may be known to several logins.

use super::{Arg, batch, first, stmt};
use crate::error::AppResult;
use worker::D1Database;

/// How long a device nobody logs in from is remembered.
pub(crate) const FORGET_AFTER_MS: i64 = 365 * 86_400_000;

/// What the desk knows of a device cookie (by its digest) for a login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Known {
    /// A browser this login succeeded from.
    ToThisLogin,
    /// A cookie the desk issued, to another login only.
    ToOthers,
    /// No cookie the desk issued (or one unused for a year).
    Not,
}

#[derive(serde::Deserialize)]
struct Standing {
    mine: f64,
    issued: f64,
}

/// What the desk knows of the device with this cookie digest, for this login.
pub(crate) async fn known(db: &D1Database, token_hash: &str, email_hash: &str, now: i64) -> AppResult<Known> {
    let row: Option<Standing> = first(
        db,
        "SELECT COALESCE(MAX(email_hash = ?2), 0) AS mine, COUNT(*) AS issued FROM known_devices \
         WHERE token_hash = ?1 AND last_used_at > ?3",
        &[Arg::Text(token_hash), Arg::Text(email_hash), Arg::Int(now - FORGET_AFTER_MS)],
    )
    .await?;
    Ok(match row {
        Some(r) if r.mine > 0.0 => Known::ToThisLogin,
        Some(r) if r.issued > 0.0 => Known::ToOthers,
        _ => Known::Not,
    })
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
