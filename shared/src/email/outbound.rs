//! An agent's reply, written as an RFC 5322 mail: UTF-8 text in base64,
//! non-ASCII names and subjects as RFC 2047 encoded words, the threading
//! headers that bring the customer's answer back to the ticket, and the
//! agent's files as `multipart/mixed` attachments.

use super::reference::REPLY_ABOVE;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// A reply to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<'a> {
    /// The support address it comes from.
    pub from: &'a str,
    /// The name shown as the sender ("Ada at Example Shop").
    pub from_name: &'a str,
    /// The customer's address.
    pub to: &'a str,
    /// The customer's name, if known.
    pub to_name: Option<&'a str>,
    /// The subject, with the ticket's tag
    /// ([`reply_subject`](super::reference::reply_subject)).
    pub subject: &'a str,
    /// Its Message-ID, without brackets
    /// ([`message_id`](super::reference::message_id)).
    pub message_id: &'a str,
    /// The Message-IDs of the thread so far, oldest first; the last is the
    /// one it answers.
    pub references: &'a [String],
    /// The agent's text.
    pub body: &'a str,
    /// A link to the customer's own page of the request, if there is one.
    pub link: Option<PageLink<'a>>,
    /// When it is sent, ms since the epoch.
    pub sent_at: i64,
    /// The files sent with it.
    pub files: &'a [OutgoingFile<'a>],
}

/// A file sent with a reply.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutgoingFile<'a> {
    /// Its name (cleaned when it was kept).
    pub name: &'a str,
    /// Its MIME type.
    pub content_type: &'a str,
    /// Its contents.
    pub bytes: &'a [u8],
}

/// A link below the reply, with the words that lead to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageLink<'a> {
    /// What it is for, in the customer's language.
    pub words: &'a str,
    /// The address.
    pub url: &'a str,
}

/// The reply as mail, with CRLF line ends.
pub fn compose(r: &Reply<'_>) -> String {
    let mut head = Vec::new();
    head.push(format!("From: {}", mailbox(Some(r.from_name), r.from)));
    head.push(format!("To: {}", mailbox(r.to_name, r.to)));
    head.push(format!("Subject: {}", encode_words(r.subject)));
    head.push(format!("Date: {}", rfc5322_date(r.sent_at)));
    head.push(format!("Message-ID: <{}>", clean(r.message_id)));
    if let Some(last) = r.references.last() {
        head.push(format!("In-Reply-To: <{}>", clean(last)));
        let refs: Vec<String> = r.references.iter().map(|id| format!("<{}>", clean(id))).collect();
        head.push(format!("References: {}", refs.join("\r\n ")));
    }
    head.push("MIME-Version: 1.0".into());

    let mut text = format!("{REPLY_ABOVE}\n\n{}\n", r.body.trim_end());
    if let Some(link) = r.link {
        text.push_str(&format!("\n--\n{}\n{}\n", link.words, link.url));
    }
    let text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    let text_part = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64";
    if r.files.is_empty() {
        head.push(text_part.into());
        return format!("{}\r\n\r\n{}\r\n", head.join("\r\n"), base64_lines(text.as_bytes()));
    }
    // Every part's body is base64, in which "=_" never occurs, and every
    // header line of a part that holds a name starts with a space, so no
    // line of a part can be the boundary.
    let boundary = "=_deflect_mixed";
    head.push(format!("Content-Type: multipart/mixed;\r\n boundary=\"{boundary}\""));
    let mut out = format!("{}\r\n\r\n", head.join("\r\n"));
    out.push_str(&format!("--{boundary}\r\n{text_part}\r\n\r\n{}\r\n", base64_lines(text.as_bytes())));
    for f in r.files {
        let content_type = crate::attachment::clean_type(f.content_type);
        // A plain name goes as itself; any other only in RFC 2231's form,
        // since readers take the first of the two forms they find.
        let plain = crate::attachment::ascii_name(f.name);
        let (name, filename) = if plain == f.name {
            (format!("name=\"{plain}\""), format!("filename=\"{plain}\""))
        } else {
            let encoded = crate::attachment::rfc8187(f.name);
            (format!("name*=UTF-8''{encoded}"), format!("filename*=UTF-8''{encoded}"))
        };
        out.push_str(&format!(
            "--{boundary}\r\nContent-Type: {content_type};\r\n {name}\r\nContent-Disposition: attachment;\r\n \
             {filename}\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            base64_lines(f.bytes)
        ));
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}

/// Bytes in base64, 76 characters a line, lines joined by CRLF.
pub(crate) fn base64_lines(bytes: &[u8]) -> String {
    let encoded = STANDARD.encode(bytes);
    let lines: Vec<&str> = encoded.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap_or("")).collect();
    lines.join("\r\n")
}

