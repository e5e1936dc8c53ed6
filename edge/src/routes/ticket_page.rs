//! A customer's own page of their request, in the help centre: the
//! conversation, a box to write to the team, and, once it is solved, the
//! satisfaction rating. Every reply mailed to a customer links to it, so
//! customers who wrote an e-mail can rate the help as widget customers do,
//! and answer from a browser.
//!
//! The link carries the ticket's customer token (`?token=`), as the widget
//! sends it in `X-Ticket-Token`; without the right token the page says only
//! that there is no such request. The page is rendered here as HTML, every
//! text escaped, with no script; its forms post back to it, and a post
//! that worked is answered with a redirect (so a reload does not send it
//! again) while one that did not shows the page again with the reason and
//! what was typed.

use super::portal::{encode_path as encode, shell};
use super::{Bucket, limit};
use crate::crypto::new_id;
use crate::desk::views;
use crate::desk::work;
use crate::error::{AppError, AppResult};
use crate::http::Req;
use crate::state::App;
use crate::store::attachments;
use crate::store::tickets::TicketRow;
use deflect_shared::api::{Attachment, Author, Csat, CustomerTicket, Status};
use deflect_shared::attachment::{self, IncomingFile, size_in_words};
use deflect_shared::html::{self, escape};
use deflect_shared::metrics::iso8601;
use worker::Response;

/// Largest form accepted: a 10,000-character message, every character
/// percent-encoded as four UTF-8 bytes, with room for the other fields.
const MAX_FORM: usize = 128 * 1024;

/// The page's words.
pub(crate) struct Words {
    lang: &'static str,
    title: &'static str,
    centre: &'static str,
    you: &'static str,
    team: &'static str,
    open: &'static str,
    pending: &'static str,
    solved: &'static str,
    closed: &'static str,
    write: &'static str,
    send: &'static str,
    rate: &'static str,
    scores: [&'static str; 5],
    comment: &'static str,
    send_rating: &'static str,
    rated: &'static str,
    replied: &'static str,
    closed_note: &'static str,
    merged: &'static str,
    missing: &'static str,
    erased: &'static str,
    files: &'static str,
    attach: &'static str,
    created: &'static str,
    created_mail: &'static str,
    bad_body: &'static str,
    bad_rating: &'static str,
    bad_comment: &'static str,
    /// Leads to the page from a mailed reply.
    pub(crate) mail_link: &'static str,
    /// Leads the score links of a mailed rating request.
    score_links: &'static str,
    /// Says a score came chosen from a mail's link and is not sent yet.
    chosen: &'static str,
}

const EN: Words = Words {
    lang: "en",
    title: "Your request",
    centre: "Help centre",
    you: "You",
    team: "Support team",
    open: "We are looking into it.",
    pending: "We answered and are waiting for you.",
    solved: "Solved.",
    closed: "Closed.",
    write: "Write to us",
    send: "Send",
    rate: "How did we do?",
    scores: ["1 – very bad", "2 – bad", "3 – all right", "4 – good", "5 – very good"],
    comment: "Anything to add? (optional)",
    send_rating: "Send rating",
    rated: "You rated our help {n} of 5. Thank you!",
    replied: "Thank you: we have your message.",
    closed_note: "This request is closed. To ask something new, write to us again.",
    merged: "This conversation continues in another request:",
    missing: "There is no such request, or the link is incomplete. Use the link in our latest e-mail.",
    erased: "This conversation was erased at your request.",
    files: "Attached files",
    attach: "Attach files (optional; up to 10, 8 MB each)",
    created: "We have your request. Bookmark this page to come back to it: our answers appear here.",
    created_mail: "We have your request. Our answers appear here, and come to you by e-mail with a link back to this page.",
    mail_link: "Your request on the web, to answer or rate our help:",
    bad_body: "Please write your message (up to 10,000 characters), or attach a file.",
    bad_rating: "Please pick a rating from 1 to 5.",
    bad_comment: "Please keep your comment to 2,000 characters.",
    score_links: "Or pick a score here to open the page with it chosen:",
    chosen: "You picked {n} of 5. Send it below, with a few words if you like.",
};

const ZH: Words = Words {
    lang: "zh",
    title: "您的请求",
    centre: "帮助中心",
    you: "您",
    team: "客服团队",
    open: "我们正在处理。",
    pending: "我们已回复，正在等待您的回复。",
    solved: "已解决。",
    closed: "已关闭。",
    write: "给我们留言",
    send: "发送",
    rate: "您对我们的服务满意吗？",
    scores: ["1 – 很不满意", "2 – 不满意", "3 – 一般", "4 – 满意", "5 – 很满意"],
    comment: "还有什么想说的吗？（可选）",
    send_rating: "提交评价",
    rated: "您的评价：{n}/5。谢谢！",
    replied: "谢谢，我们已收到您的留言。",
    closed_note: "此请求已关闭。如有新的问题，请重新联系我们。",
    merged: "此对话已在另一个请求中继续：",
    missing: "找不到该请求，或链接不完整。请使用我们最新邮件中的链接。",
    erased: "此对话已应您的要求删除。",
    files: "附件",
    attach: "添加附件（可选；最多 10 个，每个不超过 8 MB）",
    created: "我们已收到您的请求。请将本页加入书签以便回来查看：我们的回复会显示在这里。",
    created_mail: "我们已收到您的请求。我们的回复会显示在这里，并通过邮件发送给您，邮件中附有返回本页的链接。",
    mail_link: "在网页上查看此请求，回复或评价我们的服务：",
    bad_body: "请填写您的留言（不超过 10,000 个字符），或添加附件。",
    bad_rating: "请选择 1 到 5 分的评价。",
    bad_comment: "补充说明请不要超过 2,000 个字符。",
    score_links: "也可以点击下面的分数，打开已选好该分数的页面：",
    chosen: "您选择了 {n}/5 分。请在下方提交，也可以留下几句话。",
};

/// The words for a locale (`zh…` is Chinese, anything else English).
pub(crate) fn words(locale: &str) -> &'static Words {
    if locale.to_ascii_lowercase().starts_with("zh") { &ZH } else { &EN }
}

