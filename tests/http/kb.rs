//! The knowledge base: editing, import, publishing, the cached index, the
//! help centre, and CORS on the public API.

use super::{assert_error, change_sites, public};
use deflect_tests::{Client, Reply, admin, edge_url, unique};
use serde_json::{Value, json};

#[test]
fn the_index_is_served_with_an_etag_and_revalidates() {
    let c = public();
    let r = c.get("/v1/kb/index?site=demo");
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    assert!(r.header("cache-control").is_some_and(|v| v.contains("max-age")), "{:?}", r.headers);
    let etag = r.header("etag").expect("an ETag").to_string();
    let again = c.send("GET", "/v1/kb/index?site=demo", &[("if-none-match", &etag)], None);
    assert_eq!(again.status, 304);
    assert!(again.text.is_empty());
    let head = c.send("HEAD", "/v1/kb/index?site=demo", &[], None);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("etag"), Some(etag.as_str()));
    assert!(head.text.is_empty());
}

#[test]
fn the_static_pages_come_with_their_headers_and_an_icon() {
    let c = public();
    let dash = c.get("/dashboard/");
    assert_eq!(dash.status, 200);
    assert!(
        dash.header("content-security-policy").is_some_and(|v| v.contains("frame-ancestors 'none'")),
        "{:?}",
        dash.headers
    );
    assert_eq!(dash.header("x-frame-options"), Some("DENY"));
    assert_eq!(dash.header("x-content-type-options"), Some("nosniff"));
    // Browsers ask every page's origin for it.
    let icon = c.get("/favicon.ico");
    assert_eq!(icon.status, 200);
    assert!(icon.bytes.starts_with(&[0, 0, 1, 0]), "an ICO file");
}

#[test]
fn articles_are_created_edited_published_and_deleted() {
    let a = admin(&edge_url());
    let id = unique("article").to_lowercase();
    let body = json!({
        "id": id,
        "title": "Ship a parcel to the moon",
        "body": "Lunar parcels leave every Tuesday from the spaceport.",
        "tags": ["shipping"],
        "phrasings": ["can you deliver to the moon"],
    });
    let r = a.json("POST", "/v1/admin/articles?site=demo", &body);
    assert_eq!(r.status, 201, "{}", r.text);
    assert_error(&a.json("POST", "/v1/admin/articles?site=demo", &body), 409..=409);
    let mut edited = body.clone();
    edited["title"] = json!("Ship a parcel to the Moon or Mars");
    let r = a.json("PUT", &format!("/v1/admin/articles/{id}?site=demo"), &edited);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        a.get(&format!("/v1/agent/articles/{id}?site=demo")).json()["title"],
        "Ship a parcel to the Moon or Mars"
    );

    let before = public().get("/v1/kb/index?site=demo").header("etag").map(str::to_string);
    let p = a.json("POST", "/v1/admin/kb/publish?site=demo", &json!({}));
    assert_eq!(p.status, 200, "{}", p.text);
    let after = public().get("/v1/kb/index?site=demo").header("etag").map(str::to_string);
    assert_ne!(before, after, "publishing changes the ETag");

    // The help centre finds it with the same matcher.
    let page = public().get("/help/demo?q=deliver+a+parcel+to+the+moon");
    assert!(page.text.contains("Ship a parcel to the Moon or Mars"), "{}", page.text);

    let del = a.send("DELETE", &format!("/v1/admin/articles/{id}?site=demo"), &[("x-deflect-csrf", "1")], None);
    assert_eq!(del.status, 204, "{}", del.text);
    assert_error(&a.get(&format!("/v1/agent/articles/{id}?site=demo")), 404..=404);
    assert_eq!(a.json("POST", "/v1/admin/kb/publish?site=demo", &json!({})).status, 200);
}

/// A JSON request holding the caller to an article revision.
fn if_match(c: &Client, method: &str, path: &str, etag: &str, body: Option<&Value>) -> Reply {
    let text = body.map(Value::to_string);
    let body = text.as_deref().map(|t| ("application/json", t.as_bytes()));
    c.send(method, path, &[("x-deflect-csrf", "1"), ("if-match", etag)], body)
}

