//! Help-desk metrics computed from raw figures the edge reads from D1.

use serde::{Deserialize, Serialize};

/// Median and 90th percentile of a set of durations.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct DurationStats {
    /// How many values.
    pub count: usize,
    /// Median, in minutes (`None` without values).
    pub median_minutes: Option<f64>,
    /// 90th percentile, in minutes.
    pub p90_minutes: Option<f64>,
}

/// A duration in minutes as "45 min", "3.5 h", "2.1 d".
pub fn minutes_in_words(m: f64) -> String {
    if m < 90.0 {
        format!("{m:.0} min")
    } else if m < 48.0 * 60.0 {
        format!("{:.1} h", m / 60.0)
    } else {
        format!("{:.1} d", m / 1440.0)
    }
}

/// The `p`-th percentile (0..=100) of sorted values, by linear
/// interpolation between closest ranks.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p / 100.0).clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = rank.ceil() as usize;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo as f64))
}

/// Stats of durations given in milliseconds.
pub fn duration_stats(mut millis: Vec<f64>) -> DurationStats {
    millis.retain(|v| v.is_finite() && *v >= 0.0);
    millis.sort_by(f64::total_cmp);
    let minutes: Vec<f64> = millis.iter().map(|m| m / 60_000.0).collect();
    DurationStats {
        count: minutes.len(),
        median_minutes: percentile(&minutes, 50.0),
        p90_minutes: percentile(&minutes, 90.0),
    }
}

/// One ticket of the period, as the per-agent figures need it.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketFigures {
    /// Its assignee now (`None`: nobody).
    pub assignee: Option<String>,
    /// Where it came from (`widget`, `web`, `email`, `phone`).
    pub channel: String,
    /// Creation to first agent reply, in ms.
    pub first_response_ms: Option<f64>,
    /// Creation to solved, in ms.
    pub resolution_ms: Option<f64>,
    /// The customer's rating.
    pub csat: Option<f64>,
}

/// One agent's figures over a period: the tickets created in it that are
/// assigned to them now, and the replies they wrote in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentFigures {
    /// The agent (`None`: the tickets nobody is assigned).
    pub agent_id: Option<String>,
    /// Their name (`Unassigned` for nobody's).
    pub name: String,
    /// Tickets.
    pub tickets: u64,
    /// Of those, solved.
    pub solved: u64,
    /// Replies to customers written (internal notes not counted).
    pub replies: u64,
    /// First response time of their tickets.
    pub first_response: DurationStats,
    /// Resolution time of their tickets.
    pub resolution: DurationStats,
    /// Ratings of their tickets.
    pub csat_count: u64,
    /// Average rating (1..=5).
    pub csat_average: Option<f64>,
}

/// Figures per agent: every agent in `agents` (id, name) who had a ticket
/// or wrote a reply, then the unassigned tickets; most tickets first, then
/// by name. Tickets or replies of agents not in `agents` count as
/// unassigned and are not lost.
pub fn by_agent(
    tickets: &[TicketFigures],
    replies: &[(String, u64)],
    agents: &[(String, String)],
) -> Vec<AgentFigures> {
    let known = |id: &Option<String>| id.as_ref().filter(|id| agents.iter().any(|(a, _)| a == *id)).cloned();
    let mut ids: Vec<Option<String>> = tickets.iter().map(|t| known(&t.assignee)).collect();
    ids.extend(replies.iter().filter(|(_, n)| *n > 0).map(|(id, _)| known(&Some(id.clone()))));
    ids.sort();
    ids.dedup();
    let mut out: Vec<AgentFigures> = ids
        .into_iter()
        .map(|id| {
            let mine: Vec<&TicketFigures> = tickets.iter().filter(|t| known(&t.assignee) == id).collect();
            let ratings: Vec<f64> = mine.iter().filter_map(|t| t.csat).collect();
            let replies = replies.iter().filter(|(a, _)| known(&Some(a.clone())) == id).map(|(_, n)| n).sum();
            let name = id
                .as_ref()
                .and_then(|id| agents.iter().find(|(a, _)| a == id))
                .map_or_else(|| "Unassigned".to_string(), |(_, n)| n.clone());
            AgentFigures {
                name,
                tickets: mine.len() as u64,
                solved: mine.iter().filter(|t| t.resolution_ms.is_some()).count() as u64,
                replies,
                first_response: duration_stats(mine.iter().filter_map(|t| t.first_response_ms).collect()),
                resolution: duration_stats(mine.iter().filter_map(|t| t.resolution_ms).collect()),
                csat_count: ratings.len() as u64,
                csat_average: (!ratings.is_empty()).then(|| ratings.iter().sum::<f64>() / ratings.len() as f64),
                agent_id: id,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (a.agent_id.is_none(), std::cmp::Reverse(a.tickets), &a.name).cmp(&(
            b.agent_id.is_none(),
            std::cmp::Reverse(b.tickets),
            &b.name,
        ))
    });
    out
}

/// The figures of the tickets that came one way (a channel) over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelFigures {
    /// `widget`, `web` (the help centre's form), `email` or `phone`.
    pub channel: String,
    /// Tickets.
    pub tickets: u64,
    /// Of those, solved.
    pub solved: u64,
    /// First response time.
    pub first_response: DurationStats,
    /// Resolution time.
    pub resolution: DurationStats,
    /// Ratings.
    pub csat_count: u64,
    /// Average rating (1..=5).
    pub csat_average: Option<f64>,
}

