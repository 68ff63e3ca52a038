//! Consortium planning over the demo world's bundled opportunity.

use hcx::services::registry::Kind;
use hcx::services::{Caller, ServiceError};
use hcx_domain::consortium::Status;
use hcx_domain::interchange::Record;

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::{call, demo_app, get_as, person, post_form_as, session_for};

#[tokio::test]
async fn the_demo_bundle_gets_an_optimal_team_covering_every_part_once() {
    let (app, _db) = demo_app().await;
    let cli = Caller::command_line();
    let report = app
        .plan_consortium(&cli, "SA-MOH-2027-01", 5)
        .await
        .unwrap();
    assert_eq!(
        report.plan.status,
        Status::Optimal,
        "{:?}",
        report.plan.uncovered
    );
    let Record::Opportunity(o) = app
        .get(&cli, Kind::Opportunity, "SA-MOH-2027-01")
        .await
        .unwrap()
        .record
    else {
        unreachable!("an opportunity")
    };
    let mut given: Vec<(String, u32)> = report
        .plan
        .members
        .iter()
        .flat_map(|m| {
            m.assignments
                .iter()
                .map(|a| (a.requirement.clone(), a.days))
        })
        .collect();
    given.sort();
    let mut asked: Vec<(String, u32)> = o
        .requirements
        .iter()
        .map(|r| (r.id.to_string(), r.days))
        .collect();
    asked.sort();
    assert_eq!(given, asked, "each requirement given once, with its days");
    assert_eq!(report.plan.members.iter().filter(|m| m.lead).count(), 1);
    assert!(report.plan.members[0].lead, "the lead comes first");
    assert!(report.plan.members.len() <= 5);
    // The objective is the fit of the parts given less the coordination cost.
    let fit: f64 = report
        .plan
        .members
        .iter()
        .flat_map(|m| &m.assignments)
        .map(|a| a.fit)
        .sum();
    let cost = hcx::services::consortium::COORDINATION_COST * report.plan.members.len() as f64;
    assert!((report.plan.objective - (fit - cost)).abs() < 1e-9);

    // One member cannot deliver a hospital programme alone.
    let alone = app
        .plan_consortium(&cli, "SA-MOH-2027-01", 1)
        .await
        .unwrap();
    assert_eq!(alone.plan.status, Status::Infeasible);
    assert!(
        alone.plan.uncovered[0].reason.contains("at most 1 members"),
        "{:?}",
        alone.plan.uncovered
    );
}

#[tokio::test]
async fn planning_refuses_what_is_not_a_bundle_and_hides_from_visitors() {
    let (app, _db) = demo_app().await;
    let cli = Caller::command_line();
    let single = app
        .plan_consortium(&cli, "KW-MOH-2026-01", 5)
        .await
        .unwrap_err();
    assert!(matches!(single, ServiceError::Invalid(_)), "{single}");
    assert!(single.to_string().contains("not bundled"), "{single}");
    let none = app
        .plan_consortium(&cli, "SA-MOH-2027-01", 0)
        .await
        .unwrap_err();
    assert!(matches!(none, ServiceError::BadRequest(_)), "{none}");
    let hidden = app
        .plan_consortium(&Caller::anonymous(), "SA-MOH-2027-01", 5)
        .await
        .unwrap_err();
    assert!(matches!(hidden, ServiceError::SignIn), "{hidden}");
}

