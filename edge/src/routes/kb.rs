//! The knowledge base: the published index for the widget, article
//! editing, import and publishing for admins, and how articles do.

use super::{Bucket, limit};
use crate::auth;
use crate::desk::publish;
use crate::error::{AppError, AppResult};
use crate::http::{MAX_IMPORT, Req, json};
use crate::state::App;
use crate::store::articles;
use crate::store::{batch, events, kv, tickets};
use deflect_shared::api::{ArticleInput, ArticlePerformance, parse_markdown};
use deflect_shared::kb::{Article, SearchOptions, group_questions};
use deflect_shared::metrics;
use serde::Deserialize;
use worker::Response;

/// The site named by `?site=`, which must exist; the first site by default.
pub(crate) async fn site(app: &App, req: &Req) -> AppResult<String> {
    let settings = app.settings().await?;
    match req.query("site") {
        Some(s) => settings
            .site(s)
            .map(|x| x.id.clone())
            .ok_or_else(|| AppError::invalid("site", format!("site: there is no site {s:?}"))),
        None => Ok(settings.sites.first().map(|s| s.id.clone()).unwrap_or_default()),
    }
}

/// `GET /v1/kb/index?site=`: the published binary index, with an ETag.
pub(super) async fn index(app: &App, req: &mut Req) -> AppResult<Response> {
    limit(app, req, Bucket::Reads).await?;
    let site = site(app, req).await?;
    let Some((bytes, meta)) = kv::kb_index(&app.kv, &site).await? else {
        return Err(AppError::NotFound(format!("site {site} has not published its KB yet")));
    };
    let fresh = req.header("if-none-match").is_some_and(|v| v.split(',').any(|t| t.trim() == meta.etag));
    let mut resp = if fresh { Response::empty()?.with_status(304) } else { Response::from_bytes(bytes)? };
    let h = resp.headers_mut();
    h.set("etag", &meta.etag)?;
    // Browsers revalidate after a minute; a stale copy may serve while the
    // new one loads.
    h.set("cache-control", "public, max-age=60, stale-while-revalidate=600")?;
    if !fresh {
        h.set("content-type", "application/octet-stream")?;
    }
    Ok(resp)
}

pub(super) async fn list(app: &App, req: &mut Req) -> AppResult<Response> {
    auth::agent(app, req).await?;
    let site = site(app, req).await?;
    json(200, &articles::list(&app.db, &site).await?)
}

pub(super) async fn get(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    auth::agent(app, req).await?;
    let site = site(app, req).await?;
    let a = articles::get(&app.db, &site, id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("there is no article {id}")))?;
    json(200, &a)
}

async fn save(app: &App, site: &str, list: &[Article]) -> AppResult<()> {
    let stmts = list.iter().map(|a| articles::upsert_stmt(&app.db, site, a, app.now)).collect::<AppResult<Vec<_>>>()?;
    // D1 batches are transactions: an import lands whole or not at all.
    for chunk in stmts.chunks(100) {
        batch(&app.db, chunk.to_vec()).await?;
    }
    Ok(())
}

pub(super) async fn create(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let site = site(app, req).await?;
    let input: ArticleInput = req.json().await?;
    let fallback = format!("a-{}", &crate::crypto::new_id()?[..8]);
    let article = input.validate(&fallback)?;
    if articles::get(&app.db, &site, &article.id).await?.is_some() {
        return Err(AppError::Conflict(format!("an article with id {} exists; use PUT to change it", article.id)));
    }
    save(app, &site, std::slice::from_ref(&article)).await?;
    app.audit(&me.id, "article.create", &article.id, serde_json::json!({ "site": site })).await?;
    json(201, &articles::get(&app.db, &site, &article.id).await?)
}

pub(super) async fn replace(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let site = site(app, req).await?;
    let mut input: ArticleInput = req.json().await?;
    if input.id.as_deref().is_some_and(|i| i != id) {
        return Err(AppError::invalid("id", "id: does not match the address"));
    }
    input.id = Some(id.to_string());
    let article = input.validate(id)?;
    save(app, &site, std::slice::from_ref(&article)).await?;
    app.audit(&me.id, "article.update", id, serde_json::json!({ "site": site })).await?;
    json(200, &articles::get(&app.db, &site, id).await?)
}

