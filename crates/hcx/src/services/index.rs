//! Keeping the search index a faithful cache of the store: it follows the
//! change log from the last sequence it applied, and can be rebuilt whole.

use std::collections::{BTreeMap, HashMap};

use hcx_domain::{Offer, OfferId, Opportunity, OpportunityId};
use hcx_store::{OpportunityFilter, Versioned};

use super::{App, ServiceError};

/// Changes read from the log per round.
const CHANGES_PER_ROUND: i64 = 20_000;

/// What one round of catching up must do to the index.
#[derive(Debug, Default)]
struct Plan {
    opportunities: Vec<Versioned<Opportunity>>,
    offers: Vec<Versioned<Offer>>,
    deleted_opportunities: Vec<OpportunityId>,
    deleted_offers: Vec<OfferId>,
    names: HashMap<String, String>,
    seq: i64,
}

impl App {
    /// Makes the index ready: rebuilt if new, of another schema, or ahead of
    /// this database; otherwise brought up to date.
    pub(crate) async fn prepare_index(&self) -> Result<(), ServiceError> {
        let latest = self.store.latest_change().await?;
        if self.search.needs_rebuild()
            || self.search.applied_seq() > latest
            || (self.search.applied_seq() == 0 && latest > 0)
        {
            self.rebuild_index().await?;
        } else {
            self.catch_up().await?;
        }
        Ok(())
    }

    /// Applies every change logged since the index last caught up; returns how many.
    pub async fn catch_up(&self) -> Result<usize, ServiceError> {
        let _one_at_a_time = self.sync_lock.lock().await;
        let mut applied = 0;
        loop {
            let since = self.search.applied_seq();
            let changes = self.store.changes_since(since, CHANGES_PER_ROUND).await?;
            let Some(last) = changes.last() else { break };
            let mut plan = Plan {
                seq: last.seq,
                ..Plan::default()
            };
            // The latest operation per record decides; organisations re-index what names them.
            let mut latest: BTreeMap<(&str, &str), &str> = BTreeMap::new();
            for c in &changes {
                latest.insert((c.kind.as_str(), c.record_id.as_str()), c.op.as_str());
            }
            let mut opportunity_ids = Vec::new();
            let mut offer_ids = Vec::new();
            let mut organisations = Vec::new();
            for ((kind, id), op) in latest {
                match (kind, op) {
                    ("opportunity", "delete") => plan
                        .deleted_opportunities
                        .extend(OpportunityId::parse(id).ok()),
                    ("opportunity", _) => opportunity_ids.push(id.to_owned()),
                    ("offer", "delete") => plan.deleted_offers.extend(OfferId::parse(id).ok()),
                    ("offer", _) => offer_ids.push(id.to_owned()),
                    // A new organisation has nothing indexed under its old name.
                    ("organisation", "update") => organisations.push(id.to_owned()),
                    _ => {}
                }
            }
            if !organisations.is_empty() {
                let filter = OpportunityFilter {
                    buyers: organisations.clone(),
                    ..Default::default()
                };
                let named = self.store.list_opportunities(&filter, 0, i64::MAX).await?;
                plan.opportunities.extend(named.items);
                for provider in &organisations {
                    plan.offers.extend(
                        self.store
                            .list_offers(Some(provider), 0, i64::MAX)
                            .await?
                            .items,
                    );
                }
            }
            plan.opportunities
                .extend(self.store.opportunities_by_ids(&opportunity_ids).await?);
            plan.offers
                .extend(self.store.offers_by_ids(&offer_ids).await?);
            // Only the names these documents carry: a single edit reads one or two.
            let mut named: Vec<String> = plan
                .opportunities
                .iter()
                .map(|o| o.record.buyer.to_string())
                .chain(plan.offers.iter().map(|o| o.record.provider.to_string()))
                .collect();
            named.sort();
            named.dedup();
            plan.names = self.store.organisation_names_of(&named).await?;
            applied += changes.len();
            self.write_plan(plan, false).await?;
        }
        Ok(applied)
    }

    /// Rebuilds the index from the store; returns the number of documents.
    pub async fn rebuild_index(&self) -> Result<usize, ServiceError> {
        let _one_at_a_time = self.sync_lock.lock().await;
        let mut plan = Plan {
            seq: self.store.latest_change().await?,
            ..Plan::default()
        };
        plan.opportunities = self.store.all_opportunities().await?;
        plan.offers = self.store.all_offers().await?;
        plan.names = self.store.organisation_names().await?;
        let documents = plan.opportunities.len() + plan.offers.len();
        self.write_plan(plan, true).await?;
        Ok(documents)
    }

    async fn write_plan(&self, plan: Plan, from_scratch: bool) -> Result<(), ServiceError> {
        let search = self.search.clone();
        tokio::task::spawn_blocking(move || {
            let mut w = search.writer();
            if from_scratch {
                w.clear();
            }
            let name = |id: &str| plan.names.get(id).map_or(id, String::as_str).to_owned();
            for id in &plan.deleted_opportunities {
                w.delete_opportunity(id);
            }
            for id in &plan.deleted_offers {
                w.delete_offer(id);
            }
            for o in &plan.opportunities {
                w.put_opportunity(&o.record, &name(o.record.buyer.as_str()), o.updated_at)?;
            }
            for o in &plan.offers {
                w.put_offer(&o.record, &name(o.record.provider.as_str()), o.updated_at)?;
            }
            w.commit(plan.seq)
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("index writer stopped: {e}")))??;
        Ok(())
    }
}
