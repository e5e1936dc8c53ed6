//! Ticket priority: a weighted score that explains itself.
//!
//! `score = α·importance + β·urgency`, where importance comes from the
//! customer (plan, value, history) and urgency from the message (cues in
//! English and Chinese) and from the SLA time left. Written out, the score is
//! linear in a small feature vector ([`Features`]), so the same form can be
//! fitted to agents' final priorities ([`PriorityModel::fit`]) and replace
//! the hand weights. Every score carries its terms ([`Explanation`]).

mod cues;
mod fit;

pub use cues::{Cue, CueKind, find_cues};
pub use fit::{MIN_EXAMPLES, PriorityExample};

use serde::{Deserialize, Serialize};

/// Priority levels, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Can wait.
    Low,
    /// The default.
    Normal,
    /// Soon.
    High,
    /// Now.
    Urgent,
}

impl Level {
    /// All levels, lowest first.
    pub const ALL: [Level; 4] = [Level::Low, Level::Normal, Level::High, Level::Urgent];

    /// The level of a 0..=100 score.
    pub fn from_score(score: f32) -> Level {
        if score >= 75.0 {
            Level::Urgent
        } else if score >= 50.0 {
            Level::High
        } else if score >= 25.0 {
            Level::Normal
        } else {
            Level::Low
        }
    }

    /// The middle of the level's score band, the target when an agent sets
    /// this level.
    pub fn midpoint(self) -> f32 {
        match self {
            Level::Low => 12.5,
            Level::Normal => 37.5,
            Level::High => 62.5,
            Level::Urgent => 87.5,
        }
    }

    /// Lower-case name ("urgent").
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Normal => "normal",
            Level::High => "high",
            Level::Urgent => "urgent",
        }
    }

    /// Parses a lower-case name.
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// What the help desk knows about the customer when a ticket arrives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerFacts {
    /// Plan name ("free", "pro", "enterprise"); unknown plans count as free.
    pub plan: Option<String>,
    /// Lifetime value in cents.
    pub lifetime_value_cents: i64,
    /// Tickets in the last 30 days, this one excluded.
    pub recent_tickets: u32,
    /// Average CSAT (1..=5) of past rated tickets.
    pub average_csat: Option<f32>,
}

/// Number of features.
pub const FEATURES: usize = 10;

/// Feature names, by position.
pub const FEATURE_NAMES: [&str; FEATURES] = [
    "plan",
    "customer value",
    "repeat contact",
    "unhappy customer",
    "outage",
    "cannot access",
    "money at stake",
    "security",
    "says urgent",
    "SLA pressure",
];

/// Positions 0..4 are importance, 4..10 urgency.
const IMPORTANCE: std::ops::Range<usize> = 0..4;

/// The feature vector of a ticket, each in 0..=1, with what produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// The values.
    pub values: [f32; FEATURES],
    /// A word on each non-zero value ("plan enterprise", "\"can not log\"").
    pub details: [String; FEATURES],
}

/// The plan names importance knows, with their tiers, highest first; any
/// other plan counts as free (tier 0).
pub const PLAN_TIERS: [(&str, f32); 9] = [
    ("enterprise", 1.0),
    ("vip", 1.0),
    ("business", 0.75),
    ("premium", 0.75),
    ("pro", 0.5),
    ("team", 0.5),
    ("plus", 0.5),
    ("starter", 0.25),
    ("basic", 0.25),
];

/// The tier of a plan name, 0..=1, in any ASCII case.
pub fn plan_tier(plan: Option<&str>) -> f32 {
    plan.and_then(|p| PLAN_TIERS.iter().find(|(name, _)| name.eq_ignore_ascii_case(p.trim())))
        .map_or(0.0, |(_, tier)| *tier)
}

