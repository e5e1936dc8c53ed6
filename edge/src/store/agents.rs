//! Agents, sessions and API tokens.

use super::{Arg, all, first, from_json, run};
use crate::error::AppResult;
use deflect_shared::api::{AgentView, MailAlerts, Role, TokenView};
use deflect_shared::assignment::Candidate;
use deflect_shared::daily_summary::Attempts;
use serde::Deserialize;
use worker::D1Database;

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AgentRow {
    pub(crate) id: String,
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) role: String,
    pub(crate) teams: String,
    pub(crate) skills: String,
    pub(crate) password_hash: String,
    pub(crate) active: f64,
    #[serde(default)]
    pub(crate) open_tickets: Option<f64>,
    #[serde(default)]
    pub(crate) totp_secret_enc: Option<String>,
    #[serde(default)]
    pub(crate) totp_pending_enc: Option<String>,
    #[serde(default)]
    pub(crate) totp_last_step: Option<f64>,
    #[serde(default)]
    pub(crate) recovery_hashes: String,
    #[serde(default)]
    pub(crate) away: f64,
    /// JSON of the agent's `MailAlerts`.
    #[serde(default)]
    pub(crate) mail_alerts: String,
    #[serde(default)]
    pub(crate) summary_day: Option<f64>,
    #[serde(default)]
    pub(crate) summary_attempts: f64,
    #[serde(default)]
    pub(crate) summary_retry_at: Option<f64>,
    /// When they were invited to choose their password, until they do.
    #[serde(default)]
    pub(crate) invited_at: Option<f64>,
    /// What goes below their replies to customers.
    #[serde(default)]
    pub(crate) signature: Option<String>,
}

impl AgentRow {
    /// Where the agent's daily summaries stand.
    pub(crate) fn summary_attempts(&self) -> Attempts {
        Attempts {
            day: self.summary_day.map(|d| d as i64),
            made: self.summary_attempts as u32,
            retry_at: self.summary_retry_at.map(|t| t as i64),
        }
    }

    pub(crate) fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Agent)
    }

    pub(crate) fn view(&self) -> AgentView {
        AgentView {
            id: self.id.clone(),
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role(),
            teams: from_json(&self.teams),
            skills: from_json(&self.skills),
            active: self.active != 0.0,
            open_tickets: self.open_tickets.unwrap_or(0.0) as u32,
            two_factor: self.totp_secret_enc.is_some(),
            two_factor_required: false,
            away: self.away != 0.0,
            invited: self.invited_at.is_some(),
            mail_alerts: self.mail_alerts(),
            mail_alerts_can_send: false,
            mail_alerts_failure: None,
            mail_alerts_hours: None,
            signature: None,
        }
    }

    /// What they asked to be mailed about.
    pub(crate) fn mail_alerts(&self) -> MailAlerts {
        from_json(&self.mail_alerts)
    }

    pub(crate) fn candidate(&self) -> Candidate {
        Candidate {
            id: self.id.clone(),
            teams: from_json(&self.teams),
            skills: from_json(&self.skills),
            active: self.active != 0.0,
            away: self.away != 0.0,
            open_tickets: self.open_tickets.unwrap_or(0.0) as u32,
            capacity: 0,
        }
    }
}

const SELECT: &str = "SELECT a.id, a.email, a.name, a.role, a.teams, a.skills, a.password_hash, a.active, \
     a.totp_secret_enc, a.totp_pending_enc, a.totp_last_step, a.recovery_hashes, a.away, a.mail_alerts, \
     a.summary_day, a.summary_attempts, a.summary_retry_at, a.invited_at, a.signature, \
     (SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = a.id AND t.status IN ('open', 'pending')) AS open_tickets \
     FROM agents a";

pub(crate) async fn list(db: &D1Database) -> AppResult<Vec<AgentRow>> {
    all(db, &format!("{SELECT} ORDER BY a.name"), &[]).await
}

pub(crate) async fn by_id(db: &D1Database, id: &str) -> AppResult<Option<AgentRow>> {
    first(db, &format!("{SELECT} WHERE a.id = ?1"), &[Arg::Text(id)]).await
}

pub(crate) async fn by_email(db: &D1Database, email: &str) -> AppResult<Option<AgentRow>> {
    first(db, &format!("{SELECT} WHERE a.email = ?1"), &[Arg::Text(email)]).await
}

/// Marks the agent as invited to choose their password, at `now`.
pub(crate) async fn mark_invited(db: &D1Database, id: &str, now: i64) -> AppResult<()> {
    run(db, "UPDATE agents SET invited_at = ?2 WHERE id = ?1", &[Arg::Text(id), Arg::Int(now)]).await?;
    Ok(())
}

