//! Property tests of every reader of untrusted input in `hcx_domain`.
//!
//! The promise to users: whatever arrives from outside is either read or
//! refused with a reason that says where and why (never a panic, never a blank
//! message), and whatever hcx writes it reads back unchanged.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use hcx_domain::codes::{
    CountryCode, CurrencyCode, LanguageCode, MAX_ID_LEN, NetworkCode, OfferId, OpportunityId,
    OrganisationId, RequirementId, SpecialtyCode, StrategyId,
};
use hcx_domain::fields::{self, Invalid, MAX_TEXT_LEN};
use hcx_domain::interchange::{Batch, Location, RECORD_KINDS, Record};
use hcx_domain::money::{Money, ValueBand};
use hcx_domain::opportunity::{Status, format_date};
use hcx_domain::organisation::Organisation;
use hcx_domain::reference::reference;
use hcx_domain::vocab::{
    DeliveryMode, DomesticStatus, Motive, OrgKind, RiskAppetite, Sector, ServiceLine, Source,
};
use hcx_domain::{ocds, org_csv, text};
use proptest::collection::{btree_set, vec};
use proptest::prelude::*;
use proptest::sample::{Index, select, subsequence};
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------
// Configuration and shared checks
// ---------------------------------------------------------------------------

/// `PROPTEST_CASES` still wins, so a longer fuzzing run needs no code change.
/// No regression file is written: the other tree users should not find one
/// appearing next to this test; a failure prints its shrunk input instead.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn fail(message: impl Into<String>) -> TestCaseError {
    TestCaseError::fail(message.into())
}

/// A refusal a person can act on: at least one reason, none of them blank.
fn check_refusal(invalid: &Invalid) -> Result<(), TestCaseError> {
    prop_assert!(!invalid.0.is_empty(), "a refusal must give a reason");
    for e in &invalid.0 {
        prop_assert!(
            !e.reason.trim().is_empty(),
            "field {:?} was refused without a reason",
            e.field
        );
    }
    prop_assert!(!invalid.to_string().trim().is_empty());
    Ok(())
}

/// Once the input is an object, every problem is in some field of it, so the
/// field must be named.
fn check_fields_named(invalid: &Invalid) -> Result<(), TestCaseError> {
    for e in &invalid.0 {
        prop_assert!(
            !e.field.trim().is_empty(),
            "{:?} does not say which field it concerns",
            e
        );
    }
    Ok(())
}

/// What hcx writes it must read back as the same record, on one line.
fn check_round_trip(record: &Record) -> Result<(), TestCaseError> {
    let line = record.to_line();
    prop_assert!(!line.contains('\n'), "a record must fit on one line");
    let again = Record::parse_line(&line)
        .map_err(|e| fail(format!("hcx refused its own line {line}: {e}")))?;
    prop_assert_eq!(&again, record);
    prop_assert_eq!(again.to_line(), line);
    Ok(())
}

/// Every problem in a file points at a line that exists and says why.
fn check_file_errors(batch: &Batch, lines: usize) -> Result<(), TestCaseError> {
    for e in &batch.errors {
        let Location::Line(n) = e.location else {
            return Err(fail(format!("{e} does not name a line")));
        };
        prop_assert!(
            (1..=lines).contains(&n),
            "{} is outside a {}-line file",
            e,
            lines
        );
        prop_assert!(!e.reason.trim().is_empty(), "{:?} gives no reason", e);
        let named = format!("line {n}");
        prop_assert!(
            e.to_string().starts_with(&named),
            "{} does not lead with its line",
            e
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Vocabularies, drawn from the crate's own reference data
// ---------------------------------------------------------------------------

#[derive(Debug)]
struct Pools {
    countries: Vec<String>,
    /// Names that find their own country again, for OCDS `countryName`.
    country_names: Vec<(String, String)>,
    currencies: Vec<String>,
    languages: Vec<String>,
    specialties: Vec<String>,
    retired_specialties: Vec<String>,
    networks: Vec<String>,
    /// Strings a fuzzer is unlikely to hit by chance but the readers care about.
    words: Vec<String>,
}

static POOLS: LazyLock<Pools> = LazyLock::new(|| {
    let r = reference();
    let countries: Vec<String> = r.countries().map(|c| c.alpha2.clone()).collect();
    let country_names = r
        .countries()
        .filter(|c| {
            r.country_by_name(&c.name)
                .is_some_and(|found| found.alpha2 == c.alpha2)
        })
        .map(|c| (c.name.clone(), c.alpha2.clone()))
        .collect();
    let currencies: Vec<String> = r
        .countries()
        .map(|c| c.currency_code.clone())
        .filter(|c| r.is_currency(c))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // The language list is private; the public check finds it again.
    let languages: Vec<String> = (b'a'..=b'z')
        .flat_map(|a| (b'a'..=b'z').map(move |b| format!("{}{}", a as char, b as char)))
        .filter(|code| r.is_language(code))
        .collect();
    let (active, retired): (Vec<_>, Vec<_>) = r.specialties().partition(|s| s.is_active());
    let specialties: Vec<String> = active.iter().map(|s| s.code.clone()).collect();
    let retired_specialties = retired.iter().map(|s| s.code.clone()).collect();
    let networks: Vec<String> = r.networks().map(|n| n.code.clone()).collect();

    let mut words: Vec<String> = RECORD_KINDS.iter().map(|k| (*k).to_owned()).collect();
    for names in [
        wire(OrgKind::NAMES),
        wire(Sector::NAMES),
        wire(ServiceLine::NAMES),
        wire(DeliveryMode::NAMES),
        wire(RiskAppetite::NAMES),
        wire(DomesticStatus::NAMES),
        wire(Motive::NAMES),
        wire(Source::NAMES),
        wire(Status::NAMES),
    ] {
        words.extend(names);
    }
    words.extend(countries.iter().take(40).cloned());
    words.extend(currencies.iter().take(20).cloned());
    words.extend(languages.iter().take(20).cloned());
    words.extend(specialties.iter().take(20).cloned());
    words.extend(networks.iter().cloned());
    words.extend(
        [
            "",
            " ",
            "GB",
            "JO",
            "AE",
            "GBP",
            "JOD",
            "en",
            "ar",
            "370",
            "510",
            "RR8",
            "KHCF",
            "2027-03-31",
            "2027-02-30",
            "0000-01-01",
            "12.5",
            "-1",
            "1e400",
            "https://x.org",
            "invoice",
            "\u{0}",
            "\u{feff}",
        ]
        .map(str::to_owned),
    );
    Pools {
        countries,
        country_names,
        currencies,
        languages,
        specialties,
        retired_specialties,
        networks,
        words,
    }
});

fn wire<T>(names: &'static [(&'static str, T)]) -> Vec<String> {
    names.iter().map(|(n, _)| (*n).to_owned()).collect()
}

/// Every field name any record, nested object or requirement uses.
#[rustfmt::skip]
const FIELD_NAMES: &[&str] = &[
    "record", "id", "name", "kind", "sector", "country", "ods_code", "region", "network", "aliases",
    "website", "city", "provider", "title", "description", "service_lines", "specialties",
    "delivery_modes", "languages", "capacity_days_per_year", "countries_of_experience", "price_gbp",
    "min", "max", "target_countries", "excluded_countries", "risk_appetite", "domestic_status",
    "min_contract_gbp", "accepted_law", "motives", "buyer", "value", "amount", "currency",
    "response_due", "starts", "duration_months", "source", "status", "requirements", "service_line",
    "days", "classifications", "scheme",
];

/// The OCDS fields the reader looks at.
#[rustfmt::skip]
const OCDS_KEYS: &[&str] = &[
    "releases", "records", "compiledRelease", "ocid", "date", "tender", "buyer", "parties", "roles",
    "address", "countryName", "locality", "publisher", "uri", "id", "name", "title", "description",
    "value", "minValue", "amount", "currency", "tenderPeriod", "contractPeriod", "startDate",
    "endDate", "durationInDays", "items", "classification", "additionalClassifications", "scheme",
    "language", "status",
];

/// Values the OCDS mapping treats specially: country names, tender statuses,
/// schemes, dates, web addresses and HTML.
#[rustfmt::skip]
const OCDS_WORDS: &[&str] = &[
    "buyer", "Jordan", "United Kingdom", "uk", "Atlantis", "GBP", "JOD", "XXX", "complete",
    "cancelled", "active", "CPV", "UNSPSC", "45233130.0", "2020-01-01", "2020-01-01T00:00:00Z",
    "2020-02-30T00:00:00Z", "https://tenders.nsw.gov.au/x", "https://example.uk", "http://",
    "en-GB", "ar", "é", "<p>Hello &amp; welcome</p>", "&#x1F600;", "&#0;", "ocds-abc-1", " ", "",
];

// ---------------------------------------------------------------------------
// Strategies: arbitrary input
// ---------------------------------------------------------------------------

/// Any text, including line breaks, controls and the characters JSON, CSV
/// and HTML give meaning to.
fn wild_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "(?s).{0,64}",
        2 => "[\\x00-\\x20\"\\\\{}\\[\\]:,;<>&#/'a-z0-9é\u{feff}\u{2028}]{0,48}",
        1 => any::<String>(),
    ]
}

