//! Forming a consortium for a bundled opportunity: choose the members and
//! give each requirement to one member whose offer can deliver it, within
//! each member's capacity in days, at most `max_members` of them, one of
//! them the lead, so that the total fit (the match scores of the parts
//! given) less a coordination cost for each member is as high as it can be.
//!
//! The hard rules of matching decide who may be a candidate at all; here,
//! only what the candidates can deliver, their fit and their days count.
//! The model is a small integer programme, written once with good_lp and
//! solved behind the `Solver` trait: by default by good_lp's pure-Rust
//! `microlp`, or by HiGHS (cargo feature `highs`). Both stop at a time
//! limit: the plan is then the best team found (the solver's, or a greedy
//! team built first) with a proven bound on how much better a team could
//! be. When no team exists, `uncovered` says which requirement no one can
//! take and why.

use std::str::FromStr;
use std::time::Duration;

use good_lp::{
    Constraint, Expression, ProblemVariables, ResolutionError, Solution as _, SolutionStatus,
    SolverModel, Variable, WithInitialSolution as _, WithTimeLimit as _, constraint, microlp,
    variable,
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
    /// The best team there is, proven.
    Optimal,
    /// Stopped at the time limit: the best team found so far, and `gap`
    /// says how far from the best it may be.
    TimeLimit,
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
    /// Total fit less the coordination cost (0 when no team is given).
    pub objective: f64,
    /// `(bound - objective) / max(|bound|, |objective|)`: 0 when optimal,
    /// absent when no team is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<f64>,
    /// A proven upper bound on the objective of any team (the objective
    /// itself when optimal), absent when infeasible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<f64>,
    pub members: Vec<Member>,
    pub uncovered: Vec<Uncovered>,
}

/// Why a problem could not be solved at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the optimiser failed: {0}")]
pub struct SolveError(pub String);

/// A team: the chosen options (indexes into `Problem::options`, one per
/// part) and the lead (an index into `Problem::candidates`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub chosen: Vec<usize>,
    pub lead: usize,
}

/// What a solver found.
#[derive(Debug, Clone, PartialEq)]
pub enum Solved {
    /// The best team there is, proven.
    Optimal(Team),
    /// The time limit came first: the best team found, if any, and the best
    /// proven upper bound on the objective, if the solver got one.
    Stopped {
        team: Option<Team>,
        bound: Option<f64>,
    },
    /// No team exists.
    Infeasible,
}

/// Something that finds the best team, or says there is none, within a
/// time limit.
pub trait Solver {
    /// The name the plan is reported with.
    fn name(&self) -> &'static str;

    /// Solves `problem`; `start`, when given, is a valid team to improve on.
    fn solve(
        &self,
        problem: &Problem,
        start: Option<&Team>,
        time_limit: Duration,
    ) -> Result<Solved, SolveError>;
}

/// good_lp's pure-Rust branch and bound. Its time limit is checked inside
/// the simplex iterations, so a solve ends on time on the calling thread.
#[derive(Debug, Clone, Copy, Default)]
pub struct Microlp;

/// HiGHS through good_lp, with its own time limit and a MIP gap of 0.
/// It may use threads of its own while it solves.
#[cfg(feature = "highs")]
#[derive(Debug, Clone, Copy, Default)]
pub struct Highs;

/// Which solver to use, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SolverKind {
    #[default]
    Microlp,
    Highs,
}

impl SolverKind {
    /// The solver itself, or why this build has none of that name.
    pub fn solver(self) -> Result<Box<dyn Solver + Send + Sync>, SolveError> {
        match self {
            Self::Microlp => Ok(Box::new(Microlp)),
            #[cfg(feature = "highs")]
            Self::Highs => Ok(Box::new(Highs)),
            #[cfg(not(feature = "highs"))]
            Self::Highs => Err(SolveError(
                "this build has no HiGHS: build with the cargo feature `highs`".into(),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Microlp => "microlp",
            Self::Highs => "highs",
        }
    }
}

impl FromStr for SolverKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "microlp" => Ok(Self::Microlp),
            "highs" => Ok(Self::Highs),
            other => Err(format!("no solver {other:?}: microlp or highs")),
        }
    }
}

