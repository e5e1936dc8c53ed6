//! Service-level targets: first response and resolution time per priority.

use crate::business_hours::BusinessHours;
use crate::priority::Level;
use serde::{Deserialize, Serialize};

/// Targets for one level, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTarget {
    /// Minutes until the first agent reply is due (1..=100_000).
    pub first_response_minutes: u32,
    /// Minutes until the ticket should be solved (1..=1_000_000).
    pub resolution_minutes: u32,
}

/// Targets for every level, counted in calendar time or, when set, in
/// business hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicy {
    /// Low priority.
    pub low: SlaTarget,
    /// Normal priority.
    pub normal: SlaTarget,
    /// High priority.
    pub high: SlaTarget,
    /// Urgent priority.
    pub urgent: SlaTarget,
    /// When set, the targets count only the team's working hours.
    #[serde(default)]
    pub business_hours: Option<BusinessHours>,
}

impl Default for SlaPolicy {
    fn default() -> Self {
        let t = |f, r| SlaTarget { first_response_minutes: f, resolution_minutes: r };
        SlaPolicy {
            low: t(24 * 60, 7 * 24 * 60),
            normal: t(8 * 60, 3 * 24 * 60),
            high: t(2 * 60, 24 * 60),
            urgent: t(30, 4 * 60),
            business_hours: None,
        }
    }
}

const MINUTE_MS: i64 = 60_000;

/// When a ticket's targets fall due, in milliseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaDue {
    /// First response due.
    pub first_response_due: i64,
    /// Resolution due.
    pub resolution_due: i64,
}

/// The state of the clock that matters now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SlaState {
    /// Every target was met (or the ticket is solved in time).
    Met,
    /// The nearest target is `minutes_left` away.
    Running {
        /// Which target: `first_response` or `resolution`.
        target: &'static str,
        /// Minutes left (rounded down).
        minutes_left: i64,
        /// The target's length in minutes.
        target_minutes: i64,
    },
    /// A target was missed.
    Breached {
        /// Which one.
        target: &'static str,
        /// Minutes past due.
        minutes_over: i64,
    },
}

impl SlaPolicy {
    /// Targets of a level.
    pub fn target(&self, level: Level) -> SlaTarget {
        match level {
            Level::Low => self.low,
            Level::Normal => self.normal,
            Level::High => self.high,
            Level::Urgent => self.urgent,
        }
    }

    /// Due times of a ticket created at `created_ms` with `level`: the
    /// targets' minutes later, in business minutes when the policy has
    /// (valid) business hours.
    pub fn due(&self, created_ms: i64, level: Level) -> SlaDue {
        let t = self.target(level);
        match self.business_hours.as_ref().map(BusinessHours::schedule) {
            Some(Ok(s)) => SlaDue {
                first_response_due: s.add(created_ms, t.first_response_minutes),
                resolution_due: s.add(created_ms, t.resolution_minutes),
            },
            _ => SlaDue {
                first_response_due: created_ms + i64::from(t.first_response_minutes) * MINUTE_MS,
                resolution_due: created_ms + i64::from(t.resolution_minutes) * MINUTE_MS,
            },
        }
    }

    /// The resolution deadline after a pause from `paused_from` to `now`
    /// (the ticket waited for the customer): the working time that was
    /// left when the pause began is left again now. A deadline already
    /// missed when the pause began stays where it was.
    pub fn resume(&self, due_ms: i64, paused_from: i64, now_ms: i64) -> i64 {
        if now_ms <= paused_from || due_ms <= paused_from {
            return due_ms;
        }
        match self.business_hours.as_ref().map(BusinessHours::schedule) {
            Some(Ok(s)) => match u32::try_from(s.minutes_between(paused_from, due_ms)) {
                Ok(0) | Err(_) => due_ms.max(now_ms),
                Ok(left) => s.add(now_ms, left),
            },
            _ => due_ms + (now_ms - paused_from),
        }
    }

    /// The working minutes a resumed deadline gained: from `before` (the
    /// deadline when the pause began) to `after` ([`SlaPolicy::resume`]'s
    /// answer). Kept on the ticket, so a later change of priority keeps the
    /// time it waited for the customer.
    pub fn credit(&self, before_ms: i64, after_ms: i64) -> i64 {
        if after_ms <= before_ms {
            return 0;
        }
        match self.business_hours.as_ref().map(BusinessHours::schedule) {
            Some(Ok(s)) => s.minutes_between(before_ms, after_ms),
            _ => (after_ms - before_ms) / MINUTE_MS,
        }
    }

    /// Due times of a ticket created at `created_ms` at `level` that has
    /// waited `credit_minutes` (working minutes) for its customer: the
    /// resolution deadline moves by the credit, the first response does
    /// not (it never pauses).
    pub fn due_after_pauses(&self, created_ms: i64, level: Level, credit_minutes: i64) -> SlaDue {
        let base = self.due(created_ms, level);
        let Ok(credit) = u32::try_from(credit_minutes) else {
            return base;
        };
        if credit == 0 {
            return base;
        }
        let resolution_due = match self.business_hours.as_ref().map(BusinessHours::schedule) {
            Some(Ok(s)) => s.add(base.resolution_due, credit),
            _ => base.resolution_due + i64::from(credit) * MINUTE_MS,
        };
        SlaDue { resolution_due, ..base }
    }