/// The page's address for a ticket, under `base` (the edge's public
/// address), in the ticket's language.
pub(crate) fn link(base: &str, row: &TicketRow, token: &str) -> String {
    format!("{}{}", base.trim_end_matches('/'), path(&row.site_id, &row.id, token, words(&row.locale)))
}

/// A mailed rating request's score links: one per score, each opening the
/// page (`page`, from [`link`]) with that score chosen in the form. A link
/// only chooses; the customer sends the rating from the page, since mail
/// scanners open every link in a mail and a GET must change nothing.
pub(crate) fn score_links(locale: &str, page: &str) -> String {
    let w = words(locale);
    let mut out = format!("{}\n", w.score_links);
    for (i, label) in w.scores.iter().enumerate().rev() {
        out.push_str(&format!("{label}: {page}&rating={}#rate\n", i + 1));
    }
    out
}

/// The page's path and query, in the language of `w`.
fn path(site: &str, id: &str, token: &str, w: &Words) -> String {
    path_for(site, id, token, w.lang)
}

/// The page's path and query, in `lang` (`en` or `zh`).
pub(crate) fn path_for(site: &str, id: &str, token: &str, lang: &str) -> String {
    format!("/help/{}/tickets/{}?token={}&lang={}", encode(site), encode(id), encode(token), lang)
}

/// What the customer typed, shown again when it was not taken.
#[derive(Default)]
struct Typed {
    body: String,
    rating: Option<u8>,
    comment: String,
}

/// `GET /help/{site}/tickets/{id}?token=…`
pub(super) async fn show(app: &App, req: &mut Req, site: &str, id: &str) -> AppResult<Response> {
    limit(app, req, Bucket::Reads).await?;
    let token = req.query("token").unwrap_or_default().to_string();
    let row = match authorised(app, site, id, &token).await {
        Ok(row) => row,
        Err(refused) => return refused.page(req.query("lang").unwrap_or("")),
    };
    let w = words(req.query("lang").unwrap_or(&row.locale));
    // A score link of a rating request's mail chooses the score in the
    // form, with the words given last; the customer sends it.
    let chosen = req.query("rating").and_then(|r| r.parse::<u8>().ok()).filter(|n| (1..=5).contains(n));
    if let Some(n) = chosen
        && matches!(row.status.as_str(), "solved" | "closed")
        && row.merged_into.is_none()
    {
        let typed =
            Typed { rating: Some(n), comment: row.csat_comment.clone().unwrap_or_default(), ..Typed::default() };
        let notice = w.chosen.replace("{n}", &n.to_string());
        return render(app, w, &row, &token, Some(&notice), None, &typed, 200).await;
    }
    let notice = match req.query("done") {
        Some("reply") => Some(w.replied),
        // Opened with the help centre's form: where the answers come.
        Some("created") if crate::desk::mail::mailed_from(app, &row).await?.is_some() => Some(w.created_mail),
        Some("created") => Some(w.created),
        _ => None,
    };
    render(app, w, &row, &token, notice, None, &Typed::default(), 200).await
}

