//! Mail alerts to agents: each agent chooses what they are mailed about,
//! and the desk mails them a ticket given to them, their customer writing
//! again, and new tickets for their team, from the site's address, through
//! wrangler's local `send_email` binding (see `email.rs`).

use super::auth::{AGENT_PASSWORD, new_agent_by};
use super::email::{Restore, close, deliver, deliver_to, logged, mail, mails_with, ticket_with, with_mail_site};
use super::{assert_error, create, d1, eventually, public, run_cron, settings_lock};
use deflect_shared::mention::handle;
use deflect_tests::{Client, admin, edge_url, unique};
use serde_json::{Value, json};

/// The alert mails about ticket `id` to `to`, once there are `n`; fails on
/// more, and after 20 s with fewer.
fn alerts_to(id: &str, to: &str, n: usize) -> Vec<mail_parser::Message<'static>> {
    let parse = |eml: &String| mail_parser::MessageParser::default().parse(eml.as_bytes()).map(|m| m.into_owned());
    eventually(&format!("{n} alerts of {id} to {to}"), 20, || {
        let found: Vec<mail_parser::Message<'static>> = mails_with(&format!("<deflect-alert.{id}."))
            .iter()
            .filter_map(parse)
            .filter(|m| m.to().and_then(|t| t.first()).and_then(|t| t.address()) == Some(to))
            .collect();
        assert!(found.len() <= n, "{} alerts of {id} to {to}, not {n}", found.len());
        if found.len() == n { Ok(found) } else { Err(format!("{} so far", found.len())) }
    })
}

/// The alerts of ticket `id` queued for `agent`, by event.
fn queued(agent: &str, id: &str) -> Vec<String> {
    d1(&format!("SELECT event FROM mail_alerts WHERE agent_id = '{agent}' AND ticket_id = '{id}' ORDER BY created_at"))
        .iter()
        .filter_map(|r| r["event"].as_str().map(str::to_string))
        .collect()
}

/// The customer of ticket `id` (its `token`) writes again, in the widget.
fn customer_writes(id: &str, token: &str, text: &str) {
    let body = json!({ "body": text }).to_string();
    let r = public().send(
        "POST",
        &format!("/v1/tickets/{id}/messages"),
        &[("x-ticket-token", token), ("idempotency-key", &unique("m"))],
        Some(("application/json", body.as_bytes())),
    );
    assert_eq!(r.status, 201, "{}", r.text);
}

/// A client logged in as `email`.
fn logged_in(email: &str) -> Client {
    let c = Client::new(&edge_url()).ip(&unique("agent-ip"));
    c.login(email, AGENT_PASSWORD);
    c
}

