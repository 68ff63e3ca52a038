use std::path::Path;

use hcx_domain::access::OpportunityScope;
use hcx_domain::vocab::{DeliveryMode, ServiceLine, Source};
use hcx_domain::{
    CountryCode, Offer, OfferId, Opportunity, OpportunityId, OrganisationId, Record, SpecialtyCode,
    Status, ValueBand,
};

use super::*;

/// An opportunity read from an interchange line; `fields` override the defaults.
fn opportunity(id: &str, fields: &str) -> Opportunity {
    let line = format!(
        r#"{{"record":"opportunity","id":"{id}","buyer":"KHCF","country":"JO","title":"Untitled","description":"Nothing yet.","source":"post","status":"published",{fields}}}"#
    );
    match Record::parse_line(&line) {
        Ok(Record::Opportunity(o)) => o,
        other => panic!("{line}: {other:?}"),
    }
}

/// An offer read from an interchange line; `fields` override the defaults.
fn offer(id: &str, fields: &str) -> Offer {
    let line = format!(
        r#"{{"record":"offer","id":"{id}","provider":"RR8","title":"Untitled","description":"Nothing yet.","service_lines":["consultancy"],"delivery_modes":["remote"],{fields}}}"#
    );
    match Record::parse_line(&line) {
        Ok(Record::Offer(o)) => o,
        other => panic!("{line}: {other:?}"),
    }
}

/// Opportunities in Jordan, Saudi Arabia and the UAE, updated in the order listed.
fn gulf_opportunities() -> Vec<Opportunity> {
    vec![
        opportunity(
            "jo-onc",
            r#""country":"JO","title":"Paediatric oncology service development","description":"Train staff for a children's cancer unit.","service_lines":["consultancy","education_training"],"specialties":["370"],"value":{"amount":500000,"currency":"GBP"}"#,
        ),
        opportunity(
            "jo-icu",
            r#""country":"JO","title":"Critical care outreach","description":"Nurses for an intensive care unit (ICU).","service_lines":["education_training"],"specialties":["192"],"source":"tender""#,
        ),
        opportunity(
            "sa-eye",
            r#""country":"SA","title":"Ophthalmology clinic operation","description":"Run an eye hospital.","service_lines":["service_operation"],"specialties":["130"],"status":"closed","value":{"amount":20000000,"currency":"GBP"}"#,
        ),
        opportunity(
            "sa-onc",
            r#""country":"SA","title":"Cancer registry advice","description":"Advice on a national oncology registry.","service_lines":["consultancy"],"specialties":["370","800"],"source":"tender""#,
        ),
        opportunity(
            "ae-nurse",
            r#""country":"AE","title":"Nurse leadership programme","description":"Leadership training for senior nurses.","service_lines":["education_training"],"value":{"amount":50000,"currency":"GBP"}"#,
        ),
    ]
}

fn index_of(opportunities: &[Opportunity]) -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    let mut w = index.writer();
    for (i, o) in opportunities.iter().enumerate() {
        w.put_opportunity(o, "King Hussein Cancer Foundation", i as i64)
            .unwrap();
    }
    w.commit(1).unwrap();
    index
}

fn text(t: &str) -> OpportunityQuery {
    OpportunityQuery {
        text: Some(t.to_owned()),
        ..OpportunityQuery::default()
    }
}

fn ids(hits: &OpportunityHits) -> Vec<&str> {
    hits.hits.iter().map(|h| h.id.as_str()).collect()
}

fn sorted_ids(hits: &OpportunityHits) -> Vec<&str> {
    let mut ids = ids(hits);
    ids.sort_unstable();
    ids
}

fn count<T: PartialEq>(facet: &[FacetCount<T>], value: &T) -> Option<u64> {
    facet.iter().find(|f| &f.value == value).map(|f| f.count)
}

fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).unwrap()
}

fn specialty(code: &str) -> SpecialtyCode {
    SpecialtyCode::parse(code).unwrap()
}

fn organisation(id: &str) -> OrganisationId {
    OrganisationId::parse(id).unwrap()
}

/// The agency's scope, for searches that must see every opportunity.
fn everything() -> OpportunityScope {
    OpportunityScope {
        everything: true,
        ..OpportunityScope::default()
    }
}

fn buyers(ids: &[&str]) -> OpportunityScope {
    OpportunityScope {
        buyers: ids.iter().map(|id| organisation(id)).collect(),
        ..OpportunityScope::default()
    }
}

fn countries(codes: &[&str]) -> OpportunityScope {
    OpportunityScope {
        countries: codes.iter().map(|code| country(code)).collect(),
        ..OpportunityScope::default()
    }
}

fn scoped(scope: OpportunityScope) -> OpportunityQuery {
    OpportunityQuery {
        scope,
        ..OpportunityQuery::default()
    }
}

