//! The customer directory (`#/customers`, a page at a time) and one customer's record
//! (`#/customer/<id>`): contact, plan and value, which the priority score
//! reads, and every ticket they opened.

use super::Notice;
use super::log_ticket::LogTicketForm;
use crate::api::{self, Page};
use crate::app::Session;
use crate::pager::{Pager, Paging};
use crate::time::{ago, stamp};
use deflect_shared::api::{CustomerInput, CustomerLine, CustomerUpdate, CustomerView};
use deflect_shared::money::{format_cents, parse_dollars};
use deflect_shared::priority::PLAN_TIERS;
use leptos::prelude::*;

#[component]
pub fn Customers() -> impl IntoView {
    let q = RwSignal::new(String::new());
    let plan = RwSignal::new(String::new());
    let lines = RwSignal::new(None::<Result<Page<CustomerLine>, String>>);
    let latest = StoredValue::new(0u32);
    let paging = Paging::new("deflect.dashboard.customers.per_page");
    Effect::new(move |_| {
        let mut path = format!("/v1/agent/customers?limit={}", paging.per_page());
        for (k, v) in [("q", q.get()), ("plan", plan.get())] {
            if !v.trim().is_empty() {
                path.push_str(&format!("&{k}={}", api::enc(v.trim())));
            }
        }
        api::get_page_latest(paging.path(path), lines, latest);
    });
    view! {
        <section>
            <h1>"Customers"</h1>
            <form class="filters" on:submit=|ev| ev.prevent_default()>
                <label for="c-q">"Search"</label>
                <input id="c-q" type="search" placeholder="a whole e-mail address, or part of a name"
                    size="36" on:change=move |ev| { q.set(event_target_value(&ev)); paging.restart(); } />
                <label for="c-plan-filter">"Plan"</label>
                <input id="c-plan-filter" type="text" size="10" on:change=move |ev| { plan.set(event_target_value(&ev)); paging.restart(); } />
            </form>
            <p class="muted">"E-mail addresses are stored encrypted, so only a whole address can be found."</p>
            {move || match lines.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(page)) if page.items.is_empty() => view! { <p class="muted">"No customers match."</p> }.into_any(),
                Some(Ok(Page { items: list, .. })) => view! {
                    <table class="customers">
                        <caption class="sr">"Customers, the most recently in touch first"</caption>
                        <thead><tr>
                            <th scope="col">"Customer"</th><th scope="col">"E-mail"</th><th scope="col">"Plan"</th>
                            <th scope="col">"Value"</th><th scope="col">"Open tickets"</th><th scope="col">"All tickets"</th>
                            <th scope="col">"Last contact"</th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|c| {
                                let href = format!("#/customer/{}", c.id);
                                let label = c.name.clone().unwrap_or_else(|| c.email.clone());
                                view! {
                                    <tr class="customer-row" data-id=c.id.clone()>
                                        <td><a class="customer" href=href>{label}</a></td>
                                        <td>{c.email.clone()}</td>
                                        <td>{c.plan.clone().unwrap_or_else(|| "—".into())}</td>
                                        <td>{format_cents(c.lifetime_value_cents)}</td>
                                        <td>{c.open_tickets}</td>
                                        <td>{c.tickets}</td>
                                        <td>{c.last_contact_at.map(ago).unwrap_or_else(|| "—".into())}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            <Pager paging=paging page=lines nouns=("Customer", "Customers") label="Customer pages" id="customers" />
        </section>
    }
}

fn load(id: String, record: RwSignal<Option<Result<CustomerView, String>>>) {
    leptos::task::spawn_local(async move {
        record.set(Some(
            api::get::<CustomerView>(&format!("/v1/agent/customers/{}", api::enc(&id))).await.map_err(|e| e.message),
        ));
    });
}

#[component]
pub fn CustomerPage(
    /// Customer id.
    id: String,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let record = RwSignal::new(None::<Result<CustomerView, String>>);
    let note = RwSignal::new(None::<String>);
    load(id.clone(), record);
    view! {
        <section class="customer-page">
            <p><a href="#/customers">"← Customers"</a></p>
            <Notice note=note />
            {move || match record.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(c)) => {
                    let name = RwSignal::new(c.name.clone().unwrap_or_default());
                    let plan = RwSignal::new(c.plan.clone().unwrap_or_default());
                    let value = RwSignal::new(format_cents(c.lifetime_value_cents).replace('$', ""));
                    let id = id.clone();
                    let save = move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        let cents = match parse_dollars("Lifetime value", &value.get_untracked()) {
                            Ok(c) => c,
                            Err(e) => {
                                note.set(Some(e.to_string()));
                                return;
                            }
                        };
                        let u = CustomerUpdate {
                            name: Some(name.get_untracked()).filter(|n| !n.trim().is_empty()),
                            plan: Some(plan.get_untracked()).filter(|p| !p.trim().is_empty()),
                            lifetime_value_cents: Some(cents),
                            ..CustomerUpdate::default()
                        };
                        let id = id.clone();
                        leptos::task::spawn_local(async move {
                            match api::call::<_, CustomerView>("PATCH", &format!("/v1/agent/customers/{}", api::enc(&id)), &u).await {
                                Ok(v) => {
                                    note.set(Some("Customer saved.".into()));
                                    record.set(Some(Ok(v)));
                                }
                                Err(e) => note.set(Some(e.message)),
                            }
                        });
                    };
                    let title = match (&c.erased_at, &c.name, &c.email) {
                        (Some(_), _, _) => "Erased customer".to_string(),
                        (None, Some(n), _) => n.clone(),
                        (None, None, e) => e.clone().unwrap_or_default(),
                    };
                    let record_or_erased = match c.erased_at {
                        Some(at) => view! {
                            <p class="notice" role="status" id="erased-notice">
                                "This customer's personal data was erased on " {stamp(at)}
                                ". Their tickets stay, without their text, in the team's figures."
                            </p>
                        }.into_any(),
                        None => view! {
                            <form on:submit=save>
                                <label for="cu-name">"Name"</label>
                                <input id="cu-name" type="text" maxlength="200" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                                <label for="cu-plan">"Plan"</label>
                                <input id="cu-plan" type="text" maxlength="40" list="plans" prop:value=move || plan.get() on:input=move |ev| plan.set(event_target_value(&ev)) />
                                <datalist id="plans">
                                    {PLAN_TIERS.iter().map(|(p, _)| view! { <option value=*p></option> }).collect_view()}
                                </datalist>
                                <label for="cu-value">"Lifetime value (dollars)"</label>
                                <input id="cu-value" type="text" inputmode="decimal" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                                <p class="muted">"A higher plan and a higher value raise the priority of this customer's next tickets."</p>
                                <button type="submit">"Save"</button>
                            </form>
                            {session.is_admin().then(|| view! { <Privacy id=c.id.clone() tickets=c.tickets.len() record=record note=note /> })}
                        }.into_any(),
                    };
                    let logging = RwSignal::new(false);
                    let caller = CustomerInput {
                        email: c.email.clone().unwrap_or_default(),
                        name: c.name.clone(),
                        phone: c.phone.clone(),
                        signature: None,
                    };
                    let site = c.site.clone();
                    let can_log = c.erased_at.is_none() && c.email.is_some();
                    view! {
                        <h1>{title}</h1>
                        <div class="ticket-grid">
                            <div class="main-col">
                                <h2>"Tickets"</h2>
                                <Show when=move || can_log && !logging.get()>
                                    <button type="button" id="log-for-customer" on:click=move |_| logging.set(true)>
                                        "Log a call or e-mail from this customer"
                                    </button>
                                </Show>
                                <Show when=move || logging.get()>
                                    <LogTicketForm open=logging site=site.clone() customer=caller.clone() />
                                </Show>
                                {if c.tickets.is_empty() {
                                    view! { <p class="muted">"No tickets yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="history">
                                            {c.tickets.iter().map(|h| view! {
                                                <li><a href=format!("#/ticket/{}", h.id)>{h.subject.clone()}</a>
                                                " · " {h.status.clone()} " · " {stamp(h.created_at)}
                                                {h.csat.map(|r| format!(" · {r}★"))}</li>
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                            </div>
                            <aside class="side-col">
                                <h2>"Record"</h2>
                                <dl class="crm">
                                    <dt>"E-mail"</dt><dd>{c.email.clone().unwrap_or_else(|| "—".into())}</dd>
                                    {c.phone.clone().map(|p| view! { <dt>"Phone"</dt><dd>{p}</dd> })}
                                    <dt>"Site"</dt><dd>{c.site.clone()}</dd>
                                    <dt>"First seen"</dt><dd>{stamp(c.created_at)}</dd>
                                    <dt>"Average CSAT"</dt><dd>{c.average_csat.map(|v| format!("{v:.1}")).unwrap_or_else(|| "—".into())}</dd>
                                    {c.attributes.iter().map(|(k, v)| view! { <dt>{k.clone()}</dt><dd>{v.to_string()}</dd> }).collect_view()}
                                </dl>
                                {c.erased_at.is_none().then(|| view! { <Blocking id=c.id.clone() blocked_at=c.blocked_at record=record note=note /> })}
                                {record_or_erased}
                            </aside>
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// Whether the customer is blocked as a sender of spam, and the button
/// that changes it.
#[component]
fn Blocking(
    /// The customer.
    id: String,
    /// Since when they are blocked, if they are.
    blocked_at: Option<i64>,
    /// The record shown, replaced by the answer.
    record: RwSignal<Option<Result<CustomerView, String>>>,
    /// Where the outcome is said.
    note: RwSignal<Option<String>>,
) -> impl IntoView {
    let set = move |blocked: bool| {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            leptos::task::spawn_local(async move {
                let u = CustomerUpdate { blocked: Some(blocked), ..CustomerUpdate::default() };
                match api::call::<_, CustomerView>("PATCH", &format!("/v1/agent/customers/{}", api::enc(&id)), &u).await
                {
                    Ok(v) => {
                        note.set(Some(if blocked { "Sender blocked." } else { "Sender unblocked." }.into()));
                        record.set(Some(Ok(v)));
                    }
                    Err(e) => note.set(Some(e.message)),
                }
            });
        }
    };
    match blocked_at {
        Some(at) => view! {
            <p class="notice" id="blocked-notice">
                "Blocked as a sender of spam since " {stamp(at)} ": their new tickets are kept, closed as spam, out of the queue."
            </p>
            <button type="button" id="unblock-customer" on:click=set(false)>"Unblock"</button>
        }
        .into_any(),
        None => view! {
            <button type="button" class="danger" id="block-customer" on:click=set(true)>"Block as a sender of spam"</button>
        }
        .into_any(),
    }
}

/// An admin's answers to a customer's privacy requests: a copy of their
/// data, or its erasure (asked twice).
#[component]
fn Privacy(
    /// Customer id.
    id: String,
    /// How many tickets they have.
    tickets: usize,
    /// The record, reloaded after an erasure.
    record: RwSignal<Option<Result<CustomerView, String>>>,
    /// Where the outcome is said.
    note: RwSignal<Option<String>>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let export = format!("/v1/admin/customers/{}/export", api::enc(&id));
    let erase = move |_| {
        let id = id.clone();
        leptos::task::spawn_local(async move {
            match api::delete(&format!("/v1/admin/customers/{}", api::enc(&id))).await {
                Ok(()) => {
                    note.set(Some("The customer's personal data was erased.".into()));
                    load(id, record);
                }
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    view! {
        <h2>"Privacy"</h2>
        <p><a class="button" id="export-customer" href=export download="">"Download their data (JSON)"</a></p>
        <Show
            when=move || confirming.get()
            fallback=move || view! { <button type="button" class="danger" id="erase-customer" on:click=move |_| confirming.set(true)>"Erase their personal data…"</button> }
        >
            <div role="group" aria-labelledby="erase-warning">
                <p class="notice" id="erase-warning">
                    "This erases their name, e-mail, phone, attributes and the text of their "
                    {tickets} " ticket(s) and widget questions, for good. Their tickets stay in the figures, without text."
                </p>
                <button type="button" class="danger" id="erase-confirm" on:click=erase.clone()>"Erase for good"</button>
                " "
                <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
            </div>
        </Show>
    }
}
