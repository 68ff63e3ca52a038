//! `/opportunities/{id}/matches`: the providers for an opportunity, each
//! score drawn as bars of its features, and those the rules keep out.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::layout::{Layout, Section};
use super::params::Params;
use super::views::names_of;
use crate::services::matching::MatchReport;
use crate::services::{App, Caller, ServiceError};
use crate::web::error::PageError;

/// Providers listed on the page.
const TOP: usize = 20;

#[derive(Debug, Template, WebTemplate)]
#[template(path = "matches.html")]
pub struct MatchesPage {
    layout: Layout,
    title: String,
    report: MatchReport,
    names: HashMap<String, String>,
    offers: HashMap<String, String>,
    specialties: Vec<String>,
    service_lines: Vec<&'static str>,
    /// Providers already introduced, and where each stands.
    introduced: HashMap<String, String>,
    /// Why the last introduction could not be made.
    problem: Option<String>,
}

impl MatchesPage {
    fn name<'a>(&'a self, id: &'a str) -> &'a str {
        self.names.get(id).map_or(id, String::as_str)
    }

    fn introduced_as(&self, provider: &str) -> Option<&str> {
        self.introduced.get(provider).map(String::as_str)
    }

    fn offer_title<'a>(&'a self, id: &'a str) -> &'a str {
        self.offers.get(id).map_or(id, String::as_str)
    }

    fn feature_label(name: &str) -> &'static str {
        match name {
            "specialty" => "Specialty",
            "service_line" => "Service line",
            "delivery_mode" => "Way of working",
            "text" => "Words of the need",
            "language" => "Language",
            "experience" => "Experience in the country",
            "target_market" => "Target market",
            "price" => "Price",
            "capacity" => "Capacity",
            _ => "Other",
        }
    }

    pub(super) fn percent(value: &f64) -> String {
        format!("{:.0}%", value * 100.0)
    }
}

pub async fn get_matches(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<MatchesPage, PageError> {
    MatchesPage::load(&app, &caller, &id, None).await
}

/// Introduces a provider from the match page, and shows the page again.
pub async fn introduce(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let offer = Some(params.text("offer")).filter(|o| !o.is_empty());
    match app
        .introduce(&caller, &id, params.text("provider"), offer, None)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/opportunities/{id}/matches")).into_response()),
        Err(e @ (ServiceError::Conflict(_) | ServiceError::Invalid(_))) => {
            let page = MatchesPage::load(&app, &caller, &id, Some(e.to_string())).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

impl MatchesPage {
    async fn load(
        app: &App,
        caller: &Caller,
        id: &str,
        problem: Option<String>,
    ) -> Result<MatchesPage, PageError> {
        let id = id.to_owned();
        let report = app.match_opportunity(caller, &id, TOP).await?;
        let introduced = app
            .introductions_to(caller, &id)
            .await?
            .into_iter()
            .map(|i| (i.provider, i.status))
            .collect();
        let providers = report
            .matches
            .iter()
            .map(|m| m.provider.as_str())
            .chain(report.excluded.iter().map(|e| e.provider.as_str()));
        let names = names_of(&app.store, providers).await?;
        let title = app
            .store
            .opportunity(&id)
            .await?
            .map_or_else(|| id.clone(), |o| o.record.title);
        let specialties = report
            .need
            .specialties
            .iter()
            .filter_map(|c| hcx_domain::SpecialtyCode::parse(c).ok())
            .map(|c| format!("{} {}", c, c.name()))
            .collect();
        let offer_ids: Vec<String> = report.matches.iter().map(|m| m.offer.clone()).collect();
        let offers = app
            .store
            .offers_by_ids(&offer_ids)
            .await?
            .into_iter()
            .map(|v| (v.record.id.to_string(), v.record.title))
            .collect();
        let service_lines = report
            .need
            .service_lines
            .iter()
            .filter_map(|s| hcx_domain::vocab::ServiceLine::parse(s))
            .map(|s| s.label())
            .collect();
        Ok(MatchesPage {
            layout: Layout::within(format!("Providers for {title}"), Section::Opportunities),
            title,
            report,
            names,
            offers,
            specialties,
            service_lines,
            introduced,
            problem,
        })
    }
}
