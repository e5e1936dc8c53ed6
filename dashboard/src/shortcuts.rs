//! Keyboard shortcuts for agents who work the queue all day: move through
//! a list with `j` and `k`, select with `x`, search with `/`, reply with
//! `r`, go to a page with `g` and a letter, and `?` for the list.
//!
//! They are single characters, so they never act while the agent types in
//! a field, and an agent can turn them off (WCAG 2.1.4: a screen reader's
//! own keys must not trigger them); the choice is kept in this browser.

use crate::app::go;
use crate::storage;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{Element, HtmlElement, KeyboardEvent};

/// Where this browser keeps whether shortcuts are on.
const PREFERENCE_KEY: &str = "deflect.dashboard.shortcuts";

/// The rows a list page shows, in order: their main links are what `j`
/// and `k` move between.
const ROW_LINKS: &str = "tr.ticket-row a.subject, tr.customer-row a.customer";

/// The search field of the page shown, for `/`.
const SEARCH_FIELDS: [&str; 2] = ["#f-q", "#c-q"];

/// Every shortcut and what it does, as the help lists them.
pub const KEYS: [(&str, &str); 10] = [
    ("j / k", "Next / previous ticket or customer in the list"),
    ("Enter", "Open it"),
    ("x", "Select or unselect the ticket (queue)"),
    ("/", "Search the list"),
    ("r", "Write a reply (ticket)"),
    ("g q", "Go to the queue"),
    ("g c", "Go to customers"),
    ("g k", "Go to the knowledge base"),
    ("g m", "Go to metrics"),
    ("?", "Show or hide this list"),
];

/// Whether shortcuts are on, and whether their list is shown.
#[derive(Clone, Copy)]
pub struct Shortcuts {
    /// On (the default) or off.
    pub on: RwSignal<bool>,
    /// The list of shortcuts is open.
    pub help: RwSignal<bool>,
}

impl Shortcuts {
    /// Listens to the keyboard for the whole dashboard.
    pub fn install() -> Shortcuts {
        let shortcuts = Shortcuts {
            on: RwSignal::new(storage::get(PREFERENCE_KEY).as_deref() != Some("off")),
            help: RwSignal::new(false),
        };
        let after_g = StoredValue::new(false);
        let on_key = Closure::<dyn Fn(KeyboardEvent)>::new(move |ev: KeyboardEvent| {
            if ev.default_prevented() || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
                return;
            }
            let key = ev.key();
            if key == "Escape" && shortcuts.help.get_untracked() {
                shortcuts.help.set(false);
                return;
            }
            if !shortcuts.on.get_untracked() || typing(&ev) {
                after_g.set_value(false);
                return;
            }
            let handled = if after_g.get_value() {
                after_g.set_value(false);
                match key.as_str() {
                    "q" => Some("#/queue"),
                    "c" => Some("#/customers"),
                    "k" => Some("#/kb"),
                    "m" => Some("#/metrics"),
                    _ => None,
                }
                .map(go)
                .is_some()
            } else {
                match key.as_str() {
                    "g" => {
                        after_g.set_value(true);
                        true
                    }
                    "j" => move_in_list(1),
                    "k" => move_in_list(-1),
                    "x" => toggle_selection(),
                    "/" => SEARCH_FIELDS.iter().any(|f| focus(f)),
                    "r" => focus("#reply"),
                    "?" => {
                        shortcuts.help.update(|h| *h = !*h);
                        true
                    }
                    _ => false,
                }
            };
            if handled {
                ev.prevent_default();
            }
        });
        if let Some(d) = web_sys::window().and_then(|w| w.document()) {
            let _ = d.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
        }
        on_key.forget();
        shortcuts
    }

    /// Turns shortcuts on or off, and remembers it.
    pub fn toggle(&self) {
        let on = !self.on.get_untracked();
        storage::set(PREFERENCE_KEY, if on { "on" } else { "off" });
        self.on.set(on);
        if !on {
            self.help.set(false);
        }
    }
}

/// The key went to a field the agent types in.
fn typing(ev: &KeyboardEvent) -> bool {
    let Some(target) = ev.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) else { return false };
    matches!(target.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || target.is_content_editable()
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Focuses the element `selector` finds; false when there is none.
fn focus(selector: &str) -> bool {
    let Some(el) = document()
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    else {
        return false;
    };
    el.focus().is_ok()
}

/// Focuses the next (`step` 1) or previous (-1) row of the list, from the
/// row that has the focus, or the first row.
fn move_in_list(step: i32) -> bool {
    let Some(d) = document() else { return false };
    let Ok(links) = d.query_selector_all(ROW_LINKS) else { return false };
    let n = links.length() as i32;
    if n == 0 {
        return false;
    }
    let active: Option<Element> = d.active_element();
    let here = (0..n)
        .find(|&i| links.item(i as u32).is_some_and(|l| active.as_ref().is_some_and(|a| a.is_same_node(Some(&l)))));
    let next = match here {
        Some(i) => (i + step).clamp(0, n - 1),
        None => 0,
    };
    match links.item(next as u32).and_then(|l| l.dyn_into::<HtmlElement>().ok()) {
        Some(link) => {
            let _ = link.focus();
            link.scroll_into_view_with_bool(false);
            true
        }
        None => false,
    }
}

/// Ticks or unticks the selection box of the row that has the focus.
fn toggle_selection() -> bool {
    let Some(box_) = document()
        .and_then(|d| d.active_element())
        .and_then(|a| a.closest("tr.ticket-row").ok().flatten())
        .and_then(|row| row.query_selector("input.pick").ok().flatten())
        .and_then(|b| b.dyn_into::<HtmlElement>().ok())
    else {
        return false;
    };
    box_.click();
    true
}

/// The list of shortcuts, with the switch to turn them off.
#[component]
pub fn ShortcutHelp(shortcuts: Shortcuts) -> impl IntoView {
    let close = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(b) = close.get() {
            let _ = b.focus();
        }
    });
    view! {
        <div class="shortcuts" id="shortcuts" role="dialog" aria-labelledby="shortcuts-h">
            <h2 id="shortcuts-h">"Keyboard shortcuts"</h2>
            <table>
                <caption class="sr">"Keys and what they do"</caption>
                <tbody>
                    {KEYS.iter().map(|(keys, what)| view! {
                        <tr><th scope="row"><kbd>{*keys}</kbd></th><td>{*what}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="muted">"They do nothing while you type in a field. Turn them off on your account page."</p>
            <button type="button" node_ref=close on:click=move |_| shortcuts.help.set(false)>"Close"</button>
        </div>
    }
}
