//! Rule conditions: a field, an operator and a typed value.

use super::facts::TicketFacts;
use crate::error::Error;
use crate::priority::Level;
use crate::text::{is_cjk, normalize};
use serde_json::Value;

/// A ticket field a condition can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `channel`: widget, web (the help centre's form), email (mail, or
    /// logged by an agent) or phone (logged by an agent).
    Channel,
    /// `subject`.
    Subject,
    /// `text`: subject and every customer message.
    Text,
    /// `priority`: a level, ordered low < normal < high < urgent.
    Priority,
    /// `priority_score`: 0..=100.
    PriorityScore,
    /// `customer.plan`.
    CustomerPlan,
    /// `tags`.
    Tags,
    /// `status`.
    Status,
    /// `hours_since_update`.
    HoursSinceUpdate,
    /// `locale`.
    Locale,
    /// `assignee`: the agent id.
    Assignee,
    /// `team`.
    Team,
}

impl Field {
    pub(super) const ALL: [(&'static str, Field); 12] = [
        ("channel", Field::Channel),
        ("subject", Field::Subject),
        ("text", Field::Text),
        ("priority", Field::Priority),
        ("priority_score", Field::PriorityScore),
        ("customer.plan", Field::CustomerPlan),
        ("tags", Field::Tags),
        ("status", Field::Status),
        ("hours_since_update", Field::HoursSinceUpdate),
        ("locale", Field::Locale),
        ("assignee", Field::Assignee),
        ("team", Field::Team),
    ];

    pub(super) fn parse(name: &str) -> Option<Field> {
        Field::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    fn names() -> String {
        Field::ALL.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
    }
}

/// A comparison, with its value already checked against the field's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// Equal (text fields compare case-insensitively).
    Eq(Value),
    /// Not equal.
    Ne(Value),
    /// One of a list.
    In(Vec<Value>),
    /// None of a list.
    NotIn(Vec<Value>),
    /// Holds the word or phrase (text), or the tag (tags).
    Contains(String),
    /// Does not hold it.
    NotContains(String),
    /// Holds at least one of them.
    ContainsAny(Vec<String>),
    /// Greater than.
    Gt(f64),
    /// Greater than or equal.
    Gte(f64),
    /// Less than.
    Lt(f64),
    /// Less than or equal.
    Lte(f64),
    /// Has a value (a non-empty text or list).
    IsSet,
    /// Has no value.
    IsNotSet,
}

/// A validated condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The field.
    pub field: Field,
    /// The test.
    pub test: Test,
}

/// The type of a field's values.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Text,
    Number,
    Level,
    List,
}

pub(super) fn kind(field: Field) -> Kind {
    match field {
        Field::PriorityScore | Field::HoursSinceUpdate => Kind::Number,
        Field::Priority => Kind::Level,
        Field::Tags => Kind::List,
        _ => Kind::Text,
    }
}

/// The number a value stands for: a number, or a level's midpoint.
fn as_number(field: Field, v: &Value) -> Option<f64> {
    match kind(field) {
        Kind::Level => v.as_str().and_then(Level::parse).map(|l| f64::from(l.midpoint())),
        _ => v.as_f64(),
    }
}

