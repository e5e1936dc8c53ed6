//! Files that come with a customer's mail: kept (encrypted, in R2) with
//! the message they came with, listed on the ticket, downloaded by agents
//! only and only as attachments, and erased with the customer.

use super::email::{close, deliver, ticket_with};
use super::{assert_error, cron_paused, d1, r2_file, run_cron};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use deflect_tests::{Client, admin, edge_url, unique};
use serde_json::Value;

/// A mail with a text part and files: (name, type, contents).
fn mail_with_files(headers: &[(&str, &str)], text: &str, files: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let boundary = unique("b");
    let mut m = String::new();
    for (name, value) in headers {
        m.push_str(&format!("{name}: {value}\r\n"));
    }
    m.push_str(&format!(
        "To: help@deflect.test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
    ));
    m.push_str(&format!("--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"));
    for (name, ctype, bytes) in files {
        let encoded = STANDARD.encode(bytes);
        let lines: Vec<&str> =
            encoded.as_bytes().chunks(76).map(|l| std::str::from_utf8(l).expect("base64 is ASCII")).collect();
        m.push_str(&format!(
            "--{boundary}\r\nContent-Type: {ctype}\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            lines.join("\r\n")
        ));
    }
    m.push_str(&format!("--{boundary}--\r\n"));
    m.into_bytes()
}

/// Bytes that are not text: every byte value, in a long run.
fn binary(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 7 + i / 251) % 256) as u8).collect()
}

fn download(c: &Client, ticket: &str, file: &str) -> deflect_tests::Reply {
    c.get(&format!("/v1/agent/tickets/{ticket}/attachments/{file}"))
}

fn files(t: &Value) -> Vec<Value> {
    t["attachments"].as_array().cloned().unwrap_or_default()
}

