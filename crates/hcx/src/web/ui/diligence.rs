//! `/cases`: due-diligence cases on overseas partners — the list, a new
//! case, and one case with its partner's country profile, its people, the
//! screening hits by subject with their verdicts, the financial notes, the
//! checklist, the rating, and the decision, which only a second person may
//! take. Every step is a form posted from the version of the case shown; a
//! refused step shows the case again with the reason.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hcx_domain::access::Capability;
use hcx_domain::diligence::{
    Answer, Case, CaseStatus, ChecklistItem, Hit, Outcome, Rating, Subject, Verdict, blocking,
    date_of, suggested_expiry,
};
use hcx_domain::opportunity::format_date;
use hcx_domain::screening::score::DEFAULT_THRESHOLD;
use hcx_domain::vocab::OrgKind;
use hcx_domain::{FieldError, Organisation};
use hcx_store::OrganisationFilter;

use super::layout::{Layout, Section};
use super::params::{Pagination, Params};
use super::views::{DateView, Refusal, names_of, person_name, timestamp};
use crate::services::diligence::{
    AnswerInput, CaseQuery, DecisionInput, EditInput, OpenInput, PersonInput, VerdictInput,
};
use crate::services::{App, Caller, ServiceError};
use crate::web::error::PageError;

/// Cases per page of the list.
const PER_PAGE: usize = 25;
/// Organisations offered in the new case form's lists.
const CHOICES: i64 = 2000;

/// One case as the list shows it.
#[derive(Debug)]
struct CaseRow {
    id: String,
    partner: String,
    /// The provider's name, or none for the agency's case for every provider.
    owner: Option<String>,
    status: CaseStatus,
    needs_review: bool,
    rating: Option<Rating>,
    expires: Option<DateView>,
    updated: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "cases.html")]
pub struct CasesPage {
    layout: Layout,
    rows: Vec<CaseRow>,
    pages: Pagination,
    /// The status asked for ("" for any).
    status: String,
}

impl CasesPage {
    fn statuses(&self) -> &'static [CaseStatus] {
        CaseStatus::ALL
    }
}

pub async fn list_cases(
    State(app): State<App>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<CasesPage, PageError> {
    let params = Params::from_query(raw.as_deref());
    let query = CaseQuery::read(None, Some(params.text("status")))?;
    let offset = Pagination::offset(&params, PER_PAGE);
    let page = app
        .cases(&caller, &query, offset as i64, PER_PAGE as i64)
        .await?;
    let ids: Vec<&str> = page
        .items
        .iter()
        .flat_map(|c| std::iter::once(&c.partner).chain(&c.owner))
        .map(|o| o.as_str())
        .collect();
    let names = names_of(&app.store, ids.into_iter()).await?;
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let rows: Vec<CaseRow> = page
        .items
        .iter()
        .map(|c| CaseRow {
            id: c.id.to_string(),
            partner: name(c.partner.as_str()),
            owner: c.owner.as_ref().map(|o| name(o.as_str())),
            status: c.status,
            needs_review: c.needs_review(),
            rating: c.rating,
            expires: c
                .decision
                .as_ref()
                .and_then(|d| d.expires_on)
                .map(DateView::of),
            updated: timestamp(c.updated_at),
        })
        .collect();
    Ok(CasesPage {
        layout: Layout::new("Due diligence", Section::Cases),
        pages: Pagination::new(&params, "/cases", PER_PAGE, rows.len(), page.total as u64),
        rows,
        status: params.text("status").to_owned(),
    })
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "case_new.html")]
pub struct NewCasePage {
    layout: Layout,
    /// Overseas buyers and partners, by id and name.
    partners: Vec<(String, String)>,
    /// The providers the viewer may open a case for.
    owners: Vec<(String, String)>,
    /// Whether the viewer may open a case for every provider (the agency).
    for_everyone: bool,
    partner: String,
    owner: String,
    problems: Vec<FieldError>,
}

