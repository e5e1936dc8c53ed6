//! Normalisation runs on every question typed: it must not panic and must
//! be idempotent.
#![no_main]

use deflect_shared::text::{analyze, normalize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let once = normalize(text);
    assert_eq!(normalize(&once), once);
    let _ = analyze(text);
});
