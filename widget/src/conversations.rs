//! The customer's tickets: status, the team's replies (their web addresses
//! as links), a reply box and a file button, and a rating once solved.

use crate::alert::Alert;
use crate::api;
use crate::app::{Screen, Widget};
use crate::article::inline;
use crate::outbox;
use deflect_shared::api::{Author, CustomerTicket, Status};
use deflect_shared::attachment::MAX_ATTACHMENT_BYTES;
use deflect_shared::markdown::{Inline, links};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// A property of a browser object (`undefined` when it has none).
pub(crate) fn field(o: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(o, &name.into()).unwrap_or_default()
}

fn status_name(w: &Widget, s: Status) -> &'static str {
    w.s.statuses[match s {
        Status::Open => 0,
        Status::Pending => 1,
        Status::Solved => 2,
        Status::Closed => 3,
    }]
}

/// The list of this browser's tickets.
#[component]
pub(crate) fn Conversations() -> impl IntoView {
    let w = expect_context::<Widget>();
    let s = w.s;
    let screen = w.screen;
    let saved = outbox::visible(&w.cfg, &w.owner());
    let waiting = outbox::pending(&w.cfg).len();
    view! {
        <div class="dfl-pane">
            <button type="button" class="dfl-text-btn" on:click=move |_| screen.set(Screen::Chat)>{"← "}{s.back}</button>
            <h3>{s.my_tickets}</h3>
            {(waiting > 0).then(|| view! { <p class="dfl-notice" role="status">{s.queued}</p> })}
            <ul class="dfl-choices">
                {saved.into_iter().map(|t| {
                    let id = t.id.clone();
                    let new = { let id = t.id.clone(); move || w.unread.get().contains(&id) };
                    view! { <li><button type="button" class="dfl-choice" on:click=move |_| screen.set(Screen::Thread(id.clone()))>
                        {t.subject}
                        {move || new().then(|| view! { <span class="dfl-new">{s.new_reply}</span> })}
                    </button></li> }
                }).collect_view()}
            </ul>
        </div>
    }
}

