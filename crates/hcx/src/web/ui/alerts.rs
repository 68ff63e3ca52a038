//! `/alerts` and `/notifications`: one's subscriptions to new
//! opportunities, the notifications they bring (and those of screening hits
//! on one's due-diligence cases), the one-click unsubscribe page and each
//! subscription's Atom feed.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hcx_domain::diligence::Subject;
use hcx_domain::vocab::OrgKind;

use super::layout::{Layout, Section};
use super::opportunities::query_of;
use super::params::Params;
use super::views::{names_of, timestamp};
use crate::services::alerts::{AlertKind, Cadence, NewAlert, Notice, SavedSearch};
use crate::services::jobs::saved_search;
use crate::services::{App, Caller, ServiceError};
use crate::web::api::rfc3339;
use crate::web::error::PageError;

/// One subscription as the list shows it.
#[derive(Debug)]
struct AlertRow {
    id: String,
    about: String,
    cadence: &'static str,
    active: bool,
    feed: String,
}

/// The search an "Alert me" link brought, ready to save.
#[derive(Debug)]
struct Proposal {
    about: String,
    /// The search's fields, as hidden inputs.
    fields: Vec<(String, String)>,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "alerts.html")]
pub struct AlertsPage {
    layout: Layout,
    alerts: Vec<AlertRow>,
    proposal: Option<Proposal>,
    /// The providers the viewer may subscribe for, by id and name.
    organisations: Vec<(String, String)>,
    /// Whether the viewer may subscribe at all.
    can_subscribe: bool,
}

/// The search fields a query string carries, without its page.
fn search_fields(params: &Params) -> Vec<(String, String)> {
    [
        "q",
        "country",
        "service_line",
        "specialty",
        "status",
        "source",
        "value_band",
    ]
    .iter()
    .flat_map(|name| {
        params
            .all(name)
            .into_iter()
            .map(|v| ((*name).to_owned(), v))
    })
    .collect()
}

pub async fn list_alerts(
    State(app): State<App>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<AlertsPage, PageError> {
    let subscriptions = app.alerts(&caller).await?;
    let mut alerts = Vec::with_capacity(subscriptions.len());
    for s in &subscriptions {
        alerts.push(AlertRow {
            id: s.id.clone(),
            about: app.describe_alert(s).await?,
            cadence: Cadence::parse(&s.cadence).map_or("", |c| match c {
                Cadence::Immediate => "At once",
                Cadence::Daily => "Daily digest",
            }),
            active: s.active,
            feed: format!("/alerts/{}/feed.atom?token={}", s.id, s.token),
        });
    }
    let params = Params::from_query(raw.as_deref());
    let fields = search_fields(&params);
    let proposal = (!fields.is_empty()).then(|| Proposal {
        about: SavedSearch::of(&query_of(&params)).describe(),
        fields,
    });
    let providers: Vec<&str> = caller
        .actor
        .memberships
        .iter()
        .filter(|m| matches!(m.kind, OrgKind::Provider | OrgKind::Partner))
        .map(|m| m.organisation.as_str())
        .collect();
    let names = names_of(&app.store, providers.iter().copied()).await?;
    let organisations = providers
        .iter()
        .map(|id| {
            let name = names.get(*id).cloned().unwrap_or_else(|| (*id).to_owned());
            ((*id).to_owned(), name)
        })
        .collect();
    Ok(AlertsPage {
        layout: Layout::new("Alerts", Section::Other),
        alerts,
        proposal,
        organisations,
        can_subscribe: caller.actor.check_subscribe(None).is_ok() || !providers.is_empty(),
    })
}

/// Saves a subscription from the form: a search carried over from the
/// opportunities page, or "anything that fits my offers".
pub async fn create_alert(
    State(app): State<App>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let kind = AlertKind::parse(params.text("kind"))
        .ok_or_else(|| ServiceError::BadRequest("the form did not say which alert".into()))?;
    let cadence = Cadence::parse(params.text("cadence")).unwrap_or(Cadence::Immediate);
    let alert = NewAlert {
        kind,
        organisation: Some(params.text("organisation").to_owned()).filter(|o| !o.is_empty()),
        search: (kind == AlertKind::Search).then(|| SavedSearch::of(&query_of(&params))),
        cadence,
    };
    app.subscribe(&caller, &alert).await?;
    Ok(Redirect::to("/alerts").into_response())
}

pub async fn delete_alert(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    app.delete_alert(&caller, &id).await?;
    Ok(Redirect::to("/alerts").into_response())
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "unsubscribe.html")]
pub struct UnsubscribePage {
    layout: Layout,
    token: String,
    about: String,
    /// Whether the alert has just been stopped (or was already).
    done: bool,
}

