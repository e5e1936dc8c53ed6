//! Typo tolerance: bounded edit distance between words.

/// The largest number of edits allowed for a word of `len` characters:
/// none for short words, where one edit changes the meaning ("pin" and
/// "pen"), one from five characters, two from nine.
pub fn max_edits(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Optimal-string-alignment distance between `a` and `b` (insertions,
/// deletions, substitutions and swaps of neighbours), or `None` when it is
/// larger than `limit`. Stops early once every path exceeds the limit.
pub fn edit_distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    if a.is_ascii() && b.is_ascii() {
        osa_within(a.as_bytes(), b.as_bytes(), limit)
    } else {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        osa_within(&a, &b, limit)
    }
}

fn osa_within<T: PartialEq>(a: &[T], b: &[T], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let width = b.len() + 1;
    let mut prev2 = vec![usize::MAX; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur = vec![0; width];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2].saturating_add(1));
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= limit).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::{edit_distance_within, max_edits};

    #[test]
    fn distances() {
        let cases = [
            ("refund", "refund", 2, Some(0)),
            ("refnud", "refund", 2, Some(1)),
            ("recieve", "receive", 1, Some(1)),
            ("arived", "arrived", 1, Some(1)),
            ("card", "cart", 0, None),
            ("password", "passport", 1, None),
            ("password", "passport", 2, Some(2)),
            ("", "abc", 3, Some(3)),
        ];
        for (a, b, limit, expect) in cases {
            assert_eq!(edit_distance_within(a, b, limit), expect, "{a} {b} {limit}");
        }
    }

    #[test]
    fn short_words_need_exact_match() {
        assert_eq!(max_edits(3), 0);
        assert_eq!(max_edits(6), 1);
        assert_eq!(max_edits(10), 2);
    }
}
