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

/// The name of the demo's screening list: the OFAC sample shipped in the binary.
pub const DEMO_LIST: &str = "ofac";

/// A demo case: the provider whose case it is, the partner, the person
/// named, and whether it is worked through to an approval.
struct DemoCase {
    owner: &'static str,
    partner: &'static str,
    person: (&'static str, &'static str, &'static str, &'static str),
    approve: bool,
}

/// Great Ormond Street's cases: on Kuwait's Ministry of Health, every hit
/// reviewed and approved for a year; on Saudi Arabia's, open with its hits
/// (a deputy minister named like a man on the OFAC list) awaiting review.
const DEMO_CASES: [DemoCase; 2] = [
    DemoCase {
        owner: "RP4",
        partner: "KW-MOH",
        person: (
            "Fatima Al-Sabah",
            "Undersecretary for International Cooperation",
            "1968",
            "KW",
        ),
        approve: true,
    },
    DemoCase {
        owner: "RP4",
        partner: "SA-MOH",
        person: (
            "Khalid Al-Fawaz",
            "Deputy Minister for Planning",
            "1970",
            "SA",
        ),
        approve: false,
    },
];

/// Imports the OFAC sample as list [`DEMO_LIST`] and opens the demo's
/// due-diligence cases, unless the store has them already; returns how many
/// cases were opened. Not part of [`load`], which many tests call: building
/// the index of fifteen thousand entities takes a while.
pub async fn add_diligence(app: &App) -> Result<usize, ServiceError> {
    use crate::services::diligence::{
        AnswerInput, DecisionInput, EditInput, OpenInput, PersonInput, VerdictInput,
    };
    use hcx_domain::diligence::{ChecklistItem, Subject, Verdict, suggested_expiry};

    let cli = Caller::command_line();
    if app.store.screening_list(DEMO_LIST).await.is_err() {
        app.import_list(
            &cli,
            DEMO_LIST,
            "ofac_sdn_2024-05-03.ftm.jsonl",
            hcx_domain::screening::OFAC_SAMPLE,
        )
        .await?;
    }
    let any = crate::services::diligence::CaseQuery::default();
    if app.cases(&cli, &any, 0, 1).await?.total > 0 {
        return Ok(0);
    }
    // Two people of the provider: one works and submits, the other decides.
    let requester = Caller {
        actor: hcx_domain::access::Actor::command_line("demo"),
        request_id: None,
    };
    let reviewer = Caller {
        actor: hcx_domain::access::Actor::command_line("demo reviewer"),
        request_id: None,
    };
    for demo in &DEMO_CASES {
        let (name, role, born, country) = demo.person;
        let open = OpenInput {
            partner: demo.partner.into(),
            owner: Some(demo.owner.into()),
            people: vec![PersonInput {
                id: None,
                name: name.into(),
                role: role.into(),
                birth_date: Some(born.into()),
                country: Some(country.into()),
            }],
        };
        let case = app.open_case(&requester, &open).await?;
        let id = case.id.to_string();
        let screened = app.screen_case(&requester, &id).await?;
        if !demo.approve {
            let edit = EditInput {
                financial_notes: "Funded from the national budget; payment terms still to agree."
                    .into(),
                ..EditInput::of(&screened.case)
            };
            app.edit_case(&requester, &id, screened.case.version, &edit)
                .await?;
            continue;
        }
        let mut case = screened.case;
        for hit in case.hits.clone() {
            if hit.verdict != Verdict::Pending {
                continue;
            }
            let reason = match hit.subject {
                Subject::Organisation => format!(
                    "{} is another body: only generic words of the names are shared.",
                    hit.caption
                ),
                Subject::Person(_) => format!(
                    "{} is listed with another birth date and nationality: another person.",
                    hit.caption
                ),
            };
            let verdict = VerdictInput {
                verdict: Verdict::FalsePositive.as_str().into(),
                reason,
            };
            case = app
                .mark_hit(&requester, &id, case.version, hit.id, &verdict)
                .await?;
        }
        let edit = EditInput {
            people: None,
            financial_notes: "Funded from the national budget; the ministry has paid UK \
                              providers within 60 days for five years."
                .into(),
            checklist: ChecklistItem::ALL
                .iter()
                .map(|item| AnswerInput {
                    item: item.as_str().into(),
                    answer: if *item == ChecklistItem::NhsBrand {
                        "not_applicable".into()
                    } else {
                        "satisfied".into()
                    },
                    note: if *item == ChecklistItem::NhsBrand {
                        "The work carries the trust's name, not the NHS logo.".into()
                    } else {
                        String::new()
                    },
                })
                .collect(),
            rating: Some("low".into()),
            rating_reasons: "A government buyer with a clean screening and a record of paying."
                .into(),
        };
        let case = app.edit_case(&requester, &id, case.version, &edit).await?;
        let case = app.submit_case(&requester, &id, case.version).await?;
        let today = hcx_domain::diligence::date_of(crate::services::accounts::now());
        let decision = DecisionInput {
            outcome: "approved".into(),
            note: "Screening reviewed, checklist satisfied; approved for a year.".into(),
            expires_on: Some(hcx_domain::opportunity::format_date(suggested_expiry(
                today,
            ))),
        };
        app.decide_case(&reviewer, &id, case.version, &decision)
            .await?;
    }
    Ok(DEMO_CASES.len())
}

