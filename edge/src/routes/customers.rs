//! Customer records (CRM).

use crate::auth;
use crate::desk::erasure::{self, Reason};
use crate::desk::views;
use crate::error::{AppError, AppResult};
use crate::http::{Req, json, paged};
use crate::state::App;
use crate::store::attachments;
use crate::store::customers::{self, Changes, Search};
use crate::store::tickets;
use deflect_shared::api::{
    AFTER, CustomerExport, CustomerLine, CustomerUpdate, ExportedQuestion, ExportedTicket, TimeCursor, validate,
};
use worker::Response;

/// The customer directory. `q` finds a whole e-mail address (addresses are
/// stored encrypted, so a part of one cannot be searched) or a part of a
/// name; `plan` and `site` narrow it; the most recently in touch come
/// first, a page at a time.
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
    let after = req.query(AFTER).map(TimeCursor::parse).transpose()?;
    let k = app.key().await?;
    // Text shaped like an address is looked up as one; it may also be part
    // of a name.
    let email_hash = match q.as_deref().map(|q| validate::email("q", q)) {
        Some(Ok(address)) => Some(k.lookup_hash(&address).await?),
        _ => None,
    };
    let search =
        Search { email_hash: email_hash.as_deref(), name: q.as_deref(), plan: plan.as_deref(), site: site.as_deref() };
    // One more than asked for says whether there is a next page.
    let mut rows = customers::search(&app.db, &search, after.as_ref(), limit + 1).await?;
    let next = (rows.len() > limit as usize).then(|| {
        rows.truncate(limit as usize);
        rows.last().map(|last| TimeCursor { at: last.last_contact as i64, id: last.id.clone() })
    });
    let total = customers::count(&app.db, &search).await?;
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
    paged(json(200, &lines)?, req, total, next.flatten().map(|c| c.to_string()))
}

async fn record(app: &App, id: &str) -> AppResult<customers::CustomerRow> {
    if id.len() > 64 {
        return Err(AppError::NotFound(format!("there is no customer {id}")));
    }
    customers::by_id(&app.db, id).await?.ok_or_else(|| AppError::NotFound(format!("there is no customer {id}")))
}

pub(super) async fn get(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    auth::agent(app, req).await?;
    let c = record(app, id).await?;
    json(200, &views::customer(app, &c).await?)
}

pub(super) async fn update(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::agent(app, req).await?;
    let u: CustomerUpdate = req.json().await?;
    u.validate()?;
    if record(app, id).await?.erased_at.is_some() {
        return Err(AppError::Conflict("this customer's data was erased; the record cannot be edited".into()));
    }
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
    if let Some(blocked) = u.blocked {
        customers::set_blocked(&app.db, id, blocked.then_some(app.now)).await?;
    }
    app.audit(&me.id, "customer.update", id, serde_json::to_value(&u)?).await?;
    let c =
        customers::by_id(&app.db, id).await?.ok_or_else(|| AppError::NotFound(format!("there is no customer {id}")))?;
    json(200, &views::customer(app, &c).await?)
}

/// Everything held about a customer, as one JSON file (a data access
/// request). Admins only; audited.
pub(super) async fn export(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let c = record(app, id).await?;
    let customer = views::customer(app, &c).await?;
    let mut exported = Vec::new();
    for t in customers::all_tickets(&app.db, id).await? {
        exported.push(ExportedTicket {
            messages: tickets::messages(&app.db, &t.id, true).await?,
            attachments: attachments::of_ticket(&app.db, &t.id, true).await?,
            id: t.id,
            subject: t.subject,
            status: t.status,
            page_url: t.page_url,
            csat: t.csat.map(|v| v as u8),
            csat_comment: t.csat_comment,
            created_at: t.created_at as i64,
        });
    }
    let widget_questions = customers::widget_questions(&app.db, id)
        .await?
        .into_iter()
        .map(|q| ExportedQuestion { question: q.question, asked_at: q.created_at as i64 })
        .collect();
    app.audit(&me.id, "customer.export", id, serde_json::json!({ "tickets": exported.len() })).await?;
    let mut resp = json(200, &CustomerExport { exported_at: app.now, customer, tickets: exported, widget_questions })?;
    // Only letters, digits, '-' and '_' reach the file name.
    let name: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    resp.headers_mut().set("content-disposition", &format!("attachment; filename=\"deflect-customer-{name}.json\""))?;
    Ok(resp)
}

/// Erases a customer's personal data (the right to erasure). Admins only;
/// audited without the data. A repeat answers with the first erasure.
pub(super) async fn erase(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    json(200, &erasure::erase(app, &me.id, id, Reason::Request).await?)
}
