//! E-mail as a channel, through wrangler's local Email Routing: a raw mail
//! posted to `/cdn-cgi/handler/email` reaches the worker's `email` handler
//! as it would from Cloudflare, and the `EMAIL` binding writes what the
//! worker sends to an `.eml` file whose path wrangler logs.

use super::{assert_error, d1, eventually, public, rows_containing, run_cron, settings_lock};
use deflect_tests::{Client, admin, edge_persist, edge_url, unique};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const SUPPORT: &str = "help@deflect.test";

/// Delivers a raw mail to the local worker; the status and wrangler's
/// answer (200, or 400 with the reason the worker refused it).
pub(super) fn deliver(from: &str, raw: &[u8]) -> (u16, String) {
    deliver_to(from, SUPPORT, raw)
}

/// Delivers a raw mail sent to `to`.
pub(super) fn deliver_to(from: &str, to: &str, raw: &[u8]) -> (u16, String) {
    let c = Client::new(&edge_url()).ip(&unique("ip"));
    let path = format!("/cdn-cgi/handler/email?from={from}&to={to}");
    let r = c.send("POST", &path, &[], Some(("message/rfc822", raw)));
    (r.status, r.text)
}

/// A plain-text mail, with CRLF line ends.
pub(super) fn mail(headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut text = String::new();
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str(&format!("To: {SUPPORT}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"));
    text.push_str(&body.replace('\n', "\r\n"));
    text.into_bytes()
}

/// The ticket whose subject holds `marker`.
pub(super) fn ticket_with(marker: &str) -> Vec<String> {
    d1(&format!("SELECT id FROM tickets WHERE instr(subject, '{marker}') > 0 ORDER BY created_at"))
        .iter()
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect()
}

