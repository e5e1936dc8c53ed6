//! KB articles as admins edit them; publishing turns them into the index in
//! KV.

use super::{Arg, all, batch, first, from_json, stmt};
use crate::error::AppResult;
use deflect_shared::api::{ArticleRevision, ArticleView, RevisionAction};
use deflect_shared::kb::Article;
use serde::Deserialize;
use worker::D1Database;

#[derive(Debug, Deserialize)]
struct Row {
    id: String,
    site_id: String,
    title: String,
    body: String,
    tags: String,
    phrasings: String,
    locale: String,
    category: String,
    updated_at: f64,
    revision: f64,
}

impl Row {
    fn view(self) -> ArticleView {
        ArticleView {
            id: self.id,
            site: self.site_id,
            title: self.title,
            body: self.body,
            tags: from_json(&self.tags),
            phrasings: from_json(&self.phrasings),
            locale: self.locale,
            category: self.category,
            updated_at: self.updated_at as i64,
            revision: self.revision as u32,
        }
    }
}

pub(crate) fn to_article(v: &ArticleView) -> Article {
    Article {
        id: v.id.clone(),
        title: v.title.clone(),
        body: v.body.clone(),
        tags: v.tags.clone(),
        phrasings: v.phrasings.clone(),
        locale: v.locale.clone(),
        category: v.category.clone(),
    }
}

const SELECT: &str =
    "SELECT id, site_id, title, body, tags, phrasings, locale, category, updated_at, revision FROM articles";

pub(crate) async fn list(db: &D1Database, site: &str) -> AppResult<Vec<ArticleView>> {
    let rows: Vec<Row> = all(db, &format!("{SELECT} WHERE site_id = ?1 ORDER BY title"), &[Arg::Text(site)]).await?;
    Ok(rows.into_iter().map(Row::view).collect())
}

pub(crate) async fn get(db: &D1Database, site: &str, id: &str) -> AppResult<Option<ArticleView>> {
    let row: Option<Row> =
        first(db, &format!("{SELECT} WHERE site_id = ?1 AND id = ?2"), &[Arg::Text(site), Arg::Text(id)]).await?;
    Ok(row.map(Row::view))
}

#[derive(Deserialize)]
struct Fingerprint {
    n: f64,
    revisions: f64,
    latest: f64,
}

/// A value that changes whenever a site's saved articles do: their count,
/// the sum of their revisions and the latest change.
pub(crate) async fn fingerprint(db: &D1Database, site: &str) -> AppResult<String> {
    let f: Option<Fingerprint> = first(
        db,
        "SELECT COUNT(*) AS n, COALESCE(SUM(revision), 0) AS revisions, COALESCE(MAX(updated_at), 0) AS latest \
         FROM articles WHERE site_id = ?1",
        &[Arg::Text(site)],
    )
    .await?;
    Ok(f.map_or_else(String::new, |f| format!("{}:{}:{}", f.n, f.revisions, f.latest)))
}

#[derive(Deserialize)]
struct Changes {
    saved: f64,
    changed: f64,
    deleted: f64,
}

/// Since `since` (ms): the articles saved now, those created or changed
/// since, and those deleted since that existed then.
pub(crate) async fn changes_since(db: &D1Database, site: &str, since: i64) -> AppResult<(u64, u64, u64)> {
    let c: Option<Changes> = first(
        db,
        "SELECT (SELECT COUNT(*) FROM articles WHERE site_id = ?1) AS saved, \
           (SELECT COUNT(*) FROM articles WHERE site_id = ?1 AND updated_at > ?2) AS changed, \
           (SELECT COUNT(DISTINCT r.article_id) FROM article_revisions r \
             WHERE r.site_id = ?1 AND r.action = 'delete' AND r.created_at > ?2 \
             AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.site_id = r.site_id AND a.id = r.article_id) \
             AND EXISTS (SELECT 1 FROM article_revisions p \
               WHERE p.site_id = r.site_id AND p.article_id = r.article_id AND p.created_at <= ?2)) AS deleted",
        &[Arg::Text(site), Arg::Int(since)],
    )
    .await?;
    Ok(c.map_or((0, 0, 0), |c| (c.saved as u64, c.changed as u64, c.deleted as u64)))
}

