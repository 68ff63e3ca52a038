//! Reading and writing single records, listing organisations and strategies,
//! and opportunity lifecycle actions.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use hcx_domain::opportunity::Action;
use hcx_domain::{Invalid, Record};
use hcx_store::OrganisationFilter;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use super::{ListResponse, RecordResponse, VersionBody, expected_version};
use crate::services::registry::Kind;
use crate::services::{App, Caller, ServiceError};
use crate::web::error::ApiError;

/// `?version=N`, for writes that do not send `If-Match`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct VersionQuery {
    /// The version you read; the write is refused with 409 if the record has changed since.
    version: Option<i64>,
}

/// Reads a request body as a record of `kind`; the `record` field may be left out.
fn record_of(kind: Kind, body: Value, path_id: Option<&str>) -> Result<Record, ApiError> {
    let Value::Object(mut map) = body else {
        return Err(ApiError(ServiceError::Invalid(Invalid::one(
            "",
            "the body must be a JSON object",
        ))));
    };
    match map.get("record").and_then(Value::as_str) {
        Some(k) if k != kind.as_str() => {
            return Err(ApiError(ServiceError::Invalid(Invalid::one(
                "record",
                format!("is {k:?} but this endpoint takes {}", kind.as_str()),
            ))));
        }
        _ => {
            map.insert("record".into(), Value::from(kind.as_str()));
        }
    }
    if let Some(id) = path_id {
        match map.get("id").and_then(Value::as_str) {
            Some(body_id) if body_id != id => {
                return Err(ApiError(ServiceError::Invalid(Invalid::one(
                    "id",
                    format!("{body_id:?} differs from the id in the path, {id:?}"),
                ))));
            }
            _ => {
                map.insert("id".into(), Value::from(id));
            }
        }
    }
    Record::from_value(Value::Object(map)).map_err(|e| ApiError(ServiceError::Invalid(e)))
}

async fn respond(
    app: &App,
    caller: &Caller,
    kind: Kind,
    id: &str,
) -> Result<RecordResponse, ApiError> {
    let v = app.get(caller, kind, id).await?;
    Ok(RecordResponse::of(caller, v, std::convert::identity))
}

async fn get_record(
    app: App,
    caller: Caller,
    kind: Kind,
    id: String,
) -> Result<Json<RecordResponse>, ApiError> {
    Ok(Json(respond(&app, &caller, kind, &id).await?))
}

async fn create_record(
    app: App,
    caller: Caller,
    kind: Kind,
    body: Value,
) -> Result<impl IntoResponse, ApiError> {
    let record = record_of(kind, body, None)?;
    app.create(&caller, &record).await?;
    let location = format!("/api/v1/{}/{}", collection(kind), record.id());
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(respond(&app, &caller, kind, record.id()).await?),
    ))
}

async fn update_record(
    app: App,
    caller: Caller,
    kind: Kind,
    id: String,
    headers: HeaderMap,
    query: VersionQuery,
    body: Value,
) -> Result<Json<RecordResponse>, ApiError> {
    let record = record_of(kind, body, Some(&id))?;
    match expected_version(&headers, query.version)? {
        Some(version) => app.update(&caller, &record, version).await?,
        None => app.put(&caller, &record).await?,
    };
    Ok(Json(respond(&app, &caller, kind, &id).await?))
}