/// How to solve: the solver, and how long it may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Solving {
    pub solver: SolverKind,
    pub time_limit: Duration,
}

/// Long enough to prove the best team of a bundle with 200 candidates.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(10);

impl Default for Solving {
    fn default() -> Self {
        Self {
            solver: SolverKind::Microlp,
            time_limit: DEFAULT_TIME_LIMIT,
        }
    }
}

/// Providers named when a part no one can take is explained.
const KEPT_OUT_SHOWN: usize = 5;
/// Within this of 1, a binary variable is set.
const SET: f64 = 0.5;
/// What leading is worth in the objective per unit of the lead's best fit:
/// enough to choose the best-fitting eligible member as lead, too little to
/// change the team.
const LEAD_WEIGHT: f64 = 1e-4;
/// Slack allowed when a solver's bound is compared with a team's objective.
const TOLERANCE: f64 = 1e-6;

/// The integer programme, as good_lp writes it for any solver.
struct Model {
    vars: ProblemVariables,
    objective: Expression,
    constraints: Vec<Constraint>,
    columns: Columns,
}

/// The binary variables: `x` per option (given), `y` per candidate (a
/// member) and `lead` per candidate, made in that order, so that the i-th
/// made is a solver's i-th column.
struct Columns {
    x: Vec<Variable>,
    y: Vec<Variable>,
    lead: Vec<Variable>,
}

impl Model {
    fn new(p: &Problem) -> Self {
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
        let mut of_part: Vec<Vec<usize>> = vec![Vec::new(); p.parts.len()];
        let mut of_candidate: Vec<Vec<usize>> = vec![Vec::new(); p.candidates.len()];
        for (o, option) in p.options.iter().enumerate() {
            of_part[option.part].push(o);
            of_candidate[option.candidate].push(o);
        }
        let mut objective = Expression::from(0.0);
        for (o, var) in p.options.iter().zip(&x) {
            objective += o.fit * *var;
        }
        for (c, var) in y.iter().enumerate() {
            objective -= p.coordination_cost * *var;
            objective += LEAD_WEIGHT * best_fit(p, &of_candidate[c]) * lead[c];
        }
        let mut constraints = Vec::new();
        for options in &of_part {
            let covering: Expression = options.iter().map(|&o| x[o]).sum();
            constraints.push(constraint!(covering == 1));
        }
        for (c, candidate) in p.candidates.iter().enumerate() {
            for &o in &of_candidate[c] {
                constraints.push(constraint!(x[o] <= y[c]));
            }
            if let Some(capacity) = candidate.capacity_days {
                let days: Expression = of_candidate[c]
                    .iter()
                    .map(|&o| f64::from(p.parts[p.options[o].part].days) * x[o])
                    .sum();
                constraints.push(constraint!(days <= f64::from(capacity)));
            }
            // The lead delivers a part of its own.
            let given: Expression = of_candidate[c].iter().map(|&o| x[o]).sum();
            constraints.push(constraint!(lead[c] <= given));
            if !candidate.may_lead {
                constraints.push(constraint!(lead[c] == 0));
            }
        }
        let members: Expression = y.iter().copied().sum();
        constraints.push(constraint!(members <= p.max_members as f64));
        let leads: Expression = lead.iter().copied().sum();
        constraints.push(constraint!(leads == 1));
        Self {
            vars,
            objective,
            constraints,
            columns: Columns { x, y, lead },
        }
    }
}

impl Columns {
    fn all(&self) -> impl Iterator<Item = Variable> + '_ {
        self.x.iter().chain(&self.y).chain(&self.lead).copied()
    }

    /// The value of every column for `team`.
    fn values(&self, p: &Problem, team: &Team) -> Vec<f64> {
        let (options, candidates) = (self.x.len(), self.y.len());
        let mut values = vec![0.0; options + 2 * candidates];
        for &o in &team.chosen {
            values[o] = 1.0;
            values[options + p.options[o].candidate] = 1.0;
        }
        values[options + candidates + team.lead] = 1.0;
        values
    }

    /// The team a solution's column values set.
    fn team(&self, values: &[f64]) -> Result<Team, SolveError> {
        let (options, candidates) = (self.x.len(), self.y.len());
        let chosen = (0..options).filter(|&o| values[o] > SET).collect();
        let lead = (0..candidates)
            .position(|c| values[options + candidates + c] > SET)
            .ok_or_else(|| SolveError("a solution without a lead".into()))?;
        Ok(Team { chosen, lead })
    }
}

