//! Screening lists and screening over the API: imports replace a list as a
//! new version, the yente-shaped match endpoint answers OpenSanctions
//! clients, and bad input is named.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::support::{Who, app, json, send, send_as};

const LIST: &str = concat!(
    r#"{"id":"ofac-2686","schema":"Person","properties":{"name":["Hasan NASRALLAH"],"birthDate":["1960-08-31"],"nationality":["lb"],"topics":["sanction"]}}"#,
    "\n",
    r#"{"id":"ofac-1","schema":"Company","properties":{"name":["ROSNEFT TRADING S.A."],"country":["ch"],"topics":["sanction"]}}"#,
    "\n",
);

async fn put_list(app: &hcx::services::App, name: &str, text: &str) -> crate::support::Reply {
    send(
        app,
        Request::put(format!("/api/v1/lists/{name}?label=sdn"))
            .header("content-type", "application/x-ndjson")
            .body(Body::from(text.to_owned()))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_list_is_imported_as_a_version_and_a_bad_file_changes_nothing() {
    let (app, _db) = app().await;
    let first = put_list(&app, "ofac", LIST).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    assert_eq!(first.json()["version"], 1);
    assert_eq!(first.json()["entity_count"], 2);
    let bad = put_list(
        &app,
        "ofac",
        &format!(
            "{LIST}{{\"id\":\"x\",\"schema\":\"Ship\",\"properties\":{{\"name\":[\"X\"]}}}}\n"
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(
        bad.text.contains("line 3") && bad.text.contains("schema"),
        "{}",
        bad.text
    );
    let lists = crate::support::get(&app, "/api/v1/lists").await.json();
    assert_eq!(
        lists["lists"][0]["version"], 1,
        "the bad file changed nothing"
    );
    let bad_name = put_list(&app, "OFAC%20list", LIST).await;
    assert_eq!(bad_name.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_match_endpoint_answers_as_yente_does() {
    let (app, _db) = app().await;
    put_list(&app, "ofac", LIST).await;
    let body = json!({"queries": {
        "q1": {"schema": "Person", "properties": {"name": ["Hassan Nasrallah"], "birthDate": ["1960"]}},
        "q2": {"schema": "Company", "properties": {"name": ["Rosneft Trading LLC"]}},
        "q3": {"schema": "Person", "properties": {"name": ["Olivia Brown"]}},
    }});
    let reply = json(&app, "POST", "/api/v1/match/ofac?limit=3", body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let r = reply.json();
    let q1 = &r["responses"]["q1"]["results"][0];
    assert_eq!(q1["id"], "ofac-2686");
    assert_eq!(q1["match"], true);
    assert!(q1["score"].as_f64().unwrap() > 0.8);
    assert!(q1["features"]["birth_date"].as_f64().unwrap() > 0.0);
    assert!(
        q1["explanations"]["name"]
            .as_str()
            .unwrap()
            .contains("nasrallah")
    );
    assert_eq!(r["responses"]["q2"]["results"][0]["id"], "ofac-1");
    assert_eq!(r["responses"]["q2"]["results"][0]["schema"], "Company");
    assert!(
        r["responses"]["q3"]["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["match"] == false)
    );
    assert_eq!(r["matcher"]["version"], 1);

    // A higher threshold turns the match off; the score stays.
    let strict = json(
        &app,
        "POST",
        "/api/v1/match/ofac?threshold=0.999",
        json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["Hassan Nasrallah"]}}}}),
    )
    .await
    .json();
    assert_eq!(strict["responses"]["q"]["results"][0]["match"], false);
}

#[tokio::test]
async fn bad_queries_are_named_by_key_and_field() {
    let (app, _db) = app().await;
    put_list(&app, "ofac", LIST).await;
    let reply = json(
        &app,
        "POST",
        "/api/v1/match/ofac",
        json!({"queries": {"a": {"schema": "Person", "properties": {}}, "b": {"schema": "Ship", "properties": {"name": ["X"]}}}}),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text
    );
    assert!(
        reply.text.contains("queries.a.properties.name"),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("queries.b.schema"), "{}", reply.text);
    let missing = json(&app, "POST", "/api/v1/match/un", json!({"queries": {}})).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let limit = json(
        &app,
        "POST",
        "/api/v1/match/ofac?limit=0",
        json!({"queries": {}}),
    )
    .await;
    assert_eq!(limit.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn opensanctions_clients_send_their_key_as_apikey() {
    let (app, _db) = app().await;
    put_list(&app, "ofac", LIST).await;
    let body = json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["Hasan Nasrallah"]}}}});
    let anonymous = send_as(
        &app,
        &Who::Anonymous,
        Request::post("/api/v1/match/ofac")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let with_key = send_as(
        &app,
        &Who::AsIs,
        Request::post("/api/v1/match/ofac")
            .header("content-type", "application/json")
            .header(
                "authorization",
                format!("ApiKey {}", crate::support::ADMIN_TOKEN),
            )
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(with_key.status, StatusCode::OK, "{}", with_key.text);
}

/// The labelled queries of `data/screening` against the OFAC sample, at
/// the default threshold: the quality the closing figures report, guarded.
#[test]
fn screening_keeps_its_quality_on_the_labelled_queries() {
    let report = hcx::eval_screen::run(hcx_domain::screening::score::DEFAULT_THRESHOLD).unwrap();
    assert!(report.positives.queries >= 300 && report.negatives.queries >= 100);
    assert_eq!(
        report.candidate_recall(),
        1.0,
        "the true entity is never lost before scoring"
    );
    let all = report.all();
    assert!(all.f1() >= 0.95, "{report}");
    assert!(report.negatives_flagged() <= 0.02, "{report}");
    assert_eq!(
        report.by_variation["namesake_conflict"].false_positives, 0,
        "{report}"
    );
}
