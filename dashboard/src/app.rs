//! The dashboard shell: who is logged in, the navigation, the keyboard
//! shortcuts, and the hash router (`#/queue`, `#/ticket/<id>`, `#/customers`, `#/customer/<id>`,
//! `#/kb`, `#/metrics`, `#/settings`, `#/audit`, `#/account`; without a session
//! `#/login`, `#/forgot` and `#/reset/<token>`).

use crate::alerts::{self, Waiting};
use crate::api;
use crate::pages::{
    account::AccountPage, audit::AuditPage, customers::CustomerPage, customers::Customers, kb::Kb, login::Login,
    metrics::MetricsPage, password_reset::ForgotPassword, password_reset::ResetPassword, queue::Queue,
    settings::SettingsPage, ticket::TicketPage,
};
use crate::shortcuts::{ShortcutHelp, Shortcuts};
use deflect_shared::api::{AgentView, Away, Role};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

/// Whether the page is on a route for someone not logged in (asking for a
/// link to set a new password, and setting it), which no 401 leaves.
pub fn opens_without_session_now() -> bool {
    let hash = current_hash();
    hash == "#/forgot" || hash.starts_with("#/reset/")
}

/// Navigates to a hash route.
pub fn go(hash: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(hash);
    }
}

fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// The logged-in agent, shared with every page.
#[derive(Clone, Copy)]
pub struct Session {
    pub me: RwSignal<Option<AgentView>>,
    /// Recovery codes just made, shown until the page is left (kept here
    /// so they survive the page being drawn again).
    pub recovery_codes: RwSignal<Option<Vec<String>>>,
}

impl Session {
    pub fn is_admin(&self) -> bool {
        self.me.get().is_some_and(|m| m.role == Role::Admin)
    }
}