impl NewCasePage {
    async fn load(
        app: &App,
        caller: &Caller,
        partner: String,
        owner: String,
        problems: Vec<FieldError>,
    ) -> Result<NewCasePage, PageError> {
        caller.check_capability(Capability::DueDiligence)?;
        let organisations = async |kinds: &[&str]| -> Result<Vec<(String, String)>, PageError> {
            let filter = OrganisationFilter {
                kinds: kinds.iter().map(|k| (*k).to_owned()).collect(),
                ..OrganisationFilter::default()
            };
            Ok(app
                .store
                .list_organisations(&filter, 0, CHOICES)
                .await?
                .items
                .into_iter()
                .map(|v| (v.record.id.to_string(), v.record.name))
                .collect())
        };
        let for_everyone = caller.actor.is_staff();
        let owners = if for_everyone {
            organisations(&["provider", "partner"]).await?
        } else {
            let own: Vec<&str> = caller
                .actor
                .memberships
                .iter()
                .filter(|m| matches!(m.kind, OrgKind::Provider | OrgKind::Partner))
                .map(|m| m.organisation.as_str())
                .collect();
            let names = names_of(&app.store, own.iter().copied()).await?;
            own.iter()
                .map(|id| {
                    let name = names.get(*id).cloned().unwrap_or_else(|| (*id).to_owned());
                    ((*id).to_owned(), name)
                })
                .collect()
        };
        Ok(NewCasePage {
            layout: Layout::within("New due-diligence case", Section::Cases),
            partners: organisations(&["buyer", "partner"]).await?,
            owners,
            for_everyone,
            partner,
            owner,
            problems,
        })
    }
}

