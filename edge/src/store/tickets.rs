//! Tickets and their messages.

use super::{Arg, all, first, run};
use crate::error::AppResult;
use deflect_shared::api::{Author, Message, QueueCursor};
use serde::Deserialize;
use worker::D1Database;

/// A ticket row with its customer's and assignee's names.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TicketRow {
    pub(crate) id: String,
    pub(crate) site_id: String,
    pub(crate) customer_id: String,
    pub(crate) request_hash: String,
    pub(crate) subject: String,
    pub(crate) status: String,
    pub(crate) channel: String,
    pub(crate) locale: String,
    pub(crate) page_url: Option<String>,
    pub(crate) shown_articles: String,
    pub(crate) priority_score: f64,
    pub(crate) priority_level: String,
    pub(crate) priority_explain: String,
    pub(crate) priority_features: String,
    pub(crate) priority_override: Option<String>,
    pub(crate) assignee_id: Option<String>,
    pub(crate) team: Option<String>,
    pub(crate) tags: String,
    pub(crate) solved_article_id: Option<String>,
    pub(crate) merged_into: Option<String>,
    pub(crate) pending_since: Option<f64>,
    #[serde(default)]
    pub(crate) paused_minutes: f64,
    pub(crate) first_response_at: Option<f64>,
    pub(crate) solved_at: Option<f64>,
    pub(crate) first_response_due: f64,
    pub(crate) resolution_due: f64,
    pub(crate) csat: Option<f64>,
    #[serde(default)]
    pub(crate) csat_comment: Option<String>,
    pub(crate) created_at: f64,
    pub(crate) updated_at: f64,
    #[serde(default)]
    pub(crate) snoozed_until: Option<f64>,
    /// The support address of a ticket opened by mail.
    #[serde(default)]
    pub(crate) mail_address: Option<String>,
    /// What the site's signature said of the customer (`Identity`).
    #[serde(default)]
    pub(crate) customer_identity: Option<String>,
    pub(crate) customer_name: Option<String>,
    pub(crate) customer_email_enc: String,
    pub(crate) customer_plan: Option<String>,
    pub(crate) customer_erased_at: Option<f64>,
    pub(crate) assignee_name: Option<String>,
}

const SELECT: &str = "SELECT t.id, t.site_id, t.customer_id, t.request_hash, t.subject, t.status, t.channel, t.locale, \
    t.page_url, t.shown_articles, t.priority_score, t.priority_level, t.priority_explain, t.priority_features, \
    t.priority_override, t.assignee_id, t.team, t.tags, t.solved_article_id, t.merged_into, t.pending_since, t.paused_minutes, t.first_response_at, t.solved_at, \
    t.first_response_due, t.resolution_due, t.csat, t.csat_comment, t.created_at, t.updated_at, t.snoozed_until, t.mail_address, t.customer_identity, c.name AS customer_name, c.email_enc AS customer_email_enc, \
    c.plan AS customer_plan, c.erased_at AS customer_erased_at, a.name AS assignee_name \
    FROM tickets t JOIN customers c ON c.id = t.customer_id LEFT JOIN agents a ON a.id = t.assignee_id";

pub(crate) async fn by_id(db: &D1Database, id: &str) -> AppResult<Option<TicketRow>> {
    first(db, &format!("{SELECT} WHERE t.id = ?1"), &[Arg::Text(id)]).await
}

pub(crate) async fn by_idempotency_key(db: &D1Database, site: &str, key: &str) -> AppResult<Option<TicketRow>> {
    first(db, &format!("{SELECT} WHERE t.site_id = ?1 AND t.idempotency_key = ?2"), &[Arg::Text(site), Arg::Text(key)])
        .await
}

/// Queue filters; `None` means any.
#[derive(Debug, Default)]
pub(crate) struct Filter {
    pub(crate) statuses: Vec<String>,
    pub(crate) level: Option<String>,
    pub(crate) assignee: Option<String>,
    pub(crate) unassigned: bool,
    pub(crate) tag: Option<String>,
    pub(crate) text: Option<String>,
    pub(crate) customer: Option<String>,
}

impl Filter {
    /// The values of [`FILTER_WHERE`]'s `?1` to `?7`; `statuses` is
    /// [`Filter::statuses`] as JSON.
    fn args<'a>(&'a self, statuses: &'a str) -> Vec<Arg<'a>> {
        vec![
            Arg::Text(statuses),
            Arg::OptText(self.level.as_deref()),
            Arg::OptText(self.assignee.as_deref()),
            Arg::Int(i64::from(self.unassigned)),
            Arg::OptText(self.tag.as_deref()),
            Arg::OptText(self.text.as_deref()),
            Arg::OptText(self.customer.as_deref()),
        ]
    }
}

