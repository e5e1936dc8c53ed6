//! E-mail as a channel. Cloudflare Email Routing hands the worker each mail
//! sent to the support address; [`receive`] makes it a ticket, or a message
//! of the ticket it answers. An agent's reply on such a ticket is mailed
//! back from the same address by [`deliver_due`], through the `EMAIL`
//! send_email binding, and tried again by the cron until it goes.
//!
//! An answer joins a ticket only when it names the ticket (in its threading
//! headers or its subject tag, see `deflect_shared::email::reference`) and
//! comes from that ticket's customer; anything else opens a new ticket.
//! Mail a machine sent (out-of-office replies, bounces, lists) opens
//! nothing and is not answered, so two auto-responders cannot loop.

use super::files;
use super::intake::{self, Created};
use super::views;
use super::work::{self, Added, Sent};
use crate::crypto::sha256_hex;
use crate::error::{AppError, AppResult};
use crate::routes::ticket_page;
use crate::routes::{Bucket, limit_client};
use crate::state::App;
use crate::store::attachments;
use crate::store::mail::{self as store, Outgoing};
use crate::store::tickets::{self, TicketRow};
use deflect_shared::api::NewTicket;
use deflect_shared::email::{self, InboundMail, OutgoingFile, PageLink, Reply, reference};
use worker::{Context, Env, ForwardableEmailMessage};

/// Attempts at mailing a reply before it is left as failed.
pub(crate) const MAX_ATTEMPTS: i64 = 5;
/// Minutes to wait before each next attempt.
const BACKOFF_MINUTES: [i64; 4] = [1, 5, 30, 120];
/// The most replies one run mails.
const BATCH: u32 = 20;

/// What became of a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Received {
    /// It opened this ticket.
    Opened(String),
    /// It was added to this ticket.
    Added(String),
    /// It was read and left alone, for this reason.
    Ignored(String),
    /// It was refused; the sender is told this reason.
    Refused(String),
}

/// The worker's `email` event. It never fails (the runtime glue would
/// abort): a mail that cannot be taken is refused with the reason, which
/// the sender gets back as a bounce.
pub(crate) async fn on_email(message: ForwardableEmailMessage, env: Env, ctx: Context) {
    const LATER: &str = "the help desk could not take this message just now; please send it again later";
    let app = match App::new(env) {
        Ok(app) => app,
        Err(e) => {
            worker::console_error!("mail: {e:?}");
            message.set_reject(LATER);
            return;
        }
    };
    let size = message.raw_size() as usize;
    if size > email::inbound::MAX_MAIL_BYTES {
        message.set_reject(&email::MailError::TooLarge(size).to_string());
        return;
    }
    let raw = match message.raw_bytes().await {
        Ok(raw) => raw,
        Err(e) => {
            worker::console_error!("mail: reading it failed: {e:?}");
            message.set_reject(LATER);
            return;
        }
    };
    // Logged by its Message-ID, which names no one.
    let name = message.headers().get("message-id").ok().flatten().unwrap_or_default();
    match receive(&app, &message.from(), &message.to(), &raw).await {
        Ok(Received::Opened(id)) => worker::console_log!("mail {name}: opened ticket {id}"),
        Ok(Received::Added(id)) => worker::console_log!("mail {name}: added to ticket {id}"),
        Ok(Received::Ignored(why)) => worker::console_log!("mail {name}: not filed, as {why}"),
        Ok(Received::Refused(why)) => {
            worker::console_log!("mail {name}: refused, as {why}");
            message.set_reject(&why);
        }
        Err(e) => {
            worker::console_error!("mail: {e:?}");
            message.set_reject(LATER);
        }
    }
    ctx.wait_until(app.take_pending());
}

