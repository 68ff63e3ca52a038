//! The JSON API under `/api/v1`: records in the interchange format, lists
//! with filters and pagination, lifecycle actions, bulk import and export,
//! and its own OpenAPI 3.1 description.

mod account;
mod alerts;
mod consortium;
mod diligence;
mod matching;
mod quotes;
mod records;
mod schema;
mod screening;
mod search;
mod transfer;
mod twinning;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hcx_domain::Record;
use hcx_store::Versioned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::{OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

use crate::services::{App, Caller, ServiceError};
use crate::web::error::{ApiError, ErrorBody, ErrorDetail, ErrorEnvelope};
use crate::web::routes::Routes;

/// The API's routes, to be nested under `/api/v1`.
pub fn routes() -> Routes {
    Routes::new()
        .get("/organisations", records::list_organisations)
        .post("/organisations", records::create_organisation)
        .get("/organisations/{id}", records::get_organisation)
        .put("/organisations/{id}", records::update_organisation)
        .delete("/organisations/{id}", records::delete_organisation)
        .get("/offers", search::list_offers)
        .post("/offers", records::create_offer)
        .get("/offers/{id}", records::get_offer)
        .put("/offers/{id}", records::update_offer)
        .delete("/offers/{id}", records::delete_offer)
        .get("/strategies", records::list_strategies)
        .post("/strategies", records::create_strategy)
        .get("/strategies/{id}", records::get_strategy)
        .put("/strategies/{id}", records::update_strategy)
        .delete("/strategies/{id}", records::delete_strategy)
        .get("/opportunities", search::list_opportunities)
        .post("/opportunities", records::create_opportunity)
        .get("/opportunities/{id}", records::get_opportunity)
        .put("/opportunities/{id}", records::update_opportunity)
        .delete("/opportunities/{id}", records::delete_opportunity)
        .post(
            "/opportunities/{id}/actions/{action}",
            records::act_on_opportunity,
        )
        .get("/opportunities/{id}/matches", matching::match_opportunity)
        .get("/organisations/{id}/matches", matching::match_provider)
        .post(
            "/opportunities/{id}/introductions",
            matching::create_introduction,
        )
        .get(
            "/opportunities/{id}/introductions",
            matching::list_introductions_to,
        )
        .post(
            "/opportunities/{id}/introductions/{provider}/answer",
            matching::answer_introduction,
        )
        .get(
            "/organisations/{id}/introductions",
            matching::list_introductions_of,
        )
        .get("/organisations/{id}/twinning", twinning::list_twinning)
        .post(
            "/organisations/{id}/twinning/{partner}/interest",
            twinning::create_twinning_interest,
        )
        .delete(
            "/organisations/{id}/twinning/{partner}/interest",
            twinning::delete_twinning_interest,
        )
        .post("/import", transfer::import)
        .get("/export", transfer::export)
        .get("/alerts", alerts::list_alerts)
        .post("/alerts", alerts::create_alert)
        .delete("/alerts/{id}", alerts::delete_alert)
        .get("/notifications", alerts::list_notifications)
        .get("/lists", screening::list_lists)
        .put("/lists/{name}", screening::import_list)
        .post("/match/{list}", screening::match_list)
        .get("/cases", diligence::list_cases)
        .post("/cases", diligence::create_case)
        .get("/cases/{id}", diligence::get_case)
        .put("/cases/{id}", diligence::update_case)
        .post("/cases/{id}/people", diligence::create_person)
        .post("/cases/{id}/screen", diligence::screen_case)
        .post("/cases/{id}/hits/{hit}", diligence::mark_hit)
        .post("/cases/{id}/submit", diligence::submit_case)
        .post("/cases/{id}/decision", diligence::decide_case)
        .post("/cases/{id}/reopen", diligence::reopen_case)
        .get(
            "/opportunities/{id}/consortium-plan",
            consortium::plan_consortium,
        )
        .post(
            "/opportunities/{id}/consortia",
            consortium::propose_consortium,
        )
        .get("/consortia", consortium::list_consortia)
        .get("/consortia/{id}", consortium::get_consortium)
        .put("/consortia/{id}/split", consortium::set_split)
        .post("/consortia/{id}/answer", consortium::answer)
        .post("/consortia/{id}/withdraw", consortium::withdraw)
        .post("/consortia/{id}/quote", consortium::quote)
        .get("/quotes", quotes::list_quotes)
        .post("/quotes", quotes::create_quote)
        .get("/quotes/{id}", quotes::get_quote)
        .put("/quotes/{id}", quotes::update_quote)
        .post("/quotes/{id}/issue", quotes::issue_quote)
        .post("/quotes/{id}/accept", quotes::accept_quote)
        .post("/quotes/{id}/reject", quotes::reject_quote)
        .post("/quotes/{id}/withdraw", quotes::withdraw_quote)
        .get("/organisations/{id}/reinvestment", quotes::get_reinvestment)
        .post(
            "/organisations/{id}/reinvestment",
            quotes::create_reinvestment_entry,
        )
        .get("/me", account::get_me)
        .get("/audit", account::list_audit)
        .fallback(not_found)
}

/// The routes [`docs`] serves.
pub const DOCS_ROUTES: &[(Method, &str)] = &[
    (Method::GET, "/api/v1/docs"),
    (Method::GET, "/api/v1/docs/"),
    (Method::GET, "/api/v1/docs/{*file}"),
    (Method::GET, "/api/v1/openapi.json"),
];

/// The OpenAPI document and the page that renders it (works offline: the
/// viewer's files are inside the binary). Merged at the root of the site.
pub fn docs() -> Router<App> {
    // The viewer injects styles at run time, so its pages get a CSP that allows them.
    Router::from(SwaggerUi::new("/api/v1/docs").url("/api/v1/openapi.json", ApiDoc::openapi())).layer(
        SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'",
            ),
        ),
    )
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "hcx — Healthcare Export Exchange API",
        description = "Organisations, provider offers and strategies, and overseas opportunities, in the hcx interchange format (version 1). Errors use one envelope: `{\"error\": {\"code\", \"message\", \"details\"}}`.\n\nAuthentication: send an API token as `Authorization: Bearer hcx_…` (or `ApiKey hcx_…`, as OpenSanctions clients do) (create one on your account page or with `hcx token create`). Without a token you see what the public sees; every write needs one. What a token may see and change follows its account's role and organisations."
    ),
    modifiers(&BearerAuth),
    security((), ("bearer" = [])),
    paths(
        records::list_organisations, records::create_organisation, records::get_organisation,
        records::update_organisation, records::delete_organisation,
        search::list_offers, records::create_offer, records::get_offer, records::update_offer, records::delete_offer,
        records::list_strategies, records::create_strategy, records::get_strategy, records::update_strategy,
        records::delete_strategy,
        search::list_opportunities, records::create_opportunity, records::get_opportunity,
        records::update_opportunity, records::delete_opportunity, records::act_on_opportunity,
        matching::match_opportunity, matching::match_provider, matching::create_introduction,
        matching::list_introductions_to, matching::list_introductions_of, matching::answer_introduction,
        twinning::list_twinning, twinning::create_twinning_interest, twinning::delete_twinning_interest,
        transfer::import, transfer::export, account::get_me, account::list_audit,
        alerts::list_alerts, alerts::create_alert, alerts::delete_alert, alerts::list_notifications,
        screening::list_lists, screening::import_list, screening::match_list,
        diligence::list_cases, diligence::create_case, diligence::get_case, diligence::update_case,
        diligence::create_person, diligence::screen_case, diligence::mark_hit, diligence::submit_case,
        diligence::decide_case, diligence::reopen_case,
        consortium::plan_consortium, consortium::propose_consortium, consortium::list_consortia,
        consortium::get_consortium, consortium::set_split, consortium::answer, consortium::withdraw,
        consortium::quote,
        quotes::list_quotes, quotes::create_quote, quotes::get_quote, quotes::update_quote,
        quotes::issue_quote, quotes::accept_quote, quotes::reject_quote, quotes::withdraw_quote,
        quotes::get_reinvestment, quotes::create_reinvestment_entry,
    ),
    components(schemas(
        RecordResponse, ListResponse, ErrorEnvelope, ErrorBody, ErrorDetail, VersionBody,
        schema::Organisation, schema::Offer, schema::Strategy, schema::Opportunity, schema::Money,
        schema::PriceRange, schema::Requirement, schema::Classification,
        account::MeResponse, account::AuditResponse, matching::IntroductionBody, matching::AnswerBody,
        matching::IntroductionsResponse, alerts::AlertBody, alerts::AlertResponse, alerts::AlertsResponse,
        alerts::NotificationResponse, alerts::NotificationsResponse, alerts::CaseHitNotificationResponse,
        screening::ListsResponse, screening::ListResponse,
        diligence::CaseResponse, diligence::CasesResponse, diligence::PersonResponse, diligence::HitResponse,
        diligence::ChecklistResponse, diligence::DecisionResponse, diligence::ScreenResponse,
        diligence::ScreenedList, diligence::CaseEditBody, diligence::PersonBody, diligence::VerdictBody,
        diligence::CaseVersionBody, diligence::DecisionBody,
        crate::services::diligence::OpenInput, crate::services::diligence::PersonInput,
        crate::services::diligence::AnswerInput,
        consortium::PlanResponse, consortium::PlanMemberResponse, consortium::AssignmentResponse,
        consortium::UncoveredResponse, consortium::ConsortiumResponse, consortium::ConsortiaResponse,
        consortium::PlaceResponse, consortium::ProposeBody, consortium::SplitBody, consortium::AnswerBody,
        quotes::QuoteResponse, quotes::QuotesResponse, quotes::QuoteVersionResponse, quotes::AnswerResponse,
        quotes::QuoteRevisionBody, quotes::QuoteStepBody, quotes::QuoteAnswerBody,
        quotes::LedgerResponse, quotes::LedgerEntryResponse,
        crate::services::quotes::NewQuoteInput, crate::services::quotes::QuoteRequest,
        crate::services::quotes::StaffLineInput, crate::services::quotes::InstalmentInput,
        crate::services::quotes::PricedQuote, crate::services::quotes::PricedLine,
        crate::services::quotes::PricedInstalment, crate::services::quotes::LedgerInput,
    )),
    tags(
        (name = "organisations", description = "Providers, overseas buyers, partners, networks, the agency and embassy posts"),
        (name = "offers", description = "What providers can deliver"),
        (name = "strategies", description = "Providers' international policies"),
        (name = "opportunities", description = "Overseas needs and their lifecycle"),
        (name = "bulk", description = "Import and export in bulk"),
        (name = "matchmaking", description = "Providers for opportunities, explained; introductions; twinning partners"),
        (name = "alerts", description = "Subscriptions to new opportunities, and the notifications they bring"),
        (name = "screening", description = "Sanctions and other lists, and screening names against them (yente-compatible)"),
        (name = "due diligence", description = "Cases on overseas partners: screening hits and verdicts, financial notes, the checklist, a rating, and a decision by a second person that matching obeys"),
        (name = "consortia", description = "Teams for bundled opportunities: the optimiser's plan, proposals with each member's priced part and share of revenue, and the members' answers"),
        (name = "quotes", description = "Quotes priced by the pricing matrix so that work never costs the NHS: versions, issue, accept or reject; and each provider's reinvestment pot"),
        (name = "accounts", description = "Who you are, and the audit log"),
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

/// Declares the bearer-token scheme the API accepts.
#[derive(Debug)]
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An hcx API token: hcx_ID.SECRET"))
                    .build(),
            ),
        );
    }
}

