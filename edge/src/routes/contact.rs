//! The help centre's form to write to the team: a customer who found no
//! article that answers them, and has no widget in front of them, sends
//! their question (with files, such as a screenshot) and lands on their
//! request's own page, where the team's answers appear.
//!
//! Like the request page, it is HTML rendered here with every text
//! escaped and no script; a form that worked is answered with a redirect,
//! one that did not shows the form again with the reason and what was
//! typed. Each form carries its own key, so a double click or a form sent
//! again after a lost answer makes one ticket.

use super::portal::{encode_path as encode, language, shell};
use super::ticket_page;
use super::{Bucket, limit};
use crate::crypto::new_id;
use crate::desk::files;
use crate::desk::intake::{self, Created};
use crate::error::{AppError, AppResult};
use crate::http::Req;
use crate::state::App;
use deflect_shared::ErrorKind;
use deflect_shared::api::ContactForm;
use deflect_shared::attachment::{self, IncomingFile};
use deflect_shared::html::escape;
use worker::Response;

/// Largest form without its files: a 10,000-character message, every
/// character percent-encoded as four UTF-8 bytes, with room for the rest.
const MAX_FORM: usize = 128 * 1024;

/// A field people do not see or fill (it is off screen, skipped by the
/// tab key and hidden from screen readers) and form-filling bots do.
const TRAP: &str = "website";

/// The page's words.
struct Words {
    lang: &'static str,
    centre: &'static str,
    title: &'static str,
    intro: &'static str,
    email: &'static str,
    name: &'static str,
    message: &'static str,
    attach: &'static str,
    send: &'static str,
    bad_email: &'static str,
    bad_message: &'static str,
    sent_before: &'static str,
    trap: &'static str,
    trapped: &'static str,
}

const EN: Words = Words {
    lang: "en",
    centre: "Help centre",
    title: "Write to our team",
    intro: "Tell us what you need. Once you send it, you see your request's own page: keep its address, our answers appear there.",
    email: "Your e-mail address",
    name: "Your name (optional)",
    message: "Your question",
    attach: "Attach files (optional; up to 10, 8 MB each)",
    send: "Send",
    bad_email: "Please give an e-mail address we can answer at.",
    bad_message: "Please write your question (up to 10,000 characters).",
    sent_before: "This form was sent before with other words. To send these as a new request, press Send again.",
    trap: "Leave this field empty",
    trapped: "This form could not be sent. Please check it and press Send again.",
};

const ZH: Words = Words {
    lang: "zh",
    centre: "帮助中心",
    title: "联系我们的团队",
    intro: "请告诉我们您需要什么帮助。发送后您会看到该请求的专属页面：请保存其地址，我们的回复会显示在那里。",
    email: "您的邮箱",
    name: "您的姓名（可选）",
    message: "您的问题",
    attach: "添加附件（可选；最多 10 个，每个不超过 8 MB）",
    send: "发送",
    bad_email: "请填写一个我们可以回复的邮箱地址。",
    bad_message: "请填写您的问题（不超过 10,000 个字符）。",
    sent_before: "此表单之前已用其他内容发送过。如要作为新请求发送，请再次点击“发送”。",
    trap: "此项请留空",
    trapped: "此表单未能发送。请检查后再次点击“发送”。",
};

fn words(lang: &str) -> &'static Words {
    if lang == "zh" { &ZH } else { &EN }
}

/// What the customer typed, shown again when it was not taken.
#[derive(Default)]
struct Typed {
    email: String,
    name: String,
    message: String,
}

/// `GET /help/{site}/contact?lang=&q=`: the form, with the question the
/// customer searched for (`q`) as the start of their message.
pub(super) async fn show(app: &App, req: &mut Req, site: &str) -> AppResult<Response> {
    limit(app, req, Bucket::Reads).await?;
    let w = words(language(req));
    let name = site_name(app, site).await?;
    let typed = Typed {
        message: req.query("q").map(|q| q.trim().chars().take(300).collect()).unwrap_or_default(),
        ..Typed::default()
    };
    render(w, site, &name, None, &typed, 200)
}

/// `POST /help/{site}/contact`: opens the ticket and answers with a
/// redirect to its page, or the form again with the reason.
pub(super) async fn send(app: &App, req: &mut Req, site: &str) -> AppResult<Response> {
    limit(app, req, Bucket::Tickets).await?;
    ticket_page::own_page_only(req)?;
    let name = site_name(app, site).await?;
    let form = req.form(MAX_FORM, &["lang", "key", "email", "name", "message", TRAP], "file").await?;
    let field = |n: &str| form.field(n).unwrap_or_default().to_string();
    let w = words(&field("lang"));
    let typed = Typed { email: field("email"), name: field("name"), message: field("message") };
    // A filled trap is most likely a bot's post: nothing is opened, and a
    // person (whose browser filled it) gets their words back to send again
    // with the field, always shown empty, left so.
    if form.field(TRAP).is_some_and(|v| !v.is_empty()) {
        return render(w, site, &name, Some(w.trapped), &typed, 422);
    }
    match open(app, site, w, &typed, form.field("key"), &form.files).await? {
        Ok(to) => {
            let mut resp = Response::empty()?.with_status(303);
            resp.headers_mut().set("location", &to)?;
            Ok(resp)
        }
        Err(Refusal { status, reason }) => render(w, site, &name, Some(&reason), &typed, status),
    }
}

