//! Webhooks (Settings, admins only): the signing secret (shown on request,
//! rotated after a confirmation), a test delivery to a receiver, and the
//! recent deliveries with what each receiver answered; any delivery can be
//! sent again.

use crate::api;
use crate::secret_box::{SecretBox, SecretIds, Shown};
use crate::time::{ago, stamp};
use deflect_shared::api::{DeliveryState, WebhookDelivery, WebhookSecret, WebhookTest};
use leptos::prelude::*;

/// The signing secret box's element ids.
const SECRET_IDS: SecretIds = SecretIds {
    secret: "webhook-secret",
    show: "show-secret",
    rotate: "rotate-secret",
    warning: "rotate-warning",
    confirm: "rotate-confirm",
};

/// How the box shows the signing secret.
fn describe(s: &WebhookSecret) -> Shown {
    let made = s.rotated_at.map_or_else(|| "the first secret".to_string(), |t| format!("made {}", ago(t)));
    let previous = s
        .previous_valid_until
        .map(|t| format!(" The previous secret signs alongside until {}.", stamp(t)))
        .unwrap_or_default();
    Shown { about: format!("Signing secret (version {}, {made}):{previous}", s.version), secret: s.secret.clone() }
}

/// What the last attempt got, in words.
fn answer(d: &WebhookDelivery) -> String {
    if d.attempts == 0 {
        return "not tried yet".into();
    }
    match (d.state, d.last_status, d.last_error.as_deref()) {
        (DeliveryState::Delivered, Some(s), _) | (_, Some(s), None) => s.to_string(),
        (_, _, Some(e)) => e.to_string(),
        _ => "no answer".into(),
    }
}

/// Where a delivery stands, in words.
fn standing(d: &WebhookDelivery) -> String {
    match (d.state, d.next_attempt_at) {
        (DeliveryState::Delivered, _) => {
            d.delivered_at.map_or_else(|| "delivered".into(), |t| format!("delivered {}", ago(t)))
        }
        (DeliveryState::Pending, Some(t)) => format!("next try {}", stamp(t)),
        (DeliveryState::Pending, None) => "pending".into(),
        (DeliveryState::Failed, _) => "gave up".into(),
    }
}

#[component]
pub fn Webhooks(
    /// Status line.
    note: RwSignal<Option<String>>,
) -> impl IntoView {
    let list = RwSignal::new(Vec::<WebhookDelivery>::new());
    let shown_state = RwSignal::new(String::new());
    let reload = move || {
        let state = shown_state.get_untracked();
        let path = if state.is_empty() {
            "/v1/admin/webhooks/deliveries?limit=50".to_string()
        } else {
            format!("/v1/admin/webhooks/deliveries?limit=50&state={}", api::enc(&state))
        };
        leptos::task::spawn_local(async move {
            match api::get::<Vec<WebhookDelivery>>(&path).await {
                Ok(l) => {
                    list.try_set(l);
                }
                Err(e) => {
                    note.try_set(Some(e.message));
                }
            }
        });
    };
    reload();

    let test_url = RwSignal::new(String::new());
    let send_test = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = WebhookTest { url: test_url.get_untracked() };
        leptos::task::spawn_local(async move {
            match api::call::<_, WebhookDelivery>("POST", "/v1/admin/webhooks/test", &body).await {
                Ok(d) if d.state == DeliveryState::Delivered => {
                    note.try_set(Some(format!("The test reached {} (it answered {}).", d.url, answer(&d))));
                    reload();
                }
                Ok(d) => {
                    note.try_set(Some(format!("The test did not reach {}: {}.", d.url, answer(&d))));
                    reload();
                }
                Err(e) => {
                    note.try_set(Some(e.message));
                }
            }
        });
    };
    let send_again = move |id: String| {
        leptos::task::spawn_local(async move {
            let path = format!("/v1/admin/webhooks/deliveries/{}/send", api::enc(&id));
            match api::call::<_, WebhookDelivery>("POST", &path, &()).await {
                Ok(d) => {
                    let what = if d.state == DeliveryState::Delivered { "delivered" } else { "not delivered" };
                    note.try_set(Some(format!("Sent again: {what} ({}).", answer(&d))));
                    reload();
                }
                Err(e) => {
                    note.try_set(Some(e.message));
                }
            }
        });
    };

    view! {
        <h2>"Webhooks"</h2>
        <p class="muted">
            "Rules with a “notify webhook” action POST JSON to a receiver. Each delivery is signed: "
            <code>"Deflect-Signature: t=<unix seconds>,v1=<hex>"</code>
            " is HMAC-SHA256 of the time, a dot and the body, keyed with the secret below. A receiver should refuse a delivery whose signature does not match or whose time is more than five minutes off. One that fails is tried again after 1 min, 5 min, 30 min, 2 h and 8 h, with the same "
            <code>"Deflect-Delivery"</code>
            " id, so repeats can be dropped."
        </p>
        <div class="new-token webhook-secret">
            <SecretBox note=note path="/v1/admin/webhooks/secret" ids=SECRET_IDS describe=describe
                hidden="The signing secret is hidden."
                show_label="Show the signing secret"
                warning="Receivers must be given the new secret within a day; after that, deliveries are signed with it alone."
                rotated="A new signing secret is in use; for a day, deliveries are signed with the previous one too." />
        </div>
        <form class="inline-form" id="webhook-test" on:submit=send_test>
            <label for="webhook-test-url">"Send a test delivery to"</label>
            <input id="webhook-test-url" type="url" required maxlength="2000" placeholder="https://hooks.example.com/deflect"
                prop:value=move || test_url.get() on:input=move |ev| test_url.set(event_target_value(&ev)) />
            <button type="submit">"Send a test"</button>
        </form>
        <div class="inline-form">
            <label for="delivery-state">"Deliveries"</label>
            <select id="delivery-state" on:change=move |ev| { shown_state.set(event_target_value(&ev)); reload(); }>
                <option value="">"all"</option>
                <option value="pending">"waiting to be tried again"</option>
                <option value="failed">"given up"</option>
                <option value="delivered">"delivered"</option>
            </select>
        </div>
        <Show when=move || !list.get().is_empty() fallback=|| view! { <p class="muted" id="no-deliveries">"No deliveries."</p> }>
            <table class="deliveries">
                <thead><tr>
                    <th scope="col">"Queued"</th><th scope="col">"Event"</th><th scope="col">"Receiver"</th>
                    <th scope="col">"Attempts"</th><th scope="col">"Last answer"</th><th scope="col">"Standing"</th>
                    <th scope="col"><span class="sr">"Send again"</span></th>
                </tr></thead>
                <tbody>
                    {move || list.get().into_iter().map(|d| {
                        let id = d.id.clone();
                        let label = format!("Send again the {} delivery to {}", d.event, d.url);
                        view! {
                            <tr class="delivery" data-id=d.id.clone() data-state=d.state.as_str()>
                                <td>{stamp(d.created_at)}</td>
                                <td>{d.event.clone()} {d.rule.clone().map(|r| format!(" (rule {r})"))}</td>
                                <td class="url">{d.url.clone()}</td>
                                <td>{d.attempts}</td>
                                <td class="answer">{answer(&d)}</td>
                                <td class="standing">{standing(&d)}</td>
                                <td><button type="button" class="send-again" aria-label=label on:click=move |_| send_again(id.clone())>"Send again"</button></td>
                            </tr>
                            <tr class="delivery-body"><td colspan="7"><details><summary>"Body"</summary><pre>{d.payload.clone()}</pre></details></td></tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </Show>
    }
}
