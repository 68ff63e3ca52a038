//! Due-diligence cases through the API: worked from opening to a decision
//! by a second person, kept to their provider and the agency, screened again
//! when a list is imported anew, and obeyed by matching.

use axum::http::{Method, StatusCode};
use hcx::services::{App, Caller};
use hcx_domain::access::Actor;
use serde_json::{Value, json};

use crate::support::{PASSWORD, Who, call, demo_app, get_as, person, post_form_as};

/// A list with one person near the name of the case's minister, and an
/// entity unrelated to anything in the demo world.
const LIST_V1: &str = concat!(
    r#"{"id":"t-1","schema":"Person","properties":{"name":["Jaber AL-JALAMAH"],"birthDate":["1959-09-24"],"nationality":["kw"],"topics":["sanction"]}}"#,
    "\n",
    r#"{"id":"t-2","schema":"Company","properties":{"name":["ROSNEFT TRADING S.A."],"country":["ch"],"topics":["sanction"]}}"#,
    "\n",
);

/// The next version: the partner itself is now listed.
const LIST_V2: &str = concat!(
    r#"{"id":"t-1","schema":"Person","properties":{"name":["Jaber AL-JALAMAH"],"birthDate":["1959-09-24"],"nationality":["kw"],"topics":["sanction"]}}"#,
    "\n",
    r#"{"id":"t-2","schema":"Company","properties":{"name":["ROSNEFT TRADING S.A."],"country":["ch"],"topics":["sanction"]}}"#,
    "\n",
    r#"{"id":"t-3","schema":"Organization","properties":{"name":["MINISTRY OF HEALTH, STATE OF KUWAIT"],"country":["kw"],"topics":["sanction"]}}"#,
    "\n",
);

async fn import_list(app: &App, text: &str) {
    app.import_list(&Caller::command_line(), "sdn", "test", text)
        .await
        .expect("list imported");
}

/// Every checklist item answered, financial notes and a low rating.
fn complete_edit(version: i64) -> Value {
    json!({
        "version": version,
        "financial_notes": "Budget approved by parliament; paid past invoices within 30 days.",
        "checklist": [
            {"item": "anti_bribery", "answer": "satisfied"},
            {"item": "ethics", "answer": "satisfied"},
            {"item": "governing_law", "answer": "satisfied"},
            {"item": "mou_exit", "answer": "satisfied"},
            {"item": "nhs_brand", "answer": "not_applicable", "note": "No NHS branding in this work."},
        ],
        "rating": "low",
        "rating_reasons": "A ministry with a long record of paying on time.",
    })
}

fn in_a_year() -> String {
    hcx_domain::opportunity::format_date(hcx_domain::diligence::suggested_expiry(
        time::OffsetDateTime::now_utc().date(),
    ))
}

