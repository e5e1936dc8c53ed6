//! The daily summary (`deflect_shared::daily_summary`): on the first cron
//! run of each of the desk's days (in its business hours' clock, else UTC),
//! each active agent who asked for one is mailed the last 24 hours in
//! figures and what waits now. Each attempt is claimed first, with a
//! compare-and-set on the agent's `summary_day` and `summary_attempts`, so
//! two runs never send it twice; one that fails is tried again after a wait,
//! as replies are, five times at most, and never once the day is over.

use super::mail::{MAX_ATTEMPTS, backoff_minutes};
use super::mail_alerts::{desk_sender, mail};
use super::report;
use crate::crypto::new_id;
use crate::error::AppResult;
use crate::state::App;
use crate::store::agents::{self, AgentRow};
use crate::store::tickets::{self, Filter};
use deflect_shared::daily_summary::{Summary, Waiting, compose};
use deflect_shared::email::reference;
use deflect_shared::mail_alert::Envelope;

const DAY_MS: i64 = 86_400_000;

/// Mails the summaries due; how many went.
pub(crate) async fn send_due(app: &App) -> AppResult<usize> {
    let roster = agents::list(&app.db).await?;
    let wanting: Vec<&AgentRow> = roster.iter().filter(|a| a.active != 0.0 && a.mail_alerts().daily_summary).collect();
    if wanting.is_empty() {
        return Ok(0);
    }
    let Some((from, from_name)) = desk_sender(app).await? else { return Ok(0) };
    let settings = app.settings().await?;
    let day = match settings.sla.business_hours.as_ref().and_then(|h| h.schedule().ok()) {
        Some(hours) => hours.day_of(app.now),
        None => app.now.div_euclid(DAY_MS),
    };
    let queue_link = app.public_url().map(|base| format!("{}/dashboard/#/queue", base.trim_end_matches('/')));
    let mut figures = None;
    let mut sent = 0;
    for agent in wanting {
        let seen = agent.summary_attempts();
        let Some(attempt) = seen.due(day, app.now, MAX_ATTEMPTS as u32) else { continue };
        let until = app.now + backoff_minutes(i64::from(attempt)) * 60_000;
        if !agents::claim_summary(&app.db, &agent.id, &seen, day, attempt, until).await? {
            continue;
        }
        let metrics = match &figures {
            Some(m) => m,
            None => figures.insert(report::metrics(app, 1).await?),
        };
        let open = || vec!["open".to_string()];
        let waiting = Waiting {
            yours: tickets::count(
                &app.db,
                &Filter { statuses: open(), assignee: Some(agent.id.clone()), ..Default::default() },
            )
            .await?,
            unassigned: tickets::count(&app.db, &Filter { statuses: open(), unassigned: true, ..Default::default() })
                .await?,
            past_target: tickets::past_target(&app.db).await?,
        };
        let summary = Summary { day: metrics, waiting, queue_link: queue_link.as_deref() };
        let message_id = reference::alert_id("summary", &format!("{day}.{}", new_id()?), reference::domain(&from));
        let envelope = Envelope {
            from: &from,
            from_name: &from_name,
            to: &agent.email,
            to_name: &agent.name,
            message_id: &message_id,
            sent_at: app.now,
        };
        match mail(app, &from, &agent.email, &compose(&envelope, &summary)).await {
            Ok(()) => {
                agents::summary_sent(&app.db, &agent.id, day).await?;
                sent += 1;
            }
            // The claim's wait stands: a later run tries again.
            Err(e) => worker::console_error!("daily summary to agent {} (attempt {attempt}): {e}", agent.id),
        }
    }
    Ok(sent)
}
