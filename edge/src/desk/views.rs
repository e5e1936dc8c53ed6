//! Turning stored rows into the API's views.

use crate::desk::publish;
use crate::error::AppResult;
use crate::state::App;
use crate::store::attachments;
use crate::store::customers::{self, CustomerRow};
use crate::store::from_json;
use crate::store::tickets::{self, TicketRow};
use deflect_shared::api::{
    Author, CustomerTicket, CustomerView, Message, QueueItem, SlaView, Status, SuggestedArticle, TicketCreated,
    TicketLink, TicketSummary,
};
use deflect_shared::kb::SearchOptions;
use deflect_shared::priority::{Explanation, Level};
use deflect_shared::sla::{SlaDue, SlaState, state};

pub(crate) fn status(row: &TicketRow) -> Status {
    Status::parse(&row.status).unwrap_or(Status::Open)
}

/// The level in force: an agent's override, else the computed one.
pub(crate) fn level(row: &TicketRow) -> Level {
    row.priority_override
        .as_deref()
        .and_then(Level::parse)
        .or_else(|| Level::parse(&row.priority_level))
        .unwrap_or(Level::Normal)
}

/// The customer's token for a ticket.
pub(crate) async fn ticket_token(app: &App, ticket_id: &str) -> AppResult<String> {
    app.key().await?.sign(&format!("ticket:{ticket_id}")).await
}

/// Most merges followed from a ticket to the one its conversation ends in.
const MAX_MERGE_HOPS: usize = 8;

/// Where a merged ticket's conversation continues: the end of its chain of
/// merges, with the customer's token for it.
async fn continued_in(app: &App, row: &TicketRow) -> AppResult<Option<TicketLink>> {
    let mut next = row.merged_into.clone();
    let mut last = None;
    for _ in 0..MAX_MERGE_HOPS {
        let Some(id) = next else { break };
        let Some(t) = tickets::by_id(&app.db, &id).await? else { break };
        next = t.merged_into.clone();
        last = Some(t);
    }
    Ok(match last {
        Some(t) => Some(TicketLink {
            token: ticket_token(app, &t.id).await?,
            id: t.id,
            subject: t.subject,
            created_at: t.created_at as i64,
        }),
        None => None,
    })
}

pub(crate) async fn customer_ticket(app: &App, row: &TicketRow) -> AppResult<CustomerTicket> {
    Ok(CustomerTicket {
        continued_in: continued_in(app, row).await?,
        id: row.id.clone(),
        subject: row.subject.clone(),
        status: status(row),
        created_at: row.created_at as i64,
        updated_at: row.updated_at as i64,
        messages: tickets::messages(&app.db, &row.id, false).await?,
        csat: row.csat.map(|c| c as u8),
        attachments: attachments::of_ticket(&app.db, &row.id, false).await?,
    })
}

pub(crate) async fn created(app: &App, row: &TicketRow) -> AppResult<TicketCreated> {
    Ok(TicketCreated { ticket: customer_ticket(app, row).await?, token: ticket_token(app, &row.id).await? })
}

pub(crate) fn sla_view(row: &TicketRow, now: i64) -> SlaView {
    // Waiting for the customer after a first response: the resolution
    // clock stands, with the time it had left.
    if row.status == "pending" && row.first_response_at.is_some() {
        let from = row.pending_since.map_or(now, |p| p as i64);
        let left = (row.resolution_due as i64 - from).max(0) / 60_000;
        return SlaView { state: "paused".into(), target: Some("resolution".into()), minutes_left: Some(left) };
    }
    let due = SlaDue { first_response_due: row.first_response_due as i64, resolution_due: row.resolution_due as i64 };
    let st = state(
        due,
        row.created_at as i64,
        row.first_response_at.map(|v| v as i64),
        row.solved_at.map(|v| v as i64),
        now,
    );
    match st {
        SlaState::Met => SlaView { state: "met".into(), target: None, minutes_left: None },
        SlaState::Running { target, minutes_left, .. } => {
            SlaView { state: "running".into(), target: Some(target.into()), minutes_left: Some(minutes_left) }
        }
        SlaState::Breached { target, minutes_over } => {
            SlaView { state: "breached".into(), target: Some(target.into()), minutes_left: Some(-minutes_over) }
        }
    }
}

