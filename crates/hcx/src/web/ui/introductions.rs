//! `/organisations/{id}/introductions`: the opportunities the agency has
//! introduced a provider to, who did and when, and the provider's answer.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hcx_domain::Organisation;
use hcx_store::Introduction;

use super::layout::{Layout, Section};
use super::params::Params;
use super::views::{person_name, timestamp};
use crate::services::{App, Caller, ServiceError};
use crate::web::error::PageError;

/// One introduction as the provider reads it.
#[derive(Debug)]
struct IntroductionView {
    i: Introduction,
    title: String,
    offer_title: Option<String>,
    introduced_by: String,
    introduced_at: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "introductions.html")]
pub struct IntroductionsPage {
    layout: Layout,
    org: Organisation,
    introductions: Vec<IntroductionView>,
    /// Why the last answer could not be recorded.
    problem: Option<String>,
}

pub async fn get_introductions(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<IntroductionsPage, PageError> {
    IntroductionsPage::load(&app, &caller, &id, None).await
}

/// Records a provider's answer from the version it saw, and shows its
/// introductions again; a stale version or a decline without a reason shows
/// the page with the problem.
pub async fn answer_introduction(
    State(app): State<App>,
    caller: Caller,
    Path((id, provider)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let version = params.text("version").parse::<i64>().map_err(|_| {
        ServiceError::BadRequest("the form did not say which version you saw".into())
    })?;
    let interested = match params.text("answer") {
        "interested" => true,
        "declined" => false,
        other => {
            return Err(PageError(ServiceError::BadRequest(format!(
                "the answer must be interested or declined, not {other:?}"
            ))));
        }
    };
    let reason = Some(params.text("reason")).filter(|r| !r.is_empty());
    match app
        .answer_introduction(&caller, &id, &provider, version, interested, reason)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/organisations/{provider}/introductions")).into_response())
        }
        Err(e @ (ServiceError::Conflict(_) | ServiceError::Invalid(_))) => {
            let status = if matches!(e, ServiceError::Conflict(_)) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let problem = match &e {
                ServiceError::Invalid(invalid) => invalid
                    .0
                    .iter()
                    .map(|f| f.reason.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.to_string(),
            };
            let page = IntroductionsPage::load(&app, &caller, &provider, Some(problem)).await?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

impl IntroductionsPage {
    async fn load(
        app: &App,
        caller: &Caller,
        id: &str,
        problem: Option<String>,
    ) -> Result<IntroductionsPage, PageError> {
        let list = app.introductions_of(caller, id).await?;
        let org = app.organisation(id).await?;
        let ids: Vec<String> = list.iter().map(|i| i.opportunity.clone()).collect();
        let titles: HashMap<String, String> = app
            .store
            .opportunities_by_ids(&ids)
            .await?
            .into_iter()
            .map(|v| (v.record.id.to_string(), v.record.title))
            .collect();
        let offer_ids: Vec<String> = list.iter().filter_map(|i| i.offer.clone()).collect();
        let offers: HashMap<String, String> = app
            .store
            .offers_by_ids(&offer_ids)
            .await?
            .into_iter()
            .map(|v| (v.record.id.to_string(), v.record.title))
            .collect();
        let mut people: HashMap<String, String> = HashMap::new();
        let mut introductions = Vec::with_capacity(list.len());
        for i in list {
            if !people.contains_key(&i.introduced_by) {
                let name = person_name(app, &i.introduced_by).await?;
                people.insert(i.introduced_by.clone(), name);
            }
            introductions.push(IntroductionView {
                title: titles
                    .get(&i.opportunity)
                    .cloned()
                    .unwrap_or_else(|| i.opportunity.clone()),
                offer_title: i.offer.as_ref().and_then(|o| offers.get(o)).cloned(),
                introduced_by: people[&i.introduced_by].clone(),
                introduced_at: timestamp(i.created_at),
                i,
            });
        }
        Ok(IntroductionsPage {
            layout: Layout::within(
                format!("Introductions to {}", org.name),
                Section::Organisations,
            ),
            org,
            introductions,
            problem,
        })
    }
}