fn word() -> impl Strategy<Value = String> {
    select(POOLS.words.clone())
}

fn json_leaf(words: Vec<String>) -> BoxedStrategy<Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(Value::from),
        1 => (0u32..2_000_000).prop_map(Value::from),
        4 => select(words).prop_map(Value::from),
        2 => wild_text().prop_map(Value::from),
    ]
    .boxed()
}

/// JSON trees whose keys are mostly names the reader knows, so the fuzzer
/// reaches the field readers rather than stopping at "unknown field".
fn json_tree(keys: &'static [&'static str], words: Vec<String>) -> BoxedStrategy<Value> {
    let key = prop_oneof![4 => select(keys).prop_map(str::to_owned), 1 => wild_text()];
    json_leaf(words)
        .prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                vec(inner.clone(), 0..5).prop_map(Value::Array),
                vec((key.clone(), inner), 0..7)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
        .boxed()
}

fn record_json() -> BoxedStrategy<Value> {
    json_tree(FIELD_NAMES, POOLS.words.clone())
}

/// An object tagged with a record kind (or something posing as one) and
/// arbitrary fields.
fn record_like() -> impl Strategy<Value = Value> {
    let kind = prop_oneof![
        3 => select(RECORD_KINDS.to_vec()).prop_map(Value::from),
        1 => json_leaf(POOLS.words.clone()),
    ];
    let key = prop_oneof![4 => select(FIELD_NAMES).prop_map(str::to_owned), 1 => wild_text()];
    (kind, vec((key, record_json()), 0..12)).prop_map(|(kind, fields)| {
        let mut map = Map::new();
        map.insert("record".into(), kind);
        map.extend(fields);
        Value::Object(map)
    })
}

/// A valid record with a few fields replaced by arbitrary values or removed:
/// the inputs closest to the edge between accepted and refused.
fn mutated_record() -> impl Strategy<Value = Value> {
    let key = prop_oneof![6 => select(FIELD_NAMES).prop_map(str::to_owned), 1 => wild_text()];
    (
        valid_record(),
        vec((key, proptest::option::of(record_json())), 1..4),
    )
        .prop_map(|(mut value, changes)| {
            if let Some(map) = value.as_object_mut() {
                for (key, change) in changes {
                    match change {
                        Some(v) => map.insert(key, v),
                        None => map.remove(&key),
                    };
                }
            }
            value
        })
}

// ---------------------------------------------------------------------------
// Strategies: valid records
// ---------------------------------------------------------------------------

fn id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9._:@-]{0,30}"
}

/// Text fields accept any non-blank text without control characters, and
/// trim it; untrimmed input checks that trimming is stable.
fn free_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z][A-Za-z0-9 ,.'()&;-]{0,40}",
        "[\\PC\n\t]{1,40}",
        " {0,2}[A-Za-z]{1,10}\t? {0,2}",
    ]
    .prop_filter("text must not be blank", |s| !s.trim().is_empty())
}

fn pick(pool: &[String]) -> impl Strategy<Value = Value> + use<> {
    select(pool.to_vec()).prop_map(Value::from)
}

/// Distinct items of `pool`, in any order.
fn some_of(pool: &[String], min: usize, max: usize) -> impl Strategy<Value = Value> + use<> {
    subsequence(pool.to_vec(), min..=max.min(pool.len()))
        .prop_shuffle()
        .prop_map(Value::from)
}

/// Absent, null (which means absent) or present.
fn maybe<S: Strategy<Value = Value>>(s: S) -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        3 => s.prop_map(Some),
        1 => Just(None),
        1 => Just(Some(Value::Null)),
    ]
}

fn record(kind: &str, fields: Vec<(&str, Option<Value>)>) -> Value {
    let mut map = Map::new();
    map.insert("record".into(), kind.into());
    for (name, value) in fields {
        if let Some(v) = value {
            map.insert(name.into(), v);
        }
    }
    Value::Object(map)
}

/// An amount in major units, written the ways sources write it: a whole
/// number, a decimal number, or a decimal in a string.
fn major(minor: u64, digits: u32, as_text: bool) -> Value {
    let scale = 10u64.pow(digits);
    let (whole, frac) = (minor / scale, minor % scale);
    if as_text {
        if digits == 0 {
            Value::from(whole.to_string())
        } else {
            Value::from(format!("{whole}.{frac:0width$}", width = digits as usize))
        }
    } else if frac == 0 {
        Value::from(whole)
    } else {
        Value::from(minor as f64 / scale as f64)
    }
}

/// The largest accepted amount is a trillion major units.
fn minor_units(digits: u32) -> impl Strategy<Value = u64> {
    let max = 1_000_000_000_000 * 10u64.pow(digits);
    prop_oneof![0..=100_000u64, 0..=max, Just(max)]
}

fn amount_in(digits: u32) -> impl Strategy<Value = Value> {
    (minor_units(digits), any::<bool>()).prop_map(move |(m, t)| major(m, digits, t))
}

