//! Admin settings: allowed site origins, SLA targets, assignment, rate
//! limits, saved replies, automation rules (validated, errors in words), agents and roles,
//! API tokens, webhooks, and retraining the models.

use super::Notice;
use super::identity::IdentityVerification;
use super::tokens::ApiTokens;
use super::webhooks::Webhooks;
use crate::api;
use crate::count::count;
use crate::rule_editor::{RuleEditor, RuleRows};
use deflect_shared::api::{AgentCreated, AgentUpdate, AgentView, NewAgent, RetrainReport, Role, Settings, Status};
use deflect_shared::assignment::Strategy;
use deflect_shared::business_hours::{BusinessHours, SummerTime};
use deflect_shared::priority::Level;
use deflect_shared::saved_reply::{PLACEHOLDERS, SavedReply};
use leptos::prelude::*;

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Changes the business hours, if they are on.
fn edit_hours(current: RwSignal<Settings>, change: impl FnOnce(&mut BusinessHours)) {
    current.update(|s| {
        if let Some(h) = s.sla.business_hours.as_mut() {
            change(h);
        }
    });
}

/// The SLA's business hours: off (calendar time), or opening and closing
/// times, working days, the team's UTC offset and days off.
#[component]
fn BusinessHoursFields(
    /// The settings being edited.
    current: RwSignal<Settings>,
) -> impl IntoView {
    let hours = move || current.get().sla.business_hours;
    let text = move |read: fn(&BusinessHours) -> String| move || hours().map(|h| read(&h)).unwrap_or_default();
    view! {
        <fieldset class="business-hours">
            <legend>"Business hours"</legend>
            <label class="inline">
                <input type="checkbox" id="bh-on" prop:checked=move || hours().is_some() on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    let (offset, summer_time) = browser_clock();
                    current.update(|s| s.sla.business_hours = on.then(|| BusinessHours { utc_offset_minutes: offset, summer_time, ..BusinessHours::default() }));
                } />
                " Count SLA targets in business hours only (otherwise around the clock)"
            </label>
            <Show when=move || hours().is_some()>
                <div class="row">
                    <label for="bh-open">"Opens (HH:MM)"</label>
                    <input id="bh-open" type="text" inputmode="numeric" size="5" prop:value=text(|h| h.open.clone())
                        on:change=move |ev| { let v = event_target_value(&ev); edit_hours(current, |h| h.open = v.trim().to_string()); } />
                    <label for="bh-close">"Closes (HH:MM)"</label>
                    <input id="bh-close" type="text" inputmode="numeric" size="5" prop:value=text(|h| h.close.clone())
                        on:change=move |ev| { let v = event_target_value(&ev); edit_hours(current, |h| h.close = v.trim().to_string()); } />
                    <label for="bh-offset">"Minutes east of UTC (60 is UTC+01:00)"</label>
                    <input id="bh-offset" type="number" min="-720" max="840" prop:value=text(|h| h.utc_offset_minutes.to_string())
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            edit_hours(current, |h| h.utc_offset_minutes = v.trim().parse().unwrap_or(h.utc_offset_minutes));
                        } />
                    <label for="bh-summer">"Summer time"</label>
                    <select id="bh-summer" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        edit_hours(current, |h| h.summer_time = SummerTime::parse(&v));
                    }>
                        {[("none", "none"), ("eu", "Europe (last Sundays of March and October)"), ("us", "North America (March to November)"),
                          ("au", "south-east Australia (October to April)"), ("nz", "New Zealand (September to April)")]
                            .into_iter()
                            .map(|(value, label)| {
                                let selected = move || hours().and_then(|h| h.summer_time).map_or("none", SummerTime::as_str) == value;
                                view! { <option value=value selected=selected>{label}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="row" role="group" aria-label="Working days">
                    {WEEKDAYS.into_iter().map(|d| view! {
                        <label class="inline">
                            <input type="checkbox" id=format!("bh-{d}") prop:checked=move || hours().is_some_and(|h| h.days.iter().any(|x| x == d))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    edit_hours(current, |h| {
                                        h.days.retain(|x| x != d);
                                        if on {
                                            h.days.push(d.to_string());
                                            h.days.sort_by_key(|x| WEEKDAYS.iter().position(|w| w == x));
                                        }
                                    });
                                } />
                            {format!(" {d}")}
                        </label>
                    }).collect_view()}
                </div>
                <label for="bh-holidays">"Days off (YYYY-MM-DD, one per line)"</label>
                <textarea id="bh-holidays" rows="3" prop:value=text(|h| h.holidays.join("\n"))
                    on:change=move |ev| { let v = event_target_value(&ev); edit_hours(current, |h| h.holidays = lines(&v)); }></textarea>
                <p class="muted">"A ticket's targets then count only these hours: one written on Friday evening is due on Monday. The offset is your winter (standard) one; with summer time, the hours move with your clocks."</p>
            </Show>
        </fieldset>
    }
}

/// The browser's standard offset (minutes east of UTC) and a guess at its
/// summer-time rule, from its offsets in January and July.
fn browser_clock() -> (i32, Option<SummerTime>) {
    let east = |month: i32| -(js_sys::Date::new_with_year_month_day(2026, month, 15).get_timezone_offset() as i32);
    let (jan, jul) = (east(0), east(6));
    let summer = if jan == jul {
        None
    } else if jul > jan {
        // Northern hemisphere: the Americas lie west of UTC-03:00.
        Some(if jan <= -180 { SummerTime::Us } else { SummerTime::Eu })
    } else {
        Some(if jan >= 720 { SummerTime::Nz } else { SummerTime::Au })
    };
    (jan.min(jul), summer)
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect()
}

/// One saved reply being edited. Each field has its own signal, so typing
/// in one redraws nothing else, and the row keeps its key (and its fields'
/// ids) when another row is removed.
#[derive(Clone, Copy)]
struct ReplyRow {
    key: usize,
    title: RwSignal<String>,
    body: RwSignal<String>,
    then_status: RwSignal<Option<Status>>,
    /// The tags as typed, comma-separated; read into a list on saving.
    tags: RwSignal<String>,
}

impl ReplyRow {
    fn new(key: usize, reply: &SavedReply) -> Self {
        ReplyRow {
            key,
            title: RwSignal::new(reply.title.clone()),
            body: RwSignal::new(reply.body.clone()),
            then_status: RwSignal::new(reply.then_status),
            tags: RwSignal::new(reply.add_tags.join(", ")),
        }
    }

    fn set(&self, reply: &SavedReply) {
        self.title.set(reply.title.clone());
        self.body.set(reply.body.clone());
        self.then_status.set(reply.then_status);
        self.tags.set(reply.add_tags.join(", "));
    }

    fn reply(&self) -> SavedReply {
        SavedReply {
            title: self.title.get_untracked(),
            body: self.body.get_untracked(),
            then_status: self.then_status.get_untracked(),
            add_tags: self
                .tags
                .get_untracked()
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }
}

/// The saved replies being edited, apart from the rest of the settings: the
/// list is drawn again only when a reply is added or removed.
#[derive(Clone, Copy)]
struct ReplyRows {
    rows: RwSignal<Vec<ReplyRow>>,
    next_key: StoredValue<usize>,
}

impl ReplyRows {
    fn new(replies: &[SavedReply]) -> Self {
        let rows = replies.iter().enumerate().map(|(key, r)| ReplyRow::new(key, r)).collect();
        ReplyRows { rows: RwSignal::new(rows), next_key: StoredValue::new(replies.len()) }
    }

    fn add(&self, reply: &SavedReply) {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        self.rows.update(|rows| rows.push(ReplyRow::new(key, reply)));
    }

    fn remove(&self, key: usize) {
        self.rows.update(|rows| rows.retain(|r| r.key != key));
    }

    /// The row's place in the list, from 1.
    fn number(&self, key: usize) -> usize {
        self.rows.with(|rows| rows.iter().position(|r| r.key == key).map_or(0, |i| i + 1))
    }

    /// Shows the replies as saved, keeping the rows that are still there.
    fn reset(&self, replies: &[SavedReply]) {
        let rows = self.rows.get_untracked();
        for (row, reply) in rows.iter().zip(replies) {
            row.set(reply);
        }
        if rows.len() > replies.len() {
            self.rows.update(|rows| rows.truncate(replies.len()));
        }
        for reply in replies.iter().skip(rows.len()) {
            self.add(reply);
        }
    }

    fn replies(&self) -> Vec<SavedReply> {
        self.rows.with_untracked(|rows| rows.iter().map(ReplyRow::reply).collect())
    }
}

/// The saved replies' fields: each is kept as it is typed.
#[component]
fn SavedReplies(
    /// The replies being edited.
    rows: ReplyRows,
) -> impl IntoView {
    let row_view = move |row: ReplyRow| {
        let ReplyRow { key, title, body, then_status, tags } = row;
        let number = move || rows.number(key);
        view! {
            <fieldset class="saved-reply">
                <legend>{move || format!("Saved reply {}", number())}</legend>
                <label for=format!("sr-title-{key}")>"Title"</label>
                <input id=format!("sr-title-{key}") type="text" maxlength="80" prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev)) />
                <label for=format!("sr-body-{key}")>"Text"</label>
                <textarea id=format!("sr-body-{key}") rows="4" prop:value=move || body.get()
                    on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                <label for=format!("sr-status-{key}")>"Once sent, set the ticket to"</label>
                <select id=format!("sr-status-{key}") on:change=move |ev| then_status.set(Status::parse(&event_target_value(&ev)))>
                    {["", "pending", "solved", "closed"].into_iter().map(|v| {
                        let selected = move || then_status.get().map_or("", |s| s.as_str()) == v;
                        view! { <option value=v selected=selected>{if v.is_empty() { "(leave its status)" } else { v }}</option> }
                    }).collect_view()}
                </select>
                <label for=format!("sr-tags-{key}")>"and add the tags (comma-separated)"</label>
                <input id=format!("sr-tags-{key}") type="text" prop:value=move || tags.get()
                    on:input=move |ev| tags.set(event_target_value(&ev)) />
                <button type="button" class="link" on:click=move |_| rows.remove(key)>
                    {move || format!("Remove saved reply {}", number())}
                </button>
            </fieldset>
        }
    };
    let blank = SavedReply { title: String::new(), body: String::new(), then_status: None, add_tags: Vec::new() };
    view! {
        <For each=move || rows.rows.get() key=|row| row.key children=row_view />
        <div class="row">
            <button type="button" on:click=move |_| rows.add(&blank)>"Add a saved reply"</button>
        </div>
    }
}

