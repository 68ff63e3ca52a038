//! Entities of a screening list in FollowTheMoney JSON Lines, the format
//! OpenSanctions publishes: `{"id", "schema", "properties": {"name": [...],
//! ...}}`. Only what screening weighs is kept; FollowTheMoney's many other
//! properties (and OpenSanctions' extra top-level fields) are passed over.

use serde_json::Value;

use crate::fields::{FieldError, Fields, Invalid, kind_of, text};

/// The FollowTheMoney schemas a list may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Schema {
    Person,
    Organization,
    Company,
    LegalEntity,
    Vessel,
    Airplane,
}

impl Schema {
    pub const ALL: [Schema; 6] = [
        Schema::Person,
        Schema::Organization,
        Schema::Company,
        Schema::LegalEntity,
        Schema::Vessel,
        Schema::Airplane,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Schema::Person => "Person",
            Schema::Organization => "Organization",
            Schema::Company => "Company",
            Schema::LegalEntity => "LegalEntity",
            Schema::Vessel => "Vessel",
            Schema::Airplane => "Airplane",
        }
    }

    pub fn parse(s: &str) -> Result<Schema, String> {
        Schema::ALL
            .into_iter()
            .find(|schema| schema.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = Schema::ALL.iter().map(|s| s.as_str()).collect();
                format!("{s:?} is not one of {}", known.join(", "))
            })
    }
}

/// One entity of a list, as screening weighs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntity {
    pub id: String,
    pub schema: Schema,
    /// `name`: at least one.
    pub names: Vec<String>,
    /// `alias` and `previousName`.
    pub aliases: Vec<String>,
    /// `weakAlias`: short or common names, weak evidence on their own.
    pub weak_aliases: Vec<String>,
    /// `birthDate`, as given (`1952`, `1952-10`, `1952-10-07`).
    pub birth_dates: Vec<String>,
    /// `nationality`, `citizenship`, `country`, `jurisdiction` and a
    /// vessel's `flag`, as codes in lower case.
    pub countries: Vec<String>,
    /// `registrationNumber`, `idNumber`, `imoNumber` and `passportNumber`.
    pub identifiers: Vec<String>,
    /// `topics` (`sanction`, `role.pep`, …).
    pub topics: Vec<String>,
}

impl ListEntity {
    /// Every name it goes by, strong ones first: names, then aliases, then weak aliases.
    pub fn all_names(&self) -> impl Iterator<Item = &str> {
        self.names
            .iter()
            .chain(&self.aliases)
            .chain(&self.weak_aliases)
            .map(String::as_str)
    }
}

/// Reads one line of FollowTheMoney JSON; every problem is named by its
/// field (`properties.birthDate[1]`).
pub fn parse_entity(line: &str) -> Result<ListEntity, Invalid> {
    let value: Value = serde_json::from_str(line)
        .map_err(|e| Invalid::one("", format!("is not valid JSON: {e}")))?;
    let has_properties = value.get("properties").is_some_and(|p| !p.is_null());
    let mut f = Fields::new(value, "")?;
    let id = f.required("id", text);
    let schema = f.required("schema", |v| text(v).and_then(|s| Schema::parse(&s)));
    let properties = f.nested("properties", |p| {
        let mut take = |names: &[&str]| -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for name in names {
                for v in p.optional(name, strings).unwrap_or_default() {
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
            }
            out
        };
        let names = take(&["name"]);
        let aliases = take(&["alias", "previousName"]);
        let weak_aliases = take(&["weakAlias"]);
        let birth_dates = take(&["birthDate"]);
        let countries = take(&[
            "nationality",
            "citizenship",
            "country",
            "jurisdiction",
            "flag",
        ])
        .into_iter()
        .map(|c| c.to_lowercase())
        .collect();
        let identifiers = take(&[
            "registrationNumber",
            "idNumber",
            "imoNumber",
            "passportNumber",
        ]);
        let topics = take(&["topics"]);
        if names.is_empty() {
            p.error("name", "is required: an entity needs at least one name");
        }
        if let Some(bad) = birth_dates.iter().position(|d| !is_partial_date(d)) {
            p.error(
                &format!("birthDate[{bad}]"),
                format!(
                    "{:?} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)",
                    birth_dates[bad]
                ),
            );
        }
        p.ignore_rest();
        Some((
            names,
            aliases,
            weak_aliases,
            birth_dates,
            countries,
            identifiers,
            topics,
        ))
    });
    if !has_properties {
        f.error("properties", "is required");
    }
    f.ignore_rest();
    let built = match (id, schema, properties) {
        (Some(id), Some(schema), Some(p)) => Some(ListEntity {
            id,
            schema,
            names: p.0,
            aliases: p.1,
            weak_aliases: p.2,
            birth_dates: p.3,
            countries: p.4,
            identifiers: p.5,
            topics: p.6,
        }),
        _ => None,
    };
    f.finish(built)
}

