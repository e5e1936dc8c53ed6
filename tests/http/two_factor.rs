//! Two-step login: an agent sets it up with an authenticator app's codes
//! (computed here as the app would, RFC 6238), logs in with a code once per
//! step or with a recovery code once, and turns it off; an admin resets it
//! for a lost phone.

use super::assert_error;
use super::auth::{AGENT_PASSWORD as PASSWORD, new_agent_by, new_member_by};
use deflect_shared::totp::{self, counter, step};
use deflect_tests::{Client, LocalEdge, admin, dev_vars, edge_url, root, unique};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha1::Sha1;

/// The app's code for `step` of a base32 secret.
fn app_code(secret: &str, step: i64) -> String {
    let key = totp::from_base32(secret).expect("a base32 secret");
    let mut m = Hmac::<Sha1>::new_from_slice(&key).expect("any key length");
    m.update(&counter(step));
    format!("{:06}", totp::code(&m.finalize().into_bytes().into()))
}

fn now_step() -> i64 {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    step(ms)
}

fn login(email: &str, code: Option<&str>) -> (Client, deflect_tests::Reply) {
    login_at(&edge_url(), email, code)
}

fn login_at(base: &str, email: &str, code: Option<&str>) -> (Client, deflect_tests::Reply) {
    let c = Client::new(base).ip(&unique("2fa-ip"));
    let mut body = json!({ "email": email, "password": PASSWORD });
    if let Some(code) = code {
        body["code"] = json!(code);
    }
    let r = c.json("POST", "/v1/auth/login", &body);
    (c, r)
}

fn new_agent() -> (String, String) {
    new_agent_by(&admin(&edge_url()))
}

/// Sets up two-step login for a logged-in client; returns the secret and
/// the recovery codes.
fn set_up(c: &Client) -> (String, Vec<String>) {
    set_up_with(c, PASSWORD)
}

fn set_up_with(c: &Client, password: &str) -> (String, Vec<String>) {
    let wrong = c.json("POST", "/v1/auth/two-factor/setup", &json!({ "password": "not my password" }));
    assert_eq!(assert_error(&wrong, 422..=422), "invalid_field");
    let early = c.json("POST", "/v1/auth/two-factor/confirm", &json!({ "code": "123456" }));
    assert_eq!(assert_error(&early, 409..=409), "conflict", "nothing to confirm yet");

    let setup = c.json("POST", "/v1/auth/two-factor/setup", &json!({ "password": password }));
    assert_eq!(setup.status, 200, "{}", setup.text);
    let setup = setup.json();
    let secret = setup["secret"].as_str().expect("secret").to_string();
    assert_eq!(totp::from_base32(&secret).map(|k| k.len()), Some(20), "{secret}");
    let uri = setup["uri"].as_str().expect("uri");
    assert!(uri.starts_with("otpauth://totp/Deflect:") && uri.contains(&format!("secret={secret}")), "{uri}");
    assert_eq!(c.get("/v1/auth/me").json()["two_factor"], false, "not on until a code confirms it");

    let s = now_step();
    let off_by_far = c.json("POST", "/v1/auth/two-factor/confirm", &json!({ "code": app_code(&secret, s + 5) }));
    assert_error(&off_by_far, 422..=422);
    let malformed = c.json("POST", "/v1/auth/two-factor/confirm", &json!({ "code": "12ab" }));
    assert!(assert_error(&malformed, 422..=422) == "invalid_field" && malformed.text.contains("6 digits"));
    let confirmed = c.json("POST", "/v1/auth/two-factor/confirm", &json!({ "code": app_code(&secret, s) }));
    assert_eq!(confirmed.status, 200, "{}", confirmed.text);
    let codes: Vec<String> = serde_json::from_value(confirmed.json()["codes"].clone()).expect("codes");
    assert_eq!(codes.len(), 10);
    assert_eq!(c.get("/v1/auth/me").json()["two_factor"], true);
    (secret, codes)
}

