//! The public help centre: search over the published KB with the same
//! matcher as the widget, and article pages, in English and Chinese. Pages
//! are rendered here as HTML; every text is escaped.

use super::{Bucket, limit};
use crate::desk::publish;
use crate::error::{AppError, AppResult};
use crate::http::Req;
use crate::state::App;
use deflect_shared::api::Site;
use deflect_shared::html::{self, escape};
use deflect_shared::kb::{KbIndex, PublishedKb, SearchOptions, StoredArticle, by_category, split_section};
use worker::Response;

/// Interface strings.
struct Words {
    lang: &'static str,
    title: &'static str,
    search: &'static str,
    placeholder: &'static str,
    results: &'static str,
    none: &'static str,
    all: &'static str,
    other: &'static str,
    /// Around a category's name: the heading of its other articles.
    more_in: (&'static str, &'static str),
    back: &'static str,
    not_found: &'static str,
    still: &'static str,
    contact: &'static str,
}

const EN: Words = Words {
    lang: "en",
    title: "Help centre",
    search: "Search",
    placeholder: "Ask a question…",
    results: "Best answers",
    none: "No article answers this yet.",
    all: "All articles",
    other: "Other articles",
    more_in: ("More in ", ""),
    back: "← All articles",
    not_found: "This article does not exist.",
    still: "Still need help?",
    contact: "Write to our team",
};

const ZH: Words = Words {
    lang: "zh",
    title: "帮助中心",
    search: "搜索",
    placeholder: "请输入您的问题…",
    results: "最佳答案",
    none: "暂时没有相关文章。",
    all: "全部文章",
    other: "其他文章",
    more_in: ("", "的更多文章"),
    back: "← 全部文章",
    not_found: "文章不存在。",
    still: "仍需要帮助？",
    contact: "联系我们的团队",
};

/// The help centre's language for a request: `lang`, else the browser's
/// first choice; `zh` or `en`.
pub(super) fn language(req: &Req) -> &'static str {
    let pick = req
        .query("lang")
        .map(str::to_string)
        .or_else(|| req.header("accept-language"))
        .unwrap_or_default()
        .to_ascii_lowercase();
    if pick.starts_with("zh") { "zh" } else { "en" }
}

fn words(req: &Req) -> &'static Words {
    if language(req) == "zh" { &ZH } else { &EN }
}

/// The line that leads to the form to write to the team, with the
/// question searched for, if any.
fn contact_line(w: &Words, site: &str, q: Option<&str>) -> String {
    let mut to = format!("/help/{}/contact?lang={}", encode_path(site), w.lang);
    if let Some(q) = q {
        to.push_str("&q=");
        to.extend(url::form_urlencoded::byte_serialize(q.as_bytes()));
    }
    format!("<p class=\"contact\">{} <a href=\"{}\">{}</a></p>", escape(w.still), escape(&to), escape(w.contact))
}

/// Percent-encodes a path segment (all but unreserved characters).
pub(crate) fn encode_path(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn page(w: &Words, site_name: &str, title: &str, main: &str) -> AppResult<Response> {
    let header = format!(
        "<a class=\"brand\" href=\"?lang={lang}\">{site} · {centre}</a>\
         <nav><a href=\"?lang=en\" lang=\"en\">English</a> <a href=\"?lang=zh\" lang=\"zh\">中文</a></nav>",
        lang = w.lang,
        site = escape(site_name),
        centre = escape(w.title),
    );
    let title = format!("{title} · {site_name}");
    shell(w.lang, &title, &header, main, "", "public, max-age=60")
}

/// A help-centre page: the document around `header` and `main` (HTML),
/// with the stylesheet, `head_extra` (HTML), and headers that let it load
/// nothing but its own styles and post forms only to this edge.
pub(super) fn shell(
    lang: &str,
    title: &str,
    header: &str,
    main: &str,
    head_extra: &str,
    cache: &str,
) -> AppResult<Response> {
    let html = format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{head_extra}\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/help.css\"></head>\
         <body><header>{header}</header><main>{main}</main></body></html>",
        title = escape(title),
    );
    let mut resp = Response::ok(html)?;
    let h = resp.headers_mut();
    h.set("content-type", "text/html; charset=utf-8")?;
    h.set(
        "content-security-policy",
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    )?;
    h.set("cache-control", cache)?;
    Ok(resp)
}

