//! Quotes over HTTP: create, price a new version, issue, accept or reject,
//! withdraw; and a provider's reinvestment ledger. Every step names the
//! version of the quote it was made from; a stale one is refused with 409.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use hcx_store::{Ledger, LedgerEntry};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::records::window;
use super::rfc3339;
use crate::services::quotes::{
    LedgerInput, NewQuoteInput, PricedQuote, QuoteQuery, QuoteRequest, QuoteView,
};
use crate::services::{App, Caller};
use crate::web::error::ApiError;

/// One version of a quote: the request as priced (every rate written out)
/// and the priced quote.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteVersionResponse {
    pub number: i64,
    pub input: QuoteRequest,
    pub priced: PricedQuote,
    /// `user:ID` or `cli:NAME`.
    pub created_by: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// The buyer's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerResponse {
    pub note: String,
    pub by: String,
    /// RFC 3339, UTC.
    pub at: String,
}

/// A quote with the versions you may see (the buyer sees those issued).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteResponse {
    pub id: String,
    pub provider: String,
    pub opportunity: Option<String>,
    pub buyer: Option<String>,
    pub title: String,
    /// `draft`, `issued`, `accepted`, `rejected` or `withdrawn`.
    pub status: String,
    /// The newest version you see.
    pub latest_version: i64,
    /// The version last issued to the buyer.
    pub issued_version: Option<i64>,
    pub answer: Option<AnswerResponse>,
    /// Send it back with every step.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Oldest first.
    pub versions: Vec<QuoteVersionResponse>,
}

impl QuoteResponse {
    pub fn of(v: &QuoteView) -> QuoteResponse {
        let q = &v.quote;
        QuoteResponse {
            id: q.id.to_string(),
            provider: q.provider.to_string(),
            opportunity: q.opportunity.as_ref().map(ToString::to_string),
            buyer: q.buyer.as_ref().map(ToString::to_string),
            title: q.title.clone(),
            status: q.status.as_str().to_owned(),
            latest_version: v.latest().map_or(0, |l| l.number),
            issued_version: q.issued_version,
            answer: q.answer.as_ref().map(|a| AnswerResponse {
                note: a.note.clone(),
                by: a.by.clone(),
                at: rfc3339(a.at),
            }),
            version: q.version,
            created_at: rfc3339(q.created_at),
            updated_at: rfc3339(q.updated_at),
            versions: v
                .versions
                .iter()
                .map(|x| QuoteVersionResponse {
                    number: x.number,
                    input: x.request.clone(),
                    priced: x.priced.clone(),
                    created_by: x.created_by.clone(),
                    created_at: rfc3339(x.created_at),
                })
                .collect(),
        }
    }
}

/// A page of quotes.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuotesResponse {
    pub items: Vec<QuoteResponse>,
    /// Quotes in all pages.
    pub total: i64,
    pub offset: u64,
    pub limit: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct QuoteParams {
    /// Only quotes of this provider.
    provider: Option<String>,
    /// Only quotes in this status: `draft`, `issued`, `accepted`, `rejected` or `withdrawn`.
    status: Option<String>,
    offset: Option<u64>,
    #[param(maximum = 1000)]
    limit: Option<u64>,
}

/// The quotes you may see, most recently changed first: the agency every
/// quote, a provider's people their own, a buyer's people those issued to them.
#[utoipa::path(get, path = "/quotes", tag = "quotes", params(QuoteParams),
    responses((status = 200, body = QuotesResponse), (status = 401, body = crate::web::error::ErrorEnvelope),
        (status = 403, body = crate::web::error::ErrorEnvelope), (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn list_quotes(
    State(app): State<App>,
    caller: Caller,
    Query(p): Query<QuoteParams>,
) -> Result<Json<QuotesResponse>, ApiError> {
    let query = QuoteQuery::read(p.provider.as_deref(), p.status.as_deref())?;
    let (offset, limit) = window(p.offset, p.limit);
    let page = app
        .quotes(&caller, &query, offset as i64, limit as i64)
        .await?;
    Ok(Json(QuotesResponse {
        items: page.items.iter().map(QuoteResponse::of).collect(),
        total: page.total,
        offset,
        limit,
    }))
}

/// Price an engagement and keep it as a draft quote: a provider's people
/// for their own provider, the agency for any provider. Linked to an
/// opportunity, its buyer sees the versions issued.
#[utoipa::path(post, path = "/quotes", tag = "quotes", request_body = NewQuoteInput,
    responses((status = 201, body = QuoteResponse), (status = 403, body = crate::web::error::ErrorEnvelope),
        (status = 422, description = "Every field that is wrong, by name", body = crate::web::error::ErrorEnvelope)))]
