//! Erasing a customer's personal data: on an admin's request, or when the
//! retention limit ran out. The record and their tickets stay, without it,
//! for the team's figures (see `store::customers::erase`).

use crate::error::{AppError, AppResult};
use crate::state::App;
use crate::store::customers;
use deflect_shared::api::{ERASED_TEXT, Erasure};

/// Why a customer was erased, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// They asked (an admin acted on it).
    Request,
    /// The retention limit ran out.
    Retention,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Request => "request",
            Reason::Retention => "retention",
        }
    }
}

/// Erases customer `id`, audited as done by `actor`. A repeat changes
/// nothing and answers with the first erasure's time.
pub(crate) async fn erase(app: &App, actor: &str, id: &str, reason: Reason) -> AppResult<Erasure> {
    let before =
        customers::by_id(&app.db, id).await?.ok_or_else(|| AppError::NotFound(format!("there is no customer {id}")))?;
    let held = customers::holdings(&app.db, id).await?;
    let erased = customers::erase(&app.db, id, ERASED_TEXT, app.now).await?;
    let (erased_at, messages, widget_questions) = match (erased, before.erased_at) {
        (true, _) => (app.now, held.messages as u32, held.questions as u32),
        (false, Some(at)) => (at as i64, 0, 0),
        // Erased between the read and the write by another request.
        (false, None) => match customers::by_id(&app.db, id).await?.and_then(|c| c.erased_at) {
            Some(at) => (at as i64, 0, 0),
            None => return Err(AppError::Internal(format!("customer {id} was not erased"))),
        },
    };
    let report =
        Erasure { customer_id: id.to_string(), erased_at, tickets: held.tickets as u32, messages, widget_questions };
    if erased {
        let mut detail = serde_json::to_value(&report)?;
        detail["reason"] = reason.as_str().into();
        app.audit(actor, "customer.erase", id, detail).await?;
    }
    Ok(report)
}
