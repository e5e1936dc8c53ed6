//! A deterministic synthetic help-centre corpus for the benchmarks: articles
//! about a made-up product, written from a fixed vocabulary with a seeded
//! generator, and questions drawn from each article's own words with noise.
//! Any size can be made, and every run gets the same text.

use deflect_shared::kb::Article;

const SUBJECTS: [&str; 40] = [
    "card",
    "account",
    "password",
    "invoice",
    "refund",
    "payment",
    "transfer",
    "subscription",
    "plan",
    "team",
    "project",
    "export",
    "import",
    "report",
    "api key",
    "webhook",
    "login",
    "email",
    "phone",
    "address",
    "order",
    "delivery",
    "parcel",
    "return",
    "discount",
    "coupon",
    "tax",
    "receipt",
    "currency",
    "budget",
    "calendar",
    "reminder",
    "notification",
    "device",
    "browser",
    "mobile app",
    "desktop app",
    "backup",
    "storage",
    "integration",
];
const ACTIONS: [&str; 24] = [
    "change",
    "cancel",
    "reset",
    "update",
    "delete",
    "create",
    "find",
    "download",
    "upload",
    "share",
    "connect",
    "disconnect",
    "verify",
    "activate",
    "block",
    "unlock",
    "renew",
    "upgrade",
    "downgrade",
    "track",
    "replace",
    "restore",
    "rename",
    "limit",
];
const PROBLEMS: [&str; 16] = [
    "does not work",
    "was declined",
    "is missing",
    "arrived late",
    "shows an error",
    "is wrong",
    "was charged twice",
    "is pending",
    "expired",
    "is locked",
    "cannot be found",
    "keeps failing",
    "is too slow",
    "was stolen",
    "is not showing",
    "was rejected",
];
const FILLER: [&str; 20] = [
    "please", "help", "how", "do", "I", "my", "the", "can", "you", "why", "when", "where", "today", "again", "still",
    "need", "want", "to", "with", "for",
];

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// `n` articles, each about one subject, action and problem, with a body of
/// a few sentences and three phrasings.
pub(crate) fn articles(n: usize) -> Vec<Article> {
    let mut rng = Rng(0xdef1ec7);
    (0..n)
        .map(|i| {
            let (s, a, p) = (rng.pick(&SUBJECTS), rng.pick(&ACTIONS), rng.pick(&PROBLEMS));
            let s2 = rng.pick(&SUBJECTS);
            let body = format!(
                "To {a} your {s}, open Settings and choose {s}. If the {s} {p}, check the {s2} first. \
                 Changes to the {s} take effect at once. Contact us if the {s2} {p} after that. Step {i} of the guide."
            );
            Article {
                id: format!("article-{i}"),
                title: format!("{a} the {s} ({i})"),
                body,
                tags: vec![s.replace(' ', "-"), a.to_string()],
                phrasings: vec![format!("how do I {a} my {s}"), format!("my {s} {p}"), format!("{a} {s} {s2}")],
                locale: "en".into(),
                ..Article::default()
            }
        })
        .collect()
}

/// `n` questions about the articles of a corpus of `articles` articles.
pub(crate) fn questions(articles: usize, n: usize) -> Vec<String> {
    let kb = self::articles(articles);
    let mut rng = Rng(0x9e57);
    (0..n)
        .map(|_| {
            let a = &kb[(rng.next() % kb.len() as u64) as usize];
            let words: Vec<&str> = a.title.split(' ').take(3).collect();
            format!("{} {} {} {}", rng.pick(&FILLER), words.join(" "), rng.pick(&FILLER), rng.pick(&PROBLEMS))
        })
        .collect()
}
