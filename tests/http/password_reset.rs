//! An agent who forgot their password asks for a link by mail and sets a
//! new one from it: the answer does not tell who has a login, a link works
//! once and for an hour, a newer one replaces it, at most one is mailed a
//! minute, and setting the password logs every session out.

use super::auth::{AGENT_PASSWORD, new_agent_by};
use super::email::{Restore, mails_with, with_mail_site};
use super::{assert_error, d1, eventually, public, settings_lock};
use deflect_tests::{Client, admin, edge_url, unique};
use serde_json::{Value, json};

const NEW: &str = "a fresh passphrase 42";

/// The reset mails sent to `to` so far, as (subject, text).
fn reset_mails(to: &str) -> Vec<(String, String)> {
    link_mails("reset", to)
}

/// The mails of this `kind` (`reset`, `invite`) sent to `to` so far.
fn link_mails(kind: &str, to: &str) -> Vec<(String, String)> {
    mails_with(&format!("<deflect-alert.{kind}."))
        .iter()
        .filter_map(|eml| mail_parser::MessageParser::default().parse(eml.as_bytes()))
        .filter(|m| m.to().and_then(|t| t.first()).and_then(|t| t.address()) == Some(to))
        .map(|m| (m.subject().unwrap_or_default().to_string(), m.body_text(0).unwrap_or_default().to_string()))
        .collect()
}

/// The token of the link in the `n`th reset mail to `to`, once it came.
fn mailed_token(to: &str, n: usize) -> String {
    let (subject, text) = mailed("reset", to, n);
    assert_eq!(subject, "Set a new password for Deflect");
    token_in(&text)
}

/// The `n`th mail of this kind to `to`, once it came, as (subject, text).
fn mailed(kind: &str, to: &str, n: usize) -> (String, String) {
    eventually(&format!("{kind} mail {n} to {to}"), 20, || {
        let mails = link_mails(kind, to);
        mails.get(n - 1).cloned().ok_or(format!("{} so far", mails.len()))
    })
}

/// The token of the dashboard link in a mail's text.
fn token_in(text: &str) -> String {
    let link = text.split_whitespace().find(|w| w.contains("/dashboard/#/reset/")).expect("a link in the mail");
    assert!(link.starts_with(&edge_url()), "the link is to this desk: {link}");
    link.rsplit('/').next().expect("a token").to_string()
}

fn ask(email: &str) -> deflect_tests::Reply {
    public().json("POST", "/v1/auth/password-reset", &json!({ "email": email }))
}

fn confirm(token: &str, password: &str) -> deflect_tests::Reply {
    public().json("POST", "/v1/auth/password-reset/confirm", &json!({ "token": token, "new_password": password }))
}

/// The audit log's actions on agent `id`.
fn audited(a: &Client, id: &str) -> Vec<Value> {
    a.get(&format!("/v1/admin/audit?target={id}")).json().as_array().cloned().unwrap_or_default()
}

