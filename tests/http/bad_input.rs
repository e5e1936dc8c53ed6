//! Bad input gets a clear 4xx JSON error and changes nothing; no request
//! gets a 500.

use super::{assert_error, create, public, rows_containing};
use deflect_tests::{admin, edge_url, unique};
use serde_json::json;

/// Sends a raw ticket body and checks it was refused with `status` and
/// that no ticket or message holds `marker`.
fn refused(body: &[u8], content_type: &str, status: std::ops::RangeInclusive<u16>, marker: &str) -> String {
    let c = public();
    let key = unique("bad");
    let r = c.send("POST", "/v1/tickets", &[("idempotency-key", &key)], Some((content_type, body)));
    let code = assert_error(&r, status);
    assert_eq!(rows_containing("messages", "body", marker), 0, "a refused request stored a message");
    assert_eq!(rows_containing("tickets", "subject", marker), 0, "a refused request stored a ticket");
    code
}

#[test]
fn malformed_json() {
    let m = unique("malformed");
    let code = refused(format!(r#"{{"site":"demo","message":"{m}""#).as_bytes(), "application/json", 400..=400, &m);
    assert_eq!(code, "invalid_json");
}

#[test]
fn wrong_types() {
    let m = unique("types");
    let body = json!({ "site": "demo", "customer": { "email": "t@example.com" }, "message": 42, "subject": m });
    refused(body.to_string().as_bytes(), "application/json", 422..=422, &m);
    let body = json!({ "site": ["demo"], "customer": { "email": "t@example.com" }, "message": m });
    refused(body.to_string().as_bytes(), "application/json", 422..=422, &m);
    // The fields in order, as an array: serde would read it; the API must not.
    let body = json!(["demo", { "email": "t@example.com" }, null, m, [], null, null, null]);
    refused(body.to_string().as_bytes(), "application/json", 422..=422, &m);
}

#[test]
fn unknown_fields() {
    let m = unique("unknown");
    let body = json!({ "site": "demo", "customer": { "email": "t@example.com" }, "message": m, "is_admin": true });
    let c = public();
    let r = create(&c, &unique("k"), &body);
    assert_error(&r, 422..=422);
    assert!(r.json()["error"]["message"].as_str().unwrap_or("").contains("is_admin"), "{}", r.text);
    assert_eq!(rows_containing("messages", "body", &m), 0);
}

/// The size cap never refuses what the field limits allow: the longest
/// message, each character an escaped surrogate pair (12 bytes), is taken,
/// and one character more is a 422 about the field, not a 413.
#[test]
fn the_longest_message_fits_even_fully_escaped() {
    let body = |marker: &str, chars: usize| {
        let rest = "\\ud83d\\ude00".repeat(chars - marker.len());
        format!(r#"{{"site":"demo","customer":{{"email":"t@example.com"}},"message":"{marker}{rest}"}}"#)
    };
    let fits = body(&unique("escaped"), 10_000);
    let r = public().send(
        "POST",
        "/v1/tickets",
        &[("idempotency-key", &unique("k"))],
        Some(("application/json", fits.as_bytes())),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["ticket"]["messages"][0]["body"].as_str().map(|b| b.chars().count()), Some(10_000));
    let m = unique("escaped");
    let code = refused(body(&m, 10_001).as_bytes(), "application/json", 422..=422, &m);
    assert_eq!(code, "invalid_field");
}

#[test]
fn a_one_megabyte_body() {
    let m = unique("huge");
    let big = format!(
        r#"{{"site":"demo","customer":{{"email":"t@example.com"}},"message":"{m}{}"}}"#,
        "x".repeat(1024 * 1024)
    );
    let code = refused(big.as_bytes(), "application/json", 413..=413, &m);
    assert_eq!(code, "too_large");
}

#[test]
fn invalid_utf8() {
    let m = unique("utf8");
    let mut body = format!(r#"{{"site":"demo","customer":{{"email":"t@example.com"}},"message":"{m} "#).into_bytes();
    body.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28]);
    body.extend_from_slice(b"\"}");
    let code = refused(&body, "application/json", 400..=400, &m);
    assert_eq!(code, "invalid_encoding");
}

#[test]
fn wrong_content_type() {
    let m = unique("ctype");
    let body = json!({ "site": "demo", "customer": { "email": "t@example.com" }, "message": m });
    refused(body.to_string().as_bytes(), "text/plain", 415..=415, &m);
}

#[test]
fn invalid_fields_are_named() {
    let c = public();
    for (body, field) in [
        (json!({ "site": "demo", "customer": { "email": "not-an-address" }, "message": "hi" }), "customer.email"),
        (json!({ "site": "demo", "customer": { "email": "a@b.co" }, "message": "   " }), "message"),
        (json!({ "site": "nope", "customer": { "email": "a@b.co" }, "message": "hi" }), "site"),
        (
            json!({ "site": "demo", "customer": { "email": "a@b.co" }, "message": "hi", "locale": "<b>en</b>" }),
            "locale",
        ),
        (json!({ "site": "demo", "customer": { "email": "a@b.co" }, "message": "x".repeat(10_001) }), "message"),
    ] {
        let r = create(&c, &unique("k"), &body);
        assert!(r.status == 422, "{body} gave {}: {}", r.status, r.text);
        assert_eq!(r.json()["error"]["field"], field, "{}", r.text);
    }
}

#[test]
fn missing_or_bad_idempotency_key() {
    let c = public();
    let body = json!({ "site": "demo", "customer": { "email": "a@b.co" }, "message": "hi" }).to_string();
    let r = c.send("POST", "/v1/tickets", &[], Some(("application/json", body.as_bytes())));
    assert_eq!(assert_error(&r, 400..=400), "missing_idempotency_key");
    let long = "k".repeat(101);
    for key in ["has space", "ünïcode", long.as_str()] {
        let r = c.send("POST", "/v1/tickets", &[("idempotency-key", key)], Some(("application/json", body.as_bytes())));
        assert_eq!(assert_error(&r, 400..=400), "invalid_idempotency_key", "{key}");
    }
}

#[test]
fn sql_and_html_are_stored_as_text() {
    let c = public();
    let m = unique("inject");
    let nasty = format!("{m} '); DROP TABLE tickets; -- <script>alert(1)</script><img src=x onerror=alert(2)>");
    let body = json!({ "site": "demo", "customer": { "email": "x@example.com", "name": "<b>Robert'); --</b>" }, "message": nasty });
    let r = create(&c, &unique("k"), &body);
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json()["ticket"]["messages"][0]["body"], nasty, "the text comes back exactly as sent");
    assert_eq!(rows_containing("messages", "body", &m), 1, "the tickets table survived and holds the text");
    // The help centre search echoes the query as text, never as markup.
    let page = c.get("/help/demo?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    assert_eq!(page.status, 200);
    assert!(!page.text.contains("<script>alert(1)"), "the help centre reflected markup");
    assert!(page.text.contains("&lt;script&gt;alert(1)"), "the query is shown escaped");
}

/// A method a path does not serve gets 405 with an `Allow` header that
/// names exactly what openapi.json documents for the path, plus HEAD beside
/// GET and OPTIONS (the CORS preflight) on the public API.
#[test]
fn a_wrong_method_gets_the_documented_ones_in_allow() {
    let c = public();
    let doc = c.get("/openapi.json").json();
    let paths = doc["paths"].as_object().expect("openapi.json has paths");
    let cors = ["/v1/health", "/v1/kb/index", "/v1/tickets", "/v1/unread", "/v1/events", "/v1/identity/tickets"];
    for (path, operations) in paths {
        let mut want: Vec<String> =
            operations.as_object().expect("operations").keys().map(|m| m.to_ascii_uppercase()).collect();
        if want.iter().any(|m| m == "GET") {
            want.push("HEAD".into());
        }
        if cors.iter().any(|p| path.starts_with(p)) {
            want.push("OPTIONS".into());
        }
        want.sort();
        let concrete = path.replace("{id}", "x1").replace("{site}", "demo");
        let r = c.send("TRACE", &concrete, &[], None);
        assert_error(&r, 405..=405);
        let allow: Vec<&str> = r.header("allow").unwrap_or_default().split(", ").collect();
        assert_eq!(allow, want, "the Allow header of {path}");
    }
}

#[test]
fn bad_paths_methods_and_queries_are_4xx() {
    let c = public();
    assert_error(&c.get("/v1/nothing-here"), 404..=404);
    assert_error(&c.send("DELETE", "/v1/tickets", &[], None), 405..=405);
    assert_error(&c.get("/v1/kb/index?site=no-such-site"), 422..=422);
    assert_error(&c.get("/v1/tickets/%FF%FE"), 400..=404);
    let a = admin(&edge_url());
    assert_error(&a.get("/v1/agent/tickets?status=bogus"), 422..=422);
    assert_error(&a.get("/v1/agent/tickets?limit=many"), 422..=422);
    assert_error(&a.get("/v1/agent/metrics?days=0"), 422..=422);
    assert_error(&a.get("/v1/agent/tickets/does-not-exist"), 404..=404);
    let r = a.json("PATCH", "/v1/agent/tickets/does-not-exist", &json!({ "status": "solved" }));
    assert_error(&r, 404..=404);
    let r = a.json("PUT", "/v1/admin/settings", &json!({ "sites": [] }));
    assert_error(&r, 422..=422);
}

#[test]
fn rules_are_checked_with_errors_in_words() {
    let a = admin(&edge_url());
    let valid = json!([{
        "id": "vip", "name": "VIP outages",
        "all": [{ "field": "customer.plan", "op": "eq", "value": "enterprise" }],
        "any": [{ "field": "text", "op": "contains_any", "value": ["outage", "宕机"] }],
        "actions": [{ "type": "set_priority", "level": "urgent" }, { "type": "add_tag", "tag": "vip" }]
    }]);
    let r = a.json("POST", "/v1/admin/rules/validate", &valid);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["rules"], 1);
    for (rules, says) in [
        (json!([{ "id": "x", "name": "x", "when": "nonsense", "actions": [] }]), "when"),
        (json!([{ "id": "x", "name": "x" }]), "missing field `actions`"),
        (
            json!([{ "id": "x", "name": "x", "all": [{ "field": "colour", "op": "eq", "value": "red" }],
                     "actions": [{ "type": "add_tag", "tag": "red" }] }]),
            "colour",
        ),
        (json!([{ "id": "x", "name": "x", "actions": [{ "type": "set_priority", "level": "whenever" }] }]), "whenever"),
        (
            json!([{ "id": "x", "name": "x", "actions": [{ "type": "notify_webhook", "url": "ftp://example.com" }] }]),
            "https://",
        ),
    ] {
        let r = a.json("POST", "/v1/admin/rules/validate", &rules);
        assert_error(&r, 422..=422);
        let message = r.json()["error"]["message"].as_str().unwrap_or_default().to_string();
        assert!(message.contains(says), "the error names {says:?}: {message}");
        assert!(message.matches("line ").count() <= 1, "the position is said once: {message}");
    }
    // Saving settings with a bad rule is refused the same way.
    let mut settings = a.get("/v1/admin/settings").json();
    settings["rules"] =
        json!([{ "id": "x", "name": "x", "actions": [{ "type": "set_priority", "level": "whenever" }] }]);
    assert_error(&a.json("PUT", "/v1/admin/settings", &settings), 422..=422);
}

#[test]
fn events_are_validated() {
    let c = public();
    for body in [
        json!({ "site": "demo", "session": "s1", "kind": "teleported" }),
        json!({ "site": "demo", "session": "s1", "kind": "helped", "confidence": 7.5 }),
        json!({ "site": "demo", "session": "", "kind": "helped" }),
    ] {
        let r = c.send("POST", "/v1/events", &[], Some(("application/json", body.to_string().as_bytes())));
        assert_error(&r, 422..=422);
    }
}