/// A stored record: the interchange object with its version and times.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordResponse {
    /// The record in the interchange format (`record` names its kind).
    #[schema(value_type = Object)]
    pub record: Value,
    /// Increases by one on every change; send it back to update or delete.
    pub version: i64,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

impl RecordResponse {
    /// A stored record as `caller` may see it.
    fn of<T>(caller: &Caller, v: Versioned<T>, wrap: fn(T) -> Record) -> RecordResponse {
        RecordResponse {
            record: caller.to_value(wrap(v.record)),
            version: v.version,
            created_at: rfc3339(v.created_at),
            updated_at: rfc3339(v.updated_at),
        }
    }
}

/// A page of records.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListResponse {
    pub items: Vec<RecordResponse>,
    /// Matches in all pages.
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
    /// For searches: counts per value of each filter, over the matches of the other filters.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub facets: Option<Value>,
}

impl ListResponse {
    /// A page of stored records, wrapped as records of one kind.
    fn of<T>(
        caller: &Caller,
        items: Vec<Versioned<T>>,
        wrap: fn(T) -> Record,
        total: u64,
        (offset, limit): (u64, u64),
        facets: Option<Value>,
    ) -> ListResponse {
        ListResponse {
            items: items
                .into_iter()
                .map(|v| RecordResponse::of(caller, v, wrap))
                .collect(),
            total,
            offset,
            limit,
            facets,
        }
    }
}

