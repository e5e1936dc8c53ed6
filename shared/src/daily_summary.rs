//! The daily summary mailed to agents who ask for it
//! ([`MailAlerts::daily_summary`](crate::api::MailAlerts)): the desk's last
//! 24 hours in figures, and what waits now, so an owner or a lead knows how
//! support is doing without opening the dashboard. The edge sends it on the
//! first cron run of each of the desk's days.

use crate::api::Metrics;
use crate::mail_alert::{Envelope, message};
use crate::metrics::minutes_in_words;

/// What waits in the queue as the summary goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Waiting {
    /// Open tickets given to the agent.
    pub yours: u64,
    /// Open tickets no one has.
    pub unassigned: u64,
    /// Open tickets past an SLA target.
    pub past_target: u64,
}

/// Everything a summary says.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary<'a> {
    /// The desk's figures of the last day (`Metrics::days` is 1).
    pub day: &'a Metrics,
    /// The queue now.
    pub waiting: Waiting,
    /// The queue in the dashboard, when the desk knows its own address.
    pub queue_link: Option<&'a str>,
}

/// "1 ticket", "2 tickets".
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A share as a whole percentage.
fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

impl Summary<'_> {
    /// The subject line: the day's new tickets and what waits for the agent.
    pub fn subject(&self) -> String {
        format!(
            "Daily summary: {}, {} waiting for you",
            count(self.day.tickets, "new ticket", "new tickets"),
            self.waiting.yours
        )
    }

    /// The text.
    pub fn text(&self) -> String {
        let d = self.day;
        let mut out = String::from("Your help desk in the last 24 hours:\n\n");
        let deflected = match d.deflection_rate {
            Some(rate) => format!(" ({} answered there, {})", d.deflected_sessions, percent(rate)),
            None => String::new(),
        };
        out.push_str(&format!(
            "- Widget: {}{deflected}\n",
            count(d.widget_sessions, "conversation with a question", "conversations with a question")
        ));
        out.push_str(&format!("- New tickets: {}\n", d.tickets));
        // Of the tickets that came in within the day.
        let timing = |label: &str, stats: &crate::metrics::DurationStats, done: &str| match stats.median_minutes {
            Some(m) => format!("- {label}: median {} ({} {done})\n", minutes_in_words(m), stats.count),
            None => format!("- {label}: none yet\n"),
        };
        out.push_str(&timing("First response", &d.first_response, "answered"));
        out.push_str(&timing("Resolution", &d.resolution, "solved"));
        match d.csat_average {
            Some(avg) => out
                .push_str(&format!("- Ratings: {}, average {avg:.1} of 5\n", count(d.csat_count, "rating", "ratings"))),
            None => out.push_str("- Ratings: none\n"),
        }
        let w = self.waiting;
        out.push_str(&format!(
            "\nWaiting now:\n\n- {} yours\n- {} with no one\n- {} past an SLA target\n",
            count(w.yours, "open ticket", "open tickets"),
            count(w.unassigned, "open ticket", "open tickets"),
            count(w.past_target, "open ticket", "open tickets"),
        ));
        if let Some(url) = self.queue_link {
            out.push_str(&format!("\nOpen the queue: {url}\n"));
        }
        out.push_str("\nYou get this mail because you asked for a daily summary; turn it off on your account page.\n");
        out
    }
}

/// Where an agent's summaries stand: the day of the latest one tried, how
/// many attempts it had, and when the next is due (`None` once it went).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attempts {
    /// The desk's day of the latest summary tried, if any.
    pub day: Option<i64>,
    /// Attempts made at that day's summary.
    pub made: u32,
    /// When another attempt is due (ms since 1970): the end of the last
    /// attempt's lease, so a run that died mid-send is retried too.
    pub retry_at: Option<i64>,
}