#[test]
fn files_in_mail_are_kept_downloaded_by_agents_as_attachments_and_erased_with_the_customer() {
    let marker = unique("screenshot");
    let customer = format!("{}@example.com", unique("cy"));
    let first_id = format!("{}@mail.example.com", unique("m"));
    // The mail stays under local Email Routing's 1 MiB.
    let picture = binary(600_000);
    let page = b"<html><script>alert(document.cookie)</script></html>".to_vec();
    let raw = mail_with_files(
        &[
            ("From", &format!("Cy <{customer}>")),
            ("Subject", &format!("The app shows an error {marker}")),
            ("Message-ID", &format!("<{first_id}>")),
        ],
        "Screenshot and the page attached.",
        &[("../../error.png", "image/png", &picture), ("page.html", "text/html", &page)],
    );
    let (status, text) = deliver(&customer, &raw);
    assert_eq!(status, 200, "{text}");
    // The sending server tries again: the ticket and its files are kept once.
    assert_eq!(deliver(&customer, &raw).0, 200);
    let ids = ticket_with(&marker);
    assert_eq!(ids.len(), 1, "{ids:?}");
    let id = &ids[0];

    let a = admin(&edge_url());
    let t = a.get(&format!("/v1/agent/tickets/{id}")).json();
    assert_eq!(t["messages"][0]["body"], "Screenshot and the page attached.");
    let kept = files(&t);
    assert_eq!(kept.len(), 2, "{t}");
    let message = t["messages"][0]["id"].clone();
    assert_eq!(
        kept.iter().map(|f| (f["name"].clone(), f["content_type"].clone(), f["size"].clone())).collect::<Vec<_>>(),
        vec![
            ("error.png".into(), "image/png".into(), picture.len().into()),
            ("page.html".into(), "text/html".into(), page.len().into()),
        ]
    );
    assert!(kept.iter().all(|f| f["message"] == message), "{kept:?}");
    let (png, html) = (kept[0]["id"].as_str().expect("id"), kept[1]["id"].as_str().expect("id"));

    // Stored encrypted in R2, one object each (a nonce, the ciphertext and
    // its tag), and not in D1: no object holds the file as sent.
    let row = d1(&format!(
        "SELECT stored_in, parts, (SELECT COUNT(*) FROM attachment_parts WHERE attachment_id = '{png}') AS n \
         FROM attachments WHERE id = '{png}'"
    ));
    assert_eq!((row[0]["stored_in"].as_str(), row[0]["n"].as_i64()), (Some("r2"), Some(0)), "{row:?}");
    let sealed = r2_file(png).expect("the picture's object");
    assert_eq!(sealed.len(), 12 + picture.len() + 16);
    assert!(!sealed.windows(64).any(|w| w == &picture[1000..1064]), "stored as sent");
    assert!(!r2_file(html).expect("the page's object").windows(20).any(|w| w == &page[..20]), "stored as sent");

    // An agent downloads each, byte for byte, always as an attachment.
    let r = download(&a, id, png);
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.bytes == picture, "the picture came back changed ({} bytes)", r.bytes.len());
    assert_eq!(r.header("content-type"), Some("image/png"));
    assert_eq!(r.header("content-disposition"), Some("attachment; filename=\"error.png\"; filename*=UTF-8''error.png"));
    assert_eq!(r.header("content-security-policy"), Some("default-src 'none'; sandbox"));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("cache-control"), Some("private, no-store"));
    // A page a customer sent is saved, never shown as a page.
    let r = download(&a, id, html);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.bytes, page);
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));

    // Only agents, and only through the file's own ticket.
    let stranger = Client::new(&edge_url());
    assert_eq!(assert_error(&download(&stranger, id, png), 401..=401), "unauthenticated");
    let other = ticket_with("").into_iter().find(|t| t != id).expect("another ticket");
    assert_error(&download(&a, &other, png), 404..=404);
    assert_error(&download(&a, id, "no-such-file"), 404..=404);
    // Each save is in the audit log: which file and its size, not its name.
    let audit = a.get(&format!("/v1/admin/audit?target={id}&action=ticket.file_saved")).json();
    let saves = audit.as_array().expect("entries");
    assert_eq!(saves.len(), 2, "the two saves above: {audit}");
    assert!(saves.iter().any(|e| e["detail"]["file"] == png && e["detail"]["size"] == picture.len()), "{audit}");
    assert!(!audit.to_string().contains("error.png"), "a file's name stays out of the log: {audit}");

    // A second mail of theirs with a file, merged into the first ticket:
    // the file moves with its message.
    let merged_marker = unique("again");
    let again = mail_with_files(
        &[
            ("From", &format!("Cy <{customer}>")),
            ("Subject", &format!("Same error again {merged_marker}")),
            ("Message-ID", &format!("<{}@mail.example.com>", unique("m"))),
        ],
        "It happened again.",
        &[("again.txt", "text/plain", b"second time")],
    );
    assert_eq!(deliver(&customer, &again).0, 200);
    let dup = ticket_with(&merged_marker).pop().expect("the second ticket");
    let moved = files(&a.get(&format!("/v1/agent/tickets/{dup}")).json());
    assert_eq!(moved.len(), 1);
    let moved_id = moved[0]["id"].as_str().expect("id").to_string();
    let r = a.json("POST", &format!("/v1/agent/tickets/{dup}/merge"), &serde_json::json!({ "into": id }));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(download(&a, id, &moved_id).bytes, b"second time", "the file is on the merged ticket");
    assert_error(&download(&a, &dup, &moved_id), 404..=404);

    // The customer answers with another file: it joins the ticket with it.
    let receipt = b"%PDF-1.4 receipt".to_vec();
    let answer = mail_with_files(
        &[
            ("From", &format!("Cy <{customer}>")),
            ("Subject", &format!("Re: The app shows an error {marker}")),
            ("Message-ID", &format!("<{}@mail.example.com>", unique("m"))),
            ("In-Reply-To", &format!("<{first_id}>")),
        ],
        "And the receipt.",
        &[("receipt.pdf", "application/pdf", &receipt)],
    );
    assert_eq!(deliver(&customer, &answer).0, 200);
    assert_eq!(ticket_with(&marker).len(), 1, "the answer opened no ticket");
    let t = a.get(&format!("/v1/agent/tickets/{id}")).json();
    let kept = files(&t);
    assert_eq!(kept.len(), 4, "{t}");
    let last = t["messages"].as_array().and_then(|m| m.iter().rfind(|m| m["author"] == "customer")).expect("answer");
    assert_eq!(last["body"], "And the receipt.");
    assert_eq!(kept[3]["message"], last["id"]);
    assert_eq!(kept[3]["name"], "receipt.pdf");
    assert_eq!(download(&a, id, kept[3]["id"].as_str().expect("id")).bytes, receipt);

    // The customer's export names the files.
    let customer_id = t["customer"]["id"].as_str().expect("customer id").to_string();
    let export = a.get(&format!("/v1/admin/customers/{customer_id}/export")).json();
    let exported = export["tickets"][0]["attachments"].as_array().map(Vec::len);
    assert_eq!(exported, Some(4), "{export}");

    // Erasure takes the files with everything else the customer wrote.
    close(&a, id);
    let r = a.send("DELETE", &format!("/v1/admin/customers/{customer_id}"), &[("x-deflect-csrf", "1")], None);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(files(&a.get(&format!("/v1/agent/tickets/{id}")).json()), Vec::<Value>::new());
    assert_error(&download(&a, id, png), 404..=404);
    let left: Vec<String> = kept.iter().filter_map(|f| f["id"].as_str().map(|i| format!("'{i}'"))).collect();
    let left = left.join(",");
    assert_eq!(
        d1(&format!(
            "SELECT (SELECT COUNT(*) FROM attachments WHERE id IN ({left})) + \
             (SELECT COUNT(*) FROM attachment_parts WHERE attachment_id IN ({left})) AS n"
        ))[0]["n"],
        0
    );
    // Their objects were marked in the same transaction; the cron deletes
    // them from R2.
    let cron = run_cron();
    assert!(cron.status < 300, "{}", cron.text);
    for f in &kept {
        let fid = f["id"].as_str().expect("id");
        assert!(r2_file(fid).is_none(), "the object of {fid} is deleted");
    }
}

