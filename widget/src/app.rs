//! The widget's root: the launcher button, the panel, and the state the
//! views share.

use crate::chat::Chat;
use crate::config::Config;
use crate::conversations::{Conversations, Thread};
use crate::form::TicketForm;
use crate::i18n::{Strings, strings};
use crate::{api, outbox};
use deflect_shared::api::{
    EventKind, KnownTicket, MAX_UNREAD_QUERY, TicketCreated, UnreadQuery, VerifiedCustomer, WidgetEvent,
};
use deflect_shared::kb::KbIndex;
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

/// Which view the panel shows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Screen {
    Chat,
    Form,
    Conversations,
    Thread(String),
}

/// One line of the chat.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Entry {
    Bot(String),
    User(String),
    /// The best article, and whether the customer said it helped.
    Answer {
        article: usize,
        question: String,
        feedback: Option<bool>,
    },
    /// Up to three articles to choose from.
    Suggest {
        articles: Vec<usize>,
        question: String,
    },
    /// Nothing fitted.
    NoAnswer,
    /// A status line (sent, queued).
    Notice(String),
}

/// The chat's first line: the site's greeting, or ours.
fn greeting(cfg: &Config, s: &Strings) -> (u32, Entry) {
    (0, Entry::Bot(cfg.greeting.clone().unwrap_or_else(|| s.greeting.to_string())))
}

/// State shared by every view. All fields are cheap handles.
#[derive(Clone)]
pub(crate) struct Widget {
    pub(crate) cfg: Arc<Config>,
    pub(crate) s: &'static Strings,
    pub(crate) open: RwSignal<bool>,
    pub(crate) screen: RwSignal<Screen>,
    pub(crate) entries: RwSignal<Vec<(u32, Entry)>>,
    next: StoredValue<u32>,
    pub(crate) index: RwSignal<Option<Arc<KbIndex>>>,
    index_requested: StoredValue<bool>,
    /// The index could not be loaded: questions go to a person.
    pub(crate) index_failed: RwSignal<bool>,
    /// Questions asked before the index arrived, answered when it does.
    pub(crate) waiting: StoredValue<Vec<String>>,
    /// The widget session, made when the customer first opens the widget.
    pub(crate) session: StoredValue<Option<String>>,
    pub(crate) email: RwSignal<String>,
    pub(crate) name: RwSignal<String>,
    /// The e-mail the page identified the customer by, and the site's
    /// signature of it (`deflect_shared::identity`; empty: none).
    pub(crate) signature: RwSignal<String>,
    /// The verified customer whose tickets were fetched from the edge.
    synced: StoredValue<Option<String>>,
    /// Questions asked in this session, for the ticket.
    pub(crate) questions: RwSignal<Vec<String>>,
    /// Article ids shown in this session.
    pub(crate) shown: RwSignal<Vec<String>>,
    /// This browser's tickets with a reply the customer has not read.
    pub(crate) unread: RwSignal<Vec<String>>,
    notify: StoredValue<js_sys::Function, LocalStorage>,
}

impl Widget {
    pub(crate) fn new(cfg: Config, notify: js_sys::Function) -> Widget {
        let s = strings(cfg.language());
        let greeting = greeting(&cfg, s);
        Widget {
            cfg: Arc::new(cfg),
            s,
            open: RwSignal::new(false),
            screen: RwSignal::new(Screen::Chat),
            entries: RwSignal::new(vec![greeting]),
            next: StoredValue::new(1),
            index: RwSignal::new(None),
            index_requested: StoredValue::new(false),
            index_failed: RwSignal::new(false),
            waiting: StoredValue::new(Vec::new()),
            session: StoredValue::new(None),
            email: RwSignal::new(String::new()),
            name: RwSignal::new(String::new()),
            signature: RwSignal::new(String::new()),
            synced: StoredValue::new(None),
            questions: RwSignal::new(Vec::new()),
            shown: RwSignal::new(Vec::new()),
            unread: RwSignal::new(Vec::new()),
            notify: StoredValue::new_local(notify),
        }
    }

