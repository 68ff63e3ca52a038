//! Public procurement tenders in the Open Contracting Data Standard (1.0 and
//! 1.1): release packages, record packages and bare releases become buyers
//! and opportunities.
//!
//! Real feeds are dirty, so the mapping trims codes, strips HTML, keeps
//! classifications hcx cannot map as text, and deduplicates on `ocid`
//! (the latest release of a contracting process wins).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::codes::MAX_ID_LEN;
use crate::fields::Invalid;
use crate::interchange::{Batch, Location, Record};
use crate::reference::reference;
use crate::text::{slug, strip_html, tidy_whitespace};

/// Whether a JSON document looks like OCDS rather than an interchange record.
pub fn is_ocds(doc: &Value) -> bool {
    doc.get("releases").is_some() || doc.get("records").is_some() || doc.get("ocid").is_some()
}

/// Reads an OCDS document into buyers and opportunities.
pub fn read(doc: &Value) -> Batch {
    let mut batch = Batch::default();
    let publisher_country = doc
        .pointer("/publisher/uri")
        .and_then(Value::as_str)
        .and_then(country_from_uri);
    let releases: Vec<&Value> =
        if let Some(releases) = doc.get("releases").and_then(Value::as_array) {
            releases.iter().collect()
        } else if let Some(records) = doc.get("records").and_then(Value::as_array) {
            records
                .iter()
                .filter_map(|r| {
                    r.get("compiledRelease").or_else(|| {
                        r.get("releases")
                            .and_then(Value::as_array)
                            .and_then(|rs| rs.last())
                    })
                })
                .collect()
        } else {
            vec![doc]
        };

    // Latest release per ocid, remembering where it was.
    let mut latest: BTreeMap<String, (usize, &Value)> = BTreeMap::new();
    for (i, release) in releases.iter().enumerate() {
        let location = Location::Release(i + 1);
        let Some(ocid) = release.get("ocid").and_then(Value::as_str).map(str::trim) else {
            batch.refuse(location, Invalid::one("ocid", "is required"));
            continue;
        };
        let newer = match latest.get(ocid) {
            Some((_, seen)) => date_of(release) >= date_of(seen),
            None => true,
        };
        if newer {
            latest.insert(ocid.to_owned(), (i + 1, release));
        }
    }

    let mut buyers_seen = Vec::new();
    let mut ordered: Vec<(usize, &String, &Value)> =
        latest.iter().map(|(ocid, (n, r))| (*n, ocid, *r)).collect();
    ordered.sort_by_key(|(n, _, _)| *n);
    for (n, ocid, release) in ordered {
        let location = Location::Release(n);
        let Some(tender) = release.get("tender").filter(|t| t.is_object()) else {
            batch.refuse(
                location,
                Invalid::one(
                    "tender",
                    "is missing: only tenders can become opportunities",
                ),
            );
            continue;
        };
        let buyer = match buyer_of(release, ocid, publisher_country.as_deref()) {
            Ok(b) => b,
            Err(invalid) => {
                batch.refuse(location, invalid);
                continue;
            }
        };
        let buyer_id = buyer.get("id").cloned().unwrap_or(Value::Null);
        let country = buyer.get("country").cloned().unwrap_or(Value::Null);
        if !buyers_seen.contains(&buyer_id) {
            buyers_seen.push(buyer_id.clone());
            match Record::from_value(Value::Object(buyer)) {
                Ok(r) => batch.records.push((location.clone(), r)),
                Err(invalid) => {
                    batch.refuse(location, prefixed("buyer", invalid));
                    continue;
                }
            }
        }
        let opportunity = opportunity_of(release, tender, ocid, buyer_id, country);
        match Record::from_value(opportunity) {
            Ok(r) => batch.records.push((location, r)),
            Err(invalid) => batch.refuse(location, prefixed("tender", invalid)),
        }
    }
    batch
}

fn prefixed(prefix: &str, invalid: Invalid) -> Invalid {
    Invalid(
        invalid
            .0
            .into_iter()
            .map(|mut e| {
                e.field = if e.field.is_empty() {
                    prefix.to_owned()
                } else {
                    format!("{prefix}.{}", e.field)
                };
                e
            })
            .collect(),
    )
}

fn date_of(release: &Value) -> &str {
    release.get("date").and_then(Value::as_str).unwrap_or("")
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The country of a web address's country-code top-level domain (`.au` → AU, `.uk` → GB).
fn country_from_uri(uri: &str) -> Option<String> {
    let host = uri.split("://").nth(1)?.split(['/', ':', '?']).next()?;
    let tld = host.rsplit('.').next()?.to_ascii_uppercase();
    let code = if tld == "UK" { "GB".to_owned() } else { tld };
    (code.len() == 2 && reference().country(&code).is_some()).then_some(code)
}

/// The id hcx gives a party: the publisher's ocid prefix, then the party's id (or name).
fn party_id(ocid: &str, id: Option<&str>, name: &str) -> String {
    let prefix: Vec<&str> = ocid.splitn(3, '-').take(2).collect();
    let local = match id {
        Some(id) => id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '-'
                }
            })
            .collect(),
        None => slug(name),
    };
    let mut out = format!("{}:{local}", prefix.join("-"));
    // The ocid is the publisher's text and may be any Unicode: cut between characters.
    out.truncate(out.floor_char_boundary(MAX_ID_LEN));
    out
}

