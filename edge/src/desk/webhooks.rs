//! Webhook deliveries: queued in D1, signed at each attempt, first tried
//! right after the response, then by the cron with growing waits until a
//! receiver answers 2xx or the attempts run out (`shared::webhook`).

use crate::crypto::{hmac, new_id};
use crate::error::{AppError, AppResult};
use crate::state::App;
use crate::store::key_standing;
use crate::store::webhooks::{self as store, Attempted, DeliveryRow, NewDelivery};
use deflect_shared::api::{DeliveryState, WebhookDelivery, WebhookSecret};
use deflect_shared::webhook::{
    DELIVERY_HEADER, EVENT_HEADER, Outcome, ROTATION_GRACE_MS, SIGNATURE_HEADER, TIMEOUT_MS, retry_wait_ms,
    signature_header, signed_message,
};
use worker::{AbortSignal, D1Database, Fetch, Headers, Method, Request, RequestInit, RequestRedirect};

/// How long an attempt holds a delivery before the cron may take it: the
/// receiver's time limit and a margin.
const LEASE_MS: i64 = TIMEOUT_MS as i64 + 50_000;

/// Deliveries the cron tries per run, at once.
const PER_RUN: u32 = 10;

/// Finished deliveries are kept this long for admins to look at.
const KEEP_MS: i64 = 30 * 86_400_000;

/// Longest receiver error kept, in characters.
const MAX_ERROR: usize = 300;

/// One attempt, signed and ready to send.
struct Attempt {
    id: String,
    event: String,
    url: String,
    body: String,
    signature: String,
    attempts_before: u32,
}

/// The event of a test delivery, which is sent once.
const PING: &str = "ping";

impl Attempt {
    async fn new(row: &DeliveryRow, signer: &Signer) -> AppResult<Attempt> {
        Ok(Attempt {
            id: row.id.clone(),
            event: row.event.clone(),
            url: row.url.clone(),
            signature: signer.sign(&row.payload).await?,
            body: row.payload.clone(),
            attempts_before: row.attempts(),
        })
    }

    /// Sends it and records what happened.
    async fn run(self, db: &D1Database) -> AppResult<()> {
        let outcome = self.send().await;
        let now = worker::Date::now().as_millis() as i64;
        let attempts = self.attempts_before + 1;
        let (state, next) = if outcome.delivered() {
            (DeliveryState::Delivered, None)
        } else {
            // A test delivery is sent once.
            match retry_wait_ms(attempts).filter(|_| self.event != PING) {
                Some(wait) => (DeliveryState::Pending, Some(now + wait)),
                None => (DeliveryState::Failed, None),
            }
        };
        let (status, error) = match &outcome {
            Outcome::Answered(s) if outcome.delivered() => (Some(*s), None),
            Outcome::Answered(s) => (Some(*s), Some(format!("the receiver answered {s}"))),
            Outcome::NoAnswer(why) => (None, Some(why.clone())),
        };
        let attempted = Attempted {
            attempts,
            state,
            status,
            error: error.as_deref(),
            next_attempt_at: next,
            delivered_at: outcome.delivered().then_some(now),
        };
        store::record(db, &self.id, &attempted).await
    }

    async fn send(&self) -> Outcome {
        let headers = Headers::new();
        for (name, value) in [
            ("content-type", "application/json"),
            ("user-agent", "Deflect-Webhook/1"),
            (EVENT_HEADER, self.event.as_str()),
            (DELIVERY_HEADER, self.id.as_str()),
            (SIGNATURE_HEADER, self.signature.as_str()),
        ] {
            if let Err(e) = headers.set(name, value) {
                return Outcome::NoAnswer(format!("the {name} header could not be set: {e}"));
            }
        }
        let mut init = RequestInit::new();
        // A receiver that moved must be given its new address; following a
        // redirect would send the signed body somewhere nobody chose.
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_redirect(RequestRedirect::Manual)
            .with_body(Some(self.body.clone().into()));
        let req = match Request::new_with_init(&self.url, &init) {
            Ok(r) => r,
            Err(e) => return Outcome::NoAnswer(format!("the address could not be used: {e}")),
        };
        let signal = AbortSignal::from(web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS as u32));
        match Fetch::Request(req).send_with_signal(&signal).await {
            Ok(resp) => Outcome::Answered(resp.status_code()),
            Err(_) if signal.aborted() => Outcome::NoAnswer(format!("no answer within {} s", TIMEOUT_MS / 1000)),
            Err(e) => {
                let text = e.to_string();
                let why = text.strip_prefix("Error: ").unwrap_or(&text);
                Outcome::NoAnswer(format!("no answer: {}", why.chars().take(MAX_ERROR).collect::<String>()))
            }
        }
    }
}

