//! The sliding-window estimate behind the public API's rate limits.
//!
//! The store keeps one [`Counter`] per client: the counts of its current
//! fixed one-minute window and of the window before. A fixed window alone lets a client send twice the limit across a window's
//! edge; the estimate instead adds the earlier window's count, weighted by
//! how much of it still lies within the last minute (as if its requests had
//! been spread evenly).

/// The length of a window.
pub const WINDOW_MS: i64 = 60_000;

/// The fixed window `now_ms` falls in.
pub fn window(now_ms: i64) -> i64 {
    now_ms.div_euclid(WINDOW_MS)
}

/// A client's counts as stored: one record, read and written once per
/// request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    /// The window `current` counts.
    pub window: i64,
    /// Requests in that window.
    pub current: u64,
    /// Requests in the window before it.
    pub previous: u64,
}

impl Counter {
    /// Counts one request at `now_ms` on top of what was stored (`None`, or
    /// a record that does not read, counts as nothing).
    pub fn hit(stored: Option<Counter>, now_ms: i64) -> Counter {
        let w = window(now_ms);
        match stored {
            Some(c) if c.window == w => Counter { current: c.current.saturating_add(1), ..c },
            Some(c) if c.window == w - 1 => Counter { window: w, current: 1, previous: c.current },
            _ => Counter { window: w, current: 1, previous: 0 },
        }
    }

    /// The stored form: "window current previous".
    pub fn encode(&self) -> String {
        format!("{} {} {}", self.window, self.current, self.previous)
    }

    /// Reads the stored form; `None` for anything else.
    pub fn decode(text: &str) -> Option<Counter> {
        let mut parts = text.split(' ');
        let c = Counter {
            window: parts.next()?.parse().ok()?,
            current: parts.next()?.parse().ok()?,
            previous: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(c)
    }

    /// The requests of the last minute at `now_ms` ([`estimate`]).
    pub fn estimate(&self, now_ms: i64) -> u64 {
        estimate(self.previous, self.current, now_ms)
    }
}

/// The requests of the last minute: `current` (this request included) in
/// the window of `now_ms` and `previous` in the window before it.
pub fn estimate(previous: u64, current: u64, now_ms: i64) -> u64 {
    let into = now_ms.rem_euclid(WINDOW_MS);
    let carried = u128::from(previous) * (WINDOW_MS - into) as u128 / WINDOW_MS as u128;
    current.saturating_add(carried as u64)
}

/// Whole seconds, at least one, until one more request would be estimated
/// at most `max` again, for the `Retry-After` of a refused request (whose
/// own count is in `current`).
pub fn retry_after_secs(previous: u64, current: u64, now_ms: i64, max: u64) -> u64 {
    let into = now_ms.rem_euclid(WINDOW_MS);
    // The earliest time into a window at which `count` requests of the
    // window before it weigh at most `room`: count·(W − t)/W ≤ room.
    let earliest = |count: u64, room: u64| -> i64 {
        if count <= room { 0 } else { WINDOW_MS - (u128::from(room) * WINDOW_MS as u128 / u128::from(count)) as i64 }
    };
    let wait_ms = match max.checked_sub(current.saturating_add(1)) {
        // Later in this window, with `previous` fading.
        Some(room) if earliest(previous, room) < WINDOW_MS => (earliest(previous, room) - into).max(0),
        // In the next window, with this window's count fading.
        _ => WINDOW_MS - into + earliest(current, max.saturating_sub(1)),
    };
    (wait_ms as u64).div_ceil(1000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MINUTE: i64 = 29_000_000 * WINDOW_MS;

    #[test]
    fn a_burst_across_a_window_edge_is_counted_whole() {
        // Twelve requests in the last second of one window, twelve in the
        // first second of the next: a fixed window sees twelve.
        assert_eq!(estimate(12, 12, MINUTE + 500), 23);
        assert!(estimate(12, 12, MINUTE + 500) > 20);
    }

    #[test]
    fn the_earlier_window_fades_out() {
        assert_eq!(estimate(60, 0, MINUTE), 60);
        assert_eq!(estimate(60, 0, MINUTE + WINDOW_MS / 2), 30);
        assert_eq!(estimate(60, 5, MINUTE + WINDOW_MS - 1), 5);
        assert_eq!(estimate(0, 7, MINUTE + 10), 7);
    }

    #[test]
    fn a_counter_rolls_into_the_next_window_and_forgets_older_ones() {
        let first = Counter::hit(None, MINUTE + 10);
        assert_eq!(first, Counter { window: window(MINUTE), current: 1, previous: 0 });
        let second = Counter::hit(Some(first), MINUTE + 20);
        assert_eq!((second.current, second.previous), (2, 0));
        let next = Counter::hit(Some(second), MINUTE + WINDOW_MS + 5);
        assert_eq!(next, Counter { window: window(MINUTE) + 1, current: 1, previous: 2 });
        let later = Counter::hit(Some(next), MINUTE + 3 * WINDOW_MS);
        assert_eq!((later.current, later.previous), (1, 0));
        assert_eq!(Counter::decode(&next.encode()), Some(next));
        for bad in ["", "1 2", "1 2 3 4", "a b c", "12"] {
            assert_eq!(Counter::decode(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn windows_split_on_the_minute() {
        assert_eq!(window(MINUTE), window(MINUTE + WINDOW_MS - 1));
        assert_eq!(window(MINUTE) + 1, window(MINUTE + WINDOW_MS));
        assert_eq!(window(-1), -1);
    }

    /// The estimate of one more request, `wait_ms` after `now_ms`, with no
    /// other requests in between.
    fn after(previous: u64, current: u64, now_ms: i64, wait_ms: i64) -> u64 {
        let later = now_ms + wait_ms;
        if window(later) == window(now_ms) {
            estimate(previous, current + 1, later)
        } else if window(later) == window(now_ms) + 1 {
            estimate(current, 1, later)
        } else {
            1
        }
    }

    proptest! {
        #[test]
        fn waiting_the_retry_after_is_enough(
            previous in 0u64..200, current in 1u64..200, into in 0i64..WINDOW_MS, max in 1u64..100,
        ) {
            let now = MINUTE + into;
            let secs = retry_after_secs(previous, current, now, max);
            prop_assert!((1..=120).contains(&secs), "{secs}");
            prop_assert!(after(previous, current, now, secs as i64 * 1000) <= max);
        }

        #[test]
        fn the_estimate_is_between_the_current_count_and_the_sum(
            previous in 0u64..10_000, current in 0u64..10_000, into in 0i64..WINDOW_MS,
        ) {
            let e = estimate(previous, current, MINUTE + into);
            prop_assert!(current <= e && e <= previous + current);
        }
    }
}