fn money() -> impl Strategy<Value = Value> {
    select(POOLS.currencies.clone()).prop_flat_map(|currency| {
        let digits = reference().minor_unit_digits(&currency);
        amount_in(digits).prop_map(move |amount| json!({"amount": amount, "currency": currency}))
    })
}

fn date_text() -> impl Strategy<Value = Value> {
    (0i32..=9999, 1u8..=12, 1u8..=28)
        .prop_map(|(y, m, d)| Value::from(format!("{y:04}-{m:02}-{d:02}")))
}

fn organisation() -> impl Strategy<Value = Value> {
    let p = &*POOLS;
    (
        (
            id(),
            free_text(),
            pick(&wire(OrgKind::NAMES)),
            pick(&wire(Sector::NAMES)),
            pick(&p.countries),
        ),
        (
            maybe("[A-Za-z0-9]{3,6}".prop_map(Value::from)),
            maybe(free_text().prop_map(Value::from)),
            maybe(pick(&p.networks)),
            aliases(),
            maybe("https?://[a-z0-9.-]{1,20}(/[A-Za-z0-9_~%-]{0,12})?".prop_map(Value::from)),
            maybe(free_text().prop_map(Value::from)),
        ),
    )
        .prop_map(
            |((id, name, kind, sector, country), (ods, region, network, aliases, web, city))| {
                record(
                    "organisation",
                    vec![
                        ("id", Some(id.into())),
                        ("name", Some(name.into())),
                        ("kind", Some(kind)),
                        ("sector", Some(sector)),
                        ("country", Some(country)),
                        ("ods_code", ods),
                        ("region", region),
                        ("network", network),
                        ("aliases", Some(aliases)),
                        ("website", web),
                        ("city", city),
                    ],
                )
            },
        )
}

/// Aliases travel through CSV joined by `;`, so they never contain one.
fn aliases() -> impl Strategy<Value = Value> {
    btree_set("[A-Za-z][A-Za-z0-9 .'-]{0,14}[A-Za-z0-9]", 0..3)
        .prop_map(|set| Value::from(set.into_iter().collect::<Vec<_>>()))
}

fn offer() -> impl Strategy<Value = Value> {
    let p = &*POOLS;
    (
        (
            id(),
            id(),
            free_text(),
            free_text(),
            some_of(&wire(ServiceLine::NAMES), 1, 3),
        ),
        (
            some_of(&p.specialties, 0, 3),
            some_of(&wire(DeliveryMode::NAMES), 1, 3),
            some_of(&p.languages, 0, 2),
            maybe((0u64..=100_000).prop_map(Value::from)),
            some_of(&p.countries, 0, 3),
            maybe((minor_units(2), minor_units(2), any::<bool>()).prop_map(
                |(a, b, t)| json!({"min": major(a.min(b), 2, t), "max": major(a.max(b), 2, !t)}),
            )),
        ),
    )
        .prop_map(
            |(
                (id, provider, title, description, lines),
                (specs, modes, langs, days, exp, price),
            )| {
                record(
                    "offer",
                    vec![
                        ("id", Some(id.into())),
                        ("provider", Some(provider.into())),
                        ("title", Some(title.into())),
                        ("description", Some(description.into())),
                        ("service_lines", Some(lines)),
                        ("specialties", Some(specs)),
                        ("delivery_modes", Some(modes)),
                        ("languages", Some(langs)),
                        ("capacity_days_per_year", days),
                        ("countries_of_experience", Some(exp)),
                        ("price_gbp", price),
                    ],
                )
            },
        )
}

fn strategy() -> impl Strategy<Value = Value> {
    let p = &*POOLS;
    (
        (
            id(),
            id(),
            subsequence(p.countries.clone(), 0..=6).prop_shuffle(),
            any::<Index>(),
        ),
        (
            maybe(pick(&wire(RiskAppetite::NAMES))),
            maybe(pick(&wire(DomesticStatus::NAMES))),
            maybe(amount_in(2)),
            some_of(&p.countries, 0, 3),
            some_of(&wire(Motive::NAMES), 0, 4),
        ),
    )
        .prop_map(
            |((id, provider, mut targets, split), (risk, domestic, min, law, motives))| {
                // Distinct draws split in two: a country is never both target and excluded.
                let excluded = targets.split_off(split.index(targets.len() + 1));
                record(
                    "strategy",
                    vec![
                        ("id", Some(id.into())),
                        ("provider", Some(provider.into())),
                        ("target_countries", Some(targets.into())),
                        ("excluded_countries", Some(excluded.into())),
                        ("risk_appetite", risk),
                        ("domestic_status", domestic),
                        ("min_contract_gbp", min),
                        ("accepted_law", Some(law)),
                        ("motives", Some(motives)),
                    ],
                )
            },
        )
}

fn requirements() -> impl Strategy<Value = Value> {
    let p = &*POOLS;
    vec(
        (
            free_text(),
            pick(&wire(ServiceLine::NAMES)),
            some_of(&p.specialties, 0, 2),
            some_of(&wire(DeliveryMode::NAMES), 0, 3),
            1u64..=1_000_000,
        ),
        0..3,
    )
    .prop_map(|items| {
        let items: Vec<Value> = items
            .into_iter()
            .enumerate()
            .map(|(i, (title, line, specs, modes, days))| {
                json!({"id": format!("R{}", i + 1), "title": title, "service_line": line,
                       "specialties": specs, "delivery_modes": modes, "days": days})
            })
            .collect();
        Value::from(items)
    })
}

fn classifications() -> impl Strategy<Value = Value> {
    vec(
        (free_text(), free_text(), proptest::option::of(free_text())),
        0..3,
    )
    .prop_map(|items| {
        let items: Vec<Value> = items
            .into_iter()
            .map(|(scheme, id, description)| {
                let mut c = json!({"scheme": scheme, "id": id});
                if let Some(d) = description {
                    c["description"] = d.into();
                }
                c
            })
            .collect();
        Value::from(items)
    })
}

fn opportunity() -> impl Strategy<Value = Value> {
    let p = &*POOLS;
    (
        (id(), id(), pick(&p.countries), free_text(), free_text()),
        (
            some_of(&wire(ServiceLine::NAMES), 0, 3),
            some_of(&p.specialties, 0, 3),
            some_of(&wire(DeliveryMode::NAMES), 0, 3),
            some_of(&p.languages, 0, 2),
            maybe(money()),
        ),
        (
            maybe(date_text()),
            maybe(date_text()),
            maybe((0u64..=240).prop_map(Value::from)),
            pick(&wire(Source::NAMES)),
            pick(&wire(Status::NAMES)),
        ),
        (requirements(), classifications()),
    )
        .prop_map(
            |(
                (id, buyer, country, title, description),
                (lines, specs, modes, langs, value),
                (due, starts, months, source, status),
                (reqs, classes),
            )| {
                record(
                    "opportunity",
                    vec![
                        ("id", Some(id.into())),
                        ("buyer", Some(buyer.into())),
                        ("country", Some(country)),
                        ("title", Some(title.into())),
                        ("description", Some(description.into())),
                        ("service_lines", Some(lines)),
                        ("specialties", Some(specs)),
                        ("delivery_modes", Some(modes)),
                        ("languages", Some(langs)),
                        ("value", value),
                        ("response_due", due),
                        ("starts", starts),
                        ("duration_months", months),
                        ("source", Some(source)),
                        ("status", Some(status)),
                        ("requirements", Some(reqs)),
                        ("classifications", Some(classes)),
                    ],
                )
            },
        )
}