#[test]
fn an_agent_turns_on_two_step_login_and_each_code_logs_in_once() {
    let (email, _) = new_agent();
    let (c, r) = login(&email, None);
    assert_eq!(r.status, 200, "{}", r.text);
    let (other, r) = login(&email, None);
    assert_eq!(r.status, 200, "{}", r.text);
    let (secret, codes) = set_up(&c);
    assert_eq!(c.get("/v1/auth/me").status, 200, "the session that turned it on stays");
    assert_eq!(other.get("/v1/auth/me").status, 401, "other sessions end");

    // The password alone is no longer enough, and no session is given.
    let (c2, r) = login(&email, None);
    assert_eq!(assert_error(&r, 401..=401), "two_factor_required");
    assert_eq!(r.header("set-cookie"), None);
    assert_eq!(c2.get("/v1/auth/me").status, 401);

    // The code confirmed at setup is used; the next step's code works once.
    let s = now_step();
    let (_, r) = login(&email, Some(&app_code(&secret, s - 1)));
    assert_eq!(assert_error(&r, 401..=401), "two_factor_failed");
    let next = app_code(&secret, s + 1);
    let (c3, r) = login(&email, Some(&next));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(c3.get("/v1/auth/me").json()["email"], email.as_str());
    let (_, replay) = login(&email, Some(&next));
    assert_eq!(assert_error(&replay, 401..=401), "two_factor_failed", "a code works once");
    let (_, wrong_password) = login(&email, None);
    assert_eq!(assert_error(&wrong_password, 401..=401), "two_factor_required");
    let bad = Client::new(&edge_url()).ip(&unique("2fa-ip"));
    let r = bad.json("POST", "/v1/auth/login", &json!({ "email": email, "password": "guess", "code": next }));
    assert_eq!(assert_error(&r, 401..=401), "invalid_credentials", "the password is checked first");

    // A recovery code works once, in any case and with spaces.
    let typed = format!(" {} ", codes[0].to_uppercase());
    let (c4, r) = login(&email, Some(&typed));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(c4.get("/v1/auth/me").status, 200);
    let (_, again) = login(&email, Some(&codes[0]));
    assert_eq!(assert_error(&again, 401..=401), "two_factor_failed");

    // New recovery codes replace the old ones. (From another address: this
    // one has spent its minute's budget of login attempts.)
    let c = c.ip(&unique("2fa-ip"));
    let renewed = c.json("POST", "/v1/auth/two-factor/recovery-codes", &json!({ "code": codes[1] }));
    assert_eq!(renewed.status, 200, "{}", renewed.text);
    let fresh: Vec<String> = serde_json::from_value(renewed.json()["codes"].clone()).expect("codes");
    let (_, old) = login(&email, Some(&codes[2]));
    assert_eq!(assert_error(&old, 401..=401), "two_factor_failed");
    let (_, r) = login(&email, Some(&fresh[0]));
    assert_eq!(r.status, 200, "{}", r.text);

    // Turning it off takes the password and a code.
    let refused = c.json("POST", "/v1/auth/two-factor/disable", &json!({ "password": PASSWORD, "code": "000000" }));
    assert_error(&refused, 422..=422);
    let again = c.json("POST", "/v1/auth/two-factor/setup", &json!({ "password": PASSWORD }));
    assert_eq!(assert_error(&again, 409..=409), "conflict");
    let off = c.json("POST", "/v1/auth/two-factor/disable", &json!({ "password": PASSWORD, "code": fresh[1] }));
    assert_eq!(off.status, 200, "{}", off.text);
    assert_eq!(off.json()["two_factor"], false);
    let (_, r) = login(&email, None);
    assert_eq!(r.status, 200, "the password alone works again: {}", r.text);

    let a = admin(&edge_url());
    let audit = a.get(&format!("/v1/admin/audit?target={}", c.get("/v1/auth/me").json()["id"].as_str().unwrap_or("")));
    let actions: Vec<Value> =
        audit.json().as_array().expect("audit").iter().map(|e| e["action"].clone()).collect::<Vec<_>>();
    for action in ["auth.two_factor_setup", "auth.two_factor_on", "auth.recovery_codes_renewed", "auth.two_factor_off"]
    {
        assert!(actions.contains(&json!(action)), "{action} is not audited: {actions:?}");
    }
}

