//! Bulk import: interchange JSON Lines, OCDS tenders and organisation CSV.
//!
//! All files of one import are checked before anything is written; if any
//! record anywhere is invalid, nothing is written and every problem is
//! reported with its file, line, field and reason. Records identical to what
//! is stored are left alone, so importing the same files again changes nothing.

use std::collections::{HashMap, HashSet};
use std::fmt;

use hcx_domain::access::Capability;
use hcx_domain::interchange::Batch;
use hcx_domain::vocab::OrgKind;
use hcx_domain::{LineError, Record, ocds, org_csv};
use hcx_store::ApplySummary;
use serde::Serialize;
use serde_json::Value;

use super::{App, Caller, ServiceError};

/// The formats hcx imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// hcx interchange JSON Lines.
    Interchange,
    /// OCDS release package, record package, bare release, or releases one per line.
    Ocds,
    /// Organisations as CSV.
    OrganisationsCsv,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Interchange => "interchange JSON Lines",
            Format::Ocds => "OCDS",
            Format::OrganisationsCsv => "organisations CSV",
        })
    }
}

/// One file to import: its name (for messages and format detection) and its text.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
}

/// A problem found in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileError {
    pub file: String,
    #[serde(flatten)]
    pub error: LineError,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.error)
    }
}

/// What one file held.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub file: String,
    pub format: Format,
    pub records: usize,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub files: Vec<FileReport>,
    #[serde(flatten)]
    pub summary: ApplySummary,
}

/// Stages of an import, for progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Records checked and about to be written (the total).
    Checked(usize),
    /// Records written so far.
    Written(usize),
    /// Writing done; the search index is catching up.
    Indexing,
}

/// Reads one file in whichever format it is.
pub fn read_source(source: &Source) -> (Format, Batch) {
    let text = source.text.strip_prefix('\u{feff}').unwrap_or(&source.text);
    if source.name.to_ascii_lowercase().ends_with(".csv") {
        return (Format::OrganisationsCsv, org_csv::read(text));
    }
    // A whole-file JSON document: an OCDS package or release.
    if let Ok(doc) = serde_json::from_str::<Value>(text)
        && ocds::is_ocds(&doc)
    {
        return (Format::Ocds, ocds::read(&doc));
    }
    // JSON Lines whose first record is an OCDS release: one release per line.
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .and_then(|l| serde_json::from_str::<Value>(l).ok());
    if first.is_some_and(|v| v.get("record").is_none() && ocds::is_ocds(&v)) {
        let releases: Result<Vec<Value>, _> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(serde_json::from_str::<Value>)
            .collect();
        if let Ok(releases) = releases {
            return (
                Format::Ocds,
                ocds::read(&serde_json::json!({ "releases": releases })),
            );
        }
    }
    (Format::Interchange, Batch::from_jsonl(text))
}

impl App {
    /// Imports files all together, or nothing at all.
    pub async fn import(
        &self,
        caller: &Caller,
        sources: &[Source],
        progress: &mut (dyn FnMut(Progress) + Send),
    ) -> Result<ImportReport, ServiceError> {
        caller.check_capability(Capability::Bulk)?;
        // Reading is CPU work: off the async runtime, so a server keeps answering.
        let owned = sources.to_vec();
        let parsed =
            tokio::task::spawn_blocking(move || owned.iter().map(read_source).collect::<Vec<_>>())
                .await
                .map_err(|e| ServiceError::Internal(format!("import reader stopped: {e}")))?;
        let mut read: Vec<(&Source, Format, Batch)> = sources
            .iter()
            .zip(parsed)
            .map(|(s, (format, batch))| (s, format, batch))
            .collect();

        let mut kinds: HashMap<String, OrgKind> = self.store.organisation_kinds().await?;
        for (_, _, batch) in &read {
            for (_, record) in &batch.records {
                if let Record::Organisation(o) = record {
                    kinds.insert(o.id.to_string(), o.kind);
                }
            }
        }
        let strategies = self.store.strategy_ids_by_provider().await?;
        let mut errors = Vec::new();
        for (source, _, batch) in &mut read {
            batch.check_references(
                |id| kinds.get(id.as_str()).copied(),
                |provider| strategies.get(provider.as_str()).cloned(),
            );
            errors.extend(batch.sorted_errors().into_iter().map(|error| FileError {
                file: source.name.clone(),
                error,
            }));
        }
        if !errors.is_empty() {
            return Err(ServiceError::Refused(errors));
        }

        // Later files win over earlier ones for the same record.
        let mut seen = HashSet::new();
        let mut records: Vec<Record> = Vec::new();
        for (_, _, batch) in read.iter().rev() {
            for (_, record) in batch.records.iter().rev() {
                if seen.insert((record.kind(), record.id().to_owned())) {
                    records.push(record.clone());
                }
            }
        }
        records.reverse();
        progress(Progress::Checked(records.len()));
        let summary = self
            .store
            .apply_with_progress(&records, &caller.author(), &mut |n| {
                progress(Progress::Written(n))
            })
            .await?;
        progress(Progress::Indexing);
        self.catch_up().await?;
        Ok(ImportReport {
            files: read
                .iter()
                .map(|(s, format, batch)| FileReport {
                    file: s.name.clone(),
                    format: *format,
                    records: batch.records.len(),
                })
                .collect(),
            summary,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, text: &str) -> Source {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }

    #[test]
    fn formats_are_told_apart_by_name_and_content() {
        let csv = source(
            "orgs.csv",
            "id,name,kind,sector,country\nA,Alpha,buyer,government,JO\n",
        );
        assert_eq!(read_source(&csv).0, Format::OrganisationsCsv);
        let package = source("x.json", r#"{"releases": []}"#);
        assert_eq!(read_source(&package).0, Format::Ocds);
        let lines = source(
            "x.jsonl",
            "{\"ocid\":\"ocds-a-1\",\"buyer\":{\"name\":\"M\",\"address\":{\"countryName\":\"Jordan\"}},\"tender\":{\"title\":\"T\"}}\n",
        );
        let (format, batch) = read_source(&lines);
        assert_eq!(format, Format::Ocds);
        assert_eq!(batch.records.len(), 2, "a buyer and an opportunity");
        let interchange = source(
            "w.jsonl",
            "\u{feff}{\"record\":\"organisation\",\"id\":\"A\",\"name\":\"A\",\"kind\":\"buyer\",\"sector\":\"government\",\"country\":\"JO\"}\n",
        );
        let (format, batch) = read_source(&interchange);
        assert_eq!(format, Format::Interchange);
        assert!(batch.errors.is_empty());
    }
}
