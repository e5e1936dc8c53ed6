//! The automation rules as a form: each rule's name, triggers, conditions
//! (a field, an operator and a value typed in one box) and actions, in the
//! order they run. The form writes the same JSON the engine validates
//! (`shared::rules::form` turns what is typed into it), so a mistake is
//! named by the engine, in words. The JSON itself stays a click away, to
//! paste or copy many rules at once.

use crate::api;
use deflect_shared::api::ArticleView;
use deflect_shared::rules::form::{fields, operators, takes_list, takes_value, value_as_input, value_from_input};
use deflect_shared::rules::{Action, ConditionSpec, RuleSpec, STATUSES, Trigger};
use leptos::prelude::*;

const TRIGGERS: [(Trigger, &str); 4] = [
    (Trigger::TicketCreated, "a ticket is created"),
    (Trigger::TicketUpdated, "a ticket changes"),
    (Trigger::SlaBreached, "an SLA target is missed"),
    (Trigger::Scheduled, "on schedule (every cron run)"),
];

/// Action types, with their words and the name of the one value each takes.
const ACTIONS: [(&str, &str, &str); 6] = [
    ("set_priority", "set the priority to", "level"),
    ("add_tag", "add the tag", "tag"),
    ("assign_team", "assign to the team", "team"),
    ("auto_reply", "reply with the article", "article"),
    ("notify_webhook", "notify the webhook", "url"),
    ("set_status", "set the status to", "status"),
];

const LEVELS: [&str; 4] = ["low", "normal", "high", "urgent"];

/// The name of the value an action type takes.
fn param_name(kind: &str) -> &'static str {
    ACTIONS.iter().find(|(k, _, _)| *k == kind).map_or("tag", |(_, _, p)| p)
}

/// One condition being edited.
#[derive(Clone, Copy)]
struct ConditionRow {
    key: usize,
    field: RwSignal<String>,
    op: RwSignal<String>,
    value: RwSignal<String>,
}

impl ConditionRow {
    fn spec(&self) -> ConditionSpec {
        let (field, op) = (self.field.get_untracked(), self.op.get_untracked());
        let value = value_from_input(&field, &op, &self.value.get_untracked());
        ConditionSpec { field, op, value }
    }
}

/// One action being edited: its type and its one value, as typed.
#[derive(Clone, Copy)]
struct ActionRow {
    key: usize,
    kind: RwSignal<String>,
    param: RwSignal<String>,
}

impl ActionRow {
    /// The action, or why what was typed is not one.
    fn action(&self) -> Result<Action, String> {
        let kind = self.kind.get_untracked();
        let value = serde_json::json!({ "type": kind, param_name(&kind): self.param.get_untracked().trim() });
        serde_json::from_value(value).map_err(|e| e.to_string())
    }
}

/// One rule being edited.
#[derive(Clone, Copy)]
struct RuleRow {
    key: usize,
    /// Kept as it was; a new rule's is made from its name when saved.
    id: StoredValue<Option<String>>,
    name: RwSignal<String>,
    enabled: RwSignal<bool>,
    on: RwSignal<Vec<Trigger>>,
    all: RwSignal<Vec<ConditionRow>>,
    any: RwSignal<Vec<ConditionRow>>,
    actions: RwSignal<Vec<ActionRow>>,
    stop: RwSignal<bool>,
}

/// The rules being edited, apart from the rest of the settings: a list is
/// drawn again only when a row is added, removed or moved.
#[derive(Clone, Copy)]
pub(crate) struct RuleRows {
    rows: RwSignal<Vec<RuleRow>>,
    next_key: StoredValue<usize>,
}

impl RuleRows {
    pub(crate) fn new(specs: &[RuleSpec]) -> Self {
        let rows = RuleRows { rows: RwSignal::new(Vec::new()), next_key: StoredValue::new(0) };
        rows.reset(specs);
        rows
    }

    fn key(&self) -> usize {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        key
    }

    fn condition(&self, c: &ConditionSpec) -> ConditionRow {
        ConditionRow {
            key: self.key(),
            field: RwSignal::new(c.field.clone()),
            op: RwSignal::new(c.op.clone()),
            value: RwSignal::new(value_as_input(&c.value)),
        }
    }

