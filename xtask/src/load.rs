//! `cargo xtask load`: ticket creations against a fresh local edge on
//! 127.0.0.1 from concurrent clients, then a check that every 201 is in D1
//! exactly once. Bounded in count and in time.

use crate::cmd::root;
use anyhow::{Result, anyhow, bail};
use deflect_tests::{Client, LocalEdge, admin, seed};
use serde_json::json;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// The port of the load-test edge.
const PORT: u16 = 8797;
/// The whole run stops after this, whatever is left.
const DEADLINE: Duration = Duration::from_secs(600);

/// What a load run measured.
pub(crate) struct LoadReport {
    pub(crate) requests: usize,
    pub(crate) clients: usize,
    pub(crate) created: usize,
    pub(crate) other: Vec<(u16, usize)>,
    pub(crate) seconds: f64,
    pub(crate) p50_ms: f64,
    pub(crate) p99_ms: f64,
    pub(crate) in_d1: usize,
    pub(crate) missing: usize,
    pub(crate) duplicated_keys: usize,
    /// CPU seconds of the edge's processes during the run: workerd (the
    /// runtime, with local D1 and KV) and wrangler's node process.
    pub(crate) workerd_cpu_s: f64,
    pub(crate) wrangler_cpu_s: f64,
}

impl LoadReport {
    pub(crate) fn throughput(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    /// True when every created ticket is in D1 once and nothing failed.
    pub(crate) fn consistent(&self) -> bool {
        self.missing == 0 && self.duplicated_keys == 0 && self.in_d1 == self.created && self.other.is_empty()
    }
}

pub(crate) fn run(args: &[String]) -> Result<()> {
    let mut requests = 5_000;
    let mut clients = 50;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().and_then(|v| v.parse::<usize>().ok()).ok_or_else(|| anyhow!("{a} needs a number"));
        match a.as_str() {
            "--requests" => requests = value()?.clamp(1, 50_000),
            "--clients" => clients = value()?.clamp(1, 200),
            other => bail!("unknown option {other}; usage: cargo xtask load [--requests N] [--clients N]"),
        }
    }
    let r = load(requests, clients)?;
    eprintln!(
        "{} requests from {} clients in {:.1} s: {:.0} requests/s, p50 {:.1} ms, p99 {:.1} ms; {} created, {} in D1, \
         {} missing, {} keys twice; workerd CPU {:.2} ms per request",
        r.requests,
        r.clients,
        r.seconds,
        r.throughput(),
        r.p50_ms,
        r.p99_ms,
        r.created,
        r.in_d1,
        r.missing,
        r.duplicated_keys,
        r.workerd_cpu_s * 1000.0 / r.requests as f64
    );
    if !r.consistent() {
        bail!("the load run lost, duplicated or refused tickets: other statuses {:?}", r.other);
    }
    Ok(())
}

/// Runs `requests` ticket creations from `clients` threads against a fresh
/// edge. The edge must be built.
pub(crate) fn load(requests: usize, clients: usize) -> Result<LoadReport> {
    let persist = root().join("target/load-state");
    let _ = std::fs::remove_dir_all(&persist);
    let edge = LocalEdge::start(PORT, &persist).map_err(|e| anyhow!(e))?;
    seed(&edge.url, &[]).map_err(|e| anyhow!(e))?;
    // One address sends everything here, so the per-client limit is lifted
    // for this edge.
    let a = admin(&edge.url);
    let mut settings = a.get("/v1/admin/settings").json();
    settings["rate_limits"]["tickets"] = json!(100_000);
    let r = a.json("PUT", "/v1/admin/settings", &settings);
    if r.status != 200 {
        bail!("raising the rate limit failed: {}", r.text);
    }

    let run = format!("load{}", std::process::id());
    let group = edge.pid().ok_or_else(|| anyhow!("the edge has no process"))?;
    let cpu_before = group_cpu(group);
    let started = Instant::now();
    let results: Vec<(u16, f64, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let (url, run) = (edge.url.clone(), run.clone());
                s.spawn(move || {
                    let client = Client::new(&url);
                    let mut out = Vec::new();
                    for i in (c..requests).step_by(clients) {
                        if started.elapsed() > DEADLINE {
                            break;
                        }
                        let key = format!("{run}-{i}");
                        let body = json!({
                            "site": "demo",
                            "customer": { "email": format!("load{}@example.com", i % 500) },
                            "message": format!("Load test ticket {key}: my invoice is wrong"),
                        })
                        .to_string();
                        let t = Instant::now();
                        let r = client.send(
                            "POST",
                            "/v1/tickets",
                            &[("idempotency-key", &key)],
                            Some(("application/json", body.as_bytes())),
                        );
                        let id = r.json()["ticket"]["id"].as_str().unwrap_or_default().to_string();
                        out.push((r.status, t.elapsed().as_secs_f64() * 1000.0, id));
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    let seconds = started.elapsed().as_secs_f64();
    let cpu_after = group_cpu(group);

    let mut latencies: Vec<f64> = results.iter().map(|r| r.1).collect();
    latencies.sort_by(f64::total_cmp);
    let at = |p: f64| latencies.get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)));
    let created: BTreeSet<String> = results.iter().filter(|r| r.0 == 201).map(|r| r.2.clone()).collect();
    let mut other: Vec<(u16, usize)> = Vec::new();
    for r in results.iter().filter(|r| r.0 != 201) {
        match other.iter_mut().find(|o| o.0 == r.0) {
            Some(o) => o.1 += 1,
            None => other.push((r.0, 1)),
        }
    }
    let rows = edge
        .d1(&format!("SELECT id, idempotency_key FROM tickets WHERE idempotency_key LIKE '{run}-%'"))
        .map_err(|e| anyhow!(e))?;
    let stored: BTreeSet<String> = rows.iter().filter_map(|r| r["id"].as_str().map(str::to_string)).collect();
    let keys: BTreeSet<&str> = rows.iter().filter_map(|r| r["idempotency_key"].as_str()).collect();
    Ok(LoadReport {
        requests: results.len(),
        clients,
        created: created.len(),
        other,
        seconds,
        p50_ms: at(0.5).copied().unwrap_or(0.0),
        p99_ms: at(0.99).copied().unwrap_or(0.0),
        in_d1: rows.len(),
        missing: created.difference(&stored).count(),
        duplicated_keys: rows.len() - keys.len(),
        workerd_cpu_s: cpu_after.0 - cpu_before.0,
        wrangler_cpu_s: cpu_after.1 - cpu_before.1,
    })
}

/// CPU seconds (user and system) used so far by the processes of a process
/// group: (workerd, everything else), from `/proc`.
fn group_cpu(group: u32) -> (f64, f64) {
    let mut totals = (0.0, 0.0);
    let Ok(dir) = std::fs::read_dir("/proc") else { return totals };
    for entry in dir.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // "pid (comm) state ppid pgrp …"; comm may hold spaces.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        let comm = &stat[open + 1..close];
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let (Some(pgrp), Some(utime), Some(stime)) = (fields.get(2), fields.get(11), fields.get(12)) else { continue };
        if pgrp.parse::<u32>().ok() != Some(group) {
            continue;
        }
        let ticks = utime.parse::<f64>().unwrap_or(0.0) + stime.parse::<f64>().unwrap_or(0.0);
        // Linux reports CPU time in clock ticks of 1/100 s.
        let seconds = ticks / 100.0;
        if comm.starts_with("workerd") {
            totals.0 += seconds;
        } else {
            totals.1 += seconds;
        }
    }
    totals
}
