//! Creating, changing and removing single records, and moving opportunities
//! through their lifecycle.

use std::collections::HashMap;

use hcx_domain::interchange::Batch;
use hcx_domain::opportunity::Action;
use hcx_domain::vocab::OrgKind;
use hcx_domain::{Invalid, Location, Opportunity, Record};
use hcx_store::{Expect, Versioned};

use super::{App, ServiceError};

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

    async fn write(&self, record: &Record, expect: Expect) -> Result<i64, ServiceError> {
        self.check_references(record).await?;
        let version = self.store.put(record, expect).await?;
        self.catch_up().await?;
        Ok(version)
    }

    /// Creates a record; its id must be new.
    pub async fn create(&self, record: &Record) -> Result<i64, ServiceError> {
        self.write(record, Expect::New).await
    }

    /// Replaces a record that is at `version`, so no edit silently overwrites another.
    pub async fn update(&self, record: &Record, version: i64) -> Result<i64, ServiceError> {
        self.write(record, Expect::Version(version)).await
    }

    /// Creates or replaces a record, whatever version is stored.
    pub async fn put(&self, record: &Record) -> Result<i64, ServiceError> {
        self.write(record, Expect::Any).await
    }

    /// Any record by kind and id.
    pub async fn get(&self, kind: Kind, id: &str) -> Result<Versioned<Record>, ServiceError> {
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
        found.ok_or_else(|| ServiceError::NotFound {
            kind: kind.as_str(),
            id: id.to_owned(),
        })
    }

    /// Removes a record (at `version`, when given).
    pub async fn delete(
        &self,
        kind: Kind,
        id: &str,
        version: Option<i64>,
    ) -> Result<(), ServiceError> {
        let expect = version.map_or(Expect::Any, Expect::Version);
        match kind {
            Kind::Organisation => self.store.delete_organisation(id, expect).await?,
            Kind::Offer => self.store.delete_offer(id, expect).await?,
            Kind::Strategy => self.store.delete_strategy(id, expect).await?,
            Kind::Opportunity => self.store.delete_opportunity(id, expect).await?,
        }
        self.catch_up().await?;
        Ok(())
    }

    /// Moves an opportunity through its lifecycle from the version the caller saw.
    pub async fn transition(
        &self,
        id: &str,
        action: Action,
        version: i64,
    ) -> Result<Versioned<Opportunity>, ServiceError> {
        let stored = self
            .store
            .opportunity(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound {
                kind: "opportunity",
                id: id.to_owned(),
            })?;
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
            .put(&Record::Opportunity(next.clone()), Expect::Version(version))
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
