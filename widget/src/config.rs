//! What the embedding page configures through the script tag's data
//! attributes (read by the loader and passed in as JSON).

use crate::wire::In;

/// Widget settings.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// `data-site`.
    pub(crate) site: String,
    /// The edge's origin, where the loader came from.
    pub(crate) edge: String,
    /// `data-locale`, or the page's or browser's language.
    pub(crate) locale: String,
    /// `data-greeting`.
    pub(crate) greeting: Option<String>,
    /// `data-title`.
    pub(crate) title: Option<String>,
    /// `data-reply-time`: when the team replies, in the site's words, for
    /// the ticket form instead of the default promise.
    pub(crate) reply_time: Option<String>,
}

impl Config {
    /// Reads the loader's JSON; `site` and `edge` are required.
    pub(crate) fn parse(json: &str) -> Option<Config> {
        let v = In::parse(json)?;
        Some(Config {
            site: v.str("site")?,
            edge: v.str("edge")?,
            locale: v.str("locale").unwrap_or_default(),
            greeting: v.str("greeting"),
            title: v.str("title"),
            reply_time: v.str("reply_time"),
        })
    }

    /// `zh` for Chinese pages and browsers, else `en`.
    pub(crate) fn language(&self) -> &'static str {
        if self.locale.to_ascii_lowercase().starts_with("zh") { "zh" } else { "en" }
    }
}
