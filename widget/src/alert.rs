//! The line that says an action failed (sending a ticket, a reply), read
//! out by screen readers; nothing while there is no failure. One component
//! for every form keeps the wasm small: leptos' views are generic, and
//! each new shape of one costs bytes.

use leptos::prelude::*;

#[component]
pub(crate) fn Alert(
    /// What went wrong, in words.
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        <Show when=move || error.get().is_some()>
            <p class="dfl-error" role="alert">{move || error.get().unwrap_or_default()}</p>
        </Show>
    }
}
