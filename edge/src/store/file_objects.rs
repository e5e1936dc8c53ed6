//! Files' sealed contents in R2 (the `FILES` bucket), one object per file
//! keyed [`key`], and the objects of deleted files waiting to be deleted
//! (`file_deletions`, which the transaction deleting a file's row writes;
//! see `desk::files::delete_dropped`).

use super::{Arg, all, run};
use crate::error::{AppError, AppResult};
use serde::Deserialize;
use worker::{Bucket, D1Database};

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

/// Up to `limit` objects of deleted files, oldest first.
pub(crate) async fn dropped(db: &D1Database, limit: u32) -> AppResult<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        object_key: String,
    }
    let rows: Vec<Row> = all(
        db,
        "SELECT object_key FROM file_deletions ORDER BY created_at, object_key LIMIT ?1",
        &[Arg::Int(i64::from(limit))],
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
