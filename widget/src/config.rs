//! What the embedding page configures through the script tag's data
//! attributes (read by the loader and passed in as JSON).

use serde::Deserialize;

/// Widget settings.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Config {
    /// `data-site`.
    pub(crate) site: String,
    /// The edge's origin, where the loader came from.
    pub(crate) edge: String,
    /// `data-locale`, or the page's or browser's language.
    #[serde(default)]
    pub(crate) locale: String,
    /// `data-greeting`.
    #[serde(default)]
    pub(crate) greeting: Option<String>,
    /// `data-title`.
    #[serde(default)]
    pub(crate) title: Option<String>,
}

impl Config {
    /// `zh` for Chinese pages and browsers, else `en`.
    pub(crate) fn language(&self) -> &'static str {
        if self.locale.to_ascii_lowercase().starts_with("zh") { "zh" } else { "en" }
    }
}