#[test]
fn an_agent_who_forgot_their_password_sets_a_new_one_from_a_mailed_link() {
    let _settings = settings_lock();
    let a = admin(&edge_url());
    let before = a.get("/v1/admin/settings").json();
    let _restore = Restore { admin: &a, settings: before.clone() };
    let (email, id) = new_agent_by(&a);

    // A desk with no address to send from says so, to anyone.
    let mut silent = before.clone();
    for site in silent["sites"].as_array_mut().expect("sites") {
        site.as_object_mut().expect("a site").remove("reply_address");
    }
    assert_eq!(a.json("PUT", "/v1/admin/settings", &silent).status, 200);
    let r = ask(&email);
    assert_eq!(assert_error(&r, 409..=409), "conflict");
    assert!(r.text.contains("ask an admin"), "{}", r.text);

    let mut settings = before.clone();
    with_mail_site(&mut settings, "Reset Shop", "help@reset.example");
    assert_eq!(a.json("PUT", "/v1/admin/settings", &settings).status, 200);

    // Bad input is refused in words; the same answer for any address.
    assert_eq!(assert_error(&ask("not an address"), 422..=422), "invalid_field");
    assert_eq!(
        assert_error(&public().send("POST", "/v1/auth/password-reset", &[], Some(("text/plain", b"x"))), 400..=415),
        "unsupported_media_type"
    );
    let stranger = format!("{}@nobody.example", unique("stranger"));
    let (known, unknown) = (ask(&format!("  {}  ", email.to_uppercase())), ask(&stranger));
    assert_eq!((known.status, unknown.status), (202, 202), "{} / {}", known.text, unknown.text);
    let said = |r: &deflect_tests::Reply, address: &str| {
        r.json()["message"].as_str().unwrap_or_default().replace(address, "…")
    };
    assert_eq!(said(&known, &email), said(&unknown, &stranger), "the answer does not tell who has a login");

    let token = mailed_token(&email, 1);
    // Asked again within the minute: no second mail, the first link stands.
    assert_eq!(ask(&email).status, 202);
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert_eq!(reset_mails(&email).len(), 1, "one mail a minute at most");

    let old_session = Client::new(&edge_url()).ip(&unique("old-session"));
    old_session.login(&email, AGENT_PASSWORD);
    assert_eq!(old_session.get("/v1/auth/me").status, 200);

    assert_eq!(assert_error(&confirm("not a/token", NEW), 422..=422), "invalid_field");
    assert_eq!(assert_error(&confirm(&token, "short"), 422..=422), "invalid_field");
    assert_eq!(assert_error(&confirm(&format!("{token}x"), NEW), 410..=410), "gone");
    let linked = Client::new(&edge_url()).ip(&unique("linked"));
    let r = linked.json("POST", "/v1/auth/password-reset/confirm", &json!({ "token": token, "new_password": NEW }));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["email"], email.as_str());
    // The browser that proved the mailbox is one this login knows from now
    // on: logging in there keeps its device cookie.
    let device = linked.cookie();
    assert!(device.starts_with("deflect_device="), "{device}");
    linked.login(&email, NEW);
    assert!(linked.cookie().contains(&device), "{} keeps {device}", linked.cookie());
    // Once only; every session ended; the new password is the one.
    let again = confirm(&token, "yet another passphrase");
    assert_eq!(assert_error(&again, 410..=410), "gone");
    assert!(again.text.contains("ask for a new one"), "{}", again.text);
    assert_eq!(assert_error(&old_session.get("/v1/auth/me"), 401..=401), "unauthenticated");
    let c = Client::new(&edge_url()).ip(&unique("after-reset"));
    let old = c.json("POST", "/v1/auth/login", &json!({ "email": email, "password": AGENT_PASSWORD }));
    assert_eq!(assert_error(&old, 401..=401), "invalid_credentials");
    c.login(&email, NEW);

    // A link past its hour, or replaced by a newer one, does nothing.
    d1(&format!("UPDATE password_resets SET created_at = created_at - 120000 WHERE agent_id = '{id}'"));
    assert_eq!(ask(&email).status, 202);
    let expired = mailed_token(&email, 2);
    d1(&format!("UPDATE password_resets SET created_at = created_at - 120000, expires_at = 1 WHERE agent_id = '{id}'"));
    assert_eq!(assert_error(&confirm(&expired, "an expired passphrase"), 410..=410), "gone");
    assert_eq!(ask(&email).status, 202);
    let replaced = mailed_token(&email, 3);
    d1(&format!("UPDATE password_resets SET created_at = created_at - 120000 WHERE agent_id = '{id}'"));
    assert_eq!(ask(&email).status, 202);
    let newest = mailed_token(&email, 4);
    assert_eq!(assert_error(&confirm(&replaced, "a replaced passphrase"), 410..=410), "gone");
    assert_eq!(d1(&format!("SELECT token_hash FROM password_resets WHERE agent_id = '{id}'")).len(), 1);
    // A deactivated agent's link sets nothing.
    assert_eq!(a.json("PATCH", &format!("/v1/admin/agents/{id}"), &json!({ "active": false })).status, 200);
    assert_eq!(assert_error(&confirm(&newest, "a deactivated passphrase"), 410..=410), "gone");
    c.get("/v1/auth/me");

    let actions: Vec<String> =
        audited(&a, &id).iter().filter_map(|e| e["action"].as_str().map(str::to_string)).collect();
    assert_eq!(actions.iter().filter(|x| *x == "auth.password_reset").count(), 1, "{actions:?}");
    assert_eq!(actions.iter().filter(|x| *x == "auth.password_reset_mailed").count(), 4, "{actions:?}");
}