async fn site_and_index(app: &App, site: Option<&str>) -> AppResult<(Site, Option<PublishedKb>)> {
    let settings = app.settings().await?;
    let s = match site {
        Some(id) => settings.site(id).ok_or_else(|| AppError::NotFound(format!("there is no site {id}")))?,
        None => settings.sites.first().ok_or_else(|| AppError::NotFound("no site is configured".into()))?,
    };
    Ok((s.clone(), publish::load_with_categories(app, &s.id).await?))
}

pub(super) async fn home(app: &App, req: &mut Req, site: Option<&str>) -> AppResult<Response> {
    limit(app, req, Bucket::Reads).await?;
    let w = words(req);
    let (s, index) = site_and_index(app, site).await?;
    let (site_id, site_name) = (s.id.clone(), s.name.clone());
    let q = req.query("q").map(str::trim).filter(|q| !q.is_empty()).map(|q| q.chars().take(300).collect::<String>());
    let base = format!("/help/{}", encode_path(&site_id));
    let link = |id: &str| format!("{base}/articles/{}?lang={}", encode_path(id), w.lang);
    let mut main = format!(
        "<h1>{}</h1><form method=\"get\" action=\"{base}\" role=\"search\"><input type=\"hidden\" name=\"lang\" value=\"{}\">\
         <label for=\"q\" class=\"visually-hidden\">{}</label><input id=\"q\" name=\"q\" type=\"search\" placeholder=\"{}\" value=\"{}\" maxlength=\"300\">\
         <button type=\"submit\">{}</button></form>",
        escape(w.title),
        w.lang,
        escape(w.search),
        escape(w.placeholder),
        escape(q.as_deref().unwrap_or("")),
        escape(w.search),
    );
    let mut contact = contact_line(w, &site_id, q.as_deref());
    if let Some(published) = &index {
        let index = &published.index;
        if let Some(q) = &q {
            let m = index.search(q, SearchOptions { limit: 5, last_word_unfinished: false });
            main.push_str(&format!("<section aria-label=\"{0}\"><h2>{0}</h2>", escape(w.results)));
            if m.confidence < index.weights().suggest_threshold || m.hits.is_empty() {
                main.push_str(&format!("<p class=\"none\">{}</p>", escape(w.none)));
            } else {
                main.push_str("<ol class=\"results\">");
                // The best hit, then the others that are not far behind.
                for h in m.plausible() {
                    let a = &index.articles()[h.article];
                    main.push_str(&format!("<li><a href=\"{}\">{}</a>", escape(&link(&a.id)), escape(&a.title)));
                    let category = published.category(h.article).trim();
                    if !category.is_empty() {
                        main.push_str(&format!(" <span class=\"category\">{}</span>", escape(&shown(category))));
                    }
                    main.push_str("</li>");
                }
                main.push_str("</ol>");
            }
            // The way to the team, under the answers that did not do.
            main.push_str(&std::mem::take(&mut contact));
            main.push_str("</section>");
        }
        main.push_str(&format!("<section aria-labelledby=\"all\"><h2 id=\"all\">{}</h2>", escape(w.all)));
        let list = in_language(index, w);
        let groups = by_category(&list, |(i, _)| published.category(*i), &s.category_order);
        // The category whose heading is the last one written.
        let mut under: Option<String> = None;
        for (n, group) in groups.iter().enumerate() {
            // A list with no categories at all is one plain list.
            if groups.len() > 1 || !group.name.is_empty() {
                let (category, section) = split_section(group.name);
                if under.as_deref() != Some(category.to_lowercase().as_str()) || group.name.is_empty() {
                    under = Some(category.to_lowercase());
                    let name = if group.name.is_empty() { w.other } else { category };
                    // The category's own articles are found at its heading.
                    let anchor = if section.is_none() { format!(" id=\"category-{}\"", n + 1) } else { String::new() };
                    main.push_str(&format!("<h3 class=\"category\"{anchor}>{}</h3>", escape(name)));
                }
                if let Some(section) = section {
                    main.push_str(&format!("<h4 class=\"section\" id=\"category-{}\">{}</h4>", n + 1, escape(section)));
                }
            }
            main.push_str("<ul class=\"articles\">");
            for (_, a) in &group.items {
                main.push_str(&format!("<li><a href=\"{}\">{}</a></li>", escape(&link(&a.id)), escape(&a.title)));
            }
            main.push_str("</ul>");
        }
        main.push_str("</section>");
    } else {
        main.push_str(&format!("<p class=\"none\">{}</p>", escape(w.none)));
    }
    main.push_str(&contact);
    page(w, &site_name, w.title, &main)
}