fn best_fit(p: &Problem, options: &[usize]) -> f64 {
    options
        .iter()
        .map(|&o| p.options[o].fit)
        .fold(0.0, f64::max)
}

impl Solver for Microlp {
    fn name(&self) -> &'static str {
        "microlp"
    }

    fn solve(
        &self,
        p: &Problem,
        start: Option<&Team>,
        time_limit: Duration,
    ) -> Result<Solved, SolveError> {
        let Model {
            vars,
            objective,
            constraints,
            columns,
        } = Model::new(p);
        let mut model = vars
            .maximise(objective)
            .using(microlp)
            .with_time_limit(time_limit.as_secs_f64());
        for c in constraints {
            model.add_constraint(c);
        }
        if let Some(team) = start {
            model = model.with_initial_solution(columns.all().zip(columns.values(p, team)));
        }
        match model.solve() {
            Ok(solution) => {
                let values: Vec<f64> = columns.all().map(|v| solution.value(v)).collect();
                let team = columns.team(&values)?;
                if matches!(solution.status(), SolutionStatus::Optimal) {
                    return Ok(Solved::Optimal(team));
                }
                let bound = solution.into_inner().stats().best_bound;
                Ok(Solved::Stopped {
                    team: Some(team),
                    bound,
                })
            }
            Err(ResolutionError::Infeasible) => Ok(Solved::Infeasible),
            // The time limit came before microlp had a team (it had not yet
            // taken the one it was given); good_lp then keeps no bound.
            Err(ResolutionError::Other(message)) if message.starts_with("Time limit") => {
                Ok(Solved::Stopped {
                    team: None,
                    bound: None,
                })
            }
            Err(e) => Err(SolveError(e.to_string())),
        }
    }
}

#[cfg(feature = "highs")]
impl Solver for Highs {
    fn name(&self) -> &'static str {
        "highs"
    }

    /// The start is not given to HiGHS: given a valid team as its start,
    /// HiGHS (highs-sys 1.16) has called it optimal when a better team
    /// existed. Its own heuristics find teams early; the start still
    /// stands in `plan` if HiGHS stops with nothing better.
    fn solve(
        &self,
        p: &Problem,
        _start: Option<&Team>,
        time_limit: Duration,
    ) -> Result<Solved, SolveError> {
        use highs::{HighsModelStatus, HighsSolutionStatus};

        let Model {
            vars,
            objective,
            constraints,
            columns,
        } = Model::new(p);
        let mut problem = vars.maximise(objective).using(good_lp::highs);
        for c in constraints {
            problem.add_constraint(c);
        }
        // HiGHS's own model, to read the proven bound that good_lp drops.
        let mut model = problem
            .try_into_inner()
            .map_err(|e| SolveError(e.to_string()))?;
        model.set_option("time_limit", time_limit.as_secs_f64());
        model.set_option("mip_rel_gap", 0.0);
        model.set_option("mip_abs_gap", 0.0);
        let solved = model
            .try_solve()
            .map_err(|e| SolveError(format!("HiGHS: {e:?}")))?;
        let team = if solved.primal_solution_status() == HighsSolutionStatus::Feasible {
            Some(columns.team(solved.get_solution().columns())?)
        } else {
            None
        };
        match solved.status() {
            HighsModelStatus::Optimal => team
                .map(Solved::Optimal)
                .ok_or_else(|| SolveError("HiGHS: optimal without a solution".into())),
            HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
                Ok(Solved::Infeasible)
            }
            HighsModelStatus::ReachedTimeLimit | HighsModelStatus::ReachedInterrupt => {
                let bound = solved
                    .double_info_value(c"mip_dual_bound")
                    .ok()
                    .filter(|b| b.is_finite());
                Ok(Solved::Stopped { team, bound })
            }
            other => Err(SolveError(format!("HiGHS ended {other:?}"))),
        }
    }
}

