//! Spam: an agent marks a ticket as spam. It is closed and tagged `spam`,
//! and its customer is blocked: their new tickets (from the widget, the
//! help centre's form or mail) are still kept, nothing is lost, but closed
//! and tagged `spam` as they come, out of the queue, with no rule, agent,
//! auto-reply or webhook acting on them, until an agent unblocks them on
//! their record.

use super::work;
use crate::error::{AppError, AppResult};
use crate::state::App;
use crate::store::agents::AgentRow;
use crate::store::customers;
use crate::store::from_json;
use crate::store::tickets::TicketRow;
use deflect_shared::api::{SPAM_TAG, Status, TicketUpdate};

/// Marks `row` as spam: closes and tags it, and blocks its customer.
pub(crate) async fn mark(app: &App, agent: &AgentRow, row: &TicketRow) -> AppResult<()> {
    if row.customer_erased_at.is_some() {
        return Err(AppError::Conflict("the customer's data was erased; there is no sender to block".into()));
    }
    let mut tags: Vec<String> = from_json(&row.tags);
    if !tags.iter().any(|t| t == SPAM_TAG) {
        tags.push(SPAM_TAG.to_string());
    }
    let u = TicketUpdate { status: Some(Status::Closed), tags: Some(tags), ..TicketUpdate::default() };
    work::update(app, agent, row, &u).await?;
    customers::set_blocked(&app.db, &row.customer_id, Some(app.now)).await?;
    app.audit(&agent.id, "ticket.spam", &row.id, serde_json::json!({ "customer": row.customer_id })).await
}