/// The tickets a [`Filter`] passes, over `tickets t`, bound to `?1`..`?7`.
// instr, not LIKE: D1 refuses LIKE patterns over 50 bytes, and instr
// needs no escaping. lower() folds ASCII only, as LIKE does.
const FILTER_WHERE: &str = "(?1 = '[]' OR t.status IN (SELECT value FROM json_each(?1))) \
     AND (?2 IS NULL OR COALESCE(t.priority_override, t.priority_level) = ?2) \
     AND (?3 IS NULL OR t.assignee_id = ?3) AND (?4 = 0 OR t.assignee_id IS NULL) \
     AND (?5 IS NULL OR EXISTS (SELECT 1 FROM json_each(t.tags) WHERE value = ?5)) \
     AND (?6 IS NULL OR instr(lower(t.subject), lower(?6)) > 0 \
          OR EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND instr(lower(m.body), lower(?6)) > 0)) \
     AND (?7 IS NULL OR t.customer_id = ?7)";

/// The level in force as the queue ranks it, as [`QueueCursor::rank`] does.
const RANK: &str = "(CASE COALESCE(t.priority_override, t.priority_level) \
     WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END)";

/// Up to `limit` tickets a filter passes, in the queue's order (see
/// [`QueueCursor`]), starting after `after`.
pub(crate) async fn queue(
    db: &D1Database,
    f: &Filter,
    after: Option<&QueueCursor>,
    limit: u32,
) -> AppResult<Vec<TicketRow>> {
    let sql = format!(
        "{SELECT} WHERE {FILTER_WHERE} \
         AND (?8 IS NULL OR {RANK} < ?8 OR ({RANK} = ?8 AND (t.priority_score < ?9 \
              OR (t.priority_score = ?9 AND (t.created_at > ?10 OR (t.created_at = ?10 AND t.id > ?11)))))) \
         ORDER BY {RANK} DESC, t.priority_score DESC, t.created_at ASC, t.id ASC LIMIT ?12"
    );
    let statuses = serde_json::to_string(&f.statuses)?;
    let mut args = f.args(&statuses);
    args.extend([
        Arg::OptInt(after.map(|c| i64::from(c.rank))),
        Arg::Real(after.map_or(0.0, |c| c.score)),
        Arg::Int(after.map_or(0, |c| c.created_at)),
        Arg::Text(after.map_or("", |c| c.id.as_str())),
        Arg::Int(i64::from(limit.clamp(1, 1001))),
    ]);
    all(db, &sql, &args).await
}

/// How many tickets a filter passes.
pub(crate) async fn count(db: &D1Database, f: &Filter) -> AppResult<u64> {
    let statuses = serde_json::to_string(&f.statuses)?;
    let sql = format!("SELECT COUNT(*) AS n FROM tickets t WHERE {FILTER_WHERE}");
    super::count(db, &sql, &f.args(&statuses)).await
}

#[derive(Debug, Deserialize)]
struct MessageRow {
    id: String,
    author: String,
    author_name: Option<String>,
    body: String,
    internal: f64,
    created_at: f64,
    delivery: Option<String>,
    delivery_error: Option<String>,
    author_id: Option<String>,
}

/// When the team last wrote to the customer on a ticket, and whether its
/// customer was erased.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct LastReply {
    pub(crate) id: String,
    pub(crate) erased_at: Option<f64>,
    pub(crate) last_reply_at: Option<f64>,
}

/// Most ids [`last_replies`] reads: under D1's limit of 100 bound
/// parameters (callers ask about at most `MAX_UNREAD_QUERY`, 50).
const MAX_LAST_REPLIES: usize = 90;

/// [`LastReply`] of each of the first [`MAX_LAST_REPLIES`] `ids` that
/// exists, in one query.
pub(crate) async fn last_replies(db: &D1Database, ids: &[&str]) -> AppResult<Vec<LastReply>> {
    let ids = &ids[..ids.len().min(MAX_LAST_REPLIES)];
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "SELECT t.id, c.erased_at, \
           (SELECT MAX(m.created_at) FROM messages m \
            WHERE m.ticket_id = t.id AND m.internal = 0 AND m.author <> 'customer') AS last_reply_at \
         FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.id IN ({})",
        marks.join(", ")
    );
    let args: Vec<Arg> = ids.iter().map(|id| Arg::Text(id)).collect();
    all(db, &sql, &args).await
}

