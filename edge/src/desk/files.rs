//! Keeping files: a customer's mail's, a customer's from their request
//! page, an agent's upload for a reply. Each is sealed with the data key
//! and put in R2 (`store::file_objects`), then recorded in one D1
//! transaction (`store::attachments`), which takes off the mark that would
//! have the cron delete the object a day later; reading one opens it
//! again, and the cron deletes the objects of files deleted and of those
//! whose row never came ([`delete_dropped`]).

use crate::crypto::new_id;
use crate::error::{AppError, AppResult};
use crate::state::App;
use crate::store::attachments::{self, Kept, NewAttachment};
use crate::store::file_objects;
use crate::store::mail as store_mail;
use base64::Engine;
use deflect_shared::api::Attachment;
use deflect_shared::attachment::IncomingFile;

/// The most objects one run deletes.
const DELETE_BATCH: u32 = 200;
/// How long an object put waits for its file's row before the cron
/// deletes it: far longer than any request that writes one takes.
const UNCLAIMED_MS: i64 = 86_400_000;
/// The most files kept in D1 one run moves to R2 (each up to 8 MB, one
/// at a time).
const MOVE_BATCH: u32 = 10;

/// Keeps files on a ticket, with their message, or with none yet (an
/// upload the message that names it will take); `uploaded_by` is the
/// agent who uploaded them, `None` for the customer's. Returns them as
/// listed.
pub(crate) async fn keep(
    app: &App,
    ticket: &str,
    message: Option<&str>,
    uploaded_by: Option<&str>,
    files: &[IncomingFile],
) -> AppResult<Vec<Attachment>> {
    let key = app.key().await?;
    let bucket = app.files()?;
    let ids = files.iter().map(|_| new_id()).collect::<AppResult<Vec<String>>>()?;
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    file_objects::mark_ahead(&app.db, &id_refs, app.now, app.now + UNCLAIMED_MS).await?;
    for (file, id) in files.iter().zip(&ids) {
        file_objects::put(&bucket, id, key.seal_raw(&file.bytes).await?).await?;
    }
    let rows: Vec<NewAttachment<'_>> = files
        .iter()
        .zip(&ids)
        .map(|(file, id)| NewAttachment {
            id,
            ticket,
            message,
            uploaded_by,
            name: &file.name,
            content_type: &file.content_type,
            size: file.bytes.len() as u64,
        })
        .collect();
    if let Err(e) = attachments::keep(&app.db, &rows, app.now).await {
        // No row names them: their objects go now, or with their marks a
        // day later.
        let keys: Vec<String> = ids.iter().map(|id| file_objects::key(id)).collect();
        if let Err(again) = file_objects::delete(&bucket, &keys).await {
            worker::console_error!("files: {} objects left to the cron after a failed write: {again:?}", keys.len());
        }
        return Err(e);
    }
    Ok(files
        .iter()
        .zip(ids)
        .map(|(file, id)| Attachment {
            id,
            message: message.map(str::to_string),
            name: file.name.clone(),
            content_type: file.content_type.clone(),
            size: file.bytes.len() as u64,
        })
        .collect())
}

/// Keeps the files that came with a customer's message (the one kept
/// under `key`, or the ticket's first) with it, unless that message has
/// its files already: a mail or a form sent again after a failure keeps
/// them once.
pub(crate) async fn keep_with_customer_message(
    app: &App,
    ticket: &str,
    key: Option<&str>,
    files: &[IncomingFile],
) -> AppResult<()> {
    if files.is_empty() {
        return Ok(());
    }
    let message = store_mail::customer_message(&app.db, ticket, key)
        .await?
        .ok_or_else(|| AppError::Internal(format!("ticket {ticket} has no message from the customer")))?;
    if attachments::any_of_message(&app.db, &message).await? {
        return Ok(());
    }
    keep(app, ticket, Some(&message), None, files).await?;
    Ok(())
}

/// A file's contents, opened.
pub(crate) async fn contents(app: &App, file: &Attachment, kept: Kept) -> AppResult<Vec<u8>> {
    let key = app.key().await?;
    match kept {
        Kept::Object => key.open_raw(&file_objects::get(&app.files()?, &file.id).await?).await,
        Kept::Parts => key.open(&attachments::parts(&app.db, &file.id).await?).await,
    }
}

/// Deletes from R2 the objects due for deletion: those of files deleted
/// (by an erasure, or as an upload never sent), and those whose file's row
/// was never written; how many.
pub(crate) async fn delete_dropped(app: &App) -> AppResult<usize> {
    let keys = file_objects::dropped(&app.db, app.now, DELETE_BATCH).await?;
    file_objects::delete(&app.files()?, &keys).await?;
    file_objects::deleted(&app.db, &keys).await?;
    Ok(keys.len())
}

/// Moves files kept in D1 parts (before R2) to their R2 objects, freeing
/// the database; how many. The sealed bytes move as they are. A file
/// erased meanwhile, or a move that fails after the put, leaves no object
/// behind for long (its mark stands).
pub(crate) async fn move_to_objects(app: &App) -> AppResult<usize> {
    let bucket = app.files()?;
    let mut moved = 0;
    for id in attachments::in_parts(&app.db, MOVE_BATCH).await? {
        let sealed = base64::engine::general_purpose::STANDARD
            .decode(attachments::parts(&app.db, &id).await?)
            .map_err(|_| AppError::Internal(format!("file {id}: its parts are not base64")))?;
        file_objects::mark_ahead(&app.db, &[&id], app.now, app.now + UNCLAIMED_MS).await?;
        file_objects::put(&bucket, &id, sealed).await?;
        if attachments::moved_to_object(&app.db, &id).await? {
            moved += 1;
        } else {
            file_objects::delete(&bucket, &[file_objects::key(&id)]).await?;
        }
    }
    Ok(moved)
}
