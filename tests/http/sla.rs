//! SLA: targets from the priority, and the cron that marks breaches and
//! runs the escalation rules.

use super::{assert_error, create, d1, public, run_cron, settings_lock};
use deflect_tests::{admin, edge_url, unique};
use serde_json::json;

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
    let cron = run_cron();
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
    assert_eq!(run_cron().status, 200);
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
    // Business hours set by another test would count the targets apart.
    let _settings = settings_lock();
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

/// A scheduled rule acts at the cron's runs, once per ticket: here it moves
/// this test's open ticket to pending and tags it. One that would fire on
/// every run is refused.
#[test]
fn scheduled_rules_act_at_the_cron_once_per_ticket() {
    let c = public();
    let marker = unique("sched");
    let r = create(&c, &unique("key"), &super::ticket_body("sched@example.com", "Any news on my order?"));
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["ticket"]["id"].as_str().expect("ticket id").to_string();
    let a = admin(&edge_url());
    let tagged = a.json("PATCH", &format!("/v1/agent/tickets/{id}"), &json!({ "tags": [marker] }));
    assert_eq!(tagged.status, 200, "{}", tagged.text);

    let _settings = settings_lock();
    let mut settings = a.get("/v1/admin/settings").json();
    let mine = json!([{ "field": "tags", "op": "contains", "value": marker }]);
    let mut endless = settings.clone();
    endless["rules"].as_array_mut().expect("rules").push(json!({
        "id": marker, "name": "tag it", "on": ["scheduled"], "all": mine,
        "actions": [{ "type": "add_tag", "tag": "seen" }],
    }));
    let refused = a.json("PUT", "/v1/admin/settings", &endless);
    assert_error(&refused, 422..=422);
    assert!(refused.text.contains("again and again"), "{}", refused.text);

    settings["rules"].as_array_mut().expect("rules").push(json!({
        "id": marker, "name": "nudge", "on": ["scheduled"],
        "all": [{ "field": "tags", "op": "contains", "value": marker }, { "field": "status", "op": "eq", "value": "open" }],
        "actions": [{ "type": "set_status", "status": "pending" }, { "type": "add_tag", "tag": "nudged" }],
    }));
    let saved = a.json("PUT", "/v1/admin/settings", &settings);
    assert_eq!(saved.status, 200, "{}", saved.text);

    // Each run checks the next batch of tickets; a few runs reach them all.
    let mut ticket = serde_json::Value::Null;
    for _ in 0..20 {
        assert_eq!(run_cron().status, 200);
        ticket = a.get(&format!("/v1/agent/tickets/{id}")).json();
        if ticket["ticket"]["status"] == "pending" {
            break;
        }
    }
    assert_eq!(ticket["ticket"]["status"], "pending", "{ticket}");
    assert_eq!(ticket["ticket"]["tags"], json!([marker, "nudged"]));
    // The rule no longer holds for the ticket: further runs leave it alone.
    let reopened = a.json("PATCH", &format!("/v1/agent/tickets/{id}"), &json!({ "tags": [marker, "kept"] }));
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    assert_eq!(run_cron().status, 200);
    assert_eq!(a.get(&format!("/v1/agent/tickets/{id}")).json()["ticket"]["tags"], json!([marker, "kept"]));

    let rules = settings["rules"].as_array_mut().expect("rules");
    rules.retain(|r| r["id"] != marker.as_str());
    assert_eq!(a.json("PUT", "/v1/admin/settings", &settings).status, 200);
}

