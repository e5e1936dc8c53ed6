//! Business hours: SLA clocks that run only while the team works.
//!
//! A team works the same hours on each of its working days, in its own
//! clock, and not on its holidays. Adding `n` business minutes to a moment
//! skips nights, days off and holidays. The clock is a standard offset from
//! UTC and, where the team has summer time, one of the common summer-time
//! rules ([`SummerTime`]), an hour ahead between its switch days; that
//! covers Europe, North America, south-east Australia and New Zealand
//! without a time-zone database in the wasm programs. Each day's hours take
//! that day's offset (the clocks change at night).

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
    /// The summer-time rule of the team's place, if it has one; the offset
    /// above is then its winter (standard) offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summer_time: Option<SummerTime>,
}

/// When clocks go an hour ahead for the summer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SummerTime {
    /// European Union, United Kingdom: the last Sunday of March to the last
    /// Sunday of October.
    Eu,
    /// United States, Canada: the second Sunday of March to the first
    /// Sunday of November.
    Us,
    /// South-east Australia: the first Sunday of October to the first
    /// Sunday of April.
    Au,
    /// New Zealand: the last Sunday of September to the first Sunday of
    /// April.
    Nz,
}

const SUNDAY: i64 = 6;

/// Weekday of a day since 1970-01-01 (Monday = 0; that day was a Thursday).
fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

/// The `n`-th (1-based) Sunday of a month, as days since 1970-01-01.
fn nth_sunday(y: i64, m: i64, n: i64) -> i64 {
    let first = days_from_civil(y, m, 1);
    first + (SUNDAY - weekday(first)).rem_euclid(7) + 7 * (n - 1)
}

/// The last Sunday of a month.
fn last_sunday(y: i64, m: i64) -> i64 {
    let last = if m == 12 { days_from_civil(y + 1, 1, 1) } else { days_from_civil(y, m + 1, 1) } - 1;
    last - (weekday(last) - SUNDAY).rem_euclid(7)
}

/// The year a day since 1970-01-01 falls in.
fn year_of(day: i64) -> i64 {
    let mut y = 1970 + day.div_euclid(366);
    while days_from_civil(y + 1, 1, 1) <= day {
        y += 1;
    }
    y
}

impl SummerTime {
    /// Every rule, in the order the settings page lists them.
    pub const ALL: [SummerTime; 4] = [SummerTime::Eu, SummerTime::Us, SummerTime::Au, SummerTime::Nz];

    /// The settings' name of the rule.
    pub fn as_str(self) -> &'static str {
        match self {
            SummerTime::Eu => "eu",
            SummerTime::Us => "us",
            SummerTime::Au => "au",
            SummerTime::Nz => "nz",
        }
    }

    /// Reads a settings' name; `None` for any other.
    pub fn parse(name: &str) -> Option<SummerTime> {
        SummerTime::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// Whether clocks are an hour ahead on this (local) day: from the
    /// switch Sunday in spring, up to the switch Sunday in autumn.
    pub fn on(self, day: i64) -> bool {
        let y = year_of(day);
        match self {
            SummerTime::Eu => (last_sunday(y, 3)..last_sunday(y, 10)).contains(&day),
            SummerTime::Us => (nth_sunday(y, 3, 2)..nth_sunday(y, 11, 1)).contains(&day),
            SummerTime::Au => day < nth_sunday(y, 4, 1) || day >= nth_sunday(y, 10, 1),
            SummerTime::Nz => day < nth_sunday(y, 4, 1) || day >= last_sunday(y, 9),
        }
    }
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
            summer_time: None,
        }
    }
}

