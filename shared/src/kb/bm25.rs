//! BM25F over the article fields, with typo and prefix tolerance.
//!
//! Term frequencies are stored per field, and the field weights and BM25
//! parameters are applied when the index is loaded, so they are data
//! ([`Bm25Config`]) that can be changed or learned without a rebuild.

use crate::text::{edit_distance_within, max_edits};

/// Article fields, in storage order.
pub(crate) const FIELDS: usize = 4;
pub(crate) const TITLE: usize = 0;
pub(crate) const TAGS: usize = 1;
pub(crate) const PHRASINGS: usize = 2;
pub(crate) const BODY: usize = 3;

/// BM25F parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bm25Config {
    /// Term-frequency saturation (0.1..=3.0).
    pub k1: f32,
    /// Length normalisation (0.0..=1.0).
    pub b: f32,
    /// Weight of each field: title, tags, phrasings, body (0.0..=10.0).
    pub field_weights: [f32; FIELDS],
    /// Factor on a term reached through a typo correction (0.0..=1.0).
    pub typo_discount: f32,
    /// Factor on a term reached by completing the last, unfinished word
    /// (0.0..=1.0).
    pub prefix_discount: f32,
}

impl Default for Bm25Config {
    fn default() -> Self {
        Bm25Config { k1: 1.2, b: 0.75, field_weights: [3.0, 2.0, 1.0, 1.0], typo_discount: 0.7, prefix_discount: 0.8 }
    }
}

/// A posting: an article and its term frequency in each field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Posting {
    pub(crate) article: u32,
    pub(crate) tf: [u8; FIELDS],
}

/// The BM25F part of an index.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bm25 {
    /// Sorted, unique terms.
    pub(crate) terms: Vec<String>,
    /// `postings[i]` belong to `terms[i]`, sorted by article.
    pub(crate) postings: Vec<Vec<Posting>>,
    /// Length of each field of each article, in terms.
    pub(crate) lengths: Vec<[u16; FIELDS]>,
    /// Derived at load: idf of each term.
    idf: Vec<f32>,
    /// Derived at load: the saturated-ready tf of each posting.
    weighted: Vec<Vec<f32>>,
    config: Bm25Config,
}

/// A query term resolved against the dictionary.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Resolved {
    pub(crate) term: usize,
    pub(crate) factor: f32,
}

impl Bm25 {
    /// Builds the structure from per-article, per-field term lists.
    pub(crate) fn build(fields: &[[Vec<String>; FIELDS]], config: Bm25Config) -> Bm25 {
        let mut all: Vec<(&str, u32, usize)> = Vec::new();
        let mut lengths = Vec::with_capacity(fields.len());
        for (a, article) in fields.iter().enumerate() {
            let mut len = [0u16; FIELDS];
            for (f, terms) in article.iter().enumerate() {
                len[f] = terms.len().min(usize::from(u16::MAX)) as u16;
                for t in terms {
                    all.push((t.as_str(), a as u32, f));
                }
            }
            lengths.push(len);
        }
        all.sort_unstable();
        let mut terms: Vec<String> = Vec::new();
        let mut postings: Vec<Vec<Posting>> = Vec::new();
        for (term, article, field) in all {
            if terms.last().map(String::as_str) != Some(term) {
                terms.push(term.to_string());
                postings.push(Vec::new());
            }
            let list = postings.last_mut().expect("pushed above");
            match list.last_mut() {
                Some(p) if p.article == article => p.tf[field] = p.tf[field].saturating_add(1),
                _ => {
                    let mut tf = [0u8; FIELDS];
                    tf[field] = 1;
                    list.push(Posting { article, tf });
                }
            }
        }
        Bm25::from_parts(terms, postings, lengths, config)
    }

