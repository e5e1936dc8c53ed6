//! Logging in and out, changing one's own password or setting a new one
//! from a mailed link, and one's own two-step login.

use super::{Bucket, limit};
use crate::auth::{self, SESSION_MS, clear_cookie, session_cookie};
use crate::crypto::{hash_password, new_token, sha256_hex, verify_password};
use crate::desk::password_reset;
use crate::error::{AppError, AppResult};
use crate::http::{Req, json};
use crate::login_guard::LoginKey;
use crate::state::App;
use crate::store::agents::{self, AgentChanges, AgentRow, Origin};
use crate::two_factor::{self, Proof};
use deflect_shared::api::{
    Away, Login, MailAlerts, PasswordChange, PasswordReset, PasswordResetRequest, SessionView, Signature,
    TwoFactorCode, TwoFactorOff, TwoFactorStart, password_field,
};
use deflect_shared::password_reset::VALID_MS;
use deflect_shared::user_agent::describe;
use worker::Response;

pub(super) async fn login(app: &App, req: &mut Req) -> AppResult<Response> {
    limit(app, req, Bucket::Logins).await?;
    let l: Login = req.json().await?;
    if l.email.len() > 254 || l.password.len() > 200 || l.code.as_ref().is_some_and(|c| c.len() > 50) {
        return Err(AppError::invalid("email", "email, password or code is too long"));
    }
    auth::bootstrap(app).await?;
    let email = l.email.trim().to_lowercase();
    let key = LoginKey::tried(app, req, &email).await?;
    key.check(app).await?;
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
        key.failed(app).await?;
        return Err(refused());
    };
    if !verify_password(&l.password, &agent.password_hash).await? {
        key.failed(app).await?;
        app.audit(&agent.id, "auth.failed", &agent.id, serde_json::json!({ "ip": req.client_ip() })).await?;
        return Err(refused());
    }
    let mut second_step = None;
    if agent.totp_secret_enc.is_some() {
        let Some(code) = l.code.as_deref() else {
            return Err(AppError::TwoFactorRequired);
        };
        match two_factor::verify(app, &agent, code).await? {
            Some(proof) => second_step = Some(proof),
            None => {
                key.failed(app).await?;
                let detail = serde_json::json!({ "ip": req.client_ip(), "during": "two-step login" });
                app.audit(&agent.id, "auth.failed", &agent.id, detail).await?;
                return Err(AppError::TwoFactorFailed);
            }
        }
    }
    let cookie = start_session(app, req, &agent.id).await?;
    let mut detail = serde_json::json!({ "ip": req.client_ip() });
    if let Some(proof) = &second_step {
        detail["two_factor"] = proof.as_str().into();
        if let Proof::Recovery { left } = proof {
            detail["recovery_codes_left"] = (*left).into();
        }
    }
    app.audit(&agent.id, "auth.login", &agent.id, detail).await?;
    let mut resp = json(200, &auth::own_view(app, &agent).await?)?;
    resp.headers_mut().set("set-cookie", &cookie)?;
    resp.headers_mut().append("set-cookie", &key.trust_device(app).await?)?;
    Ok(resp)
}

/// Checks the caller's password for a change to their own login; a wrong
/// one is audited and answered in words.
async fn prove_password(app: &App, req: &Req, agent: &AgentRow, password: &str, during: &str) -> AppResult<()> {
    if verify_password(password, &agent.password_hash).await? {
        return Ok(());
    }
    let detail = serde_json::json!({ "ip": req.client_ip(), "during": during });
    app.audit(&agent.id, "auth.failed", &agent.id, detail).await?;
    Err(AppError::invalid("password", "password: this is not your current password"))
}

/// `POST /v1/auth/two-factor/setup`: a new secret for the caller's
/// authenticator app, after their password. Two-step login is on only once
/// a code from the app confirms it.
pub(super) async fn two_factor_setup(app: &App, req: &mut Req) -> AppResult<Response> {
    limit(app, req, Bucket::Logins).await?;
    let agent = auth::agent(app, req).await?;
    let body: TwoFactorStart = req.json().await?;
    password_field("password", &body.password)?;
    if agent.totp_secret_enc.is_some() {
        return Err(AppError::Conflict("two-step login is on already; turn it off first to change the app".into()));
    }
    prove_password(app, req, &agent, &body.password, "two-step setup").await?;
    let setup = two_factor::start(app, &agent).await?;
    app.audit(&agent.id, "auth.two_factor_setup", &agent.id, serde_json::json!({ "ip": req.client_ip() })).await?;
    json(200, &setup)
}

/// `POST /v1/auth/two-factor/confirm`: a code from the app turns two-step
/// login on; the answer holds the recovery codes, shown once. The caller's
/// other sessions end.
pub(super) async fn two_factor_confirm(app: &App, req: &mut Req) -> AppResult<Response> {
    limit(app, req, Bucket::Logins).await?;
    let agent = auth::agent(app, req).await?;
    let body: TwoFactorCode = req.json().await?;
    let codes = two_factor::confirm(app, &agent, &body.code).await?;
    let keep = current_session(req).await?;
    agents::end_other_sessions(&app.db, &agent.id, keep.as_deref()).await?;
    app.audit(&agent.id, "auth.two_factor_on", &agent.id, serde_json::json!({ "ip": req.client_ip() })).await?;
    json(200, &codes)
}

