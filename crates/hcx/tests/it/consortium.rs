//! Consortium planning over the demo world's bundled opportunity.

use hcx::services::registry::Kind;
use hcx::services::{Caller, ServiceError};
use hcx_domain::consortium::Status;
use hcx_domain::interchange::Record;

use crate::support::demo_app;

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
