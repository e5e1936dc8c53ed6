//! The settings of record (`settings_record`, one row): the JSON the
//! admins last saved and its ETag. A save replaces the row only while it
//! holds the ETag the saver read, in one statement, so D1 decides between
//! two saves from the same copy.

use super::{Arg, first, run};
use crate::error::AppResult;
use worker::D1Database;

/// The row as kept.
#[derive(serde::Deserialize)]
pub(crate) struct Row {
    pub(crate) body: String,
    pub(crate) etag: String,
}

/// The row; none before the first save that made one.
pub(crate) async fn get(db: &D1Database) -> AppResult<Option<Row>> {
    first(db, "SELECT body, etag FROM settings_record WHERE id = 1", &[]).await
}

/// Writes `body` (whose ETag is `etag`) in place of the row, if the row
/// still holds `expected` (`None`: whatever it holds). With no row yet it is
/// written, as the caller has checked `expected` against the settings it had
/// in place of a row; of two such first writes only one is kept. Returns
/// whether it was written.
pub(crate) async fn replace(
    db: &D1Database,
    body: &str,
    etag: &str,
    expected: Option<&str>,
    now: i64,
) -> AppResult<bool> {
    let changed = run(
        db,
        "INSERT INTO settings_record (id, body, etag, updated_at) VALUES (1, ?1, ?2, ?3) \
         ON CONFLICT (id) DO UPDATE SET body = excluded.body, etag = excluded.etag, updated_at = excluded.updated_at \
         WHERE ?4 IS NULL OR settings_record.etag = ?4",
        &[Arg::Text(body), Arg::Text(etag), Arg::Int(now), Arg::OptText(expected)],
    )
    .await?;
    Ok(changed > 0)
}
