//! CORS for the public endpoints: only origins an admin allowed for a site
//! (and the edge's own origin) get access. The agent API never answers
//! cross-origin requests.

use crate::error::{AppError, AppResult};
use crate::http::Req;
use crate::state::App;
use worker::Response;

/// The caller's origin when it may use the public API; `None` when the
/// request has no `Origin` (not from a browser page). A foreign origin is
/// refused with 403.
pub(crate) async fn check(app: &App, req: &Req, own_origin: &str) -> AppResult<Option<String>> {
    let Some(origin) = req.origin() else {
        return Ok(None);
    };
    if origin == own_origin {
        return Ok(Some(origin));
    }
    let settings = app.settings().await?;
    if settings.sites.iter().any(|s| s.allowed_origins.contains(&origin)) {
        Ok(Some(origin))
    } else {
        Err(AppError::Forbidden(format!(
            "the origin {origin} is not allowed; an admin can add it to the site's allowed origins"
        )))
    }
}

/// Adds the CORS headers for an allowed origin.
pub(crate) fn allow(mut resp: Response, origin: Option<&str>) -> worker::Result<Response> {
    if let Some(o) = origin {
        let h = resp.headers_mut();
        h.set("access-control-allow-origin", o)?;
        h.set("vary", "Origin")?;
        h.set("access-control-expose-headers", "etag, retry-after, idempotent-replayed")?;
    }
    Ok(resp)
}

/// The answer to a preflight request.
pub(crate) fn preflight(origin: &str) -> AppResult<Response> {
    let mut resp = Response::empty()?.with_status(204);
    let h = resp.headers_mut();
    h.set("access-control-allow-origin", origin)?;
    h.set("vary", "Origin")?;
    h.set("access-control-allow-methods", "GET, POST, OPTIONS")?;
    h.set("access-control-allow-headers", "content-type, idempotency-key, x-ticket-token, if-none-match")?;
    h.set("access-control-max-age", "600")?;
    Ok(resp)
}
