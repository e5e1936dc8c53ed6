//! How many wrong attempts one login takes before it waits: the per-address
//! rate limit slows one client, but guesses spread over many addresses
//! would still reach one account. So every failed attempt for a login (a
//! wrong password, a wrong second-step code, or an address with no agent,
//! counted alike so the answer tells no one which addresses exist) is kept
//! for [`WINDOW_MS`], and after [`MAX_FAILURES`] of them that login waits
//! until the oldest leaves the window. Setting a new password (from a
//! mailed link, which the waiting login can still ask for) starts the count
//! over.

/// How long a failed attempt counts.
pub const WINDOW_MS: i64 = 15 * 60_000;

/// Failed attempts within the window after which a login waits.
pub const MAX_FAILURES: usize = 10;

/// How long a login with failures at these times (ms, any order) must wait
/// at `now_ms` before it may be tried again, or `None` when it need not.
pub fn wait_ms(failures: &[i64], now_ms: i64) -> Option<i64> {
    let mut recent: Vec<i64> = failures.iter().copied().filter(|at| now_ms - at < WINDOW_MS).collect();
    if recent.len() < MAX_FAILURES {
        return None;
    }
    recent.sort_unstable_by(|a, b| b.cmp(a));
    // Once the MAX_FAILURES-th newest leaves the window, fewer remain.
    let oldest_that_counts = recent[MAX_FAILURES - 1];
    Some((oldest_that_counts + WINDOW_MS - now_ms).max(1))
}

/// The wait in words: "3 minutes", "1 minute" (rounded up).
pub fn wait_in_words(wait_ms: i64) -> String {
    let minutes = (wait_ms + 59_999) / 60_000;
    format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_waits_only_after_enough_recent_failures_and_until_the_oldest_that_counts_leaves() {
        let now = 10 * WINDOW_MS;
        let nine: Vec<i64> = (1..=9).map(|i| now - i * 1_000).collect();
        assert_eq!(wait_ms(&nine, now), None);
        let mut ten = nine.clone();
        ten.push(now - 60_000);
        // The oldest of the ten failed a minute ago: 14 minutes to go.
        assert_eq!(wait_ms(&ten, now), Some(WINDOW_MS - 60_000));
        assert_eq!(wait_in_words(WINDOW_MS - 60_000), "14 minutes");
        // Failures older than the window do not count.
        let mut stale = nine.clone();
        stale.push(now - WINDOW_MS);
        assert_eq!(wait_ms(&stale, now), None);
        // With more than ten, the tenth newest decides.
        let mut twelve = ten.clone();
        twelve.extend([now - 120_000, now - 180_000]);
        assert_eq!(wait_ms(&twelve, now), Some(WINDOW_MS - 60_000));
        assert_eq!(wait_in_words(1), "1 minute");
        assert_eq!(wait_in_words(60_001), "2 minutes");
    }
}