pub async fn new_case(
    State(app): State<App>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<NewCasePage, PageError> {
    let params = Params::from_query(raw.as_deref());
    NewCasePage::load(
        &app,
        &caller,
        params.text("partner").to_owned(),
        String::new(),
        Vec::new(),
    )
    .await
}

pub async fn create_case(
    State(app): State<App>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let input = OpenInput {
        partner: params.text("partner").to_owned(),
        owner: Some(params.text("owner").to_owned()).filter(|o| !o.is_empty()),
        people: Vec::new(),
    };
    match app.open_case(&caller, &input).await {
        Ok(case) => Ok(Redirect::to(&format!("/cases/{}", case.id)).into_response()),
        Err(ServiceError::Invalid(invalid)) => {
            let page = NewCasePage::load(
                &app,
                &caller,
                input.partner,
                input.owner.unwrap_or_default(),
                invalid.0,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The partner's country as published by its sources, unaltered.
#[derive(Debug)]
struct CountryProfile {
    name: String,
    income_group: String,
    /// Transparency International's CPI 2025 score and rank, as published.
    cpi_score: Option<u32>,
    cpi_rank: Option<u32>,
    /// World Bank WGI estimates (2023), about −2.5 (weak) to +2.5 (strong).
    control_of_corruption: Option<f64>,
    rule_of_law: Option<f64>,
    political_stability: Option<f64>,
    fatf: &'static str,
}

impl CountryProfile {
    fn of(partner: &Organisation) -> CountryProfile {
        let reference = hcx_domain::reference::reference();
        let code = partner.country.as_str();
        let country = reference.country(code);
        let risk = reference.country_risk(code);
        CountryProfile {
            name: partner.country.name().to_owned(),
            income_group: country.map_or_else(String::new, |c| c.wb_income_group.clone()),
            cpi_score: risk.and_then(|r| r.ti_cpi_score_2025),
            cpi_rank: risk.and_then(|r| r.ti_cpi_rank_2025),
            control_of_corruption: risk.and_then(|r| r.wb_wgi_control_of_corruption_estimate_2023),
            rule_of_law: risk.and_then(|r| r.wb_wgi_rule_of_law_estimate_2023),
            political_stability: risk
                .and_then(|r| r.wb_wgi_political_stability_no_violence_estimate_2023),
            fatf: match risk.map(|r| r.fatf_status.as_str()) {
                Some("call_for_action_countermeasures") => {
                    "High-risk jurisdiction subject to a call for action: countermeasures"
                }
                Some("call_for_action_enhanced_due_diligence") => {
                    "High-risk jurisdiction subject to a call for action: enhanced due diligence"
                }
                Some("increased_monitoring") => "Jurisdiction under increased monitoring",
                _ => "Not listed",
            },
        }
    }
}

/// A hit as the case page shows it.
#[derive(Debug)]
struct HitView {
    hit: Hit,
    /// At or above the score of a match.
    is_match: bool,
    /// Whether a verdict may be given now.
    can_mark: bool,
    reviewed: Option<String>,
    found: String,
}

/// A subject of the case and its hits.
#[derive(Debug)]
struct SubjectView {
    /// The partner's name, or a person's with their role.
    label: String,
    hits: Vec<HitView>,
}

/// A checklist item with the answer in the form.
#[derive(Debug)]
struct ChecklistRow {
    item: ChecklistItem,
    answer: String,
    note: String,
}

/// The decision in force, for people.
#[derive(Debug)]
struct DecisionView {
    outcome: Outcome,
    by: String,
    at: String,
    note: String,
    expires: Option<DateView>,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "case.html")]
pub struct CasePage {
    layout: Layout,
    case: Case,
    partner: Organisation,
    /// None for the agency's case for every provider.
    owner: Option<String>,
    profile: CountryProfile,
    subjects: Vec<SubjectView>,
    hit_count: usize,
    /// The edit form's values: the case's, or those just refused.
    financial_notes: String,
    checklist: Vec<ChecklistRow>,
    rating: String,
    rating_reasons: String,
    /// What submitting still needs, for an open case.
    missing: Vec<FieldError>,
    requested_by: Option<String>,
    requested_at: Option<String>,
    /// The viewer submitted the case: someone else decides it.
    is_requester: bool,
    decision: Option<DecisionView>,
    suggested_expiry: String,
    /// How the decision in force bears on matching.
    block: Option<String>,
    /// Whether the viewer reads the audit log.
    sees_history: bool,
    /// What the last screening found, in words.
    found: Option<String>,
    problem: Option<Refusal>,
}

impl CasePage {
    fn ratings(&self) -> &'static [Rating] {
        Rating::ALL
    }

    fn answers(&self) -> &'static [Answer] {
        Answer::ALL
    }

    fn is_open(&self) -> bool {
        self.case.status == CaseStatus::Open
    }

    fn is_submitted(&self) -> bool {
        self.case.status == CaseStatus::Submitted
    }

    fn percent(score: &f64) -> String {
        format!("{:.0}%", score * 100.0)
    }

    async fn load(
        app: &App,
        caller: &Caller,
        id: &str,
        draft: Option<EditInput>,
        problem: Option<Refusal>,
    ) -> Result<CasePage, PageError> {
        let case = app.case(caller, id).await?;
        let partner = app.organisation(case.partner.as_str()).await?;
        let owner = match &case.owner {
            Some(o) => Some(app.organisation(o.as_str()).await?.name),
            None => None,
        };
        let mut people: HashMap<String, String> = HashMap::new();
        for actor in case
            .hits
            .iter()
            .filter_map(|h| h.reviewed_by.as_deref())
            .chain(case.requested_by.as_deref())
            .chain(case.decision.as_ref().map(|d| d.by.as_str()))
        {
            if !people.contains_key(actor) {
                people.insert(actor.to_owned(), person_name(app, actor).await?);
            }
        }
        let name = |actor: &str| {
            people
                .get(actor)
                .cloned()
                .unwrap_or_else(|| actor.to_owned())
        };
        let open = case.status == CaseStatus::Open;
        let view = |h: &Hit| HitView {
            is_match: h.score >= DEFAULT_THRESHOLD,
            can_mark: open || h.verdict == Verdict::Pending,
            reviewed: h.reviewed_by.as_deref().map(|by| {
                format!(
                    "{} on {}",
                    name(by),
                    h.reviewed_at.map(timestamp).unwrap_or_default()
                )
            }),
            found: timestamp(h.found_at),
            hit: h.clone(),
        };
        let mut subjects = vec![SubjectView {
            label: format!("{} (the partner)", partner.name),
            hits: case
                .hits
                .iter()
                .filter(|h| h.subject == Subject::Organisation)
                .map(view)
                .collect(),
        }];
        for p in &case.people {
            let subject = Subject::Person(p.id.clone());
            subjects.push(SubjectView {
                label: format!("{}, {}", p.name, p.role),
                hits: case
                    .hits
                    .iter()
                    .filter(|h| h.subject == subject)
                    .map(view)
                    .collect(),
            });
        }
        let form = draft.unwrap_or_else(|| EditInput::of(&case));
        let checklist = ChecklistItem::ALL
            .iter()
            .map(|&item| {
                let given = form.checklist.iter().find(|a| a.item == item.as_str());
                ChecklistRow {
                    item,
                    answer: given.map_or_else(
                        || Answer::Unanswered.as_str().to_owned(),
                        |a| a.answer.clone(),
                    ),
                    note: given.map(|a| a.note.clone()).unwrap_or_default(),
                }
            })
            .collect();
        let today = date_of(crate::services::accounts::now());
        let decision = case.decision.as_ref().map(|d| DecisionView {
            outcome: d.outcome,
            by: name(&d.by),
            at: timestamp(d.at),
            note: d.note.clone(),
            expires: d.expires_on.map(DateView::of),
        });
        Ok(CasePage {
            layout: Layout::within(format!("Due diligence on {}", partner.name), Section::Cases),
            owner,
            profile: CountryProfile::of(&partner),
            hit_count: case.hits.len(),
            subjects,
            financial_notes: form.financial_notes,
            checklist,
            rating: form.rating.unwrap_or_default(),
            rating_reasons: form.rating_reasons,
            missing: if open { case.missing() } else { Vec::new() },
            requested_by: case.requested_by.as_deref().map(name),
            requested_at: case.requested_at.map(timestamp),
            is_requester: case.status == CaseStatus::Submitted
                && case.requested_by.as_deref() == Some(caller.actor.id.as_str()),
            decision,
            suggested_expiry: format_date(suggested_expiry(today)),
            block: blocking(
                &partner,
                std::slice::from_ref(&case),
                case.owner.as_ref(),
                today,
            ),
            sees_history: caller.check_capability(Capability::Audit).is_ok(),
            found: None,
            problem,
            partner,
            case,
        })
    }
}

pub async fn get_case(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<CasePage, PageError> {
    let params = Params::from_query(raw.as_deref());
    let mut page = CasePage::load(&app, &caller, &id, None, None).await?;
    page.found = params.text("found").parse::<usize>().ok().map(|n| match n {
        0 => "Screening against every list found no new hit.".to_owned(),
        1 => "Screening against every list found 1 new hit: give it its verdict below.".to_owned(),
        n => {
            format!("Screening against every list found {n} new hits: give each its verdict below.")
        }
    });
    Ok(page)
}

/// After a step: the case again (303); or, for a step out of turn, stale,
/// incomplete or not the viewer's to take, the case with the reason.
async fn shown_after(
    app: &App,
    caller: &Caller,
    id: &str,
    outcome: Result<String, ServiceError>,
    draft: Option<EditInput>,
) -> Result<Response, PageError> {
    let e = match outcome {
        Ok(to) => return Ok(Redirect::to(&to).into_response()),
        Err(e) => e,
    };
    let (status, problem) = Refusal::of(e)?;
    let page = CasePage::load(app, caller, id, draft, Some(problem)).await?;
    Ok((status, page).into_response())
}

fn back_to(id: &str) -> impl FnOnce(Case) -> String + '_ {
    move |_| format!("/cases/{id}")
}

/// Saves the financial notes, checklist and rating of an open case.
pub async fn update_case(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let version = params.version("case")?;
    let edit = EditInput {
        people: None,
        financial_notes: params.text("financial_notes").to_owned(),
        checklist: ChecklistItem::ALL
            .iter()
            .map(|item| AnswerInput {
                item: item.as_str().to_owned(),
                answer: match params.text(&format!("answer.{}", item.as_str())) {
                    "" => Answer::Unanswered.as_str().to_owned(),
                    answer => answer.to_owned(),
                },
                note: params.text(&format!("note.{}", item.as_str())).to_owned(),
            })
            .collect(),
        rating: Some(params.text("rating").to_owned()).filter(|r| !r.is_empty()),
        rating_reasons: params.text("rating_reasons").to_owned(),
    };
    let outcome = app
        .edit_case(&caller, &id, version, &edit)
        .await
        .map(back_to(&id));
    shown_after(&app, &caller, &id, outcome, Some(edit)).await
}

/// Names one more person on an open case.
pub async fn add_person(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let version = params.version("case")?;
    let optional = |name: &str| Some(params.text(name).to_owned()).filter(|v| !v.is_empty());
    let person = PersonInput {
        id: None,
        name: params.text("name").to_owned(),
        role: params.text("role").to_owned(),
        birth_date: optional("birth_date"),
        country: optional("country"),
    };
    let outcome = app
        .add_person(&caller, &id, version, &person)
        .await
        .map(back_to(&id));
    shown_after(&app, &caller, &id, outcome, None).await
}

/// Screens the partner and its people against every list.
pub async fn screen_case(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let outcome = app
        .screen_case(&caller, &id)
        .await
        .map(|s| format!("/cases/{id}?found={}", s.new.len()));
    shown_after(&app, &caller, &id, outcome, None).await
}

/// Gives a hit its verdict.
pub async fn mark_hit(
    State(app): State<App>,
    caller: Caller,
    Path((id, hit)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let version = params.version("case")?;
    let hit: i64 = hit.parse().map_err(|_| ServiceError::NotFound {
        kind: "hit",
        id: hit.clone(),
    })?;
    let input = VerdictInput {
        verdict: params.text("verdict").to_owned(),
        reason: params.text("reason").to_owned(),
    };
    let outcome = app
        .mark_hit(&caller, &id, version, hit, &input)
        .await
        .map(back_to(&id));
    shown_after(&app, &caller, &id, outcome, None).await
}

/// Submits the case for a second person's decision.
pub async fn submit_case(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let version = Params::parse(&body).version("case")?;
    let outcome = app
        .submit_case(&caller, &id, version)
        .await
        .map(back_to(&id));
    shown_after(&app, &caller, &id, outcome, None).await
}

/// Approves or rejects a submitted case.
pub async fn decide_case(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let version = params.version("case")?;
    let input = DecisionInput {
        outcome: params.text("outcome").to_owned(),
        note: params.text("note").to_owned(),
        expires_on: Some(params.text("expires_on").to_owned())
            .filter(|d| !d.is_empty() && params.text("outcome") == Outcome::Approved.as_str()),
    };
    let outcome = app
        .decide_case(&caller, &id, version, &input)
        .await
        .map(back_to(&id));
    shown_after(&app, &caller, &id, outcome, None).await
}

/// Returns the case to work.
pub async fn reopen_case(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let version = Params::parse(&body).version("case")?;
    let outcome = app
        .reopen_case(&caller, &id, version)
        .await
        .map(back_to(&id));
    shown_after(&app, &caller, &id, outcome, None).await
}
