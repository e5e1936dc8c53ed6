//! Deflect's chat widget: leptos (CSR) in a Shadow DOM, answering from the
//! KB in the browser with `deflect-shared`'s matcher, and turning the
//! conversation into a ticket when no article fits.
//!
//! The loader (`widget/loader/loader.js`, bundled into `www/widget.js`)
//! creates the shadow root, adopts the styles and calls [`mount`].

// leptos' `#[component]` expands to `pub` items whatever the function's own
// visibility, which this workspace lint would flag in every component.
#![allow(unreachable_pub)]

mod alert;
mod api;
mod app;
mod article;
mod chat;
mod config;
mod conversations;
mod form;
mod i18n;
mod kept_files;
mod outbox;
mod random;
mod wire;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// What the page can do with a mounted widget (through `window.Deflect`).
#[wasm_bindgen]
pub struct WidgetHandle {
    w: app::Widget,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Opens the chat.
    pub fn open(&self) {
        self.w.open.set(true);
    }

    /// Closes the chat.
    pub fn close(&self) {
        self.w.open.set(false);
    }

    /// Fills in who the customer is, so the ticket form need not ask; with
    /// the site's signature of the e-mail, their tickets are marked
    /// verified, and their conversations follow them to this browser.
    /// `identify({})`, with none of them, says the customer signed out:
    /// the widget forgets who they were and what they asked.
    pub fn identify(&self, email: Option<String>, name: Option<String>, signature: Option<String>) {
        if email.is_none() && name.is_none() && signature.is_none() {
            self.w.sign_out();
        }
        self.w.signature.set(signature.unwrap_or_default());
        if let Some(e) = email {
            self.w.email.set(e);
        }
        if let Some(n) = name {
            self.w.name.set(n);
        }
        self.w.identified();
    }
}

/// Mounts the widget into `root` (an element inside the shadow root).
/// `config` is JSON (see `config::Config`); `notify(event, detail)` is
/// called for `ticketCreated`.
#[wasm_bindgen]
pub fn mount(root: web_sys::HtmlElement, config: &str, notify: js_sys::Function) -> Result<WidgetHandle, JsValue> {
    let cfg: config::Config = config::Config::parse(config)
        .ok_or_else(|| JsValue::from_str("Deflect widget: the configuration needs a site and an edge"))?;
    let state = app::Widget::new(cfg, notify);
    let handle = WidgetHandle { w: state.clone() };
    leptos::mount::mount_to(root, move || view! { <app::App state=state.clone() /> }).forget();
    Ok(handle)
}