/// Plans the team for `problem` with `solver` within `time_limit`,
/// explained. A greedy team is built first: the solver starts from it, and
/// it stands if the solver stops with nothing better.
pub fn plan(
    problem: &Problem,
    solver: &(impl Solver + ?Sized),
    time_limit: Duration,
) -> Result<Plan, SolveError> {
    let uncovered = uncoverable(problem);
    if !uncovered.is_empty() {
        return Ok(infeasible(uncovered));
    }
    let greedy = greedy(problem);
    let checked = |team: Team| match violation(problem, &team) {
        None => Ok(team),
        Some(why) => Err(SolveError(format!(
            "{} gave a team that breaks the rules: {why}",
            solver.name()
        ))),
    };
    match solver.solve(problem, greedy.as_ref(), time_limit)? {
        Solved::Optimal(team) => {
            let team = checked(team)?;
            let value = objective(problem, &team.chosen);
            Ok(planned(problem, &team, Status::Optimal, Some(value)))
        }
        Solved::Infeasible if greedy.is_some() => Err(SolveError(format!(
            "{} found no team, but there is one",
            solver.name()
        ))),
        Solved::Infeasible => Ok(infeasible(vec![Uncovered {
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
        }])),
        Solved::Stopped { team, bound } => {
            let bound = bound.map_or(simple_bound(problem), |b| b.min(simple_bound(problem)));
            let found = team.map(checked).transpose()?;
            let best = [found, greedy].into_iter().flatten().max_by(|a, b| {
                objective(problem, &a.chosen).total_cmp(&objective(problem, &b.chosen))
            });
            match best {
                Some(team) => Ok(planned(problem, &team, Status::TimeLimit, Some(bound))),
                None => Ok(Plan {
                    status: Status::TimeLimit,
                    objective: 0.0,
                    gap: None,
                    bound: Some(bound),
                    members: Vec::new(),
                    uncovered: vec![Uncovered {
                        requirement: String::new(),
                        reason: format!(
                            "no team was found within the time limit of {:.1} s; there may still be one",
                            time_limit.as_secs_f64()
                        ),
                    }],
                }),
            }
        }
    }
}

/// The plan for a valid team, with its gap to `bound`.
fn planned(problem: &Problem, team: &Team, status: Status, bound: Option<f64>) -> Plan {
    let value = objective(problem, &team.chosen);
    let mut members: Vec<Member> = Vec::new();
    for &o in &team.chosen {
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
        m.lead = m.provider == problem.candidates[team.lead].provider;
        m.assignments
            .sort_by(|a, b| a.requirement.cmp(&b.requirement));
    }
    members.sort_by(|a, b| b.lead.cmp(&a.lead).then(a.provider.cmp(&b.provider)));
    // A bound a hair under the team's value is the solver's rounding.
    let bound = bound.map(|b| b.max(value));
    Plan {
        status,
        objective: value,
        gap: Some(match (status, bound) {
            (Status::Optimal, _) | (_, None) => 0.0,
            (_, Some(b)) => relative_gap(value, b),
        }),
        bound,
        members,
        uncovered: Vec::new(),
    }
}

/// `(bound - value) / max(|bound|, |value|)`, 0 when they agree.
pub fn relative_gap(value: f64, bound: f64) -> f64 {
    let scale = bound.abs().max(value.abs());
    if bound - value <= TOLERANCE || scale <= TOLERANCE {
        0.0
    } else {
        (bound - value) / scale
    }
}

