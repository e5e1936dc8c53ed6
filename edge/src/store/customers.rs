//! Customers (the CRM record). E-mail and phone are stored encrypted, with
//! a keyed hash of the e-mail for lookups.

use super::{Arg, all, first, run};
use crate::error::{AppError, AppResult};
use serde::Deserialize;
use worker::D1Database;

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct CustomerRow {
    pub(crate) id: String,
    pub(crate) site_id: String,
    pub(crate) email_enc: String,
    pub(crate) phone_enc: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) plan: Option<String>,
    pub(crate) value_cents: f64,
    pub(crate) attributes: String,
    pub(crate) created_at: f64,
}

pub(crate) struct Upsert<'a> {
    pub(crate) new_id: &'a str,
    pub(crate) site: &'a str,
    pub(crate) email_hash: &'a str,
    pub(crate) email_enc: &'a str,
    pub(crate) phone_enc: Option<&'a str>,
    pub(crate) name: Option<&'a str>,
}

/// Creates the customer or refreshes their name and phone; returns the row.
pub(crate) async fn upsert(db: &D1Database, u: &Upsert<'_>, now: i64) -> AppResult<CustomerRow> {
    first(
        db,
        "INSERT INTO customers (id, site_id, email_hash, email_enc, phone_enc, name, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) \
         ON CONFLICT(site_id, email_hash) DO UPDATE SET \
           name = COALESCE(excluded.name, customers.name), \
           phone_enc = COALESCE(excluded.phone_enc, customers.phone_enc), \
           updated_at = excluded.updated_at \
         RETURNING id, site_id, email_enc, phone_enc, name, plan, value_cents, attributes, created_at",
        &[
            Arg::Text(u.new_id),
            Arg::Text(u.site),
            Arg::Text(u.email_hash),
            Arg::Text(u.email_enc),
            Arg::OptText(u.phone_enc),
            Arg::OptText(u.name),
            Arg::Int(now),
        ],
    )
    .await?
    .ok_or_else(|| AppError::Internal("customer upsert returned no row".into()))
}

pub(crate) async fn by_id(db: &D1Database, id: &str) -> AppResult<Option<CustomerRow>> {
    first(
        db,
        "SELECT id, site_id, email_enc, phone_enc, name, plan, value_cents, attributes, created_at FROM customers WHERE id = ?1",
        &[Arg::Text(id)],
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct History {
    pub(crate) recent: f64,
    pub(crate) csat: Option<f64>,
}

/// Tickets in the 30 days before `now` and the average CSAT ever given.
pub(crate) async fn history(db: &D1Database, customer: &str, now: i64) -> AppResult<History> {
    Ok(first(
        db,
        "SELECT (SELECT COUNT(*) FROM tickets WHERE customer_id = ?1 AND created_at > ?2) AS recent, \
                (SELECT AVG(csat) FROM tickets WHERE customer_id = ?1 AND csat IS NOT NULL) AS csat",
        &[Arg::Text(customer), Arg::Int(now - 30 * 86_400_000)],
    )
    .await?
    .unwrap_or(History { recent: 0.0, csat: None }))
}

#[derive(Debug, Deserialize)]
pub(crate) struct TicketLine {
    pub(crate) id: String,
    pub(crate) subject: String,
    pub(crate) status: String,
    pub(crate) csat: Option<f64>,
    pub(crate) created_at: f64,
}

pub(crate) async fn tickets(db: &D1Database, customer: &str) -> AppResult<Vec<TicketLine>> {
    all(
        db,
        "SELECT id, subject, status, csat, created_at FROM tickets WHERE customer_id = ?1 ORDER BY created_at DESC LIMIT 100",
        &[Arg::Text(customer)],
    )
    .await
}

/// What the customer directory is filtered by.
pub(crate) struct Search<'a> {
    /// The keyed hash of a whole e-mail address: addresses are stored
    /// encrypted, so only a whole one can be found.
    pub(crate) email_hash: Option<&'a str>,
    /// Text the name contains (ASCII case folded).
    pub(crate) name: Option<&'a str>,
    /// The plan, exactly (ASCII case folded).
    pub(crate) plan: Option<&'a str>,
    pub(crate) site: Option<&'a str>,
    pub(crate) limit: u32,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LineRow {
    pub(crate) id: String,
    pub(crate) site_id: String,
    pub(crate) email_enc: String,
    pub(crate) name: Option<String>,
    pub(crate) plan: Option<String>,
    pub(crate) value_cents: f64,
    pub(crate) created_at: f64,
    pub(crate) tickets: f64,
    pub(crate) open_tickets: f64,
    pub(crate) last_contact_at: Option<f64>,
}

/// The customer directory: the customers `s` matches, the most recently in
/// touch first. With both an e-mail hash and a name, either may match.
pub(crate) async fn search(db: &D1Database, s: &Search<'_>) -> AppResult<Vec<LineRow>> {
    all(
        db,
        "SELECT c.id, c.site_id, c.email_enc, c.name, c.plan, c.value_cents, c.created_at,            COUNT(t.id) AS tickets,            COALESCE(SUM(t.status IN ('open', 'pending')), 0) AS open_tickets,            MAX(t.updated_at) AS last_contact_at          FROM customers c LEFT JOIN tickets t ON t.customer_id = c.id          WHERE ((?1 IS NULL AND ?2 IS NULL) OR c.email_hash = ?1                 OR (?2 IS NOT NULL AND instr(lower(COALESCE(c.name, '')), lower(?2)) > 0))            AND (?3 IS NULL OR lower(c.plan) = lower(?3))            AND (?4 IS NULL OR c.site_id = ?4)          GROUP BY c.id          ORDER BY COALESCE(MAX(t.updated_at), c.created_at) DESC, c.id          LIMIT ?5",
        &[
            Arg::OptText(s.email_hash),
            Arg::OptText(s.name),
            Arg::OptText(s.plan),
            Arg::OptText(s.site),
            Arg::Int(i64::from(s.limit.clamp(1, 500))),
        ],
    )
    .await
}

pub(crate) struct Changes<'a> {
    pub(crate) name: Option<&'a str>,
    pub(crate) plan: Option<&'a str>,
    pub(crate) value_cents: Option<i64>,
    pub(crate) attributes: Option<&'a str>,
}

pub(crate) async fn update(db: &D1Database, id: &str, c: &Changes<'_>, now: i64) -> AppResult<bool> {
    let n = run(
        db,
        "UPDATE customers SET name = COALESCE(?2, name), plan = COALESCE(?3, plan), \
         value_cents = COALESCE(?4, value_cents), attributes = COALESCE(?5, attributes), updated_at = ?6 WHERE id = ?1",
        &[
            Arg::Text(id),
            Arg::OptText(c.name),
            Arg::OptText(c.plan),
            Arg::OptInt(c.value_cents),
            Arg::OptText(c.attributes),
            Arg::Int(now),
        ],
    )
    .await?;
    Ok(n == 1)
}