/// One ticket's thread.
#[component]
pub(crate) fn Thread(
    /// Ticket id.
    id: String,
) -> impl IntoView {
    let w = expect_context::<Widget>();
    let s = w.s;
    let screen = w.screen;
    let (token, owner) = outbox::visible(&w.cfg, &w.owner())
        .into_iter()
        .find(|t| t.id == id)
        .map(|t| (t.token, t.owner))
        .unwrap_or_default();
    let ticket = RwSignal::new(None::<Result<CustomerTicket, api::FetchError>>);
    let reply = RwSignal::new(String::new());
    let attempt = StoredValue::new(None::<String>);
    let failed = RwSignal::new(None::<String>);
    let thanks = RwSignal::new(false);
    // A file on its way (it may take a while).
    let sending = RwSignal::new(false);
    let comment = RwSignal::new(String::new());
    let load = {
        let (cfg, id, token, reader) = (w.cfg.clone(), id.clone(), token.clone(), w.clone());
        move || {
            let (cfg, id, token, reader, owner) =
                (cfg.clone(), id.clone(), token.clone(), reader.clone(), owner.clone());
            leptos::task::spawn_local(async move {
                let answer = api::ticket(&cfg, &id, &token).await;
                if matches!(answer, Err(api::FetchError::Http { status: 410, .. })) {
                    // Erased at the customer's request: this browser's copy
                    // of the subject goes too.
                    outbox::forget(&cfg, &id);
                }
                if let Ok(t) = &answer {
                    reader.read(&id, t.messages.iter().map(|m| m.created_at).max().unwrap_or(t.created_at));
                    if let Some(link) = &t.continued_in {
                        // The team merged it: keep the ticket it continues in.
                        outbox::remember_link(&cfg, link, &owner);
                    }
                }
                ticket.set(Some(answer));
            });
        }
    };
    // Loaded once now, and again when a reply comes while the conversation
    // is open, which shows it at once (loading it marks it read).
    Effect::new({
        let (load, id, unread) = (load.clone(), id.clone(), w.unread);
        move |loaded: Option<()>| {
            if unread.with(|u| u.contains(&id)) || loaded.is_none() {
                load();
            }
        }
    });
    // Adds to the thread; `typed`: the reply box's text, cleared once sent.
    let post = {
        let (cfg, id, token) = (w.cfg.clone(), id.clone(), token.clone());
        move |tail: String, body: (JsValue, String), key: String, typed: bool| {
            let (cfg, id, token) = (cfg.clone(), id.clone(), token.clone());
            leptos::task::spawn_local(async move {
                let answer = api::post(&cfg, &id, &token, &tail, body, &key).await;
                sending.set(false);
                match answer {
                    Ok(t) => {
                        if typed {
                            attempt.set_value(None);
                            reply.set(String::new());
                        }
                        failed.set(None);
                        ticket.set(Some(Ok(t)));
                    }
                    Err(e) => failed.set(Some(format!("{}{}", s.send_failed, e.message()))),
                }
            });
        }
    };
    let send_reply = {
        let post = post.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let text = reply.get_untracked();
            if text.trim().is_empty() {
                return;
            }
            // Sent again unchanged (after an error), the text goes under the
            // same key, so the edge keeps it once; an edit drops the key.
            let key = attempt.get_value().unwrap_or_else(crate::random::id);
            attempt.set_value(Some(key.clone()));
            post("/messages".into(), api::message(text), key, true);
        }
    };
    // A file the customer picks, or pastes (a screenshot), goes at once,
    // as a message of its own.
    let send_file = move |file: JsValue| {
        let Some(name) = field(&file, "name").as_string() else { return };
        if field(&file, "size").as_f64().unwrap_or(0.0) > MAX_ATTACHMENT_BYTES as f64 {
            failed.set(Some(s.too_large.into()));
            return;
        }
        // The browser sends the file's own type.
        let tail = format!("/files?name={}", js_sys::encode_uri_component(&name));
        sending.set(true);
        post(tail, (file, String::new()), crate::random::id(), false);
    };
    let pick = {
        let send_file = send_file.clone();
        move |ev: leptos::ev::Event| {
            let input = event_target::<web_sys::HtmlInputElement>(&ev);
            let file = field(&field(input.as_ref(), "files"), "0");
            // Picking the same file again is a change too.
            input.set_value("");
            send_file(file);
        }
    };
    let paste = move |ev: leptos::ev::ClipboardEvent| {
        let file = field(&field(&field(ev.as_ref(), "clipboardData"), "files"), "0");
        if !file.is_undefined() {
            ev.prevent_default();
            send_file(file);
        }
    };
    let rate = {
        let (cfg, id, token) = (w.cfg.clone(), id.clone(), token.clone());
        move |stars: u8| {
            let (cfg, id, token) = (cfg.clone(), id.clone(), token.clone());
            let words = comment.get_untracked();
            let words = (!words.trim().is_empty()).then_some(words);
            leptos::task::spawn_local(async move {
                if let Ok(t) = api::rate(&cfg, &id, &token, stars, words).await {
                    thanks.set(true);
                    ticket.set(Some(Ok(t)));
                }
            });
        }
    };
    let w2 = w.clone();
    // The conversation's own page (the one mailed replies link to); its
    // files are saved from under it.
    let page = format!("{}/help/{}/tickets/{id}", w.cfg.edge, w.cfg.site);
    let own_page = format!("{page}?token={token}");
    let file_token = token.clone();
    view! {
        <div class="dfl-pane">
            <button type="button" class="dfl-text-btn" on:click=move |_| screen.set(Screen::Conversations)>{"← "}{s.back}</button>
            {move || match ticket.get() {
                None => ().into_any(),
                Some(Err(api::FetchError::Http { status: 410, .. })) => view! { <p class="dfl-notice" role="status">{s.erased}</p> }.into_any(),
                Some(Err(_)) => view! { <p class="dfl-error" role="alert">{s.loading_failed}</p> }.into_any(),
                Some(Ok(t)) => {
                    let solved = matches!(t.status, Status::Solved | Status::Closed);
                    // A merged ticket is rated where it continues.
                    let can_rate = solved && t.csat.is_none() && t.continued_in.is_none();
                    let rate = rate.clone();
                    view! {
                        <h3>{t.subject.clone()}</h3>
                        <p class="dfl-status">{s.status}": "<strong class="dfl-status-value">{status_name(&w2, t.status)}</strong> <a href=own_page.clone() target="_blank">{s.own_page}</a></p>
                        <div class="dfl-log dfl-thread" role="log">
                            {t.messages.iter().map(|m| {
                                let (class, who) = match m.author {
                                    Author::Customer => ("dfl-msg dfl-user", s.you.to_string()),
                                    Author::Agent => ("dfl-msg dfl-bot", m.author_name.clone().unwrap_or_else(|| s.team.to_string())),
                                    Author::System => ("dfl-msg dfl-bot", s.team.to_string()),
                                };
                                // Its files, as links after its text (saved from the
                                // customer's page of the request).
                                let mut body = links(&m.body);
                                for f in t.attachments.iter().filter(|f| f.message.as_deref() == Some(m.id.as_str())) {
                                    body.push(Inline::Text("\n\u{1F4CE} ".into()));
                                    body.push(Inline::Link { text: f.name.clone(), href: format!("{page}/files/{}?token={file_token}", f.id) });
                                }
                                view! { <div class=class><span class="dfl-who">{who}</span><span class="dfl-body">{body.into_iter().map(inline).collect_view()}</span></div> }
                            }).collect_view()}
                        </div>
                        {t.continued_in.clone().map(|link| view! {
                            <p class="dfl-notice">
                                <button type="button" class="dfl-text-btn dfl-continued" on:click=move |_| screen.set(Screen::Thread(link.id.clone()))>
                                    {s.continued_in}" “"{link.subject.clone()}"” →"
                                </button>
                            </p>
                        })}
                        {can_rate.then(|| view! {
                            <fieldset class="dfl-rate">
                                <legend>{s.rate}</legend>
                                <label class="dfl-sr" for="dfl-rate-comment">{s.rate_comment}</label>
                                <input id="dfl-rate-comment" type="text" maxlength="2000" placeholder=s.rate_comment
                                    prop:value=move || comment.get() on:input=move |ev| comment.set(event_target_value(&ev)) />
                                {(1..=5u8).map(|n| {
                                    let rate = rate.clone();
                                    view! { <button type="button" class="dfl-star" aria-label=format!("{n} {}", s.stars) on:click=move |_| rate(n)>{"★".repeat(usize::from(n))}</button> }
                                }).collect_view()}
                            </fieldset>
                        })}
                        <Show when=move || thanks.get()><p role="status">{s.thanks_rating}</p></Show>
                    }
                    .into_any()
                }
            }}
            // Outside the thread, which is drawn again as replies come: what
            // the customer is typing keeps its focus.
            <Show when=move || ticket.with(|t| matches!(t, Some(Ok(t)) if t.status != Status::Closed))>
                <form class="dfl-composer" on:submit=send_reply.clone()>
                    <label class="dfl-sr" for="dfl-reply">{s.reply}</label>
                    <input id="dfl-reply" type="text" maxlength="10000" prop:value=move || reply.get() on:input=move |ev| { attempt.set_value(None); reply.set(event_target_value(&ev)); } on:paste=paste.clone() />
                    <button type="submit" class="dfl-btn">{s.reply}</button>
                    <label class="dfl-btn dfl-secondary dfl-attach">"📎"
                        <input type="file" class="dfl-sr" aria-label=s.attach on:input=pick.clone() />
                    </label>
                </form>
            </Show>
            <Show when=move || sending.get()><p class="dfl-notice" role="status">{s.sending_file}</p></Show>
            <Alert error=failed />
        </div>
    }
}
