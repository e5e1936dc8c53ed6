//! Customer records (CRM).

use crate::auth;
use crate::desk::views;
use crate::error::{AppError, AppResult};
use crate::http::{Req, json};
use crate::state::App;
use crate::store::customers::{self, Changes};
use deflect_shared::api::CustomerUpdate;
use worker::Response;

pub(super) async fn get(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    auth::agent(app, req).await?;
    let c =
        customers::by_id(&app.db, id).await?.ok_or_else(|| AppError::NotFound(format!("there is no customer {id}")))?;
    json(200, &views::customer(app, &c).await?)
}

pub(super) async fn update(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::agent(app, req).await?;
    let u: CustomerUpdate = req.json().await?;
    u.validate()?;
    let attributes = u.attributes.as_ref().map(serde_json::to_string).transpose()?;
    let changes = Changes {
        name: u.name.as_deref().map(str::trim),
        plan: u.plan.as_deref().map(str::trim),
        value_cents: u.lifetime_value_cents,
        attributes: attributes.as_deref(),
    };
    if !customers::update(&app.db, id, &changes, app.now).await? {
        return Err(AppError::NotFound(format!("there is no customer {id}")));
    }
    app.audit(&me.id, "customer.update", id, serde_json::to_value(&u)?).await?;
    let c =
        customers::by_id(&app.db, id).await?.ok_or_else(|| AppError::NotFound(format!("there is no customer {id}")))?;
    json(200, &views::customer(app, &c).await?)
}
