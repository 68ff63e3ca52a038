//! Twinning over HTTP: suggested long-term partners, and interest in them.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hcx_store::TwinningInterest;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::services::twinning::TwinningReport;
use crate::services::{App, Caller};
use crate::web::error::ApiError;

/// How many partners to rank.
#[derive(Debug, Deserialize, IntoParams)]
pub struct TwinningParams {
    #[param(minimum = 1, maximum = 200)]
    top: Option<usize>,
}

/// Suggest long-term twinning partners: overseas buyers for a UK provider
/// (its own people and the agency), UK providers for an overseas buyer (its
/// own people, the embassy teams of its country and the agency). Best first,
/// each with its score and parts, plus any partner with interest either way;
/// `double_match` when both sides have said they are interested.
#[utoipa::path(get, path = "/organisations/{id}/twinning", tag = "matchmaking",
    params(("id" = String, Path), TwinningParams),
    responses((status = 200, description = "`{organisation, side, suggestions: [{partner, name, country, score, features, interest_from_us, interest_from_them, double_match}]}`", body = Object),
        (status = 400, body = crate::web::error::ErrorEnvelope), (status = 403, body = crate::web::error::ErrorEnvelope),
        (status = 404, body = crate::web::error::ErrorEnvelope)))]
pub async fn list_twinning(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Query(p): Query<TwinningParams>,
) -> Result<Json<TwinningReport>, ApiError> {
    let top = p.top.unwrap_or(10).clamp(1, 200);
    Ok(Json(app.twinning(&caller, &id, top).await?))
}

/// Say that an organisation is interested in twinning with a partner on the
/// other side (its own people and the agency). Saying it twice is a 409.
#[utoipa::path(post, path = "/organisations/{id}/twinning/{partner}/interest", tag = "matchmaking",
    params(("id" = String, Path), ("partner" = String, Path)),
    responses((status = 201, body = Object), (status = 409, body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn create_twinning_interest(
    State(app): State<App>,
    caller: Caller,
    Path((id, partner)): Path<(String, String)>,
) -> Result<(StatusCode, Json<TwinningInterest>), ApiError> {
    let said = app
        .express_twinning_interest(&caller, &id, &partner)
        .await?;
    Ok((StatusCode::CREATED, Json(said)))
}

/// Withdraw an organisation's interest in twinning with a partner.
#[utoipa::path(delete, path = "/organisations/{id}/twinning/{partner}/interest", tag = "matchmaking",
    params(("id" = String, Path), ("partner" = String, Path)),
    responses((status = 204), (status = 404, body = crate::web::error::ErrorEnvelope)))]
pub async fn delete_twinning_interest(
    State(app): State<App>,
    caller: Caller,
    Path((id, partner)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    app.withdraw_twinning_interest(&caller, &id, &partner)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
