//! Per-request state: the bindings, the clock, and lazily loaded secrets and
//! settings.

use crate::crypto::DataKey;
use crate::error::{AppError, AppResult};
use crate::store::kv;
use deflect_shared::api::Settings;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use worker::{D1Database, Env, KvStore};

pub(crate) struct App {
    pub(crate) env: Env,
    pub(crate) db: D1Database,
    pub(crate) kv: KvStore,
    /// Milliseconds since the epoch, read once per request.
    pub(crate) now: i64,
    key: RefCell<Option<DataKey>>,
    settings: RefCell<Option<Settings>>,
    /// Work to finish after the response: webhook deliveries.
    pending: RefCell<Vec<Pin<Box<dyn Future<Output = ()>>>>>,
}

impl App {
    pub(crate) fn new(env: Env) -> AppResult<App> {
        Ok(App {
            db: env.d1("DB")?,
            kv: env.kv("KV")?,
            now: worker::Date::now().as_millis() as i64,
            env,
            key: RefCell::new(None),
            settings: RefCell::new(None),
            pending: RefCell::new(Vec::new()),
        })
    }

    /// A secret (`wrangler secret put`, or `.dev.vars` locally).
    pub(crate) fn secret(&self, name: &str) -> AppResult<String> {
        self.env
            .secret(name)
            .map(|s| s.to_string())
            .map_err(|_| AppError::Internal(format!("the secret {name} is not set")))
    }

    /// The dashboard page of a ticket, when the `DEFLECT_PUBLIC_URL` var
    /// says where the dashboard is served (`cargo xtask run` sets it;
    /// wrangler.toml shows how for a deploy).
    pub(crate) fn ticket_link(&self, ticket: &str) -> Option<String> {
        deflect_shared::webhook::ticket_link(&self.public_url()?, ticket)
    }

    /// The R2 bucket of files' sealed contents.
    pub(crate) fn files(&self) -> AppResult<worker::Bucket> {
        Ok(self.env.bucket("FILES")?)
    }

    /// Where the worker is served (`DEFLECT_PUBLIC_URL`), when set.
    pub(crate) fn public_url(&self) -> Option<String> {
        let url = self.env.var("DEFLECT_PUBLIC_URL").ok()?.to_string().trim().to_string();
        let web = url.starts_with("https://") || url.starts_with("http://");
        (web && !url.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#' | '"' | '<' | '>')))
            .then_some(url)
    }

    pub(crate) async fn key(&self) -> AppResult<DataKey> {
        if let Some(k) = self.key.borrow().as_ref() {
            return Ok(k.clone());
        }
        let k = DataKey::from_base64(&self.secret("DEFLECT_DATA_KEY")?).await?;
        *self.key.borrow_mut() = Some(k.clone());
        Ok(k)
    }

    pub(crate) async fn settings(&self) -> AppResult<Settings> {
        if let Some(s) = self.settings.borrow().as_ref() {
            return Ok(s.clone());
        }
        let s = kv::settings(&self.kv).await?;
        *self.settings.borrow_mut() = Some(s.clone());
        Ok(s)
    }

    pub(crate) fn forget_settings(&self) {
        *self.settings.borrow_mut() = None;
    }

    /// Queues work to finish after the response is sent (webhook
    /// deliveries' first attempts).
    pub(crate) fn defer(&self, work: impl Future<Output = ()> + 'static) {
        self.pending.borrow_mut().push(Box::pin(work));
    }

    /// Queues `job` to run after the response is sent, with an `App` of
    /// its own (the request's is gone by then); its failure is logged as
    /// `what`'s.
    pub(crate) fn defer_job<F, Fut, T>(&self, what: &'static str, job: F)
    where
        F: FnOnce(App) -> Fut + 'static,
        Fut: Future<Output = AppResult<T>> + 'static,
    {
        let env = self.env.clone();
        self.defer(async move {
            let outcome = match App::new(env) {
                Ok(app) => job(app).await.map(drop),
                Err(e) => Err(e),
            };
            if let Err(e) = outcome {
                worker::console_error!("{what}: {e:?}");
            }
        });
    }

    /// The queued work, as one future.
    pub(crate) fn take_pending(&self) -> impl Future<Output = ()> + 'static {
        let work: Vec<_> = self.pending.borrow_mut().drain(..).collect();
        async move {
            for w in work {
                w.await;
            }
        }
    }

    pub(crate) async fn audit(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: serde_json::Value,
    ) -> AppResult<()> {
        let id = crate::crypto::new_id()?;
        crate::store::audit::record(&self.db, &id, actor, action, target, &detail, self.now).await
    }
}
