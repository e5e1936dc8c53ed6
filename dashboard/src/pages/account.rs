//! The logged-in agent's own account: who they are, changing their
//! password, their two-step login, where they are logged in, the signature
//! below their replies, what they are mailed about, and whether keyboard
//! shortcuts are on.

use super::Notice;
use crate::api;
use crate::app::Session;
use crate::shortcuts::Shortcuts;
use crate::time::ago;
use deflect_shared::api::{
    AgentView, MIN_PASSWORD, MailAlerts, PasswordChange, RecoveryCodes, SessionView, Signature, TwoFactorCode,
    TwoFactorOff, TwoFactorSetup, TwoFactorStart,
};
use deflect_shared::signature::{MAX_CHARS, MAX_LINES};
use leptos::prelude::*;

#[component]
pub fn AccountPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let note = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        note.set(None);
        if new.get_untracked() != repeat.get_untracked() {
            error.set(Some("The new password and its repetition differ.".into()));
            return;
        }
        let body = PasswordChange { current_password: current.get_untracked(), new_password: new.get_untracked() };
        if let Err(e) = body.validate() {
            error.set(Some(e.to_string()));
            return;
        }
        leptos::task::spawn_local(async move {
            match api::call::<_, AgentView>("POST", "/v1/auth/password", &body).await {
                // The agent is the same; setting the session again would
                // redraw the page and lose this note.
                Ok(_) => {
                    error.set(None);
                    for field in [current, new, repeat] {
                        field.set(String::new());
                    }
                    note.set(Some("Password changed. Your other sessions are logged out.".into()));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let who = move || session.me.get().map(|m| format!("{} <{}>, {}", m.name, m.email, m.role.as_str()));
    let input = |id: &'static str, autocomplete: &'static str, value: RwSignal<String>| {
        view! {
            <input id=id type="password" autocomplete=autocomplete required
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
        }
    };
    view! {
        <section class="account">
            <h1>"Your account"</h1>
            <Show when=move || session.me.get().is_some_and(|m| m.two_factor_required)>
                <p class="notice" role="alert" id="two-factor-demanded">"Your team requires two-step login. Set it up below to use the dashboard."</p>
            </Show>
            <p>{who}</p>
            <h2>"Change your password"</h2>
            <form on:submit=submit>
                <label for="current-password">"Current password"</label>
                {input("current-password", "current-password", current)}
                <label for="new-password">{format!("New password (at least {MIN_PASSWORD} characters)")}</label>
                {input("new-password", "new-password", new)}
                <label for="repeat-password">"New password again"</label>
                {input("repeat-password", "new-password", repeat)}
                <Show when=move || error.get().is_some()>
                    <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </Show>
                <button type="submit">"Change password"</button>
            </form>
            <Notice note=note />
            {move || session.me.with(|m| m.as_ref().map(|m| m.two_factor)).map(|on| view! { <TwoStep on_at_start=on /> })}
            <Sessions />
            {move || session.me.with(|m| m.as_ref().map(|m| m.signature.clone())).map(|at_start| view! { <SignatureForm at_start=at_start /> })}
            {move || session.me.with(|m| m.as_ref().map(|m| (m.mail_alerts, m.mail_alerts_can_send, m.mail_alerts_failure.clone(), m.mail_alerts_hours.clone())))
                .map(|(alerts, can_send, failure, hours)| view! { <MailAlertsForm at_start=alerts can_send=can_send failure=failure hours=hours /> })}
            <KeyboardShortcuts />
        </section>
    }
}

/// What goes below the agent's replies to customers.
#[component]
fn SignatureForm(
    /// Their signature as the page opened.
    at_start: Option<String>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let text = RwSignal::new(at_start.unwrap_or_default());
    let note = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = Signature { signature: text.get_untracked() };
        if let Err(e) = body.validate() {
            note.set(Some(e.to_string()));
            return;
        }
        leptos::task::spawn_local(async move {
            let said = match api::call::<_, AgentView>("PUT", "/v1/auth/signature", &body).await {
                Ok(me) => {
                    let said = if me.signature.is_some() {
                        "Saved: your replies to customers end with it."
                    } else {
                        "Saved: your replies go without a signature."
                    };
                    // Kept for the ticket page and the next time this page
                    // is drawn, without drawing it again now.
                    session.me.update_untracked(|m| {
                        if let Some(m) = m {
                            m.signature = me.signature;
                        }
                    });
                    said.to_string()
                }
                Err(e) => e.message,
            };
            note.try_set(Some(said));
        });
    };
    view! {
        <h2>"Signature"</h2>
        <form id="signature-form" on:submit=save>
            <label for="signature">{format!("Below each of your replies to customers (not below internal notes): up to {MAX_LINES} lines")}</label>
            <textarea id="signature" rows="3" maxlength=MAX_CHARS.to_string() placeholder="Ada Lovelace\nAcme support"
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <button type="submit" id="save-signature">"Save signature"</button>
        </form>
        <Notice note=note />
    }
}

/// What the agent is mailed about, so they hear of work with no dashboard
/// tab open.
#[component]
fn MailAlertsForm(
    /// Their alerts as the page opened.
    at_start: MailAlerts,
    /// Whether the desk has an address to mail from.
    can_send: bool,
    /// Why the latest alert to them could not be sent, if it could not.
    failure: Option<String>,
    /// The desk's business hours in words, if it keeps any.
    hours: Option<String>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let alerts = RwSignal::new(at_start);
    let note = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = alerts.get_untracked();
        leptos::task::spawn_local(async move {
            let said = match api::call::<_, AgentView>("PUT", "/v1/auth/mail-alerts", &body).await {
                Ok(me) => {
                    // Kept for the next time the page is drawn, without
                    // drawing it again now (which would drop this note).
                    session.me.update_untracked(|m| {
                        if let Some(m) = m {
                            m.mail_alerts = me.mail_alerts;
                            m.mail_alerts_hours = me.mail_alerts_hours;
                        }
                    });
                    "Saved: you are mailed as ticked.".to_string()
                }
                Err(e) => e.message,
            };
            note.try_set(Some(said));
        });
    };
    let choice =
        move |id: &'static str, words: &'static str, get: fn(&MailAlerts) -> bool, set: fn(&mut MailAlerts, bool)| {
            view! {
                <label class="inline">
                    <input type="checkbox" id=id prop:checked=move || alerts.with(get)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            alerts.update(|a| set(a, on));
                        } />
                    {words}
                </label>
            }
        };
    view! {
        <h2>"Mail alerts"</h2>
        <form id="mail-alerts" on:submit=save>
            <p>"Mail me…"</p>
            {choice("alert-mentioned", " when a teammate mentions me (@handle) in a note", |a| a.mentioned, |a, on| a.mentioned = on)}
            {choice("alert-assigned", " when a ticket is given to me (by someone else, or by the desk)", |a| a.assigned, |a, on| a.assigned = on)}
            {choice("alert-customer-replied", " when the customer of a ticket of mine (or one I follow) writes again", |a| a.customer_replied, |a, on| a.customer_replied = on)}
            {choice("alert-sla-missed", " when a ticket of mine (or one I follow, or one of my team's that no one has) misses its SLA target", |a| a.sla_missed, |a, on| a.sla_missed = on)}
            {choice("alert-new-ticket", " when a new ticket comes in for my team (any ticket, when it has no team)", |a| a.new_ticket, |a, on| a.new_ticket = on)}
            {choice("alert-daily-summary", " once a day, with the desk's last 24 hours in figures and what waits for me", |a| a.daily_summary, |a, on| a.daily_summary = on)}
            <p>"Send them…"</p>
            <label class="inline">
                <input type="checkbox" id="alert-business-hours" disabled=hours.is_none()
                    prop:checked=move || alerts.with(|a| a.business_hours_only)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        alerts.update(|a| a.business_hours_only = on);
                    } />
                {match &hours {
                    Some(hours) => format!(" only while the desk is open ({hours}): what comes outside those hours waits, and comes together when it opens"),
                    None => " only while the desk is open (it keeps no business hours: an admin sets them in Settings, under SLA)".to_string(),
                }}
            </label>
            {(!can_send).then(|| view! {
                <p class="notice" id="mail-alerts-unsent">
                    "No alert is mailed yet: the desk has no address to send from. An admin sets a site's reply address in Settings (or DEFLECT_SUPPORT_EMAIL)."
                </p>
            })}
            {failure.map(|why| view! {
                <p class="error" id="mail-alerts-failed">
                    {format!("The latest alert could not be mailed to you: {why}. An admin may need to let your address receive mail from the desk (in Cloudflare, a verified destination).")}
                </p>
            })}
            <button type="submit" id="save-mail-alerts">"Save mail alerts"</button>
        </form>
        <Notice note=note />
    }
}