/// The agent's view of a ticket, once `done` holds for it (within 20 s).
pub(super) fn when(a: &Client, id: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let t = a.get(&format!("/v1/agent/tickets/{id}")).json();
        if done(&t) {
            return t;
        }
        assert!(Instant::now() < deadline, "{what} did not happen within 20 s: {t}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The test edge's log (`wrangler-<port>.log` beside its data).
pub(super) fn edge_log() -> String {
    std::fs::read_dir(edge_persist())
        .expect("the edge's data folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("wrangler-")))
        .map(|log| std::fs::read_to_string(log).unwrap_or_default())
        .collect()
}

/// Waits (up to 10 s) until the edge's log says `said`: wrangler's stand-in
/// for Email Routing records a refusal after it answers, so the worker's
/// log is read instead of the status.
pub(super) fn logged(said: &str) {
    eventually(&format!("the edge's log saying {said}"), 10, || {
        if edge_log().contains(said) { Ok(()) } else { Err("not yet".into()) }
    });
}

/// The mails the worker sent that hold `needle`, from the `.eml` files
/// wrangler logged, oldest first.
pub(super) fn mails_with(needle: &str) -> Vec<String> {
    deflect_tests::sent_mail::paths_in_log(&edge_log())
        .into_iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .filter(|eml| eml.contains(needle))
        .collect()
}

/// The mail the worker sent for ticket `id`, once wrangler has logged it
/// (the log line can come a moment after the delivery is marked sent);
/// waits up to 20 s.
pub(super) fn sent_mail(id: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(mail) = mails_with(&format!("<deflect.{id}.")).into_iter().next() {
            return mail;
        }
        assert!(Instant::now() < deadline, "no mail of ticket {id} within 20 s");
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Waits (up to 20 s) until `n` mails hold `needle`; fails on more.
fn expect_mails(needle: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = mails_with(needle).len();
        assert!(found <= n, "{found} mails hold {needle}, not {n}");
        if found == n {
            return;
        }
        assert!(Instant::now() < deadline, "{found} mails hold {needle} after 20 s, not {n}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Waits until a message of ticket `id` by `author` (`agent` or `system`)
/// is marked sent, then returns its mail, the one whose text holds
/// `needle` (see [`mail_saying`]).
fn mailed(a: &Client, id: &str, author: &str, needle: &str) -> String {
    when(a, id, &format!("the mail of the {author}'s message"), |t| {
        t["messages"].as_array().is_some_and(|m| m.iter().any(|m| m["author"] == author && m["delivery"] == "sent"))
    });
    mail_saying(id, needle)
}

/// The mail the worker sent for ticket `id` whose text holds `needle`
/// (bodies are base64, so the raw mail does not show it), once wrangler
/// has logged it; waits up to 20 s.
fn mail_saying(id: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = mails_with(&format!("<deflect.{id}.")).into_iter().find(|eml| {
            mail_parser::MessageParser::default()
                .parse(eml.as_bytes())
                .and_then(|m| m.body_text(0).map(|t| t.contains(needle)))
                .unwrap_or(false)
        });
        if let Some(eml) = found {
            return eml;
        }
        assert!(Instant::now() < deadline, "no mail of ticket {id} says {needle} within 20 s");
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// An agent's request without a body; the answer.
fn post(a: &Client, path: &str) -> deflect_tests::Reply {
    a.send("POST", path, &[("x-deflect-csrf", "1")], None)
}

/// Closes a ticket, so the queue stays as the other tests expect.
pub(super) fn close(a: &Client, id: &str) {
    let body = json!({ "status": "closed" }).to_string();
    let r = a.send(
        "PATCH",
        &format!("/v1/agent/tickets/{id}"),
        &[("x-deflect-csrf", "1")],
        Some(("application/json", body.as_bytes())),
    );
    assert_eq!(r.status, 200, "{}", r.text);
}

#[test]
fn a_mail_becomes_a_ticket_and_the_reply_goes_back_by_mail() {
    let marker = unique("parcel");
    let customer = format!("{}@example.com", unique("ann"));
    let first_id = format!("{}@mail.example.com", unique("m"));
    let first = mail(
        &[
            ("From", &format!("Ann Mail <{customer}>")),
            ("Subject", &format!("Where is parcel {marker}?")),
            ("Message-ID", &format!("<{first_id}>")),
        ],
        "My parcel has not come.\nIt was due on Monday.\n",
    );
    let (status, text) = deliver(&customer, &first);
    assert_eq!(status, 200, "{text}");
    // The same mail again (a retry of the sending server): kept once.
    assert_eq!(deliver(&customer, &first).0, 200);
    let ids = ticket_with(&marker);
    assert_eq!(ids.len(), 1, "one ticket: {ids:?}");
    let id = &ids[0];

    let a = admin(&edge_url());
    let t = a.get(&format!("/v1/agent/tickets/{id}")).json();
    assert_eq!(t["channel"], "email");
    assert_eq!(t["ticket"]["channel"], "email");
    assert_eq!(t["ticket"]["subject"], format!("Where is parcel {marker}?"));
    assert_eq!(t["customer"]["email"], customer.as_str());
    assert_eq!(t["customer"]["name"], "Ann Mail");
    assert_eq!(t["messages"][0]["body"], "My parcel has not come.\nIt was due on Monday.");
    assert!(t["ticket"]["priority_score"].as_f64().is_some_and(|s| s > 0.0), "scored like any ticket: {t}");

    // The agent's reply goes out by mail, in the thread.
    let answer = unique("answer");
    let body = json!({ "body": format!("It left our depot today ({answer}).") }).to_string();
    let r = a.send(
        "POST",
        &format!("/v1/agent/tickets/{id}/messages"),
        &[("idempotency-key", &unique("k")), ("x-deflect-csrf", "1")],
        Some(("application/json", body.as_bytes())),
    );
    assert!(r.status == 201 || r.status == 200, "{}", r.text);
    let t = when(&a, id, "the reply's mail", |t| {
        t["messages"].as_array().is_some_and(|m| m.iter().any(|m| m["delivery"] == "sent"))
    });
    assert_eq!(t["ticket"]["status"], "pending");
    let eml = sent_mail(id);
    let sent = mail_parser::MessageParser::default().parse(eml.as_bytes()).expect("the sent mail reads");
    let from = sent.from().and_then(|f| f.first()).expect("From");
    assert_eq!(from.address(), Some(SUPPORT));
    assert!(from.name().is_some_and(|n| n.contains(" at ")), "the agent and the site: {:?}", from.name());
    assert_eq!(sent.to().and_then(|t| t.first()).and_then(|t| t.address()), Some(customer.as_str()));
    let subject = sent.subject().expect("a subject").to_string();
    let tag = format!("[#{}]", &id[..10]);
    assert_eq!(subject, format!("Re: Where is parcel {marker}? {tag}"));
    assert_eq!(sent.in_reply_to().as_text(), Some(first_id.as_str()), "it answers the customer's mail");
    let reply_id = sent.message_id().expect("a Message-ID").to_string();
    let text = sent.body_text(0).expect("a text body");
    assert!(text.contains(&answer), "{text}");
    assert!(text.contains("Reply above this line"), "{text}");
    // Below the reply, the customer's page of the request, to answer from a
    // browser or rate the help once it is solved.
    let link = text
        .lines()
        .map(str::trim)
        .find(|l| l.contains("/help/") && l.contains("/tickets/"))
        .expect("a link to the page");
    let path = link.strip_prefix(edge_url().as_str()).unwrap_or_else(|| panic!("{link} is not on this edge"));
    let p = Client::new(&edge_url()).ip(&unique("ip")).get(path);
    assert_eq!(p.status, 200, "{}", p.text);
    assert!(p.text.contains(&answer) && p.text.contains(&marker), "{}", p.text);

    // The customer answers above the quote: their words join the ticket,
    // which opens again.
    let thanks = unique("thanks");
    let answer_mail = mail(
        &[
            ("From", &customer),
            ("Subject", &format!("Re: {subject}")),
            ("Message-ID", &format!("<{}@mail.example.com>", unique("m"))),
            ("In-Reply-To", &format!("<{reply_id}>")),
            ("References", &format!("<{first_id}> <{reply_id}>")),
        ],
        &format!("Great, {thanks}!\n\nOn Thu, 26 Nov 2026, Shop <{SUPPORT}> wrote:\n> It left our depot today.\n"),
    );
    assert_eq!(deliver(&customer, &answer_mail).0, 200);
    let t = when(&a, id, "the customer's answer", |t| {
        t["messages"].as_array().is_some_and(|m| m.iter().any(|m| m["body"] == format!("Great, {thanks}!")))
    });
    assert_eq!(t["ticket"]["status"], "open", "the answer opens it again");
    assert_eq!(ticket_with(&marker).len(), 1, "no new ticket");

    // Only by the subject tag, as some clients drop the headers: the same.
    let tagged = unique("tagged");
    let by_tag = mail(
        &[
            ("From", &customer),
            ("Subject", &format!("Re: something {tag}")),
            ("Message-ID", &format!("<{}@mail.example.com>", unique("m"))),
        ],
        &format!("One more thing: {tagged}"),
    );
    assert_eq!(deliver(&customer, &by_tag).0, 200);
    when(&a, id, "the tagged answer", |t| {
        t["messages"].as_array().is_some_and(|m| m.iter().any(|m| m["body"] == format!("One more thing: {tagged}")))
    });

    // Someone else who quotes the thread does not write into it.
    let stranger = format!("{}@example.com", unique("eve"));
    let intruder = unique("intruder");
    let forged = mail(
        &[
            ("From", &stranger),
            ("Subject", &format!("Re: {subject} {intruder}")),
            ("Message-ID", &format!("<{}@mail.example.com>", unique("m"))),
            ("In-Reply-To", &format!("<{reply_id}>")),
        ],
        &format!("Let me in {intruder}"),
    );
    assert_eq!(deliver(&stranger, &forged).0, 200);
    let theirs = ticket_with(&intruder);
    assert_eq!(theirs.len(), 1, "a ticket of their own");
    assert_ne!(&theirs[0], id);
    let in_first =
        d1(&format!("SELECT count(*) AS n FROM messages WHERE ticket_id = '{id}' AND instr(body, '{intruder}') > 0"));
    assert_eq!(in_first[0]["n"], 0);

    // An out-of-office reply to our mail is not filed and not answered.
    let away = unique("away");
    let auto = mail(
        &[
            ("From", &customer),
            ("Subject", &format!("Out of office: {subject}")),
            ("Message-ID", &format!("<{}@mail.example.com>", unique("m"))),
            ("In-Reply-To", &format!("<{reply_id}>")),
            ("Auto-Submitted", "auto-replied"),
        ],
        &format!("I am away until Monday {away}"),
    );
    assert_eq!(deliver(&customer, &auto).0, 200);
    assert_eq!(rows_containing("messages", "body", &away), 0);

    close(&a, id);
    close(&a, &theirs[0]);
}

#[test]
fn mail_in_a_chinese_charset_is_read_and_bad_mail_is_refused_in_words() {
    let customer = format!("{}@example.cn", unique("li"));
    let marker = unique("gbk");
    let mut raw = format!(
        "From: {customer}\r\nTo: {SUPPORT}\r\nSubject: =?GBK?B?zcu/7g==?= {marker}\r\nMessage-ID: <{}@mail.example.cn>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
        unique("m")
    )
    .into_bytes();
    // "我要退款，订单没有到。" in GBK.
    raw.extend_from_slice(&[
        0xce, 0xd2, 0xd2, 0xaa, 0xcd, 0xcb, 0xbf, 0xee, 0xa3, 0xac, 0xb6, 0xa9, 0xb5, 0xa5, 0xc3, 0xbb, 0xd3, 0xd0,
        0xb5, 0xbd, 0xa1, 0xa3,
    ]);
    raw.extend_from_slice(b"\r\n");
    let (status, text) = deliver(&customer, &raw);
    assert_eq!(status, 200, "{text}");
    let ids = ticket_with(&marker);
    assert_eq!(ids.len(), 1);
    let a = admin(&edge_url());
    let t = a.get(&format!("/v1/agent/tickets/{}", ids[0])).json();
    assert_eq!(t["ticket"]["subject"], format!("退款 {marker}"));
    assert_eq!(t["messages"][0]["body"], "我要退款，订单没有到。");
    assert_eq!(t["locale"], "zh", "Chinese mail is a Chinese ticket (and goes to agents with that skill)");

    // A mail with nothing in it is refused, and the sender is told why
    // (wrangler's stand-in for Email Routing records the refusal after it
    // answers, so the worker's log is read instead of the status).
    let empty_id = format!("{}@mail.example.cn", unique("m"));
    let empty = mail(&[("From", &customer), ("Subject", "x"), ("Message-ID", &format!("<{empty_id}>"))], "\n\n");
    let (status, text) = deliver(&customer, &empty);
    assert!(status == 200 || status == 400, "{status}: {text}");
    logged(&format!("mail <{empty_id}>: refused, as the message has no text"));

    close(&a, &ids[0]);
}

#[test]
fn a_flood_of_mail_from_one_address_is_refused_past_the_limit() {
    let sender = format!("{}@example.com", unique("flood"));
    let marker = unique("flood");
    let id_of = |n: usize| format!("{marker}-{n}@mail.example.com");
    let first = mail(
        &[("From", &sender), ("Subject", &format!("Help {marker}")), ("Message-ID", &format!("<{}>", id_of(0)))],
        "First.",
    );
    assert_eq!(deliver(&sender, &first).0, 200);
    let ids = ticket_with(&marker);
    assert_eq!(ids.len(), 1);
    let tag = format!("[#{}]", &ids[0][..10]);
    // The default limit is 20 a minute: 45 mails in a few seconds go past
    // it even if a minute turns meanwhile.
    for n in 1..45 {
        let more = mail(
            &[("From", &sender), ("Subject", &format!("Re: Help {tag}")), ("Message-ID", &format!("<{}>", id_of(n)))],
            &format!("More {n}."),
        );
        let (status, text) = deliver(&sender, &more);
        assert!(status == 200 || status == 400, "{status}: {text}");
    }
    let refused = |log: &str| {
        (0..45)
            .filter(|n| log.contains(&format!("mail <{}>: refused, as too many messages from this address", id_of(*n))))
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while refused(&edge_log()) == 0 {
        assert!(Instant::now() < deadline, "no mail was refused");
        std::thread::sleep(Duration::from_millis(200));
    }
    // Every mail was answered before this; give the log a moment to hold
    // the last lines.
    std::thread::sleep(Duration::from_secs(1));
    let kept =
        d1(&format!("SELECT count(*) AS n FROM messages WHERE ticket_id = '{}' AND author = 'customer'", ids[0]));
    let kept = kept[0]["n"].as_u64().unwrap_or(0);
    assert!((20..45).contains(&kept), "the first 20 or so are kept, the rest refused: {kept}");
    assert_eq!(kept as usize + refused(&edge_log()), 45, "each mail is kept or refused");

    close(&admin(&edge_url()), &ids[0]);
}

#[test]
fn a_reply_that_could_not_be_mailed_is_sent_again_by_hand() {
    let marker = unique("refund");
    let customer = format!("{}@example.com", unique("bo"));
    let first = mail(
        &[
            ("From", &customer),
            ("Subject", &format!("Refund {marker}")),
            ("Message-ID", &format!("<{}@mail.example.com>", unique("m"))),
        ],
        "Where is my refund?",
    );
    assert_eq!(deliver(&customer, &first).0, 200);
    let ids = ticket_with(&marker);
    assert_eq!(ids.len(), 1, "{ids:?}");
    let id = &ids[0];
    let a = admin(&edge_url());
    let body = json!({ "body": "It is on its way." }).to_string();
    let r = a.send(
        "POST",
        &format!("/v1/agent/tickets/{id}/messages"),
        &[("idempotency-key", &unique("k")), ("x-deflect-csrf", "1")],
        Some(("application/json", body.as_bytes())),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let t = when(&a, id, "the reply's mail", |t| {
        t["messages"].as_array().is_some_and(|m| m.iter().any(|m| m["delivery"] == "sent"))
    });
    let messages = t["messages"].as_array().expect("messages");
    let reply = messages.iter().find(|m| m["author"] == "agent").expect("the reply");
    let m = reply["id"].as_str().expect("its id");
    let customers_mail = messages.iter().find(|m| m["author"] == "customer").expect("the mail")["id"].clone();
    let needle = format!("<deflect.{id}.{m}@");
    expect_mails(&needle, 1);
    let again = format!("/v1/agent/tickets/{id}/messages/{m}/send");
    let delivery_of = |t: &Value| {
        let m = t["messages"].as_array().and_then(|all| all.iter().find(|x| x["id"] == m).cloned());
        m.map(|m| (m["delivery"].clone(), m["delivery_error"].clone())).expect("the reply is in the thread")
    };

    // Sent already: not again.
    let r = post(&a, &again);
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.json()["error"]["message"].as_str().is_some_and(|e| e.contains("e-mailed already")), "{}", r.text);

    // Cloudflare refused it five times, so the cron left it as failed, with
    // the reason; a sixth cron run does not try it.
    d1(&format!(
        "UPDATE messages SET delivery = 'failed', delivery_attempts = 5, delivery_next_at = 0, \
         delivery_error = 'destination address not verified' WHERE id = '{m}'"
    ));
    assert_eq!(run_cron().status, 200);
    let t = a.get(&format!("/v1/agent/tickets/{id}")).json();
    assert_eq!(delivery_of(&t), (json!("failed"), json!("destination address not verified")));
    expect_mails(&needle, 1);

    // The agent sends it again: it goes now, in the same thread.
    let r = post(&a, &again);
    assert_eq!(r.status, 200, "{}", r.text);
    let thread = json!({ "messages": r.json() });
    assert_eq!(delivery_of(&thread), (json!("sent"), Value::Null));
    expect_mails(&needle, 2);
    let audit = a.get("/v1/admin/audit").json();
    assert!(
        audit
            .as_array()
            .is_some_and(|all| all.iter().any(|e| e["action"] == "ticket.mail_again" && e["target"] == *id)),
        "the audit log has it"
    );

    // An attempt under way is on its way to the agent, and not doubled.
    d1(&format!(
        "UPDATE messages SET delivery = 'sending', delivery_attempts = 1, delivery_next_at = {} WHERE id = '{m}'",
        i64::MAX / 2
    ));
    let t = a.get(&format!("/v1/agent/tickets/{id}")).json();
    assert_eq!(delivery_of(&t).0, "pending");
    let r = post(&a, &again);
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.json()["error"]["message"].as_str().is_some_and(|e| e.contains("being e-mailed now")), "{}", r.text);
    // One whose worker stopped mid-way is taken up again once its claim
    // lapses.
    d1(&format!("UPDATE messages SET delivery_next_at = 0 WHERE id = '{m}'"));
    assert_eq!(run_cron().status, 200);
    let t = a.get(&format!("/v1/agent/tickets/{id}")).json();
    assert_eq!(delivery_of(&t), (json!("sent"), Value::Null));
    expect_mails(&needle, 3);
    // A last attempt that never finished is left failed, in words.
    d1(&format!(
        "UPDATE messages SET delivery = 'sending', delivery_attempts = 5, delivery_next_at = 0 WHERE id = '{m}'"
    ));
    assert_eq!(run_cron().status, 200);
    let t = a.get(&format!("/v1/agent/tickets/{id}")).json();
    assert_eq!(delivery_of(&t), (json!("failed"), json!("the last attempt did not finish")));
    expect_mails(&needle, 3);

    // What is not a mailed reply, or not of this ticket, is refused in words.
    let r = post(&a, &format!("/v1/agent/tickets/{id}/messages/{}/send", customers_mail.as_str().unwrap_or("")));
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(
        r.json()["error"]["message"].as_str().is_some_and(|e| e.contains("not one that is e-mailed")),
        "{}",
        r.text
    );
    assert_eq!(post(&a, &format!("/v1/agent/tickets/{id}/messages/no-such-message/send")).status, 404);
    assert_eq!(post(&a, &format!("/v1/agent/tickets/no-such-ticket/messages/{m}/send")).status, 404);
    let public = Client::new(&edge_url()).ip(&unique("ip"));
    assert_eq!(post(&public, &again).status, 401);

    close(&a, id);
}

/// Settings changed for one test, put back when it ends, however it ends.
pub(super) struct Restore<'a> {
    pub(super) admin: &'a Client,
    pub(super) settings: Value,
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        let r = self.admin.json("PUT", "/v1/admin/settings", &self.settings);
        if r.status != 200 && !std::thread::panicking() {
            panic!("the settings were not put back: {}", r.text);
        }
    }
}

#[test]
fn a_widget_customer_gets_replies_by_mail_when_the_site_has_a_reply_address() {
    let _settings = settings_lock();
    let a = admin(&edge_url());
    let before = a.get("/v1/admin/settings").json();
    let _restore = Restore { admin: &a, settings: before.clone() };
    // A site of its own, so no other test's replies are mailed meanwhile.
    let site = unique("mailshop");
    let reply_address = "replies@deflect.test";
    let mut settings = before.clone();
    settings["sites"].as_array_mut().expect("sites").push(json!({
        "id": site, "name": "Mail Shop", "allowed_origins": [], "reply_address": "replies at the shop",
    }));
    let r = a.json("PUT", "/v1/admin/settings", &settings);
    assert_error(&r, 422..=422);
    assert!(r.text.contains("reply_address: is not a valid e-mail address"), "{}", r.text);
    let last = settings["sites"].as_array().expect("sites").len() - 1;
    settings["sites"][last]["reply_address"] = json!(" Replies@Deflect.Test ");
    let r = a.json("PUT", "/v1/admin/settings", &settings);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["sites"][last]["reply_address"], reply_address);

    // The site's one article, and a rule that answers late orders with it.
    let marker = unique("late");
    let article_title = format!("When orders come {marker}");
    let articles = json!({ "articles": [{
        "id": "late-orders", "title": article_title,
        "body": "Orders leave within two working days; tracking comes by mail.",
    }]});
    let r = a.json("POST", &format!("/v1/admin/articles/import?site={site}"), &articles);
    assert_eq!(r.status, 200, "{}", r.text);
    settings["rules"].as_array_mut().expect("rules").push(json!({
        "id": marker, "name": "answer late orders", "on": ["ticket_created"],
        "all": [{ "field": "text", "op": "contains", "value": marker }],
        "actions": [{ "type": "auto_reply", "article": "late-orders" }],
    }));
    let r = a.json("PUT", "/v1/admin/settings", &settings);
    assert_eq!(r.status, 200, "{}", r.text);

    // A customer leaves a ticket in the widget on that site.
    let customer = format!("{}@example.com", unique("wendy"));
    let id = widget_ticket(&site, &customer, &format!("My order {marker} is late"));
    assert_eq!(a.get(&format!("/v1/agent/tickets/{id}")).json()["channel"], "widget");

    // The rule's auto-reply is mailed at once, as an agent's reply is.
    let eml = mailed(&a, &id, "system", &article_title);
    let sent = mail_parser::MessageParser::default().parse(eml.as_bytes()).expect("the sent mail reads");
    assert_eq!(sent.from().and_then(|f| f.first()).and_then(|f| f.address()), Some(reply_address));
    assert_eq!(sent.to().and_then(|t| t.first()).and_then(|t| t.address()), Some(customer.as_str()));
    let text = sent.body_text(0).expect("a text body");
    assert!(text.contains("Orders leave within two working days"), "{text}");
    assert!(text.contains(&format!("/help/{site}/tickets/{id}?token=")), "{text}");

    // The agent's reply is also mailed, from the site's address, with the
    // link to the customer's page of the request.
    let answer = unique("answer");
    let reply = json!({ "body": format!("It ships today ({answer}).") }).to_string();
    let r = a.send(
        "POST",
        &format!("/v1/agent/tickets/{id}/messages"),
        &[("idempotency-key", &unique("k")), ("x-deflect-csrf", "1")],
        Some(("application/json", reply.as_bytes())),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let eml = mailed(&a, &id, "agent", &answer);
    let sent = mail_parser::MessageParser::default().parse(eml.as_bytes()).expect("the sent mail reads");
    assert_eq!(sent.from().and_then(|f| f.first()).and_then(|f| f.address()), Some(reply_address));
    assert_eq!(sent.to().and_then(|t| t.first()).and_then(|t| t.address()), Some(customer.as_str()));
    let text = sent.body_text(0).expect("a text body");
    assert!(text.contains(&answer), "{text}");
    assert!(text.contains(&format!("/help/{site}/tickets/{id}?token=")), "{text}");
    let reply_id = sent.message_id().expect("a Message-ID").to_string();

    // The customer answers the mail: it joins the widget ticket.
    let thanks = unique("thanks");
    let answer_mail = mail(
        &[
            ("From", &customer),
            ("Subject", &format!("Re: {}", sent.subject().unwrap_or_default())),
            ("Message-ID", &format!("<{}@mail.example.com>", unique("m"))),
            ("In-Reply-To", &format!("<{reply_id}>")),
        ],
        &format!("Thank you, {thanks}!"),
    );
    assert_eq!(deliver_to(&customer, reply_address, &answer_mail).0, 200);
    let t = when(&a, &id, "the customer's answer", |t| {
        t["messages"].as_array().is_some_and(|m| m.iter().any(|m| m["body"] == format!("Thank you, {thanks}!")))
    });
    assert_eq!(t["ticket"]["status"], "open", "the answer opens it again");
    assert_eq!(rows_containing("messages", "body", &thanks), 1, "kept once, on this ticket");
    close(&a, &id);
}

/// A widget ticket of `site` from `customer` (an address), in English;
/// its id.
pub(super) fn widget_ticket(site: &str, customer: &str, message: &str) -> String {
    let body = json!({
        "site": site,
        "customer": { "email": customer, "name": "Wendy Widget" },
        "message": message,
        "locale": "en",
    })
    .to_string();
    let r = public().send(
        "POST",
        "/v1/tickets",
        &[("idempotency-key", &unique("k"))],
        Some(("application/json", body.as_bytes())),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()["ticket"]["id"].as_str().expect("an id").to_string()
}

/// Adds to `settings` a site of its own named `name` that mails its
/// customers from `address`, so no other test's replies are mailed from
/// it; its id.
pub(super) fn with_mail_site(settings: &mut Value, name: &str, address: &str) -> String {
    let site = unique(&name.to_lowercase().replace(' ', ""));
    settings["sites"].as_array_mut().expect("sites").push(json!({
        "id": site, "name": name, "allowed_origins": [], "reply_address": address,
    }));
    site
}

/// An agent sets a ticket's status.
fn set_status(a: &Client, id: &str, status: &str) {
    let r = a.json("PATCH", &format!("/v1/agent/tickets/{id}"), &json!({ "status": status }));
    assert_eq!(r.status, 200, "{}", r.text);
}

/// The messages of a ticket from the system that ask for a rating.
fn rating_requests(a: &Client, id: &str) -> Vec<Value> {
    let t = a.get(&format!("/v1/agent/tickets/{id}")).json();
    let messages = t["messages"].as_array().cloned().unwrap_or_default();
    messages
        .into_iter()
        .filter(|m| m["author"] == "system" && m["body"].as_str().is_some_and(|b| b.contains("How did we do?")))
        .collect()
}

#[test]
fn a_solved_ticket_asks_its_customer_by_mail_to_rate_our_help_once() {
    let _settings = settings_lock();
    let a = admin(&edge_url());
    let before = a.get("/v1/admin/settings").json();
    let _restore = Restore { admin: &a, settings: before.clone() };
    let mut settings = before.clone();
    let site = with_mail_site(&mut settings, "Rate Shop", "rates@deflect.test");
    let r = a.json("PUT", "/v1/admin/settings", &settings);
    assert_eq!(r.status, 200, "{}", r.text);
    let last = settings["sites"].as_array().expect("sites").len() - 1;
    assert_eq!(r.json()["sites"][last]["rating_by_mail"], true, "on unless turned off");

    // Solved: the customer is asked by mail, with the link to their
    // request's page, where the rating form is.
    let customer = format!("{}@example.com", unique("rita"));
    let id = widget_ticket(&site, &customer, &format!("The lamp {} flickers", unique("lamp")));
    assert!(rating_requests(&a, &id).is_empty(), "not before it is solved");
    set_status(&a, &id, "solved");
    let eml = mailed(&a, &id, "system", "How did we do?");
    let sent = mail_parser::MessageParser::default().parse(eml.as_bytes()).expect("the sent mail reads");
    assert_eq!(sent.to().and_then(|t| t.first()).and_then(|t| t.address()), Some(customer.as_str()));
    let text = sent.body_text(0).expect("a text body");
    assert!(text.contains("We have marked your request as solved."), "{text}");
    let link = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&edge_url()) && l.contains(&format!("/help/{site}/tickets/{id}?token=")))
        .unwrap_or_else(|| panic!("a link to the page: {text}"));
    let path = link.strip_prefix(edge_url().as_str()).unwrap_or_else(|| panic!("{link} is not on this edge"));
    let page = Client::new(&edge_url()).ip(&unique("ip")).get(path);
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("name=\"action\" value=\"rate\""), "the page offers the rating: {}", page.text);
    assert!(!page.text.contains("required checked"), "no score is chosen for them: {}", page.text);
    // A link per score opens the page with that score chosen; opening it
    // (as a mail scanner would) rates nothing.
    let four = text
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("4 – good: "))
        .unwrap_or_else(|| panic!("a link for a 4: {text}"));
    assert!(four.ends_with("&rating=4#rate"), "{four}");
    let path = four.strip_prefix(edge_url().as_str()).unwrap_or_else(|| panic!("{four} is not on this edge"));
    let page = Client::new(&edge_url()).ip(&unique("ip")).get(path);
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("value=\"4\" required checked"), "4 is chosen: {}", page.text);
    assert!(page.text.contains("You picked 4 of 5."), "{}", page.text);
    assert!(page.text.contains("id=\"rate\""), "the link's anchor is the form");
    let t = a.get(&format!("/v1/agent/tickets/{id}")).json();
    assert_eq!(t.get("csat"), Some(&Value::Null), "not rated by a GET: {t}");

    // Opened again and solved again: asked once.
    set_status(&a, &id, "open");
    set_status(&a, &id, "solved");
    assert_eq!(rating_requests(&a, &id).len(), 1, "asked once");

    // Turned off for the site: a solve asks nothing.
    settings["sites"][last]["rating_by_mail"] = json!(false);
    let r = a.json("PUT", "/v1/admin/settings", &settings);
    assert_eq!(r.status, 200, "{}", r.text);
    let quiet = widget_ticket(&site, &customer, &format!("The fan {} hums", unique("fan")));
    set_status(&a, &quiet, "solved");
    assert!(rating_requests(&a, &quiet).is_empty(), "the site asks no ratings");
    close(&a, &id);
    close(&a, &quiet);
}
