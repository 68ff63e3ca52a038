//! Screening a query against a list: candidates from the index, each scored
//! by its closest name and then by what else both sides say. A birth date,
//! a country or an identifier they share is evidence that they are one; a
//! birth date years apart or countries with nothing in common is evidence
//! that they are two people who share a name.
//!
//! The score is in [0, 1]: the name's score, plus or minus each piece of
//! evidence. A result is a match at `DEFAULT_THRESHOLD` or above unless the
//! caller chooses another threshold.

use super::entity::{ListEntity, Schema};
use super::index::{Candidate, NameKind, ScreeningIndex};
use super::normalise::{NormalName, normalise};

/// The score at which a result is called a match: a name that is the
/// listed one up to order, spelling, a missing middle name or a typo, and
/// no evidence against it. Measured on the labelled queries in
/// `data/screening` (see `docs/BENCHMARKS.md`).
pub const DEFAULT_THRESHOLD: f64 = 0.70;

/// Born on the same day.
const SAME_BIRTH_DATE: f64 = 0.10;
/// Born in the same month or year, as far as both sides say.
const SAME_BIRTH_YEAR: f64 = 0.05;
/// Born a year apart: a common slip of records, slight doubt.
const BIRTH_YEAR_APART: f64 = -0.05;
/// Born years apart: another person.
const OTHER_BIRTH_DATE: f64 = -0.30;
/// A country in common.
const SAME_COUNTRY: f64 = 0.05;
/// Countries on both sides and none in common.
const OTHER_COUNTRY: f64 = -0.10;
/// The same registration, passport or identity number.
const SAME_IDENTIFIER: f64 = 0.25;

/// One piece of the score: its name, what it added (or took away) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// `name`, `birth_date`, `country` or `identifier`.
    pub name: &'static str,
    pub value: f64,
    pub reason: String,
}

/// An entity of the list scored against a query.
#[derive(Debug, Clone)]
pub struct Hit<'a> {
    pub entity: &'a ListEntity,
    /// The entity's name that came closest, normalised.
    pub listed_name: &'a NormalName,
    pub score: f64,
    /// The score reaches the threshold.
    pub is_match: bool,
    /// What made the score: the name first, then the evidence.
    pub features: Vec<Feature>,
}

/// Whether an entity of `found` schema can be what a query of `asked`
/// schema looks for: a person is no company, a vessel no aircraft; a
/// `LegalEntity` may be a person or an organisation.
pub fn schemas_meet(asked: Schema, found: Schema) -> bool {
    use Schema::*;
    let organisation = |s| matches!(s, Organization | Company | LegalEntity);
    match asked {
        LegalEntity => !matches!(found, Vessel | Airplane),
        Person => matches!(found, Person | LegalEntity),
        Organization | Company => organisation(found),
        Vessel | Airplane => found == asked,
    }
}

/// The best `limit` results for `query` (an entity as a list would hold
/// it: schema, names, birth dates, countries, identifiers), best first.
pub fn screen<'a>(
    index: &'a ScreeningIndex,
    query: &ListEntity,
    threshold: f64,
    limit: usize,
) -> Vec<Hit<'a>> {
    let names: Vec<_> = query.all_names().map(normalise).collect();
    let mut weighed: Vec<(Hit<'a>, Candidate<'a>)> = index
        .candidates(&names)
        .into_iter()
        .filter(|c| schemas_meet(query.schema, c.entity.schema))
        .map(|c| (weigh(query, &c, threshold), c))
        .filter(|(h, _)| h.score > 0.0)
        .collect();
    weighed.sort_by(|(a, _), (b, _)| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.entity.id.cmp(&b.entity.id))
    });
    weighed.truncate(limit);
    // Only the results shown are explained in words.
    weighed
        .into_iter()
        .map(|(mut hit, c)| {
            hit.features[0].reason = name_reason(&names[c.query], &c);
            hit
        })
        .collect()
}

/// `screen` for many queries at once, shared among the machine's cores;
/// the results in the order of the queries.
pub fn screen_batch<'a>(
    index: &'a ScreeningIndex,
    queries: &[ListEntity],
    threshold: f64,
    limit: usize,
) -> Vec<Vec<Hit<'a>>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = queries.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = queries
            .chunks(per_thread)
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|q| screen(index, q, threshold, limit))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a screening thread panicked"))
            .collect()
    })
}

/// Scores one candidate: its name, then the evidence. The name's reason is
/// left to `name_reason`.
fn weigh<'a>(query: &ListEntity, c: &Candidate<'a>, threshold: f64) -> Hit<'a> {
    let mut features = vec![Feature {
        name: "name",
        value: c.score,
        reason: String::new(),
    }];
    if query.schema == Schema::Person || c.entity.schema == Schema::Person {
        features.extend(birth_date(&query.birth_dates, &c.entity.birth_dates));
    }
    features.extend(country(&query.countries, &c.entity.countries));
    features.extend(identifier(&query.identifiers, &c.entity.identifiers));
    let score = features
        .iter()
        .map(|f| f.value)
        .sum::<f64>()
        .clamp(0.0, 1.0);
    Hit {
        entity: c.entity,
        listed_name: c.name,
        score,
        is_match: score >= threshold,
        features,
    }
}

