//! Alerts over HTTP: one's subscriptions and notifications.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rfc3339;
use crate::services::alerts::{AlertKind, Cadence, NewAlert, SavedSearch};
use crate::services::{App, Caller};
use crate::web::error::ApiError;

/// A subscription to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertBody {
    /// `search` (new opportunities a saved search finds) or `my_offers`
    /// (those matchmaking recommends for the organisation's offers).
    #[schema(value_type = String)]
    pub kind: AlertKind,
    /// The organisation it is for; required for `my_offers` unless you
    /// belong to one provider.
    pub organisation: Option<String>,
    /// For `search`: `{text, countries, service_lines, specialties, statuses, sources, value_bands}`, each list of codes.
    #[schema(value_type = Option<Object>)]
    pub search: Option<SavedSearch>,
    /// `immediate` (default) or `daily`.
    #[schema(value_type = Option<String>)]
    pub cadence: Option<Cadence>,
}

/// A subscription.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertResponse {
    pub id: String,
    pub kind: String,
    pub organisation: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub search: Option<serde_json::Value>,
    pub cadence: String,
    /// False once unsubscribed.
    pub active: bool,
    /// The Atom feed of its matches (the address carries its token).
    pub feed: String,
    /// The one-click unsubscribe address.
    pub unsubscribe: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// One's subscriptions.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertsResponse {
    pub alerts: Vec<AlertResponse>,
}

/// A notification of a new opportunity.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationResponse {
    pub id: i64,
    pub opportunity: String,
    pub title: String,
    pub country: String,
    /// The alert that found it (none once deleted).
    pub alert: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub read_at: Option<String>,
    pub emailed_at: Option<String>,
}

/// A hit that re-screening found on a due-diligence case one worked on.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseHitNotificationResponse {
    pub id: i64,
    pub case: String,
    /// The partner's name.
    pub partner: String,
    /// The hit's number within the case.
    pub hit: i64,
    /// The listed entity's name.
    pub caption: String,
    pub list: String,
    /// How closely it matched, in [0, 1].
    pub score: f64,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub read_at: Option<String>,
}

/// One's notifications, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationsResponse {
    /// New opportunities one's alerts found.
    pub notifications: Vec<NotificationResponse>,
    /// Hits found on due-diligence cases one worked on, on cases one may
    /// still see.
    pub case_hits: Vec<CaseHitNotificationResponse>,
}

fn alert_response(app: &App, s: &hcx_store::Subscription) -> AlertResponse {
    AlertResponse {
        id: s.id.clone(),
        kind: s.kind.clone(),
        organisation: s.organisation_id.clone(),
        search: s
            .query
            .as_deref()
            .and_then(|q| serde_json::from_str(q).ok()),
        cadence: s.cadence.clone(),
        active: s.active,
        feed: app.feed_url(s),
        unsubscribe: app.unsubscribe_url(s),
        created_at: rfc3339(s.created_at),
    }
}

/// Your alerts (signed in).
#[utoipa::path(get, path = "/alerts", tag = "alerts",
    responses((status = 200, body = AlertsResponse), (status = 401, body = crate::web::error::ErrorEnvelope)))]
pub async fn list_alerts(
    State(app): State<App>,
    caller: Caller,
) -> Result<Json<AlertsResponse>, ApiError> {
    let alerts = app
        .alerts(&caller)
        .await?
        .iter()
        .map(|s| alert_response(&app, s))
        .collect();
    Ok(Json(AlertsResponse { alerts }))
}

/// Subscribe to new opportunities: providers' people for their own
/// organisation, the agency for any.
#[utoipa::path(post, path = "/alerts", tag = "alerts", request_body = AlertBody,
    responses((status = 201, body = AlertResponse), (status = 403, body = crate::web::error::ErrorEnvelope),
        (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn create_alert(
    State(app): State<App>,
    caller: Caller,
    Json(body): Json<AlertBody>,
) -> Result<(StatusCode, Json<AlertResponse>), ApiError> {
    let alert = NewAlert {
        kind: body.kind,
        organisation: body.organisation,
        search: body.search,
        cadence: body.cadence.unwrap_or(Cadence::Immediate),
    };
    let made = app.subscribe(&caller, &alert).await?;
    Ok((StatusCode::CREATED, Json(alert_response(&app, &made))))
}

/// Delete one of your alerts (another's is not found).
#[utoipa::path(delete, path = "/alerts/{id}", tag = "alerts", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::web::error::ErrorEnvelope)))]
pub async fn delete_alert(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    app.delete_alert(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Your recent notifications, newest first: new opportunities your alerts
/// found, and hits re-screening found on cases you worked on.
#[utoipa::path(get, path = "/notifications", tag = "alerts",
    responses((status = 200, body = NotificationsResponse), (status = 401, body = crate::web::error::ErrorEnvelope)))]
pub async fn list_notifications(
    State(app): State<App>,
    caller: Caller,
) -> Result<Json<NotificationsResponse>, ApiError> {
    let notifications = app
        .notifications(&caller)
        .await?
        .into_iter()
        .map(|n| NotificationResponse {
            id: n.notification.id,
            opportunity: n.opportunity.id.to_string(),
            title: n.opportunity.title,
            country: n.opportunity.country.to_string(),
            alert: n.notification.subscription_id,
            created_at: rfc3339(n.notification.created_at),
            read_at: n.notification.read_at.map(rfc3339),
            emailed_at: n.notification.emailed_at.map(rfc3339),
        })
        .collect();
    let case_hits = app
        .case_notices(&caller)
        .await?
        .into_iter()
        .map(|n| CaseHitNotificationResponse {
            id: n.notification.id,
            case: n.case.id.to_string(),
            partner: n.partner,
            hit: n.hit.id,
            caption: n.hit.caption,
            list: n.hit.list_name,
            score: n.hit.score,
            created_at: rfc3339(n.notification.created_at),
            read_at: n.notification.read_at.map(rfc3339),
        })
        .collect();
    Ok(Json(NotificationsResponse {
        notifications,
        case_hits,
    }))
}