impl Condition {
    /// Validates a condition from its JSON parts. `at` names its place
    /// (`rules[0].all[1]`) for the error message.
    pub fn parse(field: &str, op: &str, value: &Value, at: &str) -> Result<Condition, Error> {
        let f = Field::parse(field)
            .ok_or_else(|| Error::rule(format!("{at}: unknown field {field:?}; fields are {}", Field::names())))?;
        let k = kind(f);
        let err = |msg: &str| Error::rule(format!("{at}: {msg}"));
        let text = |v: &Value| -> Result<String, Error> {
            match v.as_str() {
                Some(s) if !s.trim().is_empty() && s.len() <= 500 => Ok(s.to_string()),
                _ => Err(err(&format!("operator {op:?} needs a non-empty text value"))),
            }
        };
        let texts = |v: &Value| -> Result<Vec<String>, Error> {
            match v.as_array() {
                Some(items) if !items.is_empty() && items.len() <= 100 => items.iter().map(text).collect(),
                _ => Err(err(&format!("operator {op:?} needs a list of 1 to 100 texts"))),
            }
        };
        let scalar = |v: &Value| -> Result<Value, Error> {
            let ok = match k {
                Kind::Number => v.is_number(),
                Kind::Level => v.as_str().and_then(Level::parse).is_some(),
                Kind::Text => v.is_string(),
                Kind::List => false,
            };
            if ok {
                Ok(v.clone())
            } else {
                Err(err(&match k {
                    Kind::Number => format!("field {field:?} is a number, so {op:?} needs a number"),
                    Kind::Level => format!("field {field:?} needs a level: low, normal, high or urgent"),
                    _ => format!("field {field:?} needs a text value"),
                }))
            }
        };
        let number = |v: &Value| -> Result<f64, Error> {
            match as_number(f, v) {
                Some(n) if n.is_finite() => Ok(n),
                _ => Err(err(&format!(
                    "operator {op:?} needs a number{}",
                    if k == Kind::Level { " or a level name" } else { "" }
                ))),
            }
        };
        let list = |v: &Value| -> Result<Vec<Value>, Error> {
            match v.as_array() {
                Some(items) if !items.is_empty() && items.len() <= 100 => items.iter().map(scalar).collect(),
                _ => Err(err(&format!("operator {op:?} needs a list of 1 to 100 values"))),
            }
        };
        let ordered = matches!(k, Kind::Number | Kind::Level);
        let textual = matches!(k, Kind::Text | Kind::List);
        let test = match op {
            "eq" if k != Kind::List => Test::Eq(scalar(value)?),
            "ne" if k != Kind::List => Test::Ne(scalar(value)?),
            "in" if k != Kind::List => Test::In(list(value)?),
            "not_in" if k != Kind::List => Test::NotIn(list(value)?),
            "contains" if textual => Test::Contains(text(value)?),
            "not_contains" if textual => Test::NotContains(text(value)?),
            "contains_any" if textual => Test::ContainsAny(texts(value)?),
            "gt" if ordered => Test::Gt(number(value)?),
            "gte" if ordered => Test::Gte(number(value)?),
            "lt" if ordered => Test::Lt(number(value)?),
            "lte" if ordered => Test::Lte(number(value)?),
            "is_set" if textual => Test::IsSet,
            "is_not_set" if textual => Test::IsNotSet,
            "eq" | "ne" | "in" | "not_in" | "contains" | "not_contains" | "contains_any" | "gt" | "gte" | "lt"
            | "lte" | "is_set" | "is_not_set" => {
                return Err(err(&format!("operator {op:?} does not apply to field {field:?}")));
            }
            _ => {
                return Err(err(&format!(
                    "unknown operator {op:?}; operators are eq, ne, in, not_in, contains, \
                     not_contains, contains_any, gt, gte, lt, lte, is_set, is_not_set"
                )));
            }
        };
        Ok(Condition { field: f, test })
    }

