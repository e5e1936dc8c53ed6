//! Text normalisation for English and CJK, shared by indexing and matching.
//!
//! The pipeline is: [`fold`] characters (case, width, diacritics), expand
//! English contractions and split into words and CJK runs ([`normalize`],
//! [`analyze`]), stem English words ([`stem`]) and mark stop words. Chinese
//! and Japanese text is not segmented with a dictionary: the matcher uses
//! character n-grams of each run ([`cjk_ngrams`]), which needs no data and
//! behaves the same in the browser and at the edge.

mod analyze;
mod fold;
mod stem;
mod stopwords;
mod typo;

pub use analyze::{Analysis, Word, analyze, is_cjk, normalize};
pub use fold::fold;
pub use stem::stem;
pub use stopwords::is_stop_word;
pub use typo::{edit_distance_within, max_edits};

/// The character n-grams of a CJK run for every `n` in `sizes`, in order.
/// A run shorter than `n` yields nothing for that `n`.
pub fn cjk_ngrams(run: &str, sizes: std::ops::RangeInclusive<usize>) -> Vec<String> {
    let chars: Vec<char> = run.chars().collect();
    let mut grams = Vec::new();
    for n in sizes {
        if n == 0 || chars.len() < n {
            continue;
        }
        for window in chars.windows(n) {
            grams.push(window.iter().collect());
        }
    }
    grams
}

#[cfg(test)]
mod tests {
    use super::cjk_ngrams;

    #[test]
    fn cjk_grams() {
        assert_eq!(cjk_ngrams("无法登录", 1..=2), ["无", "法", "登", "录", "无法", "法登", "登录"]);
        assert!(cjk_ngrams("急", 2..=2).is_empty());
    }
}
