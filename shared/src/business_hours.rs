//! Business hours: SLA clocks that run only while the team works.
//!
//! A team works the same hours on each of its working days, in one fixed
//! offset from UTC, and not on its holidays. Adding `n` business minutes to
//! a moment skips nights, days off and holidays. The offset is fixed (no
//! time-zone database in the wasm programs): a team in a zone with summer
//! time changes it when the clocks change.

use crate::error::Error;
use serde::{Deserialize, Serialize};

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;
const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Most holidays one schedule holds.
pub const MAX_HOLIDAYS: usize = 400;

/// Business hours as an owner writes them in the settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    /// The team's clock, in minutes east of UTC (-720..=840; 60 is
    /// UTC+01:00).
    pub utc_offset_minutes: i32,
    /// Opening time on a working day, `HH:MM`.
    pub open: String,
    /// Closing time, `HH:MM` (`24:00` is midnight at the day's end), after
    /// the opening time.
    pub close: String,
    /// Working days: `mon` … `sun`.
    pub days: Vec<String>,
    /// Days off, `YYYY-MM-DD`, in the team's clock.
    #[serde(default)]
    pub holidays: Vec<String>,
}

impl Default for BusinessHours {
    /// Nine to five, Monday to Friday, in UTC.
    fn default() -> Self {
        BusinessHours {
            utc_offset_minutes: 0,
            open: "09:00".into(),
            close: "17:00".into(),
            days: DAY_NAMES[..5].iter().map(|d| d.to_string()).collect(),
            holidays: Vec::new(),
        }
    }
}

/// Checked business hours, ready for arithmetic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    offset_ms: i64,
    open_ms: i64,
    close_ms: i64,
    /// Bit `i` set: weekday `i` (Monday = 0) is a working day.
    days: u8,
    /// Holidays as days since 1970-01-01, sorted.
    holidays: Vec<i64>,
}

