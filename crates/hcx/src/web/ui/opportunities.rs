//! `/opportunities`: search with facets, one opportunity with every field,
//! and its lifecycle actions.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hcx_domain::access::{Verb, View};
use hcx_domain::vocab::{ServiceLine, Source};
use hcx_domain::{Action, CountryCode, Opportunity, Record, SpecialtyCode, Status, ValueBand};
use hcx_search::{FacetCount, OpportunityFacets, OpportunityQuery};
use hcx_store::Versioned;

use super::layout::{Layout, Section};
use super::params::{Pagination, Params};
use super::views::{DateView, MoneyView, OpportunitySummary, names_of, timestamp};
use crate::services::registry::Kind;
use crate::services::{App, Caller, ServiceError};
use crate::web::error::PageError;

/// Results per page.
const PER_PAGE: usize = 20;

/// One value of a facet as a checkbox.
#[derive(Debug)]
struct FacetOption {
    value: String,
    label: String,
    count: u64,
    checked: bool,
}

/// A facet as a group of checkboxes named `name`.
#[derive(Debug)]
struct Facet {
    name: &'static str,
    legend: &'static str,
    options: Vec<FacetOption>,
    /// Long facets scroll inside their box.
    long: bool,
}

impl Facet {
    fn of<T>(
        name: &'static str,
        legend: &'static str,
        counts: &[FacetCount<T>],
        chosen: &[T],
        describe: impl Fn(&T) -> (String, String),
    ) -> Facet
    where
        T: PartialEq,
    {
        let options: Vec<FacetOption> = counts
            .iter()
            .map(|c| {
                let (value, label) = describe(&c.value);
                FacetOption {
                    value,
                    label,
                    count: c.count,
                    checked: chosen.contains(&c.value),
                }
            })
            .collect();
        Facet {
            name,
            legend,
            long: options.len() > 8,
            options,
        }
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "opportunities.html")]
pub struct OpportunitiesPage {
    layout: Layout,
    q: String,
    facets: Vec<Facet>,
    filtered: bool,
    results: Vec<OpportunitySummary>,
    pages: Pagination,
    /// Where "Alert me" saves this search, for those who may subscribe.
    alert_href: Option<String>,
}

/// The search a query string asks for; values that name nothing are dropped.
pub(super) fn query_of(p: &Params) -> OpportunityQuery {
    OpportunityQuery {
        text: Some(p.text("q").to_owned()).filter(|q| !q.is_empty()),
        countries: p.parsed("country", |v| CountryCode::parse(v).ok()),
        service_lines: p.parsed("service_line", ServiceLine::parse),
        specialties: p.parsed("specialty", |v| SpecialtyCode::parse(v).ok()),
        statuses: p.parsed("status", Status::parse),
        sources: p.parsed("source", Source::parse),
        value_bands: p.parsed("value_band", ValueBand::parse),
        offset: Pagination::offset(p, PER_PAGE),
        limit: PER_PAGE,
        ..OpportunityQuery::default()
    }
}

fn facets_of(f: &OpportunityFacets, q: &OpportunityQuery) -> Vec<Facet> {
    vec![
        Facet::of("status", "Status", &f.statuses, &q.statuses, |s| {
            (s.as_str().into(), s.label().into())
        }),
        Facet::of("country", "Country", &f.countries, &q.countries, |c| {
            (c.to_string(), c.name().into())
        }),
        Facet::of(
            "service_line",
            "Service line",
            &f.service_lines,
            &q.service_lines,
            |s| (s.as_str().into(), s.label().into()),
        ),
        Facet::of(
            "specialty",
            "Specialty",
            &f.specialties,
            &q.specialties,
            |s| (s.to_string(), s.name().into()),
        ),
        Facet::of("value_band", "Value", &f.value_bands, &q.value_bands, |b| {
            (b.as_str().into(), b.label().into())
        }),
        Facet::of("source", "Source", &f.sources, &q.sources, |s| {
            (s.as_str().into(), s.label().into())
        }),
    ]
}

pub async fn list_opportunities(
    State(app): State<App>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<OpportunitiesPage, PageError> {
    let params = Params::from_query(raw.as_deref());
    let query = query_of(&params);
    let found = app.search_opportunities(&caller, query.clone()).await?;
    let facets = facets_of(&found.facets, &query);
    let may_subscribe = caller.actor.check_subscribe(None).is_ok()
        || caller.actor.role == Some(hcx_domain::vocab::Role::Provider);
    let alert_href = may_subscribe.then(|| {
        let mut search = form_urlencoded::Serializer::new(String::new());
        for (name, value) in params.pairs().filter(|(n, _)| *n != "page") {
            search.append_pair(name, value);
        }
        format!("/alerts?{}", search.finish())
    });
    Ok(OpportunitiesPage {
        alert_href,
        layout: Layout::new("Opportunities", Section::Opportunities),
        q: params.text("q").to_owned(),
        filtered: query.text.is_some()
            || facets.iter().any(|f| f.options.iter().any(|o| o.checked)),
        facets,
        results: OpportunitySummary::list(&app.store, &caller, &found.items).await?,
        pages: Pagination::new(
            &params,
            "/opportunities",
            PER_PAGE,
            found.items.len(),
            found.total,
        ),
    })
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "opportunity.html")]
pub struct OpportunityPage {
    layout: Layout,
    o: Opportunity,
    version: i64,
    created: String,
    updated: String,
    /// None when the viewer may not know the buyer.
    buyer_name: Option<String>,
    value: Option<MoneyView>,
    response_due: Option<DateView>,
    starts: Option<DateView>,
    /// The steps the viewer may take now.
    actions: Vec<Action>,
    editable: bool,
    /// Whether the viewer may rank providers for it.
    can_match: bool,
    /// Whether the viewer prices quotes: the agency and providers' people.
    can_quote: bool,
    /// Why the last action could not be taken.
    problem: Option<String>,
    /// For those who look after it: the providers introduced, by answer.
    shortlist: Option<Shortlist>,
}

