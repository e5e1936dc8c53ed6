//! Deflect's support dashboard: the ticket queue, ticket view, KB editor,
//! metrics and settings, as a leptos (CSR) app served by the edge at
//! `/dashboard/`. It talks to the agent and admin API with the session
//! cookie and the shared API types.

// leptos' `#[component]` expands to `pub` items whatever the function's own
// visibility, which this workspace lint would flag in every component.
#![allow(unreachable_pub)]

mod alerts;
mod api;
mod app;
mod caret;
mod chart;
mod count;
mod mention_box;
mod pager;
mod pages;
mod rule_editor;
mod secret_box;
mod shortcuts;
mod storage;
mod time;

use wasm_bindgen::prelude::*;

/// Starts the dashboard in `<main id="app">`.
#[wasm_bindgen(start)]
pub fn start() {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    leptos::mount::mount_to(root, app::App).forget();
}