/// The page an unsubscribe link opens: what the alert is, and a button.
pub async fn get_unsubscribe(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<UnsubscribePage, PageError> {
    let s = app.alert_of_token(&token).await?;
    Ok(UnsubscribePage {
        layout: Layout::within("Stop this alert", Section::Other),
        about: app.describe_alert(&s).await?,
        done: !s.active,
        token,
    })
}

/// The one-click unsubscribe (RFC 8058): mail clients post it without a
/// session or a form token, so the link itself is the credential.
pub async fn unsubscribe(
    State(app): State<App>,
    caller: Caller,
    Path(token): Path<String>,
) -> Result<UnsubscribePage, PageError> {
    let s = app.unsubscribe(&caller, &token).await?;
    Ok(UnsubscribePage {
        layout: Layout::within("Alert stopped", Section::Other),
        about: app.describe_alert(&s).await?,
        done: true,
        token,
    })
}

/// One entry of a feed.
#[derive(Debug)]
struct FeedEntry {
    id: String,
    title: String,
    url: String,
    updated: String,
    summary: String,
}

#[derive(Debug, Template)]
#[template(path = "feed.atom", escape = "html")]
struct Feed {
    id: String,
    title: String,
    url: String,
    updated: String,
    entries: Vec<FeedEntry>,
}

/// The Atom feed of a subscription's matches; the token in the address
/// stands for the cookie a feed reader does not send.
pub async fn get_feed(
    State(app): State<App>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let params = Params::from_query(raw.as_deref());
    let (s, notices) = app.feed(&id, params.text("token")).await?;
    let entries: Vec<FeedEntry> = notices
        .iter()
        .map(
            |Notice {
                 notification,
                 opportunity: o,
             }| FeedEntry {
                id: format!("urn:hcx:alert:{}:{}", s.id, o.id),
                title: o.title.clone(),
                url: app.opportunity_url(o.id.as_str()),
                updated: rfc3339(notification.created_at),
                summary: format!("{} — {}", o.country.name(), o.description),
            },
        )
        .collect();
    let updated = notices
        .first()
        .map_or(s.created_at, |n| n.notification.created_at);
    let feed = Feed {
        id: format!("urn:hcx:alert:{}", s.id),
        title: format!("hcx — {}", app.describe_alert(&s).await?),
        url: format!("{}/opportunities", app.alerting.public_url),
        updated: rfc3339(updated),
        entries,
    };
    let xml = feed
        .render()
        .map_err(|e| ServiceError::Internal(format!("cannot write the feed of {id}: {e}")))?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        xml,
    )
        .into_response())
}

/// One notification as the list shows it.
#[derive(Debug)]
struct NoticeRow {
    id: i64,
    opportunity: String,
    title: String,
    country: &'static str,
    when: String,
    unread: bool,
    about: String,
}

/// A screening hit on a case, as the list shows it.
#[derive(Debug)]
struct HitNoticeRow {
    id: i64,
    case: String,
    partner: String,
    /// The partner itself, or the person named.
    subject: String,
    caption: String,
    entity: String,
    list: String,
    when: String,
    unread: bool,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "notifications.html")]
pub struct NotificationsPage {
    layout: Layout,
    notices: Vec<NoticeRow>,
    hits: Vec<HitNoticeRow>,
}

pub async fn list_notifications(
    State(app): State<App>,
    caller: Caller,
) -> Result<NotificationsPage, PageError> {
    let notices = app.notifications(&caller).await?;
    let own = app.alerts(&caller).await?;
    let rows = notices
        .into_iter()
        .map(|n| {
            let about = n
                .notification
                .subscription_id
                .as_ref()
                .and_then(|id| own.iter().find(|s| &s.id == id))
                .map_or_else(
                    || "an alert since deleted".to_owned(),
                    |s| match saved_search(s) {
                        Some(q) => q.describe(),
                        None => "fits your offers".to_owned(),
                    },
                );
            NoticeRow {
                id: n.notification.id,
                opportunity: n.opportunity.id.to_string(),
                title: n.opportunity.title,
                country: n.opportunity.country.name(),
                when: timestamp(n.notification.created_at),
                unread: n.notification.read_at.is_none(),
                about,
            }
        })
        .collect();
    let hits = app
        .case_notices(&caller)
        .await?
        .into_iter()
        .map(|n| HitNoticeRow {
            id: n.notification.id,
            case: n.case.id.to_string(),
            subject: match &n.hit.subject {
                Subject::Organisation => n.partner.clone(),
                Subject::Person(id) => n
                    .case
                    .people
                    .iter()
                    .find(|p| &p.id == id)
                    .map_or_else(|| id.to_string(), |p| p.name.clone()),
            },
            partner: n.partner,
            caption: n.hit.caption,
            entity: n.hit.entity_id,
            list: n.hit.list_name,
            when: timestamp(n.notification.created_at),
            unread: n.notification.read_at.is_none(),
        })
        .collect();
    Ok(NotificationsPage {
        layout: Layout::new("Notifications", Section::Other),
        notices: rows,
        hits,
    })
}

pub async fn read_notification(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| ServiceError::NotFound {
        kind: "notification",
        id: id.clone(),
    })?;
    app.mark_read(&caller, id).await?;
    Ok(Redirect::to("/notifications").into_response())
}

pub async fn read_case_notification(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| ServiceError::NotFound {
        kind: "notification",
        id: id.clone(),
    })?;
    app.mark_case_notice_read(&caller, id).await?;
    Ok(Redirect::to("/notifications").into_response())
}
