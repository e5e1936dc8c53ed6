//! Ticket creation: from the widget's request to a stored, scored,
//! automated and assigned ticket, exactly once per idempotency key.

use super::views;
use crate::crypto::{new_id, sha256_hex};
use crate::desk::identity::Checked;
use crate::error::{AppError, AppResult};
use crate::state::App;
use crate::store::tickets::{self, NewMessageRow, TicketRow};
use crate::store::{agents, articles, batch, customers, events, kv};
use deflect_shared::api::{CHANNEL_WIDGET, Identity, NewTicket, SPAM_TAG, TicketCreated};
use deflect_shared::assignment::{Need, assign};
use deflect_shared::mail_alert::Event;
use deflect_shared::priority::{CustomerFacts, Features, Term};
use deflect_shared::rules::{Action, Applied, Outcome, RuleSet, TicketFacts, Trigger};

/// What happened to a create request.
pub(crate) enum Created {
    /// A new ticket (201).
    New(TicketCreated),
    /// The same request was seen before (200).
    Replay(TicketCreated),
}

/// Checks that a replayed key carries the same request.
async fn replay(app: &App, row: TicketRow, request_hash: &str) -> AppResult<Created> {
    if row.request_hash != request_hash {
        return Err(AppError::Conflict("this Idempotency-Key was already used with a different request".into()));
    }
    Ok(Created::Replay(views::created(app, &row).await?))
}

/// An agent who logs a ticket for a customer (by e-mail or phone), and
/// whether they take it themselves.
pub(crate) struct LoggedBy<'a> {
    pub(crate) agent: &'a agents::AgentRow,
    pub(crate) assign_to_me: bool,
}

