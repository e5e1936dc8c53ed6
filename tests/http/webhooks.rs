//! Webhooks: a rule's delivery reaches a real receiver on this machine,
//! signed; a failed one is kept and tried again by the cron; an admin sees
//! the attempts, sends one again, rotates the secret and sends a test.

use super::auth::agent;
use super::{assert_error, create, d1, public, rows_containing, run_cron, settings_lock};
use deflect_shared::webhook::{parse_signature, signed_message};
use deflect_tests::{Client, admin, edge_url, unique};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A request the receiver got.
struct Hit {
    path: String,
    headers: HashMap<String, String>,
    body: String,
}

/// An HTTP receiver on 127.0.0.1 that answers each request with the next
/// scripted status (200 once the script runs out) and hands the requests
/// to the test.
struct WebhookReceiver {
    url: String,
    hits: Receiver<Hit>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl WebhookReceiver {
    fn start(script: &[u16]) -> WebhookReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port on 127.0.0.1");
        let port = listener.local_addr().expect("its address").port();
        let script = Arc::new(Mutex::new(script.iter().copied().collect::<VecDeque<u16>>()));
        let answers = Arc::clone(&script);
        let (tx, hits) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let Some(hit) = read_request(&mut stream) else { continue };
                let status = answers.lock().map(|mut s| s.pop_front().unwrap_or(200)).unwrap_or(200);
                let reply = format!("HTTP/1.1 {status} Scripted\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
                let _ = stream.write_all(reply.as_bytes());
                if tx.send(hit).is_err() {
                    break;
                }
            }
        });
        WebhookReceiver { url: format!("http://127.0.0.1:{port}/hooks/deflect"), hits, script }
    }

    /// The next request, waiting at most 20 s.
    fn next(&self) -> Hit {
        match self.hits.recv_timeout(Duration::from_secs(20)) {
            Ok(hit) => hit,
            Err(RecvTimeoutError::Timeout) => panic!("no delivery reached {} within 20 s", self.url),
            Err(RecvTimeoutError::Disconnected) => panic!("the receiver stopped"),
        }
    }

    fn answer_next(&self, status: u16) {
        self.script.lock().expect("script").push_back(status);
    }
}

fn read_request(stream: &mut std::net::TcpStream) -> Option<Hit> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_string();
    let mut headers = HashMap::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':')?;
        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
    }
    let len: usize = headers.get("content-length").and_then(|n| n.parse().ok()).unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Hit { path, headers, body: String::from_utf8(body).ok()? })
}

/// The MAC a receiver computes for a body signed at `t`.
fn mac(secret: &str, t: i64, body: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    m.update(signed_message(t, body).as_bytes());
    m.finalize().into_bytes().to_vec()
}

/// Checks a request's signature as a receiver would; returns its MACs.
fn signed_by(hit: &Hit, secret: &str) -> Vec<Vec<u8>> {
    let header = hit.headers.get("deflect-signature").expect("a Deflect-Signature header");
    let sig = parse_signature(header).unwrap_or_else(|e| panic!("{header}: {e}"));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    assert!((sig.timestamp - now).abs() < 300, "signed at {}, now {now}", sig.timestamp);
    assert_eq!(sig.macs[0], mac(secret, sig.timestamp, &hit.body), "the first v1 is made with the current secret");
    let mut tampered = hit.body.clone();
    tampered.push(' ');
    assert_ne!(sig.macs[0], mac(secret, sig.timestamp, &tampered));
    assert_ne!(sig.macs[0], mac(secret, sig.timestamp + 1, &hit.body));
    sig.macs.iter().skip(1).map(|m| m.to_vec()).collect()
}

