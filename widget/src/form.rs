//! The ticket form: what the customer leaves when the KB has no answer.

use crate::alert::Alert;
use crate::api;
use crate::app::{Entry, Screen, Widget};
use crate::conversations::field;
use crate::kept_files;
use crate::outbox::{self, Pending};
use deflect_shared::api::{CreateTicket, CustomerInput};
use deflect_shared::attachment::MAX_ATTACHMENT_BYTES;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// The form.
#[component]
pub(crate) fn TicketForm() -> impl IntoView {
    let w = expect_context::<Widget>();
    let s = w.s;
    let email = w.email;
    let name = w.name;
    let message = RwSignal::new(w.questions.get_untracked().join("\n"));
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // A file picked to go with the ticket (a screenshot, say): sent as its
    // first file once the ticket exists.
    let file_input = NodeRef::<leptos::html::Input>::new();
    let first = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(i) = first.get() {
            let _ = i.focus();
        }
    });
    let submit = {
        let w = w.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            let page = web_sys::window().and_then(|win| win.location().href().ok());
            let email = email.get_untracked();
            let signature = Some(w.signature.get_untracked()).filter(|s| !s.is_empty());
            let request = CreateTicket {
                site: w.cfg.site.clone(),
                customer: CustomerInput {
                    email,
                    name: Some(name.get_untracked()).filter(|n| !n.trim().is_empty()),
                    phone: None,
                    signature,
                },
                subject: None,
                message: message.get_untracked(),
                shown_articles: w.shown.get_untracked().into_iter().rev().take(10).collect(),
                page_url: page.filter(|p| p.starts_with("http")),
                locale: Some(w.cfg.language().to_string()),
                session: w.session.get_value(),
            };
            // The same checks as the edge, so a ticket that is queued
            // offline will be accepted later.
            if let Err(e) = request.validate() {
                error.set(Some(e.to_string()));
                return;
            }
            let picked: Option<JsValue> = file_input
                .get_untracked()
                .map(|i| field(&field(i.as_ref(), "files"), "0"))
                .filter(|f| !f.is_undefined());
            if picked.as_ref().is_some_and(|f| field(f, "size").as_f64().unwrap_or(0.0) > MAX_ATTACHMENT_BYTES as f64) {
                error.set(Some(s.too_large.into()));
                return;
            }
            error.set(None);
            busy.set(true);
            let key = crate::random::id();
            let w = w.clone();
            leptos::task::spawn_local(async move {
                // The file is kept in this browser first, as the ticket is
                // in the outbox, so that neither is lost offline.
                let file = match &picked {
                    Some(f) => kept_files::keep(&w.cfg, &key, f).await,
                    None => false,
                };
                let pending = Pending { key, body: crate::wire::create_ticket(&request), owner: w.owner(), file };
                match outbox::send(&w.cfg, pending).await {
                    Ok(t) => {
                        w.questions.set(Vec::new());
                        w.ticket_created(&t);
                        w.screen.set(Screen::Chat);
                        if let Some(f) = picked {
                            w.push(Entry::Notice(w.s.sending_file.to_string()));
                            let sent = if file {
                                outbox::send_files(&w.cfg).await.map_or(Ok(()), Err)
                            } else {
                                let name = field(&f, "name").as_string().unwrap_or_default();
                                let tail = format!("/files?name={}", js_sys::encode_uri_component(&name));
                                let key = crate::random::id();
                                api::post(&w.cfg, &t.ticket.id, &t.token, &tail, (f, String::new()), &key)
                                    .await
                                    .map(drop)
                            };
                            if let Err(e) = sent {
                                w.push(Entry::Notice(format!("{}{}", w.s.send_failed, e.message())));
                            }
                        }
                        w.push(Entry::Notice(w.s.sent.to_string()));
                    }
                    Err(e) if e.retryable() => {
                        w.push(Entry::Notice(w.s.queued.to_string()));
                        if picked.is_some() && !file {
                            w.push(Entry::Notice(w.s.file_later.to_string()));
                        }
                        w.questions.set(Vec::new());
                        w.screen.set(Screen::Chat);
                    }
                    Err(e) => error.set(Some(format!("{}{}", w.s.send_failed, e.message()))),
                }
                busy.set(false);
            });
        }
    };
    let back = w.screen;
    view! {
        <form class="dfl-form" on:submit=submit novalidate>
            <p>{s.form_intro}" "{w.cfg.reply_time.clone().unwrap_or_else(|| s.reply_time.to_string())}</p>
            <label for="dfl-email">{s.email}</label>
            <input id="dfl-email" type="email" autocomplete="email" required maxlength="254" node_ref=first
                prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
            <label for="dfl-name">{s.name}</label>
            <input id="dfl-name" type="text" autocomplete="name" maxlength="200"
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            <label for="dfl-message">{s.message}</label>
            <textarea id="dfl-message" rows="4" required maxlength="10000"
                prop:value=move || message.get() on:input=move |ev| message.set(event_target_value(&ev))></textarea>
            <label for="dfl-file">{s.file_label}</label>
            <input id="dfl-file" type="file" node_ref=file_input />
            <Alert error=error />
            <div class="dfl-row">
                <button type="submit" class="dfl-btn" prop:disabled=move || busy.get()>{s.submit_ticket}</button>
                <button type="button" class="dfl-btn dfl-secondary" on:click=move |_| back.set(Screen::Chat)>{s.cancel}</button>
            </div>
        </form>
    }
}
