//! Money amounts as agents type and read them: whole cents inside, dollars
//! with two decimals outside.

use crate::error::Error;

/// The largest amount a customer record holds: ten billion dollars.
pub const MAX_CENTS: i64 = 1_000_000_000_000;

/// Cents as dollars with two decimals: `123450` is "$1234.50".
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}${}.{:02}", c / 100, c % 100)
}

/// An amount typed in dollars ("1200", "$1,234.50", "99.5") as cents.
/// At most two decimals, not negative, at most [`MAX_CENTS`]; anything else
/// is an error that names `field`.
pub fn parse_dollars(field: &str, text: &str) -> Result<i64, Error> {
    let bad = || Error::field(field, "type an amount in dollars, such as 1200 or 99.50");
    let t = text.trim();
    let t = t.strip_prefix('$').unwrap_or(t).replace(',', "");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    if frac.len() > 2 {
        return Err(Error::field(field, "has more than two decimals"));
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
    let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(frac))
        .filter(|c| *c <= MAX_CENTS)
        .ok_or_else(|| Error::field(field, "is more than 10,000,000,000 dollars"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_become_cents() {
        assert_eq!(parse_dollars("v", "1200").ok(), Some(120_000));
        assert_eq!(parse_dollars("v", " $1,234.50 ").ok(), Some(123_450));
        assert_eq!(parse_dollars("v", "99.5").ok(), Some(9_950));
        assert_eq!(parse_dollars("v", ".05").ok(), Some(5));
        assert_eq!(parse_dollars("v", "0").ok(), Some(0));
        assert_eq!(parse_dollars("v", "10000000000").ok(), Some(MAX_CENTS));
    }

    #[test]
    fn bad_amounts_name_the_field() {
        for bad in ["", "$", ".", "-5", "lots", "1e3", "NaN", "inf", "1.234", "10000000000.01", "99999999999999999999"]
        {
            let e = parse_dollars("lifetime value", bad).expect_err(bad);
            assert!(e.to_string().contains("lifetime value"), "{bad}: {e}");
        }
    }

    #[test]
    fn cents_read_as_dollars() {
        assert_eq!(format_cents(123_450), "$1234.50");
        assert_eq!(format_cents(5), "$0.05");
        assert_eq!(format_cents(0), "$0.00");
        assert_eq!(format_cents(-250), "-$2.50");
    }

    proptest::proptest! {
        #[test]
        fn formatting_then_parsing_gives_the_cents_back(cents in 0..=MAX_CENTS) {
            proptest::prop_assert_eq!(parse_dollars("v", &format_cents(cents)).ok(), Some(cents));
        }
    }
}
