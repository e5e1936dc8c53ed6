//! The ticket lifecycle through HTTP, and idempotent creation.

use super::{assert_error, create, d1, public, rows_containing, ticket_body};
use deflect_tests::{admin, edge_url, unique};
use serde_json::json;

#[test]
fn create_read_reply_solve_rate() {
    let c = public();
    let email = format!("{}@example.com", unique("life"));
    let marker = unique("lifecycle");
    let r = create(&c, &unique("key"), &ticket_body(&email, &format!("My invoice is wrong ({marker})")));
    assert_eq!(r.status, 201, "{}", r.text);
    let created = r.json();
    let id = created["ticket"]["id"].as_str().expect("ticket id").to_string();
    let token = created["token"].as_str().expect("customer token").to_string();
    assert_eq!(created["ticket"]["status"], "open");

    // The customer reads it with the token, and only with the token.
    let read = c.send("GET", &format!("/v1/tickets/{id}"), &[("x-ticket-token", &token)], None);
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.json()["messages"][0]["body"], format!("My invoice is wrong ({marker})"));
    let wrong = c.send("GET", &format!("/v1/tickets/{id}"), &[("x-ticket-token", "not-the-token")], None);
    assert_error(&wrong, 404..=404);
    let none = c.get(&format!("/v1/tickets/{id}"));
    assert_error(&none, 401..=401);

    // An agent replies, adds an internal note and solves it.
    let a = admin(&edge_url());
    let reply =
        a.json("POST", &format!("/v1/agent/tickets/{id}/messages"), &json!({ "body": "We fixed the invoice." }));
    assert_eq!(reply.status, 201, "{}", reply.text);
    let note = a.json(
        "POST",
        &format!("/v1/agent/tickets/{id}/messages"),
        &json!({ "body": "internal: refund approved", "internal": true }),
    );
    assert_eq!(note.status, 201, "{}", note.text);
    let solved = a.json("PATCH", &format!("/v1/agent/tickets/{id}"), &json!({ "status": "solved" }));
    assert_eq!(solved.status, 200, "{}", solved.text);
    assert_eq!(solved.json()["status"], "solved");

    // The customer sees the reply but not the note, then rates.
    let read = c.send("GET", &format!("/v1/tickets/{id}"), &[("x-ticket-token", &token)], None).json();
    assert_eq!(read["status"], "solved");
    let bodies: Vec<&str> = read["messages"].as_array().unwrap().iter().filter_map(|m| m["body"].as_str()).collect();
    assert!(bodies.contains(&"We fixed the invoice."), "{bodies:?}");
    assert!(!bodies.iter().any(|b| b.contains("refund approved")), "an internal note reached the customer: {bodies:?}");
    let rate = c.send(
        "POST",
        &format!("/v1/tickets/{id}/csat"),
        &[("x-ticket-token", &token)],
        Some(("application/json", br#"{"rating":5,"comment":"quick"}"#)),
    );
    assert_eq!(rate.status, 200, "{}", rate.text);
    assert_eq!(rate.json()["csat"], 5);

    // The agent view shows the first response and the rating; D1 agrees.
    let detail = a.get(&format!("/v1/agent/tickets/{id}")).json();
    assert_eq!(detail["csat"], 5);
    assert_eq!(detail["messages"].as_array().map(Vec::len), Some(3));
    let row = d1(&format!("SELECT status, csat, first_response_at FROM tickets WHERE id = '{id}'"));
    assert_eq!(row[0]["status"], "solved");
    assert_eq!(row[0]["csat"], 5);
    assert!(row[0]["first_response_at"].is_i64() || row[0]["first_response_at"].is_u64(), "{row:?}");

    // Every agent action is in the audit log.
    let audit = a.get("/v1/admin/audit");
    assert_eq!(audit.status, 200, "{}", audit.text);
    let audit = audit.json();
    let actions: Vec<(String, String)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap_or("").to_string(), e["target"].as_str().unwrap_or("").to_string()))
        .collect();
    for action in ["ticket.reply", "ticket.note", "ticket.update"] {
        assert!(actions.iter().any(|(a, t)| a == action && *t == id), "no {action} for {id} in {actions:?}");
    }
}

