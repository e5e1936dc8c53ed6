//! Metrics: deflection and automation rates, response and resolution
//! times, CSAT, tickets by priority and status over time, figures per
//! agent and per channel, CSV export.

use crate::api;
use crate::chart::{Gauge, StackedBars};
use crate::count::count;
use crate::time::minutes;
use deflect_shared::api::{Feedback, Metrics};
use deflect_shared::metrics::{AgentFigures, ChannelFigures, DurationStats};
use leptos::prelude::*;

fn stats(label: &'static str, s: DurationStats) -> impl IntoView {
    let fmt = |v: Option<f64>| v.map(minutes).unwrap_or_else(|| "—".into());
    view! {
        <div class="card">
            <div class="card-label">{label}</div>
            <div class="card-value">{fmt(s.median_minutes)}</div>
            <div class="card-detail">{format!("median · p90 {} · {}", fmt(s.p90_minutes), count(s.count as u64, "ticket", "tickets"))}</div>
        </div>
    }
}

/// A median time in a table cell.
fn median(s: DurationStats) -> String {
    s.median_minutes.map(minutes).unwrap_or_else(|| "—".into())
}

/// The CSAT card's line: the ratings, the share of solved tickets rated,
/// and their average.
fn csat_detail(m: &Metrics) -> String {
    let response = m
        .csat_response_rate
        .map(|r| {
            format!(
                " (from {:.0}% of {})",
                r * 100.0,
                count(m.resolution.count as u64, "solved ticket", "solved tickets")
            )
        })
        .unwrap_or_default();
    let average = m.csat_average.map(|a| format!("{a:.2}")).unwrap_or_else(|| "—".into());
    format!("{}{response}, average {average}", count(m.csat_count, "rating", "ratings"))
}

/// An average rating and how many there were, in a table cell.
fn csat(average: Option<f64>, count: u64) -> String {
    average.map_or_else(|| "—".to_string(), |v| format!("{v:.2} ({count})"))
}

