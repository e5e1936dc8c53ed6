//! The customer's side of tickets: create (idempotent), read, reply, rate.

use super::{Bucket, limit};
use crate::desk::intake::{self, Created};
use crate::desk::views;
use crate::desk::work::{self, Added, Sent};
use crate::error::{AppError, AppResult};
use crate::http::{MAX_JSON, Req, json, replayed};
use crate::state::App;
use crate::store::tickets;
use crate::store::tickets::TicketRow;
use deflect_shared::api::{CreateTicket, Csat, NewMessage, UnreadQuery, UnreadTickets};
use worker::Response;

pub(super) async fn create(app: &App, req: &mut Req) -> AppResult<Response> {
    limit(app, req, Bucket::Tickets).await?;
    let key = req.idempotency_key()?;
    let (body, raw): (CreateTicket, String) = req.json_with_text(MAX_JSON).await?;
    let new = body.validate()?;
    match intake::create(app, new, &raw, &key, None).await? {
        Created::New(t) => json(201, &t),
        Created::Replay(t) => replayed(json(200, &t)?),
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

/// Which of a browser's tickets have replies its customer has not read:
/// one request (and one rate-limit count) for all of them on page load.
pub(super) async fn unread(app: &App, req: &mut Req) -> AppResult<Response> {
    limit(app, req, Bucket::Reads).await?;
    let q: UnreadQuery = req.json().await?;
    let known = q.validate()?;
    let key = app.key().await?;
    let mut answer = UnreadTickets::default();
    let mut mine = Vec::with_capacity(known.len());
    for t in known {
        if key.verify(&format!("ticket:{}", t.id), &t.token).await? {
            mine.push(t);
        } else {
            answer.unknown.push(t.id.clone());
        }
    }
    let ids: Vec<&str> = mine.iter().map(|t| t.id.as_str()).collect();
    let found = tickets::last_replies(&app.db, &ids).await?;
    for t in mine {
        match found.iter().find(|r| r.id == t.id) {
            None => answer.unknown.push(t.id.clone()),
            Some(r) if r.erased_at.is_some() => answer.erased.push(t.id.clone()),
            Some(r) if r.last_reply_at.is_some_and(|at| at as i64 > t.seen_at) => answer.unread.push(t.id.clone()),
            Some(_) => {}
        }
    }
    json(200, &answer)
}

pub(super) async fn reply(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    limit(app, req, Bucket::Tickets).await?;
    let row = authorised(app, req, id).await?;
    let key = req.optional_idempotency_key()?;
    let msg: NewMessage = req.json().await?;
    if msg.internal {
        return Err(AppError::invalid("internal", "internal: customers cannot write internal notes"));
    }
    if !msg.attachments.is_empty() {
        return Err(AppError::invalid("attachments", "attachments: only agents send files with a message"));
    }
    let body = msg.validate()?;
    let sent = Sent { author: None, body: &body, internal: false, key: key.as_deref(), files: &[] };
    let added = if work::added_before(app, &row, sent).await? {
        Added::Replayed
    } else {
        work::add_message(app, &row, sent).await?
    };
    let thread = views::customer_ticket(app, &work::load(app, id).await?).await?;
    match added {
        Added::New => json(201, &thread),
        Added::Replayed => replayed(json(200, &thread)?),
    }
}

/// `POST /v1/tickets/{id}/files?name=`: the customer sends a file from
/// the widget (the body, its type in `Content-Type`), as a message of its
/// own; kept once per `Idempotency-Key`. Answers with the thread.
pub(super) async fn send_file(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    limit(app, req, Bucket::Tickets).await?;
    let row = authorised(app, req, id).await?;
    let key = req.optional_idempotency_key()?;
    let file = req.uploaded_file().await?;
    let added = work::customer_writes(app, &row, "", key.as_deref(), std::slice::from_ref(&file)).await?;
    let thread = views::customer_ticket(app, &work::load(app, id).await?).await?;
    match added {
        Added::New => json(201, &thread),
        Added::Replayed => replayed(json(200, &thread)?),
    }
}

pub(super) async fn rate(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    limit(app, req, Bucket::Tickets).await?;
    let row = authorised(app, req, id).await?;
    let c: Csat = req.json().await?;
    let (rating, comment) = c.validate()?;
    work::rate(app, &row, rating, comment.as_deref()).await?;
    json(200, &views::customer_ticket(app, &work::load(app, id).await?).await?)
}
