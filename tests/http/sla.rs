//! SLA: targets from the priority, and the cron that marks breaches and
//! runs the escalation rules.

use super::{create, d1, public};
use deflect_tests::{admin, edge_url, unique};

#[test]
fn the_cron_marks_breaches_and_escalates() {
    let c = public();
    let marker = unique("sla");
    let r = create(&c, &unique("key"), &super::ticket_body("sla@example.com", &format!("A quiet question {marker}")));
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["ticket"]["id"].as_str().unwrap().to_string();

    // Nothing is due yet.
    let a = admin(&edge_url());
    let before = a.get(&format!("/v1/agent/tickets/{id}")).json();
    assert_eq!(before["ticket"]["sla"]["state"], "running", "{before}");

    // Time passes: move this ticket's deadlines into the past in D1, then
    // let the cron run (wrangler's --test-scheduled route).
    d1(&format!(
        "UPDATE tickets SET first_response_due = created_at - 1, resolution_due = created_at - 1 WHERE id = '{id}'"
    ));
    let cron = c.get("/__scheduled?cron=*+*+*+*+*");
    assert_eq!(cron.status, 200, "{}", cron.text);

    let after = a.get(&format!("/v1/agent/tickets/{id}")).json();
    assert_eq!(after["ticket"]["sla"]["state"], "breached", "{after}");
    let messages = after["messages"].as_array().unwrap();
    assert!(
        messages.iter().any(|m| m["internal"] == true && m["body"].as_str().unwrap_or("").contains("SLA breached")),
        "{messages:?}"
    );
    let row = d1(&format!("SELECT breached_first, breached_resolution FROM tickets WHERE id = '{id}'"));
    assert_eq!(row[0]["breached_first"], 1);
    assert_eq!(row[0]["breached_resolution"], 1);

    // A second run does not mark it again.
    assert_eq!(c.get("/__scheduled?cron=*+*+*+*+*").status, 200);
    let again = a.get(&format!("/v1/agent/tickets/{id}")).json();
    let notes = |v: &serde_json::Value| {
        v["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["body"].as_str().unwrap_or("").contains("SLA breached"))
            .count()
    };
    assert_eq!(notes(&again), 1);
}

#[test]
fn urgent_tickets_get_tighter_targets() {
    let c = public();
    let urgent = create(
        &c,
        &unique("key"),
        &super::ticket_body("u@example.com", "URGENT: production outage, nobody can log in"),
    );
    let calm = create(&c, &unique("key"), &super::ticket_body("c@example.com", "A small question about themes"));
    let (u, n) = (urgent.json()["ticket"]["id"].clone(), calm.json()["ticket"]["id"].clone());
    let a = admin(&edge_url());
    let u = a.get(&format!("/v1/agent/tickets/{}", u.as_str().unwrap())).json();
    let n = a.get(&format!("/v1/agent/tickets/{}", n.as_str().unwrap())).json();
    assert_eq!(u["ticket"]["priority"], "urgent", "{u}");
    let left = |v: &serde_json::Value| v["ticket"]["sla"]["minutes_left"].as_i64().unwrap();
    assert!(left(&u) < left(&n), "urgent {} vs normal {}", left(&u), left(&n));
    // The priority explains itself.
    let terms = u["ticket"]["explanation"]["terms"].as_array().unwrap();
    assert!(terms.iter().any(|t| t["name"].as_str().unwrap_or("").contains("outage")), "{terms:?}");
    // And the queue puts it first among these two.
    let queue = a.get("/v1/agent/tickets?limit=500").json();
    let pos = |id: &str| queue.as_array().unwrap().iter().position(|t| t["id"] == id);
    let up = pos(u["ticket"]["id"].as_str().unwrap()).expect("urgent in queue");
    let np = pos(n["ticket"]["id"].as_str().unwrap()).expect("normal in queue");
    assert!(up < np);
}
