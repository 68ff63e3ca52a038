//! The JSON API, driven in-process.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use crate::support::{app, demo_app, export, get, import, json, send};

fn khcf() -> serde_json::Value {
    json!({"id": "KHCF", "name": "King Hussein Cancer Foundation", "kind": "buyer", "sector": "charity", "country": "JO"})
}

fn paediatric_oncology() -> serde_json::Value {
    json!({"id": "KHCF-2027-01", "buyer": "KHCF", "country": "JO", "title": "Paediatric oncology service development",
           "description": "Train staff and advise on a new children's cancer unit.", "service_lines": ["consultancy"],
           "specialties": ["370"], "value": {"amount": 1200000, "currency": "JOD"}, "source": "post", "status": "draft"})
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_describes_every_collection() {
    let (app, _db) = app().await;
    let doc = get(&app, "/api/v1/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/organisations",
        "/offers/{id}",
        "/strategies",
        "/opportunities/{id}/actions/{action}",
        "/import",
        "/export",
        "/organisations/{id}/twinning",
        "/organisations/{id}/twinning/{partner}/interest",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    let page = get(&app, "/api/v1/docs/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("swagger"),
        "the viewer is served from the binary"
    );
}

#[tokio::test]
async fn a_record_is_created_read_updated_with_its_version_and_deleted() {
    let (app, _db) = app().await;
    let created = json(&app, "POST", "/api/v1/organisations", khcf()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.headers["location"], "/api/v1/organisations/KHCF");
    assert_eq!(created.json()["version"], 1);
    assert_eq!(created.json()["record"]["record"], "organisation");

    let again = json(&app, "POST", "/api/v1/organisations", khcf()).await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    let mut renamed = khcf();
    renamed["name"] = json!("KHCF");
    let updated = json(
        &app,
        "PUT",
        "/api/v1/organisations/KHCF?version=1",
        renamed.clone(),
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text);
    assert_eq!(updated.json()["version"], 2);

    let stale = json(&app, "PUT", "/api/v1/organisations/KHCF?version=1", renamed).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.json()["error"]["code"], "conflict");

    let opp = json(&app, "POST", "/api/v1/opportunities", paediatric_oncology()).await;
    assert_eq!(opp.status, StatusCode::CREATED, "{}", opp.text);
    let in_use = send(
        &app,
        Request::delete("/api/v1/organisations/KHCF")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(in_use.status, StatusCode::CONFLICT);
    let gone = send(
        &app,
        Request::delete("/api/v1/opportunities/KHCF-2027-01")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(
        get(&app, "/api/v1/opportunities/KHCF-2027-01").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn invalid_records_are_refused_with_every_field_named() {
    let (app, _db) = app().await;
    json(&app, "POST", "/api/v1/organisations", khcf()).await;
    let mut bad = paediatric_oncology();
    bad["country"] = json!("XX");
    bad["specialties"] = json!(["999"]);
    bad["buyer"] = json!("NOBODY");
    bad["colour"] = json!("red");
    let reply = json(&app, "POST", "/api/v1/opportunities", bad).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = reply.json();
    assert_eq!(body["error"]["code"], "invalid");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["country", "specialties[0]", "colour"]);

    let mut unknown_buyer = paediatric_oncology();
    unknown_buyer["buyer"] = json!("NOBODY");
    let reply = json(&app, "POST", "/api/v1/opportunities", unknown_buyer).await;
    assert_eq!(reply.json()["error"]["details"][0]["field"], "buyer");

    let wrong_kind = json(
        &app,
        "POST",
        "/api/v1/offers",
        json!({"record": "strategy", "id": "x"}),
    )
    .await;
    assert_eq!(wrong_kind.json()["error"]["details"][0]["field"], "record");
}

#[tokio::test]
async fn the_lifecycle_moves_only_by_allowed_steps_and_current_versions() {
    let (app, _db) = app().await;
    json(&app, "POST", "/api/v1/organisations", khcf()).await;
    json(&app, "POST", "/api/v1/opportunities", paediatric_oncology()).await;
    let base = "/api/v1/opportunities/KHCF-2027-01/actions";
    let skip = json(
        &app,
        "POST",
        &format!("{base}/publish"),
        json!({"version": 1}),
    )
    .await;
    assert_eq!(skip.status, StatusCode::CONFLICT);
    assert!(
        skip.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cannot publish")
    );
    let submitted = json(
        &app,
        "POST",
        &format!("{base}/submit"),
        json!({"version": 1}),
    )
    .await;
    assert_eq!(submitted.json()["record"]["status"], "pending_review");
    let stale = json(
        &app,
        "POST",
        &format!("{base}/publish"),
        json!({"version": 1}),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let published = json(
        &app,
        "POST",
        &format!("{base}/publish"),
        json!({"version": 2}),
    )
    .await;
    assert_eq!(published.json()["record"]["status"], "published");
    assert_eq!(
        json(&app, "POST", &format!("{base}/fly"), json!({"version": 3}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn lists_filter_search_and_paginate_the_demo_world() {
    let (app, _db) = demo_app().await;
    let providers = get(
        &app,
        "/api/v1/organisations?kind=provider&network=HI-YH&limit=100",
    )
    .await
    .json();
    let items = providers["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|o| o["record"]["kind"] == "provider" && o["record"]["network"] == "HI-YH")
    );

    let diabetes = get(&app, "/api/v1/opportunities?q=diabetes").await.json();
    assert!(diabetes["total"].as_u64().unwrap() >= 3, "{diabetes}");
    let facets = &diabetes["facets"]["country"];
    let (country, count) = facets.as_object().unwrap().iter().next().unwrap();
    let narrowed = get(
        &app,
        &format!("/api/v1/opportunities?q=diabetes&country={country}"),
    )
    .await
    .json();
    assert_eq!(narrowed["total"], *count);
    assert!(
        narrowed["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["record"]["country"] == country.as_str())
    );

    let page = get(&app, "/api/v1/opportunities?limit=5&offset=5")
        .await
        .json();
    assert_eq!(page["items"].as_array().unwrap().len(), 5);
    assert_eq!(
        (page["offset"].as_u64(), page["limit"].as_u64()),
        (Some(5), Some(5))
    );

    let bad = get(&app, "/api/v1/opportunities?country=Jordan&status=live").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["details"].as_array().unwrap().len(), 2);

    let offers = get(&app, "/api/v1/offers?q=ophthalmology").await.json();
    assert!(offers["total"].as_u64().unwrap() >= 1);
    assert_eq!(
        get(&app, "/api/v1/strategies?limit=1").await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

fn hundred_lines_with_three_bad() -> String {
    let mut lines = vec![khcf_line()];
    for i in 1..100 {
        let mut o = paediatric_oncology();
        o["record"] = json!("opportunity");
        o["id"] = json!(format!("KHCF-{i:03}"));
        match i {
            17 => o["country"] = json!("ZZ"),
            42 => o["value"]["amount"] = json!(-3),
            99 => {
                o.as_object_mut().unwrap().remove("title");
            }
            _ => {}
        }
        lines.push(o.to_string());
    }
    lines.join("\n")
}

fn khcf_line() -> String {
    let mut o = khcf();
    o["record"] = json!("organisation");
    o.to_string()
}

#[tokio::test]
async fn a_file_with_three_bad_lines_among_a_hundred_is_refused_whole() {
    let (app, _db) = app().await;
    let reply = import(&app, &hundred_lines_with_three_bad()).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let details = reply.json()["error"]["details"].clone();
    let found: Vec<(String, String)> = details
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["location"].as_str().unwrap().to_owned(),
                d["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("line 18", "country"),
        ("line 43", "value.amount"),
        ("line 100", "title"),
    ];
    assert_eq!(found, expected.map(|(l, f)| (l.to_owned(), f.to_owned())));
    assert!(app.store.is_empty().await.unwrap(), "nothing was written");
}

#[tokio::test]
async fn reimporting_a_file_changes_nothing() {
    let (app, _db) = app().await;
    let text = hundred_lines_with_three_bad()
        .lines()
        .enumerate()
        .filter(|(i, _)| ![17, 42, 99].contains(i))
        .map(|(_, l)| l)
        .collect::<Vec<_>>()
        .join("\n");
    let first = import(&app, &text).await.json();
    assert_eq!(first["created"], 97);
    let seq = app.store.latest_change().await.unwrap();
    let second = import(&app, &text).await.json();
    assert_eq!(
        (
            second["created"].as_u64(),
            second["updated"].as_u64(),
            second["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(97))
    );
    assert_eq!(app.store.latest_change().await.unwrap(), seq);
}

async fn round_trip(source: &hcx::services::App, target: &hcx::services::App) {
    let first = export(source).await;
    let reply = import(target, &first).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(
        export(target).await,
        first,
        "export → import → export is identical"
    );
    let over_http = get(target, "/api/v1/export").await;
    assert_eq!(over_http.text, first);
}

#[tokio::test]
async fn export_then_import_into_an_empty_store_gives_the_same_export_on_sqlite() {
    let (source, _a) = demo_app().await;
    let (target, _b) = app().await;
    round_trip(&source, &target).await;
}

#[tokio::test]
async fn export_then_import_into_an_empty_store_gives_the_same_export_on_postgres() {
    let (source, _a) = demo_app().await;
    let Some(db) = hcx_store::testing::postgres().await else {
        return;
    };
    let target = crate::support::app_over(db.store.clone()).await;
    round_trip(&source, &target).await;
}

#[tokio::test]
async fn unknown_api_routes_answer_with_the_error_envelope() {
    let (app, _db) = app().await;
    let reply = get(&app, "/api/v1/nothing-here").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.json()["error"]["code"], "not_found");
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_a_request_id() {
    let (app, _db) = app().await;
    let reply = get(&app, "/healthz").await;
    assert_eq!(reply.text, "ok");
    assert_eq!(reply.headers["x-content-type-options"], "nosniff");
    assert!(
        reply.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(reply.headers.contains_key("x-request-id"));
    assert_eq!(get(&app, "/readyz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_free_text_need_is_read_and_shows_the_words_that_named_each_specialty() {
    let (app, _db) = demo_app().await;
    let reply = get(&app, "/api/v1/opportunities/SA-MOH-2026-03/matches?top=5").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let report = reply.json();
    assert_eq!(report["need"]["inferred"], true);
    let read = report["need"]["read_in_text"].as_array().unwrap();
    let cardiology = read
        .iter()
        .find(|r| r["value"].as_str().unwrap().starts_with("321 "))
        .unwrap_or_else(|| panic!("paediatric cardiology read in {read:?}"));
    assert!(!cardiology["because"].as_array().unwrap().is_empty());
    let top: Vec<&str> = report["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["provider"].as_str().unwrap())
        .collect();
    assert!(
        top.contains(&"RP4"),
        "Great Ormond Street is among the first five: {top:?}"
    );
}

/// An API token for a new account of `role` acting for `organisation`.
async fn token_for(
    app: &hcx::services::App,
    role: &str,
    organisation: &str,
) -> crate::support::Who {
    let cli = hcx::services::Caller::command_line();
    let email = format!("{role}.{}@api.test", organisation.to_lowercase());
    let user = app
        .add_user(&cli, &email, role, role, &[organisation.to_owned()], None)
        .await
        .unwrap();
    let issued = app
        .create_token(&cli, &user.id, "t", None, None)
        .await
        .unwrap();
    crate::support::Who::Token(issued.secret)
}

#[tokio::test]
async fn the_agency_introduces_providers_who_answer_and_the_buyer_sees_its_shortlist() {
    use crate::support::{Who, get_as, send_as};
    let (app, _db) = demo_app().await;
    let adviser = token_for(&app, "adviser", "HCUK").await;
    let gosh = token_for(&app, "provider", "RP4").await;
    let leeds = token_for(&app, "provider", "RR8").await;
    let buyer = token_for(&app, "buyer", "KW-MOH").await;
    let post = async |who: &Who, uri: &str, body: Value| {
        let request = Request::post(uri)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        send_as(&app, who, request).await
    };
    let intro = "/api/v1/opportunities/KW-MOH-2026-01/introductions";
    let made = post(
        &adviser,
        intro,
        json!({"provider": "RP4", "note": "children's heart"}),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    assert_eq!(made.json()["status"], "introduced");
    let twice = post(&adviser, intro, json!({"provider": "RP4"})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    let by_provider = post(&gosh, intro, json!({"provider": "RP4"})).await;
    assert_eq!(
        by_provider.status,
        StatusCode::FORBIDDEN,
        "only the agency introduces"
    );
    // G6V2S's strategy rules out Saudi Arabia: it can never be introduced there.
    let saudi = "/api/v1/opportunities/SA-MOH-2027-01/introductions";
    let refused = post(&adviser, saudi, json!({"provider": "G6V2S"})).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused.text.contains("excluded_country"),
        "{}",
        refused.text
    );

    let answer = "/api/v1/opportunities/KW-MOH-2026-01/introductions/RP4/answer";
    let rival = post(&leeds, answer, json!({"version": 1, "interested": true})).await;
    assert_eq!(
        rival.status,
        StatusCode::NOT_FOUND,
        "another provider's introduction is hidden"
    );
    let no_reason = post(&gosh, answer, json!({"version": 1, "interested": false})).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let interested = post(&gosh, answer, json!({"version": 1, "interested": true})).await;
    assert_eq!(interested.json()["status"], "interested");
    let stale = post(
        &gosh,
        answer,
        json!({"version": 1, "interested": false, "reason": "x"}),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    post(&adviser, intro, json!({"provider": "RR8"})).await;
    let rr8 = "/api/v1/opportunities/KW-MOH-2026-01/introductions/RR8/answer";
    let declined = post(
        &leeds,
        rr8,
        json!({"version": 1, "interested": false, "reason": "no paediatric surgeons free"}),
    )
    .await;
    assert_eq!(declined.json()["status"], "declined");

    let shortlist = get_as(&app, &buyer, intro).await.json();
    let providers: Vec<&str> = shortlist["introductions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["provider"].as_str().unwrap())
        .collect();
    assert_eq!(
        providers,
        ["RP4"],
        "the buyer sees its shortlist without declines"
    );
    let all = get_as(&app, &adviser, intro).await.json();
    assert_eq!(all["introductions"].as_array().unwrap().len(), 2);
    let mine = get_as(&app, &gosh, "/api/v1/organisations/RP4/introductions")
        .await
        .json();
    assert_eq!(mine["introductions"][0]["status"], "interested");
    let theirs = get_as(&app, &gosh, "/api/v1/organisations/RR8/introductions").await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN);
    let audit = app
        .store
        .audit_events(
            &hcx_store::AuditFilter {
                kind: Some("introduction".into()),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["declined", "introduce", "interested", "introduce"]
    );
}

#[tokio::test]
async fn the_next_match_sees_strategies_and_offers_changed_since_the_last() {
    use hcx::services::Caller;
    use hcx_domain::Record;
    let (app, _db) = demo_app().await;
    let cli = Caller::command_line();
    let need = "SA-MOH-2026-03";
    let first = app.match_opportunity(&cli, need, 5).await.unwrap();
    let top = first.matches[0].provider.clone();

    // Its strategy now rules the country out: the next match says so.
    let mut strategy = match app.store.strategy_of(&top).await.unwrap() {
        Some(v) => Record::Strategy(v.record).to_value(),
        None => {
            serde_json::json!({"record": "strategy", "id": format!("{top}-S"), "provider": top})
        }
    };
    strategy["excluded_countries"] = serde_json::json!(["SA"]);
    strategy["target_countries"] = serde_json::json!([]);
    let strategy = Record::parse_line(&strategy.to_string()).unwrap();
    app.put(&cli, &strategy).await.unwrap();
    let second = app.match_opportunity(&cli, need, 5).await.unwrap();
    assert!(second.matches.iter().all(|m| m.provider != top));
    let out = second.excluded.iter().find(|e| e.provider == top);
    assert_eq!(
        out.map(|e| e.exclusion.rule.as_str()),
        Some("excluded_country"),
        "{:?}",
        second.excluded
    );

    // A new offer of a specialty the need was read as asking for is weighed
    // at once, though no word of it is in the need.
    let newcomer = Record::parse_line(
        r#"{"record":"offer","id":"RTH-paed-cardiac-new","provider":"RTH","title":"Zzyzx programme","description":"Qwerty.","specialties":["221","321"],"service_lines":["education_training"],"delivery_modes":["in_country"]}"#,
    )
    .unwrap();
    app.put(&cli, &newcomer).await.unwrap();
    let third = app.match_opportunity(&cli, need, 100).await.unwrap();
    assert!(
        third
            .matches
            .iter()
            .any(|m| m.offer == "RTH-paed-cardiac-new"),
        "{:?}",
        third.matches
    );
}

#[tokio::test]
async fn twinning_interest_is_said_for_ones_own_side_once_and_withdrawn() {
    use crate::support::{Who, get_as, send_as};
    let (app, _db) = demo_app().await;
    let gosh = token_for(&app, "provider", "RP4").await;
    let post = token_for(&app, "post", "POST-KW").await;
    let call = async |who: &Who, method: &str, uri: &str| {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::empty())
            .unwrap();
        send_as(&app, who, request).await
    };
    let interest = "/api/v1/organisations/RP4/twinning/KW-MOH/interest";
    let said = call(&gosh, "POST", interest).await;
    assert_eq!(said.status, StatusCode::CREATED, "{}", said.text);
    assert_eq!(said.json()["id"], "RP4/KW-MOH");
    assert_eq!(
        call(&gosh, "POST", interest).await.status,
        StatusCode::CONFLICT
    );
    let same_side = call(
        &gosh,
        "POST",
        "/api/v1/organisations/RP4/twinning/RR8/interest",
    )
    .await;
    assert_eq!(same_side.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(same_side.json()["error"]["details"][0]["field"], "partner");
    let by_post = call(
        &post,
        "POST",
        "/api/v1/organisations/KW-MOH/twinning/RP4/interest",
    )
    .await;
    assert_eq!(
        by_post.status,
        StatusCode::FORBIDDEN,
        "a post sees but does not say"
    );
    let seen = get_as(&app, &post, "/api/v1/organisations/KW-MOH/twinning").await;
    assert_eq!(seen.status, StatusCode::OK);
    let gosh_seen = seen.json()["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["partner"] == "RP4")
        .cloned()
        .expect("a provider with interest is listed");
    assert_eq!(
        (
            gosh_seen["interest_from_them"].clone(),
            gosh_seen["double_match"].clone()
        ),
        (json!(true), json!(false))
    );
    assert_eq!(
        call(&gosh, "DELETE", interest).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        call(&gosh, "DELETE", interest).await.status,
        StatusCode::NOT_FOUND
    );
}