/// Revisions kept per article; older ones are dropped as new ones come.
pub(crate) const KEPT_REVISIONS: u32 = 100;

/// Statements per saved article in [`save_stmts`].
pub(crate) const STATEMENTS_PER_SAVE: usize = 3;

/// The statements that save an article as its next revision and keep that
/// revision in its history, to run in one batch. With `only_if` the save
/// happens only while that revision is current (the caller's `If-Match`):
/// then the batch's first count is 0 when someone else changed or deleted
/// the article meanwhile, and nothing is written.
pub(crate) fn save_stmts(
    db: &D1Database,
    site: &str,
    a: &Article,
    action: RevisionAction,
    author: &str,
    only_if: Option<u32>,
    now: i64,
) -> AppResult<Vec<worker::D1PreparedStatement>> {
    let tags = serde_json::to_string(&a.tags)?;
    let phrasings = serde_json::to_string(&a.phrasings)?;
    let only_if = only_if.map(i64::from);
    Ok(vec![
        // The next revision follows the history, not the row, so an article
        // deleted and made again continues its numbering.
        stmt(
            db,
            "INSERT INTO articles (id, site_id, title, body, tags, phrasings, locale, category, updated_at, revision) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?10, ?8, \
               COALESCE((SELECT MAX(revision) FROM article_revisions WHERE site_id = ?2 AND article_id = ?1), 0) + 1 \
             WHERE ?9 IS NULL OR EXISTS (SELECT 1 FROM articles WHERE site_id = ?2 AND id = ?1) \
             ON CONFLICT(site_id, id) DO UPDATE SET title = excluded.title, body = excluded.body, \
               tags = excluded.tags, phrasings = excluded.phrasings, locale = excluded.locale, \
               category = excluded.category, updated_at = excluded.updated_at, revision = excluded.revision \
             WHERE ?9 IS NULL OR articles.revision = ?9",
            &[
                Arg::Text(&a.id),
                Arg::Text(site),
                Arg::Text(&a.title),
                Arg::Text(&a.body),
                Arg::Text(&tags),
                Arg::Text(&phrasings),
                Arg::Text(&a.locale),
                Arg::Int(now),
                Arg::OptInt(only_if),
                Arg::Text(&a.category),
            ],
        )?,
        // The row as it now is; when the save did not happen, its current
        // revision is in the history already and this adds nothing.
        stmt(
            db,
            "INSERT OR IGNORE INTO article_revisions \
               (site_id, article_id, revision, action, title, body, tags, phrasings, locale, category, author, \
                created_at) \
             SELECT site_id, id, revision, ?3, title, body, tags, phrasings, locale, category, ?4, updated_at \
             FROM articles WHERE site_id = ?1 AND id = ?2",
            &[Arg::Text(site), Arg::Text(&a.id), Arg::Text(action.as_str()), Arg::Text(author)],
        )?,
        prune_stmt(db, site, &a.id)?,
    ])
}

fn prune_stmt(db: &D1Database, site: &str, id: &str) -> AppResult<worker::D1PreparedStatement> {
    stmt(
        db,
        "DELETE FROM article_revisions WHERE site_id = ?1 AND article_id = ?2 AND revision <= \
           (SELECT MAX(revision) FROM article_revisions WHERE site_id = ?1 AND article_id = ?2) - ?3",
        &[Arg::Text(site), Arg::Text(id), Arg::Int(i64::from(KEPT_REVISIONS))],
    )
}

