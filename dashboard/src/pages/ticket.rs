//! One ticket: the thread, replies and internal notes, status, assignment,
//! priority override, the article that solved it, and the customer's
//! record and history.

use super::{Explain, Notice};
use crate::api;
use crate::app::Session;
use crate::mention_box::MentionBox;
use crate::storage;
use crate::time::{sla, stamp};
use deflect_shared::api::{
    AgentView, ArticleView, Attachment, Author, CustomerUpdate, Following, Identity, MergeTickets, Message, NewMessage,
    PresenceUpdate, QueueItem, SPAM_TAG, SlaView, Status, TicketDetail, TicketThread, TicketUpdate, Viewer,
};
use deflect_shared::attachment::{served_type, size_in_words};
use deflect_shared::markdown::{Inline, links, plain};
use deflect_shared::mention;
use deflect_shared::priority::Level;
use deflect_shared::saved_reply::{ReplyFacts, SavedReply};
use leptos::prelude::*;

fn patch(
    id: String,
    update: TicketUpdate,
    detail: RwSignal<Option<Result<TicketDetail, String>>>,
    note: RwSignal<Option<String>>,
) {
    leptos::task::spawn_local(async move {
        match api::call::<_, QueueItem>("PATCH", &format!("/v1/agent/tickets/{}", api::enc(&id)), &update).await {
            Ok(_) => {
                note.set(Some("Saved.".into()));
                load(id, detail, note);
            }
            Err(e) => note.set(Some(e.message)),
        }
    });
}

/// Loads the ticket into `detail`. A page already showing it keeps it when
/// a load fails (the network, a moment's error) and says so in `note`; only
/// a first load shows the error in its place.
fn load(id: String, detail: RwSignal<Option<Result<TicketDetail, String>>>, note: RwSignal<Option<String>>) {
    leptos::task::spawn_local(async move {
        let got = api::get::<TicketDetail>(&format!("/v1/agent/tickets/{}", api::enc(&id))).await;
        match got {
            Err(e) if detail.try_with_untracked(|d| matches!(d, Some(Ok(_)))) == Some(true) => {
                note.try_set(Some(format!(
                    "The ticket could not be loaded again ({}); what is shown may be out of date.",
                    e.message
                )));
            }
            got => {
                detail.try_set(Some(got.map_err(|e| e.message)));
            }
        }
    });
}

/// Adds `text` to the reply being written, on a line of its own.
fn append(reply: RwSignal<String>, text: &str) {
    reply.update(|r| {
        if !r.is_empty() && !r.ends_with('\n') {
            r.push('\n');
        }
        r.push_str(text);
    });
}

/// The help centre's address of an article, on this edge.
fn article_url(site: &str, article: &str) -> String {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    format!("{origin}/help/{}/articles/{}", api::enc(site), api::enc(article))
}

/// A message as text with its web addresses as links (opened in a new tab,
/// with no referrer).
fn linked(body: &str) -> impl IntoView + use<> {
    links(body)
        .into_iter()
        .map(|i| match i {
            Inline::Link { text, href } => {
                view! { <a href=href target="_blank" rel="noopener noreferrer">{text}</a> }.into_any()
            }
            other => plain(&[other]).into_any(),
        })
        .collect_view()
}

/// The conversation a ticket page shows: its messages and their files.
type Shown = (Vec<Message>, Vec<Attachment>);

#[component]
fn Thread(
    /// The messages and their files, drawn again (alone) when they change.
    thread: RwSignal<Shown>,
    /// The ticket they belong to.
    ticket: String,
    /// The ticket shown, loaded again after a reply is mailed again.
    detail: RwSignal<Option<Result<TicketDetail, String>>>,
    /// Where the outcome of an action is said.
    note: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <ol class="thread">
            {move || {
            let (messages, files) = thread.get();
            messages.into_iter().map(|m| {
                let class = match (m.author, m.internal) {
                    (_, true) => "msg note",
                    (Author::Customer, _) => "msg customer",
                    (Author::Agent, _) => "msg agent",
                    (Author::System, _) => "msg system",
                };
                let who = m.author_name.clone().unwrap_or_else(|| format!("{:?}", m.author).to_lowercase());
                let own: Vec<Attachment> = files.iter().filter(|f| f.message.as_deref() == Some(m.id.as_str())).cloned().collect();
                view! {
                    <li class=class>
                        <div class="meta">
                            <strong>{who}</strong>
                            {m.internal.then(|| view! { <span class="tag">"internal note"</span> })}
                            <span class="muted">{stamp(m.created_at)}</span>
                            {delivery(m.delivery.as_deref(), m.delivery_error.as_deref())}
                            {(m.delivery.as_deref() == Some("failed")).then(|| {
                                let (ticket, message) = (ticket.clone(), m.id.clone());
                                view! {
                                    <button type="button" class="link mail-again"
                                        on:click=move |_| mail_again(ticket.clone(), message.clone(), detail, note)>
                                        "Send again"
                                    </button>
                                }
                            })}
                        </div>
                        <div class="body">{linked(&m.body)}</div>
                        {(!own.is_empty()).then(|| view! { <Files ticket=ticket.clone() files=own /> })}
                    </li>
                }
            }).collect_view()
            }}
        </ol>
    }
}

