//! The knowledge base: the published index for the widget, article
//! editing, import and publishing for admins, and how articles do.

use super::{Bucket, limit};
use crate::auth;
use crate::desk::{archive, publish, settings};
use crate::error::{AppError, AppResult};
use crate::http::{MAX_IMPORT, Req, json};
use crate::state::App;
use crate::store::articles;
use crate::store::{batch, events, kv, tickets};
use deflect_shared::api::{
    ArticleInput, ArticlePerformance, ArticleView, CategoryOrder, IfMatch, KbStatus, RevisionAction, TryAnswer, TryHit,
    TryQuestion, parse_markdown, revision_etag,
};
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

/// An article as JSON with its revision as the ETag.
fn article_response(status: u16, a: &ArticleView) -> AppResult<Response> {
    let mut resp = json(status, a)?;
    resp.headers_mut().set("etag", &revision_etag(a.revision))?;
    Ok(resp)
}

async fn current(app: &App, site: &str, id: &str) -> AppResult<ArticleView> {
    articles::get(&app.db, site, id).await?.ok_or_else(|| AppError::NotFound(format!("there is no article {id}")))
}

pub(super) async fn get(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    auth::agent(app, req).await?;
    let site = site(app, req).await?;
    article_response(200, &current(app, &site, id).await?)
}

