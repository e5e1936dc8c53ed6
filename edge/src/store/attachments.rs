//! Files kept with messages (`attachments`, `attachment_parts`). A file is
//! stored encrypted, as base64 in parts of at most [`PART_CHARS`]
//! characters, since D1 takes no value over 2 MB. Its ticket is its
//! message's.

use super::{Arg, all, batch, count, first, stmt};
use crate::error::AppResult;
use deflect_shared::api::Attachment;
use serde::Deserialize;
use worker::D1Database;

/// The longest part stored in one row.
pub(crate) const PART_CHARS: usize = 512 * 1024;

/// A file to store: its id, its message, what it is, and its encrypted
/// contents in base64.
pub(crate) struct NewAttachment<'a> {
    pub(crate) id: &'a str,
    pub(crate) message: &'a str,
    pub(crate) name: &'a str,
    pub(crate) content_type: &'a str,
    pub(crate) size: u64,
    pub(crate) sealed: &'a str,
}

/// Stores the files of one message in one transaction.
pub(crate) async fn keep(db: &D1Database, files: &[NewAttachment<'_>], now: i64) -> AppResult<()> {
    let mut statements = Vec::new();
    for f in files {
        let parts: Vec<&str> = split(f.sealed);
        statements.push(stmt(
            db,
            "INSERT INTO attachments (id, message_id, name, content_type, size, parts, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            &[
                Arg::Text(f.id),
                Arg::Text(f.message),
                Arg::Text(f.name),
                Arg::Text(f.content_type),
                Arg::Int(f.size as i64),
                Arg::Int(parts.len() as i64),
                Arg::Int(now),
            ],
        )?);
        for (n, part) in parts.iter().enumerate() {
            statements.push(stmt(
                db,
                "INSERT INTO attachment_parts (attachment_id, n, data) VALUES (?1, ?2, ?3)",
                &[Arg::Text(f.id), Arg::Int(n as i64), Arg::Text(part)],
            )?);
        }
    }
    if !statements.is_empty() {
        batch(db, statements).await?;
    }
    Ok(())
}

/// `text` in pieces of at most [`PART_CHARS`] bytes (base64 is ASCII, so
/// every cut falls between characters).
fn split(text: &str) -> Vec<&str> {
    if text.is_empty() {
        return vec![""];
    }
    text.as_bytes().chunks(PART_CHARS).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect()
}

#[derive(Deserialize)]
struct Row {
    id: String,
    message_id: String,
    name: String,
    content_type: String,
    size: f64,
}

impl From<Row> for Attachment {
    fn from(r: Row) -> Attachment {
        Attachment { id: r.id, message: r.message_id, name: r.name, content_type: r.content_type, size: r.size as u64 }
    }
}

/// Whether a message has files kept.
pub(crate) async fn any_of_message(db: &D1Database, message: &str) -> AppResult<bool> {
    Ok(count(db, "SELECT COUNT(*) AS n FROM attachments WHERE message_id = ?1", &[Arg::Text(message)]).await? > 0)
}

/// The files kept with a ticket's messages, oldest first.
pub(crate) async fn of_ticket(db: &D1Database, ticket: &str) -> AppResult<Vec<Attachment>> {
    let rows: Vec<Row> = all(
        db,
        "SELECT a.id, a.message_id, a.name, a.content_type, a.size FROM attachments a \
         JOIN messages m ON m.id = a.message_id WHERE m.ticket_id = ?1 ORDER BY a.created_at, a.rowid",
        &[Arg::Text(ticket)],
    )
    .await?;
    Ok(rows.into_iter().map(Attachment::from).collect())
}

/// A file of a ticket with its sealed contents, or `None` when the ticket
/// has no such file.
pub(crate) async fn read(db: &D1Database, ticket: &str, id: &str) -> AppResult<Option<(Attachment, String)>> {
    let found: Option<Row> = first(
        db,
        "SELECT a.id, a.message_id, a.name, a.content_type, a.size FROM attachments a \
         JOIN messages m ON m.id = a.message_id WHERE a.id = ?2 AND m.ticket_id = ?1",
        &[Arg::Text(ticket), Arg::Text(id)],
    )
    .await?;
    let Some(row) = found else { return Ok(None) };
    #[derive(Deserialize)]
    struct Part {
        data: String,
    }
    let parts: Vec<Part> =
        all(db, "SELECT data FROM attachment_parts WHERE attachment_id = ?1 ORDER BY n", &[Arg::Text(id)]).await?;
    let sealed: String = parts.into_iter().map(|p| p.data).collect();
    Ok(Some((row.into(), sealed)))
}

/// The statements that delete every file of a customer's tickets, for the
/// erasure's transaction; `their_tickets` selects the ticket ids with the
/// customer id as `?1`, and `only_if` is a condition on `?1` too.
pub(crate) fn erase_statements(
    db: &D1Database,
    customer: &str,
    their_tickets: &str,
    only_if: &str,
) -> AppResult<Vec<worker::D1PreparedStatement>> {
    let theirs = format!(
        "SELECT a.id FROM attachments a JOIN messages m ON m.id = a.message_id WHERE m.ticket_id IN ({their_tickets})"
    );
    Ok(vec![
        stmt(
            db,
            &format!("DELETE FROM attachment_parts WHERE attachment_id IN ({theirs}) AND {only_if}"),
            &[Arg::Text(customer)],
        )?,
        stmt(db, &format!("DELETE FROM attachments WHERE id IN ({theirs}) AND {only_if}"), &[Arg::Text(customer)])?,
    ])
}
