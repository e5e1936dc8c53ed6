//! Admin routes for identity verification: a site's identity secret, and
//! its rotation. Both are audited, as the webhook secret's are.

use super::kb::site;
use crate::auth;
use crate::desk::identity;
use crate::error::AppResult;
use crate::http::{Req, json};
use crate::state::App;
use worker::Response;

/// `GET /v1/admin/identity-secret?site=`: the site's secret.
pub(super) async fn secret(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let site = site(app, req).await?;
    let s = identity::secret(app, &site).await?;
    app.audit(&me.id, "identity.secret.show", &site, serde_json::json!({ "version": s.version })).await?;
    json(200, &s)
}

/// `POST /v1/admin/identity-secret?site=`: a new secret; the previous
/// one's signatures still match for a day.
pub(super) async fn rotate(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let site = site(app, req).await?;
    let s = identity::rotate(app, &site).await?;
    app.audit(&me.id, "identity.secret.rotate", &site, serde_json::json!({ "version": s.version })).await?;
    json(201, &s)
}