/// `POST /v1/auth/two-factor/recovery-codes`: new recovery codes for a
/// current code; the old ones stop working.
pub(super) async fn two_factor_recovery_codes(app: &App, req: &mut Req) -> AppResult<Response> {
    limit(app, req, Bucket::Logins).await?;
    let agent = auth::agent(app, req).await?;
    let body: TwoFactorCode = req.json().await?;
    if agent.totp_secret_enc.is_none() {
        return Err(AppError::Conflict("two-step login is off".into()));
    }
    if two_factor::verify(app, &agent, &body.code).await?.is_none() {
        return Err(AppError::invalid("code", "code: that code is not right, or it was used already"));
    }
    let agent = agents::by_id(&app.db, &agent.id).await?.ok_or(AppError::Unauthenticated)?;
    let codes = two_factor::renew_recovery_codes(app, &agent).await?;
    app.audit(&agent.id, "auth.recovery_codes_renewed", &agent.id, serde_json::json!({ "ip": req.client_ip() }))
        .await?;
    json(200, &codes)
}

/// `POST /v1/auth/two-factor/disable`: the password and a code turn
/// two-step login off.
pub(super) async fn two_factor_disable(app: &App, req: &mut Req) -> AppResult<Response> {
    limit(app, req, Bucket::Logins).await?;
    let agent = auth::agent(app, req).await?;
    let body: TwoFactorOff = req.json().await?;
    password_field("password", &body.password)?;
    if agent.totp_secret_enc.is_none() {
        return Err(AppError::Conflict("two-step login is off already".into()));
    }
    prove_password(app, req, &agent, &body.password, "two-step off").await?;
    if two_factor::verify(app, &agent, &body.code).await?.is_none() {
        return Err(AppError::invalid("code", "code: that code is not right, or it was used already"));
    }
    agents::disable_totp(&app.db, &agent.id).await?;
    app.audit(&agent.id, "auth.two_factor_off", &agent.id, serde_json::json!({ "ip": req.client_ip() })).await?;
    let agent = agents::by_id(&app.db, &agent.id).await?.ok_or(AppError::Unauthenticated)?;
    json(200, &auth::own_view(app, &agent).await?)
}

/// Opens a session for an agent; returns its `Set-Cookie` value.
async fn start_session(app: &App, req: &Req, agent: &str) -> AppResult<String> {
    let token = new_token()?;
    let ip = req.client_ip();
    let user_agent = req.header("user-agent").map(|u| u.chars().take(512).collect::<String>());
    let from = Origin { ip: &ip, user_agent: user_agent.as_deref() };
    agents::create_session(&app.db, &sha256_hex(token.as_bytes()).await?, agent, &from, app.now, SESSION_MS).await?;
    Ok(session_cookie(&token))
}

/// The SHA-256 of the caller's session cookie, when they use one.
async fn current_session(req: &Req) -> AppResult<Option<String>> {
    match auth::session_token(req) {
        Some(t) if auth::uses_session(req) => Ok(Some(sha256_hex(t.as_bytes()).await?)),
        _ => Ok(None),
    }
}

/// `GET /v1/auth/sessions`: the caller's open sessions, the newest first.
pub(super) async fn sessions(app: &App, req: &mut Req) -> AppResult<Response> {
    let agent = auth::agent(app, req).await?;
    let current = current_session(req).await?;
    let list: Vec<SessionView> = agents::sessions_of(&app.db, &agent.id, app.now)
        .await?
        .into_iter()
        .map(|s| SessionView {
            id: s.token_hash[..agents::SESSION_ID_LEN].to_string(),
            created_at: s.created_at as i64,
            expires_at: s.expires_at as i64,
            ip: s.ip,
            device: s.user_agent.as_deref().map_or_else(|| "an app".to_string(), describe),
            current: current.as_deref() == Some(s.token_hash.as_str()),
        })
        .collect();
    json(200, &list)
}

/// `DELETE /v1/auth/sessions/{id}`: ends one of the caller's sessions.
pub(super) async fn end_session(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let agent = auth::agent(app, req).await?;
    if !agents::end_session(&app.db, &agent.id, id).await? {
        return Err(AppError::NotFound("you have no such session".into()));
    }
    app.audit(&agent.id, "auth.session_ended", &agent.id, serde_json::json!({ "session": id })).await?;
    crate::http::empty(204)
}

/// `POST /v1/auth/sessions/end-others`: ends every session of the caller
/// but the one asking.
pub(super) async fn end_other_sessions(app: &App, req: &mut Req) -> AppResult<Response> {
    let agent = auth::agent(app, req).await?;
    let keep = current_session(req).await?;
    agents::end_other_sessions(&app.db, &agent.id, keep.as_deref()).await?;
    app.audit(&agent.id, "auth.other_sessions_ended", &agent.id, serde_json::json!({})).await?;
    crate::http::empty(204)
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
    LoginKey::of(&agent.email).await?.clear(app).await?;
    app.audit(&agent.id, "auth.password_changed", &agent.id, serde_json::json!({ "ip": req.client_ip() })).await?;
    let mut resp = json(200, &auth::own_view(app, &agent).await?)?;
    if auth::uses_session(req) {
        resp.headers_mut().set("set-cookie", &start_session(app, req, &agent.id).await?)?;
    }
    Ok(resp)
}