/// `GET /help/{site}/tickets/{id}/files/{file}?token=…`: a file of a
/// message the customer sees (theirs, or one the team sent them), to save.
pub(super) async fn file(app: &App, req: &mut Req, site: &str, id: &str, file: &str) -> AppResult<Response> {
    limit(app, req, Bucket::Reads).await?;
    let token = req.query("token").unwrap_or_default().to_string();
    let lang = req.query("lang").unwrap_or("").to_string();
    let row = match authorised(app, site, id, &token).await {
        Ok(row) => row,
        Err(refused) => return refused.page(&lang),
    };
    match attachments::read(&app.db, &row.id, file, false).await? {
        Some((info, kept)) => crate::http::file(&info, crate::desk::files::contents(app, &info, kept).await?),
        None => Refused::Missing.page(if lang.is_empty() { &row.locale } else { &lang }),
    }
}

/// `POST /help/{site}/tickets/{id}`: the page's forms (`action` is `reply`
/// or `rate`).
pub(super) async fn act(app: &App, req: &mut Req, site: &str, id: &str) -> AppResult<Response> {
    limit(app, req, Bucket::Tickets).await?;
    own_page_only(req)?;
    let form = req.form(MAX_FORM, &["token", "lang", "action", "key", "body", "rating", "comment"], "file").await?;
    let field = |name: &str| form.field(name);
    let token = field("token").unwrap_or_default().to_string();
    let row = match authorised(app, site, id, &token).await {
        Ok(row) => row,
        Err(refused) => return refused.page(field("lang").unwrap_or("")),
    };
    let w = words(field("lang").unwrap_or(&row.locale));
    let typed = Typed {
        body: field("body").unwrap_or_default().to_string(),
        rating: field("rating").and_then(|r| r.parse().ok()),
        comment: field("comment").unwrap_or_default().to_string(),
    };
    let outcome = match field("action") {
        Some("reply") => reply(app, w, &row, &typed, field("key"), &form.files).await,
        Some("rate") => rate(app, &row, &typed).await,
        _ => Err(AppError::invalid("action", "action: must be reply or rate")),
    };
    match outcome {
        Ok(done) => {
            let mut to = path(site, id, &token, w);
            if let Some(done) = done {
                to.push_str("&done=");
                to.push_str(done);
            }
            let mut resp = Response::empty()?.with_status(303);
            resp.headers_mut().set("location", &to)?;
            Ok(resp)
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_) | AppError::Gone(_))) => {
            let status = match &e {
                AppError::Invalid { .. } => 422,
                AppError::Conflict(_) => 409,
                _ => 410,
            };
            render(app, w, &row, &token, None, Some(&in_words(w, &e)), &typed, status).await
        }
        Err(e) => Err(e),
    }
}

/// Refuses a form posted from another site's page: a browser says where a
/// post comes from (`Sec-Fetch-Site`).
pub(crate) fn own_page_only(req: &Req) -> AppResult<()> {
    if req.header("sec-fetch-site").is_some_and(|s| s != "same-origin" && s != "none") {
        return Err(AppError::Forbidden("this form can only be sent from its own page".into()));
    }
    Ok(())
}

/// Why a form was not taken, in the customer's language where the field
/// is one of the form's; otherwise as the desk says it.
fn in_words(w: &Words, e: &AppError) -> String {
    match e {
        AppError::Invalid { field: Some(f), .. } if f == "body" => w.bad_body.to_string(),
        AppError::Invalid { field: Some(f), .. } if f == "rating" => w.bad_rating.to_string(),
        AppError::Invalid { field: Some(f), .. } if f == "comment" => w.bad_comment.to_string(),
        _ => e.message(),
    }
}

/// Adds the customer's message with its files, once per form (its `key`).
async fn reply(
    app: &App,
    w: &Words,
    row: &TicketRow,
    typed: &Typed,
    key: Option<&str>,
    files: &[IncomingFile],
) -> AppResult<Option<&'static str>> {
    if let Some(why) = attachment::refused(attachment::sizes(files)) {
        return Err(AppError::invalid("file", why.in_language(w.lang)));
    }
    let key = key.filter(|k| !k.is_empty() && k.len() <= 100 && k.chars().all(|c| c.is_ascii_alphanumeric()));
    work::customer_writes(app, row, &typed.body, key, files).await?;
    Ok(Some("reply"))
}

