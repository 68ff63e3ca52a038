//! Screening over HTTP: the lists, their import, and a matching endpoint
//! shaped like yente's (`POST /match/{dataset}`), so that clients written
//! for OpenSanctions can point at hcx.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use hcx_domain::screening::entity::ListEntity;
use hcx_domain::{FieldError, Invalid};
use hcx_store::ScreeningList;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::services::screening::{ScreenOptions, ScreeningResult, parse_query};
use crate::services::{App, Caller, ServiceError};
use crate::web::error::ApiError;

/// Every screening list with its version.
#[utoipa::path(get, path = "/lists", tag = "screening",
    responses((status = 200, body = ListsResponse), (status = 401, body = crate::web::error::ErrorEnvelope),
        (status = 403, body = crate::web::error::ErrorEnvelope)))]
pub async fn list_lists(
    State(app): State<App>,
    caller: Caller,
) -> Result<Json<ListsResponse>, ApiError> {
    let lists = app.screening_lists(&caller).await?;
    Ok(Json(ListsResponse {
        lists: lists.into_iter().map(ListResponse::of).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListsResponse {
    pub lists: Vec<ListResponse>,
}

/// A screening list at its current version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListResponse {
    pub name: String,
    pub version: i64,
    pub label: String,
    pub digest: String,
    pub entity_count: i64,
    pub imported_by: String,
    pub imported_at: String,
}

impl ListResponse {
    fn of(l: ScreeningList) -> ListResponse {
        ListResponse {
            imported_at: super::rfc3339(l.imported_at),
            name: l.name,
            version: l.version,
            label: l.label,
            digest: l.digest,
            entity_count: l.entity_count,
            imported_by: l.imported_by,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportParams {
    /// What to call this version (a file name, a publication date).
    label: Option<String>,
}

/// Replace a screening list with FollowTheMoney JSON Lines, as a new
/// version (the agency). One bad line refuses the whole file, with every
/// problem named by line and field; the list stays as it was.
#[utoipa::path(put, path = "/lists/{name}", tag = "screening",
    params(("name" = String, Path), ImportParams),
    request_body(content = String, description = "FollowTheMoney entities, one per line", content_type = "application/x-ndjson"),
    responses((status = 200, body = ListResponse),
        (status = 422, description = "Refused: every problem with its line, field and reason", body = crate::web::error::ErrorEnvelope)))]
pub async fn import_list(
    State(app): State<App>,
    caller: Caller,
    Path(name): Path<String>,
    Query(p): Query<ImportParams>,
    body: String,
) -> Result<Json<ListResponse>, ApiError> {
    let label = p.label.unwrap_or_else(|| "request".to_owned());
    let list = app.import_list(&caller, &name, &label, &body).await?;
    Ok(Json(ListResponse::of(list)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct MatchParams {
    /// Most results per query (default 5).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<usize>,
    /// The score at which a result is a match (default 0.7).
    #[param(minimum = 0, maximum = 1)]
    threshold: Option<f64>,
}

/// Screen entities against a list, as yente's `/match/{dataset}` does.
/// Body: `{"queries": {"q1": {"schema": "Person", "properties": {"name":
/// ["..."], "birthDate": ["..."], "nationality": ["..."]}}}}`. Each result
/// has `id`, `caption`, `schema`, `score` in [0, 1], `match` (at the
/// threshold), `features` (each part of the score) and `explanations` (why).
/// `Authorization: ApiKey TOKEN` is accepted as well as `Bearer`.
#[utoipa::path(post, path = "/match/{list}", tag = "screening",
    params(("list" = String, Path), MatchParams),
    request_body(content = Object, description = "`{\"queries\": {KEY: FollowTheMoney entity}}`"),
    responses((status = 200, description = "`{\"responses\": {KEY: {\"status\", \"results\": [...], \"total\", \"query\"}}, \"limit\", \"matcher\"}`", body = Object),
        (status = 400, body = crate::web::error::ErrorEnvelope), (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn match_list(
    State(app): State<App>,
    caller: Caller,
    Path(list): Path<String>,
    Query(p): Query<MatchParams>,
    body: String,
) -> Result<Json<Value>, ApiError> {
    let options = ScreenOptions {
        threshold: p.threshold.unwrap_or(ScreenOptions::default().threshold),
        limit: p.limit.unwrap_or(ScreenOptions::default().limit),
    };
    let queries = read_queries(&body)?;
    let entities = queries.iter().map(|q| q.entity.clone()).collect();
    let (stored, results) = app.screen(&caller, &list, entities, options).await?;
    let responses: Map<String, Value> = queries
        .into_iter()
        .zip(results)
        .map(|(KeyedQuery { key, sent, .. }, results)| {
            let total = results.len();
            let results: Vec<Value> = results.iter().map(|r| yente_result(r, &list)).collect();
            (
                key,
                json!({
                    "status": 200,
                    "results": results,
                    "total": {"value": total, "relation": "eq"},
                    "query": sent,
                }),
            )
        })
        .collect();
    Ok(Json(json!({
        "responses": responses,
        "limit": options.limit,
        "matcher": {
            "name": "hcx",
            "threshold": options.threshold,
            "list": stored.name,
            "version": stored.version,
        },
    })))
}

/// A result as yente gives it: features as numbers, their reasons beside.
fn yente_result(r: &ScreeningResult, list: &str) -> Value {
    let features: BTreeMap<&str, f64> = r.features.iter().map(|f| (f.name, f.value)).collect();
    let explanations: BTreeMap<&str, &str> = r
        .features
        .iter()
        .map(|f| (f.name, f.reason.as_str()))
        .collect();
    json!({
        "id": r.id,
        "caption": r.caption,
        "schema": r.schema,
        "score": r.score,
        "match": r.is_match,
        "features": features,
        "explanations": explanations,
        "datasets": [list],
        "properties": {"topics": r.topics},
    })
}

/// One query of a body: its key, as sent, and as read.
struct KeyedQuery {
    key: String,
    sent: Value,
    entity: ListEntity,
}

/// The queries of a body, in its order, with every problem named by key.
fn read_queries(body: &str) -> Result<Vec<KeyedQuery>, ApiError> {
    let value: Value = serde_json::from_str(body).map_err(|e| {
        ApiError(ServiceError::BadRequest(format!(
            "the body is not valid JSON: {e}"
        )))
    })?;
    let Some(Value::Object(queries)) = value.get("queries") else {
        return Err(ApiError(ServiceError::Invalid(Invalid::one(
            "queries",
            "is required: an object of queries by key",
        ))));
    };
    let (mut read, mut errors) = (Vec::new(), Vec::new());
    for (key, query) in queries {
        match parse_query(query, key) {
            Ok(entity) => read.push(KeyedQuery {
                key: key.clone(),
                sent: query.clone(),
                entity,
            }),
            Err(Invalid(found)) => errors.extend(
                found
                    .into_iter()
                    .map(|e| FieldError::new(format!("queries.{key}.{}", e.field), e.reason)),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError(ServiceError::Invalid(Invalid(errors))));
    }
    Ok(read)
}
