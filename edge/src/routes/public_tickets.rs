//! The customer's side of tickets: create (idempotent), read, reply, rate.

use super::{Bucket, limit};
use crate::desk::intake::{self, Created};
use crate::desk::{views, work};
use crate::error::{AppError, AppResult};
use crate::http::{MAX_JSON, Req, json};
use crate::state::App;
use crate::store::tickets::TicketRow;
use deflect_shared::api::{CreateTicket, Csat, NewMessage};
use worker::Response;

fn idempotency_key(req: &Req) -> AppResult<String> {
    let key = req.header("idempotency-key").ok_or_else(|| {
        AppError::bad(
            "missing_idempotency_key",
            "send an Idempotency-Key header (1 to 100 letters, digits, '-' or '_')",
        )
    })?;
    if key.is_empty() || key.len() > 100 || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(AppError::bad(
            "invalid_idempotency_key",
            "the Idempotency-Key must be 1 to 100 letters, digits, '-' or '_'",
        ));
    }
    Ok(key)
}

pub(super) async fn create(app: &App, req: &mut Req) -> AppResult<Response> {
    limit(app, req, Bucket::Tickets).await?;
    let key = idempotency_key(req)?;
    let (body, raw): (CreateTicket, String) = req.json_with_text(MAX_JSON).await?;
    let new = body.validate()?;
    match intake::create(app, new, &raw, &key).await? {
        Created::New(t) => json(201, &t),
        Created::Replay(t) => {
            let mut r = json(200, &t)?;
            r.headers_mut().set("idempotent-replayed", "true")?;
            Ok(r)
        }
    }
}

/// The ticket, if the request carries its customer token and its customer
/// has not been erased.
async fn authorised(app: &App, req: &Req, id: &str) -> AppResult<TicketRow> {
    let token = req.header("x-ticket-token").ok_or(AppError::Unauthenticated)?;
    if id.len() > 64 || token.len() > 100 || !app.key().await?.verify(&format!("ticket:{id}"), &token).await? {
        // The same answer for a wrong token and a missing ticket, so ids
        // cannot be probed.
        return Err(AppError::NotFound(format!("there is no ticket {id} for this token")));
    }
    let row = work::load(app, id).await?;
    if row.customer_erased_at.is_some() {
        return Err(AppError::Gone("this conversation was erased at the customer's request".into()));
    }
    Ok(row)
}

pub(super) async fn get(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    limit(app, req, Bucket::Reads).await?;
    let row = authorised(app, req, id).await?;
    json(200, &views::customer_ticket(app, &row).await?)
}

pub(super) async fn reply(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    limit(app, req, Bucket::Tickets).await?;
    let row = authorised(app, req, id).await?;
    let msg: NewMessage = req.json().await?;
    if msg.internal {
        return Err(AppError::invalid("internal", "internal: customers cannot write internal notes"));
    }
    let body = msg.validate()?;
    work::add_message(app, &row, None, &body, false).await?;
    json(201, &views::customer_ticket(app, &work::load(app, id).await?).await?)
}

pub(super) async fn rate(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    limit(app, req, Bucket::Tickets).await?;
    let row = authorised(app, req, id).await?;
    let c: Csat = req.json().await?;
    let (rating, comment) = c.validate()?;
    work::rate(app, &row, rating, comment.as_deref()).await?;
    json(200, &views::customer_ticket(app, &work::load(app, id).await?).await?)
}
