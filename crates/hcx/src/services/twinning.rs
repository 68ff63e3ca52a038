//! Twinning: long-term partners suggested for a UK provider (overseas
//! buyers) or for an overseas buyer (UK providers), and the interest each
//! side expresses; a pair where both have is a double match.

use std::collections::{HashMap, HashSet};

use hcx_domain::matching::{Exclusion, Match, Need, Rule};
use hcx_domain::twinning::{self, BuyerSide, ProviderSide};
use hcx_domain::vocab::OrgKind;
use hcx_domain::{FieldError, Invalid, Offer, Opportunity, Organisation, OrganisationId, Strategy};
use hcx_store::{OrganisationFilter, TwinningInterest};
use serde::Serialize;

use super::access::denied;
use super::matching::need_of;
use super::{App, Caller, ServiceError};

/// Most offers of one provider read.
const SCAN: i64 = 1000;
/// Most organisations of one kind weighed as partners.
const MAX_PARTNERS: i64 = 20_000;

/// Which side of a twinning pair an organisation is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// A UK provider (or partner): overseas buyers are suggested to it.
    Provider,
    /// An overseas buyer: UK providers are suggested to it.
    Buyer,
}

impl Side {
    fn of(o: &Organisation) -> Option<Side> {
        if o.can_offer() {
            Some(Side::Provider)
        } else if o.kind == OrgKind::Buyer {
            Some(Side::Buyer)
        } else {
            None
        }
    }
}

/// A partner suggested for twinning, how well the pair fits, and where
/// interest stands on each side.
#[derive(Debug, Clone, Serialize)]
pub struct TwinningSuggestion {
    pub partner: String,
    pub name: String,
    pub country: String,
    #[serde(flatten)]
    pub fit: Match,
    /// The organisation asked about has said it is interested in this partner.
    pub interest_from_us: bool,
    /// This partner has said it is interested in the organisation asked about.
    pub interest_from_them: bool,
    /// Both have: the pair is a double match.
    pub double_match: bool,
}

/// The partners suggested for one organisation, best first.
#[derive(Debug, Clone, Serialize)]
pub struct TwinningReport {
    pub organisation: String,
    pub side: Side,
    pub suggestions: Vec<TwinningSuggestion>,
}

/// A provider's offers and strategy, as the engine weighs them.
struct Provider {
    organisation: Organisation,
    offers: Vec<Offer>,
    strategy: Option<Strategy>,
}

impl App {
    /// An organisation that can be twinned, with its side.
    async fn twinning_party(&self, id: &str) -> Result<(Organisation, Side), ServiceError> {
        let org = self.organisation(id).await?;
        let side = Side::of(&org).ok_or_else(|| {
            ServiceError::BadRequest(format!(
                "{} is a {}: twinning pairs a UK provider with an overseas buyer",
                org.name,
                org.kind.label().to_lowercase()
            ))
        })?;
        Ok((org, side))
    }

