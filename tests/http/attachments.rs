//! Files that come with a customer's mail: kept (encrypted, in parts) with
//! the message they came with, listed on the ticket, downloaded by agents
//! only and only as attachments, and erased with the customer.

use super::email::{close, deliver, ticket_with};
use super::{assert_error, d1};
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
    // Its sealed base64 is over one part (512 Ki characters), so it is
    // stored in two; the mail stays under local Email Routing's 1 MiB.
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

    // Stored encrypted, in parts: no part holds the file as sent.
    let parts = d1(&format!("SELECT data FROM attachment_parts WHERE attachment_id = '{png}' ORDER BY n"));
    assert_eq!(parts.len(), 2, "two parts");
    let plain = STANDARD.encode(&picture[..3000]);
    assert!(parts.iter().all(|p| !p["data"].as_str().unwrap_or("").contains(&plain[..200])), "stored as sent");

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
    assert_eq!(kept.len(), 3, "{t}");
    let last = t["messages"].as_array().and_then(|m| m.iter().rfind(|m| m["author"] == "customer")).expect("answer");
    assert_eq!(last["body"], "And the receipt.");
    assert_eq!(kept[2]["message"], last["id"]);
    assert_eq!(kept[2]["name"], "receipt.pdf");
    assert_eq!(download(&a, id, kept[2]["id"].as_str().expect("id")).bytes, receipt);

    // The customer's export names the files.
    let customer_id = t["customer"]["id"].as_str().expect("customer id").to_string();
    let export = a.get(&format!("/v1/admin/customers/{customer_id}/export")).json();
    let exported = export["tickets"][0]["attachments"].as_array().map(Vec::len);
    assert_eq!(exported, Some(3), "{export}");

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
}