#[test]
fn an_article_keeps_its_history_and_a_stale_edit_is_refused() {
    let a = admin(&edge_url());
    let id = unique("revised").to_lowercase();
    let path = format!("/v1/admin/articles/{id}?site=demo");
    let article =
        |title: &str| json!({ "id": id, "title": title, "body": format!("{title}: the answer."), "tags": ["history"] });
    let r = a.json("POST", "/v1/admin/articles?site=demo", &article("First words"));
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!((r.json()["revision"].as_u64(), r.header("etag")), (Some(1), Some("\"1\"")));
    assert_eq!(a.get(&format!("/v1/agent/articles/{id}?site=demo")).header("etag"), Some("\"1\""));

    // Two editors opened revision 1; the first to save wins, the second is
    // refused and nothing of the first is lost.
    let r = if_match(&a, "PUT", &path, "\"1\"", Some(&article("Second words")));
    assert_eq!((r.status, r.header("etag")), (200, Some("\"2\"")), "{}", r.text);
    let r = if_match(&a, "PUT", &path, "\"1\"", Some(&article("Stale words")));
    assert_eq!(assert_error(&r, 412..=412), "edit_conflict");
    let message = r.json()["error"]["message"].as_str().unwrap_or("").to_string();
    assert!(message.contains(" changed this article") && message.contains("revision 2"), "{message}");
    let now = a.get(&format!("/v1/agent/articles/{id}?site=demo")).json();
    assert_eq!((now["title"].as_str(), now["revision"].as_u64()), (Some("Second words"), Some(2)));
    assert_eq!(assert_error(&if_match(&a, "PUT", &path, "2", Some(&article("x"))), 400..=400), "bad_if_match");
    // Either of two tags, a weak one, or any revision at all.
    let r = if_match(&a, "PUT", &path, "\"7\", W/\"2\"", Some(&article("Third words")));
    assert_eq!(r.status, 200, "{}", r.text);
    let r = if_match(&a, "PUT", &path, "*", Some(&article("Fourth words")));
    assert_eq!(r.json()["revision"], 4, "{}", r.text);

    let history = a.get(&format!("/v1/agent/articles/{id}/revisions?site=demo")).json();
    let list = history.as_array().expect("a list");
    let seen: Vec<(u64, &str, &str)> = list
        .iter()
        .map(|r| (r["revision"].as_u64().unwrap(), r["action"].as_str().unwrap(), r["title"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        [
            (4, "update", "Fourth words"),
            (3, "update", "Third words"),
            (2, "update", "Second words"),
            (1, "create", "First words")
        ]
    );
    assert!(list.iter().all(|r| r["author"].as_str().is_some_and(|n| !n.is_empty())), "{history}");
    assert_eq!(list[3]["body"], "First words: the answer.");
    assert_eq!(list[3]["tags"], json!(["history"]));

    // Restoring makes an old text current as a new revision.
    let r = a.json("POST", &format!("/v1/admin/articles/{id}/revisions/1/restore?site=demo"), &json!({}));
    assert_eq!((r.status, r.header("etag")), (200, Some("\"5\"")), "{}", r.text);
    assert_eq!(r.json()["title"], "First words");
    let latest = a.get(&format!("/v1/agent/articles/{id}/revisions?site=demo")).json();
    assert_eq!((latest[0]["revision"].as_u64(), latest[0]["action"].as_str()), (Some(5), Some("restore")));

    // A delete from an old copy is refused too; from the current one it
    // keeps the text, and the article can come back.
    assert_error(&if_match(&a, "DELETE", &path, "\"4\"", None), 412..=412);
    assert_eq!(if_match(&a, "DELETE", &path, "\"5\"", None).status, 204);
    assert_error(&a.get(&format!("/v1/agent/articles/{id}?site=demo")), 404..=404);
    let r = if_match(&a, "PUT", &path, "\"5\"", Some(&article("Too late")));
    assert_eq!(assert_error(&r, 412..=412), "edit_conflict");
    assert!(r.json()["error"]["message"].as_str().unwrap_or("").contains(" deleted this article"), "{}", r.text);
    let never =
        if_match(&a, "PUT", "/v1/admin/articles/never-was?site=demo", "*", Some(&json!({ "title": "x", "body": "" })));
    assert_eq!(assert_error(&never, 412..=412), "edit_conflict");
    assert!(never.json()["error"]["message"].as_str().unwrap_or("").contains("there is no article"), "{}", never.text);
    let gone = a.get("/v1/agent/kb/deleted?site=demo").json();
    let entry = gone.as_array().unwrap().iter().find(|r| r["article"] == id.as_str()).expect("listed as deleted");
    assert_eq!((entry["revision"].as_u64(), entry["title"].as_str()), (Some(6), Some("First words")));

    // Only admins restore; unknown revisions and articles are 404.
    let agent = super::auth::agent();
    let restore6 = format!("/v1/admin/articles/{id}/revisions/6/restore?site=demo");
    assert_error(&agent.json("POST", &restore6, &json!({})), 403..=403);
    assert_eq!(agent.get(&format!("/v1/agent/articles/{id}/revisions?site=demo")).status, 200);
    for bad in ["99", "0", "abc"] {
        let r = a.json("POST", &format!("/v1/admin/articles/{id}/revisions/{bad}/restore?site=demo"), &json!({}));
        assert_error(&r, 404..=404);
    }
    assert_error(&a.get("/v1/agent/articles/no-such-article/revisions?site=demo"), 404..=404);

    let r = a.json("POST", &restore6, &json!({}));
    assert_eq!((r.status, r.json()["revision"].as_u64()), (200, Some(7)), "{}", r.text);
    assert_eq!(r.json()["title"], "First words");
    let gone = a.get("/v1/agent/kb/deleted?site=demo").json();
    assert!(!gone.as_array().unwrap().iter().any(|r| r["article"] == id.as_str()), "{gone}");

    // An import is kept in the history as well.
    let r = a.json("POST", "/v1/admin/articles/import?site=demo", &json!({ "articles": [article("Imported words")] }));
    assert_eq!(r.status, 200, "{}", r.text);
    let latest = a.get(&format!("/v1/agent/articles/{id}/revisions?site=demo")).json();
    assert_eq!((latest[0]["revision"].as_u64(), latest[0]["action"].as_str()), (Some(8), Some("import")));
    let audit = a.get(&format!("/v1/admin/audit?target={id}")).json();
    assert!(
        audit.as_array().unwrap().iter().any(|e| e["action"] == "article.restore" && e["target"] == id.as_str()),
        "{audit}"
    );
    assert_eq!(a.send("DELETE", &path, &[("x-deflect-csrf", "1")], None).status, 204);
}

#[test]
fn a_question_is_tried_on_the_saved_articles_before_they_are_published() {
    let a = admin(&edge_url());
    // A site of its own, so no other test publishes it meanwhile.
    let site = unique("try").to_lowercase();
    let sites = |change: &dyn Fn(&mut Vec<Value>)| change_sites(&a, change);
    sites(&|list| list.push(json!({ "id": site, "name": "Airships", "allowed_origins": [] })));
    let ask = |draft: bool, question: &str| {
        a.json("POST", &format!("/v1/agent/kb/try?site={site}"), &json!({ "question": question, "draft": draft }))
    };
    let boarding = "how do I print my zeppelin boarding pass";
    assert_error(&ask(true, boarding), 409..=409);

    let articles = json!({ "articles": [
        { "id": "boarding", "title": "Zeppelin boarding passes", "body": "Print your zeppelin boarding pass at the kiosk by the airship dock.",
          "phrasings": ["where do I get my zeppelin boarding pass", "printing an airship ticket"] },
        { "id": "refunds", "title": "Refunds for cancelled flights", "body": "When we cancel an airship flight, the fare comes back to your card within five days.",
          "phrasings": ["my flight was cancelled, do I get my money back", "refund for a cancelled airship flight"] },
    ]});
    let status = || {
        let s = a.get(&format!("/v1/agent/kb/status?site={site}")).json();
        let n = |k: &str| s[k].as_u64().unwrap_or_else(|| panic!("{k} in {s}"));
        (s["published_at"].is_number(), n("published_articles"), n("saved_articles"), n("changed"), n("deleted"))
    };
    assert_eq!(status(), (false, 0, 0, 0, 0));
    let r = a.json("POST", &format!("/v1/admin/articles/import?site={site}"), &articles);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(status(), (false, 0, 2, 2, 0));

    // Saved, not published: the draft answers, the widget's index does not exist yet.
    let r = ask(true, boarding);
    assert_eq!(r.status, 200, "{}", r.text);
    let t = r.json();
    assert_eq!(
        (t["decision"].as_str(), t["draft"].as_bool(), t["articles"].as_u64()),
        (Some("answer"), Some(true), Some(2)),
        "{t}"
    );
    assert_eq!((t["hits"][0]["id"].as_str(), t["hits"][0]["shown"].as_bool()), (Some("boarding"), Some(true)), "{t}");
    assert_eq!(t["hits"].as_array().unwrap().iter().filter(|h| h["shown"] == true).count(), 1, "{t}");
    assert!(t["confidence"].as_f64().unwrap() >= t["answer_threshold"].as_f64().unwrap(), "{t}");
    let off = ask(true, "what is the weather on mars tomorrow").json();
    assert_eq!(off["decision"], "escalate", "{off}");
    assert!(off["hits"].as_array().unwrap().iter().all(|h| h["shown"] == false), "{off}");
    let r = ask(false, boarding);
    assert_error(&r, 409..=409);
    assert!(r.json()["error"]["message"].as_str().unwrap_or("").contains("has not published"), "{}", r.text);

    // Published; then an edit shows in the draft at once, in the widget's
    // index only after the next publish.
    assert_eq!(a.json("POST", &format!("/v1/admin/kb/publish?site={site}"), &json!({})).status, 200);
    assert_eq!(status(), (true, 2, 2, 0, 0));
    let t = ask(false, boarding).json();
    assert_eq!(
        (t["hits"][0]["title"].as_str(), t["draft"].as_bool()),
        (Some("Zeppelin boarding passes"), Some(false)),
        "{t}"
    );
    let mut renamed = articles["articles"][0].clone();
    renamed["title"] = json!("Airship boarding passes");
    let r = a.json("PUT", &format!("/v1/admin/articles/boarding?site={site}"), &renamed);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(ask(true, boarding).json()["hits"][0]["title"], "Airship boarding passes");
    assert_eq!(ask(false, boarding).json()["hits"][0]["title"], "Zeppelin boarding passes");
    // One changed; one published article deleted; one made and deleted
    // since, which the widget never had.
    let del =
        |id: &str| a.send("DELETE", &format!("/v1/admin/articles/{id}?site={site}"), &[("x-deflect-csrf", "1")], None);
    assert_eq!(del("refunds").status, 204);
    let brief = json!({ "id": "brief", "title": "Here and gone", "body": "" });
    assert_eq!(a.json("POST", &format!("/v1/admin/articles?site={site}"), &brief).status, 201);
    assert_eq!(status(), (true, 2, 2, 2, 1));
    assert_eq!(del("brief").status, 204);
    assert_eq!(status(), (true, 2, 1, 1, 1));

    // Agents may try too; bad questions are refused in words.
    let agent = super::auth::agent();
    let r = agent.json("POST", &format!("/v1/agent/kb/try?site={site}"), &json!({ "question": boarding }));
    assert_eq!((r.status, r.json()["draft"].as_bool()), (200, Some(false)), "{}", r.text);
    assert_eq!(r.json()["hits"][0]["id"], "boarding");
    assert_error(&ask(true, "   "), 422..=422);
    assert_error(&ask(true, &"x".repeat(501)), 422..=422);
    let r = a.json("POST", &format!("/v1/agent/kb/try?site={site}"), &json!({ "question": "hi", "drafts": true }));
    assert_error(&r, 400..=422);
    assert_error(&a.json("POST", "/v1/agent/kb/try?site=no-such-site", &json!({ "question": "hi" })), 422..=422);

    sites(&|list| list.retain(|s| s["id"] != site.as_str()));
}

/// Where `needle` first stands in `hay`, failing when it is not there.
fn at(hay: &str, needle: &str) -> usize {
    hay.find(needle).unwrap_or_else(|| panic!("{needle:?} is not in {hay}"))
}

#[test]
fn the_help_centre_lists_articles_by_category_as_published() {
    let a = admin(&edge_url());
    // A site of its own, so no other test publishes it meanwhile.
    let site = unique("shelves").to_lowercase();
    change_sites(&a, &|list| list.push(json!({ "id": site, "name": "Shelves", "allowed_origins": [] })));
    let markdown = "---\nid: password\ncategory: Your account\nphrasings: forgot my password\n---\n\
                    # Reset your password\n\nUse the link on the login page.\n";
    let articles = json!({ "markdown": [markdown], "articles": [
        { "id": "refunds", "title": "Refunds", "body": "Refunds take five days.", "category": "Billing" },
        // The same category in other spelling: one heading, capitals first.
        { "id": "invoices", "title": "Invoices", "body": "Download them in Settings.", "category": " billing " },
        { "id": "status", "title": "Service status", "body": "See status.example.com." },
        { "id": "odd", "title": "Odd shelf", "body": "Text.", "category": "<b>Odd</b> & co" },
        { "id": "zh-refunds", "title": "退款", "body": "五天内退回。", "locale": "zh" },
    ]});
    let r = a.json("POST", &format!("/v1/admin/articles/import?site={site}"), &articles);
    assert_eq!(r.status, 200, "{}", r.text);
    let get = |id: &str| a.get(&format!("/v1/agent/articles/{id}?site={site}")).json();
    assert_eq!(get("invoices")["category"], "billing", "kept trimmed");
    assert_eq!(get("password")["category"], "Your account", "from the Markdown front matter");
    assert_eq!(get("status")["category"], "");

    // A category is one line of at most 80 characters.
    let shelve = |category: Value| {
        a.json(
            "POST",
            &format!("/v1/admin/articles?site={site}"),
            &json!({ "title": "Bad", "body": "", "category": category }),
        )
    };
    for bad in ["Billing\nand more", &"x".repeat(81)] {
        let r = shelve(json!(bad));
        assert_error(&r, 422..=422);
        assert!(r.json()["error"]["message"].as_str().unwrap_or("").contains("category"), "{}", r.text);
    }
    assert_error(&shelve(json!(7)), 400..=422);

    assert_eq!(a.json("POST", &format!("/v1/admin/kb/publish?site={site}"), &json!({})).status, 200);
    let home = public().get(&format!("/help/{site}?lang=en")).text;
    // Named categories in order, then the articles with none.
    let (odd, billing, account, other) = (
        at(&home, "<h3 class=\"category\" id=\"category-1\">&lt;b&gt;Odd&lt;/b&gt; &amp; co</h3>"),
        at(&home, "<h3 class=\"category\" id=\"category-2\">Billing</h3>"),
        at(&home, "<h3 class=\"category\" id=\"category-3\">Your account</h3>"),
        at(&home, "<h3 class=\"category\" id=\"category-4\">Other articles</h3>"),
    );
    assert!(odd < billing && billing < account && account < other, "{home}");
    assert!(!home.contains("<b>Odd"), "a category is shown as text");
    let (refunds, invoices, password, status) = (
        at(&home, ">Refunds<"),
        at(&home, ">Invoices<"),
        at(&home, ">Reset your password<"),
        at(&home, ">Service status<"),
    );
    assert!(billing < invoices && invoices < refunds && refunds < account, "{home}");
    assert!(account < password && password < other && other < status, "{home}");
    assert!(!home.contains("退款"), "the Chinese article is on the Chinese page");
    // A search names each answer's category.
    let found = public().get(&format!("/help/{site}?lang=en&q=how+long+do+refunds+take")).text;
    assert!(found.contains(">Refunds</a> <span class=\"category\">Billing</span></li>"), "{found}");
    // Without categories a list has no headings.
    let zh = public().get(&format!("/help/{site}?lang=zh")).text;
    assert!(zh.contains(">退款<") && !zh.contains("class=\"category\""), "{zh}");

    // An article page links its category's heading and lists the others
    // in it.
    let page = public().get(&format!("/help/{site}/articles/refunds?lang=en")).text;
    let label = format!("<p class=\"category\"><a href=\"/help/{site}?lang=en#category-2\">Billing</a></p>");
    assert!(page.contains(&label), "{page}");
    let more = &page[at(&page, "More in Billing")..];
    assert!(more.contains(">Invoices<") && !more.contains(">Refunds<") && !more.contains("Reset your"), "{page}");
    let page = public().get(&format!("/help/{site}/articles/status?lang=en")).text;
    assert!(!page.contains("class=\"category\"") && !page.contains("More in"), "{page}");

    // A change of category reaches the help centre when it is published.
    let mut moved = get("status");
    for k in ["site", "updated_at", "revision"] {
        moved.as_object_mut().unwrap().remove(k);
    }
    moved["category"] = json!("Your account");
    let r = a.json("PUT", &format!("/v1/admin/articles/status?site={site}"), &moved);
    assert_eq!((r.status, r.json()["revision"].as_u64()), (200, Some(2)), "{}", r.text);
    let home = public().get(&format!("/help/{site}?lang=en")).text;
    assert!(at(&home, "Other articles") < at(&home, ">Service status<"), "not yet published: {home}");
    assert_eq!(a.json("POST", &format!("/v1/admin/kb/publish?site={site}"), &json!({})).status, 200);
    let home = public().get(&format!("/help/{site}?lang=en")).text;
    assert!(!home.contains("Other articles"), "{home}");
    assert!(at(&home, "Your account") < at(&home, ">Service status<"), "{home}");

    // Revisions keep the category; a restore brings the old one back.
    let history = a.get(&format!("/v1/agent/articles/status/revisions?site={site}")).json();
    assert_eq!((history[0]["category"].as_str(), history[1]["category"].as_str()), (Some("Your account"), Some("")));
    let r = a.json("POST", &format!("/v1/admin/articles/status/revisions/1/restore?site={site}"), &json!({}));
    assert_eq!((r.status, r.json()["category"].as_str()), (200, Some("")), "{}", r.text);

    change_sites(&a, &|list| list.retain(|s| s["id"] != site.as_str()));
}

#[test]
fn an_export_of_the_kb_imports_back_as_it_was() {
    let a = admin(&edge_url());
    let site = unique("export").to_lowercase();
    change_sites(&a, &|list| list.push(json!({ "id": site, "name": "Exports", "allowed_origins": [] })));
    let articles = json!({ "articles": [
        { "id": "refunds", "title": "Refunds", "body": "Refunds take **five** days.\n\n- by card\n- by transfer",
          "tags": ["billing", "money, back"], "phrasings": ["money back | now", "I want a refund"], "category": "Billing" },
        { "id": "zh-login", "title": "无法登录", "body": "请重置密码。", "locale": "zh", "phrasings": ["登录不了"],
          "category": "账户/登录" },
    ]});
    let r = a.json("POST", &format!("/v1/admin/articles/import?site={site}"), &articles);
    assert_eq!(r.status, 200, "{}", r.text);
    let saved = || {
        let mut list = a.get(&format!("/v1/agent/articles?site={site}")).json();
        for x in list.as_array_mut().expect("a list") {
            let x = x.as_object_mut().expect("an article");
            x.remove("updated_at");
            x.remove("revision");
        }
        list
    };
    let before = saved();

    let r = a.get(&format!("/v1/admin/kb/export?site={site}"));
    assert_eq!(r.status, 200, "{}", r.text);
    let disposition = format!("attachment; filename=\"deflect-kb-{site}.json\"");
    assert_eq!(r.header("content-disposition"), Some(disposition.as_str()));
    let export = r.json();
    assert_eq!(export["articles"].as_array().map(Vec::len), Some(2), "{export}");
    assert_eq!(export["articles"][0]["category"], "Billing", "{export}");
    // Agents read articles but do not download the KB.
    assert_error(&super::auth::agent().get(&format!("/v1/admin/kb/export?site={site}")), 403..=403);
    let audit = a.get(&format!("/v1/admin/audit?target={site}&action=kb.export")).json();
    assert_eq!(audit[0]["detail"]["count"], 2, "{audit}");

    // Gone, then imported from the export: the same articles.
    for id in ["refunds", "zh-login"] {
        let del = a.send("DELETE", &format!("/v1/admin/articles/{id}?site={site}"), &[("x-deflect-csrf", "1")], None);
        assert_eq!(del.status, 204, "{}", del.text);
    }
    assert_eq!(saved(), json!([]));
    let r = a.json("POST", &format!("/v1/admin/articles/import?site={site}"), &export);
    assert_eq!((r.status, r.json()["imported"].as_u64()), (200, Some(2)), "{}", r.text);
    assert_eq!(saved(), before);

    // Or as Markdown files in a zip, a folder per category and one in it per
    // section (names no file system refuses), which the import reads back as
    // they were: commas in a tag and `|` in a phrasing included.
    let r = a.get(&format!("/v1/admin/kb/export?site={site}&format=markdown"));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/zip"));
    let disposition = format!("attachment; filename=\"deflect-kb-{site}.zip\"");
    assert_eq!(r.header("content-disposition"), Some(disposition.as_str()));
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(r.bytes.clone())).expect("a zip archive");
    let mut files = std::collections::BTreeMap::new();
    let listed = a.get(&format!("/v1/agent/articles?site={site}")).json();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("a file");
        // Each file is dated when its article was last saved, in UTC (to
        // the minute: a zip's seconds go in twos).
        let id = file.name().rsplit('/').next().unwrap_or_default().trim_end_matches(".md").to_string();
        let saved_at =
            listed.as_array().expect("a list").iter().find(|x| x["id"] == id.as_str()).expect("listed")["updated_at"]
                .as_i64()
                .expect("updated_at");
        let t = file.last_modified().expect("a date");
        let stamp = format!("{:04}-{:02}-{:02}T{:02}:{:02}", t.year(), t.month(), t.day(), t.hour(), t.minute());
        assert_eq!(stamp, deflect_shared::metrics::iso8601(saved_at)[..16], "{id}");
        let mut text = String::new();
        std::io::Read::read_to_string(&mut file, &mut text).expect("UTF-8 text");
        files.insert(file.name().to_string(), text);
    }
    assert_eq!(files.keys().collect::<Vec<_>>(), ["Billing/refunds.md", "账户-登录/zh-login.md"]);
    let refunds = &files["Billing/refunds.md"];
    assert!(refunds.starts_with("---\nid: refunds\nlocale: en\ncategory: Billing\n"), "{refunds}");
    assert!(
        refunds.contains("\ntag: money, back\n") && refunds.contains("\nphrasing: money back | now\n"),
        "{refunds}"
    );
    assert!(refunds.contains("---\n# Refunds\n\nRefunds take **five** days."), "{refunds}");
    let audit = a.get(&format!("/v1/admin/audit?target={site}&action=kb.export")).json();
    assert_eq!(
        (audit[0]["detail"]["count"].as_u64(), audit[0]["detail"]["format"].as_str()),
        (Some(2), Some("markdown"))
    );
    for id in ["refunds", "zh-login"] {
        let del = a.send("DELETE", &format!("/v1/admin/articles/{id}?site={site}"), &[("x-deflect-csrf", "1")], None);
        assert_eq!(del.status, 204, "{}", del.text);
    }
    let markdown: Vec<&String> = files.values().collect();
    let r = a.json("POST", &format!("/v1/admin/articles/import?site={site}"), &json!({ "markdown": markdown }));
    assert_eq!((r.status, r.json()["imported"].as_u64()), (200, Some(2)), "{}", r.text);
    assert_eq!(saved(), before);
    let r = a.get(&format!("/v1/admin/kb/export?site={site}&format=pdf"));
    assert_eq!(assert_error(&r, 422..=422), "invalid_field");
    assert_error(&super::auth::agent().get(&format!("/v1/admin/kb/export?site={site}&format=markdown")), 403..=403);

    change_sites(&a, &|list| list.retain(|s| s["id"] != site.as_str()));
}

