//! Choosing an agent for a ticket: round robin or least loaded, among the
//! active agents who are not away, with the needed team and skill.

use serde::{Deserialize, Serialize};

/// How to pick among eligible agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// The next agent after the last one assigned, in id order.
    #[default]
    RoundRobin,
    /// The agent with the fewest open tickets; ties go round robin.
    LeastLoaded,
}

/// An agent as assignment sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// Agent id.
    pub id: String,
    /// Team names.
    pub teams: Vec<String>,
    /// Skills ("billing", "zh").
    pub skills: Vec<String>,
    /// Inactive agents get nothing.
    pub active: bool,
    /// Away (off shift, on leave): no new tickets; they keep their own.
    #[serde(default)]
    pub away: bool,
    /// Open tickets assigned now.
    pub open_tickets: u32,
    /// Most open tickets; 0 means no limit.
    pub capacity: u32,
}

/// What the ticket needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Need {
    /// A team, if the rules chose one.
    pub team: Option<String>,
    /// A skill, for instance the ticket's language.
    pub skill: Option<String>,
}

/// Picks an agent, or `None` when nobody is eligible. `last` is the id of
/// the agent who got the previous ticket (the round-robin cursor).
pub fn assign<'a>(
    agents: &'a [Candidate],
    need: &Need,
    strategy: Strategy,
    last: Option<&str>,
) -> Option<&'a Candidate> {
    let fits = |a: &&Candidate| {
        a.active
            && !a.away
            && (a.capacity == 0 || a.open_tickets < a.capacity)
            && need.team.as_ref().is_none_or(|t| a.teams.iter().any(|x| x.eq_ignore_ascii_case(t)))
            && need.skill.as_ref().is_none_or(|s| a.skills.iter().any(|x| x.eq_ignore_ascii_case(s)))
    };
    let mut eligible: Vec<&Candidate> = agents.iter().filter(fits).collect();
    if eligible.is_empty() && need.skill.is_some() {
        // A missing skill is a preference: fall back to the team.
        let relaxed = Need { team: need.team.clone(), skill: None };
        return assign(agents, &relaxed, strategy, last);
    }
    eligible.sort_by(|a, b| a.id.cmp(&b.id));
    // Round-robin order: agents after `last` first, then from the start.
    let split = last.map_or(0, |l| eligible.partition_point(|a| a.id.as_str() <= l));
    let split = split.min(eligible.len());
    eligible.rotate_left(split);
    match strategy {
        Strategy::RoundRobin => eligible.first().copied(),
        Strategy::LeastLoaded => eligible.iter().min_by_key(|a| a.open_tickets).copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(id: &str, teams: &[&str], skills: &[&str], open: u32) -> Candidate {
        Candidate {
            id: id.into(),
            teams: teams.iter().map(|s| s.to_string()).collect(),
            skills: skills.iter().map(|s| s.to_string()).collect(),
            active: true,
            away: false,
            open_tickets: open,
            capacity: 0,
        }
    }

    #[test]
    fn round_robin_cycles_through_the_team() {
        let agents = [agent("a", &["t1"], &[], 0), agent("b", &["t1"], &[], 0), agent("c", &["t2"], &[], 0)];
        let need = Need { team: Some("t1".into()), skill: None };
        let mut last: Option<String> = None;
        let mut picks = Vec::new();
        for _ in 0..4 {
            let a = assign(&agents, &need, Strategy::RoundRobin, last.as_deref()).map(|a| a.id.clone());
            picks.push(a.clone().unwrap_or_default());
            last = a;
        }
        assert_eq!(picks, ["a", "b", "a", "b"]);
    }

    #[test]
    fn least_loaded_and_capacity() {
        let mut agents = vec![agent("a", &[], &["zh"], 5), agent("b", &[], &[], 2), agent("c", &[], &["zh"], 3)];
        let any = Need::default();
        assert_eq!(assign(&agents, &any, Strategy::LeastLoaded, None).map(|a| a.id.as_str()), Some("b"));
        let zh = Need { team: None, skill: Some("zh".into()) };
        assert_eq!(assign(&agents, &zh, Strategy::LeastLoaded, None).map(|a| a.id.as_str()), Some("c"));
        agents[2].capacity = 3;
        assert_eq!(assign(&agents, &zh, Strategy::LeastLoaded, None).map(|a| a.id.as_str()), Some("a"));
        agents.iter_mut().for_each(|a| a.active = false);
        assert!(assign(&agents, &any, Strategy::RoundRobin, None).is_none());
    }

    #[test]
    fn agents_who_are_away_get_no_new_tickets() {
        let mut agents = vec![agent("a", &[], &["zh"], 0), agent("b", &[], &[], 9)];
        agents[0].away = true;
        let any = Need::default();
        for strategy in [Strategy::RoundRobin, Strategy::LeastLoaded] {
            assert_eq!(assign(&agents, &any, strategy, None).map(|a| a.id.as_str()), Some("b"));
        }
        // Not even when only they have the skill: it falls back to the others.
        let zh = Need { team: None, skill: Some("zh".into()) };
        assert_eq!(assign(&agents, &zh, Strategy::RoundRobin, None).map(|a| a.id.as_str()), Some("b"));
        agents[1].away = true;
        assert!(assign(&agents, &any, Strategy::LeastLoaded, None).is_none());
    }
}
