//! `cargo xtask deploy`: the same build the tests use, the migrations
//! applied to the remote D1, then `wrangler deploy`. Needs a Cloudflare
//! login (`wrangler login` or `CLOUDFLARE_API_TOKEN`), the database and KV
//! ids in `edge/wrangler.toml`, and the secrets set with `wrangler secret
//! put` (see the README).

use crate::cmd::{node_bin, root, run};
use crate::{build, setup};
use anyhow::Result;

pub(crate) fn deploy() -> Result<()> {
    setup::setup(false)?;
    build::all()?;
    let edge = root().join("edge");
    let wrangler = node_bin("wrangler");
    run(&edge, &wrangler, &["d1", "migrations", "apply", "DB", "--remote"], &[])?;
    run(&edge, &wrangler, &["deploy"], &[])
}