/// Deletes an article, keeping its text as a `delete` revision. With
/// `only_if`, only while that revision is current. Returns whether it was
/// deleted.
pub(crate) async fn delete(
    db: &D1Database,
    site: &str,
    id: &str,
    author: &str,
    only_if: Option<u32>,
    now: i64,
) -> AppResult<bool> {
    let only_if = only_if.map(i64::from);
    let matches = "site_id = ?1 AND id = ?2 AND (?3 IS NULL OR revision = ?3)";
    let counts = batch(
        db,
        vec![
            stmt(
                db,
                &format!(
                    "INSERT OR IGNORE INTO article_revisions \
                       (site_id, article_id, revision, action, title, body, tags, phrasings, locale, category, author, \
                        created_at) \
                     SELECT site_id, id, revision + 1, 'delete', title, body, tags, phrasings, locale, category, ?4, ?5 \
                     FROM articles WHERE {matches}"
                ),
                &[Arg::Text(site), Arg::Text(id), Arg::OptInt(only_if), Arg::Text(author), Arg::Int(now)],
            )?,
            stmt(db, &format!("DELETE FROM articles WHERE {matches}"), &[
                Arg::Text(site),
                Arg::Text(id),
                Arg::OptInt(only_if),
            ])?,
            prune_stmt(db, site, id)?,
        ],
    )
    .await?;
    Ok(counts.get(1).copied().unwrap_or(0) == 1)
}

#[derive(Debug, Deserialize)]
struct RevisionRow {
    article_id: String,
    revision: f64,
    action: String,
    title: String,
    body: String,
    tags: String,
    phrasings: String,
    locale: String,
    category: String,
    author: Option<String>,
    created_at: f64,
}

impl RevisionRow {
    fn view(self) -> ArticleRevision {
        ArticleRevision {
            article: self.article_id,
            revision: self.revision as u32,
            // The table's CHECK allows only the known names.
            action: RevisionAction::parse(&self.action).unwrap_or(RevisionAction::Update),
            title: self.title,
            body: self.body,
            tags: from_json(&self.tags),
            phrasings: from_json(&self.phrasings),
            locale: self.locale,
            category: self.category,
            author: self.author,
            created_at: self.created_at as i64,
        }
    }
}

const SELECT_REVISION: &str = "SELECT r.article_id, r.revision, r.action, r.title, r.body, r.tags, r.phrasings, \
     r.locale, r.category, g.name AS author, r.created_at FROM article_revisions r LEFT JOIN agents g ON g.id = r.author";

/// An article's kept revisions, newest first, at most `limit`.
pub(crate) async fn revisions(db: &D1Database, site: &str, id: &str, limit: u32) -> AppResult<Vec<ArticleRevision>> {
    let rows: Vec<RevisionRow> = all(
        db,
        &format!("{SELECT_REVISION} WHERE r.site_id = ?1 AND r.article_id = ?2 ORDER BY r.revision DESC LIMIT ?3"),
        &[Arg::Text(site), Arg::Text(id), Arg::Int(i64::from(limit))],
    )
    .await?;
    Ok(rows.into_iter().map(RevisionRow::view).collect())
}

/// One kept revision.
pub(crate) async fn revision(
    db: &D1Database,
    site: &str,
    id: &str,
    revision: u32,
) -> AppResult<Option<ArticleRevision>> {
    let row: Option<RevisionRow> = first(
        db,
        &format!("{SELECT_REVISION} WHERE r.site_id = ?1 AND r.article_id = ?2 AND r.revision = ?3"),
        &[Arg::Text(site), Arg::Text(id), Arg::Int(i64::from(revision))],
    )
    .await?;
    Ok(row.map(RevisionRow::view))
}

/// Articles that are deleted now: the revision that deleted each, newest
/// first (at most 100).
pub(crate) async fn deleted(db: &D1Database, site: &str) -> AppResult<Vec<ArticleRevision>> {
    let rows: Vec<RevisionRow> = all(
        db,
        &format!(
            "{SELECT_REVISION} WHERE r.site_id = ?1 AND r.action = 'delete' \
             AND r.revision = (SELECT MAX(revision) FROM article_revisions x \
               WHERE x.site_id = r.site_id AND x.article_id = r.article_id) \
             AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.site_id = r.site_id AND a.id = r.article_id) \
             ORDER BY r.created_at DESC, r.article_id LIMIT 100"
        ),
        &[Arg::Text(site)],
    )
    .await?;
    Ok(rows.into_iter().map(RevisionRow::view).collect())
}