impl Features {
    /// Computes features from the customer, the message and the SLA clock.
    /// `sla` is (minutes left, target minutes) of the nearest SLA target.
    pub fn compute(customer: &CustomerFacts, text: &str, sla: Option<(i64, i64)>) -> Features {
        let mut values = [0.0f32; FEATURES];
        let mut details: [String; FEATURES] = Default::default();
        values[0] = plan_tier(customer.plan.as_deref());
        if values[0] > 0.0 {
            details[0] = format!("plan {}", customer.plan.as_deref().unwrap_or_default());
        }
        let dollars = (customer.lifetime_value_cents.max(0) as f64 / 100.0) as f32;
        values[1] = ((dollars + 1.0).log10() / 5.0).clamp(0.0, 1.0);
        if dollars > 0.0 {
            details[1] = format!("lifetime value ${dollars:.0}");
        }
        values[2] = (customer.recent_tickets as f32 / 5.0).min(1.0);
        if customer.recent_tickets > 0 {
            details[2] = format!("{} tickets in 30 days", customer.recent_tickets);
        }
        if let Some(csat) = customer.average_csat {
            values[3] = ((3.5 - csat) / 2.5).clamp(0.0, 1.0);
            if values[3] > 0.0 {
                details[3] = format!("average CSAT {csat:.1}");
            }
        }
        for cue in find_cues(text) {
            let i = 4 + CueKind::ALL.iter().position(|k| *k == cue.kind).unwrap_or(0);
            values[i] = 1.0;
            details[i] = format!("\"{}\"", cue.matched);
        }
        if let Some((left, target)) = sla {
            let target = target.max(1) as f32;
            values[9] = (1.0 - left as f32 / target).clamp(0.0, 1.0);
            if values[9] > 0.0 {
                details[9] =
                    if left <= 0 { "SLA breached".to_string() } else { format!("{left} min of {target:.0} left") };
            }
        }
        Features { values, details }
    }
}

/// Where a model's weights came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ModelSource {
    /// Hand weights from α, β and the per-feature weights.
    Hand,
    /// Fitted to agents' final priorities.
    Learned {
        /// Examples it was fitted on.
        examples: usize,
        /// Share of examples where the hand weights gave the agent's level.
        agreement_before: f32,
        /// The same share for the fitted weights.
        agreement_after: f32,
    },
}

/// A linear priority model: `score = bias + Σ θₖ·xₖ`, clamped to 0..=100.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorityModel {
    /// Constant term.
    pub bias: f32,
    /// One weight per feature.
    pub theta: [f32; FEATURES],
    /// Where the weights came from.
    pub source: ModelSource,
}

/// The hand weights of `α·importance + β·urgency`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HandWeights {
    /// Weight of importance (0..=1); α + β should be 1.
    pub alpha: f32,
    /// Weight of urgency (0..=1).
    pub beta: f32,
    /// Weights inside importance: plan, value, repeat, unhappy.
    pub importance: [f32; 4],
    /// Weights inside urgency: outage, access, money, security, explicit,
    /// SLA pressure.
    pub urgency: [f32; 6],
}

impl Default for HandWeights {
    fn default() -> Self {
        HandWeights {
            alpha: 0.4,
            beta: 0.6,
            importance: [0.5, 0.2, 0.15, 0.15],
            urgency: [0.8, 0.7, 0.5, 0.8, 0.45, 0.6],
        }
    }
}

impl Default for PriorityModel {
    fn default() -> Self {
        PriorityModel::from_hand(&HandWeights::default())
    }
}

/// One term of a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// Feature name.
    pub name: String,
    /// `importance` or `urgency`.
    pub group: String,
    /// Feature value, 0..=1.
    pub value: f32,
    /// Its weight.
    pub weight: f32,
    /// value × weight.
    pub contribution: f32,
    /// What produced the value.
    pub detail: String,
}

/// A score and its terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// 0..=100.
    pub score: f32,
    /// The level of the score.
    pub level: Level,
    /// Sum of importance contributions.
    pub importance: f32,
    /// Sum of urgency contributions.
    pub urgency: f32,
    /// The model's constant term.
    pub bias: f32,
    /// Non-zero terms, largest contribution first.
    pub terms: Vec<Term>,
    /// `hand` or `learned`.
    pub model: String,
}

impl Explanation {
    /// The model's sum before it is held to 0..=100:
    /// `bias + importance + urgency`.
    pub fn unclamped(&self) -> f32 {
        self.bias + self.importance + self.urgency
    }

    /// The bound (0 or 100) the model's sum was held to, when it went past
    /// one, so an explanation never shows terms that seem not to add up.
    pub fn held_to(&self) -> Option<f32> {
        let sum = self.unclamped();
        if sum > 100.05 {
            Some(100.0)
        } else if sum < -0.05 {
            Some(0.0)
        } else {
            None
        }
    }
}

