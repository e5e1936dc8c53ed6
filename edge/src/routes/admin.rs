//! Admin settings: sites and origins, SLA targets, rules, agents, API
//! tokens, the audit log, retraining.

use crate::auth;
use crate::crypto::{hash_password, new_id, new_token, sha256_hex};
use crate::desk::password_reset;
use crate::desk::retrain;
use crate::desk::settings::{self, Expect};
use crate::error::{AppError, AppResult};
use crate::http::{Req, json};
use crate::login_guard::LoginKey;
use crate::state::App;
use crate::store::agents::{self, AgentChanges, NewAgentRow};
use crate::store::audit as audit_log;
use deflect_shared::api::{AgentCreated, AgentUpdate, NewAgent, NewToken, Settings, TokenCreated};
use deflect_shared::rules::RuleSet;
use worker::Response;

/// The settings as JSON, with their ETag.
fn settings_answer(s: &Settings, etag: &str) -> AppResult<Response> {
    let mut resp = json(200, s)?;
    resp.headers_mut().set("etag", etag)?;
    Ok(resp)
}

/// `GET /v1/admin/settings`: the settings of record, with their ETag.
pub(super) async fn get_settings(app: &App, req: &mut Req) -> AppResult<Response> {
    auth::admin(app, req).await?;
    let now = settings::current(app).await?;
    settings_answer(&now.settings, &now.etag)
}

/// `PUT /v1/admin/settings`: replaces them all; with `If-Match`, only
/// while they are as the caller read them (412 otherwise), which D1
/// decides, so of two saves from the same copy one is refused.
pub(super) async fn put_settings(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let s: Settings = req.json().await?;
    let s = s.validate()?;
    if s.require_two_factor && me.totp_secret_enc.is_none() {
        return Err(AppError::Conflict(
            "turn on your own two-step login first (on your account page), or this would lock you out of the dashboard"
                .into(),
        ));
    }
    let expect = Expect::from_if_match(req.header("if-match").as_deref());
    let Some(etag) = settings::save(app, &s, &expect).await? else {
        return Err(AppError::EditConflict(
            "the settings were changed after you opened them (by a colleague, or in another tab), so nothing \
             was saved: reload them, then make your change again"
                .into(),
        ));
    };
    app.audit(&me.id, "settings.update", "settings", serde_json::to_value(&s)?).await?;
    settings_answer(&s, &etag)
}

/// Checks rules without saving them: `{ "ok": true }` or a 422 whose
/// message says where and why.
pub(super) async fn validate_rules(app: &App, req: &mut Req) -> AppResult<Response> {
    auth::admin(app, req).await?;
    let text = req.text(crate::http::MAX_JSON).await?;
    let set = RuleSet::parse(&text)?;
    json(200, &serde_json::json!({ "ok": true, "rules": set.rules().len() }))
}

/// The team's saved replies, for any agent (admins edit them in settings).
pub(super) async fn saved_replies(app: &App, req: &mut Req) -> AppResult<Response> {
    auth::agent(app, req).await?;
    json(200, &app.settings().await?.saved_replies)
}

pub(super) async fn list_agents(app: &App, req: &mut Req) -> AppResult<Response> {
    auth::agent(app, req).await?;
    let list: Vec<_> = agents::list(&app.db).await?.iter().map(|a| a.view()).collect();
    json(200, &list)
}

pub(super) async fn create_agent(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let n: NewAgent = req.json().await?;
    let (email, name, teams, skills) = n.validate()?;
    if n.password.is_none()
        && let Some(why) = password_reset::cannot_mail(app).await?
    {
        return Err(AppError::Conflict(format!(
            "{why}, and an agent added without a password is mailed a link to choose one: give them a password instead"
        )));
    }
    let id = new_id()?;
    // Without a password, one nobody knows until they choose theirs.
    let hash = hash_password(&n.password.clone().map_or_else(new_token, Ok)?).await?;
    let created = agents::insert(
        &app.db,
        &NewAgentRow {
            id: &id,
            email: &email,
            name: &name,
            role: n.role,
            teams: &serde_json::to_string(&teams)?,
            skills: &serde_json::to_string(&skills)?,
            password_hash: &hash,
        },
        app.now,
    )
    .await?;
    if !created {
        return Err(AppError::Conflict(format!("an agent with e-mail {email} exists")));
    }
    app.audit(&me.id, "agent.create", &id, serde_json::json!({ "email": email, "role": n.role.as_str() })).await?;
    let row = agents::by_id(&app.db, &id).await?.ok_or_else(|| AppError::Internal("new agent missing".into()))?;
    let invitation = match n.password {
        Some(_) => None,
        None => Some(match password_reset::invite(app, &row, &me).await? {
            Ok(()) => "mailed".to_string(),
            Err(why) => format!("not mailed: {why}"),
        }),
    };
    json(201, &AgentCreated { agent: row.view(), invitation })
}

/// `POST /v1/admin/agents/{id}/invitation`: mails an invited agent who has
/// not chosen their password yet a new link (the older one stops working).
pub(super) async fn invite_again(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let agent =
        agents::by_id(&app.db, id).await?.ok_or_else(|| AppError::NotFound(format!("there is no agent {id}")))?;
    if agent.invited_at.is_none() || agent.active == 0.0 {
        return Err(AppError::Conflict(format!(
            "{} is not waiting for an invitation: they have a password (they can ask for a new one with \"Forgot your \
             password?\"), or are not active",
            agent.name
        )));
    }
    if let Some(why) = password_reset::cannot_mail(app).await? {
        return Err(AppError::Conflict(format!("{why}: give them a password instead")));
    }
    let invitation = match password_reset::invite(app, &agent, &me).await? {
        Ok(()) => "mailed".to_string(),
        Err(why) => format!("not mailed: {why}"),
    };
    let agent =
        agents::by_id(&app.db, id).await?.ok_or_else(|| AppError::NotFound(format!("there is no agent {id}")))?;
    json(200, &AgentCreated { agent: agent.view(), invitation: Some(invitation) })
}

