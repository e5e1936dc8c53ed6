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
fn civil_from_days(z: i64) -> (i64, u32, u32) {
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
}
