//! Data outlives the process: a ticket read back after the local edge
//! restarts on the same D1 and KV.

use super::create;
use deflect_tests::{Client, LocalEdge, root, unique};
use serde_json::json;

#[test]
fn a_ticket_survives_a_restart() {
    let persist = root().join("target/e2e-restart");
    let _ = std::fs::remove_dir_all(&persist);
    let port = 8793;
    let mut edge = LocalEdge::start(port, &persist).unwrap_or_else(|e| panic!("{e}"));
    let c = Client::new(&edge.url).ip(&unique("restart"));
    let body = json!({ "site": "demo", "customer": { "email": "restart@example.com" }, "message": "Still there after a restart?" });
    let key = unique("restart-key");
    let r = create(&c, &key, &body);
    assert_eq!(r.status, 201, "{}", r.text);
    let (id, token) =
        (r.json()["ticket"]["id"].as_str().unwrap().to_string(), r.json()["token"].as_str().unwrap().to_string());
    edge.stop();
    assert!(Client::new(&edge.url).get("/v1/health").status == 0, "the edge is still answering after stop");

    let edge = LocalEdge::start(port, &persist).unwrap_or_else(|e| panic!("{e}"));
    let c = Client::new(&edge.url).ip(&unique("restart"));
    let read = c.send("GET", &format!("/v1/tickets/{id}"), &[("x-ticket-token", &token)], None);
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.json()["messages"][0]["body"], "Still there after a restart?");
    // The idempotency key is remembered too.
    let again = create(&c, &key, &body);
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json()["ticket"]["id"], id.as_str());
}