/// The version a lifecycle action applies to.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VersionBody {
    pub version: i64,
}

/// Milliseconds since the epoch as RFC 3339 UTC.
pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// The version to check on a write: `If-Match: "3"` or `?version=3`.
fn expected_version(headers: &HeaderMap, query: Option<i64>) -> Result<Option<i64>, ApiError> {
    match headers.get(header::IF_MATCH) {
        Some(value) => value
            .to_str()
            .ok()
            .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
            .and_then(|v| v.parse().ok())
            .map(Some)
            .ok_or_else(|| {
                ApiError(ServiceError::BadRequest(
                    "If-Match must be a record version, e.g. \"3\"".into(),
                ))
            }),
        None => Ok(query),
    }
}

async fn not_found() -> Response {
    let error = ErrorBody {
        code: "not_found",
        message: "there is no such API route; see /api/v1/docs".into(),
        details: vec![],
    };
    (StatusCode::NOT_FOUND, axum::Json(ErrorEnvelope { error })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }

    #[test]
    fn versions_come_from_if_match_or_the_query() {
        let mut h = HeaderMap::new();
        assert_eq!(expected_version(&h, Some(2)).unwrap(), Some(2));
        h.insert(header::IF_MATCH, HeaderValue::from_static("\"7\""));
        assert_eq!(expected_version(&h, Some(2)).unwrap(), Some(7));
        h.insert(header::IF_MATCH, HeaderValue::from_static("*"));
        assert!(expected_version(&h, None).is_err());
    }
}