pub(crate) async fn messages(db: &D1Database, ticket: &str, include_internal: bool) -> AppResult<Vec<Message>> {
    let rows: Vec<MessageRow> = all(
        db,
        "SELECT m.id, m.author, m.author_id, m.body, m.internal, m.created_at, m.delivery, m.delivery_error, \
           CASE m.author WHEN 'agent' THEN a.name WHEN 'customer' THEN c.name ELSE 'Deflect' END AS author_name \
         FROM messages m JOIN tickets t ON t.id = m.ticket_id JOIN customers c ON c.id = t.customer_id \
         LEFT JOIN agents a ON a.id = m.author_id \
         WHERE m.ticket_id = ?1 AND (?2 = 1 OR m.internal = 0) ORDER BY m.created_at, m.id",
        &[Arg::Text(ticket), Arg::Int(i64::from(include_internal))],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Message {
            id: r.id,
            author: match r.author.as_str() {
                "customer" => Author::Customer,
                "agent" => Author::Agent,
                _ => Author::System,
            },
            author_name: r.author_name,
            body: r.body,
            internal: r.internal != 0.0,
            created_at: r.created_at as i64,
            // Whether a reply went out by mail is the team's business.
            // An attempt under way is still on its way, as far as agents go.
            delivery: r
                .delivery
                .filter(|_| include_internal)
                .map(|d| if d == "sending" { "pending".to_string() } else { d }),
            delivery_error: r.delivery_error.filter(|_| include_internal),
            agent_id: r.author_id.filter(|_| include_internal && r.author == "agent"),
        })
        .collect())
}

pub(crate) struct NewMessageRow<'a> {
    pub(crate) id: &'a str,
    pub(crate) ticket: &'a str,
    pub(crate) author: &'a str,
    pub(crate) author_id: Option<&'a str>,
    pub(crate) body: &'a str,
    pub(crate) internal: bool,
    /// The caller's `Idempotency-Key`: a second message under the same key
    /// on the same ticket is not inserted.
    pub(crate) idempotency_key: Option<&'a str>,
}

/// Inserts a message only if the ticket exists (used in the creation batch,
/// where the ticket insert may have lost an idempotency race).
pub(crate) fn insert_message_stmt(
    db: &D1Database,
    m: &NewMessageRow<'_>,
    now: i64,
) -> AppResult<worker::D1PreparedStatement> {
    super::stmt(
        db,
        "INSERT INTO messages (id, ticket_id, author, author_id, body, internal, created_at, idempotency_key) \
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 WHERE EXISTS (SELECT 1 FROM tickets WHERE id = ?2) \
         ON CONFLICT(ticket_id, idempotency_key) DO NOTHING",
        &[
            Arg::Text(m.id),
            Arg::Text(m.ticket),
            Arg::Text(m.author),
            Arg::OptText(m.author_id),
            Arg::Text(m.body),
            Arg::Int(i64::from(m.internal)),
            Arg::Int(now),
            Arg::OptText(m.idempotency_key),
        ],
    )
}

#[derive(Debug, Deserialize)]
pub(crate) struct Due {
    pub(crate) id: String,
    pub(crate) first_response_due: f64,
    pub(crate) resolution_due: f64,
    pub(crate) first_response_at: Option<f64>,
    pub(crate) breached_first: f64,
    pub(crate) breached_resolution: f64,
}

/// Open tickets whose SLA ran out and is not yet marked (the resolution
/// clock stops while a ticket waits for the customer).
/// Up to `limit` tickets that are not closed, by id, after `after`: the
/// scheduled rules walk every ticket this way, a batch per cron run.
pub(crate) async fn not_closed_after(db: &D1Database, after: &str, limit: u32) -> AppResult<Vec<TicketRow>> {
    all(
        db,
        &format!("{SELECT} WHERE t.status != 'closed' AND t.id > ?1 ORDER BY t.id LIMIT ?2"),
        &[Arg::Text(after), Arg::Int(i64::from(limit))],
    )
    .await
}

/// How many open tickets missed an SLA target.
pub(crate) async fn past_target(db: &D1Database) -> AppResult<u64> {
    super::count(
        db,
        "SELECT COUNT(*) AS n FROM tickets WHERE status = 'open' AND (breached_first = 1 OR breached_resolution = 1)",
        &[],
    )
    .await
}

