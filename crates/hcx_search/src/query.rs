//! Searches: what a caller asks for and what comes back.

use std::collections::HashMap;

use hcx_domain::access::{OpportunityScope, PUBLIC_STATUSES};
use hcx_domain::vocab::{DeliveryMode, ServiceLine, Source};
use hcx_domain::{
    CountryCode, OfferId, OpportunityId, OrganisationId, SpecialtyCode, Status, ValueBand,
};

use crate::collector::{Dimension, Outcome, Scope};
use crate::schema::column;
use crate::{Result, SearchError};

/// Page size when a query does not set one.
pub const DEFAULT_LIMIT: usize = 20;

/// Largest page a search returns, whatever the query asks.
pub const MAX_LIMIT: usize = 1000;

/// A search for opportunities. Each filter accepts any of its values (none:
/// no filter); a hit passes every filter.
///
/// Its `Debug` form is the key of remembered results, so everything that
/// shapes the answer, the scope above all, must be a field that shows there.
#[derive(Debug, Clone, PartialEq)]
pub struct OpportunityQuery {
    /// Whom the search is for: opportunities outside it are not merely
    /// filtered out but absent, from the hits, the total and every facet
    /// count alike. The default is an anonymous visitor's (public only), so
    /// a caller that forgets to set it reveals nothing; set it from
    /// `Actor::opportunity_scope`.
    pub scope: OpportunityScope,
    /// Whether the text may match buyers' names. Off by default, for
    /// visitors who may not learn who the buyer is; set it for those who may.
    pub buyer_names: bool,
    /// What a user typed; bad syntax is read leniently, never refused.
    pub text: Option<String>,
    pub countries: Vec<CountryCode>,
    pub service_lines: Vec<ServiceLine>,
    pub specialties: Vec<SpecialtyCode>,
    pub statuses: Vec<Status>,
    pub sources: Vec<Source>,
    pub value_bands: Vec<ValueBand>,
    /// Hits to skip, for later pages.
    pub offset: usize,
    /// Hits to return (at most [`MAX_LIMIT`]); zero gives only the total and facets.
    pub limit: usize,
}

impl Default for OpportunityQuery {
    fn default() -> Self {
        OpportunityQuery {
            scope: OpportunityScope::default(),
            buyer_names: false,
            text: None,
            countries: Vec::new(),
            service_lines: Vec::new(),
            specialties: Vec::new(),
            statuses: Vec::new(),
            sources: Vec::new(),
            value_bands: Vec::new(),
            offset: 0,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// A search for offers. Each filter accepts any of its values (none: no
/// filter); a hit passes every filter.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferQuery {
    /// What a user typed; bad syntax is read leniently, never refused.
    pub text: Option<String>,
    /// Countries the provider has worked in.
    pub countries: Vec<CountryCode>,
    pub service_lines: Vec<ServiceLine>,
    pub specialties: Vec<SpecialtyCode>,
    pub delivery_modes: Vec<DeliveryMode>,
    pub providers: Vec<OrganisationId>,
    /// Hits to skip, for later pages.
    pub offset: usize,
    /// Hits to return (at most [`MAX_LIMIT`]); zero gives only the total and facets.
    pub limit: usize,
}

impl Default for OfferQuery {
    fn default() -> Self {
        OfferQuery {
            text: None,
            countries: Vec::new(),
            service_lines: Vec::new(),
            specialties: Vec::new(),
            delivery_modes: Vec::new(),
            providers: Vec::new(),
            offset: 0,
            limit: DEFAULT_LIMIT,
        }
    }
}

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit<I> {
    pub id: I,
    /// Relevance to the text; 0 for every hit when the query has none.
    pub score: f32,
}

/// How many matches have one value of a facet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount<T> {
    pub value: T,
    pub count: u64,
}

/// A page of results, the number of matches and the facets.
#[derive(Debug, Clone, PartialEq)]
pub struct Hits<I, F> {
    /// Matches of the text and every filter.
    pub total: u64,
    /// The requested page: by relevance when there is text, otherwise most
    /// recently updated first; ties by id.
    pub hits: Vec<Hit<I>>,
    pub facets: F,
}

/// Results of [`crate::SearchIndex::search_opportunities`].
pub type OpportunityHits = Hits<OpportunityId, OpportunityFacets>;

/// Results of [`crate::SearchIndex::search_offers`].
pub type OfferHits = Hits<OfferId, OfferFacets>;

/// Facet counts over the matches of the text and every filter except the
/// facet's own, so choosing a value leaves the alternatives' counts in view.
/// Each lists most frequent first and includes every chosen value, even at 0.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OpportunityFacets {
    pub countries: Vec<FacetCount<CountryCode>>,
    pub service_lines: Vec<FacetCount<ServiceLine>>,
    pub specialties: Vec<FacetCount<SpecialtyCode>>,
    pub statuses: Vec<FacetCount<Status>>,
    pub sources: Vec<FacetCount<Source>>,
    pub value_bands: Vec<FacetCount<ValueBand>>,
}

/// Facet counts of an offer search, computed as for [`OpportunityFacets`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OfferFacets {
    pub countries: Vec<FacetCount<CountryCode>>,
    pub service_lines: Vec<FacetCount<ServiceLine>>,
    pub specialties: Vec<FacetCount<SpecialtyCode>>,
    pub delivery_modes: Vec<FacetCount<DeliveryMode>>,
    pub providers: Vec<FacetCount<OrganisationId>>,
}