/// Reads a mail sent to `to` by `envelope_from` and files it.
pub(crate) async fn receive(app: &App, envelope_from: &str, to: &str, raw: &[u8]) -> AppResult<Received> {
    let mail = match email::parse(raw, envelope_from) {
        Ok(m) => m,
        Err(e) => return Ok(Received::Refused(e.to_string())),
    };
    if let Some(why) = mail.automatic {
        return Ok(Received::Ignored(format!("it is {why}")));
    }
    if mail.answers.iter().any(|id| reference::is_alert(id)) {
        // An agent answering an alert by mail: it would open a ticket of
        // theirs, and the customer would never read it.
        return Ok(Received::Refused(
            "this answers an alert the help desk mailed to an agent, and does not reach the customer; \
             answer the ticket in the dashboard"
                .into(),
        ));
    }
    let to = to.trim().to_lowercase();
    if mail.from == to {
        return Ok(Received::Ignored("it comes from the support address itself".into()));
    }
    // A sender's mail counts against the same limit per minute as a
    // client's new tickets and replies in the widget.
    let sender = app.key().await?.lookup_hash(&mail.from).await?;
    match limit_client(app, &format!("mail:{sender}"), Bucket::Tickets).await {
        Err(AppError::RateLimited(wait)) => {
            return Ok(Received::Refused(format!(
                "too many messages from this address in a minute; send it again in {wait} seconds"
            )));
        }
        other => other?,
    }
    // Mail to a site's reply address is that site's; any other, the first
    // site's.
    let settings = app.settings().await?;
    let Some(site) = settings
        .sites
        .iter()
        .find(|s| s.reply_address.as_deref() == Some(to.as_str()))
        .or_else(|| settings.sites.first())
    else {
        return Ok(Received::Refused("this help desk has no site to file mail under".into()));
    };
    let key = idempotency_key(&mail).await?;
    if let Some(row) = answered_ticket(app, &site.id, &mail, &sender).await? {
        let sent = Sent { author: None, body: &mail.text, internal: false, key: Some(&key), files: &[] };
        let added = match work::added_before(app, &row, sent).await {
            Ok(true) => Added::Replayed,
            Ok(false) => work::add_message(app, &row, sent).await?,
            Err(AppError::Conflict(_)) => Added::Replayed,
            Err(e) => return Err(e),
        };
        if added == Added::Replayed {
            // Files a failed first delivery did not keep are kept now.
            keep_files(app, &row.id, Some(&key), &mail).await?;
            return Ok(Received::Ignored("it was received before".into()));
        }
        store::keep_answer_id(&app.db, &row.id, &key, mail.message_id.as_deref()).await?;
        store::keep_address(&app.db, &row.id, &to).await?;
        keep_files(app, &row.id, Some(&key), &mail).await?;
        return Ok(Received::Added(row.id));
    }

    let new = NewTicket {
        site: site.id.clone(),
        email: mail.from.clone(),
        name: mail.name.clone(),
        phone: None,
        signature: None,
        subject: mail.subject.clone(),
        message: mail.text.clone(),
        shown_articles: Vec::new(),
        page_url: None,
        locale: mail.locale.to_string(),
        session: None,
        channel: "email".into(),
    };
    let fingerprint = format!("{}\n{}\n{}", mail.from, mail.subject, mail.text);
    let created = match intake::create(app, new, &fingerprint, &key, None).await {
        Ok(c) => c,
        Err(AppError::Conflict(_)) => return Ok(Received::Ignored("it was received before".into())),
        Err(e) => return Err(e),
    };
    let ticket = match created {
        Created::New(t) => t.ticket.id,
        Created::Replay(t) => {
            keep_files(app, &t.ticket.id, None, &mail).await?;
            return Ok(Received::Ignored("it was received before".into()));
        }
    };
    store::keep_address(&app.db, &ticket, &to).await?;
    store::keep_opening_id(&app.db, &ticket, mail.message_id.as_deref()).await?;
    keep_files(app, &ticket, None, &mail).await?;
    // The rules' auto-replies go back by mail too, now that the address the
    // mail came to is kept to send them from.
    queue_auto_replies(app, &ticket).await?;
    if let Some(row) = tickets::by_id(&app.db, &ticket).await? {
        super::mail_alerts::notify(app, &row, &intake::opened(&row), None).await?;
    }
    Ok(Received::Opened(ticket))
}

/// Keeps the files that came with a mail, encrypted, with the customer's
/// message it brought (see [`files::keep_with_customer_message`]).
async fn keep_files(app: &App, ticket: &str, key: Option<&str>, mail: &InboundMail) -> AppResult<()> {
    files::keep_with_customer_message(app, ticket, key, &mail.files).await
}

/// The key a mail is kept once under: its Message-ID, or a digest of what
/// it says when it has none.
async fn idempotency_key(mail: &InboundMail) -> AppResult<String> {
    let basis = match &mail.message_id {
        Some(id) => id.clone(),
        None => format!("{}\n{}\n{}", mail.from, mail.subject, mail.text),
    };
    Ok(format!("mail:{}", sha256_hex(basis.as_bytes()).await?))
}

