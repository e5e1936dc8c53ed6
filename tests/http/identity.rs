//! Identity verification: a site's server signs its logged-in customer's
//! e-mail with the site's identity secret; the ticket the widget sends
//! with that signature is marked verified for agents, and the customer's
//! tickets follow them to any browser.

use super::auth::agent;
use super::{assert_error, change_sites, create, public};
use deflect_tests::{Client, admin, edge_url, unique};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// What the site's server computes: HMAC-SHA256 of the e-mail, trimmed and
/// lower-cased, keyed with the secret's text, in hex.
fn sign(secret: &str, email: &str) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    m.update(email.trim().to_lowercase().as_bytes());
    m.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// An expiring signature, as the site's server makes one: the seconds
/// until which it holds, a dot, and the HMAC of the e-mail, a line break
/// and those seconds.
fn sign_until(secret: &str, email: &str, until_secs: u64) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    m.update(format!("{}\n{until_secs}", email.trim().to_lowercase()).as_bytes());
    let hex: String = m.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("{until_secs}.{hex}")
}

/// Unix seconds now.
fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs()
}

/// Opens a widget ticket for `email`, with `signature` when given; what
/// the agent's view says of its customer's identity.
fn identity_of_ticket(a: &Client, email: &str, signature: Option<&str>) -> Value {
    let mut customer = json!({ "email": email, "name": "Vera" });
    if let Some(s) = signature {
        customer["signature"] = json!(s);
    }
    let body = json!({ "site": "demo", "customer": customer, "message": "Where is my order?" });
    let r = create(&public(), &unique("k"), &body);
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["ticket"]["id"].as_str().expect("id").to_string();
    let t = a.get(&format!("/v1/agent/tickets/{id}"));
    assert_eq!(t.status, 200, "{}", t.text);
    t.json()["customer_identity"].clone()
}

