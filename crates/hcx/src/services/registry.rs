//! Creating, changing and removing single records, and moving opportunities
//! through their lifecycle.

use std::collections::HashMap;

use hcx_domain::access::Verb;
use hcx_domain::interchange::Batch;
use hcx_domain::opportunity::Action;
use hcx_domain::vocab::OrgKind;
use hcx_domain::{Invalid, Location, Opportunity, Organisation, Record, Strategy};
use hcx_store::{Expect, Page, Versioned};

use super::{App, Caller, ServiceError};

/// The four kinds of record, as named in URLs and the interchange format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Organisation,
    Offer,
    Strategy,
    Opportunity,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Organisation => "organisation",
            Kind::Offer => "offer",
            Kind::Strategy => "strategy",
            Kind::Opportunity => "opportunity",
        }
    }

    pub fn of(record: &Record) -> Kind {
        match record {
            Record::Organisation(_) => Kind::Organisation,
            Record::Offer(_) => Kind::Offer,
            Record::Strategy(_) => Kind::Strategy,
            Record::Opportunity(_) => Kind::Opportunity,
        }
    }
}

impl App {
    /// Checks what a single record names: its organisations exist and are of
    /// the right kind, and a provider keeps one strategy.
    async fn check_references(&self, record: &Record) -> Result<(), ServiceError> {
        let mut kinds: HashMap<String, OrgKind> = HashMap::new();
        for (_, id) in record.references() {
            if let Some(org) = self.store.organisation(id.as_str()).await? {
                kinds.insert(id.to_string(), org.record.kind);
            }
        }
        let strategy = match record {
            Record::Strategy(s) => self
                .store
                .strategy_of(s.provider.as_str())
                .await?
                .map(|v| v.record.id.to_string()),
            _ => None,
        };
        let mut batch = Batch {
            records: vec![(Location::Line(1), record.clone())],
            errors: vec![],
        };
        batch.check_references(|id| kinds.get(id.as_str()).copied(), |_| strategy.clone());
        if batch.errors.is_empty() {
            Ok(())
        } else {
            let errors = batch
                .errors
                .into_iter()
                .map(|e| hcx_domain::FieldError::new(e.field, e.reason))
                .collect();
            Err(ServiceError::Invalid(Invalid(errors)))
        }
    }

    /// Checks that the caller may write `record` over what is stored, then writes it.
    async fn write(
        &self,
        caller: &Caller,
        record: &Record,
        expect: Expect,
    ) -> Result<i64, ServiceError> {
        let stored = self.stored(Kind::of(record), record.id()).await?;
        match &stored {
            Some(old) => caller.check_replace(&old.record, record)?,
            None => caller.check(Verb::Create, record)?,
        }
        if expect == Expect::New
            && let Some(old) = &stored
        {
            // Only those who may see a record learn that its id is taken.
            caller.check(Verb::Read, &old.record)?;
        }
        self.check_references(record).await?;
        let version = self.store.put(record, expect, &caller.author()).await?;
        self.catch_up().await?;
        Ok(version)
    }

    /// Creates a record; its id must be new.
    pub async fn create(&self, caller: &Caller, record: &Record) -> Result<i64, ServiceError> {
        self.write(caller, record, Expect::New).await
    }

    /// Replaces a record that is at `version`, so no edit silently overwrites another.
    pub async fn update(
        &self,
        caller: &Caller,
        record: &Record,
        version: i64,
    ) -> Result<i64, ServiceError> {
        self.write(caller, record, Expect::Version(version)).await
    }

    /// Creates or replaces a record, whatever version is stored.
    pub async fn put(&self, caller: &Caller, record: &Record) -> Result<i64, ServiceError> {
        self.write(caller, record, Expect::Any).await
    }

    /// A record by kind and id as the caller may see it; one the caller may
    /// not see is not found.
    pub async fn get(
        &self,
        caller: &Caller,
        kind: Kind,
        id: &str,
    ) -> Result<Versioned<Record>, ServiceError> {
        let found = self
            .stored(kind, id)
            .await?
            .ok_or_else(|| ServiceError::NotFound {
                kind: kind.as_str(),
                id: id.to_owned(),
            })?;
        caller.check(Verb::Read, &found.record)?;
        Ok(Versioned {
            record: caller.present(found.record),
            ..found
        })
    }

