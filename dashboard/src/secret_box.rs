//! A secret the edge derives and an admin hands on (the webhook signing
//! secret, a site's identity secret): hidden until asked for, rotated only
//! after a confirmation that says what a rotation means.

use crate::api;
use leptos::prelude::*;
use serde::de::DeserializeOwned;

/// The element ids of a [`SecretBox`], which tests and labels use.
#[derive(Clone, Copy)]
pub struct SecretIds {
    /// The secret's `<code>`.
    pub secret: &'static str,
    /// The "show" button.
    pub show: &'static str,
    /// The "rotate…" button.
    pub rotate: &'static str,
    /// The warning asked before rotating.
    pub warning: &'static str,
    /// The button that rotates.
    pub confirm: &'static str,
}

/// What a box says of a secret, and the secret.
pub struct Shown {
    /// "Signing secret (version 2, made 3 min ago):" and what holds for the
    /// previous one.
    pub about: String,
    /// The secret.
    pub secret: String,
}

#[component]
pub fn SecretBox<T: DeserializeOwned + Send + Sync + 'static>(
    /// Status line.
    note: RwSignal<Option<String>>,
    /// The API path: GET shows the secret, POST rotates it.
    path: &'static str,
    /// Element ids.
    ids: SecretIds,
    /// What the box says while the secret is hidden.
    hidden: &'static str,
    /// The "show" button's label.
    show_label: &'static str,
    /// What a rotation means, asked before it is made.
    warning: &'static str,
    /// The status line after a rotation.
    rotated: &'static str,
    /// How a secret is shown.
    describe: fn(&T) -> Shown,
) -> impl IntoView {
    let secret = RwSignal::new(None::<T>);
    let confirming = RwSignal::new(false);
    let show = move |_| {
        leptos::task::spawn_local(async move {
            match api::get::<T>(path).await {
                Ok(s) => {
                    secret.try_set(Some(s));
                }
                Err(e) => {
                    note.try_set(Some(e.message));
                }
            }
        });
    };
    let rotate = move |_| {
        confirming.set(false);
        leptos::task::spawn_local(async move {
            match api::call::<_, T>("POST", path, &()).await {
                Ok(s) => {
                    note.try_set(Some(rotated.into()));
                    secret.try_set(Some(s));
                }
                Err(e) => {
                    note.try_set(Some(e.message));
                }
            }
        });
    };
    view! {
        {move || secret.with(|s| match s.as_ref().map(describe) {
            None => view! { <p>{hidden}</p> }.into_any(),
            Some(shown) => view! {
                <p>{shown.about}</p>
                <code class="token" id=ids.secret>{shown.secret}</code>
            }.into_any(),
        })}
        <button type="button" id=ids.show on:click=show>{show_label}</button>
        " "
        <button type="button" class="danger" id=ids.rotate on:click=move |_| confirming.set(true)>"Rotate…"</button>
        <Show when=move || confirming.get()>
            <div role="group" aria-labelledby=ids.warning>
                <p class="notice" id=ids.warning>{warning}</p>
                <button type="button" class="danger" id=ids.confirm on:click=rotate>"Make a new secret"</button>
                " "
                <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
            </div>
        </Show>
    }
}