/// With business hours, a ticket's targets count only working time: here
/// the team works one hour a week, so a target of hours lands that many
/// weeks away, inside the working hour.
#[test]
fn business_hours_move_the_targets_to_working_time() {
    const DAY: i64 = 86_400_000;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    // Two days from now (UTC), Monday = 0; 1970-01-01 was a Thursday.
    let weekday = (now / DAY + 2 + 3).rem_euclid(7) as usize;
    let day = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][weekday];
    let a = admin(&edge_url());
    let _settings = settings_lock();
    let settings = a.get("/v1/admin/settings").json();
    let mut bad = settings.clone();
    bad["sla"]["business_hours"] = json!({ "utc_offset_minutes": 0, "open": "10:00", "close": "09:00", "days": [day] });
    let refused = a.json("PUT", "/v1/admin/settings", &bad);
    assert_error(&refused, 422..=422);
    assert!(refused.text.contains("sla.business_hours.close"), "{}", refused.text);
    let mut mars = settings.clone();
    mars["sla"]["business_hours"] =
        json!({ "utc_offset_minutes": 0, "open": "09:00", "close": "10:00", "days": [day], "summer_time": "mars" });
    let refused = a.json("PUT", "/v1/admin/settings", &mars);
    assert_error(&refused, 422..=422);
    assert!(refused.text.contains("mars") && refused.text.contains("eu"), "{}", refused.text);
    let mut hours = settings.clone();
    hours["sla"]["business_hours"] =
        json!({ "utc_offset_minutes": 0, "open": "09:00", "close": "10:00", "days": [day] });
    assert_eq!(a.json("PUT", "/v1/admin/settings", &hours).status, 200);
    let r =
        create(&public(), &unique("key"), &super::ticket_body("hours@example.com", "A small question about themes"));
    let restored = a.json("PUT", "/v1/admin/settings", &settings);
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(restored.status, 200, "{}", restored.text);

    let id = r.json()["ticket"]["id"].as_str().expect("id").to_string();
    let detail = a.get(&format!("/v1/agent/tickets/{id}")).json();
    let level = detail["ticket"]["priority"].as_str().expect("level").to_string();
    let minutes = settings["sla"][&level]["first_response_minutes"].as_i64().expect("target");
    let due = d1(&format!("SELECT first_response_due AS due FROM tickets WHERE id = '{id}'"));
    let due = due.first().and_then(|r| r["due"].as_i64()).expect("due time");
    // The target's minutes, an hour per week from the first working hour
    // (09:00 two days from now): the last hour's share lands in week k-1.
    let weeks = (minutes - 1) / 60;
    let first_hour = (now / DAY + 2) * DAY + 9 * 3_600_000;
    let expected = first_hour + weeks * 7 * DAY + (minutes - weeks * 60) * 60_000;
    assert_eq!(due, expected, "{level}: {minutes} minutes; due {} days from now", (due - now) / DAY);
    assert_eq!((due / DAY + 3).rem_euclid(7) as usize, weekday, "due on the working day");
    let left = detail["ticket"]["sla"]["minutes_left"].as_i64().expect("minutes left");
    assert!(left > (due - now) / 60_000 - 2 && left <= (due - now) / 60_000, "{left}");
}