/// Saves articles as their next revisions: in batches of whole articles,
/// each batch one transaction. `only_if` (one article) saves only while
/// that revision is current; returns false when it was not.
async fn save(
    app: &App,
    site: &str,
    list: &[Article],
    action: RevisionAction,
    author: &str,
    only_if: Option<u32>,
) -> AppResult<bool> {
    // D1 batches are transactions: each article lands whole or not at all,
    // and an import of up to 33 articles lands all together.
    for chunk in list.chunks(99 / articles::STATEMENTS_PER_SAVE) {
        let mut stmts = Vec::with_capacity(chunk.len() * articles::STATEMENTS_PER_SAVE);
        for a in chunk {
            stmts.extend(articles::save_stmts(&app.db, site, a, action, author, only_if, app.now)?);
        }
        let counts = batch(&app.db, stmts).await?;
        if only_if.is_some() && counts.first() == Some(&0) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The revision an `If-Match` header holds the caller to: `None` without
/// the header, the current revision when it matches, and 412 otherwise.
async fn precondition(app: &App, req: &Req, site: &str, id: &str) -> AppResult<Option<u32>> {
    let Some(header) = req.header("if-match") else { return Ok(None) };
    let wanted = IfMatch::parse(&header).map_err(|e| AppError::bad("bad_if_match", e.to_string()))?;
    let now = articles::get(&app.db, site, id).await?.map(|a| a.revision);
    if wanted.accepts(now) {
        return Ok(now);
    }
    Err(conflict(app, site, id).await?)
}

/// The 412 for a change refused by `If-Match`, naming who changed the
/// article since.
async fn conflict(app: &App, site: &str, id: &str) -> AppResult<AppError> {
    let last = articles::revisions(&app.db, site, id, 1).await?.into_iter().next();
    let who = last.as_ref().and_then(|r| r.author.clone()).unwrap_or_else(|| "someone else".into());
    Ok(AppError::EditConflict(match last {
        Some(r) if r.action != RevisionAction::Delete => format!(
            "{who} changed this article after you opened it (it is at revision {} now), so nothing was saved: \
             look at their version, then save yours over it if you still want to",
            r.revision
        ),
        Some(_) => format!("{who} deleted this article after you opened it, so nothing was saved"),
        None => format!("there is no article {id} to change, so nothing was saved"),
    }))
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
    save(app, &site, std::slice::from_ref(&article), RevisionAction::Create, &me.id, None).await?;
    app.audit(&me.id, "article.create", &article.id, serde_json::json!({ "site": site })).await?;
    article_response(201, &current(app, &site, &article.id).await?)
}

/// `PUT /v1/admin/articles/{id}`: creates or replaces; with `If-Match`,
/// only while the article is at that revision.
pub(super) async fn replace(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let site = site(app, req).await?;
    let mut input: ArticleInput = req.json().await?;
    if input.id.as_deref().is_some_and(|i| i != id) {
        return Err(AppError::invalid("id", "id: does not match the address"));
    }
    input.id = Some(id.to_string());
    let article = input.validate(id)?;
    let only_if = precondition(app, req, &site, id).await?;
    let existed = only_if.is_some() || articles::get(&app.db, &site, id).await?.is_some();
    let action = if existed { RevisionAction::Update } else { RevisionAction::Create };
    if !save(app, &site, std::slice::from_ref(&article), action, &me.id, only_if).await? {
        return Err(conflict(app, &site, id).await?);
    }
    app.audit(&me.id, "article.update", id, serde_json::json!({ "site": site })).await?;
    article_response(200, &current(app, &site, id).await?)
}

pub(super) async fn delete(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let site = site(app, req).await?;
    let only_if = precondition(app, req, &site, id).await?;
    if !articles::delete(&app.db, &site, id, &me.id, only_if, app.now).await? {
        return Err(match only_if {
            Some(_) => conflict(app, &site, id).await?,
            None => AppError::NotFound(format!("there is no article {id}")),
        });
    }
    app.audit(&me.id, "article.delete", id, serde_json::json!({ "site": site })).await?;
    crate::http::empty(204)
}

/// `GET /v1/agent/articles/{id}/revisions`: the kept revisions, newest
/// first; a deleted article's too.
pub(super) async fn revisions(app: &App, req: &mut Req, id: &str) -> AppResult<Response> {
    auth::agent(app, req).await?;
    let site = site(app, req).await?;
    let list = articles::revisions(&app.db, &site, id, articles::KEPT_REVISIONS).await?;
    if list.is_empty() {
        return Err(AppError::NotFound(format!("there is no article {id}, nor any history of one")));
    }
    json(200, &list)
}

/// `GET /v1/agent/kb/deleted`: articles deleted and not restored, each as
/// the revision that deleted it.
pub(super) async fn deleted(app: &App, req: &mut Req) -> AppResult<Response> {
    auth::agent(app, req).await?;
    let site = site(app, req).await?;
    json(200, &articles::deleted(&app.db, &site).await?)
}

/// `POST /v1/admin/articles/{id}/revisions/{n}/restore`: makes revision
/// `n`'s text current again as a new revision (bringing a deleted article
/// back). Publishing then updates the widget.
pub(super) async fn restore(app: &App, req: &mut Req, id: &str, n: &str) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let site = site(app, req).await?;
    let number: u32 = n
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| AppError::NotFound(format!("{n:?} is not a revision number")))?;
    let old = articles::revision(&app.db, &site, id, number)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("article {id} has no revision {number}")))?;
    let article = Article {
        id: id.to_string(),
        title: old.title,
        body: old.body,
        tags: old.tags,
        phrasings: old.phrasings,
        locale: old.locale,
        category: old.category,
    };
    save(app, &site, std::slice::from_ref(&article), RevisionAction::Restore, &me.id, None).await?;
    let now = current(app, &site, id).await?;
    app.audit(
        &me.id,
        "article.restore",
        id,
        serde_json::json!({ "site": site, "from": number, "revision": now.revision }),
    )
    .await?;
    article_response(200, &now)
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
    save(app, &site, &list, RevisionAction::Import, &me.id, None).await?;
    app.audit(&me.id, "article.import", &site, serde_json::json!({ "count": list.len() })).await?;
    let published = if body.publish { Some(publish::publish(app, &site).await?) } else { None };
    json(200, &serde_json::json!({ "imported": list.len(), "published": published }))
}

