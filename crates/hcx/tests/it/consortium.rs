//! Consortium planning over the demo world's bundled opportunity.

use hcx::services::{Caller, ServiceError};
use hcx_domain::consortium::Status;

use crate::support::demo_app;

#[tokio::test]
async fn a_bundle_no_team_can_cover_names_the_requirement_and_who_the_rules_keep_out() {
    let (app, _db) = demo_app().await;
    let cli = Caller::command_line();
    let report = app
        .plan_consortium(&cli, "SA-MOH-2027-01", 5)
        .await
        .unwrap();
    assert_eq!(report.plan.status, Status::Infeasible);
    let first = &report.plan.uncovered[0];
    assert_eq!(first.requirement, "R1");
    assert!(
        first.reason.contains("kept out") && first.reason.contains("no_capacity"),
        "{first:?}"
    );

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