pub(crate) async fn count(db: &D1Database) -> AppResult<u64> {
    super::count(db, "SELECT COUNT(*) AS n FROM agents", &[]).await
}

pub(crate) struct NewAgentRow<'a> {
    pub(crate) id: &'a str,
    pub(crate) email: &'a str,
    pub(crate) name: &'a str,
    pub(crate) role: Role,
    pub(crate) teams: &'a str,
    pub(crate) skills: &'a str,
    pub(crate) password_hash: &'a str,
}

/// Inserts an agent; returns false when the e-mail is taken.
pub(crate) async fn insert(db: &D1Database, a: &NewAgentRow<'_>, now: i64) -> AppResult<bool> {
    let n = run(
        db,
        "INSERT INTO agents (id, email, name, role, teams, skills, password_hash, active, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8) ON CONFLICT(email) DO NOTHING",
        &[
            Arg::Text(a.id),
            Arg::Text(a.email),
            Arg::Text(a.name),
            Arg::Text(a.role.as_str()),
            Arg::Text(a.teams),
            Arg::Text(a.skills),
            Arg::Text(a.password_hash),
            Arg::Int(now),
        ],
    )
    .await?;
    Ok(n == 1)
}

#[derive(Default)]
pub(crate) struct AgentChanges<'a> {
    pub(crate) name: Option<&'a str>,
    pub(crate) role: Option<&'a str>,
    pub(crate) teams: Option<&'a str>,
    pub(crate) skills: Option<&'a str>,
    pub(crate) active: Option<i64>,
    pub(crate) password_hash: Option<&'a str>,
    pub(crate) away: Option<i64>,
    /// JSON of `MailAlerts`.
    pub(crate) mail_alerts: Option<&'a str>,
}

/// Sets (or, with `None`, removes) what goes below the agent's replies.
pub(crate) async fn set_signature(db: &D1Database, id: &str, signature: Option<&str>) -> AppResult<()> {
    run(db, "UPDATE agents SET signature = ?2 WHERE id = ?1", &[Arg::Text(id), Arg::OptText(signature)]).await?;
    Ok(())
}

pub(crate) async fn update(db: &D1Database, id: &str, c: &AgentChanges<'_>) -> AppResult<()> {
    run(
        db,
        "UPDATE agents SET name = COALESCE(?2, name), role = COALESCE(?3, role), teams = COALESCE(?4, teams), \
         skills = COALESCE(?5, skills), active = COALESCE(?6, active), password_hash = COALESCE(?7, password_hash), \
         invited_at = CASE WHEN ?7 IS NULL THEN invited_at END, \
         away = COALESCE(?8, away), mail_alerts = COALESCE(?9, mail_alerts) WHERE id = ?1",
        &[
            Arg::Text(id),
            Arg::OptText(c.name),
            Arg::OptText(c.role),
            Arg::OptText(c.teams),
            Arg::OptText(c.skills),
            Arg::OptInt(c.active),
            Arg::OptText(c.password_hash),
            Arg::OptInt(c.away),
            Arg::OptText(c.mail_alerts),
        ],
    )
    .await?;
    if c.active == Some(0) || c.password_hash.is_some() {
        end_other_sessions(db, id, None).await?;
    }
    Ok(())
}

/// Keeps a secret being set up (encrypted) until a code confirms it.
pub(crate) async fn set_pending_totp(db: &D1Database, id: &str, secret_enc: &str) -> AppResult<()> {
    run(db, "UPDATE agents SET totp_pending_enc = ?2 WHERE id = ?1", &[Arg::Text(id), Arg::Text(secret_enc)]).await?;
    Ok(())
}

/// Turns two-step login on with the pending secret, which `step` just
/// confirmed, and these recovery code hashes. False when the pending
/// secret changed meanwhile (another setup began).
pub(crate) async fn enable_totp(
    db: &D1Database,
    id: &str,
    pending_enc: &str,
    step: i64,
    recovery_hashes: &str,
    now: i64,
) -> AppResult<bool> {
    let n = run(
        db,
        "UPDATE agents SET totp_secret_enc = totp_pending_enc, totp_pending_enc = NULL, totp_last_step = ?3, \
         recovery_hashes = ?4, two_factor_since = ?5 WHERE id = ?1 AND totp_pending_enc = ?2",
        &[Arg::Text(id), Arg::Text(pending_enc), Arg::Int(step), Arg::Text(recovery_hashes), Arg::Int(now)],
    )
    .await?;
    Ok(n == 1)
}

/// Records that a code of `step` logged in, if no code of that step or a
/// later one did: false means the code was used already.
pub(crate) async fn use_step(db: &D1Database, id: &str, step: i64) -> AppResult<bool> {
    let n = run(
        db,
        "UPDATE agents SET totp_last_step = ?2 WHERE id = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)",
        &[Arg::Text(id), Arg::Int(step)],
    )
    .await?;
    Ok(n == 1)
}

