//! Admins paste rules as JSON: any text must parse or be refused in words.
#![no_main]

use deflect_shared::rules::{RuleSet, TicketFacts, Trigger};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match RuleSet::parse(text) {
        Ok(rules) => {
            let _ = rules.run(Trigger::TicketCreated, &TicketFacts::default());
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
