//! The logged-in agent's own account: who they are, and changing their
//! password.

use super::Notice;
use crate::api;
use crate::app::Session;
use deflect_shared::api::{AgentView, MIN_PASSWORD, PasswordChange};
use leptos::prelude::*;

#[component]
pub fn AccountPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let note = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        note.set(None);
        if new.get_untracked() != repeat.get_untracked() {
            error.set(Some("The new password and its repetition differ.".into()));
            return;
        }
        let body = PasswordChange { current_password: current.get_untracked(), new_password: new.get_untracked() };
        if let Err(e) = body.validate() {
            error.set(Some(e.to_string()));
            return;
        }
        leptos::task::spawn_local(async move {
            match api::call::<_, AgentView>("POST", "/v1/auth/password", &body).await {
                // The agent is the same; setting the session again would
                // redraw the page and lose this note.
                Ok(_) => {
                    error.set(None);
                    for field in [current, new, repeat] {
                        field.set(String::new());
                    }
                    note.set(Some("Password changed. Your other sessions are logged out.".into()));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let who = move || session.me.get().map(|m| format!("{} <{}>, {}", m.name, m.email, m.role.as_str()));
    let input = |id: &'static str, autocomplete: &'static str, value: RwSignal<String>| {
        view! {
            <input id=id type="password" autocomplete=autocomplete required
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
        }
    };
    view! {
        <section class="account">
            <h1>"Your account"</h1>
            <p>{who}</p>
            <h2>"Change your password"</h2>
            <form on:submit=submit>
                <label for="current-password">"Current password"</label>
                {input("current-password", "current-password", current)}
                <label for="new-password">{format!("New password (at least {MIN_PASSWORD} characters)")}</label>
                {input("new-password", "new-password", new)}
                <label for="repeat-password">"New password again"</label>
                {input("repeat-password", "new-password", repeat)}
                <Show when=move || error.get().is_some()>
                    <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </Show>
                <button type="submit">"Change password"</button>
            </form>
            <Notice note=note />
        </section>
    }
}
