//! Files' sealed contents in R2 (the `FILES` bucket), one object per file
//! keyed [`key`], and the objects waiting to be deleted (`file_deletions`;
//! see `desk::files::delete_dropped`): those of deleted files, which the
//! transaction deleting a file's row marks, due at once; and each object
//! about to be put, marked ahead ([`mark_ahead`]) until the transaction
//! writing its file's row takes the mark off ([`unmark`]), so an object
//! whose row never came is deleted too.

use super::{Arg, all, run, stmt};
use crate::error::{AppError, AppResult};
use serde::Deserialize;
use worker::{Bucket, D1Database, D1PreparedStatement};

/// The object of file `id`.
pub(crate) fn key(id: &str) -> String {
    format!("files/{id}")
}

/// Stores a file's sealed contents.
pub(crate) async fn put(bucket: &Bucket, id: &str, sealed: Vec<u8>) -> AppResult<()> {
    bucket.put(key(id), sealed).execute().await?;
    Ok(())
}

/// A file's sealed contents; an error when its object is missing, which
/// only a lost object can cause (its row is deleted first).
pub(crate) async fn get(bucket: &Bucket, id: &str) -> AppResult<Vec<u8>> {
    let object = bucket.get(key(id)).execute().await?;
    let body = object.as_ref().and_then(|o| o.body());
    match body {
        Some(body) => Ok(body.bytes().await?),
        None => Err(AppError::Internal(format!("the object of file {id} is missing from R2"))),
    }
}

/// Deletes objects (at most 1,000 keys).
pub(crate) async fn delete(bucket: &Bucket, keys: &[String]) -> AppResult<()> {
    if !keys.is_empty() {
        bucket.delete_multiple(keys.iter().map(String::as_str).collect()).await?;
    }
    Ok(())
}

/// Marks the objects of files `ids` for deletion at `due_at`, before they
/// are put: a mark the row's transaction does not take off stands.
pub(crate) async fn mark_ahead(db: &D1Database, ids: &[&str], now: i64, due_at: i64) -> AppResult<()> {
    let keys: Vec<String> = ids.iter().map(|id| key(id)).collect();
    let list = serde_json::to_string(&keys)?;
    run(
        db,
        "INSERT INTO file_deletions (object_key, created_at, due_at) SELECT value, ?2, ?3 FROM json_each(?1) WHERE 1 \
         ON CONFLICT (object_key) DO UPDATE SET due_at = excluded.due_at",
        &[Arg::Text(&list), Arg::Int(now), Arg::Int(due_at)],
    )
    .await?;
    Ok(())
}

/// The statement that takes the marks [`mark_ahead`] made off the objects
/// of files `ids`, in the transaction that writes their rows.
pub(crate) fn unmark(db: &D1Database, ids: &[&str]) -> AppResult<D1PreparedStatement> {
    let keys: Vec<String> = ids.iter().map(|id| key(id)).collect();
    let list = serde_json::to_string(&keys)?;
    stmt(db, "DELETE FROM file_deletions WHERE object_key IN (SELECT value FROM json_each(?1))", &[Arg::Text(&list)])
}

/// Up to `limit` objects due for deletion at `now`, oldest first.
pub(crate) async fn dropped(db: &D1Database, now: i64, limit: u32) -> AppResult<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        object_key: String,
    }
    let rows: Vec<Row> = all(
        db,
        "SELECT object_key FROM file_deletions WHERE due_at <= ?2 ORDER BY created_at, object_key LIMIT ?1",
        &[Arg::Int(i64::from(limit)), Arg::Int(now)],
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.object_key).collect())
}

/// Forgets objects once deleted from the bucket.
pub(crate) async fn deleted(db: &D1Database, keys: &[String]) -> AppResult<()> {
    let list = serde_json::to_string(keys)?;
    run(db, "DELETE FROM file_deletions WHERE object_key IN (SELECT value FROM json_each(?1))", &[Arg::Text(&list)])
        .await?;
    Ok(())
}
