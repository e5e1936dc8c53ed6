//! A customer's privacy requests: a copy of their data, and its erasure.

use super::auth::agent;
use super::{assert_error, create, d1, public, run_cron};
use deflect_tests::{admin, edge_url, unique};
use serde_json::{Value, json};

/// Everything about one customer that the erasure must remove, planted in
/// every table it can reach.
struct Planted {
    marker: String,
    email: String,
    customer: String,
    tickets: Vec<(String, String)>,
}

fn plant() -> Planted {
    let c = public();
    let marker = unique("private");
    let email = format!("{marker}@privacy.example");
    let session = unique("sess");
    let event = json!({ "site": "demo", "session": session, "kind": "no_answer", "question": format!("where is my parcel {marker}") });
    let r = c.send("POST", "/v1/events", &[], Some(("application/json", event.to_string().as_bytes())));
    assert!(r.status < 300, "{}", r.text);
    let mut tickets = Vec::new();
    for (i, text) in ["my parcel never came", "and the refund"].iter().enumerate() {
        let mut body = json!({
            "site": "demo",
            "customer": { "email": email, "name": format!("Grace {marker}"), "phone": "+44 20 7946 0000" },
            "message": format!("{text} {marker}"),
            "subject": format!("Subject {marker} {i}"),
            "page_url": format!("https://shop.example/orders/{marker}"),
        });
        if i == 0 {
            body["session"] = json!(session);
        }
        let r = create(&c, &unique("key"), &body);
        assert_eq!(r.status, 201, "{}", r.text);
        let j = r.json();
        tickets.push((
            j["ticket"]["id"].as_str().expect("id").to_string(),
            j["token"].as_str().expect("token").to_string(),
        ));
    }
    let a = admin(&edge_url());
    let detail = a.get(&format!("/v1/agent/tickets/{}", tickets[0].0));
    let customer = detail.json()["customer"]["id"].as_str().expect("customer id").to_string();
    let reply = a.json(
        "POST",
        &format!("/v1/agent/tickets/{}/messages", tickets[0].0),
        &json!({ "body": format!("Hello Grace {marker}, it is on its way"), "internal": false }),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    let note = a.json(
        "POST",
        &format!("/v1/agent/tickets/{}/messages", tickets[0].0),
        &json!({ "body": format!("note about {marker}"), "internal": true }),
    );
    assert_eq!(note.status, 201, "{}", note.text);
    let edit =
        a.json("PATCH", &format!("/v1/agent/customers/{customer}"), &json!({ "name": format!("Grace {marker} H") }));
    assert_eq!(edit.status, 200, "{}", edit.text);
    let solve = a.json("PATCH", &format!("/v1/agent/tickets/{}", tickets[0].0), &json!({ "status": "solved" }));
    assert_eq!(solve.status, 200, "{}", solve.text);
    let (id, token) = &tickets[0];
    let rate = c.send(
        "POST",
        &format!("/v1/tickets/{id}/csat"),
        &[("x-ticket-token", token)],
        Some((
            "application/json",
            json!({ "rating": 4, "comment": format!("thanks {marker}") }).to_string().as_bytes(),
        )),
    );
    assert_eq!(rate.status, 200, "{}", rate.text);
    Planted { marker, email, customer, tickets }
}

/// Rows anywhere in D1 that still hold the marker.
fn traces(marker: &str) -> Vec<String> {
    let places = [
        ("customers", "COALESCE(name, '') || attributes"),
        ("tickets", "subject || COALESCE(page_url, '') || COALESCE(csat_comment, '')"),
        ("messages", "body"),
        ("events", "COALESCE(question, '')"),
        ("audit_log", "detail"),
    ];
    places
        .iter()
        .filter_map(|(table, column)| {
            let rows = d1(&format!("SELECT count(*) AS n FROM {table} WHERE instr({column}, '{marker}') > 0"));
            let n = rows.first().and_then(|r| r["n"].as_u64()).unwrap_or(u64::MAX);
            (n > 0).then(|| format!("{table}: {n}"))
        })
        .collect()
}

#[test]
fn an_admin_exports_everything_held_about_a_customer() {
    let p = plant();
    let a = admin(&edge_url());
    let r = a.get(&format!("/v1/admin/customers/{}/export", p.customer));
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.header("content-disposition").is_some_and(|d| d.starts_with("attachment;")), "{:?}", r.headers);
    let x = r.json();
    assert_eq!(x["customer"]["email"], p.email);
    assert_eq!(x["customer"]["phone"], "+44 20 7946 0000");
    let tickets = x["tickets"].as_array().expect("tickets");
    assert_eq!(tickets.len(), 2);
    assert_eq!(tickets[0]["id"], p.tickets[0].0.as_str(), "oldest first");
    assert_eq!(tickets[0]["csat"], 4);
    assert_eq!(tickets[0]["csat_comment"], format!("thanks {}", p.marker));
    let bodies: Vec<&str> =
        tickets[0]["messages"].as_array().expect("messages").iter().filter_map(|m| m["body"].as_str()).collect();
    assert!(bodies.iter().any(|b| b.starts_with("Hello Grace")), "{bodies:?}");
    assert!(bodies.iter().any(|b| b.starts_with("note about")), "internal notes are theirs too: {bodies:?}");
    let questions: Vec<&str> =
        x["widget_questions"].as_array().expect("questions").iter().filter_map(|q| q["question"].as_str()).collect();
    assert_eq!(questions.len(), 2, "the question before the ticket and the escalation: {questions:?}");
    assert!(questions[0].starts_with("where is my parcel"), "{questions:?}");

    let audit = a.get(&format!("/v1/admin/audit?target={}", p.customer)).json();
    assert!(audit.as_array().is_some_and(|l| l.iter().any(|e| e["action"] == "customer.export")), "{audit}");
    assert_eq!(
        assert_error(&agent().get(&format!("/v1/admin/customers/{}/export", p.customer)), 403..=403),
        "forbidden"
    );
    assert_error(&a.get("/v1/admin/customers/no-such-customer/export"), 404..=404);
}

