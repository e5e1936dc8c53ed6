//! Keeping files: a customer's mail's, a customer's from their request
//! page, an agent's upload for a reply. Each is sealed with the data key
//! and stored in one transaction (`store::attachments`).

use crate::crypto::new_id;
use crate::error::{AppError, AppResult};
use crate::state::App;
use crate::store::attachments::{self, NewAttachment};
use crate::store::mail as store_mail;
use deflect_shared::api::Attachment;
use deflect_shared::attachment::IncomingFile;

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
    let mut sealed = Vec::with_capacity(files.len());
    for file in files {
        sealed.push((new_id()?, key.seal(&file.bytes).await?));
    }
    let rows: Vec<NewAttachment<'_>> = files
        .iter()
        .zip(&sealed)
        .map(|(file, (id, sealed))| NewAttachment {
            id,
            ticket,
            message,
            uploaded_by,
            name: &file.name,
            content_type: &file.content_type,
            size: file.bytes.len() as u64,
            sealed,
        })
        .collect();
    attachments::keep(&app.db, &rows, app.now).await?;
    Ok(files
        .iter()
        .zip(sealed)
        .map(|(file, (id, _))| Attachment {
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
