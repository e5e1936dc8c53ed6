//! Customer records (CRM).

use crate::auth;
use crate::desk::views;
use crate::error::{AppError, AppResult};
use crate::http::{Req, json};
use crate::state::App;
use crate::store::customers::{self, Changes, Search};
use deflect_shared::api::{CustomerLine, CustomerUpdate, validate};
use worker::Response;

/// The customer directory. `q` finds a whole e-mail address (addresses are
/// stored encrypted, so a part of one cannot be searched) or a part of a
/// name; `plan` and `site` narrow it; the most recently in touch come first.
pub(super) async fn list(app: &App, req: &mut Req) -> AppResult<Response> {
    auth::agent(app, req).await?;
    let text = |key: &str, max: usize| -> AppResult<Option<String>> {
        let v = req.query(key).map(str::trim).filter(|v| !v.is_empty());
        match v {
            Some(v) if v.chars().count() > max => {
                Err(AppError::invalid(key, format!("{key}: longer than {max} characters")))
            }
            other => Ok(other.map(str::to_string)),
        }
    };
    let q = text("q", 200)?;
    let plan = text("plan", 40)?;
    let site = text("site", 64)?;
    let limit = req.query_number("limit", 1..=500, 100)?;
    let k = app.key().await?;
    // Text shaped like an address is looked up as one; it may also be part
    // of a name.
    let email_hash = match q.as_deref().map(|q| validate::email("q", q)) {
        Some(Ok(address)) => Some(k.lookup_hash(&address).await?),
        _ => None,
    };
    let rows = customers::search(
        &app.db,
        &Search {
            email_hash: email_hash.as_deref(),
            name: q.as_deref(),
            plan: plan.as_deref(),
            site: site.as_deref(),
            limit,
        },
    )
    .await?;
    let mut lines = Vec::with_capacity(rows.len());
    for r in rows {
        lines.push(CustomerLine {
            email: k.decrypt(&r.email_enc).await?,
            id: r.id,
            site: r.site_id,
            name: r.name,
            plan: r.plan,
            lifetime_value_cents: r.value_cents as i64,
            tickets: r.tickets as u32,
            open_tickets: r.open_tickets as u32,
            last_contact_at: r.last_contact_at.map(|v| v as i64),
            created_at: r.created_at as i64,
        });
    }
    json(200, &lines)
}

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