#[test]
fn a_markdown_import_is_all_or_nothing() {
    let a = admin(&edge_url());
    let good = format!("---\nid: {}\ntags: [a]\n---\n# Good article\n\nFine text.\n", unique("md").to_lowercase());
    let bad = "---\nid: has spaces and !!\n---\n# Bad\n\nText.\n";
    let r = a.json("POST", "/v1/admin/articles/import?site=demo", &json!({ "markdown": [good, bad] }));
    assert_error(&r, 422..=422);
    assert!(r.json()["error"]["message"].as_str().unwrap_or("").contains("markdown[1]"), "{}", r.text);
    let list = a.get("/v1/agent/articles?site=demo").json();
    assert!(
        !list.as_array().unwrap().iter().any(|x| x["title"] == "Good article"),
        "a failed import stored an article"
    );
}

#[test]
fn cors_answers_only_allowed_origins() {
    let c = public();
    let allowed = std::env::var("DEFLECT_HOST_ORIGIN").expect("DEFLECT_HOST_ORIGIN (set by cargo xtask test)");
    let pre = c.send(
        "OPTIONS",
        "/v1/tickets",
        &[
            ("origin", &allowed),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "content-type, idempotency-key"),
        ],
        None,
    );
    assert_eq!(pre.status, 204, "{}", pre.text);
    assert_eq!(pre.header("access-control-allow-origin"), Some(allowed.as_str()));
    assert!(pre.header("access-control-allow-headers").is_some_and(|h| h.contains("idempotency-key")));

    let r = c.send("GET", "/v1/kb/index?site=demo", &[("origin", &allowed)], None);
    assert_eq!(r.header("access-control-allow-origin"), Some(allowed.as_str()));

    let evil = "https://evil.example";
    let r = c.send("GET", "/v1/kb/index?site=demo", &[("origin", evil)], None);
    assert_eq!(assert_error(&r, 403..=403), "forbidden");
    assert_eq!(r.header("access-control-allow-origin"), None);
    let pre = c.send("OPTIONS", "/v1/tickets", &[("origin", evil), ("access-control-request-method", "POST")], None);
    assert!(pre.status == 403 && pre.header("access-control-allow-origin").is_none(), "{pre:?}");
    // A verified customer's tickets, too, go only to the site's own pages.
    let ask = |origin: &str| {
        c.send(
            "OPTIONS",
            "/v1/identity/tickets",
            &[
                ("origin", origin),
                ("access-control-request-method", "POST"),
                ("access-control-request-headers", "content-type"),
            ],
            None,
        )
    };
    assert_eq!(ask(&allowed).header("access-control-allow-origin"), Some(allowed.as_str()));
    assert_eq!(ask(evil).status, 403);
    let body = json!({ "site": "demo", "email": "a@example.com", "signature": "ab".repeat(32) }).to_string();
    let r = c.send("POST", "/v1/identity/tickets", &[("origin", evil)], Some(("application/json", body.as_bytes())));
    assert!(r.status == 403 && r.header("access-control-allow-origin").is_none(), "{r:?}");

    // The agent API never answers another origin, even an allowed one.
    let a = admin(&edge_url());
    let r = a.send("GET", "/v1/agent/tickets", &[("origin", &allowed)], None);
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[test]
fn public_ticket_creation_is_rate_limited() {
    let c = public();
    let body = json!({ "site": "demo", "customer": { "email": "flood@example.com" }, "message": "flood" }).to_string();
    let mut statuses = Vec::new();
    for _ in 0..24 {
        let r = c.send(
            "POST",
            "/v1/tickets",
            &[("idempotency-key", &unique("flood"))],
            Some(("application/json", body.as_bytes())),
        );
        statuses.push(r.status);
    }
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert!(limited >= 1, "no 429 in {statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 429), "{statuses:?}");
    // Another client is not affected.
    let other = public().send(
        "POST",
        "/v1/tickets",
        &[("idempotency-key", &unique("other"))],
        Some(("application/json", body.as_bytes())),
    );
    assert_eq!(other.status, 201, "{}", other.text);
}

#[test]
fn the_openapi_document_lists_the_api() {
    let r = public().get("/openapi.json");
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "{}", r.text);
    for path in ["/v1/tickets", "/v1/kb/index", "/v1/events", "/v1/agent/tickets", "/v1/admin/settings"] {
        assert!(doc["paths"].get(path).is_some(), "openapi.json lacks {path}");
    }
}

