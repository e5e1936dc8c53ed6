//! The automation engine: rules as JSON data, validated with errors in
//! words, evaluated deterministically.
//!
//! ```json
//! [{
//!   "id": "vip-outage",
//!   "name": "Enterprise outages are urgent and go to tier 2",
//!   "on": ["ticket_created"],
//!   "all": [{"field": "customer.plan", "op": "eq", "value": "enterprise"}],
//!   "any": [{"field": "text", "op": "contains_any", "value": ["outage", "down", "宕机"]}],
//!   "actions": [{"type": "set_priority", "level": "urgent"},
//!               {"type": "assign_team", "team": "tier2"}],
//!   "stop": false
//! }]
//! ```
//!
//! Rules run in list order. A rule matches when every `all` condition holds
//! and, if `any` is not empty, at least one `any` condition holds. A matching
//! rule's actions change the ticket before the next rule is tested; `stop`
//! ends the run. Each rule fires at most once per event.
//!
//! A rule `on` `scheduled` is checked against the open, pending and solved
//! tickets every time the edge's cron runs, which is how "time since
//! update" conditions act ("close tickets solved three days ago"). Such a
//! rule must undo one of its own `all` conditions (set the status it tests
//! to another, add a tag it tests is missing, ...), so it fires once per
//! ticket and not on every run; [`RuleSet::from_specs`] refuses one that
//! does not.

mod action;
mod condition;
mod facts;
pub mod form;

pub use action::{Action, STATUSES};
pub use condition::{Condition, Field, Test};
pub use facts::TicketFacts;

use crate::error::Error;
use serde::{Deserialize, Serialize};

/// Most rules in one set.
pub const MAX_RULES: usize = 200;

/// What wakes the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// A ticket was created.
    TicketCreated,
    /// A customer or agent changed a ticket.
    TicketUpdated,
    /// The SLA clock of a ticket ran out.
    SlaBreached,
    /// The cron's regular check of every ticket that is not closed.
    Scheduled,
}

/// A condition as written in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionSpec {
    /// Field name.
    pub field: String,
    /// Operator name.
    pub op: String,
    /// Value; absent for `is_set` and `is_not_set`.
    #[serde(default)]
    pub value: serde_json::Value,
}

/// A rule as written in JSON (the wire form).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Unique id.
    pub id: String,
    /// What the rule is for.
    pub name: String,
    /// Disabled rules are kept but never run.
    #[serde(default = "enabled_default")]
    pub enabled: bool,
    /// Triggers; empty means `ticket_created`.
    #[serde(default)]
    pub on: Vec<Trigger>,
    /// Conditions that must all hold.
    #[serde(default)]
    pub all: Vec<ConditionSpec>,
    /// Conditions of which one must hold (ignored when empty).
    #[serde(default)]
    pub any: Vec<ConditionSpec>,
    /// What to do, in order.
    pub actions: Vec<Action>,
    /// Stop evaluating later rules after this one fires.
    #[serde(default)]
    pub stop: bool,
}

fn enabled_default() -> bool {
    true
}

/// A validated rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Its wire form, kept for display and storage.
    pub spec: RuleSpec,
    all: Vec<Condition>,
    any: Vec<Condition>,
}

/// A validated rule set.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

/// An action a rule applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Applied {
    /// The rule's id.
    pub rule: String,
    /// The action.
    pub action: Action,
}

/// The result of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The ticket after every applied action.
    pub facts: TicketFacts,
    /// The actions, in the order they were applied.
    pub applied: Vec<Applied>,
}

impl RuleSet {
    /// Parses and validates a JSON array of rules.
    pub fn parse(json: &str) -> Result<RuleSet, Error> {
        let specs: Vec<RuleSpec> = serde_json::from_str(json).map_err(|e| {
            Error::rule(format!("the rules are not valid JSON of the expected shape: {}", crate::json_problem(&e)))
        })?;
        RuleSet::from_specs(specs)
    }

