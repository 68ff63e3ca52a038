//! Consortia for bundled opportunities: each requirement ranked as
//! matchmaking ranks a need (the same candidates, features and hard rules,
//! blocks included), then the team chosen by the optimiser.

use std::collections::HashMap;

use hcx_domain::access::Capability;
use hcx_domain::consortium::{self, Offering, Part, Plan, Problem, Solving};
use hcx_domain::matching::Need;
use hcx_domain::money::Money;
use hcx_domain::vocab::OrgKind;
use hcx_domain::{Invalid, Opportunity};
use serde::Serialize;

use super::{App, Caller, ServiceError};

/// Providers weighed per requirement.
const CANDIDATES_PER_PART: usize = 50;
/// Taken off the total fit for each member: between two teams of nearly
/// equal fit, the smaller.
pub const COORDINATION_COST: f64 = 0.05;

/// A planned consortium, as the API and the command line give it.
#[derive(Debug, Clone, Serialize)]
pub struct ConsortiumReport {
    pub opportunity: String,
    pub max_members: usize,
    pub solver: &'static str,
    #[serde(flatten)]
    pub plan: Plan,
}

impl App {
    /// The best team for a bundled opportunity of at most `max_members`
    /// providers (the agency), by the default solver and time limit.
    pub async fn plan_consortium(
        &self,
        caller: &Caller,
        id: &str,
        max_members: usize,
    ) -> Result<ConsortiumReport, ServiceError> {
        self.plan_consortium_with(caller, id, max_members, Solving::default())
            .await
    }

    /// `plan_consortium` by the solver and within the time limit given.
    pub async fn plan_consortium_with(
        &self,
        caller: &Caller,
        id: &str,
        max_members: usize,
        solving: Solving,
    ) -> Result<ConsortiumReport, ServiceError> {
        let solver = solving
            .solver
            .solver()
            .map_err(|e| ServiceError::BadRequest(format!("solver: {}", e.0)))?;
        caller.check_capability(Capability::Matchmaking)?;
        if max_members == 0 {
            return Err(ServiceError::BadRequest(
                "max_members: a team needs at least one member".into(),
            ));
        }
        let o = self.readable_opportunity(caller, id).await?;
        if o.requirements.is_empty() {
            return Err(ServiceError::Invalid(Invalid::one(
                "requirements",
                format!("opportunity {id} is not bundled: it lists no requirements to share out"),
            )));
        }
        let total_days: u32 = o.requirements.iter().map(|r| r.days).sum();
        let mut problem = Problem {
            parts: o
                .requirements
                .iter()
                .map(|r| Part {
                    id: r.id.to_string(),
                    days: r.days,
                    kept_out: Vec::new(),
                })
                .collect(),
            candidates: Vec::new(),
            options: Vec::new(),
            max_members,
            coordination_cost: COORDINATION_COST,
        };
        let mut candidate_of: HashMap<String, usize> = HashMap::new();
        for (part, r) in o.requirements.iter().enumerate() {
            let need = Need {
                specialties: r.specialties.clone(),
                service_lines: vec![r.service_line],
                delivery_modes: r.delivery_modes.clone(),
                inferred: false,
            };
            let share = part_of(&o, part, total_days);
            let ranking = self
                .rank_providers(share, need, CANDIDATES_PER_PART)
                .await?;
            problem.parts[part].kept_out = ranking
                .excluded
                .iter()
                .map(|e| (e.provider.clone(), e.exclusion.rule.to_string()))
                .collect();
            let pool = self.pool().await?;
            for m in ranking.matches {
                let Some(c) = pool.candidate(&m.offer, 0.0) else {
                    continue;
                };
                let capacity = c.offer.capacity_days_per_year;
                let may_lead = c.provider.kind == OrgKind::Provider;
                let index = *candidate_of.entry(m.provider.clone()).or_insert_with(|| {
                    problem.candidates.push(consortium::Candidate {
                        provider: m.provider.clone(),
                        capacity_days: capacity,
                        may_lead,
                    });
                    problem.candidates.len() - 1
                });
                // A provider's capacity: the most any of its offers states;
                // an offer that states none leaves it unlimited.
                let held = &mut problem.candidates[index].capacity_days;
                *held = match (*held, capacity) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
                problem.options.push(Offering {
                    candidate: index,
                    part,
                    offer: m.offer,
                    fit: m.fit.score,
                });
            }
        }
        let name = solver.name();
        let plan = tokio::task::spawn_blocking(move || {
            consortium::plan(&problem, solver.as_ref(), solving.time_limit)
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("the optimiser stopped: {e}")))?
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok(ConsortiumReport {
            opportunity: id.to_owned(),
            max_members,
            solver: name,
            plan,
        })
    }
}

/// One requirement as an opportunity of its own: its service line,
/// specialties, delivery modes and days, and its share of the value by days.
fn part_of(o: &Opportunity, part: usize, total_days: u32) -> Opportunity {
    let r = &o.requirements[part];
    let mut share = o.clone();
    share.title = format!("{}: {}", o.title, r.title);
    share.service_lines = vec![r.service_line];
    share.specialties = r.specialties.clone();
    share.delivery_modes = r.delivery_modes.clone();
    share.value = o.value.as_ref().map(|v| Money {
        minor: v.minor * i64::from(r.days) / i64::from(total_days.max(1)),
        currency: v.currency.clone(),
    });
    share.requirements = vec![r.clone()];
    share
}
