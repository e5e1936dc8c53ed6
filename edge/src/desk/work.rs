//! What agents and customers do to an existing ticket: replies, notes,
//! status, assignment, priority overrides, article links, ratings.

use super::intake::after_automation;
use super::views::level;
use crate::crypto::new_id;
use crate::error::{AppError, AppResult};
use crate::state::App;
use crate::store::agents::{self, AgentRow};
use crate::store::tickets::{self, NewMessageRow, Pause, TicketRow};
use crate::store::{articles, attachments, from_json};
use deflect_shared::api::{NewMessage, Status, TicketUpdate};
use deflect_shared::attachment::{self, IncomingFile};
use deflect_shared::mail_alert::Event;
use deflect_shared::priority::Level;
use deflect_shared::rules::{RuleSet, TicketFacts, Trigger};

pub(crate) async fn load(app: &App, id: &str) -> AppResult<TicketRow> {
    tickets::by_id(&app.db, id).await?.ok_or_else(|| AppError::NotFound(format!("there is no ticket {id}")))
}

/// After a status change: the resolution clock stops while the ticket
/// waits for the customer (pending), and when it leaves pending the
/// deadline moves on by the working time that was left.
async fn settle_pause(app: &App, id: &str) -> AppResult<()> {
    let row = load(app, id).await?;
    let pause = match (row.status == "pending", row.pending_since) {
        (true, None) => Pause::Start,
        (false, Some(since)) => {
            let since = since as i64;
            let sla = app.settings().await?.sla;
            let due = sla.resume(row.resolution_due as i64, since, app.now);
            Pause::End { since, resolution_due: due, credit_minutes: sla.credit(row.resolution_due as i64, due) }
        }
        _ => return Ok(()),
    };
    tickets::set_pause(&app.db, id, pause, app.now).await
}

/// What [`add_message`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Added {
    /// The message is new.
    New,
    /// The same message was added before under the same idempotency key;
    /// nothing changed.
    Replayed,
}

/// A message as someone sends it to a ticket.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sent<'a> {
    /// The agent who wrote it; `None` for the customer.
    pub(crate) author: Option<&'a AgentRow>,
    pub(crate) body: &'a str,
    /// An internal note (agents only).
    pub(crate) internal: bool,
    /// The caller's `Idempotency-Key`, if any.
    pub(crate) key: Option<&'a str>,
    /// Files kept on this ticket without a message yet, sent with it: an
    /// agent's uploads (checked by the caller with
    /// `store::attachments::unsent`), or the files of a customer's form,
    /// kept just before.
    pub(crate) files: &'a [String],
}

/// Whether this message was added before under its key: the same author,
/// text and kind. The key used for another message is a conflict. Callers
/// ask first, so that a retry of a message that was added is answered as
/// such even if the ticket moved on since (closed, merged, written to).
pub(crate) async fn added_before(app: &App, row: &TicketRow, m: Sent<'_>) -> AppResult<bool> {
    let Some(key) = m.key else { return Ok(false) };
    let Some(kept) = tickets::message_by_key(&app.db, &row.id, key).await? else { return Ok(false) };
    if kept.author_id.as_deref() == m.author.map(|a| a.id.as_str())
        && kept.body == m.body
        && (kept.internal != 0.0) == m.internal
    {
        Ok(true)
    } else {
        Err(AppError::Conflict("this Idempotency-Key was used for another message on this ticket".into()))
    }
}

/// The customer writes to the ticket, with files (on their request's
/// page, or from the widget): a message without text says which files it
/// brings. Kept once per key, as [`add_message`].
pub(crate) async fn customer_writes(
    app: &App,
    row: &TicketRow,
    text: &str,
    key: Option<&str>,
    files: &[IncomingFile],
) -> AppResult<Added> {
    let text =
        if text.trim().is_empty() && !files.is_empty() { attachment::without_text(files) } else { text.to_string() };
    let body = NewMessage { body: text, internal: false, seen_up_to: None, attachments: Vec::new() }.validate()?;
    let sent = Sent { author: None, body: &body, internal: false, key, files: &[] };
    if added_before(app, row, sent).await? {
        return Ok(Added::Replayed);
    }
    // Kept first without a message; the message takes them in its own
    // transaction (had it failed, the cron drops them a day later).
    let kept: Vec<String> =
        super::files::keep(app, &row.id, None, None, files).await?.into_iter().map(|f| f.id).collect();
    add_message(app, row, Sent { files: &kept, ..sent }).await
}

