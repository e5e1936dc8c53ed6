//! The English (Porter2 / Snowball) stemmer.
//!
//! Written here rather than taken from a crate so that the widget's wasm
//! carries one language's tables, not twenty. Input is a folded, lower-case
//! ASCII word; anything else is returned unchanged.

/// Returns the stem of `word`.
pub fn stem(word: &str) -> String {
    if word.len() <= 2 || !word.bytes().all(|b| b.is_ascii_lowercase() || b == b'\'') {
        return word.to_string();
    }
    if let Some(s) = exception1(word) {
        return s.to_string();
    }
    let mut w = Word::new(word);
    if w.b.len() <= 2 {
        return w.finish();
    }
    w.step0();
    w.step1a();
    if matches!(w.as_str(), "inning" | "outing" | "canning" | "herring" | "earring" | "proceed" | "exceed" | "succeed")
    {
        return w.finish();
    }
    w.step1b();
    w.step1c();
    w.step2();
    w.step3();
    w.step4();
    w.step5();
    w.finish()
}

fn exception1(word: &str) -> Option<&'static str> {
    Some(match word {
        "skis" => "ski",
        "skies" => "sky",
        "dying" => "die",
        "lying" => "lie",
        "tying" => "tie",
        "idly" => "idl",
        "gently" => "gentl",
        "ugly" => "ugli",
        "early" => "earli",
        "only" => "onli",
        "singly" => "singl",
        "sky" => "sky",
        "news" => "news",
        "howe" => "howe",
        "atlas" => "atlas",
        "cosmos" => "cosmos",
        "bias" => "bias",
        "andes" => "andes",
        _ => return None,
    })
}

struct Word {
    /// The word; `Y` marks a consonant y.
    b: Vec<u8>,
    r1: usize,
    r2: usize,
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

fn is_double(a: u8, b: u8) -> bool {
    a == b && matches!(a, b'b' | b'd' | b'f' | b'g' | b'm' | b'n' | b'p' | b'r' | b't')
}

fn is_li_ending(c: u8) -> bool {
    matches!(c, b'c' | b'd' | b'e' | b'g' | b'h' | b'k' | b'm' | b'n' | b'r' | b't')
}

impl Word {
    fn new(word: &str) -> Word {
        let mut b: Vec<u8> = word.bytes().collect();
        if b.first() == Some(&b'\'') {
            b.remove(0);
        }
        for i in 0..b.len() {
            if b[i] == b'y' && (i == 0 || is_vowel(b[i - 1])) {
                b[i] = b'Y';
            }
        }
        let mut w = Word { b, r1: 0, r2: 0 };
        w.regions();
        w
    }

    fn as_str(&self) -> &str {
        // The buffer only ever holds ASCII.
        std::str::from_utf8(&self.b).unwrap_or("")
    }

    fn finish(self) -> String {
        self.b.into_iter().map(|c| if c == b'Y' { 'y' } else { c as char }).collect()
    }

    fn vowel_at(&self, i: usize) -> bool {
        is_vowel(self.b[i])
    }

    fn region_after(&self, start: usize) -> usize {
        let n = self.b.len();
        let mut i = start;
        while i + 1 < n {
            if self.vowel_at(i) && !self.vowel_at(i + 1) {
                return i + 2;
            }
            i += 1;
        }
        n
    }

    fn regions(&mut self) {
        let s = self.as_str();
        self.r1 = if s.starts_with("gener") || s.starts_with("arsen") {
            5
        } else if s.starts_with("commun") {
            6
        } else {
            self.region_after(0)
        };
        self.r2 = self.region_after(self.r1);
    }

    fn ends(&self, suffix: &str) -> bool {
        self.b.ends_with(suffix.as_bytes())
    }

    fn set_suffix(&mut self, old_len: usize, new: &str) {
        let n = self.b.len() - old_len;
        self.b.truncate(n);
        self.b.extend_from_slice(new.as_bytes());
    }

    fn in_r1(&self, suffix_len: usize) -> bool {
        self.b.len() - suffix_len >= self.r1
    }

    fn in_r2(&self, suffix_len: usize) -> bool {
        self.b.len() - suffix_len >= self.r2
    }

    /// True when the first `end` letters end in a short syllable.
    fn short_syllable_at(&self, end: usize) -> bool {
        let b = &self.b;
        if end == 2 {
            return is_vowel(b[0]) && !is_vowel(b[1]);
        }
        if end < 3 {
            return false;
        }
        let (x, v, y) = (b[end - 3], b[end - 2], b[end - 1]);
        !is_vowel(x) && is_vowel(v) && !is_vowel(y) && !matches!(y, b'w' | b'x' | b'Y')
    }

