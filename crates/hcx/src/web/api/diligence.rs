//! Due-diligence cases over HTTP: open, name people, screen, give verdicts,
//! edit, submit, decide (a second person) and reopen. Every write names the
//! version of the case it was made from; a stale one is refused with 409.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hcx_domain::diligence::{Case, Hit};
use hcx_domain::opportunity::format_date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::records::window;
use super::rfc3339;
use crate::services::diligence::{
    AnswerInput, CaseQuery, DecisionInput, EditInput, OpenInput, PersonInput, VerdictInput,
};
use crate::services::{App, Caller};
use crate::web::error::{ApiError, ErrorDetail};

/// A person named in a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonResponse {
    pub id: String,
    pub name: String,
    pub role: String,
    pub birth_date: Option<String>,
    pub country: Option<String>,
}

/// A list entity found for a subject of the case, and its verdict.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitResponse {
    /// Numbered from 1 within the case.
    pub id: i64,
    /// `organisation` (the partner) or a person's id.
    pub subject: String,
    pub list: String,
    /// The list's version that last found it.
    pub list_version: String,
    pub entity_id: String,
    /// The entity's name as listed.
    pub caption: String,
    pub schema: String,
    /// `sanction`, `role.pep`, …
    pub topics: Vec<String>,
    /// How closely it matched, in [0, 1].
    pub score: f64,
    /// `pending`, `true_positive` or `false_positive`.
    pub verdict: String,
    pub reason: Option<String>,
    pub reviewed_by: Option<String>,
    /// RFC 3339, UTC.
    pub reviewed_at: Option<String>,
    /// RFC 3339, UTC.
    pub found_at: String,
}

/// A checklist item with its answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistResponse {
    pub item: String,
    /// The question the reviewer answers.
    pub question: String,
    /// `unanswered`, `satisfied`, `concern` or `not_applicable`.
    pub answer: String,
    pub note: String,
}

/// The decision in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionResponse {
    /// `approved` or `rejected`.
    pub outcome: String,
    pub by: String,
    /// RFC 3339, UTC.
    pub at: String,
    pub note: String,
    /// `YYYY-MM-DD`: the first day an approval no longer holds.
    pub expires_on: Option<String>,
}

/// A due-diligence case.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseResponse {
    pub id: String,
    /// The overseas organisation under review.
    pub partner: String,
    /// The provider whose case it is; none for the agency's case for every provider.
    pub owner: Option<String>,
    /// `open`, `submitted`, `approved` or `rejected`.
    pub status: String,
    /// Submitted or decided, with a hit found since that awaits review.
    pub needs_review: bool,
    pub people: Vec<PersonResponse>,
    pub hits: Vec<HitResponse>,
    /// Whether the partner can pay.
    pub financial_notes: String,
    pub checklist: Vec<ChecklistResponse>,
    /// `low`, `medium`, `high` or `unacceptable`.
    pub rating: Option<String>,
    pub rating_reasons: String,
    /// Who submitted it for decision: that person cannot decide it.
    pub requested_by: Option<String>,
    pub requested_at: Option<String>,
    /// The last decision, in force until the next (kept when reopened).
    pub decision: Option<DecisionResponse>,
    /// What an open case still lacks before it can be submitted.
    pub missing: Vec<ErrorDetail>,
    /// Send it back with every change.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

fn hit_response(h: &Hit) -> HitResponse {
    HitResponse {
        id: h.id,
        subject: h.subject.as_str().to_owned(),
        list: h.list_name.clone(),
        list_version: h.list_version.clone(),
        entity_id: h.entity_id.clone(),
        caption: h.caption.clone(),
        schema: h.schema.as_str().to_owned(),
        topics: h.topics.clone(),
        score: h.score,
        verdict: h.verdict.as_str().to_owned(),
        reason: h.reason.clone(),
        reviewed_by: h.reviewed_by.clone(),
        reviewed_at: h.reviewed_at.map(rfc3339),
        found_at: rfc3339(h.found_at),
    }
}