pub async fn create_quote(
    State(app): State<App>,
    caller: Caller,
    Json(body): Json<NewQuoteInput>,
) -> Result<(StatusCode, Json<QuoteResponse>), ApiError> {
    let view = app.create_quote(&caller, &body).await?;
    Ok((StatusCode::CREATED, Json(QuoteResponse::of(&view))))
}

/// One quote (its provider's people and the agency; the buyer once issued;
/// hidden from others).
#[utoipa::path(get, path = "/quotes/{id}", tag = "quotes", params(("id" = String, Path)),
    responses((status = 200, body = QuoteResponse), (status = 404, body = crate::web::error::ErrorEnvelope)))]
pub async fn get_quote(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<QuoteResponse>, ApiError> {
    Ok(Json(QuoteResponse::of(&app.quote(&caller, &id).await?)))
}

/// A new version of a quote's figures.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteRevisionBody {
    /// The version of the quote you saw.
    pub version: i64,
    pub input: QuoteRequest,
}

/// Price a new version of a draft, issued or rejected quote; it becomes a
/// draft until issued. An accepted or withdrawn quote is closed (409).
#[utoipa::path(put, path = "/quotes/{id}", tag = "quotes", params(("id" = String, Path)),
    request_body = QuoteRevisionBody,
    responses((status = 200, body = QuoteResponse), (status = 409, description = "A stale version, or a closed quote", body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn update_quote(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<QuoteRevisionBody>,
) -> Result<Json<QuoteResponse>, ApiError> {
    let view = app
        .revise_quote(&caller, &id, body.version, &body.input)
        .await?;
    Ok(Json(QuoteResponse::of(&view)))
}

/// The version a step applies to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteStepBody {
    pub version: i64,
}

/// An answer to an issued quote.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteAnswerBody {
    /// The version of the quote you saw.
    pub version: i64,
    #[serde(default)]
    pub note: String,
}

/// Issue the latest version of a draft quote to the buyer.
#[utoipa::path(post, path = "/quotes/{id}/issue", tag = "quotes", params(("id" = String, Path)),
    request_body = QuoteStepBody,
    responses((status = 200, body = QuoteResponse), (status = 409, body = crate::web::error::ErrorEnvelope)))]
pub async fn issue_quote(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<QuoteStepBody>,
) -> Result<Json<QuoteResponse>, ApiError> {
    Ok(Json(QuoteResponse::of(
        &app.issue_quote(&caller, &id, body.version).await?,
    )))
}

/// Accept an issued quote (its buyer, or its provider recording the
/// buyer's answer). The quote is frozen, and the configured share of its
/// profit (20% by default) is held back in the provider's reinvestment pot.
#[utoipa::path(post, path = "/quotes/{id}/accept", tag = "quotes", params(("id" = String, Path)),
    request_body = QuoteAnswerBody,
    responses((status = 200, body = QuoteResponse), (status = 409, body = crate::web::error::ErrorEnvelope)))]
pub async fn accept_quote(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<QuoteAnswerBody>,
) -> Result<Json<QuoteResponse>, ApiError> {
    Ok(Json(QuoteResponse::of(
        &app.answer_quote(&caller, &id, body.version, true, &body.note)
            .await?,
    )))
}

/// Reject an issued quote; the provider may price a new version.
#[utoipa::path(post, path = "/quotes/{id}/reject", tag = "quotes", params(("id" = String, Path)),
    request_body = QuoteAnswerBody,
    responses((status = 200, body = QuoteResponse), (status = 409, body = crate::web::error::ErrorEnvelope)))]
