//! A customer's own page of their request (`/help/{site}/tickets/{id}`):
//! read with the ticket's token, answered and rated through its forms.

use super::{assert_error, create, multipart, public, rows_containing, ticket_body};
use deflect_tests::{Client, Reply, admin, edge_url, unique};
use serde_json::{Value, json};

/// Posts one of the page's forms.
fn form(c: &Client, id: &str, fields: &[(&str, &str)]) -> Reply {
    let body: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    c.send(
        "POST",
        &format!("/help/demo/tickets/{id}"),
        &[],
        Some(("application/x-www-form-urlencoded", body.as_bytes())),
    )
}

/// The page, as the customer's browser reads it.
fn page(c: &Client, id: &str, token: &str) -> Reply {
    c.get(&format!("/help/demo/tickets/{id}?token={token}"))
}

/// The agent's view of the ticket.
fn agent_view(a: &Client, id: &str) -> Value {
    a.get(&format!("/v1/agent/tickets/{id}")).json()
}

#[test]
fn a_customer_reads_answers_and_rates_their_request_on_its_page() {
    let c = public();
    let marker = unique("page");
    let hostile = "<script>alert(1)</script> & \"quotes\"";
    let r = create(
        &c,
        &unique("key"),
        &ticket_body(&format!("{marker}@example.com"), &format!("Printer on fire {marker} {hostile}")),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let (id, token) = {
        let t = r.json();
        (t["ticket"]["id"].as_str().unwrap().to_string(), t["token"].as_str().unwrap().to_string())
    };

    // The page shows the conversation as text, privately.
    let p = page(&c, &id, &token);
    assert_eq!(p.status, 200, "{}", p.text);
    assert!(p.header("content-type").is_some_and(|t| t.starts_with("text/html")), "{:?}", p.headers);
    assert!(p.header("cache-control").is_some_and(|v| v.contains("no-store")), "{:?}", p.headers);
    assert_eq!(p.header("referrer-policy"), Some("no-referrer"));
    assert!(p.header("content-security-policy").is_some_and(|v| v.starts_with("default-src 'none'")));
    assert!(p.text.contains(&format!("Printer on fire {marker} &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;")));
    assert!(!p.text.contains("<script>"), "no markup from the customer");
    assert!(p.text.contains("We are looking into it."), "its state in words");
    assert!(p.text.contains("name=\"action\" value=\"reply\""), "a box to write in");
    assert!(!p.text.contains("name=\"action\" value=\"rate\""), "no rating before it is solved");

    // Without the right token there is no such request, whatever is wrong.
    let other = create(&c, &unique("key"), &ticket_body(&format!("{marker}-2@example.com"), "Another question"));
    let other_token = other.json()["token"].as_str().unwrap().to_string();
    for path in [
        format!("/help/demo/tickets/{id}?token={other_token}"),
        format!("/help/demo/tickets/{id}?token=x{token}"),
        format!("/help/demo/tickets/{id}"),
        format!("/help/elsewhere/tickets/{id}?token={token}"),
        format!("/help/demo/tickets/no-such-ticket?token={token}"),
    ] {
        let r = c.get(&path);
        assert_eq!(r.status, 404, "{path}: {}", r.text);
        assert!(r.text.contains("There is no such request"), "{path}: {}", r.text);
        assert!(!r.text.contains("Printer on fire"), "{path}");
    }
    let r = form(&c, &id, &[("token", &other_token), ("action", "reply"), ("body", "let me in")]);
    assert_eq!(r.status, 404, "{}", r.text);

    // The customer writes: the message joins the ticket once, whatever
    // the double click, and the page thanks them.
    let key = unique("form").replace('-', "");
    let words = format!("It is out now {marker}");
    for _ in 0..2 {
        let r = form(&c, &id, &[("token", &token), ("action", "reply"), ("key", &key), ("body", &words)]);
        assert_eq!(r.status, 200, "the redirect to the page: {}", r.text);
        assert!(r.text.contains("Thank you: we have your message."), "{}", r.text);
        assert!(r.text.contains(&words));
    }
    let a = admin(&edge_url());
    let messages = agent_view(&a, &id)["messages"].clone();
    let same: Vec<&Value> = messages.as_array().unwrap().iter().filter(|m| m["body"] == words.as_str()).collect();
    assert_eq!(same.len(), 1, "{messages}");
    assert_eq!(same[0]["author"], "customer");

    // What cannot be taken is said in words, with what was typed kept.
    let r = form(&c, &id, &[("token", &token), ("action", "reply"), ("body", "   ")]);
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("role=\"alert\""), "{}", r.text);
    assert!(r.text.contains("Please write your message (up to 10,000 characters), or attach a file."), "{}", r.text);
    // In the customer's language, files too.
    let r = form(&c, &id, &[("token", &token), ("lang", "zh"), ("action", "reply"), ("body", "")]);
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("请填写您的留言（不超过 10,000 个字符），或添加附件。"), "{}", r.text);
    let eleven: Vec<(String, &str, &[u8])> =
        (0..11).map(|i| (format!("{i}.txt"), "text/plain", b"a line".as_slice())).collect();
    let eleven: Vec<(&str, &str, &[u8])> = eleven.iter().map(|(n, t, b)| (n.as_str(), *t, *b)).collect();
    let typed = format!("Eleven files {marker}");
    let fields = [("token", token.as_str()), ("lang", "zh"), ("action", "reply"), ("body", typed.as_str())];
    let r = multipart(&c, &format!("/help/demo/tickets/{id}"), &fields, &eleven);
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("一条消息最多附带 10 个文件。") && r.text.contains(&typed), "{}", r.text);
    let long = format!("{marker} {}", "x".repeat(10_001));
    let r = form(&c, &id, &[("token", &token), ("action", "reply"), ("body", &long)]);
    assert_eq!(r.status, 422);
    assert!(r.text.contains(&long), "the text is kept to be shortened");
    let r = form(&c, &id, &[("token", &token), ("action", "shout")]);
    assert_eq!(r.status, 422);
    let r = form(&c, &id, &[("token", &token), ("action", "rate"), ("rating", "5")]);
    assert_eq!(r.status, 409, "not solved yet: {}", r.text);
    assert!(r.text.contains("once it is solved"), "{}", r.text);
    let json_body = json!({ "token": token }).to_string();
    let r = c.send("POST", &format!("/help/demo/tickets/{id}"), &[], Some(("application/json", json_body.as_bytes())));
    assert_eq!(r.status, 415, "{}", r.text);
    let fields = format!("token={token}&action=reply&body=from+elsewhere");
    let r = c.send(
        "POST",
        &format!("/help/demo/tickets/{id}"),
        &[("sec-fetch-site", "cross-site")],
        Some(("application/x-www-form-urlencoded", fields.as_bytes())),
    );
    assert_eq!(r.status, 403, "{}", r.text);

    // Solved: the customer rates the help, and may change their mind.
    let r = a.json("PATCH", &format!("/v1/agent/tickets/{id}"), &json!({ "status": "solved" }));
    assert_eq!(r.status, 200, "{}", r.text);
    let p = page(&c, &id, &token);
    assert!(p.text.contains("Solved."), "{}", p.text);
    assert!(p.text.contains("name=\"action\" value=\"rate\""), "{}", p.text);
    let r = form(&c, &id, &[("token", &token), ("action", "rate"), ("comment", "no stars")]);
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("Please pick a rating from 1 to 5.") && r.text.contains("no stars"), "{}", r.text);
    let r = form(&c, &id, &[("token", &token), ("action", "rate"), ("rating", "9")]);
    assert_eq!(r.status, 422, "{}", r.text);
    let comment = format!("Quick <b>help</b> {marker}");
    let r = form(&c, &id, &[("token", &token), ("action", "rate"), ("rating", "4"), ("comment", &comment)]);
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("You rated our help 4 of 5. Thank you!"), "{}", r.text);
    let t = agent_view(&a, &id);
    assert_eq!(t["csat"], 4);
    assert_eq!(t["csat_comment"], comment.as_str());

    // In Chinese when asked.
    let p = c.get(&format!("/help/demo/tickets/{id}?token={token}&lang=zh"));
    assert!(p.text.contains("您的评价：4/5。谢谢！"), "{}", p.text);

    // Closed: no more writing, and the page says how to reach the team.
    let r = a.json("PATCH", &format!("/v1/agent/tickets/{id}"), &json!({ "status": "closed" }));
    assert_eq!(r.status, 200, "{}", r.text);
    let p = page(&c, &id, &token);
    assert!(p.text.contains("This request is closed."), "{}", p.text);
    assert!(!p.text.contains("name=\"action\" value=\"reply\""));
    let other_id = other.json()["ticket"]["id"].as_str().unwrap().to_string();
    let r = a.json("PATCH", &format!("/v1/agent/tickets/{other_id}"), &json!({ "status": "closed" }));
    assert_eq!(r.status, 200, "{}", r.text);
}

