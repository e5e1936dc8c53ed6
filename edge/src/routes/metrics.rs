//! Metrics and the CSV export.

use crate::auth;
use crate::desk::report;
use crate::error::AppResult;
use crate::http::{Req, json};
use crate::state::App;
use worker::Response;

fn days(req: &Req) -> AppResult<u32> {
    req.query_number("days", 1..=366, 30)
}

pub(super) async fn get(app: &App, req: &mut Req) -> AppResult<Response> {
    auth::agent(app, req).await?;
    json(200, &report::metrics(app, days(req)?).await?)
}

pub(super) async fn csv(app: &App, req: &mut Req) -> AppResult<Response> {
    auth::agent(app, req).await?;
    let mut resp = Response::ok(report::csv(app, days(req)?).await?)?;
    let h = resp.headers_mut();
    h.set("content-type", "text/csv; charset=utf-8")?;
    h.set("content-disposition", "attachment; filename=\"deflect-tickets.csv\"")?;
    Ok(resp)
}