/// A header value may hold no line break.
pub(crate) fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control() && !matches!(c, '<' | '>')).collect()
}

/// `Name <address>`, the name quoted or encoded as it needs.
pub(crate) fn mailbox(name: Option<&str>, address: &str) -> String {
    let address = clean(address);
    match name.map(clean).filter(|n| !n.trim().is_empty()) {
        None => address,
        Some(n) if n.is_ascii() => {
            format!("\"{}\" <{address}>", n.replace('\\', "\\\\").replace('"', "\\\""))
        }
        Some(n) => format!("{} <{address}>", encode_words(&n)),
    }
}

/// The text as is if it is printable ASCII, otherwise as RFC 2047
/// encoded words (`=?utf-8?B?…?=`) of at most 75 characters each, split
/// between characters.
pub(crate) fn encode_words(text: &str) -> String {
    let text = clean(text);
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return text;
    }
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        // 39 bytes encode to 52 characters: 64 with the markers, so that
        // even the first word, after "Subject: ", keeps within 78.
        if chunk.len() + c.len_utf8() > 39 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(chunk);
    }
    words.iter().map(|w| format!("=?utf-8?B?{}?=", STANDARD.encode(w.as_bytes()))).collect::<Vec<_>>().join("\r\n ")
}

/// An RFC 5322 date in UTC: `Thu, 26 Nov 2026 10:36:07 +0000`.
pub(crate) fn rfc5322_date(ms: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = crate::metrics::civil_from_days(days);
    format!(
        "{}, {d} {} {y} {:02}:{:02}:{:02} +0000",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(m - 1) as usize],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::inbound;
    use mail_parser::MimeHeaders;

    fn reply<'a>(body: &'a str, refs: &'a [String]) -> Reply<'a> {
        Reply {
            from: "help@shop.example",
            from_name: "Ada at Shop",
            to: "ann@example.com",
            to_name: Some("Ann Lee"),
            subject: "Re: Where is my order? [#0123456789]",
            message_id: "deflect.0123.ff@shop.example",
            references: refs,
            body,
            link: Some(PageLink { words: "Your request on the web:", url: "https://shop.example/help/t/0123" }),
            sent_at: 1_795_689_367_000,
            files: &[],
        }
    }

    #[test]
    fn a_reply_reads_back_as_written() {
        let refs = vec!["first@mail.example.com".to_string(), "deflect.0123.ee@shop.example".to_string()];
        let raw = compose(&reply("Your order left today.\nTracking: 42.", &refs));
        assert!(raw.contains("\r\nIn-Reply-To: <deflect.0123.ee@shop.example>\r\n"), "{raw}");
        assert!(raw.contains("\r\nDate: Thu, 26 Nov 2026 10:36:07 +0000\r\n"), "{raw}");
        assert!(!raw.replace("\r\n", "").contains('\n'), "only CRLF line ends");
        assert!(raw.split("\r\n").all(|l| l.len() <= 78), "{raw}");
        let m = mail_parser::MessageParser::default().parse(raw.as_bytes()).unwrap();
        assert_eq!(m.subject(), Some("Re: Where is my order? [#0123456789]"));
        assert_eq!(m.message_id(), Some("deflect.0123.ff@shop.example"));
        let from = m.from().and_then(|a| a.first()).unwrap();
        assert_eq!((from.name(), from.address()), (Some("Ada at Shop"), Some("help@shop.example")));
        let body = m.body_text(0).unwrap().replace("\r\n", "\n");
        assert!(body.starts_with(REPLY_ABOVE), "{body}");
        assert!(body.contains("Your order left today.\nTracking: 42.\n"), "{body}");
        assert!(body.contains("\n--\nYour request on the web:\nhttps://shop.example/help/t/0123\n"), "{body}");
        // The customer's answer to it, quoted below their text, threads
        // back and keeps only what they wrote.
        let answer = format!(
            "From: ann@example.com\r\nSubject: Re: Where is my order? [#0123456789]\r\nIn-Reply-To: <{}>\r\n\r\nThanks!\r\n\r\n> {}\r\n> Your order left today.\r\n",
            "deflect.0123.ff@shop.example", REPLY_ABOVE
        );
        let read = inbound::parse(answer.as_bytes(), "ann@example.com").unwrap();
        assert_eq!(read.text, "Thanks!");
        assert_eq!(read.answers, ["deflect.0123.ff@shop.example"]);
    }

    #[test]
    fn chinese_names_and_subjects_are_encoded_words() {
        let subject = "Re: 我的订单什么时候到？我已经等了两个星期了，请尽快回复 [#0123456789]";
        let raw = compose(&Reply { subject, to_name: Some("李四"), ..reply("已发货。", &[]) });
        assert!(raw.contains("Subject: =?utf-8?B?"), "{raw}");
        assert!(raw.split("\r\n").all(|l| l.len() <= 78), "{raw}");
        assert!(!raw.contains("In-Reply-To"), "a first mail answers nothing");
        let m = mail_parser::MessageParser::default().parse(raw.as_bytes()).unwrap();
        assert_eq!(m.subject(), Some(subject));
        assert_eq!(m.to().and_then(|a| a.first()).and_then(|a| a.name()), Some("李四"));
        assert!(m.body_text(0).unwrap().contains("已发货。"));
    }

    #[test]
    fn files_go_as_attachments_that_read_back_byte_for_byte() {
        let picture: Vec<u8> = (0..5000u32).map(|i| (i * 31 % 256) as u8).collect();
        let files = [
            OutgoingFile { name: "label.png", content_type: "image/png", bytes: &picture },
            OutgoingFile { name: "发票 \"1\".pdf", content_type: "application/pdf", bytes: b"%PDF-1.4" },
        ];
        let raw = compose(&Reply { files: &files, ..reply("The label and invoice are attached.", &[]) });
        // A long file name makes a long parameter line, within RFC 5322's
        // 998; every other line keeps to 78.
        assert!(raw.split("\r\n").all(|l| l.len() <= 78 || l.starts_with(" name*=") || l.starts_with(" filename*=")));
        let m = mail_parser::MessageParser::default().parse(raw.as_bytes()).unwrap();
        assert!(m.body_text(0).unwrap().contains("The label and invoice are attached."));
        let read: Vec<(String, usize, bool)> = m
            .attachments()
            .zip(&files)
            .map(|(a, f)| {
                (a.attachment_name().unwrap_or_default().to_string(), a.contents().len(), a.contents() == f.bytes)
            })
            .collect();
        assert_eq!(read, vec![("label.png".to_string(), 5000, true), ("发票 \"1\".pdf".to_string(), 8, true)]);
        // And the help desk reads its own mail's files back the same way.
        let back = inbound::parse(raw.as_bytes(), "help@shop.example").unwrap();
        assert_eq!(back.files.len(), 2);
        assert_eq!(back.files[1].content_type, "application/pdf");
    }

    #[test]
    fn header_injection_is_impossible() {
        let raw = compose(&Reply {
            subject: "Hi\r\nBcc: victim@example.com",
            to_name: Some("Eve\"\r\nBcc: x@y.z"),
            ..reply("x", &[])
        });
        let head = raw.split("\r\n\r\n").next().unwrap();
        assert!(!head.lines().any(|l| l.starts_with("Bcc")), "{head}");
    }
}
