//! Identity verification (Settings, admins only): the first site's
//! identity secret, shown on request and rotated after a confirmation,
//! and how a site's server signs its customers with it.

use crate::api;
use crate::time::{ago, stamp};
use deflect_shared::api::IdentitySecret;
use leptos::prelude::*;

#[component]
pub fn IdentityVerification(
    /// Status line.
    note: RwSignal<Option<String>>,
) -> impl IntoView {
    let secret = RwSignal::new(None::<IdentitySecret>);
    let confirming = RwSignal::new(false);
    let show = move |_| {
        leptos::task::spawn_local(async move {
            match api::get::<IdentitySecret>("/v1/admin/identity-secret").await {
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
            match api::call::<_, IdentitySecret>("POST", "/v1/admin/identity-secret", &()).await {
                Ok(s) => {
                    note.try_set(Some(
                        "A new identity secret is in use; for a day, signatures made with the previous one still verify."
                            .into(),
                    ));
                    secret.try_set(Some(s));
                }
                Err(e) => {
                    note.try_set(Some(e.message));
                }
            }
        });
    };
    view! {
        <h2>"Identity verification"</h2>
        <p class="muted">
            "A page that knows who its visitor is (they are logged in to your site) can tell the widget, and prove it, so agents see the ticket's e-mail as verified. Your server signs the e-mail, trimmed and in lower case, with HMAC-SHA256 keyed with the secret below, in hex, and the page passes it on: "
            <code>"Deflect.identify({ email, name, signature })"</code>
            ". Keep the secret on your server; never put it in a page. A ticket whose signature does not match is still kept, marked as not verified."
        </p>
        <div class="new-token identity-secret">
            {move || match secret.get() {
                None => view! { <p>"The identity secret is hidden."</p> }.into_any(),
                Some(s) => {
                    let made = s.rotated_at.map_or_else(|| "the first secret".to_string(), |t| format!("made {}", ago(t)));
                    let previous = s.previous_valid_until.map(|t| format!(" Signatures made with the previous secret verify until {}.", stamp(t)));
                    view! {
                        <p>"Identity secret of site “" {s.site.clone()} "” (version " {s.version} ", " {made} "):" {previous}</p>
                        <code class="token" id="identity-secret">{s.secret}</code>
                    }.into_any()
                }
            }}
            <button type="button" id="show-identity-secret" on:click=show>"Show the identity secret"</button>
            " "
            <button type="button" class="danger" id="rotate-identity-secret" on:click=move |_| confirming.set(true)>"Rotate…"</button>
            <Show when=move || confirming.get()>
                <div role="group" aria-labelledby="rotate-identity-warning">
                    <p class="notice" id="rotate-identity-warning">"Your site must sign with the new secret within a day; after that, the previous one's signatures no longer verify."</p>
                    <button type="button" class="danger" id="rotate-identity-confirm" on:click=rotate>"Make a new secret"</button>
                    " "
                    <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                </div>
            </Show>
        </div>
    }
}