async fn delete_record(
    app: App,
    caller: Caller,
    kind: Kind,
    id: String,
    headers: HeaderMap,
    query: VersionQuery,
) -> Result<StatusCode, ApiError> {
    app.delete(
        &caller,
        kind,
        &id,
        expected_version(&headers, query.version)?,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn collection(kind: Kind) -> &'static str {
    match kind {
        Kind::Organisation => "organisations",
        Kind::Offer => "offers",
        Kind::Strategy => "strategies",
        Kind::Opportunity => "opportunities",
    }
}

/// The four record endpoints of one kind, documented for OpenAPI.
macro_rules! record_endpoints {
    ($kind:expr, $tag:literal, $collection:literal, $item:literal, $schema:ty, $get:ident, $create:ident, $update:ident, $delete:ident) => {
        /// Read one record.
        #[utoipa::path(get, path = $item, tag = $tag,
            params(("id" = String, Path, description = "The record's id")),
            responses((status = 200, body = RecordResponse), (status = 404, body = crate::web::error::ErrorEnvelope)))]
        pub async fn $get(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<RecordResponse>, ApiError> {
            get_record(app, caller, $kind, id).await
        }

        /// Create a record; its id must be new.
        #[utoipa::path(post, path = $collection, tag = $tag, request_body = $schema,
            responses((status = 201, body = RecordResponse),
                (status = 409, description = "The id is taken", body = crate::web::error::ErrorEnvelope),
                (status = 422, description = "Invalid: every field that is wrong", body = crate::web::error::ErrorEnvelope)))]
        pub async fn $create(State(app): State<App>, caller: Caller, Json(body): Json<Value>) -> Result<impl IntoResponse, ApiError> {
            create_record(app, caller, $kind, body).await
        }

        /// Create or replace a record. Send the version you read (If-Match or ?version) to refuse stale edits.
        #[utoipa::path(put, path = $item, tag = $tag, request_body = $schema,
            params(("id" = String, Path, description = "The record's id"), VersionQuery,
                ("If-Match" = Option<String>, Header, description = "The version you read, e.g. \"3\"")),
            responses((status = 200, body = RecordResponse),
                (status = 409, description = "Changed by someone else since that version", body = crate::web::error::ErrorEnvelope),
                (status = 422, body = crate::web::error::ErrorEnvelope)))]
        pub async fn $update(
            State(app): State<App>,
            caller: Caller,
            Path(id): Path<String>,
            Query(query): Query<VersionQuery>,
            headers: HeaderMap,
            Json(body): Json<Value>,
        ) -> Result<Json<RecordResponse>, ApiError> {
            update_record(app, caller, $kind, id, headers, query, body).await
        }

        /// Delete a record. Organisations others refer to cannot be deleted (409).
        #[utoipa::path(delete, path = $item, tag = $tag,
            params(("id" = String, Path, description = "The record's id"), VersionQuery),
            responses((status = 204, description = "Deleted"), (status = 404, body = crate::web::error::ErrorEnvelope),
                (status = 409, body = crate::web::error::ErrorEnvelope)))]
        pub async fn $delete(
            State(app): State<App>,
            caller: Caller,
            Path(id): Path<String>,
            Query(query): Query<VersionQuery>,
            headers: HeaderMap,
        ) -> Result<StatusCode, ApiError> {
            delete_record(app, caller, $kind, id, headers, query).await
        }
    };
}

record_endpoints!(
    Kind::Organisation,
    "organisations",
    "/organisations",
    "/organisations/{id}",
    super::schema::Organisation,
    get_organisation,
    create_organisation,
    update_organisation,
    delete_organisation
);
record_endpoints!(
    Kind::Offer,
    "offers",
    "/offers",
    "/offers/{id}",
    super::schema::Offer,
    get_offer,
    create_offer,
    update_offer,
    delete_offer
);
record_endpoints!(
    Kind::Strategy,
    "strategies",
    "/strategies",
    "/strategies/{id}",
    super::schema::Strategy,
    get_strategy,
    create_strategy,
    update_strategy,
    delete_strategy
);
record_endpoints!(
    Kind::Opportunity,
    "opportunities",
    "/opportunities",
    "/opportunities/{id}",
    super::schema::Opportunity,
    get_opportunity,
    create_opportunity,
    update_opportunity,
    delete_opportunity
);