    /// Assembles a decoded index and derives its weights.
    pub(crate) fn from_parts(
        terms: Vec<String>,
        postings: Vec<Vec<Posting>>,
        lengths: Vec<[u16; FIELDS]>,
        config: Bm25Config,
    ) -> Bm25 {
        let mut bm = Bm25 { terms, postings, lengths, idf: Vec::new(), weighted: Vec::new(), config };
        bm.derive();
        bm
    }

    pub(crate) fn config(&self) -> &Bm25Config {
        &self.config
    }

    pub(crate) fn set_config(&mut self, config: Bm25Config) {
        self.config = config;
        self.derive();
    }

    fn derive(&mut self) {
        let n = self.lengths.len().max(1) as f32;
        let mut avg = [0.0f32; FIELDS];
        for len in &self.lengths {
            for f in 0..FIELDS {
                avg[f] += f32::from(len[f]);
            }
        }
        for a in &mut avg {
            *a = (*a / n).max(1.0);
        }
        let c = self.config;
        self.idf = self
            .postings
            .iter()
            .map(|p| {
                let df = p.len() as f32;
                (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
            })
            .collect();
        self.weighted = self
            .postings
            .iter()
            .map(|list| {
                list.iter()
                    .map(|p| {
                        let len = self.lengths[p.article as usize];
                        (0..FIELDS)
                            .map(|f| {
                                let norm = 1.0 - c.b + c.b * f32::from(len[f]) / avg[f];
                                c.field_weights[f] * f32::from(p.tf[f]) / norm
                            })
                            .sum()
                    })
                    .collect()
            })
            .collect();
    }

    pub(crate) fn len(&self) -> usize {
        self.terms.len()
    }

    fn find(&self, term: &str) -> Option<usize> {
        self.terms.binary_search_by(|t| t.as_str().cmp(term)).ok()
    }

    /// Resolves query terms: exact matches, then typo corrections for unknown
    /// Latin words, and completions when `last_is_prefix` marks the final
    /// term as unfinished. Also returns the idf mass of the words the KB has
    /// never seen (each weighs as much as the rarest possible term): Latin
    /// words with no match or correction, and single CJK characters. Unknown
    /// CJK bigrams are left out, as most are two words' edges.
    pub(crate) fn resolve(&self, terms: &[String], last_is_prefix: bool) -> (Vec<Resolved>, f32) {
        let mut out: Vec<Resolved> = Vec::new();
        let mut unknown = 0.0f32;
        let rarest = self.rarest_idf();
        let push = |out: &mut Vec<Resolved>, term: usize, factor: f32| {
            if let Some(r) = out.iter_mut().find(|r| r.term == term) {
                r.factor = r.factor.max(factor);
            } else {
                out.push(Resolved { term, factor });
            }
        };
        for (i, q) in terms.iter().enumerate() {
            let is_last = i + 1 == terms.len();
            let before = out.len();
            if let Some(t) = self.find(q) {
                push(&mut out, t, 1.0);
            } else if q.is_ascii() {
                let limit = max_edits(q.len());
                if limit > 0 {
                    let mut best: Vec<(usize, usize)> = Vec::new();
                    for (t, cand) in self.terms.iter().enumerate() {
                        // Only terms of about the same length can be close;
                        // skipping the rest first keeps a typo cheap in a
                        // large KB.
                        if !cand.is_ascii() || cand.len().abs_diff(q.len()) > limit {
                            continue;
                        }
                        if let Some(d) = edit_distance_within(q, cand, limit) {
                            best.push((d, t));
                        }
                    }
                    if let Some(min) = best.iter().map(|b| b.0).min() {
                        for (_, t) in best.into_iter().filter(|b| b.0 == min).take(3) {
                            push(&mut out, t, self.config.typo_discount);
                        }
                    }
                }
            }
            if is_last && last_is_prefix && q.is_ascii() && q.len() >= 3 {
                let start = self.terms.partition_point(|t| t.as_str() < q.as_str());
                let mut completions: Vec<usize> = (start..self.terms.len())
                    .take_while(|&t| self.terms[t].starts_with(q.as_str()))
                    .filter(|&t| self.terms[t] != *q)
                    .collect();
                completions.sort_by(|a, b| self.idf[*b].total_cmp(&self.idf[*a]));
                for t in completions.into_iter().take(5) {
                    push(&mut out, t, self.config.prefix_discount);
                }
            }
            let unresolved = out.len() == before && self.find(q).is_none();
            if unresolved && (q.is_ascii() || q.chars().count() == 1) {
                unknown += rarest;
            }
        }
        (out, unknown)
    }

    /// The idf of a term in no article.
    fn rarest_idf(&self) -> f32 {
        let n = self.lengths.len().max(1) as f32;
        (1.0 + (n + 0.5) / 0.5).ln()
    }

    /// Adds BM25F scores into `scores` and the idf mass of matched terms into
    /// `covered`; returns the total idf mass of the query.
    pub(crate) fn score(&self, query: &[Resolved], scores: &mut [f32], covered: &mut [f32]) -> f32 {
        let k1 = self.config.k1;
        let mut total = 0.0;
        for r in query {
            let idf = self.idf[r.term] * r.factor;
            total += idf;
            for (p, w) in self.postings[r.term].iter().zip(&self.weighted[r.term]) {
                let a = p.article as usize;
                scores[a] += idf * w * (k1 + 1.0) / (w + k1);
                covered[a] += idf;
            }
        }
        total
    }

    /// The largest BM25 contribution a term can make, used to scale scores
    /// into 0..=1 by the query's own ceiling.
    pub(crate) fn ceiling(&self, query: &[Resolved]) -> f32 {
        let k1 = self.config.k1;
        query.iter().map(|r| self.idf[r.term] * r.factor * (k1 + 1.0)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(words: &str) -> Vec<String> {
        words.split_whitespace().map(str::to_string).collect()
    }

    fn index() -> Bm25 {
        let a = [field("card arriv"), field(""), field("card not arriv yet"), field("")];
        let b = [field("refund"), field("money"), field("want refund"), field("")];
        Bm25::build(&[a, b], Bm25Config::default())
    }

    #[test]
    fn builds_sorted_postings() {
        let bm = index();
        assert_eq!(bm.terms, ["arriv", "card", "money", "not", "refund", "want", "yet"]);
        let card = bm.find("card").unwrap_or(usize::MAX);
        assert_eq!(bm.postings[card], [Posting { article: 0, tf: [1, 0, 1, 0] }]);
    }

    #[test]
    fn exact_typo_and_prefix_resolution() {
        let bm = index();
        let q = |s: &str, p| {
            let r = bm.resolve(&field(s), p).0;
            r.iter().map(|r| (bm.terms[r.term].clone(), r.factor)).collect::<Vec<_>>()
        };
        assert_eq!(q("refund", false), [("refund".to_string(), 1.0)]);
        assert_eq!(q("refnud", false), [("refund".to_string(), 0.7)]);
        assert_eq!(q("mon", true), [("money".to_string(), 0.8)]);
        assert!(q("mon", false).is_empty());
        // A word the KB has never seen weighs as much as the rarest term.
        let (found, unknown) = bm.resolve(&field("refund zzzzqqq"), false);
        assert_eq!(found.len(), 1);
        assert!((unknown - (1.0f32 + 2.5 / 0.5).ln()).abs() < 1e-6, "{unknown}");
    }

    #[test]
    fn scores_prefer_the_matching_article() {
        let bm = index();
        let mut s = [0.0; 2];
        let mut c = [0.0; 2];
        let r = bm.resolve(&field("refund money"), false).0;
        let total = bm.score(&r, &mut s, &mut c);
        assert!(s[1] > 0.0 && s[0] == 0.0);
        assert!((c[1] - total).abs() < 1e-6);
        assert!(s[1] <= bm.ceiling(&r));
    }
}
