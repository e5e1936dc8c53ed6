//! Splitting normalised text into words and CJK runs.
//!
//! `analyze` is the one entry point used both when an index is built and when
//! a question is matched, which is what keeps the browser and the edge in
//! agreement.

use super::fold::fold_char;
use super::stem::stem;
use super::stopwords::is_stop_word;

/// One word of Latin-script (or digit) text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The folded word, without apostrophes: "didnt" for "didn't" is never
    /// produced because contractions are expanded first.
    pub folded: String,
    /// The Porter2 stem of `folded`.
    pub stem: String,
    /// True for a stop word ("the", "my"); kept for phrase features.
    pub stop: bool,
}

/// A question or document split into its parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Latin-script words in order.
    pub words: Vec<Word>,
    /// Runs of CJK characters in order (Han, kana, Hangul), each without
    /// spaces or punctuation.
    pub cjk_runs: Vec<String>,
}

impl Analysis {
    /// The stems of the words that are not stop words, in order.
    pub fn content_stems(&self) -> impl Iterator<Item = &str> {
        self.words.iter().filter(|w| !w.stop).map(|w| w.stem.as_str())
    }

    /// True when nothing searchable is left.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.cjk_runs.is_empty()
    }
}

/// True for characters written without spaces between words.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK Compatibility Ideographs
        | 0x20000..=0x2FA1F) // Extensions B.. and supplement
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

/// Normalises text into the canonical form the index stores: folded (case,
/// width, diacritics), English contractions expanded, words separated by one
/// space, CJK runs kept whole, punctuation removed. Idempotent.
pub fn normalize(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut folded);
    }
    let mut out = String::with_capacity(folded.len());
    let chars: Vec<char> = folded.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_cjk(c) {
            let start = i;
            while i < chars.len() && is_cjk(chars[i]) {
                i += 1;
            }
            push_token(&mut out, &chars[start..i].iter().collect::<String>());
        } else if is_word_char(c) {
            let start = i;
            // An apostrophe between two word characters belongs to the word.
            while i < chars.len()
                && (is_word_char(chars[i])
                    || (chars[i] == '\'' && i + 1 < chars.len() && is_word_char(chars[i + 1]) && i > start))
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            for part in expand_contraction(&word) {
                push_token(&mut out, part);
            }
        } else {
            i += 1;
        }
    }
    out
}

fn push_token(out: &mut String, token: &str) {
    if token.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(token);
}

/// Expands "didn't" into "did not", drops "'re"/"'ve"/"'ll"/"'d"/"'m", and
/// removes a possessive "'s". Whatever apostrophes are left split the word
/// ("o'clock" → "o clock"), so no part of the result holds one and
/// normalising again changes nothing.
fn expand_contraction(word: &str) -> Vec<&str> {
    if !word.contains('\'') {
        return vec![word];
    }
    match word {
        "can't" => return vec!["can", "not"],
        "won't" => return vec!["will", "not"],
        "shan't" => return vec!["shall", "not"],
        _ => {}
    }
    let (base, not) = match word.strip_suffix("n't") {
        Some(base) => (base, true),
        None => {
            let base =
                ["'re", "'ve", "'ll", "'d", "'m", "'s"].iter().find_map(|s| word.strip_suffix(s)).unwrap_or(word);
            (base, false)
        }
    };
    let mut parts: Vec<&str> = base.split('\'').filter(|p| !p.is_empty()).collect();
    if not {
        parts.push("not");
    }
    parts
}

/// Splits text into words and CJK runs. Calls [`normalize`] first.
pub fn analyze(text: &str) -> Analysis {
    let normal = normalize(text);
    let mut analysis = Analysis::default();
    for token in normal.split(' ').filter(|t| !t.is_empty()) {
        if token.chars().next().is_some_and(is_cjk) {
            analysis.cjk_runs.push(token.to_string());
        } else {
            analysis.words.push(Word { stem: stem(token), stop: is_stop_word(token), folded: token.to_string() });
        }
    }
    analysis
}

#[cfg(test)]
mod tests {
    use super::{analyze, normalize};

    fn check(input: &str, expect: &str) {
        assert_eq!(normalize(input), expect, "normalize({input:?})");
    }

    #[test]
    fn normalises_text() {
        check("My card hasn't arrived!!", "my card has not arrived");
        check("I can't log in", "i can not log in");
        check("  WHERE's   my   REFUND? ", "where my refund");
        check("ＰＩＮ　code", "pin code");
        check("打开qq浏览器", "打开 qq 浏览器");
        check("紧急：无法登录，请帮忙", "紧急 无法登录 请帮忙");
        check("e-mail o'clock", "e mail o clock");
        check("don’t", "do not");
        // Found by fuzzing: an apostrophe left in the base of a contraction.
        check("b'sAn't", "b sa not");
        check("rock'n'roll's", "rock n roll");
    }

    #[test]
    fn analysis_splits_words_and_runs() {
        let a = analyze("Why didn't my cards arrive? 紧急");
        let stems: Vec<&str> = a.words.iter().map(|w| w.stem.as_str()).collect();
        assert_eq!(stems, ["whi", "did", "not", "my", "card", "arriv"]);
        let content: Vec<&str> = a.content_stems().collect();
        assert_eq!(content, ["whi", "not", "card", "arriv"]);
        assert_eq!(a.cjk_runs, ["紧急"]);
    }
}