impl OpportunityQuery {
    /// The scope as the collector reads it; `None` for `everything`, which
    /// then costs nothing per document.
    pub(crate) fn collector_scope(&self) -> Option<Scope> {
        // Taken apart whole, so that a field added to the scope fails to
        // compile here rather than being silently ignored.
        let OpportunityScope {
            everything,
            buyers,
            countries,
        } = &self.scope;
        if *everything {
            return None;
        }
        let any_of = [
            dimension(column::STATUS, PUBLIC_STATUSES, |s| s.as_str()),
            dimension(column::BUYER, buyers, |b| b.as_str()),
            dimension(column::COUNTRY, countries, |c| c.as_str()),
        ]
        .into_iter()
        .filter(|d| !d.selected.is_empty())
        .collect();
        Some(Scope { any_of })
    }

    /// The facet dimensions, in the order [`OpportunityQuery::hits`] reads them.
    pub(crate) fn dimensions(&self) -> Vec<Dimension> {
        vec![
            dimension(column::COUNTRY, &self.countries, |c| c.as_str()),
            dimension(column::SERVICE_LINE, &self.service_lines, |s| s.as_str()),
            dimension(column::SPECIALTY, &self.specialties, |s| s.as_str()),
            dimension(column::STATUS, &self.statuses, |s| s.as_str()),
            dimension(column::SOURCE, &self.sources, |s| s.as_str()),
            dimension(column::VALUE_BAND, &self.value_bands, |b| b.as_str()),
        ]
    }

    pub(crate) fn hits(&self, outcome: Outcome) -> Result<OpportunityHits> {
        let mut counts = outcome.facets.into_iter();
        let facets = OpportunityFacets {
            countries: facet(counts.next(), &self.countries, |s| {
                CountryCode::parse(s).ok()
            }),
            service_lines: facet(counts.next(), &self.service_lines, ServiceLine::parse),
            specialties: facet(counts.next(), &self.specialties, |s| {
                SpecialtyCode::parse(s).ok()
            }),
            statuses: facet(counts.next(), &self.statuses, Status::parse),
            sources: facet(counts.next(), &self.sources, Source::parse),
            value_bands: facet(counts.next(), &self.value_bands, ValueBand::parse),
        };
        page(
            outcome.total,
            outcome.hits,
            self.offset,
            facets,
            OpportunityId::parse,
        )
    }
}

impl OfferQuery {
    /// The facet dimensions, in the order [`OfferQuery::hits`] reads them.
    pub(crate) fn dimensions(&self) -> Vec<Dimension> {
        vec![
            dimension(column::COUNTRY, &self.countries, |c| c.as_str()),
            dimension(column::SERVICE_LINE, &self.service_lines, |s| s.as_str()),
            dimension(column::SPECIALTY, &self.specialties, |s| s.as_str()),
            dimension(column::DELIVERY_MODE, &self.delivery_modes, |m| m.as_str()),
            dimension(column::PROVIDER, &self.providers, |p| p.as_str()),
        ]
    }

    pub(crate) fn hits(&self, outcome: Outcome) -> Result<OfferHits> {
        let mut counts = outcome.facets.into_iter();
        let facets = OfferFacets {
            countries: facet(counts.next(), &self.countries, |s| {
                CountryCode::parse(s).ok()
            }),
            service_lines: facet(counts.next(), &self.service_lines, ServiceLine::parse),
            specialties: facet(counts.next(), &self.specialties, |s| {
                SpecialtyCode::parse(s).ok()
            }),
            delivery_modes: facet(counts.next(), &self.delivery_modes, DeliveryMode::parse),
            providers: facet(counts.next(), &self.providers, |s| {
                OrganisationId::parse(s).ok()
            }),
        };
        page(
            outcome.total,
            outcome.hits,
            self.offset,
            facets,
            OfferId::parse,
        )
    }
}

/// How many hits the collector must keep to serve the page.
pub(crate) fn keep(offset: usize, limit: usize) -> usize {
    offset.saturating_add(limit.min(MAX_LIMIT))
}

fn dimension<T>(column: &'static str, selected: &[T], name: fn(&T) -> &str) -> Dimension {
    Dimension {
        column,
        selected: selected.iter().map(|v| name(v).to_owned()).collect(),
    }
}

/// Typed facet counts; a value the reference data no longer knows is left
/// out rather than failing the search (the index is rebuilt from the store).
fn facet<T: Ord + Clone>(
    counts: Option<HashMap<String, u64>>,
    selected: &[T],
    parse: impl Fn(&str) -> Option<T>,
) -> Vec<FacetCount<T>> {
    let mut facet: Vec<FacetCount<T>> = counts
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(value, count)| parse(&value).map(|value| FacetCount { value, count }))
        .collect();
    for value in selected {
        if !facet.iter().any(|f| &f.value == value) {
            facet.push(FacetCount {
                value: value.clone(),
                count: 0,
            });
        }
    }
    facet.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    facet
}

fn page<I, F>(
    total: u64,
    ranked: Vec<crate::collector::RankedHit>,
    offset: usize,
    facets: F,
    parse: fn(&str) -> std::result::Result<I, String>,
) -> Result<Hits<I, F>> {
    let hits = ranked
        .into_iter()
        .skip(offset)
        .map(|hit| {
            let id = parse(&hit.id).map_err(|reason| SearchError::BadId {
                id: hit.id.clone(),
                reason,
            })?;
            Ok(Hit {
                id,
                score: hit.score,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Hits {
        total,
        hits,
        facets,
    })
}