/// Turning the keyboard shortcuts off (or on again) in this browser.
#[component]
fn KeyboardShortcuts() -> impl IntoView {
    let shortcuts = expect_context::<Shortcuts>();
    view! {
        <h2>"Keyboard shortcuts"</h2>
        <p>
            {move || if shortcuts.on.get() {
                "On in this browser: press ? anywhere in the dashboard for the list."
            } else {
                "Off in this browser: keys only type."
            }}
        </p>
        <button type="button" id="shortcuts-toggle" on:click=move |_| shortcuts.toggle()>
            {move || if shortcuts.on.get() { "Turn keyboard shortcuts off" } else { "Turn keyboard shortcuts on" }}
        </button>
    }
}

/// The QR code of a text as an SVG path of dark modules (with a four-module
/// quiet zone) and its side, or `None` when the text is too long for one.
fn qr_path(text: &str) -> Option<(i32, String)> {
    use std::fmt::Write as _;
    let qr = qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium).ok()?;
    let n = qr.size();
    let mut d = String::new();
    for y in 0..n {
        for x in 0..n {
            if qr.get_module(x, y) {
                let _ = write!(d, "M{},{}h1v1h-1z", x + 4, y + 4);
            }
        }
    }
    Some((n + 8, d))
}

/// A secret in groups of four letters, as it is easiest to type.
fn grouped(secret: &str) -> String {
    secret.as_bytes().chunks(4).filter_map(|c| std::str::from_utf8(c).ok()).collect::<Vec<_>>().join(" ")
}