/// The per-agent table.
fn agents_table(rows: Vec<AgentFigures>) -> impl IntoView {
    view! {
        <h2 id="by-agent">"By agent"</h2>
        <p class="muted">"Tickets created in the period, by who they are assigned to now; replies written in the period."</p>
        <table class="by-agent" aria-labelledby="by-agent">
            <thead><tr>
                <th scope="col">"Agent"</th><th scope="col">"Tickets"</th><th scope="col">"Solved"</th><th scope="col">"Replies"</th>
                <th scope="col">"First response (median)"</th><th scope="col">"Resolution (median)"</th><th scope="col">"CSAT"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|a| {
                    let csat = csat(a.csat_average, a.csat_count);
                    view! {
                        <tr class="agent-row" data-agent=a.agent_id.clone().unwrap_or_default()>
                            <th scope="row">{a.name.clone()}</th>
                            <td class="tickets">{a.tickets}</td>
                            <td class="solved">{a.solved}</td>
                            <td class="replies">{a.replies}</td>
                            <td>{median(a.first_response)}</td>
                            <td>{median(a.resolution)}</td>
                            <td class="csat">{csat}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// What a channel is, in words.
fn channel_name(channel: &str) -> &str {
    match channel {
        "widget" => "Chat widget",
        "web" => "Help centre form",
        "email" => "E-mail",
        "phone" => "Phone (logged)",
        other => other,
    }
}

/// The per-channel table: which way tickets came, and how each was served.
fn channels_table(rows: Vec<ChannelFigures>) -> impl IntoView {
    view! {
        <h2 id="by-channel">"By channel"</h2>
        <p class="muted">"Tickets created in the period, by the way they came."</p>
        <table class="by-channel" aria-labelledby="by-channel">
            <thead><tr>
                <th scope="col">"Channel"</th><th scope="col">"Tickets"</th><th scope="col">"Solved"</th>
                <th scope="col">"First response (median)"</th><th scope="col">"Resolution (median)"</th><th scope="col">"CSAT"</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|c| {
                    let csat = csat(c.csat_average, c.csat_count);
                    view! {
                        <tr class="channel-row" data-channel=c.channel.clone()>
                            <th scope="row">{channel_name(&c.channel).to_string()}</th>
                            <td class="tickets">{c.tickets}</td>
                            <td class="solved">{c.solved}</td>
                            <td>{median(c.first_response)}</td>
                            <td>{median(c.resolution)}</td>
                            <td class="csat">{csat}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// What customers wrote with their ratings, the lowest first.
fn feedback_list(items: Vec<Feedback>) -> impl IntoView {
    view! {
        <h2 id="feedback">"What customers said"</h2>
        {if items.is_empty() {
            view! { <p class="muted">"No comments with ratings in this period."</p> }.into_any()
        } else {
            view! {
                <ul class="feedback" aria-labelledby="feedback">
                    {items.into_iter().map(|f| {
                        let stars = format!("{}{}", "★".repeat(usize::from(f.rating)), "☆".repeat(5 - usize::from(f.rating.min(5))));
                        let who = f.agent_name.map(|n| format!(" · {n}")).unwrap_or_default();
                        view! {
                            <li class="feedback-item" data-rating=f.rating.to_string()>
                                <span class="stars" role="img" aria-label=format!("{} of 5", f.rating)>{stars}</span>
                                " "<q>{f.comment}</q>
                                <div class="muted"><a href=format!("#/ticket/{}", f.ticket_id)>{f.subject}</a>{who}</div>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
pub fn MetricsPage() -> impl IntoView {
    let days = RwSignal::new(30u32);
    let data = RwSignal::new(None::<Result<Metrics, String>>);
    Effect::new(move |_| {
        let d = days.get();
        leptos::task::spawn_local(async move {
            data.set(Some(api::get::<Metrics>(&format!("/v1/agent/metrics?days={d}")).await.map_err(|e| e.message)));
        });
    });
    view! {
        <section>
            <h1>"Metrics"</h1>
            <div class="toolbar">
                <label for="m-days">"Period"</label>
                <select id="m-days" on:change=move |ev| days.set(event_target_value(&ev).parse().unwrap_or(30))>
                    <option value="7">"7 days"</option>
                    <option value="30" selected=true>"30 days"</option>
                    <option value="90">"90 days"</option>
                </select>
                <a class="button" href=move || format!("/v1/agent/tickets.csv?days={}", days.get()) download="deflect-tickets.csv">"Export tickets (CSV)"</a>
            </div>
            {move || match data.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                Some(Ok(m)) => {
                    let day_labels: Vec<String> = m.daily.iter().map(|d| d.day.clone()).collect();
                    let by_priority: Vec<Vec<u64>> = m.daily.iter().map(|d| d.by_priority.to_vec()).collect();
                    let by_status: Vec<Vec<u64>> = m.daily.iter().map(|d| d.by_status.to_vec()).collect();
                    let csat_line = csat_detail(&m);
                    view! {
                        <div class="cards">
                            <Gauge label="Deflection rate" rate=m.deflection_rate
                                detail=format!("{} of {} answered without a ticket", m.deflected_sessions, count(m.widget_sessions, "widget conversation", "widget conversations")) />
                            <Gauge label="Automation rate" rate=m.automation_rate
                                detail=format!("{} of {} handled by rules", m.automated_tickets, count(m.tickets, "ticket", "tickets")) />
                            {stats("First response", m.first_response)}
                            {stats("Resolution", m.resolution)}
                            <Gauge label="CSAT (4–5 stars)" rate=m.csat_satisfied
                                detail=csat_line />
                            <div class="card">
                                <div class="card-label">"Answer feedback"</div>
                                <div class="card-value">{format!("{} / {}", m.helped, m.not_helped)}</div>
                                <div class="card-detail">"helped / did not help"</div>
                            </div>
                        </div>
                        {(m.spam_tickets > 0).then(|| view! {
                            <p class="muted" id="spam-left-out">
                                {format!("Left out of these figures: {} closed as spam.", count(m.spam_tickets, "ticket", "tickets"))}
                            </p>
                        })}
                        <StackedBars title="Tickets by priority" days=day_labels.clone()
                            series=vec![("low", "s-low"), ("normal", "s-normal"), ("high", "s-high"), ("urgent", "s-urgent")] values=by_priority />
                        <StackedBars title="Tickets by current status" days=day_labels
                            series=vec![("open", "s-open"), ("pending", "s-pending"), ("solved", "s-solved"), ("closed", "s-closed")] values=by_status />
                        {agents_table(m.by_agent)}
                        {channels_table(m.by_channel)}
                        {feedback_list(m.feedback)}
                    }
                    .into_any()
                }
            }}
        </section>
    }
}
