//! Files kept with tickets' messages (`attachments`): those that came
//! with a customer's mail or form, and those an agent uploaded for a reply
//! (without a message until the reply is sent). The rows say what each
//! file is and where its sealed contents are: an R2 object
//! (`store::file_objects`), or for files kept before those, base64 parts
//! in `attachment_parts` (D1 takes no value over 2 MB).

use super::{Arg, all, batch, count, file_objects, first, stmt};
use crate::error::AppResult;
use deflect_shared::api::Attachment;
use serde::Deserialize;
use worker::{D1Database, D1PreparedStatement};

/// Where a file's sealed contents are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kept {
    /// Its R2 object, `file_objects::key(id)`.
    Object,
    /// Base64 parts in D1, for files kept before R2.
    Parts,
}

/// A file to store: its id, ticket and message (none for an upload not
/// sent yet), who uploaded it, and what it is; its contents are in R2
/// already.
pub(crate) struct NewAttachment<'a> {
    pub(crate) id: &'a str,
    pub(crate) ticket: &'a str,
    pub(crate) message: Option<&'a str>,
    pub(crate) uploaded_by: Option<&'a str>,
    pub(crate) name: &'a str,
    pub(crate) content_type: &'a str,
    pub(crate) size: u64,
}

/// Records files whose contents are in R2, in one transaction.
pub(crate) async fn keep(db: &D1Database, files: &[NewAttachment<'_>], now: i64) -> AppResult<()> {
    let mut statements = Vec::new();
    for f in files {
        statements.push(stmt(
            db,
            "INSERT INTO attachments (id, ticket_id, message_id, uploaded_by, name, content_type, size, parts, \
             created_at, stored_in) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8, 'r2')",
            &[
                Arg::Text(f.id),
                Arg::Text(f.ticket),
                Arg::OptText(f.message),
                Arg::OptText(f.uploaded_by),
                Arg::Text(f.name),
                Arg::Text(f.content_type),
                Arg::Int(f.size as i64),
                Arg::Int(now),
            ],
        )?);
    }
    if !statements.is_empty() {
        let ids: Vec<&str> = files.iter().map(|f| f.id).collect();
        statements.push(file_objects::unmark(db, &ids)?);
        batch(db, statements).await?;
    }
    Ok(())
}

#[derive(Deserialize)]
struct Row {
    id: String,
    message_id: Option<String>,
    name: String,
    content_type: String,
    size: f64,
    stored_in: String,
}

impl Row {
    /// The file, and where it is kept.
    fn with_place(self) -> (Attachment, Kept) {
        let kept = if self.stored_in == "r2" { Kept::Object } else { Kept::Parts };
        (self.into(), kept)
    }
}

impl From<Row> for Attachment {
    fn from(r: Row) -> Attachment {
        Attachment { id: r.id, message: r.message_id, name: r.name, content_type: r.content_type, size: r.size as u64 }
    }
}

const COLUMNS: &str = "id, message_id, name, content_type, size, stored_in";

/// Whether a message has files kept.
pub(crate) async fn any_of_message(db: &D1Database, message: &str) -> AppResult<bool> {
    Ok(count(db, "SELECT COUNT(*) AS n FROM attachments WHERE message_id = ?1", &[Arg::Text(message)]).await? > 0)
}

/// The files kept with a ticket's messages, oldest first; with
/// `internal` false, only those of messages the customer sees.
pub(crate) async fn of_ticket(db: &D1Database, ticket: &str, internal: bool) -> AppResult<Vec<Attachment>> {
    let rows: Vec<Row> = all(
        db,
        &format!(
            "SELECT {COLUMNS} FROM attachments WHERE ticket_id = ?1 AND message_id IS NOT NULL \
             AND (?2 = 1 OR message_id IN (SELECT id FROM messages WHERE ticket_id = ?1 AND internal = 0)) \
             ORDER BY created_at, rowid"
        ),
        &[Arg::Text(ticket), Arg::Int(i64::from(internal))],
    )
    .await?;
    Ok(rows.into_iter().map(Attachment::from).collect())
}

/// The uploads of an agent on a ticket not sent yet, among `ids`.
pub(crate) async fn unsent(db: &D1Database, ticket: &str, agent: &str, ids: &[String]) -> AppResult<Vec<Attachment>> {
    let list = serde_json::to_string(ids)?;
    let rows: Vec<Row> = all(
        db,
        &format!(
            "SELECT {COLUMNS} FROM attachments WHERE ticket_id = ?1 AND uploaded_by = ?2 AND message_id IS NULL \
             AND id IN (SELECT value FROM json_each(?3))"
        ),
        &[Arg::Text(ticket), Arg::Text(agent), Arg::Text(&list)],
    )
    .await?;
    Ok(rows.into_iter().map(Attachment::from).collect())
}

/// The statement that attaches unsent uploads to the message they were
/// sent with, once that message exists (for the message's transaction).
pub(crate) fn attach_stmt(
    db: &D1Database,
    ticket: &str,
    message: &str,
    ids: &[String],
) -> AppResult<D1PreparedStatement> {
    let list = serde_json::to_string(ids)?;
    stmt(
        db,
        "UPDATE attachments SET message_id = ?2 WHERE ticket_id = ?1 AND message_id IS NULL \
         AND id IN (SELECT value FROM json_each(?3)) AND EXISTS (SELECT 1 FROM messages WHERE id = ?2)",
        &[Arg::Text(ticket), Arg::Text(message), Arg::Text(&list)],
    )
}

/// The files of one message and where each is kept, oldest first.
pub(crate) async fn of_message(db: &D1Database, message: &str) -> AppResult<Vec<(Attachment, Kept)>> {
    let rows: Vec<Row> = all(
        db,
        &format!("SELECT {COLUMNS} FROM attachments WHERE message_id = ?1 ORDER BY created_at, rowid"),
        &[Arg::Text(message)],
    )
    .await?;
    Ok(rows.into_iter().map(Row::with_place).collect())
}

/// A file of a ticket and where it is kept, or `None` when the ticket has
/// no such file. With `internal` false, only a file the customer sees.
pub(crate) async fn read(
    db: &D1Database,
    ticket: &str,
    id: &str,
    internal: bool,
) -> AppResult<Option<(Attachment, Kept)>> {
    let found: Option<Row> = first(
        db,
        &format!(
            "SELECT {COLUMNS} FROM attachments WHERE id = ?2 AND ticket_id = ?1 \
             AND (?3 = 1 OR message_id IN (SELECT id FROM messages WHERE ticket_id = ?1 AND internal = 0))"
        ),
        &[Arg::Text(ticket), Arg::Text(id), Arg::Int(i64::from(internal))],
    )
    .await?;
    Ok(found.map(Row::with_place))
}

/// The sealed contents (base64) of a file kept in D1 parts.
pub(crate) async fn parts(db: &D1Database, id: &str) -> AppResult<String> {
    #[derive(Deserialize)]
    struct Part {
        data: String,
    }
    let parts: Vec<Part> =
        all(db, "SELECT data FROM attachment_parts WHERE attachment_id = ?1 ORDER BY n", &[Arg::Text(id)]).await?;
    Ok(parts.into_iter().map(|p| p.data).collect())
}

/// Up to `limit` files still kept in D1 parts, oldest first.
pub(crate) async fn in_parts(db: &D1Database, limit: u32) -> AppResult<Vec<String>> {
    #[derive(Deserialize)]
    struct Id {
        id: String,
    }
    let rows: Vec<Id> = all(
        db,
        "SELECT id FROM attachments WHERE stored_in = 'd1' ORDER BY created_at, id LIMIT ?1",
        &[Arg::Int(i64::from(limit))],
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Records that a file kept in D1 parts is in its R2 object now, and
/// deletes the parts, in one transaction; `false` when the file is gone
/// (erased meanwhile) or moved already.
pub(crate) async fn moved_to_object(db: &D1Database, id: &str) -> AppResult<bool> {
    let changed = batch(
        db,
        vec![
            stmt(
                db,
                "UPDATE attachments SET stored_in = 'r2', parts = 0 WHERE id = ?1 AND stored_in = 'd1'",
                &[Arg::Text(id)],
            )?,
            stmt(db, "DELETE FROM attachment_parts WHERE attachment_id = ?1", &[Arg::Text(id)])?,
            // Its object is its file's now (unless it was erased meanwhile).
            stmt(
                db,
                "DELETE FROM file_deletions WHERE object_key = 'files/' || ?1 \
                 AND EXISTS (SELECT 1 FROM attachments WHERE id = ?1 AND stored_in = 'r2')",
                &[Arg::Text(id)],
            )?,
        ],
    )
    .await?;
    Ok(changed.first().copied().unwrap_or(0) == 1)
}

/// The statement that marks the R2 objects of the files `ids` selects
/// (with its arguments) for deletion, before the rows go.
fn mark_objects(db: &D1Database, ids: &str, args: &[Arg<'_>]) -> AppResult<D1PreparedStatement> {
    stmt(
        db,
        &format!(
            "INSERT INTO file_deletions (object_key, created_at, due_at) \
             SELECT 'files/' || id, CAST(unixepoch('subsec') * 1000 AS INTEGER), 0 FROM attachments \
             WHERE stored_in = 'r2' AND id IN ({ids}) ON CONFLICT (object_key) DO UPDATE SET due_at = 0"
        ),
        args,
    )
}

/// Deletes uploads never sent with a reply, made before `before`; how many.
pub(crate) async fn forget_unsent_before(db: &D1Database, before: i64) -> AppResult<u64> {
    const OLD: &str = "SELECT id FROM attachments WHERE message_id IS NULL AND created_at < ?1 \
                       ORDER BY created_at, id LIMIT 100";
    let changed = batch(
        db,
        vec![
            mark_objects(db, OLD, &[Arg::Int(before)])?,
            stmt(db, &format!("DELETE FROM attachment_parts WHERE attachment_id IN ({OLD})"), &[Arg::Int(before)])?,
            stmt(db, &format!("DELETE FROM attachments WHERE id IN ({OLD})"), &[Arg::Int(before)])?,
        ],
    )
    .await?;
    Ok(changed.last().copied().unwrap_or(0))
}

/// The statements that delete every file of a customer's tickets, for the
/// erasure's transaction; `their_tickets` selects the ticket ids with the
/// customer id as `?1`, and `only_if` is a condition on `?1` too.
pub(crate) fn erase_statements(
    db: &D1Database,
    customer: &str,
    their_tickets: &str,
    only_if: &str,
) -> AppResult<Vec<D1PreparedStatement>> {
    let theirs = format!("SELECT id FROM attachments WHERE ticket_id IN ({their_tickets})");
    Ok(vec![
        mark_objects(db, &format!("{theirs} AND {only_if}"), &[Arg::Text(customer)])?,
        stmt(
            db,
            &format!("DELETE FROM attachment_parts WHERE attachment_id IN ({theirs}) AND {only_if}"),
            &[Arg::Text(customer)],
        )?,
        stmt(db, &format!("DELETE FROM attachments WHERE id IN ({theirs}) AND {only_if}"), &[Arg::Text(customer)])?,
    ])
}
