//! Inputs the fuzzers once crashed on (`fuzz/regressions/`), replayed on
//! every test run so the fixes stay fixed.

use deflect_shared::kb::{KbIndex, SearchOptions};
use deflect_shared::rules::RuleSet;
use deflect_shared::text::normalize;
use std::path::Path;

fn crashers(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions");
    let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&format!("{target}-")))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("readable")))
        .collect();
    found.sort();
    found
}

#[test]
fn kb_decode_crashers_are_errors() {
    let all = crashers("kb_decode");
    assert!(!all.is_empty(), "the kb_decode crashers are missing");
    for (name, bytes) in all {
        if let Ok(index) = KbIndex::decode(&bytes) {
            let _ = index.search("card", SearchOptions::default());
        } else {
            eprintln!("{name}: refused, as it should be");
        }
    }
}

#[test]
fn text_crashers_normalise_idempotently() {
    for (name, bytes) in crashers("text_analyze") {
        let text = String::from_utf8_lossy(&bytes);
        let once = normalize(&text);
        assert_eq!(normalize(&once), once, "{name}");
    }
}

#[test]
fn rules_crashers_are_errors() {
    for (_, bytes) in crashers("rules_parse") {
        let _ = RuleSet::parse(&String::from_utf8_lossy(&bytes));
    }
}