/// Adds a message, once per idempotency key when there is one (see
/// [`added_before`]). An agent's first public reply stops the
/// first-response clock; a customer's reply reopens a pending or solved
/// ticket.
pub(crate) async fn add_message(app: &App, row: &TicketRow, m: Sent<'_>) -> AppResult<Added> {
    let Sent { author, body, internal, key, files } = m;
    if let Some(into) = &row.merged_into {
        return Err(AppError::Conflict(format!("this ticket was merged into ticket {into}; write there")));
    }
    if row.status == "closed" {
        return Err(AppError::Conflict("the ticket is closed; open a new one".into()));
    }
    if row.customer_erased_at.is_some() {
        return Err(AppError::Conflict("the customer's data was erased; this ticket takes no more messages".into()));
    }
    let id = new_id()?;
    let who = if author.is_some() { "agent" } else { "customer" };
    let mut statements = vec![tickets::insert_message_stmt(
        &app.db,
        &NewMessageRow {
            id: &id,
            ticket: &row.id,
            author: who,
            author_id: author.map(|a| a.id.as_str()),
            body,
            internal,
            idempotency_key: key,
        },
        app.now,
    )?];
    // The files join the message in the same transaction, before its mail
    // is queued, so the mail carries them.
    if !files.is_empty() {
        statements.push(attachments::attach_stmt(&app.db, &row.id, &id, files)?);
    }
    let inserted = crate::store::batch(&app.db, statements).await?.first().copied().unwrap_or(0);
    if inserted == 0 {
        // Another request under the same key won the race, or the ticket
        // is gone.
        if added_before(app, row, m).await? {
            return Ok(Added::Replayed);
        }
        return Err(AppError::NotFound(format!("there is no ticket {}", row.id)));
    }
    match author {
        Some(agent) if !internal => {
            tickets::replied(&app.db, &row.id, app.now).await?;
            settle_pause(app, &row.id).await?;
            app.audit(&agent.id, "ticket.reply", &row.id, serde_json::json!({ "message": id })).await?;
            if super::mail::mailed_from(app, row).await?.is_some() {
                super::mail::queue(app, &id).await?;
            }
        }
        Some(agent) => {
            tickets::touched(&app.db, &row.id, app.now).await?;
            app.audit(&agent.id, "ticket.note", &row.id, serde_json::json!({ "message": id })).await?;
            super::mail_alerts::note_written(app, row, &id, &agent.id, body).await?;
        }
        None => {
            tickets::customer_wrote(&app.db, &row.id, app.now).await?;
            settle_pause(app, &row.id).await?;
            run_rules(app, &load(app, &row.id).await?, Trigger::TicketUpdated).await?;
            // After the rules, which may have given the ticket to someone.
            super::mail_alerts::notify(app, &load(app, &row.id).await?, &[Event::CustomerReplied], None).await?;
        }
    }
    Ok(Added::New)
}

