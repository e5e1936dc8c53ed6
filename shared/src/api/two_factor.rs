//! Two-step login: setting it up, turning it off, recovery codes; and the
//! caller's own sessions.

use crate::error::Error;
use serde::{Deserialize, Serialize};

/// `POST /v1/auth/two-factor/setup`: proves the password before a secret
/// is made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorStart {
    /// The current password.
    pub password: String,
}

/// A new secret to put into an authenticator app; two-step login is on
/// only once a code from it is confirmed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TwoFactorSetup {
    /// The secret in base32, for typing into the app.
    pub secret: String,
    /// The `otpauth://` address, for a QR code.
    pub uri: String,
}

/// A code from the app (or a recovery code where the route says so).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorCode {
    /// Six digits, or a recovery code.
    pub code: String,
}

/// `POST /v1/auth/two-factor/disable`: the password and a code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorOff {
    /// The current password.
    pub password: String,
    /// A code from the app, or a recovery code.
    pub code: String,
}

/// Single-use codes for when the phone is lost, shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryCodes {
    /// `abcde-fghij`, each good for one login.
    pub codes: Vec<String>,
}

/// Checks a password field's length before any work is spent on it.
pub fn password_field(field: &str, password: &str) -> Result<(), Error> {
    if password.is_empty() || password.len() > 200 {
        return Err(Error::field(field, "enter your current password"));
    }
    Ok(())
}

/// One of the caller's open sessions (`GET /v1/auth/sessions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    /// The handle to end it by (not the session's secret).
    pub id: String,
    /// When it was opened (a login).
    pub created_at: i64,
    /// When it ends by itself.
    pub expires_at: i64,
    /// The address it was opened from.
    pub ip: Option<String>,
    /// The browser, in words ("Chrome on Linux").
    pub device: String,
    /// Whether it is the session asking.
    pub current: bool,
}