#[test]
fn an_admin_resets_two_step_login_for_a_lost_phone() {
    let (email, id) = new_agent();
    let (c, r) = login(&email, None);
    assert_eq!(r.status, 200, "{}", r.text);
    set_up(&c);
    let a = admin(&edge_url());
    let listed = a.get("/v1/admin/agents").json();
    let me = listed.as_array().and_then(|l| l.iter().find(|x| x["id"] == id.as_str()).cloned()).expect("listed");
    assert_eq!(me["two_factor"], true, "admins see who uses it");

    let reset = a.json("PATCH", &format!("/v1/admin/agents/{id}"), &json!({ "reset_two_factor": true }));
    assert_eq!(reset.status, 200, "{}", reset.text);
    assert_eq!(reset.json()["two_factor"], false);
    assert_eq!(c.get("/v1/auth/me").status, 401, "their sessions end");
    let (_, r) = login(&email, None);
    assert_eq!(r.status, 200, "the password alone logs in again: {}", r.text);

    let too_long = Client::new(&edge_url()).ip(&unique("2fa-ip")).json(
        "POST",
        "/v1/auth/login",
        &json!({ "email": email, "password": PASSWORD, "code": "1".repeat(60) }),
    );
    assert_error(&too_long, 422..=422);
    let anonymous = Client::new(&edge_url()).ip(&unique("2fa-ip"));
    for path in ["setup", "confirm", "recovery-codes", "disable"] {
        let r = anonymous.json("POST", &format!("/v1/auth/two-factor/{path}"), &json!({}));
        assert_eq!(assert_error(&r, 401..=401), "unauthenticated", "{path}");
    }
    let wrong_method = anonymous.get("/v1/auth/two-factor/setup");
    assert_error(&wrong_method, 405..=405);
}

/// A team that requires two-step login: an agent without it can only set
/// it up; the admin cannot turn the rule on before using it themselves.
/// On an edge of its own, since the rule holds for every session.
#[test]
fn a_team_that_requires_two_step_login_lets_agents_in_once_they_use_it() {
    let persist = root().join("target/e2e-policy");
    let _ = std::fs::remove_dir_all(&persist);
    let edge = LocalEdge::start(8796, &persist).unwrap_or_else(|e| panic!("{e}"));
    let a = admin(&edge.url);
    // A second admin made an API token before the requirement.
    let (other_admin, _) = new_member_by(&a, "admin");
    let (b, r) = login_at(&edge.url, &other_admin, None);
    assert_eq!(r.status, 200, "{}", r.text);
    let token = b.json("POST", "/v1/admin/tokens", &json!({ "name": "nightly export" }));
    assert_eq!(token.status, 201, "{}", token.text);
    let bearer = format!("Bearer {}", token.json()["token"].as_str().expect("token"));
    let script = Client::new(&edge.url);
    let with_token = |method: &str, path: &str, body: Option<&Value>| {
        let text = body.map(Value::to_string).unwrap_or_default();
        script.send(method, path, &[("authorization", &bearer)], body.map(|_| ("application/json", text.as_bytes())))
    };
    assert_eq!(with_token("GET", "/v1/agent/tickets", None).status, 200);

    let mut settings = a.get("/v1/admin/settings").json();
    settings["require_two_factor"] = json!(true);
    let refused = a.json("PUT", "/v1/admin/settings", &settings);
    assert_eq!(assert_error(&refused, 409..=409), "conflict");
    assert!(refused.text.contains("lock you out"), "{}", refused.text);
    set_up_with(&a, &dev_vars().expect("edge/.dev.vars"));
    let saved = a.json("PUT", "/v1/admin/settings", &settings);
    assert_eq!(saved.status, 200, "{}", saved.text);

    let (email, _) = new_agent_by(&a);
    let (c, r) = login_at(&edge.url, &email, None);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["two_factor_required"], true);
    assert_eq!(assert_error(&c.get("/v1/agent/tickets"), 403..=403), "two_factor_setup_required");
    let reply = c.json("PATCH", "/v1/agent/customers/x", &json!({ "name": "x" }));
    assert_eq!(assert_error(&reply, 403..=403), "two_factor_setup_required");
    assert_eq!(c.get("/v1/auth/me").json()["two_factor_required"], true);

    set_up(&c);
    assert_eq!(c.get("/v1/agent/tickets").status, 200, "in once it is on");
    assert_eq!(c.get("/v1/auth/me").json()["two_factor_required"], false);
    assert_eq!(a.get("/v1/admin/settings").json()["require_two_factor"], true);

    // The token of an admin without two-step login stops working with the
    // requirement, and works again once its owner sets it up.
    let refused = with_token("GET", "/v1/agent/tickets", None);
    assert_eq!(assert_error(&refused, 403..=403), "two_factor_setup_required");
    let change = with_token("PUT", "/v1/admin/settings", Some(&settings));
    assert_eq!(assert_error(&change, 403..=403), "two_factor_setup_required");
    set_up(&b);
    let again = with_token("GET", "/v1/agent/tickets", None);
    assert_eq!(again.status, 200, "the token works once its owner uses two-step login: {}", again.text);
}
