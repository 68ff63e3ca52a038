//! Server-rendered pages: askama templates, one `*Page` struct per view,
//! plain HTML forms that work without JavaScript, one stylesheet.
//!
//! Handlers stay thin: read the request, call the services, render a page.
//! Errors become [`PageError`]s, rendered by [`error_page`] in the same layout.

mod accounts;
mod alerts;
mod assets;
mod consortium;
mod dashboard;
mod diligence;
mod form;
mod introductions;
mod layout;
mod matching;
mod opportunities;
mod organisations;
mod params;
mod quotes;
mod screening;
mod twinning;
mod views;

use askama::Template;
use askama_web::WebTemplate;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::web::error::{ErrorBody, ErrorDetail};
use crate::web::routes::Routes;
use layout::{Layout, Section};

/// The pages, the stylesheet, and a 404 page for every other path.
pub fn routes() -> Routes {
    Routes::new()
        .get("/", dashboard::get_dashboard)
        .get("/assets/hcx.css", assets::stylesheet)
        .get("/assets/favicon.svg", assets::favicon)
        .get("/opportunities", opportunities::list_opportunities)
        .post("/opportunities", form::create_opportunity)
        .get("/opportunities/new", form::new_opportunity)
        .get("/opportunities/{id}", opportunities::get_opportunity)
        .get("/opportunities/{id}/matches", matching::get_matches)
        .post("/opportunities/{id}/introductions", matching::introduce)
        .get("/opportunities/{id}/edit", form::edit_opportunity)
        .post("/opportunities/{id}/edit", form::update_opportunity)
        .post(
            "/opportunities/{id}/actions/{action}",
            opportunities::act_on_opportunity,
        )
        .get("/alerts", alerts::list_alerts)
        .post("/alerts", alerts::create_alert)
        .post("/alerts/{id}/delete", alerts::delete_alert)
        .get("/alerts/{id}/feed.atom", alerts::get_feed)
        .get("/alerts/unsubscribe/{token}", alerts::get_unsubscribe)
        .post("/alerts/unsubscribe/{token}", alerts::unsubscribe)
        .get("/notifications", alerts::list_notifications)
        .post("/notifications/{id}/read", alerts::read_notification)
        .post(
            "/notifications/cases/{id}/read",
            alerts::read_case_notification,
        )
        .get("/screening", screening::get_screening)
        .post("/screening/lists", screening::import_list)
        .get("/opportunities/{id}/consortium", consortium::get_plan)
        .post("/opportunities/{id}/consortia", consortium::propose)
        .get("/consortia", consortium::list)
        .get("/consortia/{id}", consortium::get)
        .post("/consortia/{id}/split", consortium::set_split)
        .post("/consortia/{id}/answer", consortium::answer)
        .post("/consortia/{id}/withdraw", consortium::withdraw)
        .post("/consortia/{id}/quote", consortium::quote)
        .get("/cases", diligence::list_cases)
        .post("/cases", diligence::create_case)
        .get("/cases/new", diligence::new_case)
        .get("/cases/{id}", diligence::get_case)
        .post("/cases/{id}", diligence::update_case)
        .post("/cases/{id}/people", diligence::add_person)
        .post("/cases/{id}/screen", diligence::screen_case)
        .post("/cases/{id}/hits/{hit}", diligence::mark_hit)
        .post("/cases/{id}/submit", diligence::submit_case)
        .post("/cases/{id}/decision", diligence::decide_case)
        .post("/cases/{id}/reopen", diligence::reopen_case)
        .get("/quotes", quotes::list_quotes)
        .post("/quotes", quotes::create_quote)
        .get("/quotes/new", quotes::new_quote)
        .get("/quotes/{id}", quotes::get_quote)
        .get("/quotes/{id}/revise", quotes::edit_quote)
        .post("/quotes/{id}/revise", quotes::revise_quote)
        .post("/quotes/{id}/issue", quotes::issue_quote)
        .post("/quotes/{id}/accept", quotes::accept_quote)
        .post("/quotes/{id}/reject", quotes::reject_quote)
        .post("/quotes/{id}/withdraw", quotes::withdraw_quote)
        .get("/quotes/{id}/print", quotes::print_quote)
        .get("/organisations/{id}/reinvestment", quotes::get_reinvestment)
        .post(
            "/organisations/{id}/reinvestment",
            quotes::record_reinvestment,
        )
        .get("/organisations", organisations::list_organisations)
        .get("/organisations/{id}", organisations::get_organisation)
        .get(
            "/organisations/{id}/introductions",
            introductions::get_introductions,
        )
        .post(
            "/opportunities/{id}/introductions/{provider}/answer",
            introductions::answer_introduction,
        )
        .get("/organisations/{id}/twinning", twinning::get_twinning)
        .post(
            "/organisations/{id}/twinning/{partner}/interest",
            twinning::express_interest,
        )
        .post(
            "/organisations/{id}/twinning/{partner}/withdraw",
            twinning::withdraw_interest,
        )
        .get("/login", accounts::get_login)
        .post("/login", accounts::sign_in)
        .post("/logout", accounts::sign_out)
        .get("/account", accounts::get_account)
        .post("/account/tokens", accounts::create_token)
        .post("/account/tokens/{id}/revoke", accounts::revoke_token)
        .get("/admin/users", accounts::list_users)
        .post("/admin/users", accounts::create_user)
        .post("/admin/users/{id}/{action}", accounts::act_on_user)
        .get("/admin/audit", accounts::get_audit)
        .get("/admin/audit.jsonl", accounts::export_audit)
        .get("/reset/{token}", accounts::get_reset)
        .post("/reset/{token}", accounts::reset_password)
        .get("/setup/{token}", accounts::get_setup)
        .post("/setup/{token}", accounts::complete_setup)
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
        StatusCode::FORBIDDEN => "Not allowed",
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
