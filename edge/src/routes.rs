//! The route table. Each route names its handler; handlers live in one
//! module per resource. Public routes get CORS and rate limits; agent and
//! admin routes get authentication and role checks inside their handlers.

mod admin;
mod agent_tickets;
mod auth;
mod contact;
mod customers;
mod events;
mod identity;
mod kb;
mod metrics;
mod openapi;
mod portal;
mod public_tickets;
pub(crate) mod ticket_page;
mod webhooks;

use crate::cors;
use crate::error::{AppError, AppResult};
use crate::http::{Req, secure};
use crate::state::App;
use crate::store::kv;
use deflect_shared::rate_limit;
use worker::{Method, Request, Response};

/// Rate-limit buckets of the public API.
#[derive(Clone, Copy)]
pub(crate) enum Bucket {
    Tickets,
    Events,
    Reads,
    Logins,
}

/// Counts the request against its bucket; 429 when over the limit.
pub(crate) async fn limit(app: &App, req: &Req, bucket: Bucket) -> AppResult<()> {
    limit_client(app, &req.client_ip(), bucket).await
}

/// Counts one more request of `client` (an address, or another name for
/// the sender) against its bucket; `RateLimited` when over the limit.
pub(crate) async fn limit_client(app: &App, client: &str, bucket: Bucket) -> AppResult<()> {
    let limits = app.settings().await?.rate_limits;
    let (name, max) = match bucket {
        Bucket::Tickets => ("tickets", limits.tickets),
        Bucket::Events => ("events", limits.events),
        Bucket::Reads => ("reads", limits.reads),
        Bucket::Logins => ("logins", limits.logins),
    };
    // KV takes about one write per second per key on Cloudflare's network;
    // a counter that cannot be written must not turn a good request into
    // an error, so the request goes through and the failure is logged.
    match kv::hit(&app.kv, name, client, app.now).await {
        Ok(c) if c.estimate(app.now) > u64::from(max) => {
            Err(AppError::RateLimited(rate_limit::retry_after_secs(c.previous, c.current, app.now, u64::from(max))))
        }
        Ok(_) => Ok(()),
        Err(e) => {
            worker::console_warn!("rate limit counter for {name} not updated: {e:?}");
            Ok(())
        }
    }
}

fn is_public(segments: &[&str]) -> bool {
    matches!(
        segments,
        ["v1", "tickets", ..]
            | ["v1", "unread" | "events" | "health"]
            | ["v1", "kb", "index"]
            | ["v1", "identity", "tickets"]
    )
}

/// Handles one request; every error becomes a JSON response.
pub(crate) async fn handle(app: &App, request: Request) -> worker::Result<Response> {
    let own_origin = request.url().map(|u| u.origin().ascii_serialization().to_ascii_lowercase()).unwrap_or_default();
    let mut req = match Req::new(request) {
        Ok(r) => r,
        Err(e) => return secure(e.response()?),
    };
    let segments: Vec<String> = req.segments.clone();
    let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
    let public = is_public(&segs);

    // CORS applies to the public API only.
    let origin = if public {
        match cors::check(app, &req, &own_origin).await {
            Ok(o) => o,
            Err(e) => return secure(e.response()?),
        }
    } else {
        None
    };
    let result = if public && req.method == Method::Options {
        match &origin {
            Some(o) => cors::preflight(o),
            None => Err(AppError::bad("not_preflight", "an OPTIONS request needs an Origin header")),
        }
    } else {
        route(app, &mut req, &segs).await
    };
    let resp = match result {
        Ok(r) => r,
        Err(e) => e.response()?,
    };
    let resp = if public { cors::allow(resp, origin.as_deref())? } else { resp };
    secure(resp)
}