#[test]
fn agents_are_mailed_the_alerts_they_chose_and_no_others() {
    let _settings = settings_lock();
    let a = admin(&edge_url());
    let before = a.get("/v1/admin/settings").json();
    let _restore = Restore { admin: &a, settings: before.clone() };

    // Two agents of one team: Bo wants to hear of tickets given to him and
    // of his customers' replies, Cy of new tickets for the team.
    let team = unique("alerts").to_lowercase();
    let (bo_mail, bo) = new_agent_by(&a);
    let (cy_mail, cy) = new_agent_by(&a);
    for id in [&bo, &cy] {
        assert_eq!(a.json("PATCH", &format!("/v1/admin/agents/{id}"), &json!({ "teams": [team] })).status, 200);
    }
    let bo_client = logged_in(&bo_mail);
    let cy_client = logged_in(&cy_mail);
    let me = bo_client.get("/v1/auth/me").json();
    // Mentions are on until turned off; the rest off until turned on.
    let off = json!({ "mentioned": true, "assigned": false, "customer_replied": false, "new_ticket": false, "sla_missed": false,
        "business_hours_only": false, "daily_summary": false });
    assert_eq!(me["mail_alerts"], off);
    for bad in [json!({ "assigned": "yes" }), json!({ "assigned": true, "everything": true }), json!([])] {
        assert_error(&bo_client.json("PUT", "/v1/auth/mail-alerts", &bad), 400..=422);
    }
    assert_error(&public().json("PUT", "/v1/auth/mail-alerts", &json!({ "assigned": true })), 401..=401);
    let r = bo_client.json("PUT", "/v1/auth/mail-alerts", &json!({ "assigned": true, "customer_replied": true }));
    assert_eq!(r.status, 200, "{}", r.text);
    let chosen = json!({ "mentioned": true, "assigned": true, "customer_replied": true, "new_ticket": false, "sla_missed": false,
        "business_hours_only": false, "daily_summary": false });
    assert_eq!(r.json()["mail_alerts"], chosen);
    assert_eq!(bo_client.get("/v1/auth/me").json()["mail_alerts"]["customer_replied"], true, "kept");
    assert_eq!(cy_client.json("PUT", "/v1/auth/mail-alerts", &json!({ "new_ticket": true })).status, 200);
    // Bo is away, so the desk gives the team's next ticket to Cy.
    assert_eq!(bo_client.json("PUT", "/v1/auth/away", &json!({ "away": true })).status, 200);

    // A site with a reply address to mail from, and a rule that gives its
    // tickets about the marker to the team.
    let mut settings = before.clone();
    let site = with_mail_site(&mut settings, "Alert Shop", "alerts@deflect.test");
    settings["rules"].as_array_mut().expect("rules").push(json!({
        "id": team, "name": "to the alert team", "on": ["ticket_created"],
        "all": [{ "field": "text", "op": "contains", "value": team }],
        "actions": [{ "type": "assign_team", "team": team }],
    }));
    let r = a.json("PUT", "/v1/admin/settings", &settings);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(cy_client.get("/v1/auth/me").json()["mail_alerts_can_send"], true);

    // A customer writes: Cy hears of the new ticket (it is also given to
    // her, which she did not ask to hear of); Bo, away, hears nothing.
    let customer = format!("{}@example.com", unique("ulla"));
    let words = format!("My parcel for {team} never came");
    let body = json!({
        "site": site, "customer": { "email": customer, "name": "Ulla Unger" }, "message": words, "locale": "en",
    });
    let r = create(&public(), &unique("k"), &body);
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["ticket"]["id"].as_str().expect("id").to_string();
    let token = r.json()["token"].as_str().expect("token").to_string();
    let t = a.get(&format!("/v1/agent/tickets/{id}")).json();
    assert_eq!(
        (t["ticket"]["team"].as_str(), t["ticket"]["assignee"].as_str()),
        (Some(team.as_str()), Some(cy.as_str()))
    );
    let new = alerts_to(&id, &cy_mail, 1).remove(0);
    assert_eq!(new.from().and_then(|f| f.first()).and_then(|f| f.address()), Some("alerts@deflect.test"));
    let tag = format!("[#{}]", &id[..10]);
    assert_eq!(new.subject(), Some(format!("New ticket: {words} {tag}").as_str()));
    assert!(new.header("Auto-Submitted").is_some(), "marked as sent by a machine");
    let text = new.body_text(0).expect("a text body").to_string();
    assert!(text.contains(&format!("Ulla Unger opened {tag}:")), "{text}");
    assert!(text.contains(&format!("> {words}")), "the customer's words are quoted: {text}");
    assert!(text.contains(&format!("{}/dashboard/#/ticket/{id}", edge_url())), "a link to the ticket: {text}");
    assert!(queued(&bo, &id).is_empty(), "Bo is away and asked for no new tickets");

    // A mail to the support address, which is no site's reply address,
    // opens a ticket too: its alert goes from the address the mail came to.
    let by_mail = format!("A mail for {team}");
    let sender = format!("{}@example.com", unique("mia"));
    let raw = mail(
        &[("From", &sender), ("Subject", &by_mail), ("Message-ID", &format!("<{}@mail.example.com>", unique("m")))],
        "It came broken.",
    );
    let (status, text) = deliver(&sender, &raw);
    assert_eq!(status, 200, "{text}");
    let mailed = ticket_with(&by_mail);
    assert_eq!(mailed.len(), 1, "one ticket: {mailed:?}");
    let alert = alerts_to(&mailed[0], &cy_mail, 1).remove(0);
    assert_eq!(alert.from().and_then(|f| f.first()).and_then(|f| f.address()), Some("help@deflect.test"));
    assert!(alert.body_text(0).is_some_and(|t| t.contains("> It came broken.")));

    // Cy gives the ticket to Bo: Bo is mailed, once, that it is his now.
    let r = cy_client.json("PATCH", &format!("/v1/agent/tickets/{id}"), &json!({ "assignee": bo }));
    assert_eq!(r.status, 200, "{}", r.text);
    let given = alerts_to(&id, &bo_mail, 1).remove(0);
    assert_eq!(given.subject(), Some(format!("Assigned to you: {words} {tag}").as_str()));
    assert!(given.body_text(0).is_some_and(|t| t.contains(&format!("{tag} is yours now."))));
    // Bo taking what is already his, or giving a ticket to himself, mails
    // no one.
    assert_eq!(bo_client.json("PATCH", &format!("/v1/agent/tickets/{id}"), &json!({ "assignee": bo })).status, 200);
    assert_eq!(queued(&bo, &id), ["assigned"]);

    // The customer writes again: Bo hears of it, with her new words.
    let again = unique("again");
    let say = |text: &str| customer_writes(&id, &token, text);
    // Cy follows the ticket and asks to hear of customers' replies: she
    // hears of them as Bo, its assignee, does.
    // (No longer of new tickets: they would be every other test's too.)
    let r = cy_client.json("PUT", "/v1/auth/mail-alerts", &json!({ "customer_replied": true }));
    assert_eq!(r.status, 200, "{}", r.text);
    let follow =
        |on: bool| cy_client.json("PUT", &format!("/v1/agent/tickets/{id}/following"), &json!({ "following": on }));
    let r = follow(true);
    assert_eq!((r.status, r.json()), (200, json!([cy])), "{}", r.text);
    assert_eq!(follow(true).json(), json!([cy]), "following twice is following");
    assert_eq!(a.get(&format!("/v1/agent/tickets/{id}")).json()["followers"], json!([cy]));
    let path = format!("/v1/agent/tickets/{id}/following");
    assert_error(&cy_client.json("PUT", &path, &json!({ "following": "yes" })), 400..=422);
    assert_error(
        &cy_client.json("PUT", "/v1/agent/tickets/no-such-ticket/following", &json!({ "following": true })),
        404..=404,
    );
    assert_error(&public().json("PUT", &path, &json!({ "following": true })), 401..=401);
    say(&format!("Still nothing, {again}."));
    let followed = alerts_to(&id, &cy_mail, 2);
    assert!(followed.iter().any(|m| m.subject().is_some_and(|s| s.starts_with("New reply: "))), "the follower hears");
    let r = follow(false);
    assert_eq!((r.status, r.json()), (200, json!([])), "{}", r.text);
    let replies = alerts_to(&id, &bo_mail, 2);
    let reply =
        replies.iter().find(|m| m.subject().is_some_and(|s| s.starts_with("New reply: "))).expect("a reply alert");
    let text = reply.body_text(0).expect("a text body");
    assert!(text.contains(&format!("Ulla Unger wrote again on {tag}:")) && text.contains(&again), "{text}");
    let reply_id = reply.message_id().expect("a Message-ID").to_string();

    // Bo answers the alert by mail: refused in words, as it would never
    // reach the customer, and no ticket is opened.
    let answer_id = format!("{}@mail.example.com", unique("m"));
    let answer = mail(
        &[
            ("From", &bo_mail),
            ("Subject", &format!("Re: {}", reply.subject().unwrap_or_default())),
            ("Message-ID", &format!("<{answer_id}>")),
            ("In-Reply-To", &format!("<{reply_id}>")),
        ],
        "On it!",
    );
    let (status, text) = deliver_to(&bo_mail, "alerts@deflect.test", &answer);
    assert!(status == 200 || status == 400, "{status}: {text}");
    logged(&format!("mail <{answer_id}>: refused, as this answers an alert the help desk mailed to an agent"));
    assert!(ticket_with(&format!("Re: New reply: {words}")).is_empty(), "no ticket is opened from it");

    // Cy asks Bo in a note: Bo is mailed the note; Cy, who wrote it, and
    // a handle no one has, are not.
    let ask = format!("@{} could you chase the carrier? (cc @{} and @nobody-here)", handle(&bo_mail), handle(&cy_mail));
    let r = cy_client.send(
        "POST",
        &format!("/v1/agent/tickets/{id}/messages"),
        &[("idempotency-key", &unique("k")), ("x-deflect-csrf", "1")],
        Some(("application/json", json!({ "body": ask, "internal": true }).to_string().as_bytes())),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let all = alerts_to(&id, &bo_mail, 3);
    let mention = all.iter().find(|m| m.subject().is_some_and(|s| s.starts_with("Mentioned: "))).expect("a mention");
    let text = mention.body_text(0).expect("a text body");
    assert!(text.contains(&format!("Agent Smith mentioned you in a note on {tag}:")) && text.contains(&ask), "{text}");
    assert_eq!(queued(&bo, &id), ["assigned", "customer_replied", "mentioned"]);
    assert!(queued(&cy, &id).iter().all(|e| e != "mentioned"), "not of her own note");

    // Turned off, no more: the customer's next words mail no one.
    let r = bo_client.json("PUT", "/v1/auth/mail-alerts", &json!({ "assigned": true, "sla_missed": true }));
    assert_eq!(r.status, 200, "{}", r.text);
    say("Hello?");
    assert_eq!(queued(&bo, &id), ["assigned", "customer_replied", "mentioned"]);
    assert_eq!(queued(&cy, &id), ["new_ticket", "customer_replied"], "Cy no longer follows it");

    // Time passes and the ticket misses its SLA: the cron tells Bo.
    d1(&format!(
        "UPDATE tickets SET first_response_due = created_at - 1, resolution_due = created_at - 1 WHERE id = '{id}'"
    ));
    assert_eq!(run_cron().status, 200);
    assert_eq!(queued(&bo, &id), ["assigned", "customer_replied", "mentioned", "sla_missed"]);
    let all = alerts_to(&id, &bo_mail, 4);
    let missed = all.iter().find(|m| m.subject().is_some_and(|s| s.starts_with("SLA missed: "))).expect("an SLA alert");
    assert!(missed.body_text(0).is_some_and(|t| t.contains(&format!("{tag} missed its SLA target."))));
    // Each is marked sent once its attempt ends, a moment after its mail.
    eventually("every alert marked sent", 20, || {
        let left = d1(&format!("SELECT state FROM mail_alerts WHERE ticket_id = '{id}' AND state != 'sent'"));
        if left.is_empty() { Ok(()) } else { Err(format!("{left:?}")) }
    });
    // An alert that could not be sent after every attempt is said on Bo's
    // account page, until a later one goes.
    assert!(bo_client.get("/v1/auth/me").json().get("mail_alerts_failure").is_none(), "every alert went");
    d1(&format!(
        "UPDATE mail_alerts SET state = 'failed', attempts = 5, error = 'destination address not verified' \
         WHERE id = (SELECT id FROM mail_alerts WHERE agent_id = '{bo}' ORDER BY created_at DESC, id DESC LIMIT 1)"
    ));
    let me = bo_client.get("/v1/auth/me").json();
    assert_eq!(me["mail_alerts_failure"], "destination address not verified", "{me}");
    let audit = a.get(&format!("/v1/admin/audit?target={bo}&action=agent.mail_alerts")).json();
    assert!(audit.to_string().contains("agent.mail_alerts"), "the choice is audited: {audit}");

    assert_eq!(bo_client.json("PUT", "/v1/auth/away", &json!({ "away": false })).status, 200);
    close(&a, &id);
    close(&a, &mailed[0]);
}

/// The mails sent to `to` whose subject is `subject`, once there are `n`
/// (waits up to 20 s; fails on more).
fn mails_to_titled(to: &str, subject: &str, n: usize) -> Vec<String> {
    eventually(&format!("{n} mails to {to} titled {subject}"), 20, || {
        let found: Vec<String> = mails_with(to)
            .into_iter()
            .filter_map(|eml| {
                let m = mail_parser::MessageParser::default().parse(eml.as_bytes())?;
                (m.subject() == Some(subject)).then(|| m.body_text(0).map(|t| t.to_string()).unwrap_or_default())
            })
            .collect();
        assert!(found.len() <= n, "{} mails to {to} titled {subject}, not {n}", found.len());
        if found.len() == n { Ok(found) } else { Err(format!("{} so far", found.len())) }
    })
}

#[test]
fn many_alerts_at_once_come_in_one_mail() {
    let _settings = settings_lock();
    let a = admin(&edge_url());
    let before = a.get("/v1/admin/settings").json();
    let _restore = Restore { admin: &a, settings: before.clone() };
    let mut settings = before.clone();
    let site = with_mail_site(&mut settings, "Digest Shop", "digest@deflect.test");
    assert_eq!(a.json("PUT", "/v1/admin/settings", &settings).status, 200);

    // Bo, away so the desk gives him none of the new tickets itself, wants
    // to hear of tickets given to him.
    let (bo_mail, bo) = new_agent_by(&a);
    let bo_client = logged_in(&bo_mail);
    assert_eq!(bo_client.json("PUT", "/v1/auth/mail-alerts", &json!({ "assigned": true })).status, 200);
    assert_eq!(bo_client.json("PUT", "/v1/auth/away", &json!({ "away": true })).status, 200);
    let ids: Vec<String> = (0..5)
        .map(|n| {
            let body = json!({
                "site": site, "customer": { "email": format!("{}@example.com", unique("dora")) },
                "message": format!("Question {n} {}", unique("q")), "locale": "en",
            });
            let r = create(&public(), &unique("k"), &body);
            assert_eq!(r.status, 201, "{}", r.text);
            r.json()["ticket"]["id"].as_str().expect("id").to_string()
        })
        .collect();

    // An admin gives him all five from the queue at once: one mail lists
    // them, each with its link.
    let r = a.json("POST", "/v1/agent/tickets/bulk", &json!({ "ids": ids, "update": { "assignee": bo } }));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["updated"].as_array().map(Vec::len), Some(5), "{}", r.text);
    let text = mails_to_titled(&bo_mail, "5 alerts: Assigned to you 5", 1).remove(0);
    for id in &ids {
        assert!(text.contains(&format!("[#{}]", &id[..10])), "{id} is listed: {text}");
        assert!(text.contains(&format!("/dashboard/#/ticket/{id}")), "{id} is linked: {text}");
    }
    let alerts = d1(&format!("SELECT state FROM mail_alerts WHERE agent_id = '{bo}'"));
    assert_eq!(alerts.len(), 5, "one alert each, kept: {alerts:?}");
    assert!(mails_with(&bo_mail).len() == 1, "and no other mail to Bo");

    assert_eq!(bo_client.json("PUT", "/v1/auth/away", &json!({ "away": false })).status, 200);
    for id in &ids {
        close(&a, id);
    }
}