impl BusinessHours {
    /// The hours in words, for people: "mon–fri 09:00–17:00, UTC+01:00
    /// with summer time as in the EU, 2 days off". Runs of three or more
    /// working days are written as a range.
    pub fn describe(&self) -> String {
        let mut on: Vec<usize> =
            self.days.iter().filter_map(|d| DAY_NAMES.iter().position(|n| n.eq_ignore_ascii_case(d.trim()))).collect();
        on.sort_unstable();
        on.dedup();
        let mut runs: Vec<String> = Vec::new();
        let mut i = 0;
        while i < on.len() {
            let mut j = i;
            while j + 1 < on.len() && on[j + 1] == on[j] + 1 {
                j += 1;
            }
            match j - i {
                0 => runs.push(DAY_NAMES[on[i]].to_string()),
                1 => runs.extend([DAY_NAMES[on[i]].to_string(), DAY_NAMES[on[j]].to_string()]),
                _ => runs.push(format!("{}–{}", DAY_NAMES[on[i]], DAY_NAMES[on[j]])),
            }
            i = j + 1;
        }
        let offset = self.utc_offset_minutes;
        let sign = if offset < 0 { '-' } else { '+' };
        let mut words = format!(
            "{} {}–{}, UTC{sign}{:02}:{:02}",
            runs.join(", "),
            self.open,
            self.close,
            offset.unsigned_abs() / 60,
            offset.unsigned_abs() % 60
        );
        if let Some(rule) = self.summer_time {
            let place = match rule {
                SummerTime::Eu => "the EU",
                SummerTime::Us => "the US",
                SummerTime::Au => "south-east Australia",
                SummerTime::Nz => "New Zealand",
            };
            words.push_str(&format!(" with summer time as in {place}"));
        }
        match self.holidays.len() {
            0 => {}
            1 => words.push_str(", 1 day off"),
            n => words.push_str(&format!(", {n} days off")),
        }
        words
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
    summer: Option<SummerTime>,
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
            summer: self.summer_time,
        })
    }
}

/// The most calendar days [`Schedule::add`] walks: a year of targets at one
/// open hour a week, with every holiday, fits well inside.
const MAX_SCAN_DAYS: i64 = 400_000;

impl Schedule {
    fn works_on(&self, day: i64) -> bool {
        self.days & (1 << weekday(day)) != 0 && self.holidays.binary_search(&day).is_err()
    }

    /// The team's offset from UTC on a (local) day.
    fn offset_on(&self, day: i64) -> i64 {
        match self.summer {
            Some(rule) if rule.on(day) => self.offset_ms + 60 * MINUTE_MS,
            _ => self.offset_ms,
        }
    }

    /// The team's day at a moment: the day whose local midnight, at that
    /// day's own offset, is the last one before it. The day the clocks go
    /// forward begins an hour before the standard offset's midnight, so a
    /// guess from the standard offset is moved to it.
    fn local_day(&self, utc_ms: i64) -> i64 {
        let midnight = |day: i64| day * DAY_MS - self.offset_on(day);
        let mut day = (utc_ms + self.offset_ms).div_euclid(DAY_MS);
        while utc_ms >= midnight(day + 1) {
            day += 1;
        }
        while utc_ms < midnight(day) {
            day -= 1;
        }
        day
    }

    /// A working day's hours as moments (UTC), or `None` on a day off.
    fn window(&self, day: i64) -> Option<(i64, i64)> {
        let base = day * DAY_MS - self.offset_on(day);
        self.works_on(day).then(|| (base + self.open_ms, base + self.close_ms))
    }

    /// The moment (ms since the epoch) `minutes` business minutes after
    /// `start_ms`.
    pub fn add(&self, start_ms: i64, minutes: u32) -> i64 {
        // `t` only moves forward, so the hour a day gains when the clocks
        // go forward is not counted twice.
        let mut t = start_ms;
        let mut left = i64::from(minutes) * MINUTE_MS;
        let first = self.local_day(start_ms) - 1;
        for day in first..first + MAX_SCAN_DAYS {
            if let Some((open, close)) = self.window(day) {
                t = t.max(open);
                if t < close {
                    if left <= close - t {
                        return t + left;
                    }
                    left -= close - t;
                    t = close;
                }
            }
        }
        // Unreachable for a checked schedule (it has a working day and at
        // most MAX_HOLIDAYS days off); calendar time is the safe answer.
        start_ms + i64::from(minutes) * MINUTE_MS
    }

    /// The team's day (days since 1970-01-01, in its clock) at a moment.
    pub fn day_of(&self, utc_ms: i64) -> i64 {
        self.local_day(utc_ms)
    }

