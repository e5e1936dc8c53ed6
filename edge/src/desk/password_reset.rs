//! Mailing an agent who forgot their password a link to set a new one, or
//! a new agent a link to choose theirs, and setting it from the link
//! (`shared::password_reset` says the policy).

use super::mail_alerts::{desk_sender, mail};
use crate::crypto::{hash_password, new_id, new_token, sha256_hex};
use crate::error::{AppError, AppResult};
use crate::state::App;
use crate::store::agents::{self, AgentRow};
use crate::store::password_resets;
use deflect_shared::email::reference;
use deflect_shared::mail_alert::Envelope;
use deflect_shared::password_reset::{INVITE_VALID_MS, RESEND_AFTER_MS, VALID_MS, compose, compose_invite, link};

/// Why no link can be mailed by this desk at all (said to whoever asks, as
/// it tells nothing about any one login), or `None` when one can.
pub(crate) async fn cannot_mail(app: &App) -> AppResult<Option<&'static str>> {
    Ok(if app.public_url().is_none() {
        Some("this desk does not know its own address (DEFLECT_PUBLIC_URL), so it cannot mail a link")
    } else if desk_sender(app).await?.is_none() {
        Some("this desk has no address to send mail from")
    } else {
        None
    })
}

/// Mails the active agent with this address a new link, unless one went to
/// them within the last minute. Run after the response is sent, so the
/// answer takes as long whether the address is an agent's or not.
pub(crate) async fn mail_link(app: &App, email: &str, ip: &str) -> AppResult<()> {
    let Some(agent) = agents::by_email(&app.db, email).await?.filter(|a| a.active != 0.0) else {
        return Ok(());
    };
    if password_resets::latest(&app.db, &agent.id).await?.is_some_and(|at| app.now - at < RESEND_AFTER_MS) {
        return Ok(());
    }
    let sent = mail_new_link(app, &agent, VALID_MS, "reset", compose).await?;
    let detail = serde_json::json!({ "ip": ip, "sent": sent.is_ok(), "error": sent.as_ref().err() });
    app.audit(&agent.id, "auth.password_reset_mailed", &agent.id, detail).await?;
    sent.map_err(AppError::Internal)
}

/// Mails a new agent, whom `by` added without a password, a link to choose
/// theirs; `Err` says why it could not be mailed (they can still ask for a
/// link on the login page).
pub(crate) async fn invite(app: &App, agent: &AgentRow, by: &AgentRow) -> AppResult<Result<(), String>> {
    agents::mark_invited(&app.db, &agent.id, app.now).await?;
    let sent =
        mail_new_link(app, agent, INVITE_VALID_MS, "invite", |envelope, link| compose_invite(envelope, link, &by.name))
            .await?;
    let detail = serde_json::json!({ "sent": sent.is_ok(), "error": sent.as_ref().err() });
    app.audit(&by.id, "agent.invited", &agent.id, detail).await?;
    Ok(sent)
}

/// Keeps a new link for the agent, working for `valid_ms`, in place of
/// their older ones, and mails it as `compose` writes it; the inner `Err`
/// says why the mail did not go.
async fn mail_new_link(
    app: &App,
    agent: &AgentRow,
    valid_ms: i64,
    kind: &str,
    compose: impl FnOnce(&Envelope<'_>, &str) -> String,
) -> AppResult<Result<(), String>> {
    let (Some(base), Some((from, from_name))) = (app.public_url(), desk_sender(app).await?) else {
        return Ok(Err("the desk has no address to send from, or does not know its own".into()));
    };
    let token = new_token()?;
    let hash = sha256_hex(token.as_bytes()).await?;
    password_resets::replace(&app.db, &agent.id, &hash, app.now, app.now + valid_ms).await?;
    let message_id = reference::alert_id(kind, &new_id()?, reference::domain(&from));
    let envelope = Envelope {
        from: &from,
        from_name: &from_name,
        to: &agent.email,
        to_name: &agent.name,
        message_id: &message_id,
        sent_at: app.now,
    };
    Ok(mail(app, &from, &agent.email, &compose(&envelope, &link(&base, &token))).await)
}

/// Sets a new password from a link's token; the agent whose it was, or a
/// 410 when the link has expired, was used or was replaced by a newer one.
pub(crate) async fn set_password(app: &App, token: &str, password: &str) -> AppResult<AgentRow> {
    let gone = || {
        AppError::Gone("this link has expired, was used already, or a newer one was mailed: ask for a new one".into())
    };
    let hash = sha256_hex(token.as_bytes()).await?;
    let Some(agent_id) = password_resets::owner(&app.db, &hash, app.now).await? else {
        return Err(gone());
    };
    let new_hash = hash_password(password).await?;
    if !password_resets::use_link(&app.db, &hash, &agent_id, &new_hash, app.now).await? {
        return Err(gone());
    }
    agents::by_id(&app.db, &agent_id).await?.ok_or_else(gone)
}
