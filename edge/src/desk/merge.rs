//! Merging a duplicate ticket into another of the same customer's: the
//! duplicate's messages move into the target's thread (keeping their
//! times, so the thread stays in order), each thread gets a note in the
//! customer's language, the target gains the duplicate's tags and shown
//! articles, and the duplicate is closed, pointing at the target.

use super::views;
use super::work::{self, run_rules};
use crate::crypto::new_id;
use crate::error::{AppError, AppResult};
use crate::state::App;
use crate::store::agents::AgentRow;
use crate::store::from_json;
use crate::store::tickets::{self, Merge, TicketRow};
use deflect_shared::merge::{Side, check, continued_note, merged_from_note, union};
use deflect_shared::rules::Trigger;

fn side(row: &TicketRow) -> Side<'_> {
    Side {
        id: &row.id,
        customer: &row.customer_id,
        status: views::status(row),
        merged_into: row.merged_into.as_deref(),
        erased: row.customer_erased_at.is_some(),
    }
}

/// Merges `duplicate` into `target`, or says why not.
pub(crate) async fn merge(app: &App, agent: &AgentRow, duplicate: &TicketRow, target: &TicketRow) -> AppResult<()> {
    check(&side(duplicate), &side(target)).map_err(|refusal| {
        if refusal.is_conflict() {
            AppError::Conflict(refusal.to_string())
        } else {
            AppError::invalid("into", refusal.to_string())
        }
    })?;
    let tags = union(&from_json::<Vec<String>>(&target.tags), &from_json::<Vec<String>>(&duplicate.tags));
    let shown =
        union(&from_json::<Vec<String>>(&target.shown_articles), &from_json::<Vec<String>>(&duplicate.shown_articles));
    let merged = tickets::merge(
        &app.db,
        &Merge {
            duplicate: &duplicate.id,
            target: &target.id,
            tags: &serde_json::to_string(&tags)?,
            shown_articles: &serde_json::to_string(&shown)?,
            note_on_target: (&new_id()?, &merged_from_note(&target.locale, &duplicate.subject)),
            note_on_duplicate: (&new_id()?, &continued_note(&duplicate.locale, &target.subject)),
        },
        app.now,
    )
    .await?;
    if !merged {
        return Err(AppError::Conflict("this ticket was merged by someone else a moment ago".into()));
    }
    app.audit(&agent.id, "ticket.merge", &duplicate.id, serde_json::json!({ "into": target.id })).await?;
    run_rules(app, &work::load(app, &target.id).await?, Trigger::TicketUpdated).await
}
