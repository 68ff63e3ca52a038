//! The interchange format (JSON Lines, version 1): one record per line, read
//! whole or refused whole with every bad line reported.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::codes::OrganisationId;
use crate::fields::{Fields, Invalid, kind_of};
use crate::offer::Offer;
use crate::opportunity::Opportunity;
use crate::organisation::Organisation;
use crate::strategy::Strategy;
use crate::vocab::OrgKind;

/// Files shorter than this many lines per core are read on one thread.
const PARALLEL_FROM_LINES: usize = 5_000;

/// One record of the interchange format.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Organisation(Organisation),
    Offer(Offer),
    Strategy(Strategy),
    Opportunity(Opportunity),
}

/// The record kinds, in the order an export writes them (referenced before referencing).
pub const RECORD_KINDS: [&str; 4] = ["organisation", "offer", "strategy", "opportunity"];

impl Record {
    pub fn kind(&self) -> &'static str {
        match self {
            Record::Organisation(_) => "organisation",
            Record::Offer(_) => "offer",
            Record::Strategy(_) => "strategy",
            Record::Opportunity(_) => "opportunity",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Record::Organisation(r) => r.id.as_str(),
            Record::Offer(r) => r.id.as_str(),
            Record::Strategy(r) => r.id.as_str(),
            Record::Opportunity(r) => r.id.as_str(),
        }
    }

    /// Reads a record from a JSON object with a `record` field naming its kind.
    pub fn from_value(value: Value) -> Result<Record, Invalid> {
        let mut f = Fields::new(value, "")?;
        let kind = f.required("record", |v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("expected a string, found {}", kind_of(v)))
        });
        let record = match kind.as_deref() {
            Some("organisation") => Organisation::read(&mut f).map(Record::Organisation),
            Some("offer") => Offer::read(&mut f).map(Record::Offer),
            Some("strategy") => Strategy::read(&mut f).map(Record::Strategy),
            Some("opportunity") => Opportunity::read(&mut f).map(Record::Opportunity),
            Some(other) => {
                f.error(
                    "record",
                    format!("{other:?} is not one of {}", RECORD_KINDS.join(", ")),
                );
                f.ignore_rest();
                None
            }
            None => {
                f.ignore_rest();
                None
            }
        };
        f.finish(record)
    }

    /// Reads one line of JSON.
    pub fn parse_line(line: &str) -> Result<Record, Invalid> {
        let value: Value = serde_json::from_str(line)
            .map_err(|e| Invalid::one("", format!("not valid JSON: {e}")))?;
        Record::from_value(value)
    }

    /// The record as an interchange JSON object, `record` first.
    pub fn to_value(&self) -> Value {
        fn tagged<T: Serialize>(kind: &str, body: &T) -> Value {
            let mut map = serde_json::Map::new();
            map.insert("record".into(), Value::from(kind));
            if let Ok(Value::Object(fields)) = serde_json::to_value(body) {
                map.extend(fields);
            }
            Value::Object(map)
        }
        match self {
            Record::Organisation(r) => tagged(self.kind(), r),
            Record::Offer(r) => tagged(self.kind(), r),
            Record::Strategy(r) => tagged(self.kind(), r),
            Record::Opportunity(r) => tagged(self.kind(), r),
        }
    }

    /// The record as one line of JSON, without the line break.
    pub fn to_line(&self) -> String {
        self.to_value().to_string()
    }

    /// The organisations this record names, with the field that names each.
    pub fn references(&self) -> Vec<(&'static str, &OrganisationId)> {
        match self {
            Record::Organisation(_) => vec![],
            Record::Offer(o) => vec![("provider", &o.provider)],
            Record::Strategy(s) => vec![("provider", &s.provider)],
            Record::Opportunity(o) => vec![("buyer", &o.buyer)],
        }
    }
}

/// Where in a file a problem was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "unit", content = "number", rename_all = "snake_case")]
pub enum Location {
    /// A 1-based line of a JSON Lines or CSV file.
    Line(usize),
    /// A 1-based release (or record) of an OCDS package.
    Release(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Release(n) => write!(f, "release {n}"),
        }
    }
}