#[test]
fn files_kept_in_d1_before_r2_are_read_and_moved_to_r2() {
    // A file kept before R2 came in: its sealed contents in base64 parts.
    // One made now is moved back there by hand (its object's bytes, in two
    // parts), and its object deleted.
    let marker = unique("older");
    let customer = format!("{}@example.com", unique("ole"));
    let picture = binary(5_000);
    let raw = mail_with_files(
        &[
            ("From", &customer),
            ("Subject", &format!("An older file {marker}")),
            ("Message-ID", &format!("<{}@mail.example.com>", unique("m"))),
        ],
        "From before.",
        &[("old.png", "image/png", &picture)],
    );
    assert_eq!(deliver(&customer, &raw).0, 200);
    let id = ticket_with(&marker).pop().expect("the ticket");
    let a = admin(&edge_url());
    let file = files(&a.get(&format!("/v1/agent/tickets/{id}")).json()).remove(0);
    let fid = file["id"].as_str().expect("id");
    let sealed = STANDARD.encode(r2_file(fid).expect("its object"));
    let (one, two) = sealed.split_at(sealed.len() / 2);
    // No other test's cron run moves it back meanwhile.
    let paused = cron_paused();
    d1(&format!(
        "INSERT INTO attachment_parts (attachment_id, n, data) VALUES ('{fid}', 0, '{one}'), ('{fid}', 1, '{two}'); \
         UPDATE attachments SET stored_in = 'd1', parts = 2 WHERE id = '{fid}'"
    ));
    deflect_tests::r2_delete(&deflect_tests::edge_persist(), &format!("files/{fid}")).unwrap_or_else(|e| panic!("{e}"));
    assert!(r2_file(fid).is_none(), "its object is deleted");
    let r = download(&a, &id, fid);
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.bytes == picture, "read from its parts");
    // A move whose row write fails after the put (here a trigger refuses
    // it) leaves the object marked for deletion a day ahead, so it cannot
    // outlive a move that never lands; the file is still read from its
    // parts.
    let trigger = format!("move_fails_{}", unique("t").replace(['-', '.'], "_"));
    d1(&format!(
        "CREATE TRIGGER {trigger} BEFORE UPDATE OF stored_in ON attachments WHEN NEW.id = '{fid}' \
         BEGIN SELECT RAISE(ABORT, 'the row write failed'); END"
    ));
    drop(paused);
    let cron = run_cron();
    assert!(cron.status < 300, "{}", cron.text);
    assert!(r2_file(fid).is_some(), "put before the row write");
    let mark = marks_on(fid);
    let day_ahead = now_ms() + 23 * 3_600_000;
    assert!(mark.len() == 1 && mark[0]["due_at"].as_i64().is_some_and(|due| due > day_ahead), "{mark:?}");
    assert!(download(&a, &id, fid).bytes == picture, "read from its parts still");
    d1(&format!("DROP TRIGGER {trigger}"));

    // The cron moves it to R2 as it is, deletes its parts, and takes the
    // mark off.
    let cron = run_cron();
    assert!(cron.status < 300, "{}", cron.text);
    assert_eq!(marks_on(fid), Vec::<Value>::new());
    let row = d1(&format!(
        "SELECT stored_in, (SELECT COUNT(*) FROM attachment_parts WHERE attachment_id = '{fid}') AS n \
         FROM attachments WHERE id = '{fid}'"
    ));
    assert_eq!((row[0]["stored_in"].as_str(), row[0]["n"].as_i64()), (Some("r2"), Some(0)), "{row:?}");
    assert!(r2_file(fid).map(|o| STANDARD.encode(o)) == Some(sealed), "the same sealed bytes");
    assert!(download(&a, &id, fid).bytes == picture, "read from R2 again");
    close(&a, &id);
}