fn valid_record() -> BoxedStrategy<Value> {
    prop_oneof![organisation(), offer(), strategy(), opportunity()].boxed()
}

/// Values no field of any record accepts. Null is not one: it means "absent".
fn wrong_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(true)),
        Just(json!(-1)),
        Just(json!({"unexpected": [null]})),
    ]
}

// ---------------------------------------------------------------------------
// Interchange: one line
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_lines_never_panic_and_refusals_give_a_reason(line in wild_text()) {
        match Record::parse_line(&line) {
            Ok(record) => check_round_trip(&record)?,
            Err(invalid) => check_refusal(&invalid)?,
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(invalid) = Record::parse_line(&text) {
            check_refusal(&invalid)?;
        }
        let batch = Batch::from_jsonl(&text);
        check_file_errors(&batch, text.lines().count())?;
    }

    #[test]
    fn arbitrary_json_never_panics_and_every_refusal_names_a_field(
        value in prop_oneof![record_json(), record_like(), mutated_record()],
    ) {
        for outcome in [
            Record::parse_line(&value.to_string()),
            Record::from_value(value.clone()),
        ] {
            match outcome {
                Ok(record) => check_round_trip(&record)?,
                Err(invalid) => {
                    check_refusal(&invalid)?;
                    if value.is_object() {
                        check_fields_named(&invalid)?;
                    }
                }
            }
        }
    }

    #[test]
    fn valid_records_read_back_unchanged(value in valid_record()) {
        let line = value.to_string();
        let record = Record::parse_line(&line)
            .map_err(|e| fail(format!("a valid record was refused: {e}\n{line}")))?;
        prop_assert_eq!(Some(record.kind()), value["record"].as_str());
        check_round_trip(&record)?;
    }

    #[test]
    fn a_wrong_typed_field_is_reported_under_its_own_name(
        value in valid_record(),
        which in any::<Index>(),
        wrong in wrong_value(),
    ) {
        let mut map = value.as_object().cloned().unwrap_or_default();
        let keys: Vec<String> = map.keys().cloned().collect();
        let key = which.get(&keys).clone();
        map.insert(key.clone(), wrong.clone());
        let invalid = Record::from_value(Value::Object(map))
            .err()
            .ok_or_else(|| fail(format!("{key} = {wrong} was accepted")))?;
        check_refusal(&invalid)?;
        for e in &invalid.0 {
            prop_assert!(
                e.field == key
                    || e.field.starts_with(&format!("{key}."))
                    || e.field.starts_with(&format!("{key}[")),
                "replacing {} gave an error about {:?}", key, e
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Interchange: whole files
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Corruption {
    /// Cut off part way, as an interrupted write leaves it.
    Truncated(Index),
    /// One field given a value of the wrong type.
    WrongType(Index),
    /// A line that is not a record at all.
    Junk(String),
}

impl Corruption {
    fn apply(&self, line: &str) -> String {
        match self {
            Corruption::Truncated(at) => {
                let cuts: Vec<usize> = line.char_indices().map(|(i, _)| i).skip(1).collect();
                line[..*at.get(&cuts)].to_owned()
            }
            Corruption::WrongType(which) => {
                let mut value: Value = serde_json::from_str(line).unwrap_or_default();
                if let Some(map) = value.as_object_mut() {
                    let keys: Vec<String> = map.keys().cloned().collect();
                    map.insert(which.get(&keys).clone(), json!(true));
                }
                value.to_string()
            }
            Corruption::Junk(junk) => junk.clone(),
        }
    }
}

fn corruption() -> impl Strategy<Value = Corruption> {
    prop_oneof![
        any::<Index>().prop_map(Corruption::Truncated),
        any::<Index>().prop_map(Corruption::WrongType),
        "[^\n]{1,40}"
            .prop_filter("a blank line is skipped, not refused", |s| !s
                .trim()
                .is_empty())
            .prop_map(Corruption::Junk),
    ]
}

fn file_line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => valid_record().prop_map(|v| v.to_string()),
        2 => mutated_record().prop_map(|v| v.to_string()),
        2 => wild_text(),
        1 => Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn a_file_with_one_corrupted_line_reports_exactly_that_line(
        values in vec(valid_record(), 1..10),
        blanks in vec(0usize..3, 10),
        which in any::<Index>(),
        corruption in corruption(),
        crlf in any::<bool>(),
    ) {
        let bad = which.index(values.len());
        let (mut lines, mut good_lines, mut bad_line) = (Vec::new(), Vec::new(), 0);
        for (i, mut value) in values.into_iter().enumerate() {
            for _ in 0..blanks[i] {
                lines.push(if i % 2 == 0 { String::new() } else { " \t ".to_owned() });
            }
            // Distinct ids, so a repeat is never the problem found.
            value["id"] = json!(format!("L{i}"));
            let line = value.to_string();
            if i == bad {
                lines.push(corruption.apply(&line));
                bad_line = lines.len();
            } else {
                lines.push(line);
                good_lines.push(Location::Line(lines.len()));
            }
        }
        let text = lines.join(if crlf { "\r\n" } else { "\n" });
        let batch = Batch::from_jsonl(&text);
        prop_assert!(!batch.errors.is_empty(), "line {} was not refused", bad_line);
        check_file_errors(&batch, lines.len())?;
        for e in &batch.errors {
            prop_assert_eq!(&e.location, &Location::Line(bad_line), "{}", e);
        }
        let read: Vec<Location> = batch.records.iter().map(|(l, _)| l.clone()).collect();
        prop_assert_eq!(read, good_lines);
    }

    #[test]
    fn a_repeated_record_is_reported_at_its_second_line(
        value in valid_record(),
        before in 0usize..3,
        between in 0usize..3,
    ) {
        let line = value.to_string();
        let mut lines = vec![String::new(); before];
        lines.push(line.clone());
        let first = lines.len();
        lines.extend(vec![String::new(); between]);
        lines.push(line);
        let batch = Batch::from_jsonl(&lines.join("\n"));
        prop_assert_eq!(batch.records.len(), 2);
        prop_assert_eq!(batch.errors.len(), 1);
        let e = &batch.errors[0];
        prop_assert_eq!(&e.location, &Location::Line(lines.len()));
        prop_assert_eq!(e.field.as_str(), "id");
        prop_assert!(e.reason.contains(&format!("line {first}")), "{}", e);
    }

    #[test]
    fn arbitrary_files_never_panic_and_errors_point_inside_the_file(
        lines in vec(file_line(), 0..16),
    ) {
        let text = lines.join("\n");
        let batch = Batch::from_jsonl(&text);
        let count = text.lines().count();
        check_file_errors(&batch, count)?;
        let readable = text
            .lines()
            .filter(|l| !l.trim().is_empty() && Record::parse_line(l).is_ok())
            .count();
        prop_assert_eq!(batch.records.len(), readable);
        prop_assert!(batch.records.windows(2).all(|w| w[0].0 < w[1].0), "file order kept");
        for (_, record) in &batch.records {
            check_round_trip(record)?;
        }
    }
}

// ---------------------------------------------------------------------------
// OCDS
// ---------------------------------------------------------------------------

fn ocds_words() -> Vec<String> {
    let mut words: Vec<String> = OCDS_WORDS.iter().map(|w| (*w).to_owned()).collect();
    words.extend(POOLS.country_names.iter().take(30).map(|(n, _)| n.clone()));
    words
}

fn ocds_json() -> BoxedStrategy<Value> {
    json_tree(OCDS_KEYS, ocds_words())
}

/// A release with the parts the reader looks for present often enough to
/// reach the mapping, each of any shape.
fn release_like() -> impl Strategy<Value = Value> {
    let object = || vec((select(OCDS_KEYS), ocds_json()), 0..6);
    let words = ocds_words();
    (
        proptest::option::of(prop_oneof![
            3 => select(words.clone()).prop_map(Value::from),
            1 => json_leaf(words.clone()),
        ]),
        proptest::option::of((proptest::option::of(select(words.clone())), object())),
        proptest::option::of(object()),
        object(),
    )
        .prop_map(|(ocid, buyer, tender, extra)| {
            let mut release: Map<String, Value> =
                extra.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            if let Some(ocid) = ocid {
                release.insert("ocid".into(), ocid);
            }
            if let Some((name, fields)) = buyer {
                let mut b: Map<String, Value> =
                    fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
                if let Some(name) = name {
                    b.insert("name".into(), name.into());
                }
                release.insert("buyer".into(), Value::Object(b));
            }
            if let Some(tender) = tender {
                release.insert(
                    "tender".into(),
                    Value::Object(tender.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
                );
            }
            Value::Object(release)
        })
}

fn ocds_document() -> impl Strategy<Value = Value> {
    let record = prop_oneof![
        release_like().prop_map(|r| json!({"compiledRelease": r})),
        vec(release_like(), 0..3).prop_map(|rs| json!({"releases": rs})),
        ocds_json(),
    ];
    prop_oneof![
        2 => vec(release_like(), 0..5).prop_map(|rs| json!({"releases": rs})),
        1 => vec(record, 0..4).prop_map(|rs| json!({"records": rs})),
        1 => release_like(),
        1 => ocds_json(),
        1 => (release_like(), select(OCDS_WORDS)).prop_map(|(r, uri)| {
            json!({"publisher": {"uri": uri}, "releases": [r]})
        }),
    ]
}

fn releases_in(doc: &Value) -> usize {
    ["releases", "records"]
        .iter()
        .find_map(|k| doc.get(k).and_then(Value::as_array).map(Vec::len))
        .unwrap_or(1)
}

fn check_ocds(doc: &Value) -> Result<Batch, TestCaseError> {
    let _ = ocds::is_ocds(doc);
    let batch = ocds::read(doc);
    let releases = releases_in(doc);
    for e in &batch.errors {
        let Location::Release(n) = e.location else {
            return Err(fail(format!("{e} does not name a release")));
        };
        prop_assert!(
            (1..=releases).contains(&n),
            "{} is outside {} releases",
            e,
            releases
        );
        prop_assert!(!e.field.trim().is_empty(), "{:?} names no field", e);
        prop_assert!(!e.reason.trim().is_empty(), "{:?} gives no reason", e);
    }
    for (location, record) in &batch.records {
        prop_assert!(matches!(location, Location::Release(n) if (1..=releases).contains(n)));
        prop_assert!(matches!(record.kind(), "organisation" | "opportunity"));
        check_round_trip(record)?;
    }
    Ok(batch)
}

/// A clean tender: an ocid, a named buyer in a known country, a title
/// that may be wrapped in HTML, and perhaps a value.
#[derive(Debug, Clone)]
struct Tender {
    buyer: String,
    country: (String, String),
    title: String,
    html: usize,
    value: Option<(String, u32)>,
    status: Option<&'static str>,
}

fn tender() -> impl Strategy<Value = Tender> {
    (
        "[A-Z][a-z]{1,10}( [A-Z][a-z]{1,10}){0,3}",
        select(POOLS.country_names.clone()),
        "[A-Z][a-z]{2,12}( [a-z]{2,12}){0,5}",
        0usize..3,
        proptest::option::of((select(POOLS.currencies.clone()), 0u32..10_000_000)),
        proptest::option::of(select(vec!["active", "complete", "cancelled", "planned"])),
    )
        .prop_map(|(buyer, country, title, html, value, status)| Tender {
            buyer,
            country,
            title,
            html,
            value,
            status,
        })
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn arbitrary_ocds_documents_never_panic_and_refusals_name_release_and_field(
        doc in ocds_document(),
    ) {
        check_ocds(&doc)?;
    }

    #[test]
    fn any_ocid_with_a_named_buyer_never_panics(
        ocid in prop_oneof![
            "[a-zé😀あ]{100,200}",
            "[a-zé😀-]{1,200}",
            "(?s).{0,160}",
        ],
        id in proptest::option::of("[a-zé😀 /-]{0,200}"),
        name in "[A-Za-zé😀 ]{1,200}",
    ) {
        let mut buyer = json!({"name": name, "address": {"countryName": "Jordan"}});
        if let Some(id) = id {
            buyer["id"] = id.into();
        }
        let doc = json!({"releases": [{"ocid": ocid, "buyer": buyer, "tender": {"title": "t"}}]});
        check_ocds(&doc)?;
    }

    #[test]
    fn clean_tenders_become_one_opportunity_each(
        prefix in "[a-z0-9]{6}",
        tenders in vec(tender(), 1..5),
        packaged in 0usize..3,
    ) {
        let releases: Vec<Value> = tenders
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let title = match t.html {
                    0 => t.title.clone(),
                    1 => format!("<p>{}</p>", t.title),
                    _ => format!("<h1 class=\"x\">{}</h1>\n<br/>", t.title),
                };
                let mut tender = json!({
                    "title": title,
                    "tenderPeriod": {"endDate": "2027-03-31T12:00:00Z"},
                });
                if let Some((currency, amount)) = &t.value {
                    tender["value"] = json!({"amount": amount, "currency": currency});
                }
                if let Some(status) = t.status {
                    tender["status"] = status.into();
                }
                json!({
                    "ocid": format!("ocds-{prefix}-{i}"),
                    "date": "2027-01-01T00:00:00Z",
                    "buyer": {"name": t.buyer, "address": {"countryName": t.country.0}},
                    "tender": tender,
                })
            })
            .collect();
        let wrap = |f: fn(&Value) -> Value| releases.iter().map(f).collect::<Vec<_>>();
        let doc = match packaged {
            0 => json!({"releases": releases}),
            1 => json!({"records": wrap(|r| json!({"compiledRelease": r}))}),
            _ => json!({"records": wrap(|r| json!({"releases": [r]}))}),
        };
        let mut batch = check_ocds(&doc)?;
        prop_assert_eq!(&batch.errors, &vec![]);
        batch.check_references(|_| None, |_| None);
        prop_assert_eq!(&batch.errors, &vec![], "every opportunity's buyer is in the batch");
        let opportunities: Vec<_> = batch
            .records
            .iter()
            .filter_map(|(_, r)| match r {
                Record::Opportunity(o) => Some(o),
                _ => None,
            })
            .collect();
        prop_assert_eq!(opportunities.len(), tenders.len());
        for (i, (o, t)) in opportunities.iter().zip(&tenders).enumerate() {
            prop_assert_eq!(o.id.as_str(), format!("ocds-{prefix}-{i}"));
            prop_assert_eq!(o.country.as_str(), t.country.1.as_str());
            prop_assert_eq!(&o.title, &t.title);
            let expected = t.value.as_ref().map(|(currency, amount)| {
                u64::from(*amount) * 10u64.pow(reference().minor_unit_digits(currency))
            });
            prop_assert_eq!(o.value.as_ref().map(|m| m.minor as u64), expected);
        }
    }
}

// ---------------------------------------------------------------------------
// Organisations CSV
// ---------------------------------------------------------------------------

fn csv_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[^\",\r\n]{0,12}",
        2 => "\"[^\"]{0,12}\"",
        1 => "\"([^\"]|\"\"){0,12}\"",
        1 => Just("\"unterminated".to_owned()),
        1 => Just("a\"b".to_owned()),
        1 => Just("\u{feff}".to_owned()),
        1 => Just("\0".to_owned()),
        1 => (0usize..70_000).prop_map(|n| "y".repeat(n)),
        2 => word(),
    ]
}

fn csv_text() -> impl Strategy<Value = String> {
    let header = prop_oneof![
        3 => subsequence(org_csv::COLUMNS.to_vec(), 0..=org_csv::COLUMNS.len())
            .prop_shuffle()
            .prop_map(|cols| cols.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>()),
        1 => vec(
            prop_oneof![select(org_csv::COLUMNS.to_vec()).prop_map(str::to_owned), csv_cell()],
            0..8,
        ),
    ];
    let rows = vec(vec(csv_cell(), 0..12), 0..6);
    (
        header,
        rows,
        select(vec!["\n", "\r\n", "\r"]),
        any::<bool>(),
    )
        .prop_map(|(header, rows, end, bom)| {
            let mut text = if bom {
                "\u{feff}".to_owned()
            } else {
                String::new()
            };
            text.push_str(&header.join(","));
            for row in rows {
                text.push_str(end);
                text.push_str(&row.join(","));
            }
            text
        })
}

/// Organisations with distinct ids, as parsed from valid interchange records.
fn organisations() -> impl Strategy<Value = Vec<Organisation>> {
    vec(organisation(), 0..8).prop_map(|values| {
        values
            .into_iter()
            .enumerate()
            .filter_map(|(i, mut v)| {
                v["id"] = json!(format!("O{i}"));
                match Record::from_value(v) {
                    Ok(Record::Organisation(o)) => Some(o),
                    _ => None,
                }
            })
            .collect()
    })
}

fn csv_cell_of(o: &Organisation, column: &str) -> String {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    match column {
        "id" => o.id.to_string(),
        "name" => o.name.clone(),
        "kind" => o.kind.as_str().to_owned(),
        "sector" => o.sector.as_str().to_owned(),
        "country" => o.country.to_string(),
        "ods_code" => opt(&o.ods_code),
        "region" => opt(&o.region),
        "network" => o
            .network
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        "aliases" => o.aliases.join("; "),
        "website" => opt(&o.website),
        "city" => opt(&o.city),
        other => unreachable!("no column {other}"),
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn arbitrary_csv_never_panics_and_every_refusal_names_a_line(
        text in prop_oneof![3 => csv_text(), 1 => wild_text()],
    ) {
        let batch = org_csv::read(&text);
        let lines = 1 + text.matches('\n').count() + text.matches('\r').count();
        check_file_errors(&batch, lines)?;
        for e in &batch.errors {
            // Only a row the CSV reader could not split may go without a column.
            prop_assert!(
                !e.field.trim().is_empty() || e.reason.starts_with("unreadable"),
                "{:?} names no column", e
            );
        }
        for (location, record) in &batch.records {
            prop_assert!(matches!(location, Location::Line(n) if (2..=lines).contains(n)));
            prop_assert_eq!(record.kind(), "organisation");
            check_round_trip(record)?;
        }
    }

    #[test]
    fn organisations_written_as_csv_read_back_equal(
        orgs in organisations(),
        columns in Just(org_csv::COLUMNS.to_vec()).prop_shuffle(),
        crlf in any::<bool>(),
        bom in any::<bool>(),
    ) {
        let mut writer = csv::WriterBuilder::new()
            .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
            .from_writer(Vec::new());
        writer.write_record(&columns).map_err(|e| fail(e.to_string()))?;
        for o in &orgs {
            let row: Vec<String> = columns.iter().map(|c| csv_cell_of(o, c)).collect();
            writer.write_record(&row).map_err(|e| fail(e.to_string()))?;
        }
        let bytes = writer.into_inner().map_err(|e| fail(e.to_string()))?;
        let mut text = if bom { "\u{feff}".to_owned() } else { String::new() };
        text.push_str(&String::from_utf8(bytes).map_err(|e| fail(e.to_string()))?);

        let batch = org_csv::read(&text);
        prop_assert_eq!(&batch.errors, &vec![]);
        let read: Vec<&Organisation> = batch
            .records
            .iter()
            .filter_map(|(_, r)| match r {
                Record::Organisation(o) => Some(o),
                _ => None,
            })
            .collect();
        prop_assert_eq!(read, orgs.iter().collect::<Vec<_>>());
    }
}

#[derive(Debug, Clone, Copy)]
enum BadRow {
    UnknownKind,
    UnknownCountry,
    MissingName,
    TooFewCells,
    TooManyCells,
}

impl BadRow {
    fn row(self, id: &str) -> String {
        match self {
            BadRow::UnknownKind => format!("{id},Name,seller,nhs,GB"),
            BadRow::UnknownCountry => format!("{id},Name,provider,nhs,ZZ"),
            BadRow::MissingName => format!("{id},,provider,nhs,GB"),
            BadRow::TooFewCells => format!("{id},Name"),
            BadRow::TooManyCells => format!("{id},Name,provider,nhs,GB,extra"),
        }
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn a_bad_csv_row_is_reported_at_its_own_line_whatever_the_line_endings(
        rows in 1usize..8,
        which in any::<Index>(),
        bad in select(vec![
            BadRow::UnknownKind,
            BadRow::UnknownCountry,
            BadRow::MissingName,
            BadRow::TooFewCells,
            BadRow::TooManyCells,
        ]),
        end in select(vec!["\n", "\r\n", "\r"]),
        blank_before in vec(0usize..3, 8),
        two_line_name in vec(any::<bool>(), 8),
    ) {
        let bad_at = which.index(rows);
        let mut text = "id,name,kind,sector,country".to_owned();
        let mut line = 1;
        let (mut bad_line, mut good_lines) = (0, Vec::new());
        for i in 0..rows {
            // Blank lines are skipped by the reader but still count for a person.
            for _ in 0..blank_before[i] {
                text.push_str(end);
                line += 1;
            }
            text.push_str(end);
            line += 1;
            let id = format!("O{i}");
            if i == bad_at {
                text.push_str(&bad.row(&id));
                bad_line = line;
            } else if two_line_name[i] {
                text.push_str(&format!("{id},\"Name{end}{i}\",provider,nhs,GB"));
                good_lines.push(Location::Line(line));
                line += 1;
            } else {
                text.push_str(&format!("{id},Name {i},provider,nhs,GB"));
                good_lines.push(Location::Line(line));
            }
        }
        let batch = org_csv::read(&text);
        prop_assert!(!batch.errors.is_empty());
        for e in &batch.errors {
            prop_assert_eq!(&e.location, &Location::Line(bad_line), "{}", e);
        }
        let read: Vec<Location> = batch.records.iter().map(|(l, _)| l.clone()).collect();
        prop_assert_eq!(read, good_lines);
    }
}

// ---------------------------------------------------------------------------
// Identifiers and codes
// ---------------------------------------------------------------------------

/// The charset and length `codes.rs` documents for every id.
fn is_documented_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_LEN
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '@' | '-'))
}