/// Creates a ticket. `raw_body` is hashed to recognise replays; `by` is the
/// agent logging it, when it is not the customer writing in the widget.
pub(crate) async fn create(
    app: &App,
    new: NewTicket,
    raw_body: &str,
    key: &str,
    by: Option<LoggedBy<'_>>,
) -> AppResult<Created> {
    let settings = app.settings().await?;
    let Some(site) = settings.site(&new.site) else {
        return Err(AppError::invalid("site", format!("site: there is no site {:?}", new.site)));
    };
    let request_hash = sha256_hex(raw_body.as_bytes()).await?;
    if let Some(existing) = tickets::by_idempotency_key(&app.db, &new.site, key).await? {
        return replay(app, existing, &request_hash).await;
    }
    let checked = match &new.signature {
        Some(signature) => Some(super::identity::check(app, &new.site, &new.email, signature).await?),
        None => None,
    };
    let identity = checked.map(Checked::identity);
    if site.require_identity && new.channel == CHANNEL_WIDGET && identity != Some(Identity::Verified) {
        // Refused before anything is kept: the site vouches for every
        // customer who writes from its widget.
        let why = match checked {
            Some(Checked::Expired | Checked::TooLong(_)) => {
                "the page's sign-in has expired: reload the page, then write again"
            }
            _ => "sign in on the site, then write again",
        };
        return Err(AppError::Forbidden(format!(
            "only customers signed in on this site can write from its widget: {why}"
        )));
    }

    let k = app.key().await?;
    let email_hash = k.lookup_hash(&new.email).await?;
    let email_enc = k.encrypt(&new.email).await?;
    let phone_enc = match &new.phone {
        Some(p) => Some(k.encrypt(p).await?),
        None => None,
    };
    let customer_id = new_id()?;
    let customer = customers::upsert(
        &app.db,
        &customers::Upsert {
            new_id: &customer_id,
            site: &new.site,
            email_hash: &email_hash,
            email_enc: &email_enc,
            phone_enc: phone_enc.as_deref(),
            name: new.name.as_deref(),
        },
        app.now,
    )
    .await?;
    let history = customers::history(&app.db, &customer.id, app.now).await?;

    // Priority from the customer and the message.
    let facts = CustomerFacts {
        plan: customer.plan.clone(),
        lifetime_value_cents: customer.value_cents as i64,
        recent_tickets: history.recent as u32,
        average_csat: history.csat.map(|c| c as f32),
    };
    let text = format!("{}\n{}", new.subject, new.message);
    let model = kv::priority_model(&app.kv).await?;
    let features = Features::compute(&facts, &text, None);
    let mut explanation = model.explain(&features);

    // Automation rules.
    let rules = RuleSet::from_specs(settings.rules.clone())?;
    let before = TicketFacts {
        channel: new.channel.clone(),
        subject: new.subject.clone(),
        text: text.clone(),
        priority: explanation.level,
        priority_score: explanation.score,
        customer_plan: customer.plan.clone(),
        tags: Vec::new(),
        status: "open".into(),
        hours_since_update: 0.0,
        locale: new.locale.clone(),
        assignee: None,
        team: None,
    };
    // A blocked sender's ticket is kept, closed as spam; nothing acts on it.
    let blocked = customer.blocked_at.is_some() && by.is_none();
    let outcome = if blocked {
        let facts = TicketFacts { status: "closed".into(), tags: vec![SPAM_TAG.to_string()], ..before.clone() };
        Outcome { facts, applied: Vec::new() }
    } else {
        rules.run(Trigger::TicketCreated, &before)
    };
    if outcome.facts.priority != explanation.level {
        // A rule set the level: the change is a term of the explanation.
        let rule = outcome
            .applied
            .iter()
            .rev()
            .find(|a| matches!(a.action, Action::SetPriority { .. }))
            .map_or("rule".to_string(), |a| a.rule.clone());
        explanation.terms.insert(
            0,
            Term {
                name: format!("rule {rule}"),
                group: "rule".into(),
                value: 1.0,
                weight: outcome.facts.priority_score - explanation.score,
                contribution: outcome.facts.priority_score - explanation.score,
                detail: format!("set priority to {}", outcome.facts.priority.as_str()),
            },
        );
        explanation.score = outcome.facts.priority_score;
        explanation.level = outcome.facts.priority;
    }
    let level = explanation.level;

    // Assignment.
    let roster = agents::list(&app.db).await?;
    let candidates: Vec<_> = roster.iter().map(|a| a.candidate()).collect();
    let need = Need { team: outcome.facts.team.clone(), skill: (new.locale != "en").then(|| new.locale.clone()) };
    let last = kv::round_robin_last(&app.kv).await?;
    let assignee = match &by {
        Some(LoggedBy { agent, assign_to_me: true }) => Some(agent.id.clone()),
        _ if blocked => None,
        _ => assign(&candidates, &need, settings.assignment, last.as_deref()).map(|a| a.id.clone()),
    };

    let due = settings.sla.due(app.now, level);
    let ticket_id = new_id()?;
    let shown = serde_json::to_string(&new.shown_articles)?;
    let tags = serde_json::to_string(&outcome.facts.tags)?;
    let explain_json = serde_json::to_string(&explanation)?;
    let features_json = serde_json::to_string(&features.values.to_vec())?;
    let status = outcome.facts.status.clone();
    let row = tickets::NewTicketRow {
        id: &ticket_id,
        site: &new.site,
        customer: &customer.id,
        idempotency_key: key,
        request_hash: &request_hash,
        subject: &new.subject,
        status: &status,
        channel: &new.channel,
        locale: &new.locale,
        page_url: new.page_url.as_deref(),
        shown_articles: &shown,
        priority_score: f64::from(explanation.score),
        priority_level: level.as_str(),
        priority_explain: &explain_json,
        priority_features: &features_json,
        assignee: assignee.as_deref(),
        team: outcome.facts.team.as_deref(),
        tags: &tags,
        automated: !outcome.applied.is_empty(),
        first_response_due: due.first_response_due,
        resolution_due: due.resolution_due,
        customer_identity: identity.map(|i| i.as_str()),
    };
    let mut statements = vec![tickets::insert_ticket_stmt(&app.db, &row, app.now)?];
    let message_id = new_id()?;
    statements.push(tickets::insert_message_stmt(
        &app.db,
        &NewMessageRow {
            id: &message_id,
            ticket: &ticket_id,
            author: "customer",
            author_id: None,
            body: &new.message,
            internal: false,
            idempotency_key: None,
        },
        app.now,
    )?);
    // Auto-replies become system messages, one millisecond later so the
    // thread keeps its order.
    let mut replies = Vec::new();
    for applied in &outcome.applied {
        if let Action::AutoReply { article } = &applied.action
            && let Some(a) = articles::get(&app.db, &new.site, article).await?
        {
            replies.push((new_id()?, format!("{}\n\n{}", a.title, a.body)));
        }
    }
    for (id, body) in &replies {
        statements.push(tickets::insert_message_stmt(
            &app.db,
            &NewMessageRow {
                id,
                ticket: &ticket_id,
                author: "system",
                author_id: None,
                body,
                internal: false,
                idempotency_key: None,
            },
            app.now + 1,
        )?);
    }
    let event_id = new_id()?;
    if let Some(session) = &new.session {
        statements.push(events::insert_for_ticket_stmt(
            &app.db,
            &events::NewEvent {
                id: &event_id,
                site: &new.site,
                session,
                kind: "escalated",
                article: None,
                question: Some(&new.message),
                confidence: None,
                ticket: Some(&ticket_id),
            },
            app.now,
        )?);
    }
    batch(&app.db, statements).await?;

    let row = tickets::by_idempotency_key(&app.db, &new.site, key)
        .await?
        .ok_or_else(|| AppError::Internal("the new ticket is missing".into()))?;
    if row.id != ticket_id {
        // Another request with this key won the race; our batch inserted
        // nothing, as every statement after the ticket depends on it.
        return replay(app, row, &request_hash).await;
    }

    if let Some(b) = &by {
        let detail = serde_json::json!({ "channel": new.channel, "assigned_to_self": b.assign_to_me });
        app.audit(&b.agent.id, "ticket.log", &row.id, detail).await?;
    }
    if let Some(a) = &assignee
        && !by.as_ref().is_some_and(|b| b.assign_to_me)
    {
        kv::set_round_robin_last(&app.kv, a).await?;
    }
    after_automation(app, &row, &outcome.applied).await?;
    // Agents' alerts; a mail's own ticket is left to `desk::mail`, which
    // first keeps the address the mail came to, which alerts may go from.
    if by.is_some() || row.channel != "email" {
        super::mail_alerts::notify(app, &row, &opened(&row), by.as_ref().map(|b| b.agent.id.as_str())).await?;
    }
    // The rules' auto-replies are mailed as an agent's replies are, when the
    // site answers by mail. A mail's own ticket is left to `desk::mail`,
    // which first keeps the address the mail came to, to send them from.
    if !replies.is_empty() && row.channel != "email" && super::mail::mailed_from(app, &row).await?.is_some() {
        super::mail::queue_auto_replies(app, &row.id).await?;
    }
    Ok(Created::New(views::created(app, &row).await?))
}

