//! HTTP tests against the real local edge (workerd, local D1 and KV),
//! started and seeded by `cargo xtask test`. One binary, one module per
//! concern; every test uses its own client address (rate-limit budget),
//! customers and idempotency keys, so they run in parallel.

mod attachments;
mod auth;
mod bad_input;
mod email;
mod identity;
mod kb;
mod mail_alerts;
mod metrics;
mod password_reset;
mod privacy;
mod restart;
mod retrain;
mod sla;
mod spam;
mod ticket_page;
mod tickets;
mod two_factor;
mod webhooks;

use deflect_tests::{Client, Reply, edge_url, unique};
use serde_json::{Value, json};

/// Tests that change the settings (one document per edge) hold this while
/// they read, change and write them, so one test's write does not undo
/// another's.
fn settings_lock() -> std::sync::MutexGuard<'static, ()> {
    static SETTINGS: std::sync::Mutex<()> = std::sync::Mutex::new(());
    SETTINGS.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Changes the list of sites in the settings.
fn change_sites(a: &Client, change: &dyn Fn(&mut Vec<Value>)) {
    let _settings = settings_lock();
    let mut s = a.get("/v1/admin/settings").json();
    change(s["sites"].as_array_mut().expect("sites"));
    let r = a.json("PUT", "/v1/admin/settings", &s);
    assert_eq!(r.status, 200, "{}", r.text);
}

static CRON: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs the edge's cron once (wrangler's `/__scheduled`), waiting while a
/// test holds [`cron_paused`].
fn run_cron() -> deflect_tests::Reply {
    let _turn = CRON.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    public().get("/__scheduled?cron=*+*+*+*+*")
}

/// Keeps the other tests from running the cron while this is held, for a
/// test that sets up what the cron would change.
fn cron_paused() -> std::sync::MutexGuard<'static, ()> {
    CRON.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Asks `f` four times a second until it gives a value, and fails after
/// `secs` seconds, saying `what` did not happen and what `f` last saw.
fn eventually<T>(what: &str, secs: u64, mut f: impl FnMut() -> Result<T, String>) -> T {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        match f() {
            Ok(v) => return v,
            Err(seen) => assert!(std::time::Instant::now() < deadline, "{what} not within {secs} s: {seen}"),
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
}

/// A client for the public API with its own address.
fn public() -> Client {
    Client::new(&edge_url()).ip(&unique("ip"))
}

/// A ticket-creation body for the demo site.
fn ticket_body(email: &str, message: &str) -> Value {
    json!({
        "site": "demo",
        "customer": { "email": email, "name": "Test Customer" },
        "message": message,
        "locale": "en",
    })
}

/// `POST /v1/tickets` with an idempotency key.
fn create(c: &Client, key: &str, body: &Value) -> Reply {
    let text = body.to_string();
    c.send("POST", "/v1/tickets", &[("idempotency-key", key)], Some(("application/json", text.as_bytes())))
}

/// Asserts a JSON error with a status in `range` and returns its code.
fn assert_error(r: &Reply, range: std::ops::RangeInclusive<u16>) -> String {
    assert!(range.contains(&r.status), "expected a status in {range:?}, got {}: {}", r.status, r.text);
    assert!(
        r.header("content-type").is_some_and(|c| c.starts_with("application/json")),
        "the error is not JSON: {:?}",
        r.headers
    );
    let code = r.json()["error"]["code"].as_str().map(str::to_string);
    let message = r.json()["error"]["message"].as_str().map(str::to_string);
    assert!(message.is_some_and(|m| !m.is_empty()), "the error has no message: {}", r.text);
    code.unwrap_or_else(|| panic!("the error has no code: {}", r.text))
}

/// Rows of the test edge's D1.
fn d1(sql: &str) -> Vec<Value> {
    deflect_tests::d1(&deflect_tests::edge_persist(), sql).unwrap_or_else(|e| panic!("{e}"))
}

/// The sealed contents of file `id` in the edge's local R2, if kept there.
fn r2_file(id: &str) -> Option<Vec<u8>> {
    deflect_tests::r2_object(&deflect_tests::edge_persist(), &format!("files/{id}")).unwrap_or_else(|e| panic!("{e}"))
}

/// How many rows of `table` have `column` containing `marker`.
fn rows_containing(table: &str, column: &str, marker: &str) -> u64 {
    let rows = d1(&format!("SELECT count(*) AS n FROM {table} WHERE instr({column}, '{marker}') > 0"));
    rows.first().and_then(|r| r["n"].as_u64()).unwrap_or(u64::MAX)
}

/// Posts a form as `multipart/form-data`: its fields, then its files
/// (name, type, bytes) under the field `file`.
fn multipart(c: &Client, path: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Reply {
    let boundary = format!("----form{}", unique("b").replace(['-', '_'], ""));
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    for (name, ctype, bytes) in files {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {ctype}\r\n\r\n")
                .bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    c.send("POST", path, &[], Some((&format!("multipart/form-data; boundary={boundary}"), &body)))
}