impl CaseResponse {
    fn of(c: &Case) -> CaseResponse {
        CaseResponse {
            id: c.id.to_string(),
            partner: c.partner.to_string(),
            owner: c.owner.as_ref().map(ToString::to_string),
            status: c.status.as_str().to_owned(),
            needs_review: c.needs_review(),
            people: c
                .people
                .iter()
                .map(|p| PersonResponse {
                    id: p.id.to_string(),
                    name: p.name.clone(),
                    role: p.role.clone(),
                    birth_date: p.birth_date.clone(),
                    country: p.country.as_ref().map(ToString::to_string),
                })
                .collect(),
            hits: c.hits.iter().map(hit_response).collect(),
            financial_notes: c.financial_notes.clone(),
            checklist: c
                .checklist
                .iter()
                .map(|a| ChecklistResponse {
                    item: a.item.as_str().to_owned(),
                    question: a.item.question().to_owned(),
                    answer: a.answer.as_str().to_owned(),
                    note: a.note.clone(),
                })
                .collect(),
            rating: c.rating.map(|r| r.as_str().to_owned()),
            rating_reasons: c.rating_reasons.clone(),
            requested_by: c.requested_by.clone(),
            requested_at: c.requested_at.map(rfc3339),
            decision: c.decision.as_ref().map(|d| DecisionResponse {
                outcome: d.outcome.as_str().to_owned(),
                by: d.by.clone(),
                at: rfc3339(d.at),
                note: d.note.clone(),
                expires_on: d.expires_on.map(format_date),
            }),
            missing: if c.status == hcx_domain::diligence::CaseStatus::Open {
                c.missing()
                    .into_iter()
                    .map(|f| ErrorDetail {
                        file: None,
                        location: None,
                        field: f.field,
                        reason: f.reason,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            version: c.version,
            created_at: rfc3339(c.created_at),
            updated_at: rfc3339(c.updated_at),
        }
    }
}

/// A page of cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct CasesResponse {
    pub items: Vec<CaseResponse>,
    /// Cases in all pages.
    pub total: i64,
    pub offset: u64,
    pub limit: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CaseParams {
    /// Only cases on this partner organisation.
    partner: Option<String>,
    /// Only cases in this status: `open`, `submitted`, `approved` or `rejected`.
    status: Option<String>,
    offset: Option<u64>,
    #[param(maximum = 1000)]
    limit: Option<u64>,
}

/// The due-diligence cases you may see, most recently changed first: the
/// agency sees every case, a provider's people their own providers'.
#[utoipa::path(get, path = "/cases", tag = "due diligence", params(CaseParams),
    responses((status = 200, body = CasesResponse), (status = 401, body = crate::web::error::ErrorEnvelope),
        (status = 403, body = crate::web::error::ErrorEnvelope), (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn list_cases(
    State(app): State<App>,
    caller: Caller,
    Query(p): Query<CaseParams>,
) -> Result<Json<CasesResponse>, ApiError> {
    let query = CaseQuery::read(p.partner.as_deref(), p.status.as_deref())?;
    let (offset, limit) = window(p.offset, p.limit);
    let page = app
        .cases(&caller, &query, offset as i64, limit as i64)
        .await?;
    Ok(Json(CasesResponse {
        items: page.items.iter().map(CaseResponse::of).collect(),
        total: page.total,
        offset,
        limit,
    }))
}

/// Open a case on an overseas buyer or partner: a provider's people for
/// their own provider, the agency for any provider or (no `owner`) for
/// every provider.
#[utoipa::path(post, path = "/cases", tag = "due diligence", request_body = OpenInput,
    responses((status = 201, body = CaseResponse), (status = 403, body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn create_case(
    State(app): State<App>,
    caller: Caller,
    Json(body): Json<OpenInput>,
) -> Result<(StatusCode, Json<CaseResponse>), ApiError> {
    let case = app.open_case(&caller, &body).await?;
    Ok((StatusCode::CREATED, Json(CaseResponse::of(&case))))
}

/// One case (its provider's people and the agency; hidden from others).
#[utoipa::path(get, path = "/cases/{id}", tag = "due diligence", params(("id" = String, Path)),
    responses((status = 200, body = CaseResponse), (status = 404, body = crate::web::error::ErrorEnvelope)))]
pub async fn get_case(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<CaseResponse>, ApiError> {
    Ok(Json(CaseResponse::of(&app.case(&caller, &id).await?)))
}

/// What reviewers write on an open case: each part replaces what the case
/// holds (people left out stay as they are).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseEditBody {
    /// The version of the case you saw.
    pub version: i64,
    pub people: Option<Vec<PersonInput>>,
    /// Whether the partner can pay.
    #[serde(default)]
    pub financial_notes: String,
    /// Items left out are unanswered.
    #[serde(default)]
    pub checklist: Vec<AnswerInput>,
    /// `low`, `medium`, `high` or `unacceptable`.
    pub rating: Option<String>,
    #[serde(default)]
    pub rating_reasons: String,
}

/// Edit an open case.
#[utoipa::path(put, path = "/cases/{id}", tag = "due diligence", params(("id" = String, Path)),
    request_body = CaseEditBody,
    responses((status = 200, body = CaseResponse), (status = 409, description = "A stale version, or a case that is not open", body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn update_case(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<CaseEditBody>,
) -> Result<Json<CaseResponse>, ApiError> {
    let edit = EditInput {
        people: body.people,
        financial_notes: body.financial_notes,
        checklist: body.checklist,
        rating: body.rating,
        rating_reasons: body.rating_reasons,
    };
    let case = app.edit_case(&caller, &id, body.version, &edit).await?;
    Ok(Json(CaseResponse::of(&case)))
}

/// A person to name on an open case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    /// The version of the case you saw.
    pub version: i64,
    /// Chosen by hcx (`p1`, `p2`, …) when left out.
    pub id: Option<String>,
    pub name: String,
    /// What they are to the partner: minister, director, signatory.
    pub role: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
}

/// Name one more person on an open case (screen it again to screen them).
#[utoipa::path(post, path = "/cases/{id}/people", tag = "due diligence", params(("id" = String, Path)),
    request_body = PersonBody,
    responses((status = 201, body = CaseResponse), (status = 409, body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn create_person(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<PersonBody>,
) -> Result<(StatusCode, Json<CaseResponse>), ApiError> {
    let person = PersonInput {
        id: body.id,
        name: body.name,
        role: body.role,
        birth_date: body.birth_date,
        country: body.country,
    };
    let case = app.add_person(&caller, &id, body.version, &person).await?;
    Ok((StatusCode::CREATED, Json(CaseResponse::of(&case))))
}

/// A list screened against, at its version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScreenedList {
    pub name: String,
    pub version: i64,
}

/// What screening a case found.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScreenResponse {
    pub case: CaseResponse,
    /// Hits found for the first time.
    pub new_hits: Vec<HitResponse>,
    pub lists: Vec<ScreenedList>,
}

/// Screen the partner and every person of a case against every screening
/// list. Results scoring 0.5 or more (below a match, 0.7, so that near
/// misses are reviewed too) are recorded as hits awaiting a verdict; a hit
/// found before is refreshed and keeps its verdict. Works in any status.
#[utoipa::path(post, path = "/cases/{id}/screen", tag = "due diligence", params(("id" = String, Path)),
    responses((status = 200, body = ScreenResponse), (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 409, description = "No screening list is stored", body = crate::web::error::ErrorEnvelope)))]
pub async fn screen_case(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ScreenResponse>, ApiError> {
    let screened = app.screen_case(&caller, &id).await?;
    Ok(Json(ScreenResponse {
        case: CaseResponse::of(&screened.case),
        new_hits: screened.new.iter().map(hit_response).collect(),
        lists: screened
            .lists
            .into_iter()
            .map(|l| ScreenedList {
                name: l.name,
                version: l.version,
            })
            .collect(),
    }))
}

/// A verdict on a hit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictBody {
    /// The version of the case you saw.
    pub version: i64,
    /// `true_positive` or `false_positive`.
    pub verdict: String,
    pub reason: String,
}

/// Give a hit its verdict, with the reason. Once the case is submitted or
/// decided only hits awaiting review may be given one.
#[utoipa::path(post, path = "/cases/{id}/hits/{hit}", tag = "due diligence",
    params(("id" = String, Path), ("hit" = i64, Path)), request_body = VerdictBody,
    responses((status = 200, body = CaseResponse), (status = 409, body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn mark_hit(
    State(app): State<App>,
    caller: Caller,
    Path((id, hit)): Path<(String, i64)>,
    Json(body): Json<VerdictBody>,
) -> Result<Json<CaseResponse>, ApiError> {
    let input = VerdictInput {
        verdict: body.verdict,
        reason: body.reason,
    };
    let case = app
        .mark_hit(&caller, &id, body.version, hit, &input)
        .await?;
    Ok(Json(CaseResponse::of(&case)))
}

/// The version a step applies to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseVersionBody {
    pub version: i64,
}

/// Submit an open case for decision: every hit reviewed, financial notes,
/// every checklist item answered, a rating with reasons. You become its
/// requester, and cannot decide it.
#[utoipa::path(post, path = "/cases/{id}/submit", tag = "due diligence", params(("id" = String, Path)),
    request_body = CaseVersionBody,
    responses((status = 200, body = CaseResponse), (status = 409, body = crate::web::error::ErrorEnvelope),
        (status = 422, description = "What is missing, each named", body = crate::web::error::ErrorEnvelope)))]
pub async fn submit_case(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<CaseVersionBody>,
) -> Result<Json<CaseResponse>, ApiError> {
    Ok(Json(CaseResponse::of(
        &app.submit_case(&caller, &id, body.version).await?,
    )))
}

/// A decision on a submitted case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// The version of the case you saw.
    pub version: i64,
    /// `approved` or `rejected`.
    pub outcome: String,
    /// Why: always required.
    pub note: String,
    /// For an approval, `YYYY-MM-DD`: after today and at most 24 months
    /// ahead (12 are suggested). A rejection has none.
    pub expires_on: Option<String>,
}

/// Decide a submitted case: a second person, never its requester (403). An
/// approval is refused while a hit awaits review, with a confirmed
/// sanctions match, or with an unacceptable rating.
#[utoipa::path(post, path = "/cases/{id}/decision", tag = "due diligence", params(("id" = String, Path)),
    request_body = DecisionBody,
    responses((status = 200, body = CaseResponse),
        (status = 403, description = "You submitted the case: someone else must decide it", body = crate::web::error::ErrorEnvelope),
        (status = 409, body = crate::web::error::ErrorEnvelope), (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn decide_case(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<DecisionBody>,
) -> Result<Json<CaseResponse>, ApiError> {
    let input = DecisionInput {
        outcome: body.outcome,
        note: body.note,
        expires_on: body.expires_on,
    };
    Ok(Json(CaseResponse::of(
        &app.decide_case(&caller, &id, body.version, &input).await?,
    )))
}

/// Return a submitted or decided case to work; its last decision stays in
/// force until the next.
#[utoipa::path(post, path = "/cases/{id}/reopen", tag = "due diligence", params(("id" = String, Path)),
    request_body = CaseVersionBody,
    responses((status = 200, body = CaseResponse), (status = 409, body = crate::web::error::ErrorEnvelope)))]
pub async fn reopen_case(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<CaseVersionBody>,
) -> Result<Json<CaseResponse>, ApiError> {
    Ok(Json(CaseResponse::of(
        &app.reopen_case(&caller, &id, body.version).await?,
    )))
}
