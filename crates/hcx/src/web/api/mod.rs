//! The JSON API under `/api/v1`.

use axum::Router;

use crate::services::App;

pub fn routes() -> Router<App> {
    Router::new()
}