pub(crate) async fn newly_breached(db: &D1Database, now: i64) -> AppResult<Vec<Due>> {
    all(
        db,
        "SELECT id, first_response_due, resolution_due, first_response_at, breached_first, breached_resolution FROM tickets \
         WHERE status IN ('open', 'pending') AND ( \
           (breached_first = 0 AND first_response_at IS NULL AND first_response_due < ?1) OR \
           (breached_resolution = 0 AND resolution_due < ?1 AND status = 'open')) LIMIT 200",
        &[Arg::Int(now)],
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct Timing {
    pub(crate) created_at: f64,
    pub(crate) first_response_at: Option<f64>,
    pub(crate) solved_at: Option<f64>,
    pub(crate) priority: String,
    pub(crate) status: String,
    pub(crate) automated: f64,
    pub(crate) csat: Option<f64>,
    pub(crate) assignee_id: Option<String>,
    pub(crate) channel: String,
}

pub(crate) async fn timings(db: &D1Database, since: i64) -> AppResult<Vec<Timing>> {
    all(
        db,
        &format!(
            "SELECT created_at, first_response_at, solved_at, COALESCE(priority_override, priority_level) AS priority, status, automated, csat, \
             assignee_id, channel FROM tickets WHERE created_at >= ?1 AND NOT {IS_SPAM}"
        ),
        &[Arg::Int(since)],
    )
    .await
}

/// A ticket closed as spam (tagged `spam`): the metrics leave it out.
const IS_SPAM: &str = "EXISTS (SELECT 1 FROM json_each(tickets.tags) WHERE json_each.value = 'spam')";

/// Tickets created since `since` that were closed as spam.
pub(crate) async fn spam_count(db: &D1Database, since: i64) -> AppResult<u64> {
    super::count(
        db,
        &format!("SELECT COUNT(*) AS n FROM tickets WHERE created_at >= ?1 AND {IS_SPAM}"),
        &[Arg::Int(since)],
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct FeedbackRow {
    pub(crate) id: String,
    pub(crate) subject: String,
    pub(crate) csat: f64,
    pub(crate) csat_comment: String,
    pub(crate) agent_name: Option<String>,
    pub(crate) created_at: f64,
}

/// Ratings with a comment on tickets created since `since`: the lowest
/// first, then the newest.
pub(crate) async fn feedback(db: &D1Database, since: i64, limit: u32) -> AppResult<Vec<FeedbackRow>> {
    all(
        db,
        "SELECT t.id, t.subject, t.csat, t.csat_comment, a.name AS agent_name, t.created_at FROM tickets t \
         LEFT JOIN agents a ON a.id = t.assignee_id \
         WHERE t.created_at >= ?1 AND t.csat IS NOT NULL AND t.csat_comment IS NOT NULL AND t.csat_comment != '' \
         ORDER BY t.csat ASC, t.created_at DESC, t.id LIMIT ?2",
        &[Arg::Int(since), Arg::Int(i64::from(limit))],
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct Replies {
    pub(crate) author_id: String,
    pub(crate) n: f64,
}

/// Replies to customers (not internal notes) each agent wrote since `since`.
pub(crate) async fn replies_by_agent(db: &D1Database, since: i64) -> AppResult<Vec<Replies>> {
    all(
        db,
        "SELECT author_id, COUNT(*) AS n FROM messages WHERE author = 'agent' AND internal = 0 AND created_at >= ?1 \
         AND author_id IS NOT NULL GROUP BY author_id",
        &[Arg::Int(since)],
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(crate) struct Override {
    pub(crate) features: String,
    pub(crate) chosen: String,
}

pub(crate) async fn overrides(db: &D1Database) -> AppResult<Vec<Override>> {
    all(db, "SELECT features, chosen FROM priority_overrides ORDER BY created_at DESC LIMIT 5000", &[]).await
}

#[derive(Debug, Deserialize)]
pub(crate) struct Link {
    pub(crate) question: String,
    pub(crate) article_id: String,
}

/// Tickets linked to the article that solved them, with the customer's
/// first message; erased customers' tickets have no text left to learn from.
pub(crate) async fn article_links(db: &D1Database, site: &str) -> AppResult<Vec<Link>> {
    all(
        db,
        "SELECT t.solved_article_id AS article_id, \
           (SELECT body FROM messages m WHERE m.ticket_id = t.id AND m.author = 'customer' ORDER BY created_at LIMIT 1) AS question \
         FROM tickets t JOIN customers c ON c.id = t.customer_id \
         WHERE t.site_id = ?1 AND t.solved_article_id IS NOT NULL AND c.erased_at IS NULL \
           AND EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND m.author = 'customer') \
         ORDER BY t.updated_at DESC LIMIT 5000",
        &[Arg::Text(site)],
    )
    .await
}

pub(crate) async fn export(db: &D1Database, since: i64) -> AppResult<Vec<TicketRow>> {
    all(db, &format!("{SELECT} WHERE t.created_at >= ?1 ORDER BY t.created_at"), &[Arg::Int(since)]).await
}

/// A merge of one ticket into another, as [`merge`] stores it.
pub(crate) struct Merge<'a> {
    pub(crate) duplicate: &'a str,
    pub(crate) target: &'a str,
    /// The target's tags and shown articles afterwards (JSON arrays).
    pub(crate) tags: &'a str,
    pub(crate) shown_articles: &'a str,
    /// (message id, text) of the system note on each thread.
    pub(crate) note_on_target: (&'a str, &'a str),
    pub(crate) note_on_duplicate: (&'a str, &'a str),
}

/// Stores a merge in one transaction: the duplicate's messages and files
/// move to the target (keeping their times), each thread gets its note, the target its
/// tags and shown articles, and the duplicate is closed, pointing at the
/// target. Every statement runs only while the duplicate is not merged, so
/// of two racing merges one changes nothing; returns whether this one won.
pub(crate) async fn merge(db: &D1Database, m: &Merge<'_>, now: i64) -> AppResult<bool> {
    const UNMERGED: &str = "EXISTS (SELECT 1 FROM tickets WHERE id = ?1 AND merged_into IS NULL)";
    let note = |ticket: &'static str, (id, body): (&str, &str)| {
        super::stmt(
            db,
            &format!(
                "INSERT INTO messages (id, ticket_id, author, author_id, body, internal, created_at) \
                 SELECT ?3, {ticket}, 'system', NULL, ?4, 0, ?5 WHERE {UNMERGED}"
            ),
            &[Arg::Text(m.duplicate), Arg::Text(m.target), Arg::Text(id), Arg::Text(body), Arg::Int(now)],
        )
    };
    let changed = super::batch(
        db,
        vec![
            super::stmt(
                db,
                // A moved message's key is dropped: it was the duplicate's, and
                // could collide with one on the target.
                &format!(
                    "UPDATE messages SET ticket_id = ?2, idempotency_key = NULL WHERE ticket_id = ?1 AND {UNMERGED}"
                ),
                &[Arg::Text(m.duplicate), Arg::Text(m.target)],
            )?,
            super::stmt(
                db,
                &format!("UPDATE attachments SET ticket_id = ?2 WHERE ticket_id = ?1 AND {UNMERGED}"),
                &[Arg::Text(m.duplicate), Arg::Text(m.target)],
            )?,
            note("?2", m.note_on_target)?,
            note("?1", m.note_on_duplicate)?,
            super::stmt(
                db,
                &format!(
                    "UPDATE tickets SET tags = ?3, shown_articles = ?4, updated_at = ?5 WHERE id = ?2 AND {UNMERGED}"
                ),
                &[
                    Arg::Text(m.duplicate),
                    Arg::Text(m.target),
                    Arg::Text(m.tags),
                    Arg::Text(m.shown_articles),
                    Arg::Int(now),
                ],
            )?,
            super::stmt(
                db,
                "UPDATE tickets SET merged_into = ?2, status = 'closed', updated_at = ?3 \
                 WHERE id = ?1 AND merged_into IS NULL",
                &[Arg::Text(m.duplicate), Arg::Text(m.target), Arg::Int(now)],
            )?,
        ],
    )
    .await?;
    Ok(changed.last().copied() == Some(1))
}

#[derive(Debug, Deserialize)]
pub(crate) struct SolvedBy {
    pub(crate) id: String,
    pub(crate) n: f64,
}

/// Per article of a site: tickets created since `since` that agents marked
/// as solved by it.
pub(crate) async fn solved_by_article(db: &D1Database, site: &str, since: i64) -> AppResult<Vec<SolvedBy>> {
    all(
        db,
        "SELECT solved_article_id AS id, COUNT(*) AS n FROM tickets \
         WHERE site_id = ?1 AND created_at >= ?2 AND solved_article_id IS NOT NULL GROUP BY solved_article_id",
        &[Arg::Text(site), Arg::Int(since)],
    )
    .await
}

/// Snoozed tickets whose time came, at most 200: pending ones open again
/// (the caller does that, with its note and rules); others only lose a
/// stale snooze here.
pub(crate) async fn snooze_ended(db: &D1Database, now: i64) -> AppResult<Vec<TicketRow>> {
    super::run(
        db,
        "UPDATE tickets SET snoozed_until = NULL WHERE snoozed_until IS NOT NULL AND status != 'pending'",
        &[],
    )
    .await?;
    all(db, &format!("{SELECT} WHERE t.snoozed_until <= ?1 AND t.status = 'pending' LIMIT 200"), &[Arg::Int(now)]).await
}

/// A message written under an idempotency key.
#[derive(Debug, Deserialize)]
pub(crate) struct KeyedMessage {
    pub(crate) author_id: Option<String>,
    pub(crate) body: String,
    pub(crate) internal: f64,
}

/// The message on `ticket` written under `key`, if any.
pub(crate) async fn message_by_key(db: &D1Database, ticket: &str, key: &str) -> AppResult<Option<KeyedMessage>> {
    first(
        db,
        "SELECT author_id, body, internal FROM messages WHERE ticket_id = ?1 AND idempotency_key = ?2",
        &[Arg::Text(ticket), Arg::Text(key)],
    )
    .await
}

/// Messages on `ticket` written after message `seen` by anyone but agent
/// `me`; `None` when `seen` is not a message of this ticket.
pub(crate) async fn written_since(db: &D1Database, ticket: &str, seen: &str, me: &str) -> AppResult<Option<u64>> {
    #[derive(Deserialize)]
    struct Row {
        known: f64,
        n: f64,
    }
    let row: Option<Row> = first(
        db,
        "SELECT (SELECT COUNT(*) FROM messages WHERE id = ?2 AND ticket_id = ?1) AS known, \
           (SELECT COUNT(*) FROM messages m, (SELECT created_at, id FROM messages WHERE id = ?2) s \
            WHERE m.ticket_id = ?1 AND (m.created_at, m.id) > (s.created_at, s.id) \
              AND NOT (m.author = 'agent' AND m.author_id IS ?3)) AS n",
        &[Arg::Text(ticket), Arg::Text(seen), Arg::Text(me)],
    )
    .await?;
    Ok(row.filter(|r| r.known > 0.0).map(|r| r.n as u64))
}

/// Keeps the pause of the resolution clock in step with the status: a
/// pending ticket without a pause start gets one (`now`); a ticket that left
/// pending gets `resolution_due` (the moved deadline) and loses its pause
/// start. Each change applies only to the state it was computed from.
pub(crate) async fn set_pause(db: &D1Database, id: &str, pause: Pause, now: i64) -> AppResult<()> {
    match pause {
        Pause::Start => {
            super::run(
                db,
                "UPDATE tickets SET pending_since = ?2 WHERE id = ?1 AND status = 'pending' AND pending_since IS NULL",
                &[Arg::Text(id), Arg::Int(now)],
            )
            .await?;
        }
        Pause::End { since, resolution_due, credit_minutes } => {
            super::run(
                db,
                "UPDATE tickets SET resolution_due = ?2, pending_since = NULL, paused_minutes = paused_minutes + ?4 \
                 WHERE id = ?1 AND status != 'pending' AND pending_since = ?3",
                &[Arg::Text(id), Arg::Int(resolution_due), Arg::Int(since), Arg::Int(credit_minutes)],
            )
            .await?;
        }
    }
    Ok(())
}

/// A change to a ticket's pause, for [`set_pause`].
pub(crate) enum Pause {
    Start,
    End { since: i64, resolution_due: i64, credit_minutes: i64 },
}

/// A new ticket's row.
pub(crate) struct NewTicketRow<'a> {
    pub(crate) id: &'a str,
    pub(crate) site: &'a str,
    pub(crate) customer: &'a str,
    pub(crate) idempotency_key: &'a str,
    pub(crate) request_hash: &'a str,
    pub(crate) subject: &'a str,
    pub(crate) status: &'a str,
    pub(crate) channel: &'a str,
    pub(crate) locale: &'a str,
    pub(crate) page_url: Option<&'a str>,
    /// JSON array of article ids.
    pub(crate) shown_articles: &'a str,
    pub(crate) priority_score: f64,
    pub(crate) priority_level: &'a str,
    /// JSON of the score's explanation.
    pub(crate) priority_explain: &'a str,
    /// JSON array of the model's features.
    pub(crate) priority_features: &'a str,
    pub(crate) assignee: Option<&'a str>,
    pub(crate) team: Option<&'a str>,
    /// JSON array of tags.
    pub(crate) tags: &'a str,
    pub(crate) automated: bool,
    pub(crate) first_response_due: i64,
    pub(crate) resolution_due: i64,
    /// `Identity::as_str`, when the widget sent the site's signature.
    pub(crate) customer_identity: Option<&'a str>,
}

/// Inserts a ticket unless one was made under the same idempotency key on
/// its site (for the creation batch).
pub(crate) fn insert_ticket_stmt(
    db: &D1Database,
    t: &NewTicketRow<'_>,
    now: i64,
) -> AppResult<worker::D1PreparedStatement> {
    super::stmt(
        db,
        "INSERT INTO tickets (id, site_id, customer_id, idempotency_key, request_hash, subject, status, channel, locale, \
           page_url, shown_articles, priority_score, priority_level, priority_explain, priority_features, assignee_id, \
           team, tags, automated, first_response_due, resolution_due, created_at, updated_at, customer_identity) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?22, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?21, \
           ?23) \
         ON CONFLICT(site_id, idempotency_key) DO NOTHING",
        &[
            Arg::Text(t.id),
            Arg::Text(t.site),
            Arg::Text(t.customer),
            Arg::Text(t.idempotency_key),
            Arg::Text(t.request_hash),
            Arg::Text(t.subject),
            Arg::Text(t.status),
            Arg::Text(t.locale),
            Arg::OptText(t.page_url),
            Arg::Text(t.shown_articles),
            Arg::Real(t.priority_score),
            Arg::Text(t.priority_level),
            Arg::Text(t.priority_explain),
            Arg::Text(t.priority_features),
            Arg::OptText(t.assignee),
            Arg::OptText(t.team),
            Arg::Text(t.tags),
            Arg::Int(i64::from(t.automated)),
            Arg::Int(t.first_response_due),
            Arg::Int(t.resolution_due),
            Arg::Int(now),
            Arg::Text(t.channel),
            Arg::OptText(t.customer_identity),
        ],
    )
}

/// An agent replied to the customer: the first response is now (if it is
/// the first), and an open ticket waits for the customer.
pub(crate) async fn replied(db: &D1Database, id: &str, now: i64) -> AppResult<()> {
    run(
        db,
        "UPDATE tickets SET first_response_at = COALESCE(first_response_at, ?2), \
         status = CASE status WHEN 'open' THEN 'pending' ELSE status END, updated_at = ?2 WHERE id = ?1",
        &[Arg::Text(id), Arg::Int(now)],
    )
    .await?;
    Ok(())
}

/// Something was added that changes nothing else (an internal note).
pub(crate) async fn touched(db: &D1Database, id: &str, now: i64) -> AppResult<()> {
    run(db, "UPDATE tickets SET updated_at = ?2 WHERE id = ?1", &[Arg::Text(id), Arg::Int(now)]).await?;
    Ok(())
}

/// The customer wrote: a ticket waiting for them, or solved, is open
/// again, and a snooze ends.
pub(crate) async fn customer_wrote(db: &D1Database, id: &str, now: i64) -> AppResult<()> {
    run(
        db,
        "UPDATE tickets SET status = CASE WHEN status IN ('pending', 'solved') THEN 'open' ELSE status END, \
         solved_at = CASE WHEN status = 'solved' THEN NULL ELSE solved_at END, snoozed_until = NULL, \
         updated_at = ?2 WHERE id = ?1",
        &[Arg::Text(id), Arg::Int(now)],
    )
    .await?;
    Ok(())
}

/// An agent's change to a ticket; `None` leaves a field as it is.
pub(crate) struct AgentChange<'a> {
    pub(crate) status: Option<&'a str>,
    /// `Some(None)` unassigns.
    pub(crate) assignee: Option<Option<&'a str>>,
    /// A priority override, with the SLA deadlines it brings.
    pub(crate) priority: Option<(&'a str, i64, i64)>,
    /// JSON array of tags.
    pub(crate) tags: Option<&'a str>,
    /// `Some(None)` unlinks the article.
    pub(crate) solved_article: Option<Option<&'a str>>,
    /// A snooze until then; a status change without one ends a snooze.
    pub(crate) snoozed_until: Option<i64>,
}

/// Applies an agent's change. Solving or closing stamps `solved_at` once;
/// any other status clears it.
pub(crate) async fn change(db: &D1Database, id: &str, c: &AgentChange<'_>, now: i64) -> AppResult<()> {
    let (level, first_due, resolution_due) = match c.priority {
        Some((level, first, resolution)) => (Some(level), first, resolution),
        None => (None, 0, 0),
    };
    run(
        db,
        "UPDATE tickets SET updated_at = ?2, status = COALESCE(?3, status), \
           solved_at = CASE WHEN ?3 IS NULL THEN solved_at WHEN ?3 IN ('solved', 'closed') THEN COALESCE(solved_at, ?2) ELSE NULL END, \
           assignee_id = CASE WHEN ?10 = 1 THEN ?4 ELSE assignee_id END, \
           priority_override = COALESCE(?5, priority_override), \
           first_response_due = CASE WHEN ?5 IS NULL THEN first_response_due ELSE ?6 END, \
           resolution_due = CASE WHEN ?5 IS NULL THEN resolution_due ELSE ?7 END, \
           tags = COALESCE(?8, tags), \
           solved_article_id = CASE WHEN ?11 = 1 THEN ?9 ELSE solved_article_id END, \
           snoozed_until = CASE WHEN ?12 IS NOT NULL THEN ?12 WHEN ?3 IS NOT NULL THEN NULL ELSE snoozed_until END \
         WHERE id = ?1",
        &[
            Arg::Text(id),
            Arg::Int(now),
            Arg::OptText(c.status),
            Arg::OptText(c.assignee.flatten()),
            Arg::OptText(level),
            Arg::Int(first_due),
            Arg::Int(resolution_due),
            Arg::OptText(c.tags),
            Arg::OptText(c.solved_article.flatten()),
            Arg::Int(i64::from(c.assignee.is_some())),
            Arg::Int(i64::from(c.solved_article.is_some())),
            Arg::OptInt(c.snoozed_until),
        ],
    )
    .await?;
    Ok(())
}

/// An agent's priority override, kept as training data for the model.
pub(crate) struct OverrideRow<'a> {
    pub(crate) id: &'a str,
    pub(crate) ticket: &'a str,
    pub(crate) agent: &'a str,
    /// JSON array of the ticket's features.
    pub(crate) features: &'a str,
    pub(crate) computed: &'a str,
    pub(crate) chosen: &'a str,
}

pub(crate) async fn record_override(db: &D1Database, o: &OverrideRow<'_>, now: i64) -> AppResult<()> {
    run(
        db,
        "INSERT INTO priority_overrides (id, ticket_id, agent_id, features, computed, chosen, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &[
            Arg::Text(o.id),
            Arg::Text(o.ticket),
            Arg::Text(o.agent),
            Arg::Text(o.features),
            Arg::Text(o.computed),
            Arg::Text(o.chosen),
            Arg::Int(now),
        ],
    )
    .await?;
    Ok(())
}

/// What the rules changed on a ticket.
pub(crate) struct RuleChange<'a> {
    /// JSON array of tags.
    pub(crate) tags: &'a str,
    pub(crate) status: &'a str,
    pub(crate) team: Option<&'a str>,
    /// A new priority level, with the SLA deadlines it brings.
    pub(crate) priority: Option<(&'a str, i64, i64)>,
}

/// Stores what the rules changed, marking the ticket automated.
pub(crate) async fn apply_rules(db: &D1Database, id: &str, c: &RuleChange<'_>, now: i64) -> AppResult<()> {
    run(
        db,
        "UPDATE tickets SET tags = ?2, status = ?3, team = ?4, automated = 1, \
           priority_override = COALESCE(?5, priority_override), \
           first_response_due = COALESCE(?6, first_response_due), resolution_due = COALESCE(?7, resolution_due), \
           solved_at = CASE WHEN ?3 IN ('solved', 'closed') THEN COALESCE(solved_at, ?8) ELSE NULL END \
         WHERE id = ?1",
        &[
            Arg::Text(id),
            Arg::Text(c.tags),
            Arg::Text(c.status),
            Arg::OptText(c.team),
            Arg::OptText(c.priority.map(|p| p.0)),
            Arg::OptInt(c.priority.map(|p| p.1)),
            Arg::OptInt(c.priority.map(|p| p.2)),
            Arg::Int(now),
        ],
    )
    .await?;
    Ok(())
}

/// Gives a ticket to an agent.
pub(crate) async fn assign(db: &D1Database, id: &str, agent: &str) -> AppResult<()> {
    run(db, "UPDATE tickets SET assignee_id = ?2 WHERE id = ?1", &[Arg::Text(id), Arg::Text(agent)]).await?;
    Ok(())
}

/// The customer's rating (a new one replaces the last).
pub(crate) async fn rate(db: &D1Database, id: &str, rating: u8, comment: Option<&str>, now: i64) -> AppResult<()> {
    run(
        db,
        "UPDATE tickets SET csat = ?2, csat_comment = ?3, updated_at = ?4 WHERE id = ?1",
        &[Arg::Text(id), Arg::Int(i64::from(rating)), Arg::OptText(comment), Arg::Int(now)],
    )
    .await?;
    Ok(())
}

/// Opens a snoozed ticket whose time came; false if it changed since it
/// was read (the customer wrote, or an agent acted).
pub(crate) async fn wake(db: &D1Database, id: &str, now: i64) -> AppResult<bool> {
    let changed = run(
        db,
        "UPDATE tickets SET status = 'open', snoozed_until = NULL, updated_at = ?2 \
         WHERE id = ?1 AND status = 'pending' AND snoozed_until <= ?2",
        &[Arg::Text(id), Arg::Int(now)],
    )
    .await?;
    Ok(changed > 0)
}

/// Marks the SLA targets a ticket missed; false if another sweep marked
/// them first (the cron can overlap with itself).
pub(crate) async fn mark_breached(db: &D1Database, id: &str, first: bool, resolution: bool) -> AppResult<bool> {
    let marked = run(
        db,
        "UPDATE tickets SET breached_first = CASE WHEN ?2 = 1 THEN 1 ELSE breached_first END, \
           breached_resolution = CASE WHEN ?3 = 1 THEN 1 ELSE breached_resolution END \
         WHERE id = ?1 AND ((?2 = 1 AND breached_first = 0) OR (?3 = 1 AND breached_resolution = 0))",
        &[Arg::Text(id), Arg::Int(i64::from(first)), Arg::Int(i64::from(resolution))],
    )
    .await?;
    Ok(marked > 0)
}
