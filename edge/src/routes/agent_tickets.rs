//! The agents' queue and ticket view.

use crate::auth;
use crate::desk::files;
use crate::desk::intake::{self, Created, LoggedBy};
use crate::desk::views;
use crate::desk::work::{self, Added, Sent};
use crate::error::{AppError, AppResult};
use crate::http::{MAX_JSON, Req, json, paged, replayed};
use crate::state::App;
use crate::store::agents::AgentRow;
use crate::store::attachments;
use crate::store::customers;
use crate::store::from_json;
use crate::store::mail_alerts as store_alerts;
use crate::store::presence as store_presence;
use crate::store::tickets::{self, Filter};
use deflect_shared::api::{
    AFTER, Attachment, BulkFailure, BulkResult, BulkUpdate, Following, Identity, LogTicket, MergeTickets, NewMessage,
    PRESENCE_FRESH_MS, PresenceUpdate, QueueCursor, TicketDetail, TicketThread, TicketUpdate,
};
use deflect_shared::attachment;
use deflect_shared::priority::Level;
use deflect_shared::signature;
use worker::Response;

pub(super) async fn queue(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::agent(app, req).await?;
    let statuses: Vec<String> = match req.query("status") {
        None | Some("") => vec!["open".into(), "pending".into()],
        Some("all") => Vec::new(),
        Some(list) => list.split(',').map(str::to_string).collect(),
    };
    for s in &statuses {
        if !deflect_shared::rules::STATUSES.contains(&s.as_str()) {
            return Err(AppError::invalid(
                "status",
                format!("status: {s:?} is not open, pending, solved, closed or all"),
            ));
        }
    }
    let level = req.query("priority").filter(|p| !p.is_empty());
    if let Some(l) = level
        && Level::parse(l).is_none()
    {
        return Err(AppError::invalid("priority", "priority: must be low, normal, high or urgent"));
    }
    let assignee = match req.query("assignee") {
        Some("me") => Some(me.id.clone()),
        Some("") | Some("none") | None => None,
        Some(a) => Some(a.to_string()),
    };
    let text = req.query("q").map(str::trim).filter(|q| !q.is_empty()).map(str::to_string);
    if text.as_ref().is_some_and(|t| t.chars().count() > 200) {
        return Err(AppError::invalid("q", "q: search text is longer than 200 characters"));
    }
    let limit = req.query_number("limit", 1..=1000, 200)?;
    let after = req.query(AFTER).map(QueueCursor::parse).transpose()?;
    let filter = Filter {
        statuses,
        level: level.map(str::to_string),
        assignee,
        unassigned: req.query("assignee") == Some("none"),
        tag: req.query("tag").filter(|t| !t.is_empty()).map(str::to_string),
        text,
        customer: req.query("customer").filter(|c| !c.is_empty()).map(str::to_string),
    };
    // One more than asked for says whether there is a next page.
    let mut rows = tickets::queue(&app.db, &filter, after.as_ref(), limit + 1).await?;
    let next = (rows.len() > limit as usize).then(|| {
        rows.truncate(limit as usize);
        rows.last().map(|last| QueueCursor {
            rank: QueueCursor::rank(views::level(last)),
            score: last.priority_score,
            created_at: last.created_at as i64,
            id: last.id.clone(),
        })
    });
    let total = tickets::count(&app.db, &filter).await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        items.push(views::queue_item(app, r).await?);
    }
    paged(json(200, &items)?, req, total, next.flatten().map(|c| c.to_string()))
}

/// An agent logs a ticket for a customer who wrote or called: the same
/// intake as the widget's (customer record, priority, rules, assignment,
/// SLA), with its channel, idempotent under its `Idempotency-Key`.
pub(super) async fn log(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::agent(app, req).await?;
    let key = req.idempotency_key()?;
    let (body, raw): (LogTicket, String) = req.json_with_text(MAX_JSON).await?;
    let default_site = app.settings().await?.sites.first().map(|s| s.id.clone()).unwrap_or_default();
    let new = body.validate(&default_site)?;
    let by = LoggedBy { agent: &me, assign_to_me: body.assign_to_me };
    let (status, id) = match intake::create(app, new, &raw, &key, Some(by)).await? {
        Created::New(t) => (201, t.ticket.id),
        Created::Replay(t) => (200, t.ticket.id),
    };
    let r = json(status, &detail_view(app, &id).await?)?;
    if status == 200 { replayed(r) } else { Ok(r) }
}

pub(super) async fn detail(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    auth::agent(app, req).await?;
    json(200, &detail_view(app, id).await?)
}