    /// True when the ticket passes the test.
    pub fn matches(&self, t: &TicketFacts) -> bool {
        let f = self.field;
        match kind(f) {
            Kind::Number | Kind::Level => {
                let v = match f {
                    Field::Priority => f64::from(t.priority.midpoint()),
                    Field::PriorityScore => f64::from(t.priority_score),
                    _ => f64::from(t.hours_since_update),
                };
                let eq = |x: &Value| as_number(f, x).is_some_and(|n| (n - v).abs() < 1e-9);
                match &self.test {
                    Test::Eq(x) => eq(x),
                    Test::Ne(x) => !eq(x),
                    Test::In(xs) => xs.iter().any(eq),
                    Test::NotIn(xs) => !xs.iter().any(eq),
                    Test::Gt(n) => v > *n,
                    Test::Gte(n) => v >= *n,
                    Test::Lt(n) => v < *n,
                    Test::Lte(n) => v <= *n,
                    _ => false,
                }
            }
            Kind::List => {
                let has = |tag: &str| t.tags.iter().any(|x| x.eq_ignore_ascii_case(tag));
                match &self.test {
                    Test::Contains(x) => has(x),
                    Test::NotContains(x) => !has(x),
                    Test::ContainsAny(xs) => xs.iter().any(|x| has(x)),
                    Test::IsSet => !t.tags.is_empty(),
                    Test::IsNotSet => t.tags.is_empty(),
                    _ => false,
                }
            }
            Kind::Text => {
                let value: &str = match f {
                    Field::Channel => &t.channel,
                    Field::Subject => &t.subject,
                    Field::Text => &t.text,
                    Field::CustomerPlan => t.customer_plan.as_deref().unwrap_or(""),
                    Field::Status => &t.status,
                    Field::Locale => &t.locale,
                    Field::Assignee => t.assignee.as_deref().unwrap_or(""),
                    _ => t.team.as_deref().unwrap_or(""),
                };
                let eq = |x: &Value| x.as_str().is_some_and(|s| s.eq_ignore_ascii_case(value));
                match &self.test {
                    Test::Eq(x) => eq(x),
                    Test::Ne(x) => !eq(x),
                    Test::In(xs) => xs.iter().any(eq),
                    Test::NotIn(xs) => !xs.iter().any(eq),
                    Test::Contains(x) => contains_phrase(value, x),
                    Test::NotContains(x) => !contains_phrase(value, x),
                    Test::ContainsAny(xs) => xs.iter().any(|x| contains_phrase(value, x)),
                    Test::IsSet => !value.trim().is_empty(),
                    Test::IsNotSet => value.trim().is_empty(),
                    _ => false,
                }
            }
        }
    }
}

/// Whole-word phrase search on normalised text; CJK phrases match anywhere.
pub(crate) fn contains_phrase(haystack: &str, phrase: &str) -> bool {
    let needle = normalize(phrase);
    if needle.is_empty() {
        return false;
    }
    let hay = normalize(haystack);
    if needle.chars().any(is_cjk) {
        hay.replace(' ', "").contains(&needle.replace(' ', ""))
    } else {
        format!(" {hay} ").contains(&format!(" {needle} "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts() -> TicketFacts {
        TicketFacts {
            channel: "widget".into(),
            subject: "Login".into(),
            text: "I can't log in, the site is DOWN! 紧急".into(),
            priority: Level::High,
            priority_score: 60.0,
            customer_plan: Some("enterprise".into()),
            tags: vec!["vip".into()],
            status: "open".into(),
            hours_since_update: 3.0,
            ..TicketFacts::default()
        }
    }

    fn check(field: &str, op: &str, value: Value, expect: bool) {
        let c = Condition::parse(field, op, &value, "c").expect("valid");
        assert_eq!(c.matches(&facts()), expect, "{field} {op} {value}");
    }

    #[test]
    fn conditions_match() {
        check("text", "contains", json!("down"), true);
        check("text", "contains", json!("own"), false);
        check("text", "contains", json!("can't log in"), true);
        check("text", "contains", json!("紧急"), true);
        check("text", "contains_any", json!(["outage", "down"]), true);
        check("channel", "eq", json!("Widget"), true);
        check("customer.plan", "in", json!(["pro", "enterprise"]), true);
        check("priority", "gte", json!("high"), true);
        check("priority", "gt", json!("high"), false);
        check("priority_score", "lt", json!(50), false);
        check("tags", "contains", json!("VIP"), true);
        check("hours_since_update", "gt", json!(2), true);
        check("assignee", "is_not_set", Value::Null, true);
    }

    #[test]
    fn errors_name_the_place_and_the_problem() {
        let e = |f: &str, op: &str, v: Value| Condition::parse(f, op, &v, "rules[1].all[0]").unwrap_err().to_string();
        assert!(e("colour", "eq", json!("x")).contains("rules[1].all[0]: unknown field \"colour\""));
        assert!(e("priority_score", "gt", json!("high")).contains("needs a number"));
        assert!(e("priority", "eq", json!("soon")).contains("low, normal, high or urgent"));
        assert!(e("tags", "gt", json!(1)).contains("does not apply"));
        assert!(e("text", "matches", json!("x")).contains("unknown operator"));
        assert!(e("text", "contains_any", json!([])).contains("list of 1 to 100"));
    }
}