/// `GET /v1/admin/kb/export?site=&format=`: every saved article, as the
/// import takes them back: one JSON document (`json`, the default), or a
/// zip of Markdown files (`markdown`).
pub(super) async fn export(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let site = site(app, req).await?;
    let format = match req.query("format") {
        None | Some("json") => "json",
        Some("markdown") => "markdown",
        Some(other) => {
            return Err(AppError::invalid("format", format!("format: {other:?} is neither \"json\" nor \"markdown\"")));
        }
    };
    let saved = articles::list(&app.db, &site).await?;
    app.audit(&me.id, "kb.export", &site, serde_json::json!({ "count": saved.len(), "format": format })).await?;
    let (mut resp, extension) = if format == "markdown" {
        let mut r = Response::from_bytes(archive::markdown_zip(&saved)?)?;
        r.headers_mut().set("content-type", "application/zip")?;
        (r, "zip")
    } else {
        let list: Vec<ArticleInput> = saved.iter().map(ArticleInput::from).collect();
        (json(200, &serde_json::json!({ "articles": list }))?, "json")
    };
    // Site ids are ASCII letters, digits, `-` and `_`.
    resp.headers_mut()
        .set("content-disposition", &format!("attachment; filename=\"deflect-kb-{site}.{extension}\""))?;
    Ok(resp)
}

pub(super) async fn publish(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let site = site(app, req).await?;
    let p = publish::publish(app, &site).await?;
    app.audit(&me.id, "kb.publish", &site, serde_json::to_value(&p)?).await?;
    json(200, &p)
}

/// `GET /v1/agent/kb/status`: what is published, and what was saved since.
pub(super) async fn status(app: &App, req: &mut Req) -> AppResult<Response> {
    auth::agent(app, req).await?;
    let site = site(app, req).await?;
    let published = kv::kb_index(&app.kv, &site).await?.map(|(_, meta)| meta);
    let since = published.as_ref().map_or(i64::MIN, |m| m.published_at);
    let (saved, changed, deleted) = articles::changes_since(&app.db, &site, since).await?;
    json(
        200,
        &KbStatus {
            published_at: published.as_ref().map(|m| m.published_at),
            published_articles: published.map_or(0, |m| m.articles),
            saved_articles: saved,
            changed,
            deleted,
            category_order: app.settings().await?.site(&site).map(|s| s.category_order.clone()).unwrap_or_default(),
        },
    )
}

/// `PUT /v1/admin/kb/categories?site=`: the order the help centre lists
/// the site's categories in; at once, without publishing (it is the
/// site's setting, not the articles').
pub(super) async fn put_category_order(app: &App, req: &mut Req) -> AppResult<Response> {
    let me = auth::admin(app, req).await?;
    let site = site(app, req).await?;
    let body: CategoryOrder = req.json().await?;
    let order = body.validate()?;
    settings::update(app, |all| {
        if let Some(s) = all.sites.iter_mut().find(|s| s.id == site) {
            s.category_order = order.clone();
        }
    })
    .await?;
    app.audit(&me.id, "kb.categories", &site, serde_json::json!({ "order": order })).await?;
    json(200, &CategoryOrder { order })
}

/// `POST /v1/agent/kb/try`: what the widget would do with a question, on
/// the published index or on the articles as saved now (`draft`).
pub(super) async fn try_question(app: &App, req: &mut Req) -> AppResult<Response> {
    auth::agent(app, req).await?;
    let site = site(app, req).await?;
    let body: TryQuestion = req.json().await?;
    let question = body.validate()?;
    let index = if body.draft {
        publish::draft(app, &site).await?
    } else {
        publish::load(app, &site).await?.ok_or_else(|| {
            AppError::Conflict(format!("site {site} has not published its KB yet: try the saved articles instead"))
        })?
    };
    let m = index.search(&question, SearchOptions::default());
    let offered = m.offered();
    let hits = m
        .hits
        .iter()
        .map(|h| {
            let a = &index.articles()[h.article];
            TryHit {
                id: a.id.clone(),
                title: a.title.clone(),
                probability: h.probability,
                shown: offered.contains(&h.article),
            }
        })
        .collect();
    json(
        200,
        &TryAnswer {
            decision: m.decision.as_str().to_string(),
            confidence: m.confidence,
            answer_threshold: index.weights().answer_threshold,
            suggest_threshold: index.weights().suggest_threshold,
            hits,
            draft: body.draft,
            articles: index.articles().len(),
        },
    )
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