    /// An organisation of the directory (public to all), or not found.
    pub async fn organisation(&self, id: &str) -> Result<Organisation, ServiceError> {
        Ok(self
            .store
            .organisation(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound {
                kind: "organisation",
                id: id.to_owned(),
            })?
            .record)
    }

    /// A stored record, whoever asks.
    async fn stored(
        &self,
        kind: Kind,
        id: &str,
    ) -> Result<Option<Versioned<Record>>, ServiceError> {
        fn wrap<T>(v: Versioned<T>, f: fn(T) -> Record) -> Versioned<Record> {
            Versioned {
                record: f(v.record),
                version: v.version,
                created_at: v.created_at,
                updated_at: v.updated_at,
            }
        }
        let found = match kind {
            Kind::Organisation => self
                .store
                .organisation(id)
                .await?
                .map(|v| wrap(v, Record::Organisation)),
            Kind::Offer => self.store.offer(id).await?.map(|v| wrap(v, Record::Offer)),
            Kind::Strategy => self
                .store
                .strategy(id)
                .await?
                .map(|v| wrap(v, Record::Strategy)),
            Kind::Opportunity => self
                .store
                .opportunity(id)
                .await?
                .map(|v| wrap(v, Record::Opportunity)),
        };
        Ok(found)
    }

    /// Removes a record (at `version`, when given).
    pub async fn delete(
        &self,
        caller: &Caller,
        kind: Kind,
        id: &str,
        version: Option<i64>,
    ) -> Result<(), ServiceError> {
        let stored = self.get(caller, kind, id).await?;
        caller.check(Verb::Delete, &stored.record)?;
        let expect = version.map_or(Expect::Any, Expect::Version);
        let author = caller.author();
        match kind {
            Kind::Organisation => self.store.delete_organisation(id, expect, &author).await?,
            Kind::Offer => self.store.delete_offer(id, expect, &author).await?,
            Kind::Strategy => self.store.delete_strategy(id, expect, &author).await?,
            Kind::Opportunity => self.store.delete_opportunity(id, expect, &author).await?,
        }
        self.catch_up().await?;
        Ok(())
    }

    /// Strategies the caller may see: all for the agency, the providers' own
    /// for their members, none for anyone else.
    pub async fn list_strategies(
        &self,
        caller: &Caller,
        offset: i64,
        limit: i64,
    ) -> Result<Page<Versioned<Strategy>>, ServiceError> {
        if caller.actor.is_staff() {
            return Ok(self.store.list_strategies(offset, limit).await?);
        }
        let mut own = Vec::new();
        for m in &caller.actor.memberships {
            if let Some(s) = self.store.strategy_of(m.organisation.as_str()).await?
                && caller
                    .check(Verb::Read, &Record::Strategy(s.record.clone()))
                    .is_ok()
            {
                own.push(s);
            }
        }
        let total = own.len() as i64;
        let items = own
            .into_iter()
            .skip(offset.max(0) as usize)
            .take(limit.max(0) as usize)
            .collect();
        Ok(Page {
            items,
            total,
            offset,
            limit,
        })
    }

    /// Moves an opportunity through its lifecycle from the version the caller saw.
    pub async fn transition(
        &self,
        caller: &Caller,
        id: &str,
        action: Action,
        version: i64,
    ) -> Result<Versioned<Opportunity>, ServiceError> {
        let not_found = || ServiceError::NotFound {
            kind: "opportunity",
            id: id.to_owned(),
        };
        let stored = self.store.opportunity(id).await?.ok_or_else(not_found)?;
        caller
            .actor
            .check_action(action, &stored.record)
            .map_err(|d| super::access::denied(d, "opportunity", id))?;
        if stored.version != version {
            return Err(ServiceError::Conflict(format!(
                "opportunity {id:?} was changed by someone else (you saw version {version}, it is now version {})",
                stored.version
            )));
        }
        let mut next = stored.record;
        next.status = next.status.apply(action)?;
        let version = self
            .store
            .put_as(
                &Record::Opportunity(next.clone()),
                Expect::Version(version),
                &caller.author(),
                Some(action.as_str()),
            )
            .await?;
        self.catch_up().await?;
        self.store
            .opportunity(id)
            .await?
            .filter(|o| o.version == version)
            .ok_or_else(|| {
                ServiceError::Conflict(format!(
                    "opportunity {id:?} changed while it was being updated"
                ))
            })
    }
}