/// The delivery once `done` holds for it (the edge records an attempt
/// after the receiver answered), waiting at most 20 s.
fn delivery_when(a: &Client, ticket: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let list = a.get(&format!("/v1/admin/webhooks/deliveries?ticket={ticket}"));
        assert_eq!(list.status, 200, "{}", list.text);
        let d = list.json()[0].clone();
        if done(&d) {
            return d;
        }
        assert!(Instant::now() < deadline, "the delivery did not get there: {d}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_rule_delivery_is_signed_kept_and_tried_again_until_the_receiver_takes_it() {
    let receiver = WebhookReceiver::start(&[500]);
    let a = admin(&edge_url());
    let marker = unique("hook");
    let secret = a.get("/v1/admin/webhooks/secret").json();
    let secret = secret["secret"].as_str().expect("secret").to_string();
    assert!(secret.starts_with("whsec_"), "{secret}");

    let r = {
        let _settings = settings_lock();
        let settings = a.get("/v1/admin/settings").json();
        let mut with_rule = settings.clone();
        with_rule["rules"].as_array_mut().expect("rules").push(json!({
            "id": marker, "name": "tell the ops channel", "on": ["ticket_created"],
            "all": [{ "field": "text", "op": "contains", "value": marker }],
            "actions": [{ "type": "notify_webhook", "url": receiver.url }],
        }));
        assert_eq!(a.json("PUT", "/v1/admin/settings", &with_rule).status, 200);
        let email = format!("{marker}@hooks.example");
        let r = create(&public(), &unique("key"), &super::ticket_body(&email, &format!("Site is down {marker}")));
        assert_eq!(a.json("PUT", "/v1/admin/settings", &settings).status, 200);
        r
    };
    assert_eq!(r.status, 201, "{}", r.text);
    let ticket = r.json()["ticket"]["id"].as_str().expect("ticket id").to_string();

    // The first attempt comes right after the ticket's response; the
    // receiver is down (500).
    let first = receiver.next();
    assert_eq!(first.path, "/hooks/deflect");
    assert_eq!(first.headers.get("deflect-event").map(String::as_str), Some("ticket.rule"));
    assert_eq!(first.headers.get("content-type").map(String::as_str), Some("application/json"));
    signed_by(&first, &secret);
    let body: Value = serde_json::from_str(&first.body).expect("a JSON body");
    assert_eq!(body["ticket"]["id"], ticket.as_str());
    assert_eq!(body["rule"], marker.as_str());
    // A link to the ticket in the dashboard, under DEFLECT_PUBLIC_URL (set
    // to the edge's own address by the harness).
    assert_eq!(body["ticket"]["url"], format!("{}/dashboard/#/ticket/{ticket}", edge_url()).as_str());
    let delivery_id = first.headers.get("deflect-delivery").expect("a delivery id").clone();

    let d = delivery_when(&a, &ticket, |d| d["attempts"] == 1);
    assert_eq!(d["id"], delivery_id.as_str());
    assert_eq!(d["state"], "pending");
    assert_eq!(d["last_status"], 500);
    assert_eq!(d["last_error"], "the receiver answered 500");
    assert_eq!(d["payload"], first.body.as_str(), "the body is kept exactly as sent");
    let wait = d["next_attempt_at"].as_i64().expect("a next attempt") - d["created_at"].as_i64().expect("created");
    assert!((60_000..70_000).contains(&wait), "the first retry waits a minute: {wait} ms");

    // Its time comes (moved here rather than waited for); the cron sends it
    // again, with the same id and body and a fresh signature.
    d1(&format!("UPDATE webhook_deliveries SET next_attempt_at = 0 WHERE id = '{delivery_id}'"));
    let mut second = None;
    for _ in 0..10 {
        assert_eq!(run_cron().status, 200);
        match receiver.hits.recv_timeout(Duration::from_secs(3)) {
            Ok(hit) => {
                second = Some(hit);
                break;
            }
            Err(_) => continue,
        }
    }
    let second = second.expect("the cron sent the delivery again");
    assert_eq!(second.headers.get("deflect-delivery"), Some(&delivery_id), "the same delivery id every attempt");
    assert_eq!(second.body, first.body);
    signed_by(&second, &secret);
    let d = delivery_when(&a, &ticket, |d| d["state"] == "delivered");
    assert_eq!(d["attempts"], 2);
    assert_eq!(d["last_status"], 200);
    assert_eq!(d["last_error"], Value::Null);
    assert_eq!(d["next_attempt_at"], Value::Null);
    assert!(d["delivered_at"].as_i64().is_some(), "{d}");

    // A new secret; for a day the previous one signs alongside it.
    let rotated = a.send("POST", "/v1/admin/webhooks/secret", &[("x-deflect-csrf", "1")], None);
    assert_eq!(rotated.status, 201, "{}", rotated.text);
    let rotated = rotated.json();
    let new_secret = rotated["secret"].as_str().expect("secret").to_string();
    assert_ne!(new_secret, secret);
    assert!(rotated["previous_valid_until"].as_i64().is_some(), "{rotated}");
    receiver.answer_next(204);
    let again =
        a.send("POST", &format!("/v1/admin/webhooks/deliveries/{delivery_id}/send"), &[("x-deflect-csrf", "1")], None);
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json()["state"], "delivered");
    assert_eq!(again.json()["attempts"], 3);
    assert_eq!(again.json()["last_status"], 204);
    let third = receiver.next();
    let previous = signed_by(&third, &new_secret);
    let t = parse_signature(&third.headers["deflect-signature"]).expect("signature").timestamp;
    assert_eq!(previous, vec![mac(&secret, t, &third.body)], "the previous secret still signs");

    let audit = a.get("/v1/admin/audit").json();
    let actions: Vec<&str> = audit.as_array().expect("audit").iter().filter_map(|e| e["action"].as_str()).collect();
    for action in ["webhook.secret.show", "webhook.secret.rotate", "webhook.resend"] {
        assert!(actions.contains(&action), "{action} is not in the audit log");
    }

    // The payload holds the ticket's subject: erasing the customer clears
    // it from the kept deliveries too.
    let subject = format!("down {marker}");
    assert!(rows_containing("webhook_deliveries", "payload", &subject) > 0);
    let customer = a.get(&format!("/v1/agent/tickets/{ticket}")).json()["customer"]["id"].as_str().map(str::to_string);
    let customer = customer.expect("customer id");
    let erased = a.send("DELETE", &format!("/v1/admin/customers/{customer}"), &[("x-deflect-csrf", "1")], None);
    assert_eq!(erased.status, 200, "{}", erased.text);
    assert_eq!(rows_containing("webhook_deliveries", "payload", &subject), 0);
}

