//! The cron's retention run: when the owner set a limit, erase the
//! customers whose last contact is older than it (a batch per run) and
//! clear the text of widget questions older than it.

use super::erasure::{self, Reason};
use crate::error::AppResult;
use crate::state::App;
use crate::store::{customers, events};
use deflect_shared::retention::cutoff;

/// Customers erased per cron run: each is one D1 batch, and a run must
/// stay short; a backlog is worked off over the following minutes.
const BATCH: u32 = 20;

/// What one run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Swept {
    pub(crate) customers: usize,
    pub(crate) questions: u64,
}

pub(crate) async fn run(app: &App) -> AppResult<Swept> {
    let Some(days) = app.settings().await?.retention_days else {
        return Ok(Swept::default());
    };
    let before = cutoff(app.now, days);
    let due = customers::inactive_before(&app.db, before, BATCH).await?;
    for c in &due {
        erasure::erase(app, "system", &c.id, Reason::Retention).await?;
    }
    let questions = events::forget_questions_before(&app.db, before).await?;
    Ok(Swept { customers: due.len(), questions })
}
