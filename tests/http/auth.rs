//! Authentication and roles on the agent and admin API.

use super::{assert_error, cron_paused, public, settings_lock};
use deflect_tests::{ADMIN_EMAIL, Client, admin, edge_persist, edge_url, kv_get, kv_put, unique};
use serde_json::json;

const AGENT_ROUTES: [(&str, &str); 9] = [
    ("GET", "/v1/agent/tickets"),
    ("GET", "/v1/agent/saved-replies"),
    ("GET", "/v1/agent/tickets/some-id"),
    ("GET", "/v1/agent/metrics"),
    ("GET", "/v1/agent/articles"),
    ("GET", "/v1/agent/tickets.csv"),
    ("GET", "/v1/agent/articles/some-id/revisions"),
    ("GET", "/v1/agent/kb/deleted"),
    ("GET", "/v1/auth/me"),
];

const ADMIN_ROUTES: [(&str, &str); 13] = [
    ("GET", "/v1/admin/settings"),
    ("PUT", "/v1/admin/settings"),
    ("POST", "/v1/admin/articles"),
    ("POST", "/v1/admin/kb/publish"),
    ("GET", "/v1/admin/kb/export"),
    ("PUT", "/v1/admin/kb/categories"),
    ("POST", "/v1/admin/agents"),
    ("GET", "/v1/admin/audit"),
    ("GET", "/v1/admin/webhooks/deliveries"),
    ("GET", "/v1/admin/webhooks/secret"),
    ("POST", "/v1/admin/webhooks/secret"),
    ("POST", "/v1/admin/webhooks/test"),
    ("POST", "/v1/admin/articles/some-id/revisions/1/restore"),
];

#[test]
fn anonymous_requests_get_401() {
    let c = public();
    for (method, path) in AGENT_ROUTES.iter().chain(&ADMIN_ROUTES) {
        let r = c.send(method, path, &[("x-deflect-csrf", "1")], Some(("application/json", b"{}")));
        assert_eq!(assert_error(&r, 401..=401), "unauthenticated", "{method} {path}");
    }
    let forged = c.send("GET", "/v1/agent/tickets", &[("cookie", "deflect_session=forged")], None);
    assert_error(&forged, 401..=401);
    let bearer = c.send("GET", "/v1/agent/tickets", &[("authorization", "Bearer not-a-token")], None);
    assert_error(&bearer, 401..=401);
}

pub(super) const AGENT_PASSWORD: &str = "correct horse battery";

/// Creates an agent (not admin) with [`AGENT_PASSWORD`]; returns the
/// e-mail.
fn new_agent() -> String {
    new_agent_by(&admin(&edge_url())).0
}

/// An agent (not admin) with [`AGENT_PASSWORD`], created by the admin
/// logged in as `a`; returns the e-mail and the id.
pub(super) fn new_agent_by(a: &Client) -> (String, String) {
    new_member_by(a, "agent")
}

