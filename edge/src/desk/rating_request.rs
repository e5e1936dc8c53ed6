//! Asking a customer, by mail, to rate our help when their ticket is first
//! solved (`shared::rating_request` says when and in which words). The
//! request is a message of the thread from the system, kept once per
//! ticket under its own key, so agents see it was asked, and the mail
//! links the request's page, where the customer rates.

use super::mail;
use crate::crypto::new_id;
use crate::error::AppResult;
use crate::state::App;
use crate::store::run_stmt;
use crate::store::tickets::{self, NewMessageRow, TicketRow};
use deflect_shared::rating_request::{Change, KEY, words};

/// After `before` changed to `status`: asks its customer to rate our help
/// when this is its first solve, the site asks (`Site::rating_by_mail`)
/// and the customer hears from us by mail.
pub(crate) async fn after_status_change(app: &App, before: &TicketRow, status: &str) -> AppResult<()> {
    let change = Change {
        before: &before.status,
        after: status,
        rated: before.csat.is_some(),
        merged: before.merged_into.is_some(),
        erased: before.customer_erased_at.is_some(),
    };
    if !change.asks() {
        return Ok(());
    }
    let settings = app.settings().await?;
    if !settings.site(&before.site_id).is_some_and(|s| s.rating_by_mail) {
        return Ok(());
    }
    if mail::mailed_from(app, before).await?.is_none() {
        return Ok(());
    }
    let id = new_id()?;
    let message = NewMessageRow {
        id: &id,
        ticket: &before.id,
        author: "system",
        author_id: None,
        body: words(&before.locale),
        internal: false,
        idempotency_key: Some(KEY),
    };
    // Kept once per ticket: a second solve finds the key taken.
    if run_stmt(&tickets::insert_message_stmt(&app.db, &message, app.now)?).await? > 0 {
        mail::queue(app, &id).await?;
    }
    Ok(())
}
