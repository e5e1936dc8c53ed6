//! The settings, read and saved with their ETag. D1 holds them of record
//! (`store::settings_record`), so a save from a copy someone has changed
//! since is refused however close together the two saves come; KV holds
//! the copy every request reads, written after D1 and mended by the cron
//! when a write to it was lost or two landed out of order.

use crate::crypto::sha256_hex;
use crate::error::{AppError, AppResult};
use crate::state::App;
use crate::store::{kv, settings_record};
use deflect_shared::api::Settings;

/// The settings as of record, and their ETag.
pub(crate) struct Current {
    pub(crate) settings: Settings,
    pub(crate) etag: String,
}

/// What a save must find to go ahead.
pub(crate) enum Expect {
    /// Any settings: a save without `If-Match`, or with `If-Match: *`.
    Any,
    /// Settings with one of these ETags.
    OneOf(Vec<String>),
}

impl Expect {
    /// From an `If-Match` header, if any.
    pub(crate) fn from_if_match(header: Option<&str>) -> Expect {
        match header {
            None => Expect::Any,
            Some(h) if h.split(',').any(|t| t.trim() == "*") => Expect::Any,
            Some(h) => Expect::OneOf(h.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect()),
        }
    }

    fn admits(&self, etag: &str) -> bool {
        match self {
            Expect::Any => true,
            Expect::OneOf(tags) => tags.iter().any(|t| t == etag),
        }
    }
}

/// The ETag of settings kept as `body`: a digest, so equal settings have
/// equal tags wherever they are read.
async fn etag_of(body: &str) -> AppResult<String> {
    Ok(format!("\"{}\"", &sha256_hex(body.as_bytes()).await?[..32]))
}

/// The settings of record: D1's row, or before the first save that made
/// one, KV's copy (or the defaults).
pub(crate) async fn current(app: &App) -> AppResult<Current> {
    if let Some(row) = settings_record::get(&app.db).await? {
        return Ok(Current { settings: serde_json::from_str(&row.body)?, etag: row.etag });
    }
    let settings = kv::settings(&app.kv).await?;
    let etag = etag_of(&serde_json::to_string(&settings)?).await?;
    Ok(Current { settings, etag })
}

/// Saves `s` (already valid) if the settings of record are as `expect`
/// says; returns the new ETag, or `None` when they were not (nothing was
/// saved).
pub(crate) async fn save(app: &App, s: &Settings, expect: &Expect) -> AppResult<Option<String>> {
    let body = serde_json::to_string(s)?;
    let etag = etag_of(&body).await?;
    let written = match expect {
        Expect::Any => settings_record::replace(&app.db, &body, &etag, None, app.now).await?,
        Expect::OneOf(_) => {
            // The row's tag is compared by D1 in the write itself; before
            // the first row, with the copy it stands in for.
            let held = match settings_record::get(&app.db).await? {
                Some(row) => row.etag,
                None => current(app).await?.etag,
            };
            if !expect.admits(&held) {
                return Ok(None);
            }
            settings_record::replace(&app.db, &body, &etag, Some(&held), app.now).await?
        }
    };
    if !written {
        return Ok(None);
    }
    kv::put_settings_text(&app.kv, &body).await?;
    app.forget_settings();
    // A save that came after this one may have written KV first.
    mend(app).await?;
    Ok(Some(etag))
}

/// Changes the settings of record with `change`, saving only over the copy
/// it changed; tries again from the new copy when another save came in
/// between, a few times before telling the caller to come back.
pub(crate) async fn update(app: &App, change: impl Fn(&mut Settings)) -> AppResult<Settings> {
    for _ in 0..4 {
        let Current { mut settings, etag } = current(app).await?;
        change(&mut settings);
        let settings = settings.validate()?;
        if save(app, &settings, &Expect::OneOf(vec![etag])).await?.is_some() {
            return Ok(settings);
        }
    }
    Err(AppError::Unavailable)
}

/// Writes KV's copy from the record when they differ; returns whether it
/// did.
pub(crate) async fn mend(app: &App) -> AppResult<bool> {
    let Some(row) = settings_record::get(&app.db).await? else {
        return Ok(false);
    };
    if kv::settings_text(&app.kv).await?.as_deref() == Some(row.body.as_str()) {
        return Ok(false);
    }
    kv::put_settings_text(&app.kv, &row.body).await?;
    app.forget_settings();
    Ok(true)
}
