//! Files kept in this browser until their ticket has them: a file picked on
//! the ticket form is stored in IndexedDB (the outbox's `localStorage`
//! holds text only) before the ticket is sent, so going offline, or
//! closing the tab, loses neither. Each is kept under its ticket's
//! idempotency key and the site's id, and dropped once the edge has it.
//!
//! Where IndexedDB is unavailable (storage blocked for the page) nothing is
//! kept, and the form says so when it matters.

use crate::config::Config;
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStore, IdbRequest, IdbTransactionMode};

const DATABASE: &str = "deflect";
const STORE: &str = "files";

fn key(cfg: &Config, ticket_key: &str) -> JsValue {
    JsValue::from_str(&format!("{}:{ticket_key}", cfg.site))
}

/// Waits for `arm` to call one of the two functions it is given: the
/// first settles with its argument, the second fails. After three seconds
/// it fails by itself, so a browser whose storage never answers holds up
/// no ticket (the file then goes without being kept).
async fn until(arm: impl FnOnce(&Function, &Function)) -> Result<JsValue, JsValue> {
    let mut arm = Some(arm);
    JsFuture::from(Promise::new(&mut |ok, fail| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&fail, 3000);
        }
        if let Some(arm) = arm.take() {
            arm(&ok, &fail);
        }
    }))
    .await
}

/// A request's result, once it succeeds.
async fn result(req: &IdbRequest) -> Result<JsValue, JsValue> {
    until(|ok, fail| {
        req.set_onsuccess(Some(ok));
        req.set_onerror(Some(fail));
    })
    .await?;
    req.result()
}

async fn database() -> Result<IdbDatabase, JsValue> {
    let factory = web_sys::window().ok_or(JsValue::NULL)?.indexed_db()?.ok_or(JsValue::NULL)?;
    let open = factory.open_with_u32(DATABASE, 1)?;
    let create = {
        let open = open.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Ok(db) = open.result().map(IdbDatabase::from) {
                let _ = db.create_object_store(STORE);
            }
        })
    };
    open.set_onupgradeneeded(Some(create.as_ref().unchecked_ref()));
    let db = result(&open).await;
    open.set_onupgradeneeded(None);
    Ok(db?.into())
}

/// The store, in a transaction of `mode`, with the transaction's end to
/// wait for.
async fn store(mode: IdbTransactionMode) -> Result<(IdbObjectStore, web_sys::IdbTransaction), JsValue> {
    let tx = database().await?.transaction_with_str_and_mode(STORE, mode)?;
    Ok((tx.object_store(STORE)?, tx))
}

/// Waits for a writing transaction to commit.
async fn committed(tx: &web_sys::IdbTransaction) -> Result<(), JsValue> {
    until(|ok, fail| {
        tx.set_oncomplete(Some(ok));
        tx.set_onerror(Some(fail));
        tx.set_onabort(Some(fail));
    })
    .await
    .map(drop)
}

/// Keeps `file` for the ticket sent under `ticket_key`; false when this
/// browser would not keep it.
pub(crate) async fn keep(cfg: &Config, ticket_key: &str, file: &JsValue) -> bool {
    async {
        let (s, tx) = store(IdbTransactionMode::Readwrite).await?;
        s.put_with_key(file, &key(cfg, ticket_key))?;
        committed(&tx).await
    }
    .await
    .is_ok()
}

/// The file kept for the ticket sent under `ticket_key`: `Ok(None)` when
/// there is none, `Err` when the browser's storage did not answer (the
/// file may still be there).
pub(crate) async fn kept(cfg: &Config, ticket_key: &str) -> Result<Option<JsValue>, JsValue> {
    let (s, _) = store(IdbTransactionMode::Readonly).await?;
    let found = result(&s.get(&key(cfg, ticket_key))?).await?;
    Ok((!found.is_undefined()).then_some(found))
}

/// Drops the file kept for the ticket sent under `ticket_key`.
pub(crate) async fn forget(cfg: &Config, ticket_key: &str) {
    let _ = async {
        let (s, tx) = store(IdbTransactionMode::Readwrite).await?;
        s.delete(&key(cfg, ticket_key))?;
        committed(&tx).await
    }
    .await;
}
