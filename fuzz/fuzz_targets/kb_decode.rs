//! The widget decodes whatever the network gives it, and the edge what KV
//! holds: any bytes must give an index that searches, or an error, never a
//! panic.
#![no_main]

use deflect_shared::kb::{KbIndex, PublishedKb, SearchOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(index) = KbIndex::decode(data) {
        let _ = index.search("my card has not arrived 无法登录", SearchOptions::default());
        let _ = index.search("refu", SearchOptions { limit: 3, last_word_unfinished: true });
        let _ = index.encode();
    }
    if let Ok(published) = PublishedKb::decode(data) {
        let _ = published.encode();
    }
});
