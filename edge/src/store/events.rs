//! Widget events, and the questions the widget could not answer.

use super::{Arg, all, first, run};
use crate::error::AppResult;
use serde::Deserialize;
use worker::D1Database;

pub(crate) struct NewEvent<'a> {
    pub(crate) id: &'a str,
    pub(crate) site: &'a str,
    pub(crate) session: &'a str,
    pub(crate) kind: &'a str,
    pub(crate) article: Option<&'a str>,
    pub(crate) question: Option<&'a str>,
    pub(crate) confidence: Option<f64>,
    pub(crate) ticket: Option<&'a str>,
}

fn args<'a>(e: &'a NewEvent<'a>, now: i64) -> [Arg<'a>; 9] {
    [
        Arg::Text(e.id),
        Arg::Text(e.site),
        Arg::Text(e.session),
        Arg::Text(e.kind),
        Arg::OptText(e.article),
        Arg::OptText(e.question),
        e.confidence.map_or(Arg::OptInt(None), Arg::Real),
        Arg::OptText(e.ticket),
        Arg::Int(now),
    ]
}

/// Inserts an event tied to a ticket only if that ticket exists (used in
/// the ticket-creation batch).
pub(crate) fn insert_for_ticket_stmt(
    db: &D1Database,
    e: &NewEvent<'_>,
    now: i64,
) -> AppResult<worker::D1PreparedStatement> {
    super::stmt(
        db,
        "INSERT INTO events (id, site_id, session_id, kind, article_id, question, confidence, ticket_id, created_at) \
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE EXISTS (SELECT 1 FROM tickets WHERE id = ?8)",
        &args(e, now),
    )
}

pub(crate) async fn insert(db: &D1Database, e: &NewEvent<'_>, now: i64) -> AppResult<()> {
    let insert = super::stmt(
        db,
        "INSERT INTO events (id, site_id, session_id, kind, article_id, question, confidence, ticket_id, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        &args(e, now),
    )?;
    super::run_stmt(&insert).await?;
    Ok(())
}
#[derive(Debug, Deserialize)]
pub(crate) struct Deflection {
    pub(crate) sessions: f64,
    pub(crate) deflected: f64,
    pub(crate) helped: f64,
    pub(crate) not_helped: f64,
}

/// Sessions since `since` with a question, and those deflected: answered
/// in the widget, not escalated to a ticket, and not left with only a
/// "this did not help".
pub(crate) async fn deflection(db: &D1Database, since: i64) -> AppResult<Deflection> {
    Ok(first(
        db,
        "WITH s AS (SELECT session_id, \
                MAX(kind IN ('answer_shown', 'helped')) AS answered, \
                MAX(kind = 'helped') AS helped, \
                MAX(kind = 'not_helped') AS unhelped, \
                MAX(kind = 'escalated') AS escalated \
              FROM events WHERE created_at >= ?1 GROUP BY site_id, session_id) \
         SELECT (SELECT COUNT(*) FROM s) AS sessions, \
                (SELECT COUNT(*) FROM s WHERE answered = 1 AND escalated = 0 AND (unhelped = 0 OR helped = 1)) \
                  AS deflected, \
                (SELECT COUNT(*) FROM events WHERE created_at >= ?1 AND kind = 'helped') AS helped, \
                (SELECT COUNT(*) FROM events WHERE created_at >= ?1 AND kind = 'not_helped') AS not_helped",
        &[Arg::Int(since)],
    )
    .await?
    .unwrap_or(Deflection { sessions: 0.0, deflected: 0.0, helped: 0.0, not_helped: 0.0 }))
}

#[derive(Debug, Deserialize)]
pub(crate) struct Unanswered {
    pub(crate) question: String,
    pub(crate) n: f64,
}

/// Questions from sessions that ended in a ticket or got no answer, most
/// frequent first (exact text, case-folded).
pub(crate) async fn unanswered(db: &D1Database, site: &str, since: i64) -> AppResult<Vec<Unanswered>> {
    all(
        db,
        "SELECT LOWER(TRIM(question)) AS question, COUNT(*) AS n, MAX(created_at) AS last FROM events \
         WHERE site_id = ?1 AND created_at >= ?2 AND kind IN ('no_answer', 'escalated', 'not_helped') \
           AND question IS NOT NULL AND TRIM(question) != '' \
         GROUP BY LOWER(TRIM(question)) ORDER BY n DESC, last DESC LIMIT 500",
        &[Arg::Text(site), Arg::Int(since)],
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct Helped {
    pub(crate) question: String,
    pub(crate) article_id: String,
}

/// "This helped" clicks with their question: labelled pairs for retraining.
pub(crate) async fn helped_pairs(db: &D1Database, site: &str) -> AppResult<Vec<Helped>> {
    all(
        db,
        "SELECT question, article_id FROM events WHERE site_id = ?1 AND kind = 'helped' \
         AND question IS NOT NULL AND article_id IS NOT NULL ORDER BY created_at DESC LIMIT 5000",
        &[Arg::Text(site)],
    )
    .await
}

/// Clears the text of widget questions asked before `cutoff` (the events
/// stay, for the deflection figures); returns how many were cleared.
pub(crate) async fn forget_questions_before(db: &D1Database, cutoff: i64) -> AppResult<u64> {
    run(db, "UPDATE events SET question = NULL WHERE created_at < ?1 AND question IS NOT NULL", &[Arg::Int(cutoff)])
        .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct ArticleVotes {
    pub(crate) id: String,
    pub(crate) shown: f64,
    pub(crate) helped: f64,
    pub(crate) not_helped: f64,
}

/// Per article of a site since `since`: answers shown, "helped" and "did
/// not help" clicks.
pub(crate) async fn article_votes(db: &D1Database, site: &str, since: i64) -> AppResult<Vec<ArticleVotes>> {
    all(
        db,
        "SELECT article_id AS id, SUM(kind = 'answer_shown') AS shown, SUM(kind = 'helped') AS helped, \
           SUM(kind = 'not_helped') AS not_helped \
         FROM events WHERE site_id = ?1 AND created_at >= ?2 AND article_id IS NOT NULL GROUP BY article_id",
        &[Arg::Text(site), Arg::Int(since)],
    )
    .await
}