#[component]
fn SettingsForm(
    /// The settings as loaded.
    settings: Settings,
    /// Their ETag: a save is refused if someone changed them since.
    etag: String,
    /// Status line.
    note: RwSignal<Option<String>>,
) -> impl IntoView {
    let etag = StoredValue::new(etag);
    let current = RwSignal::new(settings.clone());
    let origins = RwSignal::new(settings.sites.first().map(|s| s.allowed_origins.join("\n")).unwrap_or_default());
    let reply_address = RwSignal::new(settings.sites.first().and_then(|s| s.reply_address.clone()).unwrap_or_default());
    let rule_rows = RuleRows::new(&settings.rules);
    let rules_json = RwSignal::new(String::new());
    let rules_error = RwSignal::new(None::<String>);
    let replies = ReplyRows::new(&settings.saved_replies);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut s = current.get_untracked();
        s.saved_replies = replies.replies();
        if let Some(site) = s.sites.first_mut() {
            site.allowed_origins = lines(&origins.get_untracked());
            site.reply_address = Some(reply_address.get_untracked().trim().to_string()).filter(|a| !a.is_empty());
        }
        match rule_rows.specs() {
            Ok(r) => s.rules = r,
            Err(e) => {
                rules_error.set(Some(e.clone()));
                note.set(Some(e));
                return;
            }
        }
        let body = match serde_json::to_string(&s) {
            Ok(b) => b,
            Err(e) => {
                note.set(Some(e.to_string()));
                return;
            }
        };
        leptos::task::spawn_local(async move {
            let tag = etag.get_value();
            match api::call_tagged::<Settings>("PUT", "/v1/admin/settings", Some(body), &[("if-match", &tag)]).await {
                Ok((saved, tag)) => {
                    etag.set_value(tag);
                    replies.reset(&saved.saved_replies);
                    rule_rows.saved(&saved.rules);
                    current.set(saved);
                    rules_error.set(None);
                    note.set(Some("Settings saved.".into()));
                }
                Err(e) => {
                    rules_error.set(Some(e.message.clone()));
                    note.set(Some(e.message));
                }
            }
        });
    };
    let validate = move |_| {
        let text = match rule_rows.specs().and_then(|r| serde_json::to_string(&r).map_err(|e| e.to_string())) {
            Ok(text) => text,
            Err(e) => {
                rules_error.set(Some(e));
                return;
            }
        };
        leptos::task::spawn_local(async move {
            match api::call_raw::<serde_json::Value>("POST", "/v1/admin/rules/validate", text).await {
                Ok(v) => rules_error.set(Some(format!("The rules are valid ({} rules).", v["rules"]))),
                Err(e) => rules_error.set(Some(e.message)),
            }
        });
    };
    // The JSON view shows the rules as the form has them when opened; its
    // text replaces them only at "Use this JSON".
    let show_json = move |ev: leptos::ev::Event| {
        let open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
        if open {
            match rule_rows.specs().and_then(|r| serde_json::to_string_pretty(&r).map_err(|e| e.to_string())) {
                Ok(text) => rules_json.set(text),
                Err(e) => rules_error.set(Some(e)),
            }
        }
    };
    let use_json =
        move |_| match serde_json::from_str::<Vec<deflect_shared::rules::RuleSpec>>(&rules_json.get_untracked()) {
            Ok(specs) => {
                rule_rows.reset(&specs);
                rules_error.set(Some(format!(
                    "{} from the JSON in the form; check or save them.",
                    count(specs.len() as u64, "rule", "rules")
                )));
            }
            Err(e) => rules_error.set(Some(format!("the rules are not valid JSON: {e}"))),
        };
    let sla_input = move |level: Level, first: bool| {
        let value = move || {
            let s = current.get();
            let t = s.sla.target(level);
            (if first { t.first_response_minutes } else { t.resolution_minutes }).to_string()
        };
        let id = format!("sla-{}-{}", level.as_str(), if first { "first" } else { "resolution" });
        let label =
            format!("{} minutes for {} priority", if first { "First response" } else { "Resolution" }, level.as_str());
        view! {
            <input id=id.clone() type="number" min="1" aria-label=label prop:value=value on:change=move |ev| {
                let v: u32 = event_target_value(&ev).parse().unwrap_or(1);
                current.update(|s| {
                    let t = match level {
                        Level::Low => &mut s.sla.low,
                        Level::Normal => &mut s.sla.normal,
                        Level::High => &mut s.sla.high,
                        Level::Urgent => &mut s.sla.urgent,
                    };
                    if first { t.first_response_minutes = v } else { t.resolution_minutes = v }
                });
            } />
        }
    };
    view! {
        <form class="settings" on:submit=save>
            <h2>"Site and allowed origins"</h2>
            <p class="muted">{move || current.get().sites.first().map(|s| format!("Site “{}” ({}). The widget and public API answer only pages from these origins, one per line:", s.name, s.id)).unwrap_or_default()}</p>
            <label for="origins" class="sr">"Allowed origins"</label>
            <textarea id="origins" rows="4" prop:value=move || origins.get() on:input=move |ev| origins.set(event_target_value(&ev))></textarea>
            <label for="reply-address">"Mail replies to this site's customers from"</label>
            <input id="reply-address" type="email" maxlength="254" placeholder="help@example.com" aria-describedby="reply-address-help"
                prop:value=move || reply_address.get() on:input=move |ev| reply_address.set(event_target_value(&ev)) />
            <p class="muted" id="reply-address-help">
                "Left empty, customers read replies in the widget only. Set, each reply is also mailed to them, with a link to their request; route this address to Deflect in Cloudflare Email Routing so their answers come back to the ticket."
            </p>
            <label class="inline">
                <input type="checkbox" id="rating-by-mail" prop:checked=move || current.get().sites.first().is_some_and(|s| s.rating_by_mail)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        current.update(|s| if let Some(site) = s.sites.first_mut() { site.rating_by_mail = on });
                    } />
                " Ask customers by mail to rate our help when their ticket is first solved (customers who hear from us by mail: e-mail tickets, and every ticket once a reply address is set)"
            </label>
            <label class="inline">
                <input type="checkbox" id="require-identity" prop:checked=move || current.get().sites.first().is_some_and(|s| s.require_identity)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        current.update(|s| if let Some(site) = s.sites.first_mut() { site.require_identity = on });
                    } />
                " Only customers our site has signed in may write from the widget (their page passes the site's signature of their e-mail: see Identity verification); others are asked to sign in first. The help centre's form and e-mail are not affected."
            </label>
            <label for="signature-max-hours">"Take only sign-in signatures that expire within this many hours (1 to 8760; leave empty to take signatures without a time too)"</label>
            <input id="signature-max-hours" type="number" min="1" max="8760" aria-describedby="signature-max-hours-help"
                prop:value=move || current.get().sites.first().and_then(|s| s.signature_max_hours).map(|h| h.to_string()).unwrap_or_default()
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    current.update(|s| if let Some(site) = s.sites.first_mut() { site.signature_max_hours = v.trim().parse().ok() });
                } />
            <p class="muted" id="signature-max-hours-help">"Set, a signature that leaks from a page is of no use after that time; your server then signs the e-mail with a time, as Identity verification shows."</p>

            <h2>"SLA targets (minutes)"</h2>
            <table>
                <thead><tr><th scope="col">"Priority"</th><th scope="col">"First response"</th><th scope="col">"Resolution"</th></tr></thead>
                <tbody>
                    {Level::ALL.into_iter().rev().map(|l| view! {
                        <tr><th scope="row">{l.as_str()}</th><td>{sla_input(l, true)}</td><td>{sla_input(l, false)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>

            <BusinessHoursFields current=current />

            <h2>"Assignment"</h2>
            <label for="assign">"New tickets go to"</label>
            <select id="assign" on:change=move |ev| {
                let v = event_target_value(&ev);
                current.update(|s| s.assignment = if v == "least_loaded" { Strategy::LeastLoaded } else { Strategy::RoundRobin });
            }>
                <option value="round_robin" selected=move || current.get().assignment == Strategy::RoundRobin>"the next agent in turn (round robin)"</option>
                <option value="least_loaded" selected=move || current.get().assignment == Strategy::LeastLoaded>"the agent with the fewest open tickets"</option>
            </select>

            <h2>"Rate limits (requests per minute per address)"</h2>
            <div class="row">
                <label for="rl-tickets">"tickets"</label>
                <input id="rl-tickets" type="number" min="1" prop:value=move || current.get().rate_limits.tickets.to_string()
                    on:change=move |ev| current.update(|s| s.rate_limits.tickets = event_target_value(&ev).parse().unwrap_or(20)) />
                <label for="rl-events">"events"</label>
                <input id="rl-events" type="number" min="1" prop:value=move || current.get().rate_limits.events.to_string()
                    on:change=move |ev| current.update(|s| s.rate_limits.events = event_target_value(&ev).parse().unwrap_or(300)) />
                <label for="rl-reads">"reads"</label>
                <input id="rl-reads" type="number" min="1" prop:value=move || current.get().rate_limits.reads.to_string()
                    on:change=move |ev| current.update(|s| s.rate_limits.reads = event_target_value(&ev).parse().unwrap_or(600)) />
            </div>

            <h2>"Data retention"</h2>
            <label for="retention-days">"Erase a customer's personal data this many days after their last contact (30 to 3650; leave empty to keep it until erased by hand)"</label>
            <input id="retention-days" type="number" min="30" max="3650" prop:value=move || current.get().retention_days.map(|d| d.to_string()).unwrap_or_default()
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    current.update(|s| s.retention_days = v.trim().parse().ok());
                } />
            <p class="muted">"Their tickets stay in the figures without their text; widget questions older than this lose their text too."</p>

            <h2>"Security"</h2>
            <label class="inline">
                <input type="checkbox" id="require-2fa" prop:checked=move || current.get().require_two_factor
                    on:change=move |ev| { let on = event_target_checked(&ev); current.update(|s| s.require_two_factor = on); } />
                " Require two-step login for every agent: one without it can only set it up until they do (API tokens are not affected)"
            </label>

            <h2>"Saved replies"</h2>
            <p class="muted">
                "Answers agents insert into a reply with one pick. Placeholders: "
                {PLACEHOLDERS.iter().map(|p| format!("{{{{{p}}}}}")).collect::<Vec<_>>().join(", ")}
                "; a fallback for an unknown value goes after |, as in {{customer.first_name|there}}. A saved reply can also set the ticket's status and add tags once it is sent."
            </p>
            <SavedReplies rows=replies />

            <h2>"Automation rules"</h2>
            <p class="muted">"Rules act on tickets by themselves, in this order: each runs when one of its events happens, and acts when its conditions hold. A scheduled rule is checked at every cron run, so its actions must undo one of its “all” conditions (as setting the status to closed does for “status is solved”)."</p>
            <RuleEditor rows=rule_rows />
            <details class="rules-json" on:toggle=show_json>
                <summary>"Edit as JSON"</summary>
                <label for="rules">"All the rules as JSON (to copy, or to paste many at once)"</label>
                <textarea id="rules" class="code" rows="14" spellcheck="false" prop:value=move || rules_json.get() on:input=move |ev| rules_json.set(event_target_value(&ev))></textarea>
                <button type="button" on:click=use_json>"Use this JSON"</button>
            </details>
            <Show when=move || rules_error.get().is_some()>
                <p class="rules-result" role="alert">{move || rules_error.get().unwrap_or_default()}</p>
            </Show>
            <div class="row">
                <button type="button" on:click=validate>"Check rules"</button>
                <button type="submit" class="primary">"Save settings"</button>
            </div>
        </form>
    }
}

#[component]
fn Agents(
    /// Status line.
    note: RwSignal<Option<String>>,
) -> impl IntoView {
    let list = RwSignal::new(Vec::<AgentView>::new());
    let reload = move || {
        leptos::task::spawn_local(async move {
            if let Ok(a) = api::get::<Vec<AgentView>>("/v1/admin/agents").await {
                list.set(a);
            }
        });
    };
    reload();
    let (email, name, password, teams) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let role = RwSignal::new("agent".to_string());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = NewAgent {
            email: email.get_untracked(),
            name: name.get_untracked(),
            role: Role::parse(&role.get_untracked()).unwrap_or(Role::Agent),
            password: Some(password.get_untracked()).filter(|p| !p.is_empty()),
            teams: teams.get_untracked().split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            skills: Vec::new(),
        };
        leptos::task::spawn_local(async move {
            match api::call::<_, AgentCreated>("POST", "/v1/admin/agents", &body).await {
                Ok(AgentCreated { agent: a, invitation }) => {
                    note.set(Some(match invitation.as_deref() {
                        None => format!("Added {}.", a.name),
                        Some("mailed") => format!("Added {}: a link to choose their password was mailed to {}.", a.name, a.email),
                        Some(why) => format!(
                            "Added {}, but the link to choose their password was {why}: they can ask for one with \"Forgot your password?\" on the login page.",
                            a.name
                        ),
                    }));
                    for s in [email, name, password, teams] {
                        s.set(String::new());
                    }
                    reload();
                }
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    let update = move |id: String, u: AgentUpdate| {
        leptos::task::spawn_local(async move {
            match api::call::<_, AgentView>("PATCH", &format!("/v1/admin/agents/{}", api::enc(&id)), &u).await {
                Ok(a) => {
                    note.set(Some(format!("Updated {}.", a.name)));
                    reload();
                }
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    let invite_again = move |id: String| {
        leptos::task::spawn_local(async move {
            let path = format!("/v1/admin/agents/{}/invitation", api::enc(&id));
            match api::call::<_, AgentCreated>("POST", &path, &serde_json::json!({})).await {
                Ok(AgentCreated { agent: a, invitation }) => note.set(Some(match invitation.as_deref() {
                    Some("mailed") => format!("A new link to choose their password was mailed to {}.", a.email),
                    other => format!("The invitation to {} was {}.", a.name, other.unwrap_or("not mailed")),
                })),
                Err(e) => note.set(Some(e.message)),
            }
        });
    };
    view! {
        <h2>"Agents and roles"</h2>
        <table>
            <thead><tr><th scope="col">"Name"</th><th scope="col">"E-mail"</th><th scope="col">"Role"</th><th scope="col">"Teams"</th><th scope="col">"Open"</th><th scope="col">"Active"</th><th scope="col">"Takes new tickets"</th><th scope="col">"Two-step login"</th></tr></thead>
            <tbody>
                {move || list.get().into_iter().map(|a| {
                    let (id1, id2, id3, id4) = (a.id.clone(), a.id.clone(), a.id.clone(), a.id.clone());
                    let takes = !a.away;
                    let active = a.active;
                    let reset_label = format!("Reset two-step login of {}", a.name);
                    let invited = a.invited.then(|| {
                        let id = a.id.clone();
                        let again = move |_| invite_again(id.clone());
                        view! {
                            " " <span class="muted">"(invited)"</span> " "
                            <button type="button" class="link" aria-label=format!("Mail {} the invitation again", a.name)
                                title="A new link to choose their password; the one mailed before stops working." on:click=again>"Mail again"</button>
                        }
                    });
                    view! {
                        <tr>
                            <td>{a.name.clone()}{invited}</td><td>{a.email.clone()}</td>
                            <td>
                                <select aria-label=format!("role of {}", a.name) on:change=move |ev| update(id1.clone(), AgentUpdate { role: Role::parse(&event_target_value(&ev)), ..Default::default() })>
                                    <option value="agent" selected=a.role == Role::Agent>"agent"</option>
                                    <option value="admin" selected=a.role == Role::Admin>"admin"</option>
                                </select>
                            </td>
                            <td>{a.teams.join(", ")}</td>
                            <td>{a.open_tickets}</td>
                            <td><input type="checkbox" aria-label=format!("{} is active", a.name) prop:checked=active
                                on:change=move |ev| update(id2.clone(), AgentUpdate { active: Some(event_target_checked(&ev)), ..Default::default() }) /></td>
                            <td class="takes-tickets"><input type="checkbox" aria-label=format!("{} takes new tickets (not away)", a.name) prop:checked=takes
                                on:change=move |ev| update(id4.clone(), AgentUpdate { away: Some(!event_target_checked(&ev)), ..Default::default() }) /></td>
                            <td class="two-step">
                                {if a.two_factor {
                                    view! {
                                        "on "
                                        <button type="button" aria-label=reset_label title="For a lost phone: their password alone logs in again, and their sessions end."
                                            on:click=move |_| update(id3.clone(), AgentUpdate { reset_two_factor: Some(true), ..Default::default() })>"Reset"</button>
                                    }.into_any()
                                } else {
                                    view! { "off" }.into_any()
                                }}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <form class="inline-form" on:submit=create>
            <h3>"Add an agent"</h3>
            <label for="n-email">"E-mail"</label><input id="n-email" type="email" required prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
            <label for="n-name">"Name"</label><input id="n-name" type="text" required prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            <label for="n-password">"Password (12+ characters; leave it empty to mail them a link to choose their own)"</label><input id="n-password" type="password" autocomplete="new-password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
            <label for="n-teams">"Teams"</label><input id="n-teams" type="text" prop:value=move || teams.get() on:input=move |ev| teams.set(event_target_value(&ev)) />
            <label for="n-role">"Role"</label>
            <select id="n-role" on:change=move |ev| role.set(event_target_value(&ev))><option value="agent">"agent"</option><option value="admin">"admin"</option></select>
            <button type="submit">"Add"</button>
        </form>
    }
}

#[component]
fn Retrain() -> impl IntoView {
    let report = RwSignal::new(None::<Result<RetrainReport, String>>);
    let busy = RwSignal::new(false);
    let run = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            report.set(Some(
                api::call::<_, RetrainReport>("POST", "/v1/admin/retrain", &serde_json::json!({}))
                    .await
                    .map_err(|e| e.message),
            ));
            busy.set(false);
        });
    };
    let part = |name: &'static str, p: deflect_shared::api::RetrainPart| {
        view! {
            <tr>
                <th scope="row">{name}</th>
                <td>{p.examples}</td>
                <td>{format!("{:.1}%", p.before * 100.0)}</td>
                <td>{format!("{:.1}%", p.after * 100.0)}</td>
                <td>{if p.published { "published" } else { "kept the current weights" }}{p.note.map(|n| format!(" — {n}"))}</td>
            </tr>
        }
    };
    view! {
        <h2>"Retrain"</h2>
        <p class="muted">"Refits the priority model to agents' priority overrides, and the matcher's weights to tickets linked to the article that solved them and to “this helped” clicks; publishes them when they agree better."</p>
        <button type="button" on:click=run prop:disabled=move || busy.get()>"Retrain now"</button>
        {move || match report.get() {
            None => ().into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Some(Ok(r)) => view! {
                <table class="retrain">
                    <thead><tr><th scope="col">"Model"</th><th scope="col">"Examples"</th><th scope="col">"Agreement before"</th><th scope="col">"After"</th><th scope="col">"Result"</th></tr></thead>
                    <tbody>{part("priority", r.priority)}{part("matcher", r.matcher)}</tbody>
                </table>
            }.into_any(),
        }}
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let settings = RwSignal::new(None::<Result<(Settings, String), String>>);
    let note = RwSignal::new(None::<String>);
    leptos::task::spawn_local(async move {
        let loaded = api::call_tagged::<Settings>("GET", "/v1/admin/settings", None, &[]).await;
        settings.set(Some(loaded.map_err(|e| e.message)));
    });
    view! {
        <section>
            <h1>"Settings"</h1>
            <Notice note=note />
            {move || match settings.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok((s, etag))) => view! { <SettingsForm settings=s etag=etag note=note /> }.into_any(),
            }}
            <Agents note=note />
            <ApiTokens note=note />
            <Webhooks note=note />
            <IdentityVerification note=note />
            <Retrain />
        </section>
    }
}