/// The resolution clock stops while the ticket waits for the customer: a
/// reply sets it pending and the SLA says "paused"; when the customer
/// answers, the deadline has moved on by the time it waited.
#[test]
fn waiting_for_the_customer_pauses_the_resolution_clock() {
    const HOUR: i64 = 3_600_000;
    let _settings = settings_lock();
    let c = public();
    let r = create(&c, &unique("key"), &super::ticket_body("pause@example.com", "A small question about themes"));
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["ticket"]["id"].as_str().expect("id").to_string();
    let token = r.json()["token"].as_str().expect("token").to_string();
    let a = admin(&edge_url());
    let due = |id: &str| {
        let rows = d1(&format!("SELECT resolution_due AS due, pending_since AS p FROM tickets WHERE id = '{id}'"));
        let row = rows.first().cloned().unwrap_or_default();
        (row["due"].as_i64().expect("due"), row["p"].as_i64())
    };
    let (before, paused) = due(&id);
    assert_eq!(paused, None);
    let reply = a.json("POST", &format!("/v1/agent/tickets/{id}/messages"), &json!({ "body": "Which theme?" }));
    assert_eq!(reply.status, 201, "{}", reply.text);
    let d = a.get(&format!("/v1/agent/tickets/{id}")).json();
    assert_eq!(
        (d["ticket"]["status"].as_str(), d["ticket"]["sla"]["state"].as_str()),
        (Some("pending"), Some("paused")),
        "{d}"
    );
    let (still, since) = due(&id);
    assert_eq!(still, before, "the deadline waits too");
    let since = since.expect("the pause start is kept");
    // Three hours of waiting, as if the customer answered later.
    d1(&format!("UPDATE tickets SET pending_since = {} WHERE id = '{id}'", since - 3 * HOUR));
    let answer = c.send(
        "POST",
        &format!("/v1/tickets/{id}/messages"),
        &[("x-ticket-token", &token)],
        Some(("application/json", br#"{"body":"The blue one."}"#)),
    );
    assert_eq!(answer.status, 201, "{}", answer.text);
    let (after, cleared) = due(&id);
    assert_eq!(cleared, None);
    let moved = after - before;
    assert!((3 * HOUR..3 * HOUR + 60_000).contains(&moved), "moved by {moved} ms");
    let d = a.get(&format!("/v1/agent/tickets/{id}")).json();
    assert_eq!(
        (d["ticket"]["status"].as_str(), d["ticket"]["sla"]["state"].as_str()),
        (Some("open"), Some("running")),
        "{d}"
    );

    // A new priority counts its target from the creation, plus the three
    // hours waited: the wait is not lost.
    let created = d["ticket"]["created_at"].as_i64().expect("created_at");
    let urgent = a.get("/v1/admin/settings").json()["sla"]["urgent"]["resolution_minutes"].as_i64().expect("target");
    let raised = a.json("PATCH", &format!("/v1/agent/tickets/{id}"), &json!({ "priority": "urgent" }));
    assert_eq!(raised.status, 200, "{}", raised.text);
    let (reprioritised, _) = due(&id);
    assert_eq!(reprioritised - (created + urgent * 60_000), 180 * 60_000, "the urgent deadline keeps the 3 h waited");
}

/// A snoozed ticket waits for its customer (pending, the resolution clock
/// stopped) until its time, then the cron opens it again with a note; a
/// customer who writes first ends the snooze, and so does another status.
#[test]
fn a_snoozed_ticket_opens_again_when_its_time_comes() {
    let c = public();
    let marker = unique("snooze");
    let r = create(&c, &unique("key"), &super::ticket_body("snooze@example.com", &format!("Back next week {marker}")));
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["ticket"]["id"].as_str().expect("id").to_string();
    let token = r.json()["token"].as_str().expect("token").to_string();
    let a = admin(&edge_url());
    let ticket = |a: &deflect_tests::Client| a.get(&format!("/v1/agent/tickets/{id}")).json()["ticket"].clone();
    let answer = a.json("POST", &format!("/v1/agent/tickets/{id}/messages"), &json!({ "body": "Talk next week!" }));
    assert_eq!(answer.status, 201, "{}", answer.text);
    let snooze = a.json("PATCH", &format!("/v1/agent/tickets/{id}"), &json!({ "snooze_hours": 2 }));
    assert_eq!(snooze.status, 200, "{}", snooze.text);
    let t = ticket(&a);
    assert_eq!(t["status"], "pending");
    let until = t["snoozed_until"].as_i64().expect("a snooze time");
    let now = t["updated_at"].as_i64().expect("updated_at");
    assert_eq!(until - now, 2 * 3_600_000, "two hours from the change");
    assert_eq!(t["sla"]["state"], "paused", "answered, the resolution clock waits with the ticket: {t}");

    // Not yet: the cron leaves it.
    assert_eq!(run_cron().status, 200);
    assert_eq!(ticket(&a)["status"], "pending");
    // Its time comes: open again, with a note, the snooze gone.
    d1(&format!("UPDATE tickets SET snoozed_until = {} WHERE id = '{id}'", now - 1));
    assert_eq!(run_cron().status, 200);
    let woken = a.get(&format!("/v1/agent/tickets/{id}")).json();
    assert_eq!(woken["ticket"]["status"], "open", "{woken}");
    assert_eq!(woken["ticket"]["snoozed_until"], json!(null));
    let notes = woken["messages"].as_array().expect("messages");
    assert!(
        notes.iter().any(|m| m["internal"] == true && m["body"].as_str().is_some_and(|b| b.contains("snooze ended"))),
        "{notes:?}"
    );

    // The customer writes before the time: open, the snooze gone.
    assert_eq!(a.json("PATCH", &format!("/v1/agent/tickets/{id}"), &json!({ "snooze_hours": 24 })).status, 200);
    let body = json!({ "body": "Actually, one more thing" }).to_string();
    let reply = c.send(
        "POST",
        &format!("/v1/tickets/{id}/messages"),
        &[("x-ticket-token", &token)],
        Some(("application/json", body.as_bytes())),
    );
    assert_eq!(reply.status, 201, "{}", reply.text);
    let t = ticket(&a);
    assert_eq!((t["status"].as_str(), t["snoozed_until"].is_null()), (Some("open"), true), "{t}");
    // Another status ends a snooze too.
    assert_eq!(a.json("PATCH", &format!("/v1/agent/tickets/{id}"), &json!({ "snooze_hours": 24 })).status, 200);
    assert_eq!(a.json("PATCH", &format!("/v1/agent/tickets/{id}"), &json!({ "status": "solved" })).status, 200);
    let t = ticket(&a);
    assert_eq!((t["status"].as_str(), t["snoozed_until"].is_null()), (Some("solved"), true), "{t}");

    for bad in [
        json!({ "snooze_hours": 0 }),
        json!({ "snooze_hours": 2161 }),
        json!({ "snooze_hours": 4, "status": "solved" }),
    ] {
        let r = a.json("PATCH", &format!("/v1/agent/tickets/{id}"), &bad);
        assert_eq!(assert_error(&r, 422..=422), "invalid_field", "{bad}");
        assert_eq!(r.json()["error"]["field"], "snooze_hours", "{}", r.text);
    }
}