#[tokio::test]
async fn a_case_is_worked_through_the_api_and_only_a_second_person_decides_it() {
    let (app, _db) = demo_app().await;
    import_list(&app, LIST_V1).await;
    let (ada, ada_id) = person(&app, "ada@gosh.test", "provider", Some("RP4")).await;
    let (bob, _) = person(&app, "bob@gosh.test", "provider", Some("RP4")).await;

    let opened = call(
        &app,
        &ada,
        Method::POST,
        "/api/v1/cases",
        Some(json!({"partner": "KW-MOH"})),
    )
    .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.text);
    let case = opened.json();
    let id = case["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (case["owner"].as_str(), case["status"].as_str()),
        (Some("RP4"), Some("open"))
    );
    assert_eq!(case["checklist"].as_array().unwrap().len(), 5);

    let added = call(
        &app,
        &ada,
        Method::POST,
        &format!("/api/v1/cases/{id}/people"),
        Some(json!({"version": 1, "name": "Jaber Al-Jalahma", "role": "Director of International Affairs", "country": "kw"})),
    )
    .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    assert_eq!(added.json()["people"][0]["id"], "p1");
    assert_eq!(added.json()["people"][0]["country"], "KW");

    let screened = call(
        &app,
        &ada,
        Method::POST,
        &format!("/api/v1/cases/{id}/screen"),
        None,
    )
    .await;
    assert_eq!(screened.status, StatusCode::OK, "{}", screened.text);
    let screened = screened.json();
    let hit = &screened["new_hits"][0];
    assert_eq!(
        (hit["subject"].as_str(), hit["entity_id"].as_str()),
        (Some("p1"), Some("t-1"))
    );
    assert_eq!(hit["verdict"], "pending");
    assert_eq!(screened["lists"][0], json!({"name": "sdn", "version": 1}));
    let version = screened["case"]["version"].as_i64().unwrap();

    // Submitting an unfinished case names everything missing.
    let early = call(
        &app,
        &ada,
        Method::POST,
        &format!("/api/v1/cases/{id}/submit"),
        Some(json!({"version": version})),
    )
    .await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        early.text
    );
    let fields: Vec<String> = early.json()["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        fields.contains(&"hits".to_owned()) && fields.contains(&"rating".to_owned()),
        "{fields:?}"
    );

    let verdict = call(
        &app,
        &ada,
        Method::POST,
        &format!("/api/v1/cases/{id}/hits/1"),
        Some(json!({"version": version, "verdict": "false_positive", "reason": "Our director was born in 1975, the listed man in 1959."})),
    )
    .await;
    assert_eq!(verdict.status, StatusCode::OK, "{}", verdict.text);
    assert_eq!(
        verdict.json()["hits"][0]["reviewed_by"],
        format!("user:{ada_id}")
    );
    let stale = call(
        &app,
        &ada,
        Method::PUT,
        &format!("/api/v1/cases/{id}"),
        Some(complete_edit(version)),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
    assert!(stale.text.contains("reload it"), "{}", stale.text);
    let version = verdict.json()["version"].as_i64().unwrap();
    let edited = call(
        &app,
        &ada,
        Method::PUT,
        &format!("/api/v1/cases/{id}"),
        Some(complete_edit(version)),
    )
    .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);
    let edited = edited.json();
    assert_eq!(
        edited["people"].as_array().unwrap().len(),
        1,
        "people left out stay"
    );
    assert_eq!(edited["missing"], json!([]));

    let submitted = call(
        &app,
        &ada,
        Method::POST,
        &format!("/api/v1/cases/{id}/submit"),
        Some(json!({"version": edited["version"]})),
    )
    .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
    let version = submitted.json()["version"].clone();
    assert_eq!(submitted.json()["requested_by"], format!("user:{ada_id}"));

    let decision = |outcome: &str, expires_on: Option<String>| json!({"version": version, "outcome": outcome, "note": "Screening clean, terms agreed.", "expires_on": expires_on});
    let own = call(
        &app,
        &ada,
        Method::POST,
        &format!("/api/v1/cases/{id}/decision"),
        Some(decision("approved", Some(in_a_year()))),
    )
    .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.text);
    assert!(
        own.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("a second person must decide it"),
        "{}",
        own.text
    );
    let no_expiry = call(
        &app,
        &bob,
        Method::POST,
        &format!("/api/v1/cases/{id}/decision"),
        Some(decision("approved", None)),
    )
    .await;
    assert_eq!(
        no_expiry.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        no_expiry.text
    );
    assert!(
        no_expiry.text.contains("is suggested"),
        "{}",
        no_expiry.text
    );
    let approved = call(
        &app,
        &bob,
        Method::POST,
        &format!("/api/v1/cases/{id}/decision"),
        Some(decision("approved", Some(in_a_year()))),
    )
    .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
    let approved = approved.json();
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["decision"]["expires_on"], in_a_year());

    let late_edit = call(
        &app,
        &bob,
        Method::PUT,
        &format!("/api/v1/cases/{id}"),
        Some(complete_edit(approved["version"].as_i64().unwrap())),
    )
    .await;
    assert_eq!(late_edit.status, StatusCode::CONFLICT);
    assert!(
        late_edit
            .text
            .contains("cannot edit a case that is approved"),
        "{}",
        late_edit.text
    );
    let reopened = call(
        &app,
        &bob,
        Method::POST,
        &format!("/api/v1/cases/{id}/reopen"),
        Some(json!({"version": approved["version"]})),
    )
    .await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.text);
    assert_eq!(reopened.json()["status"], "open");
    assert_eq!(
        reopened.json()["decision"]["outcome"],
        "approved",
        "the approval stays in force"
    );

    let events = app
        .store
        .audit_events(
            &hcx_store::AuditFilter {
                record_id: Some(id.clone()),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "open",
            "edit",
            "record_hits",
            "mark_hit",
            "edit",
            "submit",
            "approve",
            "reopen"
        ]
    );
}

