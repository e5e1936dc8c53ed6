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

    // Drop the most common features in large KBs: they cost the most (every
    // update touches each of their articles) and say the least.
    let cap = if n_articles >= 50 {
        (((n_articles as f32) * config.max_article_share).ceil() as usize).min(MAX_SUPPORT)
    } else {
        usize::MAX
    };
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

/// Example updates per fit: epochs shrink as a KB grows, so fitting stays
/// near-linear in its size (a large KB has many examples per epoch).
const UPDATE_BUDGET: usize = 100_000;

/// Most articles a feature may be in and still be kept.
const MAX_SUPPORT: usize = 100;

/// The epochs for `examples` examples: `config.epochs`, fewer for large KBs,
/// at least five.
fn epochs(config: &TrainConfig, examples: usize) -> u32 {
    let budget = (UPDATE_BUDGET / examples.max(1)) as u32;
    config.epochs.min(budget.max(5))
}

/// AdaGrad on the softmax cross-entropy.
///
/// An example's softmax runs over its *candidates*, the articles that share
/// a feature with it: only their weights can change. Every other article
/// scores its bias alone, and they enter the softmax together through the
/// running sum of `exp(bias)`; their own (tiny) bias gradients are left
/// out. That keeps an update proportional to the example's features, not
/// to the size of the KB, and is exact for the weights.
fn fit(model: &mut Model, vectors: &[(usize, Vec<(usize, f32)>)], config: TrainConfig) {
    let n_articles = model.bias.len();
    if n_articles < 2 || vectors.is_empty() {
        return;
    }
    let mut grad_sq = vec![1e-6f32; model.weights.len()];
    let mut bias_sq = vec![1e-6f32; n_articles];
    // Scratch by article, valid only for the current candidates.
    let mut scores = vec![0.0f32; n_articles];
    let mut stamp = vec![usize::MAX; n_articles];
    let mut candidates: Vec<usize> = Vec::new();
    // Σ exp(bias) over all articles, kept up to date as biases move.
    let mut exp_bias: Vec<f64> = model.bias.iter().map(|b| f64::from(b.exp())).collect();
    let mut sum_exp_bias: f64 = exp_bias.iter().sum();
    let mut order: Vec<usize> = (0..vectors.len()).collect();
    let mut rng = SplitMix(config.seed);
    let lr = config.learning_rate;
    for _ in 0..epochs(&config, vectors.len()) {
        rng.shuffle(&mut order);
        for (step, &i) in order.iter().enumerate() {
            let (gold, x) = &vectors[i];
            candidates.clear();
            let mut visit = |a: usize, candidates: &mut Vec<usize>, scores: &mut [f32]| {
                if stamp[a] != step {
                    stamp[a] = step;
                    scores[a] = model.bias[a];
                    candidates.push(a);
                }
            };
            visit(*gold, &mut candidates, &mut scores);
            for &(f, xv) in x {
                let range = model.offsets[f] as usize..model.offsets[f + 1] as usize;
                for k in range {
                    let a = model.articles[k] as usize;
                    visit(a, &mut candidates, &mut scores);
                    scores[a] += xv * model.weights[k];
                }
            }
            // Softmax over the candidates and the lumped rest.
            let max = candidates.iter().map(|&a| scores[a]).fold(f32::NEG_INFINITY, f32::max);
            let mut rest = sum_exp_bias;
            let mut z = 0.0f64;
            for &a in &candidates {
                rest -= exp_bias[a];
                let e = f64::from((scores[a] - max).exp());
                scores[a] = e as f32;
                z += e;
            }
            z += rest.max(0.0) * f64::from((-max).exp());
            for &a in &candidates {
                scores[a] = (f64::from(scores[a]) / z) as f32;
            }
            scores[*gold] -= 1.0;
            // `scores` now holds the gradient of the loss by each
            // candidate's score.
            for &(f, xv) in x {
                let range = model.offsets[f] as usize..model.offsets[f + 1] as usize;
                for k in range {
                    let a = model.articles[k] as usize;
                    let g = scores[a] * xv + config.l2 * model.weights[k];
                    grad_sq[k] += g * g;
                    model.weights[k] -= lr * g / grad_sq[k].sqrt();
                }
            }
            for &a in &candidates {
                let g = scores[a];
                if g.abs() > 1e-6 {
                    bias_sq[a] += g * g;
                    model.bias[a] -= lr * 0.1 * g / bias_sq[a].sqrt();
                    let e = f64::from(model.bias[a].exp());
                    sum_exp_bias += e - exp_bias[a];
                    exp_bias[a] = e;
                }
            }
        }
        // Stamps are per step of an epoch; start the next epoch clean.
        stamp.iter_mut().for_each(|s| *s = usize::MAX);
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
