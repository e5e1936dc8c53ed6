//! The cron's run of the `scheduled` rules: each run checks the next batch
//! of tickets that are not closed, so every ticket is checked every few
//! runs however many there are. A scheduled rule undoes one of its own
//! conditions (`shared::rules` refuses one that does not), so it fires once
//! per ticket.

use super::work::run_rules;
use crate::error::AppResult;
use crate::state::App;
use crate::store::{kv, tickets};
use deflect_shared::rules::Trigger;

/// Tickets checked per cron run.
const BATCH: u32 = 200;

/// Runs the scheduled rules on the next batch; returns how many tickets were
/// checked (none when no enabled rule is scheduled).
pub(crate) async fn run(app: &App) -> AppResult<usize> {
    let settings = app.settings().await?;
    if !settings.rules.iter().any(|r| r.enabled && r.on.contains(&Trigger::Scheduled)) {
        return Ok(0);
    }
    let after = kv::scheduled_cursor(&app.kv).await?;
    let batch = tickets::not_closed_after(&app.db, &after, BATCH).await?;
    for row in &batch {
        run_rules(app, row, Trigger::Scheduled).await?;
    }
    // A short batch is the end of the list: start over next time.
    let next = match batch.last() {
        Some(last) if batch.len() == BATCH as usize => last.id.as_str(),
        _ => "",
    };
    kv::set_scheduled_cursor(&app.kv, next).await?;
    Ok(batch.len())
}