    /// The partners suggested for an organisation, best first (at most
    /// `top`, plus any with interest either way), each with its score, its
    /// parts and where interest stands. Strategies count only for those who
    /// may see them; the buyer's needs are those the caller may see.
    pub async fn twinning(
        &self,
        caller: &Caller,
        id: &str,
        top: usize,
    ) -> Result<TwinningReport, ServiceError> {
        let (org, side) = self.twinning_party(id).await?;
        caller
            .actor
            .check_twinning(&org)
            .map_err(|d| denied(d, "organisation", id))?;
        let interests = self.store.interests_involving(id).await?;
        let ours: HashSet<&str> = interests
            .iter()
            .filter(|i| i.organisation == id)
            .map(|i| i.partner.as_str())
            .collect();
        let theirs: HashSet<&str> = interests
            .iter()
            .filter(|i| i.partner == id)
            .map(|i| i.organisation.as_str())
            .collect();
        let mut needs = self.needs_by_buyer(caller).await?;
        let no_needs = Vec::new();
        let (partners, outcomes) = match side {
            Side::Provider => {
                let offers = self.store.list_offers(Some(id), 0, SCAN).await?.items;
                let p = Provider {
                    offers: offers.into_iter().map(|v| v.record).collect(),
                    strategy: self.store.strategy_of(id).await?.map(|v| v.record),
                    organisation: org.clone(),
                };
                let buyers = self.organisations_of(&["buyer"]).await?;
                let ids: Vec<OrganisationId> = buyers.iter().map(|b| b.id.clone()).collect();
                let blocks = self.blocks(&ids).await?;
                let outcomes = buyers
                    .iter()
                    .map(|b| {
                        let needs = needs.get(b.id.as_str()).unwrap_or(&no_needs);
                        let weighed = blocked(blocks.of(b, &p.organisation.id))
                            .and_then(|()| self.weigh(caller, &p, b, needs));
                        (b.id.to_string(), weighed)
                    })
                    .collect::<Vec<_>>();
                (buyers, outcomes)
            }
            Side::Buyer => {
                let buyer_needs = needs.remove(id).unwrap_or_default();
                let providers = self.providers().await?;
                let blocks = self.blocks(std::slice::from_ref(&org.id)).await?;
                let outcomes = providers
                    .iter()
                    .map(|p| {
                        let weighed = blocked(blocks.of(&org, &p.organisation.id))
                            .and_then(|()| self.weigh(caller, p, &org, &buyer_needs));
                        (p.organisation.id.to_string(), weighed)
                    })
                    .collect::<Vec<_>>();
                (
                    providers.into_iter().map(|p| p.organisation).collect(),
                    outcomes,
                )
            }
        };
        let keep = |p: &str| ours.contains(p) || theirs.contains(p);
        let suggested = twinning::suggest(outcomes, keep, top, &self.twinning);
        let partners: HashMap<String, Organisation> = partners
            .into_iter()
            .map(|o| (o.id.to_string(), o))
            .collect();
        let suggestions = suggested
            .into_iter()
            .map(|s| {
                let partner = partners.get(&s.partner);
                let (from_us, from_them) = (
                    ours.contains(s.partner.as_str()),
                    theirs.contains(s.partner.as_str()),
                );
                TwinningSuggestion {
                    name: partner.map_or_else(|| s.partner.clone(), |o| o.name.clone()),
                    country: partner.map_or("", |o| o.country.name()).to_owned(),
                    partner: s.partner,
                    fit: s.fit,
                    interest_from_us: from_us,
                    interest_from_them: from_them,
                    double_match: from_us && from_them,
                }
            })
            .collect();
        Ok(TwinningReport {
            organisation: id.to_owned(),
            side,
            suggestions,
        })
    }

    /// One pair through the engine, with the strategy's targets counted only
    /// for those who may see them.
    fn weigh(
        &self,
        caller: &Caller,
        p: &Provider,
        buyer: &Organisation,
        needs: &[(Opportunity, Need)],
    ) -> Result<Match, Exclusion> {
        twinning::assess(
            &ProviderSide {
                organisation: &p.organisation,
                offers: &p.offers,
                strategy: p.strategy.as_ref(),
                reveal_targets: caller.actor.sees_commercial(&p.organisation.id),
            },
            &BuyerSide {
                organisation: buyer,
                needs,
            },
            &self.twinning,
            &self.matching,
        )
    }

    async fn organisations_of(&self, kinds: &[&str]) -> Result<Vec<Organisation>, ServiceError> {
        let filter = OrganisationFilter {
            kinds: kinds.iter().map(|k| (*k).to_owned()).collect(),
            ..OrganisationFilter::default()
        };
        Ok(self
            .store
            .list_organisations(&filter, 0, MAX_PARTNERS)
            .await?
            .items
            .into_iter()
            .map(|v| v.record)
            .collect())
    }