fn buyer_of(
    release: &Value,
    ocid: &str,
    publisher_country: Option<&str>,
) -> Result<Map<String, Value>, Invalid> {
    let buyer_ref = release.get("buyer");
    let ref_id = buyer_ref.and_then(|b| str_at(b, "/id"));
    let parties = release
        .get("parties")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let party = parties
        .iter()
        .find(|p| ref_id.is_some() && str_at(p, "/id") == ref_id)
        .or_else(|| {
            parties.iter().find(|p| {
                p.get("roles")
                    .and_then(Value::as_array)
                    .is_some_and(|roles| roles.iter().any(|r| r.as_str() == Some("buyer")))
            })
        });
    let name = buyer_ref
        .and_then(|b| str_at(b, "/name"))
        .or_else(|| party.and_then(|p| str_at(p, "/name")))
        .ok_or_else(|| Invalid::one("buyer.name", "no buyer is named"))?;
    let id = party_id(
        ocid,
        ref_id.or_else(|| party.and_then(|p| str_at(p, "/id"))),
        name,
    );
    let address = party
        .and_then(|p| p.get("address"))
        .or_else(|| buyer_ref.and_then(|b| b.get("address")));
    let country = address
        .and_then(|a| str_at(a, "/countryName"))
        .and_then(|n| reference().country_by_name(n))
        .map(|c| c.alpha2.clone())
        .or_else(|| publisher_country.map(str::to_owned))
        .ok_or_else(|| {
            Invalid::one(
                "buyer.address.countryName",
                "the buyer's country is not given and cannot be inferred from the publisher",
            )
        })?;
    let mut buyer = Map::new();
    buyer.insert("record".into(), json!("organisation"));
    buyer.insert("id".into(), json!(id));
    buyer.insert("name".into(), json!(tidy_whitespace(name)));
    buyer.insert("kind".into(), json!("buyer"));
    buyer.insert("sector".into(), json!("government"));
    buyer.insert("country".into(), json!(country));
    if let Some(city) = address.and_then(|a| str_at(a, "/locality")) {
        buyer.insert("city".into(), json!(city));
    }
    Ok(buyer)
}

fn opportunity_of(
    release: &Value,
    tender: &Value,
    ocid: &str,
    buyer: Value,
    country: Value,
) -> Value {
    let title = str_at(tender, "/title")
        .map(strip_html)
        .unwrap_or_else(|| ocid.to_owned());
    let description = str_at(tender, "/description")
        .map(strip_html)
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| title.clone());
    let mut o = Map::new();
    o.insert("record".into(), json!("opportunity"));
    o.insert("id".into(), json!(ocid));
    o.insert("buyer".into(), buyer);
    o.insert("country".into(), country);
    o.insert("title".into(), json!(title));
    o.insert("description".into(), json!(description));
    if let Some(lang) = str_at(release, "/language").map(|l| l.to_ascii_lowercase()) {
        let code = lang.get(..2).unwrap_or("");
        if reference().is_language(code) {
            o.insert("languages".into(), json!([code]));
        }
    }
    if let Some(value) = tender.get("value").or_else(|| tender.get("minValue"))
        && value.get("amount").is_some_and(|a| !a.is_null())
    {
        o.insert(
            "value".into(),
            json!({"amount": value["amount"], "currency": str_at(value, "/currency").unwrap_or("")}),
        );
    }
    if let Some(due) = str_at(tender, "/tenderPeriod/endDate").and_then(|d| d.get(..10)) {
        o.insert("response_due".into(), json!(due));
    }
    if let Some(start) = str_at(tender, "/contractPeriod/startDate").and_then(|d| d.get(..10)) {
        o.insert("starts".into(), json!(start));
    }
    if let Some(months) = contract_months(tender) {
        o.insert("duration_months".into(), json!(months));
    }
    o.insert("source".into(), json!("tender"));
    o.insert("status".into(), json!(status_of(str_at(tender, "/status"))));
    let classifications = classifications_of(tender);
    if !classifications.is_empty() {
        o.insert("classifications".into(), Value::Array(classifications));
    }
    Value::Object(o)
}

fn status_of(tender_status: Option<&str>) -> &'static str {
    match tender_status {
        Some("complete" | "unsuccessful") => "closed",
        Some("cancelled" | "withdrawn") => "withdrawn",
        _ => "published",
    }
}

fn contract_months(tender: &Value) -> Option<u64> {
    let days = tender
        .pointer("/contractPeriod/durationInDays")
        .and_then(Value::as_f64)
        .or_else(|| {
            let start = str_at(tender, "/contractPeriod/startDate")?.get(..10)?;
            let end = str_at(tender, "/contractPeriod/endDate")?.get(..10)?;
            let parse = |s: &str| crate::fields::parse_date(s).ok();
            Some((parse(end)? - parse(start)?).whole_days() as f64)
        })?;
    (days > 0.0).then(|| ((days / 30.44).round() as u64).max(1))
}

