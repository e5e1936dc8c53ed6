//! Metrics and the CSV export.

use crate::auth;
use crate::desk::report;
use crate::error::{AppError, AppResult};
use crate::http::{Req, json};
use crate::state::App;
use worker::Response;

fn days(req: &Req) -> AppResult<u32> {
    match req.query("days") {
        None => Ok(30),
        Some(d) => match d.parse::<u32>() {
            Ok(n) if (1..=366).contains(&n) => Ok(n),
            _ => Err(AppError::invalid("days", "days: must be 1 to 366")),
        },
    }
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