/// Minutes since midnight of `HH:MM` (00:00 to 24:00).
fn clock(field: &str, text: &str) -> Result<i64, Error> {
    let bad = || Error::field(field, format!("{text:?} is not a time of day such as 09:00"));
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (i64, i64) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 24 || m > 59 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 of `YYYY-MM-DD`.
fn date(field: &str, text: &str) -> Result<i64, Error> {
    let bad = || Error::field(field, format!("{text:?} is not a date such as 2026-12-25"));
    let parts: Vec<&str> = text.split('-').collect();
    let [y, m, d] = parts[..] else { return Err(bad()) };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let (y, m, d): (i64, i64, i64) =
        (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || d < 1 || d > month_days[(m - 1) as usize] {
        return Err(bad());
    }
    Ok(days_from_civil(y, m, d))
}

impl BusinessHours {
    /// Checks the hours; the error names the field under `sla.business_hours`.
    pub fn schedule(&self) -> Result<Schedule, Error> {
        let f = |name: &str| format!("sla.business_hours.{name}");
        if !(-720..=840).contains(&self.utc_offset_minutes) {
            return Err(Error::field(f("utc_offset_minutes"), "must be -720 to 840 minutes (UTC-12:00 to UTC+14:00)"));
        }
        let open = clock(&f("open"), &self.open)?;
        let close = clock(&f("close"), &self.close)?;
        if close <= open {
            return Err(Error::field(f("close"), "must be after the opening time"));
        }
        let mut days = 0u8;
        for d in &self.days {
            let i = DAY_NAMES.iter().position(|n| n.eq_ignore_ascii_case(d.trim())).ok_or_else(|| {
                Error::field(f("days"), format!("{d:?} is not one of mon, tue, wed, thu, fri, sat, sun"))
            })?;
            days |= 1 << i;
        }
        if days == 0 {
            return Err(Error::field(f("days"), "name at least one working day"));
        }
        if self.holidays.len() > MAX_HOLIDAYS {
            return Err(Error::field(f("holidays"), format!("at most {MAX_HOLIDAYS} days off")));
        }
        let mut holidays =
            self.holidays.iter().map(|h| date(&f("holidays"), h.trim())).collect::<Result<Vec<i64>, Error>>()?;
        holidays.sort_unstable();
        holidays.dedup();
        Ok(Schedule {
            offset_ms: i64::from(self.utc_offset_minutes) * MINUTE_MS,
            open_ms: open * MINUTE_MS,
            close_ms: close * MINUTE_MS,
            days,
            holidays,
        })
    }
}

/// The most calendar days [`Schedule::add`] walks: a year of targets at one
/// open hour a week, with every holiday, fits well inside.
const MAX_SCAN_DAYS: i64 = 400_000;

impl Schedule {
    fn works_on(&self, day: i64) -> bool {
        // 1970-01-01 was a Thursday (weekday 3, Monday = 0).
        let weekday = (day + 3).rem_euclid(7);
        self.days & (1 << weekday) != 0 && self.holidays.binary_search(&day).is_err()
    }

    /// The moment (ms since the epoch) `minutes` business minutes after
    /// `start_ms`.
    pub fn add(&self, start_ms: i64, minutes: u32) -> i64 {
        let mut t = start_ms + self.offset_ms;
        let mut left = i64::from(minutes) * MINUTE_MS;
        for _ in 0..MAX_SCAN_DAYS {
            let day = t.div_euclid(DAY_MS);
            if self.works_on(day) {
                let (open, close) = (day * DAY_MS + self.open_ms, day * DAY_MS + self.close_ms);
                t = t.max(open);
                if t < close {
                    if left <= close - t {
                        return t + left - self.offset_ms;
                    }
                    left -= close - t;
                }
            }
            t = (day + 1) * DAY_MS;
        }
        // Unreachable for a checked schedule (it has a working day and at
        // most MAX_HOLIDAYS days off); calendar time is the safe answer.
        start_ms + i64::from(minutes) * MINUTE_MS
    }

    /// Business minutes between two moments (0 when `to` is not later).
    pub fn minutes_between(&self, from_ms: i64, to_ms: i64) -> i64 {
        let (mut t, end) = (from_ms + self.offset_ms, to_ms + self.offset_ms);
        let mut total = 0;
        while t < end {
            let day = t.div_euclid(DAY_MS);
            if self.works_on(day) {
                let (open, close) = (day * DAY_MS + self.open_ms, day * DAY_MS + self.close_ms);
                let (a, b) = (t.max(open), end.min(close));
                if b > a {
                    total += b - a;
                }
            }
            t = (day + 1) * DAY_MS;
        }
        total / MINUTE_MS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i64, m: i64, d: i64, h: i64, min: i64) -> i64 {
        days_from_civil(y, m, d) * DAY_MS + (h * 60 + min) * MINUTE_MS
    }

    #[test]
    fn a_friday_afternoon_ticket_is_due_on_monday() {
        let s = BusinessHours::default().schedule().expect("valid");
        // 2026-11-27 is a Friday.
        assert_eq!(s.add(at(2026, 11, 27, 16, 30), 60), at(2026, 11, 30, 9, 30));
        // Before opening, the clock starts at nine.
        assert_eq!(s.add(at(2026, 11, 30, 6, 0), 30), at(2026, 11, 30, 9, 30));
        // Exactly at closing, the target is met at closing.
        assert_eq!(s.add(at(2026, 11, 30, 16, 0), 60), at(2026, 11, 30, 17, 0));
    }

    #[test]
    fn holidays_and_offsets_move_the_clock() {
        let hours =
            BusinessHours { utc_offset_minutes: 60, holidays: vec!["2026-12-25".into()], ..BusinessHours::default() };
        let s = hours.schedule().expect("valid");
        // Thursday 24 Dec, 16:00 local = 15:00 UTC; an hour of work is left
        // that day, the 25th is off, so two hours end at 10:00 local on the
        // 28th (Monday), which is 09:00 UTC.
        assert_eq!(s.add(at(2026, 12, 24, 15, 0), 120), at(2026, 12, 28, 9, 0));
    }

    #[test]
    fn bad_hours_are_refused_in_words() {
        let cases: [(BusinessHours, &str); 7] = [
            (
                BusinessHours { open: "9:00".into(), ..Default::default() },
                "sla.business_hours.open: \"9:00\" is not a time",
            ),
            (BusinessHours { close: "24:30".into(), ..Default::default() }, "sla.business_hours.close: \"24:30\""),
            (BusinessHours { close: "08:00".into(), ..Default::default() }, "must be after the opening time"),
            (BusinessHours { days: vec![], ..Default::default() }, "at least one working day"),
            (BusinessHours { days: vec!["monday".into()], ..Default::default() }, "\"monday\" is not one of"),
            (BusinessHours { utc_offset_minutes: 900, ..Default::default() }, "utc_offset_minutes: must be"),
            (
                BusinessHours { holidays: vec!["2026-02-29".into()], ..Default::default() },
                "\"2026-02-29\" is not a date",
            ),
        ];
        for (hours, want) in cases {
            let e = hours.schedule().expect_err("refused").to_string();
            assert!(e.contains(want), "{e}");
        }
        let leap = BusinessHours { holidays: vec!["2028-02-29".into()], ..Default::default() };
        assert!(leap.schedule().is_ok());
    }

    #[test]
    fn civil_days_match_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
    }

    fn schedule() -> impl proptest::strategy::Strategy<Value = Schedule> {
        use proptest::prelude::*;
        (-720i32..=840, 0i64..=23, 1i64..=24, 1u8..=127, prop::collection::vec(19_000i64..21_000, 0..20)).prop_map(
            |(offset, open_h, len_h, days, holidays)| {
                let open = open_h * 60;
                let close = (open + len_h * 60).min(24 * 60);
                let open = open.min(close - 60);
                let mut holidays = holidays;
                holidays.sort_unstable();
                holidays.dedup();
                Schedule {
                    offset_ms: i64::from(offset) * MINUTE_MS,
                    open_ms: open * MINUTE_MS,
                    close_ms: close * MINUTE_MS,
                    days,
                    holidays,
                }
            },
        )
    }

    proptest::proptest! {
        /// The due time is never sooner than calendar time, holds exactly
        /// the asked business minutes, and falls inside working hours.
        #[test]
        fn adding_business_minutes_is_exact(s in schedule(), start in 1_600_000_000_000i64..1_900_000_000_000, n in 1u32..20_000) {
            let due = s.add(start, n);
            proptest::prop_assert!(due >= start + i64::from(n) * MINUTE_MS);
            proptest::prop_assert_eq!(s.minutes_between(start, due), i64::from(n));
            let local = due + s.offset_ms;
            let (day, time) = (local.div_euclid(DAY_MS), local.rem_euclid(DAY_MS));
            let at_midnight_close = time == 0 && s.close_ms == DAY_MS && s.works_on(day - 1);
            proptest::prop_assert!(at_midnight_close || (s.works_on(day) && time > s.open_ms && time <= s.close_ms));
        }

        /// Adding in two steps is adding once.
        #[test]
        fn adding_is_additive(s in schedule(), start in 1_600_000_000_000i64..1_900_000_000_000, a in 1u32..5_000, b in 1u32..5_000) {
            proptest::prop_assert_eq!(s.add(s.add(start, a), b), s.add(start, a + b));
        }
    }

    #[test]
    fn around_the_clock_is_calendar_time() {
        let all = BusinessHours {
            open: "00:00".into(),
            close: "24:00".into(),
            days: DAY_NAMES.iter().map(|d| d.to_string()).collect(),
            ..BusinessHours::default()
        };
        let s = all.schedule().expect("valid");
        let start = at(2026, 11, 25, 13, 7) + 1234;
        for n in [1, 59, 60, 1440, 100_000] {
            assert_eq!(s.add(start, n), start + i64::from(n) * MINUTE_MS);
        }
    }
}