fn id_candidate() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9._:@-]{0,140}",
        "[A-Za-z0-9._:@ /é\t-]{0,12}",
        wild_text(),
    ]
}

/// Codes as people mistype them: the real thing, altered case, padding, or noise.
fn code_candidate(pool: &[String]) -> impl Strategy<Value = String> + use<> {
    prop_oneof![
        3 => select(pool.to_vec()),
        1 => select(pool.to_vec()).prop_map(|c| c.to_lowercase()),
        1 => select(pool.to_vec()).prop_map(|c| format!(" {c}")),
        1 => "[A-Za-z0-9-]{0,5}",
        1 => wild_text(),
    ]
}

fn check_id<T, E>(
    s: &str,
    parse: fn(&str) -> Result<T, E>,
    as_str: fn(&T) -> &str,
) -> Result<(), TestCaseError>
where
    T: PartialEq + std::fmt::Debug,
    E: std::fmt::Display,
{
    match parse(s) {
        Ok(id) => {
            prop_assert!(is_documented_id(s), "{:?} was accepted", s);
            prop_assert_eq!(as_str(&id), s);
            let again = parse(as_str(&id)).map_err(|e| fail(e.to_string()))?;
            prop_assert_eq!(again, id);
        }
        Err(e) => {
            prop_assert!(!is_documented_id(s), "{:?} was refused: {}", s, e);
            prop_assert!(!e.to_string().trim().is_empty());
        }
    }
    Ok(())
}

