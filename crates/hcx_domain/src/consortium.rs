//! Forming a consortium for a bundled opportunity: choose the members and
//! give each requirement to one member whose offer can deliver it, within
//! each member's capacity in days, at most `max_members` of them, one of
//! them the lead, so that the total fit (the match scores of the parts
//! given) less a coordination cost for each member is as high as it can be.
//!
//! The hard rules of matching decide who may be a candidate at all; here,
//! only what the candidates can deliver, their fit and their days count.
//! The model is a small integer programme solved exactly behind the
//! `Solver` trait (by default good_lp's pure-Rust `microlp`); when no team
//! exists, `uncovered` says which requirement no one can take and why.

use good_lp::{
    Expression, ProblemVariables, ResolutionError, Solution as _, SolverModel, Variable,
    constraint, microlp, variable,
};
use serde::Serialize;

/// A part of a bundled opportunity: its id and the staff days it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub id: String,
    pub days: u32,
    /// Providers matching kept out of this part, each with its rule, to
    /// explain a part no one can take.
    pub kept_out: Vec<(String, String)>,
}

/// A provider that may join: the days it can give, and whether it may lead.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub provider: String,
    /// Staff days it can still commit (`None`: not limited).
    pub capacity_days: Option<u32>,
    pub may_lead: bool,
}

/// One way to cover a part: a candidate's offer, and how well it fits.
#[derive(Debug, Clone, PartialEq)]
pub struct Offering {
    /// Index into `Problem::candidates`.
    pub candidate: usize,
    /// Index into `Problem::parts`.
    pub part: usize,
    pub offer: String,
    /// The match score of the offer for the part, in [0, 1].
    pub fit: f64,
}

/// What the optimiser is asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub parts: Vec<Part>,
    pub candidates: Vec<Candidate>,
    pub options: Vec<Offering>,
    pub max_members: usize,
    /// Taken off the total fit for each member: a team of fewer members is
    /// easier to run.
    pub coordination_cost: f64,
}

/// How the solver ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The best team there is.
    Optimal,
    /// No team covers every part within the rules.
    Infeasible,
}

/// A part given to a member.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    pub requirement: String,
    pub offer: String,
    pub days: u32,
    pub fit: f64,
}

/// A member of the team and its place in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    pub provider: String,
    pub lead: bool,
    pub assignments: Vec<Assignment>,
}

/// A part no team can cover, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Uncovered {
    pub requirement: String,
    pub reason: String,
}

/// The optimiser's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub status: Status,
    /// Total fit less the coordination cost (0 when infeasible).
    pub objective: f64,
    pub members: Vec<Member>,
    pub uncovered: Vec<Uncovered>,
}

/// Why a problem could not be solved at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the optimiser failed: {0}")]
pub struct SolveError(pub String);

/// Something that finds the best team, or says there is none.
pub trait Solver {
    /// The chosen options (indexes into `problem.options`) and the lead
    /// (an index into `problem.candidates`), or `None` when no team exists.
    fn solve(&self, problem: &Problem) -> Result<Option<(Vec<usize>, usize)>, SolveError>;
}

/// good_lp's pure-Rust branch and bound.
#[derive(Debug, Clone, Copy, Default)]
pub struct Microlp;

/// Providers named when a part no one can take is explained.
const KEPT_OUT_SHOWN: usize = 5;
/// Within this of 1, a binary variable is set.
const SET: f64 = 0.5;
/// What leading is worth in the objective per unit of the lead's best fit:
/// enough to choose the best-fitting eligible member as lead, too little to
/// change the team.
const LEAD_WEIGHT: f64 = 1e-4;

