//! Matchmaking over HTTP.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use utoipa::IntoParams;

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