#[test]
fn the_help_centre_speaks_chinese() {
    let page = public().get("/help/demo?lang=zh&q=%E5%A6%82%E4%BD%95%E7%94%B3%E8%AF%B7%E9%80%80%E6%AC%BE");
    assert_eq!(page.status, 200);
    assert!(page.text.contains("帮助中心"), "the page is not in Chinese");
    assert!(page.text.contains("退款"), "the refund article is not found: {}", page.text);
}

/// Article performance counts what the widget reported about each article
/// (answers shown, votes) and the tickets agents said it solved, and puts
/// an article the votes show to fail readers first.
#[test]
fn article_performance_counts_views_votes_and_solved_tickets() {
    let a = admin(&edge_url());
    let marker = unique("perf");
    let mut ids = Vec::new();
    for n in 0..2 {
        let body =
            json!({ "id": format!("{marker}-{n}"), "title": format!("Perf {marker} {n}"), "body": "An answer." });
        let r = a.json("POST", "/v1/admin/articles?site=demo", &body);
        assert_eq!(r.status, 201, "{}", r.text);
        ids.push(format!("{marker}-{n}"));
    }
    let c = public();
    let event = |kind: &str, article: &str| {
        let e = json!({ "site": "demo", "session": unique("s"), "kind": kind, "article": article, "question": "q", "confidence": 0.9 });
        let r = c.send("POST", "/v1/events", &[], Some(("application/json", e.to_string().as_bytes())));
        assert!(r.status < 300, "{}", r.text);
    };
    // The first article: shown 8 times, helped 1, did not help 7.
    for _ in 0..8 {
        event("answer_shown", &ids[0]);
    }
    event("helped", &ids[0]);
    for _ in 0..7 {
        event("not_helped", &ids[0]);
    }
    // The second: shown twice, helped twice, and it solved one ticket.
    for kind in ["answer_shown", "answer_shown", "helped", "helped"] {
        event(kind, &ids[1]);
    }
    let t = super::create(&c, &unique("key"), &super::ticket_body("perf@example.com", "How do I do this?"));
    let tid = t.json()["ticket"]["id"].as_str().expect("id").to_string();
    let solved = a.json("PATCH", &format!("/v1/agent/tickets/{tid}"), &json!({ "solved_by_article": ids[1] }));
    assert_eq!(solved.status, 200, "{}", solved.text);

    let r = a.get("/v1/agent/kb/performance?site=demo&days=7");
    assert_eq!(r.status, 200, "{}", r.text);
    let lines = r.json();
    let lines = lines.as_array().expect("a list");
    let line =
        |id: &str| lines.iter().find(|l| l["id"] == id).unwrap_or_else(|| panic!("{id} missing: {lines:?}")).clone();
    let (bad, good) = (line(&ids[0]), line(&ids[1]));
    assert_eq!(
        (bad["shown"].as_u64(), bad["helped"].as_u64(), bad["not_helped"].as_u64()),
        (Some(8), Some(1), Some(7))
    );
    assert_eq!(bad["helpful_share"].as_f64(), Some(0.125));
    assert_eq!((bad["needs_work"].as_bool(), good["needs_work"].as_bool()), (Some(true), Some(false)));
    assert_eq!(
        (good["shown"].as_u64(), good["helped"].as_u64(), good["solved_tickets"].as_u64()),
        (Some(2), Some(2), Some(1))
    );
    let first_fine = lines.iter().position(|l| l["needs_work"] == false).unwrap_or(lines.len());
    let pos = lines.iter().position(|l| l["id"] == ids[0].as_str()).expect("listed");
    assert!(pos < first_fine, "an article that needs work comes before every one that does not");

    assert_error(&a.get("/v1/agent/kb/performance?days=0"), 422..=422);
    assert_error(&a.get("/v1/agent/kb/performance?site=no-such-site"), 422..=422);
    assert_error(&public().get("/v1/agent/kb/performance"), 401..=401);
    for id in &ids {
        a.send("DELETE", &format!("/v1/admin/articles/{id}?site=demo"), &[("x-deflect-csrf", "1")], None);
    }
}

