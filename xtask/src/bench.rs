//! `cargo xtask bench [quality|matcher|widget|dashboard|edge]...`: runs the
//! benchmarks and writes their results, with the command and the machine,
//! into BENCHMARKS.md (each between its `<!-- bench:NAME -->` markers).
//! Nothing here asserts on time.

use crate::cmd::{cargo_bin, output, root, run};
use crate::{build, eval, load, setup};
use anyhow::{Context, Result, anyhow, bail};
use deflect_tests::{LocalEdge, seed};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const PARTS: [&str; 5] = ["quality", "matcher", "widget", "dashboard", "edge"];
/// The port of the edge the widget benchmark loads pages from.
const WIDGET_PORT: u16 = 8796;
/// The port of the edge the dashboard benchmark loads pages from.
const DASHBOARD_PORT: u16 = 8797;

pub(crate) fn run_bench(args: &[String]) -> Result<()> {
    let parts: Vec<&str> = if args.is_empty() { PARTS.to_vec() } else { args.iter().map(String::as_str).collect() };
    if let Some(p) = parts.iter().find(|p| !PARTS.contains(p)) {
        bail!("unknown benchmark {p}; use {}", PARTS.join(", "));
    }
    setup::setup(parts.iter().any(|p| ["widget", "dashboard"].contains(p)))?;
    let machine = machine();
    for part in parts {
        let body = match part {
            "quality" => quality()?,
            "matcher" => matcher()?,
            "widget" => widget()?,
            "dashboard" => dashboard()?,
            _ => edge()?,
        };
        write_section(part, &format!("{body}\n{machine}"))?;
        eprintln!("BENCHMARKS.md: {part} updated");
    }
    Ok(())
}

/// One line about the machine and tools.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().and_then(|l| l.split_whitespace().nth(1)).and_then(|k| k.parse::<u64>().ok()))
        .map_or(String::new(), |kb| format!(", {} GiB", kb / 1024 / 1024));
    let version =
        |p: &str, a: &str| output(p, &[a]).map(|v| v.trim().to_string()).unwrap_or_else(|| format!("{p}: none"));
    let date = output("date", &["-u", "+%Y-%m-%d"]).unwrap_or_default();
    format!(
        "\n*Machine: {cpu}, {cores} cores{mem}; {}; {}; node {}; {}. Measured {}.*\n",
        version("uname", "-sr"),
        version("rustc", "--version"),
        version("node", "--version"),
        version("chromium", "--version"),
        date.trim()
    )
}

/// Replaces the text between the markers of `name` in BENCHMARKS.md.
fn write_section(name: &str, body: &str) -> Result<()> {
    let path = root().join("BENCHMARKS.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n".into());
    let (open, close) = (format!("<!-- bench:{name} -->"), format!("<!-- /bench:{name} -->"));
    let block = format!("{open}\n{body}\n{close}");
    let new = match (text.find(&open), text.find(&close)) {
        (Some(a), Some(b)) if b > a => format!("{}{block}{}", &text[..a], &text[b + close.len()..]),
        _ => format!("{}\n{block}\n", text.trim_end()),
    };
    std::fs::write(&path, new).context("writing BENCHMARKS.md")
}

fn quality() -> Result<String> {
    Ok(format!(
        "Command: `cargo xtask eval` (the same figures). Each dataset's KB is indexed as the widget receives \
         it (built, encoded, decoded); the out-of-scope threshold is the one confidence on the dev set that \
         maximises overall accuracy.\n\n{}",
        eval::table(&[])?
    ))
}

/// Median of a criterion benchmark, in nanoseconds.
fn criterion_median(id: &str) -> Result<f64> {
    let path = root().join("target/criterion").join(id).join("new/estimates.json");
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?)?;
    v["median"]["point_estimate"].as_f64().ok_or_else(|| anyhow!("no median in {}", path.display()))
}

fn human(ns: f64) -> String {
    match ns {
        n if n >= 1e9 => format!("{:.2} s", n / 1e9),
        n if n >= 1e6 => format!("{:.2} ms", n / 1e6),
        n if n >= 1e3 => format!("{:.1} µs", n / 1e3),
        n => format!("{n:.0} ns"),
    }
}

