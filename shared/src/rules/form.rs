//! Rules as a form shows them: the fields a condition can test, the
//! operators that apply to each, and a condition's value to and from what
//! is typed in one text box (lists comma-separated, numbers as digits).
//! The form builds the same JSON the engine validates, so its errors are
//! the engine's.

use super::condition::{Field, Kind, kind};
use serde_json::Value;

/// The fields, as named in JSON, in the form's order.
pub fn fields() -> impl Iterator<Item = &'static str> {
    Field::ALL.iter().map(|(name, _)| *name)
}

/// Operators in the form's order, with their words.
const OPERATORS: [(&str, &str); 13] = [
    ("eq", "is"),
    ("ne", "is not"),
    ("in", "is one of"),
    ("not_in", "is none of"),
    ("contains", "contains"),
    ("not_contains", "does not contain"),
    ("contains_any", "contains any of"),
    ("gt", "is more than"),
    ("gte", "is at least"),
    ("lt", "is less than"),
    ("lte", "is at most"),
    ("is_set", "is set"),
    ("is_not_set", "is not set"),
];

/// The operators that apply to `field` (by its JSON name), with their
/// words; none for an unknown field.
pub fn operators(field: &str) -> Vec<(&'static str, &'static str)> {
    let Some(f) = Field::parse(field) else { return Vec::new() };
    let k = kind(f);
    let ordered = matches!(k, Kind::Number | Kind::Level);
    let textual = matches!(k, Kind::Text | Kind::List);
    OPERATORS
        .into_iter()
        .filter(|(op, _)| match *op {
            "eq" | "ne" | "in" | "not_in" => k != Kind::List,
            "contains" | "not_contains" | "contains_any" | "is_set" | "is_not_set" => textual,
            _ => ordered,
        })
        .collect()
}

/// Whether an operator takes a value (`is_set` and `is_not_set` do not).
pub fn takes_value(op: &str) -> bool {
    !matches!(op, "is_set" | "is_not_set")
}

/// Whether an operator takes a list (typed comma-separated).
pub fn takes_list(op: &str) -> bool {
    matches!(op, "in" | "not_in" | "contains_any")
}

/// The JSON value of what was typed for `field` and `op`: a list split on
/// commas, a number for a number field (left as text when it is not one,
/// so the engine names the mistake), a text otherwise.
pub fn value_from_input(field: &str, op: &str, input: &str) -> Value {
    if !takes_value(op) {
        return Value::Null;
    }
    let number = Field::parse(field).is_some_and(|f| kind(f) == Kind::Number);
    let one = |s: &str| -> Value {
        let s = s.trim();
        match s.parse::<f64>() {
            // Whole numbers stay whole (72, not 72.0) when shown again.
            Ok(n) if number && n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 => serde_json::json!(n as i64),
            Ok(n) if number && n.is_finite() => serde_json::json!(n),
            _ => Value::String(s.to_string()),
        }
    };
    if takes_list(op) {
        Value::Array(input.split([',', '，']).map(str::trim).filter(|s| !s.is_empty()).map(one).collect())
    } else {
        one(input)
    }
}

/// A condition's value as the form's text box shows it: a list joined with
/// commas, a number or text as it is, nothing for none.
pub fn value_as_input(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(value_as_input).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Condition;
    use serde_json::json;

    #[test]
    fn each_field_offers_the_operators_the_engine_takes() {
        for field in fields() {
            let ops = operators(field);
            assert!(!ops.is_empty(), "{field}");
            for (op, _) in OPERATORS {
                let value = match (field, op) {
                    (_, "is_set" | "is_not_set") => Value::Null,
                    ("priority", _) if takes_list(op) => json!(["high"]),
                    ("priority", _) => json!("high"),
                    ("priority_score" | "hours_since_update", _) if takes_list(op) => json!([3]),
                    ("priority_score" | "hours_since_update", _) => json!(3),
                    (_, _) if takes_list(op) => json!(["vip"]),
                    _ => json!("vip"),
                };
                let offered = ops.iter().any(|(o, _)| *o == op);
                let taken = Condition::parse(field, op, &value, "c").is_ok();
                assert_eq!(offered, taken, "{field} {op}");
            }
        }
        assert!(operators("no.such.field").is_empty());
    }

    #[test]
    fn typed_values_become_the_json_the_engine_reads() {
        assert_eq!(value_from_input("text", "contains_any", "outage, down，宕机,,"), json!(["outage", "down", "宕机"]));
        assert_eq!(value_from_input("priority_score", "gte", " 70 "), json!(70));
        assert_eq!(value_from_input("hours_since_update", "gt", "1.5"), json!(1.5));
        assert_eq!(value_from_input("priority_score", "gte", "lots"), json!("lots"), "the engine names the mistake");
        assert_eq!(value_from_input("customer.plan", "eq", "1"), json!("1"), "a text field keeps digits as text");
        assert_eq!(value_from_input("priority", "in", "high, urgent"), json!(["high", "urgent"]));
        assert_eq!(value_from_input("tags", "is_set", "ignored"), Value::Null);
        for (field, op, typed) in [("text", "contains_any", "outage, down"), ("hours_since_update", "gt", "72")] {
            assert_eq!(value_as_input(&value_from_input(field, op, typed)), typed);
        }
        assert_eq!(value_as_input(&Value::Null), "");
    }
}