/// What agents' alerts of a new ticket say happened: it came in, and was
/// given to someone if it was.
pub(crate) fn opened(row: &TicketRow) -> Vec<Event> {
    let mut happened = vec![Event::NewTicket];
    happened.extend(row.assignee_id.is_some().then_some(Event::Assigned));
    happened
}

/// Records what automation did and sends its webhooks.
pub(crate) async fn after_automation(app: &App, row: &TicketRow, applied: &[Applied]) -> AppResult<()> {
    if applied.is_empty() {
        return Ok(());
    }
    app.audit("system", "rules.applied", &row.id, serde_json::to_value(applied)?).await?;
    for a in applied {
        if let Action::NotifyWebhook { url } = &a.action {
            let mut payload = serde_json::json!({
                "event": "ticket.rule",
                "rule": a.rule,
                "ticket": {
                    "id": row.id,
                    "site": row.site_id,
                    "subject": row.subject,
                    "status": row.status,
                    "priority": row.priority_override.clone().unwrap_or_else(|| row.priority_level.clone()),
                },
            });
            if let Some(url) = app.ticket_link(&row.id) {
                payload["ticket"]["url"] = url.into();
            }
            super::webhooks::queue(app, "ticket.rule", url, Some(&a.rule), Some(&row.id), &payload).await?;
        }
    }
    Ok(())
}
