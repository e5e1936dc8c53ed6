//! `cargo xtask test`: every check and test, from a fresh machine.
//!
//! 1. installs what is missing (`setup`);
//! 2. rustfmt, and clippy with warnings as errors, native and wasm32;
//! 3. unit, property and doc tests;
//! 4. release builds of the widget, dashboard and edge, and the bundle
//!    `wrangler deploy` would upload, checked against Cloudflare's limits;
//! 5. starts fresh local edges and runs the HTTP tests (`tests/http/`),
//!    the browser tests (`tests/browser/`, headless Chromium) and the API
//!    contract test (`contract`, schemathesis) against them, then stops
//!    them and checks that no request got a 5xx;
//! 6. a matching-quality floor on the public datasets.

use crate::cmd::{root, run};
use crate::{build, contract, deploy, eval, setup};
use anyhow::{Result, anyhow, bail};
use deflect_tests::{ADMIN_EMAIL, LocalEdge, seed, wrangler_log};
use std::path::Path;

/// The port of the edge for the HTTP and widget tests.
const TEST_PORT: u16 = 8790;
/// The port of the foreign "host" site the browser tests serve.
const HOST_PORT: u16 = 8791;
/// The port of the fresh edge for the dashboard tests.
const DASH_PORT: u16 = 8792;
/// The port of the fresh edge for the API contract test.
const CONTRACT_PORT: u16 = 8795;

/// Top-1 floors (percent) that guard matching quality against regressions;
/// the measured figures are in BENCHMARKS.md.
const FLOORS: [(&str, f64); 3] = [("banking77", 70.0), ("clinc150", 69.0), ("smp2017", 73.0)];

