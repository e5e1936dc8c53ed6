//! Mail alerts to agents, so they hear of work without a dashboard tab
//! open: a teammate's mention in a note, a ticket given to them, a missed
//! SLA, their customer writing again, a new ticket for their team (each
//! chosen by the agent on their account page; `deflect_shared::mail_alert`
//! says who gets which).
//!
//! [`notify`] queues one alert per agent in `mail_alerts` and mails it once
//! the response is sent; the cron tries a failed one again, as replies are.
//! An agent may ask for alerts in business hours only: those that come
//! while the desk is closed wait in the queue for its next opening, when
//! the cron sends them together (a digest, from [`DIGEST_FROM`] on).
//! Alerts go from the site's reply address, else `DEFLECT_SUPPORT_EMAIL`;
//! with neither, there is no address to send from and none are queued.

use super::mail::{MAX_ATTEMPTS, backoff_minutes, support_address};
use crate::crypto::new_id;
use crate::error::{AppError, AppResult};
use crate::state::App;
use crate::store::mail_alerts::{self as store, DueAlert, NewAlert};
use crate::store::tickets::{self, TicketRow};
use crate::store::{agents, from_json};
use deflect_shared::api::{Author, SPAM_TAG};
use deflect_shared::email::reference;
use deflect_shared::mail_alert::{self, Agent, Alert, DIGEST_FROM, DigestItem, Envelope, Event, Happening};
use deflect_shared::mention;

/// The most alerts one run mails.
const BATCH: u32 = 20;
/// Days a sent alert is kept (to show it went) before it is forgotten.
const KEPT_DAYS: i64 = 30;

/// The address alerts about this ticket come from, if the desk has one.
async fn sender(app: &App, row: &TicketRow) -> AppResult<Option<String>> {
    let settings = app.settings().await?;
    Ok(settings
        .site(&row.site_id)
        .and_then(|s| s.reply_address.clone())
        .or_else(|| support_address(app))
        .or_else(|| row.mail_address.clone()))
}

/// The address mail about no one ticket (a daily summary) comes from,
/// and the name it goes by: `DEFLECT_SUPPORT_EMAIL`, else the first
/// site's reply address; `None` when the desk has neither.
pub(crate) async fn desk_sender(app: &App) -> AppResult<Option<(String, String)>> {
    let settings = app.settings().await?;
    let site = settings.sites.iter().find(|s| s.reply_address.is_some());
    Ok(match (support_address(app), site) {
        (Some(address), _) => Some((address, site.map_or_else(|| "Deflect".to_string(), |s| s.name.clone()))),
        (None, Some(s)) => s.reply_address.clone().map(|a| (a, s.name.clone())),
        (None, None) => None,
    })
}

/// Whether the desk has any address to mail alerts from, for the account
/// page to say so when it has none.
pub(crate) async fn can_send(app: &App) -> AppResult<bool> {
    Ok(desk_sender(app).await?.is_some())
}

/// Why the latest alert to this agent could not be sent, when it could
/// not, for their account page.
pub(crate) async fn last_failure(app: &App, agent: &str) -> AppResult<Option<String>> {
    store::last_failure(&app.db, agent, MAX_ATTEMPTS).await
}

/// Queues the alerts these events on a ticket call for, and mails them
/// once the response is sent. `actor` is the agent who acted, if one did:
/// no one is alerted of what they did themselves.
pub(crate) async fn notify(app: &App, row: &TicketRow, events: &[Event], actor: Option<&str>) -> AppResult<()> {
    queue_for(app, row, events, actor, None).await
}

/// Alerts the teammates an internal note mentions (`@handle`, see
/// `deflect_shared::mention`).
pub(crate) async fn note_written(app: &App, row: &TicketRow, note: &str, author: &str, text: &str) -> AppResult<()> {
    if mention::handles(text).is_empty() {
        return Ok(());
    }
    queue_for(app, row, &[Event::Mentioned], Some(author), Some((note, text))).await
}

