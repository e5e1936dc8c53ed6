//! The binary index format.
//!
//! ```text
//! index    := magic "DFKB" · version u16 · count u16 · section*
//! section  := tag u8 · length u32 · payload            (little endian)
//! tag 1  CONFIG    feature config, BM25F config, match weights
//! tag 2  ARTICLES  n · (id · title · body · tags · locale)*
//! tag 3  TERMS     n · (shared-prefix · suffix · postings)*   front-coded
//!                  postings := n · (article-delta · tf[4])*
//! tag 4  LENGTHS   per article: 4 field lengths
//! tag 5  MODEL     n · scale f32 · (hash-delta · idf u16 · m ·
//!                  (article-delta · weight i8)*)* · bias f32 per article
//! tag 6  CATEGORIES  n · str*   the help centre's, one per article;
//!                  only when an article has one
//! str := varint length · UTF-8 bytes;  n, m, deltas: LEB128 varints
//! ```
//!
//! Sections with unknown tags are skipped, so a reader of this version can
//! load an index that only adds sections. [`KbIndex::decode`], which the
//! widget uses, skips CATEGORIES as such a section, so the widget carries
//! no code for what it does not show; [`PublishedKb`] writes and reads
//! them. Any other change bumps
//! [`FORMAT_VERSION`]; a golden file per version is kept in `testdata/`.
//! Decoding never panics: every length is checked against the bytes left.

use super::bm25::{Bm25, Bm25Config, FIELDS, Posting};
use super::features::{BLOCKS, FeatureConfig};
use super::index::{KbIndex, MAX_ARTICLES, StoredArticle};
use super::model::Model;
use super::published::PublishedKb;
use super::weights::{MatchWeights, SIGNALS};
use crate::error::{Error, ErrorKind};

/// The format version this build writes and the newest it reads.
pub const FORMAT_VERSION: u16 = 1;