async fn route(app: &App, req: &mut Req, segs: &[&str]) -> AppResult<Response> {
    use Method::{Delete, Get, Head, Patch, Post, Put};
    // HEAD is GET without the body (the runtime drops it).
    if !req.method_known {
        return Err(not_served(segs));
    }
    let m = match req.method.clone() {
        Head => Get,
        other => other,
    };
    match (m, segs) {
        (Get, ["v1", "health"]) => crate::http::json(200, &serde_json::json!({ "ok": true })),
        (Get, ["openapi.json"]) => openapi::document(),

        // Public: the widget and the help centre.
        (Get, ["v1", "kb", "index"]) => kb::index(app, req).await,
        (Post, ["v1", "tickets"]) => public_tickets::create(app, req).await,
        (Post, ["v1", "unread"]) => public_tickets::unread(app, req).await,
        (Post, ["v1", "identity", "tickets"]) => identity::own_tickets(app, req).await,
        (Get, ["v1", "tickets", id]) => public_tickets::get(app, req, id).await,
        (Post, ["v1", "tickets", id, "messages"]) => public_tickets::reply(app, req, id).await,
        (Post, ["v1", "tickets", id, "csat"]) => public_tickets::rate(app, req, id).await,
        (Post, ["v1", "tickets", id, "files"]) => public_tickets::send_file(app, req, id).await,
        (Post, ["v1", "events"]) => events::record(app, req).await,
        (Get, ["help"]) => portal::home(app, req, None).await,
        (Get, ["help", site]) => portal::home(app, req, Some(site)).await,
        (Get, ["help", site, "articles", id]) => portal::article(app, req, site, id).await,
        (Get, ["help", site, "contact"]) => contact::show(app, req, site).await,
        (Post, ["help", site, "contact"]) => contact::send(app, req, site).await,
        (Get, ["help", site, "tickets", id]) => ticket_page::show(app, req, site, id).await,
        (Post, ["help", site, "tickets", id]) => ticket_page::act(app, req, site, id).await,
        (Get, ["help", site, "tickets", id, "files", file]) => ticket_page::file(app, req, site, id, file).await,

        // Sessions.
        (Post, ["v1", "auth", "login"]) => auth::login(app, req).await,
        (Post, ["v1", "auth", "logout"]) => auth::logout(app, req).await,
        (Get, ["v1", "auth", "me"]) => auth::me(app, req).await,
        (Put, ["v1", "auth", "away"]) => auth::away(app, req).await,
        (Put, ["v1", "auth", "mail-alerts"]) => auth::mail_alerts(app, req).await,
        (Put, ["v1", "auth", "signature"]) => auth::signature(app, req).await,
        (Post, ["v1", "auth", "password"]) => auth::change_password(app, req).await,
        (Post, ["v1", "auth", "password-reset"]) => auth::ask_password_reset(app, req).await,
        (Post, ["v1", "auth", "password-reset", "confirm"]) => auth::reset_password(app, req).await,
        (Post, ["v1", "auth", "two-factor", "setup"]) => auth::two_factor_setup(app, req).await,
        (Post, ["v1", "auth", "two-factor", "confirm"]) => auth::two_factor_confirm(app, req).await,
        (Post, ["v1", "auth", "two-factor", "recovery-codes"]) => auth::two_factor_recovery_codes(app, req).await,
        (Post, ["v1", "auth", "two-factor", "disable"]) => auth::two_factor_disable(app, req).await,
        (Get, ["v1", "auth", "sessions"]) => auth::sessions(app, req).await,
        (Post, ["v1", "auth", "sessions", "end-others"]) => auth::end_other_sessions(app, req).await,
        (Delete, ["v1", "auth", "sessions", id]) => auth::end_session(app, req, id).await,

        // Agents.
        (Get, ["v1", "agent", "tickets"]) => agent_tickets::queue(app, req).await,
        (Post, ["v1", "agent", "tickets"]) => agent_tickets::log(app, req).await,
        (Get, ["v1", "agent", "tickets.csv"]) => metrics::csv(app, req).await,
        (Post, ["v1", "agent", "tickets", "bulk"]) => agent_tickets::bulk(app, req).await,
        // Not a ticket id: other methods get 405, not "no ticket bulk".
        (_, ["v1", "agent", "tickets", "bulk"]) => Err(not_served(segs)),
        (Get, ["v1", "agent", "tickets", id]) => agent_tickets::detail(app, req, id).await,
        (Get, ["v1", "agent", "tickets", id, "thread"]) => agent_tickets::thread(app, req, id).await,
        (Patch, ["v1", "agent", "tickets", id]) => agent_tickets::update(app, req, id).await,
        (Post, ["v1", "agent", "tickets", id, "messages"]) => agent_tickets::message(app, req, id).await,
        (Post, ["v1", "agent", "tickets", id, "messages", message, "send"]) => {
            agent_tickets::send_again(app, req, id, message).await
        }
        (Post, ["v1", "agent", "tickets", id, "attachments"]) => agent_tickets::upload(app, req, id).await,
        (Get, ["v1", "agent", "tickets", id, "attachments", file]) => {
            agent_tickets::attachment(app, req, id, file).await
        }
        (Post, ["v1", "agent", "tickets", id, "merge"]) => agent_tickets::merge(app, req, id).await,
        (Post, ["v1", "agent", "tickets", id, "spam"]) => agent_tickets::spam(app, req, id).await,
        (Put, ["v1", "agent", "tickets", id, "following"]) => agent_tickets::following(app, req, id).await,
        (Post, ["v1", "agent", "tickets", id, "presence"]) => agent_tickets::presence(app, req, id).await,
        (Get, ["v1", "agent", "customers"]) => customers::list(app, req).await,
        (Get, ["v1", "agent", "customers", id]) => customers::get(app, req, id).await,
        (Patch, ["v1", "agent", "customers", id]) => customers::update(app, req, id).await,
        (Get, ["v1", "agent", "agents"]) => admin::list_agents(app, req).await,
        (Get, ["v1", "agent", "saved-replies"]) => admin::saved_replies(app, req).await,
        (Get, ["v1", "agent", "articles"]) => kb::list(app, req).await,
        (Get, ["v1", "agent", "articles", id]) => kb::get(app, req, id).await,
        (Get, ["v1", "agent", "articles", id, "revisions"]) => kb::revisions(app, req, id).await,
        (Get, ["v1", "agent", "kb", "deleted"]) => kb::deleted(app, req).await,
        (Get, ["v1", "agent", "kb", "status"]) => kb::status(app, req).await,
        (Post, ["v1", "agent", "kb", "try"]) => kb::try_question(app, req).await,
        (Get, ["v1", "agent", "kb", "unanswered"]) => kb::unanswered(app, req).await,
        (Get, ["v1", "agent", "kb", "performance"]) => kb::performance(app, req).await,
        (Get, ["v1", "agent", "metrics"]) => metrics::get(app, req).await,

        // Admins.
        (Post, ["v1", "admin", "articles"]) => kb::create(app, req).await,
        (Post, ["v1", "admin", "articles", "import"]) => kb::import(app, req).await,
        (Put, ["v1", "admin", "articles", id]) => kb::replace(app, req, id).await,
        (Delete, ["v1", "admin", "articles", id]) => kb::delete(app, req, id).await,
        (Post, ["v1", "admin", "articles", id, "revisions", n, "restore"]) => kb::restore(app, req, id, n).await,
        (Post, ["v1", "admin", "kb", "publish"]) => kb::publish(app, req).await,
        (Get, ["v1", "admin", "kb", "export"]) => kb::export(app, req).await,
        (Put, ["v1", "admin", "kb", "categories"]) => kb::put_category_order(app, req).await,
        (Get, ["v1", "admin", "settings"]) => admin::get_settings(app, req).await,
        (Put, ["v1", "admin", "settings"]) => admin::put_settings(app, req).await,
        (Post, ["v1", "admin", "rules", "validate"]) => admin::validate_rules(app, req).await,
        (Get, ["v1", "admin", "agents"]) => admin::list_agents(app, req).await,
        (Post, ["v1", "admin", "agents"]) => admin::create_agent(app, req).await,
        (Patch, ["v1", "admin", "agents", id]) => admin::update_agent(app, req, id).await,
        (Post, ["v1", "admin", "agents", id, "invitation"]) => admin::invite_again(app, req, id).await,
        (Get, ["v1", "admin", "tokens"]) => admin::list_tokens(app, req).await,
        (Post, ["v1", "admin", "tokens"]) => admin::create_token(app, req).await,
        (Delete, ["v1", "admin", "tokens", id]) => admin::revoke_token(app, req, id).await,
        (Get, ["v1", "admin", "audit"]) => admin::audit(app, req).await,
        (Post, ["v1", "admin", "retrain"]) => admin::retrain(app, req).await,
        (Get, ["v1", "admin", "customers", id, "export"]) => customers::export(app, req, id).await,
        (Delete, ["v1", "admin", "customers", id]) => customers::erase(app, req, id).await,
        (Get, ["v1", "admin", "webhooks", "deliveries"]) => webhooks::list(app, req).await,
        (Post, ["v1", "admin", "webhooks", "deliveries", id, "send"]) => webhooks::send_again(app, req, id).await,
        (Post, ["v1", "admin", "webhooks", "test"]) => webhooks::test(app, req).await,
        (Get, ["v1", "admin", "webhooks", "secret"]) => webhooks::secret(app, req).await,
        (Post, ["v1", "admin", "webhooks", "secret"]) => webhooks::rotate(app, req).await,
        (Get, ["v1", "admin", "identity-secret"]) => identity::secret(app, req).await,
        (Post, ["v1", "admin", "identity-secret"]) => identity::rotate(app, req).await,

        (_, path) => Err(not_served(path)),
    }
}