/// The open ticket of this sender's that the mail answers, if it names one.
async fn answered_ticket(app: &App, site: &str, mail: &InboundMail, hash: &str) -> AppResult<Option<TicketRow>> {
    let mut candidates: Vec<String> =
        mail.answers.iter().filter_map(|id| reference::ticket_of(id)).map(str::to_string).collect();
    for id in mail.answers.iter().take(20) {
        candidates.extend(store::tickets_of_mail(&app.db, id).await?);
    }
    if let Some(prefix) = reference::tagged(&mail.subject) {
        let found = store::tickets_tagged(&app.db, prefix, hash, site).await?;
        if found.len() == 1 {
            candidates.extend(found);
        }
    }
    for id in candidates {
        let Some(mut row) = tickets::by_id(&app.db, &id).await? else { continue };
        // A merged ticket's thread goes on in the one it was merged into.
        for _ in 0..5 {
            match row.merged_into.clone() {
                Some(into) => match tickets::by_id(&app.db, &into).await? {
                    Some(r) => row = r,
                    None => break,
                },
                None => break,
            }
        }
        if row.site_id != site || row.status == "closed" || row.customer_erased_at.is_some() {
            continue;
        }
        if store::customer_hash(&app.db, &row.customer_id).await?.is_some_and(|h| h == hash) {
            return Ok(Some(row));
        }
    }
    Ok(None)
}

/// Whether a reply on this ticket is mailed, and from which address: the
/// one the customer wrote to; else the site's reply address (Settings);
/// else, for a ticket an agent logged as an e-mail, `DEFLECT_SUPPORT_EMAIL`.
pub(crate) async fn mailed_from(app: &App, row: &TicketRow) -> AppResult<Option<String>> {
    if let Some(a) = &row.mail_address {
        return Ok(Some(a.clone()));
    }
    let settings = app.settings().await?;
    if let Some(a) = settings.site(&row.site_id).and_then(|s| s.reply_address.clone()) {
        return Ok(Some(a));
    }
    Ok(support_address(app).filter(|_| row.channel == "email"))
}

/// The support address replies come from when the ticket has none of its
/// own (`DEFLECT_SUPPORT_EMAIL`).
pub(crate) fn support_address(app: &App) -> Option<String> {
    app.env.var("DEFLECT_SUPPORT_EMAIL").ok().map(|v| v.to_string()).filter(|v| v.contains('@'))
}

/// Marks a new reply (or auto-reply) to be mailed, and mails it once the
/// response is sent.
pub(crate) async fn queue(app: &App, message: &str) -> AppResult<()> {
    store::queue(&app.db, message, app.now).await?;
    deliver_soon(app);
    Ok(())
}

/// Marks a new ticket's auto-replies (the rules' articles) to be mailed,
/// and mails them once the response is sent; most tickets have none, and
/// then there is nothing to send.
pub(crate) async fn queue_auto_replies(app: &App, ticket: &str) -> AppResult<()> {
    if store::queue_auto_replies(&app.db, ticket, app.now).await? > 0 {
        deliver_soon(app);
    }
    Ok(())
}

/// Mails what is due once the response is sent.
pub(crate) fn deliver_soon(app: &App) {
    app.defer_job("mail delivery", |app| async move { deliver_due(&app).await });
}

/// Minutes to wait after this attempt (counted from 1) before the next.
pub(crate) fn backoff_minutes(attempt: i64) -> i64 {
    usize::try_from(attempt - 1).ok().and_then(|i| BACKOFF_MINUTES.get(i)).copied().unwrap_or(240)
}