/// A new member of staff with `role` (`agent` or `admin`) and
/// [`AGENT_PASSWORD`], made by the admin `a`; returns their e-mail and id.
pub(super) fn new_member_by(a: &Client, role: &str) -> (String, String) {
    let email = format!("{}@agents.example", unique(role));
    let r = a.json(
        "POST",
        "/v1/admin/agents",
        &json!({ "email": email, "name": "Agent Smith", "role": role, "password": AGENT_PASSWORD }),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    (email, r.json()["id"].as_str().expect("id").to_string())
}

/// A client logged in as `email`, from its own address.
fn logged_in(email: &str, password: &str) -> Client {
    let c = Client::new(&edge_url()).ip(&unique("agent-ip"));
    c.login(email, password);
    c
}

/// An agent (not admin) created by the admin; returns a logged-in client.
pub(super) fn agent() -> Client {
    logged_in(&new_agent(), AGENT_PASSWORD)
}

#[test]
fn agents_cannot_use_admin_routes() {
    let c = agent();
    for (method, path) in &ADMIN_ROUTES {
        let r = c.send(method, path, &[("x-deflect-csrf", "1")], Some(("application/json", b"{}")));
        assert_eq!(assert_error(&r, 403..=403), "forbidden", "{method} {path}");
    }
    // The agent routes work.
    assert_eq!(c.get("/v1/agent/tickets").status, 200);
    assert_eq!(c.get("/v1/auth/me").json()["role"], "agent");
}

#[test]
fn wrong_passwords_are_refused_alike() {
    let c = public();
    let wrong = c.json("POST", "/v1/auth/login", &json!({ "email": ADMIN_EMAIL, "password": "wrong password!" }));
    let nobody_at = format!("{}@example.com", unique("nobody"));
    let nobody = c.json("POST", "/v1/auth/login", &json!({ "email": nobody_at, "password": "whatever12345" }));
    assert_eq!(assert_error(&wrong, 401..=401), "invalid_credentials");
    assert_eq!(assert_error(&nobody, 401..=401), "invalid_credentials");
    assert_eq!(wrong.json()["error"]["message"], nobody.json()["error"]["message"]);
}

#[test]
fn the_session_cookie_is_locked_down_and_logout_ends_it() {
    let c = Client::new(&edge_url()).ip(&unique("cookie"));
    let password = deflect_tests::dev_vars().unwrap();
    let r = c.json("POST", "/v1/auth/login", &json!({ "email": ADMIN_EMAIL, "password": password }));
    let cookie = r.header("set-cookie").expect("a session cookie").to_string();
    for attr in ["HttpOnly", "Secure", "SameSite=Strict"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    assert_eq!(c.get("/v1/auth/me").status, 200);
    // Changes need the CSRF header even with a valid cookie.
    let stolen = cookie.split(';').next().unwrap().to_string();
    let r = c.send("POST", "/v1/admin/kb/publish", &[("cookie", &stolen)], None);
    assert_eq!(assert_error(&r, 403..=403), "forbidden", "a cookie-only change without the CSRF header");
    assert_eq!(c.json("POST", "/v1/auth/logout", &json!({})).status, 204);
    let after = Client::new(&edge_url()).ip(&unique("after"));
    assert_error(&after.send("GET", "/v1/auth/me", &[("cookie", &stolen)], None), 401..=401);
}

#[test]
fn api_tokens_authenticate_scripts() {
    let a = admin(&edge_url());
    let r = a.json("POST", "/v1/admin/tokens", &json!({ "name": "ci" }));
    assert_eq!(r.status, 201, "{}", r.text);
    let token = r.json()["token"].as_str().expect("a token").to_string();
    let script = Client::new(&edge_url()).ip(&unique("script"));
    let me = script.send("GET", "/v1/auth/me", &[("authorization", &format!("Bearer {token}"))], None);
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.json()["role"], "admin");
}

#[test]
fn logins_are_rate_limited() {
    let c = public();
    let mut statuses = Vec::new();
    // Addresses of their own, so no login waits for its own failures here.
    let x = |i: usize| json!({ "email": format!("{}@example.com", unique(&format!("x{i}"))), "password": "nope-nope-nope" });
    for i in 0..12 {
        let r = c.json("POST", "/v1/auth/login", &x(i));
        statuses.push(r.status);
    }
    assert!(statuses.contains(&429), "no 429 after 12 failed logins: {statuses:?}");
    let last = c.json("POST", "/v1/auth/login", &x(12));
    assert_eq!(assert_error(&last, 429..=429), "rate_limited");
    assert!(last.header("retry-after").is_some());
}

#[test]
fn agents_change_their_own_password_and_their_other_sessions_end() {
    let email = new_agent();
    let here = logged_in(&email, AGENT_PASSWORD);
    let elsewhere = logged_in(&email, AGENT_PASSWORD);
    let change = |current: &str, new: &str| {
        here.json("POST", "/v1/auth/password", &json!({ "current_password": current, "new_password": new }))
    };
    const NEW: &str = "a brand new passphrase";

    let wrong = change("not my password at all", NEW);
    assert_eq!(assert_error(&wrong, 422..=422), "invalid_field");
    assert_eq!(wrong.json()["error"]["field"], "current_password");
    let short = change(AGENT_PASSWORD, "short");
    assert_eq!(short.json()["error"]["field"], "new_password", "{}", short.text);
    let same = change(AGENT_PASSWORD, AGENT_PASSWORD);
    assert_eq!(same.json()["error"]["field"], "new_password", "{}", same.text);
    // Nothing changed yet.
    assert_eq!(elsewhere.get("/v1/auth/me").status, 200);

    let r = change(AGENT_PASSWORD, NEW);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["email"], email.as_str());
    assert!(r.header("set-cookie").is_some_and(|c| c.contains("HttpOnly")), "a new session cookie");
    // This browser stays logged in; the other one is logged out.
    assert_eq!(here.get("/v1/auth/me").status, 200);
    assert_error(&elsewhere.get("/v1/auth/me"), 401..=401);
    // The old password no longer opens the account; the new one does.
    let c = Client::new(&edge_url()).ip(&unique("after-change"));
    let old = c.json("POST", "/v1/auth/login", &json!({ "email": email, "password": AGENT_PASSWORD }));
    assert_eq!(assert_error(&old, 401..=401), "invalid_credentials");
    c.login(&email, NEW);

    let id = r.json()["id"].as_str().expect("the agent's id").to_string();
    let audit = admin(&edge_url()).get(&format!("/v1/admin/audit?target={id}")).json();
    let actions: Vec<&str> =
        audit.as_array().expect("an audit list").iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"auth.password_changed"), "{actions:?}");
}

#[test]
fn changing_a_password_needs_a_session_and_the_csrf_header() {
    let body = json!({ "current_password": AGENT_PASSWORD, "new_password": "a brand new passphrase" });
    let anonymous = public().json("POST", "/v1/auth/password", &body);
    assert_error(&anonymous, 401..=401);
    let c = agent();
    let bytes = body.to_string();
    let r = c.send("POST", "/v1/auth/password", &[], Some(("application/json", bytes.as_bytes())));
    assert_eq!(assert_error(&r, 403..=403), "forbidden", "a cookie change without the CSRF header");
}