#[test]
fn an_object_whose_file_row_never_came_is_deleted_by_the_cron_once_its_mark_is_due() {
    // Two objects put as a file's would be, whose rows never came: one
    // marked a day ago (so due now), one marked just now.
    let (due, waiting) = (unique("orphan"), unique("orphan"));
    let now = now_ms();
    for (id, due_at) in [(&due, now - 1_000), (&waiting, now + 86_400_000)] {
        deflect_tests::r2_put(&deflect_tests::edge_persist(), &format!("files/{id}"), b"sealed bytes")
            .unwrap_or_else(|e| panic!("{e}"));
        d1(&format!(
            "INSERT INTO file_deletions (object_key, created_at, due_at) VALUES ('files/{id}', {now}, {due_at})"
        ));
    }
    let cron = run_cron();
    assert!(cron.status < 300, "{}", cron.text);
    assert!(r2_file(&due).is_none(), "the due one is deleted");
    assert_eq!(marks_on(&due), Vec::<Value>::new(), "and forgotten");
    assert!(r2_file(&waiting).is_some(), "the other waits for its row");
    assert_eq!(marks_on(&waiting).len(), 1);
    deflect_tests::r2_delete(&deflect_tests::edge_persist(), &format!("files/{waiting}"))
        .unwrap_or_else(|e| panic!("{e}"));
    d1(&format!("DELETE FROM file_deletions WHERE object_key = 'files/{waiting}'"));
}

/// The deletion marks on file `id`'s object.
fn marks_on(id: &str) -> Vec<Value> {
    d1(&format!("SELECT due_at FROM file_deletions WHERE object_key = 'files/{id}'"))
}

/// Milliseconds since 1970, as the edge counts.
fn now_ms() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970");
    i64::try_from(since.as_millis()).expect("ms")
}