/// Builds the matcher's wasm (deflect-bench-matcher) at an opt-level and
/// returns its wasm-bindgen glue.
fn bench_wasm(opt_level: &str) -> Result<PathBuf> {
    let root = root();
    let target = format!("target/bench-o{opt_level}");
    run(
        &root,
        "cargo",
        &[
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "deflect-bench-matcher",
            "--target-dir",
            &target,
        ],
        &[("CARGO_PROFILE_RELEASE_OPT_LEVEL", opt_level)],
    )?;
    let out = root.join(&target).join("glue");
    run(
        &root,
        cargo_bin("wasm-bindgen"),
        &[
            "--target",
            "web",
            "--no-typescript",
            "--out-dir",
            &out.to_string_lossy(),
            &format!("{target}/wasm32-unknown-unknown/release/deflect_bench_matcher.wasm"),
        ],
        &[],
    )?;
    Ok(out.join("deflect_bench_matcher.js"))
}

/// Runs a node script and parses each line of its output as JSON.
fn node_json(args: &[&str], env: &[(&str, &str)]) -> Result<Vec<Value>> {
    eprintln!("$ node {}", args.join(" "));
    let out = Command::new("node")
        .args(args)
        .current_dir(root())
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        bail!("node {} failed", args.join(" "));
    }
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).map_err(Into::into)).collect()
}

