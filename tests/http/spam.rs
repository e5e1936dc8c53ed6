//! Spam: an agent closes a ticket as spam, which blocks its sender; the
//! sender's next tickets are kept, closed as spam, out of the queue and
//! with nobody assigned, until an agent unblocks them.

use super::{assert_error, create, public, ticket_body};
use deflect_tests::{Client, admin, edge_url, unique};
use serde_json::{Value, json};

fn view(a: &Client, id: &str) -> Value {
    let r = a.get(&format!("/v1/agent/tickets/{id}"));
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

fn open_ticket(email: &str, text: &str) -> String {
    let r = create(&public(), &unique("k"), &ticket_body(email, text));
    assert_eq!(r.status, 201, "the sender is not told: {}", r.text);
    r.json()["ticket"]["id"].as_str().expect("an id").to_string()
}

fn tags(t: &Value) -> Vec<String> {
    t["ticket"]["tags"]
        .as_array()
        .map(|a| a.iter().filter_map(|t| t.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

#[test]
fn a_ticket_marked_as_spam_blocks_its_sender_until_unblocked() {
    let a = admin(&edge_url());
    let marker = unique("watches");
    let email = format!("{marker}@spam.example");
    let first = open_ticket(&email, &format!("Cheap watches {marker}"));

    // Marked as spam: closed, tagged, its sender blocked; audited.
    let spam = |id: &str| a.send("POST", &format!("/v1/agent/tickets/{id}/spam"), &[("x-deflect-csrf", "1")], None);
    let r = spam(&first);
    assert_eq!(r.status, 200, "{}", r.text);
    let t = view(&a, &first);
    assert_eq!(t["ticket"]["status"], "closed");
    assert_eq!(tags(&t), ["spam"]);
    let customer = t["customer"]["id"].as_str().expect("a customer").to_string();
    let c = a.get(&format!("/v1/agent/customers/{customer}")).json();
    assert!(c["blocked_at"].as_i64().is_some_and(|at| at > 0), "{c}");
    let audit = a.get(&format!("/v1/admin/audit?target={first}&action=ticket.spam")).json();
    assert_eq!(audit.as_array().map(Vec::len), Some(1), "{audit}");
    assert_eq!(spam(&first).status, 200, "marking it again changes nothing");
    assert_eq!(tags(&view(&a, &first)), ["spam"]);

    // Their next ticket is kept, closed as spam, with nobody on it, and
    // out of the queue.
    let second = open_ticket(&email, &format!("Even cheaper watches {marker}"));
    let t = view(&a, &second);
    assert_eq!((t["ticket"]["status"].as_str(), tags(&t)), (Some("closed"), vec!["spam".to_string()]));
    assert_eq!(t["ticket"]["assignee"], Value::Null, "{t}");
    assert_eq!(t["messages"][0]["body"], format!("Even cheaper watches {marker}"), "nothing is lost");
    let queue = a.get(&format!("/v1/agent/tickets?q={marker}")).json();
    assert_eq!(queue.as_array().map(Vec::len), Some(0), "{queue}");
    let all = a.get(&format!("/v1/agent/tickets?q={marker}&status=all")).json();
    assert_eq!(all.as_array().map(Vec::len), Some(2), "{all}");

    // The metrics leave spam out, and say how much.
    let m = a.get("/v1/agent/metrics?days=1").json();
    assert!(m["spam_tickets"].as_u64() >= Some(2), "{m}");
    let counted: u64 =
        m["by_channel"].as_array().expect("by_channel").iter().filter_map(|c| c["tickets"].as_u64()).sum();
    assert_eq!(Some(counted), m["tickets"].as_u64(), "{m}");
    let total = super::d1("SELECT count(*) AS n FROM tickets");
    let all_tickets = total.first().and_then(|r| r["n"].as_u64()).expect("a count");
    assert!(m["tickets"].as_u64().is_some_and(|n| n + 2 <= all_tickets), "{m}");

    // Unblocked on their record: the next ticket is an ordinary one.
    let r = a.json("PATCH", &format!("/v1/agent/customers/{customer}"), &json!({ "blocked": false }));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["blocked_at"], Value::Null);
    let third = open_ticket(&email, &format!("A real question about my watch {marker}"));
    let t = view(&a, &third);
    assert_eq!(t["ticket"]["status"], "open");
    assert!(tags(&t).is_empty(), "{t}");
    // Blocked again from the record.
    let r = a.json("PATCH", &format!("/v1/agent/customers/{customer}"), &json!({ "blocked": true }));
    assert!(r.json()["blocked_at"].as_i64().is_some(), "{}", r.text);
    let r = a.json("PATCH", &format!("/v1/agent/customers/{customer}"), &json!({ "blocked": "yes" }));
    assert_error(&r, 400..=422);
    let r = a.json("PATCH", &format!("/v1/agent/customers/{customer}"), &json!({ "blocked": false }));
    assert_eq!(r.status, 200, "{}", r.text);
    let r = a.json("PATCH", &format!("/v1/agent/tickets/{third}"), &json!({ "status": "closed" }));
    assert_eq!(r.status, 200, "{}", r.text);

    // Only agents, only POST, only a ticket that exists.
    let r = public().send("POST", &format!("/v1/agent/tickets/{first}/spam"), &[("x-deflect-csrf", "1")], None);
    assert_eq!(assert_error(&r, 401..=401), "unauthenticated");
    assert_error(&spam("no-such-ticket"), 404..=404);
    assert_error(&a.get(&format!("/v1/agent/tickets/{first}/spam")), 405..=405);
}