#[test]
fn a_site_orders_its_categories_in_the_help_centre_at_once() {
    let a = admin(&edge_url());
    // A site of its own, so no other test changes its order meanwhile.
    let site = unique("aisles").to_lowercase();
    change_sites(&a, &|list| list.push(json!({ "id": site, "name": "Aisles", "allowed_origins": [] })));
    let articles = json!({ "articles": [
        { "id": "refunds", "title": "Refunds", "body": "Five days.", "category": "Billing" },
        { "id": "password", "title": "Reset your password", "body": "Use the link.", "category": "Account" },
        { "id": "parcels", "title": "Where is my parcel", "body": "Track it.", "category": "Shipping" },
        { "id": "status", "title": "Service status", "body": "See the status page." },
    ]});
    assert_eq!(a.json("POST", &format!("/v1/admin/articles/import?site={site}"), &articles).status, 200);
    assert_eq!(a.json("POST", &format!("/v1/admin/kb/publish?site={site}"), &json!({})).status, 200);
    let headings = || {
        let home = public().get(&format!("/help/{site}?lang=en")).text;
        let names = ["Account", "Billing", "Shipping", "Other articles"];
        let mut found: Vec<(usize, &str)> = names.iter().map(|n| (at(&home, &format!(">{n}</h3>")), *n)).collect();
        found.sort();
        found.into_iter().map(|(_, n)| n).collect::<Vec<_>>()
    };
    assert_eq!(headings(), ["Account", "Billing", "Shipping", "Other articles"], "alphabetical by default");

    // Held while the order is written: a site's order is part of the
    // settings, which other tests change too.
    let order = |body: &Value| {
        let _settings = super::settings_lock();
        a.json("PUT", &format!("/v1/admin/kb/categories?site={site}"), body)
    };
    // Named in any case, and a name no article has yet; shown at once.
    let r = order(&json!({ "order": [" shipping ", "Billing", "Gift cards"] }));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json(), json!({ "order": ["shipping", "Billing", "Gift cards"] }));
    assert_eq!(headings(), ["Shipping", "Billing", "Account", "Other articles"]);
    // The article page's link goes to its heading where it now is.
    let page = public().get(&format!("/help/{site}/articles/parcels?lang=en")).text;
    assert!(page.contains(&format!("<a href=\"/help/{site}?lang=en#category-1\">Shipping</a>")), "{page}");
    // Agents see the order with the KB's state; admins in the settings.
    let status = super::auth::agent().get(&format!("/v1/agent/kb/status?site={site}")).json();
    assert_eq!(status["category_order"], json!(["shipping", "Billing", "Gift cards"]), "{status}");
    let settings = a.get("/v1/admin/settings").json();
    let mine = settings["sites"].as_array().expect("sites").iter().find(|s| s["id"] == site.as_str()).cloned();
    assert_eq!(mine.map(|s| s["category_order"].clone()), Some(json!(["shipping", "Billing", "Gift cards"])));

    // Each category once, on one line; only admins; only a site there is.
    for (bad, field) in [
        (json!({ "order": ["Billing", "BILLING"] }), "order[1]"),
        (json!({ "order": ["two\nlines"] }), "order[0]"),
        (json!({ "order": [" "] }), "order[0]"),
        (json!({ "order": ["x".repeat(81)] }), "order[0]"),
    ] {
        let r = order(&bad);
        assert_eq!(assert_error(&r, 422..=422), "invalid_field", "{bad}");
        assert!(r.json()["error"]["message"].as_str().is_some_and(|m| m.starts_with(field)), "{}", r.text);
    }
    assert_error(&order(&json!({ "order": "Billing" })), 400..=422);
    assert_error(&order(&json!({ "order": [], "extra": 1 })), 400..=422);
    let path = format!("/v1/admin/kb/categories?site={site}");
    assert_error(&super::auth::agent().json("PUT", &path, &json!({ "order": [] })), 403..=403);
    assert_error(&public().json("PUT", &path, &json!({ "order": [] })), 401..=401);
    assert_error(&a.json("PUT", "/v1/admin/kb/categories?site=no-such-site", &json!({ "order": [] })), 422..=422);
    assert_eq!(headings(), ["Shipping", "Billing", "Account", "Other articles"], "a refused order changes nothing");

    // An empty order goes back to alphabetical; each change is audited.
    assert_eq!(order(&json!({ "order": [] })).status, 200);
    assert_eq!(headings(), ["Account", "Billing", "Shipping", "Other articles"]);
    let audit = a.get(&format!("/v1/admin/audit?target={site}")).json();
    let changes = audit.as_array().expect("entries").iter().filter(|e| e["action"] == "kb.categories").count();
    assert_eq!(changes, 2, "{audit}");
    change_sites(&a, &|list| list.retain(|s| s["id"] != site.as_str()));
}