pub(crate) fn test(args: &[String]) -> Result<()> {
    if let Some(bad) = args.iter().find(|a| *a != "--no-build") {
        bail!("unknown option {bad}; usage: cargo xtask test [--no-build]");
    }
    let quick = !args.is_empty();
    let root = root();
    setup::setup(true)?;
    run(&root, "cargo", &["fmt", "--all", "--", "--check"], &[])?;
    let native = ["--exclude", "deflect-widget", "--exclude", "deflect-dashboard", "--exclude", "deflect-edge"];
    let mut clippy = vec!["clippy", "--workspace"];
    clippy.extend(native);
    clippy.extend(["--all-targets", "--", "-D", "warnings"]);
    run(&root, "cargo", &clippy, &[])?;
    let wasm = [
        "-p",
        "deflect-widget",
        "-p",
        "deflect-dashboard",
        "-p",
        "deflect-edge",
        "-p",
        "deflect-shared",
        "-p",
        "deflect-bench-matcher",
    ];
    let mut clippy = vec!["clippy", "--target", "wasm32-unknown-unknown"];
    clippy.extend(wasm);
    clippy.extend(["--", "-D", "warnings"]);
    run(&root, "cargo", &clippy, &[])?;
    run(&root, "cargo", &["test", "-p", "deflect-shared", "-p", "xtask"], &[])?;
    if !quick {
        build::all()?;
    }
    deploy::dry_run()?;
    run_command_works()?;

    let host_origin = format!("http://127.0.0.1:{HOST_PORT}");
    let edge = fresh_edge(TEST_PORT, &root.join("target/e2e-state"), &host_origin)?;
    let dash = fresh_edge(DASH_PORT, &root.join("target/e2e-dash"), &host_origin)?;
    let env = [
        ("DEFLECT_URL", edge.url.clone()),
        ("DEFLECT_PERSIST", edge.persist.to_string_lossy().into_owned()),
        ("DEFLECT_HOST_ORIGIN", host_origin.clone()),
        ("DEFLECT_DASH_URL", dash.url.clone()),
        ("DEFLECT_DASH_PERSIST", dash.persist.to_string_lossy().into_owned()),
    ];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let http = run(&root, "cargo", &["test", "-p", "deflect-tests", "--", "--test-threads=4"], &env);
    let browser = run(&root, "node", &["--test", "--test-concurrency=1", "tests/browser/"], &env);
    let mut logs = vec![edge.log.clone(), dash.log.clone()];
    drop(dash);
    let api = fresh_edge(CONTRACT_PORT, &root.join("target/e2e-contract"), &host_origin)?;
    let contract = contract::check(&api.url);
    logs.push(api.log.clone());
    // The edges the HTTP tests start themselves (restart, retrain, policy) log
    // beside their data.
    for (dir, port) in [("target/e2e-restart", 8793), ("target/e2e-retrain", 8794), ("target/e2e-policy", 8796)] {
        logs.push(root.join(dir).join(format!("wrangler-{port}.log")));
    }
    drop(edge);
    drop(api);
    http.map_err(|e| anyhow!("the HTTP tests failed: {e}"))?;
    browser.map_err(|e| anyhow!("the browser tests failed: {e}"))?;
    contract?;
    for log in logs.iter().filter(|l| l.exists()) {
        let failures = server_errors(log)?;
        if !failures.is_empty() {
            bail!("requests got a server error (see {}):\n{}", log.display(), failures.join("\n"));
        }
    }

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

/// The port `cargo xtask run` is tried on.
const RUN_PORT: u16 = 8798;

/// Runs the README's run command (`cargo xtask run`, without building
/// again) twice as a user would: each time it waits for the URLs it prints,
/// checks that they answer, then stops it with its whole process group. The
/// second run must keep the data of the first instead of seeding again.
fn run_command_works() -> Result<()> {
    run_once(false)?;
    run_once(true)
}

fn run_once(again: bool) -> Result<()> {
    let root = root();
    let log_path = root.join(if again { "target/run-command-again.log" } else { "target/run-command.log" });
    let log = std::fs::File::create(&log_path)?;
    let mut child = std::process::Command::new("setsid")
        .args(["cargo", "xtask", "run", "--no-build", "--port", &RUN_PORT.to_string()])
        .current_dir(&root)
        .stdin(std::process::Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()?;
    let stop = |child: &mut std::process::Child| {
        let _ = std::process::Command::new("kill").args(["-TERM", "--", &format!("-{}", child.id())]).status();
        let _ = child.wait();
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(180);
    let printed = loop {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        if text.contains("Press Ctrl-C to stop") {
            break text;
        }
        if std::time::Instant::now() > deadline || child.try_wait()?.is_some() {
            stop(&mut child);
            bail!("`cargo xtask run` did not start (see {}):\n{text}", log_path.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    };
    let base = format!("http://127.0.0.1:{RUN_PORT}");
    let client = deflect_tests::Client::new(&base);
    let checks = ["/demo/", "/help/demo", "/dashboard/", "/openapi.json", "/v1/kb/index?site=demo"];
    let mut failed: Vec<String> = checks
        .iter()
        .filter(|path| {
            !printed.contains(&format!("{base}{}", path.split('?').next().unwrap_or(""))) && !path.contains('?')
        })
        .map(|p| format!("{p} is not among the printed URLs"))
        .chain(checks.iter().filter_map(|path| {
            let r = client.get(path);
            (r.status != 200).then(|| format!("{path} answered {}", r.status))
        }))
        .collect();
    if again && !printed.contains("The data of earlier runs is kept") {
        failed.push("the second run did not say it kept the first run's data".into());
    }
    if !again {
        // The demo desk can send mail, and the command shows what it sent:
        // here the admin's password-reset link.
        let r = client.json("POST", "/v1/auth/password-reset", &serde_json::json!({ "email": ADMIN_EMAIL }));
        if r.status != 202 {
            failed.push(format!("asking for a password-reset link answered {}: {}", r.status, r.text));
        }
        let wanted = [format!("mail to {ADMIN_EMAIL}: \"Set a new password"), format!("{base}/dashboard/#/reset/")];
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            if wanted.iter().all(|w| text.contains(w.as_str())) {
                break;
            }
            if std::time::Instant::now() > deadline {
                failed.push(format!("the password-reset mail was not shown (wanted {wanted:?})"));
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
    }
    stop(&mut child);
    if !failed.is_empty() {
        bail!("`cargo xtask run` started but: {}", failed.join("; "));
    }
    // Stopping it stops its edge too: the port is free again.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", RUN_PORT)).is_ok() {
        if std::time::Instant::now() > deadline {
            bail!("`cargo xtask run` was stopped but its edge still answers on port {RUN_PORT}");
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    eprintln!("`cargo xtask run` printed its URLs and they answer");
    Ok(())
}

/// Starts an edge on empty D1 and KV and seeds the demo site.
fn fresh_edge(port: u16, persist: &Path, host_origin: &str) -> Result<LocalEdge> {
    let _ = std::fs::remove_dir_all(persist);
    let edge = LocalEdge::start(port, persist).map_err(|e| anyhow!(e))?;
    seed(&edge.url, &[host_origin.to_string()]).map_err(|e| anyhow!(e))?;
    Ok(edge)
}

/// Request lines of a wrangler log that answered 5xx.
fn server_errors(log: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(log)?;
    Ok(text
        .lines()
        .map(wrangler_log::plain)
        .filter(|l| wrangler_log::request_status(l).is_some_and(|s| s >= 500))
        .collect())
}
