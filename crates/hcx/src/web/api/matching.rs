//! Matchmaking over HTTP.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hcx_store::Introduction;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::services::matching::{MatchReport, ProviderReport};
use crate::services::{App, Caller};
use crate::web::error::ApiError;

/// How many providers to return.
#[derive(Debug, Deserialize, IntoParams)]
pub struct MatchParams {
    #[param(minimum = 1, maximum = 200)]
    top: Option<usize>,
}

/// Rank the providers for an opportunity (the agency only): each through its
/// best offer, with the features of its score and a reason for each; and the
/// providers a hard rule keeps out, with the rule and why.
#[utoipa::path(get, path = "/opportunities/{id}/matches", tag = "matchmaking",
    params(("id" = String, Path), MatchParams),
    responses((status = 200, description = "`{opportunity, need, matches: [{provider, offer, score, features}], excluded: [{provider, rule, reason}]}`", body = Object),
        (status = 403, body = crate::web::error::ErrorEnvelope), (status = 404, body = crate::web::error::ErrorEnvelope)))]
pub async fn match_opportunity(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Query(p): Query<MatchParams>,
) -> Result<Json<MatchReport>, ApiError> {
    let top = p.top.unwrap_or(10).clamp(1, 200);
    Ok(Json(app.match_opportunity(&caller, &id, top).await?))
}

/// Rank the published opportunities for a provider (the agency, and the
/// provider's own people): each through its best offer, with the features of
/// its score; and those its strategy or capacity rule out.
#[utoipa::path(get, path = "/organisations/{id}/matches", tag = "matchmaking",
    params(("id" = String, Path), MatchParams),
    responses((status = 200, description = "`{provider, matches: [{opportunity, offer, score, features}], excluded: [{opportunity, rule, reason}]}`", body = Object),
        (status = 403, body = crate::web::error::ErrorEnvelope), (status = 404, body = crate::web::error::ErrorEnvelope)))]
pub async fn match_provider(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Query(p): Query<MatchParams>,
) -> Result<Json<ProviderReport>, ApiError> {
    let top = p.top.unwrap_or(10).clamp(1, 200);
    Ok(Json(app.match_provider(&caller, &id, top).await?))
}

/// An introduction to make.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IntroductionBody {
    /// The provider's organisation id.
    pub provider: String,
    /// The offer that fits, if one is named.
    pub offer: Option<String>,
    /// What the agency says in introducing it.
    pub note: Option<String>,
}

/// A provider's answer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerBody {
    /// The introduction's version you saw.
    pub version: i64,
    pub interested: bool,
    /// Why not, when declining (required then).
    pub reason: Option<String>,
}

/// Introductions, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntroductionsResponse {
    #[schema(value_type = Vec<Object>)]
    pub introductions: Vec<Introduction>,
}

/// Introduce a provider to an opportunity (the agency). A provider the hard
/// rules keep out is refused with 409 and the rule.
#[utoipa::path(post, path = "/opportunities/{id}/introductions", tag = "matchmaking",
    params(("id" = String, Path)), request_body = IntroductionBody,
    responses((status = 201, body = Object), (status = 409, body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn create_introduction(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<IntroductionBody>,
) -> Result<(StatusCode, Json<Introduction>), ApiError> {
    let made = app
        .introduce(
            &caller,
            &id,
            &body.provider,
            body.offer.as_deref(),
            body.note.as_deref(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// The providers introduced to an opportunity: all for the agency, the
/// shortlist (without declines) for its buyer and embassy team.
#[utoipa::path(get, path = "/opportunities/{id}/introductions", tag = "matchmaking",
    params(("id" = String, Path)), responses((status = 200, body = IntroductionsResponse)))]
pub async fn list_introductions_to(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<IntroductionsResponse>, ApiError> {
    let introductions = app.introductions_to(&caller, &id).await?;
    Ok(Json(IntroductionsResponse { introductions }))
}

/// A provider's introductions (its own people and the agency).
#[utoipa::path(get, path = "/organisations/{id}/introductions", tag = "matchmaking",
    params(("id" = String, Path)), responses((status = 200, body = IntroductionsResponse)))]
pub async fn list_introductions_of(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<IntroductionsResponse>, ApiError> {
    let introductions = app.introductions_of(&caller, &id).await?;
    Ok(Json(IntroductionsResponse { introductions }))
}

/// A provider answers an introduction: interested, or declined with a reason.
#[utoipa::path(post, path = "/opportunities/{id}/introductions/{provider}/answer", tag = "matchmaking",
    params(("id" = String, Path), ("provider" = String, Path)), request_body = AnswerBody,
    responses((status = 200, body = Object), (status = 409, body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn answer_introduction(
    State(app): State<App>,
    caller: Caller,
    Path((id, provider)): Path<(String, String)>,
    Json(body): Json<AnswerBody>,
) -> Result<Json<Introduction>, ApiError> {
    let answered = app
        .answer_introduction(
            &caller,
            &id,
            &provider,
            body.version,
            body.interested,
            body.reason.as_deref(),
        )
        .await?;
    Ok(Json(answered))
}