#[test]
fn the_help_centre_shows_sections_under_their_category() {
    let a = admin(&edge_url());
    let site = unique("sections").to_lowercase();
    change_sites(&a, &|list| list.push(json!({ "id": site, "name": "Sections", "allowed_origins": [] })));
    let articles = json!({ "articles": [
        { "id": "fees", "title": "Our fees", "body": "No fees.", "category": "Billing" },
        { "id": "invoices", "title": "Download an invoice", "body": "Invoices are in Settings.",
          "category": "Billing / Invoices" },
        { "id": "refunds", "title": "Refunds", "body": "Refunds take five days.", "category": "billing  /  Refunds" },
        { "id": "late-refund", "title": "A late refund", "body": "Write to us.", "category": "Billing / Refunds" },
        { "id": "password", "title": "Reset your password", "body": "Use the link.", "category": "Account" },
    ]});
    assert_eq!(a.json("POST", &format!("/v1/admin/articles/import?site={site}"), &articles).status, 200);
    assert_eq!(a.json("POST", &format!("/v1/admin/kb/publish?site={site}"), &json!({})).status, 200);
    let home = public().get(&format!("/help/{site}?lang=en")).text;
    // The category's heading once, its own articles, then its sections.
    let (account, billing, fees, invoices, refunds) = (
        at(&home, "<h3 class=\"category\" id=\"category-1\">Account</h3>"),
        at(&home, "<h3 class=\"category\" id=\"category-2\">Billing</h3>"),
        at(&home, ">Our fees<"),
        at(&home, "<h4 class=\"section\" id=\"category-3\">Invoices</h4>"),
        at(&home, "<h4 class=\"section\" id=\"category-4\">Refunds</h4>"),
    );
    assert!(account < billing && billing < fees && fees < invoices && invoices < refunds, "{home}");
    assert_eq!(home.matches(">Billing</h3>").count(), 1, "{home}");
    assert!(at(&home, ">A late refund<") > refunds && at(&home, ">Refunds<") > refunds, "one section, however spaced");
    // An article in a section names both, linked to the section's heading.
    let page = public().get(&format!("/help/{site}/articles/late-refund?lang=en")).text;
    assert!(page.contains(&format!("<a href=\"/help/{site}?lang=en#category-4\">Billing › Refunds</a>")), "{page}");
    assert!(page.contains("More in Billing › Refunds"), "{page}");
    // A section comes first among its category's when the order names it.
    let r = {
        let _settings = super::settings_lock();
        a.json("PUT", &format!("/v1/admin/kb/categories?site={site}"), &json!({ "order": ["Billing / Refunds"] }))
    };
    assert_eq!(r.status, 200, "{}", r.text);
    let home = public().get(&format!("/help/{site}?lang=en")).text;
    let (billing, refunds, invoices, account) = (
        at(&home, ">Billing</h3>"),
        at(&home, ">Refunds</h4>"),
        at(&home, ">Invoices</h4>"),
        at(&home, ">Account</h3>"),
    );
    assert!(billing < refunds && refunds < invoices && invoices < account, "{home}");
    // The export keeps a section in its category's folder.
    let r = a.get(&format!("/v1/admin/kb/export?site={site}&format=markdown"));
    assert_eq!(r.status, 200, "{}", r.text);
    let archive = zip::ZipArchive::new(std::io::Cursor::new(r.bytes.clone())).expect("a zip archive");
    let mut names: Vec<&str> = archive.file_names().collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "Account/password.md",
            "Billing/Invoices/invoices.md",
            "Billing/Refunds/late-refund.md",
            "Billing/Refunds/refunds.md",
            "Billing/fees.md"
        ]
    );
    change_sites(&a, &|list| list.retain(|s| s["id"] != site.as_str()));
}
