//! Consortia over HTTP: the optimiser's team for a bundled opportunity, a
//! proposal recorded from it, the revenue split, and each member's answer.
//! Every write names the version it was made from; a stale one is refused
//! with 409.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hcx_domain::agreement::Consortium;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::records::window;
use super::rfc3339;
use crate::services::consortium::{ConsortiumQuery, ConsortiumReport, DEFAULT_MAX_MEMBERS};
use crate::services::{App, Caller};
use crate::web::error::ApiError;

/// A part given to a member.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentResponse {
    /// The requirement's id within the opportunity.
    pub requirement: String,
    /// The member's offer chosen for it.
    pub offer: String,
    /// Staff days the part needs.
    pub days: u32,
    /// The match score of the offer for the part, in [0, 1].
    pub fit: f64,
}

/// A member of a planned team.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanMemberResponse {
    pub provider: String,
    pub lead: bool,
    pub assignments: Vec<AssignmentResponse>,
}

/// A part no team can cover, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct UncoveredResponse {
    /// Empty when no single part is to blame (the team size or capacities).
    pub requirement: String,
    pub reason: String,
}

/// The optimiser's team for a bundled opportunity.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanResponse {
    pub opportunity: String,
    pub max_members: usize,
    pub solver: String,
    /// `optimal` (proven best), `time_limit` (the best team found when the
    /// time limit was reached) or `infeasible`.
    pub status: String,
    /// Total fit of the parts given less a coordination cost per member.
    pub objective: f64,
    /// How far from the best the team may be, `(bound - objective) /
    /// max(|bound|, |objective|)`: 0 when optimal; absent without a team.
    pub gap: Option<f64>,
    /// A proven upper bound on any team's objective; absent without a team.
    pub bound: Option<f64>,
    /// The lead first.
    pub members: Vec<PlanMemberResponse>,
    pub uncovered: Vec<UncoveredResponse>,
}

