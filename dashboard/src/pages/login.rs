//! Logging in: e-mail and password, then, for agents with two-step login,
//! a code from their authenticator app (or a recovery code).

use crate::api;
use crate::app::{Session, go};
use deflect_shared::api::{AgentView, Login as LoginBody};
use leptos::prelude::*;

#[component]
pub fn Login() -> impl IntoView {
    let session = expect_context::<Session>();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    // Shown once the edge asks for the second step.
    let asks_code = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = code.get_untracked();
        let body = LoginBody {
            email: email.get_untracked(),
            password: password.get_untracked(),
            code: (asks_code.get_untracked() && !typed.trim().is_empty()).then_some(typed),
        };
        leptos::task::spawn_local(async move {
            match api::call::<_, AgentView>("POST", "/v1/auth/login", &body).await {
                Ok(me) => {
                    session.me.set(Some(me));
                    error.set(None);
                    go("#/queue");
                }
                Err(e) if e.code == "two_factor_required" => {
                    asks_code.set(true);
                    error.set(None);
                    focus("code");
                }
                Err(e) => {
                    if e.code == "two_factor_failed" {
                        code.set(String::new());
                        focus("code");
                    }
                    error.set(Some(e.message));
                }
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
                <Show when=move || asks_code.get()>
                    <label for="code">"Code from your authenticator app"</label>
                    <input id="code" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="20"
                        aria-describedby="code-help" prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev)) />
                    <p class="muted" id="code-help">"Lost your phone? Type one of your recovery codes instead."</p>
                </Show>
                <Show when=move || error.get().is_some()>
                    <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </Show>
                <button type="submit">"Log in"</button>
            </form>
            <p><a href="#/forgot">"Forgot your password?"</a></p>
        </section>
    }
}

/// Moves the focus to a field once it is drawn.
fn focus(id: &'static str) {
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}
