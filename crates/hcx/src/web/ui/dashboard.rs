//! `/`: what the registry holds, with links into the filtered lists, and the
//! latest published opportunities.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use hcx_domain::Status;
use hcx_domain::vocab::OrgKind;
use hcx_search::OpportunityQuery;
use hcx_store::OpportunityFilter;

use super::layout::{Layout, Section};
use super::organisations::{shows_introductions, shows_twinning};
use super::views::OpportunitySummary;
use crate::services::{App, Caller};
use crate::web::error::PageError;

/// Published opportunities shown on the dashboard.
const RECENT: i64 = 5;

/// A count with the label and the list it links to.
#[derive(Debug)]
struct Tally {
    label: &'static str,
    count: i64,
    href: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    layout: Layout,
    organisations: Vec<Tally>,
    organisations_total: i64,
    offers: i64,
    strategies: i64,
    opportunities: Vec<Tally>,
    opportunities_total: i64,
    recent: Vec<OpportunitySummary>,
    /// The viewer's own organisations, with their matchmaking pages.
    own: Vec<OwnOrganisation>,
}

/// One of the viewer's organisations, and which of its pages apply.
#[derive(Debug)]
struct OwnOrganisation {
    id: String,
    name: String,
    introductions: bool,
    twinning: bool,
}

pub async fn get_dashboard(
    State(app): State<App>,
    caller: Caller,
) -> Result<DashboardPage, PageError> {
    let counts = app.store.counts().await?;
    // Opportunities are counted among those the viewer may see.
    let visible = app
        .search_opportunities(
            &caller,
            OpportunityQuery {
                limit: 0,
                ..OpportunityQuery::default()
            },
        )
        .await?;
    let published = OpportunityFilter {
        statuses: vec![Status::Published.as_str().to_owned()],
        ..OpportunityFilter::default()
    };
    let recent = app.store.list_opportunities(&published, 0, RECENT).await?;
    let memberships: Vec<String> = caller
        .actor
        .memberships
        .iter()
        .map(|m| m.organisation.to_string())
        .collect();
    let own = app
        .store
        .organisations_by_ids(&memberships)
        .await?
        .into_iter()
        .map(|v| OwnOrganisation {
            introductions: shows_introductions(&caller, &v.record),
            twinning: shows_twinning(&caller, &v.record),
            id: v.record.id.to_string(),
            name: v.record.name,
        })
        .filter(|o| o.introductions || o.twinning)
        .collect();
    let count_of = |pairs: &[(String, i64)], name: &str| {
        pairs.iter().find(|(n, _)| n == name).map_or(0, |(_, c)| *c)
    };
    let organisations: Vec<Tally> = OrgKind::ALL
        .iter()
        .map(|k| Tally {
            label: k.label(),
            count: count_of(&counts.organisations_by_kind, k.as_str()),
            href: format!("/organisations?kind={}", k.as_str()),
        })
        .collect();
    let opportunities: Vec<Tally> = Status::NAMES
        .iter()
        .map(|(name, s)| Tally {
            label: s.label(),
            count: visible
                .facets
                .statuses
                .iter()
                .find(|f| f.value.as_str() == *name)
                .map_or(0, |f| f.count as i64),
            href: format!("/opportunities?status={name}"),
        })
        .collect();
    Ok(DashboardPage {
        layout: Layout::new("Dashboard", Section::Dashboard),
        organisations_total: organisations.iter().map(|t| t.count).sum(),
        offers: counts.offers,
        strategies: counts.strategies,
        opportunities_total: opportunities.iter().map(|t| t.count).sum(),
        organisations,
        opportunities,
        recent: OpportunitySummary::list(&app.store, &caller, &recent.items).await?,
        own,
    })
}