/// Replaces the recovery code hashes, if they are still `before` (so two
/// logins cannot spend one code twice).
pub(crate) async fn set_recovery_hashes(db: &D1Database, id: &str, before: &str, after: &str) -> AppResult<bool> {
    let n = run(
        db,
        "UPDATE agents SET recovery_hashes = ?3 WHERE id = ?1 AND recovery_hashes = ?2",
        &[Arg::Text(id), Arg::Text(before), Arg::Text(after)],
    )
    .await?;
    Ok(n == 1)
}

/// Turns two-step login off and forgets its secrets and codes.
pub(crate) async fn disable_totp(db: &D1Database, id: &str) -> AppResult<()> {
    run(
        db,
        "UPDATE agents SET totp_secret_enc = NULL, totp_pending_enc = NULL, totp_last_step = NULL, \
         recovery_hashes = '[]', two_factor_since = NULL WHERE id = ?1",
        &[Arg::Text(id)],
    )
    .await?;
    Ok(())
}

/// Ends every session of an agent but the one with `keep` (a hash); all
/// of them without it.
pub(crate) async fn end_other_sessions(db: &D1Database, id: &str, keep: Option<&str>) -> AppResult<()> {
    run(
        db,
        "DELETE FROM sessions WHERE agent_id = ?1 AND (?2 IS NULL OR token_hash != ?2)",
        &[Arg::Text(id), Arg::OptText(keep)],
    )
    .await?;
    Ok(())
}

/// Where a session is opened from.
pub(crate) struct Origin<'a> {
    pub(crate) ip: &'a str,
    pub(crate) user_agent: Option<&'a str>,
}

pub(crate) async fn create_session(
    db: &D1Database,
    token_hash: &str,
    agent: &str,
    from: &Origin<'_>,
    now: i64,
    ttl_ms: i64,
) -> AppResult<()> {
    run(
        db,
        "INSERT INTO sessions (token_hash, agent_id, created_at, expires_at, ip, user_agent) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[
            Arg::Text(token_hash),
            Arg::Text(agent),
            Arg::Int(now),
            Arg::Int(now + ttl_ms),
            Arg::Text(from.ip),
            Arg::OptText(from.user_agent),
        ],
    )
    .await?;
    // Expired sessions are swept as new ones are made.
    run(db, "DELETE FROM sessions WHERE expires_at < ?1", &[Arg::Int(now)]).await?;
    Ok(())
}

/// Characters of a session's hash that name it in the API.
pub(crate) const SESSION_ID_LEN: usize = 16;

/// A session as its agent sees it.
#[derive(Deserialize)]
pub(crate) struct SessionRow {
    pub(crate) token_hash: String,
    pub(crate) created_at: f64,
    pub(crate) expires_at: f64,
    pub(crate) ip: Option<String>,
    pub(crate) user_agent: Option<String>,
}

/// An agent's open sessions, the newest first.
pub(crate) async fn sessions_of(db: &D1Database, agent: &str, now: i64) -> AppResult<Vec<SessionRow>> {
    all(
        db,
        "SELECT token_hash, created_at, expires_at, ip, user_agent FROM sessions \
         WHERE agent_id = ?1 AND expires_at > ?2 ORDER BY created_at DESC, token_hash",
        &[Arg::Text(agent), Arg::Int(now)],
    )
    .await
}

/// Ends one of an agent's sessions by its id; false when there is none.
pub(crate) async fn end_session(db: &D1Database, agent: &str, id: &str) -> AppResult<bool> {
    if id.len() != SESSION_ID_LEN || !id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Ok(false);
    }
    let sql = format!("DELETE FROM sessions WHERE agent_id = ?1 AND substr(token_hash, 1, {SESSION_ID_LEN}) = ?2");
    Ok(run(db, &sql, &[Arg::Text(agent), Arg::Text(id)]).await? > 0)
}

pub(crate) async fn delete_session(db: &D1Database, token_hash: &str) -> AppResult<()> {
    run(db, "DELETE FROM sessions WHERE token_hash = ?1", &[Arg::Text(token_hash)]).await?;
    Ok(())
}

/// The active agent behind a session or API token hash.
pub(crate) async fn by_credential(db: &D1Database, token_hash: &str, now: i64) -> AppResult<Option<AgentRow>> {
    let sql = format!(
        "{SELECT} WHERE a.active = 1 AND a.id = COALESCE(\
           (SELECT agent_id FROM sessions WHERE token_hash = ?1 AND expires_at > ?2), \
           (SELECT agent_id FROM api_tokens WHERE token_hash = ?1 AND (expires_at IS NULL OR expires_at > ?2)))"
    );
    first(db, &sql, &[Arg::Text(token_hash), Arg::Int(now)]).await
}

