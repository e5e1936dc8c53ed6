//! KB articles as admins edit them; publishing turns them into the index in
//! KV.

use super::{Arg, all, first, from_json, run};
use crate::error::AppResult;
use deflect_shared::api::ArticleView;
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
    updated_at: f64,
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
            updated_at: self.updated_at as i64,
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
    }
}

const SELECT: &str = "SELECT id, site_id, title, body, tags, phrasings, locale, updated_at FROM articles";

pub(crate) async fn list(db: &D1Database, site: &str) -> AppResult<Vec<ArticleView>> {
    let rows: Vec<Row> = all(db, &format!("{SELECT} WHERE site_id = ?1 ORDER BY title"), &[Arg::Text(site)]).await?;
    Ok(rows.into_iter().map(Row::view).collect())
}

pub(crate) async fn get(db: &D1Database, site: &str, id: &str) -> AppResult<Option<ArticleView>> {
    let row: Option<Row> =
        first(db, &format!("{SELECT} WHERE site_id = ?1 AND id = ?2"), &[Arg::Text(site), Arg::Text(id)]).await?;
    Ok(row.map(Row::view))
}

pub(crate) fn upsert_stmt(
    db: &D1Database,
    site: &str,
    a: &Article,
    now: i64,
) -> AppResult<worker::D1PreparedStatement> {
    super::stmt(
        db,
        "INSERT INTO articles (id, site_id, title, body, tags, phrasings, locale, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
         ON CONFLICT(site_id, id) DO UPDATE SET title = excluded.title, body = excluded.body, tags = excluded.tags, \
         phrasings = excluded.phrasings, locale = excluded.locale, updated_at = excluded.updated_at",
        &[
            Arg::Text(&a.id),
            Arg::Text(site),
            Arg::Text(&a.title),
            Arg::Text(&a.body),
            Arg::Text(&serde_json::to_string(&a.tags)?),
            Arg::Text(&serde_json::to_string(&a.phrasings)?),
            Arg::Text(&a.locale),
            Arg::Int(now),
        ],
    )
}

pub(crate) async fn delete(db: &D1Database, site: &str, id: &str) -> AppResult<bool> {
    Ok(run(db, "DELETE FROM articles WHERE site_id = ?1 AND id = ?2", &[Arg::Text(site), Arg::Text(id)]).await? == 1)
}