/// Mails the replies that are due (new, or failed and due again); returns
/// how many went.
///
/// Each attempt is claimed first: the reply is marked `sending` and its
/// attempt count moved on by a compare-and-set, so the cron and a
/// request's own attempt do not both send it. The claim lasts until the
/// next attempt would be due; an attempt that never finished (its worker
/// was stopped) is then taken up again.
pub(crate) async fn deliver_due(app: &App) -> AppResult<usize> {
    store::fail_lapsed_last(&app.db, app.now, MAX_ATTEMPTS, "the last attempt did not finish").await?;
    let mut sent = 0;
    for m in store::due(&app.db, app.now, MAX_ATTEMPTS, BATCH).await? {
        let attempt = m.delivery_attempts as i64 + 1;
        let until = app.now + backoff_minutes(attempt) * 60_000;
        if store::claim(&app.db, &m.id, attempt, until).await? && attempt_claimed(app, &m, attempt).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Mails a reply that could not be mailed again now, at an agent's
/// request. Its attempts start again from one, so if this one fails too
/// the cron goes on trying on the usual schedule.
pub(crate) async fn send_again(app: &App, ticket: &TicketRow, message: &str) -> AppResult<()> {
    match store::delivery(&app.db, &ticket.id, message).await? {
        None => return Err(AppError::NotFound(format!("there is no message {message} on this ticket"))),
        Some(None) => return Err(AppError::Conflict("this message is not one that is e-mailed".into())),
        Some(Some(state)) => match state.as_str() {
            "failed" => {}
            "sent" => return Err(AppError::Conflict("this reply was e-mailed already".into())),
            _ => return Err(AppError::Conflict("this reply is being e-mailed now".into())),
        },
    }
    if ticket.customer_erased_at.is_some() {
        return Err(AppError::Conflict("the customer's data was erased, so there is no address to mail".into()));
    }
    if !store::claim_failed(&app.db, message, app.now + backoff_minutes(1) * 60_000).await? {
        return Err(AppError::Conflict("this reply is being e-mailed now".into()));
    }
    let m = store::outgoing(&app.db, message)
        .await?
        .ok_or_else(|| AppError::Internal(format!("message {message} went while it was mailed")))?;
    attempt_claimed(app, &m, 1).await?;
    Ok(())
}

/// Makes an attempt this run has claimed and records how it went (unless
/// the claim lapsed and another run took the reply up meanwhile); whether
/// the mail went.
async fn attempt_claimed(app: &App, m: &Outgoing, attempt: i64) -> AppResult<bool> {
    let outcome = send(app, m).await;
    let error = outcome.as_ref().err().map(|e| e.to_string().chars().take(300).collect::<String>());
    let state = if outcome.is_ok() { "sent" } else { "failed" };
    store::finish(&app.db, &m.id, attempt, state, error.as_deref()).await?;
    Ok(outcome.is_ok())
}

/// Why a reply could not be mailed, in words for the agent.
#[derive(Debug)]
struct NotSent(String);

impl std::fmt::Display for NotSent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

async fn send(app: &App, m: &Outgoing) -> Result<(), NotSent> {
    let fail = |e: AppError| {
        worker::console_error!("mail delivery: {e:?}");
        NotSent(e.message())
    };
    let row = tickets::by_id(&app.db, &m.ticket_id)
        .await
        .map_err(fail)?
        .ok_or_else(|| NotSent("the ticket is gone".into()))?;
    if row.customer_erased_at.is_some() {
        return Err(NotSent("the customer's data was erased".into()));
    }
    let from = mailed_from(app, &row).await.map_err(fail)?.ok_or_else(|| {
        NotSent("no address to send from is set (the site's reply address, or DEFLECT_SUPPORT_EMAIL)".into())
    })?;
    let data_key = app.key().await.map_err(fail)?;
    let to = data_key.decrypt(&row.customer_email_enc).await.map_err(fail)?;
    let references = store::thread(&app.db, &row.id, &m.id).await.map_err(fail)?;
    let mail_id = reference::message_id(&row.id, &m.id, reference::domain(&from));
    let settings = app.settings().await.map_err(fail)?;
    let site = settings.site(&row.site_id).map_or_else(|| row.site_id.clone(), |s| s.name.clone());
    let from_name = match &m.author_name {
        Some(agent) => format!("{agent} at {site}"),
        None => site,
    };
    let subject = reference::reply_subject(&row.subject, &row.id);
    // The customer's page of the request, to answer from a browser or rate
    // the help once it is solved.
    let page = match app.public_url() {
        Some(base) => Some(ticket_page::link(&base, &row, &views::ticket_token(app, &row.id).await.map_err(fail)?)),
        None => None,
    };
    // A rating request not yet answered offers a link per score.
    let asks_rating = m.idempotency_key.as_deref() == Some(deflect_shared::rating_request::KEY) && row.csat.is_none();
    let body = match &page {
        Some(url) if asks_rating => format!("{}\n\n{}", m.body.trim_end(), ticket_page::score_links(&row.locale, url)),
        _ => m.body.clone(),
    };
    // The agent's files go with the reply.
    let mut kept = Vec::new();
    for (file, stored) in attachments::of_message(&app.db, &m.id).await.map_err(fail)? {
        let bytes = super::files::contents(app, &file, stored).await.map_err(fail)?;
        kept.push((file, bytes));
    }
    let files: Vec<OutgoingFile<'_>> =
        kept.iter().map(|(f, bytes)| OutgoingFile { name: &f.name, content_type: &f.content_type, bytes }).collect();
    let raw = email::compose(&Reply {
        from: &from,
        from_name: &from_name,
        to: &to,
        to_name: row.customer_name.as_deref(),
        subject: &subject,
        message_id: &mail_id,
        references: &references,
        body: &body,
        link: page.as_deref().map(|url| PageLink { words: ticket_page::words(&row.locale).mail_link, url }),
        sent_at: app.now,
        files: &files,
    });
    store::set_mail_id(&app.db, &m.id, &mail_id).await.map_err(fail)?;
    let binding = app.env.send_email("EMAIL").map_err(|e| NotSent(format!("the EMAIL binding is missing: {e}")))?;
    let message = worker::EmailMessage::new(&from, &to, &raw)
        .map_err(|e| NotSent(format!("the mail was refused: {}", String::from(e.message()))))?;
    binding.send(&message).await.map_err(|e| NotSent(format!("sending failed: {}", String::from(e.message()))))?;
    Ok(())
}
