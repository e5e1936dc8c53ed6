//! What waits for me: the open tickets assigned to the logged-in agent
//! (new to them, or the customer wrote last), counted in the tab's title
//! and beside the Queue link, and announced as desktop notifications when
//! the agent turned those on. The dashboard asks every ten seconds and
//! when its tab comes back into view.

use crate::api;
use crate::app::{Session, go};
use crate::storage;
use deflect_shared::api::QueueItem;
use leptos::prelude::*;
use std::collections::HashSet;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

/// The tickets asked about: more than anyone should have waiting.
const WAITING_PATH: &str = "/v1/agent/tickets?assignee=me&status=open&limit=200";

/// Where the agent's choice is kept in this browser.
const PREFERENCE_KEY: &str = "deflect.dashboard.alerts";

/// Whether this browser can show notifications at all.
pub fn supported() -> bool {
    web_sys::window().is_some_and(|w| js_sys::Reflect::has(&w, &"Notification".into()).unwrap_or(false))
}

/// The agent turned desktop alerts on in this browser, and the browser
/// lets the dashboard show them.
fn enabled() -> bool {
    supported()
        && Notification::permission() == NotificationPermission::Granted
        && storage::get(PREFERENCE_KEY).as_deref() == Some("on")
}

/// The open tickets waiting for the logged-in agent, kept up to date, and
/// whether desktop alerts are on.
#[derive(Clone, Copy)]
pub struct Waiting {
    /// How many.
    pub count: RwSignal<usize>,
    /// Desktop alerts are on.
    pub alerts: RwSignal<bool>,
    /// Why they could not be turned on, in words.
    pub refused: RwSignal<Option<&'static str>>,
}

impl Waiting {
    /// Starts watching for the session's agent.
    pub fn watch(session: Session) -> Waiting {
        let waiting =
            Waiting { count: RwSignal::new(0), alerts: RwSignal::new(enabled()), refused: RwSignal::new(None) };
        let base_title =
            web_sys::window().and_then(|w| w.document()).map(|d| d.title()).unwrap_or_else(|| "Deflect".to_string());
        // None until the first answer: what is waiting at login is counted,
        // not announced.
        let known: StoredValue<Option<HashSet<String>>> = StoredValue::new(None);
        let tick = RwSignal::new(0u32);
        Effect::new(move |_| {
            tick.track();
            let ready = session.me.get().is_some_and(|m| !m.two_factor_required);
            if !ready {
                known.set_value(None);
                waiting.count.set(0);
                return;
            }
            leptos::task::spawn_local(async move {
                let Ok(items) = api::get::<Vec<QueueItem>>(WAITING_PATH).await else { return };
                let before = known.get_value();
                if let Some(before) = &before
                    && waiting.alerts.get_untracked()
                {
                    for t in items.iter().filter(|t| !before.contains(&t.id)) {
                        announce(t);
                    }
                }
                known.set_value(Some(items.iter().map(|t| t.id.clone()).collect()));
                waiting.count.set(items.len());
            });
        });
        Effect::new(move |_| {
            let n = waiting.count.get();
            if let Some(d) = web_sys::window().and_then(|w| w.document()) {
                d.set_title(&if n > 0 { format!("({n}) {base_title}") } else { base_title.clone() });
            }
        });
        if let Ok(handle) =
            set_interval_with_handle(move || tick.update(|t| *t += 1), std::time::Duration::from_secs(10))
        {
            on_cleanup(move || handle.clear());
        }
        let on_visible = Closure::<dyn Fn()>::new(move || {
            let visible = web_sys::window().and_then(|w| w.document()).is_some_and(|d| !d.hidden());
            if visible {
                tick.update(|t| *t += 1);
            }
        });
        if let Some(d) = web_sys::window().and_then(|w| w.document()) {
            let _ = d.add_event_listener_with_callback("visibilitychange", on_visible.as_ref().unchecked_ref());
        }
        on_visible.forget();
        waiting
    }

    /// Turns desktop alerts on (asking the browser's permission the first
    /// time) or off.
    pub fn toggle(self) {
        if self.alerts.get_untracked() {
            storage::set(PREFERENCE_KEY, "off");
            self.alerts.set(false);
            return;
        }
        let Ok(asked) = Notification::request_permission() else {
            self.refused.set(Some("This browser cannot show notifications."));
            return;
        };
        leptos::task::spawn_local(async move {
            let answer = wasm_bindgen_futures::JsFuture::from(asked).await.ok().and_then(|v| v.as_string());
            if answer.as_deref() == Some("granted") {
                storage::set(PREFERENCE_KEY, "on");
                self.refused.set(None);
                self.alerts.set(true);
            } else {
                self.refused.set(Some("The browser blocks notifications from this site; allow them in its settings."));
            }
        });
    }
}

/// One desktop notification for a ticket that now waits for the agent;
/// clicking it opens the ticket.
fn announce(t: &QueueItem) {
    let options = NotificationOptions::new();
    options.set_body(&format!("{} — {}", t.subject, t.customer_name));
    // One notification per ticket: a newer one replaces it.
    options.set_tag(&t.id);
    let Ok(n) = Notification::new_with_options("Needs your reply", &options) else { return };
    let hash = format!("#/ticket/{}", t.id);
    let on_click = Closure::<dyn Fn()>::new(move || {
        if let Some(w) = web_sys::window() {
            let _ = w.focus();
        }
        go(&hash);
    });
    n.set_onclick(Some(on_click.as_ref().unchecked_ref()));
    on_click.forget();
}