#[test]
fn erasing_a_customer_removes_their_data_everywhere_and_keeps_the_figures() {
    let p = plant();
    let a = admin(&edge_url());
    assert!(!traces(&p.marker).is_empty(), "the plant left no traces to erase");
    let path = format!("/v1/admin/customers/{}", p.customer);
    assert_eq!(assert_error(&agent().send("DELETE", &path, &[("x-deflect-csrf", "1")], None), 403..=403), "forbidden");
    let timings_before = d1(&format!(
        "SELECT status, csat, first_response_at, solved_at FROM tickets WHERE customer_id = '{}' ORDER BY id",
        p.customer
    ));

    let r = a.send("DELETE", &path, &[("x-deflect-csrf", "1")], None);
    assert_eq!(r.status, 200, "{}", r.text);
    let report = r.json();
    assert_eq!((report["tickets"].as_u64(), report["widget_questions"].as_u64()), (Some(2), Some(2)), "{report}");
    assert!(report["messages"].as_u64().is_some_and(|n| n >= 4), "{report}");

    assert_eq!(traces(&p.marker), Vec::<String>::new(), "the marker is still stored");
    let timings_after = d1(&format!(
        "SELECT status, csat, first_response_at, solved_at FROM tickets WHERE customer_id = '{}' ORDER BY id",
        p.customer
    ));
    assert_eq!(timings_before, timings_after, "the figures' inputs changed");

    // The record stays, marked, without contact details.
    let rec = a.get(&format!("/v1/agent/customers/{}", p.customer)).json();
    assert!(rec["erased_at"].as_i64().is_some(), "{rec}");
    assert_eq!(
        (rec["email"].clone(), rec["name"].clone(), rec["phone"].clone()),
        (Value::Null, Value::Null, Value::Null)
    );
    assert_eq!(rec["tickets"].as_array().map(Vec::len), Some(2));
    let lookup = a.get(&format!("/v1/agent/customers?q={}", p.email.replace('@', "%40"))).json();
    assert_eq!(lookup, json!([]), "an erased address is not found");
    let queue = a.get(&format!("/v1/agent/tickets?status=all&customer={}", p.customer)).json();
    assert!(
        queue.as_array().is_some_and(|l| l.len() == 2 && l.iter().all(|t| t["customer_name"] == "Erased customer")),
        "{queue}"
    );
    let edit = a.json("PATCH", &format!("/v1/agent/customers/{}", p.customer), &json!({ "name": "Back again" }));
    assert_error(&edit, 409..=409);
    let reply = a.json("POST", &format!("/v1/agent/tickets/{}/messages", p.tickets[1].0), &json!({ "body": "hello?" }));
    assert_error(&reply, 409..=409);

    // The widget's token now meets 410: the conversation is gone.
    let c = public();
    let (id, token) = &p.tickets[0];
    assert_eq!(
        assert_error(&c.send("GET", &format!("/v1/tickets/{id}"), &[("x-ticket-token", token)], None), 410..=410),
        "gone"
    );
    let more = c.send(
        "POST",
        &format!("/v1/tickets/{id}/messages"),
        &[("x-ticket-token", token)],
        Some(("application/json", br#"{"body":"still there?"}"#)),
    );
    assert_error(&more, 410..=410);
    // So does the customer's page of the request, with nothing of it shown.
    let page = c.get(&format!("/help/demo/tickets/{id}?token={token}"));
    assert_eq!(page.status, 410, "{}", page.text);
    assert!(page.text.contains("This conversation was erased at your request."), "{}", page.text);
    assert!(!page.text.contains("parcel"), "{}", page.text);

    // A repeat changes nothing and says when it happened; the audit says
    // who, without the data.
    let again = a.send("DELETE", &path, &[("x-deflect-csrf", "1")], None);
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json()["erased_at"], report["erased_at"]);
    let audit = a.get(&format!("/v1/admin/audit?target={}", p.customer)).json();
    let erasures: Vec<&Value> =
        audit.as_array().expect("entries").iter().filter(|e| e["action"] == "customer.erase").collect();
    assert_eq!(erasures.len(), 1, "{audit}");

    // The same address writing again is a new customer.
    let r = create(
        &c,
        &unique("key"),
        &json!({ "site": "demo", "customer": { "email": p.email }, "message": "hello again" }),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let fresh = a.get(&format!("/v1/agent/customers?q={}", p.email.replace('@', "%40"))).json();
    assert!(fresh.as_array().is_some_and(|l| l.len() == 1 && l[0]["id"] != p.customer.as_str()), "{fresh}");

    assert_error(
        &a.send("DELETE", "/v1/admin/customers/no-such-customer", &[("x-deflect-csrf", "1")], None),
        404..=404,
    );
}

/// With a retention limit set, the cron erases customers whose last
/// contact is older than it and who have nothing open, and clears the text
/// of old widget questions; everyone else is left alone.
#[test]
fn the_cron_erases_customers_past_the_retention_limit() {
    const DAY: i64 = 86_400_000;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    let old = now - 40 * DAY;
    let gone = plant();
    let kept_open = plant();
    let recent = plant();
    for (p, status) in [(&gone, "closed"), (&kept_open, "open")] {
        d1(&format!("UPDATE customers SET updated_at = {old} WHERE id = '{}'", p.customer));
        d1(&format!("UPDATE tickets SET updated_at = {old}, status = '{status}' WHERE customer_id = '{}'", p.customer));
    }
    let c = public();
    let lone = unique("lone");
    let event = json!({ "site": "demo", "session": unique("sess"), "kind": "no_answer", "question": format!("old question {lone}") });
    let r = c.send("POST", "/v1/events", &[], Some(("application/json", event.to_string().as_bytes())));
    assert!(r.status < 300, "{}", r.text);
    d1(&format!("UPDATE events SET created_at = {old} WHERE instr(question, '{lone}') > 0"));

    let a = admin(&edge_url());
    let _settings = super::settings_lock();
    let settings = a.get("/v1/admin/settings").json();
    let mut too_short = settings.clone();
    too_short["retention_days"] = json!(10);
    let refused = a.json("PUT", "/v1/admin/settings", &too_short);
    assert!(assert_error(&refused, 422..=422).contains("invalid"), "{}", refused.text);
    assert!(refused.text.contains("retention_days"), "{}", refused.text);
    let mut limited = settings.clone();
    limited["retention_days"] = json!(30);
    assert_eq!(a.json("PUT", "/v1/admin/settings", &limited).status, 200);
    let cron = run_cron();
    let restored = a.json("PUT", "/v1/admin/settings", &settings);
    assert_eq!(cron.status, 200, "{}", cron.text);
    assert_eq!(restored.status, 200, "{}", restored.text);

    let erased_at = |p: &Planted| a.get(&format!("/v1/agent/customers/{}", p.customer)).json()["erased_at"].clone();
    assert!(erased_at(&gone).is_i64(), "past the limit with nothing open: erased");
    assert_eq!(traces(&gone.marker), Vec::<String>::new());
    assert!(erased_at(&kept_open).is_null(), "an open ticket keeps its customer");
    assert!(erased_at(&recent).is_null(), "a recent customer is kept");
    assert!(!traces(&recent.marker).is_empty());
    let left = d1(&format!("SELECT count(*) AS n FROM events WHERE instr(COALESCE(question, ''), '{lone}') > 0"));
    assert_eq!(left.first().and_then(|r| r["n"].as_u64()), Some(0), "an old widget question keeps no text");
    let audit = a.get(&format!("/v1/admin/audit?target={}", gone.customer)).json();
    let entry = audit.as_array().and_then(|l| l.iter().find(|e| e["action"] == "customer.erase").cloned());
    assert!(entry.as_ref().is_some_and(|e| e["actor"] == "system" && e["detail"]["reason"] == "retention"), "{audit}");
}