/// Figures per channel, most tickets first, then by name: every ticket in
/// exactly one row.
pub fn by_channel(tickets: &[TicketFigures]) -> Vec<ChannelFigures> {
    let mut channels: Vec<&str> = tickets.iter().map(|t| t.channel.as_str()).collect();
    channels.sort_unstable();
    channels.dedup();
    let mut out: Vec<ChannelFigures> = channels
        .into_iter()
        .map(|channel| {
            let these: Vec<&TicketFigures> = tickets.iter().filter(|t| t.channel == channel).collect();
            let ratings: Vec<f64> = these.iter().filter_map(|t| t.csat).collect();
            ChannelFigures {
                channel: channel.to_string(),
                tickets: these.len() as u64,
                solved: these.iter().filter(|t| t.resolution_ms.is_some()).count() as u64,
                first_response: duration_stats(these.iter().filter_map(|t| t.first_response_ms).collect()),
                resolution: duration_stats(these.iter().filter_map(|t| t.resolution_ms).collect()),
                csat_count: ratings.len() as u64,
                csat_average: (!ratings.is_empty()).then(|| ratings.iter().sum::<f64>() / ratings.len() as f64),
            }
        })
        .collect();
    out.sort_by(|a, b| (std::cmp::Reverse(a.tickets), &a.channel).cmp(&(std::cmp::Reverse(b.tickets), &b.channel)));
    out
}

/// The share of solved tickets whose customer rated them (the CSAT
/// response rate), `None` without solved tickets. A ticket rated but
/// opened again since counts in neither part.
pub fn rating_response(tickets: &[TicketFigures]) -> Option<f64> {
    let solved: Vec<&TicketFigures> = tickets.iter().filter(|t| t.resolution_ms.is_some()).collect();
    rate(solved.iter().filter(|t| t.csat.is_some()).count() as u64, solved.len() as u64)
}