/// Queues the alerts of a happening: `note` is the id and text of a note
/// whose mentions count.
async fn queue_for(
    app: &App,
    row: &TicketRow,
    events: &[Event],
    actor: Option<&str>,
    note: Option<(&str, &str)>,
) -> AppResult<()> {
    if row.merged_into.is_some() || row.customer_erased_at.is_some() {
        return Ok(());
    }
    let roster = agents::list(&app.db).await?;
    // Most desks have few agents with alerts on; most events alert no one.
    if !roster.iter().any(|a| events.iter().any(|e| e.wanted_by(&a.mail_alerts()))) {
        return Ok(());
    }
    if sender(app, row).await?.is_none() {
        return Ok(());
    }
    let teams: Vec<Vec<String>> = roster.iter().map(|a| from_json(&a.teams)).collect();
    let people: Vec<Agent<'_>> = roster
        .iter()
        .zip(&teams)
        .map(|(a, teams)| Agent {
            id: &a.id,
            active: a.active != 0.0,
            away: a.away != 0.0,
            teams,
            alerts: a.mail_alerts(),
        })
        .collect();
    let addresses: Vec<(&str, &str)> = roster.iter().map(|a| (a.id.as_str(), a.email.as_str())).collect();
    let mentioned = note.map(|(_, text)| mention::mentioned(text, &addresses)).unwrap_or_default();
    let followed = if events.iter().any(|e| matches!(e, Event::CustomerReplied | Event::SlaMissed)) {
        store::followers(&app.db, &row.id).await?
    } else {
        Vec::new()
    };
    let followers: Vec<&str> = followed.iter().map(String::as_str).collect();
    let tags: Vec<String> = from_json(&row.tags);
    let happening = Happening {
        events,
        assignee: row.assignee_id.as_deref(),
        team: row.team.as_deref(),
        actor,
        mentioned: &mentioned,
        followers: &followers,
        spam: tags.iter().any(|t| t == SPAM_TAG) && row.status == "closed",
    };
    let settings = app.settings().await?;
    let hours = settings.sla.business_hours.as_ref().and_then(|h| h.schedule().ok());
    let mut queued = false;
    for (agent, event) in mail_alert::recipients(&happening, &people) {
        let wants = people.iter().find(|p| p.id == agent).map(|p| p.alerts).unwrap_or_default();
        let next_at = mail_alert::send_at(app.now, &wants, hours.as_ref());
        let alert = NewAlert {
            next_at,
            id: &new_id()?,
            agent: &agent,
            ticket: &row.id,
            event: event.as_str(),
            message: note.map(|(id, _)| id).filter(|_| event == Event::Mentioned),
        };
        queued |= store::queue(&app.db, &alert, app.now).await? && next_at <= app.now;
    }
    if queued {
        deliver_soon(app);
    }
    Ok(())
}

/// Sends now what waited for business hours, when the agent no longer
/// wants to wait.
pub(crate) async fn release_held(app: &App, agent: &str) -> AppResult<()> {
    if store::release_held(&app.db, agent, app.now).await? > 0 {
        deliver_soon(app);
    }
    Ok(())
}

/// Mails what is due once the response is sent.
fn deliver_soon(app: &App) {
    app.defer_job("mail alerts", |app| async move { deliver_due(&app, Run::AfterRequest).await });
}

/// Who runs a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Run {
    /// The request that queued alerts, once its response is sent: it
    /// takes them all at once, so a burst (a selection given to an agent)
    /// is one digest.
    AfterRequest,
    /// The cron: it takes only alerts due a while, whose request's own
    /// run did not send them, so it never splits a burst still queued.
    Cron,
}

/// How long the cron leaves a due alert to its request's own run.
const CRON_WAITS_MS: i64 = 30_000;

/// Mails the alerts that are due (new, or failed and due again), each
/// claimed first as replies are (see `desk::mail::deliver_due`); an agent
/// with [`DIGEST_FROM`] or more due at once gets them in one mail. Forgets
/// those done with a month ago. Returns how many went.
pub(crate) async fn deliver_due(app: &App, run: Run) -> AppResult<usize> {
    store::fail_lapsed_last(&app.db, app.now, MAX_ATTEMPTS, "the last attempt did not finish").await?;
    let until = if run == Run::Cron { app.now - CRON_WAITS_MS } else { app.now };
    let due = store::due(&app.db, until, MAX_ATTEMPTS, BATCH).await?;
    let mut agents: Vec<&str> = Vec::new();
    for a in &due {
        if !agents.contains(&a.agent_id.as_str()) {
            agents.push(&a.agent_id);
        }
    }
    let mut sent = 0;
    for agent in agents {
        let mut claimed = Vec::new();
        for a in due.iter().filter(|a| a.agent_id == agent) {
            let attempt = a.attempts as i64 + 1;
            let until = app.now + backoff_minutes(attempt) * 60_000;
            if store::claim(&app.db, &a.id, attempt, until).await? {
                claimed.push((a, attempt));
            }
        }
        if claimed.len() >= DIGEST_FROM {
            let alerts: Vec<&DueAlert> = claimed.iter().map(|(a, _)| *a).collect();
            let outcome = send_digest(app, agent, &alerts).await;
            for (a, attempt) in &claimed {
                finish(app, a, *attempt, &outcome).await?;
            }
            sent += if outcome.is_ok() { claimed.len() } else { 0 };
        } else {
            for (a, attempt) in claimed {
                let outcome = send(app, a).await;
                finish(app, a, attempt, &outcome).await?;
                sent += usize::from(outcome.is_ok());
            }
        }
    }
    store::forget_done(&app.db, app.now - KEPT_DAYS * 86_400_000, MAX_ATTEMPTS).await?;
    Ok(sent)
}

/// Records how an attempt at an alert went.
async fn finish(app: &App, a: &DueAlert, attempt: i64, outcome: &Result<(), String>) -> AppResult<()> {
    let error = outcome.as_ref().err().map(|e| e.chars().take(300).collect::<String>());
    let state = if outcome.is_ok() { "sent" } else { "failed" };
    store::finish(&app.db, &a.id, attempt, state, error.as_deref()).await
}