/// The request page's form posted as `multipart/form-data`, with files.
fn page_form(c: &Client, ticket: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> deflect_tests::Reply {
    super::multipart(c, &format!("/help/demo/tickets/{ticket}"), fields, files)
}

/// An agent's upload for a ticket: the answer.
fn upload(a: &Client, ticket: &str, name: &str, ctype: &str, bytes: &[u8]) -> deflect_tests::Reply {
    a.send(
        "POST",
        &format!(
            "/v1/agent/tickets/{ticket}/attachments?name={}",
            url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
        ),
        &[("x-deflect-csrf", "1")],
        Some((ctype, bytes)),
    )
}

/// An agent's message with files: the answer.
fn write(a: &Client, ticket: &str, body: &Value) -> deflect_tests::Reply {
    let text = body.to_string();
    a.send(
        "POST",
        &format!("/v1/agent/tickets/{ticket}/messages"),
        &[("idempotency-key", &unique("k")), ("x-deflect-csrf", "1")],
        Some(("application/json", text.as_bytes())),
    )
}

#[test]
fn an_agent_sends_files_with_a_reply_by_mail_and_the_customer_saves_them_from_their_page() {
    let marker = unique("invoice");
    let customer = format!("{}@example.com", unique("dee"));
    let raw = mail_with_files(
        &[
            ("From", &format!("Dee <{customer}>")),
            ("Subject", &format!("Invoice please {marker}")),
            ("Message-ID", &format!("<{}@mail.example.com>", unique("m"))),
        ],
        "Could you send me the invoice?",
        &[],
    );
    assert_eq!(deliver(&customer, &raw).0, 200);
    let id = ticket_with(&marker).pop().expect("the ticket");
    let a = admin(&edge_url());

    // Uploads are checked: a name, something in it, at most 8 MB, an agent.
    let invoice = binary(20_000);
    assert_eq!(assert_error(&upload(&a, &id, "", "application/pdf", &invoice), 422..=422), "invalid_field");
    assert_eq!(assert_error(&upload(&a, &id, "empty.txt", "text/plain", b""), 422..=422), "invalid_field");
    let big = vec![7u8; deflect_shared::attachment::MAX_ATTACHMENT_BYTES + 1];
    assert_error(&upload(&a, &id, "big.bin", "application/octet-stream", &big), 413..=413);
    let stranger = Client::new(&edge_url());
    assert_error(&upload(&stranger, &id, "x.pdf", "application/pdf", &invoice), 401..=401);
    assert_error(&upload(&a, "no-such-ticket", "x.pdf", "application/pdf", &invoice), 404..=404);

    let r = upload(&a, &id, "Invoice 2026-11 (发票).pdf", "application/pdf", &invoice);
    assert_eq!(r.status, 201, "{}", r.text);
    let pdf = r.json();
    assert_eq!(pdf["message"], Value::Null, "not sent yet");
    assert_eq!(pdf["name"], "Invoice 2026-11 (发票).pdf");
    assert_eq!(pdf["size"], invoice.len());
    let pdf_id = pdf["id"].as_str().expect("id").to_string();
    // Its object was marked for deletion before it was put, and the row's
    // transaction took the mark off: the cron leaves it.
    assert!(r2_file(&pdf_id).is_some(), "its object");
    assert_eq!(marks_on(&pdf_id), Vec::<Value>::new(), "no mark is left on it");
    let note_file = upload(&a, &id, "notes.txt", "text/plain", b"for the team only").json();
    let note_id = note_file["id"].as_str().expect("id").to_string();
    // Each upload is audited; the refused ones above are not.
    let audit = a.get(&format!("/v1/admin/audit?target={id}&action=ticket.file_uploaded")).json();
    let mut uploaded: Vec<&str> =
        audit.as_array().expect("entries").iter().filter_map(|e| e["detail"]["file"].as_str()).collect();
    uploaded.sort_unstable();
    let mut expected = vec![pdf_id.as_str(), note_id.as_str()];
    expected.sort_unstable();
    assert_eq!(uploaded, expected, "{audit}");
    // Not listed on the ticket until sent.
    assert_eq!(files(&a.get(&format!("/v1/agent/tickets/{id}")).json()), Vec::<Value>::new());

    // A message may name only this agent's unsent uploads on this ticket.
    let r = write(&a, &id, &serde_json::json!({ "body": "Here.", "attachments": ["no-such-file"] }));
    assert!(assert_error(&r, 422..=422).contains("invalid"), "{}", r.text);
    assert!(r.text.contains("not a file you uploaded to this ticket"), "{}", r.text);
    let r = write(&a, &id, &serde_json::json!({ "body": "Here.", "attachments": [pdf_id, pdf_id] }));
    assert_error(&r, 422..=422);

    // The internal note keeps its file from the customer.
    let r = write(&a, &id, &serde_json::json!({ "body": "Team notes.", "internal": true, "attachments": [note_id] }));
    assert_eq!(r.status, 201, "{}", r.text);
    let answer = unique("attached");
    let r = write(
        &a,
        &id,
        &serde_json::json!({ "body": format!("The invoice is attached ({answer})."), "attachments": [pdf_id] }),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    // A sent upload cannot go with another message.
    let r = write(&a, &id, &serde_json::json!({ "body": "Again.", "attachments": [pdf_id] }));
    assert_error(&r, 422..=422);

    let t = super::email::when(&a, &id, "the reply's mail", |t| {
        t["messages"].as_array().is_some_and(|m| m.iter().any(|m| m["delivery"] == "sent"))
    });
    let kept = files(&t);
    assert_eq!(kept.len(), 2, "{t}");
    let reply = t["messages"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["body"].as_str().is_some_and(|b| b.contains(&answer))))
        .expect("the reply");
    let sent_pdf = kept.iter().find(|f| f["id"] == pdf_id.as_str()).expect("the invoice");
    assert_eq!(sent_pdf["message"], reply["id"]);

    // The mail carries the invoice, byte for byte, and not the note's file.
    let eml = super::email::sent_mail(&id);
    let mail = mail_parser::MessageParser::default().parse(eml.as_bytes()).expect("the mail reads");
    let mailed: Vec<(String, bool)> = mail
        .attachments()
        .map(|p| {
            use mail_parser::MimeHeaders;
            (p.attachment_name().unwrap_or_default().to_string(), p.contents() == invoice.as_slice())
        })
        .collect();
    assert_eq!(mailed, vec![("Invoice 2026-11 (发票).pdf".to_string(), true)]);
    assert!(mail.body_text(0).is_some_and(|b| b.contains(&answer)));

    // The customer's page lists it, and saves it with the page's token.
    let text = mail.body_text(0).expect("text").to_string();
    let link =
        text.lines().map(str::trim).find(|l| l.contains("/help/") && l.contains("/tickets/")).expect("the page link");
    let page_path = link.strip_prefix(edge_url().as_str()).expect("on this edge").to_string();
    let customer_browser = Client::new(&edge_url()).ip(&unique("ip"));
    let page = customer_browser.get(&page_path);
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("Invoice 2026-11 (发票).pdf"), "{}", page.text);
    assert!(!page.text.contains("notes.txt"), "the note's file shows to the customer");
    let token = page_path.split("token=").nth(1).and_then(|t| t.split('&').next()).expect("token").to_string();
    // A customer's message names no files.
    let theirs = serde_json::json!({ "body": "Thanks!", "attachments": [pdf_id] }).to_string();
    let r = customer_browser.send(
        "POST",
        &format!("/v1/tickets/{id}/messages"),
        &[("x-ticket-token", &token), ("idempotency-key", &unique("k"))],
        Some(("application/json", theirs.as_bytes())),
    );
    assert!(assert_error(&r, 422..=422).contains("invalid"), "{}", r.text);
    let file_path = format!("/help/demo/tickets/{id}/files/{pdf_id}?token={token}");
    assert!(page.text.contains(&file_path.replace('&', "&amp;")), "{}", page.text);
    let got = customer_browser.get(&file_path);
    assert_eq!(got.status, 200, "{}", got.text);
    assert!(got.bytes == invoice, "the invoice came back changed");
    assert_eq!(got.header("content-type"), Some("application/pdf"));
    assert_eq!(got.header("content-security-policy"), Some("default-src 'none'; sandbox"));
    assert!(got.header("content-disposition").is_some_and(|d| d.starts_with("attachment;")));
    // The note's file, a wrong token, another ticket: all "no such request".
    for path in [
        format!("/help/demo/tickets/{id}/files/{note_id}?token={token}"),
        format!("/help/demo/tickets/{id}/files/{pdf_id}?token=x{token}"),
        format!("/help/demo/tickets/{id}/files/{pdf_id}"),
        format!("/help/other/tickets/{id}/files/{pdf_id}?token={token}"),
    ] {
        let r = customer_browser.get(&path);
        assert_eq!(r.status, 404, "{path}: {}", r.text);
        assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/html")), "{path}");
    }

    // The customer answers from the page with a screenshot and no words;
    // the form sent twice (a double click) keeps it once.
    let shot = binary(3000);
    let form_key = unique("formkey").replace(['-', '_'], "");
    for _ in 0..2 {
        let r = page_form(
            &customer_browser,
            &id,
            &[("token", &token), ("action", "reply"), ("key", &form_key), ("body", "")],
            &[("screen.png", "image/png", &shot)],
        );
        assert_eq!(r.status, 200, "the redirect to the page: {}", r.text);
        assert!(r.text.contains("Thank you: we have your message."), "{}", r.text);
    }
    let t = a.get(&format!("/v1/agent/tickets/{id}")).json();
    let theirs: Vec<&Value> = t["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["body"] == "[Sent without text: screen.png]")
        .collect();
    assert_eq!(theirs.len(), 1, "{t}");
    let sent: Vec<Value> = files(&t).into_iter().filter(|f| f["name"] == "screen.png").collect();
    assert_eq!(sent.len(), 1, "{t}");
    assert_eq!(sent[0]["message"], theirs[0]["id"]);
    assert!(download(&a, &id, sent[0]["id"].as_str().expect("id")).bytes == shot);
    // A file over 8 MB is refused in words, with what was typed kept.
    let big = vec![1u8; deflect_shared::attachment::MAX_ATTACHMENT_BYTES + 1];
    let r = page_form(
        &customer_browser,
        &id,
        &[
            ("token", &token),
            ("action", "reply"),
            ("key", &unique("k").replace(['-', '_'], "")),
            ("body", "The log file."),
        ],
        &[("log.txt", "text/plain", &big)],
    );
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("log.txt is over 8 MB") && r.text.contains("The log file."), "{}", r.text);
    // Without the token, nothing is kept.
    let r =
        page_form(&customer_browser, &id, &[("action", "reply"), ("body", "sneaky")], &[("x.png", "image/png", &shot)]);
    assert_eq!(r.status, 404, "{}", r.text);

    // An upload never sent is gone a day later.
    let dropped = upload(&a, &id, "draft.txt", "text/plain", b"never sent").json();
    let dropped_id = dropped["id"].as_str().expect("id").to_string();
    d1(&format!("UPDATE attachments SET created_at = created_at - 90000000 WHERE id = '{dropped_id}'"));
    let cron = run_cron();
    assert!(cron.status < 300, "{}", cron.text);
    let left = d1(&format!(
        "SELECT (SELECT COUNT(*) FROM attachments WHERE id = '{dropped_id}') + \
         (SELECT COUNT(*) FROM attachment_parts WHERE attachment_id = '{dropped_id}') AS n"
    ));
    assert_eq!(left[0]["n"], 0, "the unsent upload is still kept");
    assert!(r2_file(&dropped_id).is_none(), "its object is deleted with it");
    assert_eq!(download(&a, &id, &pdf_id).bytes, invoice, "a sent file is kept");
    close(&a, &id);
}