const MAGIC: &[u8; 4] = b"DFKB";
const TAG_CONFIG: u8 = 1;
const TAG_ARTICLES: u8 = 2;
const TAG_TERMS: u8 = 3;
const TAG_LENGTHS: u8 = 4;
const TAG_MODEL: u8 = 5;
const TAG_CATEGORIES: u8 = 6;

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f32(&mut self, v: f32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn var(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(byte);
                return;
            }
            self.0.push(byte | 0x80);
        }
    }
    fn str(&mut self, s: &str) {
        self.var(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn section(&mut self, tag: u8, body: Writer) {
        self.u8(tag);
        self.u32(body.0.len() as u32);
        self.0.extend_from_slice(&body.0);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], what: &'static str) -> Reader<'a> {
        Reader { bytes, pos: 0, what }
    }
    fn fail<T>(&self, msg: &str) -> Result<T, Error> {
        Err(Error::format(format!("{} section: {msg}", self.what)))
    }
    fn left(&self) -> usize {
        self.bytes.len() - self.pos
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if n > self.left() {
            return self.fail("ends too early");
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, Error> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, Error> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn f32(&mut self) -> Result<f32, Error> {
        let b = self.take(4)?;
        let v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        if v.is_finite() { Ok(v) } else { self.fail("holds a number that is not finite") }
    }
    fn var(&mut self) -> Result<u64, Error> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        self.fail("has a number that is too long")
    }
    /// A count of items that each take at least `min_bytes`.
    fn count(&mut self, min_bytes: usize) -> Result<usize, Error> {
        let n = self.var()?;
        if n as u128 * min_bytes as u128 > self.left() as u128 {
            return self.fail("claims more items than it holds");
        }
        Ok(n as usize)
    }
    fn index_below(&mut self, base: u64, bound: usize) -> Result<u32, Error> {
        let v = base.checked_add(self.var()?);
        match v {
            Some(v) if v < bound as u64 => Ok(v as u32),
            _ => self.fail("points past the end of a table"),
        }
    }
    fn str(&mut self) -> Result<String, Error> {
        let n = self.count(1)?;
        match std::str::from_utf8(self.take(n)?) {
            Ok(s) => Ok(s.to_string()),
            Err(_) => self.fail("holds text that is not UTF-8"),
        }
    }
}

impl KbIndex {
    /// Encodes the index in the current format.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Writer(Vec::new());
        out.0.extend_from_slice(MAGIC);
        out.u16(FORMAT_VERSION);
        out.u16(5);

        let mut c = Writer(Vec::new());
        let fc = &self.model.config;
        c.u8(fc.char_min);
        c.u8(fc.char_max);
        c.u8(fc.cjk_max);
        fc.block_weights.iter().for_each(|w| c.f32(*w));
        let bc = self.bm25.config();
        c.f32(bc.k1);
        c.f32(bc.b);
        bc.field_weights.iter().for_each(|w| c.f32(*w));
        c.f32(bc.typo_discount);
        c.f32(bc.prefix_discount);
        self.weights.signals.iter().for_each(|w| c.f32(*w));
        c.f32(self.weights.answer_threshold);
        c.f32(self.weights.suggest_threshold);
        out.section(TAG_CONFIG, c);

        let mut a = Writer(Vec::new());
        a.var(self.articles.len() as u64);
        for art in &self.articles {
            a.str(&art.id);
            a.str(&art.title);
            a.str(&art.body);
            a.var(art.tags.len() as u64);
            art.tags.iter().for_each(|t| a.str(t));
            a.str(&art.locale);
        }
        out.section(TAG_ARTICLES, a);

        let mut t = Writer(Vec::new());
        t.var(self.bm25.terms.len() as u64);
        let mut prev = "";
        for (term, postings) in self.bm25.terms.iter().zip(&self.bm25.postings) {
            let shared = prev.bytes().zip(term.bytes()).take_while(|(a, b)| a == b).count();
            // Cut only at a character boundary so each suffix is valid UTF-8.
            let shared = (0..=shared).rev().find(|&i| term.is_char_boundary(i)).unwrap_or(0);
            t.var(shared as u64);
            t.str(&term[shared..]);
            t.var(postings.len() as u64);
            let mut last = 0u32;
            for p in postings {
                t.var(u64::from(p.article - last));
                last = p.article;
                p.tf.iter().for_each(|v| t.u8(*v));
            }
            prev = term;
        }
        out.section(TAG_TERMS, t);

        let mut l = Writer(Vec::new());
        for len in &self.bm25.lengths {
            len.iter().for_each(|v| l.var(u64::from(*v)));
        }
        out.section(TAG_LENGTHS, l);

        let m = &self.model;
        let mut w = Writer(Vec::new());
        w.var(m.features.len() as u64);
        let max = m.weights.iter().fold(0.0f32, |acc, v| acc.max(v.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        w.f32(scale);
        let mut last_hash = 0u32;
        for f in 0..m.features.len() {
            w.var(u64::from(m.features[f] - last_hash));
            last_hash = m.features[f];
            w.u16((m.idf[f] * 1000.0).round().clamp(0.0, 65535.0) as u16);
            let range = m.offsets[f] as usize..m.offsets[f + 1] as usize;
            w.var(range.len() as u64);
            let mut last = 0u32;
            for k in range {
                w.var(u64::from(m.articles[k] - last));
                last = m.articles[k];
                w.u8((m.weights[k] / scale).round().clamp(-127.0, 127.0) as i8 as u8);
            }
        }
        m.bias.iter().for_each(|b| w.f32(*b));
        out.section(TAG_MODEL, w);
        out.0
    }

    /// Decodes an index, checking every length and reference. Fails with a
    /// message saying which section is damaged.
    pub fn decode(bytes: &[u8]) -> Result<KbIndex, Error> {
        let mut r = Reader::new(bytes, "header");
        if r.take(4).ok() != Some(MAGIC.as_slice()) {
            return Err(Error::format("this is not a Deflect KB index (bad magic bytes)"));
        }
        let version = r.u16()?;
        if version == 0 || version > FORMAT_VERSION {
            return Err(Error::new(ErrorKind::IndexVersion { found: version, supported: FORMAT_VERSION }));
        }
        let count = r.u16()?;
        let mut sections: [Option<&[u8]>; 6] = [None; 6];
        for _ in 0..count {
            let tag = r.u8()?;
            let len = r.u32()? as usize;
            let body = r.take(len)?;
            if let Some(slot) = sections.get_mut(usize::from(tag)) {
                if slot.is_some() {
                    return Err(Error::format(format!("section {tag} appears twice")));
                }
                *slot = Some(body);
            }
        }
        let need = |tag: u8, what: &'static str| match sections[usize::from(tag)] {
            Some(b) => Ok(Reader::new(b, what)),
            None => Err(Error::format(format!("the {what} section is missing"))),
        };

        let mut c = need(TAG_CONFIG, "config")?;
        let (char_min, char_max, cjk_max) = (c.u8()?, c.u8()?, c.u8()?);
        if !(1..=5).contains(&char_min) || !(char_min..=6).contains(&char_max) || !(1..=4).contains(&cjk_max) {
            return c.fail("has n-gram sizes out of range");
        }
        let mut block_weights = [0.0; BLOCKS];
        for w in &mut block_weights {
            *w = c.f32()?;
        }
        let features = FeatureConfig { char_min, char_max, cjk_max, block_weights };
        let mut bm25 = Bm25Config { k1: c.f32()?, b: c.f32()?, ..Bm25Config::default() };
        for w in &mut bm25.field_weights {
            *w = c.f32()?;
        }
        bm25.typo_discount = c.f32()?;
        bm25.prefix_discount = c.f32()?;
        let mut weights = MatchWeights::default();
        for w in &mut weights.signals[..SIGNALS] {
            *w = c.f32()?;
        }
        weights.answer_threshold = c.f32()?;
        weights.suggest_threshold = c.f32()?;

        let mut a = need(TAG_ARTICLES, "articles")?;
        let n = a.count(5)?;
        if n == 0 || n > MAX_ARTICLES {
            return a.fail("has no articles or too many");
        }
        let mut articles = Vec::with_capacity(n);
        for _ in 0..n {
            let id = a.str()?;
            let title = a.str()?;
            let body = a.str()?;
            let tag_count = a.count(1)?;
            let mut tags = Vec::with_capacity(tag_count);
            for _ in 0..tag_count {
                tags.push(a.str()?);
            }
            let locale = a.str()?;
            articles.push(StoredArticle { id, title, body, tags, locale });
        }

        let mut t = need(TAG_TERMS, "terms")?;
        let term_count = t.count(3)?;
        let mut terms: Vec<String> = Vec::with_capacity(term_count);
        let mut postings = Vec::with_capacity(term_count);
        for _ in 0..term_count {
            let shared = t.var()? as usize;
            let prev = terms.last().map(String::as_str).unwrap_or("");
            if shared > prev.len() || !prev.is_char_boundary(shared) {
                return t.fail("has a bad term prefix");
            }
            let term = format!("{}{}", &prev[..shared], t.str()?);
            if terms.last().is_some_and(|p| *p >= term) {
                return t.fail("has terms out of order");
            }
            let m = t.count(1 + FIELDS)?;
            let mut list = Vec::with_capacity(m);
            let mut last = 0u64;
            for i in 0..m {
                let article = t.index_below(last, n)?;
                if i > 0 && u64::from(article) == last {
                    return t.fail("repeats an article in a posting list");
                }
                last = u64::from(article);
                let mut tf = [0u8; FIELDS];
                for v in &mut tf {
                    *v = t.u8()?;
                }
                list.push(Posting { article, tf });
            }
            terms.push(term);
            postings.push(list);
        }

        let mut l = need(TAG_LENGTHS, "lengths")?;
        let mut lengths = Vec::with_capacity(n);
        for _ in 0..n {
            let mut len = [0u16; FIELDS];
            for v in &mut len {
                *v = u16::try_from(l.var()?).or_else(|_| l.fail("has a field that is too long"))?;
            }
            lengths.push(len);
        }

        let mut w = need(TAG_MODEL, "model")?;
        let feature_count = w.count(4)?;
        let scale = w.f32()?;
        let mut model = Model {
            features: Vec::with_capacity(feature_count),
            idf: Vec::with_capacity(feature_count),
            offsets: vec![0],
            articles: Vec::new(),
            weights: Vec::new(),
            bias: Vec::with_capacity(n),
            config: features,
        };
        let mut last_hash = 0u64;
        for i in 0..feature_count {
            let hash = match last_hash.checked_add(w.var()?) {
                Some(h) if h <= u64::from(u32::MAX) && (i == 0 || h != last_hash) => h,
                _ => return w.fail("has feature hashes out of order"),
            };
            last_hash = hash;
            model.features.push(hash as u32);
            model.idf.push(f32::from(w.u16()?) / 1000.0);
            let m = w.count(2)?;
            let mut last = 0u64;
            for k in 0..m {
                let article = w.index_below(last, n)?;
                if k > 0 && u64::from(article) == last {
                    return w.fail("repeats an article in a feature");
                }
                last = u64::from(article);
                model.articles.push(article);
                model.weights.push(f32::from(w.u8()? as i8) * scale);
            }
            model.offsets.push(model.articles.len() as u32);
        }
        for _ in 0..n {
            model.bias.push(w.f32()?);
        }
        Ok(KbIndex { articles, bm25: Bm25::from_parts(terms, postings, lengths, bm25), model, weights })
    }
}

impl PublishedKb {
    /// Encodes the index, with the categories' section when an article
    /// has one.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Writer(self.index.encode());
        if self.categories.iter().any(|c| !c.is_empty()) {
            let mut c = Writer(Vec::new());
            c.var(self.categories.len() as u64);
            self.categories.iter().for_each(|x| c.str(x));
            out.section(TAG_CATEGORIES, c);
            // One more section in the header's count.
            let count = u16::from_le_bytes([out.0[6], out.0[7]]) + 1;
            out.0[6..8].copy_from_slice(&count.to_le_bytes());
        }
        out.0
    }

    /// Decodes an index as [`KbIndex::decode`] does, and each article's
    /// category.
    pub fn decode(bytes: &[u8]) -> Result<PublishedKb, Error> {
        let index = KbIndex::decode(bytes)?;
        let mut categories = Vec::new();
        // `decode` has checked the header and every section's length, so
        // the walk indexes the bytes directly. (Through `Reader`, it would
        // change how `decode` is compiled for the widget, which costs
        // bytes there.)
        let le = |at: usize, n: usize| bytes[at..at + n].iter().rev().fold(0, |v, b| v << 8 | usize::from(*b));
        let mut at = MAGIC.len() + 4;
        for _ in 0..le(MAGIC.len() + 2, 2) {
            let (tag, len) = (bytes[at], le(at + 1, 4));
            at += 5;
            if tag == TAG_CATEGORIES {
                let mut c = Reader::new(&bytes[at..at + len], "categories");
                let n = c.count(1)?;
                if n != index.articles.len() {
                    return c.fail("does not hold one category per article");
                }
                categories = (0..n).map(|_| c.str()).collect::<Result<_, _>>()?;
            }
            at += len;
        }
        Ok(PublishedKb { index, categories })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kb::{Article, BuildOptions, PublishedKb, SearchOptions};

    fn small_kb() -> Vec<Article> {
        let a = |id: &str, title: &str, body: &str, phr: &[&str]| Article {
            id: id.into(),
            title: title.into(),
            body: body.into(),
            phrasings: phr.iter().map(|s| s.to_string()).collect(),
            tags: vec!["t".into()],
            locale: "en".into(),
            category: String::new(),
        };
        vec![
            a("card-arrival", "Card arrival", "Cards arrive in 5 days.", &["where is my card", "card not arrived"]),
            a("refund", "Refunds", "Refunds take 3 days.", &["money back", "I want a refund"]),
            a("login", "无法登录", "请重置密码。", &["登录不了", "忘记密码"]),
        ]
    }

    #[test]
    fn round_trip_keeps_search_results() {
        let index = KbIndex::build(&small_kb(), &BuildOptions::default()).expect("builds");
        let bytes = index.encode();
        let back = KbIndex::decode(&bytes).expect("decodes");
        assert_eq!(back.articles, index.articles);
        assert_eq!(back.bm25.terms, index.bm25.terms);
        assert_eq!(back.encode(), bytes, "encoding is stable after a round trip");
        for q in ["my card has not arrived", "refund", "忘记密码了"] {
            let a = index.search(q, SearchOptions::default());
            let b = back.search(q, SearchOptions::default());
            assert_eq!(a.hits[0].article, b.hits[0].article, "{q}");
        }
    }

    #[test]
    fn categories_are_a_section_the_widget_skips() {
        let plain = PublishedKb::build(&small_kb(), &BuildOptions::default()).expect("builds").encode();
        assert_eq!(plain, KbIndex::build(&small_kb(), &BuildOptions::default()).expect("builds").encode());
        let mut kb = small_kb();
        kb[1].category = "Billing".into();
        kb[2].category = "账户".into();
        let published = PublishedKb::build(&kb, &BuildOptions::default()).expect("builds");
        let bytes = published.encode();
        // The header counts one more section, which follows the others.
        assert_eq!(&bytes[6..8], &6u16.to_le_bytes());
        assert_eq!(&bytes[8..plain.len()], &plain[8..]);
        let back = PublishedKb::decode(&bytes).expect("decodes");
        assert_eq!(back.categories, published.categories);
        assert_eq!(back.encode(), bytes);
        assert_eq!(
            (back.category(0), back.category(1), back.category(2), back.category(9)),
            ("", "Billing", "账户", "")
        );
        let widget = KbIndex::decode(&bytes).expect("decodes");
        assert_eq!(widget.articles, published.index.articles);
        // Without the section no article has one.
        let none = PublishedKb::decode(&plain).expect("decodes");
        assert!(none.categories.is_empty() && none.category(1).is_empty());
        // A section that does not match the articles is refused.
        let mut short = bytes.clone();
        let at = bytes.len() - (1 + 4 + 1 + 1 + (1 + 7) + (1 + "账户".len()));
        assert_eq!(short[at], TAG_CATEGORIES);
        short[at + 5] = 2;
        let e = PublishedKb::decode(&short).unwrap_err().to_string();
        assert!(e.contains("one category per article"), "{e}");
    }

    #[test]
    fn rejects_damage_with_a_message() {
        let index = KbIndex::build(&small_kb(), &BuildOptions::default()).expect("builds");
        let bytes = index.encode();
        assert!(KbIndex::decode(b"nope").unwrap_err().to_string().contains("magic"));
        let mut newer = bytes.clone();
        newer[4] = 9;
        assert!(matches!(KbIndex::decode(&newer).unwrap_err().kind(), ErrorKind::IndexVersion { found: 9, .. }));
        for cut in [10, bytes.len() / 2, bytes.len() - 1] {
            assert!(KbIndex::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }
}
