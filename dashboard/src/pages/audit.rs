//! The audit log (admins only): who did what, on what, newest first,
//! filtered by area, agent and target, read a page at a time.

use super::Notice;
use crate::api;
use crate::time::stamp;
use deflect_shared::api::{AgentView, AuditEntry};
use deflect_shared::audit;
use leptos::prelude::*;

/// Lines per page.
const PAGE: usize = 50;

/// Who acted, in words.
fn who(line: &AuditEntry) -> String {
    match (&line.actor_name, line.actor.as_str()) {
        (Some(name), _) => name.clone(),
        (None, "system") => "Automation".into(),
        (None, other) => other.to_string(),
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let note = RwSignal::new(None::<String>);
    let agents = RwSignal::new(Vec::<AgentView>::new());
    let area = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let lines = RwSignal::new(Vec::<AuditEntry>::new());
    let more = RwSignal::new(false);
    let sent = StoredValue::new(0u32);
    leptos::task::spawn_local(async move {
        if let Ok(a) = api::get::<Vec<AgentView>>("/v1/admin/agents").await {
            agents.try_set(a);
        }
    });
    // Reads the first page (`older`: the page after the lines shown).
    let load = move |older: bool| {
        let mut query = vec![format!("limit={PAGE}")];
        for (name, value) in [("action", area), ("actor", actor), ("target", target)] {
            let v = value.get_untracked();
            if !v.trim().is_empty() {
                query.push(format!("{name}={}", api::enc(v.trim())));
            }
        }
        if older && let Some(last) = lines.get_untracked().last() {
            query.push(format!("before={}-{}", last.at, api::enc(&last.id)));
        }
        sent.update_value(|n| *n += 1);
        let this = sent.get_value();
        let path = format!("/v1/admin/audit?{}", query.join("&"));
        leptos::task::spawn_local(async move {
            let r = api::get::<Vec<AuditEntry>>(&path).await;
            if sent.try_get_value() != Some(this) {
                return;
            }
            match r {
                Ok(page) => {
                    more.set(page.len() == PAGE);
                    if older {
                        lines.update(|l| l.extend(page));
                    } else {
                        lines.set(page);
                    }
                }
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    load(false);
    let filter = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        load(false);
    };
    view! {
        <section>
            <h1>"Audit log"</h1>
            <p class="muted">"Who did what, on what: agents' changes, logins and failed logins, and what automation did. Newest first."</p>
            <Notice note=note />
            <form class="audit-filter row" on:submit=filter>
                <label for="audit-area">"Area"</label>
                <select id="audit-area" on:change=move |ev| { area.set(event_target_value(&ev)); load(false); }>
                    <option value="">"Everything"</option>
                    {audit::areas().into_iter().map(|a| view! { <option value=a>{a}</option> }).collect_view()}
                </select>
                <label for="audit-actor">"Who"</label>
                <select id="audit-actor" on:change=move |ev| { actor.set(event_target_value(&ev)); load(false); }>
                    <option value="">"Anyone"</option>
                    <option value="system">"Automation"</option>
                    {move || agents.get().into_iter().map(|a| view! { <option value=a.id.clone()>{a.name.clone()}</option> }).collect_view()}
                </select>
                <label for="audit-target">"On (id)"</label>
                <input id="audit-target" type="text" maxlength="100" prop:value=move || target.get() on:input=move |ev| target.set(event_target_value(&ev)) />
                <button type="submit">"Filter"</button>
            </form>
            <table class="audit">
                <thead><tr>
                    <th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th>
                    <th scope="col">"On"</th><th scope="col">"Details"</th>
                </tr></thead>
                <tbody>
                    {move || lines.get().into_iter().map(|l| {
                        let what = audit::describe(&l.action).map_or_else(|| l.action.clone(), str::to_string);
                        let detail = if l.detail.as_object().is_some_and(|o| o.is_empty()) || l.detail.is_null() {
                            String::new()
                        } else {
                            l.detail.to_string()
                        };
                        view! {
                            <tr class="audit-line" data-action=l.action.clone()>
                                <td>{stamp(l.at)}</td>
                                <td>{who(&l)}</td>
                                <td title=l.action.clone()>{what}</td>
                                <td><code>{l.target.clone()}</code></td>
                                <td><code class="detail">{detail}</code></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <Show when=move || lines.get().is_empty()>
                <p class="muted">"Nothing in the log matches."</p>
            </Show>
            <Show when=move || more.get()>
                <button type="button" id="audit-older" on:click=move |_| load(true)>"Show older"</button>
            </Show>
        </section>
    }
}
