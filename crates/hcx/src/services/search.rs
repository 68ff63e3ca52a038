//! Full-text search with facets, answered from the index and filled in from the store.

use hcx_domain::access::View;
use hcx_domain::{Offer, Opportunity};
use hcx_search::{Hits, OfferFacets, OfferQuery, OpportunityFacets, OpportunityQuery, SearchIndex};
use hcx_store::Versioned;

use super::{App, Caller, ServiceError};

/// A page of search results with the total and the facet counts.
#[derive(Debug, Clone)]
pub struct Found<T, F> {
    pub total: u64,
    pub items: Vec<Versioned<T>>,
    pub facets: F,
}

impl App {
    /// Runs a search off the async runtime; returns the total, the page's ids and the facets.
    async fn run_search<I, F>(
        &self,
        search: impl FnOnce(&SearchIndex) -> hcx_search::Result<Hits<I, F>> + Send + 'static,
    ) -> Result<(u64, Vec<String>, F), ServiceError>
    where
        I: ToString + Send + 'static,
        F: Send + 'static,
    {
        let index = self.search.clone();
        let hits = tokio::task::spawn_blocking(move || search(&index))
            .await
            .map_err(|e| ServiceError::Internal(format!("search stopped: {e}")))??;
        let ids = hits.hits.iter().map(|h| h.id.to_string()).collect();
        Ok((hits.total, ids, hits.facets))
    }

    /// Opportunities matching a search among those the caller may see, as
    /// stored records in rank order.
    pub async fn search_opportunities(
        &self,
        caller: &Caller,
        mut query: OpportunityQuery,
    ) -> Result<Found<Opportunity, OpportunityFacets>, ServiceError> {
        query.scope = caller.actor.opportunity_scope();
        query.buyer_names = caller.actor.opportunity_view() == View::Full;
        let (total, ids, facets) = self
            .run_search(move |index| index.search_opportunities(&query))
            .await?;
        Ok(Found {
            total,
            items: self.store.opportunities_by_ids(&ids).await?,
            facets,
        })
    }

    /// Offers matching a search, as stored records in rank order, each as
    /// the caller may see it.
    pub async fn search_offers(
        &self,
        caller: &Caller,
        query: OfferQuery,
    ) -> Result<Found<Offer, OfferFacets>, ServiceError> {
        let (total, ids, facets) = self
            .run_search(move |index| index.search_offers(&query))
            .await?;
        let items = self
            .store
            .offers_by_ids(&ids)
            .await?
            .into_iter()
            .map(|v| Versioned {
                record: caller.present_offer(v.record),
                ..v
            })
            .collect();
        Ok(Found {
            total,
            items,
            facets,
        })
    }
}