/// Filters for the organisations list; each takes several values separated by commas.
#[derive(Debug, Deserialize, IntoParams)]
pub struct OrganisationParams {
    /// provider, buyer, partner, network, agency, post
    kind: Option<String>,
    /// nhs, private, government, university, charity, multilateral
    sector: Option<String>,
    /// NHS England region, e.g. `North West`
    region: Option<String>,
    /// Network code, e.g. `HI-YH`
    network: Option<String>,
    /// ISO 3166-1 alpha-2
    country: Option<String>,
    /// Part of the name
    name: Option<String>,
    #[param(minimum = 0)]
    offset: Option<u64>,
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

/// Splits `a,b` into values; regions may contain spaces, so only commas split.
pub(super) fn values(param: &Option<String>) -> Vec<String> {
    param
        .iter()
        .flat_map(|p| p.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Offset and limit within bounds.
pub(super) fn window(offset: Option<u64>, limit: Option<u64>) -> (u64, u64) {
    (
        offset.unwrap_or(0),
        limit
            .unwrap_or(hcx_search::DEFAULT_LIMIT as u64)
            .clamp(1, hcx_search::MAX_LIMIT as u64),
    )
}

/// List organisations, filtered.
#[utoipa::path(get, path = "/organisations", tag = "organisations", params(OrganisationParams),
    responses((status = 200, body = ListResponse)))]
pub async fn list_organisations(
    State(app): State<App>,
    caller: Caller,
    Query(p): Query<OrganisationParams>,
) -> Result<Json<ListResponse>, ApiError> {
    let filter = OrganisationFilter {
        kinds: values(&p.kind),
        sectors: values(&p.sector),
        regions: values(&p.region),
        networks: values(&p.network),
        countries: values(&p.country),
        name: p.name,
    };
    let (offset, limit) = window(p.offset, p.limit);
    let page = app
        .store
        .list_organisations(&filter, offset as i64, limit as i64)
        .await
        .map_err(ServiceError::from)?;
    let total = page.total as u64;
    Ok(Json(ListResponse::of(
        &caller,
        page.items,
        Record::Organisation,
        total,
        (offset, limit),
        None,
    )))
}

/// Pagination only.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PageParams {
    #[param(minimum = 0)]
    offset: Option<u64>,
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

/// List strategies: all for the agency, a provider's own for its members.
#[utoipa::path(get, path = "/strategies", tag = "strategies", params(PageParams), responses((status = 200, body = ListResponse)))]
pub async fn list_strategies(
    State(app): State<App>,
    caller: Caller,
    Query(p): Query<PageParams>,
) -> Result<Json<ListResponse>, ApiError> {
    let (offset, limit) = window(p.offset, p.limit);
    let page = app
        .list_strategies(&caller, offset as i64, limit as i64)
        .await?;
    let total = page.total as u64;
    Ok(Json(ListResponse::of(
        &caller,
        page.items,
        Record::Strategy,
        total,
        (offset, limit),
        None,
    )))
}

/// Move an opportunity through its lifecycle: `submit` (draft → pending review),
/// `publish`, `return` (to draft), `close`, `withdraw`.
#[utoipa::path(post, path = "/opportunities/{id}/actions/{action}", tag = "opportunities", request_body = VersionBody,
    params(("id" = String, Path), ("action" = String, Path, description = "submit, publish, return, close or withdraw")),
    responses((status = 200, body = RecordResponse),
        (status = 409, description = "Not allowed from the current status, or a stale version", body = crate::web::error::ErrorEnvelope)))]
pub async fn act_on_opportunity(
    State(app): State<App>,
    caller: Caller,
    Path((id, action)): Path<(String, String)>,
    Json(body): Json<VersionBody>,
) -> Result<Json<RecordResponse>, ApiError> {
    let action = Action::parse(&action).ok_or_else(|| {
        let names: Vec<&str> = Action::NAMES.iter().map(|(n, _)| *n).collect();
        ServiceError::NotFound {
            kind: "action",
            id: format!("{action} (expected one of {})", names.join(", ")),
        }
    })?;
    let v = app.transition(&caller, &id, action, body.version).await?;
    Ok(Json(RecordResponse::of(&caller, v, Record::Opportunity)))
}
