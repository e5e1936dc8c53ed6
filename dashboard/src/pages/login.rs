//! Logging in.

use crate::api;
use crate::app::{Session, go};
use deflect_shared::api::{AgentView, Login as LoginBody};
use leptos::prelude::*;

#[component]
pub fn Login() -> impl IntoView {
    let session = expect_context::<Session>();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = LoginBody { email: email.get_untracked(), password: password.get_untracked() };
        leptos::task::spawn_local(async move {
            match api::call::<_, AgentView>("POST", "/v1/auth/login", &body).await {
                Ok(me) => {
                    session.me.set(Some(me));
                    error.set(None);
                    go("#/queue");
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <section class="login">
            <h1>"Deflect — support dashboard"</h1>
            <form on:submit=submit>
                <label for="email">"E-mail"</label>
                <input id="email" type="email" autocomplete="username" required prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                <label for="password">"Password"</label>
                <input id="password" type="password" autocomplete="current-password" required prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                <Show when=move || error.get().is_some()>
                    <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </Show>
                <button type="submit">"Log in"</button>
            </form>
        </section>
    }
}
