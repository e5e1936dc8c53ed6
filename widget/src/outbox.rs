//! The widget's storage in `localStorage`, used only after the customer
//! opens the widget: tickets waiting to be sent (the outbox) and tickets
//! already created, with the token that lets the customer read them.
//!
//! A ticket the site vouched for (created with its signature, or fetched
//! for its verified customer) has an owner: the e-mail as signed. It is
//! shown only while the page identifies that customer, and forgotten when
//! the page identifies someone else, so a shared computer does not show
//! one customer's conversations to the next.

use crate::api::{self, FetchError};
use crate::config::Config;
use crate::kept_files;
use crate::wire::In;
use deflect_shared::api::{MAX_UNREAD_QUERY, TicketCreated, TicketLink};
use js_sys::{Array, JSON, Object, Reflect};
use wasm_bindgen::JsValue;

/// A ticket the widget could not send yet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pending {
    /// The idempotency key, fixed when the customer pressed send.
    pub(crate) key: String,
    /// The request body, kept as sent: a resend must be byte for byte the
    /// same, or the edge takes it for another request with a reused key.
    pub(crate) body: String,
    /// The verified customer it was written by ("": none).
    pub(crate) owner: String,
    /// A file goes with it, kept in [`kept_files`] under its key.
    pub(crate) file: bool,
}

/// A kept file whose ticket exists, to be sent to it.
#[derive(Debug, Clone, PartialEq)]
struct Upload {
    /// The ticket's idempotency key, under which the file is kept.
    key: String,
    ticket: String,
    token: String,
}

/// A ticket this browser created.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Saved {
    pub(crate) id: String,
    pub(crate) token: String,
    pub(crate) subject: String,
    pub(crate) created_at: i64,
    /// The newest message time the customer has seen in the thread.
    pub(crate) seen_at: i64,
    /// The verified customer it belongs to ("": whoever uses this
    /// browser).
    pub(crate) owner: String,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn key(cfg: &Config, what: &str) -> String {
    format!("deflect:{}:{what}", cfg.site)
}

/// The items stored under `what`; unreadable items are skipped.
fn read<T>(cfg: &Config, what: &str, item: fn(&In) -> Option<T>) -> Vec<T> {
    let Some(text) = storage().and_then(|s| s.get_item(&key(cfg, what)).ok().flatten()) else { return Vec::new() };
    match JSON::parse(&text) {
        Ok(list) if Array::is_array(&list) => Array::from(&list).iter().filter_map(|v| item(&In::new(v))).collect(),
        _ => Vec::new(),
    }
}

fn write<T>(cfg: &Config, what: &str, items: &[T], item: fn(&T) -> Object) {
    let list: Array = items.iter().map(|i| JsValue::from(item(i))).collect();
    if let (Some(s), Ok(text)) = (storage(), JSON::stringify(&list)) {
        let _ = s.set_item(&key(cfg, what), &String::from(text));
    }
}