/// The error for a request no route serves: 405 when the path is served
/// with other methods, else 404.
fn not_served(segs: &[&str]) -> AppError {
    match allowed(segs) {
        Some(methods) => AppError::MethodNotAllowed(methods),
        None => AppError::NotFound("there is nothing at this address".into()),
    }
}

/// The methods a path is served with, for the `Allow` header of a 405;
/// `None` when no method serves it (404). Public API paths add OPTIONS
/// (CORS preflight); every GET path also answers HEAD.
fn allowed(segs: &[&str]) -> Option<&'static str> {
    Some(match segs {
        ["openapi.json"] | ["help"] | ["help", _] | ["help", _, "articles", _] => "GET, HEAD",
        ["help", _, "tickets", _] | ["help", _, "contact"] => "GET, HEAD, POST",
        ["help", _, "tickets", _, "files", _] => "GET, HEAD",
        ["v1", "health"] | ["v1", "kb", "index"] | ["v1", "tickets", _] => "GET, HEAD, OPTIONS",
        ["v1", "tickets" | "unread" | "events"]
        | ["v1", "tickets", _, "messages" | "csat" | "files"]
        | ["v1", "identity", "tickets"] => "OPTIONS, POST",
        ["v1", "auth", "login" | "logout" | "password" | "password-reset"]
        | ["v1", "auth", "password-reset", "confirm"]
        | ["v1", "auth", "two-factor", "setup" | "confirm" | "recovery-codes" | "disable"] => "POST",
        ["v1", "auth", "me" | "sessions"] => "GET, HEAD",
        ["v1", "auth", "sessions", "end-others"] => "POST",
        ["v1", "admin", "kb", "categories"] => "PUT",
        ["v1", "auth", "away" | "mail-alerts" | "signature"] | ["v1", "agent", "tickets", _, "following"] => "PUT",
        ["v1", "auth", "sessions", _] => "DELETE",
        ["v1", "agent", "tickets.csv" | "customers" | "agents" | "saved-replies" | "articles" | "metrics"]
        | ["v1", "agent", "articles", _]
        | ["v1", "agent", "articles", _, "revisions"]
        | ["v1", "agent", "kb", "unanswered" | "performance" | "deleted" | "status"]
        | ["v1", "admin", "audit"]
        | ["v1", "admin", "kb", "export"]
        | ["v1", "admin", "customers", _, "export"]
        | ["v1", "admin", "webhooks", "deliveries"]
        | ["v1", "agent", "tickets", _, "thread"]
        | ["v1", "agent", "tickets", _, "attachments", _] => "GET, HEAD",
        ["v1", "agent", "tickets"] => "GET, HEAD, POST",
        ["v1", "agent", "tickets", "bulk"] => "POST",
        ["v1", "agent", "tickets" | "customers", _] => "GET, HEAD, PATCH",
        ["v1", "agent", "tickets", _, "messages" | "merge" | "presence" | "attachments" | "spam"]
        | ["v1", "agent", "kb", "try"]
        | ["v1", "admin", "articles" | "retrain"]
        | ["v1", "admin", "articles", "import"]
        | ["v1", "admin", "kb", "publish"]
        | ["v1", "admin", "rules", "validate"]
        | ["v1", "admin", "webhooks", "test"]
        | ["v1", "admin", "webhooks", "deliveries", _, "send"]
        | ["v1", "agent", "tickets", _, "messages", _, "send"]
        | ["v1", "admin", "articles", _, "revisions", _, "restore"] => "POST",
        ["v1", "admin", "webhooks", "secret"] | ["v1", "admin", "identity-secret"] => "GET, HEAD, POST",
        ["v1", "admin", "articles", _] => "DELETE, PUT",
        ["v1", "admin", "settings"] => "GET, HEAD, PUT",
        ["v1", "admin", "agents" | "tokens"] => "GET, HEAD, POST",
        ["v1", "admin", "tokens" | "customers", _] => "DELETE",
        ["v1", "admin", "agents", _] => "PATCH",
        ["v1", "admin", "agents", _, "invitation"] => "POST",
        _ => return None,
    })
}
