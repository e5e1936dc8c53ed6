//! Identity verification: a site's server signs its logged-in customer's
//! e-mail with the site's identity secret, and the ticket the widget sends
//! with that signature is marked verified for agents.

use super::auth::agent;
use super::{assert_error, create, public};
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