#[test]
fn api_tokens_are_listed_without_their_secret_and_revoked_at_once() {
    let a = admin(&edge_url());
    let name = unique("nightly export");
    let r = a.json("POST", "/v1/admin/tokens", &json!({ "name": name }));
    assert_eq!(r.status, 201, "{}", r.text);
    let (token, id) = (r.json()["token"].as_str().unwrap().to_string(), r.json()["id"].as_str().unwrap().to_string());
    let script = Client::new(&edge_url()).ip(&unique("script"));
    let bearer = format!("Bearer {token}");
    assert_eq!(script.send("GET", "/v1/auth/me", &[("authorization", &bearer)], None).status, 200);

    let list = a.get("/v1/admin/tokens");
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(!list.text.contains(&token), "the list shows a token itself");
    let mine = list.json().as_array().unwrap().iter().find(|t| t["name"] == name.as_str()).cloned().expect("listed");
    assert_eq!(mine["id"], id.as_str());
    assert_eq!(mine["agent_name"], "Admin");
    assert!(mine["last_used_at"].as_i64().is_some(), "the use above is recorded: {mine}");

    // Agents may neither list nor revoke.
    let agent = agent();
    assert_error(&agent.get("/v1/admin/tokens"), 403..=403);
    let path = format!("/v1/admin/tokens/{id}");
    assert_error(&agent.send("DELETE", &path, &[("x-deflect-csrf", "1")], None), 403..=403);

    let revoked = a.send("DELETE", &path, &[("x-deflect-csrf", "1")], None);
    assert_eq!(revoked.status, 204, "{}", revoked.text);
    assert_error(&script.send("GET", "/v1/auth/me", &[("authorization", &bearer)], None), 401..=401);
    assert_eq!(assert_error(&a.send("DELETE", &path, &[("x-deflect-csrf", "1")], None), 404..=404), "not_found");
    assert!(!a.get("/v1/admin/tokens").text.contains(&id), "a revoked token is still listed");
    for bad in ["not-an-id", "%27%20OR%201%3D1", "0123456789abcdef0"] {
        let r = a.send("DELETE", &format!("/v1/admin/tokens/{bad}"), &[("x-deflect-csrf", "1")], None);
        assert_error(&r, 404..=404);
    }
}

/// Admins keep the saved replies in the settings, where a template with an
/// unknown placeholder is refused in words; every agent reads them.
#[test]
fn admins_edit_saved_replies_and_agents_read_them() {
    let a = admin(&edge_url());
    let _settings = settings_lock();
    let mut settings = a.get("/v1/admin/settings").json();
    let title = unique("Saved reply");
    let mut bad = settings.clone();
    bad["saved_replies"] = json!([{ "title": title, "body": "Hi {{customer.nickname}}" }]);
    let r = a.json("PUT", "/v1/admin/settings", &bad);
    assert_error(&r, 422..=422);
    assert_eq!(r.json()["error"]["field"], "saved_replies[0].body", "{}", r.text);
    assert!(r.text.contains("unknown placeholder {{customer.nickname}}"), "{}", r.text);
    // A saved reply that would reopen the ticket it answers is refused.
    bad["saved_replies"] = json!([{ "title": title, "body": "Hi", "then_status": "open" }]);
    let r = a.json("PUT", "/v1/admin/settings", &bad);
    assert_error(&r, 422..=422);
    assert_eq!(r.json()["error"]["field"], "saved_replies[0].then_status", "{}", r.text);

    let body = "Hi {{customer.first_name|there}}, we are on it. {{agent.name}}";
    let replies = settings["saved_replies"].as_array_mut().expect("the settings have saved replies");
    replies.push(json!({ "title": format!("  {title}  "), "body": body }));
    let macro_title = unique("Refunded");
    replies.push(json!({
        "title": macro_title, "body": "Refunded.", "then_status": "solved", "add_tags": [" refund ", "refund", "billing"],
    }));
    let r = a.json("PUT", "/v1/admin/settings", &settings);
    assert_eq!(r.status, 200, "{}", r.text);
    let listed = agent().get("/v1/agent/saved-replies");
    assert_eq!(listed.status, 200, "{}", listed.text);
    let list = listed.json();
    let list = list.as_array().expect("a list");
    let plain = list.iter().find(|r| r["title"] == title.as_str()).expect("the saved reply, its title trimmed");
    assert_eq!(plain, &json!({ "title": title, "body": body }), "nothing more than its text");
    let refund = list.iter().find(|r| r["title"] == macro_title.as_str()).expect("the macro");
    assert_eq!(refund["then_status"], "solved");
    assert_eq!(refund["add_tags"], json!(["refund", "billing"]), "trimmed, once each");
}

