//! Who the caller is, and the audit log for administrators.

use axum::Json;
use axum::extract::{Query, State};
use hcx_store::{AuditEvent, AuditFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::services::{App, Caller};
use crate::web::error::ApiError;

/// The caller as hcx sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    /// `user:ID`, or `anonymous` without a token.
    pub id: String,
    pub name: String,
    /// admin, adviser, post, provider, buyer or network; absent when anonymous.
    pub role: Option<String>,
    /// The organisations the caller acts for.
    pub organisations: Vec<String>,
}

/// Who the token (or session) belongs to.
#[utoipa::path(get, path = "/me", tag = "accounts", responses((status = 200, body = MeResponse)))]
pub async fn get_me(caller: Caller) -> Json<MeResponse> {
    let actor = caller.actor;
    Json(MeResponse {
        id: actor.id,
        name: actor.name,
        role: actor.role.map(|r| r.as_str().to_owned()),
        organisations: actor
            .memberships
            .iter()
            .map(|m| m.organisation.to_string())
            .collect(),
    })
}

/// Filters for the audit log.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditParams {
    /// Record kind: organisation, offer, strategy, opportunity, user, token.
    kind: Option<String>,
    /// Record id.
    record: Option<String>,
    /// Actor id, e.g. `user:abc`.
    actor: Option<String>,
    /// Only events older than this sequence number (the next page).
    before: Option<i64>,
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// One page of the audit log, newest first (administrators only).
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditResponse {
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<AuditEvent>,
}

/// Read the audit log, newest first: who did what to which record, with the
/// record before and after (administrators only).
#[utoipa::path(get, path = "/audit", tag = "accounts", params(AuditParams),
    responses((status = 200, body = AuditResponse), (status = 403, body = crate::web::error::ErrorEnvelope)))]
pub async fn list_audit(
    State(app): State<App>,
    caller: Caller,
    Query(p): Query<AuditParams>,
) -> Result<Json<AuditResponse>, ApiError> {
    let filter = AuditFilter {
        kind: p.kind,
        record_id: p.record,
        actor_id: p.actor,
        before_seq: p.before,
    };
    let events = app
        .audit_events(&caller, &filter, p.limit.unwrap_or(100))
        .await?;
    Ok(Json(AuditResponse { events }))
}
