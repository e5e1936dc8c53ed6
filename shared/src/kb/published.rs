//! What publishing stores: the widget's index, and the help centre's
//! categories beside it.

use super::article::Article;
use super::index::{BuildOptions, KbIndex};
use crate::error::Error;

/// A published knowledge base: the [`KbIndex`] the widget and the help
/// centre search, and the category each article is listed under in the
/// help centre. Encoded, the categories are one more section of the
/// index (see [`super::format`]), which [`KbIndex::decode`] skips.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedKb {
    /// The index.
    pub index: KbIndex,
    /// Each article's category, in index order; empty when no article has
    /// one.
    pub categories: Vec<String>,
}

impl PublishedKb {
    /// Builds the index of `articles` and keeps their categories.
    pub fn build(articles: &[Article], options: &BuildOptions) -> Result<PublishedKb, Error> {
        let index = KbIndex::build(articles, options)?;
        let categories = if articles.iter().any(|a| !a.category.is_empty()) {
            articles.iter().map(|a| a.category.clone()).collect()
        } else {
            Vec::new()
        };
        Ok(PublishedKb { index, categories })
    }

    /// The category of the article at `position` in the index ("" for
    /// none).
    pub fn category(&self, position: usize) -> &str {
        self.categories.get(position).map_or("", String::as_str)
    }
}