async fn detail_view(app: &App, id: &str) -> AppResult<TicketDetail> {
    let row = work::load(app, id).await?;
    let customer = customers::by_id(&app.db, &row.customer_id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("ticket {id} has no customer")))?;
    let messages = tickets::messages(&app.db, id, true).await?;
    Ok(TicketDetail {
        ticket: views::queue_item(app, &row).await?,
        suggested_articles: views::suggestions(app, &row, &messages).await,
        messages,
        customer: views::customer(app, &customer).await?,
        shown_articles: from_json(&row.shown_articles),
        page_url: row.page_url.clone(),
        solved_by_article: row.solved_article_id.clone(),
        csat: row.csat.map(|c| c as u8),
        csat_comment: row.csat_comment.clone(),
        channel: row.channel.clone(),
        locale: row.locale.clone(),
        merged_into: row.merged_into.clone(),
        attachments: attachments::of_ticket(&app.db, id, true).await?,
        followers: store_alerts::followers(&app.db, id).await?,
        customer_identity: row.customer_identity.as_deref().and_then(Identity::parse),
    })
}

/// `GET /v1/agent/tickets/{id}/thread`: the messages and files as they now
/// stand, when the ticket last changed, and its SLA clock.
pub(super) async fn thread(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    auth::agent(app, req).await?;
    let row = work::load(app, id).await?;
    json(
        200,
        &TicketThread {
            messages: tickets::messages(&app.db, &row.id, true).await?,
            attachments: attachments::of_ticket(&app.db, &row.id, true).await?,
            updated_at: row.updated_at as i64,
            sla: views::sla_view(&row, app.now),
        },
    )
}

/// A file kept with one of the ticket's messages, to save (see
/// [`crate::http::file`]). Each save is audited, as a customer's export
/// is: files are often the most personal thing a customer sends.
pub(super) async fn attachment(app: &App, req: &mut Req, id: &str, file: &str) -> AppResult<Response> {
    let me = auth::agent(app, req).await?;
    let row = work::load(app, id).await?;
    let (info, kept) = attachments::read(&app.db, &row.id, file, true)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("ticket {id} has no file {file}")))?;
    let saved = crate::http::file(&info, crate::desk::files::contents(app, &info, kept).await?)?;
    app.audit(&me.id, "ticket.file_saved", &row.id, file_detail(&info)).await?;
    Ok(saved)
}

/// An audit entry's words on a file: which one and how large, not its
/// name, which is the customer's and stays out of the log (an erasure
/// deletes the file, not the log).
fn file_detail(f: &Attachment) -> serde_json::Value {
    serde_json::json!({ "file": f.id, "size": f.size, "content_type": f.content_type })
}

pub(super) async fn update(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::agent(app, req).await?;
    let row = work::load(app, id).await?;
    let u: TicketUpdate = req.json().await?;
    work::update(app, &me, &row, &u).await?;
    json(200, &views::queue_item(app, &work::load(app, id).await?).await?)
}

/// `POST /v1/agent/tickets/{id}/spam`: closes the ticket as spam and
/// blocks its customer (`desk::spam`).
pub(super) async fn spam(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::agent(app, req).await?;
    let row = work::load(app, id).await?;
    crate::desk::spam::mark(app, &me, &row).await?;
    json(200, &views::queue_item(app, &work::load(app, id).await?).await?)
}

/// `PUT /v1/agent/tickets/{id}/following`: the calling agent follows the
/// ticket (and is alerted of its customer's replies and a missed SLA as
/// its assignee is), or stops; the answer is the ticket's followers.
pub(super) async fn following(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::agent(app, req).await?;
    let row = work::load(app, id).await?;
    let f: Following = req.json().await?;
    if f.following {
        store_alerts::follow(&app.db, &row.id, &me.id, app.now).await?;
    } else {
        store_alerts::unfollow(&app.db, &row.id, &me.id).await?;
    }
    let action = if f.following { "ticket.follow" } else { "ticket.unfollow" };
    app.audit(&me.id, action, &row.id, serde_json::json!({})).await?;
    json(200, &store_alerts::followers(&app.db, &row.id).await?)
}

pub(super) async fn message(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::agent(app, req).await?;
    let row = work::load(app, id).await?;
    let key = req.optional_idempotency_key()?;
    let m: NewMessage = req.json().await?;
    let body = m.validate()?;
    // A reply to the customer goes with the agent's signature, a note
    // without.
    let body = if m.internal { body } else { signature::signed(&body, me.signature.as_deref()) };
    // A retry of a reply that was added is answered as such, whatever was
    // written since.
    let sent =
        Sent { author: Some(&me), body: &body, internal: m.internal, key: key.as_deref(), files: &m.attachments };
    if work::added_before(app, &row, sent).await? {
        return replayed(json(200, &tickets::messages(&app.db, id, true).await?)?);
    }
    check_uploads(app, &me, &row.id, &m.attachments).await?;
    if let Some(seen) = &m.seen_up_to {
        match tickets::written_since(&app.db, id, seen, &me.id).await? {
            None => {
                return Err(AppError::invalid("seen_up_to", "seen_up_to: not a message of this ticket"));
            }
            Some(0) => {}
            Some(n) => {
                return Err(AppError::Conflict(format!(
                    "{n} new message{} since you opened this ticket: read {}, then send again",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "it" } else { "them" }
                )));
            }
        }
    }
    let added = work::add_message(app, &row, sent).await?;
    let thread = tickets::messages(&app.db, id, true).await?;
    match added {
        Added::New => json(201, &thread),
        Added::Replayed => replayed(json(200, &thread)?),
    }
}

