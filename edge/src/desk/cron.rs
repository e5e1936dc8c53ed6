//! The minute's cron: KV's copy of the settings mended, SLA breaches, snoozes that ended, retention,
//! scheduled rules, webhook retries, replies and agents' alerts to mail
//! again, daily summaries, forgetting stale presence reports and files
//! uploaded for replies never sent, moving files kept in D1 to R2, and
//! deleting the R2 objects of deleted files. Each part logs its own
//! failure and the next one still runs.

use crate::error::AppResult;
use crate::state::App;

/// Logs how one part of the run went: how many things it did (`done`
/// names them, after the number), when any, or why it failed.
fn tally<N: std::fmt::Display + PartialEq + Default>(part: &str, done: &str, outcome: AppResult<N>) {
    match outcome {
        Ok(n) if n == N::default() => {}
        Ok(n) => worker::console_log!("cron: {n} {done}"),
        Err(e) => worker::console_error!("cron, {part}: {e:?}"),
    }
}

pub(crate) async fn run(app: &App) {
    // First, so the rest of the run reads the settings as saved.
    if let Ok(true) = super::settings::mend(app).await.inspect_err(|e| worker::console_error!("cron, settings: {e:?}"))
    {
        worker::console_log!("cron: the settings' copy in KV mended from D1");
    }
    tally("SLA", "tickets breached their SLA", super::sla_sweep::sweep(app).await);
    tally("snooze", "snoozed tickets opened again", super::work::wake_snoozed(app).await);
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
    tally("mail", "replies mailed", super::mail::deliver_due(app).await);
    tally(
        "mail alerts",
        "alerts mailed to agents",
        super::mail_alerts::deliver_due(app, super::mail_alerts::Run::Cron).await,
    );
    tally("daily summaries", "daily summaries mailed", super::daily_summary::send_due(app).await);
    // Presence counts for half a minute; an hour-old report is only noise.
    if let Err(e) = crate::store::presence::forget_before(&app.db, app.now - 3_600_000).await {
        worker::console_error!("cron, presence: {e:?}");
    }
    // An agent who uploads a file and does not send the reply within a day
    // has dropped it.
    tally(
        "unsent files",
        "files never sent deleted",
        crate::store::attachments::forget_unsent_before(&app.db, app.now - 86_400_000).await,
    );
    // Files kept in D1 before R2 came in move to R2, a few a run.
    tally("files to R2", "files moved from D1 to R2", super::files::move_to_objects(app).await);
    // The R2 objects of files deleted since (those above, an erasure's).
    tally("deleted files' objects", "deleted files' objects removed from R2", super::files::delete_dropped(app).await);
}