/// Nurse-training opportunities of three buyers in every status, updated in
/// the order listed: two public, four that only some may see.
fn opportunities_in_every_status() -> Vec<Opportunity> {
    [
        ("pub-jo", "KHCF", "JO", "published"),
        ("closed-sa", "MOH-SA", "SA", "closed"),
        ("draft-jo", "KHCF", "JO", "draft"),
        ("draft-sa", "MOH-SA", "SA", "draft"),
        ("pending-ae", "MOH-AE", "AE", "pending_review"),
        ("withdrawn-ae", "MOH-AE", "AE", "withdrawn"),
    ]
    .into_iter()
    .map(|(id, buyer, country, status)| {
        opportunity(
            id,
            &format!(
                r#""buyer":"{buyer}","country":"{country}","status":"{status}","title":"Nurse training {id}""#
            ),
        )
    })
    .collect()
}

/// Asserts that each single-valued facet counts exactly the `total` matches,
/// so no facet can reveal a document the total leaves out.
fn assert_facets_count_only_the_matches(hits: &OpportunityHits) {
    let f = &hits.facets;
    let sum = |counts: Vec<u64>| counts.into_iter().sum::<u64>();
    assert_eq!(
        sum(f.countries.iter().map(|c| c.count).collect()),
        hits.total
    );
    assert_eq!(
        sum(f.statuses.iter().map(|c| c.count).collect()),
        hits.total
    );
    assert_eq!(sum(f.sources.iter().map(|c| c.count).collect()), hits.total);
    assert_eq!(
        sum(f.value_bands.iter().map(|c| c.count).collect()),
        hits.total
    );
}

#[test]
fn plural_words_find_their_singular_and_back() {
    let index = index_of(&gulf_opportunities());
    let nurses = index.search_opportunities(&text("nursing")).unwrap();
    assert_eq!(sorted_ids(&nurses), ["ae-nurse", "jo-icu"]);
    let nurse = index.search_opportunities(&text("NURSE")).unwrap();
    assert_eq!(sorted_ids(&nurse), ["ae-nurse", "jo-icu"]);
}

#[test]
fn specialty_buyer_and_country_names_and_codes_are_searchable() {
    let index = index_of(&gulf_opportunities());
    let oncology = index
        .search_opportunities(&text("clinical oncology"))
        .unwrap();
    assert_eq!(ids(&oncology), ["sa-onc"]);
    let named = |t: &str| OpportunityQuery {
        buyer_names: true,
        ..text(t)
    };
    let buyer = index.search_opportunities(&named("hussein")).unwrap();
    assert_eq!(buyer.total, 5);
    let saudi = index.search_opportunities(&text("saudi arabia")).unwrap();
    assert_eq!(sorted_ids(&saudi), ["sa-eye", "sa-onc"]);
    let code = index.search_opportunities(&text("ae")).unwrap();
    assert_eq!(ids(&code), ["ae-nurse"]);
}

#[test]
fn a_title_match_ranks_above_a_description_match() {
    let index = index_of(&[
        opportunity(
            "body",
            r#""title":"Registry advice","description":"Advice on a cancer registry.""#,
        ),
        opportunity(
            "title",
            r#""title":"Cancer registry","description":"Advice on a national registry.""#,
        ),
    ]);
    let hits = index.search_opportunities(&text("cancer")).unwrap();
    assert_eq!(ids(&hits), ["title", "body"]);
    assert!(hits.hits[0].score > hits.hits[1].score);
}

#[test]
fn every_word_typed_must_match_but_stop_words_need_not() {
    let index = index_of(&gulf_opportunities());
    let both = index.search_opportunities(&text("nurses jordan")).unwrap();
    assert_eq!(ids(&both), ["jo-icu"]);
    let with_stop_words = index
        .search_opportunities(&text("nurses in the Jordan"))
        .unwrap();
    assert_eq!(ids(&with_stop_words), ["jo-icu"]);
}

#[test]
fn junk_typed_into_the_search_box_never_fails_a_search() {
    let index = index_of(&gulf_opportunities());
    let icu = index.search_opportunities(&text("ICU AND (")).unwrap();
    assert_eq!(ids(&icu), ["jo-icu"]);
    for junk in [
        "\"unclosed phrase",
        "title:",
        ":::",
        "(((",
        ")",
        "-",
        "*",
        "AND OR NOT",
        "^2",
        "status:published",
        "oncology~",
        "[a TO",
        "",
        "   ",
    ] {
        let hits = index.search_opportunities(&text(junk));
        assert!(hits.is_ok(), "{junk:?}: {hits:?}");
    }
}

#[test]
fn text_with_nothing_to_match_is_treated_as_no_text() {
    let index = index_of(&gulf_opportunities());
    for nothing in ["", "  ", "(((", "the", "!!!"] {
        let hits = index.search_opportunities(&text(nothing)).unwrap();
        assert_eq!(hits.total, 5, "{nothing:?}");
    }
}

#[test]
fn filters_accept_any_value_of_one_filter_and_must_all_pass() {
    let index = index_of(&gulf_opportunities());
    let query = OpportunityQuery {
        countries: vec![country("JO"), country("SA")],
        specialties: vec![specialty("370"), specialty("130")],
        ..OpportunityQuery::default()
    };
    let hits = index.search_opportunities(&query).unwrap();
    assert_eq!(hits.total, 3);
    assert_eq!(sorted_ids(&hits), ["jo-onc", "sa-eye", "sa-onc"]);
    let narrower = OpportunityQuery {
        statuses: vec![Status::Published],
        sources: vec![Source::Tender],
        ..query
    };
    let hits = index.search_opportunities(&narrower).unwrap();
    assert_eq!(ids(&hits), ["sa-onc"]);
}