#[test]
fn an_admin_sends_a_test_delivery_and_bad_requests_are_refused() {
    let receiver = WebhookReceiver::start(&[]);
    let a = admin(&edge_url());
    let test = |url: &str| a.json("POST", "/v1/admin/webhooks/test", &json!({ "url": url }));

    let ok = test(&receiver.url);
    assert_eq!(ok.status, 201, "{}", ok.text);
    assert_eq!(ok.json()["state"], "delivered", "{}", ok.text);
    assert_eq!(ok.json()["event"], "ping");
    let hit = receiver.next();
    assert_eq!(hit.headers.get("deflect-event").map(String::as_str), Some("ping"));
    assert_eq!(hit.headers.get("deflect-delivery").map(String::as_str), ok.json()["id"].as_str());

    // Nothing listens on a port just given back: the test fails at once,
    // in words, and is not tried again.
    let dead = TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("address").port();
    let down = test(&format!("http://127.0.0.1:{dead}/hook"));
    assert_eq!(down.status, 201, "{}", down.text);
    let down = down.json();
    assert_eq!(down["state"], "failed", "{down}");
    assert_eq!(down["attempts"], 1);
    assert!(down["last_error"].as_str().is_some_and(|e| e.starts_with("no answer")), "{down}");
    let failed = a.get("/v1/admin/webhooks/deliveries?state=failed&limit=200").json();
    assert!(failed.as_array().is_some_and(|l| l.iter().any(|d| d["id"] == down["id"])), "{failed}");

    assert_eq!(assert_error(&test("http://example.com/hook"), 422..=422), "invalid_field");
    assert!(test("ftp://127.0.0.1/x").text.contains("https://"));
    assert_error(&a.json("POST", "/v1/admin/webhooks/test", &json!({ "url": 5 })), 400..=422);
    assert_error(
        &a.json("POST", "/v1/admin/webhooks/test", &json!({ "url": "https://x.example", "extra": 1 })),
        400..=422,
    );
    for bad in ["lost", "", "%20failed"] {
        assert_error(&a.get(&format!("/v1/admin/webhooks/deliveries?state={bad}")), 422..=422);
    }
    assert_error(&a.get("/v1/admin/webhooks/deliveries?limit=100000"), 400..=422);
    let unknown =
        a.send("POST", "/v1/admin/webhooks/deliveries/no-such-delivery/send", &[("x-deflect-csrf", "1")], None);
    assert_error(&unknown, 404..=404);
    let wrong = a.send("PUT", "/v1/admin/webhooks/secret", &[("x-deflect-csrf", "1")], None);
    assert_error(&wrong, 405..=405);
    assert_eq!(wrong.header("allow"), Some("GET, HEAD, POST"));

    let agent = agent();
    assert_eq!(assert_error(&agent.get("/v1/admin/webhooks/deliveries"), 403..=403), "forbidden");
}