/// An agent sees where they are logged in (browser and address) and ends
/// one session, or all but the one they use; nobody else can end theirs.
#[test]
fn an_agent_sees_their_sessions_and_ends_the_others() {
    let email = new_agent();
    let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                  Version/18.1 Mobile/15E148 Safari/604.1";
    let phone_ip = unique("phone");
    let phone = Client::new(&edge_url()).ip(&phone_ip);
    let body = json!({ "email": email, "password": AGENT_PASSWORD }).to_string();
    let r = phone.send(
        "POST",
        "/v1/auth/login",
        &[("user-agent", iphone), ("x-deflect-csrf", "1")],
        Some(("application/json", body.as_bytes())),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let desk = logged_in(&email, AGENT_PASSWORD);

    let list = desk.get("/v1/auth/sessions");
    assert_eq!(list.status, 200, "{}", list.text);
    let list = list.json();
    let sessions = list.as_array().expect("sessions");
    assert_eq!(sessions.len(), 2, "{list}");
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1, "{list}");
    let on_phone = sessions.iter().find(|s| s["current"] == false).expect("the phone's session");
    assert_eq!(on_phone["device"], "Safari on iOS");
    assert_eq!(on_phone["ip"], phone_ip.as_str());
    assert!(!list.to_string().contains("deflect_session"), "no secret is listed");

    let id = on_phone["id"].as_str().expect("id").to_string();
    let stranger = agent();
    let theirs = stranger.send("DELETE", &format!("/v1/auth/sessions/{id}"), &[("x-deflect-csrf", "1")], None);
    assert_eq!(assert_error(&theirs, 404..=404), "not_found", "another agent cannot end it");
    assert_eq!(phone.get("/v1/auth/me").status, 200);
    let ended = desk.send("DELETE", &format!("/v1/auth/sessions/{id}"), &[("x-deflect-csrf", "1")], None);
    assert_eq!(ended.status, 204, "{}", ended.text);
    assert_eq!(phone.get("/v1/auth/me").status, 401, "the phone is logged out");
    let again = desk.send("DELETE", &format!("/v1/auth/sessions/{id}"), &[("x-deflect-csrf", "1")], None);
    assert_error(&again, 404..=404);
    assert_error(&desk.send("DELETE", "/v1/auth/sessions/not-an-id", &[("x-deflect-csrf", "1")], None), 404..=404);

    let laptop = logged_in(&email, AGENT_PASSWORD);
    let others = desk.send("POST", "/v1/auth/sessions/end-others", &[("x-deflect-csrf", "1")], None);
    assert_eq!(others.status, 204, "{}", others.text);
    assert_eq!(laptop.get("/v1/auth/me").status, 401);
    assert_eq!(desk.get("/v1/auth/me").status, 200, "the session asking stays");
    assert_eq!(desk.get("/v1/auth/sessions").json().as_array().map(Vec::len), Some(1));
    assert_error(&Client::new(&edge_url()).ip(&unique("anon")).get("/v1/auth/sessions"), 401..=401);
}

/// An agent away (off shift) gets no new tickets: they say so themselves,
/// or an admin does; it shows in `me` and the agents list, and is audited.
#[test]
fn an_agent_marks_themselves_away_and_back() {
    let a = admin(&edge_url());
    let (email, id) = new_agent_by(&a);
    let c = logged_in(&email, AGENT_PASSWORD);
    assert_eq!(c.get("/v1/auth/me").json()["away"], false);
    let r = c.json("PUT", "/v1/auth/away", &json!({ "away": true }));
    assert_eq!((r.status, r.json()["away"].as_bool()), (200, Some(true)), "{}", r.text);
    assert_eq!(c.get("/v1/auth/me").json()["away"], true);
    let listed = a.get("/v1/admin/agents").json();
    let row = listed.as_array().unwrap().iter().find(|x| x["id"] == id.as_str()).expect("listed").clone();
    assert_eq!(row["away"], true);

    // They are the whole of a team that a rule gives the tickets that
    // mention it: while they are away such a ticket waits unassigned, once
    // back it is theirs.
    let team = unique("night").to_lowercase();
    assert_eq!(a.json("PATCH", &format!("/v1/admin/agents/{id}"), &json!({ "teams": [team] })).status, 200);
    let assignees: Vec<serde_json::Value> = {
        let _settings = settings_lock();
        let settings = a.get("/v1/admin/settings").json();
        let mut with_rule = settings.clone();
        with_rule["rules"].as_array_mut().expect("rules").push(json!({
            "id": team, "name": "to the night shift", "on": ["ticket_created"],
            "all": [{ "field": "text", "op": "contains", "value": team }],
            "actions": [{ "type": "assign_team", "team": team }],
        }));
        assert_eq!(a.json("PUT", "/v1/admin/settings", &with_rule).status, 200);
        let mut assignees = Vec::new();
        for back in [false, true] {
            if back {
                assert_eq!(c.json("PUT", "/v1/auth/away", &json!({ "away": false })).status, 200);
            }
            let body = super::ticket_body(&format!("{team}@example.com"), &format!("help {team}"));
            let r = super::create(&public(), &unique("away"), &body);
            assert_eq!(r.status, 201, "{}", r.text);
            let ticket = r.json()["ticket"]["id"].as_str().expect("id").to_string();
            assignees.push(a.get(&format!("/v1/agent/tickets/{ticket}")).json()["ticket"]["assignee"].clone());
        }
        assert_eq!(a.json("PUT", "/v1/admin/settings", &settings).status, 200);
        assignees
    };
    assert_eq!(assignees, [serde_json::Value::Null, json!(id)]);

    let r = a.json("PATCH", &format!("/v1/admin/agents/{id}"), &json!({ "away": true }));
    assert_eq!((r.status, r.json()["away"].as_bool()), (200, Some(true)), "{}", r.text);
    assert_eq!(c.json("PUT", "/v1/auth/away", &json!({ "away": false })).json()["away"], false);
    for bad in [json!({ "away": "yes" }), json!({}), json!({ "away": true, "until": 5 })] {
        assert_error(&c.json("PUT", "/v1/auth/away", &bad), 400..=422);
    }
    assert_error(&public().json("PUT", "/v1/auth/away", &json!({ "away": true })), 401..=401);
    let audit = a.get(&format!("/v1/admin/audit?target={id}&action=agent")).json();
    let actions: Vec<&str> = audit.as_array().unwrap().iter().filter_map(|l| l["action"].as_str()).collect();
    assert_eq!(
        actions,
        ["agent.back", "agent.update", "agent.back", "agent.update", "agent.away", "agent.create"],
        "newest first"
    );
}