/// Records the customer's rating (a new one replaces the last).
async fn rate(app: &App, row: &TicketRow, typed: &Typed) -> AppResult<Option<&'static str>> {
    let Some(rating) = typed.rating else {
        return Err(AppError::invalid("rating", "rating: pick one from 1 to 5"));
    };
    let comment = Some(typed.comment.clone()).filter(|c| !c.trim().is_empty());
    let (rating, comment) = Csat { rating, comment }.validate()?;
    work::rate(app, row, rating, comment.as_deref()).await?;
    Ok(None)
}

/// Why a page cannot be shown.
enum Refused {
    /// A wrong token and a missing ticket look the same, so ids cannot be
    /// probed.
    Missing,
    Erased,
}

impl Refused {
    fn page(&self, lang: &str) -> AppResult<Response> {
        let w = words(lang);
        let (status, text) = match self {
            Refused::Missing => (404, w.missing),
            Refused::Erased => (410, w.erased),
        };
        Ok(document(w, None, w.title, &format!("<h1>{}</h1><p class=\"none\">{}</p>", escape(w.title), escape(text)))?
            .with_status(status))
    }
}

async fn authorised(app: &App, site: &str, id: &str, token: &str) -> Result<TicketRow, Refused> {
    if id.len() > 64 || token.is_empty() || token.len() > 100 {
        return Err(Refused::Missing);
    }
    let Ok(key) = app.key().await else { return Err(Refused::Missing) };
    if !key.verify(&format!("ticket:{id}"), token).await.unwrap_or(false) {
        return Err(Refused::Missing);
    }
    let row = work::load(app, id).await.map_err(|_| Refused::Missing)?;
    if row.site_id != site {
        return Err(Refused::Missing);
    }
    if row.customer_erased_at.is_some() {
        return Err(Refused::Erased);
    }
    Ok(row)
}

#[allow(clippy::too_many_arguments)]
async fn render(
    app: &App,
    w: &Words,
    row: &TicketRow,
    token: &str,
    notice: Option<&str>,
    error: Option<&str>,
    typed: &Typed,
    status: u16,
) -> AppResult<Response> {
    let t = views::customer_ticket(app, row).await?;
    // The words given with the last rating stand in the form until changed.
    let kept;
    let typed = if typed.rating.is_none() && typed.comment.is_empty() {
        kept = Typed { body: typed.body.clone(), rating: None, comment: row.csat_comment.clone().unwrap_or_default() };
        &kept
    } else {
        typed
    };
    let settings = app.settings().await?;
    let site_name = settings.site(&row.site_id).map_or_else(|| row.site_id.clone(), |s| s.name.clone());
    let main = page_main(w, &t, &row.site_id, token, notice, error, typed)?;
    Ok(document(w, Some((&row.site_id, &site_name)), &t.subject, &main)?.with_status(status))
}