/// A provider introduced to an opportunity, by name.
#[derive(Debug)]
struct Introduced {
    provider: String,
    name: String,
    /// Why it declined (only the agency sees declines).
    reason: Option<String>,
}

/// The providers introduced to an opportunity, by where they stand.
#[derive(Debug, Default)]
struct Shortlist {
    interested: Vec<Introduced>,
    awaiting: Vec<Introduced>,
    declined: Vec<Introduced>,
}

impl Shortlist {
    /// The introductions the caller may see, through the service that scopes them.
    async fn of(app: &App, caller: &Caller, id: &str) -> Result<Shortlist, ServiceError> {
        let introductions = app.introductions_to(caller, id).await?;
        let names = names_of(
            &app.store,
            introductions.iter().map(|i| i.provider.as_str()),
        )
        .await?;
        let mut list = Shortlist::default();
        for i in introductions {
            let entry = Introduced {
                name: names
                    .get(&i.provider)
                    .cloned()
                    .unwrap_or_else(|| i.provider.clone()),
                provider: i.provider,
                reason: i.reason,
            };
            match i.status.as_str() {
                "interested" => list.interested.push(entry),
                "declined" => list.declined.push(entry),
                _ => list.awaiting.push(entry),
            }
        }
        Ok(list)
    }

    fn is_empty(&self) -> bool {
        self.interested.is_empty() && self.awaiting.is_empty() && self.declined.is_empty()
    }
}

impl OpportunityPage {
    async fn load(
        app: &App,
        caller: &Caller,
        id: &str,
        problem: Option<String>,
    ) -> Result<OpportunityPage, PageError> {
        let Versioned {
            record: o,
            version,
            created_at,
            updated_at,
        } = stored(app, caller, id).await?;
        let buyer_name = if caller.actor.opportunity_view() == View::Full {
            let names = names_of(&app.store, std::iter::once(o.buyer.as_str())).await?;
            Some(
                names
                    .get(o.buyer.as_str())
                    .cloned()
                    .unwrap_or_else(|| o.buyer.to_string()),
            )
        } else {
            None
        };
        let actions = o
            .status
            .actions()
            .iter()
            .copied()
            .filter(|a| caller.actor.check_action(*a, &o).is_ok())
            .collect();
        let editable = caller
            .check(Verb::Update, &Record::Opportunity(o.clone()))
            .is_ok();
        let shortlist = if caller.actor.looks_after(&o) {
            Some(Shortlist::of(app, caller, id).await?)
        } else {
            None
        };
        Ok(OpportunityPage {
            layout: Layout::within(o.title.clone(), Section::Opportunities),
            version,
            created: timestamp(created_at),
            updated: timestamp(updated_at),
            buyer_name,
            value: o.value.as_ref().map(MoneyView::of),
            response_due: o.response_due.map(DateView::of),
            starts: o.starts.map(DateView::of),
            actions,
            editable,
            can_match: caller
                .check_capability(hcx_domain::access::Capability::Matchmaking)
                .is_ok(),
            can_quote: caller.actor.is_staff()
                || !crate::services::quotes::own_providers(caller).is_empty(),
            problem,
            shortlist,
            o,
        })
    }
}

/// The opportunity as the caller may see it, or the 404 page.
pub async fn stored(
    app: &App,
    caller: &Caller,
    id: &str,
) -> Result<Versioned<Opportunity>, PageError> {
    let found = app.get(caller, Kind::Opportunity, id).await?;
    match found.record {
        Record::Opportunity(o) => Ok(Versioned {
            record: o,
            version: found.version,
            created_at: found.created_at,
            updated_at: found.updated_at,
        }),
        _ => Err(PageError(ServiceError::NotFound {
            kind: "opportunity",
            id: id.to_owned(),
        })),
    }
}

/// After a change: back to the opportunity's page (303, so a reload does not post again).
pub fn show(id: &str) -> Response {
    Redirect::to(&format!("/opportunities/{id}")).into_response()
}

pub async fn get_opportunity(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<OpportunityPage, PageError> {
    OpportunityPage::load(&app, &caller, &id, None).await
}

/// Takes a lifecycle step from the version the person saw; a stale version or
/// a step no longer allowed shows the page again with the reason.
pub async fn act_on_opportunity(
    State(app): State<App>,
    caller: Caller,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let Some(action) = Action::parse(&action) else {
        return Err(PageError(ServiceError::NotFound {
            kind: "action",
            id: action,
        }));
    };
    let version = Params::parse(&body)
        .text("version")
        .parse::<i64>()
        .map_err(|_| {
            ServiceError::BadRequest("the form did not say which version you saw".into())
        })?;
    match app.transition(&caller, &id, action, version).await {
        Ok(_) => Ok(show(&id)),
        Err(e @ (ServiceError::Conflict(_) | ServiceError::Lifecycle(_))) => {
            let page = OpportunityPage::load(&app, &caller, &id, Some(e.to_string())).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