#[test]
fn alerts_wait_for_business_hours_when_an_agent_asks() {
    let _settings = settings_lock();
    let a = admin(&edge_url());
    let before = a.get("/v1/admin/settings").json();
    let _restore = Restore { admin: &a, settings: before.clone() };

    // The desk works one day a week, the day after tomorrow (UTC), so it is
    // closed now and for a day at least.
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_millis();
    let today = i64::try_from(now_ms / 86_400_000).expect("days");
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let open_day = names[usize::try_from((today + 2 + 3) % 7).expect("a weekday")];
    let opening = (today + 2) * 86_400_000 + 9 * 3_600_000;
    let mut settings = before.clone();
    let site = with_mail_site(&mut settings, "Hours Shop", "hours@deflect.test");
    settings["sla"]["business_hours"] =
        json!({ "utc_offset_minutes": 0, "open": "09:00", "close": "17:00", "days": [open_day] });
    let r = a.json("PUT", "/v1/admin/settings", &settings);
    assert_eq!(r.status, 200, "{}", r.text);

    // Bo asks for his alerts in business hours only, and sees the hours.
    let (bo_mail, bo) = new_agent_by(&a);
    let bo_client = logged_in(&bo_mail);
    let wanted = json!({ "assigned": true, "customer_replied": true, "business_hours_only": true });
    let r = bo_client.json("PUT", "/v1/auth/mail-alerts", &wanted);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["mail_alerts"]["business_hours_only"], true);
    assert_eq!(r.json()["mail_alerts_hours"], format!("{open_day} 09:00–17:00, UTC+00:00"));
    assert_eq!(bo_client.json("PUT", "/v1/auth/away", &json!({ "away": true })).status, 200);

    // A ticket is given to him and its customer writes again, while the
    // desk is closed: both alerts wait for the opening, the cron leaves
    // them, and nothing is mailed.
    let body = json!({
        "site": site, "customer": { "email": format!("{}@example.com", unique("nina")), "name": "Nina Night" },
        "message": format!("Late question {}", unique("q")), "locale": "en",
    });
    let r = create(&public(), &unique("k"), &body);
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json()["ticket"]["id"].as_str().expect("id").to_string();
    let token = r.json()["token"].as_str().expect("token").to_string();
    assert_eq!(a.json("PATCH", &format!("/v1/agent/tickets/{id}"), &json!({ "assignee": bo })).status, 200);
    customer_writes(&id, &token, "Anyone there tonight?");
    assert_eq!(queued(&bo, &id), ["assigned", "customer_replied"]);
    assert_eq!(run_cron().status, 200);
    let waiting = d1(&format!("SELECT state, attempts, next_at FROM mail_alerts WHERE agent_id = '{bo}'"));
    assert_eq!(waiting.len(), 2, "{waiting:?}");
    for w in &waiting {
        assert_eq!((w["state"].as_str(), w["attempts"].as_i64()), (Some("pending"), Some(0)), "{w}");
        assert_eq!(w["next_at"].as_i64(), Some(opening), "held for the opening: {w}");
    }
    assert!(mails_with(&bo_mail).is_empty(), "nothing mailed to Bo while the desk is closed");

    // He no longer wants to wait: what waited goes now.
    let r = bo_client.json("PUT", "/v1/auth/mail-alerts", &json!({ "assigned": true, "customer_replied": true }));
    assert_eq!(r.status, 200, "{}", r.text);
    let sent = alerts_to(&id, &bo_mail, 2);
    let subjects: Vec<&str> = sent.iter().filter_map(|m| m.subject()).collect();
    assert!(subjects.iter().any(|s| s.starts_with("Assigned to you: ")), "{subjects:?}");
    assert!(subjects.iter().any(|s| s.starts_with("New reply: ")), "{subjects:?}");

    // A desk that keeps no business hours has none to show.
    settings["sla"]["business_hours"] = serde_json::Value::Null;
    assert_eq!(a.json("PUT", "/v1/admin/settings", &settings).status, 200);
    assert!(bo_client.get("/v1/auth/me").json().get("mail_alerts_hours").is_none());

    assert_eq!(bo_client.json("PUT", "/v1/auth/away", &json!({ "away": false })).status, 200);
    close(&a, &id);
}

