//! Every HTTP call the widget makes, to the edge's public API. No cookies
//! are sent (`credentials: omit`).

use crate::config::Config;
use crate::wire::{self, In};
use deflect_shared::api::{
    Csat, CustomerTicket, NewMessage, TicketCreated, TicketLink, UnreadQuery, UnreadTickets, VerifiedCustomer,
    WidgetEvent,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, RequestMode, Response};

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FetchError {
    /// No answer: the network is down or the edge unreachable. Worth
    /// retrying.
    Offline,
    /// The edge answered with an error.
    Http {
        /// Status code.
        status: u16,
        /// The error's message.
        message: String,
    },
}

impl FetchError {
    /// True when a retry may succeed (offline, rate limited, or a server
    /// error).
    pub(crate) fn retryable(&self) -> bool {
        match self {
            FetchError::Offline => true,
            FetchError::Http { status, .. } => *status == 429 || *status >= 500,
        }
    }

    /// The message for the customer.
    pub(crate) fn message(&self) -> String {
        match self {
            FetchError::Offline => "offline".into(),
            FetchError::Http { message, .. } => message.clone(),
        }
    }
}

async fn send(method: &str, url: &str, body: Option<String>, headers: &[(&str, &str)]) -> Result<Response, FetchError> {
    let window = web_sys::window().ok_or(FetchError::Offline)?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_mode(RequestMode::Cors);
    init.set_credentials(web_sys::RequestCredentials::Omit);
    let h = web_sys::Headers::new().map_err(|_| FetchError::Offline)?;
    for (k, v) in headers {
        let _ = h.set(k, v);
    }
    if let Some(b) = &body {
        let _ = h.set("content-type", "application/json");
        init.set_body(&JsValue::from_str(b));
    }
    init.set_headers(&h);
    let req = Request::new_with_str_and_init(url, &init).map_err(|_| FetchError::Offline)?;
    let resp: Response = JsFuture::from(window.fetch_with_request(&req))
        .await
        .map_err(|_| FetchError::Offline)?
        .dyn_into()
        .map_err(|_| FetchError::Offline)?;
    if resp.ok() {
        return Ok(resp);
    }
    let status = resp.status();
    let text = match resp.text() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_string()).unwrap_or_default(),
        Err(_) => String::new(),
    };
    let message = In::parse(&text).and_then(|v| wire::error_message(&v)).unwrap_or_else(|| format!("error {status}"));
    Err(FetchError::Http { status, message })
}

/// Reads a JSON answer with `read`.
async fn answer<T>(resp: Response, read: fn(&In) -> Option<T>) -> Result<T, FetchError> {
    let value = JsFuture::from(resp.json().map_err(|_| FetchError::Offline)?).await.map_err(|_| FetchError::Offline)?;
    read(&In::new(value)).ok_or(FetchError::Http { status: 200, message: "the answer has an unexpected shape".into() })
}

/// The published KB index (the browser's HTTP cache revalidates it with
/// its ETag).
pub(crate) async fn kb_index(cfg: &Config) -> Result<Vec<u8>, FetchError> {
    let url = format!("{}/v1/kb/index?site={}", cfg.edge, js_sys::encode_uri_component(&cfg.site));
    let resp = send("GET", &url, None, &[]).await?;
    let buf =
        JsFuture::from(resp.array_buffer().map_err(|_| FetchError::Offline)?).await.map_err(|_| FetchError::Offline)?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// Creates a ticket from its JSON `body`; the same `key` and body always
/// yield the same ticket.
pub(crate) async fn create_ticket(cfg: &Config, key: &str, body: &str) -> Result<TicketCreated, FetchError> {
    let resp =
        send("POST", &format!("{}/v1/tickets", cfg.edge), Some(body.to_string()), &[("idempotency-key", key)]).await?;
    answer(resp, wire::ticket_created).await
}

fn ticket_url(cfg: &Config, id: &str, tail: &str) -> String {
    format!("{}/v1/tickets/{}{}", cfg.edge, js_sys::encode_uri_component(id), tail)
}

pub(crate) async fn ticket(cfg: &Config, id: &str, token: &str) -> Result<CustomerTicket, FetchError> {
    answer(send("GET", &ticket_url(cfg, id, ""), None, &[("x-ticket-token", token)]).await?, wire::customer_ticket)
        .await
}

/// Which of this browser's tickets have unread replies, in one request.
pub(crate) async fn unread(cfg: &Config, q: &UnreadQuery) -> Result<UnreadTickets, FetchError> {
    let resp = send("POST", &format!("{}/v1/unread", cfg.edge), Some(wire::unread_query(q)), &[]).await?;
    answer(resp, wire::unread_tickets).await
}

/// The tickets of the customer the page identified, with the site's
/// signature, each with when its customer last wrote.
pub(crate) async fn verified_tickets(cfg: &Config, c: &VerifiedCustomer) -> Result<Vec<(TicketLink, i64)>, FetchError> {
    let resp =
        send("POST", &format!("{}/v1/identity/tickets", cfg.edge), Some(wire::verified_customer(c)), &[]).await?;
    answer(resp, wire::verified_tickets).await
}

/// Adds the customer's message under `key`: sent again with the same key
/// (after a lost answer), the edge keeps it once.
pub(crate) async fn reply(
    cfg: &Config,
    id: &str,
    token: &str,
    text: &str,
    key: &str,
) -> Result<CustomerTicket, FetchError> {
    let msg = NewMessage { body: text.to_string(), internal: false, seen_up_to: None, attachments: Vec::new() };
    let headers = [("x-ticket-token", token), ("idempotency-key", key)];
    let resp = send("POST", &ticket_url(cfg, id, "/messages"), Some(wire::new_message(&msg)), &headers).await?;
    answer(resp, wire::customer_ticket).await
}

pub(crate) async fn rate(
    cfg: &Config,
    id: &str,
    token: &str,
    rating: u8,
    comment: Option<String>,
) -> Result<CustomerTicket, FetchError> {
    let c = Csat { rating, comment };
    let resp = send("POST", &ticket_url(cfg, id, "/csat"), Some(wire::csat(&c)), &[("x-ticket-token", token)]).await?;
    answer(resp, wire::customer_ticket).await
}

/// Records a widget event; failures are ignored (events are statistics).
pub(crate) async fn event(cfg: &Config, e: &WidgetEvent) {
    let _ = send("POST", &format!("{}/v1/events", cfg.edge), Some(wire::event(e)), &[]).await;
}
