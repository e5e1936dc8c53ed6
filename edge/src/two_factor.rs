//! Two-step login (`shared::totp`): making a secret, checking a code from
//! the app once per step, and single-use recovery codes. Secrets are kept
//! AES-GCM encrypted; recovery codes only as SHA-256 hashes.

use crate::crypto::{hmac_sha1, random_bytes, sha256_hex};
use crate::error::{AppError, AppResult};
use crate::state::App;
use crate::store::agents::{self, AgentRow};
use crate::store::from_json;
use deflect_shared::api::{RecoveryCodes, TwoFactorSetup};
use deflect_shared::totp::{
    self, Entered, RECOVERY_BYTES, RECOVERY_CODES, SECRET_BYTES, counter, otpauth_uri, steps_to_try,
};

/// The issuer apps list the account under.
const ISSUER: &str = "Deflect";

/// How a login proved the second step.
pub(crate) enum Proof {
    /// A code from the app.
    Code,
    /// A recovery code; this many are left.
    Recovery { left: usize },
}

impl Proof {
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            Proof::Code => "code",
            Proof::Recovery { .. } => "recovery code",
        }
    }
}

/// Checks what was typed against the agent's two-step login; `None` when
/// it is wrong or was used already. A malformed entry is a 422 in words.
pub(crate) async fn verify(app: &App, agent: &AgentRow, typed: &str) -> AppResult<Option<Proof>> {
    let Some(secret_enc) = &agent.totp_secret_enc else {
        return Ok(None);
    };
    match totp::parse(typed)? {
        Entered::Code(code) => {
            let secret = secret(app, secret_enc).await?;
            let last = agent.totp_last_step.map(|s| s as i64);
            match matching_step(&secret, code, app.now, last).await? {
                Some(step) if agents::use_step(&app.db, &agent.id, step).await? => Ok(Some(Proof::Code)),
                _ => Ok(None),
            }
        }
        Entered::Recovery(code) => {
            let hash = sha256_hex(code.as_bytes()).await?;
            let mut hashes: Vec<String> = from_json(&agent.recovery_hashes);
            let Some(i) = hashes.iter().position(|h| *h == hash) else {
                return Ok(None);
            };
            hashes.remove(i);
            let after = serde_json::to_string(&hashes)?;
            let spent = agents::set_recovery_hashes(&app.db, &agent.id, &agent.recovery_hashes, &after).await?;
            Ok(spent.then_some(Proof::Recovery { left: hashes.len() }))
        }
    }
}

/// Makes a secret and keeps it, encrypted, until a code confirms it.
pub(crate) async fn start(app: &App, agent: &AgentRow) -> AppResult<TwoFactorSetup> {
    let raw = random_bytes(SECRET_BYTES)?;
    let text = totp::base32(&raw);
    let enc = app.key().await?.encrypt(&text).await?;
    agents::set_pending_totp(&app.db, &agent.id, &enc).await?;
    Ok(TwoFactorSetup { uri: otpauth_uri(ISSUER, &agent.email, &raw), secret: text })
}

/// Turns two-step login on when `typed` is a current code of the secret
/// being set up; answers with the first recovery codes.
pub(crate) async fn confirm(app: &App, agent: &AgentRow, typed: &str) -> AppResult<RecoveryCodes> {
    let Some(pending) = &agent.totp_pending_enc else {
        return Err(AppError::Conflict("start the setup first: there is no secret waiting to be confirmed".into()));
    };
    let Entered::Code(code) = totp::parse(typed)? else {
        return Err(AppError::invalid("code", "code: enter the 6 digits the app shows for Deflect"));
    };
    let secret = secret(app, pending).await?;
    let Some(step) = matching_step(&secret, code, app.now, None).await? else {
        return Err(AppError::invalid(
            "code",
            "code: that is not the app's current code; check that the phone's clock is right and try the newest code",
        ));
    };
    let (codes, hashes) = recovery_codes().await?;
    if !agents::enable_totp(&app.db, &agent.id, pending, step, &hashes, app.now).await? {
        return Err(AppError::Conflict("another setup started meanwhile; use the newest secret".into()));
    }
    Ok(codes)
}

/// New recovery codes for an agent with two-step login on; the old ones
/// stop working.
pub(crate) async fn renew_recovery_codes(app: &App, agent: &AgentRow) -> AppResult<RecoveryCodes> {
    let (codes, hashes) = recovery_codes().await?;
    if !agents::set_recovery_hashes(&app.db, &agent.id, &agent.recovery_hashes, &hashes).await? {
        return Err(AppError::Conflict("the recovery codes changed meanwhile; try again".into()));
    }
    Ok(codes)
}

/// Fresh recovery codes and the JSON array of their hashes.
async fn recovery_codes() -> AppResult<(RecoveryCodes, String)> {
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    let mut hashes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let raw: [u8; RECOVERY_BYTES] = random_bytes(RECOVERY_BYTES)?
            .try_into()
            .map_err(|_| AppError::Internal("random bytes of the wrong length".into()))?;
        let code = totp::recovery_code(&raw);
        hashes.push(sha256_hex(code.replace('-', "").as_bytes()).await?);
        codes.push(code);
    }
    Ok((RecoveryCodes { codes }, serde_json::to_string(&hashes)?))
}

async fn secret(app: &App, enc: &str) -> AppResult<Vec<u8>> {
    let text = app.key().await?.decrypt(enc).await?;
    totp::from_base32(&text).ok_or_else(|| AppError::Internal("a stored TOTP secret is not base32".into()))
}

/// The step among those allowed whose code is `code`.
async fn matching_step(secret: &[u8], code: u32, now: i64, last: Option<i64>) -> AppResult<Option<i64>> {
    for step in steps_to_try(now, last) {
        if totp::code(&hmac_sha1(secret, &counter(step)).await?) == code {
            return Ok(Some(step));
        }
    }
    Ok(None)
}
