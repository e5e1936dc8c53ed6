//! Widget events and the deflection rate.

use super::public;
use deflect_tests::{admin, edge_url, unique};
use serde_json::json;

fn event(session: &str, kind: &str, article: Option<&str>) {
    let mut body =
        json!({ "site": "demo", "session": session, "kind": kind, "question": "how do I reset my password" });
    if let Some(a) = article {
        body["article"] = json!(a);
    }
    let r = public().send("POST", "/v1/events", &[], Some(("application/json", body.to_string().as_bytes())));
    assert_eq!(r.status, 202, "{}", r.text);
}

#[test]
fn deflection_counts_sessions_answered_without_a_ticket() {
    let a = admin(&edge_url());
    let before = a.get("/v1/agent/metrics?days=1").json();
    let sessions =
        |m: &serde_json::Value| (m["widget_sessions"].as_u64().unwrap(), m["deflected_sessions"].as_u64().unwrap());
    let (s0, d0) = sessions(&before);

    // Two sessions helped by an answer, one escalated to a ticket.
    let (helped1, helped2, escalated) = (unique("s"), unique("s"), unique("s"));
    event(&helped1, "answer_shown", Some("reset-password"));
    event(&helped1, "helped", Some("reset-password"));
    event(&helped2, "answer_shown", Some("refunds"));
    event(&escalated, "no_answer", None);
    let body = json!({
        "site": "demo",
        "customer": { "email": "esc@example.com" },
        "message": "my parrot ate the router cable",
        "session": escalated,
    });
    let r = public().send(
        "POST",
        "/v1/tickets",
        &[("idempotency-key", &unique("k"))],
        Some(("application/json", body.to_string().as_bytes())),
    );
    assert_eq!(r.status, 201, "{}", r.text);

    let after = a.get("/v1/agent/metrics?days=1").json();
    let (s1, d1) = sessions(&after);
    // Other tests run at the same time, so count at least our own.
    assert!(s1 >= s0 + 3, "sessions {s0} -> {s1}");
    assert!(d1 >= d0 + 2, "deflected {d0} -> {d1}");
    let rate = after["deflection_rate"].as_f64().unwrap();
    assert!((rate - d1 as f64 / s1 as f64).abs() < 1e-9, "rate {rate} is not {d1}/{s1}");

    let csv = a.get("/v1/agent/tickets.csv?days=1");
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").is_some_and(|c| c.starts_with("text/csv")));
    assert!(csv.text.lines().next().is_some_and(|h| h.contains("priority")), "{}", csv.text);
    assert!(csv.text.contains("my parrot ate the router cable"));
}

#[test]
fn unanswered_questions_are_grouped() {
    let q = unique("gap");
    for s in 0..3 {
        let body = json!({ "site": "demo", "session": unique(&format!("g{s}")), "kind": "no_answer", "question": format!("can I pay with seashells {q}") });
        let r = public().send("POST", "/v1/events", &[], Some(("application/json", body.to_string().as_bytes())));
        assert_eq!(r.status, 202);
    }
    let groups = admin(&edge_url()).get("/v1/agent/kb/unanswered?site=demo").json();
    let ours = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["example"].as_str().is_some_and(|e| e.contains(&q)))
        .unwrap_or_else(|| panic!("no group for our question in {groups}"));
    assert!(ours["count"].as_u64().unwrap() >= 3, "{ours}");
}