fn object(fields: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

fn read_pending(v: &In) -> Option<Pending> {
    Some(Pending {
        key: v.str("key")?,
        body: v.str("body")?,
        owner: v.str("owner").unwrap_or_default(),
        file: v.bool("file").unwrap_or(false),
    })
}

fn write_pending(p: &Pending) -> Object {
    object(&[
        ("key", p.key.as_str().into()),
        ("body", p.body.as_str().into()),
        ("owner", p.owner.as_str().into()),
        ("file", p.file.into()),
    ])
}

fn read_upload(v: &In) -> Option<Upload> {
    Some(Upload { key: v.str("key")?, ticket: v.str("ticket")?, token: v.str("token")? })
}

fn write_upload(u: &Upload) -> Object {
    object(&[("key", u.key.as_str().into()), ("ticket", u.ticket.as_str().into()), ("token", u.token.as_str().into())])
}

fn read_saved(v: &In) -> Option<Saved> {
    Some(Saved {
        id: v.str("id")?,
        token: v.str("token")?,
        subject: v.str("subject")?,
        created_at: v.num("created_at")? as i64,
        seen_at: v.num("seen_at").or_else(|| v.num("created_at")).unwrap_or(0.0) as i64,
        owner: v.str("owner").unwrap_or_default(),
    })
}

fn write_saved(s: &Saved) -> Object {
    object(&[
        ("id", s.id.as_str().into()),
        ("token", s.token.as_str().into()),
        ("subject", s.subject.as_str().into()),
        ("created_at", (s.created_at as f64).into()),
        ("seen_at", (s.seen_at as f64).into()),
        ("owner", s.owner.as_str().into()),
    ])
}

/// Tickets waiting to be sent. Reading does not create any storage.
pub(crate) fn pending(cfg: &Config) -> Vec<Pending> {
    read(cfg, "outbox", read_pending)
}

/// Whether anything waits to be sent: a ticket, or a file for one.
pub(crate) fn waiting(cfg: &Config) -> bool {
    !pending(cfg).is_empty() || !read(cfg, "uploads", read_upload).is_empty()
}

pub(crate) fn push(cfg: &Config, p: Pending) {
    let mut all = pending(cfg);
    if !all.iter().any(|x| x.key == p.key) {
        all.push(p);
    }
    write(cfg, "outbox", &all, write_pending);
}

fn remove(cfg: &Config, key: &str) {
    let all: Vec<Pending> = pending(cfg).into_iter().filter(|p| p.key != key).collect();
    write(cfg, "outbox", &all, write_pending);
}

/// Tickets this browser keeps, newest first.
pub(crate) fn saved(cfg: &Config) -> Vec<Saved> {
    read(cfg, "tickets", read_saved)
}

/// The kept tickets `keep` holds to, and whether any were dropped.
fn kept(cfg: &Config, keep: impl Fn(&Saved) -> bool) -> (Vec<Saved>, bool) {
    let mut all = saved(cfg);
    let before = all.len();
    all.retain(keep);
    let dropped = all.len() != before;
    (all, dropped)
}

/// The kept tickets the customer `owner` ("": nobody verified) may see.
pub(crate) fn visible(cfg: &Config, owner: &str) -> Vec<Saved> {
    kept(cfg, |s| s.owner.is_empty() || s.owner == owner).0
}

/// Forgets the tickets of verified customers other than `owner` (every
/// verified customer's when `owner` is "").
pub(crate) fn forget_others(cfg: &Config, owner: &str) {
    if let (mine, true) = kept(cfg, |s| s.owner.is_empty() || s.owner == owner) {
        write(cfg, "tickets", &mine, write_saved);
    }
}

/// Forgets a saved ticket (its data was erased on the edge).
pub(crate) fn forget(cfg: &Config, id: &str) {
    if let (all, true) = kept(cfg, |s| s.id != id) {
        write(cfg, "tickets", &all, write_saved);
    }
}

/// Keeps tickets in this browser's list, newest first (at most
/// [`MAX_UNREAD_QUERY`], so one request asks about them all); a ticket
/// already kept stays as it is.
fn keep(cfg: &Config, tickets: Vec<Saved>) {
    let mut all = saved(cfg);
    let before = all.len();
    for t in tickets {
        if !all.iter().any(|s| s.id == t.id) {
            // Before the first older one: the list stays newest first.
            let at = all.iter().position(|s| s.created_at < t.created_at).unwrap_or(all.len());
            all.insert(at, t);
        }
    }
    if all.len() != before {
        all.truncate(MAX_UNREAD_QUERY);
        write(cfg, "tickets", &all, write_saved);
    }
}

fn remember(cfg: &Config, t: &TicketCreated, owner: &str) {
    keep(
        cfg,
        vec![Saved {
            id: t.ticket.id.clone(),
            token: t.token.clone(),
            subject: t.ticket.subject.clone(),
            created_at: t.ticket.created_at,
            seen_at: t.ticket.messages.iter().map(|m| m.created_at).max().unwrap_or(t.ticket.created_at),
            owner: owner.to_string(),
        }],
    );
}

/// Notes that the customer has seen a ticket's thread up to `at`.
pub(crate) fn mark_seen(cfg: &Config, id: &str, at: i64) {
    let mut all = saved(cfg);
    if let Some(s) = all.iter_mut().find(|s| s.id == id && s.seen_at < at) {
        s.seen_at = at;
        write(cfg, "tickets", &all, write_saved);
    }
}

/// Keeps the ticket a merged one continues in, for the merged one's
/// owner.
pub(crate) fn remember_link(cfg: &Config, l: &TicketLink, owner: &str) {
    adopt(cfg, owner, vec![(l.clone(), l.created_at)]);
}

/// Keeps the tickets the edge listed for the verified customer `owner`,
/// each with the time its customer has seen it up to.
pub(crate) fn adopt(cfg: &Config, owner: &str, tickets: Vec<(TicketLink, i64)>) {
    keep(
        cfg,
        tickets
            .into_iter()
            .map(|(l, seen_at)| Saved {
                id: l.id,
                token: l.token,
                subject: l.subject,
                created_at: l.created_at,
                seen_at,
                owner: owner.to_string(),
            })
            .collect(),
    );
}

/// Sends one ticket: stores it in the outbox first, so a failure or a
/// closed tab loses nothing, and removes it once the edge has it. The key
/// makes a resend harmless: the edge answers with the same ticket.
pub(crate) async fn send(cfg: &Config, p: Pending) -> Result<TicketCreated, FetchError> {
    push(cfg, p.clone());
    match api::create_ticket(cfg, &p.key, &p.body).await {
        Ok(t) => {
            remember(cfg, &t, &p.owner);
            if p.file {
                let mut all = read(cfg, "uploads", read_upload);
                all.push(Upload { key: p.key.clone(), ticket: t.ticket.id.clone(), token: t.token.clone() });
                write(cfg, "uploads", &all, write_upload);
            }
            remove(cfg, &p.key);
            Ok(t)
        }
        Err(e) => {
            if !e.retryable() {
                // The edge refused the request itself; resending cannot help.
                remove(cfg, &p.key);
                if p.file {
                    kept_files::forget(cfg, &p.key).await;
                }
            }
            Err(e)
        }
    }
}

/// Sends the kept files whose tickets exist, each once (under its own
/// idempotency key); stops at the first failure a retry may fix (or
/// storage that does not answer), keeping it and the rest for the next
/// try. Returns the first failure to tell the customer of.
pub(crate) async fn send_files(cfg: &Config) -> Option<FetchError> {
    for u in read(cfg, "uploads", read_upload) {
        let sent = match kept_files::kept(cfg, &u.key).await {
            // Storage did not answer: the file stays noted for the next try.
            Err(_) => return None,
            Ok(Some(f)) => {
                let name =
                    js_sys::Reflect::get(&f, &"name".into()).ok().and_then(|n| n.as_string()).unwrap_or_default();
                let tail = format!("/files?name={}", js_sys::encode_uri_component(&name));
                api::post(cfg, &u.ticket, &u.token, &tail, (f, String::new()), &format!("{}-file", u.key))
                    .await
                    .map(drop)
            }
            // The browser dropped it meanwhile: nothing to send.
            Ok(None) => Ok(()),
        };
        if sent.as_ref().is_err_and(FetchError::retryable) {
            return sent.err();
        }
        kept_files::forget(cfg, &u.key).await;
        let rest: Vec<Upload> = read(cfg, "uploads", read_upload).into_iter().filter(|x| x.key != u.key).collect();
        write(cfg, "uploads", &rest, write_upload);
        if sent.is_err() {
            return sent.err();
        }
    }
    None
}

/// Sends everything in the outbox, oldest first; stops at the first
/// failure that a retry may fix. Returns the tickets created.
pub(crate) async fn flush(cfg: &Config) -> Vec<TicketCreated> {
    let mut done = Vec::new();
    for p in pending(cfg) {
        match send(cfg, p).await {
            Ok(t) => done.push(t),
            Err(e) if e.retryable() => break,
            Err(_) => {}
        }
    }
    done
}
