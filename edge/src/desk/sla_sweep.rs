//! The cron job: mark tickets whose SLA ran out, let the rules escalate
//! them, and mail the alerts agents asked for.

use super::work::{load, run_rules};
use crate::crypto::new_id;
use crate::error::AppResult;
use crate::state::App;
use crate::store::tickets::{self, NewMessageRow};
use deflect_shared::mail_alert::Event;
use deflect_shared::rules::Trigger;

/// Returns how many tickets were newly marked.
pub(crate) async fn sweep(app: &App) -> AppResult<usize> {
    let due = tickets::newly_breached(&app.db, app.now).await?;
    for d in &due {
        let first = d.breached_first == 0.0 && d.first_response_at.is_none() && (d.first_response_due as i64) < app.now;
        let resolution = d.breached_resolution == 0.0 && (d.resolution_due as i64) < app.now;
        // Only the first sweep to mark a breach goes on (the cron can
        // overlap with itself).
        let marked = tickets::mark_breached(&app.db, &d.id, first, resolution).await?;
        if !marked {
            continue;
        }
        let what = match (first, resolution) {
            (true, true) => "first response and resolution",
            (true, false) => "first response",
            _ => "resolution",
        };
        let id = new_id()?;
        let body = format!("SLA breached: the {what} target was missed.");
        crate::store::run_stmt(&tickets::insert_message_stmt(
            &app.db,
            &NewMessageRow {
                id: &id,
                ticket: &d.id,
                author: "system",
                author_id: None,
                body: &body,
                internal: true,
                idempotency_key: None,
            },
            app.now,
        )?)
        .await?;
        app.audit("system", "sla.breached", &d.id, serde_json::json!({ "target": what })).await?;
        run_rules(app, &load(app, &d.id).await?, Trigger::SlaBreached).await?;
        // After the rules, which may have given it to someone.
        super::mail_alerts::notify(app, &load(app, &d.id).await?, &[Event::SlaMissed], None).await?;
    }
    Ok(due.len())
}