fn matcher() -> Result<String> {
    let root = root();
    run(
        &root,
        "cargo",
        &["bench", "-p", "deflect-shared", "--bench", "kb", "--", "--warm-up-time", "1", "--measurement-time", "3"],
        &[],
    )?;
    let mut out = String::from(
        "### Native (criterion)\n\nCommand: `cargo bench -p deflect-shared --bench kb` (synthetic help-centre corpus \
         from `shared/benches/kb/corpus.rs`; medians).\n\n\
         | articles | build index | decode index | query | query while typing |\n|---|---|---|---|---|\n",
    );
    for n in [100, 5000] {
        out.push_str(&format!(
            "| {n} | {} | {} | {} | {} |\n",
            human(criterion_median(&format!("kb_build/{n}"))?),
            human(criterion_median(&format!("kb_decode/{n}"))?),
            human(criterion_median(&format!("kb_query/{n}"))?),
            human(criterion_median(&format!("kb_query/keystroke/{n}"))?),
        ));
    }
    let eval_dir = eval::eval_dir();
    if !eval_dir.exists() {
        out.push_str(&format!("\n(The side-by-side run needs {}.)\n", eval_dir.display()));
        return Ok(out);
    }
    out.push_str(
        "\n### Side by side with MiniSearch in node\n\nCommand: `cargo xtask bench matcher` runs \
         `node bench/matcher.mjs`, which times the matcher's wasm build and MiniSearch 7.2 (default BM25 over \
         title and body) in one node process on the same KB and the same dev questions (5 timed passes after a \
         warm-up). `z` is the widget's build (`opt-level = \"z\"`), `3` the edge's (`opt-level = 3`). \
         Ratio = MiniSearch ÷ Deflect (above 1: Deflect is faster).\n\n\
         | dataset | engine | top-1 | top-3 | build | index bytes | query median | query mean | query p99 | median ratio |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    let dir = eval_dir.to_string_lossy().into_owned();
    let mut rows: Vec<(String, Vec<Value>)> = Vec::new();
    for level in ["z", "3"] {
        let glue = bench_wasm(level)?;
        rows.push((level.to_string(), node_json(&["bench/matcher.mjs", &dir, &glue.to_string_lossy()], &[])?));
    }
    let pct = |v: &Value| format!("{:.1}%", v.as_f64().unwrap_or(0.0) * 100.0);
    let us = |v: &Value| format!("{:.0} µs", v.as_f64().unwrap_or(0.0));
    for (i, d) in rows[0].1.iter().enumerate() {
        let name = d["dataset"].as_str().unwrap_or("?");
        let mini = &d["minisearch"];
        for (level, runs) in &rows {
            let me = &runs[i]["deflect"];
            let ratio = mini["median_us"].as_f64().unwrap_or(0.0) / me["median_us"].as_f64().unwrap_or(1.0);
            out.push_str(&format!(
                "| {name} ({} articles, {} questions) | Deflect wasm ({level}) | {} | {} | {:.0} ms | {} | {} | {} | {} | {ratio:.2}× |\n",
                d["articles"], d["questions"], pct(&me["top1"]), pct(&me["top3"]), me["build_ms"].as_f64().unwrap_or(0.0),
                me["index_bytes"], us(&me["median_us"]), us(&me["mean_us"]), us(&me["p99_us"]),
            ));
        }
        out.push_str(&format!(
            "| | MiniSearch 7.2 | {} | {} | {:.0} ms | {} (JSON) | {} | {} | {} | 1.00× |\n",
            pct(&mini["top1"]),
            pct(&mini["top3"]),
            mini["build_ms"].as_f64().unwrap_or(0.0),
            mini["index_bytes"],
            us(&mini["median_us"]),
            us(&mini["mean_us"]),
            us(&mini["p99_us"]),
        ));
    }
    Ok(out)
}

/// Bytes in kilobytes, as the size tables give them.
fn kb(n: u64) -> String {
    format!("{:.1} KB", n as f64 / 1000.0)
}

/// A size table's row: a file's raw, gzip and brotli sizes as a bench
/// script printed them.
fn row(name: &str, x: &Value) -> String {
    let size = |k: &str| kb(x[k].as_u64().unwrap_or(0));
    format!("| {name} | {} | {} | {} |\n", size("raw"), size("gzip"), size("brotli"))
}

fn widget() -> Result<String> {
    let root = root();
    build::widget()?;
    build::edge()?;
    let eval_dir = eval::eval_dir();
    let glue = bench_wasm("z")?;
    let persist = root.join("target/bench-widget-state");
    let _ = std::fs::remove_dir_all(&persist);
    let edge = LocalEdge::start(WIDGET_PORT, &persist).map_err(|e| anyhow!(e))?;
    seed(&edge.url, &[]).map_err(|e| anyhow!(e))?;
    let result = node_json(
        &["bench/widget.mjs", &eval_dir.to_string_lossy(), &glue.to_string_lossy()],
        &[("DEFLECT_URL", &edge.url)],
    );
    drop(edge);
    let v = result?.into_iter().next().ok_or_else(|| anyhow!("bench/widget.mjs printed nothing"))?;
    let b = &v["bytes"];
    let sum = |k: &str| b["loader"][k].as_u64().unwrap_or(0) + b["wasm"][k].as_u64().unwrap_or(0);
    let i = &v["interactive_ms"];
    let st = &v["interactive_static_ms"];
    let k = &v["keystroke"];
    let f = |x: &Value| x.as_f64().unwrap_or(0.0);
    Ok(format!(
        "Command: `cargo xtask bench widget` (builds the widget and edge, starts a local edge, runs \
         `node bench/widget.mjs` in headless Chromium).\n\n\
         **Bytes** (budget: under 150 KB brotli for loader + wasm; Chatwoot's widget transfers about 170 KB, Crisp \
         about 130 KB):\n\n| file | raw | gzip -9 | brotli -q 11 |\n|---|---|---|---|\n{}{}| **loader + wasm** | {} | {} | **{}** |\n\n\
         **Page load to interactive** on the demo page, from navigation start to the widget's `deflect:ready` \
         (wasm compiled, instantiated, mounted), a fresh browser context each run (budget: 150 ms):\n\n\
         | served by | runs | median | p90 | best |\n|---|---|---|---|---|\n\
         | the local edge (`wrangler dev`: a node proxy before workerd, gzip on every request) | {} | **{:.0} ms** | {:.0} ms | {:.0} ms |\n\
         | a plain local static server with brotli, as Cloudflare's CDN serves the assets | {} | **{:.0} ms** | {:.0} ms | {:.0} ms |\n\n\
         **Per keystroke** with the 77-article banking77 KB ({} bytes as shipped): every prefix of the {} dev \
         questions typed one character at a time, {} searches in Chromium, cross-origin isolated = {}: \
         median **{:.0} µs**, p90 {:.0} µs, p99 {:.0} µs, max {:.0} µs. Building that index in the browser takes \
         {:.0} ms; decoding it (what the widget does) {:.1} ms.\n",
        row("loader `widget.js`", &b["loader"]),
        row("`deflect_widget-….wasm`", &b["wasm"]),
        kb(sum("raw")),
        kb(sum("gzip")),
        kb(sum("brotli")),
        i["runs"],
        f(&i["median"]),
        f(&i["p90"]),
        f(&i["min"]),
        st["runs"],
        f(&st["median"]),
        f(&st["p90"]),
        f(&st["min"]),
        k["index_bytes"],
        1519,
        k["keystrokes"],
        k["isolated"],
        f(&k["median_us"]),
        f(&k["p90_us"]),
        f(&k["p99_us"]),
        f(&k["max_us"]),
        f(&k["build_ms"]),
        f(&k["decode_ms"]),
    ))
}

fn dashboard() -> Result<String> {
    let root = root();
    build::dashboard()?;
    build::edge()?;
    let persist = root.join("target/bench-dashboard-state");
    let _ = std::fs::remove_dir_all(&persist);
    let edge = LocalEdge::start(DASHBOARD_PORT, &persist).map_err(|e| anyhow!(e))?;
    seed(&edge.url, &[]).map_err(|e| anyhow!(e))?;
    let result = node_json(&["bench/dashboard.mjs"], &[("DEFLECT_URL", &edge.url)]);
    drop(edge);
    let v = result?.into_iter().next().ok_or_else(|| anyhow!("bench/dashboard.mjs printed nothing"))?;
    let b = &v["bytes"];
    let n = |x: &Value, k: &str| x[k].as_u64().unwrap_or(0);
    let parts = ["page", "style", "scripts", "wasm"];
    let sum = |k: &str| parts.iter().map(|p| n(&b[*p], k)).sum::<u64>();
    let f = |x: &Value| x.as_f64().unwrap_or(0.0);
    let times = |what: &str, x: &Value| {
        format!(
            "| {what} | {} | **{:.0} ms** | {:.0} ms | {:.0} ms |\n",
            x["runs"],
            f(&x["median"]),
            f(&x["p90"]),
            f(&x["min"])
        )
    };
    Ok(format!(
        "Command: `cargo xtask bench dashboard` (builds the dashboard and edge, starts a local edge, runs \
         `node bench/dashboard.mjs` in headless Chromium).\n\n\
         **Bytes** of what an agent's browser loads (no budget: agents load it once a day, and it caches):\n\n\
         | file | raw | gzip -9 | brotli -q 11 |\n|---|---|---|---|\n{}{}{}{}| **all** | {} | {} | **{}** |\n\n\
         **Navigation start to drawn**, through the local edge (`wrangler dev`, gzip), a fresh browser context \
         each run, so nothing is cached but, for a logged-in agent, the session cookie; {} tickets wait in the \
         queue:\n\n\
         | page | runs | median | p90 | best |\n|---|---|---|---|---|\n{}{}{}",
        row("`index.html`", &b["page"]),
        row("`dashboard.css`", &b["style"]),
        row("`boot.js` + glue", &b["scripts"]),
        row("`deflect_dashboard-….wasm`", &b["wasm"]),
        kb(sum("raw")),
        kb(sum("gzip")),
        kb(sum("brotli")),
        v["tickets"],
        times("the login form", &v["login"]),
        times("the queue's first rows (logged in)", &v["queue"]),
        times("a ticket's thread (logged in)", &v["ticket"]),
    ))
}

fn edge() -> Result<String> {
    build::edge()?;
    let r = load::load(5_000, 50)?;
    let other = if r.other.is_empty() {
        "none".to_string()
    } else {
        r.other.iter().map(|(s, n)| format!("{n}× {s}")).collect::<Vec<_>>().join(", ")
    };
    let per = |s: f64| s * 1000.0 / r.requests as f64;
    Ok(format!(
        "Command: `cargo xtask load` (the same run; `--requests N --clients N` to change it). A fresh local edge \
         (workerd through `wrangler dev`, local D1 and KV) on 127.0.0.1; {} clients create {} tickets, each with \
         its own idempotency key, then D1 is read back.\n\n\
         | requests | clients | throughput | latency p50 | latency p99 | 201 | other statuses | in D1 | missing | keys twice | workerd CPU per request | wrangler (node) CPU per request |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|\n\
         | {} | {} | {:.0} /s | {:.1} ms | {:.1} ms | {} | {} | {} | {} | {} | {:.2} ms | {:.2} ms |\n\n\
         CPU is the user + system time of the edge's processes during the run (from `/proc`); the workerd \
         figure includes the local D1 (SQLite) and KV, which on Cloudflare run elsewhere. The client threads \
         share the same 2 cores.\n",
        r.clients,
        r.requests,
        r.requests,
        r.clients,
        r.throughput(),
        r.p50_ms,
        r.p99_ms,
        r.created,
        other,
        r.in_d1,
        r.missing,
        r.duplicated_keys,
        per(r.workerd_cpu_s),
        per(r.wrangler_cpu_s),
    ))
}
