//! One error type for the web, with two renderers: an HTML page for people
//! and the JSON envelope for the API.
//!
//! Policy: 4xx answers say exactly what was wrong (field by field for invalid
//! input); 5xx answers never show internals, only a reference to the log line.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::services::ServiceError;

/// A service failure on its way to an API client.
#[derive(Debug)]
pub struct ApiError(pub ServiceError);

/// A service failure on its way to a browser.
#[derive(Debug)]
pub struct PageError(pub ServiceError);

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        ApiError(e)
    }
}

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> Self {
        PageError(e)
    }
}

impl From<hcx_store::StoreError> for PageError {
    fn from(e: hcx_store::StoreError) -> Self {
        PageError(e.into())
    }
}

impl From<hcx_store::StoreError> for ApiError {
    fn from(e: hcx_store::StoreError) -> Self {
        ApiError(e.into())
    }
}

/// A problem with one field (or one line of a file).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// The file, for bulk imports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// `line 12` or `release 3`, for bulk imports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub field: String,
    pub reason: String,
}

/// The error envelope every API error uses.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// `invalid`, `refused`, `not_found`, `conflict`, `unauthenticated`,
    /// `sign_in_failed`, `bad_token`, `forbidden`, `bad_request` or `internal`.
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

/// `{"error": {...}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

/// Status, code, message and details for a service error; internal causes are logged here, once.
pub fn describe(e: &ServiceError) -> (StatusCode, ErrorBody) {
    let (status, code, message, details) = match e {
        ServiceError::Invalid(invalid) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "the input is invalid: see details".to_owned(),
            invalid
                .0
                .iter()
                .map(|f| ErrorDetail {
                    file: None,
                    location: None,
                    field: f.field.clone(),
                    reason: f.reason.clone(),
                })
                .collect(),
        ),
        ServiceError::Refused(errors) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "refused",
            e.to_string(),
            errors
                .iter()
                .map(|f| ErrorDetail {
                    file: Some(f.file.clone()),
                    location: Some(f.error.location.to_string()),
                    field: f.error.field.clone(),
                    reason: f.error.reason.clone(),
                })
                .collect(),
        ),
        ServiceError::NotFound { .. } => {
            (StatusCode::NOT_FOUND, "not_found", e.to_string(), vec![])
        }
        ServiceError::Conflict(_) | ServiceError::Lifecycle(_) => {
            (StatusCode::CONFLICT, "conflict", e.to_string(), vec![])
        }
        ServiceError::SignIn => (
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in first (API clients: send an API token as `Authorization: Bearer hcx_…`)"
                .to_owned(),
            vec![],
        ),
        ServiceError::SignInFailed(_) => (
            StatusCode::UNAUTHORIZED,
            "sign_in_failed",
            e.to_string(),
            vec![],
        ),
        ServiceError::BadToken => (StatusCode::UNAUTHORIZED, "bad_token", e.to_string(), vec![]),
        ServiceError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", e.to_string(), vec![]),
        ServiceError::BadRequest(_) => (
            StatusCode::BAD_REQUEST,
            "bad_request",
            e.to_string(),
            vec![],
        ),
        ServiceError::Internal(cause) => {
            tracing::error!(%cause, "request failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "something went wrong inside hcx; the error has been logged".to_owned(),
                vec![],
            )
        }
    };
    (
        status,
        ErrorBody {
            code,
            message,
            details,
        },
    )
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error) = describe(&self.0);
        let mut response = (status, Json(ErrorEnvelope { error })).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.0, ServiceError::SignIn) {
            return crate::web::auth::to_sign_in();
        }
        let (status, error) = describe(&self.0);
        crate::web::ui::error_page(status, &error)
    }
}
