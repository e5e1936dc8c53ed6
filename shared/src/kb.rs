//! The knowledge base: articles, the index and the matcher.
//!
//! [`KbIndex::build`] turns [`Article`]s into an index that combines a BM25F
//! index over the article fields with a sparse linear model learned from the
//! articles' own phrasings; [`KbIndex::search`] ranks articles for a
//! question, gives a confidence and decides whether to answer, suggest or
//! escalate. [`KbIndex::encode`] and [`KbIndex::decode`] move an index
//! between the edge and the browser in a compact, versioned format.

mod article;
mod bm25;
mod category;
mod evaluate;
mod features;
mod format;
mod gaps;
mod index;
mod matcher;
mod model;
mod published;
mod train;
mod weights;

pub use article::{Article, MAX_BODY_LEN, MAX_CATEGORY_LEN, MAX_ID_LEN, MAX_LIST_LEN, MAX_TITLE_LEN, sentences};
pub use bm25::Bm25Config;
pub use category::{
    CategoryGroup, MAX_ORDERED_CATEGORIES, by_category, folder_name, folder_path, split_section, validate_order,
};
pub use evaluate::{EvalReport, LabelledQuestion, evaluate};
pub use features::FeatureConfig;
pub use format::FORMAT_VERSION;
pub use gaps::{QuestionGroup, group_questions};
pub use index::{BuildOptions, KbIndex, MAX_ARTICLES, StoredArticle};
pub use matcher::{Decision, Hit, Matches, SearchOptions};
pub use published::PublishedKb;
pub use train::TrainConfig;
pub use weights::{LabelledSignals, MatchWeights, SIGNAL_NAMES, SIGNALS, fit_signal_weights};
