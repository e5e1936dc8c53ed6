//! Widget events: answers shown, "this helped", "this did not help".

use super::{Bucket, limit};
use crate::crypto::new_id;
use crate::error::{AppError, AppResult};
use crate::http::{Req, empty};
use crate::state::App;
use crate::store::events::{self, NewEvent};
use deflect_shared::api::WidgetEvent;
use worker::Response;

pub(super) async fn record(app: &App, req: &mut Req) -> AppResult<Response> {
    limit(app, req, Bucket::Events).await?;
    let e: WidgetEvent = req.json().await?;
    e.validate()?;
    if app.settings().await?.site(&e.site).is_none() {
        return Err(AppError::invalid("site", format!("site: there is no site {:?}", e.site)));
    }
    let id = new_id()?;
    events::insert(
        &app.db,
        &NewEvent {
            id: &id,
            site: &e.site,
            session: &e.session,
            kind: e.kind.as_str(),
            article: e.article.as_deref(),
            question: e.question.as_deref().map(str::trim).filter(|q| !q.is_empty()),
            confidence: e.confidence.map(f64::from),
            ticket: None,
        },
        app.now,
    )
    .await?;
    empty(202)
}
