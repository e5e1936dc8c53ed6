//! For an agent who forgot their password: asking for a link by mail
//! (`#/forgot`), and setting the new password from it (`#/reset/<token>`).
//! Both are open without a session.

use crate::api;
use deflect_shared::api::{PasswordReset, PasswordResetRequest};
use leptos::prelude::*;

/// What the edge says back: `message`.
#[derive(serde::Deserialize)]
struct Said {
    message: String,
}

/// `#/forgot`: the address to mail a link to.
#[component]
pub fn ForgotPassword() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let said = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = PasswordResetRequest { email: email.get_untracked() };
        leptos::task::spawn_local(async move {
            match api::call::<_, Said>("POST", "/v1/auth/password-reset", &body).await {
                Ok(s) => {
                    error.set(None);
                    said.set(Some(s.message));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <section class="login">
            <h1>"Forgot your password?"</h1>
            <Show
                when=move || said.get().is_none()
                fallback=move || view! { <p role="status">{move || said.get().unwrap_or_default()}</p> }
            >
                <form on:submit=submit>
                    <p class="muted">"Type the e-mail address you log in with, and we mail you a link to set a new password."</p>
                    <label for="reset-email">"E-mail"</label>
                    <input id="reset-email" type="email" autocomplete="username" required maxlength="254"
                        prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                    <Show when=move || error.get().is_some()>
                        <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
                    </Show>
                    <button type="submit">"Mail me a link"</button>
                </form>
            </Show>
            <p><a href="#/login">"Back to log in"</a></p>
        </section>
    }
}

/// `#/reset/<token>`: the new password, twice.
#[component]
pub fn ResetPassword(token: String) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let done = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if password.get_untracked() != again.get_untracked() {
            error.set(Some("The two passwords differ: type the same one twice.".into()));
            return;
        }
        let body = PasswordReset { token: token.clone(), new_password: password.get_untracked() };
        leptos::task::spawn_local(async move {
            match api::call::<_, Said>("POST", "/v1/auth/password-reset/confirm", &body).await {
                Ok(s) => {
                    error.set(None);
                    done.set(Some(s.message));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <section class="login">
            <h1>"Set a new password"</h1>
            <Show
                when=move || done.get().is_none()
                fallback=move || view! {
                    <p role="status">{move || done.get().unwrap_or_default()}</p>
                    <p><a href="#/login">"Log in"</a></p>
                }
            >
                <form on:submit=submit.clone()>
                    <label for="new-password">"New password"</label>
                    <input id="new-password" type="password" autocomplete="new-password" required minlength="12" maxlength="200"
                        aria-describedby="new-password-help"
                        prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                    <p class="muted" id="new-password-help">"At least 12 characters. Setting it logs you out everywhere."</p>
                    <label for="new-password-again">"The new password again"</label>
                    <input id="new-password-again" type="password" autocomplete="new-password" required maxlength="200"
                        prop:value=move || again.get() on:input=move |ev| again.set(event_target_value(&ev)) />
                    <Show when=move || error.get().is_some()>
                        <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
                    </Show>
                    <button type="submit">"Set the new password"</button>
                </form>
                <p><a href="#/forgot">"Ask for a new link"</a></p>
            </Show>
        </section>
    }
}