/// An upper bound on the objective of any team, without a solver: each
/// part at its best fit, and one member's coordination cost.
fn simple_bound(problem: &Problem) -> f64 {
    let mut best = vec![0.0_f64; problem.parts.len()];
    for o in &problem.options {
        best[o.part] = best[o.part].max(o.fit);
    }
    best.iter().sum::<f64>() - problem.coordination_cost
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

/// What is wrong with `team`, if anything: a part not given once, a member
/// over its days, too many members, or a lead that is no member or may
/// not lead.
pub fn violation(problem: &Problem, team: &Team) -> Option<String> {
    let mut given = vec![0usize; problem.parts.len()];
    let mut used = vec![0u64; problem.candidates.len()];
    let mut parts_of = vec![0usize; problem.candidates.len()];
    for &o in &team.chosen {
        let Some(option) = problem.options.get(o) else {
            return Some(format!("no option {o}"));
        };
        given[option.part] += 1;
        used[option.candidate] += u64::from(problem.parts[option.part].days);
        parts_of[option.candidate] += 1;
    }
    if let Some(part) = given.iter().position(|&n| n != 1) {
        return Some(format!(
            "{} is given {} times",
            problem.parts[part].id, given[part]
        ));
    }
    for (c, candidate) in problem.candidates.iter().enumerate() {
        if let Some(capacity) = candidate.capacity_days
            && used[c] > u64::from(capacity)
        {
            return Some(format!(
                "{} is given {} days of {capacity}",
                candidate.provider, used[c]
            ));
        }
    }
    let members = parts_of.iter().filter(|&&n| n > 0).count();
    if members > problem.max_members {
        return Some(format!(
            "{members} members, at most {}",
            problem.max_members
        ));
    }
    match problem.candidates.get(team.lead) {
        Some(lead) if !lead.may_lead => Some(format!("{} may not lead", lead.provider)),
        Some(lead) if parts_of[team.lead] == 0 => {
            Some(format!("{} leads without a part", lead.provider))
        }
        Some(_) => None,
        None => Some(format!("no candidate {}", team.lead)),
    }
}

/// Leads the greedy search starts from, the most promising first.
const GREEDY_LEADS: usize = 100;
/// Passes of moving a part to a better-fitting member.
const GREEDY_PASSES: usize = 3;

/// A valid team found quickly, or `None`. From each of the most promising
/// candidates that may lead, a team is grown part by part (the parts
/// needing most days first, or those fewest can take): each part to the
/// best-fitting member with the days, or to a new member while there is
/// room, either where the fit is better ("by fit") or only where no member
/// can take it, then the one that can take most of the parts left ("few
/// members"); then parts move to better-fitting members while any can.
/// The best of these teams.
fn greedy(p: &Problem) -> Option<Team> {
    let mut of_part: Vec<Vec<usize>> = vec![Vec::new(); p.parts.len()];
    let mut of_candidate: Vec<Vec<usize>> = vec![Vec::new(); p.candidates.len()];
    let mut potential = vec![0.0; p.candidates.len()];
    for (o, option) in p.options.iter().enumerate() {
        of_part[option.part].push(o);
        of_candidate[option.candidate].push(o);
        potential[option.candidate] += option.fit;
    }
    for options in &mut of_part {
        options.sort_by(|a, b| p.options[*b].fit.total_cmp(&p.options[*a].fit));
    }
    let mut by_days: Vec<usize> = (0..p.parts.len()).collect();
    by_days.sort_by_key(|&part| std::cmp::Reverse(p.parts[part].days));
    let mut by_choice = by_days.clone();
    by_choice.sort_by_key(|&part| of_part[part].len());
    let mut leads: Vec<usize> = (0..p.candidates.len())
        .filter(|&c| p.candidates[c].may_lead && !of_candidate[c].is_empty())
        .collect();
    leads.sort_by(|a, b| potential[*b].total_cmp(&potential[*a]));
    leads.truncate(GREEDY_LEADS);
    let mut best: Option<(f64, Team)> = None;
    let greedy = Greedy {
        p,
        of_part: &of_part,
        of_candidate: &of_candidate,
    };
    for &lead in &leads {
        for (order, few) in [
            (&by_days, false),
            (&by_days, true),
            (&by_choice, false),
            (&by_choice, true),
        ] {
            let Some(team) = greedy.grow(order, lead, few) else {
                continue;
            };
            let value = objective(p, &team.chosen);
            if best.as_ref().is_none_or(|(b, _)| value > *b) {
                best = Some((value, team));
            }
        }
    }
    best.map(|(_, team)| team)
}

/// The options of each part, best fit first, and of each candidate.
struct Greedy<'a> {
    p: &'a Problem,
    of_part: &'a [Vec<usize>],
    of_candidate: &'a [Vec<usize>],
}

