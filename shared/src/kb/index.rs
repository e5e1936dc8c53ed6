//! The KB index: building it from articles.

use super::article::{Article, sentences};
use super::bm25::{BODY, Bm25, Bm25Config, FIELDS, PHRASINGS, TAGS, TITLE};
use super::features::{FeatureConfig, RawFeature, raw_features, terms};
use super::model::Model;
use super::train::{TrainConfig, train};
use super::weights::{LabelledSignals, MatchWeights, fit_signal_weights};
use crate::error::{Error, ErrorKind};
use crate::text::analyze;

/// Most articles in one index.
pub const MAX_ARTICLES: usize = 20_000;

/// An article as the index keeps it for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredArticle {
    /// The article's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its answer text.
    pub body: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its language tag.
    pub locale: String,
}

/// Settings for [`KbIndex::build`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BuildOptions {
    /// Feature extraction.
    pub features: FeatureConfig,
    /// Model fitting.
    pub train: TrainConfig,
    /// BM25F parameters.
    pub bm25: Bm25Config,
    /// Start (and, without learning, final) combination weights.
    pub weights: MatchWeights,
    /// Learn the combination weights from held-out phrasings of the KB
    /// itself (k-fold); skipped for KBs over `learn_weights_max_articles`.
    pub learn_weights: bool,
    /// Number of folds (2..=10).
    pub folds: usize,
    /// Largest KB for which weights are learned at build time.
    pub learn_weights_max_articles: usize,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            features: FeatureConfig::default(),
            train: TrainConfig::default(),
            bm25: Bm25Config::default(),
            weights: MatchWeights::default(),
            learn_weights: true,
            folds: 4,
            learn_weights_max_articles: 300,
        }
    }
}

/// A searchable knowledge base: the articles, a BM25F index, the learned
/// model and the combination weights.
#[derive(Debug, Clone, PartialEq)]
pub struct KbIndex {
    pub(crate) articles: Vec<StoredArticle>,
    pub(crate) bm25: Bm25,
    pub(crate) model: Model,
    pub(crate) weights: MatchWeights,
}

impl KbIndex {
    /// Builds an index. Fails on invalid or duplicate articles and on an
    /// empty KB.
    pub fn build(articles: &[Article], options: &BuildOptions) -> Result<KbIndex, Error> {
        if articles.is_empty() {
            return Err(Error::new(ErrorKind::EmptyKb));
        }
        if articles.len() > MAX_ARTICLES {
            return Err(Error::new(ErrorKind::InvalidArticle(format!(
                "a KB holds at most {MAX_ARTICLES} articles, this one has {}",
                articles.len()
            ))));
        }
        let mut ids: Vec<&str> = Vec::with_capacity(articles.len());
        for a in articles {
            a.validate()?;
            ids.push(&a.id);
        }
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::new(ErrorKind::InvalidArticle(format!("two articles have the id {:?}", w[0]))));
        }
        let mut index = build_plain(articles, options);
        if options.learn_weights && articles.len() >= 2 && articles.len() <= options.learn_weights_max_articles {
            let data = held_out_signals(articles, options);
            index.weights.signals = fit_signal_weights(&data, options.weights.signals, 300);
        }
        Ok(index)
    }

    /// The articles, in index order.
    pub fn articles(&self) -> &[StoredArticle] {
        &self.articles
    }

    /// The combination weights.
    pub fn weights(&self) -> &MatchWeights {
        &self.weights
    }

    /// Replaces the combination weights (after [`fit_signal_weights`]).
    pub fn set_weights(&mut self, weights: MatchWeights) {
        self.weights = weights;
    }

    /// The BM25F parameters.
    pub fn bm25_config(&self) -> &Bm25Config {
        self.bm25.config()
    }

    /// Replaces the BM25F parameters.
    pub fn set_bm25_config(&mut self, config: Bm25Config) {
        self.bm25.set_config(config);
    }

    /// Position of an article by id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.articles.iter().position(|a| a.id == id)
    }

    /// Sizes, for reports: (articles, BM25 terms, model features, model
    /// weights).
    pub fn stats(&self) -> (usize, usize, usize, usize) {
        (self.articles.len(), self.bm25.len(), self.model.features.len(), self.model.nnz())
    }
}