#[test]
fn a_daily_summary_comes_once_a_day_to_those_who_ask() {
    let _settings = settings_lock();
    let a = admin(&edge_url());
    let before = a.get("/v1/admin/settings").json();
    let _restore = Restore { admin: &a, settings: before.clone() };
    let mut settings = before.clone();
    with_mail_site(&mut settings, "Summary Shop", "summary@deflect.test");
    settings["sla"]["business_hours"] = serde_json::Value::Null;
    assert_eq!(a.json("PUT", "/v1/admin/settings", &settings).status, 200);

    // Bo asks for it (away, so no ticket of another test becomes his); Cy
    // does not.
    let (bo_mail, bo) = new_agent_by(&a);
    let (cy_mail, _) = new_agent_by(&a);
    let bo_client = logged_in(&bo_mail);
    assert_eq!(bo_client.json("PUT", "/v1/auth/away", &json!({ "away": true })).status, 200);
    let r = bo_client.json("PUT", "/v1/auth/mail-alerts", &json!({ "daily_summary": true }));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["mail_alerts"]["daily_summary"], true);

    // The day's first cron run mails it; the next ones do not again.
    let summaries = |to: &str| -> Vec<String> {
        mails_with(to)
            .into_iter()
            .filter_map(|eml| {
                let m = mail_parser::MessageParser::default().parse(eml.as_bytes())?;
                let subject = m.subject()?.to_string();
                subject
                    .starts_with("Daily summary: ")
                    .then(|| format!("{subject}\n{}", m.body_text(0).unwrap_or_default()))
            })
            .collect()
    };
    assert_eq!(run_cron().status, 200);
    let mailed = eventually("a summary to Bo", 20, || match summaries(&bo_mail).as_slice() {
        [one] => Ok(one.clone()),
        other => Err(format!("{} so far", other.len())),
    });
    assert_eq!(run_cron().status, 200);
    assert_eq!(summaries(&bo_mail).len(), 1, "one a day");
    assert!(summaries(&cy_mail).is_empty(), "Cy did not ask for one");
    assert!(
        mailed.starts_with("Daily summary: ") && mailed.contains("Your help desk in the last 24 hours:"),
        "{mailed}"
    );
    for line in ["- New tickets: ", "- First response: ", "Waiting now:", "past an SLA target"] {
        assert!(mailed.contains(line), "{line:?} in {mailed}");
    }
    // His own count (another test's ticket may reach him in the moment
    // before he is away).
    assert!(
        mailed.lines().any(|l| l.starts_with("- ") && l.contains(" open ticket") && l.ends_with(" yours")),
        "{mailed}"
    );
    assert!(mailed.contains(&format!("Open the queue: {}/dashboard/#/queue", edge_url())), "{mailed}");
    let today = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_millis()
        / 86_400_000;
    let row = d1(&format!("SELECT summary_day, summary_attempts, summary_retry_at FROM agents WHERE id = '{bo}'"));
    assert_eq!(row[0]["summary_day"].as_u64(), Some(u64::try_from(today).expect("days")), "{row:?}");
    assert_eq!((&row[0]["summary_attempts"], &row[0]["summary_retry_at"]), (&json!(1), &Value::Null), "it went");

    // Had that attempt failed (Cloudflare refused it), the cron tries again
    // once its wait is over, and not before; after five attempts, no more.
    let failed = |attempts: u32, retry_at: i64| {
        d1(&format!(
            "UPDATE agents SET summary_attempts = {attempts}, summary_retry_at = {retry_at} WHERE id = '{bo}'"
        ));
    };
    failed(1, i64::MAX / 2);
    assert_eq!(run_cron().status, 200);
    failed(5, 0);
    assert_eq!(run_cron().status, 200);
    assert_eq!(summaries(&bo_mail).len(), 1, "not yet, then not after five attempts");
    failed(2, 0);
    assert_eq!(run_cron().status, 200);
    eventually("the summary tried again", 20, || match summaries(&bo_mail).len() {
        2 => Ok(()),
        n => Err(format!("{n} so far")),
    });
    let row = d1(&format!("SELECT summary_attempts, summary_retry_at FROM agents WHERE id = '{bo}'"));
    assert_eq!((&row[0]["summary_attempts"], &row[0]["summary_retry_at"]), (&json!(3), &Value::Null), "{row:?}");

    assert_eq!(bo_client.json("PUT", "/v1/auth/away", &json!({ "away": false })).status, 200);
}