/// The demo bundle's planned team, proposed through the API and agreed by
/// every member's own people; the split checked, changed and asked again.
#[tokio::test]
async fn a_proposed_team_is_agreed_only_when_every_member_accepts() {
    let (app, _db) = demo_app().await;
    let (adviser, _) = person(&app, "adviser@agency.test", "adviser", Some("HCUK")).await;
    let proposed = call(
        &app,
        &adviser,
        Method::POST,
        "/api/v1/opportunities/SA-MOH-2027-01/consortia",
        Some(json!({"max_members": 5, "note": "Great Ormond Street leads."})),
    )
    .await;
    assert_eq!(proposed.status, StatusCode::CREATED, "{}", proposed.text);
    let c = proposed.json();
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(id, "SA-MOH-2027-01-T1");
    assert_eq!(c["standing"], "proposed");
    let members = c["members"].as_array().unwrap().clone();
    assert!(members.len() >= 2, "{c}");
    assert_eq!(members[0]["lead"], true);
    // The split starts in proportion to each member's priced parts.
    let total: i64 = members
        .iter()
        .map(|m| m["share_bp"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 10_000);
    let price: i64 = members
        .iter()
        .map(|m| m["contribution_pence"].as_i64().unwrap())
        .sum();
    assert_eq!(c["price_pence"].as_i64(), Some(price));
    for m in &members {
        let share = m["share_bp"].as_f64().unwrap() / 10_000.0;
        let part = m["contribution_pence"].as_f64().unwrap() / price as f64;
        assert!((share - part).abs() < 0.0002, "{m}");
    }

    // Only a member's own people answer for it: not the agency, not a rival.
    let ids: Vec<String> = members
        .iter()
        .map(|m| m["provider"].as_str().unwrap().to_owned())
        .collect();
    let mut people = Vec::new();
    for (i, provider) in ids.iter().enumerate() {
        let email = format!("intl{i}@{}.test", provider.to_lowercase());
        people.push(person(&app, &email, "provider", Some(provider)).await.0);
    }
    let answer = |version: i64, member: &str, answer: &str, note: &str| json!({"version": version, "member": member, "answer": answer, "note": note});
    let uri = format!("/api/v1/consortia/{id}/answer");
    let by_agency = call(
        &app,
        &adviser,
        Method::POST,
        &uri,
        Some(answer(1, &ids[0], "accepted", "")),
    )
    .await;
    assert_eq!(
        by_agency.status,
        StatusCode::FORBIDDEN,
        "{}",
        by_agency.text
    );
    let by_rival = call(
        &app,
        &people[1],
        Method::POST,
        &uri,
        Some(answer(1, &ids[0], "accepted", "")),
    )
    .await;
    assert_eq!(by_rival.status, StatusCode::FORBIDDEN, "{}", by_rival.text);
    let (outsider, _) = person(&app, "intl@rr8.test", "provider", Some("RR8")).await;
    let hidden = call(
        &app,
        &outsider,
        Method::GET,
        &format!("/api/v1/consortia/{id}"),
        None,
    )
    .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);

    // A decline needs a reason; the lead accepts; a rival declines.
    let silent = call(
        &app,
        &people[1],
        Method::POST,
        &uri,
        Some(answer(1, &ids[1], "declined", " ")),
    )
    .await;
    assert_eq!(
        silent.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        silent.text
    );
    let r = call(
        &app,
        &people[0],
        Method::POST,
        &uri,
        Some(answer(1, &ids[0], "accepted", "")),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let stale = call(
        &app,
        &people[1],
        Method::POST,
        &uri,
        Some(answer(1, &ids[1], "accepted", "")),
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
    let r = call(
        &app,
        &people[1],
        Method::POST,
        &uri,
        Some(answer(
            2,
            &ids[1],
            "declined",
            "Our share should be larger.",
        )),
    )
    .await;
    assert_eq!(r.json()["standing"], "proposed");

    // The agency changes the split: everyone is asked again.
    let mut shares = serde_json::Map::new();
    let even = 10_000 / ids.len() as i64;
    for (i, p) in ids.iter().enumerate() {
        let rest = if i == 0 {
            10_000 - even * ids.len() as i64
        } else {
            0
        };
        shares.insert(p.clone(), json!(even + rest));
    }
    let split_uri = format!("/api/v1/consortia/{id}/split");
    let wrong = call(
        &app,
        &adviser,
        Method::PUT,
        &split_uri,
        Some(json!({"version": 3, "shares_bp": {ids[0].clone(): 10_000, ids[1].clone(): 1}})),
    )
    .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        wrong.text
    );
    let r = call(
        &app,
        &adviser,
        Method::PUT,
        &split_uri,
        Some(json!({"version": 3, "shares_bp": shares})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let c = r.json();
    assert!(
        c["members"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["answer"] == "pending")
    );
    let mut version = c["version"].as_i64().unwrap();
    for (i, p) in ids.iter().enumerate() {
        let r = call(
            &app,
            &people[i],
            Method::POST,
            &uri,
            Some(answer(version, p, "accepted", "Agreed.")),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let c = r.json();
        let last = i + 1 == ids.len();
        assert_eq!(c["standing"], if last { "agreed" } else { "proposed" });
        assert_eq!(c["agreed_at"].is_string(), last);
        version = c["version"].as_i64().unwrap();
    }
    // Agreed: the lead drafts the bundle's quote, every part in it; a
    // member that does not lead cannot.
    let not_lead = call(
        &app,
        &people[1],
        Method::POST,
        &format!("/api/v1/consortia/{id}/quote"),
        None,
    )
    .await;
    assert_eq!(not_lead.status, StatusCode::FORBIDDEN, "{}", not_lead.text);
    let quoted = call(
        &app,
        &people[0],
        Method::POST,
        &format!("/api/v1/consortia/{id}/quote"),
        None,
    )
    .await;
    assert_eq!(quoted.status, StatusCode::CREATED, "{}", quoted.text);
    let q = quoted.json();
    assert_eq!(q["provider"], ids[0].as_str(), "{q}");
    assert_eq!(q["opportunity"], "SA-MOH-2027-01");
    let latest = q["versions"].as_array().unwrap().last().unwrap().clone();
    let days: i64 = latest["input"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["days"].as_i64().unwrap())
        .sum();
    let bundle_days: i64 = members
        .iter()
        .flat_map(|m| m["parts"].as_array().unwrap().clone())
        .map(|p| p["days"].as_i64().unwrap())
        .sum();
    assert_eq!(days, bundle_days, "every day of every part is quoted");
    // The same staff mix priced the members' parts: the bundle costs their sum, give or take rounding.
    let quoted_price = latest["priced"]["price_gbp_pence"].as_i64().unwrap();
    assert!(
        (quoted_price - price).abs() <= 100 * ids.len() as i64,
        "{quoted_price} vs {price}"
    );

    // Agreed: the split is settled.
    let late = call(
        &app,
        &adviser,
        Method::PUT,
        &split_uri,
        Some(json!({"version": version, "shares_bp": shares})),
    )
    .await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.text);

    // Each member sees it in its list; the outsider sees none.
    let mine = call(&app, &people[1], Method::GET, "/api/v1/consortia", None).await;
    assert_eq!(mine.json()["total"], 1);
    let none = call(&app, &outsider, Method::GET, "/api/v1/consortia", None).await;
    assert_eq!(none.json()["total"], 0);
    let events = app
        .store
        .audit_events(
            &hcx_store::AuditFilter {
                record_id: Some(id.clone()),
                ..hcx_store::AuditFilter::default()
            },
            100,
        )
        .await
        .unwrap();
    let mut actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    actions.reverse();
    assert_eq!(actions[..4], ["propose", "accepted", "declined", "split"]);
    assert_eq!(actions.len(), 4 + ids.len());
}

/// The pages: the plan explained, a proposal made by form, a member's
/// people accepting by form.
#[tokio::test]
async fn the_pages_plan_propose_and_take_answers() {
    let (app, _db) = demo_app().await;
    let adviser = session_for(&app, "adviser", "HCUK").await;
    let plan = get_as(&app, &adviser, "/opportunities/SA-MOH-2027-01/consortium").await;
    assert_eq!(plan.status, StatusCode::OK);
    for text in [
        "Optimal",
        "Great Ormond Street",
        "Propose this team",
        "Paediatric and neonatal intensive care nurse training",
    ] {
        assert!(plan.text.contains(text), "{text}");
    }
    let alone = get_as(
        &app,
        &adviser,
        "/opportunities/SA-MOH-2027-01/consortium?max_members=1",
    )
    .await;
    assert!(
        alone.text.contains("No team of at most 1 members"),
        "{}",
        alone.text
    );

    let made = post_form_as(
        &app,
        &adviser,
        "/opportunities/SA-MOH-2027-01/consortia",
        &[("max_members", "5")],
    )
    .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text);
    let to = made.headers["location"].to_str().unwrap().to_owned();
    assert_eq!(to, "/consortia/SA-MOH-2027-01-T1");
    let page = get_as(&app, &adviser, &to).await;
    assert!(page.text.contains("Change the split") && page.text.contains("Withdraw"));
    assert!(
        !page.text.contains("Accept our part"),
        "the agency does not answer for members"
    );

    let gosh = session_for(&app, "provider", "RP4").await;
    let page = get_as(&app, &gosh, &to).await;
    assert!(page.text.contains("Accept our part"), "{}", page.text);
    assert!(!page.text.contains("Change the split"));
    let bad_split = post_form_as(
        &app,
        &adviser,
        &format!("{to}/split"),
        &[("version", "1"), ("share.RP4", "lots")],
    )
    .await;
    assert_eq!(bad_split.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_split.text.contains("share.RP4"), "{}", bad_split.text);
    let accepted = post_form_as(
        &app,
        &gosh,
        &format!("{to}/answer"),
        &[("version", "1"), ("member", "RP4"), ("answer", "accepted")],
    )
    .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.text);
    let page = get_as(&app, &gosh, &to).await;
    assert!(page.text.contains("badge-answer-accepted"));
    let list = get_as(&app, &gosh, "/consortia").await;
    assert!(list.text.contains("SA-MOH-2027-01-T1"));
}