#[test]
fn a_customer_the_site_signs_for_is_verified_on_the_ticket_and_the_secret_rotates() {
    let a = admin(&edge_url());
    // Only admins see the secret, and only of a site there is.
    assert_error(&agent().get("/v1/admin/identity-secret"), 403..=403);
    assert_error(&public().get("/v1/admin/identity-secret"), 401..=401);
    assert_eq!(assert_error(&a.get("/v1/admin/identity-secret?site=nowhere"), 422..=422), "invalid_field");
    let r = a.get("/v1/admin/identity-secret?site=demo");
    assert_eq!(r.status, 200, "{}", r.text);
    let first = r.json();
    let secret = first["secret"].as_str().expect("secret").to_string();
    assert!(secret.starts_with("idsec_") && secret.len() > 40, "{first}");
    assert_eq!(first["site"], "demo");
    assert_eq!(a.get("/v1/admin/identity-secret").json()["secret"], first["secret"], "the first site by default");

    let email = format!("{}@Example.com", unique("Vera"));
    // Signed by the site: verified, whatever the address's case.
    assert_eq!(identity_of_ticket(&a, &email, Some(&sign(&secret, &email))), json!("verified"));
    assert_eq!(identity_of_ticket(&a, &email, Some(&sign(&secret, &email).to_uppercase())), json!("verified"));
    // Signed for someone else, or with another secret: kept, not verified.
    let other = format!("{}@example.com", unique("mallory"));
    assert_eq!(identity_of_ticket(&a, &email, Some(&sign(&secret, &other))), json!("mismatched"));
    assert_eq!(identity_of_ticket(&a, &email, Some(&sign("idsec_guess", &email))), json!("mismatched"));
    // No signature: nothing is said.
    assert_eq!(identity_of_ticket(&a, &email, None), Value::Null);
    // An expiring one holds until its time, and not with the time changed.
    let hour = now_secs() + 3600;
    assert_eq!(identity_of_ticket(&a, &email, Some(&sign_until(&secret, &email, hour))), json!("verified"));
    let past = now_secs() - 60;
    assert_eq!(identity_of_ticket(&a, &email, Some(&sign_until(&secret, &email, past))), json!("mismatched"));
    let moved = sign_until(&secret, &email, past).replacen(&past.to_string(), &hour.to_string(), 1);
    assert_eq!(identity_of_ticket(&a, &email, Some(&moved)), json!("mismatched"));
    // Neither form passes for the other.
    let plain_as_expiring = format!("{hour}.{}", sign(&secret, &email));
    assert_eq!(identity_of_ticket(&a, &email, Some(&plain_as_expiring)), json!("mismatched"));
    // One of the wrong form does not match either, and the ticket is kept;
    // only one too long to be a signature is refused, with the field named.
    assert_eq!(identity_of_ticket(&a, &email, Some("not hex")), json!("mismatched"));
    let body = json!({ "site": "demo", "customer": { "email": email, "signature": "a".repeat(129) }, "message": "Hi" });
    let r = create(&public(), &unique("k"), &body);
    assert_eq!(assert_error(&r, 422..=422), "invalid_field");
    assert!(r.text.contains("customer.signature"), "{}", r.text);
    // An agent logging a call cannot claim one.
    let logged = json!({
        "customer": { "email": email, "signature": sign(&secret, &email) },
        "message": "Called", "channel": "phone",
    });
    let r = a.send(
        "POST",
        "/v1/agent/tickets",
        &[("idempotency-key", &unique("log")), ("x-deflect-csrf", "1")],
        Some(("application/json", logged.to_string().as_bytes())),
    );
    assert_eq!(assert_error(&r, 422..=422), "invalid_field");

    // A rotation makes a new secret; the old one's signatures verify for a
    // day alongside.
    let r = a.send("POST", "/v1/admin/identity-secret?site=demo", &[("x-deflect-csrf", "1")], None);
    assert_eq!(r.status, 201, "{}", r.text);
    let rotated = r.json();
    let new_secret = rotated["secret"].as_str().expect("secret").to_string();
    assert_ne!(new_secret, secret);
    assert_eq!(rotated["version"].as_u64(), first["version"].as_u64().map(|v| v + 1), "{rotated}");
    assert!(rotated["previous_valid_until"].as_i64().is_some(), "{rotated}");
    assert_eq!(identity_of_ticket(&a, &email, Some(&sign(&new_secret, &email))), json!("verified"));
    assert_eq!(identity_of_ticket(&a, &email, Some(&sign(&secret, &email))), json!("verified"), "within the day");
    // Looking and rotating are audited.
    let audit = a.get("/v1/admin/audit?target=demo").json();
    let actions: Vec<&str> = audit.as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
    for action in ["identity.secret.show", "identity.secret.rotate"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

/// `POST /v1/identity/tickets` for `email` on `site`.
fn own_tickets(site: &str, email: &str, signature: &str) -> deflect_tests::Reply {
    public().json("POST", "/v1/identity/tickets", &json!({ "site": site, "email": email, "signature": signature }))
}

/// A widget ticket on `site`; its id and customer token.
fn open_ticket(site: &str, email: &str, signature: Option<&str>, message: &str) -> (String, String) {
    let mut customer = json!({ "email": email });
    if let Some(s) = signature {
        customer["signature"] = json!(s);
    }
    let r = create(&public(), &unique("k"), &json!({ "site": site, "customer": customer, "message": message }));
    assert_eq!(r.status, 201, "{}", r.text);
    let j = r.json();
    (j["ticket"]["id"].as_str().expect("id").to_string(), j["token"].as_str().expect("token").to_string())
}

#[test]
fn a_verified_customer_finds_their_tickets_from_any_browser() {
    let a = admin(&edge_url());
    // A site of its own, so no other test rotates its secret meanwhile.
    let site = unique("verified").to_lowercase();
    change_sites(&a, &|list| list.push(json!({ "id": site, "name": "Verified", "allowed_origins": [] })));
    let secret =
        a.get(&format!("/v1/admin/identity-secret?site={site}")).json()["secret"].as_str().expect("secret").to_string();
    let email = format!("{}@example.com", unique("vic"));
    let signature = sign(&secret, &email);

    // No tickets yet: an empty list, not an error.
    let r = own_tickets(&site, &email, &signature);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json(), json!({ "tickets": [] }));

    // Two tickets written while signed in, one typed into a form on another
    // day, one of someone else's, and one of the customer's on another site.
    let (first, _) = open_ticket(&site, &email, Some(&signature), "My parcel is late");
    let (second, _) = open_ticket(&site, &email.to_uppercase(), None, "Can I change my address?");
    let (third, _) = open_ticket(&site, &email, Some(&signature), "Refund please");
    let other = format!("{}@example.com", unique("olga"));
    open_ticket(&site, &other, Some(&sign(&secret, &other)), "Not Vic's");
    open_ticket("demo", &email, None, "On the demo site");
    // The team answers the first; the customer then writes on the third.
    let r = a.json("POST", &format!("/v1/agent/tickets/{first}/messages"), &json!({ "body": "It ships today." }));
    assert_eq!(r.status, 201, "{}", r.text);
    std::thread::sleep(std::time::Duration::from_millis(5));

    let r = own_tickets(&site, &format!("  {}  ", email.to_uppercase()), &signature.to_uppercase());
    assert_eq!(r.status, 200, "{}", r.text);
    let list = r.json();
    let tickets = list["tickets"].as_array().expect("tickets");
    let ids: Vec<&str> = tickets.iter().filter_map(|t| t["id"].as_str()).collect();
    // The most recently active first: the first has the team's reply.
    assert_eq!(ids, [first.as_str(), third.as_str(), second.as_str()], "{list}");
    for t in tickets {
        let (id, token) = (t["id"].as_str().expect("id"), t["token"].as_str().expect("token"));
        let there = public().send("GET", &format!("/v1/tickets/{id}"), &[("x-ticket-token", token)], None);
        assert_eq!(there.status, 200, "the token reads the ticket: {}", there.text);
        assert_eq!(t["subject"], there.json()["subject"]);
        assert_eq!(t["created_at"], there.json()["created_at"]);
        // Seen up to the customer's own message: the team's reply is new.
        let customer_wrote = there.json()["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .filter(|m| m["author"] == "customer")
            .filter_map(|m| m["created_at"].as_i64())
            .max();
        assert_eq!(t["seen_at"].as_i64(), customer_wrote, "{t}");
    }
    let known: Vec<Value> =
        tickets.iter().map(|t| json!({ "id": t["id"], "token": t["token"], "seen_at": t["seen_at"] })).collect();
    let unread = public().json("POST", "/v1/unread", &json!({ "tickets": known }));
    assert_eq!(unread.json()["unread"], json!([first]), "{}", unread.text);

    // Anything but the site's signature of this e-mail is refused, and says
    // nothing of the customer's tickets.
    for wrong in [sign(&secret, &other), sign("idsec_guess", &email), "ab".repeat(32)] {
        let r = own_tickets(&site, &email, &wrong);
        assert_eq!(assert_error(&r, 403..=403), "forbidden");
        assert!(!r.text.contains(&first), "{}", r.text);
    }
    assert_eq!(assert_error(&own_tickets("demo", &email, &signature), 403..=403), "forbidden", "another site's");
    // An expiring signature lists them until its time, then says why not.
    let r = own_tickets(&site, &email, &sign_until(&secret, &email, now_secs() + 600));
    assert_eq!(r.json()["tickets"].as_array().map(Vec::len), Some(3), "{}", r.text);
    let r = own_tickets(&site, &email, &sign_until(&secret, &email, now_secs() - 1));
    assert_eq!(assert_error(&r, 403..=403), "forbidden");
    assert!(r.text.contains("the signature has expired"), "{}", r.text);
    for (site, email, signature, field) in [
        ("no-such-site", email.as_str(), signature.as_str(), "site"),
        (site.as_str(), "not an e-mail", signature.as_str(), "email"),
        (site.as_str(), email.as_str(), "not hex", "signature"),
        (site.as_str(), email.as_str(), "", "signature"),
    ] {
        let r = own_tickets(site, email, signature);
        assert_eq!(assert_error(&r, 422..=422), "invalid_field");
        assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.starts_with(field)), "{}", r.text);
    }
    let extra = json!({ "site": site, "email": email, "signature": signature, "admin": true });
    assert_error(&public().json("POST", "/v1/identity/tickets", &extra), 400..=422);
    assert_error(&public().send("GET", "/v1/identity/tickets", &[], None), 405..=405);

    // A ticket merged into another is left out: its conversation goes on
    // in the other.
    let r = a.json("POST", &format!("/v1/agent/tickets/{second}/merge"), &json!({ "into": third }));
    assert_eq!(r.status, 200, "{}", r.text);
    let ids: Vec<String> = own_tickets(&site, &email, &signature).json()["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .filter_map(|t| t["id"].as_str().map(str::to_string))
        .collect();
    assert!(!ids.contains(&second) && ids.contains(&third), "{ids:?}");

    // Once the customer is erased, nothing is listed.
    let customer = a.get(&format!("/v1/agent/tickets/{first}")).json()["customer"]["id"]
        .as_str()
        .expect("customer id")
        .to_string();
    let r = a.send("DELETE", &format!("/v1/admin/customers/{customer}"), &[("x-deflect-csrf", "1")], None);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(own_tickets(&site, &email, &signature).json(), json!({ "tickets": [] }));
    change_sites(&a, &|list| list.retain(|s| s["id"] != site.as_str()));
}

#[test]
fn a_site_that_requires_it_takes_widget_tickets_only_from_customers_it_signed_in() {
    let a = admin(&edge_url());
    let site = unique("members").to_lowercase();
    change_sites(&a, &|list| {
        list.push(json!({ "id": site, "name": "Members only", "allowed_origins": [], "require_identity": true }))
    });
    let secret =
        a.get(&format!("/v1/admin/identity-secret?site={site}")).json()["secret"].as_str().expect("secret").to_string();
    let email = format!("{}@example.com", unique("member"));
    let widget = |signature: Option<String>, message: &str| {
        let mut customer = json!({ "email": email });
        if let Some(s) = signature {
            customer["signature"] = json!(s);
        }
        create(&public(), &unique("k"), &json!({ "site": site, "customer": customer, "message": message }))
    };
    // Without the site's signature, or with a wrong one: refused, in
    // words, and nothing is kept.
    let marker = unique("refused");
    for signature in [None, Some(sign(&secret, "someone@example.com")), Some("not hex".to_string())] {
        let r = widget(signature, &format!("Let me in {marker}"));
        assert_eq!(assert_error(&r, 403..=403), "forbidden");
        assert!(r.text.contains("only customers signed in on this site can write from its widget"), "{}", r.text);
    }
    assert_eq!(super::rows_containing("messages", "body", &marker), 0);
    // Signed by the site: taken, and verified.
    let r = widget(Some(sign(&secret, &email)), "Where is my order?");
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["ticket"]["id"].as_str().expect("id").to_string();
    assert_eq!(a.get(&format!("/v1/agent/tickets/{id}")).json()["customer_identity"], "verified");
    // The setting is kept and shown; other sites are not affected.
    let settings = a.get("/v1/admin/settings").json();
    let mine = settings["sites"].as_array().expect("sites").iter().find(|s| s["id"] == site.as_str()).cloned();
    assert_eq!(mine.map(|s| s["require_identity"].clone()), Some(json!(true)));
    let demo = json!({ "site": "demo", "customer": { "email": email }, "message": "Hello from the demo" });
    assert_eq!(create(&public(), &unique("k"), &demo).status, 201);
    // An agent still logs the customer's call.
    let logged = json!({ "site": site, "customer": { "email": email }, "message": "Called about the order", "channel": "phone" });
    let r = a.send(
        "POST",
        "/v1/agent/tickets",
        &[("idempotency-key", &unique("log")), ("x-deflect-csrf", "1")],
        Some(("application/json", logged.to_string().as_bytes())),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    change_sites(&a, &|list| list.retain(|s| s["id"] != site.as_str()));
}

#[test]
fn a_site_that_limits_signature_lifetimes_takes_only_signatures_that_expire_soon() {
    let a = admin(&edge_url());
    let site = unique("brief").to_lowercase();
    change_sites(&a, &|list| {
        list.push(json!({ "id": site, "name": "Brief signatures", "allowed_origins": [], "signature_max_hours": 2 }))
    });
    let secret =
        a.get(&format!("/v1/admin/identity-secret?site={site}")).json()["secret"].as_str().expect("secret").to_string();
    let email = format!("{}@example.com", unique("brief"));
    let ticket_identity = |signature: &str| {
        let body = json!({ "site": site, "customer": { "email": email, "signature": signature }, "message": "Hello" });
        let r = create(&public(), &unique("k"), &body);
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.json()["ticket"]["id"].as_str().expect("id").to_string();
        a.get(&format!("/v1/agent/tickets/{id}")).json()["customer_identity"].clone()
    };
    // Within the limit: verified, and the list answers.
    let soon = sign_until(&secret, &email, now_secs() + 3_600);
    assert_eq!(ticket_identity(&soon), json!("verified"));
    let r = own_tickets(&site, &email, &soon);
    assert_eq!(r.json()["tickets"].as_array().map(Vec::len), Some(1), "{}", r.text);
    // The site's own signature without a time, or with a later one: the
    // ticket is kept but not verified, and the list says why not.
    for long in [sign(&secret, &email), sign_until(&secret, &email, now_secs() + 3 * 3_600)] {
        assert_eq!(ticket_identity(&long), json!("mismatched"));
        let r = own_tickets(&site, &email, &long);
        assert_eq!(assert_error(&r, 403..=403), "forbidden");
        assert!(r.text.contains("only signatures that expire within 2 hours"), "{}", r.text);
    }
    // Where sign-in is required too, the widget is told to reload the page.
    change_sites(&a, &|list| {
        for s in list.iter_mut().filter(|s| s["id"] == site.as_str()) {
            s["require_identity"] = json!(true);
        }
    });
    let body =
        json!({ "site": site, "customer": { "email": email, "signature": sign(&secret, &email) }, "message": "Again" });
    let r = create(&public(), &unique("k"), &body);
    assert_eq!(assert_error(&r, 403..=403), "forbidden");
    assert!(r.text.contains("sign-in has expired: reload the page"), "{}", r.text);
    // Out of range: refused in words, nothing changed.
    let mut settings = a.get("/v1/admin/settings").json();
    for s in settings["sites"].as_array_mut().expect("sites").iter_mut().filter(|s| s["id"] == site.as_str()) {
        s["signature_max_hours"] = json!(0);
    }
    let r = a.json("PUT", "/v1/admin/settings", &settings);
    assert_eq!(assert_error(&r, 422..=422), "invalid_field");
    assert!(r.text.contains("signature_max_hours"), "{}", r.text);
    change_sites(&a, &|list| list.retain(|s| s["id"] != site.as_str()));
}