/// Queues a delivery and makes its first attempt once the response is
/// sent; the cron takes it from there if that fails.
pub(crate) async fn queue(
    app: &App,
    event: &str,
    url: &str,
    rule: Option<&str>,
    ticket: Option<&str>,
    payload: &serde_json::Value,
) -> AppResult<String> {
    let attempt = insert(app, event, url, rule, ticket, payload).await?;
    let id = attempt.id.clone();
    let env = app.env.clone();
    app.defer(async move {
        let result = match env.d1("DB") {
            Ok(db) => attempt.run(&db).await,
            Err(e) => Err(e.into()),
        };
        if let Err(e) = result {
            worker::console_error!("webhook delivery: {e:?}");
        }
    });
    Ok(id)
}

/// Sends a test delivery (event `ping`) before answering; it is not tried
/// again.
pub(crate) async fn ping(app: &App, url: &str, payload: &serde_json::Value) -> AppResult<String> {
    let attempt = insert(app, PING, url, None, None, payload).await?;
    let id = attempt.id.clone();
    attempt.run(&app.db).await?;
    Ok(id)
}

async fn insert(
    app: &App,
    event: &str,
    url: &str,
    rule: Option<&str>,
    ticket: Option<&str>,
    payload: &serde_json::Value,
) -> AppResult<Attempt> {
    let id = new_id()?;
    let body = payload.to_string();
    let new = NewDelivery { id: &id, event, url, rule, ticket_id: ticket, payload: &body };
    store::insert(&app.db, &new, app.now, app.now + LEASE_MS).await?;
    Ok(Attempt {
        id,
        event: event.to_string(),
        url: url.to_string(),
        signature: Signer::new(app).await?.sign(&body).await?,
        body,
        attempts_before: 0,
    })
}

/// The cron's part: tries the deliveries that are due, at once, and
/// forgets finished ones past the keeping time. Returns how many were
/// tried.
pub(crate) async fn retry_due(app: &App) -> AppResult<usize> {
    let mut attempts = Vec::new();
    let due = store::due(&app.db, app.now, PER_RUN).await?;
    // The secrets are read once per run, and only when something is due.
    if !due.is_empty() {
        let signer = Signer::new(app).await?;
        for row in &due {
            if store::claim(&app.db, row, app.now + LEASE_MS).await? {
                attempts.push(Attempt::new(row, &signer).await?);
            }
        }
    }
    let n = attempts.len();
    let results = futures_util::future::join_all(attempts.into_iter().map(|a| a.run(&app.db))).await;
    for e in results.into_iter().filter_map(Result::err) {
        worker::console_error!("webhook retry: {e:?}");
    }
    store::forget_before(&app.db, app.now - KEEP_MS).await?;
    Ok(n)
}

/// An admin's "send again": one attempt now, whatever the state, and the
/// delivery as it then stands.
pub(crate) async fn send_again(app: &App, id: &str) -> AppResult<WebhookDelivery> {
    let row = store::by_id(&app.db, id).await?.ok_or_else(|| AppError::NotFound("no such webhook delivery".into()))?;
    if !store::claim_again(&app.db, id, app.now + LEASE_MS).await? {
        return Err(AppError::NotFound("no such webhook delivery".into()));
    }
    Attempt::new(&row, &Signer::new(app).await?).await?.run(&app.db).await?;
    let row = store::by_id(&app.db, id).await?.ok_or_else(|| AppError::NotFound("no such webhook delivery".into()))?;
    Ok(row.view())
}

/// The signing secret as admins see it.
pub(crate) async fn secret(app: &App) -> AppResult<WebhookSecret> {
    let (version, rotated_at, previous_valid_until) =
        key_standing(&store::keys(&app.db).await?, app.now, ROTATION_GRACE_MS);
    let secret = app.key().await?.webhook_secret(version).await?;
    Ok(WebhookSecret { secret, version, rotated_at, previous_valid_until })
}

/// Makes a new signing secret; the previous one keeps signing alongside
/// for a day.
pub(crate) async fn rotate(app: &App) -> AppResult<WebhookSecret> {
    store::rotate(&app.db, app.now).await?;
    secret(app).await
}

/// The secrets that sign deliveries now: the current one, and the
/// previous one during the day after a rotation.
struct Signer {
    secrets: Vec<String>,
    now: i64,
}

impl Signer {
    async fn new(app: &App) -> AppResult<Signer> {
        let s = secret(app).await?;
        let mut secrets = vec![s.secret];
        if s.previous_valid_until.is_some() {
            secrets.push(app.key().await?.webhook_secret(s.version.saturating_sub(1)).await?);
        }
        Ok(Signer { secrets, now: app.now })
    }

    /// `Deflect-Signature` for a body: one MAC per secret.
    async fn sign(&self, body: &str) -> AppResult<String> {
        let t = self.now / 1000;
        let message = signed_message(t, body);
        let mut macs = Vec::new();
        for secret in &self.secrets {
            macs.push(hmac(secret.as_bytes(), message.as_bytes()).await?);
        }
        Ok(signature_header(t, &macs))
    }
}
