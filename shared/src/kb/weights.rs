//! How the matcher's signals combine into one score, and how the
//! combination is learned from labelled pairs.
//!
//! `score(q, a) = Σ wᵢ · fᵢ(q, a)`, then a softmax over articles gives each
//! article's probability. The weights are data: they travel in the index and
//! can be refitted from (question, right article) pairs, for instance held-out
//! phrasings of the KB itself, tickets an agent linked to the article that
//! solved them, or "this helped" clicks.

/// Number of signals.
pub const SIGNALS: usize = 4;

/// The signals, by position in [`MatchWeights::signals`].
pub const SIGNAL_NAMES: [&str; SIGNALS] = [
    "model (learned term weights, z-score over articles)",
    "bm25f (z-score over articles)",
    "coverage (share of the question's idf the article contains)",
    "bm25f / the question's ceiling",
];

/// The combination weights and decision thresholds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchWeights {
    /// One weight per signal (-20.0..=20.0).
    pub signals: [f32; SIGNALS],
    /// A confidence at or above this answers with the best article
    /// (0.0..=1.0).
    pub answer_threshold: f32,
    /// A confidence at or above this (and below `answer_threshold`) suggests
    /// up to three articles; below it the question is escalated (0.0..=1.0).
    pub suggest_threshold: f32,
}

impl Default for MatchWeights {
    fn default() -> Self {
        MatchWeights { signals: [1.5, 1.5, 1.0, 1.0], answer_threshold: 0.5, suggest_threshold: 0.25 }
    }
}

impl MatchWeights {
    /// Combines one article's signals.
    pub fn combine(&self, signals: &[f32; SIGNALS]) -> f32 {
        self.signals.iter().zip(signals).map(|(w, f)| w * f).sum()
    }
}

/// One labelled question: every article's signals and the right article.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledSignals {
    /// `signals[a]` are the signals of article `a` for this question.
    pub signals: Vec<[f32; SIGNALS]>,
    /// The index of the right article.
    pub gold: usize,
}

/// Fits the signal weights by maximum likelihood (a conditional logit over
/// articles) with a small L2 pull towards `start`. Deterministic gradient
/// ascent; returns `start` unchanged when there is nothing to learn from.
pub fn fit_signal_weights(data: &[LabelledSignals], start: [f32; SIGNALS], iterations: u32) -> [f32; SIGNALS] {
    if data.is_empty() {
        return start;
    }
    let mut w = start;
    let mut sq = [1e-8f32; SIGNALS];
    let l2 = 1e-3;
    let lr = 0.1;
    let mut probs: Vec<f32> = Vec::new();
    for _ in 0..iterations {
        let mut grad = [0.0f32; SIGNALS];
        for item in data {
            probs.clear();
            probs.extend(item.signals.iter().map(|s| w.iter().zip(s).map(|(w, f)| w * f).sum::<f32>()));
            super::train::softmax_in_place(&mut probs);
            for (a, s) in item.signals.iter().enumerate() {
                let y = if a == item.gold { 1.0 } else { 0.0 };
                let g = y - probs[a];
                for i in 0..SIGNALS {
                    grad[i] += g * s[i];
                }
            }
        }
        let n = data.len() as f32;
        for i in 0..SIGNALS {
            let g = grad[i] / n - l2 * (w[i] - start[i]);
            sq[i] += g * g;
            w[i] += lr * g / sq[i].sqrt();
            w[i] = w[i].clamp(-20.0, 20.0);
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_which_signal_is_informative() {
        // Signal 0 points at the right article, signal 1 is noise.
        let data: Vec<LabelledSignals> = (0..40)
            .map(|i| {
                let gold = i % 3;
                let signals = (0..3)
                    .map(|a| {
                        let good = if a == gold { 1.0 } else { 0.0 };
                        let noise = ((i * 7 + a * 3) % 5) as f32 / 5.0;
                        [good, noise, 0.0, 0.0]
                    })
                    .collect();
                LabelledSignals { signals, gold }
            })
            .collect();
        let w = fit_signal_weights(&data, [0.0; SIGNALS], 300);
        assert!(w[0] > 1.0, "{w:?}");
        assert!(w[1].abs() < w[0] / 2.0, "{w:?}");
    }

    #[test]
    fn nothing_to_learn_keeps_the_start() {
        let start = MatchWeights::default().signals;
        assert_eq!(fit_signal_weights(&[], start, 10), start);
    }
}