/// The app.
#[component]
pub fn App() -> impl IntoView {
    let route = RwSignal::new(current_hash());
    let session = Session { me: RwSignal::new(None), recovery_codes: RwSignal::new(None) };
    provide_context(session);
    let on_hash = Closure::<dyn Fn()>::new(move || {
        let hash = current_hash();
        if hash != "#/account" {
            // Recovery codes are shown once, on the account page.
            session.recovery_codes.set(None);
        }
        route.set(hash);
    });
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
    }
    on_hash.forget();
    let checked = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        match api::get::<AgentView>("/v1/auth/me").await {
            Ok(me) => session.me.set(Some(me)),
            Err(_) if opens_without_session_now() => {}
            Err(_) => go("#/login"),
        }
        checked.set(true);
    });

    let logout = move |_| {
        leptos::task::spawn_local(async move {
            let _ = api::call::<_, ()>("POST", "/v1/auth/logout", &serde_json::json!({})).await;
            session.me.set(None);
            go("#/login");
        });
    };

    // Away: no new tickets are assigned until back.
    let toggle_away = move |_| {
        let away = !session.me.get_untracked().is_some_and(|m| m.away);
        leptos::task::spawn_local(async move {
            if let Ok(me) = api::call::<_, AgentView>("PUT", "/v1/auth/away", &Away { away }).await {
                session.me.set(Some(me));
            }
        });
    };

    let waiting = Waiting::watch(session);
    let shortcuts = Shortcuts::install();
    provide_context(shortcuts);

    let page = move || {
        let r = route.get();
        let path = r.trim_start_matches('#');
        if let Some(token) = path.strip_prefix("/reset/") {
            return view! { <ResetPassword token=token.to_string() /> }.into_any();
        }
        if path == "/forgot" {
            return view! { <ForgotPassword /> }.into_any();
        }
        if path == "/login" || (checked.get() && session.me.get().is_none()) {
            return view! { <Login /> }.into_any();
        }
        if session.me.get().is_none() {
            return view! { <p class="muted">"Loading…"</p> }.into_any();
        }
        if session.me.get().is_some_and(|m| m.two_factor_required) {
            // The team requires two-step login: nothing else until it is set up.
            return view! { <AccountPage /> }.into_any();
        }
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        match parts.as_slice() {
            ["ticket", id] => view! { <TicketPage id=id.to_string() /> }.into_any(),
            ["customers"] => view! { <Customers /> }.into_any(),
            ["customer", id] => view! { <CustomerPage id=id.to_string() /> }.into_any(),
            ["kb"] => view! { <Kb /> }.into_any(),
            ["metrics"] => view! { <MetricsPage /> }.into_any(),
            ["account"] => view! { <AccountPage /> }.into_any(),
            ["settings"] if session.is_admin() => view! { <SettingsPage /> }.into_any(),
            ["audit"] if session.is_admin() => view! { <AuditPage /> }.into_any(),
            ["settings"] => view! {
                <section><h1>"Settings"</h1><p class="error" role="alert">"Settings need the admin role."</p></section>
            }
            .into_any(),
            ["audit"] => view! {
                <section><h1>"Audit log"</h1><p class="error" role="alert">"The audit log needs the admin role."</p></section>
            }
            .into_any(),
            _ => view! { <Queue /> }.into_any(),
        }
    };
    let nav_class = move |name: &'static str| {
        let r = route.get();
        let active = match name {
            "queue" => r.is_empty() || r == "#/" || r.starts_with("#/queue") || r.starts_with("#/ticket"),
            "customers" => r.starts_with("#/customer"),
            other => r.starts_with(&format!("#/{other}")),
        };
        if active { "active" } else { "" }
    };
    view! {
        <Show when=move || session.me.get().is_some()>
            <nav class="top" aria-label="Main">
                <span class="brand">"Deflect"</span>
                <a href="#/queue" class=move || nav_class("queue")>
                    "Queue"
                    <Show when=move || { waiting.count.get() > 0 }>
                        <span class="count" id="waiting-count"
                            title="Open tickets assigned to you: new, or the customer wrote last">
                            {move || waiting.count.get()}
                        </span>
                    </Show>
                </a>
                <a href="#/customers" class=move || nav_class("customers")>"Customers"</a>
                <a href="#/kb" class=move || nav_class("kb")>"Knowledge base"</a>
                <a href="#/metrics" class=move || nav_class("metrics")>"Metrics"</a>
                <Show when=move || session.is_admin()>
                    <a href="#/settings" class=move || nav_class("settings")>"Settings"</a>
                    <a href="#/audit" class=move || nav_class("audit")>"Audit log"</a>
                </Show>
                <span class="spacer"></span>
                <Show when=alerts::supported>
                    <button type="button" id="alerts-toggle" class="link" on:click=move |_| waiting.toggle()
                        title="A desktop notification when a ticket starts waiting for you, while the dashboard is open.">
                        {move || if waiting.alerts.get() { "Desktop alerts: on" } else { "Desktop alerts: off" }}
                    </button>
                </Show>
                <Show when=move || waiting.refused.get().is_some()>
                    <span class="error" id="alerts-refused" role="status">{move || waiting.refused.get()}</span>
                </Show>
                <Show when=move || session.me.get().is_some_and(|m| m.away)>
                    <span class="tag away" id="away-state">"away: no new tickets"</span>
                </Show>
                <button type="button" id="away-toggle" class="link" on:click=toggle_away
                    title="While away, new tickets go to the others; yours stay yours.">
                    {move || if session.me.get().is_some_and(|m| m.away) { "I am back" } else { "Set me away" }}
                </button>
                <a href="#/account" class=move || format!("who {}", nav_class("account")) title="Your account and password">
                    {move || session.me.get().map(|m| format!("{} ({})", m.name, m.role.as_str())).unwrap_or_default()}
                </a>
                <button type="button" class="link" on:click=logout>"Log out"</button>
            </nav>
        </Show>
        <Show when=move || shortcuts.help.get() && session.me.get().is_some()>
            <ShortcutHelp shortcuts=shortcuts />
        </Show>
        <div class="page">{page}</div>
    }
}
