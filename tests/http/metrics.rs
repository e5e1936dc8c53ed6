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
    let header: Vec<&str> = csv.text.lines().next().unwrap_or_default().split(',').collect();
    assert_eq!(&header[..4], ["id", "site", "channel", "created_at"], "{}", csv.text);
    assert!(header.contains(&"priority") && header.last() == Some(&"subject"), "{header:?}");
    let row = csv.text.lines().find(|l| l.contains("my parrot ate the router cable")).expect("our ticket");
    assert_eq!(row.split(',').nth(2), Some("\"widget\""), "the channel of a widget ticket: {row}");
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

/// The per-agent figures count an agent's tickets of the period, the ones
/// solved, the replies they wrote (not internal notes) and the ratings; what
/// the customer wrote with a rating reaches the team.
#[test]
fn figures_per_agent_count_their_tickets_replies_and_ratings() {
    let a = admin(&edge_url());
    let agent = super::auth::agent();
    let me = agent.get("/v1/auth/me").json();
    let id = me["id"].as_str().expect("agent id").to_string();
    let c = public();
    let mut tickets = Vec::new();
    for text in ["the export is empty", "and the import hangs"] {
        let r = super::create(&c, &unique("key"), &super::ticket_body("figures@example.com", text));
        assert_eq!(r.status, 201, "{}", r.text);
        let j = r.json();
        let ticket = j["ticket"]["id"].as_str().expect("id").to_string();
        let assigned = a.json("PATCH", &format!("/v1/agent/tickets/{ticket}"), &json!({ "assignee": id }));
        assert_eq!(assigned.status, 200, "{}", assigned.text);
        tickets.push((ticket, j["token"].as_str().expect("token").to_string()));
    }
    let (first, token) = &tickets[0];
    let reply = json!({ "body": "Fixed: try the export again.", "internal": false });
    assert_eq!(agent.json("POST", &format!("/v1/agent/tickets/{first}/messages"), &reply).status, 201);
    let note = json!({ "body": "looks like the same bug", "internal": true });
    assert_eq!(agent.json("POST", &format!("/v1/agent/tickets/{}/messages", tickets[1].0), &note).status, 201);
    assert_eq!(agent.json("PATCH", &format!("/v1/agent/tickets/{first}"), &json!({ "status": "solved" })).status, 200);
    let rating = json!({ "rating": 2, "comment": "slow, but it works now" }).to_string();
    let rated = c.send(
        "POST",
        &format!("/v1/tickets/{first}/csat"),
        &[("x-ticket-token", token)],
        Some(("application/json", rating.as_bytes())),
    );
    assert_eq!(rated.status, 200, "{}", rated.text);

    // Auto-assignment may give this new agent tickets of tests running
    // meanwhile: the figures must count what the queue says is theirs, read
    // before and after them (again if it changed in between).
    let theirs = |status: &str| {
        let q = a.get(&format!("/v1/agent/tickets?assignee={id}&status={status}&limit=1000")).json();
        q.as_array().map_or(0, Vec::len) as u64
    };
    let (m, all, solved) = (0..5)
        .find_map(|_| {
            let before = (theirs("all"), theirs("solved,closed"));
            let m = a.get("/v1/agent/metrics?days=1").json();
            (before == (theirs("all"), theirs("solved,closed"))).then_some((m, before.0, before.1))
        })
        .expect("the queue stood still for a moment");
    assert!(all >= 2 && solved >= 1, "{all} {solved}");
    let rows = m["by_agent"].as_array().expect("by_agent");
    let mine = rows.iter().find(|r| r["agent_id"] == id.as_str()).unwrap_or_else(|| panic!("no row for {id}: {m}"));
    assert_eq!(mine["name"], me["name"]);
    assert_eq!(
        (mine["tickets"].as_u64(), mine["solved"].as_u64(), mine["replies"].as_u64()),
        (Some(all), Some(solved), Some(1))
    );
    let counted = |v: &serde_json::Value| v.as_u64().is_some_and(|n| (1..=all).contains(&n));
    assert!(counted(&mine["first_response"]["count"]) && counted(&mine["resolution"]["count"]), "{mine}");
    assert!(mine["csat_count"].as_u64() >= Some(1), "{mine}");
    // A ticket of the period was solved and rated: a share of them rated.
    assert!(m["csat_response_rate"].as_f64().is_some_and(|r| r > 0.0 && r <= 1.0), "{m}");
    if all == 2 {
        // Only this test's tickets: every figure is known.
        assert_eq!(
            (mine["first_response"]["count"].as_u64(), mine["resolution"]["count"].as_u64()),
            (Some(1), Some(1))
        );
        assert_eq!((mine["csat_count"].as_u64(), mine["csat_average"].as_f64()), (Some(1), Some(2.0)));
    }
    let said = m["feedback"].as_array().expect("feedback");
    let ours = said.iter().find(|f| f["ticket_id"] == first.as_str()).unwrap_or_else(|| panic!("{m}"));
    assert_eq!((ours["rating"].as_u64(), ours["comment"].as_str()), (Some(2), Some("slow, but it works now")));
    assert_eq!(ours["agent_name"], me["name"]);
    let ratings: Vec<u64> = said.iter().filter_map(|f| f["rating"].as_u64()).collect();
    assert!(ratings.windows(2).all(|w| w[0] <= w[1]), "the lowest ratings come first: {ratings:?}");
    let detail = a.get(&format!("/v1/agent/tickets/{first}")).json();
    assert_eq!(detail["csat_comment"], "slow, but it works now");
    let total: u64 = rows.iter().filter_map(|r| r["tickets"].as_u64()).sum();
    assert_eq!(total, m["tickets"].as_u64().expect("tickets"), "every ticket of the period is in one row");
    // And in one row per channel: this test's tickets came by the widget.
    let channels = m["by_channel"].as_array().expect("by_channel");
    let total: u64 = channels.iter().filter_map(|r| r["tickets"].as_u64()).sum();
    assert_eq!(total, m["tickets"].as_u64().expect("tickets"), "every ticket of the period is in one channel's row");
    let widget = channels.iter().find(|r| r["channel"] == "widget").unwrap_or_else(|| panic!("{m}"));
    assert!(widget["tickets"].as_u64() >= Some(2) && widget["csat_count"].as_u64() >= Some(1), "{widget}");
    let counts: Vec<u64> = channels.iter().filter_map(|r| r["tickets"].as_u64()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "most first: {counts:?}");
}
