//! Workers KV: settings, models, the published KB index, rate-limit
//! counters and the round-robin cursor. KV is eventually consistent across
//! Cloudflare's network (about a minute); everything here tolerates that.

use crate::error::AppResult;
use deflect_shared::api::{Settings, Site, Status};
use deflect_shared::kb::MatchWeights;
use deflect_shared::priority::PriorityModel;
use deflect_shared::rate_limit::Counter;
use deflect_shared::saved_reply::SavedReply;
use serde::{Deserialize, Serialize};
use worker::KvStore;

const SETTINGS: &str = "settings";
const PRIORITY_MODEL: &str = "model:priority";
const ROUND_ROBIN: &str = "assign:last";
const SCHEDULED_CURSOR: &str = "rules:scheduled:after";

fn index_key(site: &str) -> String {
    format!("kb:{site}:index")
}

fn weights_key(site: &str) -> String {
    format!("kb:{site}:weights")
}

/// The settings a new installation starts with: one site, `demo`, reachable
/// only from the edge's own origin.
pub(crate) fn default_settings() -> Settings {
    Settings {
        sites: vec![Site {
            id: "demo".into(),
            name: "Deflect demo".into(),
            allowed_origins: Vec::new(),
            reply_address: None,
            rating_by_mail: true,
            category_order: Vec::new(),
            require_identity: false,
            signature_max_hours: None,
        }],
        sla: Default::default(),
        assignment: Default::default(),
        rules: Vec::new(),
        rate_limits: Default::default(),
        saved_replies: vec![
            SavedReply {
                title: "We are on it".into(),
                body: "Hi {{customer.first_name|there}},\n\nThanks for writing in. We are looking into \"{{ticket.subject}}\" \
                       and will get back to you shortly.\n\n{{agent.name}}"
                    .into(),
                then_status: None,
                add_tags: Vec::new(),
            },
            SavedReply {
                title: "Solved: anything else?".into(),
                body: "Hi {{customer.first_name|there}},\n\nThis should now be solved. If anything is still not right, \
                       just reply here.\n\n{{agent.name}}"
                    .into(),
                // Sending it solves the ticket.
                then_status: Some(Status::Solved),
                add_tags: Vec::new(),
            },
        ],
        retention_days: None,
        require_two_factor: false,
    }
}

pub(crate) async fn settings(kv: &KvStore) -> AppResult<Settings> {
    Ok(kv.get(SETTINGS).json::<Settings>().await?.unwrap_or_else(default_settings))
}

/// The settings as KV keeps them, unparsed (to compare with the record).
pub(crate) async fn settings_text(kv: &KvStore) -> AppResult<Option<String>> {
    Ok(kv.get(SETTINGS).text().await?)
}

/// Writes KV's copy of the settings (`desk::settings` decides what).
pub(crate) async fn put_settings_text(kv: &KvStore, body: &str) -> AppResult<()> {
    kv.put(SETTINGS, body)?.execute().await?;
    Ok(())
}

pub(crate) async fn priority_model(kv: &KvStore) -> AppResult<PriorityModel> {
    Ok(kv.get(PRIORITY_MODEL).json::<PriorityModel>().await?.unwrap_or_default())
}

pub(crate) async fn put_priority_model(kv: &KvStore, m: &PriorityModel) -> AppResult<()> {
    kv.put(PRIORITY_MODEL, serde_json::to_string(m)?)?.execute().await?;
    Ok(())
}

/// Matcher weights learned by retraining, applied at every publish.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredWeights {
    pub(crate) signals: Vec<f32>,
    pub(crate) answer_threshold: f32,
    pub(crate) suggest_threshold: f32,
}

impl StoredWeights {
    pub(crate) fn to_weights(&self) -> Option<MatchWeights> {
        let signals: [f32; deflect_shared::kb::SIGNALS] = self.signals.clone().try_into().ok()?;
        Some(MatchWeights {
            signals,
            answer_threshold: self.answer_threshold,
            suggest_threshold: self.suggest_threshold,
        })
    }
}