/// The files kept with a message, each a link that saves it (the edge
/// serves them as attachments, so none opens as a page here).
#[component]
fn Files(
    /// The ticket.
    ticket: String,
    /// Its files.
    files: Vec<Attachment>,
) -> impl IntoView {
    view! {
        <ul class="files" aria-label="Attached files">
            {files.into_iter().map(|f| {
                let href = format!("/v1/agent/tickets/{}/attachments/{}", api::enc(&ticket), api::enc(&f.id));
                // Pictures show small beside their name (an <img> shows
                // one whatever its Content-Disposition says).
                let picture = served_type(&f.content_type).starts_with("image/");
                let thumb = picture.then(|| view! { <img class="thumb" src=href.clone() alt="" loading="lazy" /> });
                view! {
                    <li>
                        {thumb}
                        <a href=href download=f.name.clone()>{f.name.clone()}</a>
                        " "<span class="muted">{size_in_words(f.size)}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// Uploads the files picked for a reply, one request each; each one that
/// arrives is listed to go with the reply, and one that does not is said.
fn upload_files(
    ticket: &str,
    ev: leptos::ev::Event,
    uploads: RwSignal<Vec<Attachment>>,
    uploading: RwSignal<u32>,
    note: RwSignal<Option<String>>,
) {
    let Some(input) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
    else {
        return;
    };
    let Some(list) = input.files() else { return };
    let picked: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
    // Cleared, so picking the same file again uploads it again.
    input.set_value("");
    for file in picked {
        let path = format!("/v1/agent/tickets/{}/attachments?name={}", api::enc(ticket), api::enc(&file.name()));
        uploading.update(|n| *n += 1);
        leptos::task::spawn_local(async move {
            match api::upload::<Attachment>(&path, &file).await {
                Ok(f) => uploads.update(|u| u.push(f)),
                Err(e) => note.set(Some(format!("{} was not attached: {}", file.name(), e.message))),
            }
            uploading.update(|n| *n = n.saturating_sub(1));
        });
    }
}

/// Whether a reply went out by mail: said in words, with the reason when
/// it did not.
fn delivery(state: Option<&str>, error: Option<&str>) -> Option<impl IntoView + use<>> {
    let (class, words) = match state? {
        "sent" => ("tag delivery sent", "e-mailed".to_string()),
        "pending" => ("tag delivery", "e-mail on its way".to_string()),
        _ => ("tag delivery failed", format!("e-mail not sent: {}", error.unwrap_or("no reason given"))),
    };
    Some(view! { <span class=class>{words}</span> })
}

/// Mails a reply that could not be mailed again now, and says how it went.
fn mail_again(
    ticket: String,
    message: String,
    detail: RwSignal<Option<Result<TicketDetail, String>>>,
    note: RwSignal<Option<String>>,
) {
    leptos::task::spawn_local(async move {
        let path = format!("/v1/agent/tickets/{}/messages/{}/send", api::enc(&ticket), api::enc(&message));
        match api::call::<_, Vec<Message>>("POST", &path, &()).await {
            Ok(thread) => {
                note.set(Some(match thread.iter().find(|m| m.id == message) {
                    Some(m) if m.delivery.as_deref() == Some("sent") => "The reply was e-mailed.".to_string(),
                    Some(m) => format!(
                        "The reply was not sent again: {}. It will be tried again in a minute.",
                        m.delivery_error.as_deref().unwrap_or("no reason given")
                    ),
                    None => "The reply is no longer on this ticket.".to_string(),
                }));
                // The answer is the thread as it now stands.
                detail.update(|d| {
                    if let Some(Ok(d)) = d {
                        d.messages = thread;
                    }
                });
            }
            Err(e) => {
                note.set(Some(e.message));
                load(ticket, detail, note);
            }
        }
    });
}

/// How often an open ticket page asks for its thread.
const THREAD_REFRESH: std::time::Duration = std::time::Duration::from_secs(10);

/// What arrived in `now` that `shown` lacks, in words ("New: a message
/// from Jane Doe."), leaving out the caller's own (the agent `me`); `None`
/// when nothing did.
fn arrived(shown: &[Message], now: &[Message], me: Option<&str>) -> Option<String> {
    let new: Vec<&Message> = now
        .iter()
        .filter(|m| !shown.iter().any(|s| s.id == m.id))
        .filter(|m| m.agent_id.is_none() || m.agent_id.as_deref() != me)
        .collect();
    let newest = new.last()?;
    let who = match (newest.author, newest.internal) {
        (_, true) => format!("a note from {}", newest.author_name.as_deref().unwrap_or("a teammate")),
        (Author::Customer, _) => format!("a message from {}", newest.author_name.as_deref().unwrap_or("the customer")),
        (Author::Agent, _) => format!("a reply from {}", newest.author_name.as_deref().unwrap_or("a teammate")),
        (Author::System, _) => "a message from the desk".to_string(),
    };
    Some(match new.len() {
        1 => format!("New: {who}."),
        n => format!("{n} new messages, the newest {who}."),
    })
}

/// What the ticket page shows: loading, why the ticket could not load, or
/// the ticket.
#[derive(Debug, Clone, PartialEq)]
enum Frame {
    Loading,
    Failed(String),
    Shown,
}

/// The heading part of a ticket's page.
#[derive(Debug, Clone, PartialEq)]
struct Head {
    subject: String,
    site: String,
    channel: String,
    locale: String,
    page_url: Option<String>,
    erased_at: Option<i64>,
    merged_into: Option<String>,
}

type Detail = RwSignal<Option<Result<TicketDetail, String>>>;

/// One part of the loaded ticket, as a memo (`None` until it loads): what
/// shows it is drawn again only when it changes.
fn part<T: Clone + PartialEq + Send + Sync + 'static>(
    detail: Detail,
    of: impl Fn(&TicketDetail) -> T + Send + Sync + 'static,
) -> Memo<Option<T>> {
    Memo::new(move |_| detail.with(|d| d.as_ref().and_then(|r| r.as_ref().ok()).map(&of)))
}

/// How long an agent can snooze a ticket for, in hours, and its words.
const SNOOZES: [(u32, &str); 5] =
    [(1, "for an hour"), (4, "for 4 hours"), (24, "for a day"), (72, "for 3 days"), (168, "for a week")];

#[component]
pub fn TicketPage(
    /// Ticket id.
    id: String,
) -> impl IntoView {
    let detail = RwSignal::new(None::<Result<TicketDetail, String>>);
    let agents = RwSignal::new(Vec::<AgentView>::new());
    let articles = RwSignal::new(Vec::<ArticleView>::new());
    let saved = RwSignal::new(Vec::<SavedReply>::new());
    let session = use_context::<Session>();
    let note = RwSignal::new(None::<String>);
    // The reply being written is kept in this browser until it is sent, so
    // a reload, a crash or a look at another ticket does not lose it.
    let draft_key = format!("deflect.dashboard.draft.{id}");
    let reply = RwSignal::new(storage::get(&draft_key).unwrap_or_default());
    Effect::new(move |_| {
        let text = reply.get();
        if text.trim().is_empty() {
            storage::remove(&draft_key);
        } else {
            storage::set(&draft_key, &text);
        }
    });
    let internal = RwSignal::new(false);
    // Files uploaded for the reply being written, and how many are still
    // on their way.
    let uploads = RwSignal::new(Vec::<Attachment>::new());
    let uploading = RwSignal::new(0u32);
    // The last reply sent and its key: sent again unchanged (after an
    // error, or a double click), it goes under the same key, so the edge
    // keeps it once.
    let attempt = StoredValue::new(None::<(String, bool, String)>);
    // A saved reply picked that also changes the ticket once sent (a
    // macro): applied after the reply goes, unless the agent drops it.
    let then = RwSignal::new(None::<SavedReply>);
    load(id.clone(), detail, note);
    // The conversation shown: set by each load of the ticket and, between
    // loads, by the thread the page asks for every few seconds, so what
    // arrives meanwhile shows without drawing the page (and the reply
    // being written) again.
    let thread = RwSignal::new(Shown::default());
    // The SLA clock, as loaded and then as the thread's answers tell it.
    let clock = RwSignal::new(None::<SlaView>);
    // What arrived, said once; and whether the ticket itself changed.
    let news = RwSignal::new(None::<String>);
    let changed = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(d)) = detail.get() {
            thread.set((d.messages, d.attachments));
            clock.set(Some(d.ticket.sla));
            changed.set(false);
        }
    });
    let refresh = {
        let id = id.clone();
        move || {
            let hidden = web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden());
            if hidden {
                return;
            }
            let id = id.clone();
            let me = session.and_then(|s| s.me.get_untracked()).map(|m| m.id);
            leptos::task::spawn_local(async move {
                let path = format!("/v1/agent/tickets/{}/thread", api::enc(&id));
                let Ok(now) = api::get::<TicketThread>(&path).await else { return };
                // The page may have closed meanwhile.
                let (Some((shown, files)), Some(Some(Ok(d)))) =
                    (thread.try_get_untracked(), detail.try_get_untracked())
                else {
                    return;
                };
                // An answer from before the page's last load (sent before a
                // reply or change of this page's went) is old news.
                if now.updated_at < d.ticket.updated_at {
                    return;
                }
                clock.set(Some(now.sla));
                if let Some(said) = arrived(&shown, &now.messages, me.as_deref()) {
                    news.set(Some(said));
                }
                let newest = now.messages.last().map_or(0, |m| m.created_at);
                if now.updated_at > d.ticket.updated_at.max(newest) {
                    changed.set(true);
                }
                if (shown, files) != (now.messages.clone(), now.attachments.clone()) {
                    thread.set((now.messages, now.attachments));
                }
            });
        }
    };
    let refreshing = set_interval_with_handle(refresh, THREAD_REFRESH).ok();
    on_cleanup(move || {
        if let Some(h) = refreshing {
            h.clear();
        }
    });
    leptos::task::spawn_local(async move {
        if let Ok(a) = api::get::<Vec<AgentView>>("/v1/agent/agents").await {
            agents.set(a);
        }
        if let Ok(a) = api::get::<Vec<ArticleView>>("/v1/agent/articles").await {
            articles.set(a);
        }
        if let Ok(r) = api::get::<Vec<SavedReply>>("/v1/agent/saved-replies").await {
            saved.set(r);
        }
    });
    // Presence: tell the team this page is open (and whether a reply is
    // being written) every ten seconds, and show who else is here.
    let viewers = RwSignal::new(Vec::<Viewer>::new());
    let beat = {
        let id = id.clone();
        move |typing: bool, leaving: bool| {
            let id = id.clone();
            leptos::task::spawn_local(async move {
                let path = format!("/v1/agent/tickets/{}/presence", api::enc(&id));
                if let Ok(v) = api::call::<_, Vec<Viewer>>("POST", &path, &PresenceUpdate { typing, leaving }).await
                    && !leaving
                {
                    // The page may have closed meanwhile.
                    viewers.try_set(v);
                }
            });
        }
    };
    let typing_now = move || reply.try_get_untracked().is_some_and(|r| !r.trim().is_empty());
    beat(false, false);
    let handle = {
        let beat = beat.clone();
        set_interval_with_handle(move || beat(typing_now(), false), std::time::Duration::from_secs(10)).ok()
    };
    let typing_sent = StoredValue::new(false);
    Effect::new({
        let beat = beat.clone();
        move |_| {
            let typing = !reply.get().trim().is_empty();
            if typing_sent.try_get_value() != Some(typing) {
                typing_sent.try_set_value(typing);
                beat(typing, false);
            }
        }
    });
    on_cleanup({
        let beat = beat.clone();
        move || {
            if let Some(h) = handle {
                h.clear();
            }
            beat(false, true);
        }
    });
    let send = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            // The newest message shown: if someone wrote since, the edge
            // refuses (409) and the thread is reloaded, the draft kept.
            let seen_up_to = thread.get_untracked().0.last().map(|m| m.id.clone());
            if uploading.get_untracked() > 0 {
                note.set(Some("Wait until the files are uploaded, then send.".into()));
                return;
            }
            let attachments = uploads.get_untracked().into_iter().map(|f| f.id).collect();
            let body =
                NewMessage { body: reply.get_untracked(), internal: internal.get_untracked(), seen_up_to, attachments };
            let key = match attempt.get_value() {
                Some((text, internal, key)) if text == body.body && internal == body.internal => key,
                _ => api::new_idempotency_key("reply"),
            };
            attempt.set_value(Some((body.body.clone(), body.internal, key.clone())));
            let staged = then.get_untracked();
            let id = id.clone();
            leptos::task::spawn_local(async move {
                match api::call_with::<_, Vec<Message>>(
                    "POST",
                    &format!("/v1/agent/tickets/{}/messages", api::enc(&id)),
                    &body,
                    &[("idempotency-key", &key)],
                )
                .await
                {
                    Ok(_) => {
                        attempt.try_set_value(None);
                        reply.set(String::new());
                        uploads.set(Vec::new());
                        // What arrived before has been answered.
                        news.set(None);
                        note.set(Some(if body.internal { "Note added." } else { "Reply sent." }.into()));
                        let tags =
                            detail.get_untracked().and_then(|d| d.ok()).map(|d| d.ticket.tags).unwrap_or_default();
                        // A macro goes with the reply to the customer, not with a note.
                        let staged = staged.filter(|_| !body.internal);
                        if staged.is_some() {
                            then.try_set(None);
                        }
                        let follow_up = staged.and_then(|r| Some((r.follow_up(&tags)?, r.follow_up_words()?)));
                        if let Some((update, words)) = follow_up {
                            let path = format!("/v1/agent/tickets/{}", api::enc(&id));
                            note.set(Some(match api::call::<_, QueueItem>("PATCH", &path, &update).await {
                                Ok(_) => format!("Reply sent; the ticket is {words}."),
                                Err(e) => format!("Reply sent, but the ticket was not changed: {}", e.message),
                            }));
                        }
                        load(id, detail, note);
                    }
                    Err(e) => {
                        if e.status == 409 {
                            load(id, detail, note);
                        }
                        note.set(Some(e.message));
                    }
                }
            });
        }
    };
    let id_for_view = id.clone();
    let (id_for_suggested, id_for_snooze, id_for_follow, id_for_actions) =
        (id.clone(), id.clone(), id.clone(), id.clone());
    // The page's frame, and what it shows of the ticket part by part: a
    // load (after a change made here, or "Show the changes") runs again
    // only the parts whose data changed, so what the others hold unsaved (a
    // plan being typed, a spam confirmation half done, the reply) stays.
    let frame = Memo::new(move |_| {
        detail.with(|d| match d {
            None => Frame::Loading,
            Some(Err(e)) => Frame::Failed(e.clone()),
            Some(Ok(_)) => Frame::Shown,
        })
    });
    let head = part(detail, |d| Head {
        subject: d.ticket.subject.clone(),
        site: d.ticket.site.clone(),
        channel: d.channel.clone(),
        locale: d.locale.clone(),
        page_url: d.page_url.clone(),
        erased_at: d.customer.erased_at,
        merged_into: d.merged_into.clone(),
    });
    let suggested = part(detail, |d| (d.ticket.site.clone(), d.suggested_articles.clone()));
    let status_part = part(detail, |d| (d.ticket.status.as_str().to_string(), d.ticket.snoozed_until));
    let followers = part(detail, |d| d.followers.clone());
    let assignee = part(detail, |d| d.ticket.assignee.clone().unwrap_or_default());
    let priority = part(detail, |d| {
        (
            d.ticket.priority_override.map(|l| l.as_str().to_string()).unwrap_or_default(),
            d.ticket.explanation.level.as_str().to_string(),
        )
    });
    let tags = part(detail, |d| d.ticket.tags.join(", "));
    let solved = part(detail, |d| d.solved_by_article.clone().unwrap_or_default());
    let rating = part(detail, |d| d.csat.map(|r| (r, d.csat_comment.clone())));
    let shown = part(detail, |d| d.shown_articles.clone());
    let explanation = part(detail, |d| d.ticket.explanation.clone());
    let customer = part(detail, |d| (d.customer.clone(), d.customer_identity));
    let actions = part(detail, |d| {
        let open = d.merged_into.is_none() && d.customer.erased_at.is_none();
        let others: Vec<(String, String)> = d
            .customer
            .tickets
            .iter()
            .filter(|h| open && h.id != d.ticket.id && h.status != "closed")
            .map(|h| (h.id.clone(), h.subject.clone()))
            .collect();
        (others, open && !d.ticket.tags.iter().any(|g| g == SPAM_TAG))
    });
    // The plan being edited follows the record's plan as it loads (and
    // only that: a load that changes something else keeps what is typed).
    let stored_plan = part(detail, |d| d.customer.plan.clone().unwrap_or_default());
    let plan = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(p) = stored_plan.get() {
            plan.set(p);
        }
    });
    // What a saved reply is filled in with, as the ticket now stands.
    let facts = move || {
        let agent_name = session.and_then(|s| s.me.get_untracked()).map(|m| m.name).unwrap_or_default();
        detail.with_untracked(|d| {
            d.as_ref().and_then(|r| r.as_ref().ok()).map(|d| ReplyFacts {
                customer_name: d.customer.name.clone(),
                customer_email: d.customer.email.clone().unwrap_or_default(),
                agent_name,
                ticket_id: d.ticket.id.clone(),
                ticket_subject: d.ticket.subject.clone(),
            })
        })
    };
    let show_changes = {
        let id = id.clone();
        move |_| load(id.clone(), detail, note)
    };
    view! {
        <section class="ticket-page">
            <p><a href="#/queue">"← Queue"</a></p>
            <Notice note=note />
            <Notice note=news />
            <Show when=move || changed.get()>
                <p class="notice" role="status" id="changed-notice">
                    "A teammate or a rule changed this ticket since it was shown. "
                    <button type="button" class="link" on:click=show_changes.clone()>"Show the changes"</button>
                    " (the reply you are writing is kept)"
                </p>
            </Show>
            {move || {
                let v = viewers.get();
                (!v.is_empty()).then(|| view! { <p class="notice" role="status" id="presence">{presence_line(&v)}</p> })
            }}
            {move || match frame.get() {
                Frame::Loading => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Frame::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Frame::Shown => {
                    let id = id_for_view.clone();
                    let (id_for_suggested, id_for_snooze, id_for_follow, id_for_actions) =
                        (id_for_suggested.clone(), id_for_snooze.clone(), id_for_follow.clone(), id_for_actions.clone());
                    let (id1, id2, id3, id4, id5) = (id.clone(), id.clone(), id.clone(), id.clone(), id.clone());
                    let send = send.clone();
                    view! {
                        <div class="ticket-grid">
                            <div class="main-col">
                                {move || head.get().map(|h| view! {
                                    <h1>{h.subject}</h1>
                                    <p class="muted">
                                        {format!("{} · {} · {}", h.site, h.channel, h.locale)}
                                        {h.page_url.map(|u| view! { " · from " <span class="url">{u}</span> })}
                                    </p>
                                    {h.erased_at.map(|at| view! {
                                        <p class="notice" role="status" id="erased-notice">
                                            "The customer's personal data was erased on " {stamp(at)}
                                            ". This ticket keeps its times and status for the figures, and takes no more messages."
                                        </p>
                                    })}
                                    {h.merged_into.map(|into| view! {
                                        <p class="notice" role="status" id="merged-notice">
                                            "This ticket was merged into "
                                            <a href=format!("#/ticket/{into}")>"another of the customer's tickets"</a>
                                            "; the conversation continues there."
                                        </p>
                                    })}
                                })}
                                <Thread thread=thread ticket=id.clone() detail=detail note=note />
                                {move || suggested.get().filter(|(_, list)| !list.is_empty()).map(|(site, list)| {
                                    let tid = id_for_suggested.clone();
                                    view! {
                                        <section class="suggested" aria-labelledby="suggested-h">
                                            <h2 id="suggested-h">"Articles that may answer this"</h2>
                                            <ul>
                                                {list.into_iter().map(|a| {
                                                    let url = article_url(&site, &a.id);
                                                    let line = format!("{}: {url}", a.title);
                                                    let (tid, aid) = (tid.clone(), a.id.clone());
                                                    let insert_label = format!("Insert a link to {} in the reply", a.title);
                                                    let solve_label = format!("Mark {} as the article that solved this", a.title);
                                                    view! {
                                                        <li>
                                                            <a href=url target="_blank" rel="noopener noreferrer">{a.title.clone()}</a>
                                                            {a.shown_to_customer.then(|| view! { <span class="tag">"the widget showed it"</span> })}
                                                            <button type="button" class="link" aria-label=insert_label on:click=move |_| {
                                                                append(reply, &line);
                                                            }>"Insert link"</button>
                                                            <button type="button" class="link" aria-label=solve_label on:click=move |_| {
                                                                patch(tid.clone(), TicketUpdate { solved_by_article: Some(aid.clone()), ..Default::default() }, detail, note);
                                                            }>"Solved by this"</button>
                                                        </li>
                                                    }
                                                }).collect_view()}
                                            </ul>
                                        </section>
                                    }
                                })}
                                <form class="reply" on:submit=send>
                                    {move || (!saved.get().is_empty()).then(|| {
                                        view! {
                                            <label for="saved-reply">"Insert a saved reply"</label>
                                            <select id="saved-reply" on:change=move |ev| {
                                                let pick = event_target_value(&ev);
                                                if let (Some(r), Some(facts)) = (saved.get_untracked().into_iter().find(|r| r.title == pick), facts()) {
                                                    append(reply, &r.render(&facts));
                                                    if r.follow_up_words().is_some() {
                                                        then.set(Some(r));
                                                    }
                                                }
                                                // Back to the prompt, so the same reply can be picked again.
                                                if let Some(el) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlSelectElement>(t).ok()) {
                                                    el.set_value("");
                                                }
                                            }>
                                                <option value="" selected=true>"—"</option>
                                                {saved.get().into_iter().map(|r| view! { <option value=r.title.clone()>{r.title.clone()}</option> }).collect_view()}
                                            </select>
                                        }
                                    })}
                                    {move || then.get().and_then(|r| r.follow_up_words()).map(|words| view! {
                                        <p class="notice" id="then">
                                            {format!("Once the reply is sent, the ticket will be {words}.")}
                                            " "
                                            <button type="button" class="link" on:click=move |_| then.set(None)>"Only send the text"</button>
                                        </p>
                                    })}
                                    <label for="reply">"Reply to the customer, or write an internal note"</label>
                                    <MentionBox reply=reply internal=internal agents=agents />
                                    <label class="inline"><input type="checkbox" prop:checked=move || internal.get() on:change=move |ev| internal.set(event_target_checked(&ev)) />" internal note (not shown to the customer)"</label>
                                    <Show when=move || !internal.get() && session.is_some_and(|s| s.me.with(|m| m.as_ref().is_some_and(|m| m.signature.is_some())))>
                                        <p class="muted" id="signature-note">"Your signature goes below it (change it on "<a href="#/account">"your account page"</a>")."</p>
                                    </Show>
                                    <Show when=move || internal.get()>
                                        <label for="mention">"Mention a teammate: they are mailed the note (unless they turned that off)"</label>
                                        <select id="mention" prop:value="" on:change=move |ev| {
                                            let chosen = event_target_value(&ev);
                                            if chosen.is_empty() {
                                                return;
                                            }
                                            reply.update(|r| {
                                                let gap = if r.is_empty() || r.ends_with(char::is_whitespace) { "" } else { " " };
                                                r.push_str(&format!("{gap}@{} ", mention::handle(&chosen)));
                                            });
                                            // Back to the prompt, to mention another.
                                            if let Some(select) = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlSelectElement>(t).ok()) {
                                                select.set_value("");
                                            }
                                        }>
                                            <option value="">"Choose a teammate…"</option>
                                            {move || agents.get().into_iter().filter(|a| a.active).map(|a| {
                                                let label = format!("{} (@{})", a.name, mention::handle(&a.email));
                                                view! { <option value=a.email.clone()>{label}</option> }
                                            }).collect_view()}
                                        </select>
                                    </Show>
                                    <label for="reply-files">"Attach files (up to 8 MB each; the customer gets them by e-mail and on their page of the request)"</label>
                                    <input type="file" id="reply-files" multiple on:change={
                                        let id = id.clone();
                                        move |ev| upload_files(&id, ev, uploads, uploading, note)
                                    } />
                                    <ul class="uploads" aria-label="Files to send">
                                        {move || uploads.get().into_iter().map(|f| {
                                            let gone = f.id.clone();
                                            view! {
                                                <li>
                                                    {f.name.clone()}" "<span class="muted">{size_in_words(f.size)}</span>" "
                                                    <button type="button" class="link" aria-label=format!("Remove {}", f.name)
                                                        on:click=move |_| uploads.update(|u| u.retain(|x| x.id != gone))>"Remove"</button>
                                                </li>
                                            }
                                        }).collect_view()}
                                        {move || (uploading.get() > 0).then(|| view! { <li class="muted">"Uploading…"</li> })}
                                    </ul>
                                    <button type="submit">{move || if internal.get() { "Add note" } else { "Send reply" }}</button>
                                </form>
                            </div>
                            <aside class="side-col">
                                <h2>"Ticket"</h2>
                                {move || status_part.get().map(|(status_now, snoozed_until)| {
                                    let (id1, id) = (id1.clone(), id_for_snooze.clone());
                                    view! {
                                        <label for="t-status">"Status"</label>
                                        <select id="t-status" on:change=move |ev| {
                                            let v = event_target_value(&ev);
                                            let status = deflect_shared::api::Status::parse(&v);
                                            patch(id1.clone(), TicketUpdate { status, ..Default::default() }, detail, note);
                                        }>
                                            {["open", "pending", "solved", "closed"].into_iter().map(|s| view! { <option value=s selected=status_now == s>{s}</option> }).collect_view()}
                                        </select>
                                        {match snoozed_until {
                                            Some(until) => view! {
                                                <p class="snoozed" id="snoozed">
                                                    {format!("Snoozed until {}: it opens again then, or when the customer writes.", stamp(until))}
                                                    " "
                                                    <button type="button" class="link" on:click={
                                                        let id = id.clone();
                                                        move |_| patch(id.clone(), TicketUpdate { status: Some(Status::Open), ..Default::default() }, detail, note)
                                                    }>"Open it now"</button>
                                                </p>
                                            }.into_any(),
                                            None => view! {
                                                <label for="t-snooze">"Snooze"</label>
                                                <select id="t-snooze" on:change={
                                                    let id = id.clone();
                                                    move |ev| {
                                                        if let Ok(hours) = event_target_value(&ev).parse::<u32>() {
                                                            patch(id.clone(), TicketUpdate { snooze_hours: Some(hours), ..Default::default() }, detail, note);
                                                        }
                                                    }
                                                }>
                                                    <option value="" selected=true>"—"</option>
                                                    {SNOOZES.iter().map(|(hours, words)| view! { <option value=hours.to_string()>{*words}</option> }).collect_view()}
                                                </select>
                                            }.into_any(),
                                        }}
                                    }
                                })}
                                {move || followers.get().map(|f| view! { <FollowTicket id=id_for_follow.clone() followers=f agents=agents detail=detail note=note /> })}
                                {move || assignee.get().map(|assignee_now| {
                                    let id2 = id2.clone();
                                    view! {
                                        <label for="t-assignee">"Assignee"</label>
                                        <select id="t-assignee" on:change=move |ev| {
                                            patch(id2.clone(), TicketUpdate { assignee: Some(event_target_value(&ev)), ..Default::default() }, detail, note);
                                        }>
                                            <option value="" selected=assignee_now.is_empty()>"unassigned"</option>
                                            // Only the options follow the team as it loads: the
                                            // page around them (a spam confirmation half done)
                                            // stays as it is.
                                            {move || agents.get().into_iter().map(|a| {
                                                let sel = a.id == assignee_now;
                                                view! { <option value=a.id.clone() selected=sel>{a.name.clone()}</option> }
                                            }).collect_view()}
                                        </select>
                                    }
                                })}
                                {move || priority.get().map(|(prio_now, computed)| {
                                    let id3 = id3.clone();
                                    view! {
                                        <label for="t-priority">"Priority (override)"</label>
                                        <select id="t-priority" on:change=move |ev| {
                                            if let Some(level) = Level::parse(&event_target_value(&ev)) {
                                                patch(id3.clone(), TicketUpdate { priority: Some(level), ..Default::default() }, detail, note);
                                            }
                                        }>
                                            <option value="" selected=prio_now.is_empty()>{format!("computed: {computed}")}</option>
                                            {["urgent", "high", "normal", "low"].into_iter().map(|l| view! { <option value=l selected=prio_now == l>{l}</option> }).collect_view()}
                                        </select>
                                    }
                                })}
                                {move || tags.get().map(|tags_now| {
                                    let id4 = id4.clone();
                                    view! {
                                        <label for="t-tags">"Tags (comma-separated)"</label>
                                        <input id="t-tags" type="text" value=tags_now on:change=move |ev| {
                                            let tags: Vec<String> = event_target_value(&ev).split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
                                            patch(id4.clone(), TicketUpdate { tags: Some(tags), ..Default::default() }, detail, note);
                                        } />
                                    }
                                })}
                                {move || solved.get().map(|solved_now| {
                                    let id5 = id5.clone();
                                    view! {
                                        <label for="t-article">"Solved by article"</label>
                                        <select id="t-article" on:change=move |ev| {
                                            patch(id5.clone(), TicketUpdate { solved_by_article: Some(event_target_value(&ev)), ..Default::default() }, detail, note);
                                        }>
                                            <option value="" selected=solved_now.is_empty()>"—"</option>
                                            {move || articles.get().into_iter().map(|a| {
                                                let sel = a.id == solved_now;
                                                view! { <option value=a.id.clone() selected=sel>{a.title.clone()}</option> }
                                            }).collect_view()}
                                        </select>
                                    }
                                })}
                                <p>"SLA: " {move || clock.get().map(|c| view! { <span class=format!("sla sla-{}", c.state)>{sla(&c.state, c.minutes_left)}</span> })}</p>
                                {move || rating.get().flatten().map(|(r, comment)| view! {
                                    <p class="csat">"CSAT: " {"★".repeat(usize::from(r))}
                                        {comment.map(|c| view! { " — “" <q class="csat-comment">{c}</q> "”" })}</p>
                                })}
                                {move || shown.get().filter(|s| !s.is_empty()).map(|s| view! { <p class="muted">"The widget showed: " {s.join(", ")}</p> })}
                                <h2>"Why this priority"</h2>
                                {move || explanation.get().map(|e| view! { <Explain explanation=e /> })}
                                <h2>"Customer"</h2>
                                {move || customer.get().map(|(c, identity)| view! {
                                    <dl class="crm">
                                        <dt>"Name"</dt><dd><a class="customer-link" href=format!("#/customer/{}", c.id) title="The customer's record">{c.name.clone().unwrap_or_else(|| "—".into())}</a></dd>
                                        <dt>"E-mail"</dt><dd>{c.email.clone().unwrap_or_else(|| "—".into())}</dd>
                                        {identity.map(|i| view! { <dt>"Identity"</dt><IdentityNote identity=i /> })}
                                        {c.phone.clone().map(|p| view! { <dt>"Phone"</dt><dd>{p}</dd> })}
                                        <dt>"Value"</dt><dd>{deflect_shared::money::format_cents(c.lifetime_value_cents)}</dd>
                                        <dt>"Average CSAT"</dt><dd>{c.average_csat.map(|v| format!("{v:.1}")).unwrap_or_else(|| "—".into())}</dd>
                                        {c.attributes.iter().map(|(k, v)| view! { <dt>{k.clone()}</dt><dd>{v.to_string()}</dd> }).collect_view()}
                                    </dl>
                                })}
                                <form class="inline-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                                    ev.prevent_default();
                                    let Some((c, _)) = customer.get_untracked() else { return };
                                    let tid = id.clone();
                                    let u = CustomerUpdate { plan: Some(plan.get_untracked()).filter(|p| !p.trim().is_empty()), ..Default::default() };
                                    leptos::task::spawn_local(async move {
                                        match api::call::<_, serde_json::Value>("PATCH", &format!("/v1/agent/customers/{}", api::enc(&c.id)), &u).await {
                                            Ok(_) => { note.set(Some("Customer saved.".into())); load(tid, detail, note); }
                                            Err(e) => note.set(Some(e.message)),
                                        }
                                    });
                                }>
                                    <label for="c-plan">"Plan"</label>
                                    <input id="c-plan" type="text" prop:value=move || plan.get() on:input=move |ev| plan.set(event_target_value(&ev)) />
                                    <button type="submit">"Save"</button>
                                </form>
                                {move || actions.get().map(|(open_others, spam_allowed)| {
                                    let tid = id_for_actions.clone();
                                    view! {
                                        {(!open_others.is_empty()).then(|| view! { <MergeInto id=tid.clone() others=open_others note=note /> })}
                                        {spam_allowed.then(|| view! { <MarkSpam id=tid.clone() note=note /> })}
                                    }
                                })}
                                <h3>"History"</h3>
                                <ul class="history">
                                    {move || customer.get().map(|(c, _)| c.tickets.into_iter().map(|h| view! {
                                        <li><a href=format!("#/ticket/{}", h.id)>{h.subject.clone()}</a>
                                        " · " {h.status.clone()} {h.csat.map(|r| format!(" · {r}★"))}</li>
                                    }).collect_view())}
                                </ul>
                            </aside>
                        </div>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

/// Merging this ticket, a duplicate, into another open ticket of the same
/// customer's; the dashboard then shows that one.
#[component]
fn MergeInto(
    /// This ticket.
    id: String,
    /// The customer's other tickets that are not closed: (id, subject).
    others: Vec<(String, String)>,
    /// Where a refusal is said.
    note: RwSignal<Option<String>>,
) -> impl IntoView {
    let into = RwSignal::new(others.first().map(|(i, _)| i.clone()).unwrap_or_default());
    let merge = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (id, target) = (id.clone(), into.get_untracked());
        leptos::task::spawn_local(async move {
            let body = MergeTickets { into: target.clone() };
            match api::call::<_, serde_json::Value>(
                "POST",
                &format!("/v1/agent/tickets/{}/merge", api::enc(&id)),
                &body,
            )
            .await
            {
                Ok(_) => crate::app::go(&format!("#/ticket/{target}")),
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    view! {
        <h3>"Duplicate?"</h3>
        <form class="inline-form" on:submit=merge>
            <label for="merge-into">"Merge this ticket into"</label>
            <select id="merge-into" on:change=move |ev| into.set(event_target_value(&ev))>
                {others.into_iter().map(|(i, subject)| view! { <option value=i>{subject}</option> }).collect_view()}
            </select>
            <button type="submit" id="merge-go">"Merge"</button>
        </form>
    }
}

/// Who follows this ticket, and following it or stopping: a follower is
/// alerted of its customer's replies and a missed SLA as its assignee is.
#[component]
fn FollowTicket(
    /// This ticket.
    id: String,
    /// Its followers (agent ids).
    followers: Vec<String>,
    /// The team, for their names.
    agents: RwSignal<Vec<AgentView>>,
    /// The ticket, loaded again after a change.
    detail: RwSignal<Option<Result<TicketDetail, String>>>,
    /// Where a refusal is said.
    note: RwSignal<Option<String>>,
) -> impl IntoView {
    let me = use_context::<Session>().and_then(|s| s.me.get_untracked()).map(|m| m.id).unwrap_or_default();
    let following = followers.contains(&me);
    let names = move || {
        let team = agents.get();
        let named: Vec<String> = followers
            .iter()
            .map(|f| team.iter().find(|a| &a.id == f).map_or_else(|| f.clone(), |a| a.name.clone()))
            .collect();
        if named.is_empty() {
            "No one follows this ticket.".to_string()
        } else {
            format!("Followed by {}.", named.join(", "))
        }
    };
    let toggle = move |_| {
        let id = id.clone();
        leptos::task::spawn_local(async move {
            let path = format!("/v1/agent/tickets/{}/following", api::enc(&id));
            match api::call::<_, Vec<String>>("PUT", &path, &Following { following: !following }).await {
                Ok(_) => load(id, detail, note),
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    view! {
        <p class="muted" id="followers">{names}</p>
        <button type="button" id="follow" on:click=toggle
            title="Followers are mailed this ticket's customer replies and a missed SLA, if they chose those alerts">
            {if following { "Stop following" } else { "Follow" }}
        </button>
    }
}

/// Closing this ticket as spam and blocking its sender, after a second
/// click that says what it does; the queue then shows.
#[component]
fn MarkSpam(
    /// This ticket.
    id: String,
    /// Where a refusal is said.
    note: RwSignal<Option<String>>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let mark = move |_| {
        let id = id.clone();
        leptos::task::spawn_local(async move {
            let path = format!("/v1/agent/tickets/{}/spam", api::enc(&id));
            match api::call::<_, serde_json::Value>("POST", &path, &serde_json::json!({})).await {
                Ok(_) => crate::app::go("#/"),
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    view! {
        <h3>"Spam?"</h3>
        <Show when=move || confirming.get()
            fallback=move || view! { <button type="button" class="danger" id="mark-spam" on:click=move |_| confirming.set(true)>"Mark as spam…"</button> }>
            <p class="muted" id="spam-explain">"This closes the ticket, tags it spam and blocks its sender: their new tickets are kept, closed as spam, out of the queue, until someone unblocks them on their record."</p>
            <button type="button" class="danger" id="spam-confirm" on:click=mark.clone()>"Close as spam and block the sender"</button>
            " "
            <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
        </Show>
    }
}

/// "Sam is writing a reply. Kim is also viewing this ticket."
fn presence_line(viewers: &[Viewer]) -> String {
    let names = |typing: bool| -> Vec<&str> {
        viewers.iter().filter(|v| v.typing == typing).map(|v| v.name.as_str()).collect()
    };
    let (writing, viewing) = (names(true), names(false));
    let mut out = Vec::new();
    if !writing.is_empty() {
        out.push(format!(
            "{} {} writing a reply.",
            writing.join(" and "),
            if writing.len() == 1 { "is" } else { "are" }
        ));
    }
    if !viewing.is_empty() {
        out.push(format!(
            "{} {} also viewing this ticket.",
            viewing.join(" and "),
            if viewing.len() == 1 { "is" } else { "are" }
        ));
    }
    out.join(" ")
}

/// What the site's signature said of the customer's e-mail.
#[component]
fn IdentityNote(identity: Identity) -> impl IntoView {
    match identity {
        Identity::Verified => view! {
            <dd id="customer-identity" class="identity-verified">"✓ verified: the site's page had logged them in"</dd>
        },
        Identity::Mismatched => view! {
            <dd id="customer-identity" class="identity-mismatched">
                "not verified: the site's signature did not match this e-mail (a wrong secret, or an address changed in the widget)"
            </dd>
        },
    }
}