impl Greedy<'_> {
    /// One greedy team led by `lead`; see `greedy`.
    fn grow(&self, order: &[usize], lead: usize, few: bool) -> Option<Team> {
        let (p, of_part) = (self.p, self.of_part);
        let days = |o: usize| p.parts[p.options[o].part].days;
        let room = |used: &[u32], o: usize| {
            let c = p.options[o].candidate;
            p.candidates[c]
                .capacity_days
                .is_none_or(|cap| used[c] + days(o) <= cap)
        };
        let mut used = vec![0u32; p.candidates.len()];
        let mut parts_of = vec![0usize; p.candidates.len()];
        let mut member = vec![false; p.candidates.len()];
        member[lead] = true;
        let mut members = 1;
        let mut given = vec![usize::MAX; p.parts.len()];
        for &part in order {
            let own = of_part[part]
                .iter()
                .copied()
                .find(|&o| member[p.options[o].candidate] && room(&used, o));
            let mut newcomers = of_part[part].iter().copied().filter(|&o| {
                members < p.max_members && !member[p.options[o].candidate] && room(&used, o)
            });
            let new = if few {
                // The fit of the parts left that it could take, each alone.
                let reach = |o: usize| -> f64 {
                    let c = p.options[o].candidate;
                    self.of_candidate[c]
                        .iter()
                        .filter(|&&q| given[p.options[q].part] == usize::MAX && room(&used, q))
                        .map(|&q| p.options[q].fit)
                        .sum()
                };
                newcomers.max_by(|a, b| reach(*a).total_cmp(&reach(*b)))
            } else {
                newcomers.next()
            };
            let o = match (own, new) {
                (Some(own), Some(new))
                    if !few && p.options[new].fit - p.coordination_cost > p.options[own].fit =>
                {
                    new
                }
                (Some(own), _) => own,
                (None, Some(new)) => new,
                (None, None) => return None,
            };
            let c = p.options[o].candidate;
            if !member[c] {
                member[c] = true;
                members += 1;
            }
            used[c] += days(o);
            parts_of[c] += 1;
            given[part] = o;
        }
        // The lead must deliver a part: give it the one it fits best that it has
        // the days for, if it has none.
        if parts_of[lead] == 0 {
            let o = (0..p.parts.len())
                .filter_map(|part| {
                    of_part[part]
                        .iter()
                        .copied()
                        .find(|&o| p.options[o].candidate == lead && room(&used, o))
                })
                .max_by(|a, b| {
                    let loss =
                        |o: usize| p.options[given[p.options[o].part]].fit - p.options[o].fit;
                    loss(*b).total_cmp(&loss(*a))
                })?;
            let part = p.options[o].part;
            let from = p.options[given[part]].candidate;
            used[from] -= days(o);
            parts_of[from] -= 1;
            used[lead] += days(o);
            parts_of[lead] += 1;
            given[part] = o;
        }
        for _ in 0..GREEDY_PASSES {
            let mut moved = false;
            for &part in order {
                let current = given[part];
                let from = p.options[current].candidate;
                if from == lead && parts_of[lead] == 1 {
                    continue;
                }
                used[from] -= days(current);
                parts_of[from] -= 1;
                let better = of_part[part]
                    .iter()
                    .copied()
                    .take_while(|&o| p.options[o].fit > p.options[current].fit)
                    .find(|&o| parts_of[p.options[o].candidate] > 0 && room(&used, o));
                let o = better.unwrap_or(current);
                used[p.options[o].candidate] += days(o);
                parts_of[p.options[o].candidate] += 1;
                given[part] = o;
                moved |= o != current;
            }
            if !moved {
                break;
            }
        }
        Some(Team {
            chosen: given,
            lead,
        })
    }
}

