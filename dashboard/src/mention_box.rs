//! The ticket page's reply box, which completes a teammate's mention in an
//! internal note: typing `@` and the start of a handle or a name lists the
//! teammates it fits (`deflect_shared::mention::suggest`); the arrow keys
//! move through them, Enter or Tab (or a click) puts in the handle, and
//! Escape closes the list.

use crate::caret::{byte_offset, utf16_offset};
use deflect_shared::api::AgentView;
use deflect_shared::mention::{self, Typing};
use leptos::html::Textarea;
use leptos::prelude::*;

/// The most teammates the list offers.
const MOST: usize = 6;

/// A mention being typed: what [`mention::typing`] found, the caret (a
/// byte offset) and the teammates offered, as (name, handle).
#[derive(Debug, Clone, PartialEq)]
struct Open {
    typing: Typing,
    caret: usize,
    offered: Vec<(String, String)>,
}

#[component]
pub(crate) fn MentionBox(
    /// The text being written.
    reply: RwSignal<String>,
    /// Whether it is an internal note (only notes mention).
    internal: RwSignal<bool>,
    /// The team.
    agents: RwSignal<Vec<AgentView>>,
) -> impl IntoView {
    let area = NodeRef::<Textarea>::new();
    let open = RwSignal::new(None::<Open>);
    let active = RwSignal::new(0usize);
    // What the caret is in, after each keystroke or move.
    let look = move || {
        let Some(el) = area.get_untracked() else { return };
        let text = el.value();
        let caret = byte_offset(&text, el.selection_start().ok().flatten().unwrap_or(0));
        let found = internal.get_untracked().then(|| mention::typing(&text, caret)).flatten().and_then(|typing| {
            let team: Vec<AgentView> = agents.get_untracked().into_iter().filter(|a| a.active).collect();
            let roster: Vec<(&str, &str)> = team.iter().map(|a| (a.name.as_str(), a.email.as_str())).collect();
            let offered: Vec<(String, String)> = mention::suggest(&typing.prefix, &roster, MOST)
                .into_iter()
                .map(|i| (team[i].name.clone(), mention::handle(&team[i].email)))
                .collect();
            (!offered.is_empty()).then_some(Open { typing, caret, offered })
        });
        if found.as_ref().map(|o| o.offered.len()) != open.with_untracked(|o| o.as_ref().map(|o| o.offered.len())) {
            active.set(0);
        }
        open.set(found);
    };
    let choose = move |i: usize| {
        let (Some(el), Some(o)) = (area.get_untracked(), open.get_untracked()) else { return };
        let Some((_, handle)) = o.offered.get(i) else { return };
        let (text, caret) = mention::complete(&el.value(), &o.typing, o.caret, handle);
        el.set_value(&text);
        let at = utf16_offset(&text, caret);
        let _ = el.set_selection_range(at, at);
        reply.set(text);
        open.set(None);
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let Some(n) = open.with_untracked(|o| o.as_ref().map(|o| o.offered.len())).filter(|_| internal.get_untracked())
        else {
            return;
        };
        match ev.key().as_str() {
            "ArrowDown" => active.update(|a| *a = (*a + 1) % n),
            "ArrowUp" => active.update(|a| *a = (*a + n - 1) % n),
            "Enter" | "Tab" => choose(active.get_untracked()),
            "Escape" => open.set(None),
            _ => return,
        }
        ev.prevent_default();
        ev.stop_propagation();
    };
    let option_id = |i: usize| format!("mention-option-{i}");
    view! {
        <textarea id="reply" rows="4" node_ref=area aria-autocomplete="list"
            aria-controls=move || (open.with(Option::is_some) && internal.get()).then_some("mention-list")
            aria-activedescendant=move || (open.with(Option::is_some) && internal.get()).then(|| option_id(active.get()))
            prop:value=move || reply.get()
            on:input=move |ev| {
                reply.set(event_target_value(&ev));
                look();
            }
            on:keydown=on_key
            on:keyup=move |ev: leptos::ev::KeyboardEvent| {
                if matches!(ev.key().as_str(), "ArrowLeft" | "ArrowRight" | "Home" | "End") {
                    look();
                }
            }
            on:click=move |_| look()
            on:blur=move |_| open.set(None)></textarea>
        {move || open.get().filter(|_| internal.get()).map(|o| view! {
            <ul id="mention-list" class="mention-list" role="listbox" aria-label="Teammates to mention">
                {o.offered.into_iter().enumerate().map(|(i, (name, handle))| view! {
                    <li id=option_id(i) role="option" aria-selected=move || (active.get() == i).to_string()
                        class:active=move || active.get() == i
                        // Before the box loses focus, so the choice lands in it.
                        on:mousedown=move |ev| {
                            ev.prevent_default();
                            choose(i);
                        }>
                        {format!("{name} (@{handle})")}
                    </li>
                }).collect_view()}
            </ul>
        })}
    }
}