    pub(crate) fn push(&self, e: Entry) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.entries.update(|v| v.push((id, e)));
    }

    /// Downloads the KB index once (on first interest in the widget), then
    /// answers the questions that were waiting for it.
    pub(crate) fn load_index(&self) {
        if self.index_requested.get_value() {
            return;
        }
        self.index_requested.set_value(true);
        let w = self.clone();
        leptos::task::spawn_local(async move {
            let loaded = match api::kb_index(&w.cfg).await {
                Ok(bytes) => KbIndex::decode(&bytes).map(Arc::new).map_err(|e| e.to_string()),
                Err(e) => Err(format!("the KB could not be loaded: {}", e.message())),
            };
            let waiting = std::mem::take(&mut *w.waiting.write_value());
            match loaded {
                Ok(ix) => {
                    w.index.set(Some(ix.clone()));
                    for q in waiting {
                        crate::chat::answer(&w, &ix, q);
                    }
                }
                Err(e) => {
                    web_sys::console::warn_1(&format!("Deflect: {e}").into());
                    w.index_failed.set(true);
                    for q in waiting {
                        crate::chat::no_index(&w, q);
                    }
                }
            }
        });
    }

    pub(crate) fn session_id(&self) -> String {
        if let Some(s) = self.session.get_value() {
            return s;
        }
        let s = crate::random::id();
        self.session.set_value(Some(s.clone()));
        s
    }

    /// Sends a widget event in the background.
    pub(crate) fn event(
        &self,
        kind: EventKind,
        article: Option<String>,
        question: Option<String>,
        confidence: Option<f32>,
    ) {
        let e = WidgetEvent {
            site: self.cfg.site.clone(),
            session: self.session_id(),
            kind,
            article,
            question,
            confidence,
        };
        let cfg = self.cfg.clone();
        leptos::task::spawn_local(async move { api::event(&cfg, &e).await });
    }

    /// Tells the page a ticket was created (`Deflect.onTicketCreated`).
    pub(crate) fn ticket_created(&self, t: &TicketCreated) {
        let detail = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&detail, &"id".into(), &t.ticket.id.clone().into());
        let _ = js_sys::Reflect::set(&detail, &"subject".into(), &t.ticket.subject.clone().into());
        let _ = self.notify.with_value(|f| f.call2(&wasm_bindgen::JsValue::NULL, &"ticketCreated".into(), &detail));
    }

    /// The verified customer the page identified: the e-mail, trimmed and
    /// lower-cased (the edge lower-cases the rest of Unicode itself), or ""
    /// without the site's signature.
    pub(crate) fn owner(&self) -> String {
        if self.signature.get_untracked().is_empty() {
            return String::new();
        }
        self.email.get_untracked().trim().to_ascii_lowercase()
    }

    /// Fetches the verified customer's tickets once (per customer), so
    /// their conversations follow them to this browser; then looks for
    /// replies in them.
    pub(crate) fn sync_identity(&self) {
        let owner = self.owner();
        if owner.is_empty() || self.synced.get_value().as_ref() == Some(&owner) {
            return;
        }
        self.synced.set_value(Some(owner.clone()));
        let who = VerifiedCustomer {
            site: self.cfg.site.clone(),
            email: owner.clone(),
            signature: self.signature.get_untracked(),
        };
        let w = self.clone();
        leptos::task::spawn_local(async move {
            match api::verified_tickets(&w.cfg, &who).await {
                // Not if the page signed them out (or named someone else)
                // meanwhile.
                Ok(tickets) if w.owner() == owner => {
                    outbox::adopt(&w.cfg, &owner, tickets);
                    w.check_replies();
                }
                Ok(_) => {}
                // Tried again the next time the widget opens; a signature
                // the site did not make is not.
                Err(e) if e.retryable() => w.synced.set_value(None),
                Err(_) => {}
            }
        });
    }

    /// The customer signed out (`identify({})`): the next person on this
    /// page starts afresh, without their e-mail, name or chat.
    pub(crate) fn sign_out(&self) {
        self.email.set(String::new());
        self.name.set(String::new());
        self.screen.set(Screen::Chat);
        self.entries.set(vec![greeting(&self.cfg, self.s)]);
        self.questions.set(Vec::new());
        self.shown.set(Vec::new());
        self.session.set_value(None);
    }

    /// The page identified a customer (or no one): any other verified
    /// customer's tickets are forgotten in this browser (all of them when
    /// the customer signed out; the edge keeps them), and this one's
    /// fetched if the widget is open (else when it opens).
    pub(crate) fn identified(&self) {
        let owner = self.owner();
        outbox::forget_others(&self.cfg, &owner);
        if owner.is_empty() {
            // Signing back in fetches them again.
            self.synced.set_value(None);
        }
        if self.open.get_untracked() {
            self.sync_identity();
        }
        self.check_replies();
    }

    /// Looks for replies the customer has not read in the tickets this
    /// browser shows them, in one request (the page's first visit with no
    /// tickets reads nothing from the edge). Tickets the edge erased or no
    /// longer keeps are forgotten.
    pub(crate) fn check_replies(&self) {
        let saved = outbox::visible(&self.cfg, &self.owner());
        if saved.is_empty() {
            self.unread.set(Vec::new());
            return;
        }
        let query = UnreadQuery {
            tickets: saved
                .into_iter()
                .take(MAX_UNREAD_QUERY)
                .map(|t| KnownTicket { id: t.id, token: t.token, seen_at: t.seen_at })
                .collect(),
        };
        let w = self.clone();
        leptos::task::spawn_local(async move {
            if let Ok(news) = api::unread(&w.cfg, &query).await {
                for id in news.erased.iter().chain(&news.unknown) {
                    outbox::forget(&w.cfg, id);
                }
                w.unread.set(news.unread);
            }
        });
    }

    /// The customer has read a ticket's thread up to `at`.
    pub(crate) fn read(&self, id: &str, at: i64) {
        outbox::mark_seen(&self.cfg, id, at);
        self.unread.update(|u| u.retain(|x| x != id));
    }

    /// Sends queued tickets and reports the ones that went out.
    pub(crate) fn flush_outbox(&self) {
        let w = self.clone();
        leptos::task::spawn_local(async move {
            for t in outbox::flush(&w.cfg).await {
                w.push(Entry::Notice(w.s.queued_sent.to_string()));
                w.ticket_created(&t);
            }
            // The files kept with them (or left over from a visit that
            // lost its connection while sending one).
            if let Some(e) = outbox::send_files(&w.cfg).await.filter(|e| !e.retryable()) {
                w.push(Entry::Notice(format!("{}{}", w.s.send_failed, e.message())));
            }
        });
    }
}

