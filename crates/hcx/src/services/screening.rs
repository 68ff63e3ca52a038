//! Screening lists and screening: importing a list (validated whole, stored
//! as a new version in one transaction) and screening names against it.
//! Each list is held in memory as a `ScreeningIndex`, built once per version
//! and rebuilt when another process imports a newer one.

use std::collections::HashMap;
use std::sync::Arc;

use hcx_domain::access::Capability;
use hcx_domain::interchange::{LineError, Location};
use hcx_domain::screening::entity::{ListEntity, Schema, parse_entity, parse_list};
use hcx_domain::screening::index::ScreeningIndex;
use hcx_domain::screening::score::{self, Feature, Hit};
use hcx_domain::{FieldError, Invalid};
use hcx_store::{ListEntityRow, ScreeningList, StoreError};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::import::FileError;
use super::{App, Caller, ServiceError, given};

/// Most queries screened in one call.
pub const MAX_QUERIES: usize = 100_000;
/// Most results per query.
pub const MAX_LIMIT: usize = 100;

/// Lists held in memory, by name.
pub(crate) type LoadedLists = Arc<tokio::sync::Mutex<HashMap<String, Arc<LoadedList>>>>;

/// A list as screening reads it: the stored version and its index.
#[derive(Debug)]
pub struct LoadedList {
    pub list: ScreeningList,
    pub index: ScreeningIndex,
}

/// One result of screening a query, as the API and the command line give it.
#[derive(Debug, Clone, Serialize)]
pub struct ScreeningResult {
    pub id: String,
    /// The entity's first name as listed.
    pub caption: String,
    pub schema: &'static str,
    pub score: f64,
    #[serde(rename = "match")]
    pub is_match: bool,
    pub topics: Vec<String>,
    pub features: Vec<FeatureOut>,
}

/// One piece of a score.
#[derive(Debug, Clone, Serialize)]
pub struct FeatureOut {
    pub name: &'static str,
    pub value: f64,
    pub reason: String,
}

impl ScreeningResult {
    pub fn of(hit: &Hit<'_>) -> ScreeningResult {
        let e = hit.entity;
        ScreeningResult {
            id: e.id.clone(),
            caption: e.names.first().cloned().unwrap_or_default(),
            schema: e.schema.as_str(),
            score: rounded(hit.score),
            is_match: hit.is_match,
            topics: e.topics.clone(),
            features: hit.features.iter().map(feature_out).collect(),
        }
    }
}

fn feature_out(f: &Feature) -> FeatureOut {
    FeatureOut {
        name: f.name,
        value: rounded(f.value),
        reason: f.reason.clone(),
    }
}

/// Scores to three decimals: finer is noise, and the output stays stable.
fn rounded(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// How to screen: the threshold of a match and the most results per query.
#[derive(Debug, Clone, Copy)]
pub struct ScreenOptions {
    pub threshold: f64,
    pub limit: usize,
}

impl Default for ScreenOptions {
    fn default() -> Self {
        ScreenOptions {
            threshold: score::DEFAULT_THRESHOLD,
            limit: 5,
        }
    }
}

impl ScreenOptions {
    fn check(&self) -> Result<(), ServiceError> {
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(ServiceError::BadRequest(format!(
                "threshold: {} is not between 0 and 1",
                self.threshold
            )));
        }
        if !(1..=MAX_LIMIT).contains(&self.limit) {
            return Err(ServiceError::BadRequest(format!(
                "limit: {} is not between 1 and {MAX_LIMIT}",
                self.limit
            )));
        }
        Ok(())
    }
}

/// A list name: lower-case letters, digits, `-` and `_`, at most 64.
fn check_name(name: &str) -> Result<(), ServiceError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(ServiceError::Invalid(Invalid::one(
            "name",
            format!("{name:?} is not a list name: use 1 to 64 lower-case letters, digits, - and _"),
        )))
    }
}

/// Reads one query given as a FollowTheMoney entity; `id` stands in for
/// the entity's own when it has none (the API keys queries by name).
pub fn parse_query(value: &serde_json::Value, id: &str) -> Result<ListEntity, Invalid> {
    let mut value = value.clone();
    if let Some(object) = value.as_object_mut() {
        object
            .entry("id")
            .or_insert_with(|| serde_json::Value::String(id.to_owned()));
    }
    parse_entity(&value.to_string())
}

