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

#[cfg(test)]
mod tests {
    use super::*;

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