    /// Every provider and partner with its offers and strategy.
    async fn providers(&self) -> Result<Vec<Provider>, ServiceError> {
        let organisations = self.organisations_of(&["provider", "partner"]).await?;
        let mut offers: HashMap<String, Vec<Offer>> = HashMap::new();
        for v in self.store.all_offers().await? {
            offers
                .entry(v.record.provider.to_string())
                .or_default()
                .push(v.record);
        }
        let ids: Vec<String> = organisations.iter().map(|o| o.id.to_string()).collect();
        let mut strategies: HashMap<String, Strategy> = self
            .store
            .strategies_of(&ids)
            .await?
            .into_iter()
            .map(|v| (v.record.provider.to_string(), v.record))
            .collect();
        Ok(organisations
            .into_iter()
            .map(|o| Provider {
                offers: offers.remove(o.id.as_str()).unwrap_or_default(),
                strategy: strategies.remove(o.id.as_str()),
                organisation: o,
            })
            .collect())
    }

    /// What each buyer has asked for, in every status the caller may see,
    /// each opportunity with what it was read as asking.
    async fn needs_by_buyer(
        &self,
        caller: &Caller,
    ) -> Result<HashMap<String, Vec<(Opportunity, Need)>>, ServiceError> {
        let scope = caller.actor.opportunity_scope();
        let mut needs: HashMap<String, Vec<(Opportunity, Need)>> = HashMap::new();
        for v in self.store.all_opportunities().await? {
            let o = v.record;
            if scope.admits(&o.buyer, &o.country, o.status) {
                let (need, _) = need_of(&o);
                needs
                    .entry(o.buyer.to_string())
                    .or_default()
                    .push((o, need));
            }
        }
        Ok(needs)
    }

    /// Checks that `id` may say it is interested in `partner`: its own
    /// people or the agency, and a partner on the other side.
    async fn interest_pair(
        &self,
        caller: &Caller,
        id: &str,
        partner: &str,
    ) -> Result<(), ServiceError> {
        let (org, side) = self.twinning_party(id).await?;
        caller
            .actor
            .check_twinning_interest(&org)
            .map_err(|d| denied(d, "organisation", id))?;
        let other = self.organisation(partner).await?;
        let wanted = match side {
            Side::Provider => Side::Buyer,
            Side::Buyer => Side::Provider,
        };
        if Side::of(&other) != Some(wanted) {
            return Err(ServiceError::Invalid(Invalid(vec![FieldError::new(
                "partner",
                format!(
                    "{} is not an {}: twinning pairs a UK provider with an overseas buyer",
                    other.name,
                    match wanted {
                        Side::Provider => "UK provider",
                        Side::Buyer => "overseas buyer",
                    }
                ),
            )])));
        }
        Ok(())
    }

    /// Says that `id` is interested in twinning with `partner`.
    pub async fn express_twinning_interest(
        &self,
        caller: &Caller,
        id: &str,
        partner: &str,
    ) -> Result<TwinningInterest, ServiceError> {
        self.interest_pair(caller, id, partner).await?;
        Ok(self
            .store
            .express_interest(id, partner, &caller.author())
            .await?)
    }

    /// Withdraws `id`'s interest in twinning with `partner`.
    pub async fn withdraw_twinning_interest(
        &self,
        caller: &Caller,
        id: &str,
        partner: &str,
    ) -> Result<TwinningInterest, ServiceError> {
        self.interest_pair(caller, id, partner).await?;
        Ok(self
            .store
            .withdraw_interest(id, partner, &caller.author())
            .await?)
    }
}

/// A due-diligence block as the hard rule that keeps a pair apart.
fn blocked(reason: Option<String>) -> Result<(), Exclusion> {
    match reason {
        Some(reason) => Err(Exclusion {
            rule: Rule::DueDiligence,
            reason,
        }),
        None => Ok(()),
    }
}
