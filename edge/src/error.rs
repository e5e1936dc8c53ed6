//! `AppError`: every failure a handler can have, mapped to a status and a
//! JSON body. Internal details are logged, never sent.

use deflect_shared::api::{ApiError, ErrorBody};
use deflect_shared::login_guard::{WINDOW_MS, wait_in_words};
use deflect_shared::{Error as CoreError, ErrorKind};
use worker::Response;

/// A failure, with what the client should be told.
#[derive(Debug)]
pub(crate) enum AppError {
    /// 400: the request is malformed (bad JSON, bad header).
    BadRequest { code: &'static str, message: String },
    /// 422: a field is invalid.
    Invalid { field: Option<String>, message: String },
    /// 401.
    Unauthenticated,
    /// 401 for a failed login.
    AuthFailed,
    /// 401: the password was right; two-step login wants a code too.
    TwoFactorRequired,
    /// 401: the code was wrong or used already.
    TwoFactorFailed,
    /// 403: the team requires two-step login and the caller has not set it
    /// up.
    TwoFactorSetupRequired,
    /// 403.
    Forbidden(String),
    /// 404.
    NotFound(String),
    /// 405, with the methods the path is served with.
    MethodNotAllowed(&'static str),
    /// 409: the request conflicts with the state.
    Conflict(String),
    /// 412: the article changed since the caller read it (`If-Match`).
    EditConflict(String),
    /// 410: it existed and was erased on purpose.
    Gone(String),
    /// 413.
    TooLarge(usize),
    /// 415.
    UnsupportedMediaType,
    /// 429, with seconds to wait.
    RateLimited(u64),
    /// 401: the API token stopped working by itself at this time (ms).
    TokenExpired(i64),
    /// 429: too many failed attempts to log in as this address lately; the
    /// wait in ms.
    LoginLocked(i64),
    /// 503: the database stayed busy; the client should try again soon.
    Unavailable,
    /// 500: logged with its detail; the client gets a generic message.
    Internal(String),
}

pub(crate) type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub(crate) fn bad(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::BadRequest { code, message: message.into() }
    }

    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid { field: Some(field.to_string()), message: message.into() }
    }

    fn parts(&self) -> (u16, &'static str, String, Option<String>) {
        match self {
            AppError::BadRequest { code, message } => (400, code, message.clone(), None),
            AppError::Invalid { field, message } => (422, "invalid_field", message.clone(), field.clone()),
            AppError::Unauthenticated => (401, "unauthenticated", "log in first".into(), None),
            AppError::AuthFailed => (401, "invalid_credentials", "wrong e-mail or password".into(), None),
            AppError::TokenExpired(at) => {
                let iso = String::from(js_sys::Date::new(&(*at as f64).into()).to_iso_string());
                let when = iso.get(..16).unwrap_or(&iso).replace('T', " ");
                let message = format!(
                    "this API token stopped working at {when} UTC, as it was made to: an admin makes a new one in Settings"
                );
                (401, "token_expired", message, None)
            }
            AppError::TwoFactorRequired => (
                401,
                "two_factor_required",
                "enter the 6-digit code from your authenticator app, or a recovery code".into(),
                Some("code".into()),
            ),
            AppError::TwoFactorFailed => (
                401,
                "two_factor_failed",
                "that code is not right, or it was used already: try the newest code from the app".into(),
                Some("code".into()),
            ),
            AppError::TwoFactorSetupRequired => (
                403,
                "two_factor_setup_required",
                "your team requires two-step login: set it up on your account page first".into(),
                None,
            ),
            AppError::Forbidden(m) => (403, "forbidden", m.clone(), None),
            AppError::NotFound(m) => (404, "not_found", m.clone(), None),
            AppError::MethodNotAllowed(_) => {
                (405, "method_not_allowed", "this method is not allowed here".into(), None)
            }
            AppError::Conflict(m) => (409, "conflict", m.clone(), None),
            AppError::Gone(m) => (410, "gone", m.clone(), None),
            AppError::EditConflict(m) => (412, "edit_conflict", m.clone(), None),
            AppError::TooLarge(limit) => (413, "too_large", format!("the body is larger than {limit} bytes"), None),
            AppError::UnsupportedMediaType => {
                (415, "unsupported_media_type", "send the body as application/json".into(), None)
            }
            AppError::RateLimited(s) => {
                (429, "rate_limited", format!("too many requests; try again in {s} seconds"), None)
            }
            AppError::LoginLocked(wait) => (
                429,
                "login_locked",
                format!(
                    "too many failed attempts to log in as this address in the last {} minutes: try again in {} or \
                     from a browser you have logged in with before, or set a new password with \"Forgot your \
                     password?\"",
                    WINDOW_MS / 60_000,
                    wait_in_words(*wait)
                ),
                None,
            ),
            AppError::Unavailable => (503, "busy", "the service is busy; try again in a moment".into(), None),
            AppError::Internal(_) => {
                (500, "internal", "something went wrong on our side; it has been logged".into(), None)
            }
        }
    }

    /// What the client is told, in words.
    pub(crate) fn message(&self) -> String {
        self.parts().2
    }

    /// The HTTP response for this error.
    pub(crate) fn response(&self) -> worker::Result<Response> {
        let (status, code, message, field) = self.parts();
        if let AppError::Internal(detail) = self {
            worker::console_error!("internal error: {detail}");
        }
        let body = ApiError { error: ErrorBody { code: code.to_string(), message, field } };
        let mut resp = Response::ok(serde_json::to_string(&body)?)?.with_status(status);
        let h = resp.headers_mut();
        h.set("content-type", "application/json; charset=utf-8")?;
        if let AppError::RateLimited(s) = self {
            h.set("retry-after", &s.to_string())?;
        }
        if let AppError::LoginLocked(wait) = self {
            h.set("retry-after", &((wait + 999) / 1_000).to_string())?;
        }
        if let AppError::Unavailable = self {
            h.set("retry-after", "1")?;
        }
        if let AppError::MethodNotAllowed(methods) = self {
            h.set("allow", methods)?;
        }
        if let AppError::Unauthenticated = self {
            h.set("www-authenticate", "Bearer realm=\"deflect\"")?;
        }
        Ok(resp)
    }
}

impl From<worker::Error> for AppError {
    fn from(e: worker::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<worker::KvError> for AppError {
    fn from(e: worker::KvError) -> Self {
        AppError::Internal(format!("kv: {e:?}"))
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        AppError::Internal(format!("json: {e}"))
    }
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> Self {
        match e.kind() {
            ErrorKind::InvalidField { field, message } => {
                AppError::Invalid { field: Some(field.clone()), message: format!("{field}: {message}") }
            }
            ErrorKind::IndexFormat(_) | ErrorKind::IndexVersion { .. } => AppError::Internal(e.to_string()),
            _ => AppError::Invalid { field: None, message: e.to_string() },
        }
    }
}
