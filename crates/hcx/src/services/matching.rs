//! Matchmaking: the providers for an opportunity, ranked and explained.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use hcx_domain::access::Capability;
use hcx_domain::matching::{self, Candidate, Excluded, Need, ProviderMatch};
use hcx_domain::{Opportunity, Organisation, OrganisationId, synonyms};
use serde::Serialize;

use super::diligence::Blocks;
use super::{App, Caller, ServiceError};

/// Offers considered for one opportunity by their words: the closest this
/// many, beside every offer of a specialty it asks for.
const BY_WORDS: usize = 200;
/// Opportunities considered for one offer by their words.
const OPPORTUNITIES_BY_WORDS: usize = 400;

/// What the need was read as.
#[derive(Debug, Clone, Serialize)]
pub struct NeedView {
    pub specialties: Vec<String>,
    pub service_lines: Vec<String>,
    pub delivery_modes: Vec<String>,
    /// Whether any of these were inferred from the need's text.
    pub inferred: bool,
    /// For what was inferred: each value and the words that named it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub read_in_text: Vec<Reading>,
}

/// A value read in a need's text, and the words that named it.
#[derive(Debug, Clone, Serialize)]
pub struct Reading {
    pub value: String,
    pub because: Vec<String>,
}

/// The providers for one opportunity.
#[derive(Debug, Clone, Serialize)]
pub struct MatchReport {
    pub opportunity: String,
    pub need: NeedView,
    pub matches: Vec<ProviderMatch>,
    /// How many providers fit above the minimum score; `matches` shows the best.
    pub matched: usize,
    pub excluded: Vec<Excluded>,
}

/// What an opportunity asks for: its own fields, and where it leaves one
/// empty, what its words name (with the words, to show why).
pub fn need_of(o: &Opportunity) -> (Need, Vec<Reading>) {
    let mut need = Need {
        specialties: o.specialties.clone(),
        service_lines: o.service_lines.clone(),
        delivery_modes: o.delivery_modes.clone(),
        ..Need::default()
    };
    let mut read = Vec::new();
    if need.specialties.is_empty()
        || need.service_lines.is_empty()
        || need.delivery_modes.is_empty()
    {
        let inferred = synonyms::infer(&text_of(o));
        fn take<T: Clone>(
            into: &mut Vec<T>,
            from: &[synonyms::Inference<T>],
            name: impl Fn(&T) -> String,
            read: &mut Vec<Reading>,
        ) -> bool {
            if !into.is_empty() || from.is_empty() {
                return false;
            }
            for i in from {
                into.push(i.value.clone());
                read.push(Reading {
                    value: name(&i.value),
                    because: i.because.clone(),
                });
            }
            true
        }
        let a = take(
            &mut need.specialties,
            &inferred.specialties,
            |s| format!("{s} {}", s.name()),
            &mut read,
        );
        let b = take(
            &mut need.service_lines,
            &inferred.service_lines,
            |s| s.label().to_owned(),
            &mut read,
        );
        let c = take(
            &mut need.delivery_modes,
            &inferred.delivery_modes,
            |m| m.label().to_owned(),
            &mut read,
        );
        need.inferred = a || b || c;
    }
    (need, read)
}

/// The words of an opportunity a match reads.
fn text_of(o: &Opportunity) -> String {
    let mut text = format!("{}\n{}", o.title, o.description);
    for r in &o.requirements {
        text.push('\n');
        text.push_str(&r.title);
    }
    text
}

impl App {
    /// The providers that can deliver an opportunity, best first (at most
    /// `top`), each through its best offer with the features of its score;
    /// and every provider a hard rule keeps out, with the rule.
    pub async fn match_opportunity(
        &self,
        caller: &Caller,
        id: &str,
        top: usize,
    ) -> Result<MatchReport, ServiceError> {
        caller.check_capability(Capability::Matchmaking)?;
        let o = self.readable_opportunity(caller, id).await?;
        let (need, read_in_text) = need_of(&o);

        let view = NeedView {
            specialties: need.specialties.iter().map(ToString::to_string).collect(),
            service_lines: need
                .service_lines
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            delivery_modes: need
                .delivery_modes
                .iter()
                .map(|m| m.as_str().to_owned())
                .collect(),
            inferred: need.inferred,
            read_in_text,
        };
        let opportunity = o.id.to_string();
        let context = self.buyer_context(&o).await?;
        let ranking = self.rank_providers(&context, o, need, top).await?;
        Ok(MatchReport {
            opportunity,
            need: view,
            matches: ranking.matches,
            matched: ranking.matched,
            excluded: ranking.excluded,
        })
    }
}
/// What ranking providers for one buyer's work reads once, however many
/// needs are ranked: the buyer, and the due-diligence cases on it.
#[derive(Clone)]
pub(crate) struct BuyerContext {
    buyer: Arc<Organisation>,
    blocks: Arc<Blocks>,
}

impl App {
    /// The buyer of `o` and the blocks on it, for [`App::rank_providers`].
    pub(crate) async fn buyer_context(
        &self,
        o: &Opportunity,
    ) -> Result<BuyerContext, ServiceError> {
        Ok(BuyerContext {
            blocks: Arc::new(self.blocks(std::slice::from_ref(&o.buyer)).await?),
            buyer: Arc::new(self.organisation(o.buyer.as_str()).await?),
        })
    }

