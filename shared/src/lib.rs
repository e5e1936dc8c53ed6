/*!
Deflect's domain logic, shared by the chat widget (wasm, in the browser),
the edge worker (wasm, on workerd) and native tests and benchmarks.

# Brief overview

* [`text`] normalises English and Chinese text the same way for indexing
  and for matching.
* [`kb`] builds a knowledge-base index and matches questions against it.
* [`priority`] scores tickets (`α·importance + β·urgency`) with an
  explanation, and fits the score to agents' decisions.
* [`rules`] is the automation engine; [`assignment`] picks agents; [`sla`]
  keeps the clocks, in [`business_hours`] when the team sets them; [`metrics`] turns raw figures into rates and percentiles.
* [`merge`] says when a duplicate ticket may be merged into another.
* [`mail_alert`] says which agents are mailed of what happens to a
  ticket, and writes that mail; [`mention`] reads `@handle` mentions of
  teammates in internal notes.
* [`rating_request`] says when a solved ticket's customer is asked to
  rate our help, and in which words.
* [`attachment`] says which files of a customer's mail are kept and how
  they are handed back.
* [`saved_reply`] fills the placeholders of the team's saved replies.
* [`retention`] says how long a customer's data is kept.
* [`rate_limit`] estimates a client's requests in the last minute.
* [`audit`] says what each action in the audit log means.
* [`money`] reads and shows amounts (cents inside, dollars outside).
* [`markdown`] reads article bodies into blocks that each renderer shows
  safely.
* [`api`] holds the wire types shared by the widget, dashboard and edge.

This crate does no I/O and reads no clock or random source: time and ids
are passed in, so every function is deterministic.

```
use deflect_shared::kb::{Article, BuildOptions, KbIndex, SearchOptions};

let articles = vec![
    Article {
        id: "reset-password".into(),
        title: "Reset your password".into(),
        body: "Open Settings, then Security, then Reset password.".into(),
        phrasings: vec!["I forgot my password".into(), "cannot log in".into()],
        locale: "en".into(),
        ..Article::default()
    },
    Article {
        id: "refunds".into(),
        title: "Refunds".into(),
        body: "Refunds reach your card within five days.".into(),
        phrasings: vec!["I want my money back".into()],
        locale: "en".into(),
        ..Article::default()
    },
];
let index = KbIndex::build(&articles, &BuildOptions::default())?;
let matches = index.search("forgot password", SearchOptions::default());
assert_eq!(index.articles()[matches.hits[0].article].id, "reset-password");
# Ok::<(), Box<dyn std::error::Error>>(())
```
*/
#![deny(missing_docs)]

pub use crate::error::{Error, ErrorKind, json_problem};

pub mod api;
pub mod assignment;
pub mod attachment;
pub mod audit;
pub mod business_hours;
pub mod daily_summary;
pub mod email;
mod error;
pub mod html;
pub mod identity;
pub mod kb;
pub mod login_guard;
pub mod mail_alert;
pub mod markdown;
pub mod mention;
pub mod merge;
pub mod metrics;
pub mod money;
pub mod password_reset;
pub mod priority;
pub mod rate_limit;
pub mod rating_request;
pub mod retention;
pub mod rules;
pub mod saved_reply;
pub mod signature;
pub mod sla;
pub mod text;
pub mod totp;
pub mod user_agent;
pub mod webhook;