/// Logs a failure that is the desk's, and gives its words for the record.
fn failed(e: AppError) -> String {
    worker::console_error!("mail alert: {e:?}");
    e.message()
}

/// Sends several alerts to one agent as one mail: a line and a link per
/// ticket, without the customers' words.
async fn send_digest(app: &App, agent: &str, alerts: &[&DueAlert]) -> Result<(), String> {
    let agent = agents::by_id(&app.db, agent).await.map_err(failed)?.ok_or("the agent is gone")?;
    if agent.active == 0.0 {
        return Ok(());
    }
    let wanted = agent.mail_alerts();
    let mut rows = Vec::new();
    for a in alerts {
        let Some(event) = Event::parse(&a.event).filter(|e| e.wanted_by(&wanted)) else { continue };
        if let Some(row) = tickets::by_id(&app.db, &a.ticket_id).await.map_err(failed)?
            && row.customer_erased_at.is_none()
        {
            let tag = reference::tag(&row.id);
            rows.push((event, row, tag, a.id.as_str()));
        }
    }
    let Some((_, first, _, first_alert)) = rows.first() else { return Ok(()) };
    let from = sender(app, first).await.map_err(failed)?.ok_or("no address to send from is set")?;
    let settings = app.settings().await.map_err(failed)?;
    let site = settings.site(&first.site_id).map_or_else(|| first.site_id.clone(), |s| s.name.clone());
    let links: Vec<Option<String>> = rows.iter().map(|(_, row, _, _)| app.ticket_link(&row.id)).collect();
    let items: Vec<DigestItem<'_>> = rows
        .iter()
        .zip(&links)
        .map(|((event, row, tag, _), link)| DigestItem {
            event: *event,
            subject: &row.subject,
            tag,
            link: link.as_deref(),
        })
        .collect();
    let message_id = reference::alert_id(&first.id, first_alert, reference::domain(&from));
    let envelope = Envelope {
        from: &from,
        from_name: &site,
        to: &agent.email,
        to_name: &agent.name,
        message_id: &message_id,
        sent_at: app.now,
    };
    mail(app, &from, &agent.email, &mail_alert::compose_digest(&envelope, &items)).await
}

/// Sends one composed mail through the `EMAIL` binding.
pub(crate) async fn mail(app: &App, from: &str, to: &str, raw: &str) -> Result<(), String> {
    let binding = app.env.send_email("EMAIL").map_err(|e| format!("the EMAIL binding is missing: {e}"))?;
    let message = worker::EmailMessage::new(from, to, raw)
        .map_err(|e| format!("the mail was refused: {}", String::from(e.message())))?;
    binding.send(&message).await.map_err(|e| format!("sending failed: {}", String::from(e.message())))?;
    Ok(())
}

/// Writes and sends one alert from the ticket as it is now; why not, in
/// words, when it cannot.
async fn send(app: &App, a: &DueAlert) -> Result<(), String> {
    let event = Event::parse(&a.event).ok_or_else(|| format!("no such alert as {}", a.event))?;
    let row = tickets::by_id(&app.db, &a.ticket_id).await.map_err(failed)?.ok_or("the ticket is gone")?;
    if row.customer_erased_at.is_some() {
        return Err("the customer's data was erased".into());
    }
    let agent = agents::by_id(&app.db, &a.agent_id).await.map_err(failed)?.ok_or("the agent is gone")?;
    if agent.active == 0.0 || !event.wanted_by(&agent.mail_alerts()) {
        // Turned off since: nothing to send, and nothing failed.
        return Ok(());
    }
    let from = sender(app, &row).await.map_err(failed)?.ok_or("no address to send from is set")?;
    let messages = tickets::messages(&app.db, &row.id, a.message_id.is_some()).await.map_err(failed)?;
    let (who, text) = match &a.message_id {
        // A mention quotes its note.
        Some(note) => {
            let m = messages.iter().find(|m| &m.id == note).ok_or("the note is gone")?;
            (m.author_name.clone().unwrap_or_else(|| "A teammate".into()), m.body.as_str())
        }
        None => {
            let who = match &row.customer_name {
                Some(name) if !name.trim().is_empty() => name.clone(),
                _ => app.key().await.map_err(failed)?.decrypt(&row.customer_email_enc).await.map_err(failed)?,
            };
            let last = messages.iter().rev().find(|m| matches!(m.author, Author::Customer));
            (who, last.map_or("", |m| m.body.as_str()))
        }
    };
    let settings = app.settings().await.map_err(failed)?;
    let site = settings.site(&row.site_id).map_or_else(|| row.site_id.clone(), |s| s.name.clone());
    let link = app.ticket_link(&row.id);
    let message_id = reference::alert_id(&row.id, &a.id, reference::domain(&from));
    let raw = mail_alert::compose(&Alert {
        event,
        from: &from,
        from_name: &site,
        to: &agent.email,
        to_name: &agent.name,
        subject: &row.subject,
        tag: &reference::tag(&row.id),
        who: &who,
        text,
        link: link.as_deref(),
        message_id: &message_id,
        sent_at: app.now,
    });
    mail(app, &from, &agent.email, &raw).await
}
