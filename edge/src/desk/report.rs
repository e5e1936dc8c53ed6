//! Metrics for the dashboard and the CSV export.

use super::views;
use crate::error::AppResult;
use crate::state::App;
use crate::store::{agents, events, tickets};
use deflect_shared::api::{DayCounts, Feedback, MAX_FEEDBACK, Metrics};
use deflect_shared::metrics::{
    TicketFigures, by_agent, by_channel, day, duration_stats, iso8601, rate, rating_response,
};
use deflect_shared::priority::Level;

const DAY_MS: i64 = 86_400_000;

pub(crate) async fn metrics(app: &App, days: u32) -> AppResult<Metrics> {
    let since = app.now - i64::from(days) * DAY_MS;
    let d = events::deflection(&app.db, since).await?;
    let rows = tickets::timings(&app.db, since).await?;
    let first: Vec<f64> = rows.iter().filter_map(|r| r.first_response_at.map(|f| f - r.created_at)).collect();
    let resolution: Vec<f64> = rows.iter().filter_map(|r| r.solved_at.map(|s| s - r.created_at)).collect();
    let ratings: Vec<f64> = rows.iter().filter_map(|r| r.csat).collect();
    let automated = rows.iter().filter(|r| r.automated != 0.0).count() as u64;

    let first_day = (app.now - i64::from(days.saturating_sub(1)) * DAY_MS).div_euclid(DAY_MS);
    let mut daily: Vec<DayCounts> = (0..i64::from(days.max(1)))
        .map(|i| DayCounts { day: day((first_day + i) * DAY_MS), by_priority: [0; 4], by_status: [0; 4] })
        .collect();
    for r in &rows {
        let i = (r.created_at as i64).div_euclid(DAY_MS) - first_day;
        if let Some(bucket) = usize::try_from(i).ok().and_then(|i| daily.get_mut(i)) {
            let p = Level::parse(&r.priority).unwrap_or(Level::Normal) as usize;
            bucket.by_priority[p] += 1;
            let s = ["open", "pending", "solved", "closed"].iter().position(|x| *x == r.status).unwrap_or(0);
            bucket.by_status[s] += 1;
        }
    }
    let figures: Vec<TicketFigures> = rows
        .iter()
        .map(|r| TicketFigures {
            assignee: r.assignee_id.clone(),
            channel: r.channel.clone(),
            first_response_ms: r.first_response_at.map(|f| f - r.created_at),
            resolution_ms: r.solved_at.map(|s| s - r.created_at),
            csat: r.csat,
        })
        .collect();
    let replies: Vec<(String, u64)> =
        tickets::replies_by_agent(&app.db, since).await?.into_iter().map(|r| (r.author_id, r.n as u64)).collect();
    let names: Vec<(String, String)> = agents::list(&app.db).await?.into_iter().map(|a| (a.id, a.name)).collect();
    let feedback = tickets::feedback(&app.db, since, MAX_FEEDBACK)
        .await?
        .into_iter()
        .map(|f| Feedback {
            ticket_id: f.id,
            subject: f.subject,
            rating: f.csat as u8,
            comment: f.csat_comment,
            agent_name: f.agent_name,
            created_at: f.created_at as i64,
        })
        .collect();
    let spam_tickets = tickets::spam_count(&app.db, since).await?;
    let sessions = d.sessions as u64;
    let deflected = d.deflected as u64;
    Ok(Metrics {
        days,
        widget_sessions: sessions,
        deflected_sessions: deflected,
        deflection_rate: rate(deflected, sessions),
        helped: d.helped as u64,
        not_helped: d.not_helped as u64,
        tickets: rows.len() as u64,
        spam_tickets,
        automated_tickets: automated,
        automation_rate: rate(automated, rows.len() as u64),
        first_response: duration_stats(first),
        resolution: duration_stats(resolution),
        csat_count: ratings.len() as u64,
        csat_average: (!ratings.is_empty()).then(|| ratings.iter().sum::<f64>() / ratings.len() as f64),
        csat_satisfied: rate(ratings.iter().filter(|r| **r >= 4.0).count() as u64, ratings.len() as u64),
        csat_response_rate: rating_response(&figures),
        daily,
        by_agent: by_agent(&figures, &replies, &names),
        by_channel: by_channel(&figures),
        feedback,
    })
}

/// One CSV cell: quoted, with quotes doubled, and cells a spreadsheet would
/// run as a formula defused with a leading apostrophe.
fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub(crate) async fn csv(app: &App, days: u32) -> AppResult<String> {
    let rows = tickets::export(&app.db, app.now - i64::from(days) * DAY_MS).await?;
    let mut out = String::from(
        "id,site,channel,created_at,status,priority,priority_score,assignee,team,tags,first_response_minutes,resolution_minutes,csat,subject\n",
    );
    let minutes = |a: Option<f64>, b: f64| a.map(|a| format!("{:.1}", (a - b) / 60_000.0)).unwrap_or_default();
    for r in &rows {
        let fields = [
            cell(&r.id),
            cell(&r.site_id),
            cell(&r.channel),
            cell(&iso8601(r.created_at as i64)),
            cell(&r.status),
            cell(views::level(r).as_str()),
            format!("{:.1}", r.priority_score),
            cell(r.assignee_name.as_deref().unwrap_or("")),
            cell(r.team.as_deref().unwrap_or("")),
            cell(&crate::store::from_json::<Vec<String>>(&r.tags).join(" ")),
            minutes(r.first_response_at, r.created_at),
            minutes(r.solved_at, r.created_at),
            r.csat.map(|c| c.to_string()).unwrap_or_default(),
            cell(&r.subject),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    Ok(out)
}