fn infeasible(uncovered: Vec<Uncovered>) -> Plan {
    Plan {
        status: Status::Infeasible,
        objective: 0.0,
        gap: None,
        bound: None,
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

    /// Generous for the small problems of these tests.
    const LIMIT: Duration = Duration::from_secs(30);

    /// The team a plan gives, as indexes into the problem.
    fn team_of(p: &Problem, plan: &Plan) -> Team {
        let mut chosen = Vec::new();
        let mut lead = usize::MAX;
        for m in &plan.members {
            let c = p
                .candidates
                .iter()
                .position(|c| c.provider == m.provider)
                .unwrap();
            if m.lead {
                lead = c;
            }
            for a in &m.assignments {
                chosen.push(
                    p.options
                        .iter()
                        .position(|o| {
                            o.candidate == c
                                && o.offer == a.offer
                                && p.parts[o.part].id == a.requirement
                        })
                        .unwrap(),
                );
            }
        }
        Team { chosen, lead }
    }

    fn agrees_with_trying_every_team(solver: &dyn Solver) {
        let mut solved = 0;
        for seed in 1..=60 {
            let p = random_problem(seed);
            let best = exhaustive(&p);
            let planned = plan(&p, solver, LIMIT).unwrap();
            match best {
                Some(b) => {
                    assert_eq!(planned.status, Status::Optimal, "seed {seed}: {planned:?}");
                    assert!(
                        (planned.objective - b).abs() < 1e-6,
                        "seed {seed}: {} vs {b}",
                        planned.objective
                    );
                    assert_eq!(planned.gap, Some(0.0));
                    assert_eq!(violation(&p, &team_of(&p, &planned)), None, "seed {seed}");
                    solved += 1;
                }
                None => assert_eq!(planned.status, Status::Infeasible, "seed {seed}"),
            }
        }
        assert!(solved >= 20, "{solved} feasible instances");
    }

    #[test]
    fn the_plan_is_as_good_as_trying_every_team() {
        agrees_with_trying_every_team(&Microlp);
    }

    #[cfg(feature = "highs")]
    #[test]
    fn the_plan_by_highs_is_as_good_as_trying_every_team() {
        agrees_with_trying_every_team(&Highs);
    }

    #[test]
    fn the_greedy_team_is_valid_and_no_better_than_the_best() {
        let mut found = 0;
        for seed in 1..=60 {
            let p = random_problem(seed);
            let best = exhaustive(&p);
            if let Some(team) = greedy(&p) {
                assert_eq!(violation(&p, &team), None, "seed {seed}");
                let best = best.expect("a greedy team where none exists");
                assert!(objective(&p, &team.chosen) <= best + 1e-9, "seed {seed}");
                found += 1;
            }
        }
        assert!(found >= 15, "{found} greedy teams");
    }

    /// A bundle of `parts` parts among `candidates` providers that each
    /// offer a few of them, with room for `max_members`.
    fn large_problem(seed: u64, parts: usize, candidates: usize) -> Problem {
        let mut s = Stream(seed);
        let parts: Vec<Part> = (0..parts)
            .map(|i| part(&format!("R{i}"), 20 + (s.next() * 380.0) as u32))
            .collect();
        let candidates: Vec<Candidate> = (0..candidates)
            .map(|i| Candidate {
                provider: format!("P{i}"),
                capacity_days: Some(200 + (s.next() * 1_000.0) as u32),
                may_lead: s.next() > 0.3,
            })
            .collect();
        let mut options = Vec::new();
        for c in 0..candidates.len() {
            for p in 0..parts.len() {
                if s.next() < 4.0 / parts.len() as f64 {
                    options.push(option(c, p, (s.next() * 100.0).round() / 100.0));
                }
            }
        }
        Problem {
            max_members: parts.len() / 3 + 2,
            parts,
            candidates,
            options,
            coordination_cost: 0.05,
        }
    }

    fn assert_stopped_well(p: &Problem, planned: &Plan) {
        assert_eq!(planned.status, Status::TimeLimit, "{planned:?}");
        assert_eq!(violation(p, &team_of(p, planned)), None);
        let bound = planned.bound.unwrap();
        let gap = planned.gap.unwrap();
        assert!(
            bound >= planned.objective,
            "{bound} < {}",
            planned.objective
        );
        assert!((0.0..=1.0).contains(&gap), "{gap}");
        assert!((gap - relative_gap(planned.objective, bound)).abs() < 1e-12);
        assert!(planned.members.len() <= p.max_members);
    }

    #[test]
    fn stopped_at_once_the_greedy_team_stands_with_its_gap() {
        let p = large_problem(7, 20, 200);
        let planned = plan(&p, &Microlp, Duration::ZERO).unwrap();
        assert_stopped_well(&p, &planned);
        assert!(planned.gap.unwrap() > 0.0);
        assert!((planned.bound.unwrap() - simple_bound(&p)).abs() < 1e-9);
    }

    #[test]
    fn stopped_at_the_limit_the_best_team_found_is_valid_and_within_its_bound() {
        let p = large_problem(11, 30, 1_000);
        let planned = plan(&p, &Microlp, Duration::from_millis(300)).unwrap();
        if planned.status == Status::Optimal {
            // A machine fast enough to prove it: the team must still hold.
            assert_eq!(violation(&p, &team_of(&p, &planned)), None);
        } else {
            assert_stopped_well(&p, &planned);
        }
    }

    /// A solver that gives back what it is told to.
    struct Stub(Solved);

    impl Solver for Stub {
        fn name(&self) -> &'static str {
            "stub"
        }

        fn solve(&self, _: &Problem, _: Option<&Team>, _: Duration) -> Result<Solved, SolveError> {
            Ok(self.0.clone())
        }
    }

    #[test]
    fn a_solver_team_that_breaks_the_rules_is_an_error_and_no_team_in_time_is_said() {
        let p = random_problem(3);
        let broken = Stub(Solved::Optimal(Team {
            chosen: Vec::new(),
            lead: 0,
        }));
        let error = plan(&p, &broken, LIMIT).unwrap_err();
        assert!(error.0.contains("breaks the rules"), "{error}");
        // Only one member allowed, and it may not lead: no greedy team either.
        let q = Problem {
            parts: vec![part("R1", 50)],
            candidates: vec![Candidate {
                may_lead: false,
                ..candidate("RR8", None)
            }],
            options: vec![option(0, 0, 0.9)],
            max_members: 1,
            coordination_cost: 0.0,
        };
        let nothing = Stub(Solved::Stopped {
            team: None,
            bound: None,
        });
        let planned = plan(&q, &nothing, Duration::from_secs(2)).unwrap();
        assert_eq!(planned.status, Status::TimeLimit);
        assert!(planned.members.is_empty());
        assert!(
            planned.uncovered[0]
                .reason
                .contains("within the time limit of 2.0 s"),
            "{planned:?}"
        );
        let json = serde_json::to_value(&planned).unwrap();
        assert_eq!(json["status"], "time_limit");
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
        let plan = plan(&p, &Microlp, LIMIT).unwrap();
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
        let plan1 = plan(&p, &Microlp, LIMIT).unwrap();
        assert_eq!(plan1.status, Status::Infeasible);
        assert_eq!(plan1.uncovered[0].requirement, "R2");
        assert!(
            plan1.uncovered[0].reason.contains("needs 300 staff days"),
            "{plan1:?}"
        );
        p.options.pop();
        let plan2 = plan(&p, &Microlp, LIMIT).unwrap();
        assert_eq!(plan2.uncovered[0].reason, "no provider offers it");
        p.parts[1].kept_out = vec![("RP4".into(), "no_capacity".into())];
        let plan2 = plan(&p, &Microlp, LIMIT).unwrap();
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
        let plan3 = plan(&q, &Microlp, LIMIT).unwrap();
        assert_eq!(plan3.status, Status::Infeasible);
        assert!(
            plan3.uncovered[0].reason.contains("at most 1 members"),
            "{plan3:?}"
        );
    }
}