/// Builds an index with the given weights, learning nothing but the model.
fn build_plain(articles: &[Article], options: &BuildOptions) -> KbIndex {
    let mut fields: Vec<[Vec<String>; FIELDS]> = Vec::with_capacity(articles.len());
    let mut examples: Vec<(u32, Vec<RawFeature>)> = Vec::new();
    for (i, a) in articles.iter().enumerate() {
        let mut f: [Vec<String>; FIELDS] = Default::default();
        f[TITLE] = terms(&analyze(&a.title));
        f[TAGS] = terms(&analyze(&a.tags.join(" ")));
        f[PHRASINGS] = a.phrasings.iter().flat_map(|p| terms(&analyze(p))).collect();
        f[BODY] = terms(&analyze(&a.body));
        fields.push(f);
        for text in a.examples() {
            let raw = raw_features(&analyze(&text), &options.features);
            if !raw.is_empty() {
                examples.push((i as u32, raw));
            }
        }
    }
    let model = train(&examples, articles.len(), options.features, options.train);
    KbIndex {
        articles: articles
            .iter()
            .map(|a| StoredArticle {
                id: a.id.clone(),
                title: a.title.clone(),
                body: a.body.clone(),
                tags: a.tags.clone(),
                locale: a.locale.clone(),
            })
            .collect(),
        bm25: Bm25::build(&fields, options.bm25),
        model,
        weights: options.weights,
    }
}

/// The article without the held-out texts of fold `k` of `folds`: phrasings
/// and body sentences are numbered in order, and those with number ≡ k are
/// removed. Returns the reduced article and the removed texts.
fn split_fold(a: &Article, k: usize, folds: usize) -> (Article, Vec<String>) {
    let mut kept = a.clone();
    let mut held = Vec::new();
    let mut n = 0usize;
    kept.phrasings.clear();
    for p in &a.phrasings {
        if n % folds == k {
            held.push(p.clone());
        } else {
            kept.phrasings.push(p.clone());
        }
        n += 1;
    }
    let mut body = Vec::new();
    for s in sentences(&a.body) {
        if n % folds == k {
            held.push(s);
        } else {
            body.push(s);
        }
        n += 1;
    }
    kept.body = body.join(" ");
    (kept, held)
}

/// Signals of each held-out text against an index built without it.
fn held_out_signals(articles: &[Article], options: &BuildOptions) -> Vec<LabelledSignals> {
    let folds = options.folds.clamp(2, 10);
    let mut data = Vec::new();
    for k in 0..folds {
        let mut reduced = Vec::with_capacity(articles.len());
        let mut held: Vec<(usize, String)> = Vec::new();
        for (i, a) in articles.iter().enumerate() {
            let (r, h) = split_fold(a, k, folds);
            reduced.push(r);
            held.extend(h.into_iter().map(|t| (i, t)));
        }
        let index = build_plain(&reduced, options);
        for (gold, text) in held {
            if let Some(signals) = index.signals(&text, false) {
                data.push(LabelledSignals { signals, gold });
            }
        }
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: &str, title: &str, body: &str) -> Article {
        Article { id: id.into(), title: title.into(), body: body.into(), locale: "en".into(), ..Article::default() }
    }

    #[test]
    fn rejects_empty_and_duplicate_kbs() {
        let opts = BuildOptions::default();
        assert_eq!(KbIndex::build(&[], &opts).unwrap_err().kind(), &ErrorKind::EmptyKb);
        let a = article("a", "t", "b");
        let err = KbIndex::build(&[a.clone(), a], &opts).unwrap_err();
        assert!(err.to_string().contains("two articles have the id"), "{err}");
    }

    #[test]
    fn folds_partition_the_examples() {
        let mut a = article("a", "T", "One. Two. Three.");
        a.phrasings = vec!["p1".into(), "p2".into()];
        let mut all = Vec::new();
        for k in 0..3 {
            let (kept, held) = split_fold(&a, k, 3);
            assert_eq!(kept.title, "T");
            all.extend(held);
        }
        all.sort();
        assert_eq!(all, ["One.", "Three.", "Two.", "p1", "p2"]);
    }
}
