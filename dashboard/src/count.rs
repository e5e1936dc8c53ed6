//! A number with its noun: "1 ticket", "3 tickets".

/// `n` and the noun in the form that goes with it.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