pub(crate) async fn match_weights(kv: &KvStore, site: &str) -> AppResult<Option<MatchWeights>> {
    Ok(kv.get(&weights_key(site)).json::<StoredWeights>().await?.and_then(|w| w.to_weights()))
}

pub(crate) async fn put_match_weights(kv: &KvStore, site: &str, w: &MatchWeights) -> AppResult<()> {
    let stored = StoredWeights {
        signals: w.signals.to_vec(),
        answer_threshold: w.answer_threshold,
        suggest_threshold: w.suggest_threshold,
    };
    kv.put(&weights_key(site), serde_json::to_string(&stored)?)?.execute().await?;
    Ok(())
}

/// What is stored beside a published index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct IndexMeta {
    pub(crate) etag: String,
    pub(crate) published_at: i64,
    pub(crate) articles: usize,
}

pub(crate) async fn kb_index(kv: &KvStore, site: &str) -> AppResult<Option<(Vec<u8>, IndexMeta)>> {
    let (bytes, meta) = kv.get(&index_key(site)).bytes_with_metadata::<IndexMeta>().await?;
    Ok(match (bytes, meta) {
        (Some(b), Some(m)) => Some((b, m)),
        _ => None,
    })
}

pub(crate) async fn put_kb_index(kv: &KvStore, site: &str, bytes: &[u8], meta: &IndexMeta) -> AppResult<()> {
    kv.put_bytes(&index_key(site), bytes)?.metadata(meta)?.execute().await?;
    Ok(())
}

fn draft_key(site: &str) -> String {
    format!("kb:draft:{site}")
}

#[derive(Serialize, Deserialize)]
struct DraftMeta {
    fingerprint: String,
}

/// The draft index of a site, if it was built for these articles
/// (`fingerprint`).
pub(crate) async fn kb_draft(kv: &KvStore, site: &str, fingerprint: &str) -> AppResult<Option<Vec<u8>>> {
    let (bytes, meta) = kv.get(&draft_key(site)).bytes_with_metadata::<DraftMeta>().await?;
    Ok(bytes.filter(|_| meta.is_some_and(|m| m.fingerprint == fingerprint)))
}

/// Keeps a draft index for a day (it is rebuilt from D1 when missing).
pub(crate) async fn put_kb_draft(kv: &KvStore, site: &str, fingerprint: &str, bytes: &[u8]) -> AppResult<()> {
    kv.put_bytes(&draft_key(site), bytes)?
        .metadata(DraftMeta { fingerprint: fingerprint.to_string() })?
        .expiration_ttl(86_400)
        .execute()
        .await?;
    Ok(())
}

/// Counts a request against a client's [`Counter`] (one KV read and one
/// write) and returns it, this request included.
pub(crate) async fn hit(kv: &KvStore, bucket: &str, client: &str, now_ms: i64) -> AppResult<Counter> {
    let key = format!("rl:{bucket}:{client}");
    let stored = kv.get(&key).text().await?.as_deref().and_then(Counter::decode);
    let counter = Counter::hit(stored, now_ms);
    // KV's smallest TTL is 60 s; a counter matters for two windows.
    kv.put(&key, counter.encode())?.expiration_ttl(120).execute().await?;
    Ok(counter)
}

pub(crate) async fn round_robin_last(kv: &KvStore) -> AppResult<Option<String>> {
    Ok(kv.get(ROUND_ROBIN).text().await?)
}

pub(crate) async fn set_round_robin_last(kv: &KvStore, agent: &str) -> AppResult<()> {
    kv.put(ROUND_ROBIN, agent)?.execute().await?;
    Ok(())
}

/// The id of the last ticket the scheduled rules checked ("" to start over).
pub(crate) async fn scheduled_cursor(kv: &KvStore) -> AppResult<String> {
    Ok(kv.get(SCHEDULED_CURSOR).text().await?.unwrap_or_default())
}

pub(crate) async fn set_scheduled_cursor(kv: &KvStore, after: &str) -> AppResult<()> {
    kv.put(SCHEDULED_CURSOR, after)?.execute().await?;
    Ok(())
}
