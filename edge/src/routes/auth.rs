//! Logging in and out, and changing one's own password.

use super::{Bucket, limit};
use crate::auth::{self, SESSION_MS, clear_cookie, session_cookie};
use crate::crypto::{hash_password, new_token, sha256_hex, verify_password};
use crate::error::{AppError, AppResult};
use crate::http::{Req, json};
use crate::state::App;
use crate::store::agents::{self, AgentChanges};
use deflect_shared::api::{Login, PasswordChange};
use worker::Response;

pub(super) async fn login(app: &App, req: &mut Req) -> AppResult<Response> {
    limit(app, req, Bucket::Logins).await?;
    let l: Login = req.json().await?;
    if l.email.len() > 254 || l.password.len() > 200 {
        return Err(AppError::invalid("email", "email or password is too long"));
    }
    auth::bootstrap(app).await?;
    let email = l.email.trim().to_lowercase();
    let refused = || AppError::AuthFailed;
    let agent = agents::by_email(&app.db, &email).await?;
    let Some(agent) = agent.filter(|a| a.active != 0.0) else {
        // Spend the same work as a real check so timing does not reveal
        // which addresses exist.
        let _ = verify_password(
            &l.password,
            "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )
        .await?;
        return Err(refused());
    };
    if !verify_password(&l.password, &agent.password_hash).await? {
        app.audit(&agent.id, "auth.failed", &agent.id, serde_json::json!({ "ip": req.client_ip() })).await?;
        return Err(refused());
    }
    let cookie = start_session(app, &agent.id).await?;
    app.audit(&agent.id, "auth.login", &agent.id, serde_json::json!({ "ip": req.client_ip() })).await?;
    let mut resp = json(200, &agent.view())?;
    resp.headers_mut().set("set-cookie", &cookie)?;
    Ok(resp)
}

/// Opens a session for an agent; returns its `Set-Cookie` value.
async fn start_session(app: &App, agent: &str) -> AppResult<String> {
    let token = new_token()?;
    agents::create_session(&app.db, &sha256_hex(token.as_bytes()).await?, agent, app.now, SESSION_MS).await?;
    Ok(session_cookie(&token))
}

/// `POST /v1/auth/password`: the calling agent changes their password,
/// proving the current one. Every session of theirs ends; a dashboard
/// caller gets a new session cookie, so only the other browsers are logged
/// out. API tokens stay valid (an admin revokes those).
pub(super) async fn change_password(app: &App, req: &mut Req) -> AppResult<Response> {
    // Counted with logins: a stolen session must not become a way to guess
    // the password faster than the login form allows.
    limit(app, req, Bucket::Logins).await?;
    let agent = auth::agent(app, req).await?;
    let change: PasswordChange = req.json().await?;
    change.validate()?;
    if !verify_password(&change.current_password, &agent.password_hash).await? {
        let detail = serde_json::json!({ "ip": req.client_ip(), "during": "password change" });
        app.audit(&agent.id, "auth.failed", &agent.id, detail).await?;
        return Err(AppError::invalid("current_password", "current_password: this is not your current password"));
    }
    let hash = hash_password(&change.new_password).await?;
    agents::update(&app.db, &agent.id, &AgentChanges { password_hash: Some(&hash), ..Default::default() }).await?;
    app.audit(&agent.id, "auth.password_changed", &agent.id, serde_json::json!({ "ip": req.client_ip() })).await?;
    let mut resp = json(200, &agent.view())?;
    if auth::uses_session(req) {
        resp.headers_mut().set("set-cookie", &start_session(app, &agent.id).await?)?;
    }
    Ok(resp)
}

pub(super) async fn logout(app: &App, req: &mut Req) -> AppResult<Response> {
    if let Some(token) = auth::session_token(req) {
        agents::delete_session(&app.db, &sha256_hex(token.as_bytes()).await?).await?;
    }
    let mut resp = crate::http::empty(204)?;
    resp.headers_mut().set("set-cookie", &clear_cookie())?;
    Ok(resp)
}

pub(super) async fn me(app: &App, req: &mut Req) -> AppResult<Response> {
    let agent = auth::agent(app, req).await?;
    json(200, &agent.view())
}