/// One reason a record in a file was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    pub location: Location,
    pub field: String,
    pub reason: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.location, self.reason)
        } else {
            write!(f, "{}: {}: {}", self.location, self.field, self.reason)
        }
    }
}

/// Records read from a file, each with where it came from.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub records: Vec<(Location, Record)>,
    pub errors: Vec<LineError>,
}

impl Batch {
    /// Adds the reasons `invalid` gives for the record at `location`.
    pub fn refuse(&mut self, location: Location, invalid: Invalid) {
        self.errors.extend(invalid.0.into_iter().map(|e| LineError {
            location: location.clone(),
            field: e.field,
            reason: e.reason,
        }));
    }

    /// Reads interchange JSON Lines; blank lines are skipped. Large files are
    /// read on every core, each taking a run of lines; the result is the same.
    pub fn from_jsonl(text: &str) -> Batch {
        let lines: Vec<&str> = text.lines().collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let per_thread = lines.len().div_ceil(threads).max(PARALLEL_FROM_LINES);
        let parts: Vec<Batch> = std::thread::scope(|scope| {
            let handles: Vec<_> = lines
                .chunks(per_thread.max(1))
                .enumerate()
                .map(|(n, chunk)| scope.spawn(move || Batch::from_lines(chunk, n * per_thread)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        let mut batch = Batch::default();
        for part in parts {
            batch.records.extend(part.records);
            batch.errors.extend(part.errors);
        }
        batch.refuse_repeated_ids();
        batch
    }

    /// Reads lines, the first of which is line `skipped + 1` of its file.
    fn from_lines(lines: &[&str], skipped: usize) -> Batch {
        let mut batch = Batch::default();
        for (i, line) in lines.iter().enumerate() {
            let location = Location::Line(skipped + i + 1);
            if line.trim().is_empty() {
                continue;
            }
            match Record::parse_line(line) {
                Ok(record) => batch.records.push((location, record)),
                Err(invalid) => batch.refuse(location, invalid),
            }
        }
        batch
    }

    fn refuse_repeated_ids(&mut self) {
        let mut first: HashMap<(&str, &str), &Location> = HashMap::new();
        let mut errors = Vec::new();
        for (location, record) in &self.records {
            if let Some(earlier) = first.insert((record.kind(), record.id()), location) {
                errors.push(LineError {
                    location: location.clone(),
                    field: "id".into(),
                    reason: format!(
                        "{} {:?} already appears at {earlier}",
                        record.kind(),
                        record.id()
                    ),
                });
            }
        }
        self.errors.extend(errors);
    }

    /// Checks that every organisation a record names exists (in this batch or
    /// through `existing`, which gives the kind of an organisation already
    /// stored) and is of the right kind, and that no provider gets two strategies.
    pub fn check_references(
        &mut self,
        existing: impl Fn(&OrganisationId) -> Option<OrgKind>,
        existing_strategy_of: impl Fn(&OrganisationId) -> Option<String>,
    ) {
        let in_batch: BTreeMap<&OrganisationId, OrgKind> = self
            .records
            .iter()
            .filter_map(|(_, r)| match r {
                Record::Organisation(o) => Some((&o.id, o.kind)),
                _ => None,
            })
            .collect();
        let mut strategies: BTreeMap<&OrganisationId, &str> = BTreeMap::new();
        let mut errors = Vec::new();
        for (location, record) in &self.records {
            for (field, id) in record.references() {
                let kind = in_batch.get(id).copied().or_else(|| existing(id));
                let problem = match (field, kind) {
                    (_, None) => Some(format!("organisation {id:?} does not exist")),
                    ("provider", Some(k)) if !matches!(k, OrgKind::Provider | OrgKind::Partner) => {
                        Some(format!(
                            "organisation {id:?} is a {}, not a provider or partner",
                            k.as_str()
                        ))
                    }
                    ("buyer", Some(k)) if k != OrgKind::Buyer => Some(format!(
                        "organisation {id:?} is a {}, not a buyer",
                        k.as_str()
                    )),
                    _ => None,
                };
                if let Some(reason) = problem {
                    errors.push(LineError {
                        location: location.clone(),
                        field: field.into(),
                        reason,
                    });
                }
            }
            if let Record::Strategy(s) = record {
                let other = strategies
                    .insert(&s.provider, s.id.as_str())
                    .map(str::to_owned)
                    .or_else(|| existing_strategy_of(&s.provider).filter(|id| id != s.id.as_str()));
                if let Some(other) = other {
                    errors.push(LineError {
                        location: location.clone(),
                        field: "provider".into(),
                        reason: format!(
                            "{} already has strategy {other:?}; a provider has at most one",
                            s.provider
                        ),
                    });
                }
            }
        }
        self.errors.extend(errors);
    }

    /// Errors in file order.
    pub fn sorted_errors(&self) -> Vec<LineError> {
        let mut errors = self.errors.clone();
        errors.sort_by(|a, b| a.location.cmp(&b.location));
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEEDS: &str = r#"{"record":"organisation","id":"RR8","name":"Leeds Teaching Hospitals NHS Trust","kind":"provider","sector":"nhs","country":"GB","ods_code":"RR8","region":"North East and Yorkshire","network":"HI-YH","aliases":["LTHT"],"website":"https://www.leedsth.nhs.uk"}"#;
    const OFFER: &str = r#"{"record":"offer","id":"RR8-onc-edu","provider":"RR8","title":"Oncology nursing education programme","description":"Accredited chemotherapy and palliative care training for nurses, delivered in country and online.","service_lines":["education_training"],"specialties":["370","800","315"],"delivery_modes":["in_country","remote"],"languages":["en"],"capacity_days_per_year":120,"countries_of_experience":["JO","IE"],"price_gbp":{"min":50000,"max":400000}}"#;
    const STRATEGY: &str = r#"{"record":"strategy","id":"RR8-strategy","provider":"RR8","target_countries":["JO","SA","AE"],"excluded_countries":["RU"],"risk_appetite":"low","domestic_status":"green","min_contract_gbp":25000,"accepted_law":["GB"],"motives":["revenue","reputation","research_learning"]}"#;
    const KHCF: &str = r#"{"record":"organisation","id":"KHCF","name":"King Hussein Cancer Foundation","kind":"buyer","sector":"charity","country":"JO"}"#;
    const OPPORTUNITY: &str = r#"{"record":"opportunity","id":"KHCF-2027-01","buyer":"KHCF","country":"JO","title":"Paediatric oncology service development","description":"The foundation seeks a UK partner to train staff and advise on a new children's cancer unit...","service_lines":["consultancy","education_training"],"specialties":["370","260"],"delivery_modes":["in_country","remote"],"languages":["ar","en"],"value":{"amount":1200000,"currency":"JOD"},"response_due":"2027-03-31","starts":"2027-06-01","duration_months":36,"source":"post","status":"published"}"#;

    #[test]
    fn the_specification_examples_read_and_write_back_unchanged() {
        for line in [LEEDS, OFFER, STRATEGY, KHCF, OPPORTUNITY] {
            let record = Record::parse_line(line).unwrap();
            assert_eq!(record.to_line(), line);
        }
    }

    #[test]
    fn a_bundled_opportunity_keeps_its_requirements() {
        let line = OPPORTUNITY.replace(
            r#""status":"published""#,
            r#""status":"published","requirements":[{"id":"R1","title":"Cancer nurse training","service_line":"education_training","specialties":["370"],"delivery_modes":["in_country"],"days":240}]"#,
        );
        let Record::Opportunity(o) = Record::parse_line(&line).unwrap() else {
            panic!()
        };
        assert!(o.is_bundled());
        assert_eq!(o.requirements[0].days, 240);
        assert_eq!(Record::Opportunity(o).to_line(), line);
    }

    #[test]
    fn every_problem_in_a_line_is_named() {
        let line = r#"{"record":"opportunity","id":"x y","buyer":"KHCF","country":"ZZ","title":"","description":"d","source":"post","status":"live","value":{"amount":-5,"currency":"JOD"},"colour":"red"}"#;
        let err = Record::parse_line(line).unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["id", "country", "title", "value.amount", "status", "colour"]
        );
    }

    #[test]
    fn unknown_record_kinds_and_bad_json_are_refused() {
        assert_eq!(
            Record::parse_line(r#"{"record":"invoice","id":"1"}"#)
                .unwrap_err()
                .0[0]
                .field,
            "record"
        );
        assert!(
            Record::parse_line("{").unwrap_err().0[0]
                .reason
                .starts_with("not valid JSON")
        );
        assert!(Record::parse_line("[]").is_err());
    }

    #[test]
    fn a_file_reports_every_bad_line_and_repeated_ids() {
        let text = [LEEDS, "not json", OFFER, "", r#"{"record":"offer"}"#, LEEDS].join("\n");
        let batch = Batch::from_jsonl(&text);
        assert_eq!(batch.records.len(), 3);
        let lines: Vec<Location> = batch
            .sorted_errors()
            .into_iter()
            .map(|e| e.location)
            .collect();
        assert!(lines.contains(&Location::Line(2)));
        assert!(lines.contains(&Location::Line(5)));
        assert!(lines.contains(&Location::Line(6)));
    }

    #[test]
    fn large_files_read_in_parallel_keep_their_line_numbers() {
        let mut lines = vec![KHCF.to_owned()];
        for i in 0..12_000 {
            lines.push(OPPORTUNITY.replace("KHCF-2027-01", &format!("O{i}")));
        }
        lines[9_001] = "oops".into();
        let batch = Batch::from_jsonl(&lines.join("\n"));
        assert_eq!(batch.records.len(), 12_000);
        assert_eq!(batch.errors.len(), 1);
        assert_eq!(batch.errors[0].location, Location::Line(9_002));
        assert!(
            batch.records.windows(2).all(|w| w[0].0 < w[1].0),
            "file order kept"
        );
    }

    #[test]
    fn references_must_name_an_organisation_of_the_right_kind() {
        let text = [
            KHCF,
            OFFER
                .replace(r#""provider":"RR8""#, r#""provider":"KHCF""#)
                .as_str(),
            OPPORTUNITY,
            STRATEGY,
        ]
        .join("\n");
        let mut batch = Batch::from_jsonl(&text);
        batch.check_references(|_| None, |_| None);
        let reasons: Vec<String> = batch
            .sorted_errors()
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(reasons[0].contains("line 2: provider") && reasons[0].contains("not a provider"));
        assert!(reasons[1].contains("line 4: provider") && reasons[1].contains("does not exist"));
    }

    #[test]
    fn stored_organisations_satisfy_references_and_strategies_stay_single() {
        let mut batch = Batch::from_jsonl(STRATEGY);
        let rr8 = OrganisationId::parse("RR8").unwrap();
        batch.check_references(
            |id| (id == &rr8).then_some(OrgKind::Provider),
            |_| Some("RR8-old-strategy".into()),
        );
        assert_eq!(batch.errors.len(), 1);
        assert!(batch.errors[0].reason.contains("at most one"));
    }
}

#[cfg(test)]
mod demo_world {
    use super::*;

    #[test]
    fn the_shipped_demo_world_reads_without_a_single_error() {
        let text = include_str!("../../../data/demo/world.jsonl");
        let mut batch = Batch::from_jsonl(text);
        batch.check_references(|_| None, |_| None);
        assert_eq!(batch.sorted_errors(), vec![]);
        let count = |kind| {
            batch
                .records
                .iter()
                .filter(|(_, r)| r.kind() == kind)
                .count()
        };
        assert!(count("organisation") >= 60 && count("opportunity") >= 30);
    }
}
