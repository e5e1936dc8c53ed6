//! The KB matcher of `deflect-shared` behind a wasm-bindgen API, so the
//! benchmarks time it in the same JavaScript engine as MiniSearch.

use deflect_shared::kb::{Article, BuildOptions, KbIndex, SearchOptions};
use wasm_bindgen::prelude::*;

/// A built or decoded index.
#[wasm_bindgen]
pub struct Matcher {
    index: KbIndex,
}

#[wasm_bindgen]
impl Matcher {
    /// Builds an index from JSON lines of `{"id", "title", "body"}`, as in
    /// `../shared/eval/<dataset>/kb.jsonl`.
    pub fn build(kb_jsonl: &str) -> Result<Matcher, JsError> {
        let articles = kb_jsonl
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l)?;
                let text = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_string();
                Ok(Article { id: text("id"), title: text("title"), body: text("body"), ..Article::default() })
            })
            .collect::<Result<Vec<_>, serde_json::Error>>()?;
        Ok(Matcher { index: KbIndex::build(&articles, &BuildOptions::default())? })
    }

    /// Loads an encoded index, as the widget does.
    pub fn decode(bytes: &[u8]) -> Result<Matcher, JsError> {
        Ok(Matcher { index: KbIndex::decode(bytes)? })
    }

    /// The encoded index.
    pub fn encode(&self) -> Vec<u8> {
        self.index.encode()
    }

    /// The ids of the best three articles for a question, best first; with
    /// `typing`, the last word may be unfinished.
    pub fn search(&self, question: &str, typing: bool) -> Vec<String> {
        let m = self.index.search(question, SearchOptions { limit: 3, last_word_unfinished: typing });
        m.hits.iter().map(|h| self.index.articles()[h.article].id.clone()).collect()
    }
}