    /// Every provider ranked for `o` as `need` reads it (at most `top`
    /// shown), with those the hard rules keep out: candidates from the
    /// offers closest in words and every offer of a specialty asked for,
    /// each provider's due-diligence block on the buyer judged once.
    pub(crate) async fn rank_providers(
        &self,
        context: &BuyerContext,
        o: Opportunity,
        need: Need,
        top: usize,
    ) -> Result<matching::Ranking, ServiceError> {
        let pool = self.pool().await?;
        let index = self.search.clone();
        let config = self.matching.clone();
        let BuyerContext { buyer, blocks } = context.clone();
        tokio::task::spawn_blocking(move || -> Result<_, ServiceError> {
            let text = text_of(&o);
            let extra = synonyms::expand_query(&text);
            let by_words = index.similar_offers(&text, &extra, BY_WORDS)?;
            let best = by_words.first().map_or(0.0, |h| h.score).max(f32::EPSILON);
            let mut text_score: FxHashMap<&str, f64> = by_words
                .iter()
                .map(|h| (h.id.as_str(), f64::from(h.score / best)))
                .collect();
            for id in pool.offering(&need.specialties) {
                text_score.entry(id).or_insert(0.0);
            }
            let candidates: Vec<Candidate> = text_score
                .iter()
                .filter_map(|(id, text)| pool.candidate(id, *text))
                .collect();
            // Each provider's block, judged once however many offers it has.
            let mut blocked: FxHashMap<&str, Option<String>> = FxHashMap::default();
            for c in &candidates {
                blocked
                    .entry(c.provider.id.as_str())
                    .or_insert_with(|| blocks.of(&buyer, &c.provider.id));
            }
            let candidates = candidates.into_iter().map(|c| Candidate {
                blocked: blocked[c.provider.id.as_str()].as_deref(),
                ..c
            });
            Ok(matching::rank(&o, &need, candidates, &config, top))
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("matching stopped: {e}")))?
    }
}

/// The opportunities for one provider.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderReport {
    pub provider: String,
    pub matches: Vec<matching::OpportunityMatch>,
    /// How many opportunities fit above the minimum score; `matches` shows the best.
    pub matched: usize,
    /// Opportunities its own rules (strategy, capacity) keep it from.
    pub excluded: Vec<matching::RuledOut>,
}

/// The words of an offer a match reads, with the names of its specialties.
fn offer_text(offer: &hcx_domain::Offer) -> String {
    let mut text = format!("{}\n{}", offer.title, offer.description);
    for s in &offer.specialties {
        text.push('\n');
        text.push_str(s.name());
    }
    text
}

impl App {
    /// The published opportunities a provider's offers fit, best first (at
    /// most `top`), for the agency and the provider's own people; and those
    /// its strategy or capacity rule out.
    pub async fn match_provider(
        &self,
        caller: &Caller,
        id: &str,
        top: usize,
    ) -> Result<ProviderReport, ServiceError> {
        let provider = self
            .store
            .organisation(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound {
                kind: "organisation",
                id: id.to_owned(),
            })?
            .record;
        if !caller.actor.sees_commercial(&provider.id) {
            return Err(caller.refuse("organisation", id));
        }
        let offers = self.store.list_offers(Some(id), 0, 1000).await?.items;
        let strategy = self.store.strategy_of(id).await?.map(|v| v.record);
        // Only public opportunities are suggested, whoever asks.
        let scope = hcx_domain::access::OpportunityScope::default();
        let mut text_scores: HashMap<(String, String), f64> = HashMap::new();
        for offer in &offers {
            let text = offer_text(&offer.record);
            let index = self.search.clone();
            let scope = scope.clone();
            let hits = tokio::task::spawn_blocking(move || {
                index.similar_opportunities(&text, &[], &scope, OPPORTUNITIES_BY_WORDS)
            })
            .await
            .map_err(|e| ServiceError::Internal(format!("matching stopped: {e}")))??;
            let best = hits.first().map_or(0.0, |h| h.score).max(f32::EPSILON);
            for h in hits {
                text_scores.insert(
                    (h.id.to_string(), offer.record.id.to_string()),
                    f64::from(h.score / best),
                );
            }
        }
        let mut ids: Vec<String> = text_scores.keys().map(|(o, _)| o.clone()).collect();
        ids.sort();
        ids.dedup();
        let opportunities: Vec<Opportunity> = self
            .store
            .opportunities_by_ids(&ids)
            .await?
            .into_iter()
            .map(|v| v.record)
            .collect();
        let needs: Vec<Need> = opportunities.iter().map(|o| need_of(o).0).collect();
        let mut buyers: Vec<OrganisationId> =
            opportunities.iter().map(|o| o.buyer.clone()).collect();
        buyers.sort();
        buyers.dedup();
        let blocks = self.blocks(&buyers).await?;
        let buyer_ids: Vec<String> = buyers.iter().map(ToString::to_string).collect();
        // Each buyer's block on this provider, judged once for all its opportunities.
        let blocked: HashMap<String, Option<String>> = self
            .store
            .organisations_by_ids(&buyer_ids)
            .await?
            .into_iter()
            .map(|v| {
                let block = blocks.of(&v.record, &provider.id);
                (v.record.id.to_string(), block)
            })
            .collect();
        let (provider, strategy, text_scores) = (&provider, strategy.as_ref(), &text_scores);
        let blocked = &blocked;
        let pairs = opportunities.iter().zip(&needs).flat_map(|(o, need)| {
            offers.iter().map(move |offer| {
                let text = text_scores
                    .get(&(o.id.to_string(), offer.record.id.to_string()))
                    .copied()
                    .unwrap_or(0.0);
                (
                    o,
                    need,
                    Candidate {
                        provider,
                        offer: &offer.record,
                        strategy,
                        text,
                        committed_days: 0,
                        blocked: blocked.get(o.buyer.as_str()).and_then(Option::as_deref),
                    },
                )
            })
        });
        let ranking = matching::rank_opportunities(pairs, &self.matching, top);
        Ok(ProviderReport {
            provider: id.to_owned(),
            matches: ranking.matches,
            matched: ranking.matched,
            excluded: ranking.excluded,
        })
    }
}
