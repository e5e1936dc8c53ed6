//! Lists a page at a time: the edge links each page but the last to the
//! next one in a `Link` header (`rel="next"`, RFC 8288) and counts the
//! whole list in `X-Total-Count`; the dashboard follows the link. A page
//! ends at a cursor that names its last item by the list's sort keys, so
//! the next page is "everything after it" (keyset paging, not offsets).
//!
//! The ticket queue's order is: the level in force (urgent first), then the
//! priority score (highest first), then age (oldest first), then the
//! ticket's id. A cursor names the last ticket of a page by those four
//! values, so the next page is "every ticket after this one in that order":
//! a ticket that arrives or moves while an agent reads page one does not
//! shift page two, and no page repeats or skips a ticket that stayed put.
//! On the wire it is `<rank>~<score>~<created_at>~<id>`, which the edge
//! hands out in the `Link` header of each page but the last.

use crate::error::Error;
use crate::priority::Level;
use std::fmt;

/// The header that counts every item of a list, on each of its pages.
pub const TOTAL_COUNT: &str = "x-total-count";

/// The `Link` header's value that points at the next page.
pub fn next_link_header(path: &str) -> String {
    format!("<{path}>; rel=\"next\"")
}

/// The target of a `Link` header's `rel="next"`, if it has one.
pub fn next_link(header: &str) -> Option<&str> {
    header.split(',').find_map(|link| {
        let (target, params) = link.trim().split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("rel="))
            .any(|rel| rel.trim_matches('"').split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("next")))
            .then_some(target)
    })
}

/// The query parameter that carries a cursor.
pub const AFTER: &str = "after";

/// The last ticket of a page, in the queue's order.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueCursor {
    /// The level in force: 0 low, 1 normal, 2 high, 3 urgent.
    pub rank: u8,
    /// Its priority score as stored.
    pub score: f64,
    /// When it was created, in milliseconds since the epoch.
    pub created_at: i64,
    /// Its id.
    pub id: String,
}

/// Most characters of a cursor's id.
const MAX_ID: usize = 64;
/// Most digits of a score's whole part.
const MAX_WHOLE: usize = 12;
/// Most digits of a score's fraction: enough for any `f64` written out.
const MAX_FRACTION: usize = 400;
/// Most digits of a creation time.
const MAX_TIME: usize = 16;

impl QueueCursor {
    /// The rank the queue sorts a level by, highest first.
    pub fn rank(level: Level) -> u8 {
        match level {
            Level::Low => 0,
            Level::Normal => 1,
            Level::High => 2,
            Level::Urgent => 3,
        }
    }

    /// Reads a cursor as the edge writes it; anything else is an error on
    /// the `after` field.
    pub fn parse(text: &str) -> Result<QueueCursor, Error> {
        let bad = || Error::field(AFTER, "is not the end of a page of the queue (take it from the Link header)");
        let mut parts = text.split('~');
        let (Some(rank), Some(score), Some(created), Some(id), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let rank = match rank.as_bytes() {
            [d @ b'0'..=b'3'] => d - b'0',
            _ => return Err(bad()),
        };
        let digits = |s: &str, max: usize| !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit());
        let unsigned = score.strip_prefix('-').unwrap_or(score);
        let well_formed = match unsigned.split_once('.') {
            Some((whole, fraction)) => digits(whole, MAX_WHOLE) && digits(fraction, MAX_FRACTION),
            None => digits(unsigned, MAX_WHOLE),
        };
        let score = score.parse::<f64>().ok().filter(|s| well_formed && s.is_finite()).ok_or_else(bad)?;
        if !digits(created, MAX_TIME) {
            return Err(bad());
        }
        let created_at = created.parse::<i64>().map_err(|_| bad())?;
        if !valid_id(id) {
            return Err(bad());
        }
        Ok(QueueCursor { rank, score, created_at, id: id.to_string() })
    }
}

impl fmt::Display for QueueCursor {
    /// `Display` for `f64` writes the shortest digits that read back to the
    /// same value, without an exponent, so a cursor reads back exactly.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}~{}~{}~{}", self.rank, self.score, self.created_at, self.id)
    }
}

/// The last item of a page of a list ordered newest first by a time, then
/// by id (the customer directory: by last contact). Written `<at>~<id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeCursor {
    /// The item's time, in milliseconds since the epoch.
    pub at: i64,
    /// Its id.
    pub id: String,
}

impl TimeCursor {
    /// Reads a cursor as the edge writes it; anything else is an error on
    /// the `after` field.
    pub fn parse(text: &str) -> Result<TimeCursor, Error> {
        let bad = || Error::field(AFTER, "is not the end of a page of the list (take it from the Link header)");
        let (at, id) = text.split_once('~').ok_or_else(bad)?;
        if at.is_empty() || at.len() > MAX_TIME || !at.bytes().all(|b| b.is_ascii_digit()) || !valid_id(id) {
            return Err(bad());
        }
        Ok(TimeCursor { at: at.parse().map_err(|_| bad())?, id: id.to_string() })
    }
}

