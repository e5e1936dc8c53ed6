//! The API contract test: schemathesis generates requests from
//! `edge/openapi.json` (valid ones, and invalid ones that must be refused)
//! and sends them to a fresh local edge. It fails on any 5xx, any status or
//! response body the document does not describe, invalid input that is
//! accepted, a secured request that succeeds without its token or with a
//! wrong one, and a wrong answer to an undocumented method.

use crate::cmd::{root, run};
use crate::setup;
use anyhow::{Result, anyhow, bail};
use deflect_tests::{Client, admin};
use serde_json::json;

/// The checks run; `ignored_auth` sends secured requests without the token
/// and with a wrong one. `positive_data_acceptance` is left out because the
/// document cannot say which site ids exist.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
response_headers_conformance,response_schema_conformance,negative_data_rejection,\
missing_required_header,unsupported_method,allow_header_conformance,use_after_free,\
ensure_resource_availability,ignored_auth";

/// Generated requests per operation and phase, and the seed that makes the
/// generated data the same on every run.
const EXAMPLES: &str = "30";
const SEED: &str = "1";

/// Runs the contract test against the edge at `url` (seeded, and given to
/// this test alone: it raises the rate limits and writes freely).
pub(crate) fn check(url: &str) -> Result<()> {
    let schemathesis = setup::contract_tools()?;
    let a = admin(url);
    let token = api_token(&a)?;
    raise_rate_limits(&a)?;
    let spec = format!("{url}/openapi.json");
    let config = root().join("tests/contract/schemathesis.toml");
    let config = config.to_string_lossy();
    let report = root().join("target/contract-report");
    let _ = std::fs::remove_dir_all(&report);
    let report = report.to_string_lossy();
    let args = [
        "--config-file",
        &config,
        "run",
        &spec,
        "--url",
        url,
        "--checks",
        CHECKS,
        "--max-examples",
        EXAMPLES,
        "--seed",
        SEED,
        "--workers",
        "1",
        "--report",
        "junit",
        "--report-dir",
        &report,
    ];
    // Its cache of past failures goes under target/, not into the checkout.
    run(&root().join("target"), &schemathesis, &args, &[("DEFLECT_CONTRACT_TOKEN", &token)])
        .map_err(|e| anyhow!("the API does not keep to edge/openapi.json ({e}); the report is in {report}"))
}

/// A bearer token for the seeded admin.
fn api_token(a: &Client) -> Result<String> {
    let r = a.json("POST", "/v1/admin/tokens", &json!({ "name": "contract test" }));
    match r.json()["token"].as_str() {
        Some(t) if r.status == 201 => Ok(t.to_string()),
        _ => bail!("creating an API token failed ({}): {}", r.status, r.text),
    }
}

/// Lifts the public rate limits to their maximum, so the generated
/// requests reach the handlers instead of a 429.
fn raise_rate_limits(a: &Client) -> Result<()> {
    let mut settings = a.get("/v1/admin/settings").json();
    settings["rate_limits"] = json!({ "tickets": 100_000, "events": 100_000, "reads": 100_000, "logins": 1000 });
    let r = a.json("PUT", "/v1/admin/settings", &settings);
    if r.status != 200 {
        bail!("raising the rate limits failed ({}): {}", r.status, r.text);
    }
    Ok(())
}