/// Why the name scored as it did: the query's name, the listed one, and
/// the parts as aligned.
fn name_reason(asked: &NormalName, c: &Candidate<'_>) -> String {
    let parts: Vec<String> = c
        .comparison
        .aligned
        .iter()
        .map(|a| {
            let (q, l) = (
                a.query.text(&asked.tokens),
                a.candidate.text(&c.name.tokens),
            );
            if q == l { q } else { format!("{q} ~ {l}") }
        })
        .collect();
    let weak = if c.kind == NameKind::Weak {
        ", a weak alias"
    } else {
        ""
    };
    format!(
        "\"{}\" is {:.0}% like the listed \"{}\" ({}){weak}",
        asked.text(),
        c.comparison.score * 100.0,
        c.name.text(),
        parts.join(", ")
    )
}

/// The closest pair of birth dates, compared as far as both say.
fn birth_date(asked: &[String], listed: &[String]) -> Option<Feature> {
    let mut best: Option<Feature> = None;
    for a in asked {
        for l in listed {
            let f = compare_dates(a, l);
            if best.as_ref().is_none_or(|b| f.value > b.value) {
                best = Some(f);
            }
        }
    }
    best
}

fn compare_dates(asked: &str, listed: &str) -> Feature {
    let year = |d: &str| d.get(..4).and_then(|y| y.parse::<i32>().ok());
    let (value, reason) = match (year(asked), year(listed)) {
        (Some(a), Some(l)) if a == l => {
            let shared = asked.len().min(listed.len());
            if asked[..shared] != listed[..shared] {
                (0.0, format!("born {asked}, listed {listed}: the same year"))
            } else if shared == 10 {
                (SAME_BIRTH_DATE, format!("born on {asked}, as listed"))
            } else {
                (SAME_BIRTH_YEAR, format!("born {asked}, listed {listed}"))
            }
        }
        (Some(a), Some(l)) if (a - l).abs() == 1 => (
            BIRTH_YEAR_APART,
            format!("born {asked}, listed {listed}: a year apart"),
        ),
        _ => (
            OTHER_BIRTH_DATE,
            format!("born {asked}, listed {listed}: another person"),
        ),
    };
    Feature {
        name: "birth_date",
        value,
        reason,
    }
}

fn country(asked: &[String], listed: &[String]) -> Option<Feature> {
    if asked.is_empty() || listed.is_empty() {
        return None;
    }
    let asked: Vec<String> = asked.iter().map(|c| c.to_lowercase()).collect();
    Some(match asked.iter().find(|c| listed.contains(c)) {
        Some(shared) => Feature {
            name: "country",
            value: SAME_COUNTRY,
            reason: format!("both tied to {}", shared.to_uppercase()),
        },
        None => Feature {
            name: "country",
            value: OTHER_COUNTRY,
            reason: format!(
                "tied to {}, listed with {}",
                asked.join(", ").to_uppercase(),
                listed.join(", ").to_uppercase()
            ),
        },
    })
}

fn identifier(asked: &[String], listed: &[String]) -> Option<Feature> {
    let clean = |s: &String| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_uppercase()
    };
    let listed: Vec<String> = listed.iter().map(clean).collect();
    asked
        .iter()
        .map(clean)
        .find(|a| a.len() >= 4 && listed.contains(a))
        .map(|shared| Feature {
            name: "identifier",
            value: SAME_IDENTIFIER,
            reason: format!("the same number, {shared}"),
        })
}

#[cfg(test)]
mod tests {
    use super::super::entity::{parse_entity, parse_list};
    use super::super::index::WEAK_ALIAS;
    use super::*;

    fn index() -> ScreeningIndex {
        ScreeningIndex::new(
            parse_list(concat!(
                r#"{"id":"p1","schema":"Person","properties":{"name":["Ali Reza HOSSEINI"],"birthDate":["1961-03-21"],"nationality":["ir"],"idNumber":["A1234567"]}}"#,
                "\n",
                r#"{"id":"p2","schema":"Person","properties":{"name":["Maria Elena SOKOLOVA"],"weakAlias":["Lena"]}}"#,
                "\n",
                r#"{"id":"o1","schema":"Company","properties":{"name":["HOSSEINI TRADING LLC"],"country":["ae"]}}"#,
                "\n",
                r#"{"id":"v1","schema":"Vessel","properties":{"name":["HOSSEINI"]}}"#,
            ))
            .unwrap(),
        )
    }

    fn query(json: &str) -> ListEntity {
        parse_entity(json).unwrap()
    }

    fn person(name: &str, extra: &str) -> ListEntity {
        query(&format!(
            r#"{{"id":"q","schema":"Person","properties":{{"name":["{name}"]{extra}}}}}"#
        ))
    }

