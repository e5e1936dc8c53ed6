//! Fitting the sparse linear [`Model`] to an article's own examples.
//!
//! The objective is multinomial logistic regression (softmax over articles)
//! with L2 regularisation, optimised with AdaGrad. Only weights on an
//! article's support are free; everything else is fixed at zero. Training is
//! deterministic: the example order comes from a seeded generator.

use super::features::{FeatureConfig, RawFeature};
use super::model::Model;

/// Settings for fitting the model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainConfig {
    /// Passes over the examples (1..=200).
    pub epochs: u32,
    /// AdaGrad step size (0.001..=5.0).
    pub learning_rate: f32,
    /// L2 penalty per example (0.0..=0.1).
    pub l2: f32,
    /// Features in more than this share of articles are dropped when the KB
    /// has at least 50 articles; they cost the most and say the least
    /// (0.05..=1.0).
    pub max_article_share: f32,
    /// Seed of the example order.
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig { epochs: 40, learning_rate: 0.5, l2: 1e-4, max_article_share: 0.5, seed: 0x5eed }
    }
}

/// A small deterministic generator (SplitMix64) for shuffling.
pub(crate) struct SplitMix(pub(crate) u64);

impl SplitMix {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// Fits a model. `examples` pairs an article index with the raw features of
/// one of its texts.
pub(crate) fn train(
    examples: &[(u32, Vec<RawFeature>)],
    n_articles: usize,
    features: FeatureConfig,
    config: TrainConfig,
) -> Model {
    // Document frequency over examples, and the articles each feature is in.
    let mut seen: Vec<(u32, u32)> = Vec::new();
    for (article, raw) in examples {
        for f in raw {
            seen.push((f.hash, *article));
        }
    }
    seen.sort_unstable();
    let mut hashes: Vec<u32> = Vec::new();
    let mut df: Vec<u32> = Vec::new();
    let mut support: Vec<Vec<u32>> = Vec::new();
    for (h, a) in seen {
        if hashes.last() != Some(&h) {
            hashes.push(h);
            df.push(0);
            support.push(Vec::new());
        }
        let i = hashes.len() - 1;
        df[i] += 1;
        if support[i].last() != Some(&a) {
            support[i].push(a);
        }
    }
    let n = examples.len() as f32;
    let idf: Vec<f32> = df.iter().map(|&d| ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0).collect();

    // Drop the most common features in large KBs.
    let cap =
        if n_articles >= 50 { ((n_articles as f32) * config.max_article_share).ceil() as usize } else { usize::MAX };
    let keep: Vec<bool> = support.iter().map(|s| s.len() <= cap).collect();

    let mut model = Model {
        features: Vec::new(),
        idf: Vec::new(),
        offsets: vec![0],
        articles: Vec::new(),
        weights: Vec::new(),
        bias: vec![0.0; n_articles],
        config: features,
    };
    for i in 0..hashes.len() {
        if !keep[i] {
            continue;
        }
        model.features.push(hashes[i]);
        model.idf.push(idf[i]);
        model.articles.extend_from_slice(&support[i]);
        model.offsets.push(model.articles.len() as u32);
    }
    model.weights = vec![0.0; model.articles.len()];

    let vectors: Vec<(usize, Vec<(usize, f32)>)> =
        examples.iter().map(|(a, raw)| (*a as usize, model.vector(raw))).collect();
    fit(&mut model, &vectors, config);
    model
}

/// AdaGrad on the softmax cross-entropy.
fn fit(model: &mut Model, vectors: &[(usize, Vec<(usize, f32)>)], config: TrainConfig) {
    let n_articles = model.bias.len();
    if n_articles < 2 || vectors.is_empty() {
        return;
    }
    let mut grad_sq = vec![1e-6f32; model.weights.len()];
    let mut bias_sq = vec![1e-6f32; n_articles];
    let mut scores = vec![0.0f32; n_articles];
    let mut order: Vec<usize> = (0..vectors.len()).collect();
    let mut rng = SplitMix(config.seed);
    let lr = config.learning_rate;
    for _ in 0..config.epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let (gold, x) = &vectors[i];
            model.score(x, &mut scores);
            softmax_in_place(&mut scores);
            scores[*gold] -= 1.0;
            // `scores` now holds the gradient of the loss by each article's
            // score.
            for &(f, xv) in x {
                let range = model.offsets[f] as usize..model.offsets[f + 1] as usize;
                for k in range {
                    let a = model.articles[k] as usize;
                    let g = scores[a] * xv + config.l2 * model.weights[k];
                    grad_sq[k] += g * g;
                    model.weights[k] -= lr * g / grad_sq[k].sqrt();
                }
            }
            for a in 0..n_articles {
                let g = scores[a];
                if g.abs() > 1e-6 {
                    bias_sq[a] += g * g;
                    model.bias[a] -= lr * 0.1 * g / bias_sq[a].sqrt();
                }
            }
        }
    }
}

/// Replaces scores by their softmax probabilities.
pub(crate) fn softmax_in_place(scores: &mut [f32]) {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for s in scores.iter_mut() {
        *s = (*s - max).exp();
        sum += *s;
    }
    if sum > 0.0 {
        for s in scores.iter_mut() {
            *s /= sum;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kb::features::raw_features;
    use crate::text::analyze;

    #[test]
    fn learns_to_separate_two_articles() {
        let cfg = FeatureConfig::default();
        let ex = |a: u32, s: &str| (a, raw_features(&analyze(s), &cfg));
        let examples = vec![
            ex(0, "my card has not arrived"),
            ex(0, "where is my new card"),
            ex(1, "i want a refund"),
            ex(1, "give me my money back"),
        ];
        let model = train(&examples, 2, cfg, TrainConfig::default());
        let mut s = [0.0; 2];
        model.score(&model.vector(&raw_features(&analyze("card not here yet"), &cfg)), &mut s);
        assert!(s[0] > s[1], "{s:?}");
        model.score(&model.vector(&raw_features(&analyze("refund please"), &cfg)), &mut s);
        assert!(s[1] > s[0], "{s:?}");
    }

    #[test]
    fn training_is_deterministic() {
        let cfg = FeatureConfig::default();
        let examples: Vec<_> = ["a b c", "b c d", "x y z", "y z w"]
            .iter()
            .enumerate()
            .map(|(i, s)| ((i / 2) as u32, raw_features(&analyze(s), &cfg)))
            .collect();
        let a = train(&examples, 2, cfg, TrainConfig::default());
        let b = train(&examples, 2, cfg, TrainConfig::default());
        assert_eq!(a, b);
    }
}
