//! Bulk import and export over HTTP.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;

use crate::services::import::{ImportReport, Source};
use crate::services::{App, Caller, ServiceError};
use crate::web::error::ApiError;

/// Import a file: interchange JSON Lines (`application/x-ndjson`), an OCDS
/// package or release (`application/json`), or organisations CSV (`text/csv`).
/// All or nothing: on any invalid record nothing is written and every problem is listed.
#[utoipa::path(post, path = "/import", tag = "bulk",
    request_body(content = String, description = "The file's contents", content_type = "application/x-ndjson"),
    responses((status = 200, description = "Imported: records created, updated and unchanged", body = Object),
        (status = 422, description = "Refused: every problem with its line, field and reason", body = crate::web::error::ErrorEnvelope)))]
pub async fn import(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    body: String,
) -> Result<Json<ImportReport>, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let name = if content_type.starts_with("text/csv") {
        "request.csv"
    } else {
        "request"
    };
    if body.trim().is_empty() {
        return Err(ApiError(ServiceError::BadRequest(
            "the request body is empty: send the file to import".into(),
        )));
    }
    let report = app
        .import(
            &caller,
            &[Source {
                name: name.into(),
                text: body,
            }],
            &mut |_| (),
        )
        .await?;
    Ok(Json(report))
}

/// Export every record as interchange JSON Lines: organisations, offers, strategies, opportunities.
#[utoipa::path(get, path = "/export", tag = "bulk",
    responses((status = 200, description = "One record per line", body = String, content_type = "application/x-ndjson")))]
pub async fn export(State(app): State<App>, caller: Caller) -> Result<impl IntoResponse, ApiError> {
    let text = app.export_text(&caller).await?;
    Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], text))
}