impl Solver for Microlp {
    fn solve(&self, p: &Problem) -> Result<Option<(Vec<usize>, usize)>, SolveError> {
        let mut vars = ProblemVariables::new();
        let x: Vec<Variable> = p
            .options
            .iter()
            .map(|_| vars.add(variable().binary()))
            .collect();
        let y: Vec<Variable> = p
            .candidates
            .iter()
            .map(|_| vars.add(variable().binary()))
            .collect();
        let lead: Vec<Variable> = p
            .candidates
            .iter()
            .map(|_| vars.add(variable().binary()))
            .collect();
        let best_fit = |c: usize| {
            p.options
                .iter()
                .filter(|o| o.candidate == c)
                .map(|o| o.fit)
                .fold(0.0, f64::max)
        };
        let mut objective = Expression::from(0.0);
        for (o, var) in p.options.iter().zip(&x) {
            objective += o.fit * *var;
        }
        for (c, var) in y.iter().enumerate() {
            objective -= p.coordination_cost * *var;
            objective += LEAD_WEIGHT * best_fit(c) * lead[c];
        }
        let mut model = vars.maximise(objective).using(microlp);
        for part in 0..p.parts.len() {
            let covering: Expression = p
                .options
                .iter()
                .zip(&x)
                .filter(|(o, _)| o.part == part)
                .map(|(_, v)| *v)
                .sum();
            model = model.with(constraint!(covering == 1));
        }
        for (c, candidate) in p.candidates.iter().enumerate() {
            let mine: Vec<(usize, &Variable)> = p
                .options
                .iter()
                .zip(&x)
                .filter(|(o, _)| o.candidate == c)
                .map(|(o, v)| (o.part, v))
                .collect();
            for (_, v) in &mine {
                model = model.with(constraint!(**v <= y[c]));
            }
            if let Some(capacity) = candidate.capacity_days {
                let days: Expression = mine
                    .iter()
                    .map(|(part, v)| f64::from(p.parts[*part].days) * **v)
                    .sum();
                model = model.with(constraint!(days <= f64::from(capacity)));
            }
            model = model.with(constraint!(lead[c] <= y[c]));
            if !candidate.may_lead {
                model = model.with(constraint!(lead[c] == 0));
            }
        }
        let members: Expression = y.iter().copied().sum();
        model = model.with(constraint!(members <= p.max_members as f64));
        let leads: Expression = lead.iter().copied().sum();
        model = model.with(constraint!(leads == 1));
        match model.solve() {
            Ok(solution) => {
                let chosen = x
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| solution.value(**v) > SET)
                    .map(|(i, _)| i)
                    .collect();
                let lead = lead
                    .iter()
                    .position(|v| solution.value(*v) > SET)
                    .ok_or_else(|| SolveError("a solution without a lead".into()))?;
                Ok(Some((chosen, lead)))
            }
            Err(ResolutionError::Infeasible) => Ok(None),
            Err(e) => Err(SolveError(e.to_string())),
        }
    }
}

/// Plans the team for `problem` with `solver`, explained.
pub fn plan(problem: &Problem, solver: &impl Solver) -> Result<Plan, SolveError> {
    let uncovered = uncoverable(problem);
    if !uncovered.is_empty() {
        return Ok(infeasible(uncovered));
    }
    let Some((chosen, lead)) = solver.solve(problem)? else {
        return Ok(infeasible(vec![Uncovered {
            requirement: String::new(),
            reason: format!(
                "every part has a candidate, but no team of at most {} members covers them all within their days{}",
                problem.max_members,
                if problem.candidates.iter().any(|c| c.may_lead) {
                    ""
                } else {
                    ", and no candidate may lead"
                }
            ),
        }]));
    };
    let mut members: Vec<Member> = Vec::new();
    for &o in &chosen {
        let option = &problem.options[o];
        let part = &problem.parts[option.part];
        let provider = &problem.candidates[option.candidate].provider;
        let assignment = Assignment {
            requirement: part.id.clone(),
            offer: option.offer.clone(),
            days: part.days,
            fit: option.fit,
        };
        match members.iter_mut().find(|m| &m.provider == provider) {
            Some(m) => m.assignments.push(assignment),
            None => members.push(Member {
                provider: provider.clone(),
                lead: false,
                assignments: vec![assignment],
            }),
        }
    }
    for m in &mut members {
        m.lead = m.provider == problem.candidates[lead].provider;
        m.assignments
            .sort_by(|a, b| a.requirement.cmp(&b.requirement));
    }
    members.sort_by(|a, b| b.lead.cmp(&a.lead).then(a.provider.cmp(&b.provider)));
    Ok(Plan {
        status: Status::Optimal,
        objective: objective(problem, &chosen),
        members,
        uncovered: Vec::new(),
    })
}

/// Total fit of the chosen options less the coordination cost of their members.
pub fn objective(problem: &Problem, chosen: &[usize]) -> f64 {
    let mut members: Vec<usize> = chosen
        .iter()
        .map(|&o| problem.options[o].candidate)
        .collect();
    members.sort_unstable();
    members.dedup();
    chosen.iter().map(|&o| problem.options[o].fit).sum::<f64>()
        - problem.coordination_cost * members.len() as f64
}

