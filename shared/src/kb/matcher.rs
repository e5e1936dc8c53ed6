//! Matching a question against a [`KbIndex`]: ranked articles, a calibrated
//! confidence and a decision (answer, suggest, escalate).

use super::features::{raw_features, terms};
use super::index::KbIndex;
use super::train::softmax_in_place;
use super::weights::SIGNALS;
use crate::text::analyze;

/// Options for one search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchOptions {
    /// How many hits to return (1..=50).
    pub limit: usize,
    /// The last word is still being typed: also match completions of it.
    pub last_word_unfinished: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions { limit: 3, last_word_unfinished: false }
    }
}

/// One ranked article.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Position of the article in [`KbIndex::articles`].
    pub article: usize,
    /// The combined score `Σ wᵢ·fᵢ`.
    pub score: f32,
    /// The article's probability among all articles (softmax of scores).
    pub probability: f32,
}

/// What to do with a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Show the best article as the answer.
    Answer,
    /// Offer up to three articles.
    Suggest,
    /// No article fits: offer a ticket.
    Escalate,
}

impl Decision {
    /// Its name on the wire: `answer`, `suggest`, `escalate`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Answer => "answer",
            Decision::Suggest => "suggest",
            Decision::Escalate => "escalate",
        }
    }
}

/// The result of a search.
#[derive(Debug, Clone, PartialEq)]
pub struct Matches {
    /// Best first, at most `limit`.
    pub hits: Vec<Hit>,
    /// The confidence that the first hit answers the question (0..=1).
    pub confidence: f32,
    /// What to do.
    pub decision: Decision,
}

impl Matches {
    /// The hits worth offering to a customer: the best, and those at least
    /// a quarter as probable (a suggestion list of one clear article and
    /// two long shots shows only the one).
    pub fn plausible(&self) -> impl Iterator<Item = &Hit> {
        let floor = self.hits.first().map_or(0.0, |h| h.probability / 4.0);
        self.hits.iter().filter(move |h| h.probability >= floor)
    }

    /// The articles a customer is shown: the best when answering, the
    /// plausible ones when suggesting, none when escalating.
    pub fn offered(&self) -> Vec<usize> {
        match self.decision {
            Decision::Answer => self.hits.first().map(|h| h.article).into_iter().collect(),
            Decision::Suggest => self.plausible().map(|h| h.article).collect(),
            Decision::Escalate => Vec::new(),
        }
    }

    fn escalate() -> Matches {
        Matches { hits: Vec::new(), confidence: 0.0, decision: Decision::Escalate }
    }
}

fn z_scores(values: &mut [f32]) {
    let n = values.len() as f32;
    let mean = values.iter().sum::<f32>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
    let sd = var.sqrt();
    for v in values.iter_mut() {
        *v = if sd > 1e-9 { (*v - mean) / sd } else { 0.0 };
    }
}

/// What the matcher knows about a question: every article's signals, and
/// how much of the question each article covers in absolute terms.
struct Evidence {
    signals: Vec<[f32; SIGNALS]>,
    /// Share of the whole question's idf mass (unknown words included)
    /// that each article contains.
    coverage: Vec<f32>,
}

impl KbIndex {
    fn evidence(&self, question: &str, last_word_unfinished: bool) -> Option<Evidence> {
        let analysis = analyze(question);
        let n = self.articles.len();
        let query_terms = terms(&analysis);
        let (resolved, unknown) = self.bm25.resolve(&query_terms, last_word_unfinished);
        let vector = self.model.vector(&raw_features(&analysis, &self.model.config));
        if resolved.is_empty() && vector.is_empty() {
            return None;
        }
        let mut bm25 = vec![0.0f32; n];
        let mut covered = vec![0.0f32; n];
        let total = self.bm25.score(&resolved, &mut bm25, &mut covered);
        let ceiling = self.bm25.ceiling(&resolved).max(1e-6);
        let mut model = vec![0.0f32; n];
        self.model.score(&vector, &mut model);
        let mut bm25_z = bm25.clone();
        z_scores(&mut model);
        z_scores(&mut bm25_z);
        let whole = total + unknown;
        Some(Evidence {
            signals: (0..n)
                .map(|a| [model[a], bm25_z[a], if total > 0.0 { covered[a] / total } else { 0.0 }, bm25[a] / ceiling])
                .collect(),
            coverage: covered.iter().map(|c| if whole > 0.0 { c / whole } else { 0.0 }).collect(),
        })
    }

    /// Every article's signals for a question, or `None` when the question
    /// has nothing searchable (empty, only punctuation or stop words).
    pub fn signals(&self, question: &str, last_word_unfinished: bool) -> Option<Vec<[f32; SIGNALS]>> {
        self.evidence(question, last_word_unfinished).map(|e| e.signals)
    }

    /// Ranks the articles for a question and decides what to do with it.
    ///
    /// The ranking is the softmax of the combined signals, which says which
    /// article fits best *among these*. The confidence also asks whether any
    /// fits at all: the best article's probability times the square root of
    /// the share of the whole question it covers, where words the KB has
    /// never seen count fully against it ("when does the summer sale start"
    /// is not answered by the one article that mentions "start").
    pub fn search(&self, question: &str, options: SearchOptions) -> Matches {
        let Some(evidence) = self.evidence(question, options.last_word_unfinished) else {
            return Matches::escalate();
        };
        let signals = &evidence.signals;
        let mut probs: Vec<f32> = signals.iter().map(|s| self.weights.combine(s)).collect();
        let scores = probs.clone();
        softmax_in_place(&mut probs);
        let mut order: Vec<usize> = (0..scores.len()).collect();
        // Ties are broken by index order, so results are deterministic.
        order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
        let limit = options.limit.clamp(1, 50);
        let hits: Vec<Hit> =
            order.iter().take(limit).map(|&a| Hit { article: a, score: scores[a], probability: probs[a] }).collect();
        let confidence = hits.first().map_or(0.0, |h| {
            // A question that shares no term with the best article is never
            // answered with it, however the model ranks it.
            if signals[h.article][2] <= 0.0 && signals[h.article][0] <= 0.0 {
                0.0
            } else {
                h.probability * evidence.coverage[h.article].sqrt()
            }
        });
        let decision = if confidence >= self.weights.answer_threshold {
            Decision::Answer
        } else if confidence >= self.weights.suggest_threshold {
            Decision::Suggest
        } else {
            Decision::Escalate
        };
        Matches { hits, confidence, decision }
    }
}

#[cfg(test)]
mod tests {
    use super::{Decision, Hit, Matches};

    #[test]
    fn customers_are_offered_what_the_decision_says() {
        let hit = |article, probability| Hit { article, score: 0.0, probability };
        let hits = vec![hit(4, 0.5), hit(1, 0.2), hit(7, 0.05)];
        let m = |decision| Matches { hits: hits.clone(), confidence: 0.4, decision };
        assert_eq!(m(Decision::Answer).offered(), [4]);
        // The third is under a quarter of the best: a long shot, not shown.
        assert_eq!(m(Decision::Suggest).offered(), [4, 1]);
        assert!(m(Decision::Escalate).offered().is_empty());
        assert_eq!(Decision::Suggest.as_str(), "suggest");
    }
}