/// The audit log reads by target, actor and action (one, or an area), in
/// pages, with the agent's name; every action recorded in this run has
/// words for the people who read the log.
#[test]
fn the_audit_log_is_filtered_and_read_in_pages() {
    let a = admin(&edge_url());
    let me = a.get("/v1/auth/me").json();
    let id = unique("audited").to_lowercase();
    let path = format!("/v1/admin/articles/{id}?site=demo");
    let article = json!({ "id": id, "title": "Audited article", "body": "Text." });
    assert_eq!(a.json("POST", "/v1/admin/articles?site=demo", &article).status, 201);
    assert_eq!(a.json("PUT", &path, &article).status, 200);
    assert_eq!(a.send("DELETE", &path, &[("x-deflect-csrf", "1")], None).status, 204);

    let read = |query: &str| {
        let r = a.get(&format!("/v1/admin/audit?target={id}{query}"));
        assert_eq!(r.status, 200, "{}", r.text);
        r.json().as_array().expect("a list").clone()
    };
    let actions = |lines: &[serde_json::Value]| -> Vec<String> {
        lines.iter().map(|l| l["action"].as_str().unwrap_or_default().to_string()).collect()
    };
    let all = read("");
    assert_eq!(actions(&all), ["article.delete", "article.update", "article.create"]);
    assert!(all.iter().all(|l| l["actor"] == me["id"] && l["actor_name"] == me["name"]), "{all:?}");
    assert_eq!(actions(&read("&action=article")), actions(&all));
    assert_eq!(actions(&read("&action=article.update")), ["article.update"]);
    assert!(read("&action=ticket").is_empty());
    assert_eq!(read(&format!("&actor={}", me["id"].as_str().unwrap())).len(), 3);
    assert!(read("&actor=system").is_empty());

    // One line a page: each page's last line leads to the next.
    let mut paged = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = read(&format!("&limit=1{cursor}"));
        let Some(last) = page.last() else { break };
        cursor = format!("&before={}-{}", last["at"], last["id"].as_str().unwrap());
        paged.extend(page);
        assert!(paged.len() <= 3, "{paged:?}");
    }
    assert_eq!(paged, all);

    for bad in
        ["&before=yesterday", "&before=12-", "&before=", "&before=%2B12-x", "&action=Article%20Update", "&action="]
    {
        assert_error(&a.get(&format!("/v1/admin/audit?target={id}{bad}")), 422..=422);
    }
    let recent = a.get("/v1/admin/audit?limit=1000").json();
    let unknown: Vec<&str> = recent
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["action"].as_str())
        .filter(|a| deflect_shared::audit::describe(a).is_none())
        .collect();
    assert!(unknown.is_empty(), "actions without words in shared::audit: {unknown:?}");
}

/// Saves the settings `body` as the admin `c`, only while they are as
/// `if_match` says.
fn save_settings_if(c: &Client, body: &serde_json::Value, if_match: &str) -> deflect_tests::Reply {
    c.send(
        "PUT",
        "/v1/admin/settings",
        &[("if-match", if_match), ("x-deflect-csrf", "1")],
        Some(("application/json", body.to_string().as_bytes())),
    )
}

/// The settings with one more site, `id`, that no page may embed.
fn with_site(settings: &serde_json::Value, id: &str) -> serde_json::Value {
    let mut s = settings.clone();
    s["sites"].as_array_mut().expect("sites").push(json!({ "id": id, "name": id, "allowed_origins": [] }));
    s
}

#[test]
fn a_settings_save_from_an_old_copy_is_refused_and_changes_nothing() {
    let a = admin(&edge_url());
    let _settings = settings_lock();
    let r = a.get("/v1/admin/settings");
    let read_at = r.header("etag").expect("an ETag").to_string();
    let (mine, theirs) = (unique("mine").to_lowercase(), unique("theirs").to_lowercase());
    let put = |body: &serde_json::Value, if_match: &str| save_settings_if(&a, body, if_match);
    // A colleague saves from the same copy first.
    let r = put(&with_site(&r.json(), &theirs), &read_at);
    assert_eq!(r.status, 200, "{}", r.text);
    let now_at = r.header("etag").expect("a new ETag").to_string();
    assert_ne!(now_at, read_at);
    // A save from the old copy would undo their change: refused, in words.
    let old = a.get("/v1/admin/settings").json();
    let mut stale = old.clone();
    stale["sites"].as_array_mut().expect("sites").retain(|s| s["id"] != theirs.as_str());
    let r = put(&with_site(&stale, &mine), &read_at);
    assert_eq!(assert_error(&r, 412..=412), "edit_conflict");
    assert!(r.text.contains("changed after you opened them"), "{}", r.text);
    let ids = |s: &serde_json::Value| -> Vec<String> {
        s["sites"].as_array().expect("sites").iter().filter_map(|s| s["id"].as_str().map(str::to_string)).collect()
    };
    let kept = a.get("/v1/admin/settings");
    assert!(ids(&kept.json()).contains(&theirs) && !ids(&kept.json()).contains(&mine), "nothing changed");
    assert_eq!(kept.header("etag"), Some(now_at.as_str()));
    // From the current copy it is saved.
    let r = put(&with_site(&kept.json(), &mine), &now_at);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("etag"), a.get("/v1/admin/settings").header("etag"));
    let mut back = a.get("/v1/admin/settings").json();
    back["sites"].as_array_mut().expect("sites").retain(|s| s["id"] != mine.as_str() && s["id"] != theirs.as_str());
    assert_eq!(a.json("PUT", "/v1/admin/settings", &back).status, 200);
}

