//! The demo world shipped inside the binary: real NHS trusts and networks,
//! illustrative offers, strategies and overseas opportunities, and three OCDS
//! tender samples (see `data/demo/README.md`).

use crate::services::import::{ImportReport, Progress, Source};
use crate::services::{App, Caller, ServiceError};

/// The password of every demo account (documented in the README).
pub const DEMO_PASSWORD: &str = "hcx-demo-password";

/// One demo account per role: e-mail, name, role and the organisation it acts for.
pub const DEMO_ACCOUNTS: &[(&str, &str, &str, Option<&str>)] = &[
    ("admin@demo.hcx", "Ada Admin", "admin", None),
    ("adviser@demo.hcx", "Avery Adviser", "adviser", Some("HCUK")),
    (
        "post.kuwait@demo.hcx",
        "Parveen Post",
        "post",
        Some("POST-KW"),
    ),
    (
        "provider.gosh@demo.hcx",
        "Priya Provider",
        "provider",
        Some("RP4"),
    ),
    (
        "buyer.kuwait@demo.hcx",
        "Bashir Buyer",
        "buyer",
        Some("KW-MOH"),
    ),
    (
        "network.uclp@demo.hcx",
        "Nia Network",
        "network",
        Some("UCLP"),
    ),
];

/// Creates the demo accounts that do not exist yet; returns how many were made.
pub async fn add_accounts(app: &App) -> Result<usize, ServiceError> {
    let cli = Caller::command_line();
    let mut added = 0;
    for (email, name, role, organisation) in DEMO_ACCOUNTS {
        if app.store.user_by_email(email).await?.is_some() {
            continue;
        }
        let organisations: Vec<String> = organisation.iter().map(|o| o.to_string()).collect();
        app.add_user(&cli, email, name, role, &organisations, Some(DEMO_PASSWORD))
            .await?;
        added += 1;
    }
    Ok(added)
}

/// The demo files, as an import would read them.
pub fn sources() -> Vec<Source> {
    let files: [(&str, &str); 4] = [
        (
            "data/demo/world.jsonl",
            include_str!("../../../data/demo/world.jsonl"),
        ),
        (
            "data/ocds/fictional-tender-package-1.1.json",
            include_str!("../../../data/ocds/fictional-tender-package-1.1.json"),
        ),
        (
            "data/ocds/nsw-belmont-hospital-tender.json",
            include_str!("../../../data/ocds/nsw-belmont-hospital-tender.json"),
        ),
        (
            "data/ocds/uk-contracts-finder-wellbeing-college.json",
            include_str!("../../../data/ocds/uk-contracts-finder-wellbeing-college.json"),
        ),
    ];
    files
        .iter()
        .map(|(name, text)| Source {
            name: (*name).into(),
            text: (*text).into(),
        })
        .collect()
}

/// Loads the demo world (an import: records already there are left alone).
pub async fn load(
    app: &App,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<ImportReport, ServiceError> {
    app.import(&Caller::command_line(), &sources(), progress)
        .await
}

/// Interest in twinning on both sides of one pair — Leeds Teaching Hospitals
/// and the King Hussein Cancer Foundation, Amman, as in the sources — so that
/// the demo shows a double match.
const DEMO_TWINNING: [(&str, &str); 2] = [("RR8", "KHCF"), ("KHCF", "RR8")];

/// Says the demo's interest in twinning where it is not said yet (and the
/// organisations exist); returns how many were said.
pub async fn add_twinning_interest(app: &App) -> Result<usize, ServiceError> {
    let cli = Caller::command_line();
    let mut added = 0;
    for (organisation, partner) in DEMO_TWINNING {
        let said = app.store.interests_involving(organisation).await?;
        if said
            .iter()
            .any(|i| i.organisation == organisation && i.partner == partner)
        {
            continue;
        }
        match app
            .express_twinning_interest(&cli, organisation, partner)
            .await
        {
            Ok(_) => added += 1,
            Err(ServiceError::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(added)
}
