//! Measuring matching quality on labelled questions.

use super::index::KbIndex;
use super::matcher::SearchOptions;

/// A question with the id of the article that answers it, or `None` when no
/// article does (out of scope).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledQuestion {
    /// The customer's words.
    pub text: String,
    /// The right article's id, or `None` for out of scope.
    pub expected: Option<String>,
}

/// Matching quality on a set of questions.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalReport {
    /// In-scope questions.
    pub in_scope: usize,
    /// In-scope questions whose right article ranked first.
    pub top1: usize,
    /// In-scope questions whose right article ranked in the first three.
    pub top3: usize,
    /// Out-of-scope questions.
    pub out_of_scope: usize,
    /// The confidence threshold that maximises overall accuracy on these
    /// questions (answer at or above it, escalate below).
    pub threshold: f32,
    /// In-scope questions answered, and answered right, at `threshold`.
    pub in_scope_correct: usize,
    /// Out-of-scope questions escalated at `threshold`.
    pub out_of_scope_rejected: usize,
}

impl EvalReport {
    fn pct(n: usize, d: usize) -> f64 {
        if d == 0 { 0.0 } else { 100.0 * n as f64 / d as f64 }
    }

    /// Top-1 accuracy on in-scope questions, in percent.
    pub fn top1_pct(&self) -> f64 {
        Self::pct(self.top1, self.in_scope)
    }

    /// The 95% interval of the top-1 accuracy, in percent: how far the
    /// figure may be from the matcher's true rate, given how few questions
    /// a dataset has.
    pub fn top1_interval_pct(&self) -> (f64, f64) {
        wilson_95(self.top1, self.in_scope)
    }

    /// Top-3 accuracy on in-scope questions, in percent.
    pub fn top3_pct(&self) -> f64 {
        Self::pct(self.top3, self.in_scope)
    }

    /// Share of in-scope questions answered right at the threshold.
    pub fn in_scope_accuracy_pct(&self) -> f64 {
        Self::pct(self.in_scope_correct, self.in_scope)
    }

    /// Share of out-of-scope questions escalated at the threshold.
    pub fn out_of_scope_recall_pct(&self) -> f64 {
        Self::pct(self.out_of_scope_rejected, self.out_of_scope)
    }

    /// Accuracy over all questions at the threshold: an in-scope question
    /// counts when answered right, an out-of-scope one when escalated.
    pub fn overall_accuracy_pct(&self) -> f64 {
        Self::pct(self.in_scope_correct + self.out_of_scope_rejected, self.in_scope + self.out_of_scope)
    }
}

/// The Wilson score interval at 95% of `n` successes in `d` trials, in
/// percent; it stays within 0..=100 and is honest for rates near either
/// end, where the textbook `p ± 1.96·√(p(1−p)/d)` is not.
fn wilson_95(n: usize, d: usize) -> (f64, f64) {
    if d == 0 {
        return (0.0, 100.0);
    }
    let (z, d, p) = (1.96_f64, d as f64, n as f64 / d as f64);
    let centre = p + z * z / (2.0 * d);
    let spread = z * (p * (1.0 - p) / d + z * z / (4.0 * d * d)).sqrt();
    let scale = 1.0 + z * z / d;
    (100.0 * ((centre - spread) / scale).max(0.0), 100.0 * ((centre + spread) / scale).min(1.0))
}

/// Runs every question through the matcher and picks the threshold.
pub fn evaluate(index: &KbIndex, questions: &[LabelledQuestion]) -> EvalReport {
    let options = SearchOptions { limit: 3, last_word_unfinished: false };
    // (confidence, counts when answered, counts when escalated)
    let mut outcomes: Vec<(f32, bool, bool)> = Vec::with_capacity(questions.len());
    let mut report = EvalReport {
        in_scope: 0,
        top1: 0,
        top3: 0,
        out_of_scope: 0,
        threshold: 0.0,
        in_scope_correct: 0,
        out_of_scope_rejected: 0,
    };
    for q in questions {
        let m = index.search(&q.text, options);
        let ids: Vec<&str> = m.hits.iter().map(|h| index.articles()[h.article].id.as_str()).collect();
        match &q.expected {
            Some(expected) => {
                report.in_scope += 1;
                let first = ids.first() == Some(&expected.as_str());
                report.top1 += usize::from(first);
                report.top3 += usize::from(ids.iter().take(3).any(|id| id == expected));
                outcomes.push((m.confidence, first, false));
            }
            None => {
                report.out_of_scope += 1;
                outcomes.push((m.confidence, false, true));
            }
        }
    }
    // Sweep thresholds from high to low: a question is answered when its
    // confidence is at or above the threshold.
    outcomes.sort_by(|a, b| b.0.total_cmp(&a.0));
    let rejected_all: usize = outcomes.iter().filter(|o| o.2).count();
    let (mut best, mut best_t, mut best_c, mut best_r) = (rejected_all, f32::INFINITY, 0, rejected_all);
    let (mut correct, mut rejected) = (0usize, rejected_all);
    let mut i = 0;
    while i < outcomes.len() {
        let t = outcomes[i].0;
        while i < outcomes.len() && outcomes[i].0 == t {
            correct += usize::from(outcomes[i].1);
            rejected -= usize::from(outcomes[i].2);
            i += 1;
        }
        if correct + rejected > best {
            (best, best_t, best_c, best_r) = (correct + rejected, t, correct, rejected);
        }
    }
    report.threshold = if best_t.is_finite() { best_t } else { 1.0 };
    report.in_scope_correct = best_c;
    report.out_of_scope_rejected = best_r;
    report
}

#[cfg(test)]
mod tests {
    use super::wilson_95;

    fn rounded((lo, hi): (f64, f64)) -> (f64, f64) {
        ((lo * 10.0).round() / 10.0, (hi * 10.0).round() / 10.0)
    }

    #[test]
    fn the_wilson_interval_matches_its_published_values() {
        // Newcombe (1998), table I, method 3: 81 of 263 is 25.53 to 36.62%.
        assert_eq!(rounded(wilson_95(81, 263)), (25.5, 36.6));
        // Half of a hundred is symmetric about 50%.
        assert_eq!(rounded(wilson_95(50, 100)), (40.4, 59.6));
    }

    #[test]
    fn the_wilson_interval_stays_within_bounds_and_narrows_with_more_questions() {
        assert_eq!(rounded(wilson_95(0, 10)), (0.0, 27.8));
        assert_eq!(rounded(wilson_95(10, 10)), (72.2, 100.0));
        assert_eq!(wilson_95(0, 0), (0.0, 100.0));
        let (few, many) = (wilson_95(75, 100), wilson_95(750, 1000));
        assert!(many.1 - many.0 < few.1 - few.0);
        assert!(few.0 < 75.0 && 75.0 < few.1);
    }
}