#[test]
fn text_and_filters_combine() {
    let index = index_of(&gulf_opportunities());
    let query = OpportunityQuery {
        text: Some("oncology".into()),
        countries: vec![country("JO")],
        ..OpportunityQuery::default()
    };
    let hits = index.search_opportunities(&query).unwrap();
    assert_eq!(ids(&hits), ["jo-onc"]);
}

#[test]
fn facets_count_every_match_of_the_text() {
    let index = index_of(&gulf_opportunities());
    let hits = index.search_opportunities(&text("oncology")).unwrap();
    let f = &hits.facets;
    assert_eq!(hits.total, 2);
    assert_eq!(count(&f.countries, &country("JO")), Some(1));
    assert_eq!(count(&f.countries, &country("SA")), Some(1));
    assert_eq!(count(&f.countries, &country("AE")), None);
    assert_eq!(count(&f.specialties, &specialty("370")), Some(2));
    assert_eq!(count(&f.specialties, &specialty("800")), Some(1));
    assert_eq!(count(&f.service_lines, &ServiceLine::Consultancy), Some(2));
    assert_eq!(
        count(&f.service_lines, &ServiceLine::EducationTraining),
        Some(1)
    );
    assert_eq!(count(&f.statuses, &Status::Published), Some(2));
    assert_eq!(count(&f.sources, &Source::Post), Some(1));
    assert_eq!(count(&f.sources, &Source::Tender), Some(1));
    assert_eq!(
        count(&f.value_bands, &ValueBand::From100kTo1m),
        Some(1),
        "£500k"
    );
    assert_eq!(count(&f.value_bands, &ValueBand::Unknown), Some(1));
}

#[test]
fn facets_list_the_most_frequent_value_first() {
    let index = index_of(&gulf_opportunities());
    let hits = index
        .search_opportunities(&OpportunityQuery::default())
        .unwrap();
    let lines: Vec<_> = hits
        .facets
        .service_lines
        .iter()
        .map(|f| (f.value, f.count))
        .collect();
    assert_eq!(
        lines,
        [
            (ServiceLine::EducationTraining, 3),
            (ServiceLine::Consultancy, 2),
            (ServiceLine::ServiceOperation, 1),
        ]
    );
}

#[test]
fn a_country_filter_keeps_other_country_counts() {
    let index = index_of(&gulf_opportunities());
    let query = OpportunityQuery {
        countries: vec![country("JO")],
        ..OpportunityQuery::default()
    };
    let hits = index.search_opportunities(&query).unwrap();
    let f = &hits.facets;
    assert_eq!(hits.total, 2);
    assert_eq!(count(&f.countries, &country("JO")), Some(2));
    assert_eq!(count(&f.countries, &country("SA")), Some(2));
    assert_eq!(count(&f.countries, &country("AE")), Some(1));
    // Other facets are narrowed by the country.
    assert_eq!(count(&f.specialties, &specialty("130")), None);
    assert_eq!(count(&f.specialties, &specialty("370")), Some(1));
}

#[test]
fn each_facet_is_narrowed_by_every_filter_but_its_own() {
    let index = index_of(&gulf_opportunities());
    let query = OpportunityQuery {
        countries: vec![country("SA")],
        specialties: vec![specialty("370")],
        ..OpportunityQuery::default()
    };
    let hits = index.search_opportunities(&query).unwrap();
    let f = &hits.facets;
    assert_eq!(ids(&hits), ["sa-onc"]);
    // Countries of oncology opportunities.
    assert_eq!(count(&f.countries, &country("JO")), Some(1));
    assert_eq!(count(&f.countries, &country("SA")), Some(1));
    // Specialties of Saudi opportunities.
    assert_eq!(count(&f.specialties, &specialty("130")), Some(1));
    assert_eq!(count(&f.specialties, &specialty("800")), Some(1));
    // Everything else: the one full match.
    assert_eq!(count(&f.statuses, &Status::Published), Some(1));
    assert_eq!(count(&f.statuses, &Status::Closed), None);
}

#[test]
fn a_chosen_value_without_matches_still_appears_in_its_facet() {
    let index = index_of(&gulf_opportunities());
    let query = OpportunityQuery {
        text: Some("nurse".into()),
        countries: vec![country("SA")],
        ..OpportunityQuery::default()
    };
    let hits = index.search_opportunities(&query).unwrap();
    assert_eq!(hits.total, 0);
    assert_eq!(count(&hits.facets.countries, &country("SA")), Some(0));
    assert_eq!(count(&hits.facets.countries, &country("JO")), Some(1));
}

