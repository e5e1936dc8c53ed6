//! Data retention: how long Deflect keeps a customer's personal data after
//! their last contact, when the owner sets a limit. Past it, the cron
//! erases the customer (as an erasure request would) and clears the text of
//! old widget questions; the figures stay.

use crate::error::Error;

/// Shortest retention an owner can set, in days: long enough for a
/// conversation to end and its follow-ups to be answered.
pub const MIN_DAYS: u32 = 30;

/// Longest retention an owner can set, in days (ten years).
pub const MAX_DAYS: u32 = 3650;

const DAY_MS: i64 = 86_400_000;

/// Checks a retention setting; `None` keeps data until it is erased by
/// hand.
pub fn validate(days: Option<u32>) -> Result<Option<u32>, Error> {
    match days {
        Some(d) if !(MIN_DAYS..=MAX_DAYS).contains(&d) => Err(Error::field(
            "retention_days",
            format!("keep data {MIN_DAYS} to {MAX_DAYS} days, or leave it empty to keep it until erased by hand"),
        )),
        other => Ok(other),
    }
}

/// The time (ms since the epoch) before which a last contact is too old to
/// keep, at `now` with a limit of `days`.
pub fn cutoff(now_ms: i64, days: u32) -> i64 {
    now_ms.saturating_sub(i64::from(days) * DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_checked_in_words() {
        assert_eq!(validate(None), Ok(None));
        assert_eq!(validate(Some(MIN_DAYS)), Ok(Some(MIN_DAYS)));
        assert_eq!(validate(Some(MAX_DAYS)), Ok(Some(MAX_DAYS)));
        for bad in [0, MIN_DAYS - 1, MAX_DAYS + 1] {
            let e = validate(Some(bad)).expect_err("refused");
            assert!(e.to_string().starts_with("retention_days: keep data 30 to 3650 days"), "{e}");
        }
    }

    #[test]
    fn the_cutoff_is_whole_days_back() {
        assert_eq!(cutoff(100 * DAY_MS, 30), 70 * DAY_MS);
        assert_eq!(cutoff(i64::MIN + 5, 30), i64::MIN, "saturates instead of wrapping");
    }
}
