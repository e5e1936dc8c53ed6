//! `cargo xtask deploy`: the same build the tests use, the migrations
//! applied to the remote D1, then `wrangler deploy`. Needs a Cloudflare
//! login (`wrangler login` or `CLOUDFLARE_API_TOKEN`), the database and KV
//! ids in `edge/wrangler.toml`, and the secrets set with `wrangler secret
//! put` (see the README).
//!
//! `cargo xtask deploy --dry-run` (and `cargo xtask test`) bundles what
//! would be uploaded, without a login, and checks it against Cloudflare's
//! limits, so a change that would not deploy fails here first.

use crate::cmd::{node_bin, root, run};
use crate::{build, setup};
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::{Command, Stdio};

/// Cloudflare's limit on a Worker after compression on the free plan, in
/// KiB (the paid plan allows 10 MiB).
const WORKER_LIMIT_KIB: f64 = 3.0 * 1024.0;
/// Cloudflare's limit on one static asset, in bytes.
const ASSET_LIMIT_BYTES: u64 = 25 * 1024 * 1024;
/// Cloudflare's limit on the number of static assets on the free plan.
const ASSET_COUNT_LIMIT: usize = 20_000;

pub(crate) fn deploy(args: &[String]) -> Result<()> {
    let dry = match args {
        [] => false,
        [a] if a == "--dry-run" => true,
        _ => bail!("usage: cargo xtask deploy [--dry-run]"),
    };
    setup::setup(false)?;
    build::all()?;
    if dry {
        return dry_run().map(|_| ());
    }
    let edge = root().join("edge");
    let wrangler = node_bin("wrangler");
    run(&edge, &wrangler, &["d1", "migrations", "apply", "DB", "--remote"], &[])?;
    run(&edge, &wrangler, &["deploy"], &[])
}

/// Bundles the worker as `wrangler deploy` would, without uploading, and
/// checks the bundle and the static assets against Cloudflare's limits;
/// returns the worker's compressed size in KiB.
pub(crate) fn dry_run() -> Result<f64> {
    let root = root();
    let outdir = root.join("target/deploy-dry-run");
    let outdir_arg = outdir.to_string_lossy().into_owned();
    let args = ["deploy", "--dry-run", "--outdir", &outdir_arg];
    eprintln!("$ wrangler {}", args.join(" "));
    let out = Command::new(node_bin("wrangler"))
        .args(args)
        .current_dir(root.join("edge"))
        .env("CI", "true")
        .stdin(Stdio::null())
        .output()
        .context("running wrangler deploy --dry-run")?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    eprint!("{text}");
    if !out.status.success() {
        bail!("wrangler deploy --dry-run failed ({})", out.status);
    }
    let gzip = compressed_kib(&text).context("wrangler did not report the upload's compressed size")?;
    if gzip > WORKER_LIMIT_KIB {
        bail!("the worker is {gzip:.0} KiB compressed, over Cloudflare's {WORKER_LIMIT_KIB:.0} KiB limit");
    }
    let mut assets = Vec::new();
    files(&root.join("www"), &mut assets)?;
    if assets.len() > ASSET_COUNT_LIMIT {
        bail!("www/ holds {} files, over Cloudflare's limit of {ASSET_COUNT_LIMIT}", assets.len());
    }
    if let Some((path, size)) = assets.iter().find(|(_, size)| *size > ASSET_LIMIT_BYTES) {
        bail!("{} is {size} bytes, over Cloudflare's limit of {ASSET_LIMIT_BYTES} bytes per asset", path.display());
    }
    eprintln!(
        "deploy check: the worker is {gzip:.0} KiB compressed (limit {WORKER_LIMIT_KIB:.0} KiB), with {} assets",
        assets.len()
    );
    Ok(gzip)
}

/// The compressed size in wrangler's "Total Upload: 2541.90 KiB / gzip:
/// 884.07 KiB" line, in KiB.
fn compressed_kib(text: &str) -> Option<f64> {
    let line = text.lines().find(|l| l.contains("Total Upload:"))?;
    let (_, gzip) = line.split_once("gzip:")?;
    let mut parts = gzip.split_whitespace();
    let n: f64 = parts.next()?.parse().ok()?;
    match parts.next()? {
        "KiB" => Some(n),
        "MiB" => Some(n * 1024.0),
        "B" => Some(n / 1024.0),
        _ => None,
    }
}

/// Every file under `dir`, with its size.
fn files(dir: &Path, into: &mut Vec<(std::path::PathBuf, u64)>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.is_dir() {
            files(&entry.path(), into)?;
        } else {
            into.push((entry.path(), meta.len()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::compressed_kib;

    #[test]
    fn reads_the_compressed_size_in_any_unit() {
        let out = "✨ Read 33 files\nTotal Upload: 2541.90 KiB / gzip: 884.07 KiB\nYour Worker has access to";
        assert_eq!(compressed_kib(out), Some(884.07));
        assert_eq!(compressed_kib("Total Upload: 12.5 MiB / gzip: 3.25 MiB"), Some(3328.0));
        assert_eq!(compressed_kib("Total Upload: 2048 B / gzip: 1024 B"), Some(1.0));
        assert_eq!(compressed_kib("Total Upload: 1 KiB / gzip: lots"), None);
        assert_eq!(compressed_kib("nothing here"), None);
    }
}