fn classifications_of(tender: &Value) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let items = tender
        .get("items")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    for item in items {
        let additional = item
            .get("additionalClassifications")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        for c in item.get("classification").into_iter().chain(additional) {
            let Some(id) = c.get("id").and_then(clean_code) else {
                continue;
            };
            let scheme = str_at(c, "/scheme")
                .unwrap_or("unknown")
                .to_ascii_uppercase();
            let id = if scheme == "CPV" {
                id.strip_suffix(".0").map(str::to_owned).unwrap_or(id)
            } else {
                id
            };
            let mut entry = json!({"scheme": scheme, "id": id});
            if let Some(d) = str_at(c, "/description") {
                entry["description"] = json!(strip_html(d));
            }
            if !out
                .iter()
                .any(|e| e["scheme"] == entry["scheme"] && e["id"] == entry["id"])
            {
                out.push(entry);
            }
        }
    }
    out
}

/// A code as text, trimmed; sources write codes as strings or numbers.
fn clean_code(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opportunity::Opportunity;

    fn opportunities(batch: &Batch) -> Vec<&Opportunity> {
        batch
            .records
            .iter()
            .filter_map(|(_, r)| match r {
                Record::Opportunity(o) => Some(o),
                _ => None,
            })
            .collect()
    }

    fn load(name: &str) -> Batch {
        let path = format!("{}/../../data/ocds/{name}", env!("CARGO_MANIFEST_DIR"));
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert!(is_ocds(&doc));
        read(&doc)
    }

    #[test]
    fn the_fictional_package_maps_value_periods_and_classifications() {
        let batch = load("fictional-tender-package-1.1.json");
        assert!(batch.errors.is_empty(), "{:?}", batch.errors);
        let o = opportunities(&batch)[0];
        assert_eq!(o.id.as_str(), "ocds-213czf-000-00001");
        assert_eq!(o.buyer.as_str(), "ocds-213czf:GB-LAC-E09000003");
        assert_eq!(o.country.as_str(), "GB");
        assert_eq!(o.value.as_ref().unwrap().minor, 110_000_000);
        assert_eq!(
            crate::opportunity::format_date(o.response_due.unwrap()),
            "2010-04-01"
        );
        assert_eq!(o.duration_months, Some(12));
        assert_eq!(o.classifications[0].id, "45233130");
        assert_eq!(o.classifications[1].id, "45233162-2");
    }

    #[test]
    fn the_dirty_nsw_package_is_cleaned() {
        let batch = load("nsw-belmont-hospital-tender.json");
        assert!(batch.errors.is_empty(), "{:?}", batch.errors);
        let o = opportunities(&batch)[0];
        assert_eq!(o.country.as_str(), "AU");
        assert!(o.value.is_none());
        assert!(!o.description.contains('<') && !o.description.contains("&nbsp;"));
        assert!(o.description.starts_with("The extent of works"));
        assert_eq!(o.classifications[0].id, "81101508");
        assert_eq!(o.classifications[0].scheme, "UNSPSC");
        assert_eq!(o.status.as_str(), "closed");
    }

    #[test]
    fn a_bare_uk_release_imports() {
        let batch = load("uk-contracts-finder-wellbeing-college.json");
        assert!(batch.errors.is_empty(), "{:?}", batch.errors);
        let o = opportunities(&batch)[0];
        assert_eq!(o.title, "Wellbeing College");
        assert_eq!(o.country.as_str(), "GB");
        assert_eq!(o.value.as_ref().unwrap().currency.as_str(), "GBP");
    }

    #[test]
    fn repeated_ocids_keep_the_latest_release() {
        let doc = json!({"releases": [
            {"ocid": "ocds-abc-1", "date": "2020-01-02", "buyer": {"name": "Ministry of Health", "address": {"countryName": "Jordan"}}, "tender": {"title": "New"}},
            {"ocid": "ocds-abc-1", "date": "2020-01-01", "buyer": {"name": "Ministry of Health", "address": {"countryName": "Jordan"}}, "tender": {"title": "Old"}},
        ]});
        let batch = read(&doc);
        let opps = opportunities(&batch);
        assert_eq!(opps.len(), 1);
        assert_eq!(opps[0].title, "New");
    }

    #[test]
    fn a_release_without_a_country_or_tender_is_reported() {
        let doc = json!({"releases": [
            {"ocid": "ocds-abc-1", "buyer": {"name": "Somewhere"}, "tender": {"title": "x"}},
            {"ocid": "ocds-abc-2", "buyer": {"name": "Somewhere"}},
            {"buyer": {"name": "Somewhere"}},
        ]});
        let errors = read(&doc).sorted_errors();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["buyer.address.countryName", "tender", "ocid"]);
    }
}