/// A property's values: an array of strings (blank ones dropped).
fn strings(v: &Value) -> Result<Vec<String>, String> {
    let Value::Array(items) = v else {
        return Err(format!(
            "expected an array of strings, found {}",
            kind_of(v)
        ));
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(s) if s.trim().is_empty() => {}
            Value::String(s) => out.push(s.trim().to_owned()),
            other => {
                return Err(format!(
                    "expected an array of strings, found {} in it",
                    kind_of(other)
                ));
            }
        }
    }
    Ok(out)
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` with plausible month and day.
fn is_partial_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let number = |p: &str, len: usize, max: u32| {
        p.len() == len && p.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n))
    };
    match parts.as_slice() {
        [y] => number(y, 4, 9999),
        [y, m] => number(y, 4, 9999) && number(m, 2, 12),
        [y, m, d] => number(y, 4, 9999) && number(m, 2, 12) && number(d, 2, 31),
        _ => false,
    }
}

/// A list file read whole: its entities, or every bad line with its problems.
pub fn parse_list(text: &str) -> Result<Vec<ListEntity>, Vec<(usize, Vec<FieldError>)>> {
    let mut entities = Vec::new();
    let mut bad = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_entity(line) {
            Ok(e) if !seen.insert(e.id.clone()) => bad.push((
                i + 1,
                vec![FieldError::new("id", format!("{:?} is repeated", e.id))],
            )),
            Ok(e) => entities.push(e),
            Err(Invalid(errors)) => bad.push((i + 1, errors)),
        }
    }
    if bad.is_empty() {
        Ok(entities)
    } else {
        Err(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entity_keeps_its_names_dates_countries_and_identifiers() {
        let e = parse_entity(
            r#"{"id":"ofac-1","schema":"Person","caption":"X","properties":{"name":["PUTIN, Vladimir"],"alias":["Putin V."],"previousName":["Putin V. V."],"weakAlias":["VVP"],"birthDate":["1952-10-07","1952"],"nationality":["RU"],"gender":["male"],"idNumber":["123"],"topics":["sanction"]}}"#,
        )
        .unwrap();
        assert_eq!(e.schema, Schema::Person);
        assert_eq!(e.names, ["PUTIN, Vladimir"]);
        assert_eq!(e.aliases, ["Putin V.", "Putin V. V."]);
        assert_eq!(e.weak_aliases, ["VVP"]);
        assert_eq!(e.birth_dates, ["1952-10-07", "1952"]);
        assert_eq!(e.countries, ["ru"]);
        assert_eq!(e.identifiers, ["123"]);
        assert_eq!(e.all_names().count(), 4);
    }

    #[test]
    fn bad_entities_name_each_problem_and_where() {
        let e = parse_entity(r#"{"id":"x","schema":"Ship","properties":{"birthDate":["1952","07/10/1952"],"alias":"one"}}"#)
            .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "schema",
                "properties.alias",
                "properties.name",
                "properties.birthDate[1]"
            ],
            "{e:?}"
        );
        let bad = parse_list("{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":[\"A\"]}}\n\nnot json\n{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":[\"B\"]}}\n").unwrap_err();
        let lines: Vec<usize> = bad.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [3, 4]);
        assert!(bad[1].1[0].reason.contains("repeated"));
    }

    #[test]
    fn the_ofac_sample_reads_whole() {
        let entities = parse_list(super::super::OFAC_SAMPLE).unwrap();
        assert_eq!(entities.len(), 14_965);
        let names: usize = entities.iter().map(|e| e.all_names().count()).sum();
        assert!(names > 30_000, "{names} names");
        assert!(
            entities
                .iter()
                .filter(|e| e.schema == Schema::Person)
                .all(|e| e.birth_dates.iter().all(|d| is_partial_date(d)))
        );
    }
}
