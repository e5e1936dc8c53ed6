//! `cargo xtask setup`: installs everything the build and the tests need.
//! Every step checks first, so running it again does nothing.

use crate::cmd::{cargo_bin, locked_version, node_bin, output, root, run};
use anyhow::{Result, bail};

/// The worker-build release the edge is built with.
const WORKER_BUILD: &str = "0.8.7";

/// Installs tools; `browser` adds Chromium for the browser tests.
pub(crate) fn setup(browser: bool) -> Result<()> {
    let root = root();
    if !output("rustup", &["target", "list", "--installed"]).is_some_and(|t| t.contains("wasm32-unknown-unknown")) {
        run(&root, "rustup", &["target", "add", "wasm32-unknown-unknown"], &[])?;
    }
    // The widget rebuilds the standard library for its size (see build.rs).
    if !output("rustup", &["component", "list", "--installed"]).is_some_and(|t| t.contains("rust-src")) {
        run(&root, "rustup", &["component", "add", "rust-src"], &[])?;
    }

    let wb = cargo_bin("worker-build");
    if !output(&wb, &["--version"]).is_some_and(|v| v.contains(WORKER_BUILD)) {
        run(&root, "cargo", &["install", "--quiet", "worker-build", "--version", WORKER_BUILD, "--locked"], &[])?;
    }

    // wasm-bindgen's CLI must match the library version in Cargo.lock
    // exactly. Its own lockfile names a crate version the registry lacks,
    // so it is installed without --locked.
    let bindgen = locked_version("wasm-bindgen")?;
    if !output(cargo_bin("wasm-bindgen"), &["--version"]).is_some_and(|v| v.trim().ends_with(&bindgen)) {
        run(&root, "cargo", &["install", "--quiet", "wasm-bindgen-cli", "--version", &bindgen], &[])?;
    }

    // npm ci when node_modules is missing or older than the lockfile.
    let lock = root.join("package-lock.json");
    let installed = root.join("node_modules/.package-lock.json");
    let stale = match (
        std::fs::metadata(&lock).and_then(|m| m.modified()),
        std::fs::metadata(&installed).and_then(|m| m.modified()),
    ) {
        (Ok(l), Ok(i)) => l > i || !node_bin("wrangler").exists(),
        _ => true,
    };
    if stale {
        run(&root, "npm", &["ci", "--no-audit", "--no-fund"], &[])?;
    }

    if browser
        && !(std::path::Path::new("/usr/bin/chromium").exists()
            && std::path::Path::new("/usr/bin/chromedriver").exists())
    {
        let root_user = output("id", &["-u"]).is_some_and(|u| u.trim() == "0");
        let apt: Vec<&str> = if root_user { vec![] } else { vec!["sudo", "-n"] };
        let (prog, pre) = match apt.split_first() {
            Some((p, rest)) => (*p, rest.to_vec()),
            None => ("apt-get", vec![]),
        };
        let with = |args: &[&str]| -> Vec<String> {
            let mut v: Vec<String> = pre.iter().map(|s| s.to_string()).collect();
            if prog != "apt-get" {
                v.push("apt-get".into());
            }
            v.extend(args.iter().map(|s| s.to_string()));
            v
        };
        let update = with(&["update", "-qq"]);
        let install =
            with(&["install", "-y", "-qq", "--no-install-recommends", "chromium", "chromium-driver", "brotli"]);
        let env = [("DEBIAN_FRONTEND", "noninteractive")];
        run(&root, prog, &update.iter().map(String::as_str).collect::<Vec<_>>(), &env)?;
        run(&root, prog, &install.iter().map(String::as_str).collect::<Vec<_>>(), &env)?;
        if !std::path::Path::new("/usr/bin/chromium").exists() {
            bail!("chromium did not install");
        }
    }
    Ok(())
}
