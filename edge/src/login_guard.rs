//! The wait a login takes after too many failed attempts
//! (`shared::login_guard` says how many), kept per address in D1, which is
//! consistent wherever the attempts come from.

use crate::crypto::sha256_hex;
use crate::error::{AppError, AppResult};
use crate::state::App;
use crate::store::login_failures;
use deflect_shared::login_guard::{WINDOW_MS, wait_ms};

/// A login address's key: its digest, so the table keeps no addresses.
pub(crate) struct LoginKey(String);

impl LoginKey {
    /// The key of an address as logins compare it (trimmed, lower case).
    pub(crate) async fn of(email: &str) -> AppResult<LoginKey> {
        Ok(LoginKey(sha256_hex(email.trim().to_lowercase().as_bytes()).await?))
    }

    /// `LoginLocked` while this login must wait.
    pub(crate) async fn check(&self, app: &App) -> AppResult<()> {
        let failures = login_failures::since(&app.db, &self.0, app.now - WINDOW_MS).await?;
        match wait_ms(&failures, app.now) {
            Some(wait) => Err(AppError::LoginLocked(wait)),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt.
    pub(crate) async fn failed(&self, app: &App) -> AppResult<()> {
        login_failures::record(&app.db, &self.0, app.now, app.now - WINDOW_MS).await
    }

    /// Starts the count over: a new password was set.
    pub(crate) async fn clear(&self, app: &App) -> AppResult<()> {
        login_failures::forget(&app.db, &self.0).await
    }
}
