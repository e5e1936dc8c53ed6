//! Deflect's edge: a Cloudflare Worker serving the public API for the
//! widget, the agent and admin API for the dashboard, the help centre, an
//! SLA cron, and mail to the support address. Logic lives in
//! `deflect-shared`; this crate does HTTP, mail, persistence (D1, KV) and
//! cryptography (WebCrypto).

mod auth;
mod cors;
mod crypto;
mod desk;
mod error;
mod http;
mod login_guard;
mod routes;
mod state;
mod store;
mod two_factor;

use worker::{
    Context, Env, ForwardableEmailMessage, Request, Response, Result, ScheduleContext, ScheduledEvent, event,
};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    let app = match state::App::new(env) {
        Ok(app) => app,
        Err(e) => return e.response(),
    };
    let resp = routes::handle(&app, req).await;
    ctx.wait_until(app.take_pending());
    resp
}

/// Mail to the support address (Cloudflare Email Routing).
#[event(email)]
async fn email(message: ForwardableEmailMessage, env: Env, ctx: Context) -> Result<()> {
    desk::mail::on_email(message, env, ctx).await;
    Ok(())
}

#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let app = match state::App::new(env) {
        Ok(app) => app,
        Err(e) => {
            worker::console_error!("cron: {e:?}");
            return;
        }
    };
    desk::cron::run(&app).await;
    app.take_pending().await;
}