/// Applies an agent's changes, records overrides as training data and
/// writes the audit log.
pub(crate) async fn update(app: &App, agent: &AgentRow, row: &TicketRow, u: &TicketUpdate) -> AppResult<()> {
    u.validate()?;
    if let Some(into) = &row.merged_into {
        return Err(AppError::Conflict(format!(
            "this ticket was merged into ticket {into}; change that one (a merged ticket stays closed)"
        )));
    }
    let settings = app.settings().await?;
    let mut detail = serde_json::Map::new();
    // A snooze makes the ticket wait for its customer until then; any
    // other status ends a snooze.
    let snoozed_until = u.snooze_hours.map(|h| app.now + i64::from(h) * 3_600_000);
    let status = if snoozed_until.is_some() { Some(Status::Pending) } else { u.status };
    if let Some(s) = status {
        detail.insert("status".into(), s.as_str().into());
    }
    if let Some(h) = u.snooze_hours {
        detail.insert("snooze_hours".into(), h.into());
    }
    if let Some(a) = &u.assignee {
        if !a.is_empty() {
            let target = agents::by_id(&app.db, a)
                .await?
                .ok_or_else(|| AppError::invalid("assignee", format!("assignee: there is no agent {a}")))?;
            if target.active == 0.0 {
                return Err(AppError::invalid("assignee", "assignee: that agent is inactive"));
            }
        }
        detail.insert("assignee".into(), a.clone().into());
    }
    // An override moves the SLA clock to the new level's targets, keeping
    // the time the ticket waited for its customer.
    let due = settings.sla.due_after_pauses(
        row.created_at as i64,
        u.priority.unwrap_or_else(|| level(row)),
        row.paused_minutes as i64,
    );
    if let Some(p) = u.priority {
        detail.insert("priority".into(), p.as_str().into());
    }
    let tags_json = u.tags.as_ref().map(serde_json::to_string).transpose()?;
    if let Some(t) = &u.tags {
        detail.insert("tags".into(), serde_json::to_value(t)?);
    }
    if let Some(article) = &u.solved_by_article {
        if !article.is_empty() && articles::get(&app.db, &row.site_id, article).await?.is_none() {
            return Err(AppError::invalid(
                "solved_by_article",
                format!("solved_by_article: there is no article {article}"),
            ));
        }
        detail.insert("solved_by_article".into(), article.clone().into());
    }
    let change = tickets::AgentChange {
        status: status.map(Status::as_str),
        assignee: u.assignee.as_deref().map(|a| Some(a).filter(|a| !a.is_empty())),
        priority: u.priority.map(|p| (p.as_str(), due.first_response_due, due.resolution_due)),
        tags: tags_json.as_deref(),
        solved_article: u.solved_by_article.as_deref().map(|a| Some(a).filter(|a| !a.is_empty())),
        snoozed_until,
    };
    tickets::change(&app.db, &row.id, &change, app.now).await?;
    if let Some(p) = u.priority {
        let computed = Level::parse(&row.priority_level).unwrap_or(Level::Normal);
        let o = tickets::OverrideRow {
            id: &new_id()?,
            ticket: &row.id,
            agent: &agent.id,
            features: &row.priority_features,
            computed: computed.as_str(),
            chosen: p.as_str(),
        };
        tickets::record_override(&app.db, &o, app.now).await?;
    }
    if let Some(s) = status {
        settle_pause(app, &row.id).await?;
        super::rating_request::after_status_change(app, row, s.as_str()).await?;
    }
    app.audit(&agent.id, "ticket.update", &row.id, serde_json::Value::Object(detail)).await?;
    let now = load(app, &row.id).await?;
    let given = u.assignee.as_deref().is_some_and(|a| !a.is_empty() && row.assignee_id.as_deref() != Some(a));
    if given {
        super::mail_alerts::notify(app, &now, &[Event::Assigned], Some(&agent.id)).await?;
    }
    run_rules(app, &now, Trigger::TicketUpdated).await?;
    Ok(())
}

