//! The error type of the shared core.

use std::fmt;

/// An error from the shared core. Its `Display` is meant for people: it says
/// what was wrong in words, in lower case and without a trailing period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An article failed validation; the message names the article.
    InvalidArticle(String),
    /// The knowledge base is empty or cannot be indexed.
    EmptyKb,
    /// A binary index could not be decoded.
    IndexFormat(String),
    /// An index was written by a newer format version.
    IndexVersion {
        /// The version found in the data.
        found: u16,
        /// The newest version this build reads.
        supported: u16,
    },
    /// An automation rule is invalid; the message says where and why.
    InvalidRule(String),
    /// A request field is invalid.
    InvalidField {
        /// The field's name in the request (`customer.email`).
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A model could not be fitted (for instance, too few examples).
    Training(String),
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Error {
        Error { kind }
    }

    pub(crate) fn field(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidField { field: field.into(), message: message.into() })
    }

    pub(crate) fn format(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::IndexFormat(message.into()))
    }

    pub(crate) fn rule(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidRule(message.into()))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::InvalidArticle(m) => write!(f, "invalid article: {m}"),
            ErrorKind::EmptyKb => write!(f, "the knowledge base has no articles to index"),
            ErrorKind::IndexFormat(m) => write!(f, "the KB index is damaged: {m}"),
            ErrorKind::IndexVersion { found, supported } => {
                write!(f, "the KB index has format version {found}, but this build reads up to version {supported}")
            }
            ErrorKind::InvalidRule(m) => write!(f, "invalid rule: {m}"),
            ErrorKind::InvalidField { field, message } => write!(f, "{field}: {message}"),
            ErrorKind::Training(m) => write!(f, "cannot fit the model: {m}"),
        }
    }
}

impl std::error::Error for Error {}

/// A serde_json error in words, with its position said once:
/// `missing field `site` (line 1, column 12)`. serde_json's own message ends
/// with "at line L column C", which reads badly inside a longer sentence.
pub fn json_problem(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let what = text.split(" at line ").next().unwrap_or(&text);
    format!("{what} (line {}, column {})", e.line(), e.column())
}

#[cfg(test)]
mod tests {
    use super::json_problem;

    #[test]
    fn json_problems_say_the_position_once() {
        let e = serde_json::from_str::<serde_json::Value>("{\"a\": }").unwrap_err();
        assert_eq!(json_problem(&e), "expected value (line 1, column 7)");
    }
}
