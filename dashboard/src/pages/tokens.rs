//! API tokens for scripts (Settings, admins only): make one, to work until
//! revoked or for a number of days, see which exist, when each was last
//! used and when it stops working, revoke one.

use crate::api;
use crate::time::{ago, stamp};
use deflect_shared::api::{NewToken, TokenCreated, TokenView};
use leptos::prelude::*;

#[component]
pub fn ApiTokens(
    /// Status line.
    note: RwSignal<Option<String>>,
) -> impl IntoView {
    let list = RwSignal::new(Vec::<TokenView>::new());
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api::get::<Vec<TokenView>>("/v1/admin/tokens").await {
                Ok(t) => list.set(t),
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    reload();
    let name = RwSignal::new(String::new());
    // Days until it stops working; empty: never.
    let days = RwSignal::new(String::new());
    let created = RwSignal::new(None::<TokenCreated>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewToken { name: name.get_untracked(), expires_in_days: days.get_untracked().parse().ok() };
        leptos::task::spawn_local(async move {
            match api::call::<_, TokenCreated>("POST", "/v1/admin/tokens", &body).await {
                Ok(t) => {
                    name.set(String::new());
                    days.set(String::new());
                    created.set(Some(t));
                    reload();
                }
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    let revoke = move |t: TokenView| {
        leptos::task::spawn_local(async move {
            match api::delete(&format!("/v1/admin/tokens/{}", api::enc(&t.id))).await {
                Ok(()) => {
                    note.set(Some(format!("Revoked the token “{}”.", t.name)));
                    if created.get_untracked().is_some_and(|c| c.id == t.id) {
                        created.set(None);
                    }
                    reload();
                }
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    view! {
        <h2>"API tokens"</h2>
        <p class="muted">"A token lets a script call the API as the admin who made it (header "<code>"Authorization: Bearer …"</code>"). Revoking one stops it at once; deactivating its agent stops all of theirs."</p>
        <table class="tokens">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Acts as"</th><th scope="col">"Made"</th><th scope="col">"Last used"</th><th scope="col">"Stops working"</th><th scope="col"><span class="sr">"Revoke"</span></th></tr></thead>
            <tbody>
                {move || list.get().into_iter().map(|t| {
                    let label = format!("Revoke {}", t.name);
                    let used = t.last_used_at.map_or_else(|| "never".to_string(), ago);
                    let ends = match t.expires_at {
                        None => "when revoked".to_string(),
                        Some(at) if (at as f64) <= js_sys::Date::now() => format!("stopped {}", stamp(at)),
                        Some(at) => stamp(at),
                    };
                    let row = t.clone();
                    view! {
                        <tr>
                            <td>{t.name.clone()}</td>
                            <td>{t.agent_name.clone()}</td>
                            <td>{stamp(t.created_at)}</td>
                            <td>{used}</td>
                            <td class="token-ends">{ends}</td>
                            <td><button type="button" class="danger" aria-label=label on:click=move |_| revoke(row.clone())>"Revoke"</button></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <Show when=move || created.get().is_some()>
            <div class="new-token" role="status">
                <p>"Your new token — copy it now, it is not shown again:"</p>
                <code class="token">{move || created.get().map(|t| t.token).unwrap_or_default()}</code>
            </div>
        </Show>
        <form class="inline-form" on:submit=create>
            <label for="token-name">"What the token is for"</label>
            <input id="token-name" type="text" required maxlength="100" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            <label for="token-days">"Stops working"</label>
            <select id="token-days" prop:value=move || days.get() on:change=move |ev| days.set(event_target_value(&ev))>
                <option value="">"when revoked"</option>
                <option value="30">"after 30 days"</option>
                <option value="90">"after 90 days"</option>
                <option value="365">"after a year"</option>
            </select>
            <button type="submit">"Make a token"</button>
        </form>
    }
}
