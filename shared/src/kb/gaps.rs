//! Finding the gaps in a KB: questions the widget could not answer, grouped
//! by what they ask.

use crate::kb::features::terms;
use crate::text::analyze;

/// Questions that ask the same thing.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionGroup {
    /// The most frequent wording.
    pub example: String,
    /// Every wording with its count, most frequent first.
    pub questions: Vec<(String, u64)>,
    /// Total count.
    pub count: u64,
}

fn jaccard(a: &[String], b: &[String]) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = a.iter().filter(|t| b.contains(t)).count();
    common as f32 / (a.len() + b.len() - common) as f32
}

/// Groups questions greedily: each question joins the first group whose
/// example shares at least `threshold` (Jaccard, 0..=1) of its normalised
/// terms, else starts a group. Input order decides ties, so pass the most
/// frequent first. Groups come out largest first.
pub fn group_questions(questions: &[(String, u64)], threshold: f32) -> Vec<QuestionGroup> {
    let mut groups: Vec<(Vec<String>, QuestionGroup)> = Vec::new();
    for (q, n) in questions {
        let mut t = terms(&analyze(q));
        t.sort();
        t.dedup();
        match groups.iter_mut().find(|(gt, _)| jaccard(gt, &t) >= threshold) {
            Some((_, g)) => {
                g.questions.push((q.clone(), *n));
                g.count += n;
            }
            None => groups.push((t, QuestionGroup { example: q.clone(), questions: vec![(q.clone(), *n)], count: *n })),
        }
    }
    let mut out: Vec<QuestionGroup> = groups.into_iter().map(|(_, g)| g).collect();
    out.sort_by_key(|g| std::cmp::Reverse(g.count));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_similar_questions() {
        let qs: Vec<(String, u64)> = [
            ("how do I export my invoices", 3),
            ("export invoices", 2),
            ("can I change my username", 1),
            ("how to export my invoices?", 1),
        ]
        .iter()
        .map(|(q, n)| (q.to_string(), *n))
        .collect();
        let g = group_questions(&qs, 0.5);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].count, 6);
        assert_eq!(g[0].example, "how do I export my invoices");
        assert_eq!(g[1].questions.len(), 1);
    }
}
