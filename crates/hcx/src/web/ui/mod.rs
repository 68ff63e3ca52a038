//! Server-rendered pages: askama templates, one `*Page` struct per view,
//! plain HTML forms that work without JavaScript, one stylesheet.
//!
//! Handlers stay thin: read the request, call the services, render a page.
//! Errors become [`PageError`]s, rendered by [`error_page`] in the same layout.

mod assets;
mod dashboard;
mod form;
mod layout;
mod opportunities;
mod organisations;
mod params;
mod views;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::services::App;
use crate::web::error::{ErrorBody, ErrorDetail};
use layout::{Layout, Section};

/// The pages, the stylesheet, and a 404 page for every other path.
pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(dashboard::get_dashboard))
        .route("/assets/hcx.css", get(assets::stylesheet))
        .route("/assets/favicon.svg", get(assets::favicon))
        .route(
            "/opportunities",
            get(opportunities::list_opportunities).post(form::create_opportunity),
        )
        .route("/opportunities/new", get(form::new_opportunity))
        .route("/opportunities/{id}", get(opportunities::get_opportunity))
        .route(
            "/opportunities/{id}/edit",
            get(form::edit_opportunity).post(form::update_opportunity),
        )
        .route(
            "/opportunities/{id}/actions/{action}",
            post(opportunities::act_on_opportunity),
        )
        .route("/organisations", get(organisations::list_organisations))
        .route("/organisations/{id}", get(organisations::get_organisation))
        .fallback(not_found)
}

/// A failure shown to a person: what went wrong and, for bad input, each field.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    status: u16,
    message: &'a str,
    details: &'a [ErrorDetail],
}

/// An error as a page, in the site's layout (500s carry only the generic message).
pub fn error_page(status: StatusCode, error: &ErrorBody) -> Response {
    let page = ErrorPage {
        layout: Layout::new(title_of(status), Section::Other),
        status: status.as_u16(),
        message: &error.message,
        details: &error.details,
    };
    (status, page).into_response()
}

/// A heading for an error page, in plain words.
fn title_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::CONFLICT => "That could not be done",
        StatusCode::UNPROCESSABLE_ENTITY => "Some of what was sent was refused",
        StatusCode::BAD_REQUEST => "The request could not be understood",
        s if s.is_server_error() => "Sorry, something went wrong",
        s => s.canonical_reason().unwrap_or("Something went wrong"),
    }
}

/// Store reads made by the pages fail like any service call.
/// Any path no route claims.
async fn not_found(uri: Uri) -> Response {
    let error = ErrorBody {
        code: "not_found",
        message: format!("There is no page at {}.", uri.path()),
        details: vec![],
    };
    error_page(StatusCode::NOT_FOUND, &error)
}
