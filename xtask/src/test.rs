//! `cargo xtask test`: every check and test, from a fresh machine.
//!
//! 1. installs what is missing (`setup`);
//! 2. rustfmt, and clippy with warnings as errors, native and wasm32;
//! 3. unit, property and doc tests;
//! 4. release builds of the widget, dashboard and edge;
//! 5. starts a fresh local edge and runs the HTTP tests (`tests/`) and the
//!    browser tests (`tests/browser/`, headless Chromium) against it, then
//!    stops it;
//! 6. a matching-quality floor on the public datasets.

use crate::cmd::{node_bin, root, run};
use crate::{build, eval, setup};
use anyhow::{Result, anyhow, bail};
use deflect_tests::{LocalEdge, seed};

/// The port of the shared test edge and of the foreign "host" site.
pub(crate) const TEST_PORT: u16 = 8790;
pub(crate) const HOST_PORT: u16 = 8791;

/// Top-1 floors (percent) that guard matching quality against regressions;
/// the measured figures are in BENCHMARKS.md.
const FLOORS: [(&str, f64); 3] = [("banking77", 68.0), ("clinc150", 67.0), ("smp2017", 72.0)];

pub(crate) fn test(args: &[String]) -> Result<()> {
    let quick = args.iter().any(|a| a == "--no-build");
    let root = root();
    setup::setup(true)?;
    run(&root, "cargo", &["fmt", "--all", "--", "--check"], &[])?;
    run(
        &root,
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--exclude",
            "deflect-widget",
            "--exclude",
            "deflect-dashboard",
            "--exclude",
            "deflect-edge",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    run(
        &root,
        "cargo",
        &[
            "clippy",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "deflect-widget",
            "-p",
            "deflect-dashboard",
            "-p",
            "deflect-edge",
            "-p",
            "deflect-shared",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    run(&root, "cargo", &["test", "-p", "deflect-shared", "-p", "xtask"], &[])?;
    if !quick {
        build::all()?;
    }

    let persist = root.join("target/e2e-state");
    let _ = std::fs::remove_dir_all(&persist);
    let host_origin = format!("http://127.0.0.1:{HOST_PORT}");
    let edge = LocalEdge::start(TEST_PORT, &persist).map_err(|e| anyhow!(e))?;
    seed(&edge.url, std::slice::from_ref(&host_origin)).map_err(|e| anyhow!(e))?;
    let env = [
        ("DEFLECT_URL", edge.url.as_str()),
        ("DEFLECT_PERSIST", &*persist.to_string_lossy()),
        ("DEFLECT_HOST_ORIGIN", host_origin.as_str()),
    ];
    let http = run(&root, "cargo", &["test", "-p", "deflect-tests", "--", "--test-threads=4"], &env);
    let browser = http.as_ref().map_err(|_| ()).and_then(|_| {
        run(&root, "node", &["--test", "--test-concurrency=1", "tests/browser/"], &env).map_err(|e| {
            eprintln!("{e}");
        })
    });
    drop(edge);
    http?;
    if browser.is_err() {
        bail!("the browser tests failed");
    }
    let _ = node_bin("wrangler");

    if eval::eval_dir().exists() {
        for (name, floor) in FLOORS {
            let (r, _) = eval::eval_dataset(name)?;
            eprintln!("matching quality {name}: top-1 {:.1}% (floor {floor}%)", r.top1_pct());
            if r.top1_pct() < floor {
                bail!("{name} top-1 fell to {:.1}%, below the floor of {floor}%", r.top1_pct());
            }
        }
    } else {
        eprintln!("note: {} is missing, so the matching-quality floor was not checked", eval::eval_dir().display());
    }
    eprintln!("\nall checks and tests passed");
    Ok(())
}
