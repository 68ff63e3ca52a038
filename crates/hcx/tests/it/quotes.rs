//! Quotes through the API and the pages: priced, given new versions,
//! issued to the buyer of the opportunity, accepted (crediting the
//! provider's reinvestment pot) or rejected, and hidden from everyone else.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use hcx::services::{App, Caller};
use serde_json::{Value, json};

use crate::support::{PASSWORD, Reply, Who, demo_app, get_as, post_form_as, send_as};

/// The worked example of `docs/pricing.md`, as the API takes it.
fn kuwait(legal_pence: i64) -> Value {
    json!({
        "lines": [
            {"grade": "consultant", "days": 10, "trips": 1},
            {"grade": "consultant", "days": 10, "trips": 1},
            {"grade": "band_6", "days": 20, "trips": 1},
        ],
        "country": "KW",
        "currency": "USD",
        "partner_type": "government",
        "legal_pence": legal_pence,
    })
}

/// A person with an API token.
async fn token(app: &App, email: &str, role: &str, organisation: &str) -> Who {
    let cli = Caller::command_line();
    let user = app
        .add_user(
            &cli,
            email,
            email,
            role,
            &[organisation.to_owned()],
            Some(PASSWORD),
        )
        .await
        .expect("account");
    let issued = app
        .create_token(&cli, &user.id, "tests", None, None)
        .await
        .expect("token");
    Who::Token(issued.secret)
}

async fn call(app: &App, who: &Who, method: Method, uri: &str, body: Option<Value>) -> Reply {
    let builder = Request::builder().method(method).uri(uri);
    let request = match body {
        Some(b) => builder
            .header("content-type", "application/json")
            .body(Body::from(b.to_string()))
            .unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    };
    send_as(app, who, request).await
}