/// Saves from the same copy that arrive together: D1 decides, so exactly
/// one is kept and every other is refused in words; and a change of the
/// help centre's category order made meanwhile is not lost either.
#[test]
fn of_saves_from_the_same_copy_at_once_exactly_one_is_kept() {
    let a = admin(&edge_url());
    let _settings = settings_lock();
    let r = a.get("/v1/admin/settings");
    let read_at = r.header("etag").expect("an ETag").to_string();
    let base = r.json();
    let ids: Vec<String> = (0..6).map(|i| unique(&format!("race{i}")).to_lowercase()).collect();
    // Logged in first, so the saves leave as close together as they can.
    let admins: Vec<_> = ids.iter().map(|_| admin(&edge_url())).collect();
    let statuses: Vec<(u16, String)> = std::thread::scope(|scope| {
        let saves: Vec<_> = admins
            .into_iter()
            .zip(&ids)
            .map(|(c, id)| {
                let (s, read_at) = (with_site(&base, id), read_at.clone());
                scope.spawn(move || {
                    let r = save_settings_if(&c, &s, &read_at);
                    (r.status, r.text)
                })
            })
            .collect();
        saves.into_iter().map(|h| h.join().expect("a save")).collect()
    });
    let kept: Vec<&String> =
        ids.iter().zip(&statuses).filter(|(_, (status, _))| *status == 200).map(|(id, _)| id).collect();
    assert_eq!(kept.len(), 1, "exactly one save from the same copy is kept: {statuses:?}");
    for (status, text) in statuses.iter().filter(|(status, _)| *status != 200) {
        assert_eq!(*status, 412, "{text}");
        assert!(text.contains("edit_conflict") && text.contains("changed after you opened them"), "{text}");
    }
    let now = a.get("/v1/admin/settings").json();
    let sites: Vec<&str> = now["sites"].as_array().expect("sites").iter().filter_map(|s| s["id"].as_str()).collect();
    for id in &ids {
        assert_eq!(sites.contains(&id.as_str()), kept.contains(&id), "{id} in {sites:?}");
    }
    // The category order is changed on the current copy, so it keeps the
    // save above, and the next save from an older copy is refused.
    let winner = kept[0].clone();
    let r = a.json("PUT", &format!("/v1/admin/kb/categories?site={winner}"), &json!({ "order": ["Billing"] }));
    assert_eq!(r.status, 200, "{}", r.text);
    let now = a.get("/v1/admin/settings");
    let site = now.json()["sites"].as_array().expect("sites").iter().find(|s| s["id"] == winner.as_str()).cloned();
    assert_eq!(site.expect("the saved site is kept")["category_order"], json!(["Billing"]));
    let r = save_settings_if(&a, &with_site(&base, "stale"), &read_at);
    assert_eq!(assert_error(&r, 412..=412), "edit_conflict");
    let r = save_settings_if(&a, &base, now.header("etag").expect("an ETag"));
    assert_eq!(r.status, 200, "{}", r.text);
}

/// KV's copy of the settings can lag behind a save (for up to a minute
/// at Cloudflare's other locations; here it is put back behind the edge's
/// back): the settings of record in D1 still answer admins and decide
/// `If-Match`, and the cron mends KV's copy from them.
#[test]
fn a_stale_copy_of_the_settings_in_kv_neither_answers_admins_nor_wins_a_save() {
    let a = admin(&edge_url());
    let _settings = settings_lock();
    let _cron = cron_paused();
    let r = a.get("/v1/admin/settings");
    let (base, read_at) = (r.json(), r.header("etag").expect("an ETag").to_string());
    let id = unique("recorded").to_lowercase();
    let saved = with_site(&base, &id);
    let put = |body: &serde_json::Value, if_match: &str| save_settings_if(&a, body, if_match);
    let r = put(&saved, &read_at);
    assert_eq!(r.status, 200, "{}", r.text);
    let saved_at = r.header("etag").expect("a new ETag").to_string();
    let has_site = |text: &str| text.contains(&format!("\"id\":\"{id}\""));
    let persist = edge_persist();
    assert!(has_site(&kv_get(&persist, "settings").expect("KV").expect("a copy in KV")), "the save reached KV");
    kv_put(&persist, "settings", &base.to_string()).expect("KV put back");
    // Admins are answered from the record, not the stale copy.
    let r = a.get("/v1/admin/settings");
    assert!(has_site(&r.text), "the saved site is still there: {}", r.text);
    assert_eq!(r.header("etag"), Some(saved_at.as_str()));
    // A save from the copy before is refused, though KV holds that copy.
    let r = put(&with_site(&base, "from-the-stale-copy"), &read_at);
    assert_eq!(assert_error(&r, 412..=412), "edit_conflict");
    // The cron writes the record back over the stale copy.
    assert_eq!(public().get("/__scheduled?cron=*+*+*+*+*").status, 200);
    let kept = kv_get(&persist, "settings").expect("KV").expect("a copy in KV");
    assert!(has_site(&kept) && !kept.contains("from-the-stale-copy"), "KV mended from the record: {kept}");
    let r = put(&base, &saved_at);
    assert_eq!(r.status, 200, "{}", r.text);
}