pub(super) async fn update_agent(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let u: AgentUpdate = req.json().await?;
    u.validate()?;
    let before =
        agents::by_id(&app.db, id).await?.ok_or_else(|| AppError::NotFound(format!("there is no agent {id}")))?;
    if id == me.id && (u.active == Some(false) || u.role.is_some_and(|r| r != deflect_shared::api::Role::Admin)) {
        return Err(AppError::Conflict("you cannot deactivate or demote yourself".into()));
    }
    let teams = u.teams.as_ref().map(serde_json::to_string).transpose()?;
    let skills = u.skills.as_ref().map(serde_json::to_string).transpose()?;
    let hash = match &u.password {
        Some(p) => Some(hash_password(p).await?),
        None => None,
    };
    agents::update(
        &app.db,
        id,
        &AgentChanges {
            name: u.name.as_deref().map(str::trim),
            role: u.role.map(|r| r.as_str()),
            teams: teams.as_deref(),
            skills: skills.as_deref(),
            active: u.active.map(i64::from),
            password_hash: hash.as_deref(),
            away: u.away.map(i64::from),
            mail_alerts: None,
        },
    )
    .await?;
    if u.password.is_some() {
        // A new password starts their count of failed logins over.
        LoginKey::of(&before.email).await?.clear(app).await?;
    }
    if u.reset_two_factor == Some(true) {
        // Their phone is lost: the password alone logs in again, and every
        // session that was open ends.
        agents::disable_totp(&app.db, id).await?;
        agents::end_other_sessions(&app.db, id, None).await?;
    }
    let mut detail = serde_json::to_value(&u)?;
    if let Some(o) = detail.as_object_mut() {
        o.remove("password");
        if u.password.is_some() {
            o.insert("password_changed".into(), true.into());
        }
    }
    app.audit(&me.id, "agent.update", id, detail).await?;
    let row = agents::by_id(&app.db, id).await?.ok_or_else(|| AppError::NotFound(format!("there is no agent {id}")))?;
    json(200, &row.view())
}

/// Creates an API token for the calling admin; the token is shown once.
pub(super) async fn create_token(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let t: NewToken = req.json().await?;
    let (name, expires_at) = t.validate(app.now)?;
    let token = format!("dfl_{}", new_token()?);
    let hash = sha256_hex(token.as_bytes()).await?;
    agents::create_token(&app.db, &hash, &me.id, &name, app.now, expires_at).await?;
    let id = hash[..agents::TOKEN_ID_LEN].to_string();
    let detail = serde_json::json!({ "name": name, "id": id, "expires_at": expires_at });
    app.audit(&me.id, "token.create", &me.id, detail).await?;
    json(201, &TokenCreated { id, token, name, expires_at })
}

/// Lists the API tokens (never the tokens themselves).
pub(super) async fn list_tokens(app: &App, req: &mut Req) -> AppResult<Response> {
    auth::admin(app, req).await?;
    json(200, &agents::tokens(&app.db).await?)
}

/// Revokes an API token: it stops working at once.
pub(super) async fn revoke_token(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    if !agents::revoke_token(&app.db, id).await? {
        return Err(AppError::NotFound(format!("there is no API token {id}")));
    }
    app.audit(&me.id, "token.revoke", id, serde_json::json!({})).await?;
    crate::http::empty(204)
}

/// `GET /v1/admin/audit?target=&actor=&action=&before=&limit=`: the newest
/// lines first; `action` is one action (`article.update`) or an area
/// (`article`); `before=<at>-<id>` of a page's last line gives the next page.
pub(super) async fn audit(app: &App, req: &mut Req) -> AppResult<Response> {
    auth::admin(app, req).await?;
    let limit = req.query_number("limit", 1..=1000, 200)?;
    let some = |name: &str| req.query(name).map(str::trim).filter(|v| !v.is_empty());
    // Read as sent: an empty or padded value is a mistake, not "any".
    let action = req.query("action");
    if let Some(a) = action
        && (a.is_empty() || a.len() > 60 || !a.bytes().all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'.'))
    {
        return Err(AppError::invalid(
            "action",
            "action: an action such as article.update, or an area such as article",
        ));
    }
    let before = match req.query("before") {
        None => None,
        Some(b) => Some(
            b.split_once('-')
                .and_then(|(at, id)| {
                    let digits = !at.is_empty() && at.bytes().all(|c| c.is_ascii_digit());
                    Some((at.parse::<i64>().ok().filter(|_| digits)?, id)).filter(|_| !id.is_empty())
                })
                .ok_or_else(|| {
                    AppError::invalid("before", "before: the `<at>-<id>` of the last line of the previous page")
                })?,
        ),
    };
    let filter = audit_log::Filter { target: some("target"), actor: some("actor"), action, before };
    json(200, &audit_log::recent(&app.db, &filter, limit).await?)
}

pub(super) async fn retrain(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    json(200, &retrain::retrain(app, &me.id).await?)
}
