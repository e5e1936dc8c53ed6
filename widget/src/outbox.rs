//! The widget's storage in `localStorage`, used only after the customer
//! opens the widget: tickets waiting to be sent (the outbox) and tickets
//! already created, with the token that lets the customer read them.

use crate::api::{self, FetchError};
use crate::config::Config;
use deflect_shared::api::{CreateTicket, TicketCreated};
use serde::{Deserialize, Serialize};

/// A ticket the widget could not send yet.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Pending {
    /// The idempotency key, fixed when the customer pressed send.
    pub(crate) key: String,
    /// The request.
    pub(crate) request: CreateTicket,
}

/// A ticket this browser created.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Saved {
    pub(crate) id: String,
    pub(crate) token: String,
    pub(crate) subject: String,
    pub(crate) created_at: i64,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn key(cfg: &Config, what: &str) -> String {
    format!("deflect:{}:{what}", cfg.site)
}

fn read<T: for<'de> Deserialize<'de>>(cfg: &Config, what: &str) -> Vec<T> {
    storage()
        .and_then(|s| s.get_item(&key(cfg, what)).ok().flatten())
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default()
}

fn write<T: Serialize>(cfg: &Config, what: &str, items: &[T]) {
    if let (Some(s), Ok(v)) = (storage(), serde_json::to_string(items)) {
        let _ = s.set_item(&key(cfg, what), &v);
    }
}

/// Tickets waiting to be sent. Reading does not create any storage.
pub(crate) fn pending(cfg: &Config) -> Vec<Pending> {
    read(cfg, "outbox")
}

pub(crate) fn push(cfg: &Config, p: Pending) {
    let mut all = pending(cfg);
    if !all.iter().any(|x| x.key == p.key) {
        all.push(p);
    }
    write(cfg, "outbox", &all);
}

fn remove(cfg: &Config, key: &str) {
    let all: Vec<Pending> = pending(cfg).into_iter().filter(|p| p.key != key).collect();
    write(cfg, "outbox", &all);
}

/// Tickets this browser created, newest first.
pub(crate) fn saved(cfg: &Config) -> Vec<Saved> {
    read(cfg, "tickets")
}

pub(crate) fn remember(cfg: &Config, t: &TicketCreated) {
    let mut all = saved(cfg);
    if !all.iter().any(|s| s.id == t.ticket.id) {
        all.insert(
            0,
            Saved {
                id: t.ticket.id.clone(),
                token: t.token.clone(),
                subject: t.ticket.subject.clone(),
                created_at: t.ticket.created_at,
            },
        );
        all.truncate(50);
        write(cfg, "tickets", &all);
    }
}

/// Sends one ticket: stores it in the outbox first, so a failure or a
/// closed tab loses nothing, and removes it once the edge has it. The key
/// makes a resend harmless: the edge answers with the same ticket.
pub(crate) async fn send(cfg: &Config, p: Pending) -> Result<TicketCreated, FetchError> {
    push(cfg, p.clone());
    match api::create_ticket(cfg, &p.key, &p.request).await {
        Ok(t) => {
            remember(cfg, &t);
            remove(cfg, &p.key);
            Ok(t)
        }
        Err(e) => {
            if !e.retryable() {
                // The edge refused the request itself; resending cannot help.
                remove(cfg, &p.key);
            }
            Err(e)
        }
    }
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