    /// Checks that every target is in range, and the business hours.
    pub fn validate(&self) -> Result<(), crate::Error> {
        if let Some(h) = &self.business_hours {
            h.schedule()?;
        }
        for level in Level::ALL {
            let t = self.target(level);
            if t.first_response_minutes == 0
                || t.first_response_minutes > 100_000
                || t.resolution_minutes == 0
                || t.resolution_minutes > 1_000_000
                || t.resolution_minutes < t.first_response_minutes
            {
                return Err(crate::Error::field(
                    format!("sla.{}", level.as_str()),
                    "targets must be positive, first response at most 100000 minutes, and resolution no sooner than first response",
                ));
            }
        }
        Ok(())
    }
}

/// The SLA state of a ticket at `now_ms`, against the deadlines it was
/// given (`due`, fixed when it was created or its priority changed, so a
/// later change of policy does not move them). `first_response_ms` and
/// `solved_ms` are when those happened, if they have.
pub fn state(
    due: SlaDue,
    created_ms: i64,
    first_response_ms: Option<i64>,
    solved_ms: Option<i64>,
    now_ms: i64,
) -> SlaState {
    let check = |name: &'static str, due_ms: i64, done: Option<i64>| -> Option<SlaState> {
        match done {
            Some(at) if at <= due_ms => None,
            Some(at) => Some(SlaState::Breached { target: name, minutes_over: (at - due_ms) / MINUTE_MS }),
            None if now_ms > due_ms => {
                Some(SlaState::Breached { target: name, minutes_over: (now_ms - due_ms) / MINUTE_MS })
            }
            None => Some(SlaState::Running {
                target: name,
                minutes_left: (due_ms - now_ms) / MINUTE_MS,
                target_minutes: (due_ms - created_ms) / MINUTE_MS,
            }),
        }
    };
    let first = check("first_response", due.first_response_due, first_response_ms.or(solved_ms));
    let resolution = check("resolution", due.resolution_due, solved_ms);
    match (first, resolution) {
        (Some(b @ SlaState::Breached { .. }), _) | (_, Some(b @ SlaState::Breached { .. })) => b,
        (Some(r), _) | (None, Some(r)) => r,
        (None, None) => SlaState::Met,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_pause_moves_the_deadline_by_the_time_it_took() {
        let p = SlaPolicy::default();
        let h = 3_600_000;
        assert_eq!(p.resume(10 * h, 2 * h, 5 * h), 13 * h, "calendar: three hours later");
        assert_eq!(p.resume(10 * h, 11 * h, 12 * h), 10 * h, "missed before the pause: stays missed");
        // Business hours, nine to five on weekdays: paused from Friday 16:00
        // to Monday 08:00 with an hour left (due Monday 10:00 counts the
        // Friday hour and an hour on Monday), two working hours remain.
        let b = SlaPolicy { business_hours: Some(crate::business_hours::BusinessHours::default()), ..p };
        let day = 86_400_000;
        let friday = 20_420 * day; // 2025-11-28
        let monday = friday + 3 * day;
        assert_eq!(b.resume(monday + 10 * h, friday + 16 * h, monday + 8 * h), monday + 11 * h);
    }

    use super::*;

    const H: i64 = 60 * MINUTE_MS;

    #[test]
    fn clock_runs_then_breaches() {
        let p = SlaPolicy::default();
        assert_eq!(
            state(p.due(0, Level::Urgent), 0, None, None, 10 * MINUTE_MS),
            SlaState::Running { target: "first_response", minutes_left: 20, target_minutes: 30 }
        );
        assert_eq!(
            state(p.due(0, Level::Urgent), 0, None, None, H),
            SlaState::Breached { target: "first_response", minutes_over: 30 }
        );
        // Answered in time: the resolution clock is the one that runs.
        assert!(matches!(
            state(p.due(0, Level::Urgent), 0, Some(5 * MINUTE_MS), None, H),
            SlaState::Running { target: "resolution", minutes_left: 180, .. }
        ));
        assert_eq!(state(p.due(0, Level::Urgent), 0, Some(MINUTE_MS), Some(H), 10 * H), SlaState::Met);
    }

    /// A ticket waits for its customer, then its priority changes: the new
    /// level's deadline keeps the wait, in calendar and in business time.
    #[test]
    fn a_new_priority_keeps_the_time_waited_for_the_customer() {
        let calendar = SlaPolicy::default();
        let business =
            SlaPolicy { business_hours: Some(crate::business_hours::BusinessHours::default()), ..calendar.clone() };
        let day = 86_400_000;
        let created = 20_420 * day + 10 * H; // Friday 2025-11-28, 10:00 UTC
        for p in [calendar, business] {
            let due = p.due(created, Level::Normal);
            // Pending from 11:00 to 15:00 the same day.
            let (from, to) = (created + H, created + 5 * H);
            let resumed = p.resume(due.resolution_due, from, to);
            let credit = p.credit(due.resolution_due, resumed);
            assert_eq!(credit, 240, "four working hours: {p:?}");
            assert_eq!(p.due_after_pauses(created, Level::Normal, credit).resolution_due, resumed, "{p:?}");
            let urgent = p.due_after_pauses(created, Level::Urgent, credit);
            let plain = p.due(created, Level::Urgent);
            assert_eq!(urgent.first_response_due, plain.first_response_due, "the first response never pauses");
            assert_eq!(p.credit(plain.resolution_due, urgent.resolution_due), credit);
            assert_eq!(p.due_after_pauses(created, Level::Urgent, 0), plain);
            assert_eq!(p.due_after_pauses(created, Level::Urgent, -5), plain, "a negative credit is none");
        }
        assert_eq!(SlaPolicy::default().credit(10 * H, 9 * H), 0);
    }

    #[test]
    fn validation() {
        let mut p = SlaPolicy::default();
        assert!(p.validate().is_ok());
        p.high.resolution_minutes = 1;
        assert!(p.validate().unwrap_err().to_string().starts_with("sla.high"));
    }
}
