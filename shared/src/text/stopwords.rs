//! English stop words.
//!
//! Deliberately short. Words that carry intent in support questions stay
//! out of this list: negations ("not", "no"), question words ("why", "how",
//! "when", "where"), and modal verbs that change meaning ("cannot").

/// Stop words, sorted so lookup is a binary search.
const STOP: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "been", "being", "but", "by", "could", "did",
    "do", "does", "doing", "for", "from", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his",
    "i", "i'm", "if", "in", "into", "is", "it", "it's", "its", "just", "me", "mine", "my", "myself", "of", "on", "or",
    "our", "ours", "please", "she", "so", "some", "than", "that", "the", "their", "them", "then", "there", "these",
    "they", "this", "those", "to", "too", "us", "very", "was", "we", "were", "which", "who", "whom", "will", "with",
    "would", "you", "your", "yours",
];

/// True for an English stop word (folded, not stemmed).
pub fn is_stop_word(word: &str) -> bool {
    STOP.binary_search(&word).is_ok()
}

#[cfg(test)]
mod tests {
    use super::{STOP, is_stop_word};

    #[test]
    fn list_is_sorted_for_binary_search() {
        assert!(STOP.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn intent_words_are_kept() {
        for w in ["not", "no", "why", "how", "cannot", "card"] {
            assert!(!is_stop_word(w), "{w}");
        }
        assert!(is_stop_word("the"));
    }
}