    /// The first moment at or after `ms` when the team is at work: `ms`
    /// itself during business hours, else the next opening.
    pub fn next_open(&self, ms: i64) -> i64 {
        self.add(ms, 0)
    }

    /// Business minutes between two moments (0 when `to` is not later).
    pub fn minutes_between(&self, from_ms: i64, to_ms: i64) -> i64 {
        let mut t = from_ms;
        let mut total = 0;
        if to_ms <= from_ms {
            return 0;
        }
        for day in self.local_day(from_ms) - 1..=self.local_day(to_ms) {
            if let Some((open, close)) = self.window(day) {
                let (a, b) = (t.max(open), to_ms.min(close));
                if b > a {
                    total += b - a;
                    t = b;
                }
            }
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
    fn the_next_opening_is_now_during_hours_and_the_next_morning_after() {
        let s = BusinessHours::default().schedule().expect("valid");
        // Friday 27 November 2026.
        assert_eq!(s.next_open(at(2026, 11, 27, 10, 0)), at(2026, 11, 27, 10, 0), "open: now");
        assert_eq!(s.next_open(at(2026, 11, 27, 6, 0)), at(2026, 11, 27, 9, 0), "before opening");
        assert_eq!(s.next_open(at(2026, 11, 27, 17, 0)), at(2026, 11, 30, 9, 0), "at closing: Monday");
        assert_eq!(s.next_open(at(2026, 11, 28, 12, 0)), at(2026, 11, 30, 9, 0), "Saturday: Monday");
    }

    #[test]
    fn hours_are_described_in_words() {
        assert_eq!(BusinessHours::default().describe(), "mon–fri 09:00–17:00, UTC+00:00");
        let odd = BusinessHours {
            utc_offset_minutes: -570,
            open: "08:30".into(),
            close: "24:00".into(),
            days: vec!["sun".into(), "Mon".into(), "tue".into(), "thu".into(), "fri".into(), "sat".into()],
            holidays: vec!["2026-12-25".into(), "2026-12-26".into()],
            summer_time: Some(SummerTime::Nz),
        };
        assert_eq!(
            odd.describe(),
            "mon, tue, thu–sun 08:30–24:00, UTC-09:30 with summer time as in New Zealand, 2 days off"
        );
        let one = BusinessHours { days: vec!["wed".into()], holidays: vec!["2026-12-25".into()], ..Default::default() };
        assert_eq!(one.describe(), "wed 09:00–17:00, UTC+00:00, 1 day off");
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
    fn summer_time_switches_on_the_right_sundays() {
        let d = days_from_civil;
        for (rule, spring, autumn) in [
            (SummerTime::Eu, d(2026, 3, 29), d(2026, 10, 25)),
            (SummerTime::Us, d(2026, 3, 8), d(2026, 11, 1)),
            (SummerTime::Eu, d(2027, 3, 28), d(2027, 10, 31)),
            (SummerTime::Us, d(2027, 3, 14), d(2027, 11, 7)),
        ] {
            assert!(!rule.on(spring - 1) && rule.on(spring), "{rule:?} starts {spring}");
            assert!(rule.on(autumn - 1) && !rule.on(autumn), "{rule:?} ends {autumn}");
            assert!(!rule.on(d(2026, 12, 25)) && rule.on(d(2026, 7, 1)), "{rule:?}");
        }
        // The southern hemisphere: summer across the new year.
        assert!(SummerTime::Au.on(d(2026, 4, 4)) && !SummerTime::Au.on(d(2026, 4, 5)));
        assert!(!SummerTime::Au.on(d(2026, 10, 3)) && SummerTime::Au.on(d(2026, 10, 4)));
        assert!(!SummerTime::Nz.on(d(2026, 9, 26)) && SummerTime::Nz.on(d(2026, 9, 27)));
        assert!(SummerTime::Nz.on(d(2027, 1, 15)) && !SummerTime::Nz.on(d(2026, 7, 1)));
        assert_eq!(year_of(d(2024, 12, 31)), 2024);
        assert_eq!(year_of(d(2025, 1, 1)), 2025);
        assert_eq!(year_of(-1), 1969);
        for rule in SummerTime::ALL {
            assert_eq!(SummerTime::parse(rule.as_str()), Some(rule));
            assert_eq!(serde_json::to_value(rule).ok(), Some(serde_json::Value::from(rule.as_str())), "the wire name");
        }
        assert_eq!(SummerTime::parse("mars"), None);
    }

    #[test]
    fn a_london_team_opens_at_nine_local_in_summer_and_winter() {
        let hours = BusinessHours { summer_time: Some(SummerTime::Eu), ..BusinessHours::default() };
        let s = hours.schedule().expect("valid");
        // Friday 3 July 2026, 17:00 UTC = 18:00 BST, after closing: an hour
        // of work ends Monday at 10:00 BST, which is 09:00 UTC.
        assert_eq!(s.add(at(2026, 7, 3, 17, 0), 60), at(2026, 7, 6, 9, 0));
        // In winter nine o'clock is nine UTC.
        assert_eq!(s.add(at(2026, 12, 4, 17, 0), 60), at(2026, 12, 7, 10, 0));
        // Across the autumn switch (Sunday 25 October): Friday 16:00 UTC is
        // 17:00 BST, closing time; Monday opens at 09:00 GMT.
        assert_eq!(s.add(at(2026, 10, 23, 16, 0), 30), at(2026, 10, 26, 9, 30));
        assert_eq!(s.minutes_between(at(2026, 10, 23, 15, 0), at(2026, 10, 26, 9, 30)), 60 + 30);
        // New York in March, after the switch on the 8th: 09:00 EDT is 13:00 UTC.
        let ny = BusinessHours { utc_offset_minutes: -300, summer_time: Some(SummerTime::Us), ..Default::default() };
        let s = ny.schedule().expect("valid");
        assert_eq!(s.add(at(2026, 3, 9, 12, 0), 15), at(2026, 3, 9, 13, 15));
        assert_eq!(s.add(at(2026, 3, 2, 12, 0), 15), at(2026, 3, 2, 14, 15), "EST before the switch");
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
        let summer = prop_oneof![
            Just(None),
            Just(Some(SummerTime::Eu)),
            Just(Some(SummerTime::Us)),
            Just(Some(SummerTime::Au)),
            Just(Some(SummerTime::Nz)),
        ];
        (-720i32..=840, 0i64..=23, 1i64..=24, 1u8..=127, prop::collection::vec(19_000i64..21_000, 0..20), summer)
            .prop_map(|(offset, open_h, len_h, days, holidays, summer)| {
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
                    summer,
                }
            })
    }

    /// Found by the property below: the day the clocks go forward starts
    /// an hour before the standard offset's midnight, and a due time in
    /// that hour belongs to it.
    #[test]
    fn an_hour_worked_at_the_start_of_the_day_the_clocks_go_forward_counts() {
        let s = Schedule {
            offset_ms: 0,
            open_ms: 0,
            close_ms: 60 * MINUTE_MS,
            days: 93,
            holidays: Vec::new(),
            summer: Some(SummerTime::Nz),
        };
        let start = 1_847_320_620_001;
        let due = s.add(start, 18_863);
        assert_eq!(s.minutes_between(start, due), 18_863);
        let switch = last_sunday(2028, 9);
        assert_eq!(s.local_day(switch * DAY_MS - 30 * MINUTE_MS), switch);
        assert_eq!(s.local_day(switch * DAY_MS - 90 * MINUTE_MS), switch - 1);
    }

    proptest::proptest! {
        /// The due time is never sooner than calendar time, holds exactly
        /// the asked business minutes, and falls inside working hours.
        #[test]
        fn adding_business_minutes_is_exact(s in schedule(), start in 1_600_000_000_000i64..1_900_000_000_000, n in 1u32..20_000) {
            let due = s.add(start, n);
            proptest::prop_assert!(due >= start + i64::from(n) * MINUTE_MS);
            proptest::prop_assert_eq!(s.minutes_between(start, due), i64::from(n));
            let day = s.local_day(due);
            let inside = (day - 1..=day + 1).any(|d| s.window(d).is_some_and(|(open, close)| due > open && due <= close));
            proptest::prop_assert!(inside, "{} is outside the working hours", due);
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