    #[test]
    fn a_listed_name_in_another_order_is_a_match_with_its_reason() {
        let index = index();
        let hits = screen(
            &index,
            &person("HOSSEINI, Ali Reza", ""),
            DEFAULT_THRESHOLD,
            5,
        );
        assert_eq!(hits[0].entity.id, "p1");
        assert!(hits[0].is_match);
        assert_eq!(hits[0].score, 1.0);
        assert_eq!(hits[0].features[0].name, "name");
        assert!(
            hits[0].features[0].reason.contains("ali reza hosseini"),
            "{:?}",
            hits[0].features
        );
        // A person is never a company or a vessel.
        assert!(hits.iter().all(|h| h.entity.schema == Schema::Person));
    }

    #[test]
    fn birth_dates_are_evidence_for_and_against() {
        let index = index();
        let score = |extra: &str| {
            screen(&index, &person("A. Hosseini", extra), DEFAULT_THRESHOLD, 1)
                .first()
                .map(|h| (h.score, h.is_match))
                .unwrap()
        };
        let (plain, _) = score("");
        assert!(plain < 0.9, "room above for evidence: {plain}");
        let (same_day, _) = score(r#","birthDate":["1961-03-21"]"#);
        let (same_year, _) = score(r#","birthDate":["1961"]"#);
        let (year_apart, _) = score(r#","birthDate":["1962"]"#);
        let (other, other_match) = score(r#","birthDate":["1985-01-01"]"#);
        assert!(
            same_day > same_year && same_year > plain,
            "{same_day} {same_year} {plain}"
        );
        assert!(
            year_apart < plain && other < year_apart,
            "{year_apart} {other}"
        );
        assert!(
            !other_match,
            "a namesake born 24 years later is not a match"
        );
    }

    #[test]
    fn countries_and_identifiers_are_evidence() {
        let index = index();
        let top = |q: ListEntity| screen(&index, &q, DEFAULT_THRESHOLD, 1).remove(0);
        let plain = top(person("Ali Hosseini", "")).score;
        let shared = top(person("Ali Hosseini", r#","nationality":["IR"]"#));
        assert!(shared.score > plain);
        assert!(
            shared
                .features
                .iter()
                .any(|f| f.name == "country" && f.reason.contains("IR"))
        );
        assert!(top(person("Ali Hosseini", r#","country":["gb"]"#)).score < plain);
        let id = top(person("A. Hosseini", r#","idNumber":["a-1234567"]"#));
        assert!(id.is_match, "{id:?}");
        assert!(id.features.iter().any(|f| f.name == "identifier"));
    }

    #[test]
    fn legal_forms_meet_and_weak_aliases_count_less() {
        let index = index();
        let company = query(
            r#"{"id":"q","schema":"Company","properties":{"name":["Hosseini Trading Ltd"]}}"#,
        );
        let hits = screen(&index, &company, DEFAULT_THRESHOLD, 5);
        assert_eq!(hits[0].entity.id, "o1");
        assert!(hits[0].is_match);
        assert!(hits.iter().all(|h| h.entity.schema == Schema::Company));
        let by_alias = screen(&index, &person("Lena", ""), DEFAULT_THRESHOLD, 1);
        assert!(by_alias[0].score <= WEAK_ALIAS, "{:?}", by_alias[0]);
    }

    #[test]
    fn a_batch_answers_each_query_in_its_order() {
        let index = index();
        let queries: Vec<ListEntity> = ["Ali Reza Hosseini", "John Smith", "Maria Sokolova"]
            .iter()
            .cycle()
            .take(30)
            .map(|n| person(n, ""))
            .collect();
        let batch = screen_batch(&index, &queries, DEFAULT_THRESHOLD, 3);
        assert_eq!(batch.len(), 30);
        for (q, hits) in queries.iter().zip(&batch) {
            let one: Vec<&str> = screen(&index, q, DEFAULT_THRESHOLD, 3)
                .iter()
                .map(|h| h.entity.id.as_str())
                .collect();
            let batched: Vec<&str> = hits.iter().map(|h| h.entity.id.as_str()).collect();
            assert_eq!(one, batched);
        }
        assert_eq!(batch[2][0].entity.id, "p2");
    }

    #[test]
    fn schemas_meet_as_ftm_nests_them() {
        assert!(schemas_meet(Schema::LegalEntity, Schema::Person));
        assert!(schemas_meet(Schema::LegalEntity, Schema::Company));
        assert!(!schemas_meet(Schema::LegalEntity, Schema::Vessel));
        assert!(schemas_meet(Schema::Organization, Schema::Company));
        assert!(!schemas_meet(Schema::Person, Schema::Organization));
        assert!(!schemas_meet(Schema::Vessel, Schema::Airplane));
    }

    #[test]
    fn an_unrelated_name_finds_nothing_that_matches() {
        let index = index();
        let hits = screen(&index, &person("John Smith", ""), DEFAULT_THRESHOLD, 5);
        assert!(hits.iter().all(|h| !h.is_match), "{hits:?}");
    }
}