#[test]
fn an_agent_added_without_a_password_is_mailed_a_link_to_choose_theirs() {
    let _settings = settings_lock();
    let a = admin(&edge_url());
    let before = a.get("/v1/admin/settings").json();
    let _restore = Restore { admin: &a, settings: before.clone() };
    let email = format!("{}@agents.example", unique("invited"));
    let new_agent = json!({ "email": email, "name": "Cy Invited", "role": "agent", "teams": ["billing"] });

    // A desk that cannot mail says so, and adds no one.
    let mut silent = before.clone();
    for site in silent["sites"].as_array_mut().expect("sites") {
        site.as_object_mut().expect("a site").remove("reply_address");
    }
    assert_eq!(a.json("PUT", "/v1/admin/settings", &silent).status, 200);
    let r = a.json("POST", "/v1/admin/agents", &new_agent);
    assert_eq!(assert_error(&r, 409..=409), "conflict");
    assert!(r.text.contains("give them a password instead"), "{}", r.text);
    let listed = a.get("/v1/admin/agents").text;
    assert!(!listed.contains(&email), "no one was added");

    let mut settings = before.clone();
    with_mail_site(&mut settings, "Invite Shop", "help@invite.example");
    assert_eq!(a.json("PUT", "/v1/admin/settings", &settings).status, 200);
    let r = a.json("POST", "/v1/admin/agents", &new_agent);
    assert_eq!(r.status, 201, "{}", r.text);
    let created = r.json();
    assert_eq!(created["invitation"], "mailed");
    assert_eq!(created["email"], email.as_str());
    let id = created["id"].as_str().expect("an id").to_string();
    // An agent given a password is not mailed.
    let given = json!({ "email": format!("{}@agents.example", unique("given")), "name": "Di", "role": "agent", "password": AGENT_PASSWORD });
    let r = a.json("POST", "/v1/admin/agents", &given);
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(r.json().get("invitation").is_none(), "{}", r.text);
    assert_eq!(r.json()["invited"], false);

    let (subject, text) = mailed("invite", &email, 1);
    let me = a.get("/v1/auth/me").json();
    let by = me["name"].as_str().expect("the admin's name");
    assert_eq!(subject, format!("{by} invited you to Invite Shop's help desk"));
    assert!(text.contains("for 7 days"), "{text}");
    let first = token_in(&text);
    let invited = |a: &Client| -> Option<bool> {
        let list = a.get("/v1/admin/agents").json();
        list.as_array()?.iter().find(|x| x["id"] == id.as_str()).and_then(|x| x["invited"].as_bool())
    };
    assert_eq!(invited(&a), Some(true));
    // Mailed again: a new link, and the first stops working.
    let again = format!("/v1/admin/agents/{id}/invitation");
    let r = a.json("POST", &again, &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["invitation"], "mailed");
    let token = token_in(&mailed("invite", &email, 2).1);
    assert_eq!(assert_error(&confirm(&first, NEW), 410..=410), "gone");
    let expires: Vec<Value> =
        d1(&format!("SELECT expires_at - created_at AS valid FROM password_resets WHERE agent_id = '{id}'"));
    assert_eq!(expires[0]["valid"].as_f64(), Some(7.0 * 24.0 * 3_600_000.0), "{expires:?}");
    // No password logs in until they choose one; then theirs does.
    let c = Client::new(&edge_url()).ip(&unique("invited-ip"));
    let r = c.json("POST", "/v1/auth/login", &json!({ "email": email, "password": AGENT_PASSWORD }));
    assert_eq!(assert_error(&r, 401..=401), "invalid_credentials");
    let r = confirm(&token, NEW);
    assert_eq!(r.status, 200, "{}", r.text);
    c.login(&email, NEW);
    assert_eq!(c.get("/v1/auth/me").json()["teams"], json!(["billing"]));
    // Answered: no longer invited, and nothing to mail again.
    assert_eq!(invited(&a), Some(false));
    let r = a.json("POST", &again, &json!({}));
    assert_eq!(assert_error(&r, 409..=409), "conflict");
    assert!(r.text.contains("not waiting for an invitation"), "{}", r.text);
    assert_eq!(
        assert_error(&a.json("POST", "/v1/admin/agents/no-such-agent/invitation", &json!({})), 404..=404),
        "not_found"
    );
    let actions: Vec<String> =
        audited(&a, &id).iter().filter_map(|e| e["action"].as_str().map(str::to_string)).collect();
    for action in ["agent.create", "auth.password_reset", "auth.login"] {
        assert!(actions.iter().any(|x| x == action), "{action} in {actions:?}");
    }
    assert_eq!(actions.iter().filter(|x| *x == "agent.invited").count(), 2, "{actions:?}");
}