impl fmt::Display for TimeCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}~{}", self.at, self.id)
    }
}

/// An id as cursors carry it: 1 to 64 letters, digits, `-` or `_`.
fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_ID && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_what_it_writes() {
        let c = QueueCursor { rank: 2, score: 61.25, created_at: 1_764_000_000_123, id: "0af3".into() };
        assert_eq!(c.to_string(), "2~61.25~1764000000123~0af3");
        assert_eq!(QueueCursor::parse(&c.to_string()), Ok(c));
        let whole = QueueCursor { rank: 0, score: 40.0, created_at: 5, id: "a".into() };
        assert_eq!(whole.to_string(), "0~40~5~a");
        assert_eq!(QueueCursor::parse("0~40~5~a"), Ok(whole));
        assert_eq!(QueueCursor::parse("1~-0.5~0~a_b-C").map(|c| c.score), Ok(-0.5));
    }

    #[test]
    fn the_next_link_reads_back() {
        let h = next_link_header("/v1/agent/tickets?limit=3&after=2~61.25~5~a");
        assert_eq!(h, "</v1/agent/tickets?limit=3&after=2~61.25~5~a>; rel=\"next\"");
        assert_eq!(next_link(&h), Some("/v1/agent/tickets?limit=3&after=2~61.25~5~a"));
        assert_eq!(next_link("</a>; rel=\"prev\", </b>; title=\"x\"; rel=\"last next\""), Some("/b"));
        assert_eq!(next_link("</b>; rel=next"), Some("/b"));
        assert_eq!(next_link("</a>; rel=\"prev\""), None);
        assert_eq!(next_link("/a; rel=\"next\""), None);
        assert_eq!(next_link(""), None);
    }

    #[test]
    fn the_rank_follows_the_level() {
        let ranks: Vec<u8> = Level::ALL.iter().map(|l| QueueCursor::rank(*l)).collect();
        assert_eq!(ranks, [0, 1, 2, 3]);
    }

    #[test]
    fn refuses_anything_else_naming_the_field() {
        for bad in [
            "",
            "2~61~5",
            "2~61~5~a~b",
            "4~61~5~a",
            "x~61~5~a",
            "2~~5~a",
            "2~6e1~5~a",
            "2~inf~5~a",
            "2~NaN~5~a",
            "2~1.~5~a",
            "2~.5~5~a",
            "2~+1~5~a",
            "2~1~-5~a",
            "2~1~99999999999999999~a",
            "2~1~5~",
            "2~1~5~a b",
            "2~1~5~a/b",
            "2~1234567890123~5~a",
        ] {
            let e = QueueCursor::parse(bad).expect_err(bad);
            assert!(e.to_string().starts_with("after: "), "{bad}: {e}");
        }
        let long_id = format!("2~1~5~{}", "a".repeat(MAX_ID + 1));
        assert!(QueueCursor::parse(&long_id).is_err());
    }

    #[test]
    fn a_time_cursor_reads_what_it_writes() {
        let c = TimeCursor { at: 1_764_000_000_123, id: "c0ffee".into() };
        assert_eq!(c.to_string(), "1764000000123~c0ffee");
        assert_eq!(TimeCursor::parse("1764000000123~c0ffee"), Ok(c));
        for bad in ["", "1~", "~a", "-1~a", "1.5~a", "1~a~b", "a~a", "99999999999999999~a", "1~a b"] {
            let e = TimeCursor::parse(bad).expect_err(bad);
            assert!(e.to_string().starts_with("after: "), "{bad}: {e}");
        }
    }

    proptest! {
        #[test]
        fn every_time_cursor_reads_back(at in 0i64..=9_999_999_999_999_999, id in "[0-9a-zA-Z_-]{1,64}") {
            let c = TimeCursor { at, id };
            prop_assert_eq!(TimeCursor::parse(&c.to_string()), Ok(c));
        }

        #[test]
        fn every_cursor_reads_back(
            rank in 0u8..=3,
            score in -1e11f64..1e11,
            created_at in 0i64..=9_999_999_999_999_999,
            id in "[0-9a-zA-Z_-]{1,64}",
        ) {
            let c = QueueCursor { rank, score, created_at, id };
            prop_assert_eq!(QueueCursor::parse(&c.to_string()), Ok(c));
        }

        #[test]
        fn tiny_scores_read_back(score in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL) {
            prop_assume!(score.abs() < 1e11);
            let c = QueueCursor { rank: 1, score, created_at: 1, id: "a".into() };
            prop_assert_eq!(QueueCursor::parse(&c.to_string()), Ok(c));
        }
    }
}
