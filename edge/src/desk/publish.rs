//! Publishing the KB: articles from D1 become a binary index in KV, which
//! the widget downloads and the help centre searches (and lists under the
//! articles' categories).

use crate::crypto::sha256_hex;
use crate::error::{AppError, AppResult};
use crate::state::App;
use crate::store::articles::{self, to_article};
use crate::store::kv::{self, IndexMeta};
use deflect_shared::kb::{BuildOptions, KbIndex, MatchWeights, PublishedKb};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub(crate) struct Published {
    pub(crate) site: String,
    pub(crate) articles: usize,
    pub(crate) bytes: usize,
    pub(crate) etag: String,
    pub(crate) weights: Vec<f32>,
}

/// Stores an encoded index with a content-derived ETag.
pub(crate) async fn store(app: &App, site: &str, published: &PublishedKb) -> AppResult<Published> {
    let bytes = published.encode();
    let index = &published.index;
    let etag = format!("\"{}\"", &sha256_hex(&bytes).await?[..32]);
    let meta = IndexMeta { etag: etag.clone(), published_at: app.now, articles: index.articles().len() };
    kv::put_kb_index(&app.kv, site, &bytes, &meta).await?;
    Ok(Published {
        site: site.to_string(),
        articles: meta.articles,
        bytes: bytes.len(),
        etag,
        weights: index.weights().signals.to_vec(),
    })
}

/// Builds the site's index from its articles and publishes it. Weights
/// learned by retraining, when present, replace the ones learned from the
/// articles' own phrasings.
pub(crate) async fn publish(app: &App, site: &str) -> AppResult<Published> {
    let index = build(app, site, kv::match_weights(&app.kv, site).await?).await?;
    store(app, site, &index).await
}

/// Builds the index publishing would make of the site's articles as they
/// are saved now, with the weights retraining learned, if any.
async fn build(app: &App, site: &str, learned: Option<MatchWeights>) -> AppResult<PublishedKb> {
    let list = articles::list(&app.db, site).await?;
    if list.is_empty() {
        return Err(AppError::Conflict(format!("site {site} has no articles yet")));
    }
    let arts: Vec<_> = list.iter().map(to_article).collect();
    let mut options = BuildOptions::default();
    if let Some(w) = learned {
        options.weights = w;
        options.learn_weights = false;
    }
    Ok(PublishedKb::build(&arts, &options)?)
}

/// The index publishing would make now, to try questions on before
/// publishing. Kept in KV under a fingerprint of the saved articles and the
/// learned weights, so it is built again only after a change.
pub(crate) async fn draft(app: &App, site: &str) -> AppResult<KbIndex> {
    let learned = kv::match_weights(&app.kv, site).await?;
    let fingerprint = format!("{}/{:?}", articles::fingerprint(&app.db, site).await?, learned);
    if let Some(bytes) = kv::kb_draft(&app.kv, site, &fingerprint).await?
        && let Ok(index) = KbIndex::decode(&bytes)
    {
        return Ok(index);
    }
    let built = build(app, site, learned).await?;
    kv::put_kb_draft(&app.kv, site, &fingerprint, &built.index.encode()).await?;
    Ok(built.index)
}

/// The published index of a site, decoded (without the help centre's
/// categories, which only the help centre and retraining read).
pub(crate) async fn load(app: &App, site: &str) -> AppResult<Option<KbIndex>> {
    match kv::kb_index(&app.kv, site).await? {
        Some((bytes, _)) => Ok(Some(KbIndex::decode(&bytes)?)),
        None => Ok(None),
    }
}

/// The published index of a site with its articles' categories.
pub(crate) async fn load_with_categories(app: &App, site: &str) -> AppResult<Option<PublishedKb>> {
    match kv::kb_index(&app.kv, site).await? {
        Some((bytes, _)) => Ok(Some(PublishedKb::decode(&bytes)?)),
        None => Ok(None),
    }
}