pub(super) async fn delete(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let site = site(app, req).await?;
    if !articles::delete(&app.db, &site, id).await? {
        return Err(AppError::NotFound(format!("there is no article {id}")));
    }
    app.audit(&me.id, "article.delete", id, serde_json::json!({ "site": site })).await?;
    crate::http::empty(204)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Import {
    #[serde(default)]
    articles: Vec<ArticleInput>,
    /// Markdown files, each one article.
    #[serde(default)]
    markdown: Vec<String>,
    /// Publish after importing.
    #[serde(default)]
    publish: bool,
}

/// `POST /v1/admin/articles/import`: JSON articles and Markdown files in one
/// request, all validated before any is stored.
pub(super) async fn import(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let site = site(app, req).await?;
    let (body, _): (Import, String) = req.json_with_text(MAX_IMPORT).await?;
    if body.articles.len() + body.markdown.len() > 5_000 {
        return Err(AppError::invalid("articles", "articles: at most 5000 per import"));
    }
    let mut list: Vec<Article> = Vec::new();
    for (i, a) in body.articles.iter().enumerate() {
        let at = |e: deflect_shared::Error| AppError::invalid("articles", format!("articles[{i}]: {e}"));
        list.push(a.validate(&format!("article-{}", i + 1)).map_err(at)?);
    }
    for (i, md) in body.markdown.iter().enumerate() {
        let at = |e: deflect_shared::Error| AppError::invalid("markdown", format!("markdown[{i}]: {e}"));
        let input = parse_markdown(md).map_err(at)?;
        list.push(input.validate(&format!("page-{}", i + 1)).map_err(at)?);
    }
    let mut ids: Vec<&str> = list.iter().map(|a| a.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(AppError::invalid("articles", format!("articles: the id {:?} appears twice", w[0])));
    }
    save(app, &site, &list).await?;
    app.audit(&me.id, "article.import", &site, serde_json::json!({ "count": list.len() })).await?;
    let published = if body.publish { Some(publish::publish(app, &site).await?) } else { None };
    json(200, &serde_json::json!({ "imported": list.len(), "published": published }))
}

pub(super) async fn publish(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let site = site(app, req).await?;
    let p = publish::publish(app, &site).await?;
    app.audit(&me.id, "kb.publish", &site, serde_json::to_value(&p)?).await?;
    json(200, &p)
}

/// `GET /v1/agent/kb/unanswered`: escalated and unanswered questions,
/// grouped, each group with the closest article and its confidence.
pub(super) async fn unanswered(app: &App, req: &mut Req) -> AppResult<Response> {
    auth::agent(app, req).await?;
    let site = site(app, req).await?;
    let rows = events::unanswered(&app.db, &site, app.now - 90 * 86_400_000).await?;
    let qs: Vec<(String, u64)> = rows.into_iter().map(|r| (r.question, r.n as u64)).collect();
    let groups = group_questions(&qs, 0.5);
    let index = publish::load(app, &site).await?;
    let out: Vec<serde_json::Value> = groups
        .iter()
        .take(100)
        .map(|g| {
            let closest = index.as_ref().and_then(|ix| {
                let m = ix.search(&g.example, SearchOptions::default());
                m.hits.first().map(|h| serde_json::json!({ "id": ix.articles()[h.article].id, "title": ix.articles()[h.article].title, "confidence": m.confidence }))
            });
            serde_json::json!({ "example": g.example, "count": g.count, "questions": g.questions, "closest_article": closest })
        })
        .collect();
    json(200, &out)
}

/// `GET /v1/agent/kb/performance?site=&days=`: how each article did with
/// customers: answers shown, votes, tickets it solved; those the votes show
/// to help fewer than half of readers first.
pub(super) async fn performance(app: &App, req: &mut Req) -> AppResult<Response> {
    auth::agent(app, req).await?;
    let site = site(app, req).await?;
    let days = req.query_number("days", 1..=366, 30)?;
    let since = app.now - i64::from(days) * 86_400_000;
    let votes = events::article_votes(&app.db, &site, since).await?;
    let solved = tickets::solved_by_article(&app.db, &site, since).await?;
    let mut lines: Vec<ArticlePerformance> = articles::list(&app.db, &site)
        .await?
        .into_iter()
        .map(|a| {
            let v = votes.iter().find(|v| v.id == a.id);
            let count = |f: fn(&events::ArticleVotes) -> f64| v.map_or(0, |v| f(v) as u64);
            let (helped, not_helped) = (count(|v| v.helped), count(|v| v.not_helped));
            ArticlePerformance {
                shown: count(|v| v.shown),
                helped,
                not_helped,
                solved_tickets: solved.iter().find(|s| s.id == a.id).map_or(0, |s| s.n as u64),
                helpful_share: metrics::rate(helped, helped + not_helped),
                needs_work: metrics::needs_work(helped, not_helped),
                id: a.id,
                title: a.title,
            }
        })
        .collect();
    lines.sort_by(|a, b| {
        b.needs_work
            .cmp(&a.needs_work)
            .then(b.not_helped.cmp(&a.not_helped))
            .then(b.shown.cmp(&a.shown))
            .then(a.title.cmp(&b.title))
    });
    json(200, &lines)
}