/// The files a message names must be this agent's uploads on this ticket,
/// not sent yet, and small enough together to go by mail.
async fn check_uploads(app: &App, me: &AgentRow, ticket: &str, ids: &[String]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let found = attachments::unsent(&app.db, ticket, &me.id, ids).await?;
    if let Some(missing) = ids.iter().find(|id| !found.iter().any(|f| &f.id == *id)) {
        return Err(AppError::invalid(
            "attachments",
            format!("attachments: {missing} is not a file you uploaded to this ticket and have not sent yet"),
        ));
    }
    if let Some(why) = attachment::refused(found.iter().map(|f| (f.name.as_str(), f.size))) {
        return Err(AppError::invalid("attachments", format!("attachments: {why}")));
    }
    Ok(())
}

/// An agent uploads a file for a message on this ticket: the body is the
/// file, `Content-Type` its type and the `name` query its name. It goes
/// with the message whose `attachments` name it; one never sent is
/// deleted by the cron after a day.
pub(super) async fn upload(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::agent(app, req).await?;
    let row = work::load(app, id).await?;
    if row.customer_erased_at.is_some() {
        return Err(AppError::Conflict("the customer's data was erased; this ticket takes no more files".into()));
    }
    let file = req.uploaded_file().await?;
    let kept = files::keep(app, &row.id, None, Some(&me.id), std::slice::from_ref(&file)).await?;
    app.audit(&me.id, "ticket.file_uploaded", &row.id, file_detail(&kept[0])).await?;
    json(201, &kept[0])
}

/// Mails a reply that could not be mailed again now; answers with the
/// thread, which says how it went.
pub(super) async fn send_again(app: &App, req: &mut Req, id: &str, message: &str) -> AppResult<Response> {
    let me = auth::agent(app, req).await?;
    let row = work::load(app, id).await?;
    crate::desk::mail::send_again(app, &row, message).await?;
    app.audit(&me.id, "ticket.mail_again", &row.id, serde_json::json!({ "message": message })).await?;
    json(200, &tickets::messages(&app.db, id, true).await?)
}

/// Merges this ticket into another of the customer's; answers with the
/// ticket it was merged into.
pub(super) async fn merge(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::agent(app, req).await?;
    let duplicate = work::load(app, id).await?;
    let m: MergeTickets = req.json().await?;
    let into = m.validate()?;
    let target = match work::load(app, into).await {
        Err(AppError::NotFound(_)) => {
            return Err(AppError::invalid("into", format!("into: there is no ticket {into}")));
        }
        other => other?,
    };
    crate::desk::merge::merge(app, &me, &duplicate, &target).await?;
    json(200, &detail_view(app, &target.id).await?)
}

/// An agent reports being on the ticket's page (typing or not, or
/// leaving); answers with the other agents on it now.
pub(super) async fn presence(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::agent(app, req).await?;
    let row = work::load(app, id).await?;
    let p: PresenceUpdate = req.json().await?;
    // Presence is advisory and reported every few seconds: a report the
    // busy database cannot take now is dropped, and one it cannot answer
    // sees no one (the next, seconds later, says the same), rather than an
    // error for the page to show.
    match store_presence::report(&app.db, &row.id, &me.id, p.typing, p.leaving, app.now).await {
        Err(AppError::Unavailable) => worker::console_warn!("presence on {}: not kept, as D1 is busy", row.id),
        other => other?,
    }
    let others = match store_presence::others(&app.db, &row.id, &me.id, app.now - PRESENCE_FRESH_MS).await {
        Err(AppError::Unavailable) => {
            worker::console_warn!("presence on {}: not read, as D1 is busy", row.id);
            Vec::new()
        }
        other => other?,
    };
    json(200, &others)
}

/// One change to several tickets; each is changed as by `PATCH` (rules
/// and audit included), and one that cannot be changed does not stop the
/// others: the answer says which changed and why the rest did not.
pub(super) async fn bulk(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::agent(app, req).await?;
    let b: BulkUpdate = req.json().await?;
    b.validate()?;
    let mut result = BulkResult { updated: Vec::new(), failed: Vec::new() };
    for id in &b.ids {
        let outcome = match work::load(app, id).await {
            Ok(row) => work::update(app, &me, &row, &b.update).await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => result.updated.push(id.clone()),
            // A database that stays busy fails the whole request, so the
            // client retries it rather than reading a partial failure.
            Err(AppError::Unavailable) => return Err(AppError::Unavailable),
            Err(AppError::Internal(detail)) => return Err(AppError::Internal(detail)),
            Err(e) => result.failed.push(BulkFailure { id: id.clone(), error: e.message() }),
        }
    }
    json(200, &result)
}
