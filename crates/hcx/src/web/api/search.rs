//! Lists of opportunities and offers, answered by the search index with facets.

use axum::Json;
use axum::extract::{Query, State};
use hcx_domain::vocab::{DeliveryMode, ServiceLine, Source};
use hcx_domain::{
    CountryCode, FieldError, Invalid, OrganisationId, Record, SpecialtyCode, Status, ValueBand,
};
use hcx_search::{FacetCount, OfferQuery, OpportunityQuery};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::IntoParams;

use super::ListResponse;
use super::records::{values, window};
use crate::services::{App, Caller, ServiceError};
use crate::web::error::ApiError;

/// Search and filters for opportunities; filters take several values separated by commas.
#[derive(Debug, Deserialize, IntoParams)]
pub struct OpportunityParams {
    /// Words to look for in titles, descriptions, specialties, buyers and countries.
    q: Option<String>,
    /// ISO 3166-1 alpha-2 codes
    country: Option<String>,
    /// education_training, consultancy, clinical_advice, service_operation, partnership, digital, research
    service_line: Option<String>,
    /// Treatment function codes, e.g. `370`
    specialty: Option<String>,
    /// draft, pending_review, published, closed, withdrawn
    status: Option<String>,
    /// post, trade_mission, delegation, tender, direct, agency
    source: Option<String>,
    /// under_100k, 100k_1m, 1m_10m, over_10m, unknown (value converted to pounds)
    value_band: Option<String>,
    #[param(minimum = 0)]
    offset: Option<u64>,
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

/// Search and filters for offers; filters take several values separated by commas.
#[derive(Debug, Deserialize, IntoParams)]
pub struct OfferParams {
    /// Words to look for in titles, descriptions, specialties and providers.
    q: Option<String>,
    /// Countries the provider has worked in (ISO 3166-1 alpha-2)
    country: Option<String>,
    service_line: Option<String>,
    specialty: Option<String>,
    /// in_country, remote, uk_based
    delivery_mode: Option<String>,
    /// Provider organisation ids
    provider: Option<String>,
    #[param(minimum = 0)]
    offset: Option<u64>,
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u64>,
}

/// Reads comma-separated filter values, collecting every one that is not valid.
#[derive(Debug, Default)]
struct Filters {
    errors: Vec<FieldError>,
}

impl Filters {
    fn each<T>(
        &mut self,
        name: &str,
        param: &Option<String>,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Vec<T> {
        values(param)
            .into_iter()
            .filter_map(|v| {
                let parsed = parse(&v);
                if parsed.is_none() {
                    self.errors
                        .push(FieldError::new(name, format!("{v:?} is not a valid value")));
                }
                parsed
            })
            .collect()
    }

    fn countries(&mut self, param: &Option<String>) -> Vec<CountryCode> {
        self.each("country", param, |v| CountryCode::parse(v).ok())
    }

    fn service_lines(&mut self, param: &Option<String>) -> Vec<ServiceLine> {
        self.each("service_line", param, ServiceLine::parse)
    }

    fn specialties(&mut self, param: &Option<String>) -> Vec<SpecialtyCode> {
        self.each("specialty", param, |v| SpecialtyCode::parse(v).ok())
    }

    /// Refuses the request if any value was invalid.
    fn check(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError(ServiceError::Invalid(Invalid(self.errors))))
        }
    }
}

fn counts<T>(facet: &[FacetCount<T>], name: impl Fn(&T) -> &str) -> Value {
    let mut map = Map::new();
    for c in facet {
        map.insert(name(&c.value).to_owned(), json!(c.count));
    }
    Value::Object(map)
}

fn text(q: Option<String>) -> Option<String> {
    q.filter(|q| !q.trim().is_empty())
}

/// Search opportunities, with facet counts.
#[utoipa::path(get, path = "/opportunities", tag = "opportunities", params(OpportunityParams),
    responses((status = 200, body = ListResponse), (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn list_opportunities(
    State(app): State<App>,
    caller: Caller,
    Query(p): Query<OpportunityParams>,
) -> Result<Json<ListResponse>, ApiError> {
    let mut filters = Filters::default();
    let window = window(p.offset, p.limit);
    let query = OpportunityQuery {
        countries: filters.countries(&p.country),
        service_lines: filters.service_lines(&p.service_line),
        specialties: filters.specialties(&p.specialty),
        statuses: filters.each("status", &p.status, Status::parse),
        sources: filters.each("source", &p.source, Source::parse),
        value_bands: filters.each("value_band", &p.value_band, ValueBand::parse),
        text: text(p.q),
        offset: window.0 as usize,
        limit: window.1 as usize,
        ..OpportunityQuery::default()
    };
    filters.check()?;
    let found = app.search_opportunities(&caller, query).await?;
    let f = &found.facets;
    let facets = json!({
        "country": counts(&f.countries, |c| c.as_str()),
        "service_line": counts(&f.service_lines, |s| s.as_str()),
        "specialty": counts(&f.specialties, |s| s.as_str()),
        "status": counts(&f.statuses, |s| s.as_str()),
        "source": counts(&f.sources, |s| s.as_str()),
        "value_band": counts(&f.value_bands, |b| b.as_str()),
    });
    Ok(Json(ListResponse::of(
        &caller,
        found.items,
        Record::Opportunity,
        found.total,
        window,
        Some(facets),
    )))
}

/// Search offers, with facet counts.
#[utoipa::path(get, path = "/offers", tag = "offers", params(OfferParams),
    responses((status = 200, body = ListResponse), (status = 422, body = crate::web::error::ErrorEnvelope)))]
pub async fn list_offers(
    State(app): State<App>,
    caller: Caller,
    Query(p): Query<OfferParams>,
) -> Result<Json<ListResponse>, ApiError> {
    let mut filters = Filters::default();
    let window = window(p.offset, p.limit);
    let query = OfferQuery {
        countries: filters.countries(&p.country),
        service_lines: filters.service_lines(&p.service_line),
        specialties: filters.specialties(&p.specialty),
        delivery_modes: filters.each("delivery_mode", &p.delivery_mode, DeliveryMode::parse),
        providers: filters.each("provider", &p.provider, |v| OrganisationId::parse(v).ok()),
        text: text(p.q),
        offset: window.0 as usize,
        limit: window.1 as usize,
    };
    filters.check()?;
    let found = app.search_offers(&caller, query).await?;
    let f = &found.facets;
    let facets = json!({
        "country": counts(&f.countries, |c| c.as_str()),
        "service_line": counts(&f.service_lines, |s| s.as_str()),
        "specialty": counts(&f.specialties, |s| s.as_str()),
        "delivery_mode": counts(&f.delivery_modes, |d| d.as_str()),
        "provider": counts(&f.providers, |p| p.as_str()),
    });
    Ok(Json(ListResponse::of(
        &caller,
        found.items,
        Record::Offer,
        found.total,
        window,
        Some(facets),
    )))
}
