//! The dashboard's HTTP calls: same-origin, with the session cookie and
//! the CSRF header the edge requires for changes.

use deflect_shared::api::{ApiError, TOTAL_COUNT, next_link};
use leptos::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestCredentials, RequestInit, Response};

/// A failed call.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// HTTP status (0 when there was no answer).
    pub status: u16,
    /// What the edge said.
    pub message: String,
    /// The edge's error code (`two_factor_required`, ...); empty when
    /// there was none.
    pub code: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

async fn send(method: &str, path: &str, body: Option<String>, extra: &[(&str, &str)]) -> Result<Response, Failure> {
    let body = body.map(|b| (JsValue::from_str(&b), "application/json".to_string()));
    send_body(method, path, body, extra).await
}

/// Uploads a file as the request's body, with its own type.
pub async fn upload<T: DeserializeOwned>(path: &str, file: &web_sys::File) -> Result<T, Failure> {
    let kind = if file.type_().is_empty() { "application/octet-stream".to_string() } else { file.type_() };
    decode(send_body("POST", path, Some((file.clone().into(), kind)), &[]).await?).await
}

async fn send_body(
    method: &str,
    path: &str,
    body: Option<(JsValue, String)>,
    extra: &[(&str, &str)],
) -> Result<Response, Failure> {
    let offline = |_| Failure { status: 0, message: "the server did not answer".into(), code: String::new() };
    let window = web_sys::window().ok_or(Failure { status: 0, message: "no window".into(), code: String::new() })?;
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = web_sys::Headers::new().map_err(offline)?;
    let _ = headers.set("x-deflect-csrf", "1");
    for (name, value) in extra {
        let _ = headers.set(name, value);
    }
    if let Some((b, kind)) = &body {
        let _ = headers.set("content-type", kind);
        init.set_body(b);
    }
    init.set_headers(&headers);
    let req = Request::new_with_str_and_init(path, &init).map_err(offline)?;
    let resp: Response =
        JsFuture::from(window.fetch_with_request(&req)).await.map_err(offline)?.dyn_into().map_err(offline)?;
    if resp.ok() {
        return Ok(resp);
    }
    let status = resp.status();
    let text = text(&resp).await;
    if status == 401 && !path.ends_with("/login") && !crate::app::opens_without_session_now() {
        crate::app::go("#/login");
    }
    let (code, message) = serde_json::from_str::<ApiError>(&text)
        .map(|e| (e.error.code, e.error.message))
        .unwrap_or_else(|_| (String::new(), format!("error {status}")));
    if code == "two_factor_setup_required" {
        // The team began requiring two-step login during this session: the
        // reload asks who we are again and opens the account page.
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    }
    Err(Failure { status, message, code })
}

async fn text(resp: &Response) -> String {
    match resp.text() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_string()).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, Failure> {
    let t = text(&resp).await;
    if t.is_empty() {
        // 204: decode from JSON null.
        return serde_json::from_str("null").map_err(|e| Failure {
            status: 200,
            message: e.to_string(),
            code: String::new(),
        });
    }
    serde_json::from_str(&t).map_err(|e| Failure {
        status: 200,
        message: format!("unexpected answer: {e}"),
        code: String::new(),
    })
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, Failure> {
    decode(send("GET", path, None, &[]).await?).await
}

/// One page of a list the edge hands out a page at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many the list holds in all.
    pub total: Option<u64>,
    /// The path of the next page; `None` on the last.
    pub next: Option<String>,
}

pub async fn get_page<T: DeserializeOwned>(path: &str) -> Result<Page<T>, Failure> {
    let resp = send("GET", path, None, &[]).await?;
    let header = |name: &str| resp.headers().get(name).ok().flatten();
    let total = header(TOTAL_COUNT).and_then(|t| t.parse().ok());
    let next = header("link").and_then(|l| next_link(&l).map(str::to_string));
    Ok(Page { items: decode(resp).await?, total, next })
}

pub async fn call<B: Serialize, T: DeserializeOwned>(method: &str, path: &str, body: &B) -> Result<T, Failure> {
    call_with(method, path, body, &[]).await
}

/// A call with request headers of its own: `If-Match` (change what was
/// read at that ETag only if nobody changed it since; a 412
/// `edit_conflict` says somebody did) or `Idempotency-Key` (sent again
/// with the same key and body, a create makes one thing, not two).
pub async fn call_with<B: Serialize, T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: &B,
    headers: &[(&str, &str)],
) -> Result<T, Failure> {
    let b =
        serde_json::to_string(body).map_err(|e| Failure { status: 0, message: e.to_string(), code: String::new() })?;
    decode(send(method, path, Some(b), headers).await?).await
}

/// A call whose answer comes with an `ETag`: the answer, and the tag
/// (empty without one) for a later `If-Match`.
pub async fn call_tagged<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<String>,
    headers: &[(&str, &str)],
) -> Result<(T, String), Failure> {
    let resp = send(method, path, body, headers).await?;
    let etag = resp.headers().get("etag").ok().flatten().unwrap_or_default();
    Ok((decode(resp).await?, etag))
}

/// A call with a raw JSON text body (the rules editor).
pub async fn call_raw<T: DeserializeOwned>(method: &str, path: &str, body: String) -> Result<T, Failure> {
    decode(send(method, path, Some(body), &[]).await?).await
}

pub async fn delete(path: &str) -> Result<(), Failure> {
    send("DELETE", path, None, &[]).await.map(|_| ())
}

/// A DELETE of what was read at `etag`, only if nobody changed it since.
pub async fn delete_if_match(path: &str, etag: &str) -> Result<(), Failure> {
    send("DELETE", path, None, &[("if-match", etag)]).await.map(|_| ())
}

/// GETs one page of a list at `path` into `into` for a view that reloads
/// (on a filter change, on a timer): `sent` counts the requests, and an
/// answer is shown only if no later request was sent before it came,
/// whatever order answers arrive in.
pub fn get_page_latest<T>(path: String, into: RwSignal<Option<Result<Page<T>, String>>>, sent: StoredValue<u32>)
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    sent.update_value(|n| *n += 1);
    let this = sent.get_value();
    leptos::task::spawn_local(async move {
        let r = get_page::<T>(&path).await.map_err(|e| e.message);
        // `try_`: the page may have been left (and its values disposed) meanwhile.
        if sent.try_get_value() == Some(this) {
            into.set(Some(r));
        }
    });
}

/// A fresh `Idempotency-Key` for one thing to make: what it is, the time
/// and a random part. The caller keeps it while it sends the same thing
/// again, and takes a new one for the next.
pub fn new_idempotency_key(what: &str) -> String {
    let random = (js_sys::Math::random() * 1e15) as u64;
    format!("{what}-{}-{random:x}", js_sys::Date::now() as u64)
}

/// `encodeURIComponent`.
pub fn enc(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}