/// Guesses spread over many addresses still reach one login: after ten
/// failures in 15 minutes it waits, whoever tries it, and says so in words;
/// an address with no agent is answered alike; a new password lifts it.
#[test]
fn a_login_that_failed_ten_times_waits_whatever_address_tries_it() {
    let a = admin(&edge_url());
    let (email, id) = new_agent_by(&a);
    let attempt = |email: &str, password: &str| {
        Client::new(&edge_url()).ip(&unique("guesser")).json(
            "POST",
            "/v1/auth/login",
            &json!({ "email": email, "password": password }),
        )
    };
    let nobody = format!("{}@example.com", unique("nobody"));
    for who in [email.as_str(), nobody.as_str()] {
        for _ in 0..10 {
            assert_eq!(assert_error(&attempt(who, "a wrong guess 123"), 401..=401), "invalid_credentials");
        }
    }
    let locked = attempt(&email.to_uppercase(), AGENT_PASSWORD);
    assert_eq!(assert_error(&locked, 429..=429), "login_locked");
    assert!(
        locked.text.contains("try again in 15 minutes") && locked.text.contains("Forgot your password?"),
        "{}",
        locked.text
    );
    let wait: u64 = locked.header("retry-after").and_then(|s| s.parse().ok()).expect("a Retry-After");
    assert!((800..=900).contains(&wait), "{wait}");
    let unknown = attempt(&nobody, "whatever12345");
    assert_eq!(assert_error(&unknown, 429..=429), "login_locked");
    assert_eq!(unknown.json()["error"]["message"], locked.json()["error"]["message"], "alike, known or not");
    // Other logins are not affected.
    let (other, _) = new_agent_by(&a);
    Client::new(&edge_url()).ip(&unique("other")).login(&other, AGENT_PASSWORD);
    // A new password, set by an admin here, starts the count over.
    let r = a.json("PATCH", &format!("/v1/admin/agents/{id}"), &json!({ "password": "an admin-set passphrase" }));
    assert_eq!(r.status, 200, "{}", r.text);
    Client::new(&edge_url()).ip(&unique("after")).login(&email, "an admin-set passphrase");
}

/// Guesses at an agent's address from elsewhere lock out only clients that
/// login does not know: the browser the agent logged in with before (it
/// holds a device cookie) still logs in, and its own failures are counted
/// apart. A made-up device cookie, or one another login knows, counts as
/// elsewhere.
#[test]
fn guesses_from_elsewhere_do_not_lock_an_agent_out_of_a_browser_they_logged_in_with() {
    let a = admin(&edge_url());
    let (email, id) = new_agent_by(&a);
    let (colleague, _) = new_agent_by(&a);
    let home = Client::new(&edge_url()).ip(&unique("home"));
    let r = home.json("POST", "/v1/auth/login", &json!({ "email": email, "password": AGENT_PASSWORD }));
    assert_eq!(r.status, 200, "{}", r.text);
    let device = r
        .headers_named("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("deflect_device="))
        .expect("a device cookie")
        .to_string();
    for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/v1/auth/", "Max-Age=31536000"] {
        assert!(device.contains(attr), "{device} lacks {attr}");
    }
    let token = device.split(';').next().unwrap().trim_start_matches("deflect_device=").to_string();
    let stored = super::d1(&format!("SELECT COUNT(*) AS n FROM known_devices WHERE token_hash = '{token}'"));
    assert_eq!(stored[0]["n"], 0, "only the cookie's digest is kept");
    // Logging out ends the session, not the device.
    assert_eq!(home.json("POST", "/v1/auth/logout", &json!({})).status, 204);
    assert!(
        home.cookie().contains("deflect_device=") && !home.cookie().contains("deflect_session="),
        "{}",
        home.cookie()
    );

    let attempt =
        |c: &Client, password: &str| c.json("POST", "/v1/auth/login", &json!({ "email": email, "password": password }));
    let stranger = || Client::new(&edge_url()).ip(&unique("stranger"));
    for _ in 0..10 {
        assert_eq!(assert_error(&attempt(&stranger(), "a wrong guess 123"), 401..=401), "invalid_credentials");
    }
    let locked = attempt(&stranger(), AGENT_PASSWORD);
    assert_eq!(assert_error(&locked, 429..=429), "login_locked");
    assert!(locked.text.contains("from a browser you have logged in with before"), "{}", locked.text);
    // A made-up device cookie is elsewhere too.
    let forger = stranger();
    let forged = forger.send(
        "POST",
        "/v1/auth/login",
        &[("x-deflect-csrf", "1"), ("cookie", "deflect_device=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")],
        Some(("application/json", json!({ "email": email, "password": AGENT_PASSWORD }).to_string().as_bytes())),
    );
    assert_eq!(assert_error(&forged, 429..=429), "login_locked");
    // So is a real device cookie that only another login knows.
    let shared = stranger();
    shared.login(&colleague, AGENT_PASSWORD);
    assert_eq!(assert_error(&attempt(&shared, AGENT_PASSWORD), 429..=429), "login_locked");
    // The agent's own browser is not held up.
    let r = attempt(&home, AGENT_PASSWORD);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(home.get("/v1/auth/me").json()["email"], email.as_str());
    // Its own failures have their own count, which locks it alone. (Sent
    // with its cookies from fresh client addresses, so the per-address rate
    // limit does not answer first.)
    let from_home = |password: &str| {
        let body = json!({ "email": email, "password": password }).to_string();
        Client::new(&edge_url()).ip(&unique("home-again")).send(
            "POST",
            "/v1/auth/login",
            &[("x-deflect-csrf", "1"), ("cookie", &home.cookie())],
            Some(("application/json", body.as_bytes())),
        )
    };
    for _ in 0..10 {
        assert_eq!(assert_error(&from_home("a slip of the finger"), 401..=401), "invalid_credentials");
    }
    assert_eq!(assert_error(&from_home(AGENT_PASSWORD), 429..=429), "login_locked");
    // Once that shared browser has logged in as this agent too (here after
    // the count starts over with a new password), it is known to both.
    const RENEWED: &str = "a renewed passphrase";
    let r = a.json("PATCH", &format!("/v1/admin/agents/{id}"), &json!({ "password": RENEWED }));
    assert_eq!(r.status, 200, "{}", r.text);
    let before = shared.cookie();
    shared.login(&email, RENEWED);
    let device_of = |jar: &str| jar.split("; ").find(|c| c.starts_with("deflect_device=")).map(str::to_string);
    assert_eq!(device_of(&shared.cookie()), device_of(&before), "one browser keeps one device cookie");
    for _ in 0..10 {
        assert_eq!(assert_error(&attempt(&stranger(), "another wrong guess"), 401..=401), "invalid_credentials");
    }
    assert_eq!(assert_error(&attempt(&stranger(), RENEWED), 429..=429), "login_locked");
    assert_eq!(attempt(&shared, RENEWED).status, 200);
    let r = shared.json("POST", "/v1/auth/login", &json!({ "email": colleague, "password": AGENT_PASSWORD }));
    assert_eq!(r.status, 200, "and still known to the colleague's login: {}", r.text);
}