#[tokio::test]
async fn a_quote_is_versioned_issued_and_accepted_by_its_buyer_and_the_pot_is_credited() {
    let (app, _db) = demo_app().await;
    let gosh = token(&app, "gosh@quotes.test", "provider", "RP4").await;
    let kuwait_moh = token(&app, "kw@quotes.test", "buyer", "KW-MOH").await;
    let rival = token(&app, "leeds@quotes.test", "provider", "RR8").await;
    let other_buyer = token(&app, "sa@quotes.test", "buyer", "SA-MOH").await;

    let created = call(
        &app,
        &gosh,
        Method::POST,
        "/api/v1/quotes",
        Some(json!({"opportunity": "KW-MOH-2026-01", "input": kuwait(200_000)})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let q = created.json();
    let id = q["id"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/quotes/{id}");
    assert_eq!(q["status"], "draft");
    assert_eq!(q["provider"], "RP4");
    assert_eq!(q["buyer"], "KW-MOH");
    assert!(
        !q["title"].as_str().unwrap().is_empty(),
        "the opportunity's title"
    );
    let priced = &q["versions"][0]["priced"];
    assert_eq!(priced["price_gbp_pence"], 10_049_455);
    assert_eq!(priced["break_even_pence"], 8_374_545);
    assert_eq!(priced["price_buyer_minor"], 14_138_422);
    assert_eq!(priced["fully_backfilled"], true);
    assert_eq!(
        q["versions"][0]["input"]["on_cost_bp"], 3_700,
        "every rate written out"
    );

    // A draft is the provider's alone.
    for who in [&kuwait_moh, &rival, &other_buyer] {
        let hidden = call(&app, who, Method::GET, &uri, None).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.text);
    }
    let listed = call(&app, &kuwait_moh, Method::GET, "/api/v1/quotes", None).await;
    assert_eq!(listed.json()["total"], 0);

    let revised = call(
        &app,
        &gosh,
        Method::PUT,
        &uri,
        Some(json!({"version": 1, "input": kuwait(300_000)})),
    )
    .await;
    assert_eq!(revised.status, StatusCode::OK, "{}", revised.text);
    assert_eq!(revised.json()["latest_version"], 2);
    let stale = call(
        &app,
        &gosh,
        Method::PUT,
        &uri,
        Some(json!({"version": 1, "input": kuwait(400_000)})),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
    let bad = call(
        &app,
        &gosh,
        Method::PUT,
        &uri,
        Some(
            json!({"version": 2, "input": {"lines": [{"grade": "band_99", "days": 1}],
            "country": "KW", "currency": "KWD", "partner_type": "government"}}),
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert!(
        bad.text.contains("lines[0].grade") && bad.text.contains("currency"),
        "{}",
        bad.text
    );

    let buyer_answers_draft = call(
        &app,
        &kuwait_moh,
        Method::POST,
        &format!("{uri}/accept"),
        Some(json!({"version": 2})),
    )
    .await;
    assert_eq!(buyer_answers_draft.status, StatusCode::NOT_FOUND);

    let issued = call(
        &app,
        &gosh,
        Method::POST,
        &format!("{uri}/issue"),
        Some(json!({"version": 2})),
    )
    .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.text);
    assert_eq!(issued.json()["issued_version"], 2);

    let seen = call(&app, &kuwait_moh, Method::GET, &uri, None).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    assert_eq!(seen.json()["versions"].as_array().unwrap().len(), 2);
    for who in [&rival, &other_buyer] {
        let hidden = call(&app, who, Method::GET, &uri, None).await;
        assert_eq!(
            hidden.status,
            StatusCode::NOT_FOUND,
            "rivals never see a quote"
        );
    }
    let buyer_revises = call(
        &app,
        &kuwait_moh,
        Method::PUT,
        &uri,
        Some(json!({"version": 3, "input": kuwait(1)})),
    )
    .await;
    assert_eq!(
        buyer_revises.status,
        StatusCode::FORBIDDEN,
        "{}",
        buyer_revises.text
    );

    // A third version is the provider's until issued: the buyer still sees two.
    let third = call(
        &app,
        &gosh,
        Method::PUT,
        &uri,
        Some(json!({"version": 3, "input": kuwait(250_000)})),
    )
    .await;
    assert_eq!(third.json()["status"], "draft");
    let seen = call(&app, &kuwait_moh, Method::GET, &uri, None)
        .await
        .json();
    assert_eq!(seen["latest_version"], 2);
    assert_eq!(seen["versions"].as_array().unwrap().len(), 2);
    let issued = call(
        &app,
        &gosh,
        Method::POST,
        &format!("{uri}/issue"),
        Some(json!({"version": 4})),
    )
    .await
    .json();
    let margin = issued["versions"][2]["priced"]["margin_pence"]
        .as_i64()
        .unwrap();

    let accepted = call(
        &app,
        &kuwait_moh,
        Method::POST,
        &format!("{uri}/accept"),
        Some(json!({"version": 5, "note": "Agreed by the undersecretary."})),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.text);
    let accepted = accepted.json();
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["answer"]["note"], "Agreed by the undersecretary.");

    let pot = "/api/v1/organisations/RP4/reinvestment";
    let ledger = call(&app, &gosh, Method::GET, pot, None).await;
    assert_eq!(ledger.status, StatusCode::OK, "{}", ledger.text);
    let ledger = ledger.json();
    let credit = (margin * 2_000 * 2 + 10_000) / 20_000;
    assert_eq!(ledger["balance_pence"], credit, "20% of the profit");
    assert_eq!(ledger["share_bp"], 2_000);
    assert_eq!(ledger["entries"][0]["kind"], "credit");
    assert_eq!(ledger["entries"][0]["quote"], id.as_str());
    assert_eq!(ledger["entries"][0]["quote_version"], 3);
    for who in [&kuwait_moh, &rival] {
        let hidden = call(&app, who, Method::GET, pot, None).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.text);
    }

    let frozen = call(
        &app,
        &gosh,
        Method::PUT,
        &uri,
        Some(json!({"version": 6, "input": kuwait(1)})),
    )
    .await;
    assert_eq!(frozen.status, StatusCode::CONFLICT, "{}", frozen.text);
    assert!(frozen.text.contains("accepted"), "{}", frozen.text);

    let too_much = call(
        &app,
        &gosh,
        Method::POST,
        pot,
        Some(json!({"kind": "spend", "amount_pence": credit + 1, "note": "A scoping visit."})),
    )
    .await;
    assert_eq!(too_much.status, StatusCode::CONFLICT, "{}", too_much.text);
    let spent = call(
        &app,
        &gosh,
        Method::POST,
        pot,
        Some(
            json!({"kind": "spend", "amount_pence": 100_000, "note": "A scoping visit to Riyadh."}),
        ),
    )
    .await;
    assert_eq!(spent.status, StatusCode::CREATED, "{}", spent.text);
    assert_eq!(spent.json()["amount_pence"], -100_000);
    let no_note = call(
        &app,
        &gosh,
        Method::POST,
        pot,
        Some(json!({"kind": "spend", "amount_pence": 1, "note": " "})),
    )
    .await;
    assert_eq!(no_note.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ledger = call(&app, &gosh, Method::GET, pot, None).await.json();
    assert_eq!(ledger["balance_pence"], credit - 100_000);

    let audit = app
        .store
        .audit_events(
            &hcx_store::AuditFilter {
                kind: Some("quote".into()),
                record_id: Some(id.clone()),
                ..hcx_store::AuditFilter::default()
            },
            20,
        )
        .await
        .unwrap();
    assert_eq!(audit.len(), 6, "create, three revisions and issues, accept");
}

#[tokio::test]
async fn a_rejected_quote_takes_a_new_version_and_a_withdrawn_one_is_closed() {
    let (app, _db) = demo_app().await;
    let gosh = token(&app, "gosh@quotes.test", "provider", "RP4").await;
    let saudi = token(&app, "sa@quotes.test", "buyer", "SA-MOH").await;
    let mut input = kuwait(0);
    input["country"] = "SA".into();
    input["currency"] = "SAR".into();
    let q = call(
        &app,
        &gosh,
        Method::POST,
        "/api/v1/quotes",
        Some(json!({"opportunity": "SA-MOH-2027-01", "title": "Nurse training", "input": input})),
    )
    .await
    .json();
    let uri = format!("/api/v1/quotes/{}", q["id"].as_str().unwrap());
    call(
        &app,
        &gosh,
        Method::POST,
        &format!("{uri}/issue"),
        Some(json!({"version": 1})),
    )
    .await;
    let rejected = call(
        &app,
        &saudi,
        Method::POST,
        &format!("{uri}/reject"),
        Some(json!({"version": 2, "note": "Over budget."})),
    )
    .await;
    assert_eq!(rejected.json()["status"], "rejected", "{}", rejected.text);
    let listed = call(
        &app,
        &saudi,
        Method::GET,
        "/api/v1/quotes?status=rejected",
        None,
    )
    .await;
    assert_eq!(listed.json()["total"], 1);
    let again = call(
        &app,
        &gosh,
        Method::PUT,
        &uri,
        Some(json!({"version": 3, "input": input})),
    )
    .await;
    assert_eq!(again.json()["status"], "draft", "{}", again.text);
    let withdrawn = call(
        &app,
        &gosh,
        Method::POST,
        &format!("{uri}/withdraw"),
        Some(json!({"version": 4})),
    )
    .await;
    assert_eq!(withdrawn.json()["status"], "withdrawn");
    let closed = call(
        &app,
        &gosh,
        Method::POST,
        &format!("{uri}/issue"),
        Some(json!({"version": 5})),
    )
    .await;
    assert_eq!(closed.status, StatusCode::CONFLICT, "{}", closed.text);
    let pot = call(
        &app,
        &gosh,
        Method::GET,
        "/api/v1/organisations/RP4/reinvestment",
        None,
    )
    .await
    .json();
    assert_eq!(
        pot["balance_pence"], 0,
        "only an acceptance credits the pot"
    );
}

#[tokio::test]
async fn the_pages_price_show_print_and_answer_a_quote() {
    let (app, _db) = demo_app().await;
    let gosh = crate::support::session_for(&app, "provider", "RP4").await;
    let opportunity = get_as(&app, &gosh, "/opportunities/SA-MOH-2027-01").await;
    assert!(
        opportunity
            .text
            .contains("/quotes/new?opportunity=SA-MOH-2027-01")
    );
    let own = get_as(&app, &gosh, "/organisations/RP4").await;
    assert!(own.text.contains("/organisations/RP4/reinvestment"));
    let rival = get_as(&app, &gosh, "/organisations/RR8").await;
    assert!(
        !rival.text.contains("/reinvestment"),
        "another provider's pot is hidden"
    );
    let form = get_as(&app, &gosh, "/quotes/new?opportunity=SA-MOH-2027-01").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    assert!(form.text.contains("SA-MOH-2027-01") && form.text.contains("SAR"));
    assert!(
        form.text.contains("Consultant"),
        "grades from the rate card"
    );

    let fields = [
        ("provider", "RP4"),
        ("opportunity", "SA-MOH-2027-01"),
        ("title", ""),
        ("country", "SA"),
        ("currency", "SAR"),
        ("partner_type", "government"),
        ("legal", "2,000"),
        ("grade.0", "consultant"),
        ("days.0", "10"),
        ("trips.0", "2"),
        ("grade.1", "band_6"),
        ("days.1", "20"),
        ("trips.1", "1"),
        ("backfilled.1", "15"),
        ("schedule", "halves"),
    ];
    let refused = post_form_as(
        &app,
        &gosh,
        "/quotes",
        &[
            ("grade.0", "consultant"),
            ("days.0", "ten"),
            ("schedule", "halves"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text.contains("lines[0].days"), "{}", refused.text);

    let created = post_form_as(&app, &gosh, "/quotes", &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    let location = created.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let page = get_as(&app, &gosh, &location).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    for needle in [
        "specialist hospital programme",
        "SAR ",
        "Break-even price",
        "Only 25 of the 30 days staff are away are backfilled",
        "50%",
        "Issue version 1 to the buyer",
    ] {
        assert!(page.text.contains(needle), "{needle:?} is missing");
    }

    let print = get_as(&app, &gosh, &format!("{location}/print")).await;
    assert_eq!(print.status, StatusCode::OK, "{}", print.text);
    assert!(print.text.contains("Payment schedule") && print.text.contains("print-page"));
    assert!(
        !print.text.contains("site-nav"),
        "the print page has no navigation"
    );

    let revise = get_as(&app, &gosh, &format!("{location}/revise")).await;
    assert_eq!(revise.status, StatusCode::OK, "{}", revise.text);
    assert!(
        revise.text.contains("value=\"15\""),
        "the last version's lines"
    );
    let mut again: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| *k != "backfilled.1")
        .copied()
        .collect();
    again.push(("version", "1"));
    let revised = post_form_as(&app, &gosh, &format!("{location}/revise"), &again).await;
    assert_eq!(revised.status, StatusCode::SEE_OTHER, "{}", revised.text);
    let issued = post_form_as(
        &app,
        &gosh,
        &format!("{location}/issue"),
        &[("version", "2")],
    )
    .await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER, "{}", issued.text);
    let stale = post_form_as(
        &app,
        &gosh,
        &format!("{location}/issue"),
        &[("version", "2")],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale.text.contains("changed by someone else"),
        "{}",
        stale.text
    );

    let saudi = crate::support::session_for(&app, "buyer", "SA-MOH").await;
    let theirs = get_as(&app, &saudi, "/opportunities/SA-MOH-2027-01").await;
    assert!(
        !theirs.text.contains("Price a quote"),
        "buyers do not price quotes"
    );
    let seen = get_as(&app, &saudi, &location).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.text);
    assert!(
        seen.text
            .contains("Every one of the 30 days staff are away is backfilled")
    );
    assert!(
        seen.text
            .contains("Accept or reject the version issued to you")
    );
    assert!(!seen.text.contains("Price a new version"));
    let accepted = post_form_as(
        &app,
        &saudi,
        &format!("{location}/accept"),
        &[("version", "3"), ("note", "Signed.")],
    )
    .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.text);

    let pot = get_as(&app, &gosh, "/organisations/RP4/reinvestment").await;
    assert_eq!(pot.status, StatusCode::OK, "{}", pot.text);
    assert!(pot.text.contains("Held back from a quote"), "{}", pot.text);
    let overspent = post_form_as(
        &app,
        &gosh,
        "/organisations/RP4/reinvestment",
        &[
            ("kind", "spend"),
            ("amount", "1,000,000"),
            ("note", "Too much."),
        ],
    )
    .await;
    assert_eq!(overspent.status, StatusCode::CONFLICT);
    assert!(
        overspent.text.contains("cannot be taken"),
        "{}",
        overspent.text
    );
    let spent = post_form_as(
        &app,
        &gosh,
        "/organisations/RP4/reinvestment",
        &[
            ("kind", "spend"),
            ("amount", "250"),
            ("note", "Interpreters for the visit."),
        ],
    )
    .await;
    assert_eq!(spent.status, StatusCode::SEE_OTHER, "{}", spent.text);
    let pot = get_as(&app, &gosh, "/organisations/RP4/reinvestment").await;
    assert!(pot.text.contains("Interpreters for the visit.") && pot.text.contains("-£250.00"));
    let hidden = get_as(&app, &saudi, "/organisations/RP4/reinvestment").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_quote_route_of_the_api_is_documented_under_quotes() {
    let (app, _db) = crate::support::app().await;
    let doc = crate::support::get(&app, "/api/v1/openapi.json")
        .await
        .json();
    let routes: Vec<_> = hcx::web::route_list()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/quotes") || r.path.ends_with("/reinvestment"))
        .filter(|r| r.path.starts_with("/api/"))
        .collect();
    assert_eq!(routes.len(), 10);
    for r in routes {
        let path = r.path.trim_start_matches("/api/v1");
        let operation = &doc["paths"][path][r.method.as_str().to_lowercase()];
        assert_eq!(operation["tags"], json!(["quotes"]), "{} {path}", r.method);
    }
}