    fn is_short(&self) -> bool {
        self.r1 >= self.b.len() && self.short_syllable_at(self.b.len())
    }

    fn longest<'a>(&self, suffixes: &[&'a str]) -> Option<&'a str> {
        suffixes.iter().filter(|s| self.ends(s)).max_by_key(|s| s.len()).copied()
    }

    fn step0(&mut self) {
        if let Some(s) = self.longest(&["'s'", "'s", "'"]) {
            self.set_suffix(s.len(), "");
        }
    }

    fn step1a(&mut self) {
        let Some(s) = self.longest(&["sses", "ied", "ies", "us", "ss", "s"]) else {
            return;
        };
        match s {
            "sses" => self.set_suffix(4, "ss"),
            "ied" | "ies" => {
                let repl = if self.b.len() > 4 { "i" } else { "ie" };
                self.set_suffix(3, repl);
            }
            "s" => {
                let stem = &self.b[..self.b.len() - 1];
                // Delete if the part before the s holds a vowel that is not
                // the letter immediately before the s.
                if stem.len() >= 2 && stem[..stem.len() - 1].iter().any(|&c| is_vowel(c)) {
                    self.b.pop();
                }
            }
            _ => {}
        }
    }

    fn step1b(&mut self) {
        let Some(s) = self.longest(&["eedly", "eed", "ed", "edly", "ing", "ingly"]) else {
            return;
        };
        match s {
            "eed" | "eedly" => {
                if self.in_r1(s.len()) {
                    self.set_suffix(s.len(), "ee");
                }
            }
            _ => {
                let stem_len = self.b.len() - s.len();
                if !self.b[..stem_len].iter().any(|&c| is_vowel(c)) {
                    return;
                }
                self.b.truncate(stem_len);
                if self.ends("at") || self.ends("bl") || self.ends("iz") {
                    self.b.push(b'e');
                } else if stem_len >= 2 && is_double(self.b[stem_len - 2], self.b[stem_len - 1]) {
                    self.b.pop();
                } else if self.is_short() {
                    self.b.push(b'e');
                }
            }
        }
    }

    fn step1c(&mut self) {
        let n = self.b.len();
        if n > 2 && matches!(self.b[n - 1], b'y' | b'Y') && !is_vowel(self.b[n - 2]) {
            self.b[n - 1] = b'i';
        }
    }

    fn step2(&mut self) {
        const S: &[&str] = &[
            "tional", "enci", "anci", "abli", "entli", "izer", "ization", "ational", "ation", "ator", "alism", "aliti",
            "alli", "fulness", "ousli", "ousness", "iveness", "iviti", "biliti", "bli", "ogi", "fulli", "lessli", "li",
        ];
        let Some(s) = self.longest(S) else { return };
        if !self.in_r1(s.len()) {
            return;
        }
        let repl = match s {
            "tional" => "tion",
            "enci" => "ence",
            "anci" => "ance",
            "abli" => "able",
            "entli" => "ent",
            "izer" | "ization" => "ize",
            "ational" | "ation" | "ator" => "ate",
            "alism" | "aliti" | "alli" => "al",
            "fulness" => "ful",
            "ousli" | "ousness" => "ous",
            "iveness" | "iviti" => "ive",
            "biliti" | "bli" => "ble",
            "ogi" if self.b.len() >= 4 && self.b[self.b.len() - 4] == b'l' => "og",
            "fulli" => "ful",
            "lessli" => "less",
            "li" if self.b.len() >= 3 && is_li_ending(self.b[self.b.len() - 3]) => "",
            _ => return,
        };
        self.set_suffix(s.len(), repl);
    }

    fn step3(&mut self) {
        const S: &[&str] = &["tional", "ational", "alize", "icate", "iciti", "ical", "ful", "ness", "ative"];
        let Some(s) = self.longest(S) else { return };
        if !self.in_r1(s.len()) {
            return;
        }
        let repl = match s {
            "tional" => "tion",
            "ational" => "ate",
            "alize" => "al",
            "icate" | "iciti" | "ical" => "ic",
            "ful" | "ness" => "",
            "ative" if self.in_r2(s.len()) => "",
            _ => return,
        };
        self.set_suffix(s.len(), repl);
    }

    fn step4(&mut self) {
        const S: &[&str] = &[
            "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ism", "ate", "iti",
            "ous", "ive", "ize", "ion",
        ];
        let Some(s) = self.longest(S) else { return };
        if !self.in_r2(s.len()) {
            return;
        }
        if s == "ion" {
            let n = self.b.len();
            if n >= 4 && matches!(self.b[n - 4], b's' | b't') {
                self.set_suffix(3, "");
            }
        } else {
            self.set_suffix(s.len(), "");
        }
    }

    fn step5(&mut self) {
        let n = self.b.len();
        if self.ends("e") {
            if self.in_r2(1) || (self.in_r1(1) && !self.short_syllable_at(n - 1)) {
                self.b.pop();
            }
        } else if self.ends("l") && self.in_r2(1) && n >= 2 && self.b[n - 2] == b'l' {
            self.b.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::stem;

    /// Pairs from the Snowball English vocabulary and its expected output.
    const CASES: &[(&str, &str)] = &[
        ("consign", "consign"),
        ("consigned", "consign"),
        ("consigning", "consign"),
        ("consignment", "consign"),
        ("consist", "consist"),
        ("consisted", "consist"),
        ("consistency", "consist"),
        ("consistent", "consist"),
        ("consistently", "consist"),
        ("consisting", "consist"),
        ("consists", "consist"),
        ("consolation", "consol"),
        ("consolations", "consol"),
        ("consolatory", "consolatori"),
        ("console", "consol"),
        ("consoled", "consol"),
        ("consoles", "consol"),
        ("consolidate", "consolid"),
        ("consolidated", "consolid"),
        ("consolidating", "consolid"),
        ("consoling", "consol"),
        ("consolingly", "consol"),
        ("consols", "consol"),
        ("consonant", "conson"),
        ("consort", "consort"),
        ("consorted", "consort"),
        ("consorting", "consort"),
        ("conspicuous", "conspicu"),
        ("conspicuously", "conspicu"),
        ("conspiracy", "conspiraci"),
        ("conspirator", "conspir"),
        ("conspirators", "conspir"),
        ("conspire", "conspir"),
        ("conspired", "conspir"),
        ("conspiring", "conspir"),
        ("constable", "constabl"),
        ("constables", "constabl"),
        ("constance", "constanc"),
        ("constancy", "constanc"),
        ("constant", "constant"),
        ("knack", "knack"),
        ("knackeries", "knackeri"),
        ("knacks", "knack"),
        ("knag", "knag"),
        ("knave", "knave"),
        ("knaves", "knave"),
        ("knavish", "knavish"),
        ("kneaded", "knead"),
        ("kneading", "knead"),
        ("knee", "knee"),
        ("kneel", "kneel"),
        ("kneeled", "kneel"),
        ("kneeling", "kneel"),
        ("kneels", "kneel"),
        ("knees", "knee"),
        ("knell", "knell"),
        ("knelt", "knelt"),
        ("knew", "knew"),
        ("knick", "knick"),
        ("knif", "knif"),
        ("knife", "knife"),
        ("knight", "knight"),
        ("knightly", "knight"),
        ("knights", "knight"),
        ("knit", "knit"),
        ("knits", "knit"),
        ("knitted", "knit"),
        ("knitting", "knit"),
        ("knives", "knive"),
        ("knob", "knob"),
        ("knobs", "knob"),
        ("knock", "knock"),
        ("knocked", "knock"),
        ("knocker", "knocker"),
        ("knockers", "knocker"),
        ("knocking", "knock"),
        ("knocks", "knock"),
        ("knopp", "knopp"),
        ("knot", "knot"),
        ("knots", "knot"),
        ("arrived", "arriv"),
        ("arrival", "arriv"),
        ("generously", "generous"),
        ("communication", "communic"),
        ("cards", "card"),
        ("refunds", "refund"),
        ("charged", "charg"),
        ("charges", "charg"),
        ("activate", "activ"),
        ("activation", "activ"),
        ("skies", "sky"),
        ("dying", "die"),
        ("hopping", "hop"),
        ("hoped", "hope"),
        ("cries", "cri"),
        ("ties", "tie"),
        ("gas", "gas"),
        ("this", "this"),
        ("succeed", "succeed"),
        ("yellow", "yellow"),
        ("sayings", "say"),
    ];

    #[test]
    fn snowball_vocabulary() {
        for (word, expect) in CASES {
            assert_eq!(stem(word), *expect, "stem({word:?})");
        }
    }

    #[test]
    fn non_ascii_and_short_words_pass_through() {
        assert_eq!(stem("a"), "a");
        assert_eq!(stem("是的"), "是的");
        assert_eq!(stem("x2"), "x2");
    }
}