/// One name to screen, as a person types it: the schema (`LegalEntity`,
/// a person or an organisation, when none is given), a birth date and a
/// country, each optional. Every problem is named by its field.
pub fn name_query(
    name: &str,
    schema: Option<&str>,
    birth_date: Option<&str>,
    country: Option<&str>,
) -> Result<ListEntity, Invalid> {
    let schema = match given(schema) {
        Some(s) => Schema::parse(s).map_err(|e| Invalid::one("schema", e))?,
        None => Schema::LegalEntity,
    };
    let mut properties = serde_json::json!({"name": [name.trim()]});
    if let Some(d) = given(birth_date) {
        properties["birthDate"] = serde_json::json!([d]);
    }
    if let Some(c) = given(country) {
        properties["country"] = serde_json::json!([c]);
    }
    let query = serde_json::json!({"schema": schema.as_str(), "properties": properties});
    parse_query(&query, "name")
}

impl App {
    /// Imports `text` (FollowTheMoney JSON Lines) as the new version of list
    /// `name`: every line is checked first, and one bad line refuses the
    /// whole file with every problem named by line and field.
    pub async fn import_list(
        &self,
        caller: &Caller,
        name: &str,
        label: &str,
        text: &str,
    ) -> Result<ScreeningList, ServiceError> {
        caller.check_capability(Capability::Lists)?;
        check_name(name)?;
        let entities = parse_list(text).map_err(|bad| {
            ServiceError::Refused(
                bad.into_iter()
                    .flat_map(|(line, errors)| {
                        errors.into_iter().map(move |e| FileError {
                            file: label.to_owned(),
                            error: LineError {
                                location: Location::Line(line),
                                field: e.field,
                                reason: e.reason,
                            },
                        })
                    })
                    .collect(),
            )
        })?;
        if entities.is_empty() {
            return Err(ServiceError::Invalid(Invalid(vec![FieldError::new(
                "file",
                format!("{label} holds no entities"),
            )])));
        }
        let rows: Vec<ListEntityRow> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .zip(&entities)
            .map(|(line, e)| ListEntityRow {
                id: e.id.clone(),
                body: line.trim().to_owned(),
            })
            .collect();
        let mut digest = Sha256::new();
        for row in &rows {
            digest.update(row.body.as_bytes());
            digest.update(b"\n");
        }
        let digest: String = digest
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let list = self
            .store
            .replace_list(name, label, &digest, &rows, &caller.author())
            .await?;
        let index = tokio::task::spawn_blocking(move || ScreeningIndex::new(entities))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        self.lists.lock().await.insert(
            name.to_owned(),
            Arc::new(LoadedList {
                list: list.clone(),
                index,
            }),
        );
        Ok(list)
    }

    /// Every list with its version.
    pub async fn screening_lists(
        &self,
        caller: &Caller,
    ) -> Result<Vec<ScreeningList>, ServiceError> {
        caller.check_capability(Capability::Screening)?;
        Ok(self.store.screening_lists().await?)
    }

    /// List `name` ready for screening, at its latest stored version.
    pub async fn loaded_list(&self, name: &str) -> Result<Arc<LoadedList>, ServiceError> {
        let stored = self.store.screening_list(name).await?;
        let mut lists = self.lists.lock().await;
        if let Some(held) = lists.get(name)
            && held.list.version == stored.version
        {
            return Ok(held.clone());
        }
        let (list, rows) = self.store.list_entities(name).await?;
        let loaded = tokio::task::spawn_blocking(move || -> Result<LoadedList, ServiceError> {
            let entities = rows
                .iter()
                .map(|row| {
                    parse_entity(&row.body).map_err(|e| {
                        ServiceError::from(StoreError::Corrupt {
                            kind: "screening entity",
                            id: row.id.clone(),
                            reason: e.to_string(),
                        })
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(LoadedList {
                list,
                index: ScreeningIndex::new(entities),
            })
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))??;
        let loaded = Arc::new(loaded);
        lists.insert(name.to_owned(), loaded.clone());
        Ok(loaded)
    }

    /// Screens `queries` against list `name`: for each, the best results
    /// first, at most `options.limit`.
    pub async fn screen(
        &self,
        caller: &Caller,
        name: &str,
        queries: Vec<ListEntity>,
        options: ScreenOptions,
    ) -> Result<(ScreeningList, Vec<Vec<ScreeningResult>>), ServiceError> {
        caller.check_capability(Capability::Screening)?;
        options.check()?;
        if queries.len() > MAX_QUERIES {
            return Err(ServiceError::BadRequest(format!(
                "{} queries at once is more than {MAX_QUERIES}",
                queries.len()
            )));
        }
        let loaded = self.loaded_list(name).await?;
        let list = loaded.list.clone();
        let results = tokio::task::spawn_blocking(move || {
            score::screen_batch(&loaded.index, &queries, options.threshold, options.limit)
                .iter()
                .map(|hits| hits.iter().map(ScreeningResult::of).collect())
                .collect()
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok((list, results))
    }
}
