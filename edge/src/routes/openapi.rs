//! The OpenAPI document of the public, agent and admin API.

use crate::error::AppResult;
use worker::Response;

const DOCUMENT: &str = include_str!("../../openapi.json");

pub(super) fn document() -> AppResult<Response> {
    let mut r = Response::ok(DOCUMENT)?;
    r.headers_mut().set("content-type", "application/json; charset=utf-8")?;
    r.headers_mut().set("cache-control", "public, max-age=300")?;
    Ok(r)
}