/// Sends queued tickets whenever the browser comes back online, and once
/// now if any are waiting from an earlier visit.
fn watch_network(w: &Widget) {
    let Some(window) = web_sys::window() else { return };
    let on_online = {
        let w = w.clone();
        Closure::<dyn Fn()>::new(move || w.flush_outbox())
    };
    let _ = window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    on_online.forget();
    if outbox::waiting(&w.cfg) {
        w.flush_outbox();
    }
}

/// The launcher and the panel.
#[component]
pub(crate) fn App(
    /// Shared state.
    state: Widget,
) -> impl IntoView {
    provide_context(state.clone());
    watch_network(&state);
    // Replies from the team: now, every 15 seconds while the panel is open
    // (an open conversation shows them as they come), and every minute
    // while it is closed.
    state.check_replies();
    if let Some(window) = web_sys::window() {
        let w = state.clone();
        let ticks = std::cell::Cell::new(0u32);
        let every_quarter = Closure::<dyn Fn()>::new(move || {
            ticks.set(ticks.get().wrapping_add(1));
            if w.open.get_untracked() || ticks.get().is_multiple_of(4) {
                w.check_replies();
            }
        });
        let _ = window
            .set_interval_with_callback_and_timeout_and_arguments_0(every_quarter.as_ref().unchecked_ref(), 15_000);
        every_quarter.forget();
    }
    let unread = state.unread;
    let w = state.clone();
    let launcher = NodeRef::<leptos::html::Button>::new();
    let s = w.s;
    let open = w.open;
    // Loading the index on first interest keeps page loads light.
    let (w_hover, w_focus) = (w.clone(), w.clone());
    Effect::new({
        let w = w.clone();
        move |prev: Option<bool>| {
            let now = open.get();
            if now {
                w.load_index();
                w.session_id();
                w.sync_identity();
            } else if prev == Some(true) {
                // Focus goes back to the launcher, on the page.
                if let Some(b) = launcher.get() {
                    let _ = b.focus();
                }
            }
            now
        }
    });
    let close = move || open.set(false);
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            close();
        }
    };
    let screen = w.screen;
    view! {
        <div class="dfl-wrap">
            <Show when=move || open.get()>
                <div id="dfl-panel" class="dfl-panel" role="dialog" aria-modal="false" aria-labelledby="dfl-title" on:keydown=on_key>
                    <div class="dfl-head">
                        <h2 id="dfl-title">{state.cfg.title.clone().unwrap_or_else(|| s.title.to_string())}</h2>
                        <button type="button" class="dfl-text-btn" on:click=move |_| screen.set(Screen::Conversations)>
                            {s.my_tickets}
                            {move || { let n = unread.get().len(); (n > 0).then(|| format!(" ({n})")) }}
                        </button>
                        <button type="button" class="dfl-icon-btn" aria-label=s.close on:click=move |_| close()>"×"</button>
                    </div>
                    {move || match screen.get() {
                        Screen::Chat => view! { <Chat /> }.into_any(),
                        Screen::Form => view! { <TicketForm /> }.into_any(),
                        Screen::Conversations => view! { <Conversations /> }.into_any(),
                        Screen::Thread(id) => view! { <Thread id=id /> }.into_any(),
                    }}
                </div>
            </Show>
            <button
                type="button"
                class="dfl-launcher"
                node_ref=launcher
                aria-label=move || match (open.get(), unread.get().len()) {
                    (true, _) => s.close.to_string(),
                    (false, 0) => s.open.to_string(),
                    (false, n) => format!("{} ({n} {})", s.open, s.new_replies),
                }
                aria-expanded=move || open.get().to_string()
                aria-controls="dfl-panel"
                on:click=move |_| open.update(|o| *o = !*o)
                on:pointerenter=move |_| w_hover.load_index()
                on:focus=move |_| w_focus.load_index()
            >
                {move || {
                    let n = unread.get().len();
                    (n > 0 && !open.get()).then(|| view! { <span class="dfl-badge" aria-hidden="true">{n}</span> })
                }}
                <svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true" focusable="false">
                    <path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"></path>
                </svg>
            </button>
        </div>
    }
}