/// A token made to last some days works until then, is listed with when
/// it stops, and stops by itself; bad lifetimes are refused in words.
#[test]
fn an_api_token_made_for_some_days_stops_working_by_itself() {
    let a = admin(&edge_url());
    for bad in [json!(0), json!(3651), json!("30"), json!(-1)] {
        let r = a.json("POST", "/v1/admin/tokens", &json!({ "name": "bad lifetime", "expires_in_days": bad }));
        assert_error(&r, 400..=422);
    }
    let r = a.json("POST", "/v1/admin/tokens", &json!({ "name": "too long", "expires_in_days": 3651 }));
    assert!(r.text.contains("expires_in_days") && r.text.contains("1 to 3650 days"), "{}", r.text);
    let name = unique("quarterly report");
    let r = a.json("POST", "/v1/admin/tokens", &json!({ "name": name, "expires_in_days": 90 }));
    assert_eq!(r.status, 201, "{}", r.text);
    let (token, id) = (r.json()["token"].as_str().unwrap().to_string(), r.json()["id"].as_str().unwrap().to_string());
    let expires_at = r.json()["expires_at"].as_i64().expect("when it stops");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("a clock").as_millis() as i64;
    assert!((expires_at - now - 90 * 86_400_000).abs() < 600_000, "90 days from now: {expires_at}");
    let script = Client::new(&edge_url()).ip(&unique("script"));
    let bearer = format!("Bearer {token}");
    assert_eq!(script.send("GET", "/v1/auth/me", &[("authorization", &bearer)], None).status, 200);
    let listed = a.get("/v1/admin/tokens").json();
    let mine = listed.as_array().unwrap().iter().find(|t| t["id"] == id.as_str()).cloned().expect("listed");
    assert_eq!(mine["expires_at"].as_i64(), Some(expires_at));
    // Its time comes: it is refused, and still listed as having stopped.
    super::d1(&format!("UPDATE api_tokens SET expires_at = 1 WHERE substr(token_hash, 1, 16) = '{id}'"));
    let r = script.send("GET", "/v1/auth/me", &[("authorization", &bearer)], None);
    assert_eq!(assert_error(&r, 401..=401), "token_expired", "told so, in words");
    assert!(
        r.text.contains("stopped working at 1970-01-01 00:00 UTC") && r.text.contains("makes a new one"),
        "{}",
        r.text
    );
    // A token that never existed is only told to log in.
    let made_up = script.send("GET", "/v1/auth/me", &[("authorization", "Bearer dfl_made_up")], None);
    assert_eq!(assert_error(&made_up, 401..=401), "unauthenticated");
    let listed = a.get("/v1/admin/tokens").json();
    let mine = listed.as_array().unwrap().iter().find(|t| t["id"] == id.as_str()).cloned().expect("still listed");
    assert_eq!(mine["expires_at"], 1);
    let revoked = a.send("DELETE", &format!("/v1/admin/tokens/{id}"), &[("x-deflect-csrf", "1")], None);
    assert_eq!(revoked.status, 204);
}