#[test]
fn rating_an_open_ticket_is_refused() {
    let c = public();
    let r = create(&c, &unique("key"), &ticket_body("early@example.com", "Not solved yet"));
    let t = r.json();
    let (id, token) = (t["ticket"]["id"].as_str().unwrap(), t["token"].as_str().unwrap());
    let rate = c.send(
        "POST",
        &format!("/v1/tickets/{id}/csat"),
        &[("x-ticket-token", token)],
        Some(("application/json", br#"{"rating":4}"#)),
    );
    assert_error(&rate, 409..=409);
}

#[test]
fn the_same_request_twenty_times_at_once_makes_one_ticket() {
    let key = unique("idem");
    let marker = unique("idem-marker");
    let body = ticket_body("idem@example.com", &format!("Charged twice {marker}"));
    let replies: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..20)
            .map(|_| {
                let (key, body) = (key.clone(), body.clone());
                s.spawn(move || {
                    let r = create(&public(), &key, &body);
                    (r.status, r.json()["ticket"]["id"].as_str().unwrap_or_default().to_string())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    let created = replies.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(created, 1, "exactly one 201: {replies:?}");
    assert!(replies.iter().all(|(s, _)| *s == 201 || *s == 200), "{replies:?}");
    let ids: std::collections::BTreeSet<&str> = replies.iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(ids.len(), 1, "every reply names the same ticket: {replies:?}");
    assert_eq!(rows_containing("messages", "body", &marker), 1);
    assert_eq!(d1(&format!("SELECT count(*) AS n FROM tickets WHERE idempotency_key = '{key}'"))[0]["n"], 1);
}

/// A reply sent again under its key (a retry after a lost answer, a
/// double click, ten at once) is kept once, from the customer and from an
/// agent; the same key with other text is a conflict; a retry is answered
/// as done even after the ticket moved on.
#[test]
fn a_reply_sent_again_under_its_key_is_kept_once() {
    let c = public();
    let r = create(&c, &unique("key"), &ticket_body(&format!("{}@example.com", unique("again")), "First words"));
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["ticket"]["id"].as_str().expect("ticket id").to_string();
    let token = r.json()["token"].as_str().expect("token").to_string();
    let says = |c: &deflect_tests::Client, key: &str, text: &str| {
        let body = json!({ "body": text }).to_string();
        c.send(
            "POST",
            &format!("/v1/tickets/{id}/messages"),
            &[("x-ticket-token", &token), ("idempotency-key", key)],
            Some(("application/json", body.as_bytes())),
        )
    };
    let customer_says = |key: &str, text: &str| says(&c, key, text);
    let marker = unique("followup");
    let key = unique("msg");
    let replies: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..10).map(|_| s.spawn(|| says(&public(), &key, &marker).status)).collect();
        handles.into_iter().map(|h| h.join().expect("thread")).collect()
    });
    assert_eq!(replies.iter().filter(|s| **s == 201).count(), 1, "exactly one 201: {replies:?}");
    assert!(replies.iter().all(|s| *s == 201 || *s == 200), "{replies:?}");
    assert_eq!(rows_containing("messages", "body", &marker), 1);
    let again = customer_says(&key, &marker);
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let thread = again.json()["messages"].as_array().expect("the thread").clone();
    assert_eq!(thread.iter().filter(|m| m["body"] == marker.as_str()).count(), 1, "{thread:?}");
    assert_eq!(assert_error(&customer_says(&key, "other words"), 409..=409), "conflict");
    // The same words under a new key are a new message: saying it twice is
    // the customer's right.
    assert_eq!(customer_says(&unique("msg"), &marker).status, 201);
    assert_eq!(rows_containing("messages", "body", &marker), 2);
    assert_error(&customer_says("not a key!", "x"), 400..=400);

    // An agent's reply, sent twice after the customer wrote again: the
    // retry is answered as done, not held as a reply past the news.
    let a = admin(&edge_url());
    let thread = a.get(&format!("/v1/agent/tickets/{id}")).json();
    let seen = thread["messages"].as_array().and_then(|m| m.last()).map(|m| m["id"].clone()).expect("a message");
    let reply_marker = unique("answer");
    let agent_says = |key: &str, text: &str| {
        let body = json!({ "body": text, "seen_up_to": seen }).to_string();
        a.send(
            "POST",
            &format!("/v1/agent/tickets/{id}/messages"),
            &[("idempotency-key", key), ("x-deflect-csrf", "1")],
            Some(("application/json", body.as_bytes())),
        )
    };
    let reply_key = unique("reply");
    let first = agent_says(&reply_key, &reply_marker);
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(customer_says(&unique("msg"), "Thanks, one more thing").status, 201);
    let retry = agent_says(&reply_key, &reply_marker);
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(rows_containing("messages", "body", &reply_marker), 1);
    assert_eq!(assert_error(&agent_says(&reply_key, "something else"), 409..=409), "conflict");
    // The customer's key is theirs: an agent cannot reuse it.
    assert_eq!(assert_error(&agent_says(&key, &marker), 409..=409), "conflict");
    // Closed since: a retry still says done; a new message is refused.
    let closed = a.json("PATCH", &format!("/v1/agent/tickets/{id}"), &json!({ "status": "closed" }));
    assert_eq!(closed.status, 200, "{}", closed.text);
    assert_eq!(customer_says(&key, &marker).status, 200);
    assert_eq!(assert_error(&customer_says(&unique("msg"), "hello?"), 409..=409), "conflict");
}

#[test]
fn a_key_reused_with_another_request_is_a_conflict() {
    let c = public();
    let key = unique("reuse");
    assert_eq!(create(&c, &key, &ticket_body("reuse@example.com", "first")).status, 201);
    let again = create(&c, &key, &ticket_body("reuse@example.com", "first"));
    assert_eq!(again.status, 200);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    let other = create(&c, &key, &ticket_body("reuse@example.com", "second"));
    assert_error(&other, 409..=409);
}

#[test]
fn customer_contacts_are_encrypted_at_rest() {
    let c = public();
    let email = format!("{}@secret.example", unique("enc"));
    let body = json!({
        "site": "demo",
        "customer": { "email": email, "phone": "+44 20 7946 0958" },
        "message": format!("Where is my order? {email}"),
    });
    assert_eq!(create(&c, &unique("key"), &body).status, 201);
    let a = admin(&edge_url());
    let queue = a.get(&format!("/v1/agent/tickets?q={email}")).json();
    let customer = queue[0]["customer_id"].as_str().expect("a ticket in the queue");
    // This customer's row: neither the address nor the number, whole or as
    // digits. (A short run of digits such as "7946" turns up by chance in
    // the hex and base64 of hundreds of rows, so the test reads one row and
    // whole values.)
    let rows = d1(&format!("SELECT * FROM customers WHERE id = '{customer}'"));
    assert_eq!(rows.len(), 1, "{rows:?}");
    let dump = serde_json::to_string(&rows).unwrap();
    assert!(!dump.contains(&email), "the e-mail is stored in clear: {dump}");
    assert!(!dump.contains("7946 0958") && !dump.contains("2079460958"), "the phone is stored in clear: {dump}");
    // The agent sees it decrypted.
    let record = a.get(&format!("/v1/agent/customers/{customer}")).json();
    assert_eq!(record["email"], email.to_lowercase());
}

#[test]
fn customer_history_collects_tickets() {
    let c = public();
    let email = format!("{}@history.example", unique("crm"));
    for msg in ["first question", "second question"] {
        assert_eq!(create(&c, &unique("key"), &ticket_body(&email, msg)).status, 201);
    }
    let a = admin(&edge_url());
    let queue = a.get("/v1/agent/tickets?status=all&limit=500").json();
    let customer = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["subject"] == "second question")
        .and_then(|t| t["customer_id"].as_str())
        .expect("the ticket is in the queue")
        .to_string();
    let record = a.get(&format!("/v1/agent/customers/{customer}")).json();
    let subjects: Vec<&str> =
        record["tickets"].as_array().unwrap().iter().filter_map(|t| t["subject"].as_str()).collect();
    assert!(subjects.contains(&"first question") && subjects.contains(&"second question"), "{subjects:?}");
    let update = a.json("PATCH", &format!("/v1/agent/customers/{customer}"), &json!({ "plan": "enterprise" }));
    assert_eq!(update.status, 200, "{}", update.text);
    assert_eq!(update.json()["plan"], "enterprise");
}

/// The ticket view suggests the published articles that match the ticket,
/// marks those the widget already showed, and suggests none for a question
/// no article fits.
#[test]
fn the_ticket_view_suggests_matching_articles() {
    let c = public();
    let a = admin(&edge_url());
    let suggested = |message: &str, shown: &[&str]| -> Vec<serde_json::Value> {
        let mut body = ticket_body(&format!("{}@suggest.example", unique("sug")), message);
        body["shown_articles"] = json!(shown);
        let r = create(&c, &unique("key"), &body);
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.json()["ticket"]["id"].as_str().expect("ticket id").to_string();
        let detail = a.get(&format!("/v1/agent/tickets/{id}"));
        assert_eq!(detail.status, 200, "{}", detail.text);
        detail.json()["suggested_articles"].as_array().expect("suggested_articles").clone()
    };
    let refund = suggested("How do I get a refund for my last payment?", &["refunds"]);
    assert_eq!(refund.first().map(|s| (&s["id"], &s["shown_to_customer"])), Some((&json!("refunds"), &json!(true))));
    assert!(refund.len() <= 3);
    let password = suggested("I forgot my password and cannot sign in", &[]);
    assert_eq!(
        password.first().map(|s| (&s["id"], &s["shown_to_customer"])),
        Some((&json!("reset-password"), &json!(false)))
    );
    assert_eq!(password[0]["title"], "Reset your password");
    assert_eq!(suggested("zzqx blorf wibble", &[]), Vec::<serde_json::Value>::new());
}

/// The customer directory finds a whole e-mail address (a part cannot be
/// searched: addresses are stored encrypted) and a part of a name in any
/// ASCII case, narrows by plan, counts tickets, and is for agents only.
#[test]
fn the_customer_directory_finds_customers_by_address_name_and_plan() {
    let c = public();
    let marker = unique("dir");
    let email = format!("{marker}@directory.example");
    let mut tickets = Vec::new();
    for msg in ["first question", "second question"] {
        let body = json!({
            "site": "demo",
            "customer": { "email": email.to_uppercase(), "name": format!("Ada {marker} Lovelace") },
            "message": msg,
        });
        let r = create(&c, &unique("key"), &body);
        assert_eq!(r.status, 201, "{}", r.text);
        tickets.push(r.json()["ticket"]["id"].as_str().expect("ticket id").to_string());
    }
    let a = admin(&edge_url());
    let find = |query: &str| -> Vec<serde_json::Value> {
        let r = a.get(&format!("/v1/agent/customers?{query}"));
        assert_eq!(r.status, 200, "{query}: {}", r.text);
        r.json().as_array().expect("a list").clone()
    };

    let by_email = find(&format!("q={}", url_encode(&format!("  {}  ", email.to_uppercase()))));
    assert_eq!(by_email.len(), 1, "{by_email:?}");
    let line = &by_email[0];
    assert_eq!(line["email"], email);
    assert_eq!(line["site"], "demo");
    assert_eq!((line["tickets"].as_u64(), line["open_tickets"].as_u64()), (Some(2), Some(2)));
    assert!(line["last_contact_at"].as_i64().is_some_and(|t| t >= line["created_at"].as_i64().unwrap_or(i64::MAX)));
    let id = line["id"].as_str().expect("customer id").to_string();

    assert!(find(&format!("q={}", url_encode(&format!("{marker}@directory")))).is_empty(), "part of an address");
    let by_name = find(&format!("q={}", url_encode(&marker.to_uppercase())));
    assert_eq!(by_name.iter().map(|l| l["id"].as_str()).collect::<Vec<_>>(), [Some(id.as_str())]);

    let update = a.json("PATCH", &format!("/v1/agent/customers/{id}"), &json!({ "plan": marker }));
    assert_eq!(update.status, 200, "{}", update.text);
    let solve = a.json("PATCH", &format!("/v1/agent/tickets/{}", tickets[0]), &json!({ "status": "solved" }));
    assert_eq!(solve.status, 200, "{}", solve.text);
    let by_plan = find(&format!("plan={}", url_encode(&marker.to_uppercase())));
    assert_eq!(by_plan.len(), 1, "{by_plan:?}");
    assert_eq!((by_plan[0]["tickets"].as_u64(), by_plan[0]["open_tickets"].as_u64()), (Some(2), Some(1)));
    assert!(find(&format!("q={}&plan=not-{marker}", url_encode(&marker))).is_empty());
    assert!(find(&format!("q={}&site=no-such-site", url_encode(&marker))).is_empty());

    assert_error(&a.get("/v1/agent/customers?limit=0"), 422..=422);
    assert_error(&a.get(&format!("/v1/agent/customers?q={}", "x".repeat(201))), 422..=422);
    assert_error(&public().get("/v1/agent/customers"), 401..=401);
}

/// The queue search finds text of any allowed length, matches `%` and `_`
/// literally, and ignores ASCII case.
#[test]
fn the_queue_search_takes_long_text_and_wildcards_literally() {
    let c = public();
    let marker = unique("search");
    let long = format!("{marker} my_order 100% late, {}", "again and again ".repeat(8));
    let long = long.trim_end().to_string();
    assert!(long.len() > 100 && long.len() <= 200, "{}", long.len());
    assert_eq!(create(&c, &unique("key"), &ticket_body("search@example.com", &long)).status, 201);
    let a = admin(&edge_url());
    let find = |q: &str| {
        let r = a.get(&format!("/v1/agent/tickets?status=all&q={}", url_encode(q)));
        assert_eq!(r.status, 200, "{}", r.text);
        r.json().as_array().expect("a list").len()
    };
    assert_eq!(find(&long.to_uppercase()), 1, "the whole text, in capitals");
    assert_eq!(find(&format!("{marker} my_order 100%")), 1);
    // As LIKE wildcards these would match the ticket; as text they do not.
    assert_eq!(find(&format!("{marker} my%order")), 0);
    assert_eq!(find(&format!("{marker} my_order 1_0%")), 0);
    let over = a.get(&format!("/v1/agent/tickets?q={}", "x".repeat(201)));
    assert_error(&over, 422..=422);
}

/// The queue a page at a time: each page but the last links to the next,
/// the pages together are the whole list in order, a ticket that arrives
/// meanwhile does not shift the later pages, and the total counts them all.
#[test]
fn the_queue_comes_a_page_at_a_time() {
    let c = public();
    let email = format!("{}@example.com", unique("pages"));
    let messages = [
        "Where can I change my invoice address?",
        "Outage: nothing loads and we cannot log in, urgent",
        "A question about the plans",
        "The app is down for the whole team, urgent please",
        "How do I export my data?",
        "Thanks for the quick help last week",
        "Cannot log in since this morning",
    ];
    let mut customer = String::new();
    for m in messages {
        let r = create(&c, &unique("key"), &ticket_body(&email, m));
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.json()["ticket"]["id"].as_str().expect("id").to_string();
        if customer.is_empty() {
            let d = admin(&edge_url()).get(&format!("/v1/agent/tickets/{id}")).json();
            customer = d["customer"]["id"].as_str().expect("customer id").to_string();
        }
    }
    let a = admin(&edge_url());
    let ids = |r: &deflect_tests::Reply| -> Vec<String> {
        assert_eq!(r.status, 200, "{}", r.text);
        r.json().as_array().expect("a list").iter().map(|t| t["id"].as_str().expect("id").to_string()).collect()
    };
    let whole = a.get(&format!("/v1/agent/tickets?status=all&customer={customer}"));
    let all = ids(&whole);
    assert_eq!(all.len(), 7);
    assert_eq!(whole.header("x-total-count"), Some("7"));
    assert_eq!(whole.header("link"), None, "one page holds them all");
    let order: Vec<(u64, f64)> = whole
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .map(|t| {
            let rank = match t["priority"].as_str() {
                Some("urgent") => 3,
                Some("high") => 2,
                Some("normal") => 1,
                _ => 0,
            };
            (rank, t["priority_score"].as_f64().expect("score"))
        })
        .collect();
    assert!(
        order.windows(2).all(|w| w[0].0 > w[1].0 || (w[0].0 == w[1].0 && w[0].1 >= w[1].1)),
        "highest level first, then highest score: {order:?}"
    );
    assert!(order.first().map(|o| o.1) > order.last().map(|o| o.1), "the cues set some apart: {order:?}");

    let first = a.get(&format!("/v1/agent/tickets?status=all&customer={customer}&limit=3"));
    assert_eq!(ids(&first), all[..3]);
    assert_eq!(first.header("x-total-count"), Some("7"));
    let second_path = next_page(&first).expect("a link to the second page");
    assert!(
        second_path.starts_with("/v1/agent/tickets?")
            && second_path.contains("status=all")
            && second_path.contains(&format!("customer={customer}"))
            && second_path.contains("limit=3")
            && second_path.contains("after="),
        "the same query, after this page: {second_path}"
    );
    // An urgent ticket arrives while the agent reads the first page: it
    // goes to the top, and the second page is still the one after the first.
    let late = create(&c, &unique("key"), &ticket_body(&email, "Outage again, urgent: everything is down"));
    assert_eq!(late.status, 201, "{}", late.text);
    let second = a.get(&second_path);
    assert_eq!(ids(&second), all[3..6]);
    assert_eq!(second.header("x-total-count"), Some("8"), "the total counts the new one");
    let third = a.get(&next_page(&second).expect("a link to the third page"));
    assert_eq!(ids(&third), all[6..]);
    assert_eq!(next_page(&third), None, "the last page links nowhere");

    for bad in ["nonsense", "4~1~1~a", "1~1e3~1~a", "1~1~1~a/b", "1~1~1"] {
        let r = a.get(&format!("/v1/agent/tickets?status=all&after={}", url_encode(bad)));
        assert_eq!(assert_error(&r, 422..=422), "invalid_field", "{bad}");
        assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.starts_with("after: ")), "{}", r.text);
    }
}