/// A queue line. The customer's display name is their name, or their
/// decrypted e-mail, or [`ERASED_CUSTOMER`].
pub(crate) async fn queue_item(app: &App, row: &TicketRow) -> AppResult<QueueItem> {
    let customer_name = match (&row.customer_name, row.customer_erased_at) {
        (_, Some(_)) => ERASED_CUSTOMER.to_string(),
        (Some(n), None) => n.clone(),
        (None, None) => app.key().await?.decrypt(&row.customer_email_enc).await?,
    };
    let explanation: Explanation = serde_json::from_str(&row.priority_explain)?;
    Ok(QueueItem {
        id: row.id.clone(),
        site: row.site_id.clone(),
        subject: row.subject.clone(),
        status: status(row),
        priority: level(row),
        priority_score: row.priority_score as f32,
        explanation,
        priority_override: row.priority_override.as_deref().and_then(Level::parse),
        assignee: row.assignee_id.clone(),
        assignee_name: row.assignee_name.clone(),
        team: row.team.clone(),
        tags: from_json(&row.tags),
        customer_id: row.customer_id.clone(),
        customer_name,
        sla: sla_view(row, app.now),
        created_at: row.created_at as i64,
        updated_at: row.updated_at as i64,
        channel: row.channel.clone(),
        snoozed_until: row.snoozed_until.map(|t| t as i64),
    })
}

/// How an erased customer is named in the queue.
pub(crate) const ERASED_CUSTOMER: &str = "Erased customer";

pub(crate) async fn customer(app: &App, c: &CustomerRow) -> AppResult<CustomerView> {
    let k = app.key().await?;
    let lines = customers::tickets(&app.db, &c.id).await?;
    let rated: Vec<f64> = lines.iter().filter_map(|l| l.csat).collect();
    Ok(CustomerView {
        id: c.id.clone(),
        site: c.site_id.clone(),
        email: match c.erased_at {
            Some(_) => None,
            None => Some(k.decrypt(&c.email_enc).await?),
        },
        name: c.name.clone(),
        phone: match &c.phone_enc {
            Some(p) => Some(k.decrypt(p).await?),
            None => None,
        },
        plan: c.plan.clone(),
        lifetime_value_cents: c.value_cents as i64,
        attributes: from_json(&c.attributes),
        created_at: c.created_at as i64,
        average_csat: (!rated.is_empty()).then(|| (rated.iter().sum::<f64>() / rated.len() as f64) as f32),
        erased_at: c.erased_at.map(|v| v as i64),
        blocked_at: c.blocked_at.map(|v| v as i64),
        tickets: lines
            .into_iter()
            .map(|l| TicketSummary {
                id: l.id,
                subject: l.subject,
                status: l.status,
                csat: l.csat.map(|c| c as u8),
                created_at: l.created_at as i64,
            })
            .collect(),
    })
}

/// The published articles that match a ticket's subject and first customer
/// message, best first: the matcher the widget runs, on the same index.
/// A site without a published index, or one that cannot be read, gets
/// none; the ticket view does not fail for it.
pub(crate) async fn suggestions(app: &App, row: &TicketRow, messages: &[Message]) -> Vec<SuggestedArticle> {
    let index = match publish::load(app, &row.site_id).await {
        Ok(Some(index)) => index,
        Ok(None) => return Vec::new(),
        Err(e) => {
            worker::console_warn!("no suggestions for ticket {}: {e:?}", row.id);
            return Vec::new();
        }
    };
    let first = messages.iter().find(|m| m.author == Author::Customer && !m.internal).map_or("", |m| m.body.as_str());
    let question: String = format!("{}\n{first}", row.subject).chars().take(2_000).collect();
    let matches = index.search(&question, SearchOptions { limit: 3, last_word_unfinished: false });
    if matches.confidence < index.weights().suggest_threshold {
        return Vec::new();
    }
    let shown: Vec<String> = from_json(&row.shown_articles);
    matches
        .plausible()
        .map(|h| {
            let a = &index.articles()[h.article];
            SuggestedArticle { id: a.id.clone(), title: a.title.clone(), shown_to_customer: shown.contains(&a.id) }
        })
        .collect()
}
