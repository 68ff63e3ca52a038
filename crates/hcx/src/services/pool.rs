//! What matchmaking weighs, kept in memory: every offer, the organisations
//! that make them and their strategies. Like the search index it follows the
//! change log, so a match reads no records from the store, yet never sees
//! them older than the last change logged before it began.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use hcx_domain::codes::SpecialtyCode;
use hcx_domain::matching::Candidate;
use hcx_domain::{Offer, Organisation, Strategy};
use tokio::sync::{OwnedRwLockReadGuard, RwLock};

use super::{App, ServiceError};

/// Changes read from the log per round.
const CHANGES_PER_ROUND: i64 = 20_000;

/// The providers' side of matchmaking, as of change `seq`.
#[derive(Debug, Default)]
pub struct Pool {
    seq: i64,
    loaded: bool,
    offers: FxHashMap<String, Offer>,
    organisations: FxHashMap<String, Organisation>,
    /// By provider id.
    strategies: FxHashMap<String, Strategy>,
    /// Strategy id → provider id, to forget a deleted strategy.
    strategy_of: FxHashMap<String, String>,
    /// Offer ids by the specialties they offer.
    by_specialty: FxHashMap<SpecialtyCode, BTreeSet<String>>,
}

/// The pool shared by the clones of one [`App`].
pub(crate) type SharedPool = Arc<RwLock<Pool>>;

impl Pool {
    /// The ids of the offers that offer any of these specialties (an offer
    /// of several comes once for each).
    pub fn offering<'a>(
        &'a self,
        specialties: &'a [SpecialtyCode],
    ) -> impl Iterator<Item = &'a str> + 'a {
        specialties
            .iter()
            .filter_map(|s| self.by_specialty.get(s))
            .flatten()
            .map(String::as_str)
    }

    /// One offer as the engine weighs it, with its text relevance; `None`
    /// for an unknown offer.
    pub fn candidate(&self, offer: &str, text: f64) -> Option<Candidate<'_>> {
        let offer = self.offers.get(offer)?;
        Some(Candidate {
            provider: self.organisations.get(offer.provider.as_str())?,
            offer,
            strategy: self.strategies.get(offer.provider.as_str()),
            text,
            committed_days: 0,
            blocked: None,
        })
    }

    fn put_offer(&mut self, offer: Offer) {
        self.remove_offer(offer.id.as_str());
        for s in &offer.specialties {
            self.by_specialty
                .entry(s.clone())
                .or_default()
                .insert(offer.id.to_string());
        }
        self.offers.insert(offer.id.to_string(), offer);
    }

    fn remove_offer(&mut self, id: &str) {
        if let Some(old) = self.offers.remove(id) {
            for s in &old.specialties {
                if let Some(ids) = self.by_specialty.get_mut(s) {
                    ids.remove(id);
                }
            }
        }
    }

    fn put_strategy(&mut self, strategy: Strategy) {
        self.remove_strategy(strategy.id.as_str());
        self.strategy_of
            .insert(strategy.id.to_string(), strategy.provider.to_string());
        self.strategies
            .insert(strategy.provider.to_string(), strategy);
    }

    fn remove_strategy(&mut self, id: &str) {
        if let Some(provider) = self.strategy_of.remove(id) {
            self.strategies.remove(&provider);
        }
    }
}

impl App {
    /// The pool, brought up to date with the change log (loaded whole the
    /// first time), held for reading.
    pub(crate) async fn pool(&self) -> Result<OwnedRwLockReadGuard<Pool>, ServiceError> {
        {
            let pool = self.pool.clone().read_owned().await;
            if pool.loaded && self.store.changes_since(pool.seq, 1).await?.is_empty() {
                return Ok(pool);
            }
        }
        let mut pool = self.pool.clone().write_owned().await;
        self.refresh_pool(&mut pool).await?;
        Ok(pool.downgrade())
    }

    /// Loads the pool if it is not yet, and applies the changes logged since.
    pub async fn follow_pool(&self) -> Result<(), ServiceError> {
        let mut pool = self.pool.write().await;
        self.refresh_pool(&mut pool).await
    }

    async fn refresh_pool(&self, pool: &mut Pool) -> Result<(), ServiceError> {
        if !pool.loaded {
            *pool = self.load_pool().await?;
        }
        loop {
            let changes = self
                .store
                .changes_since(pool.seq, CHANGES_PER_ROUND)
                .await?;
            let Some(last) = changes.last() else {
                return Ok(());
            };
            let seq = last.seq;
            // The latest operation per record decides.
            let mut latest: BTreeMap<(&str, &str), &str> = BTreeMap::new();
            for c in &changes {
                latest.insert((c.kind.as_str(), c.record_id.as_str()), c.op.as_str());
            }
            let mut changed: HashMap<&str, Vec<String>> = HashMap::new();
            for ((kind, id), op) in latest {
                match (kind, op) {
                    ("offer", "delete") => pool.remove_offer(id),
                    ("strategy", "delete") => pool.remove_strategy(id),
                    ("organisation", "delete") => {
                        pool.organisations.remove(id);
                    }
                    (_, "delete") => {}
                    (kind, _) => changed.entry(kind).or_default().push(id.to_owned()),
                }
            }
            let ids = |kind: &str| changed.get(kind).map_or(&[][..], Vec::as_slice);
            for v in self.store.offers_by_ids(ids("offer")).await? {
                pool.put_offer(v.record);
            }
            for v in self.store.strategies_by_ids(ids("strategy")).await? {
                pool.put_strategy(v.record);
            }
            for v in self.store.organisations_by_ids(ids("organisation")).await? {
                pool.organisations.insert(v.record.id.to_string(), v.record);
            }
            pool.seq = seq;
        }
    }

    async fn load_pool(&self) -> Result<Pool, ServiceError> {
        let mut pool = Pool {
            seq: self.store.latest_change().await?,
            loaded: true,
            ..Pool::default()
        };
        for v in self.store.all_offers().await? {
            pool.put_offer(v.record);
        }
        for v in self.store.all_organisations().await? {
            pool.organisations.insert(v.record.id.to_string(), v.record);
        }
        for v in self.store.all_strategies().await? {
            pool.put_strategy(v.record);
        }
        Ok(pool)
    }
}
