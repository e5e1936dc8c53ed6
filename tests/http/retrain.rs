//! Retraining from agents' decisions, on an edge of its own: a published
//! priority model changes every later ticket's score, which the tests on
//! the shared edge must not see.

use super::create;
use deflect_tests::{Client, LocalEdge, admin, root, seed, unique};
use serde_json::json;

#[test]
fn overrides_and_links_retrain_both_models() {
    let persist = root().join("target/e2e-retrain");
    let _ = std::fs::remove_dir_all(&persist);
    let edge = LocalEdge::start(8794, &persist).unwrap_or_else(|e| panic!("{e}"));
    seed(&edge.url, &[]).unwrap_or_else(|e| panic!("{e}"));
    let a = admin(&edge.url);
    let customer = Client::new(&edge.url).ip(&unique("retrain"));

    // Too little to learn from: the report says so and publishes nothing.
    let r = a.json("POST", "/v1/admin/retrain", &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["priority"]["published"], false);
    assert!(r.json()["priority"]["note"].as_str().unwrap_or("").contains("at least"), "{}", r.text);

    // Agents raise invoice questions to high and link them to the invoices
    // article; some questions about passwords are linked to the reset
    // article. The priority model's prior is worth ten decisions, so it
    // takes a few dozen consistent ones to move a level.
    let invoice = [
        "where can I download my invoice for",
        "the invoice shows the wrong company name for",
        "I need a copy of the invoice for",
        "can you resend the invoice for",
        "the invoice total does not match the contract for",
    ];
    let months = ["january", "february", "march", "april", "may", "june", "july", "august"];
    let mut questions: Vec<(String, &str)> =
        invoice.iter().flat_map(|q| months.iter().map(move |m| (format!("{q} {m}"), "invoices"))).collect();
    questions.extend(
        ["the password email never arrives", "I forgot my password again", "my password reset link expired"]
            .iter()
            .map(|q| (q.to_string(), "reset-password")),
    );
    for (i, (q, article)) in questions.iter().enumerate() {
        // Each customer writes from their own address (rate limits).
        let customer = Client::new(&edge.url).ip(&unique("retrain"));
        let body = json!({ "site": "demo", "customer": { "email": format!("finance{i}@example.com") }, "message": q });
        let r = create(&customer, &unique("k"), &body);
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.json()["ticket"]["id"].as_str().unwrap().to_string();
        let update = json!({ "priority": "high", "solved_by_article": article, "status": "solved" });
        let u = a.json("PATCH", &format!("/v1/agent/tickets/{id}"), &update);
        assert_eq!(u.status, 200, "{}", u.text);
        assert_eq!(u.json()["priority_override"], "high");
    }
    let n = questions.len();

    let etag = |c: &Client| c.get("/v1/kb/index?site=demo").header("etag").map(str::to_string);
    let before = etag(&customer);
    let r = a.json("POST", "/v1/admin/retrain", &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    let report = r.json();
    let p = &report["priority"];
    assert_eq!(p["examples"], n, "{report}");
    let (b, af) = (p["before"].as_f64().unwrap(), p["after"].as_f64().unwrap());
    assert!((0.0..=1.0).contains(&b) && (0.0..=1.0).contains(&af), "{report}");
    // Every override says "high" where the hand weights said otherwise:
    // the fitted model agrees better and is published.
    assert!(af > b, "{report}");
    assert_eq!(p["published"], true, "{report}");
    let m = &report["matcher"];
    assert_eq!(m["examples"], n, "{report}");
    assert!(m["after"].as_f64().unwrap() >= 0.0, "{report}");
    // Ties publish too: the weights now come from agents' links.
    assert_eq!(m["published"], true, "{report}");
    assert_ne!(etag(&customer), before, "new weights are published to the widget");
    // Published again, the index keeps the articles' help-centre categories.
    let help = customer.get("/help/demo?lang=en").text;
    assert!(help.contains("\">Billing</h3>"), "{help}");

    // With the model published, a new invoice question is scored by it and
    // says so in its explanation.
    {
        let body =
            json!({ "site": "demo", "customer": { "email": "f2@example.com" }, "message": "my invoice is wrong" });
        let r = create(&customer, &unique("k"), &body);
        let id = r.json()["ticket"]["id"].as_str().unwrap().to_string();
        let t = a.get(&format!("/v1/agent/tickets/{id}")).json();
        assert_eq!(t["ticket"]["explanation"]["model"], "learned", "{t}");
        assert_eq!(t["ticket"]["priority"], "high", "the learned model raises invoice questions: {t}");
    }
    let audit = a.get("/v1/admin/audit?target=models").json();
    assert!(audit.as_array().is_some_and(|x| x.iter().any(|e| e["action"] == "models.retrain")), "{audit}");
}
