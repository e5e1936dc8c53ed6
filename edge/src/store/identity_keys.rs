//! The versions of each site's identity secret (`identity_keys`): the
//! secret itself is derived from the data key and the version, so only
//! the version and when it was made are kept.

use super::{Arg, KeyVersion, all, run};
use crate::error::AppResult;
use worker::D1Database;

/// A site's newest two versions, the current one first (none before the
/// first rotation: version 0 is implicit).
pub(crate) async fn keys(db: &D1Database, site: &str) -> AppResult<Vec<KeyVersion>> {
    all(
        db,
        "SELECT version, created_at FROM identity_keys WHERE site_id = ?1 ORDER BY version DESC LIMIT 2",
        &[Arg::Text(site)],
    )
    .await
}

/// Adds a site's next version.
pub(crate) async fn rotate(db: &D1Database, site: &str, now: i64) -> AppResult<()> {
    run(
        db,
        "INSERT INTO identity_keys (site_id, version, created_at) \
         SELECT ?1, COALESCE(MAX(version), 0) + 1, ?2 FROM identity_keys WHERE site_id = ?1",
        &[Arg::Text(site), Arg::Int(now)],
    )
    .await?;
    Ok(())
}