#[tokio::test]
async fn bad_input_is_named_by_field() {
    let (app, _db) = demo_app().await;
    let (ada, _) = person(&app, "ada@gosh.test", "provider", Some("RP4")).await;
    let not_a_partner = call(
        &app,
        &ada,
        Method::POST,
        "/api/v1/cases",
        Some(json!({"partner": "RR8"})),
    )
    .await;
    assert_eq!(not_a_partner.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        not_a_partner.text.contains("overseas buyers and partners"),
        "{}",
        not_a_partner.text
    );
    let people = call(
        &app,
        &ada,
        Method::POST,
        "/api/v1/cases",
        Some(json!({"partner": "KW-MOH", "people": [{"name": "A", "role": "Minister", "country": "XX"}, {"name": " ", "role": "Deputy", "birth_date": "born 1970"}]})),
    )
    .await;
    assert_eq!(
        people.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        people.text
    );
    let fields: Vec<String> = people.json()["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["people[0].country"], "the edge reads codes first");
    let missing = call(
        &app,
        &ada,
        Method::POST,
        "/api/v1/cases",
        Some(json!({"partner": "NOWHERE"})),
    )
    .await;
    assert!(missing.text.contains("does not exist"), "{}", missing.text);
    let status = call(&app, &ada, Method::GET, "/api/v1/cases?status=closed", None).await;
    assert_eq!(status.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        status.text.contains("open, submitted, approved, rejected"),
        "{}",
        status.text
    );
    let no_list = call(
        &app,
        &ada,
        Method::POST,
        "/api/v1/cases",
        Some(json!({"partner": "KW-MOH"})),
    )
    .await;
    let id = no_list.json()["id"].as_str().unwrap().to_owned();
    let screened = call(
        &app,
        &ada,
        Method::POST,
        &format!("/api/v1/cases/{id}/screen"),
        None,
    )
    .await;
    assert_eq!(screened.status, StatusCode::CONFLICT);
    assert!(
        screened.text.contains("no screening list"),
        "{}",
        screened.text
    );
}

#[tokio::test]
async fn a_providers_cases_are_its_own_and_the_agencys() {
    let (app, _db) = demo_app().await;
    let (gosh, _) = person(&app, "ada@gosh.test", "provider", Some("RP4")).await;
    let (leeds, _) = person(&app, "lee@leeds.test", "provider", Some("RR8")).await;
    let (adviser, _) = person(&app, "avery@agency.test", "adviser", Some("HCUK")).await;
    let (buyer, _) = person(&app, "bashir@kw.test", "buyer", Some("KW-MOH")).await;

    let mine = call(
        &app,
        &gosh,
        Method::POST,
        "/api/v1/cases",
        Some(json!({"partner": "KW-MOH"})),
    )
    .await
    .json();
    let id = mine["id"].as_str().unwrap();
    let agency = call(
        &app,
        &adviser,
        Method::POST,
        "/api/v1/cases",
        Some(json!({"partner": "SA-MOH"})),
    )
    .await;
    assert_eq!(agency.status, StatusCode::CREATED, "{}", agency.text);
    assert_eq!(
        agency.json()["owner"],
        Value::Null,
        "the agency's case is for every provider"
    );
    let agency_id = agency.json()["id"].as_str().unwrap().to_owned();

    // Another provider neither sees nor touches the case, nor opens one for GOSH.
    for uri in [
        format!("/api/v1/cases/{id}"),
        format!("/api/v1/cases/{agency_id}"),
    ] {
        assert_eq!(
            call(&app, &leeds, Method::GET, &uri, None).await.status,
            StatusCode::NOT_FOUND
        );
    }
    let act = call(
        &app,
        &leeds,
        Method::POST,
        &format!("/api/v1/cases/{id}/reopen"),
        Some(json!({"version": 1})),
    )
    .await;
    assert_eq!(act.status, StatusCode::NOT_FOUND);
    let for_gosh = call(
        &app,
        &leeds,
        Method::POST,
        "/api/v1/cases",
        Some(json!({"partner": "KW-MOH", "owner": "RP4"})),
    )
    .await;
    assert_eq!(for_gosh.status, StatusCode::FORBIDDEN, "{}", for_gosh.text);
    let listed = call(&app, &leeds, Method::GET, "/api/v1/cases", None)
        .await
        .json();
    assert_eq!(listed["total"], 0);
    let listed = call(&app, &gosh, Method::GET, "/api/v1/cases", None)
        .await
        .json();
    assert_eq!(listed["total"], 1, "the agency's case is not GOSH's to see");
    // The agency sees every case; buyers none.
    let all = call(&app, &adviser, Method::GET, "/api/v1/cases", None)
        .await
        .json();
    assert_eq!(all["total"], 2);
    let on_kuwait = call(
        &app,
        &adviser,
        Method::GET,
        "/api/v1/cases?partner=KW-MOH",
        None,
    )
    .await
    .json();
    assert_eq!(on_kuwait["items"][0]["id"], id);
    assert_eq!(
        call(
            &app,
            &adviser,
            Method::GET,
            &format!("/api/v1/cases/{id}"),
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        call(&app, &buyer, Method::GET, "/api/v1/cases", None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(
            &app,
            &buyer,
            Method::GET,
            &format!("/api/v1/cases/{id}"),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        call(&app, &Who::Anonymous, Method::GET, "/api/v1/cases", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

/// A caller acting from the command line under a name of its own, so that
/// two of them are two people.
fn operator(name: &str) -> Caller {
    Caller {
        actor: Actor::command_line(name),
        request_id: None,
    }
}

/// A case on `partner` for `owner` worked in full and decided by a second person.
async fn decided_case(app: &App, partner: &str, owner: Option<&str>, outcome: &str) -> String {
    use hcx::services::diligence::{AnswerInput, DecisionInput, EditInput, OpenInput};
    let (first, second) = (operator("first"), operator("second"));
    let open = OpenInput {
        partner: partner.into(),
        owner: owner.map(str::to_owned),
        people: Vec::new(),
    };
    let case = app.open_case(&first, &open).await.expect("opened");
    let id = case.id.to_string();
    let edit = EditInput {
        financial_notes: "Pays on time.".into(),
        checklist: [
            "anti_bribery",
            "ethics",
            "governing_law",
            "mou_exit",
            "nhs_brand",
        ]
        .iter()
        .map(|item| AnswerInput {
            item: (*item).into(),
            answer: "satisfied".into(),
            note: String::new(),
        })
        .collect(),
        rating: Some("medium".into()),
        rating_reasons: "Reviewed.".into(),
        ..EditInput::default()
    };
    let case = app
        .edit_case(&first, &id, case.version, &edit)
        .await
        .expect("edited");
    let case = app
        .submit_case(&first, &id, case.version)
        .await
        .expect("submitted");
    let decision = DecisionInput {
        outcome: outcome.into(),
        note: "Decided.".into(),
        expires_on: (outcome == "approved").then(in_a_year),
    };
    app.decide_case(&second, &id, case.version, &decision)
        .await
        .expect("decided");
    id
}

/// The providers matching lists for an opportunity, and those it keeps out with their reasons.
async fn matches(app: &App, opportunity: &str) -> (Vec<String>, Vec<(String, String, String)>) {
    let report = crate::support::get(
        app,
        &format!("/api/v1/opportunities/{opportunity}/matches?top=200"),
    )
    .await
    .json();
    let matched = report["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["provider"].as_str().unwrap().to_owned())
        .collect();
    let excluded = report["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["provider"].as_str().unwrap().to_owned(),
                e["rule"].as_str().unwrap().to_owned(),
                e["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (matched, excluded)
}

const PAEDIATRICS: &str = "KW-MOH-2026-01";

#[tokio::test]
async fn a_rejected_case_keeps_its_provider_out_of_matching_and_introductions() {
    let (app, _db) = demo_app().await;
    let (before, _) = matches(&app, PAEDIATRICS).await;
    assert!(
        before.contains(&"RP4".to_owned()),
        "GOSH fits paediatric advice: {before:?}"
    );
    decided_case(&app, "KW-MOH", Some("RP4"), "rejected").await;
    let (after, excluded) = matches(&app, PAEDIATRICS).await;
    assert!(!after.contains(&"RP4".to_owned()));
    let (_, rule, reason) = excluded
        .iter()
        .find(|(p, _, _)| p == "RP4")
        .expect("GOSH is kept out");
    assert_eq!(rule, "due_diligence");
    assert!(
        reason.starts_with("due diligence on Ministry of Health, State of Kuwait was rejected on "),
        "{reason}"
    );
    assert!(
        after.iter().any(|p| p != "RP4"),
        "other providers are not blocked by GOSH's case"
    );
    let introduced = crate::support::json(
        &app,
        "POST",
        &format!("/api/v1/opportunities/{PAEDIATRICS}/introductions"),
        json!({"provider": "RP4"}),
    )
    .await;
    assert_eq!(
        introduced.status,
        StatusCode::CONFLICT,
        "{}",
        introduced.text
    );
    assert!(
        introduced.text.contains("was rejected on"),
        "{}",
        introduced.text
    );
    // The provider's own ranking of opportunities says the same.
    let own = crate::support::get(&app, "/api/v1/organisations/RP4/matches?top=200")
        .await
        .json();
    let ruled_out = own["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["opportunity"] == PAEDIATRICS)
        .expect("the Kuwaiti need is ruled out");
    assert_eq!(ruled_out["rule"], "due_diligence");
}

#[tokio::test]
async fn an_expired_approval_blocks_and_the_agencys_rejection_blocks_everyone() {
    let (app, _db) = demo_app().await;
    let id = decided_case(&app, "KW-MOH", Some("RP4"), "approved").await;
    let (matched, _) = matches(&app, PAEDIATRICS).await;
    assert!(
        matched.contains(&"RP4".to_owned()),
        "an approval in force blocks nothing"
    );
    app.store
        .execute_unchecked(&format!(
            "update diligence_cases set expires_on = '2026-01-31' where id = '{id}'"
        ))
        .await
        .unwrap();
    let (matched, excluded) = matches(&app, PAEDIATRICS).await;
    assert!(!matched.contains(&"RP4".to_owned()));
    assert!(
        excluded.iter().any(|(p, _, reason)| p == "RP4"
            && reason
                == "due diligence on Ministry of Health, State of Kuwait expired on 2026-01-31"),
        "{excluded:?}"
    );
    decided_case(&app, "KW-MOH", None, "rejected").await;
    let (matched, excluded) = matches(&app, PAEDIATRICS).await;
    assert!(matched.is_empty(), "{matched:?}");
    assert!(
        excluded
            .iter()
            .filter(|(_, rule, _)| rule == "due_diligence")
            .count()
            > 1
    );
}

#[tokio::test]
async fn a_new_version_of_a_list_rescreens_approved_cases_and_tells_their_people() {
    let (app, _db) = demo_app().await;
    import_list(&app, LIST_V1).await;
    let (ada, ada_id) = person(&app, "ada@gosh.test", "provider", Some("RP4")).await;
    let (bob, bob_id) = person(&app, "bob@gosh.test", "provider", Some("RP4")).await;
    let case = call(
        &app,
        &ada,
        Method::POST,
        "/api/v1/cases",
        Some(json!({"partner": "KW-MOH"})),
    )
    .await
    .json();
    let id = case["id"].as_str().unwrap().to_owned();
    let screened = call(
        &app,
        &ada,
        Method::POST,
        &format!("/api/v1/cases/{id}/screen"),
        None,
    )
    .await
    .json();
    assert_eq!(
        screened["new_hits"],
        json!([]),
        "nothing in v1 is near the ministry"
    );
    let edited = call(
        &app,
        &ada,
        Method::PUT,
        &format!("/api/v1/cases/{id}"),
        Some(complete_edit(screened["case"]["version"].as_i64().unwrap())),
    )
    .await
    .json();
    let submitted = call(
        &app,
        &ada,
        Method::POST,
        &format!("/api/v1/cases/{id}/submit"),
        Some(json!({"version": edited["version"]})),
    )
    .await
    .json();
    let approved = call(
        &app,
        &bob,
        Method::POST,
        &format!("/api/v1/cases/{id}/decision"),
        Some(json!({"version": submitted["version"], "outcome": "approved", "note": "Clean.", "expires_on": in_a_year()})),
    )
    .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
    let now = || hcx::services::accounts::now();
    app.run_due_jobs(now()).await.expect("jobs run");

    import_list(&app, LIST_V2).await;
    let run = app.run_due_jobs(now()).await.expect("jobs run");
    assert_eq!(run.failed, 0);
    let after = call(
        &app,
        &ada,
        Method::GET,
        &format!("/api/v1/cases/{id}"),
        None,
    )
    .await
    .json();
    assert_eq!(after["status"], "approved", "the approval stays in force");
    assert_eq!(after["needs_review"], true);
    let hit = &after["hits"][0];
    assert_eq!(
        (
            hit["entity_id"].as_str(),
            hit["subject"].as_str(),
            hit["verdict"].as_str(),
            hit["list_version"].as_str()
        ),
        (
            Some("t-3"),
            Some("organisation"),
            Some("pending"),
            Some("2")
        )
    );
    for (user, who) in [(&ada_id, &ada), (&bob_id, &bob)] {
        assert_eq!(
            app.store.unread_case_notifications(user).await.unwrap(),
            1,
            "{user}"
        );
        let page =
            crate::support::get_as(&app, &session_of(&app, who).await, "/notifications").await;
        assert!(
            page.text.contains("MINISTRY OF HEALTH, STATE OF KUWAIT"),
            "{}",
            page.text
        );
        assert!(page.text.contains(&format!("/cases/{id}")));
        let api = call(&app, who, Method::GET, "/api/v1/notifications", None)
            .await
            .json();
        let told = &api["case_hits"][0];
        assert_eq!(told["case"], id.as_str(), "{api}");
        assert_eq!(told["caption"], "MINISTRY OF HEALTH, STATE OF KUWAIT");
        assert!(told["read_at"].is_null());
    }
    let events = app
        .store
        .audit_events(
            &hcx_store::AuditFilter {
                record_id: Some(id.clone()),
                ..Default::default()
            },
            5,
        )
        .await
        .unwrap();
    assert_eq!(
        (
            events[0].action.as_str(),
            events[0].actor_id.as_str(),
            events[1].action.as_str()
        ),
        ("notify", "worker:jobs", "record_hits")
    );

    let told = app.store.case_notifications_of(&ada_id, 10).await.unwrap();
    let read = post_form_as(
        &app,
        &session_of(&app, &ada).await,
        &format!("/notifications/cases/{}/read", told[0].id),
        &[],
    )
    .await;
    assert_eq!(read.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.store.unread_case_notifications(&ada_id).await.unwrap(),
        0
    );

    // The same list again finds nothing new and tells no one anything.
    import_list(&app, LIST_V2).await;
    app.run_due_jobs(now()).await.expect("jobs run");
    assert_eq!(
        app.store.unread_case_notifications(&ada_id).await.unwrap(),
        0
    );
    assert_eq!(
        app.store
            .case_notifications_of(&bob_id, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let again = call(
        &app,
        &ada,
        Method::GET,
        &format!("/api/v1/cases/{id}"),
        None,
    )
    .await
    .json();
    assert_eq!(again["hits"].as_array().unwrap().len(), 1);
    assert_eq!(
        again["hits"][0]["list_version"], "3",
        "the hit is refreshed"
    );
}

/// A browser session for the person behind a token.
async fn session_of(app: &App, who: &Who) -> Who {
    let Who::Token(secret) = who else {
        unreachable!("people here have tokens")
    };
    let caller = app.token_caller(secret, None).await.expect("token");
    let signed_in = app
        .sign_in(&caller.actor.name, PASSWORD, None)
        .await
        .expect("sign in");
    Who::Session {
        cookie: signed_in.session,
        csrf: signed_in.csrf,
    }
}

/// A browser session of a new account.
async fn session(app: &App, email: &str, role: &str, organisation: &str) -> Who {
    person(app, email, role, Some(organisation)).await;
    let signed_in = app.sign_in(email, PASSWORD, None).await.expect("sign in");
    Who::Session {
        cookie: signed_in.session,
        csrf: signed_in.csrf,
    }
}

/// The version of a case as stored.
async fn version_of(app: &App, id: &str) -> String {
    app.case(&Caller::command_line(), id)
        .await
        .expect("case")
        .version
        .to_string()
}

#[tokio::test]
async fn a_case_is_worked_through_the_pages_and_the_requester_is_told_someone_else_decides() {
    let (app, _db) = demo_app().await;
    import_list(&app, LIST_V1).await;
    let ada = session(&app, "ada@gosh.test", "provider", "RP4").await;
    let bob = session(&app, "bob@gosh.test", "provider", "RP4").await;

    let new = get_as(&app, &ada, "/cases/new").await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(new.text.contains("Ministry of Health, State of Kuwait"));
    let opened = post_form_as(&app, &ada, "/cases", &[("partner", "KW-MOH")]).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.text);
    let location = opened.headers["location"].to_str().unwrap().to_owned();
    let id = location.strip_prefix("/cases/").unwrap().to_owned();

    let page = get_as(&app, &ada, &location).await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in [
        "Corruption Perceptions Index 2025 by Transparency International, licensed under CC BY-ND 4.0",
        "Score 46, rank 65",
        "High income",
        "Jurisdiction under increased monitoring",
        "0.21",
    ] {
        assert!(page.text.contains(shown), "{shown} is missing");
    }

    let v = version_of(&app, &id).await;
    let added = post_form_as(
        &app,
        &ada,
        &format!("{location}/people"),
        &[
            ("version", &v),
            ("name", "Jaber Al-Jalahma"),
            ("role", "Director of International Affairs"),
            ("country", "KW"),
        ],
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.text);
    let screened = post_form_as(&app, &ada, &format!("{location}/screen"), &[]).await;
    assert_eq!(screened.headers["location"], format!("{location}?found=1"));
    let page = get_as(&app, &ada, &format!("{location}?found=1")).await;
    assert!(page.text.contains("found 1 new hit"));
    assert!(page.text.contains("Jaber AL-JALAMAH") && page.text.contains("Awaiting review"));

    let v = version_of(&app, &id).await;
    let marked = post_form_as(
        &app,
        &ada,
        &format!("{location}/hits/1"),
        &[
            ("version", &v),
            ("verdict", "false_positive"),
            ("reason", "Our director was born in 1975."),
        ],
    )
    .await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER, "{}", marked.text);
    let stale = post_form_as(
        &app,
        &ada,
        &format!("{location}/submit"),
        &[("version", &v)],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.text.contains("reload it"), "{}", stale.text);

    let v = version_of(&app, &id).await;
    let mut fields = vec![
        ("version", v.as_str()),
        ("financial_notes", "Budget approved by parliament."),
        ("rating_reasons", "Pays on time."),
        ("answer.anti_bribery", "satisfied"),
        ("answer.ethics", "satisfied"),
        ("answer.governing_law", "satisfied"),
        ("answer.mou_exit", "satisfied"),
        ("answer.nhs_brand", "not_applicable"),
    ];
    let saved = post_form_as(&app, &ada, &location, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let v = version_of(&app, &id).await;
    let refused = post_form_as(
        &app,
        &ada,
        &format!("{location}/submit"),
        &[("version", &v)],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text.contains("rating: is required"),
        "{}",
        refused.text
    );
    assert!(
        refused.text.contains("checklist.nhs_brand.note"),
        "{}",
        refused.text
    );
    fields[0].1 = &v;
    fields.extend([("rating", "low"), ("note.nhs_brand", "No NHS branding.")]);
    let saved = post_form_as(&app, &ada, &location, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let v = version_of(&app, &id).await;
    let submitted = post_form_as(
        &app,
        &ada,
        &format!("{location}/submit"),
        &[("version", &v)],
    )
    .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.text
    );

    let own = get_as(&app, &ada, &location).await;
    assert!(
        own.text
            .contains("You submitted this case, so someone else must decide it")
    );
    assert!(
        !own.text
            .contains(&format!("action=\"{location}/decision\""))
    );
    let v = version_of(&app, &id).await;
    let expiry = in_a_year();
    let decision = [
        ("version", v.as_str()),
        ("outcome", "approved"),
        ("note", "Clean."),
        ("expires_on", expiry.as_str()),
    ];
    let own_decision = post_form_as(&app, &ada, &format!("{location}/decision"), &decision).await;
    assert_eq!(own_decision.status, StatusCode::FORBIDDEN);
    assert!(own_decision.text.contains("a second person must decide it"));

    let theirs = get_as(&app, &bob, &location).await;
    assert!(
        theirs
            .text
            .contains(&format!("action=\"{location}/decision\""))
    );
    let approved = post_form_as(&app, &bob, &format!("{location}/decision"), &decision).await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.text);
    let page = get_as(&app, &bob, &location).await;
    assert!(
        page.text.contains(&format!("<time datetime=\"{expiry}\">")),
        "the expiry is shown"
    );
    let list = get_as(&app, &ada, "/cases?status=approved").await;
    assert!(list.text.contains(&id) && list.text.contains("Ministry of Health, State of Kuwait"));
    let others = session(&app, "lee@leeds.test", "provider", "RR8").await;
    assert_eq!(
        get_as(&app, &others, &location).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!get_as(&app, &others, "/cases").await.text.contains(&id));
}

#[tokio::test]
async fn the_screening_page_explains_each_result_and_the_agency_imports_lists_there() {
    let (app, _db) = demo_app().await;
    import_list(&app, LIST_V1).await;
    let provider = session(&app, "ada@gosh.test", "provider", "RP4").await;
    let page = get_as(
        &app,
        &provider,
        "/screening?name=Jaber+Al-Jalahma&schema=Person&country=KW",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("Jaber AL-JALAMAH") && page.text.contains("both tied to KW"),
        "{}",
        page.text
    );
    assert!(page.text.contains("href=\"/cases\"") && page.text.contains(">Due diligence</a>"));
    assert!(
        !page.text.contains("Import a list"),
        "the lists are the agency's to import"
    );
    let bad = get_as(&app, &provider, "/screening?name=X&birth_date=born+1970").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let adviser = session(&app, "avery@agency.test", "adviser", "HCUK").await;
    let refused = post_form_as(
        &app,
        &adviser,
        "/screening/lists",
        &[
            ("name", "pep"),
            (
                "entities",
                r#"{"id":"p1","schema":"Ship","properties":{"name":["X"]}}"#,
            ),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text.contains("line 1: schema"), "{}", refused.text);
    let imported = post_form_as(
        &app,
        &adviser,
        "/screening/lists",
        &[("name", "pep"), ("label", "2026-11"), ("entities", r#"{"id":"p1","schema":"Person","properties":{"name":["Ahmad Al-Awadhi"],"topics":["role.pep"]}}"#)],
    )
    .await;
    assert_eq!(imported.headers["location"], "/screening?imported=pep");
    let page = get_as(&app, &adviser, "/screening?imported=pep").await;
    assert!(page.text.contains("was imported as a new version") && page.text.contains("2026-11"));

    let buyer = session(&app, "bashir@kw.test", "buyer", "KW-MOH").await;
    assert_eq!(
        get_as(&app, &buyer, "/screening").await.status,
        StatusCode::FORBIDDEN
    );
    let home = get_as(&app, &buyer, "/").await;
    assert!(!home.text.contains("href=\"/screening\"") && !home.text.contains("href=\"/cases\""));
}

#[tokio::test]
async fn every_case_route_of_the_api_is_documented_under_due_diligence() {
    let (app, _db) = crate::support::app().await;
    let doc = crate::support::get(&app, "/api/v1/openapi.json")
        .await
        .json();
    let routes: Vec<_> = hcx::web::route_list()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/cases"))
        .collect();
    assert_eq!(routes.len(), 10);
    for r in routes {
        let path = r.path.trim_start_matches("/api/v1");
        let operation = &doc["paths"][path][r.method.as_str().to_lowercase()];
        assert_eq!(
            operation["tags"],
            json!(["due diligence"]),
            "{} {path}",
            r.method
        );
    }
    let tags = doc["tags"].as_array().unwrap();
    assert!(tags.iter().any(|t| t["name"] == "due diligence"));
}

/// Twinning suggestions of both sides, as the partners' ids.
async fn twinning_partners(app: &App, organisation: &str) -> Vec<String> {
    let report = crate::support::get(
        app,
        &format!("/api/v1/organisations/{organisation}/twinning?top=200"),
    )
    .await
    .json();
    report["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["partner"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_rejected_case_keeps_the_pair_out_of_twinning_both_ways() {
    let (app, _db) = demo_app().await;
    assert!(
        twinning_partners(&app, "RP4")
            .await
            .contains(&"KW-MOH".to_owned())
    );
    assert!(
        twinning_partners(&app, "KW-MOH")
            .await
            .contains(&"RP4".to_owned())
    );
    decided_case(&app, "KW-MOH", Some("RP4"), "rejected").await;
    assert!(
        !twinning_partners(&app, "RP4")
            .await
            .contains(&"KW-MOH".to_owned())
    );
    let for_kuwait = twinning_partners(&app, "KW-MOH").await;
    assert!(!for_kuwait.contains(&"RP4".to_owned()));
    assert!(
        !for_kuwait.is_empty(),
        "other providers are still suggested"
    );
}
