//! `/organisations/{id}/twinning`: long-term partners suggested for a UK
//! provider or an overseas buyer, each score drawn as bars of its parts, with
//! the interest each side has expressed and the double matches.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hcx_domain::Organisation;

use super::layout::{Layout, Section};
use super::matching::MatchesPage;
use crate::services::twinning::{Side, TwinningReport};
use crate::services::{App, Caller, ServiceError};
use crate::web::error::PageError;

/// Partners ranked on the page.
const TOP: usize = 20;

#[derive(Debug, Template, WebTemplate)]
#[template(path = "twinning.html")]
pub struct TwinningPage {
    layout: Layout,
    org: Organisation,
    report: TwinningReport,
    /// Whether the viewer may say that this organisation is interested.
    can_say: bool,
    /// Why the last change could not be made.
    problem: Option<String>,
}

impl TwinningPage {
    fn feature_label(name: &str) -> &'static str {
        match name {
            "needs" => "Needs the buyer has recorded",
            "target_market" => "Target market",
            "experience" => "Experience in the country",
            "language" => "Language",
            "partnership" => "Long-term partnerships",
            _ => "Other",
        }
    }

    fn percent(value: &f64) -> String {
        MatchesPage::percent(value)
    }

    fn partners_are(&self) -> &'static str {
        match self.report.side {
            Side::Provider => "Overseas hospitals and ministries",
            Side::Buyer => "UK providers",
        }
    }

    async fn load(
        app: &App,
        caller: &Caller,
        id: &str,
        problem: Option<String>,
    ) -> Result<TwinningPage, PageError> {
        let report = app.twinning(caller, id, TOP).await?;
        let org = app.organisation(id).await?;
        Ok(TwinningPage {
            layout: Layout::within(format!("Twinning for {}", org.name), Section::Organisations),
            can_say: caller.actor.check_twinning_interest(&org).is_ok(),
            org,
            report,
            problem,
        })
    }
}

pub async fn get_twinning(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<TwinningPage, PageError> {
    TwinningPage::load(&app, &caller, &id, None).await
}

/// After a change: the page again (303), or the page with the reason it failed.
async fn shown_after(
    app: &App,
    caller: &Caller,
    id: &str,
    outcome: Result<hcx_store::TwinningInterest, ServiceError>,
) -> Result<Response, PageError> {
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/organisations/{id}/twinning")).into_response()),
        Err(e @ (ServiceError::Conflict(_) | ServiceError::Invalid(_))) => {
            let page = TwinningPage::load(app, caller, id, Some(e.to_string())).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// "We are interested in twinning with this partner."
pub async fn express_interest(
    State(app): State<App>,
    caller: Caller,
    Path((id, partner)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let outcome = app.express_twinning_interest(&caller, &id, &partner).await;
    shown_after(&app, &caller, &id, outcome).await
}

/// "We are no longer interested."
pub async fn withdraw_interest(
    State(app): State<App>,
    caller: Caller,
    Path((id, partner)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let outcome = app.withdraw_twinning_interest(&caller, &id, &partner).await;
    shown_after(&app, &caller, &id, outcome).await
}
