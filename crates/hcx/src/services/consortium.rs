//! Consortia for bundled opportunities: each requirement ranked as
//! matchmaking ranks a need (the same candidates, features and hard rules,
//! blocks included), then the team chosen by the optimiser.

use std::collections::{BTreeMap, HashMap};

use hcx_domain::access::Capability;
use hcx_domain::agreement::{
    Answer, Consortium, Engagement, PartWork, Place, PlacePart, StaffMix, Standing, partner_type,
    price_parts, proportional_split,
};
use hcx_domain::consortium::{self, Offering, Part, Plan, Problem, Solving, Status};
use hcx_domain::fields::plain_text;
use hcx_domain::matching::{self, Need};
use hcx_domain::money::Money;
use hcx_domain::pricing::PricingTables;
use hcx_domain::vocab::DeliveryMode;
use hcx_domain::vocab::OrgKind;
use hcx_domain::{Invalid, Opportunity, OpportunityId, OrganisationId};
use hcx_store::{ConsortiumFilter, Page};
use serde::Serialize;

use super::access::denied;
use super::quotes::{NewQuoteInput, QuoteRequest, QuoteView, StaffLineInput};
use super::{App, Caller, ServiceError, given};

/// Providers weighed per requirement.
const CANDIDATES_PER_PART: usize = 50;
/// Taken off the total fit for each member: between two teams of nearly
/// equal fit, the smaller.
pub const COORDINATION_COST: f64 = 0.05;
/// Members a team is planned with when no number is asked for.
pub const DEFAULT_MAX_MEMBERS: usize = 5;
/// The most members a team may be planned with.
pub const MAX_MEMBERS: usize = 20;

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
        if !(1..=MAX_MEMBERS).contains(&max_members) {
            return Err(ServiceError::BadRequest(format!(
                "max_members: a team has from 1 to {MAX_MEMBERS} members, not {max_members}"
            )));
        }
        let o = self.readable_opportunity(caller, id).await?;
        if o.requirements.is_empty() {
            return Err(ServiceError::Invalid(Invalid::one(
                "requirements",
                format!("opportunity {id} is not bundled: it lists no requirements to share out"),
            )));
        }
        let total_days: u32 = o.requirements.iter().map(|r| r.days).sum();
        let months = matching::months_of_work(&o);
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
        let context = self.buyer_context(&o).await?;
        let pool = self.pool().await?;
        for (part, r) in o.requirements.iter().enumerate() {
            let need = Need {
                specialties: r.specialties.clone(),
                service_lines: vec![r.service_line],
                delivery_modes: r.delivery_modes.clone(),
                inferred: false,
            };
            let share = part_of(&o, part, total_days);
            let ranking = self
                .rank_providers(&context, share, need, CANDIDATES_PER_PART)
                .await?;
            problem.parts[part].kept_out = ranking
                .excluded
                .iter()
                .map(|e| (e.provider.clone(), e.exclusion.rule.to_string()))
                .collect();
            for m in ranking.matches {
                let Some(c) = pool.candidate(&m.offer, 0.0) else {
                    continue;
                };
                // Capacity is stated a year; the parts' days are spread over
                // the whole engagement.
                let capacity = c
                    .offer
                    .capacity_days_per_year
                    .map(|a_year| a_year * months / 12);
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

/// The parts of a bundle a member delivers, as the pricing sees them.
fn work_of(o: &Opportunity, requirements: impl Iterator<Item = String>) -> Vec<PartWork> {
    requirements
        .filter_map(|id| o.requirements.iter().find(|r| r.id.as_str() == id))
        .map(|r| PartWork {
            service_line: r.service_line,
            days: r.days,
            delivery_modes: r.delivery_modes.clone(),
        })
        .collect()
}

/// A note as given: empty, or plain text.
fn note_of(text: &str) -> Result<String, Invalid> {
    match given(Some(text)) {
        None => Ok(String::new()),
        Some(text) => plain_text(text).map_err(|e| Invalid::one("note", e)),
    }
}

/// Which consortia to list; the caller's scope is applied on top.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsortiumQuery {
    pub opportunity: Option<String>,
}

impl App {
    /// Proposes the best team for a bundled opportunity (the agency): each
    /// member's parts priced with the default rates from the staff mix of
    /// their service lines, and the revenue shared in proportion to them.
    /// Every member then answers; the split can be edited before all accept.
    pub async fn propose_consortium(
        &self,
        caller: &Caller,
        id: &str,
        max_members: usize,
        note: &str,
    ) -> Result<Consortium, ServiceError> {
        let report = self.plan_consortium(caller, id, max_members).await?;
        if report.plan.members.is_empty() {
            let why: Vec<String> = report
                .plan
                .uncovered
                .iter()
                .map(|u| {
                    if u.requirement.is_empty() {
                        u.reason.clone()
                    } else {
                        format!("{}: {}", u.requirement, u.reason)
                    }
                })
                .collect();
            return Err(ServiceError::Conflict(format!(
                "no team of at most {max_members} can be proposed for {id}: {}",
                why.join("; ")
            )));
        }
        let o = self.readable_opportunity(caller, id).await?;
        let engagement = self.engagement_of(&o).await?;
        let mut members = Vec::new();
        for m in &report.plan.members {
            let work = work_of(&o, m.assignments.iter().map(|a| a.requirement.clone()));
            let priced = price_parts(
                &work,
                &engagement,
                StaffMix::shipped(),
                PricingTables::shipped(),
            )?;
            members.push(Place {
                provider: OrganisationId::parse(&m.provider)
                    .map_err(|e| ServiceError::Internal(format!("a planned member: {e}")))?,
                lead: m.lead,
                parts: m
                    .assignments
                    .iter()
                    .map(|a| PlacePart {
                        requirement: a.requirement.clone(),
                        offer: a.offer.clone(),
                        days: a.days,
                        fit: a.fit,
                    })
                    .collect(),
                contribution_pence: priced.price_gbp_pence,
                share_bp: 0,
                answer: Answer::Pending,
                answered_by: None,
                answered_at: None,
                note: String::new(),
            });
        }
        let contributions: Vec<i64> = members.iter().map(|m| m.contribution_pence).collect();
        for (m, share) in members.iter_mut().zip(proportional_split(&contributions)) {
            m.share_bp = share;
        }
        let note = note_of(note)?;
        let proposal = Consortium {
            id: String::new(),
            opportunity: o.id.clone(),
            standing: Standing::Proposed,
            objective: report.plan.objective,
            solver: match (report.plan.status, report.plan.gap) {
                (Status::TimeLimit, Some(gap)) => format!(
                    "{}, stopped at the time limit within {:.2}% of the best",
                    report.solver,
                    gap * 100.0
                ),
                _ => report.solver.to_owned(),
            },
            members,
            proposed_by: caller.actor.id.clone(),
            note,
            agreed_at: None,
            version: 0,
            created_at: 0,
            updated_at: 0,
        };
        Ok(self
            .store
            .propose_consortium(proposal, &caller.author())
            .await?)
    }

    /// The consortia the caller may see, most recently changed first: the
    /// agency sees all, a provider's people those their provider is in.
    pub async fn consortia(
        &self,
        caller: &Caller,
        query: &ConsortiumQuery,
        offset: i64,
        limit: i64,
    ) -> Result<Page<Consortium>, ServiceError> {
        caller.check_capability(Capability::Consortia)?;
        let actor = &caller.actor;
        let members = (!actor.is_staff()).then(|| {
            actor
                .memberships
                .iter()
                .map(|m| m.organisation.clone())
                .collect()
        });
        let opportunity = query
            .opportunity
            .as_deref()
            .map(OpportunityId::parse)
            .transpose()
            .map_err(|e| Invalid::one("opportunity", e))?;
        let filter = ConsortiumFilter {
            opportunity,
            members,
        };
        Ok(self.store.list_consortia(&filter, offset, limit).await?)
    }

    /// One consortium, for the agency and its members' people; hidden from
    /// anyone else.
    pub async fn consortium(&self, caller: &Caller, id: &str) -> Result<Consortium, ServiceError> {
        let not_found = || ServiceError::NotFound {
            kind: "consortium",
            id: id.to_owned(),
        };
        let c = self.store.consortium(id).await?.ok_or_else(not_found)?;
        let members: Vec<OrganisationId> = c.members.iter().map(|m| m.provider.clone()).collect();
        caller
            .actor
            .check_consortium(&members)
            .map_err(|d| denied(d, "consortium", id))?;
        Ok(c)
    }

    /// Sets the revenue split (the agency): a share per member, in basis
    /// points, for every member; a changed split asks every member again.
    pub async fn set_consortium_split(
        &self,
        caller: &Caller,
        id: &str,
        version: i64,
        shares: &BTreeMap<String, u32>,
    ) -> Result<Consortium, ServiceError> {
        caller.check_capability(Capability::Matchmaking)?;
        let c = self.consortium(caller, id).await?;
        let unknown: Vec<&String> = shares
            .keys()
            .filter(|p| !c.members.iter().any(|m| m.provider.as_str() == p.as_str()))
            .collect();
        if let Some(p) = unknown.first() {
            return Err(ServiceError::Invalid(Invalid::one(
                format!("shares.{p}"),
                format!("{p} is not a member of {id}"),
            )));
        }
        let mut ordered = Vec::with_capacity(c.members.len());
        for m in &c.members {
            let share = shares.get(m.provider.as_str()).ok_or_else(|| {
                Invalid::one(
                    format!("shares.{}", m.provider),
                    "give every member a share",
                )
            })?;
            ordered.push(*share);
        }
        Ok(self
            .store
            .set_consortium_split(id, version, &ordered, &caller.author())
            .await?)
    }

    /// A member's answer to its place and the split, by its own people:
    /// `accepted` or `declined` (with a reason).
    pub async fn answer_consortium(
        &self,
        caller: &Caller,
        id: &str,
        version: i64,
        member: &str,
        answer: &str,
        note: &str,
    ) -> Result<Consortium, ServiceError> {
        self.consortium(caller, id).await?;
        let member = OrganisationId::parse(member).map_err(|e| Invalid::one("member", e))?;
        caller
            .actor
            .check_consortium_answer(&member)
            .map_err(|d| denied(d, "consortium", id))?;
        let answer = match Answer::parse(answer) {
            Ok(a @ (Answer::Accepted | Answer::Declined)) => a,
            _ => {
                return Err(ServiceError::Invalid(Invalid::one(
                    "answer",
                    format!("{answer:?} is not an answer: accepted or declined"),
                )));
            }
        };
        let note = note_of(note)?;
        Ok(self
            .store
            .answer_consortium(id, version, &member, answer, &note, &caller.author())
            .await?)
    }

    /// Withdraws a consortium (the agency): the bid is off, or a better
    /// team is to be proposed.
    pub async fn withdraw_consortium(
        &self,
        caller: &Caller,
        id: &str,
        version: i64,
    ) -> Result<Consortium, ServiceError> {
        caller.check_capability(Capability::Matchmaking)?;
        self.consortium(caller, id).await?;
        Ok(self
            .store
            .withdraw_consortium(id, version, &caller.author())
            .await?)
    }

    /// Where a bundle's work is done and who pays for it, for pricing.
    async fn engagement_of(&self, o: &Opportunity) -> Result<Engagement, ServiceError> {
        let buyer = self.organisation(o.buyer.as_str()).await?;
        Ok(Engagement {
            country: o.country.to_string(),
            currency: o
                .value
                .as_ref()
                .map_or_else(|| "GBP".to_owned(), |v| v.currency.to_string()),
            partner_type: partner_type(buyer.sector),
        })
    }

    /// A draft quote for an agreed consortium's whole bundle, in the lead's
    /// name (the agency, or the lead's own people): every member's parts as
    /// staff lines from the same staff mix that priced them, for the buyer
    /// of the opportunity.
    pub async fn quote_consortium(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<QuoteView, ServiceError> {
        let c = self.consortium(caller, id).await?;
        if c.standing != Standing::Agreed {
            return Err(ServiceError::Conflict(format!(
                "consortium {id} is {}: it is quoted once every member has agreed",
                c.standing.as_str()
            )));
        }
        let o = self
            .readable_opportunity(caller, c.opportunity.as_str())
            .await?;
        let engagement = self.engagement_of(&o).await?;
        let lead = c
            .members
            .iter()
            .find(|m| m.lead)
            .ok_or_else(|| ServiceError::Internal(format!("consortium {id} has no lead")))?;
        let parts = work_of(
            &o,
            c.members
                .iter()
                .flat_map(|m| m.parts.iter().map(|p| p.requirement.clone())),
        );
        let lines = parts
            .iter()
            .flat_map(|p| {
                let in_country = p.delivery_modes.contains(&DeliveryMode::InCountry);
                StaffMix::shipped().staff_lines(p.service_line, p.days, in_country)
            })
            .map(|l| StaffLineInput {
                grade: l.grade,
                days: l.days,
                trips: l.trips,
                backfilled_days: None,
            })
            .collect();
        let input = NewQuoteInput {
            provider: Some(lead.provider.to_string()),
            opportunity: Some(o.id.to_string()),
            title: Some(format!("{} (consortium {id})", o.title)),
            input: QuoteRequest {
                lines,
                country: engagement.country,
                currency: engagement.currency,
                partner_type: engagement.partner_type.as_str().to_owned(),
                ..QuoteRequest::default()
            },
        };
        self.create_quote(caller, &input).await
    }
}