/// Runs the rules for an event on a stored ticket and stores what they
/// changed.
pub(crate) async fn run_rules(app: &App, row: &TicketRow, trigger: Trigger) -> AppResult<()> {
    let settings = app.settings().await?;
    let rules = RuleSet::from_specs(settings.rules.clone())?;
    let messages = tickets::messages(&app.db, &row.id, false).await?;
    let text = std::iter::once(row.subject.clone())
        .chain(
            messages
                .iter()
                .filter(|m| matches!(m.author, deflect_shared::api::Author::Customer))
                .map(|m| m.body.clone()),
        )
        .collect::<Vec<_>>()
        .join("\n");
    let facts = TicketFacts {
        channel: row.channel.clone(),
        subject: row.subject.clone(),
        text,
        priority: level(row),
        priority_score: row.priority_score as f32,
        customer_plan: row.customer_plan.clone(),
        tags: from_json(&row.tags),
        status: row.status.clone(),
        hours_since_update: ((app.now - row.updated_at as i64) as f32 / 3_600_000.0).max(0.0),
        locale: row.locale.clone(),
        assignee: row.assignee_id.clone(),
        team: row.team.clone(),
    };
    let outcome = rules.run(trigger, &facts);
    if outcome.applied.is_empty() {
        return Ok(());
    }
    let f = &outcome.facts;
    let new_level = (f.priority != facts.priority).then_some(f.priority);
    let due = new_level.map(|l| settings.sla.due_after_pauses(row.created_at as i64, l, row.paused_minutes as i64));
    let tags = serde_json::to_string(&f.tags)?;
    let change = tickets::RuleChange {
        tags: &tags,
        status: &f.status,
        team: f.team.as_deref(),
        priority: new_level.zip(due).map(|(l, d)| (l.as_str(), d.first_response_due, d.resolution_due)),
    };
    tickets::apply_rules(&app.db, &row.id, &change, app.now).await?;
    if f.status != facts.status {
        settle_pause(app, &row.id).await?;
        super::rating_request::after_status_change(app, row, &f.status).await?;
    }
    if f.team != facts.team && f.team.is_some() {
        reassign_to_team(app, row, f.team.as_deref()).await?;
    }
    for a in &outcome.applied {
        if let deflect_shared::rules::Action::AutoReply { article } = &a.action
            && let Some(art) = articles::get(&app.db, &row.site_id, article).await?
        {
            let id = new_id()?;
            let body = format!("{}\n\n{}", art.title, art.body);
            crate::store::run_stmt(&tickets::insert_message_stmt(
                &app.db,
                &NewMessageRow {
                    id: &id,
                    ticket: &row.id,
                    author: "system",
                    author_id: None,
                    body: &body,
                    internal: false,
                    idempotency_key: None,
                },
                app.now,
            )?)
            .await?;
            if super::mail::mailed_from(app, row).await?.is_some() {
                super::mail::queue(app, &id).await?;
            }
        }
    }
    after_automation(app, row, &outcome.applied).await
}

async fn reassign_to_team(app: &App, row: &TicketRow, team: Option<&str>) -> AppResult<()> {
    let settings = app.settings().await?;
    let roster = agents::list(&app.db).await?;
    let candidates: Vec<_> = roster.iter().map(|a| a.candidate()).collect();
    let need = deflect_shared::assignment::Need { team: team.map(str::to_string), skill: None };
    let last = crate::store::kv::round_robin_last(&app.kv).await?;
    if let Some(a) = deflect_shared::assignment::assign(&candidates, &need, settings.assignment, last.as_deref()) {
        tickets::assign(&app.db, &row.id, &a.id).await?;
        crate::store::kv::set_round_robin_last(&app.kv, &a.id).await?;
        if row.assignee_id.as_deref() != Some(a.id.as_str()) {
            super::mail_alerts::notify(app, &load(app, &row.id).await?, &[Event::Assigned], None).await?;
        }
    }
    Ok(())
}

/// A customer rates a solved ticket.
pub(crate) async fn rate(app: &App, row: &TicketRow, rating: u8, comment: Option<&str>) -> AppResult<()> {
    if row.merged_into.is_some() {
        return Err(AppError::Conflict("this conversation continues in another ticket; rate that one".into()));
    }
    if !matches!(row.status.as_str(), "solved" | "closed") {
        return Err(AppError::Conflict("a ticket can be rated once it is solved".into()));
    }
    tickets::rate(&app.db, &row.id, rating, comment, app.now).await
}

/// Opens the snoozed tickets whose time came, each with an internal note
/// and the rules' `ticket_updated` run; returns how many.
pub(crate) async fn wake_snoozed(app: &App) -> AppResult<usize> {
    let mut woken = 0;
    for row in &tickets::snooze_ended(&app.db, app.now).await? {
        if !tickets::wake(&app.db, &row.id, app.now).await? {
            // The customer wrote, or an agent acted, since it was read.
            continue;
        }
        woken += 1;
        crate::store::run_stmt(&tickets::insert_message_stmt(
            &app.db,
            &NewMessageRow {
                id: &new_id()?,
                ticket: &row.id,
                author: "system",
                author_id: None,
                body: "The snooze ended: the ticket is open again.",
                internal: true,
                idempotency_key: None,
            },
            app.now,
        )?)
        .await?;
        settle_pause(app, &row.id).await?;
        run_rules(app, &load(app, &row.id).await?, Trigger::TicketUpdated).await?;
    }
    Ok(woken)
}
