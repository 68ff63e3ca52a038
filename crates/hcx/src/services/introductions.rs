//! The matchmaking workflow: the agency introduces a provider to an
//! opportunity, the provider says whether it is interested, and the buyer
//! sees its shortlist.

use hcx_domain::access::{Capability, Verb};
use hcx_domain::matching;
use hcx_domain::{FieldError, Invalid, Opportunity, Record};
use hcx_store::Introduction;

use super::matching::need_of;
use super::{App, Caller, ServiceError};

impl App {
    /// An opportunity the caller may read, or why not.
    pub(super) async fn readable_opportunity(
        &self,
        caller: &Caller,
        id: &str,
    ) -> Result<Opportunity, ServiceError> {
        let o = self
            .store
            .opportunity(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound {
                kind: "opportunity",
                id: id.to_owned(),
            })?
            .record;
        caller.check(Verb::Read, &Record::Opportunity(o.clone()))?;
        Ok(o)
    }

    /// Introduces a provider to an opportunity (the agency). A provider the
    /// hard rules keep out of it, or that due diligence on the buyer blocks,
    /// cannot be introduced: the refusal says why.
    pub async fn introduce(
        &self,
        caller: &Caller,
        opportunity: &str,
        provider: &str,
        offer: Option<&str>,
        note: Option<&str>,
    ) -> Result<Introduction, ServiceError> {
        caller.check_capability(Capability::Matchmaking)?;
        let o = self.readable_opportunity(caller, opportunity).await?;
        let org = self
            .store
            .organisation(provider)
            .await?
            .ok_or_else(|| {
                ServiceError::Invalid(Invalid(vec![FieldError::new(
                    "provider",
                    format!("organisation {provider:?} does not exist"),
                )]))
            })?
            .record;
        if !org.can_offer() {
            return Err(ServiceError::Invalid(Invalid(vec![FieldError::new(
                "provider",
                format!("{provider:?} is not a provider or partner"),
            )])));
        }
        let buyer = self.organisation(o.buyer.as_str()).await?;
        let blocks = self.blocks(std::slice::from_ref(&o.buyer)).await?;
        if let Some(reason) = blocks.of(&buyer, &org.id) {
            return Err(ServiceError::Conflict(format!(
                "{} cannot be introduced to this opportunity ({}): {reason}",
                org.name,
                matching::Rule::DueDiligence
            )));
        }
        let offers = self.store.list_offers(Some(provider), 0, 1000).await?.items;
        if let Some(offer) = offer
            && !offers.iter().any(|v| v.record.id.as_str() == offer)
        {
            return Err(ServiceError::Invalid(Invalid(vec![FieldError::new(
                "offer",
                format!("{provider} has no offer {offer:?}"),
            )])));
        }
        let strategy = self.store.strategy_of(provider).await?.map(|v| v.record);
        let (need, _) = need_of(&o);
        let exclusions: Vec<matching::Exclusion> = offers
            .iter()
            .filter(|v| offer.is_none_or(|id| v.record.id.as_str() == id))
            .filter_map(|v| {
                let c = matching::Candidate {
                    provider: &org,
                    offer: &v.record,
                    strategy: strategy.as_ref(),
                    text: 0.0,
                    committed_days: 0,
                    // Judged above, for every offer at once.
                    blocked: None,
                };
                matching::assess(&o, &need, &c, &self.matching).err()
            })
            .collect();
        let considered = offers
            .iter()
            .filter(|v| offer.is_none_or(|id| v.record.id.as_str() == id))
            .count();
        if considered > 0 && exclusions.len() == considered {
            let first = &exclusions[0];
            return Err(ServiceError::Conflict(format!(
                "{} cannot be introduced to this opportunity ({}): {}",
                org.name, first.rule, first.reason
            )));
        }
        Ok(self
            .store
            .introduce(opportunity, provider, offer, note, &caller.author())
            .await?)
    }

    /// The introductions to an opportunity: all of them for the agency; for
    /// the buyer and its embassy team, the shortlist (declines are the
    /// providers' own business).
    pub async fn introductions_to(
        &self,
        caller: &Caller,
        opportunity: &str,
    ) -> Result<Vec<Introduction>, ServiceError> {
        let o = self.readable_opportunity(caller, opportunity).await?;
        let staff = caller.check_capability(Capability::Matchmaking).is_ok();
        if !caller.actor.looks_after(&o) {
            return Err(caller.refuse("opportunity", opportunity));
        }
        let mut list = self.store.introductions(Some(opportunity), None).await?;
        if !staff {
            list.retain(|i| i.status != "declined");
            for i in &mut list {
                i.introduced_by.clear();
            }
        }
        Ok(list)
    }

    /// The introductions of a provider, for its own people and the agency.
    pub async fn introductions_of(
        &self,
        caller: &Caller,
        provider: &str,
    ) -> Result<Vec<Introduction>, ServiceError> {
        let org =
            hcx_domain::OrganisationId::parse(provider).map_err(|_| ServiceError::NotFound {
                kind: "organisation",
                id: provider.to_owned(),
            })?;
        if !caller.actor.sees_commercial(&org) {
            return Err(caller.refuse("organisation", provider));
        }
        Ok(self.store.introductions(None, Some(provider)).await?)
    }

    /// A provider's answer to an introduction, from the version it saw:
    /// interested, or declined with a reason.
    pub async fn answer_introduction(
        &self,
        caller: &Caller,
        opportunity: &str,
        provider: &str,
        version: i64,
        interested: bool,
        reason: Option<&str>,
    ) -> Result<Introduction, ServiceError> {
        let id = format!("{opportunity}/{provider}");
        let existing =
            self.store
                .introduction(&id)
                .await?
                .ok_or_else(|| ServiceError::NotFound {
                    kind: "introduction",
                    id: id.clone(),
                })?;
        let org = hcx_domain::OrganisationId::parse(&existing.provider)
            .map_err(|e| ServiceError::Internal(format!("stored introduction {id}: {e}")))?;
        if !caller.actor.sees_commercial(&org) {
            return Err(ServiceError::NotFound {
                kind: "introduction",
                id,
            });
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if !interested && reason.is_none() {
            return Err(ServiceError::Invalid(Invalid(vec![FieldError::new(
                "reason",
                "say why the provider declines: it helps the agency introduce better",
            )])));
        }
        let status = if interested { "interested" } else { "declined" };
        Ok(self
            .store
            .answer_introduction(&id, version, status, reason, &caller.author())
            .await?)
    }
}