#[test]
fn without_text_the_most_recently_updated_come_first_then_by_id() {
    let index = SearchIndex::in_memory().unwrap();
    let mut w = index.writer();
    for (id, updated_at) in [("b", 5), ("a", 5), ("c", 9), ("d", 1)] {
        w.put_opportunity(&opportunity(id, r#""title":"x""#), "Buyer", updated_at)
            .unwrap();
    }
    w.commit(1).unwrap();
    let hits = index
        .search_opportunities(&OpportunityQuery::default())
        .unwrap();
    assert_eq!(ids(&hits), ["c", "a", "b", "d"]);
    assert!(hits.hits.iter().all(|h| h.score == 0.0));
}

#[test]
fn pages_across_segments_follow_one_order_without_gaps_or_repeats() {
    let index = SearchIndex::in_memory().unwrap();
    // A commit per batch leaves several segments to merge results from.
    for batch in 0..4 {
        let mut w = index.writer();
        for i in 0..10 {
            let n = batch * 10 + i;
            let o = opportunity(&format!("opp-{n:02}"), r#""title":"Nurse training""#);
            w.put_opportunity(&o, "Buyer", n % 7).unwrap();
        }
        w.commit(batch + 1).unwrap();
    }
    let all = index
        .search_opportunities(&OpportunityQuery {
            limit: 40,
            ..OpportunityQuery::default()
        })
        .unwrap();
    let mut paged = Vec::new();
    for page in 0..5 {
        let hits = index
            .search_opportunities(&OpportunityQuery {
                offset: page * 9,
                limit: 9,
                ..OpportunityQuery::default()
            })
            .unwrap();
        assert_eq!(hits.total, 40);
        paged.extend(hits.hits.into_iter().map(|h| h.id));
    }
    let all: Vec<OpportunityId> = all.hits.into_iter().map(|h| h.id).collect();
    assert_eq!(paged, all);
    let mut expected: Vec<(i64, String)> = (0..40)
        .map(|n| (-(n % 7_i64), format!("opp-{n:02}")))
        .collect();
    expected.sort();
    let expected: Vec<&str> = expected.iter().map(|(_, id)| id.as_str()).collect();
    let all: Vec<&str> = all.iter().map(OpportunityId::as_str).collect();
    assert_eq!(all, expected);
}

#[test]
fn a_limit_of_zero_gives_the_total_and_facets_only() {
    let index = index_of(&gulf_opportunities());
    let hits = index
        .search_opportunities(&OpportunityQuery {
            limit: 0,
            ..OpportunityQuery::default()
        })
        .unwrap();
    assert_eq!(hits.total, 5);
    assert!(hits.hits.is_empty());
    assert_eq!(hits.facets.countries.len(), 3);
}

#[test]
fn putting_an_opportunity_again_replaces_it() {
    let index = index_of(&gulf_opportunities());
    let mut w = index.writer();
    let moved = opportunity(
        "jo-onc",
        r#""country":"AE","title":"Haematology advice","status":"withdrawn""#,
    );
    w.put_opportunity(&moved, "Abu Dhabi Health", 10).unwrap();
    w.commit(2).unwrap();
    let all = index.search_opportunities(&scoped(everything())).unwrap();
    assert_eq!(all.total, 5);
    assert_eq!(ids(&all)[0], "jo-onc");
    assert!(
        index
            .search_opportunities(&text("paediatric"))
            .unwrap()
            .hits
            .is_empty()
    );
    let abu_dhabi = OpportunityQuery {
        scope: everything(),
        buyer_names: true,
        ..text("abu dhabi")
    };
    assert_eq!(
        ids(&index.search_opportunities(&abu_dhabi).unwrap()),
        ["jo-onc"]
    );
    assert_eq!(count(&all.facets.statuses, &Status::Withdrawn), Some(1));
    assert_eq!(count(&all.facets.countries, &country("JO")), Some(1));
}

#[test]
fn the_last_put_in_a_batch_wins() {
    let index = SearchIndex::in_memory().unwrap();
    let mut w = index.writer();
    w.put_opportunity(&opportunity("x", r#""title":"First""#), "B", 1)
        .unwrap();
    w.put_opportunity(&opportunity("x", r#""title":"Second""#), "B", 2)
        .unwrap();
    w.commit(1).unwrap();
    assert_eq!(index.search_opportunities(&text("first")).unwrap().total, 0);
    assert_eq!(
        index.search_opportunities(&text("second")).unwrap().total,
        1
    );
}

#[test]
fn a_deleted_opportunity_is_no_longer_found() {
    let index = index_of(&gulf_opportunities());
    let mut w = index.writer();
    w.delete_opportunity(&OpportunityId::parse("sa-onc").unwrap());
    w.delete_opportunity(&OpportunityId::parse("never-indexed").unwrap());
    w.commit(2).unwrap();
    let hits = index.search_opportunities(&text("oncology")).unwrap();
    assert_eq!(ids(&hits), ["jo-onc"]);
    assert_eq!(count(&hits.facets.specialties, &specialty("800")), None);
}

#[test]
fn clearing_empties_the_index_but_keeps_the_puts_after_it() {
    let index = index_of(&gulf_opportunities());
    let mut w = index.writer();
    w.put_offer(&offer("RR8-x", r#""title":"Stale offer""#), "Leeds", 1)
        .unwrap();
    w.clear();
    w.put_opportunity(&opportunity("fresh", r#""title":"Fresh""#), "B", 1)
        .unwrap();
    w.commit(7).unwrap();
    let all = index
        .search_opportunities(&OpportunityQuery::default())
        .unwrap();
    assert_eq!(ids(&all), ["fresh"]);
    assert_eq!(
        index.search_offers(&OfferQuery::default()).unwrap().total,
        0
    );
    assert_eq!(index.applied_seq(), 7);
}

#[test]
fn an_uncommitted_batch_is_discarded() {
    let index = index_of(&gulf_opportunities());
    {
        let mut w = index.writer();
        w.delete_opportunity(&OpportunityId::parse("jo-onc").unwrap());
        w.put_opportunity(&opportunity("dropped", r#""title":"x""#), "B", 1)
            .unwrap();
    }
    let mut w = index.writer();
    w.put_opportunity(&opportunity("kept", r#""title":"x""#), "B", 1)
        .unwrap();
    w.commit(3).unwrap();
    let all = index
        .search_opportunities(&OpportunityQuery {
            limit: 10,
            ..OpportunityQuery::default()
        })
        .unwrap();
    assert_eq!(all.total, 6);
    assert!(ids(&all).contains(&"jo-onc"));
    assert!(!ids(&all).contains(&"dropped"));
    assert_eq!(index.applied_seq(), 3);
}

#[test]
fn opportunities_and_offers_with_the_same_id_are_kept_apart() {
    let index = SearchIndex::in_memory().unwrap();
    let mut w = index.writer();
    w.put_opportunity(&opportunity("same", r#""title":"Oncology""#), "B", 1)
        .unwrap();
    w.put_offer(&offer("same", r#""title":"Oncology""#), "P", 1)
        .unwrap();
    w.commit(1).unwrap();
    let mut w = index.writer();
    w.delete_offer(&OfferId::parse("same").unwrap());
    w.commit(2).unwrap();
    let query = text("oncology");
    assert_eq!(ids(&index.search_opportunities(&query).unwrap()), ["same"]);
    let offers = index
        .search_offers(&OfferQuery {
            text: query.text,
            ..OfferQuery::default()
        })
        .unwrap();
    assert_eq!(offers.total, 0);
}

#[test]
fn offers_are_found_by_text_and_filtered_and_faceted_by_their_own_dimensions() {
    let index = SearchIndex::in_memory().unwrap();
    let mut w = index.writer();
    let offers = [
        offer(
            "RR8-onc-edu",
            r#""title":"Oncology nursing education programme","description":"Chemotherapy training for nurses.","service_lines":["education_training"],"specialties":["370","315"],"delivery_modes":["in_country","remote"],"countries_of_experience":["JO","IE"]"#,
        ),
        offer(
            "RR8-icu",
            r#""title":"Critical care tele-rounds","service_lines":["digital","clinical_advice"],"specialties":["192"],"delivery_modes":["remote"],"countries_of_experience":["SA"]"#,
        ),
        offer(
            "RHM-eye",
            r#""provider":"RHM","title":"Eye hospital management","service_lines":["service_operation"],"specialties":["130"],"delivery_modes":["in_country"],"countries_of_experience":["JO"]"#,
        ),
    ];
    for (i, o) in offers.iter().enumerate() {
        let name = if o.provider.as_str() == "RR8" {
            "Leeds Teaching Hospitals"
        } else {
            "Moorfields"
        };
        w.put_offer(o, name, i as i64).unwrap();
    }
    w.commit(1).unwrap();
    let offer_ids = |hits: &OfferHits| {
        let mut ids: Vec<String> = hits.hits.iter().map(|h| h.id.to_string()).collect();
        ids.sort();
        ids
    };

    let by_text = index
        .search_offers(&OfferQuery {
            text: Some("palliative nurses ireland leeds".into()),
            ..OfferQuery::default()
        })
        .unwrap();
    assert_eq!(offer_ids(&by_text), ["RR8-onc-edu"]);

    let remote_in_jordan = OfferQuery {
        countries: vec![country("JO")],
        delivery_modes: vec![DeliveryMode::Remote],
        ..OfferQuery::default()
    };
    let hits = index.search_offers(&remote_in_jordan).unwrap();
    assert_eq!(offer_ids(&hits), ["RR8-onc-edu"]);
    let f = &hits.facets;
    assert_eq!(count(&f.delivery_modes, &DeliveryMode::InCountry), Some(2));
    assert_eq!(count(&f.delivery_modes, &DeliveryMode::Remote), Some(1));
    assert_eq!(count(&f.countries, &country("SA")), Some(1));
    assert_eq!(count(&f.countries, &country("IE")), Some(1));
    assert_eq!(count(&f.specialties, &specialty("315")), Some(1));
    assert_eq!(
        count(&f.service_lines, &ServiceLine::EducationTraining),
        Some(1)
    );

    let by_provider = index
        .search_offers(&OfferQuery {
            providers: vec![OrganisationId::parse("RHM").unwrap()],
            ..OfferQuery::default()
        })
        .unwrap();
    assert_eq!(offer_ids(&by_provider), ["RHM-eye"]);
    let rr8 = OrganisationId::parse("RR8").unwrap();
    assert_eq!(count(&by_provider.facets.providers, &rr8), Some(2));
}

#[test]
fn a_new_index_needs_rebuilding_until_its_first_commit() {
    let index = SearchIndex::in_memory().unwrap();
    assert!(index.needs_rebuild());
    assert_eq!(index.applied_seq(), 0);
    index.writer().commit(0).unwrap();
    assert!(!index.needs_rebuild());
}

#[test]
fn the_applied_sequence_and_documents_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        assert!(index.needs_rebuild());
        assert_eq!(index.applied_seq(), 0);
        let mut w = index.writer();
        for (i, o) in gulf_opportunities().iter().enumerate() {
            w.put_opportunity(o, "Buyer", i as i64).unwrap();
        }
        w.commit(42).unwrap();
        assert_eq!(index.applied_seq(), 42);
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert!(!index.needs_rebuild());
    assert_eq!(index.applied_seq(), 42);
    let hits = index.search_opportunities(&text("nurses")).unwrap();
    assert_eq!(hits.total, 2);
}

/// Writes a tantivy index in `dir` that this crate did not make.
fn foreign_index(dir: &Path, schema: Schema, payload: &str) {
    let index = Index::create_in_dir(dir, schema).unwrap();
    let mut writer: IndexWriter = index.writer(15_000_000).unwrap();
    let mut prepared = writer.prepare_commit().unwrap();
    prepared.set_payload(payload);
    prepared.commit().unwrap();
}

#[test]
fn an_index_with_another_schema_is_wiped_and_flagged_for_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let mut old = Schema::builder();
    old.add_text_field("title", tantivy::schema::TEXT);
    foreign_index(dir.path(), old.build(), &schema::payload(99));
    let stray = dir.path().join("notes");
    fs::create_dir(&stray).unwrap();

    let index = SearchIndex::open(dir.path()).unwrap();
    assert!(index.needs_rebuild());
    assert_eq!(index.applied_seq(), 0);
    assert!(stray.exists(), "only the index's own files are removed");
    let mut w = index.writer();
    w.put_opportunity(&gulf_opportunities()[0], "Buyer", 1)
        .unwrap();
    w.commit(5).unwrap();
    drop(index);

    let reopened = SearchIndex::open(dir.path()).unwrap();
    assert!(!reopened.needs_rebuild());
    assert_eq!(reopened.applied_seq(), 5);
}

#[test]
fn an_index_written_by_another_format_is_wiped_and_flagged_for_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    foreign_index(
        dir.path(),
        schema::schema().0,
        "hcx-search/0 applied_seq=12",
    );
    let index = SearchIndex::open(dir.path()).unwrap();
    assert!(index.needs_rebuild());
    assert_eq!(index.applied_seq(), 0);
}

#[test]
fn the_index_is_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<SearchIndex>();
    let index = std::sync::Arc::new(index_of(&gulf_opportunities()));
    let searchers: Vec<_> = (0..4)
        .map(|_| {
            let index = index.clone();
            std::thread::spawn(move || index.search_opportunities(&text("nurses")).unwrap().total)
        })
        .collect();
    let mut w = index.writer();
    w.delete_opportunity(&OpportunityId::parse("jo-icu").unwrap());
    w.commit(2).unwrap();
    for searcher in searchers {
        assert!(matches!(searcher.join().unwrap(), 1 | 2));
    }
    assert_eq!(
        index.search_opportunities(&text("nurses")).unwrap().total,
        1
    );
}

#[test]
fn a_repeated_search_sees_every_commit_made_since() {
    let index = index_of(&gulf_opportunities());
    let query = text("nurse");
    let before = index.search_opportunities(&query).unwrap();
    assert_eq!(
        index.search_opportunities(&query).unwrap(),
        before,
        "asked twice, answered alike"
    );
    let mut w = index.writer();
    w.put_opportunity(
        &opportunity("om-nurse", r#""country":"OM","title":"Nurse education""#),
        "Ministry of Health",
        9,
    )
    .unwrap();
    w.delete_opportunity(&OpportunityId::parse("ae-nurse").unwrap());
    w.commit(2).unwrap();
    let after = index.search_opportunities(&query).unwrap();
    assert!(ids(&after).contains(&"om-nurse"));
    assert!(!ids(&after).contains(&"ae-nurse"));
    assert_eq!(after.total, before.total);
}

#[test]
fn a_public_search_never_reveals_an_opportunity_that_is_not_public() {
    let index = index_of(&opportunities_in_every_status());
    let public = index
        .search_opportunities(&OpportunityQuery::default())
        .unwrap();
    assert_eq!(public.total, 2);
    assert_eq!(ids(&public), ["closed-sa", "pub-jo"]);
    assert_facets_count_only_the_matches(&public);
    let f = &public.facets;
    assert_eq!(count(&f.statuses, &Status::Published), Some(1));
    assert_eq!(count(&f.statuses, &Status::Closed), Some(1));
    for hidden in [Status::Draft, Status::PendingReview, Status::Withdrawn] {
        assert_eq!(count(&f.statuses, &hidden), None, "{hidden:?}");
    }
    assert_eq!(count(&f.countries, &country("JO")), Some(1));
    assert_eq!(count(&f.countries, &country("SA")), Some(1));
    assert_eq!(count(&f.countries, &country("AE")), None);
}

#[test]
fn asking_for_hidden_statuses_or_countries_finds_nothing_and_counts_nothing() {
    let index = index_of(&opportunities_in_every_status());
    let drafts = index
        .search_opportunities(&OpportunityQuery {
            statuses: vec![Status::Draft, Status::Withdrawn],
            ..OpportunityQuery::default()
        })
        .unwrap();
    assert_eq!(drafts.total, 0);
    assert!(drafts.hits.is_empty());
    // Chosen values are listed, but at zero.
    assert_eq!(count(&drafts.facets.statuses, &Status::Draft), Some(0));
    assert_eq!(count(&drafts.facets.statuses, &Status::Withdrawn), Some(0));
    assert_eq!(count(&drafts.facets.statuses, &Status::Published), Some(1));

    let emirates = index
        .search_opportunities(&OpportunityQuery {
            countries: vec![country("AE")],
            ..OpportunityQuery::default()
        })
        .unwrap();
    assert_eq!(emirates.total, 0);
    assert_eq!(count(&emirates.facets.countries, &country("AE")), Some(0));
    assert_eq!(
        count(&emirates.facets.statuses, &Status::PendingReview),
        None
    );
}

#[test]
fn a_buyer_sees_its_own_drafts_and_no_one_elses() {
    let index = index_of(&opportunities_in_every_status());
    let khcf = index
        .search_opportunities(&scoped(buyers(&["KHCF"])))
        .unwrap();
    assert_eq!(khcf.total, 3);
    assert_eq!(sorted_ids(&khcf), ["closed-sa", "draft-jo", "pub-jo"]);
    assert_facets_count_only_the_matches(&khcf);
    assert_eq!(count(&khcf.facets.statuses, &Status::Draft), Some(1));
    assert_eq!(count(&khcf.facets.countries, &country("SA")), Some(1));
    assert_eq!(count(&khcf.facets.countries, &country("AE")), None);

    let emirati = index
        .search_opportunities(&OpportunityQuery {
            statuses: vec![Status::Draft],
            ..scoped(buyers(&["MOH-AE"]))
        })
        .unwrap();
    assert_eq!(emirati.total, 0, "MOH-AE has no drafts, and sees no others");
    assert_eq!(
        count(&emirati.facets.statuses, &Status::PendingReview),
        Some(1)
    );
    assert_eq!(count(&emirati.facets.statuses, &Status::Withdrawn), Some(1));

    let unknown = index
        .search_opportunities(&scoped(buyers(&["NOBODY"])))
        .unwrap();
    assert_eq!(unknown.total, 2);
}

#[test]
fn a_post_sees_the_opportunities_of_its_countries_in_every_status() {
    let index = index_of(&opportunities_in_every_status());
    let post = index
        .search_opportunities(&scoped(countries(&["AE"])))
        .unwrap();
    assert_eq!(
        sorted_ids(&post),
        ["closed-sa", "pending-ae", "pub-jo", "withdrawn-ae"]
    );
    assert_facets_count_only_the_matches(&post);
    assert_eq!(count(&post.facets.statuses, &Status::Draft), None);

    let two_posts = index
        .search_opportunities(&OpportunityQuery {
            statuses: vec![Status::Draft],
            ..scoped(countries(&["AE", "SA"]))
        })
        .unwrap();
    assert_eq!(ids(&two_posts), ["draft-sa"]);
    assert_eq!(count(&two_posts.facets.countries, &country("SA")), Some(1));
    assert_eq!(count(&two_posts.facets.countries, &country("JO")), None);
}

#[test]
fn buyer_and_country_scopes_add_up() {
    let index = index_of(&opportunities_in_every_status());
    let both = OpportunityScope {
        buyers: vec![organisation("KHCF")],
        countries: vec![country("AE")],
        everything: false,
    };
    let hits = index.search_opportunities(&scoped(both)).unwrap();
    assert_eq!(hits.total, 5);
    assert!(!ids(&hits).contains(&"draft-sa"));
    assert_facets_count_only_the_matches(&hits);
}

#[test]
fn the_agency_sees_everything() {
    let index = index_of(&opportunities_in_every_status());
    let all = index.search_opportunities(&scoped(everything())).unwrap();
    assert_eq!(all.total, 6);
    assert_facets_count_only_the_matches(&all);
    assert_eq!(count(&all.facets.statuses, &Status::Draft), Some(2));
    assert_eq!(count(&all.facets.countries, &country("AE")), Some(2));
}

#[test]
fn visitors_who_may_not_know_the_buyer_cannot_find_opportunities_by_its_name() {
    let index = index_of(&gulf_opportunities());
    for typed in ["hussein", "party:hussein", "cancer foundation"] {
        let hits = index.search_opportunities(&text(typed)).unwrap();
        assert_eq!(hits.total, 0, "{typed}");
    }
    let by_need = index.search_opportunities(&text("oncology")).unwrap();
    assert!(by_need.total > 0, "the words of the need still match");
}

#[test]
fn a_text_search_keeps_to_the_scope() {
    let index = index_of(&opportunities_in_every_status());
    let public = index.search_opportunities(&text("nurse")).unwrap();
    assert_eq!(sorted_ids(&public), ["closed-sa", "pub-jo"]);
    assert_facets_count_only_the_matches(&public);
    let hidden_by_name = index.search_opportunities(&text("draft")).unwrap();
    assert_eq!(hidden_by_name.total, 0);
    assert!(hidden_by_name.facets.statuses.is_empty());
    let khcf = OpportunityQuery {
        scope: buyers(&["KHCF"]),
        ..text("draft")
    };
    let hits = index.search_opportunities(&khcf).unwrap();
    assert_eq!(ids(&hits), ["draft-jo"]);
    assert_facets_count_only_the_matches(&hits);
}

#[test]
fn the_scope_holds_in_segments_with_nothing_it_admits() {
    let index = SearchIndex::in_memory().unwrap();
    let all = opportunities_in_every_status();
    // Each opportunity in a segment of its own: most segments then hold no
    // public status, no buyer and no country of the scope.
    for (i, o) in all.iter().enumerate() {
        let mut w = index.writer();
        w.put_opportunity(o, "Buyer", i as i64).unwrap();
        w.commit(i as i64 + 1).unwrap();
    }
    let public = index
        .search_opportunities(&OpportunityQuery::default())
        .unwrap();
    assert_eq!(ids(&public), ["closed-sa", "pub-jo"]);
    let post = index
        .search_opportunities(&OpportunityQuery {
            limit: 1,
            ..scoped(countries(&["SA"]))
        })
        .unwrap();
    assert_eq!(post.total, 3);
    assert_eq!(ids(&post), ["draft-sa"]);
    assert_facets_count_only_the_matches(&post);
}

#[test]
fn a_remembered_result_is_never_served_to_another_scope() {
    let index = index_of(&opportunities_in_every_status());
    let totals = |index: &SearchIndex| {
        [
            OpportunityScope::default(),
            everything(),
            buyers(&["KHCF"]),
            countries(&["AE"]),
            OpportunityScope::default(),
        ]
        .map(|scope| index.search_opportunities(&scoped(scope)).unwrap().total)
    };
    assert_eq!(totals(&index), [2, 6, 3, 4, 2]);
    assert_eq!(totals(&index), [2, 6, 3, 4, 2], "asked again, from memory");
}

#[test]
fn offers_are_searched_without_a_scope() {
    let index = SearchIndex::in_memory().unwrap();
    let mut w = index.writer();
    w.put_offer(&offer("RR8-x", r#""title":"Nurse training""#), "Leeds", 1)
        .unwrap();
    w.commit(1).unwrap();
    assert_eq!(
        index.search_offers(&OfferQuery::default()).unwrap().total,
        1
    );
}

#[test]
fn similar_offers_rank_by_shared_rare_words_and_any_word_may_match() {
    let index = SearchIndex::in_memory().unwrap();
    let mut w = index.writer();
    let offers = [
        offer(
            "icu",
            r#""title":"Critical care nursing","description":"Intensive care unit nurse training and ventilation""#,
        ),
        offer(
            "eye",
            r#""title":"Eye hospital operation","description":"Ophthalmology services and cataract surgery""#,
        ),
        offer(
            "gen",
            r#""title":"Hospital management","description":"Training for hospital managers""#,
        ),
    ];
    for (i, o) in offers.iter().enumerate() {
        w.put_offer(o, "A Trust", i as i64).unwrap();
    }
    w.commit(1).unwrap();
    let need = "The ministry needs help to train nurses for its new intensive care units, with ventilation protocols, and wants hospital managers briefed";
    let hits = index.similar_offers(need, &[], 10).unwrap();
    let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids.first(), Some(&"icu"), "{ids:?}");
    assert!(
        ids.contains(&"gen"),
        "one shared word is enough to be a candidate"
    );
    assert_eq!(
        ids.last(),
        Some(&"eye"),
        "a single common word ranks lowest"
    );
    let expanded = index
        .similar_offers("eyes", &["Ophthalmology".into()], 10)
        .unwrap();
    assert_eq!(expanded[0].id.as_str(), "eye");
    assert!(index.similar_offers("", &[], 10).unwrap().is_empty());
}

#[test]
fn similar_opportunities_keep_to_the_scope() {
    let index = index_of(&opportunities_in_every_status());
    let public = index
        .similar_opportunities("nurse training", &[], &OpportunityScope::default(), 10)
        .unwrap();
    let ids: Vec<&str> = public.iter().map(|h| h.id.as_str()).collect();
    assert!(
        !ids.is_empty() && ids.iter().all(|id| !id.starts_with("draft")),
        "{ids:?}"
    );
}