    fn action(&self, a: &Action) -> ActionRow {
        let value = serde_json::to_value(a).unwrap_or_default();
        let kind = value["type"].as_str().unwrap_or("add_tag").to_string();
        let param = value[param_name(&kind)].as_str().unwrap_or_default().to_string();
        ActionRow { key: self.key(), kind: RwSignal::new(kind), param: RwSignal::new(param) }
    }

    fn rule(&self, spec: &RuleSpec) -> RuleRow {
        RuleRow {
            key: self.key(),
            id: StoredValue::new(Some(spec.id.clone())),
            name: RwSignal::new(spec.name.clone()),
            enabled: RwSignal::new(spec.enabled),
            on: RwSignal::new(if spec.on.is_empty() { vec![Trigger::TicketCreated] } else { spec.on.clone() }),
            all: RwSignal::new(spec.all.iter().map(|c| self.condition(c)).collect()),
            any: RwSignal::new(spec.any.iter().map(|c| self.condition(c)).collect()),
            actions: RwSignal::new(spec.actions.iter().map(|a| self.action(a)).collect()),
            stop: RwSignal::new(spec.stop),
        }
    }

    /// Shows these rules, as saved or as pasted.
    pub(crate) fn reset(&self, specs: &[RuleSpec]) {
        let rows = specs.iter().map(|s| self.rule(s)).collect();
        self.rows.set(rows);
    }

    fn add(&self) {
        let blank = RuleSpec {
            id: String::new(),
            name: String::new(),
            enabled: true,
            on: vec![Trigger::TicketCreated],
            all: vec![ConditionSpec { field: "text".into(), op: "contains".into(), value: serde_json::Value::Null }],
            any: Vec::new(),
            actions: vec![Action::AddTag { tag: String::new() }],
            stop: false,
        };
        let mut row = self.rule(&blank);
        row.id = StoredValue::new(None);
        self.rows.update(|rows| rows.push(row));
    }

    fn remove(&self, key: usize) {
        self.rows.update(|rows| rows.retain(|r| r.key != key));
    }

    /// Moves a rule one place earlier (rules run in order).
    fn move_up(&self, key: usize) {
        self.rows.update(|rows| {
            if let Some(i) = rows.iter().position(|r| r.key == key).filter(|i| *i > 0) {
                rows.swap(i - 1, i);
            }
        });
    }

    /// The rule's place in the list, from 1.
    fn number(&self, key: usize) -> usize {
        self.rows.with(|rows| rows.iter().position(|r| r.key == key).map_or(0, |i| i + 1))
    }

    /// The rules as typed, in order, or why one of them cannot be read.
    /// A new rule's id is made from its name, unique in the list.
    pub(crate) fn specs(&self) -> Result<Vec<RuleSpec>, String> {
        let rows = self.rows.get_untracked();
        let mut taken: Vec<String> = rows.iter().filter_map(|r| r.id.get_value()).collect();
        let mut specs = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            let name = r.name.get_untracked().trim().to_string();
            let id = match r.id.get_value() {
                Some(id) => id,
                None => {
                    let id = new_id(&name, &taken);
                    taken.push(id.clone());
                    id
                }
            };
            let mut actions = Vec::new();
            for (j, a) in r.actions.get_untracked().iter().enumerate() {
                actions.push(a.action().map_err(|e| format!("rule {} (“{name}”), action {}: {e}", i + 1, j + 1))?);
            }
            specs.push(RuleSpec {
                id,
                name,
                enabled: r.enabled.get_untracked(),
                on: r.on.get_untracked(),
                all: r.all.get_untracked().iter().map(ConditionRow::spec).collect(),
                any: r.any.get_untracked().iter().map(ConditionRow::spec).collect(),
                actions,
                stop: r.stop.get_untracked(),
            });
        }
        Ok(specs)
    }

    /// Once saved, the new rules keep the ids they were saved under.
    pub(crate) fn saved(&self, specs: &[RuleSpec]) {
        for (row, spec) in self.rows.get_untracked().iter().zip(specs) {
            row.id.set_value(Some(spec.id.clone()));
        }
    }
}

