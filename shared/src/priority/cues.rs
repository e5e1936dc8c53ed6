//! Urgency cues in customer messages, in English and Chinese.

use crate::text::{analyze, normalize};

/// A kind of urgency cue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CueKind {
    /// The service is down for the customer ("outage", "宕机").
    Outage,
    /// The customer cannot get in ("cannot log in", "无法登录").
    Access,
    /// Money is at stake ("charged twice", "扣款").
    Money,
    /// Security or fraud ("hacked", "被盗").
    Security,
    /// The customer says it is urgent ("urgent", "紧急").
    Explicit,
}

impl CueKind {
    /// All kinds, in the order of their features.
    pub const ALL: [CueKind; 5] =
        [CueKind::Outage, CueKind::Access, CueKind::Money, CueKind::Security, CueKind::Explicit];

    /// The name used in explanations and model features.
    pub fn name(self) -> &'static str {
        match self {
            CueKind::Outage => "outage",
            CueKind::Access => "cannot access",
            CueKind::Money => "money at stake",
            CueKind::Security => "security",
            CueKind::Explicit => "says urgent",
        }
    }
}

/// English cues as stem sequences, matched in order with at most
/// [`MAX_GAP`] other words between two of them (so "can't log in", "cannot
/// login" and "nobody on our team can log in" all match), and Chinese cues
/// as substrings of the normalised text.
const EN: &[(&[&str], CueKind)] = &[
    (&["outag"], CueKind::Outage),
    (&["down"], CueKind::Outage),
    (&["crash"], CueKind::Outage),
    (&["not", "work"], CueKind::Outage),
    (&["not", "load"], CueKind::Outage),
    (&["error", "500"], CueKind::Outage),
    (&["data", "loss"], CueKind::Outage),
    (&["lost", "data"], CueKind::Outage),
    (&["not", "log"], CueKind::Access),
    (&["not", "login"], CueKind::Access),
    (&["cannot", "log"], CueKind::Access),
    (&["cannot", "login"], CueKind::Access),
    (&["cannot", "access"], CueKind::Access),
    (&["not", "access"], CueKind::Access),
    (&["lock", "out"], CueKind::Access),
    (&["cannot", "sign"], CueKind::Access),
    (&["not", "sign"], CueKind::Access),
    (&["unabl", "log"], CueKind::Access),
    (&["unabl", "login"], CueKind::Access),
    (&["unabl", "sign"], CueKind::Access),
    (&["unabl", "access"], CueKind::Access),
    (&["nobodi", "log"], CueKind::Access),
    (&["nobodi", "login"], CueKind::Access),
    (&["nobodi", "sign"], CueKind::Access),
    (&["nobodi", "access"], CueKind::Access),
    (&["no", "one", "log"], CueKind::Access),
    (&["no", "one", "login"], CueKind::Access),
    (&["account", "lock"], CueKind::Access),
    (&["charg", "twice"], CueKind::Money),
    (&["doubl", "charg"], CueKind::Money),
    (&["overcharg"], CueKind::Money),
    (&["refund"], CueKind::Money),
    (&["unauthor"], CueKind::Security),
    (&["hack"], CueKind::Security),
    (&["fraud"], CueKind::Security),
    (&["stolen"], CueKind::Security),
    (&["breach"], CueKind::Security),
    (&["urgent"], CueKind::Explicit),
    (&["asap"], CueKind::Explicit),
    (&["immedi"], CueKind::Explicit),
    (&["emerg"], CueKind::Explicit),
    (&["critic"], CueKind::Explicit),
    (&["right", "now"], CueKind::Explicit),
];

const ZH: &[(&str, CueKind)] = &[
    ("宕机", CueKind::Outage),
    ("崩溃", CueKind::Outage),
    ("故障", CueKind::Outage),
    ("打不开", CueKind::Outage),
    ("用不了", CueKind::Outage),
    ("无法使用", CueKind::Outage),
    ("数据丢失", CueKind::Outage),
    ("无法登录", CueKind::Access),
    ("登不上", CueKind::Access),
    ("登录不了", CueKind::Access),
    ("不能登录", CueKind::Access),
    ("账号被锁", CueKind::Access),
    ("扣款", CueKind::Money),
    ("重复扣费", CueKind::Money),
    ("多扣", CueKind::Money),
    ("退款", CueKind::Money),
    ("被盗", CueKind::Security),
    ("盗刷", CueKind::Security),
    ("诈骗", CueKind::Security),
    ("泄露", CueKind::Security),
    ("紧急", CueKind::Explicit),
    ("急", CueKind::Explicit),
    ("马上", CueKind::Explicit),
    ("立刻", CueKind::Explicit),
    ("尽快", CueKind::Explicit),
];

/// Most words between two words of an English cue.
const MAX_GAP: usize = 4;

/// True when `seq` occurs in `stems` in order, each word at most
/// [`MAX_GAP`] words after the previous one.
fn occurs(stems: &[&str], seq: &[&str]) -> bool {
    let Some((first, rest)) = seq.split_first() else { return false };
    stems.iter().enumerate().filter(|(_, s)| *s == first).any(|(start, _)| {
        let mut at = start;
        rest.iter().all(|word| {
            let window = at + 1..(at + 2 + MAX_GAP).min(stems.len());
            match stems[window.clone()].iter().position(|s| s == word) {
                Some(p) => {
                    at = window.start + p;
                    true
                }
                None => false,
            }
        })
    })
}

/// A cue found in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    /// Its kind.
    pub kind: CueKind,
    /// The words that matched, as the cue list spells them.
    pub matched: String,
}

/// Finds the urgency cues in a message, at most one per kind (the first).
pub fn find_cues(text: &str) -> Vec<Cue> {
    let analysis = analyze(text);
    let stems: Vec<&str> = analysis.words.iter().map(|w| w.stem.as_str()).collect();
    let normal = normalize(text).replace(' ', "");
    let mut found: Vec<Cue> = Vec::new();
    let mut add = |kind: CueKind, matched: String| {
        if !found.iter().any(|c| c.kind == kind) {
            found.push(Cue { kind, matched });
        }
    };
    for (seq, kind) in EN {
        if occurs(&stems, seq) {
            add(*kind, seq.join(" "));
        }
    }
    for (s, kind) in ZH {
        if normal.contains(s) {
            add(*kind, (*s).to_string());
        }
    }
    found.sort_by_key(|c| c.kind);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<CueKind> {
        find_cues(text).into_iter().map(|c| c.kind).collect()
    }

    #[test]
    fn finds_cues_in_both_languages() {
        assert_eq!(kinds("URGENT: I can't log in!"), [CueKind::Access, CueKind::Explicit]);
        assert_eq!(kinds("I cannot login since this morning"), [CueKind::Access]);
        assert_eq!(kinds("The site is down, total outage"), [CueKind::Outage]);
        assert_eq!(kinds("I was charged twice"), [CueKind::Money]);
        assert_eq!(kinds("紧急！无法登录"), [CueKind::Access, CueKind::Explicit]);
        assert_eq!(kinds("账户被盗了"), [CueKind::Security]);
        assert!(kinds("How do I change my avatar?").is_empty());
        assert_eq!(kinds("Production is down, nobody on our team can log in"), [CueKind::Outage, CueKind::Access]);
        assert_eq!(kinds("I'm unable to sign in to my account"), [CueKind::Access]);
        assert_eq!(kinds("I can not log in"), [CueKind::Access]);
        // Too far apart is not a cue.
        assert!(kinds("I could not find the page, so I will log it later").is_empty());
    }
}
