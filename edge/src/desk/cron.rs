//! The minute's cron: SLA breaches, snoozes that ended, retention,
//! scheduled rules, webhook retries, replies and agents' alerts to mail
//! again, and forgetting
//! stale presence reports and files uploaded for replies never sent.
//! Each part logs its own failure and the next one still runs.

use crate::state::App;

pub(crate) async fn run(app: &App) {
    match super::sla_sweep::sweep(app).await {
        Ok(n) if n > 0 => worker::console_log!("cron: {n} tickets breached their SLA"),
        Ok(_) => {}
        Err(e) => worker::console_error!("cron, SLA: {e:?}"),
    }
    match super::work::wake_snoozed(app).await {
        Ok(n) if n > 0 => worker::console_log!("cron: {n} snoozed tickets opened again"),
        Ok(_) => {}
        Err(e) => worker::console_error!("cron, snooze: {e:?}"),
    }
    match super::retention::run(app).await {
        Ok(s) if s.customers > 0 || s.questions > 0 => worker::console_log!(
            "cron: retention erased {} customers and {} widget questions",
            s.customers,
            s.questions
        ),
        Ok(_) => {}
        Err(e) => worker::console_error!("cron, retention: {e:?}"),
    }
    if let Err(e) = super::scheduled_rules::run(app).await {
        worker::console_error!("cron, scheduled rules: {e:?}");
    }
    // Deliveries the rules just queued are held for their first attempt,
    // made after the run, so this takes only older ones.
    if let Err(e) = super::webhooks::retry_due(app).await {
        worker::console_error!("cron, webhooks: {e:?}");
    }
    match super::mail::deliver_due(app).await {
        Ok(n) if n > 0 => worker::console_log!("cron: {n} replies mailed"),
        Ok(_) => {}
        Err(e) => worker::console_error!("cron, mail: {e:?}"),
    }
    match super::mail_alerts::deliver_due(app, super::mail_alerts::Run::Cron).await {
        Ok(n) if n > 0 => worker::console_log!("cron: {n} alerts mailed to agents"),
        Ok(_) => {}
        Err(e) => worker::console_error!("cron, mail alerts: {e:?}"),
    }
    match super::daily_summary::send_due(app).await {
        Ok(n) if n > 0 => worker::console_log!("cron: {n} daily summaries mailed"),
        Ok(_) => {}
        Err(e) => worker::console_error!("cron, daily summaries: {e:?}"),
    }
    // Presence counts for half a minute; an hour-old report is only noise.
    if let Err(e) = crate::store::presence::forget_before(&app.db, app.now - 3_600_000).await {
        worker::console_error!("cron, presence: {e:?}");
    }
    // An agent who uploads a file and does not send the reply within a day
    // has dropped it.
    match crate::store::attachments::forget_unsent_before(&app.db, app.now - 86_400_000).await {
        Ok(n) if n > 0 => worker::console_log!("cron: {n} files never sent deleted"),
        Ok(_) => {}
        Err(e) => worker::console_error!("cron, unsent files: {e:?}"),
    }
    // Files kept in D1 before R2 came in move to R2, a few a run.
    match super::files::move_to_objects(app).await {
        Ok(n) if n > 0 => worker::console_log!("cron: {n} files moved from D1 to R2"),
        Ok(_) => {}
        Err(e) => worker::console_error!("cron, files to R2: {e:?}"),
    }
    // The R2 objects of files deleted since (those above, an erasure's).
    match super::files::delete_dropped(app).await {
        Ok(n) if n > 0 => worker::console_log!("cron: {n} deleted files' objects removed from R2"),
        Ok(_) => {}
        Err(e) => worker::console_error!("cron, deleted files' objects: {e:?}"),
    }
}