/// When this API token stopped working by itself, if it has.
pub(crate) async fn token_expired_at(db: &D1Database, token_hash: &str, now: i64) -> AppResult<Option<i64>> {
    #[derive(serde::Deserialize)]
    struct Expired {
        expires_at: f64,
    }
    let row: Option<Expired> = first(
        db,
        "SELECT expires_at FROM api_tokens WHERE token_hash = ?1 AND expires_at <= ?2",
        &[Arg::Text(token_hash), Arg::Int(now)],
    )
    .await?;
    Ok(row.map(|r| r.expires_at as i64))
}

pub(crate) async fn touch_token(db: &D1Database, token_hash: &str, now: i64) -> AppResult<()> {
    run(db, "UPDATE api_tokens SET last_used_at = ?2 WHERE token_hash = ?1", &[Arg::Text(token_hash), Arg::Int(now)])
        .await?;
    Ok(())
}

pub(crate) async fn create_token(
    db: &D1Database,
    token_hash: &str,
    agent: &str,
    name: &str,
    now: i64,
    expires_at: Option<i64>,
) -> AppResult<()> {
    run(
        db,
        "INSERT INTO api_tokens (token_hash, agent_id, name, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        &[Arg::Text(token_hash), Arg::Text(agent), Arg::Text(name), Arg::Int(now), Arg::OptInt(expires_at)],
    )
    .await?;
    Ok(())
}

/// Characters of a token's hash that name it in the API.
pub(crate) const TOKEN_ID_LEN: usize = 16;

#[derive(Deserialize)]
struct TokenRow {
    id: String,
    name: String,
    agent_id: String,
    agent_name: String,
    created_at: f64,
    last_used_at: Option<f64>,
    #[serde(default)]
    expires_at: Option<f64>,
}

/// Every API token, newest first.
pub(crate) async fn tokens(db: &D1Database) -> AppResult<Vec<TokenView>> {
    let sql = format!(
        "SELECT substr(t.token_hash, 1, {TOKEN_ID_LEN}) AS id, t.name, t.agent_id, a.name AS agent_name, \
         t.created_at, t.last_used_at, t.expires_at FROM api_tokens t JOIN agents a ON a.id = t.agent_id \
         ORDER BY t.created_at DESC, id"
    );
    let rows: Vec<TokenRow> = all(db, &sql, &[]).await?;
    Ok(rows
        .into_iter()
        .map(|r| TokenView {
            id: r.id,
            name: r.name,
            agent_id: r.agent_id,
            agent_name: r.agent_name,
            created_at: r.created_at as i64,
            last_used_at: r.last_used_at.map(|t| t as i64),
            expires_at: r.expires_at.map(|t| t as i64),
        })
        .collect())
}

/// Deletes the token with this id; false when there is none.
pub(crate) async fn revoke_token(db: &D1Database, id: &str) -> AppResult<bool> {
    if id.len() != TOKEN_ID_LEN || !id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Ok(false);
    }
    let sql = format!("DELETE FROM api_tokens WHERE substr(token_hash, 1, {TOKEN_ID_LEN}) = ?1");
    Ok(run(db, &sql, &[Arg::Text(id)]).await? > 0)
}

/// Claims attempt `attempt` at the daily summary of `day` for an agent
/// until `until`: a compare-and-set on what the caller read (`seen`), so of
/// two runs only one sends it.
pub(crate) async fn claim_summary(
    db: &D1Database,
    id: &str,
    seen: &Attempts,
    day: i64,
    attempt: u32,
    until: i64,
) -> AppResult<bool> {
    let n = run(
        db,
        "UPDATE agents SET summary_day = ?2, summary_attempts = ?3, summary_retry_at = ?4 \
         WHERE id = ?1 AND COALESCE(summary_day, -1) = ?5 AND summary_attempts = ?6",
        &[
            Arg::Text(id),
            Arg::Int(day),
            Arg::Int(i64::from(attempt)),
            Arg::Int(until),
            Arg::Int(seen.day.unwrap_or(-1)),
            Arg::Int(i64::from(seen.made)),
        ],
    )
    .await?;
    Ok(n > 0)
}

/// Records that the agent's summary of `day` went.
pub(crate) async fn summary_sent(db: &D1Database, id: &str, day: i64) -> AppResult<()> {
    run(
        db,
        "UPDATE agents SET summary_retry_at = NULL WHERE id = ?1 AND summary_day = ?2",
        &[Arg::Text(id), Arg::Int(day)],
    )
    .await?;
    Ok(())
}
