//! Admin routes for webhooks: the deliveries and their attempts, sending
//! one again, a test delivery, and the signing secret.

use crate::auth;
use crate::desk::webhooks;
use crate::error::{AppError, AppResult};
use crate::http::{Req, json};
use crate::state::App;
use crate::store::webhooks as store;
use deflect_shared::api::{DeliveryState, WebhookTest};
use worker::Response;

/// The newest deliveries: `state` (pending, delivered, failed) and
/// `ticket` narrow them.
pub(super) async fn list(app: &App, req: &mut Req) -> AppResult<Response> {
    auth::admin(app, req).await?;
    // Read as sent: an empty or padded state is a mistake, not "any".
    let state = match req.query("state") {
        None => None,
        Some(s) => Some(DeliveryState::parse(s).ok_or_else(|| {
            AppError::invalid("state", format!("state: {s:?} must be one of pending, delivered, failed"))
        })?),
    };
    let ticket = req.query("ticket").map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let limit = req.query_number("limit", 1..=200, 50)?;
    let rows = store::list(&app.db, state, ticket.as_deref(), limit).await?;
    json(200, &rows.iter().map(store::DeliveryRow::view).collect::<Vec<_>>())
}

/// One attempt now, whatever the delivery's state; answers with the
/// delivery as it then stands.
pub(super) async fn send_again(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let d = webhooks::send_again(app, id).await?;
    app.audit(&me.id, "webhook.resend", id, serde_json::json!({ "state": d.state, "status": d.last_status })).await?;
    json(200, &d)
}

/// Sends a `ping` to an address now, so an owner can check a receiver
/// (and its signature check) before a rule relies on it.
pub(super) async fn test(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let t: WebhookTest = req.json().await?;
    let url = t.validate()?;
    let payload = serde_json::json!({ "event": "ping", "sent_by": me.id, "sent_at": app.now });
    let id = webhooks::ping(app, url, &payload).await?;
    app.audit(&me.id, "webhook.test", &id, serde_json::json!({ "url": url })).await?;
    let row = store::by_id(&app.db, &id).await?.ok_or_else(|| AppError::Internal("test delivery missing".into()))?;
    json(201, &row.view())
}

/// The signing secret; showing it is audited.
pub(super) async fn secret(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let s = webhooks::secret(app).await?;
    app.audit(&me.id, "webhook.secret.show", "webhooks", serde_json::json!({ "version": s.version })).await?;
    json(200, &s)
}

/// A new signing secret; the previous one signs alongside for a day.
pub(super) async fn rotate(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let s = webhooks::rotate(app).await?;
    app.audit(&me.id, "webhook.secret.rotate", "webhooks", serde_json::json!({ "version": s.version })).await?;
    json(201, &s)
}