/// The text in `html` after `start`, up to the next `"`.
fn after_up_to_quote<'a>(html: &'a str, start: &str) -> &'a str {
    let from = html.find(start).map(|i| i + start.len()).unwrap_or_else(|| panic!("no {start} in {html}"));
    html[from..].split('"').next().unwrap_or_default()
}

/// A query value, encoded as a form encodes it.
fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[test]
fn a_customer_writes_to_the_team_from_the_help_centre_and_lands_on_their_request() {
    let c = public();
    let marker = unique("contact");
    // A search the help centre cannot answer leads to the form, with the
    // question; so does every article.
    let q = format!("Can I pay with seashells {marker}");
    let home = c.get(&format!("/help/demo?lang=en&q={}", enc(&q)));
    assert_eq!(home.status, 200, "{}", home.text);
    assert!(home.text.contains(&format!("href=\"/help/demo/contact?lang=en&amp;q={}\"", enc(&q))), "{}", home.text);
    let article = c.get("/help/demo/articles/refunds?lang=zh");
    assert!(article.text.contains("<a href=\"/help/demo/contact?lang=zh\">联系我们的团队</a>"), "{}", article.text);

    // The form: never cached (each showing has its own key), the question
    // in it as text.
    let shown = c.get(&format!("/help/demo/contact?lang=en&q={}", enc(&format!("{q} <b>"))));
    assert_eq!(shown.status, 200, "{}", shown.text);
    assert!(shown.header("cache-control").is_some_and(|v| v.contains("no-store")), "{:?}", shown.headers);
    assert!(shown.header("content-security-policy").is_some_and(|v| v.starts_with("default-src 'none'")));
    assert!(shown.text.contains(&format!(">{q} &lt;b&gt;</textarea>")), "{}", shown.text);
    let key = after_up_to_quote(&shown.text, "name=\"key\" value=\"").to_string();
    let other_key = after_up_to_quote(&c.get("/help/demo/contact").text, "name=\"key\" value=\"").to_string();
    assert_ne!(key, other_key, "a key of its own for each showing");

    // Sent with a screenshot: the customer lands on their request's own
    // page, which says where the answers come.
    let message = format!("{q} <script>alert(1)</script>");
    let email = format!("{marker}@example.com");
    let shot: &[u8] = b"\x89PNG screenshot";
    let fields =
        [("lang", "en"), ("key", key.as_str()), ("email", &email), ("name", "Sam Shell"), ("message", &message)];
    let sent = multipart(&c, "/help/demo/contact", &fields, &[("shot.png", "image/png", shot)]);
    assert_eq!(sent.status, 200, "the redirect leads to the page: {}", sent.text);
    assert!(sent.text.contains("We have your request."), "{}", sent.text);
    assert!(sent.text.contains(&format!("{q} &lt;script&gt;alert(1)&lt;/script&gt;")), "{}", sent.text);
    assert!(sent.text.contains(">shot.png</a>"), "{}", sent.text);
    let id = after_up_to_quote(&sent.text, "action=\"/help/demo/tickets/").to_string();
    let token = after_up_to_quote(&sent.text, "name=\"token\" value=\"").to_string();
    assert_eq!(page(&c, &id, &token).status, 200, "the page's address works later");

    // A double click: one ticket, with one file.
    let again = multipart(&c, "/help/demo/contact", &fields, &[("shot.png", "image/png", shot)]);
    assert_eq!(after_up_to_quote(&again.text, "action=\"/help/demo/tickets/"), id);
    let a = admin(&edge_url());
    let found = a.get(&format!("/v1/agent/tickets?status=all&q={marker}")).json();
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    let t = agent_view(&a, &id);
    assert_eq!(t["channel"], "web");
    assert_eq!(t["locale"], "en");
    assert_eq!(t["customer"]["email"], email.as_str());
    assert_eq!(t["customer"]["name"], "Sam Shell");
    assert_eq!(t["messages"][0]["body"], message.as_str());
    let m = a.get("/v1/agent/metrics?days=1").json();
    let web = m["by_channel"].as_array().and_then(|c| c.iter().find(|r| r["channel"] == "web").cloned());
    assert!(web.is_some_and(|w| w["tickets"].as_u64() >= Some(1)), "the metrics count it as from the help centre: {m}");
    let files: Vec<&Value> = t["attachments"].as_array().map(|f| f.iter().collect()).unwrap_or_default();
    assert_eq!(files.len(), 1, "{t}");
    assert_eq!((files[0]["name"].as_str(), files[0]["message"] == t["messages"][0]["id"]), (Some("shot.png"), true));

    // Back, edit, send under the same key: the form again, with the words
    // kept and a new key for the next press.
    let edited = format!("Seashells or pebbles? {marker}");
    let fields2 =
        [("lang", "en"), ("key", key.as_str()), ("email", &email), ("name", "Sam Shell"), ("message", &edited)];
    let r = multipart(&c, "/help/demo/contact", &fields2, &[]);
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("This form was sent before with other words."), "{}", r.text);
    assert!(r.text.contains(&edited));
    assert_ne!(after_up_to_quote(&r.text, "name=\"key\" value=\""), key);

    // A wrong field: the form again, in the customer's language, with the
    // reason and what they typed.
    let post = |fields: &[(&str, &str)]| {
        let body: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        c.send("POST", "/help/demo/contact", &[], Some(("application/x-www-form-urlencoded", body.as_bytes())))
    };
    let zh = format!("你好 {marker}");
    let r = post(&[("lang", "zh"), ("email", "not an address"), ("message", &zh)]);
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("请填写一个我们可以回复的邮箱地址。"), "{}", r.text);
    assert!(r.text.contains(&format!(">{zh}</textarea>")), "{}", r.text);
    let r = post(&[("lang", "en"), ("email", &email), ("message", "  ")]);
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("Please write your question"), "{}", r.text);
    assert!(r.text.contains(&format!("value=\"{email}\"")), "{}", r.text);

    // A form-filling bot fills the field people do not see: nothing is
    // opened, and a person whose browser filled it gets their words back,
    // the field empty, to send again.
    let trap_page = c.get("/help/demo/contact?lang=en").text;
    assert!(
        trap_page.contains("<div class=\"trap\" aria-hidden=\"true\">")
            && trap_page.contains("name=\"website\" type=\"text\" tabindex=\"-1\" autocomplete=\"off\" value=\"\""),
        "{trap_page}"
    );
    let botted = format!("Cheap watches {marker}");
    let r = post(&[("lang", "en"), ("email", &email), ("message", &botted), ("website", "https://spam.example")]);
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("This form could not be sent. Please check it and press Send again."), "{}", r.text);
    assert!(r.text.contains(&format!(">{botted}</textarea>")) && !r.text.contains("spam.example"), "{}", r.text);
    assert_eq!(rows_containing("messages", "body", &botted), 0, "nothing opened");

    // Files over the limits: the reason in the customer's language.
    let big = vec![b'x'; 8 * 1024 * 1024 + 1];
    let fields = [("lang", "zh"), ("email", email.as_str()), ("message", zh.as_str())];
    let r = multipart(&c, "/help/demo/contact", &fields, &[("big.log", "text/plain", &big)]);
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("big.log 超过 8 MB，无法发送。"), "{}", r.text);

    // Only from its own page, and only for a site that exists.
    let body = format!("email={}&message=hi", enc(&email));
    let r = c.send(
        "POST",
        "/help/demo/contact",
        &[("sec-fetch-site", "cross-site")],
        Some(("application/x-www-form-urlencoded", body.as_bytes())),
    );
    assert_eq!(assert_error(&r, 403..=403), "forbidden");
    assert_error(&c.get("/help/no-such-site/contact"), 404..=404);
    assert_eq!(rows_containing("messages", "body", &marker), 1, "one message of all these posts");
}
