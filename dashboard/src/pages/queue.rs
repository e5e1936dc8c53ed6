//! The queue: tickets by priority with SLA time left, filters, a page at a
//! time (the edge's `Link` header leads to the next page), a live refresh
//! of the page every 10 seconds, and one change (status, assignee) to a
//! selection of tickets.

use super::Notice;
use super::PriorityBadge;
use super::log_ticket::LogTicketForm;
use crate::api::{self, Page};
use crate::count::count;
use crate::pager::{Pager, Paging};
use crate::time::{ago, sla, stamp};
use deflect_shared::api::{
    AgentView, BulkResult, BulkUpdate, CHANNEL_WEB, CHANNEL_WIDGET, QueueItem, Status, TicketUpdate,
};
use leptos::prelude::*;

#[component]
pub fn Queue() -> impl IntoView {
    let status = RwSignal::new(String::new());
    let priority = RwSignal::new(String::new());
    let assignee = RwSignal::new(String::new());
    let tag = RwSignal::new(String::new());
    let q = RwSignal::new(String::new());
    let items = RwSignal::new(None::<Result<Page<QueueItem>, String>>);
    // Where the agent is in the queue; every filter below calls
    // `paging.restart()`, so a new filter starts again at page one.
    let paging = Paging::new("deflect.dashboard.queue.per_page");
    let agents = RwSignal::new(Vec::<AgentView>::new());
    let tick = RwSignal::new(0u32);
    leptos::task::spawn_local(async move {
        if let Ok(a) = api::get::<Vec<AgentView>>("/v1/agent/agents").await {
            agents.set(a);
        }
    });
    let path = move || {
        let mut p = format!("/v1/agent/tickets?limit={}", paging.per_page());
        for (k, v) in [
            ("status", status.get()),
            ("priority", priority.get()),
            ("assignee", assignee.get()),
            ("tag", tag.get()),
            ("q", q.get()),
        ] {
            if !v.is_empty() {
                p.push_str(&format!("&{k}={}", api::enc(&v)));
            }
        }
        p
    };
    let latest = StoredValue::new(0u32);
    Effect::new(move |_| {
        tick.track();
        api::get_page_latest(paging.path(path()), items, latest);
    });
    // The table stays in the page while the list refreshes: only rows whose
    // ticket changed are drawn again, so a refresh does not take the
    // checkbox or link an agent is about to click from under the pointer.
    let shape = Memo::new(move |_| match items.get() {
        None => Shape::Loading,
        Some(Err(e)) => Shape::Failed(e),
        Some(Ok(page)) if page.items.is_empty() => Shape::Empty,
        Some(Ok(_)) => Shape::Table,
    });
    let rows = Memo::new(move |_| match items.get() {
        Some(Ok(page)) => page.items,
        _ => Vec::new(),
    });
    // Live refresh.
    let handle = set_interval_with_handle(move || tick.update(|t| *t += 1), std::time::Duration::from_secs(10)).ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });
    let select = |label: &'static str, id: &'static str, sig: RwSignal<String>, options: Vec<(String, String)>| {
        view! {
            <label for=id>{label}</label>
            <select id=id on:change=move |ev| { sig.set(event_target_value(&ev)); paging.restart(); }>
                {options.into_iter().map(|(v, t)| {
                    let selected = sig.get_untracked() == v;
                    view! { <option value=v selected=selected>{t}</option> }
                }).collect_view()}
            </select>
        }
    };
    // The selection survives the live refresh; a bulk change applies to it.
    let selected = RwSignal::new(Vec::<String>::new());
    let all_selected = move || rows.with(|r| !r.is_empty() && selected.with(|s| r.iter().all(|t| s.contains(&t.id))));
    let note = RwSignal::new(None::<String>);
    let bulk_status = RwSignal::new(String::new());
    let bulk_assignee = RwSignal::new(String::new());
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let update = TicketUpdate {
            status: Status::parse(&bulk_status.get_untracked()),
            assignee: match bulk_assignee.get_untracked().as_str() {
                "" => None,
                "none" => Some(String::new()),
                a => Some(a.to_string()),
            },
            ..Default::default()
        };
        let body = BulkUpdate { ids: selected.get_untracked(), update };
        leptos::task::spawn_local(async move {
            match api::call::<_, BulkResult>("POST", "/v1/agent/tickets/bulk", &body).await {
                Ok(r) => {
                    let mut line = format!("{} changed.", count(r.updated.len() as u64, "ticket", "tickets"));
                    for f in &r.failed {
                        line.push_str(&format!(" {}: {}.", f.id, f.error));
                    }
                    note.try_set(Some(line));
                    selected.try_set(r.failed.into_iter().map(|f| f.id).collect());
                    tick.try_update(|t| *t += 1);
                }
                Err(e) => {
                    note.try_set(Some(e.message));
                }
            }
        });
    };
    let o = |pairs: &[(&str, &str)]| pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
    let logging = RwSignal::new(false);
    view! {
        <section>
            <h1>"Queue"</h1>
            <Show when=move || !logging.get()>
                <button type="button" id="log-ticket" on:click=move |_| logging.set(true)>
                    "Log a ticket from a call or e-mail"
                </button>
            </Show>
            <Show when=move || logging.get()>
                <LogTicketForm open=logging />
            </Show>
            <form class="filters" on:submit=|ev| ev.prevent_default()>
                {select("Status", "f-status", status, o(&[("", "open + pending"), ("open", "open"), ("pending", "pending"), ("solved", "solved"), ("closed", "closed"), ("all", "all")]))}
                {select("Priority", "f-priority", priority, o(&[("", "any"), ("urgent", "urgent"), ("high", "high"), ("normal", "normal"), ("low", "low")]))}
                <label for="f-assignee">"Assignee"</label>
                <select id="f-assignee" on:change=move |ev| { assignee.set(event_target_value(&ev)); paging.restart(); }>
                    <option value="">"anyone"</option>
                    <option value="me">"me"</option>
                    <option value="none">"unassigned"</option>
                    {move || agents.get().into_iter().map(|a| view! { <option value=a.id.clone()>{a.name.clone()}</option> }).collect_view()}
                </select>
                <label for="f-tag">"Tag"</label>
                <input id="f-tag" type="text" size="10" on:change=move |ev| { tag.set(event_target_value(&ev)); paging.restart(); } />
                <label for="f-q">"Search"</label>
                <input id="f-q" type="search" placeholder="subject or message" on:change=move |ev| { q.set(event_target_value(&ev)); paging.restart(); } />
            </form>
            <Notice note=note />
            <Show when=move || !selected.get().is_empty()>
                <form class="bulk" on:submit=apply aria-label="Change the selected tickets">
                    <strong>{move || format!("{} selected", selected.get().len())}</strong>
                    <label for="bulk-status">"Status"</label>
                    <select id="bulk-status" on:change=move |ev| bulk_status.set(event_target_value(&ev))>
                        <option value="">"unchanged"</option>
                        {["open", "pending", "solved", "closed"].into_iter().map(|s| view! { <option value=s>{s}</option> }).collect_view()}
                    </select>
                    <label for="bulk-assignee">"Assignee"</label>
                    <select id="bulk-assignee" on:change=move |ev| bulk_assignee.set(event_target_value(&ev))>
                        <option value="">"unchanged"</option>
                        <option value="none">"unassigned"</option>
                        {move || agents.get().into_iter().map(|a| view! { <option value=a.id.clone()>{a.name.clone()}</option> }).collect_view()}
                    </select>
                    <button type="submit" id="bulk-apply">"Apply"</button>
                    <button type="button" on:click=move |_| selected.set(Vec::new())>"Clear selection"</button>
                </form>
            </Show>
            {move || match shape.get() {
                Shape::Loading => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Shape::Failed(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Shape::Empty => view! { <p class="muted">"No tickets match."</p> }.into_any(),
                Shape::Table => view! {
                    <table class="queue">
                        <caption class="sr">"Tickets, highest priority first"</caption>
                        <thead><tr>
                            <th scope="col"><input type="checkbox" id="select-all" aria-label="Select every ticket shown"
                                prop:checked=all_selected
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    selected.set(if on { rows.with_untracked(|r| r.iter().map(|t| t.id.clone()).collect()) } else { Vec::new() });
                                } /></th>
                            <th scope="col">"Priority"</th><th scope="col">"Subject"</th><th scope="col">"Customer"</th>
                            <th scope="col">"Status"</th><th scope="col">"Assignee"</th><th scope="col">"SLA"</th><th scope="col">"Tags"</th><th scope="col">"Updated"</th>
                        </tr></thead>
                        <tbody>
                            <For each=move || rows.get() key=row_key children=move |t| row(t, selected, tick) />
                        </tbody>
                    </table>
                }.into_any(),
            }}
            <Pager paging=paging page=items nouns=("Ticket", "Tickets") label="Queue pages" id="queue" />
        </section>
    }
}

