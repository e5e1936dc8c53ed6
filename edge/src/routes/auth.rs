//! Logging in and out.

use super::{Bucket, limit};
use crate::auth::{self, SESSION_MS, clear_cookie, session_cookie};
use crate::crypto::{new_token, sha256_hex, verify_password};
use crate::error::{AppError, AppResult};
use crate::http::{Req, json};
use crate::state::App;
use crate::store::agents;
use deflect_shared::api::Login;
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
    let token = new_token()?;
    agents::create_session(&app.db, &sha256_hex(token.as_bytes()).await?, &agent.id, app.now, SESSION_MS).await?;
    app.audit(&agent.id, "auth.login", &agent.id, serde_json::json!({ "ip": req.client_ip() })).await?;
    let mut resp = json(200, &agent.view())?;
    resp.headers_mut().set("set-cookie", &session_cookie(&token))?;
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