/// A category as a reader sees it: "Billing › Invoices" for a section.
fn shown(category: &str) -> String {
    match split_section(category) {
        (category, Some(section)) => format!("{category} › {section}"),
        (category, None) => category.to_string(),
    }
}

/// The articles in the page's language, or all of them when none is, with
/// their positions in the index.
fn in_language<'a>(index: &'a KbIndex, w: &Words) -> Vec<(usize, &'a StoredArticle)> {
    let all = index.articles().iter().enumerate();
    let list: Vec<_> = all.clone().filter(|(_, a)| a.locale.is_empty() || a.locale == w.lang).collect();
    if list.is_empty() { all.collect() } else { list }
}

pub(super) async fn article(app: &App, req: &mut Req, site: &str, id: &str) -> AppResult<Response> {
    limit(app, req, Bucket::Reads).await?;
    let w = words(req);
    let (s, index) = site_and_index(app, Some(site)).await?;
    let (site_id, site_name) = (s.id.clone(), s.name.clone());
    let back = format!("<p><a href=\"/help/{}?lang={}\">{}</a></p>", encode_path(&site_id), w.lang, escape(w.back));
    let found = index.as_ref().and_then(|p| p.index.position(id).map(|at| (at, p.index.articles()[at].clone())));
    let Some((position, a)) = found else {
        let mut resp = page(w, &site_name, w.not_found, &format!("{back}<h1>{}</h1>", escape(w.not_found)))?;
        resp = resp.with_status(404);
        return Ok(resp);
    };
    let category = index.as_ref().map_or("", |p| p.category(position)).trim();
    let mut label = escape(&shown(category));
    let mut more = String::new();
    // Its category as the help centre's list has it: a link to that
    // heading, and the category's other articles.
    if let Some(published) = &index
        && !category.is_empty()
    {
        let list = in_language(&published.index, w);
        let groups = by_category(&list, |(i, _)| published.category(*i), &s.category_order);
        if let Some((n, group)) = groups.iter().enumerate().find(|(_, g)| g.items.iter().any(|(i, _)| *i == position)) {
            let home = format!("/help/{}?lang={}#category-{}", encode_path(&site_id), w.lang, n + 1);
            label = format!("<a href=\"{}\">{}</a>", escape(&home), escape(&shown(group.name)));
            let others: Vec<_> = group.items.iter().filter(|(i, _)| *i != position).take(10).collect();
            if !others.is_empty() {
                let heading = format!("{}{}{}", w.more_in.0, shown(group.name), w.more_in.1);
                more = format!(
                    "<section aria-labelledby=\"more\" class=\"more\"><h2 id=\"more\">{}</h2><ul class=\"articles\">",
                    escape(&heading)
                );
                for (_, o) in others {
                    let href =
                        format!("/help/{}/articles/{}?lang={}", encode_path(&site_id), encode_path(&o.id), w.lang);
                    more.push_str(&format!("<li><a href=\"{}\">{}</a></li>", escape(&href), escape(&o.title)));
                }
                more.push_str("</ul></section>");
            }
        }
    }
    let mut main = back;
    if !category.is_empty() {
        main.push_str(&format!("<p class=\"category\">{label}</p>"));
    }
    main.push_str(&format!("<article><h1>{}</h1>{}</article>{more}", escape(&a.title), html::article(&a.body)));
    main.push_str(&contact_line(w, &site_id, None));
    page(w, &site_name, &a.title, &main)
}
