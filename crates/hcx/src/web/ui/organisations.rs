//! `/organisations`: the filtered list, and one organisation's page: a
//! provider's offers and strategy, a buyer's opportunities.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawQuery, State};
use hcx_domain::access::Verb;
use hcx_domain::offer::Offer;
use hcx_domain::reference::reference;
use hcx_domain::vocab::{OrgKind, Sector};
use hcx_domain::{NetworkCode, Organisation, Record, Strategy};
use hcx_store::{OpportunityFilter, OrganisationFilter, Versioned};

use super::form::Choice;
use super::layout::{Layout, Section};
use super::params::{Pagination, Params};
use super::views::{OpportunitySummary, pounds};
use crate::services::{App, Caller, ServiceError};
use crate::web::error::PageError;

/// Organisations per page.
const PER_PAGE: usize = 25;
/// Most offers or opportunities listed on one organisation's page.
const MAX_LISTED: i64 = 200;

#[derive(Debug, Template, WebTemplate)]
#[template(path = "organisations.html")]
pub struct OrganisationsPage {
    layout: Layout,
    name: String,
    kinds: Vec<Choice>,
    sectors: Vec<Choice>,
    regions: Vec<Choice>,
    networks: Vec<Choice>,
    countries: Vec<Choice>,
    filtered: bool,
    organisations: Vec<Versioned<Organisation>>,
    pages: Pagination,
}

fn choices<'a>(
    options: impl Iterator<Item = (&'a str, &'a str)>,
    chosen: &[String],
) -> Vec<Choice> {
    let chosen: Vec<&str> = chosen.iter().map(String::as_str).collect();
    options
        .map(|(value, label)| Choice {
            value: value.to_owned(),
            label: label.to_owned(),
            selected: chosen.contains(&value),
        })
        .collect()
}

pub async fn list_organisations(
    State(app): State<App>,
    RawQuery(raw): RawQuery,
) -> Result<OrganisationsPage, PageError> {
    let params = Params::from_query(raw.as_deref());
    let filter = OrganisationFilter {
        kinds: params.all("kind"),
        sectors: params.all("sector"),
        regions: params.all("region"),
        networks: params.all("network"),
        countries: params.all("country"),
        name: Some(params.text("name").to_owned()).filter(|n| !n.is_empty()),
    };
    let offset = Pagination::offset(&params, PER_PAGE);
    let found = app
        .store
        .list_organisations(&filter, offset as i64, PER_PAGE as i64)
        .await?;
    let mut countries: Vec<(&str, &str)> = reference()
        .countries()
        .map(|c| (c.alpha2.as_str(), c.display_name()))
        .collect();
    countries.sort_by_key(|(_, name)| *name);
    Ok(OrganisationsPage {
        layout: Layout::new("Organisations", Section::Organisations),
        name: params.text("name").to_owned(),
        kinds: choices(
            OrgKind::NAMES.iter().map(|(n, k)| (*n, k.label())),
            &filter.kinds,
        ),
        sectors: choices(
            Sector::NAMES.iter().map(|(n, s)| (*n, s.label())),
            &filter.sectors,
        ),
        regions: choices(
            reference().nhs_regions().into_iter().map(|r| (r, r)),
            &filter.regions,
        ),
        networks: choices(
            reference()
                .networks()
                .map(|n| (n.code.as_str(), n.name.as_str())),
            &filter.networks,
        ),
        countries: choices(countries.into_iter(), &filter.countries),
        filtered: filter != OrganisationFilter::default(),
        pages: Pagination::new(
            &params,
            "/organisations",
            PER_PAGE,
            found.items.len(),
            u64::try_from(found.total).unwrap_or(0),
        ),
        organisations: found.items,
    })
}

/// An offer with its price range in pounds.
#[derive(Debug)]
struct OfferView {
    offer: Offer,
    price: Option<String>,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "organisation.html")]
pub struct OrganisationPage {
    layout: Layout,
    org: Organisation,
    version: i64,
    network: Option<(NetworkCode, &'static str)>,
    offers: Vec<OfferView>,
    strategy: Option<Strategy>,
    /// The strategy's smallest contract, in pounds.
    min_contract: Option<String>,
    opportunities: Vec<OpportunitySummary>,
    /// Whether the viewer sees this provider's strategy, prices and capacity.
    commercial: bool,
    signed_in: bool,
    /// Whether the viewer sees the introductions made to this provider.
    introductions: bool,
    /// Whether the viewer sees its twinning suggestions.
    twinning: bool,
}

/// Whether the viewer sees a provider's introductions: its own people and the agency.
pub fn shows_introductions(caller: &Caller, org: &Organisation) -> bool {
    org.can_offer() && caller.actor.sees_commercial(&org.id)
}

/// Whether the viewer sees an organisation's twinning suggestions.
pub fn shows_twinning(caller: &Caller, org: &Organisation) -> bool {
    (org.can_offer() || org.kind == OrgKind::Buyer) && caller.actor.check_twinning(org).is_ok()
}

pub async fn get_organisation(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<OrganisationPage, PageError> {
    let stored = app
        .store
        .organisation(&id)
        .await?
        .ok_or_else(|| ServiceError::NotFound {
            kind: "organisation",
            id: id.clone(),
        })?;
    let org = stored.record;
    let (offers, strategy) = if org.can_offer() {
        let offers = app.store.list_offers(Some(&id), 0, MAX_LISTED).await?.items;
        let strategy = app
            .store
            .strategy_of(&id)
            .await?
            .map(|s| s.record)
            .filter(|s| {
                caller
                    .check(Verb::Read, &Record::Strategy(s.clone()))
                    .is_ok()
            });
        (offers, strategy)
    } else {
        (vec![], None)
    };
    let opportunities = if org.kind == OrgKind::Buyer {
        let mine = OpportunityFilter {
            buyers: vec![id.clone()],
            ..OpportunityFilter::default()
        };
        let scope = caller.actor.opportunity_scope();
        let mut found = app.store.list_opportunities(&mine, 0, MAX_LISTED).await?;
        found
            .items
            .retain(|o| scope.admits(&o.record.buyer, &o.record.country, o.record.status));
        OpportunitySummary::list(&app.store, &caller, &found.items).await?
    } else {
        vec![]
    };
    Ok(OrganisationPage {
        layout: Layout::within(org.name.clone(), Section::Organisations),
        version: stored.version,
        network: org.network.clone().map(|n| {
            let name = n.name();
            (n, name)
        }),
        offers: offers
            .into_iter()
            .map(|o| caller.present_offer(o.record))
            .map(|offer| OfferView {
                price: offer
                    .price_gbp
                    .as_ref()
                    .map(|p| format!("{} to {}", pounds(p.min.minor), pounds(p.max.minor))),
                offer,
            })
            .collect(),
        min_contract: strategy
            .as_ref()
            .and_then(|s| s.min_contract_gbp.as_ref())
            .map(|m| pounds(m.minor)),
        strategy,
        opportunities,
        commercial: caller.actor.sees_commercial(&org.id),
        introductions: shows_introductions(&caller, &org),
        twinning: shows_twinning(&caller, &org),
        signed_in: caller.actor.role.is_some(),
        org,
    })
}

impl OrganisationPage {
    fn is_offering(&self) -> bool {
        self.org.can_offer()
    }

    fn is_buyer(&self) -> bool {
        self.org.kind == OrgKind::Buyer
    }
}