/// What the list part of the queue shows.
#[derive(Clone, PartialEq)]
enum Shape {
    Loading,
    Failed(String),
    Empty,
    Table,
}

/// A row is drawn again when anything it shows has changed.
fn row_key(t: &QueueItem) -> String {
    serde_json::to_string(t).unwrap_or_else(|_| t.id.clone())
}

/// One ticket in the queue, with its checkbox in the selection.
fn row(t: QueueItem, selected: RwSignal<Vec<String>>, tick: RwSignal<u32>) -> impl IntoView {
    let href = format!("#/ticket/{}", t.id);
    let sla_class = format!("sla sla-{}", t.sla.state);
    let updated_at = t.updated_at;
    view! {
        <tr class="ticket-row" data-id=t.id.clone()>
            <td><input type="checkbox" class="pick" aria-label=format!("Select {}", t.subject)
                prop:checked={ let id = t.id.clone(); move || selected.with(|s| s.contains(&id)) }
                on:change={ let id = t.id.clone(); move |ev| {
                    let on = event_target_checked(&ev);
                    selected.update(|s| { s.retain(|x| x != &id); if on { s.push(id.clone()); } });
                } } /></td>
            <td><PriorityBadge level=t.priority.as_str().to_string() score=t.priority_score explanation=t.explanation.clone() /></td>
            <td><a class="subject" href=href>{t.subject.clone()}</a>
                {(t.channel != CHANNEL_WIDGET).then(|| view! { <span class="tag channel" title=channel_title(&t.channel)>{t.channel.clone()}</span> })}</td>
            <td>{t.customer_name.clone()}</td>
            <td>{t.status.as_str()}
                {t.snoozed_until.map(|until| view! { <span class="tag snoozed" title=format!("Opens again {}", stamp(until))>"snoozed"</span> })}</td>
            <td>{t.assignee_name.clone().unwrap_or_else(|| "—".into())}</td>
            <td class=sla_class>{sla(&t.sla.state, t.sla.minutes_left)}</td>
            <td>{t.tags.join(", ")}</td>
            // "3 min ago" moves on with the live refresh's tick.
            <td>{move || { tick.track(); ago(updated_at) }}</td>
        </tr>
    }
}

/// What a ticket's channel tag means, on hover.
fn channel_title(channel: &str) -> &'static str {
    match channel {
        CHANNEL_WEB => "sent with the help centre's form",
        "email" => "came by e-mail, or an agent logged an e-mail",
        "phone" => "an agent logged a call",
        _ => "",
    }
}
