//! The learned part of the matcher: a sparse linear model over hashed
//! features, one score per article.
//!
//! A weight exists only where a feature occurs in one of the article's own
//! examples (its "support"), which keeps the model about as large as a
//! tf-idf index while its values are fitted discriminatively
//! (see [`super::train`]).

use super::features::{FeatureConfig, RawFeature, weigh};

/// A sparse feature-by-article weight matrix in compressed rows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Model {
    /// Feature hashes, sorted and unique.
    pub(crate) features: Vec<u32>,
    /// Inverse document frequency of each feature.
    pub(crate) idf: Vec<f32>,
    /// `offsets[i]..offsets[i + 1]` index `articles` and `weights` for
    /// feature `i`.
    pub(crate) offsets: Vec<u32>,
    pub(crate) articles: Vec<u32>,
    pub(crate) weights: Vec<f32>,
    /// One bias per article.
    pub(crate) bias: Vec<f32>,
    pub(crate) config: FeatureConfig,
}

impl Model {
    /// Position of a feature hash, if the model knows it.
    pub(crate) fn position(&self, hash: u32) -> Option<usize> {
        self.features.binary_search(&hash).ok()
    }

    /// Weighs raw features into a vector over known feature positions.
    pub(crate) fn vector(&self, raw: &[RawFeature]) -> Vec<(usize, f32)> {
        weigh(raw, &self.config, |h| self.position(h).map(|i| self.idf[i]))
            .into_iter()
            .filter_map(|(h, v)| self.position(h).map(|i| (i, v)))
            .collect()
    }

    /// Writes every article's score for `vector` into `scores`.
    pub(crate) fn score(&self, vector: &[(usize, f32)], scores: &mut [f32]) {
        scores.copy_from_slice(&self.bias);
        for &(f, x) in vector {
            let range = self.offsets[f] as usize..self.offsets[f + 1] as usize;
            for (a, w) in self.articles[range.clone()].iter().zip(&self.weights[range]) {
                scores[*a as usize] += x * w;
            }
        }
    }

    /// Number of stored weights.
    pub(crate) fn nnz(&self) -> usize {
        self.weights.len()
    }
}
