//! Server-rendered pages.

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::services::App;
use crate::web::error::ErrorBody;

pub fn routes() -> Router<App> {
    Router::new()
}

/// An error as a page.
pub fn error_page(status: StatusCode, error: &ErrorBody) -> Response {
    (status, error.message.clone()).into_response()
}