/// The path of the next page a list's `Link` header gives, if any.
fn next_page(r: &deflect_tests::Reply) -> Option<String> {
    let link = r.header("link")?;
    let (path, rel) = link.split_once(">; ")?;
    assert_eq!(rel, "rel=\"next\"", "{link}");
    Some(path.trim_start_matches('<').to_string())
}

/// The customer directory a page at a time, as the queue: the pages
/// together are the whole list, the last links nowhere.
#[test]
fn the_customer_directory_comes_a_page_at_a_time() {
    let c = public();
    let marker = unique("dirpage");
    for n in 0..5 {
        let body = json!({
            "site": "demo",
            "customer": { "email": format!("{marker}-{n}@directory.example"), "name": format!("Pat {marker} {n}") },
            "message": "a question",
        });
        let r = create(&c, &unique("key"), &body);
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let a = admin(&edge_url());
    let ids = |r: &deflect_tests::Reply| -> Vec<String> {
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.header("x-total-count"), Some("5"), "every page counts them all");
        r.json().as_array().expect("a list").iter().map(|l| l["id"].as_str().expect("id").to_string()).collect()
    };
    let whole = a.get(&format!("/v1/agent/customers?q={marker}"));
    let all = ids(&whole);
    assert_eq!(all.len(), 5);
    assert_eq!(next_page(&whole), None);
    let mut paged = Vec::new();
    let mut path = Some(format!("/v1/agent/customers?q={marker}&limit=2"));
    let mut sizes = Vec::new();
    while let Some(p) = path {
        assert!(sizes.len() < 5, "the links end");
        let r = a.get(&p);
        let page = ids(&r);
        sizes.push(page.len());
        paged.extend(page);
        path = next_page(&r);
    }
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(paged, all, "the pages together, in order");
    for bad in ["nonsense", "1~a/b", "-1~a", "1.5~a"] {
        let r = a.get(&format!("/v1/agent/customers?after={}", url_encode(bad)));
        assert_eq!(assert_error(&r, 422..=422), "invalid_field", "{bad}");
    }
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A duplicate ticket merged into another of the customer's: messages
/// move, in order, both threads say so, the duplicate closes and points at
/// the other, and the customer's old token leads to the new thread.
#[test]
fn a_duplicate_ticket_merges_into_another_of_the_same_customer() {
    let c = public();
    let marker = unique("merge");
    let email = format!("{marker}@merge.example");
    let mut made = Vec::new();
    for (i, (text, tags)) in
        [("my card has not arrived", "first"), ("still no card, where is it", "second")].iter().enumerate()
    {
        let body = json!({ "site": "demo", "customer": { "email": email }, "message": format!("{text} {marker}"), "subject": format!("Card {i} {marker}") });
        let r = create(&c, &unique("key"), &body);
        assert_eq!(r.status, 201, "{}", r.text);
        let j = r.json();
        made.push((
            j["ticket"]["id"].as_str().expect("id").to_string(),
            j["token"].as_str().expect("token").to_string(),
            *tags,
        ));
    }
    let other = create(&c, &unique("key"), &ticket_body(&format!("other-{marker}@merge.example"), "unrelated"));
    let other_id = other.json()["ticket"]["id"].as_str().expect("id").to_string();
    let a = admin(&edge_url());
    let ((target, _, _), (dup, dup_token, _)) = (&made[0], &made[1]);
    for (id, tag) in [(target, made[0].2), (dup, made[1].2)] {
        let r = a.json("PATCH", &format!("/v1/agent/tickets/{id}"), &json!({ "tags": [tag] }));
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let merge =
        |from: &str, into: &str| a.json("POST", &format!("/v1/agent/tickets/{from}/merge"), &json!({ "into": into }));

    // Refusals first: each says what is wrong.
    assert_error(&merge(dup, dup), 422..=422);
    assert_error(&merge(dup, &other_id), 422..=422);
    assert_error(&merge(dup, "no-such-ticket"), 422..=422);
    assert_error(&merge("no-such-ticket", target), 404..=404);
    assert_error(&a.json("POST", &format!("/v1/agent/tickets/{dup}/merge"), &json!({ "into": "bad id!" })), 422..=422);
    assert_error(
        &public().json("POST", &format!("/v1/agent/tickets/{dup}/merge"), &json!({ "into": target })),
        401..=401,
    );

    let r = merge(dup, target);
    assert_eq!(r.status, 200, "{}", r.text);
    let detail = r.json();
    assert_eq!(detail["ticket"]["id"], target.as_str());
    let bodies: Vec<&str> =
        detail["messages"].as_array().expect("messages").iter().filter_map(|m| m["body"].as_str()).collect();
    let first = bodies.iter().position(|b| b.starts_with("my card has not arrived"));
    let second = bodies.iter().position(|b| b.starts_with("still no card"));
    assert!(first.is_some() && first < second, "both customer messages, in order: {bodies:?}");
    assert!(
        bodies.iter().any(|b| b.contains(&format!("“Card 1 {marker}” was merged into this conversation"))),
        "{bodies:?}"
    );
    assert_eq!(detail["ticket"]["tags"], json!(["first", "second"]));

    let d = a.get(&format!("/v1/agent/tickets/{dup}")).json();
    assert_eq!((d["ticket"]["status"].as_str(), d["merged_into"].as_str()), (Some("closed"), Some(target.as_str())));
    let left: Vec<&str> =
        d["messages"].as_array().expect("messages").iter().filter_map(|m| m["body"].as_str()).collect();
    assert_eq!(left, [format!("This conversation continues in “Card 0 {marker}”.")]);

    // The customer's token for the duplicate leads on to the target.
    let seen = c.send("GET", &format!("/v1/tickets/{dup}"), &[("x-ticket-token", dup_token)], None).json();
    let link = &seen["continued_in"];
    assert_eq!(link["id"], target.as_str());
    let token = link["token"].as_str().expect("a token for the target");
    let there = c.send("GET", &format!("/v1/tickets/{target}"), &[("x-ticket-token", token)], None);
    assert_eq!(there.status, 200, "{}", there.text);
    let reply = c.send(
        "POST",
        &format!("/v1/tickets/{dup}/messages"),
        &[("x-ticket-token", dup_token)],
        Some(("application/json", br#"{"body":"hello?"}"#)),
    );
    assert_error(&reply, 409..=409);

    // A merged ticket stays as it is.
    assert_error(&merge(dup, target), 409..=409);
    assert_error(&a.json("PATCH", &format!("/v1/agent/tickets/{dup}"), &json!({ "status": "open" })), 409..=409);
    assert_error(&merge(target, dup), 422..=422);
    let audit = a.get(&format!("/v1/admin/audit?target={dup}")).json();
    assert!(
        audit
            .as_array()
            .is_some_and(|l| l.iter().any(|e| e["action"] == "ticket.merge" && e["detail"]["into"] == target.as_str())),
        "{audit}"
    );
}

/// Two agents on one ticket: each sees the other on the page, and a reply
/// written against a thread that changed since is refused until the agent
/// has read the news.
#[test]
fn agents_see_each_other_on_a_ticket_and_do_not_reply_past_news() {
    let c = public();
    let r = create(&c, &unique("key"), &ticket_body(&format!("{}@collide.example", unique("c")), "Where is my order?"));
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["ticket"]["id"].as_str().expect("id").to_string();
    let token = r.json()["token"].as_str().expect("token").to_string();
    let admin_client = admin(&edge_url());
    let agent = super::auth::agent();
    let presence = |who: &deflect_tests::Client, body: serde_json::Value| {
        let r = who.json("POST", &format!("/v1/agent/tickets/{id}/presence"), &body);
        assert_eq!(r.status, 200, "{}", r.text);
        r.json().as_array().expect("viewers").clone()
    };
    assert_eq!(presence(&admin_client, json!({})), Vec::<serde_json::Value>::new(), "alone at first");
    let seen_by_agent = presence(&agent, json!({ "typing": true }));
    assert_eq!(seen_by_agent.len(), 1, "{seen_by_agent:?}");
    assert_eq!(seen_by_agent[0]["typing"], false);
    let seen_by_admin = presence(&admin_client, json!({}));
    assert_eq!((seen_by_admin.len(), seen_by_admin[0]["typing"].as_bool()), (1, Some(true)), "{seen_by_admin:?}");
    assert_eq!(seen_by_admin[0]["name"], "Agent Smith");
    presence(&agent, json!({ "leaving": true }));
    assert_eq!(presence(&admin_client, json!({})), Vec::<serde_json::Value>::new(), "gone once left");

    // The admin read the thread up to the customer's first message …
    let detail = admin_client.get(&format!("/v1/agent/tickets/{id}")).json();
    let last = detail["messages"].as_array().and_then(|m| m.last()).expect("a message")["id"]
        .as_str()
        .expect("id")
        .to_string();
    // … then the customer wrote again, and the agent replied.
    let more = c.send(
        "POST",
        &format!("/v1/tickets/{id}/messages"),
        &[("x-ticket-token", &token)],
        Some(("application/json", br#"{"body":"Also, can I change the address?"}"#)),
    );
    assert_eq!(more.status, 201, "{}", more.text);
    let send = |who: &deflect_tests::Client, body: &str, seen: &str| {
        who.json("POST", &format!("/v1/agent/tickets/{id}/messages"), &json!({ "body": body, "seen_up_to": seen }))
    };
    let stale = send(&admin_client, "It ships today.", &last);
    assert!(assert_error(&stale, 409..=409) == "conflict" && stale.text.contains("1 new message"), "{}", stale.text);
    // Having read it, the admin's reply goes; the agent's, written against
    // the same thread, now meets the admin's reply.
    let newest = |who: &deflect_tests::Client| {
        let d = who.get(&format!("/v1/agent/tickets/{id}")).json();
        d["messages"].as_array().and_then(|m| m.last()).expect("a message")["id"].as_str().expect("id").to_string()
    };
    let read = newest(&admin_client);
    assert_eq!(send(&admin_client, "It ships today, and yes.", &read).status, 201);
    assert_error(&send(&agent, "Let me check.", &read), 409..=409);
    // One's own messages never make a thread stale.
    assert_eq!(send(&admin_client, "Anything else?", &read).status, 201, "only the admin wrote since");
    assert_error(&send(&admin_client, "x", "not-a-message"), 422..=422);
    assert_error(&public().json("POST", &format!("/v1/agent/tickets/{id}/presence"), &json!({})), 401..=401);
    assert_error(&admin_client.json("POST", "/v1/agent/tickets/no-such-ticket/presence", &json!({})), 404..=404);
}

/// An open ticket page asks for the thread as it now stands: a customer's
/// new message is in it, with the files, and `updated_at` says when the
/// ticket last changed, a change of status included, so the page can tell
/// a teammate's change from a new message.
#[test]
fn the_thread_as_it_stands_shows_what_arrived_and_when_the_ticket_changed() {
    let c = public();
    let r = create(&c, &unique("key"), &ticket_body(&format!("{}@live.example", unique("c")), "Is my parcel lost?"));
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["ticket"]["id"].as_str().expect("id").to_string();
    let token = r.json()["token"].as_str().expect("token").to_string();
    let a = admin(&edge_url());
    let thread = || {
        let r = a.get(&format!("/v1/agent/tickets/{id}/thread"));
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()
    };
    let first = thread();
    let detail = a.get(&format!("/v1/agent/tickets/{id}")).json();
    assert_eq!(first["messages"], detail["messages"], "the same messages as the ticket's page");
    assert_eq!(first["attachments"], detail["attachments"]);
    assert_eq!(first["updated_at"], detail["ticket"]["updated_at"]);
    // With its SLA clock as it runs now (a minute may turn between the two).
    assert_eq!(
        (first["sla"]["state"].as_str(), first["sla"]["target"].as_str()),
        (Some("running"), Some("first_response"))
    );
    let left = |v: &serde_json::Value| v["sla"]["minutes_left"].as_i64().expect("minutes left");
    assert!((left(&first) - left(&detail["ticket"])).abs() <= 1, "{first} / {detail}");

    std::thread::sleep(std::time::Duration::from_millis(20));
    let more = c.send(
        "POST",
        &format!("/v1/tickets/{id}/messages"),
        &[("x-ticket-token", &token)],
        Some(("application/json", r#"{"body":"It was due <b>yesterday</b>."}"#.as_bytes())),
    );
    assert_eq!(more.status, 201, "{}", more.text);
    let now = thread();
    let messages = now["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), first["messages"].as_array().expect("messages").len() + 1);
    let newest = messages.last().expect("a message");
    assert_eq!(
        (newest["author"].as_str(), newest["body"].as_str()),
        (Some("customer"), Some("It was due <b>yesterday</b>."))
    );
    let changed_at = now["updated_at"].as_i64().expect("updated_at");
    assert!(changed_at > first["updated_at"].as_i64().expect("updated_at"), "{now}");
    assert_eq!(changed_at, newest["created_at"].as_i64().expect("created_at"), "the message is the change");

    // A change of status moves it past the newest message.
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert_eq!(a.json("PATCH", &format!("/v1/agent/tickets/{id}"), &json!({ "status": "pending" })).status, 200);
    let after = thread();
    assert_eq!(after["messages"], now["messages"]);
    assert!(after["updated_at"].as_i64().expect("updated_at") > changed_at, "{after}");
    assert!(messages.iter().all(|m| m.get("agent_id").is_none()), "a customer's message has no agent");

    // A team member's message says which agent wrote it, to agents only.
    let me = a.get("/v1/auth/me").json()["id"].as_str().expect("my id").to_string();
    let r = a.json("POST", &format!("/v1/agent/tickets/{id}/messages"), &json!({ "body": "Looking into it" }));
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(thread()["messages"].as_array().expect("messages").last().expect("a reply")["agent_id"], me.as_str());
    let seen = c.send("GET", &format!("/v1/tickets/{id}"), &[("x-ticket-token", &token)], None).json();
    let reply = seen["messages"].as_array().expect("messages").last().expect("the reply").clone();
    assert_eq!((reply["author"].as_str(), reply.get("agent_id")), (Some("agent"), None), "{seen}");

    assert_error(&public().get(&format!("/v1/agent/tickets/{id}/thread")), 401..=401);
    assert_error(&a.get("/v1/agent/tickets/no-such-ticket/thread"), 404..=404);
    let r = a.json("POST", &format!("/v1/agent/tickets/{id}/thread"), &json!({}));
    assert_eq!((assert_error(&r, 405..=405), r.header("allow")), ("method_not_allowed".to_string(), Some("GET, HEAD")));
}

/// An agent's signature goes below their replies to the customer, as the
/// customer reads them, and never below an internal note; bad signatures
/// are refused in words.
#[test]
fn an_agents_signature_goes_below_their_replies_and_not_their_notes() {
    let agent = super::auth::agent();
    let put = |value: serde_json::Value| agent.json("PUT", "/v1/auth/signature", &value);
    for (bad, says) in [
        (json!({ "signature": "x".repeat(501) }), "at most 500 characters"),
        (json!({ "signature": "1\n2\n3\n4\n5\n6\n7" }), "at most 6 lines"),
        (json!({ "signature": "bell\u{7}" }), "control characters"),
    ] {
        let r = put(bad);
        assert_eq!(assert_error(&r, 422..=422), "invalid_field");
        assert!(r.text.contains("signature") && r.text.contains(says), "{}", r.text);
    }
    assert_error(&put(json!({ "signature": 5 })), 400..=422);
    assert_error(&put(json!({ "signature": "x", "html": true })), 400..=422);
    let r = put(json!({ "signature": "  Ada Agent\r\nAcme support  " }));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["signature"], "Ada Agent\nAcme support");
    assert_eq!(agent.get("/v1/auth/me").json()["signature"], "Ada Agent\nAcme support");

    let c = public();
    let r = create(&c, &unique("key"), &ticket_body(&format!("{}@signed.example", unique("c")), "Where is it?"));
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["ticket"]["id"].as_str().expect("id").to_string();
    let token = r.json()["token"].as_str().expect("token").to_string();
    let key = unique("reply");
    let reply = |key: &str| {
        let body = json!({ "body": "It ships today.\n" }).to_string();
        agent.send(
            "POST",
            &format!("/v1/agent/tickets/{id}/messages"),
            &[("x-deflect-csrf", "1"), ("idempotency-key", key)],
            Some(("application/json", body.as_bytes())),
        )
    };
    assert_eq!(reply(&key).status, 201);
    assert_eq!(reply(&key).status, 200, "sent again under its key: kept once");
    let note =
        agent.json("POST", &format!("/v1/agent/tickets/{id}/messages"), &json!({ "body": "VIP", "internal": true }));
    assert_eq!(note.status, 201, "{}", note.text);
    let thread = note.json();
    let bodies: Vec<&str> = thread
        .as_array()
        .expect("thread")
        .iter()
        .filter(|m| m["author"] == "agent")
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(bodies, ["It ships today.\n\nAda Agent\nAcme support", "VIP"], "{thread}");
    let seen = c.send("GET", &format!("/v1/tickets/{id}"), &[("x-ticket-token", &token)], None).json();
    let last = seen["messages"].as_array().and_then(|m| m.last()).cloned().expect("a reply");
    assert_eq!(last["body"], bodies[0], "as the customer reads it");

    // Emptied, it is gone from later replies.
    let r = put(json!({ "signature": " " }));
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json().get("signature").is_none(), "{}", r.text);
    let r = agent.json("POST", &format!("/v1/agent/tickets/{id}/messages"), &json!({ "body": "Anything else?" }));
    assert_eq!(r.json().as_array().and_then(|m| m.last()).expect("a reply")["body"], "Anything else?");
}

/// One change to several tickets: each is changed as by PATCH; one that
/// cannot be changed is reported in words and does not stop the others.
#[test]
fn a_bulk_change_updates_each_ticket_and_reports_the_rest() {
    let c = public();
    let mut ids = Vec::new();
    for n in 0..3 {
        let r = create(&c, &unique("key"), &ticket_body(&format!("bulk{n}-{}@example.com", unique("b")), "Bulk me"));
        assert_eq!(r.status, 201, "{}", r.text);
        ids.push(r.json()["ticket"]["id"].as_str().expect("id").to_string());
    }
    let a = admin(&edge_url());
    // The third is merged into the second, so it cannot change any more.
    let other = create(&c, &unique("key"), &ticket_body("bulk-merge@example.com", "first"));
    let dup = create(&c, &unique("key"), &ticket_body("bulk-merge@example.com", "second"));
    let (other, dup) = (
        other.json()["ticket"]["id"].as_str().unwrap().to_string(),
        dup.json()["ticket"]["id"].as_str().unwrap().to_string(),
    );
    assert_eq!(a.json("POST", &format!("/v1/agent/tickets/{dup}/merge"), &json!({ "into": other })).status, 200);
    let mut all = ids.clone();
    all.push(dup.clone());
    all.push("no-such-ticket".into());
    let r = a.json(
        "POST",
        "/v1/agent/tickets/bulk",
        &json!({ "ids": all, "update": { "status": "solved", "assignee": "" } }),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let out = r.json();
    assert_eq!(out["updated"], json!(ids));
    let failed: Vec<(&str, &str)> = out["failed"]
        .as_array()
        .expect("failed")
        .iter()
        .map(|f| (f["id"].as_str().unwrap_or(""), f["error"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert!(failed[0].0 == dup && failed[0].1.contains("merged into"), "{failed:?}");
    assert!(failed[1].0 == "no-such-ticket" && failed[1].1.contains("there is no ticket"), "{failed:?}");
    for id in &ids {
        let d = a.get(&format!("/v1/agent/tickets/{id}")).json();
        assert_eq!((d["ticket"]["status"].as_str(), d["ticket"]["assignee"].as_str()), (Some("solved"), None), "{d}");
        let audit = a.get(&format!("/v1/admin/audit?target={id}")).json();
        assert!(audit.as_array().is_some_and(|l| l.iter().any(|e| e["action"] == "ticket.update")), "{audit}");
    }
    let bad = |body: serde_json::Value| assert_error(&a.json("POST", "/v1/agent/tickets/bulk", &body), 422..=422);
    bad(json!({ "ids": [], "update": { "status": "open" } }));
    bad(json!({ "ids": [ids[0], ids[0]], "update": { "status": "open" } }));
    bad(json!({ "ids": [ids[0]], "update": {} }));
    bad(json!({ "ids": (0..51).map(|i| i.to_string()).collect::<Vec<_>>(), "update": { "status": "open" } }));
    assert_error(
        &public().json("POST", "/v1/agent/tickets/bulk", &json!({ "ids": [ids[0]], "update": { "status": "open" } })),
        401..=401,
    );
    for method in ["GET", "PATCH", "PUT"] {
        let wrong =
            a.send(method, "/v1/agent/tickets/bulk", &[("x-deflect-csrf", "1")], Some(("application/json", b"{}")));
        assert_eq!(
            (assert_error(&wrong, 405..=405), wrong.header("allow")),
            ("method_not_allowed".to_string(), Some("POST")),
            "{method}"
        );
    }
}

#[test]
fn a_browser_asks_once_which_of_its_tickets_have_unread_replies() {
    let c = public();
    let email = format!("{}@example.com", unique("unread"));
    let open = |text: &str| {
        let r = create(&c, &unique("key"), &ticket_body(&email, text));
        assert_eq!(r.status, 201, "{}", r.text);
        let t = r.json();
        let id = t["ticket"]["id"].as_str().expect("ticket id").to_string();
        let seen = t["ticket"]["messages"][0]["created_at"].as_i64().expect("first message time");
        (id, t["token"].as_str().expect("token").to_string(), seen)
    };
    let (first, first_token, first_seen) = open("Where is my parcel?");
    let (second, second_token, second_seen) = open("How do I change my address?");
    let ask = |tickets: serde_json::Value| {
        let body = json!({ "tickets": tickets }).to_string();
        c.send("POST", "/v1/unread", &[], Some(("application/json", body.as_bytes())))
    };
    let both = |first_seen: i64, second_token: &str| {
        json!([
            { "id": first, "token": first_token, "seen_at": first_seen },
            { "id": second, "token": second_token, "seen_at": second_seen },
        ])
    };
    let lists = |r: &deflect_tests::Reply| {
        assert_eq!(r.status, 200, "{}", r.text);
        let v = r.json();
        let ids = |k: &str| -> Vec<String> {
            v[k].as_array().expect(k).iter().filter_map(|x| x.as_str().map(str::to_string)).collect()
        };
        (ids("unread"), ids("erased"), ids("unknown"))
    };
    assert_eq!(lists(&ask(both(first_seen, &second_token))), (vec![], vec![], vec![]), "nothing from the team yet");

    // The team replies on the first and leaves an internal note on the
    // second: only the reply counts.
    let a = admin(&edge_url());
    let reply = a.json("POST", &format!("/v1/agent/tickets/{first}/messages"), &json!({ "body": "On its way." }));
    assert_eq!(reply.status, 201, "{}", reply.text);
    let note = a.json(
        "POST",
        &format!("/v1/agent/tickets/{second}/messages"),
        &json!({ "body": "check the old address", "internal": true }),
    );
    assert_eq!(note.status, 201, "{}", note.text);
    assert_eq!(lists(&ask(both(first_seen, &second_token))), (vec![first.clone()], vec![], vec![]));

    // Read up to the reply: nothing unread.
    let read = c.send("GET", &format!("/v1/tickets/{first}"), &[("x-ticket-token", &first_token)], None).json();
    let newest = read["messages"].as_array().and_then(|m| m.last()).and_then(|m| m["created_at"].as_i64());
    let newest = newest.expect("the reply's time");
    assert_eq!(lists(&ask(both(newest, &second_token))), (vec![], vec![], vec![]));

    // A wrong token and an id that does not exist look the same.
    let stranger = json!([
        { "id": first, "token": first_token, "seen_at": first_seen },
        { "id": second, "token": "not-the-token", "seen_at": 0 },
        { "id": "no-such-ticket", "token": "whatever", "seen_at": 0 },
    ]);
    assert_eq!(
        lists(&ask(stranger)),
        (vec![first.clone()], vec![], vec![second.clone(), "no-such-ticket".to_string()]),
        "unknown either way"
    );

    // Bad input is refused with the field named.
    let field = |r: &deflect_tests::Reply| {
        assert_eq!(assert_error(r, 422..=422), "invalid_field");
        r.json()["error"]["field"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(field(&ask(json!([]))), "tickets");
    let many: Vec<_> = (0..51).map(|i| json!({ "id": format!("t{i}"), "token": "x", "seen_at": 0 })).collect();
    assert_eq!(field(&ask(json!(many))), "tickets");
    let twice = json!([{ "id": first, "token": "a", "seen_at": 0 }, { "id": first, "token": "b", "seen_at": 0 }]);
    assert_eq!(field(&ask(twice)), "tickets[1].id");
    assert_eq!(field(&ask(json!([{ "id": "../etc", "token": "a", "seen_at": 0 }]))), "tickets[0].id");
    assert_eq!(field(&ask(json!([{ "id": first, "token": "a", "seen_at": -5 }]))), "tickets[0].seen_at");
    let extra = ask(json!([{ "id": first, "token": "a", "seen_at": 0, "admin": true }]));
    assert_error(&extra, 400..=422);
    let text = c.send("POST", "/v1/unread", &[], Some(("text/plain", b"tickets")));
    assert_eq!(assert_error(&text, 415..=415), "unsupported_media_type");
    let broken = c.send("POST", "/v1/unread", &[], Some(("application/json", b"{\"tickets\": [")));
    assert_error(&broken, 400..=400);
    let wrong_method = c.get("/v1/unread");
    assert_error(&wrong_method, 405..=405);
    assert_eq!(wrong_method.header("allow"), Some("OPTIONS, POST"));
}

#[test]
fn an_agent_logs_a_ticket_for_a_customer_who_called() {
    let me = super::auth::agent();
    let my_id = me.get("/v1/auth/me").json()["id"].as_str().expect("my id").to_string();
    let email = format!("{}@Example.com", unique("caller"));
    let marker = unique("call");
    let body = json!({
        "customer": { "email": email, "name": "Carl Caller", "phone": "+44 20 7946 0000" },
        "message": format!("Double charge in March ({marker})"),
        "channel": "phone",
        "assign_to_me": true,
    });
    let key = unique("log");
    let log = |key: &str, body: &serde_json::Value| {
        let text = body.to_string();
        me.send(
            "POST",
            "/v1/agent/tickets",
            &[("idempotency-key", key), ("x-deflect-csrf", "1")],
            Some(("application/json", text.as_bytes())),
        )
    };
    let r = log(&key, &body);
    assert_eq!(r.status, 201, "{}", r.text);
    let t = r.json();
    let id = t["ticket"]["id"].as_str().expect("ticket id").to_string();
    assert_eq!(t["channel"], "phone");
    assert_eq!(t["ticket"]["channel"], "phone", "the queue shows it too");
    assert_eq!(t["ticket"]["status"], "open");
    assert_eq!(t["ticket"]["assignee"], my_id.as_str(), "assign_to_me wins over the rules");
    assert_eq!(t["ticket"]["subject"], format!("Double charge in March ({marker})"));
    let site = admin(&edge_url()).get("/v1/admin/settings").json()["sites"][0]["id"].clone();
    assert_eq!(t["ticket"]["site"], site, "the first site when none is named");
    assert_eq!(t["messages"][0]["author"], "customer", "the request is the customer's, as the agent heard it");
    assert_eq!(t["customer"]["email"], email.to_lowercase());
    assert_eq!(t["customer"]["phone"], "+44 20 7946 0000");
    assert!(t["ticket"]["priority_score"].as_f64().is_some_and(|s| s > 0.0), "scored like any ticket: {t}");

    // Sent again (a double click): the same ticket, once.
    let again = log(&key, &body);
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.json()["ticket"]["id"], id.as_str());
    assert_eq!(rows_containing("messages", "body", &marker), 1);
    let mut other = body.clone();
    other["message"] = json!("something else");
    assert_eq!(assert_error(&log(&key, &other), 409..=409), "conflict");

    // Not a widget escalation: the deflection figures do not count it.
    let events = d1(&format!("SELECT count(*) AS n FROM events WHERE ticket_id = '{id}'"));
    assert_eq!(events[0]["n"], 0);
    // Audited as logged by this agent.
    let audit = admin(&edge_url()).get(&format!("/v1/admin/audit?target={id}&action=ticket.log")).json();
    let lines = audit.as_array().expect("audit lines");
    assert_eq!(lines.len(), 1, "{audit}");
    assert_eq!(lines[0]["actor"], my_id.as_str());

    // Bad input, in words; no key; no login.
    let field = |b: serde_json::Value| {
        let r = log(&unique("log"), &b);
        assert_eq!(assert_error(&r, 422..=422), "invalid_field", "{b}");
        r.json()["error"]["field"].as_str().unwrap_or_default().to_string()
    };
    let with = |k: &str, v: serde_json::Value| {
        let mut b = body.clone();
        b[k] = v;
        b
    };
    assert_eq!(field(with("channel", json!("widget"))), "channel");
    assert_eq!(field(with("customer", json!({ "email": "not an address" }))), "customer.email");
    assert_eq!(field(with("site", json!("no-such-site"))), "site");
    assert_eq!(field(with("message", json!("  "))), "message");
    assert_error(&log(&unique("log"), &with("priority", json!("urgent"))), 400..=422);
    let text = body.to_string();
    let keyless =
        me.send("POST", "/v1/agent/tickets", &[("x-deflect-csrf", "1")], Some(("application/json", text.as_bytes())));
    assert_eq!(assert_error(&keyless, 400..=400), "missing_idempotency_key");
    let stranger = public().send(
        "POST",
        "/v1/agent/tickets",
        &[("idempotency-key", "k1")],
        Some(("application/json", text.as_bytes())),
    );
    assert_error(&stranger, 401..=401);
}