impl PriorityModel {
    /// The linear form of the hand weights.
    pub fn from_hand(w: &HandWeights) -> PriorityModel {
        let mut theta = [0.0; FEATURES];
        for (i, v) in w.importance.iter().enumerate() {
            theta[i] = 100.0 * w.alpha * v;
        }
        for (i, v) in w.urgency.iter().enumerate() {
            theta[4 + i] = 100.0 * w.beta * v;
        }
        PriorityModel { bias: 10.0, theta, source: ModelSource::Hand }
    }

    /// The raw score of a feature vector, clamped to 0..=100.
    pub fn score(&self, x: &[f32; FEATURES]) -> f32 {
        let s: f32 = self.bias + self.theta.iter().zip(x).map(|(t, v)| t * v).sum::<f32>();
        s.clamp(0.0, 100.0)
    }

    /// Scores a ticket and lists the terms.
    pub fn explain(&self, f: &Features) -> Explanation {
        let score = self.score(&f.values);
        let mut terms: Vec<Term> = (0..FEATURES)
            .filter(|&i| f.values[i] != 0.0 && self.theta[i] != 0.0)
            .map(|i| Term {
                name: FEATURE_NAMES[i].to_string(),
                group: if IMPORTANCE.contains(&i) { "importance" } else { "urgency" }.to_string(),
                value: f.values[i],
                weight: self.theta[i],
                contribution: f.values[i] * self.theta[i],
                detail: f.details[i].clone(),
            })
            .collect();
        terms.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
        // `+ 0.0` turns the empty sum's -0.0 into 0.0.
        let sum = |g: &str| terms.iter().filter(|t| t.group == g).map(|t| t.contribution).sum::<f32>() + 0.0;
        Explanation {
            score,
            level: Level::from_score(score),
            importance: sum("importance"),
            urgency: sum("urgency"),
            bias: self.bias,
            terms,
            model: match self.source {
                ModelSource::Hand => "hand",
                ModelSource::Learned { .. } => "learned",
            }
            .to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_tiers_ignore_case_and_unknown_plans_are_free() {
        assert_eq!(plan_tier(Some("Enterprise")), 1.0);
        assert_eq!(plan_tier(Some(" PRO ")), 0.5);
        assert_eq!(plan_tier(Some("gold")), 0.0);
        assert_eq!(plan_tier(None), 0.0);
    }

    #[test]
    fn urgent_outage_for_enterprise_outranks_a_question() {
        let model = PriorityModel::default();
        let vip = CustomerFacts {
            plan: Some("enterprise".into()),
            lifetime_value_cents: 5_000_000,
            ..CustomerFacts::default()
        };
        let hot = model.explain(&Features::compute(&vip, "URGENT: total outage, we cannot log in", None));
        let calm = model.explain(&Features::compute(&CustomerFacts::default(), "How do I change my avatar?", None));
        assert!(hot.score > calm.score);
        assert_eq!(hot.level, Level::Urgent);
        assert_eq!(calm.level, Level::Low);
        assert!(hot.terms.iter().any(|t| t.name == "outage" && t.detail == "\"outag\""));
        let sum: f32 = hot.bias + hot.importance + hot.urgency;
        assert!((sum.min(100.0) - hot.score).abs() < 1e-3, "terms add up to the score");
        assert_eq!(hot.unclamped(), sum);
        assert_eq!(hot.held_to(), Some(100.0), "an outage for a big customer goes past 100: {sum}");
        assert_eq!(calm.held_to(), None, "{}", calm.unclamped());
    }

    #[test]
    fn sla_pressure_rises_as_time_runs_out() {
        let c = CustomerFacts::default();
        let early = Features::compute(&c, "hello", Some((50, 60))).values[9];
        let late = Features::compute(&c, "hello", Some((5, 60))).values[9];
        let breached = Features::compute(&c, "hello", Some((-5, 60)));
        assert!(early < late);
        assert_eq!(breached.values[9], 1.0);
        assert_eq!(breached.details[9], "SLA breached");
    }

    #[test]
    fn levels_round_trip_names() {
        for l in Level::ALL {
            assert_eq!(Level::parse(l.as_str()), Some(l));
            assert_eq!(Level::from_score(l.midpoint()), l);
        }
    }
}