fn page_main(
    w: &Words,
    t: &CustomerTicket,
    site: &str,
    token: &str,
    notice: Option<&str>,
    error: Option<&str>,
    typed: &Typed,
) -> AppResult<String> {
    let state = match t.status {
        Status::Open => w.open,
        Status::Pending => w.pending,
        Status::Solved => w.solved,
        Status::Closed => w.closed,
    };
    let mut main = format!(
        "<p class=\"muted\">{}</p><h1>{}</h1><p class=\"state\">{}</p>",
        escape(w.title),
        escape(&t.subject),
        escape(state)
    );
    if let Some(n) = notice {
        main.push_str(&format!("<p class=\"notice\" role=\"status\">{}</p>", escape(n)));
    }
    if let Some(e) = error {
        main.push_str(&format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)));
    }
    main.push_str("<ol class=\"thread\">");
    for m in &t.messages {
        let (class, who) = match m.author {
            Author::Customer => ("customer", w.you.to_string()),
            Author::Agent => ("agent", m.author_name.clone().unwrap_or_else(|| w.team.to_string())),
            Author::System => ("system", w.team.to_string()),
        };
        let at = iso8601(m.created_at);
        main.push_str(&format!(
            "<li class=\"{class}\"><p class=\"meta\"><strong>{}</strong> <time datetime=\"{at}\">{} UTC</time></p>\
             <div class=\"body\">{}</div>",
            escape(&who),
            escape(&at[..16].replace('T', " ")),
            html::message(&m.body)
        ));
        let own: Vec<&Attachment> =
            t.attachments.iter().filter(|f| f.message.as_deref() == Some(m.id.as_str())).collect();
        if !own.is_empty() {
            main.push_str(&format!("<ul class=\"files\" aria-label=\"{}\">", escape(w.files)));
            for f in own {
                let href = format!(
                    "/help/{}/tickets/{}/files/{}?token={}",
                    encode(site),
                    encode(&t.id),
                    encode(&f.id),
                    encode(token)
                );
                main.push_str(&format!(
                    "<li><a href=\"{}\" download>{}</a> <span class=\"muted\">{}</span></li>",
                    escape(&href),
                    escape(&f.name),
                    escape(&size_in_words(f.size))
                ));
            }
            main.push_str("</ul>");
        }
        main.push_str("</li>");
    }
    main.push_str("</ol>");
    let action = format!("/help/{}/tickets/{}", encode(site), encode(&t.id));
    let hidden = format!(
        "<input type=\"hidden\" name=\"token\" value=\"{}\"><input type=\"hidden\" name=\"lang\" value=\"{}\">",
        escape(token),
        w.lang
    );
    if let Some(next) = &t.continued_in {
        let to = path(site, &next.id, &next.token, w);
        main.push_str(&format!(
            "<p class=\"notice\">{} <a href=\"{}\">{}</a></p>",
            escape(w.merged),
            escape(&to),
            escape(&next.subject)
        ));
        return Ok(main);
    }
    if matches!(t.status, Status::Solved | Status::Closed) {
        main.push_str(&rating_form(w, t.csat, &action, &hidden, typed));
    }
    if t.status == Status::Closed {
        main.push_str(&format!("<p class=\"none\">{}</p>", escape(w.closed_note)));
    } else {
        main.push_str(&format!(
            "<form method=\"post\" action=\"{action}\" class=\"write\" enctype=\"multipart/form-data\">{hidden}\
             <input type=\"hidden\" name=\"action\" value=\"reply\"><input type=\"hidden\" name=\"key\" value=\"{}\">\
             <label for=\"body\">{}</label><textarea id=\"body\" name=\"body\" rows=\"5\" maxlength=\"10000\">{}</textarea>\
             <label for=\"file\">{}</label><input type=\"file\" id=\"file\" name=\"file\" multiple>\
             <button type=\"submit\">{}</button></form>",
            new_id()?,
            escape(w.write),
            escape(&typed.body),
            escape(w.attach),
            escape(w.send)
        ));
    }
    Ok(main)
}

/// The rating: the one given, and the form to give or change it.
fn rating_form(w: &Words, csat: Option<u8>, action: &str, hidden: &str, typed: &Typed) -> String {
    let mut out = String::new();
    if let Some(n) = csat {
        out.push_str(&format!(
            "<p class=\"notice\" role=\"status\" id=\"rated\">{}</p>",
            escape(&w.rated.replace("{n}", &n.to_string()))
        ));
    }
    let chosen = typed.rating.or(csat);
    out.push_str(&format!(
        "<form method=\"post\" action=\"{action}\" class=\"rate\" id=\"rate\">{hidden}<input type=\"hidden\" name=\"action\" value=\"rate\">\
         <fieldset><legend>{}</legend>",
        escape(w.rate)
    ));
    for (i, label) in w.scores.iter().enumerate() {
        let n = i + 1;
        let checked = if chosen == Some(n as u8) { " checked" } else { "" };
        out.push_str(&format!(
            "<label><input type=\"radio\" name=\"rating\" value=\"{n}\" required{checked}> {}</label>",
            escape(label)
        ));
    }
    out.push_str(&format!(
        "</fieldset><label for=\"comment\">{}</label><textarea id=\"comment\" name=\"comment\" rows=\"3\" maxlength=\"2000\">{}</textarea>\
         <button type=\"submit\">{}</button></form>",
        escape(w.comment),
        escape(&typed.comment),
        escape(w.send_rating)
    ));
    out
}

/// The whole page; `site` is the site's id and name, for the link to its
/// help centre.
fn document(w: &Words, site: Option<(&str, &str)>, title: &str, main: &str) -> AppResult<Response> {
    let brand = match site {
        Some((id, name)) => format!(
            "<a class=\"brand\" href=\"/help/{}?lang={}\">{} · {}</a>",
            encode(id),
            w.lang,
            escape(name),
            escape(w.centre)
        ),
        None => format!("<span class=\"brand\">{}</span>", escape(w.centre)),
    };
    // The customer's conversation: never kept by a cache, and the token in
    // the address never sent on as a referrer (`secure` adds that).
    shell(w.lang, title, &brand, main, "<meta name=\"robots\" content=\"noindex\">", "private, no-store")
}
