//! The wait a login takes after too many failed attempts
//! (`shared::login_guard` says how many), kept per address in D1, which is
//! consistent wherever the attempts come from.
//!
//! So that anyone who knows an agent's address cannot lock them out by
//! guessing, a browser a login has succeeded from carries a device cookie
//! (OWASP's "device cookies"): its failures are counted apart from those
//! of every other client, so the agent's own browser still logs in while
//! guesses from elsewhere wait. The cookie is no credential; it only
//! chooses which count applies.

use crate::crypto::{new_token, sha256_hex};
use crate::error::{AppError, AppResult};
use crate::http::Req;
use crate::state::App;
use crate::store::known_devices::{self, Known};
use crate::store::login_failures;
use deflect_shared::login_guard::{WINDOW_MS, wait_ms};

/// The device cookie's name; it is sent only to `/v1/auth/`.
const DEVICE_COOKIE: &str = "deflect_device";

/// A login address's key: its digest, so the tables keep no addresses;
/// with the digest of the caller's device cookie when this login knows it.
pub(crate) struct LoginKey {
    email_hash: String,
    /// The caller's device cookie's digest, when this login knows it.
    device: Option<String>,
    /// The caller's device cookie and its digest, when the desk issued it
    /// (for this login or another: a browser two agents share keeps one).
    issued: Option<(String, String)>,
}

impl LoginKey {
    /// The key of an address as logins compare it (trimmed, lower case).
    pub(crate) async fn of(email: &str) -> AppResult<LoginKey> {
        let email_hash = sha256_hex(email.trim().to_lowercase().as_bytes()).await?;
        Ok(LoginKey { email_hash, device: None, issued: None })
    }

    /// The key of an address tried from this request's browser: its own
    /// count when it carries a device cookie this login knows.
    pub(crate) async fn tried(app: &App, req: &Req, email: &str) -> AppResult<LoginKey> {
        let mut key = LoginKey::of(email).await?;
        if let Some(cookie) = device_cookie(req) {
            let hash = sha256_hex(cookie.as_bytes()).await?;
            match known_devices::known(&app.db, &hash, &key.email_hash, app.now).await? {
                Known::ToThisLogin => {
                    key.device = Some(hash.clone());
                    key.issued = Some((cookie, hash));
                }
                Known::ToOthers => key.issued = Some((cookie, hash)),
                Known::Not => {}
            }
        }
        Ok(key)
    }

    /// `LoginLocked` while this login must wait (from this device).
    pub(crate) async fn check(&self, app: &App) -> AppResult<()> {
        let failures =
            login_failures::since(&app.db, &self.email_hash, self.device.as_deref(), app.now - WINDOW_MS).await?;
        match wait_ms(&failures, app.now) {
            Some(wait) => Err(AppError::LoginLocked(wait)),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt.
    pub(crate) async fn failed(&self, app: &App) -> AppResult<()> {
        login_failures::record(&app.db, &self.email_hash, self.device.as_deref(), app.now, app.now - WINDOW_MS).await
    }

    /// Starts the count over, from every device: a new password was set.
    pub(crate) async fn clear(&self, app: &App) -> AppResult<()> {
        login_failures::forget(&app.db, &self.email_hash).await
    }

    /// After a login (or a new password from a mailed link) succeeded from
    /// this browser: marks its device known to this login, and answers the
    /// `Set-Cookie` value that keeps (or first gives) the browser its
    /// device cookie for another year.
    pub(crate) async fn trust_device(&self, app: &App) -> AppResult<String> {
        let (token, hash) = match &self.issued {
            Some(known) => known.clone(),
            None => {
                let token = new_token()?;
                let hash = sha256_hex(token.as_bytes()).await?;
                (token, hash)
            }
        };
        known_devices::remember(&app.db, &hash, &self.email_hash, app.now).await?;
        Ok(format!(
            "{DEVICE_COOKIE}={token}; Path=/v1/auth/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
            known_devices::FORGET_AFTER_MS / 1000
        ))
    }
}

/// The request's device cookie, when it has one of a plausible shape.
fn device_cookie(req: &Req) -> Option<String> {
    let header = req.header("cookie")?;
    header.split(';').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        (k == DEVICE_COOKIE && (20..=100).contains(&v.len())).then(|| v.to_string())
    })
}