/// A file the customer sends from the widget, with their ticket's token.
fn send_file(ticket: &str, token: &str, key: &str, name: &str, ctype: &str, bytes: &[u8]) -> deflect_tests::Reply {
    super::public().send(
        "POST",
        &format!(
            "/v1/tickets/{ticket}/files?name={}",
            url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
        ),
        &[("x-ticket-token", token), ("idempotency-key", key)],
        Some((ctype, bytes)),
    )
}

#[test]
fn a_customer_sends_a_file_from_the_widget_once_and_the_agent_saves_it() {
    let marker = unique("widgetfile");
    let body = serde_json::json!({
        "site": "demo",
        "customer": { "email": format!("{marker}@example.com") },
        "message": format!("The page is blank {marker}"),
    });
    let r = super::create(&super::public(), &unique("k"), &body);
    assert_eq!(r.status, 201, "{}", r.text);
    let created = r.json();
    let id = created["ticket"]["id"].as_str().expect("id").to_string();
    let token = created["token"].as_str().expect("token").to_string();

    // Checked: the ticket's token, a name, something in it, at most 8 MB.
    let shot = binary(30_000);
    assert_error(&send_file(&id, "wrong-token", &unique("k"), "a.png", "image/png", &shot), 404..=404);
    let r =
        super::public().send("POST", &format!("/v1/tickets/{id}/files?name=a.png"), &[], Some(("image/png", &shot)));
    assert_error(&r, 401..=401);
    assert_eq!(assert_error(&send_file(&id, &token, &unique("k"), "", "image/png", &shot), 422..=422), "invalid_field");
    let r = send_file(&id, &token, &unique("k"), "empty.png", "image/png", b"");
    assert_eq!(assert_error(&r, 422..=422), "invalid_field");
    let big = vec![7u8; deflect_shared::attachment::MAX_ATTACHMENT_BYTES + 1];
    assert_error(&send_file(&id, &token, &unique("k"), "big.bin", "application/octet-stream", &big), 413..=413);
    let r = send_file(&id, &token, "not a key!", "a.png", "image/png", &shot);
    assert_error(&r, 400..=400);
    assert_eq!(d1(&format!("SELECT id FROM attachments WHERE ticket_id = '{id}'")), Vec::<Value>::new());

    // Sent: a message of its own that names it, with the file under it.
    let key = unique("k");
    let r = send_file(&id, &token, &key, "Screen 屏幕.png", "image/png", &shot);
    assert_eq!(r.status, 201, "{}", r.text);
    let thread = r.json();
    let last = thread["messages"].as_array().and_then(|m| m.last()).cloned().expect("a message");
    assert_eq!(last["author"], "customer", "{thread}");
    assert!(last["body"].as_str().is_some_and(|b| b.contains("Screen 屏幕.png")), "{last}");
    let listed = files(&thread);
    assert_eq!(listed.len(), 1, "{thread}");
    assert_eq!(
        (listed[0]["name"].as_str(), listed[0]["message"].clone()),
        (Some("Screen 屏幕.png"), last["id"].clone())
    );
    // Sent again after a lost answer: kept once.
    let again = send_file(&id, &token, &key, "Screen 屏幕.png", "image/png", &shot);
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(d1(&format!("SELECT id FROM attachments WHERE ticket_id = '{id}'")).len(), 1);
    // The same key for another file is a conflict.
    assert_error(&send_file(&id, &token, &key, "other.png", "image/png", &shot), 409..=409);

    // The agent sees it on the ticket and saves the same bytes.
    let a = admin(&edge_url());
    let t = a.get(&format!("/v1/agent/tickets/{id}")).json();
    let file = files(&t).first().cloned().expect("the file on the ticket");
    let saved = download(&a, &id, file["id"].as_str().expect("id"));
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(saved.bytes, shot);
    close(&a, &id);
}
