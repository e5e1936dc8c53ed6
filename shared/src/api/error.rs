//! The JSON error body every endpoint answers with.

use serde::{Deserialize, Serialize};

/// `{"error": {"code": "...", "message": "...", "field": "..."}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    /// The error.
    pub error: ErrorBody,
}

/// The inside of [`ApiError`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Machine-readable code: `invalid_json`, `invalid_field`,
    /// `unauthenticated`, `forbidden`, `not_found`, `rate_limited`, ...
    pub code: String,
    /// What went wrong, in words.
    pub message: String,
    /// The field at fault, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