/// A reference code parser: accepted codes read back as themselves, and a
/// refusal quotes what was given.
fn check_code<T: PartialEq + std::fmt::Debug>(
    s: &str,
    parse: fn(&str) -> Result<T, String>,
    as_str: fn(&T) -> &str,
) -> Result<Option<T>, TestCaseError> {
    match parse(s) {
        Ok(code) => {
            prop_assert_eq!(as_str(&code), s);
            let again = parse(as_str(&code));
            prop_assert_eq!(again.as_ref(), Ok(&code));
            Ok(Some(code))
        }
        Err(reason) => {
            prop_assert!(
                reason.contains(&format!("{s:?}")),
                "{:?} does not quote {:?}",
                reason,
                s
            );
            Ok(None)
        }
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn ids_accept_exactly_their_documented_charset_and_length(s in id_candidate()) {
        check_id(&s, OrganisationId::parse, OrganisationId::as_str)?;
        check_id(&s, OfferId::parse, OfferId::as_str)?;
        check_id(&s, StrategyId::parse, StrategyId::as_str)?;
        check_id(&s, OpportunityId::parse, OpportunityId::as_str)?;
        check_id(&s, RequirementId::parse, RequirementId::as_str)?;
    }

    #[test]
    fn country_codes_are_known_countries_and_read_back_unchanged(
        s in code_candidate(&POOLS.countries),
    ) {
        if let Some(c) = check_code(&s, CountryCode::parse, CountryCode::as_str)? {
            prop_assert!(reference().country(c.as_str()).is_some());
            prop_assert!(!c.name().is_empty());
        }
    }

    #[test]
    fn currency_codes_are_known_currencies_and_read_back_unchanged(
        s in code_candidate(&POOLS.currencies),
    ) {
        if let Some(c) = check_code(&s, CurrencyCode::parse, CurrencyCode::as_str)? {
            prop_assert!(reference().is_currency(c.as_str()));
        }
    }

    #[test]
    fn language_codes_read_back_unchanged(s in code_candidate(&POOLS.languages)) {
        if let Some(c) = check_code(&s, LanguageCode::parse, LanguageCode::as_str)? {
            prop_assert!(reference().is_language(c.as_str()));
        }
    }

    #[test]
    fn specialty_codes_are_active_treatment_functions_and_read_back_unchanged(
        s in prop_oneof![
            code_candidate(&POOLS.specialties),
            select(POOLS.retired_specialties.clone()),
        ],
    ) {
        match check_code(&s, SpecialtyCode::parse, SpecialtyCode::as_str)? {
            Some(c) => {
                prop_assert!(reference().specialty(c.as_str()).is_some_and(|t| t.is_active()));
                prop_assert!(!c.name().is_empty());
            }
            None if POOLS.retired_specialties.contains(&s) => {
                prop_assert!(SpecialtyCode::parse(&s).unwrap_err().contains("retired"));
            }
            None => {}
        }
    }

    #[test]
    fn network_codes_read_back_unchanged(s in code_candidate(&POOLS.networks)) {
        if let Some(c) = check_code(&s, NetworkCode::parse, NetworkCode::as_str)? {
            prop_assert!(!c.name().is_empty());
        }
    }

    #[test]
    fn vocabulary_names_read_back_as_themselves(s in prop_oneof![word(), wild_text()]) {
        if let Some(k) = OrgKind::parse(&s) {
            prop_assert_eq!(k.as_str(), s.as_str());
        }
        if let Some(st) = Status::parse(&s) {
            prop_assert_eq!(st.as_str(), s.as_str());
        }
        if let Some(b) = ValueBand::parse(&s) {
            prop_assert_eq!(b.as_str(), s.as_str());
        }
        let quoted = format!("{s:?}");
        match fields::one_of(ServiceLine::NAMES)(&Value::from(s.clone())) {
            Ok(line) => prop_assert_eq!(line.as_str(), s.as_str()),
            Err(reason) => {
                prop_assert!(reason.contains(&quoted), "{:?} does not quote {}", reason, quoted);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Field readers and money
// ---------------------------------------------------------------------------

fn long_text() -> impl Strategy<Value = String> {
    (MAX_TEXT_LEN - 4..MAX_TEXT_LEN + 4, "[ a\u{1}é]{0,3}")
        .prop_map(|(n, tail)| format!("{}{tail}", "a".repeat(n)))
}

fn amount_candidate() -> impl Strategy<Value = Value> {
    prop_oneof![
        json_leaf(POOLS.words.clone()),
        "[-+ ]?[0-9]{0,16}(\\.[0-9]{0,6})?([eE][-+]?[0-9]{1,4})? ?".prop_map(Value::from),
        select(vec![
            "NaN", "inf", "-0", "-0.0", "1e12", "1e12.001", "0.1e1", " 7 ", ""
        ])
        .prop_map(Value::from),
        (0.0f64..2e12).prop_map(Value::from),
        record_json(),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn text_fields_are_trimmed_bounded_and_free_of_control_characters(
        v in prop_oneof![
            3 => wild_text().prop_map(Value::from),
            1 => long_text().prop_map(Value::from),
            1 => json_leaf(POOLS.words.clone()),
        ],
    ) {
        match fields::text(&v) {
            Ok(t) => {
                let given = v.as_str().unwrap_or_default();
                prop_assert_eq!(t.as_str(), given.trim());
                prop_assert!(!t.is_empty() && t.len() <= MAX_TEXT_LEN);
                let unwanted = |c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t');
                prop_assert!(!t.chars().any(unwanted), "{:?}", t);
                prop_assert_eq!(fields::text(&Value::from(t.clone())), Ok(t));
            }
            Err(reason) => prop_assert!(!reason.trim().is_empty()),
        }
    }

    #[test]
    fn dates_read_back_unchanged(
        s in prop_oneof![
            date_text().prop_map(|v| v.as_str().unwrap_or_default().to_owned()),
            "[0-9+-]{0,5}-?[0-9W]{0,3}-?[0-9T:Z]{0,6}",
            wild_text(),
        ],
    ) {
        match fields::date(&Value::from(s.clone())) {
            Ok(d) => prop_assert_eq!(fields::parse_date(&format_date(d)), Ok(d)),
            Err(reason) => prop_assert!(reason.contains(&format!("{s:?}")), "{}", reason),
        }
    }

    #[test]
    fn counts_are_whole_numbers_within_their_limit(
        v in json_leaf(POOLS.words.clone()),
        max in 0u64..=1_000_000,
    ) {
        match fields::count(max)(&v) {
            Ok(n) => {
                prop_assert!(u64::from(n) <= max);
                prop_assert_eq!(v.as_u64(), Some(u64::from(n)));
            }
            Err(reason) => prop_assert!(!reason.trim().is_empty()),
        }
    }

    #[test]
    fn amounts_never_panic_and_accepted_ones_read_back_unchanged(
        amount in amount_candidate(),
        currency in select(POOLS.currencies.clone()),
    ) {
        let currency = CurrencyCode::parse(&currency).map_err(fail)?;
        match Money::from_major(&amount, currency.clone()) {
            Ok(m) => {
                let scale = 10i64.pow(reference().minor_unit_digits(currency.as_str()));
                prop_assert!((0..=1_000_000_000_000 * scale).contains(&m.minor), "{:?}", m);
                let again = Money::from_major(&m.major_json(), currency);
                prop_assert_eq!(again.as_ref(), Ok(&m));
                let _ = (m.to_gbp_pence(), m.to_string());
            }
            Err(reason) => prop_assert!(!reason.trim().is_empty()),
        }
    }

    #[test]
    fn amounts_keep_their_minor_units_however_written(
        (currency, minor, as_text) in select(POOLS.currencies.clone()).prop_flat_map(|c| {
            let digits = reference().minor_unit_digits(&c);
            (Just(c), minor_units(digits), any::<bool>())
        }),
    ) {
        let digits = reference().minor_unit_digits(&currency);
        let currency = CurrencyCode::parse(&currency).map_err(fail)?;
        let m = Money::from_major(&major(minor, digits, as_text), currency).map_err(fail)?;
        prop_assert_eq!(m.minor as u64, minor);
    }
}

// ---------------------------------------------------------------------------
// Free text cleaning
// ---------------------------------------------------------------------------

fn tag() -> impl Strategy<Value = String> {
    (
        select(vec![
            "p", "/p", "br", "br /", "b", "/b", "div", "li", "span", "a", "h1", "/h1",
        ]),
        proptest::option::of("[a-z]{1,6}=\"[^<>\"]{0,10}\""),
    )
        .prop_map(|(name, attr)| match attr {
            Some(a) => format!("<{name} {a}>"),
            None => format!("<{name}>"),
        })
}

fn without_whitespace(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn strip_html_never_panics_and_leaves_no_complete_tag(s in wild_text()) {
        let out = text::strip_html(&s);
        prop_assert_eq!(out.trim(), out.as_str());
        // Without entities, a '<' can survive only as an unclosed last tag.
        if !s.contains('&')
            && let Some(i) = out.find('<')
        {
            prop_assert!(!out[i..].contains('>'), "{:?} became {:?}", s, out);
        }
    }

    #[test]
    fn strip_html_drops_the_tags_and_keeps_the_text_between(
        parts in vec(("[^<>&]{0,16}", tag()), 0..8),
        tail in "[^<>&]{0,16}",
    ) {
        let html: String = parts.iter().map(|(t, g)| format!("{t}{g}")).collect::<String>() + &tail;
        let plain: String = parts.iter().map(|(t, _)| t.as_str()).collect::<String>() + &tail;
        let out = text::strip_html(&html);
        prop_assert!(!out.contains('<') && !out.contains('>'), "{:?} became {:?}", html, out);
        prop_assert_eq!(without_whitespace(&out), without_whitespace(&plain));
    }

    #[test]
    fn numeric_entities_decode_to_their_character(c in any::<char>(), hex in any::<bool>()) {
        let entity = if hex { format!("&#x{:X};", c as u32) } else { format!("&#{};", c as u32) };
        let out = text::strip_html(&entity);
        if c.is_control() || c.is_whitespace() {
            prop_assert!(out.is_empty(), "{} became {:?}", entity, out);
        } else {
            prop_assert_eq!(out, c.to_string());
        }
    }

    #[test]
    fn tidy_whitespace_is_stable(s in wild_text()) {
        let once = text::tidy_whitespace(&s);
        prop_assert_eq!(text::tidy_whitespace(&once), once.clone());
        prop_assert!(!once.contains("\n\n\n"));
        for line in once.lines() {
            prop_assert_eq!(line.trim(), line);
        }
    }

    #[test]
    fn slugs_are_lowercase_hyphenated_and_stable(s in wild_text()) {
        let slug = text::slug(&s);
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        prop_assert!(slug.chars().all(allowed), "{:?}", slug);
        prop_assert!(
            !slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"),
            "{:?}", slug
        );
        prop_assert_eq!(text::slug(&slug), slug.clone());
        if !slug.is_empty() && slug.len() <= MAX_ID_LEN {
            prop_assert!(OrganisationId::parse(&slug).is_ok());
        }
    }
}