impl Attempts {
    /// The attempt at `day`'s summary that is due at `now`, counted from 1:
    /// the first on a new day, another while the last has not gone and its
    /// wait is over, none after `max` attempts. A summary is of one day, so
    /// a new day starts over and the old day's is not sent.
    pub fn due(&self, day: i64, now: i64, max: u32) -> Option<u32> {
        match self.day {
            Some(last) if last > day => None,
            Some(last) if last == day => match self.retry_at {
                Some(at) if at <= now && self.made < max => Some(self.made + 1),
                _ => None,
            },
            _ => Some(1),
        }
    }
}

/// The summary as an RFC 5322 message.
pub fn compose(envelope: &Envelope<'_>, summary: &Summary<'_>) -> String {
    message(envelope, &summary.subject(), &summary.text())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::DurationStats;

    fn day() -> Metrics {
        Metrics {
            days: 1,
            widget_sessions: 40,
            deflected_sessions: 31,
            deflection_rate: Some(31.0 / 40.0),
            tickets: 12,
            first_response: DurationStats { count: 9, median_minutes: Some(72.0), p90_minutes: Some(300.0) },
            resolution: DurationStats::default(),
            csat_count: 1,
            csat_average: Some(4.0),
            ..Metrics::default()
        }
    }

    #[test]
    fn a_summary_says_the_day_and_what_waits() {
        let d = day();
        let s = Summary {
            day: &d,
            waiting: Waiting { yours: 3, unassigned: 1, past_target: 0 },
            queue_link: Some("https://help.example/dashboard/#/queue"),
        };
        assert_eq!(s.subject(), "Daily summary: 12 new tickets, 3 waiting for you");
        let text = s.text();
        for line in [
            "- Widget: 40 conversations with a question (31 answered there, 78%)",
            "- New tickets: 12",
            "- First response: median 72 min (9 answered)",
            "- Resolution: none yet",
            "- Ratings: 1 rating, average 4.0 of 5",
            "- 3 open tickets yours",
            "- 1 open ticket with no one",
            "- 0 open tickets past an SLA target",
            "Open the queue: https://help.example/dashboard/#/queue",
        ] {
            assert!(text.contains(line), "{line:?} in:\n{text}");
        }
    }

    #[test]
    fn a_summary_is_tried_again_until_it_goes_and_a_new_day_starts_over() {
        let never = Attempts::default();
        assert_eq!(never.due(100, 0, 5), Some(1));
        let leased = Attempts { day: Some(100), made: 1, retry_at: Some(1_000) };
        assert_eq!(leased.due(100, 999, 5), None, "the first attempt's wait is not over");
        assert_eq!(leased.due(100, 1_000, 5), Some(2));
        let sent = Attempts { retry_at: None, ..leased };
        assert_eq!(sent.due(100, 5_000, 5), None, "it went");
        let spent = Attempts { day: Some(100), made: 5, retry_at: Some(0) };
        assert_eq!(spent.due(100, 5_000, 5), None, "five attempts are all");
        assert_eq!(spent.due(101, 5_000, 5), Some(1), "the next day's is new");
        assert_eq!(sent.due(99, 5_000, 5), None, "a day gone by (the clock changed) is not sent again");
    }

    #[test]
    fn a_quiet_day_says_so() {
        let d = Metrics { days: 1, ..Metrics::default() };
        let s = Summary { day: &d, waiting: Waiting::default(), queue_link: None };
        let text = s.text();
        assert!(text.contains("- Widget: 0 conversations with a question\n"), "{text}");
        assert!(text.contains("- Ratings: none") && !text.contains("Open the queue"), "{text}");
        let envelope = Envelope {
            from: "help@shop.example",
            from_name: "Shop",
            to: "bo@shop.example",
            to_name: "Bo",
            message_id: "deflect-summary.1@shop.example",
            sent_at: 0,
        };
        let raw = compose(&envelope, &s);
        assert!(raw.contains("Auto-Submitted: auto-generated"), "{raw}");
        assert!(raw.contains("Subject: Daily summary: 0 new tickets, 0 waiting for you"), "{raw}");
    }
}
