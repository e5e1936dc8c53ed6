//! Routes for identity verification: for admins, a site's identity secret
//! and its rotation (both audited, as the webhook secret's are); for the
//! widget, a verified customer's tickets.

use super::kb::site;
use super::{Bucket, limit};
use crate::auth;
use crate::desk::identity;
use crate::error::AppResult;
use crate::http::{Req, json};
use crate::state::App;
use deflect_shared::api::VerifiedCustomer;
use worker::Response;

/// `POST /v1/identity/tickets`: the tickets of the customer the site's
/// page identified, with their tokens, so a verified customer's
/// conversations follow them to any browser. The e-mail and signature go
/// in the body, never in a URL.
pub(super) async fn own_tickets(app: &App, req: &mut Req) -> AppResult<Response> {
    limit(app, req, Bucket::Reads).await?;
    let who: VerifiedCustomer = req.json().await?;
    json(200, &identity::own_tickets(app, &who.validate()?).await?)
}

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