/// The demo's bundled opportunity, for which a consortium is proposed and
/// a quote issued.
pub const DEMO_BUNDLE: &str = "SA-MOH-2027-01";

/// Proposes the optimiser's team for the demo bundle, as the agency, and
/// records the lead's acceptance by the demo provider account (Great Ormond
/// Street), unless a consortium is proposed already; returns how many were
/// proposed. The demo accounts must exist.
pub async fn add_consortium(app: &App) -> Result<usize, ServiceError> {
    use crate::services::consortium::{ConsortiumQuery, DEFAULT_MAX_MEMBERS};

    let cli = Caller::command_line();
    if app
        .consortia(&cli, &ConsortiumQuery::default(), 0, 1)
        .await?
        .total
        > 0
    {
        return Ok(0);
    }
    let c = app
        .propose_consortium(
            &cli,
            DEMO_BUNDLE,
            DEFAULT_MAX_MEMBERS,
            "Proposed from the optimiser's team: each member's part priced with the default rates.",
        )
        .await?;
    let provider = app.caller_as("provider.gosh@demo.hcx").await?;
    if let Some(gosh) = c.members.iter().find(|m| m.provider.as_str() == "RP4") {
        app.answer_consortium(
            &provider,
            &c.id,
            c.version,
            gosh.provider.as_str(),
            "accepted",
            "Content with our part and share.",
        )
        .await?;
    }
    Ok(1)
}

/// Great Ormond Street's quote for the paediatric intensive care nurse
/// training of the Saudi ministry's new hospital, issued in riyals, unless
/// the store holds a quote already (or the opportunity is missing); returns
/// how many quotes were made.
pub async fn add_quote(app: &App) -> Result<usize, ServiceError> {
    use crate::services::quotes::{NewQuoteInput, QuoteQuery, QuoteRequest, StaffLineInput};

    let cli = Caller::command_line();
    if app.quotes(&cli, &QuoteQuery::default(), 0, 1).await?.total > 0
        || app.store.opportunity(DEMO_BUNDLE).await?.is_none()
    {
        return Ok(0);
    }
    let line = |grade: &str, days: i64, trips: i64| StaffLineInput {
        grade: grade.into(),
        days,
        trips,
        backfilled_days: None,
    };
    let new = NewQuoteInput {
        provider: Some("RP4".into()),
        opportunity: Some(DEMO_BUNDLE.into()),
        title: Some("Paediatric and neonatal intensive care nurse training".into()),
        input: QuoteRequest {
            lines: vec![
                line("consultant", 12, 2),
                line("band_8a", 40, 4),
                line("band_7", 60, 4),
                line("band_7", 60, 4),
                line("band_6", 40, 2),
            ],
            country: "SA".into(),
            currency: "SAR".into(),
            partner_type: "government".into(),
            legal_pence: 500_000,
            ..QuoteRequest::default()
        },
    };
    let drafted = app.create_quote(&cli, &new).await?;
    app.issue_quote(&cli, drafted.quote.id.as_str(), drafted.quote.version)
        .await?;
    Ok(1)
}