/// Why a form was not taken: the status and the words for the customer.
struct Refusal {
    status: u16,
    reason: String,
}

/// Opens the ticket, once per form key, with its files; returns the
/// address of its page, or why the form was not taken.
async fn open(
    app: &App,
    site: &str,
    w: &Words,
    typed: &Typed,
    key: Option<&str>,
    files: &[IncomingFile],
) -> AppResult<Result<String, Refusal>> {
    let form = ContactForm {
        site: site.to_string(),
        email: typed.email.clone(),
        name: typed.name.clone(),
        message: typed.message.clone(),
        locale: w.lang.to_string(),
    };
    let new = match form.validate() {
        Ok(new) => new,
        Err(e) => {
            let reason = match e.kind() {
                ErrorKind::InvalidField { field, .. } if field == "customer.email" => w.bad_email.to_string(),
                ErrorKind::InvalidField { field, .. } if field == "message" => w.bad_message.to_string(),
                _ => e.to_string(),
            };
            return Ok(Err(Refusal { status: 422, reason }));
        }
    };
    if let Some(why) = attachment::refused(attachment::sizes(files)) {
        return Ok(Err(Refusal { status: 422, reason: why.in_language(w.lang) }));
    }
    // A key from this page's form, or a fresh one for a post without.
    let key = match key.filter(|k| !k.is_empty() && k.len() <= 100 && k.chars().all(|c| c.is_ascii_alphanumeric())) {
        Some(k) => format!("web-{k}"),
        None => format!("web-{}", new_id()?),
    };
    let fingerprint = format!("{}\n{}\n{}", new.email, new.name.as_deref().unwrap_or(""), new.message);
    let created = match intake::create(app, new, &fingerprint, &key, None).await {
        Ok(Created::New(t) | Created::Replay(t)) => t,
        // The same form sent again with other words (back, edit, send):
        // the form comes back with a new key for the next press.
        Err(AppError::Conflict(_)) => return Ok(Err(Refusal { status: 409, reason: w.sent_before.to_string() })),
        Err(e) => return Err(e),
    };
    files::keep_with_customer_message(app, &created.ticket.id, None, files).await?;
    Ok(Ok(format!("{}&done=created", ticket_page::path_for(site, &created.ticket.id, &created.token, w.lang))))
}

async fn site_name(app: &App, site: &str) -> AppResult<String> {
    let settings = app.settings().await?;
    let s = settings.site(site).ok_or_else(|| AppError::NotFound(format!("there is no site {site}")))?;
    Ok(s.name.clone())
}

/// The page with the form; a fresh key for each showing.
fn render(
    w: &Words,
    site: &str,
    site_name: &str,
    error: Option<&str>,
    typed: &Typed,
    status: u16,
) -> AppResult<Response> {
    let home = format!("/help/{}?lang={}", encode(site), w.lang);
    let mut main = format!("<h1>{}</h1><p class=\"muted\">{}</p>", escape(w.title), escape(w.intro));
    if let Some(e) = error {
        main.push_str(&format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)));
    }
    main.push_str(&format!(
        "<form method=\"post\" action=\"/help/{site}/contact\" class=\"write\" enctype=\"multipart/form-data\">\
         <input type=\"hidden\" name=\"lang\" value=\"{lang}\"><input type=\"hidden\" name=\"key\" value=\"{key}\">\
         <label for=\"email\">{email_label}</label>\
         <input id=\"email\" name=\"email\" type=\"email\" required maxlength=\"254\" autocomplete=\"email\" value=\"{email}\">\
         <label for=\"name\">{name_label}</label>\
         <input id=\"name\" name=\"name\" type=\"text\" maxlength=\"200\" autocomplete=\"name\" value=\"{name}\">\
         <label for=\"message\">{message_label}</label>\
         <textarea id=\"message\" name=\"message\" rows=\"6\" required maxlength=\"10000\">{message}</textarea>\
         <label for=\"file\">{attach}</label><input type=\"file\" id=\"file\" name=\"file\" multiple>\
         <div class=\"trap\" aria-hidden=\"true\"><label for=\"{TRAP}\">{trap}</label>\
         <input id=\"{TRAP}\" name=\"{TRAP}\" type=\"text\" tabindex=\"-1\" autocomplete=\"off\" value=\"\"></div>\
         <button type=\"submit\">{send}</button></form>",
        site = encode(site),
        lang = w.lang,
        key = new_id()?,
        email_label = escape(w.email),
        email = escape(&typed.email),
        name_label = escape(w.name),
        name = escape(&typed.name),
        message_label = escape(w.message),
        message = escape(&typed.message),
        attach = escape(w.attach),
        trap = escape(w.trap),
        send = escape(w.send),
    ));
    let header = format!(
        "<a class=\"brand\" href=\"{home}\">{} · {}</a>\
         <nav><a href=\"?lang=en\" lang=\"en\">English</a> <a href=\"?lang=zh\" lang=\"zh\">中文</a></nav>",
        escape(site_name),
        escape(w.centre)
    );
    // Each showing has its own key: never cached, or two customers would
    // share one.
    let title = format!("{} · {site_name}", w.title);
    Ok(shell(w.lang, &title, &header, &main, "", "private, no-store")?.with_status(status))
}