    /// Validates rules given in wire form.
    pub fn from_specs(specs: Vec<RuleSpec>) -> Result<RuleSet, Error> {
        if specs.len() > MAX_RULES {
            return Err(Error::rule(format!("at most {MAX_RULES} rules, got {}", specs.len())));
        }
        let mut rules = Vec::with_capacity(specs.len());
        for (i, spec) in specs.into_iter().enumerate() {
            let at = format!("rules[{i}] ({:?})", spec.id);
            if spec.id.trim().is_empty() || spec.id.len() > 64 {
                return Err(Error::rule(format!("rules[{i}]: id must be 1 to 64 characters")));
            }
            if rules.iter().any(|r: &Rule| r.spec.id == spec.id) {
                return Err(Error::rule(format!("{at}: another rule has this id")));
            }
            if spec.name.len() > 200 {
                return Err(Error::rule(format!("{at}: name is over 200 characters")));
            }
            if spec.actions.is_empty() {
                return Err(Error::rule(format!("{at}: a rule needs at least one action")));
            }
            if spec.all.len() + spec.any.len() > 50 || spec.actions.len() > 20 {
                return Err(Error::rule(format!("{at}: at most 50 conditions and 20 actions")));
            }
            let parse_all = |list: &[ConditionSpec], name: &str| -> Result<Vec<Condition>, Error> {
                list.iter()
                    .enumerate()
                    .map(|(j, c)| Condition::parse(&c.field, &c.op, &c.value, &format!("{at}.{name}[{j}]")))
                    .collect()
            };
            let all = parse_all(&spec.all, "all")?;
            let any = parse_all(&spec.any, "any")?;
            for (j, a) in spec.actions.iter().enumerate() {
                a.validate(&format!("{at}.actions[{j}]"))?;
            }
            if spec.on.contains(&Trigger::Scheduled) && !all.iter().any(|c| undone_by(c, &spec.actions)) {
                return Err(Error::rule(format!(
                    "{at}: a scheduled rule is checked on every cron run, so its actions must make one of its \
                     `all` conditions false, or it would fire again and again (for example: status eq solved \
                     with set_status closed, or tags not_contains a tag it adds)"
                )));
            }
            rules.push(Rule { spec, all, any });
        }
        Ok(RuleSet { rules })
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The wire form of every rule.
    pub fn specs(&self) -> Vec<RuleSpec> {
        self.rules.iter().map(|r| r.spec.clone()).collect()
    }

    /// Runs the rules for one event.
    pub fn run(&self, trigger: Trigger, facts: &TicketFacts) -> Outcome {
        let mut facts = facts.clone();
        let mut applied = Vec::new();
        for rule in &self.rules {
            let triggers: &[Trigger] = if rule.spec.on.is_empty() { &[Trigger::TicketCreated] } else { &rule.spec.on };
            if !rule.spec.enabled || !triggers.contains(&trigger) {
                continue;
            }
            let all = rule.all.iter().all(|c| c.matches(&facts));
            let any = rule.any.is_empty() || rule.any.iter().any(|c| c.matches(&facts));
            if !(all && any) {
                continue;
            }
            for action in &rule.spec.actions {
                apply(action, &mut facts);
                applied.push(Applied { rule: rule.spec.id.clone(), action: action.clone() });
            }
            if rule.spec.stop {
                break;
            }
        }
        Outcome { facts, applied }
    }
}

/// Whether running `actions` makes `c` false whatever the ticket held: an
/// action sets the field `c` tests, and `c` fails after the actions on
/// every probe. Status, priority and team are set outright; tags only grow,
/// which can only make `contains` tests truer and `not_contains` ones
/// falser, so a ticket with no tags and one with every tag `c` names are
/// the two extremes.
fn undone_by(c: &Condition, actions: &[Action]) -> bool {
    let sets_field = actions.iter().any(|a| {
        matches!(
            (c.field, a),
            (Field::Status, Action::SetStatus { .. })
                | (Field::Priority, Action::SetPriority { .. })
                | (Field::Team, Action::AssignTeam { .. })
                | (Field::Tags, Action::AddTag { .. })
        )
    });
    let named: Vec<String> = match &c.test {
        Test::Contains(x) | Test::NotContains(x) => vec![x.clone()],
        Test::ContainsAny(xs) => xs.clone(),
        _ => Vec::new(),
    };
    let probes = [TicketFacts::default(), TicketFacts { tags: named, ..TicketFacts::default() }];
    sets_field
        && probes.into_iter().all(|mut probe| {
            for a in actions {
                apply(a, &mut probe);
            }
            !c.matches(&probe)
        })
}

fn apply(action: &Action, facts: &mut TicketFacts) {
    match action {
        Action::SetPriority { level } => {
            facts.priority = *level;
            // Keep the score when it already lies in the level's band.
            if crate::priority::Level::from_score(facts.priority_score) != *level {
                facts.priority_score = level.midpoint();
            }
        }
        Action::AddTag { tag } => {
            if !facts.tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
                facts.tags.push(tag.clone());
            }
        }
        Action::AssignTeam { team } => facts.team = Some(team.clone()),
        Action::SetStatus { status } => facts.status = status.clone(),
        Action::AutoReply { .. } | Action::NotifyWebhook { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::priority::Level;

    const RULES: &str = r#"[
      {"id": "vip-outage", "name": "Enterprise outages",
       "all": [{"field": "customer.plan", "op": "eq", "value": "enterprise"}],
       "any": [{"field": "text", "op": "contains_any", "value": ["outage", "down", "宕机"]}],
       "actions": [{"type": "set_priority", "level": "urgent"},
                   {"type": "assign_team", "team": "tier2"}]},
      {"id": "tag-urgent", "name": "Tag urgent tickets",
       "all": [{"field": "priority", "op": "eq", "value": "urgent"}],
       "actions": [{"type": "add_tag", "tag": "escalated"}], "stop": true},
      {"id": "never", "name": "after stop",
       "actions": [{"type": "add_tag", "tag": "unreachable"}]},
      {"id": "breach", "name": "Breaches", "on": ["sla_breached"],
       "actions": [{"type": "set_priority", "level": "high"}]}
    ]"#;

    fn scheduled(all: &str, actions: &str) -> Result<RuleSet, Error> {
        RuleSet::parse(&format!(
            r#"[{{"id": "s", "name": "s", "on": ["scheduled"], "all": {all}, "actions": {actions}}}]"#
        ))
    }

    #[test]
    fn a_scheduled_rule_must_undo_one_of_its_conditions() {
        let solved_for_3_days = r#"[{"field": "status", "op": "eq", "value": "solved"},
                                    {"field": "hours_since_update", "op": "gte", "value": 72}]"#;
        assert!(scheduled(solved_for_3_days, r#"[{"type": "set_status", "status": "closed"}]"#).is_ok());
        let nudge = r#"[{"field": "status", "op": "eq", "value": "pending"},
                        {"field": "tags", "op": "not_contains", "value": "nudged"}]"#;
        assert!(
            scheduled(nudge, r#"[{"type": "auto_reply", "article": "a"}, {"type": "add_tag", "tag": "nudged"}]"#)
                .is_ok()
        );
        assert!(
            scheduled(r#"[{"field": "tags", "op": "is_not_set"}]"#, r#"[{"type": "add_tag", "tag": "x"}]"#).is_ok()
        );
        assert!(
            scheduled(
                r#"[{"field": "priority", "op": "lt", "value": "high"}]"#,
                r#"[{"type": "set_priority", "level": "urgent"}]"#
            )
            .is_ok()
        );

        // Nothing undone: each of these would fire on every run.
        for (all, actions) in [
            (solved_for_3_days, r#"[{"type": "add_tag", "tag": "old"}]"#),
            (
                r#"[{"field": "status", "op": "ne", "value": "closed"}]"#,
                r#"[{"type": "set_status", "status": "pending"}]"#,
            ),
            (r#"[{"field": "tags", "op": "contains", "value": "vip"}]"#, r#"[{"type": "add_tag", "tag": "seen"}]"#),
            (r#"[{"field": "tags", "op": "not_contains", "value": "a"}]"#, r#"[{"type": "add_tag", "tag": "b"}]"#),
            (
                r#"[{"field": "hours_since_update", "op": "gte", "value": 24}]"#,
                r#"[{"type": "set_status", "status": "closed"}]"#,
            ),
            ("[]", r#"[{"type": "set_status", "status": "closed"}]"#),
        ] {
            let e = scheduled(all, actions).expect_err(all);
            assert!(e.to_string().contains("fire again and again"), "{e}");
        }
        // The same rule on an event needs no such condition.
        assert!(
            RuleSet::parse(r#"[{"id": "t", "name": "t", "all": [], "actions": [{"type": "add_tag", "tag": "x"}]}]"#)
                .is_ok()
        );
    }

    #[test]
    fn a_scheduled_rule_fires_once_per_ticket() {
        let set = scheduled(
            r#"[{"field": "status", "op": "eq", "value": "solved"}, {"field": "hours_since_update", "op": "gte", "value": 72}]"#,
            r#"[{"type": "set_status", "status": "closed"}]"#,
        )
        .expect("valid");
        let stale = TicketFacts { status: "solved".into(), hours_since_update: 80.0, ..TicketFacts::default() };
        assert!(set.run(Trigger::TicketUpdated, &stale).applied.is_empty(), "only the cron runs it");
        let first = set.run(Trigger::Scheduled, &stale);
        assert_eq!(first.facts.status, "closed");
        assert!(set.run(Trigger::Scheduled, &first.facts).applied.is_empty());
        let fresh = TicketFacts { hours_since_update: 5.0, ..stale };
        assert!(set.run(Trigger::Scheduled, &fresh).applied.is_empty());
    }

    #[test]
    fn rules_run_in_order_and_see_earlier_changes() {
        let set = RuleSet::parse(RULES).expect("valid");
        let facts = TicketFacts {
            customer_plan: Some("enterprise".into()),
            text: "Our dashboard is down".into(),
            ..TicketFacts::default()
        };
        let out = set.run(Trigger::TicketCreated, &facts);
        assert_eq!(out.facts.priority, Level::Urgent);
        assert_eq!(out.facts.team.as_deref(), Some("tier2"));
        assert_eq!(out.facts.tags, ["escalated"]);
        let fired: Vec<&str> = out.applied.iter().map(|a| a.rule.as_str()).collect();
        assert_eq!(fired, ["vip-outage", "vip-outage", "tag-urgent"]);
        // Deterministic: the same input gives the same outcome.
        assert_eq!(set.run(Trigger::TicketCreated, &facts), out);
    }

    #[test]
    fn triggers_select_rules() {
        let set = RuleSet::parse(RULES).expect("valid");
        let out = set.run(Trigger::SlaBreached, &TicketFacts::default());
        assert_eq!(out.facts.priority, Level::High);
        assert_eq!(out.applied.len(), 1);
    }

    #[test]
    fn invalid_rules_are_explained() {
        let e = |json: &str| RuleSet::parse(json).unwrap_err().to_string();
        assert!(e("{").contains("not valid JSON"));
        assert!(e(r#"[{"id":"a","name":"n","actions":[],"extra":1}]"#).contains("unknown field `extra`"));
        assert!(e(r#"[{"id":"a","name":"n","actions":[]}]"#).contains("at least one action"));
        let dup = r#"[{"id":"a","name":"n","actions":[{"type":"add_tag","tag":"x"}]},
                      {"id":"a","name":"n","actions":[{"type":"add_tag","tag":"x"}]}]"#;
        assert!(e(dup).contains("another rule has this id"));
        let bad = r#"[{"id":"a","name":"n","all":[{"field":"priority","op":"gt","value":"soon"}],
                      "actions":[{"type":"add_tag","tag":"x"}]}]"#;
        assert!(e(bad).contains(r#"rules[0] ("a").all[0]"#), "{}", e(bad));
    }
}