/// Setting up, using and turning off two-step login.
#[component]
fn TwoStep(
    /// Whether it was on when the page opened.
    on_at_start: bool,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let enabled = RwSignal::new(on_at_start);
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let setup = RwSignal::new(None::<TwoFactorSetup>);
    let codes = session.recovery_codes;
    let error = RwSignal::new(None::<String>);
    let note = RwSignal::new(None::<String>);
    let clear = move || {
        password.set(String::new());
        code.set(String::new());
        error.set(None);
    };
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = TwoFactorStart { password: password.get_untracked() };
        leptos::task::spawn_local(async move {
            match api::call::<_, TwoFactorSetup>("POST", "/v1/auth/two-factor/setup", &body).await {
                Ok(s) => {
                    clear();
                    setup.set(Some(s));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = TwoFactorCode { code: code.get_untracked() };
        leptos::task::spawn_local(async move {
            match api::call::<_, RecoveryCodes>("POST", "/v1/auth/two-factor/confirm", &body).await {
                Ok(r) => {
                    clear();
                    setup.set(None);
                    enabled.set(true);
                    codes.set(Some(r.codes));
                    note.set(Some("Two-step login is on. Your other sessions are logged out.".into()));
                    // A team that requires it lets the agent in now.
                    if session.me.get_untracked().is_some_and(|m| m.two_factor_required) {
                        crate::app::go("#/account");
                        session.me.update(|m| {
                            if let Some(m) = m {
                                m.two_factor = true;
                                m.two_factor_required = false;
                            }
                        });
                    }
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let renew = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = TwoFactorCode { code: code.get_untracked() };
        leptos::task::spawn_local(async move {
            match api::call::<_, RecoveryCodes>("POST", "/v1/auth/two-factor/recovery-codes", &body).await {
                Ok(r) => {
                    clear();
                    codes.set(Some(r.codes));
                    note.set(Some("New recovery codes; the old ones no longer work.".into()));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let turn_off = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = TwoFactorOff { password: password.get_untracked(), code: code.get_untracked() };
        leptos::task::spawn_local(async move {
            match api::call::<_, AgentView>("POST", "/v1/auth/two-factor/disable", &body).await {
                Ok(_) => {
                    clear();
                    enabled.set(false);
                    codes.set(None);
                    note.set(Some("Two-step login is off: your password alone logs you in.".into()));
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let text_input =
        move |id: &'static str, kind: &'static str, autocomplete: &'static str, value: RwSignal<String>| {
            view! {
                <input id=id type=kind autocomplete=autocomplete required maxlength="200"
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            }
        };
    view! {
        <h2>"Two-step login"</h2>
        {move || {
            if enabled.get() {
                view! {
                    <p id="two-factor-state">"On: logging in takes your password and a code from your authenticator app."</p>
                    {move || codes.get().map(|list| view! {
                        <div class="new-token" role="status">
                            <p>"Recovery codes — keep them somewhere safe. Each logs you in once if you lose your phone; they are not shown again."</p>
                            <ul class="recovery-codes">{list.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}</ul>
                        </div>
                    })}
                    <form on:submit=renew>
                        <label for="renew-code">"Code from the app"</label>
                        {text_input("renew-code", "text", "one-time-code", code)}
                        <button type="submit">"New recovery codes"</button>
                    </form>
                    <form on:submit=turn_off>
                        <label for="off-password">"Current password"</label>
                        {text_input("off-password", "password", "current-password", password)}
                        <label for="off-code">"Code from the app"</label>
                        {text_input("off-code", "text", "one-time-code", code)}
                        <button type="submit" class="danger">"Turn off"</button>
                    </form>
                }.into_any()
            } else if let Some(s) = setup.get() {
                let qr = qr_path(&s.uri);
                view! {
                    <p>"Scan this with your authenticator app, or type the key into it:"</p>
                    {qr.map(|(side, d)| view! {
                        <svg class="qr" viewBox=format!("0 0 {side} {side}") width="192" height="192" role="img"
                            aria-label="QR code for your authenticator app" shape-rendering="crispEdges">
                            <rect width="100%" height="100%" fill="#fff" />
                            <path d=d fill="#000" />
                        </svg>
                    })}
                    <p><code class="token" id="totp-secret">{grouped(&s.secret)}</code></p>
                    <form on:submit=confirm>
                        <label for="totp-code">"Code the app shows"</label>
                        {text_input("totp-code", "text", "one-time-code", code)}
                        <button type="submit">"Turn on"</button>
                    </form>
                }.into_any()
            } else {
                view! {
                    <p id="two-factor-state">"Off: your password alone logs you in. With two-step login, a stolen password is not enough."</p>
                    <form on:submit=start>
                        <label for="two-factor-password">"Current password"</label>
                        {text_input("two-factor-password", "password", "current-password", password)}
                        <button type="submit">"Set up two-step login"</button>
                    </form>
                }.into_any()
            }
        }}
        <Show when=move || error.get().is_some()>
            <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
        </Show>
        <Notice note=note />
    }
}

/// The agent's open sessions: where each was opened, and ending them.
#[component]
fn Sessions() -> impl IntoView {
    let list = RwSignal::new(Vec::<SessionView>::new());
    let note = RwSignal::new(None::<String>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            match api::get::<Vec<SessionView>>("/v1/auth/sessions").await {
                Ok(l) => {
                    list.try_set(l);
                }
                Err(e) => {
                    note.try_set(Some(e.message));
                }
            }
        });
    };
    reload();
    let end = move |s: SessionView| {
        leptos::task::spawn_local(async move {
            match api::delete(&format!("/v1/auth/sessions/{}", api::enc(&s.id))).await {
                Ok(()) => {
                    note.try_set(Some(format!("Logged out {} ({}).", s.device, s.ip.unwrap_or_default())));
                    reload();
                }
                Err(e) => {
                    note.try_set(Some(e.message));
                }
            }
        });
    };
    let end_others = move |_| {
        leptos::task::spawn_local(async move {
            match api::call::<_, ()>("POST", "/v1/auth/sessions/end-others", &()).await {
                Ok(()) => {
                    note.try_set(Some("Every other session is logged out.".into()));
                    reload();
                }
                Err(e) => {
                    note.try_set(Some(e.message));
                }
            }
        });
    };
    view! {
        <h2>"Where you are logged in"</h2>
        <table class="sessions">
            <thead><tr><th scope="col">"Browser"</th><th scope="col">"Address"</th><th scope="col">"Logged in"</th><th scope="col"><span class="sr">"Log out"</span></th></tr></thead>
            <tbody>
                {move || list.get().into_iter().map(|s| {
                    let row = s.clone();
                    let label = format!("Log out {} ({})", s.device, s.ip.clone().unwrap_or_default());
                    view! {
                        <tr class="session" data-current=s.current.to_string()>
                            <td>{s.device.clone()}{s.current.then_some(" — this browser")}</td>
                            <td>{s.ip.clone().unwrap_or_default()}</td>
                            <td>{ago(s.created_at)}</td>
                            <td>{(!s.current).then(|| view! {
                                <button type="button" class="end-session" aria-label=label.clone() on:click=move |_| end(row.clone())>"Log out"</button>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <button type="button" id="end-other-sessions" on:click=end_others>"Log out everywhere else"</button>
        <Notice note=note />
    }
}