/// A share as a fraction, `None` when the denominator is zero.
pub fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The 95% Wilson score interval of a share seen as `successes` of
/// `trials`: where the true share likely lies, honest about small counts
/// (one "helped" of one is not "100% helpful"). `None` without trials.
pub fn wilson_interval(successes: u64, trials: u64) -> Option<(f64, f64)> {
    if trials == 0 {
        return None;
    }
    const Z: f64 = 1.959_963_984_540_054;
    let n = trials as f64;
    let p = successes.min(trials) as f64 / n;
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Whether readers' votes show, with 95% confidence, that an article helps
/// fewer than half of those who vote on it.
pub fn needs_work(helped: u64, not_helped: u64) -> bool {
    wilson_interval(helped, helped + not_helped).is_some_and(|(_, high)| high < 0.5)
}

/// The UTC calendar day of a time in milliseconds since the epoch, as
/// `YYYY-MM-DD` (proleptic Gregorian).
pub fn day(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(86_400_000));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Date and time in UTC as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let rem = secs.rem_euclid(86_400);
    format!("{}T{:02}:{:02}:{:02}Z", day(ms), rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's
/// `civil_from_days`.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn calendar_days() {
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(day(951_782_400_000), "2000-02-29");
        assert_eq!(day(1_795_999_999_000), "2026-11-30");
        assert_eq!(iso8601(1_000), "1970-01-01T00:00:01Z");
        assert_eq!(day(-1), "1969-12-31");
    }

    use super::*;

    #[test]
    fn wilson_intervals_are_honest_about_small_counts() {
        assert_eq!(wilson_interval(0, 0), None);
        let (lo, hi) = wilson_interval(1, 1).expect("interval");
        assert!(lo > 0.2 && lo < 0.21 && hi == 1.0, "{lo} {hi}");
        // A textbook value: 8 of 10 gives about 0.490 to 0.943.
        let (lo, hi) = wilson_interval(8, 10).expect("interval");
        assert!((lo - 0.490).abs() < 0.001 && (hi - 0.943).abs() < 0.001, "{lo} {hi}");
        assert!(!needs_work(0, 1), "one bad vote proves nothing");
        assert!(!needs_work(3, 5));
        assert!(needs_work(1, 9));
        assert!(needs_work(0, 6));
    }

    #[test]
    fn percentiles() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 50.0), Some(2.5));
        assert_eq!(percentile(&v, 100.0), Some(4.0));
        assert_eq!(percentile(&[], 50.0), None);
        let s = duration_stats(vec![60_000.0, 120_000.0, 180_000.0, f64::NAN]);
        assert_eq!(s.count, 3);
        assert_eq!(s.median_minutes, Some(2.0));
        assert_eq!(rate(1, 4), Some(0.25));
        assert_eq!(rate(1, 0), None);
    }

    #[test]
    fn figures_per_agent_add_up() {
        let t = |a: Option<&str>, first: Option<f64>, solved: Option<f64>, csat: Option<f64>| TicketFigures {
            assignee: a.map(str::to_string),
            channel: "widget".into(),
            first_response_ms: first,
            resolution_ms: solved,
            csat,
        };
        let tickets = vec![
            t(Some("kim"), Some(60_000.0), Some(600_000.0), Some(5.0)),
            t(Some("kim"), Some(180_000.0), None, None),
            t(Some("sam"), None, None, None),
            t(None, None, None, None),
            t(Some("gone"), Some(1.0), None, Some(1.0)),
        ];
        let replies = vec![("kim".to_string(), 3), ("lee".to_string(), 2), ("gone".to_string(), 1)];
        let agents = [
            ("kim".to_string(), "Kim".to_string()),
            ("lee".to_string(), "Lee".to_string()),
            ("sam".to_string(), "Sam".to_string()),
        ];
        let f = by_agent(&tickets, &replies, &agents);
        let names: Vec<&str> = f.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["Kim", "Sam", "Lee", "Unassigned"]);
        assert_eq!((f[0].tickets, f[0].solved, f[0].replies, f[0].csat_count), (2, 1, 3, 1));
        assert_eq!(f[0].first_response.median_minutes, Some(2.0));
        assert_eq!(f[0].csat_average, Some(5.0));
        assert_eq!((f[2].tickets, f[2].replies), (0, 2), "a reply without tickets still counts");
        assert_eq!((f[3].tickets, f[3].replies, f[3].csat_count), (2, 1, 1), "an unknown agent's work is not lost");
        assert_eq!(f.iter().map(|a| a.tickets).sum::<u64>(), tickets.len() as u64);
        assert_eq!(f.iter().map(|a| a.replies).sum::<u64>(), 6);
    }
    #[test]
    fn figures_per_channel_hold_every_ticket_once() {
        let t = |channel: &str, first: Option<f64>, solved: Option<f64>, csat: Option<f64>| TicketFigures {
            assignee: None,
            channel: channel.into(),
            first_response_ms: first,
            resolution_ms: solved,
            csat,
        };
        let tickets = vec![
            t("web", Some(120_000.0), Some(600_000.0), Some(4.0)),
            t("widget", Some(60_000.0), None, None),
            t("email", None, None, None),
            t("web", Some(360_000.0), None, Some(2.0)),
            t("widget", None, Some(60_000.0), None),
        ];
        let f = by_channel(&tickets);
        let order: Vec<(&str, u64)> = f.iter().map(|c| (c.channel.as_str(), c.tickets)).collect();
        assert_eq!(order, [("web", 2), ("widget", 2), ("email", 1)], "most first, then by name");
        assert_eq!((f[0].solved, f[0].first_response.median_minutes), (1, Some(4.0)));
        assert_eq!((f[0].csat_count, f[0].csat_average), (2, Some(3.0)));
        assert_eq!((f[1].solved, f[1].resolution.median_minutes, f[1].csat_average), (1, Some(1.0), None));
        assert_eq!(f.iter().map(|c| c.tickets).sum::<u64>(), tickets.len() as u64);
        assert!(by_channel(&[]).is_empty());
        // Two solved tickets, one rated; the rated one opened again since
        // is not counted.
        assert_eq!(rating_response(&tickets), Some(0.5));
        assert_eq!(rating_response(&tickets[1..3]), None, "nothing solved, no rate");
    }
}
