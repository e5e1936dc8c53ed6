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

/// A JSON body.
fn json(body: String) -> Option<(JsValue, &'static str)> {
    Some((JsValue::from_str(&body), "application/json"))
}

/// Sends a request with `body` (its value and type) and `headers`.
async fn send(
    method: &str,
    url: &str,
    body: Option<(JsValue, &str)>,
    headers: &[(&str, &str)],
) -> Result<Response, FetchError> {
    let window = web_sys::window().ok_or(FetchError::Offline)?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_mode(RequestMode::Cors);
    init.set_credentials(web_sys::RequestCredentials::Omit);
    let h = web_sys::Headers::new().map_err(|_| FetchError::Offline)?;
    for (k, v) in headers {
        let _ = h.set(k, v);
    }
    if let Some((b, kind)) = &body {
        // None given: a `File` goes with its own.
        if !kind.is_empty() {
            let _ = h.set("content-type", kind);
        }
        init.set_body(b);
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
        send("POST", &format!("{}/v1/tickets", cfg.edge), json(body.to_string()), &[("idempotency-key", key)]).await?;
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
    let resp = send("POST", &format!("{}/v1/unread", cfg.edge), json(wire::unread_query(q)), &[]).await?;
    answer(resp, wire::unread_tickets).await
}

/// The tickets of the customer the page identified, with the site's
/// signature, each with when its customer last wrote.
pub(crate) async fn verified_tickets(cfg: &Config, c: &VerifiedCustomer) -> Result<Vec<(TicketLink, i64)>, FetchError> {
    let resp =
        send("POST", &format!("{}/v1/identity/tickets", cfg.edge), json(wire::verified_customer(c)), &[]).await?;
    answer(resp, wire::verified_tickets).await
}

/// A customer's message as the body [`post`] sends.
pub(crate) fn message(text: String) -> (JsValue, String) {
    let msg = NewMessage { body: text, internal: false, seen_up_to: None, attachments: Vec::new() };
    (JsValue::from_str(&wire::new_message(&msg)), "application/json".into())
}

/// Adds to the customer's thread under `key` (`tail`: `/messages` with a
/// [`message`], or `/files?name=` with a `File`): sent again with the same
/// key (after a lost answer), the edge keeps it once.
pub(crate) async fn post(
    cfg: &Config,
    id: &str,
    token: &str,
    tail: &str,
    (body, kind): (JsValue, String),
    key: &str,
) -> Result<CustomerTicket, FetchError> {
    let headers = [("x-ticket-token", token), ("idempotency-key", key)];
    answer(send("POST", &ticket_url(cfg, id, tail), Some((body, &kind)), &headers).await?, wire::customer_ticket).await
}

pub(crate) async fn rate(
    cfg: &Config,
    id: &str,
    token: &str,
    rating: u8,
    comment: Option<String>,
) -> Result<CustomerTicket, FetchError> {
    let c = Csat { rating, comment };
    let resp = send("POST", &ticket_url(cfg, id, "/csat"), json(wire::csat(&c)), &[("x-ticket-token", token)]).await?;
    answer(resp, wire::customer_ticket).await
}

/// Records a widget event; failures are ignored (events are statistics).
pub(crate) async fn event(cfg: &Config, e: &WidgetEvent) {
    let _ = send("POST", &format!("{}/v1/events", cfg.edge), json(wire::event(e)), &[]).await;
}
