//! Logging a ticket for a customer who wrote or called: the form on the
//! queue page. The edge gives it the widget's intake (customer record,
//! priority, rules, assignment, SLA); the form's idempotency key makes a
//! double click or a retry one ticket.

use crate::api;
use crate::app::go;
use deflect_shared::api::{CustomerInput, LogTicket, TicketDetail};
use leptos::prelude::*;

fn optional(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The form; `open` is cleared by its Cancel button. From a customer's
/// record, `site` and `customer` fill it in for that customer.
#[component]
pub fn LogTicketForm(
    open: RwSignal<bool>,
    #[prop(optional)] site: Option<String>,
    #[prop(optional)] customer: Option<CustomerInput>,
) -> impl IntoView {
    let known = customer.unwrap_or(CustomerInput { email: String::new(), name: None, phone: None, signature: None });
    let channel = RwSignal::new("phone".to_string());
    let email = RwSignal::new(known.email);
    let name = RwSignal::new(known.name.unwrap_or_default());
    let phone = RwSignal::new(known.phone.unwrap_or_default());
    let subject = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let mine = RwSignal::new(true);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The same key until a ticket is made, so sending again cannot make two.
    let key = StoredValue::new(api::new_idempotency_key("log"));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = LogTicket {
            site: site.clone(),
            customer: CustomerInput {
                email: email.get_untracked(),
                name: optional(name.get_untracked()),
                phone: optional(phone.get_untracked()),
                signature: None,
            },
            subject: optional(subject.get_untracked()),
            message: message.get_untracked(),
            channel: channel.get_untracked(),
            locale: None,
            assign_to_me: mine.get_untracked(),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let made = api::call_with::<_, TicketDetail>(
                "POST",
                "/v1/agent/tickets",
                &body,
                &[("idempotency-key", &key.get_value())],
            )
            .await;
            busy.set(false);
            match made {
                Ok(t) => {
                    key.set_value(api::new_idempotency_key("log"));
                    go(&format!("#/ticket/{}", t.ticket.id));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let text_field = |label: &'static str, id: &'static str, kind: &'static str, sig: RwSignal<String>| {
        view! {
            <label for=id>{label}</label>
            <input id=id type=kind prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) />
        }
    };
    view! {
        <form class="log-ticket" on:submit=submit aria-label="Log a ticket for a customer">
            <h2>"Log a ticket for a customer who wrote or called"</h2>
            <div class="grid">
                <label for="log-channel">"They"</label>
                <select id="log-channel" on:change=move |ev| channel.set(event_target_value(&ev))>
                    <option value="phone" selected=true>"called"</option>
                    <option value="email">"wrote an e-mail"</option>
                </select>
                {text_field("Their e-mail", "log-email", "email", email)}
                {text_field("Their name", "log-name", "text", name)}
                {text_field("Their phone", "log-phone", "tel", phone)}
                {text_field("Subject", "log-subject", "text", subject)}
                <label for="log-message">"What they asked"</label>
                <textarea id="log-message" rows="4" prop:value=move || message.get()
                    on:input=move |ev| message.set(event_target_value(&ev))></textarea>
            </div>
            <label class="check">
                <input type="checkbox" id="log-mine" prop:checked=move || mine.get()
                    on:change=move |ev| mine.set(event_target_checked(&ev)) />
                " Assign it to me"
            </label>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get()}</p>
            </Show>
            <button type="submit" id="log-submit" disabled=move || busy.get()>"Log the ticket"</button>
            <button type="button" class="link" on:click=move |_| open.set(false)>"Cancel"</button>
        </form>
    }
}
