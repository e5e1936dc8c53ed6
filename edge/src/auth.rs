//! Who is calling: session cookies for the dashboard, bearer tokens for
//! scripts, and role checks.

use crate::crypto::{hash_password, sha256_hex};
use crate::error::{AppError, AppResult};
use crate::http::Req;
use crate::state::App;
use crate::store::agents::{self, AgentRow, NewAgentRow};
use deflect_shared::api::Role;

pub(crate) const COOKIE: &str = "deflect_session";
/// Sessions last 12 hours.
pub(crate) const SESSION_MS: i64 = 12 * 3_600_000;

fn cookie_value(req: &Req) -> Option<String> {
    let header = req.header("cookie")?;
    header.split(';').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        (k == COOKIE && !v.is_empty()).then(|| v.to_string())
    })
}

fn bearer(req: &Req) -> Option<String> {
    let h = req.header("authorization")?;
    let (scheme, token) = h.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

/// The calling agent, from the session cookie or a bearer token.
pub(crate) async fn agent(app: &App, req: &Req) -> AppResult<AgentRow> {
    let (token, is_api) = match (bearer(req), cookie_value(req)) {
        (Some(t), _) => (t, true),
        (None, Some(c)) => (c, false),
        (None, None) => return Err(AppError::Unauthenticated),
    };
    if token.len() > 200 {
        return Err(AppError::Unauthenticated);
    }
    let hash = sha256_hex(token.as_bytes()).await?;
    let Some(agent) = agents::by_credential(&app.db, &hash, app.now).await? else {
        // A script whose token ran out is told so, not just to log in.
        return Err(match is_api {
            true => agents::token_expired_at(&app.db, &hash, app.now)
                .await?
                .map_or(AppError::Unauthenticated, AppError::TokenExpired),
            false => AppError::Unauthenticated,
        });
    };
    if must_set_up_two_factor(app, &agent).await?
        && !matches!(req.segments.get(..2), Some([v, a]) if v == "v1" && a == "auth")
    {
        // The team requires two-step login: until this agent sets it up,
        // a session reaches only their own account routes, and their API
        // tokens (made before the requirement) reach nothing else either.
        return Err(AppError::TwoFactorSetupRequired);
    }
    if is_api {
        agents::touch_token(&app.db, &hash, app.now).await?;
    } else if !matches!(req.method, worker::Method::Get | worker::Method::Head) {
        // A cookie-authenticated change must come from our own pages: the
        // session cookie is SameSite=Strict, and JSON bodies force a CORS
        // preflight, which the agent API never grants. This header check is
        // a second line for the few bodiless requests.
        if req.header("x-deflect-csrf").as_deref() != Some("1") {
            return Err(AppError::Forbidden("missing the X-Deflect-CSRF header".into()));
        }
    }
    Ok(agent)
}

/// Whether the team's policy asks this agent to set up two-step login
/// before anything else.
pub(crate) async fn must_set_up_two_factor(app: &App, agent: &AgentRow) -> AppResult<bool> {
    Ok(agent.totp_secret_enc.is_none() && app.settings().await?.require_two_factor)
}

/// The agent as they see themselves: with the policy's demand, if any.
pub(crate) async fn own_view(app: &App, agent: &AgentRow) -> AppResult<deflect_shared::api::AgentView> {
    let mut view = agent.view();
    view.two_factor_required = must_set_up_two_factor(app, agent).await?;
    view.mail_alerts_can_send = crate::desk::mail_alerts::can_send(app).await?;
    view.mail_alerts_failure = crate::desk::mail_alerts::last_failure(app, &agent.id).await?;
    view.mail_alerts_hours = app.settings().await?.sla.business_hours.as_ref().map(|h| h.describe());
    view.signature = agent.signature.clone();
    Ok(view)
}

/// The calling agent, who must be an admin.
pub(crate) async fn admin(app: &App, req: &Req) -> AppResult<AgentRow> {
    let a = agent(app, req).await?;
    if a.role() != Role::Admin {
        return Err(AppError::Forbidden("this needs the admin role".into()));
    }
    Ok(a)
}

/// Creates the first admin from the `DEFLECT_ADMIN_EMAIL` and
/// `DEFLECT_ADMIN_PASSWORD` secrets when there are no agents yet.
pub(crate) async fn bootstrap(app: &App) -> AppResult<()> {
    if agents::count(&app.db).await? > 0 {
        return Ok(());
    }
    let email = deflect_shared::api::validate::email("DEFLECT_ADMIN_EMAIL", &app.secret("DEFLECT_ADMIN_EMAIL")?)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let password = app.secret("DEFLECT_ADMIN_PASSWORD")?;
    deflect_shared::api::password("DEFLECT_ADMIN_PASSWORD", &password)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let id = crate::crypto::new_id()?;
    let hash = hash_password(&password).await?;
    let created = agents::insert(
        &app.db,
        &NewAgentRow {
            id: &id,
            email: &email,
            name: "Admin",
            role: Role::Admin,
            teams: "[]",
            skills: "[]",
            password_hash: &hash,
        },
        app.now,
    )
    .await?;
    if created {
        app.audit("system", "agent.bootstrap", &id, serde_json::json!({ "email": email })).await?;
    }
    Ok(())
}

pub(crate) fn session_cookie(token: &str) -> String {
    format!("{COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}", SESSION_MS / 1000)
}

pub(crate) fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0")
}

pub(crate) fn session_token(req: &Req) -> Option<String> {
    cookie_value(req)
}

/// True when the caller authenticates with the session cookie (the
/// dashboard), not a bearer token.
pub(crate) fn uses_session(req: &Req) -> bool {
    bearer(req).is_none() && cookie_value(req).is_some()
}