/// An id for a new rule from its name: lower-case letters, digits and
/// dashes, not one of `taken`.
fn new_id(name: &str, taken: &[String]) -> String {
    let mut base: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    base = base.chars().take(48).collect();
    if base.is_empty() {
        base = "rule".into();
    }
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// A list of conditions of one rule (`all` or `any`).
fn conditions_view(
    rows: RuleRows,
    list: RwSignal<Vec<ConditionRow>>,
    rule: usize,
    part: &'static str,
) -> impl IntoView {
    let row_view = move |c: ConditionRow| {
        let ConditionRow { key, field, op, value } = c;
        let number = move || list.with(|l| l.iter().position(|x| x.key == key).map_or(0, |i| i + 1));
        let label = move |what: &str| format!("Rule {} {part} condition {} {what}", rows.number(rule), number());
        view! {
            <li class="condition">
                <select aria-label=move || label("field") on:change=move |ev| {
                    let f = event_target_value(&ev);
                    // Keep the operator when the new field takes it.
                    if !operators(&f).iter().any(|(o, _)| *o == op.get_untracked()) {
                        op.set(operators(&f).first().map_or("eq", |(o, _)| *o).to_string());
                    }
                    field.set(f);
                }>
                    {fields().map(|f| view! { <option value=f selected=move || field.get() == f>{f}</option> }).collect_view()}
                </select>
                <select aria-label=move || label("operator") on:change=move |ev| op.set(event_target_value(&ev))>
                    {move || operators(&field.get()).into_iter().map(|(o, words)| {
                        view! { <option value=o selected=move || op.get() == o>{words}</option> }
                    }).collect_view()}
                </select>
                <Show when=move || takes_value(&op.get())>
                    <input type="text" aria-label=move || label("value")
                        placeholder=move || if takes_list(&op.get()) { "values, comma-separated" } else { "value" }
                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                </Show>
                <button type="button" class="link" on:click=move |_| list.update(|l| l.retain(|x| x.key != key))>
                    {move || format!("Remove {part} condition {}", number())}
                </button>
            </li>
        }
    };
    let add = move |_| {
        let spec = ConditionSpec { field: "text".into(), op: "contains".into(), value: serde_json::Value::Null };
        let row = rows.condition(&spec);
        list.update(|l| l.push(row));
    };
    view! {
        <ul class="conditions"><For each=move || list.get() key=|c| c.key children=row_view /></ul>
        <button type="button" on:click=add>{move || format!("Add an “{part}” condition to rule {}", rows.number(rule))}</button>
    }
}

/// The actions of one rule.
fn actions_view(rows: RuleRows, list: RwSignal<Vec<ActionRow>>, rule: usize) -> impl IntoView {
    let row_view = move |a: ActionRow| {
        let ActionRow { key, kind, param } = a;
        let number = move || list.with(|l| l.iter().position(|x| x.key == key).map_or(0, |i| i + 1));
        let label = move |what: &str| format!("Rule {} action {} {what}", rows.number(rule), number());
        let choices = move || match kind.get().as_str() {
            "set_priority" => Some(LEVELS.to_vec()),
            "set_status" => Some(STATUSES.to_vec()),
            _ => None,
        };
        view! {
            <li class="action">
                <select aria-label=move || label("type") on:change=move |ev| {
                    let k = event_target_value(&ev);
                    param.set(match k.as_str() {
                        "set_priority" => "high".into(),
                        "set_status" => "solved".into(),
                        _ => String::new(),
                    });
                    kind.set(k);
                }>
                    {ACTIONS.into_iter().map(|(k, words, _)| view! { <option value=k selected=move || kind.get() == k>{words}</option> }).collect_view()}
                </select>
                {move || match choices() {
                    Some(options) => view! {
                        <select aria-label=label("value") on:change=move |ev| param.set(event_target_value(&ev))>
                            {options.into_iter().map(|o| view! { <option value=o selected=move || param.get() == o>{o}</option> }).collect_view()}
                        </select>
                    }.into_any(),
                    None => view! {
                        <input type="text" aria-label=label("value") list=move || (kind.get() == "auto_reply").then_some("rule-articles")
                            placeholder=move || param_name(&kind.get()) prop:value=move || param.get()
                            on:input=move |ev| param.set(event_target_value(&ev)) />
                    }.into_any(),
                }}
                <button type="button" class="link" on:click=move |_| list.update(|l| l.retain(|x| x.key != key))>
                    {move || format!("Remove action {}", number())}
                </button>
            </li>
        }
    };
    let add = move |_| {
        let row = rows.action(&Action::AddTag { tag: String::new() });
        list.update(|l| l.push(row));
    };
    view! {
        <ol class="actions"><For each=move || list.get() key=|a| a.key children=row_view /></ol>
        <button type="button" on:click=add>{move || format!("Add an action to rule {}", rows.number(rule))}</button>
    }
}

/// A checkbox bound to one of a rule's flags, with its words.
fn flag(id: String, value: RwSignal<bool>, words: &'static str) -> impl IntoView {
    view! {
        <label class="inline">
            <input type="checkbox" id=id prop:checked=move || value.get() on:change=move |ev| value.set(event_target_checked(&ev)) />
            {words}
        </label>
    }
}

/// The rules, one fieldset each, in the order they run.
#[component]
pub(crate) fn RuleEditor(
    /// The rules being edited.
    rows: RuleRows,
) -> impl IntoView {
    // The saved articles' ids, offered for "reply with the article".
    let articles = RwSignal::new(Vec::<String>::new());
    leptos::task::spawn_local(async move {
        if let Ok(list) = api::get::<Vec<ArticleView>>("/v1/agent/articles").await {
            articles.set(list.into_iter().map(|a| a.id).collect());
        }
    });
    let row_view = move |r: RuleRow| {
        let RuleRow { key, name, enabled, on, all, any, actions, stop, .. } = r;
        let number = move || rows.number(key);
        let id = move |what: &str| format!("rule-{key}-{what}");
        view! {
            <fieldset class="rule">
                <legend>{move || format!("Rule {}", number())}</legend>
                <label for=id("name")>"Name"</label>
                <input id=id("name") type="text" maxlength="200" placeholder="What the rule is for"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                {flag(id("enabled"), enabled, " On (a rule turned off is kept, and never runs)")}
                <fieldset class="triggers">
                    <legend>"Runs when"</legend>
                    {TRIGGERS.into_iter().map(|(t, words)| view! {
                        <label class="inline">
                            <input type="checkbox" prop:checked=move || on.get().contains(&t) on:change=move |ev| {
                                let checked = event_target_checked(&ev);
                                on.update(|list| {
                                    list.retain(|x| *x != t);
                                    if checked {
                                        list.push(t);
                                    }
                                });
                            } />
                            " " {words}
                        </label>
                    }).collect_view()}
                </fieldset>
                <p class="part">"If all of these hold"</p>
                {conditions_view(rows, all, key, "all")}
                <p class="part">"and, when listed, at least one of these"</p>
                {conditions_view(rows, any, key, "any")}
                <p class="part">"then"</p>
                {actions_view(rows, actions, key)}
                {flag(id("stop"), stop, " Stop here: later rules do not run on a ticket this one acted on")}
                <div class="row">
                    <button type="button" class="link" disabled=move || number() == 1 on:click=move |_| rows.move_up(key)>
                        {move || format!("Move rule {} up", number())}
                    </button>
                    <button type="button" class="link" on:click=move |_| rows.remove(key)>
                        {move || format!("Remove rule {}", number())}
                    </button>
                </div>
            </fieldset>
        }
    };
    view! {
        <datalist id="rule-articles">
            {move || articles.get().into_iter().map(|a| view! { <option value=a.clone()></option> }).collect_view()}
        </datalist>
        <For each=move || rows.rows.get() key=|r| r.key children=row_view />
        <div class="row">
            <button type="button" on:click=move |_| rows.add()>"Add a rule"</button>
        </div>
    }
}