pub async fn reject_quote(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<QuoteAnswerBody>,
) -> Result<Json<QuoteResponse>, ApiError> {
    Ok(Json(QuoteResponse::of(
        &app.answer_quote(&caller, &id, body.version, false, &body.note)
            .await?,
    )))
}

/// Withdraw a quote that is not accepted.
#[utoipa::path(post, path = "/quotes/{id}/withdraw", tag = "quotes", params(("id" = String, Path)),
    request_body = QuoteStepBody,
    responses((status = 200, body = QuoteResponse), (status = 409, body = crate::web::error::ErrorEnvelope)))]
pub async fn withdraw_quote(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<QuoteStepBody>,
) -> Result<Json<QuoteResponse>, ApiError> {
    Ok(Json(QuoteResponse::of(
        &app.withdraw_quote(&caller, &id, body.version).await?,
    )))
}

/// An entry of a reinvestment ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerEntryResponse {
    pub id: i64,
    /// `credit` (held back from an accepted quote), `spend` or `adjustment`.
    pub kind: String,
    /// Pence: positive adds to the pot, negative takes from it.
    pub amount_pence: i64,
    pub quote: Option<String>,
    pub quote_version: Option<i64>,
    /// For a credit: the share of the profit held back, in basis points.
    pub share_bp: Option<i64>,
    pub note: String,
    pub recorded_by: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl LedgerEntryResponse {
    fn of(e: &LedgerEntry) -> LedgerEntryResponse {
        LedgerEntryResponse {
            id: e.id,
            kind: e.kind.as_str().to_owned(),
            amount_pence: e.amount_pence,
            quote: e.quote.clone(),
            quote_version: e.quote_version,
            share_bp: e.share_bp,
            note: e.note.clone(),
            recorded_by: e.recorded_by.clone(),
            created_at: rfc3339(e.created_at),
        }
    }
}

/// A provider's reinvestment pot.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerResponse {
    pub provider: String,
    /// The sum of the entries, in pence; never below zero.
    pub balance_pence: i64,
    /// The share of an accepted quote's profit held back now, in basis points.
    pub share_bp: u32,
    /// Oldest first.
    pub entries: Vec<LedgerEntryResponse>,
}

impl LedgerResponse {
    fn of(ledger: &Ledger, share_bp: u32) -> LedgerResponse {
        LedgerResponse {
            provider: ledger.provider.to_string(),
            balance_pence: ledger.balance_pence,
            share_bp,
            entries: ledger.entries.iter().map(LedgerEntryResponse::of).collect(),
        }
    }
}

/// A provider's reinvestment ledger and balance (its people and the agency).
#[utoipa::path(get, path = "/organisations/{id}/reinvestment", tag = "quotes", params(("id" = String, Path)),
    responses((status = 200, body = LedgerResponse), (status = 404, body = crate::web::error::ErrorEnvelope)))]
pub async fn get_reinvestment(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<LedgerResponse>, ApiError> {
    let ledger = app.reinvestment(&caller, &id).await?;
    Ok(Json(LedgerResponse::of(
        &ledger,
        app.quoting.reinvestment_bp,
    )))
}

/// Record a spend from the pot or an adjustment, with a note. Refused (409)
/// when it would take the balance below zero.
#[utoipa::path(post, path = "/organisations/{id}/reinvestment", tag = "quotes", params(("id" = String, Path)),
    request_body = LedgerInput,
    responses((status = 201, body = LedgerEntryResponse), (status = 404, body = crate::web::error::ErrorEnvelope),
        (status = 409, description = "More than the pot holds", body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn create_reinvestment_entry(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<LedgerInput>,
) -> Result<(StatusCode, Json<LedgerEntryResponse>), ApiError> {
    let entry = app.record_reinvestment(&caller, &id, &body).await?;
    Ok((StatusCode::CREATED, Json(LedgerEntryResponse::of(&entry))))
}