impl PlanResponse {
    fn of(r: ConsortiumReport) -> PlanResponse {
        PlanResponse {
            opportunity: r.opportunity,
            max_members: r.max_members,
            solver: r.solver.to_owned(),
            status: serde_json::to_value(r.plan.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            objective: r.plan.objective,
            gap: r.plan.gap,
            bound: r.plan.bound,
            members: r
                .plan
                .members
                .into_iter()
                .map(|m| PlanMemberResponse {
                    provider: m.provider,
                    lead: m.lead,
                    assignments: m
                        .assignments
                        .into_iter()
                        .map(|a| AssignmentResponse {
                            requirement: a.requirement,
                            offer: a.offer,
                            days: a.days,
                            fit: a.fit,
                        })
                        .collect(),
                })
                .collect(),
            uncovered: r
                .plan
                .uncovered
                .into_iter()
                .map(|u| UncoveredResponse {
                    requirement: u.requirement,
                    reason: u.reason,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PlanParams {
    /// At most this many members (default 5).
    #[param(minimum = 1, maximum = 20)]
    max_members: Option<usize>,
}

/// The best team for a bundled opportunity (the agency): each requirement
/// given to one member whose offer fits it, within each member's capacity,
/// under the hard rules of matching; or which requirement no team can cover
/// and why.
#[utoipa::path(get, path = "/opportunities/{id}/consortium-plan", tag = "consortia",
    params(("id" = String, Path), PlanParams),
    responses((status = 200, body = PlanResponse), (status = 403, body = crate::web::error::ErrorEnvelope),
        (status = 404, body = crate::web::error::ErrorEnvelope), (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn plan_consortium(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Query(p): Query<PlanParams>,
) -> Result<Json<PlanResponse>, ApiError> {
    let k = p.max_members.unwrap_or(DEFAULT_MAX_MEMBERS);
    let report = app.plan_consortium(&caller, &id, k).await?;
    Ok(Json(PlanResponse::of(report)))
}

/// A member's place in a proposed consortium.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceResponse {
    pub provider: String,
    pub lead: bool,
    pub parts: Vec<AssignmentResponse>,
    /// The member's parts priced on their own with the default rates, in pence.
    pub contribution_pence: i64,
    /// Its share of the consortium's revenue, in basis points (10,000 is all).
    pub share_bp: u32,
    /// `pending`, `accepted` or `declined`.
    pub answer: String,
    pub answered_by: Option<String>,
    /// RFC 3339, UTC.
    pub answered_at: Option<String>,
    /// Why it declined, or what it said accepting.
    pub note: String,
}

/// A consortium proposed for a bundled opportunity.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsortiumResponse {
    /// `{opportunity}-T{n}`.
    pub id: String,
    pub opportunity: String,
    /// `proposed`, `agreed` (every member accepted) or `withdrawn`.
    pub standing: String,
    pub objective: f64,
    pub solver: String,
    /// The lead first.
    pub members: Vec<PlaceResponse>,
    /// The members' priced parts together, in pence.
    pub price_pence: i64,
    pub proposed_by: String,
    pub note: String,
    /// RFC 3339, UTC: when the last member accepted.
    pub agreed_at: Option<String>,
    /// Send it back with every change.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl ConsortiumResponse {
    pub(crate) fn of(c: &Consortium) -> ConsortiumResponse {
        ConsortiumResponse {
            id: c.id.clone(),
            opportunity: c.opportunity.to_string(),
            standing: c.standing.as_str().to_owned(),
            objective: c.objective,
            solver: c.solver.clone(),
            members: c
                .members
                .iter()
                .map(|m| PlaceResponse {
                    provider: m.provider.to_string(),
                    lead: m.lead,
                    parts: m
                        .parts
                        .iter()
                        .map(|p| AssignmentResponse {
                            requirement: p.requirement.clone(),
                            offer: p.offer.clone(),
                            days: p.days,
                            fit: p.fit,
                        })
                        .collect(),
                    contribution_pence: m.contribution_pence,
                    share_bp: m.share_bp,
                    answer: m.answer.as_str().to_owned(),
                    answered_by: m.answered_by.clone(),
                    answered_at: m.answered_at.map(rfc3339),
                    note: m.note.clone(),
                })
                .collect(),
            price_pence: c.price_pence(),
            proposed_by: c.proposed_by.clone(),
            note: c.note.clone(),
            agreed_at: c.agreed_at.map(rfc3339),
            version: c.version,
            created_at: rfc3339(c.created_at),
            updated_at: rfc3339(c.updated_at),
        }
    }
}

/// A page of consortia.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsortiaResponse {
    pub items: Vec<ConsortiumResponse>,
    /// Consortia in all pages.
    pub total: i64,
    pub offset: u64,
    pub limit: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ConsortiaParams {
    /// Only consortia for this opportunity.
    opportunity: Option<String>,
    offset: Option<u64>,
    #[param(maximum = 1000)]
    limit: Option<u64>,
}

/// The consortia you may see, most recently changed first: the agency sees
/// all, a provider's people those their provider is a member of.
#[utoipa::path(get, path = "/consortia", tag = "consortia", params(ConsortiaParams),
    responses((status = 200, body = ConsortiaResponse), (status = 401, body = crate::web::error::ErrorEnvelope),
        (status = 403, body = crate::web::error::ErrorEnvelope)))]
pub async fn list_consortia(
    State(app): State<App>,
    caller: Caller,
    Query(p): Query<ConsortiaParams>,
) -> Result<Json<ConsortiaResponse>, ApiError> {
    let (offset, limit) = window(p.offset, p.limit);
    let query = ConsortiumQuery {
        opportunity: p.opportunity,
    };
    let page = app
        .consortia(&caller, &query, offset as i64, limit as i64)
        .await?;
    Ok(Json(ConsortiaResponse {
        items: page.items.iter().map(ConsortiumResponse::of).collect(),
        total: page.total,
        offset,
        limit,
    }))
}

/// A team to propose.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeBody {
    /// At most this many members (default 5).
    pub max_members: Option<usize>,
    /// What the members should know.
    #[serde(default)]
    pub note: String,
}

/// Propose the optimiser's best team for a bundled opportunity (the
/// agency), each member's parts priced and the revenue shared in proportion.
#[utoipa::path(post, path = "/opportunities/{id}/consortia", tag = "consortia",
    params(("id" = String, Path)), request_body = ProposeBody,
    responses((status = 201, body = ConsortiumResponse), (status = 403, body = crate::web::error::ErrorEnvelope),
        (status = 409, description = "No team covers every requirement", body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn propose_consortium(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<ProposeBody>,
) -> Result<(StatusCode, Json<ConsortiumResponse>), ApiError> {
    let k = body.max_members.unwrap_or(DEFAULT_MAX_MEMBERS);
    let c = app.propose_consortium(&caller, &id, k, &body.note).await?;
    Ok((StatusCode::CREATED, Json(ConsortiumResponse::of(&c))))
}

/// One consortium (the agency and its members' people; hidden from others).
#[utoipa::path(get, path = "/consortia/{id}", tag = "consortia", params(("id" = String, Path)),
    responses((status = 200, body = ConsortiumResponse), (status = 404, body = crate::web::error::ErrorEnvelope)))]
pub async fn get_consortium(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ConsortiumResponse>, ApiError> {
    Ok(Json(ConsortiumResponse::of(
        &app.consortium(&caller, &id).await?,
    )))
}

/// A revenue split.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitBody {
    /// The version of the consortium you saw.
    pub version: i64,
    /// Each member's share in basis points, by provider id; every member
    /// has one and they sum to 10,000.
    pub shares_bp: BTreeMap<String, u32>,
}

/// Set the revenue split (the agency); a changed split asks every member again.
#[utoipa::path(put, path = "/consortia/{id}/split", tag = "consortia", params(("id" = String, Path)),
    request_body = SplitBody,
    responses((status = 200, body = ConsortiumResponse), (status = 409, description = "A stale version, or a consortium already agreed or withdrawn", body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn set_split(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<SplitBody>,
) -> Result<Json<ConsortiumResponse>, ApiError> {
    let c = app
        .set_consortium_split(&caller, &id, body.version, &body.shares_bp)
        .await?;
    Ok(Json(ConsortiumResponse::of(&c)))
}

/// A member's answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// The version of the consortium you saw.
    pub version: i64,
    /// The member you answer for: your own provider.
    pub member: String,
    /// `accepted` or `declined`.
    pub answer: String,
    /// Required when declining: why.
    #[serde(default)]
    pub note: String,
}

/// Answer for your provider: accept its place and share, or decline with a
/// reason. The consortium is agreed when the last member accepts.
#[utoipa::path(post, path = "/consortia/{id}/answer", tag = "consortia", params(("id" = String, Path)),
    request_body = AnswerBody,
    responses((status = 200, body = ConsortiumResponse), (status = 403, body = crate::web::error::ErrorEnvelope),
        (status = 409, body = crate::web::error::ErrorEnvelope), (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn answer(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<AnswerBody>,
) -> Result<Json<ConsortiumResponse>, ApiError> {
    let c = app
        .answer_consortium(
            &caller,
            &id,
            body.version,
            &body.member,
            &body.answer,
            &body.note,
        )
        .await?;
    Ok(Json(ConsortiumResponse::of(&c)))
}

/// Withdraw a consortium (the agency).
#[utoipa::path(post, path = "/consortia/{id}/withdraw", tag = "consortia", params(("id" = String, Path)),
    request_body = crate::web::api::VersionBody,
    responses((status = 200, body = ConsortiumResponse), (status = 409, body = crate::web::error::ErrorEnvelope)))]
pub async fn withdraw(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<super::VersionBody>,
) -> Result<Json<ConsortiumResponse>, ApiError> {
    let c = app.withdraw_consortium(&caller, &id, body.version).await?;
    Ok(Json(ConsortiumResponse::of(&c)))
}

/// Draft a quote for an agreed consortium's whole bundle in its lead's name
/// (the agency, or the lead's own people): every member's parts as staff
/// lines, for the opportunity's buyer.
#[utoipa::path(post, path = "/consortia/{id}/quote", tag = "consortia", params(("id" = String, Path)),
    responses((status = 201, body = super::quotes::QuoteResponse), (status = 403, body = crate::web::error::ErrorEnvelope),
        (status = 409, description = "Not every member has agreed", body = crate::web::error::ErrorEnvelope)))]
pub async fn quote(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<super::quotes::QuoteResponse>), ApiError> {
    let view = app.quote_consortium(&caller, &id).await?;
    Ok((
        StatusCode::CREATED,
        Json(super::quotes::QuoteResponse::of(&view)),
    ))
}