fn infeasible(uncovered: Vec<Uncovered>) -> Plan {
    Plan {
        status: Status::Infeasible,
        objective: 0.0,
        members: Vec::new(),
        uncovered,
    }
}

/// The parts no candidate can take on its own: none offers them, or none
/// has the days.
fn uncoverable(problem: &Problem) -> Vec<Uncovered> {
    problem
        .parts
        .iter()
        .enumerate()
        .filter_map(|(i, part)| {
            let offered: Vec<&Offering> = problem.options.iter().filter(|o| o.part == i).collect();
            if offered.is_empty() {
                let reason = if part.kept_out.is_empty() {
                    "no provider offers it".to_owned()
                } else {
                    let shown: Vec<String> = part
                        .kept_out
                        .iter()
                        .take(KEPT_OUT_SHOWN)
                        .map(|(provider, rule)| format!("{provider} ({rule})"))
                        .collect();
                    format!(
                        "no provider fits it that the hard rules allow; {} kept out: {}{}",
                        part.kept_out.len(),
                        shown.join(", "),
                        if part.kept_out.len() > KEPT_OUT_SHOWN {
                            ", …"
                        } else {
                            ""
                        }
                    )
                };
                return Some(Uncovered {
                    requirement: part.id.clone(),
                    reason,
                });
            }
            let most = offered
                .iter()
                .map(|o| {
                    problem.candidates[o.candidate]
                        .capacity_days
                        .unwrap_or(u32::MAX)
                })
                .max()
                .unwrap_or(0);
            (most < part.days).then(|| Uncovered {
                requirement: part.id.clone(),
                reason: format!(
                    "it needs {} staff days; the most any candidate offering it can give is {most}",
                    part.days
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(id: &str, days: u32) -> Part {
        Part {
            id: id.into(),
            days,
            kept_out: Vec::new(),
        }
    }

    fn candidate(provider: &str, capacity: Option<u32>) -> Candidate {
        Candidate {
            provider: provider.into(),
            capacity_days: capacity,
            may_lead: true,
        }
    }

    fn option(candidate: usize, part: usize, fit: f64) -> Offering {
        Offering {
            candidate,
            part,
            offer: format!("offer-{candidate}-{part}"),
            fit,
        }
    }

    /// The best objective by trying every assignment and every lead.
    fn exhaustive(p: &Problem) -> Option<f64> {
        fn walk(p: &Problem, part: usize, chosen: &mut Vec<usize>, best: &mut Option<f64>) {
            if part == p.parts.len() {
                let mut used = vec![0u32; p.candidates.len()];
                let mut members = vec![false; p.candidates.len()];
                for &o in chosen.iter() {
                    let opt = &p.options[o];
                    used[opt.candidate] += p.parts[opt.part].days;
                    members[opt.candidate] = true;
                }
                let within = p
                    .candidates
                    .iter()
                    .zip(&used)
                    .all(|(c, u)| c.capacity_days.is_none_or(|cap| *u <= cap));
                let count = members.iter().filter(|m| **m).count();
                let can_lead = p
                    .candidates
                    .iter()
                    .zip(&members)
                    .any(|(c, m)| *m && c.may_lead);
                if within && count <= p.max_members && can_lead {
                    let value = objective(p, chosen);
                    if best.is_none_or(|b| value > b) {
                        *best = Some(value);
                    }
                }
                return;
            }
            for (o, opt) in p.options.iter().enumerate() {
                if opt.part == part {
                    chosen.push(o);
                    walk(p, part + 1, chosen, best);
                    chosen.pop();
                }
            }
        }
        let mut best = None;
        walk(p, 0, &mut Vec::new(), &mut best);
        best
    }

    /// A deterministic stream of numbers in [0, 1).
    struct Stream(u64);

    impl Stream {
        fn next(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    fn random_problem(seed: u64) -> Problem {
        let mut s = Stream(seed);
        let parts: Vec<Part> = (0..3 + (seed % 3) as usize)
            .map(|i| part(&format!("R{i}"), 20 + (s.next() * 100.0) as u32))
            .collect();
        let candidates: Vec<Candidate> = (0..4 + (seed % 2) as usize)
            .map(|i| Candidate {
                provider: format!("P{i}"),
                capacity_days: Some(60 + (s.next() * 200.0) as u32),
                may_lead: s.next() > 0.3,
            })
            .collect();
        let mut options = Vec::new();
        for p in 0..parts.len() {
            for c in 0..candidates.len() {
                if s.next() < 0.6 {
                    options.push(option(c, p, (s.next() * 100.0).round() / 100.0));
                }
            }
        }
        Problem {
            parts,
            candidates,
            options,
            max_members: 2 + (seed % 2) as usize,
            coordination_cost: 0.1,
        }
    }

    #[test]
    fn the_plan_is_as_good_as_trying_every_team() {
        let mut solved = 0;
        for seed in 1..=60 {
            let p = random_problem(seed);
            let best = exhaustive(&p);
            let planned = plan(&p, &Microlp).unwrap();
            match best {
                Some(b) => {
                    assert_eq!(planned.status, Status::Optimal, "seed {seed}: {planned:?}");
                    assert!(
                        (planned.objective - b).abs() < 1e-6,
                        "seed {seed}: {} vs {b}",
                        planned.objective
                    );
                    solved += 1;
                }
                None => assert_eq!(planned.status, Status::Infeasible, "seed {seed}"),
            }
        }
        assert!(solved >= 20, "{solved} feasible instances");
    }

    #[test]
    fn each_part_goes_to_one_member_within_its_days_with_one_lead() {
        let p = Problem {
            parts: vec![part("R1", 100), part("R2", 80), part("R3", 50)],
            candidates: vec![
                candidate("RR8", Some(150)),
                candidate("RP4", Some(100)),
                Candidate {
                    may_lead: false,
                    ..candidate("UCL", None)
                },
            ],
            options: vec![
                option(0, 0, 0.9),
                option(0, 1, 0.8),
                option(1, 1, 0.7),
                option(1, 2, 0.6),
                option(2, 2, 0.95),
            ],
            max_members: 3,
            coordination_cost: 0.05,
        };
        let plan = plan(&p, &Microlp).unwrap();
        assert_eq!(plan.status, Status::Optimal);
        // RR8 cannot take R1 and R2 (180 days > 150): R2 goes to RP4.
        let given: Vec<(&str, Vec<&str>, bool)> = plan
            .members
            .iter()
            .map(|m| {
                (
                    m.provider.as_str(),
                    m.assignments
                        .iter()
                        .map(|a| a.requirement.as_str())
                        .collect(),
                    m.lead,
                )
            })
            .collect();
        assert_eq!(
            given,
            [
                ("RR8", vec!["R1"], true),
                ("RP4", vec!["R2"], false),
                ("UCL", vec!["R3"], false)
            ]
        );
        assert!((plan.objective - (0.9 + 0.7 + 0.95 - 0.15)).abs() < 1e-9);
    }

    #[test]
    fn a_part_no_one_can_take_is_named_with_its_reason() {
        let mut p = Problem {
            parts: vec![part("R1", 100), part("R2", 300)],
            candidates: vec![candidate("RR8", Some(200))],
            options: vec![option(0, 0, 0.9), option(0, 1, 0.5)],
            max_members: 2,
            coordination_cost: 0.0,
        };
        let plan1 = plan(&p, &Microlp).unwrap();
        assert_eq!(plan1.status, Status::Infeasible);
        assert_eq!(plan1.uncovered[0].requirement, "R2");
        assert!(
            plan1.uncovered[0].reason.contains("needs 300 staff days"),
            "{plan1:?}"
        );
        p.options.pop();
        let plan2 = plan(&p, &Microlp).unwrap();
        assert_eq!(plan2.uncovered[0].reason, "no provider offers it");
        p.parts[1].kept_out = vec![("RP4".into(), "no_capacity".into())];
        let plan2 = plan(&p, &Microlp).unwrap();
        assert!(
            plan2.uncovered[0]
                .reason
                .ends_with("1 kept out: RP4 (no_capacity)"),
            "{plan2:?}"
        );
        // Each part coverable alone, but not both within one member's days.
        let q = Problem {
            parts: vec![part("R1", 150), part("R2", 150)],
            candidates: vec![candidate("RR8", Some(200)), candidate("RP4", Some(200))],
            options: vec![option(0, 0, 0.9), option(0, 1, 0.9), option(1, 1, 0.4)],
            max_members: 1,
            coordination_cost: 0.0,
        };
        let plan3 = plan(&q, &Microlp).unwrap();
        assert_eq!(plan3.status, Status::Infeasible);
        assert!(
            plan3.uncovered[0].reason.contains("at most 1 members"),
            "{plan3:?}"
        );
    }
}