/// `POST /v1/auth/password-reset`: mails a link to set a new password to
/// the agent with this address, if there is one. The answer is the same
/// either way (and the mail goes after it), so the form tells no one who
/// has a login; counted with logins.
pub(super) async fn ask_password_reset(app: &App, req: &mut Req) -> AppResult<Response> {
    limit(app, req, Bucket::Logins).await?;
    let body: PasswordResetRequest = req.json().await?;
    let email = body.validate()?;
    if let Some(why) = password_reset::cannot_mail(app).await? {
        return Err(AppError::Conflict(format!("{why}: ask an admin to set a new password for you")));
    }
    let ip = req.client_ip();
    let to = email.clone();
    app.defer_job("password-reset mail", move |app| async move { password_reset::mail_link(&app, &to, &ip).await });
    let minutes = VALID_MS / 60_000;
    let message = format!(
        "If {email} is the login of an agent here, a link to set a new password is on its way to it. The link works \
         once, for {minutes} minutes."
    );
    json(202, &serde_json::json!({ "message": message }))
}

/// `POST /v1/auth/password-reset/confirm`: sets the new password from the
/// mailed link's token and logs every session of that agent out (API
/// tokens stay). The agent then logs in, with their second step if on; the
/// browser that used the link becomes a device that login knows.
pub(super) async fn reset_password(app: &App, req: &mut Req) -> AppResult<Response> {
    limit(app, req, Bucket::Logins).await?;
    let body: PasswordReset = req.json().await?;
    body.validate()?;
    let agent = password_reset::set_password(app, &body.token, &body.new_password).await?;
    let key = LoginKey::tried(app, req, &agent.email).await?;
    key.clear(app).await?;
    app.audit(&agent.id, "auth.password_reset", &agent.id, serde_json::json!({ "ip": req.client_ip() })).await?;
    let message = "Your new password is set: log in with it.";
    let mut resp = json(200, &serde_json::json!({ "message": message, "email": agent.email }))?;
    // The mailbox was proved: this browser is the agent's own from now on.
    resp.headers_mut().set("set-cookie", &key.trust_device(app).await?)?;
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

/// `PUT /v1/auth/away`: the caller marks themselves away (no new tickets
/// are assigned to them) or back.
pub(super) async fn away(app: &App, req: &mut Req) -> AppResult<Response> {
    let agent = auth::agent(app, req).await?;
    let body: Away = req.json().await?;
    let changes = AgentChanges { away: Some(i64::from(body.away)), ..Default::default() };
    agents::update(&app.db, &agent.id, &changes).await?;
    let action = if body.away { "agent.away" } else { "agent.back" };
    app.audit(&agent.id, action, &agent.id, serde_json::json!({})).await?;
    let row = agents::by_id(&app.db, &agent.id).await?.ok_or(AppError::Unauthenticated)?;
    json(200, &auth::own_view(app, &row).await?)
}

/// `PUT /v1/auth/signature`: what goes below the caller's replies to
/// customers from now on (empty: nothing).
pub(super) async fn signature(app: &App, req: &mut Req) -> AppResult<Response> {
    let agent = auth::agent(app, req).await?;
    let body: Signature = req.json().await?;
    let kept = body.validate()?;
    agents::set_signature(&app.db, &agent.id, kept.as_deref()).await?;
    let detail = serde_json::json!({ "signature": kept.is_some() });
    app.audit(&agent.id, "agent.signature", &agent.id, detail).await?;
    let row = agents::by_id(&app.db, &agent.id).await?.ok_or(AppError::Unauthenticated)?;
    json(200, &auth::own_view(app, &row).await?)
}

/// `PUT /v1/auth/mail-alerts`: what the agent is mailed about.
pub(super) async fn mail_alerts(app: &App, req: &mut Req) -> AppResult<Response> {
    let agent = auth::agent(app, req).await?;
    let body: MailAlerts = req.json().await?;
    let stored = serde_json::to_string(&body)?;
    let changes = AgentChanges { mail_alerts: Some(&stored), ..Default::default() };
    agents::update(&app.db, &agent.id, &changes).await?;
    app.audit(&agent.id, "agent.mail_alerts", &agent.id, serde_json::to_value(body)?).await?;
    if !body.business_hours_only {
        // What waited for the desk to open goes now.
        crate::desk::mail_alerts::release_held(app, &agent.id).await?;
    }
    let row = agents::by_id(&app.db, &agent.id).await?.ok_or(AppError::Unauthenticated)?;
    json(200, &auth::own_view(app, &row).await?)
}

pub(super) async fn me(app: &App, req: &mut Req) -> AppResult<Response> {
    let agent = auth::agent(app, req).await?;
    json(200, &auth::own_view(app, &agent).await?)
}
