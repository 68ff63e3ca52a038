//! Consortia for bundled opportunities: `/opportunities/{id}/consortium`
//! shows the optimiser's team with each member's parts, days and fit and
//! lets the agency propose it; `/consortia` lists the proposals a viewer
//! may see; `/consortia/{id}` shows one, where the agency edits the split
//! and each member's people accept or decline. Every step is a form posted
//! from the version shown; a refused step shows the page again with why.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hcx_domain::access::Capability;
use hcx_domain::agreement::{Answer, Consortium, Standing, percent_bp};
use hcx_domain::consortium::Status;
use hcx_domain::interchange::Record;
use hcx_domain::{FieldError, Invalid, Opportunity};

use super::layout::{Layout, Section};
use super::params::{Pagination, Params};
use super::views::{Refusal, names_of, pounds, timestamp};
use crate::services::consortium::{ConsortiumQuery, ConsortiumReport, DEFAULT_MAX_MEMBERS};
use crate::services::registry::Kind;
use crate::services::{App, Caller, ServiceError};
use crate::web::error::PageError;

/// Consortia per page of the list.
const PER_PAGE: usize = 25;

/// A part as a page shows it.
#[derive(Debug)]
struct PartView {
    requirement: String,
    title: String,
    offer: String,
    days: u32,
    fit: String,
}

/// A member of a planned or proposed team as a page shows it.
#[derive(Debug)]
struct MemberView {
    provider: String,
    name: String,
    lead: bool,
    parts: Vec<PartView>,
    days: u32,
    /// Proposed teams only: the priced parts, the share and the answer.
    contribution: String,
    share: String,
    answer: Answer,
    answered: String,
    note: String,
    /// Whether the viewer may answer for this member.
    can_answer: bool,
}

/// A name for an id, or the id.
fn named(names: &HashMap<String, String>, id: &str) -> String {
    names.get(id).cloned().unwrap_or_else(|| id.to_owned())
}

/// The opportunity as the viewer may read it.
async fn opportunity(app: &App, caller: &Caller, id: &str) -> Result<Opportunity, PageError> {
    match app.get(caller, Kind::Opportunity, id).await?.record {
        Record::Opportunity(o) => Ok(o),
        _ => Err(ServiceError::NotFound {
            kind: "opportunity",
            id: id.to_owned(),
        }
        .into()),
    }
}

fn title_of(o: &Opportunity, requirement: &str) -> String {
    o.requirements
        .iter()
        .find(|r| r.id.as_str() == requirement)
        .map_or_else(String::new, |r| r.title.clone())
}

fn percent(fit: f64) -> String {
    format!("{:.0}%", fit * 100.0)
}

/// A share in basis points as a percentage: `60.00%`.
fn share_text(bp: u32) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "consortium_plan.html")]
pub struct PlanPage {
    layout: Layout,
    o: Opportunity,
    report: ConsortiumReport,
    members: Vec<MemberView>,
    max_members: usize,
    /// Proposals already made for it, with their standing.
    proposals: Vec<(String, Standing)>,
    problem: Option<String>,
}

impl PlanPage {
    fn has_team(&self) -> bool {
        !self.report.plan.members.is_empty()
    }

    /// How sure the plan is: proven best, or how far from it at most.
    fn standing(&self) -> String {
        match (self.report.plan.status, self.report.plan.gap) {
            (Status::TimeLimit, Some(gap)) => format!(
                "Best found in the time limit, within {:.2}% of the best team",
                gap * 100.0
            ),
            _ => "Optimal: proven best".to_owned(),
        }
    }

    fn objective(&self) -> String {
        format!("{:.3}", self.report.plan.objective)
    }

    async fn load(
        app: &App,
        caller: &Caller,
        id: &str,
        max_members: usize,
        problem: Option<String>,
    ) -> Result<PlanPage, PageError> {
        let report = app.plan_consortium(caller, id, max_members).await?;
        let o = opportunity(app, caller, id).await?;
        let names = names_of(
            &app.store,
            report.plan.members.iter().map(|m| m.provider.as_str()),
        )
        .await?;
        let members = report
            .plan
            .members
            .iter()
            .map(|m| MemberView {
                provider: m.provider.clone(),
                name: named(&names, &m.provider),
                lead: m.lead,
                days: m.assignments.iter().map(|a| a.days).sum(),
                parts: m
                    .assignments
                    .iter()
                    .map(|a| PartView {
                        title: title_of(&o, &a.requirement),
                        requirement: a.requirement.clone(),
                        offer: a.offer.clone(),
                        days: a.days,
                        fit: percent(a.fit),
                    })
                    .collect(),
                contribution: String::new(),
                share: String::new(),
                answer: Answer::Pending,
                answered: String::new(),
                note: String::new(),
                can_answer: false,
            })
            .collect();
        let query = ConsortiumQuery {
            opportunity: Some(id.to_owned()),
        };
        let proposals = app
            .consortia(caller, &query, 0, PER_PAGE as i64)
            .await?
            .items
            .into_iter()
            .map(|c| (c.id, c.standing))
            .collect();
        Ok(PlanPage {
            layout: Layout::within(
                format!("Consortium for {}", o.title),
                Section::Opportunities,
            ),
            o,
            report,
            members,
            max_members,
            proposals,
            problem,
        })
    }
}

/// The members asked for: `max_members` from the form or query, or the default.
fn members_asked(params: &Params) -> Result<usize, PageError> {
    match params.text("max_members") {
        "" => Ok(DEFAULT_MAX_MEMBERS),
        k => k.parse::<usize>().map_err(|_| {
            PageError(ServiceError::BadRequest(format!(
                "max_members: {k:?} is not a number of members"
            )))
        }),
    }
}

pub async fn get_plan(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<PlanPage, PageError> {
    let params = Params::from_query(raw.as_deref());
    PlanPage::load(&app, &caller, &id, members_asked(&params)?, None).await
}

/// "Propose this team": recorded, then its page.
pub async fn propose(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let k = members_asked(&params)?;
    match app
        .propose_consortium(&caller, &id, k, params.text("note"))
        .await
    {
        Ok(c) => Ok(Redirect::to(&format!("/consortia/{}", c.id)).into_response()),
        Err(e @ (ServiceError::Conflict(_) | ServiceError::Invalid(_))) => {
            let page = PlanPage::load(&app, &caller, &id, k, Some(e.to_string())).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// One consortium as the list shows it.
#[derive(Debug)]
struct Row {
    id: String,
    opportunity: String,
    title: String,
    standing: Standing,
    members: usize,
    accepted: usize,
    price: String,
    updated: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "consortia.html")]
pub struct ConsortiaPage {
    layout: Layout,
    rows: Vec<Row>,
    pages: Pagination,
}

pub async fn list(
    State(app): State<App>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<ConsortiaPage, PageError> {
    let params = Params::from_query(raw.as_deref());
    let offset = Pagination::offset(&params, PER_PAGE);
    let page = app
        .consortia(
            &caller,
            &ConsortiumQuery::default(),
            offset as i64,
            PER_PAGE as i64,
        )
        .await?;
    let mut titles = HashMap::new();
    for c in &page.items {
        if let std::collections::hash_map::Entry::Vacant(slot) =
            titles.entry(c.opportunity.to_string())
        {
            let title = opportunity(&app, &caller, slot.key()).await?.title;
            slot.insert(title);
        }
    }
    let rows: Vec<Row> = page
        .items
        .iter()
        .map(|c| Row {
            id: c.id.clone(),
            opportunity: c.opportunity.to_string(),
            title: named(&titles, c.opportunity.as_str()),
            standing: c.standing,
            members: c.members.len(),
            accepted: c
                .members
                .iter()
                .filter(|m| m.answer == Answer::Accepted)
                .count(),
            price: pounds(c.price_pence()),
            updated: timestamp(c.updated_at),
        })
        .collect();
    Ok(ConsortiaPage {
        layout: Layout::new("Consortia", Section::Consortia),
        pages: Pagination::new(
            &params,
            "/consortia",
            PER_PAGE,
            rows.len(),
            page.total as u64,
        ),
        rows,
    })
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "consortium.html")]
pub struct ConsortiumPage {
    layout: Layout,
    c: Consortium,
    title: String,
    members: Vec<MemberView>,
    price: String,
    /// Whether the viewer may edit the split and withdraw (the agency).
    can_steer: bool,
    /// Whether the viewer may draft the bundle's quote once agreed (the
    /// agency, the lead's people).
    can_quote: bool,
    problem: Option<Refusal>,
}

impl ConsortiumPage {
    fn proposed(&self) -> bool {
        self.c.standing == Standing::Proposed
    }

    fn agreed_at(&self) -> String {
        self.c.agreed_at.map(timestamp).unwrap_or_default()
    }

    async fn load(
        app: &App,
        caller: &Caller,
        id: &str,
        problem: Option<Refusal>,
    ) -> Result<ConsortiumPage, PageError> {
        let c = app.consortium(caller, id).await?;
        let o = opportunity(app, caller, c.opportunity.as_str()).await?;
        let names = names_of(&app.store, c.members.iter().map(|m| m.provider.as_str())).await?;
        let members = c
            .members
            .iter()
            .map(|m| MemberView {
                provider: m.provider.to_string(),
                name: named(&names, m.provider.as_str()),
                lead: m.lead,
                days: m.parts.iter().map(|p| p.days).sum(),
                parts: m
                    .parts
                    .iter()
                    .map(|p| PartView {
                        title: title_of(&o, &p.requirement),
                        requirement: p.requirement.clone(),
                        offer: p.offer.clone(),
                        days: p.days,
                        fit: percent(p.fit),
                    })
                    .collect(),
                contribution: pounds(m.contribution_pence),
                share: share_text(m.share_bp),
                answer: m.answer,
                answered: match (&m.answered_by, m.answered_at) {
                    (Some(by), Some(at)) => format!("{by}, {}", timestamp(at)),
                    _ => String::new(),
                },
                note: m.note.clone(),
                can_answer: caller.actor.check_consortium_answer(&m.provider).is_ok(),
            })
            .collect();
        Ok(ConsortiumPage {
            layout: Layout::within(format!("Consortium {}", c.id), Section::Consortia),
            title: o.title,
            price: pounds(c.price_pence()),
            members,
            can_steer: caller.check_capability(Capability::Matchmaking).is_ok(),
            can_quote: c.standing == Standing::Agreed
                && c.members.iter().any(|m| {
                    m.lead
                        && caller.actor.quote_side(&m.provider, None)
                            == Ok(hcx_domain::access::QuoteSide::Seller)
                }),
            c,
            problem,
        })
    }
}

pub async fn get(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<ConsortiumPage, PageError> {
    ConsortiumPage::load(&app, &caller, &id, None).await
}

/// After a step: the consortium again (303); or, for a step refused,
/// stale or not the viewer's, the consortium with the reason.
async fn shown_after(
    app: &App,
    caller: &Caller,
    id: &str,
    outcome: Result<Consortium, ServiceError>,
) -> Result<Response, PageError> {
    let e = match outcome {
        Ok(_) => return Ok(Redirect::to(&format!("/consortia/{id}")).into_response()),
        Err(e) => e,
    };
    let (status, problem) = Refusal::of(e)?;
    let page = ConsortiumPage::load(app, caller, id, Some(problem)).await?;
    Ok((status, page).into_response())
}

/// The split as the form gives it: `share.{provider}` in percent.
fn shares_of(params: &Params, c: &Consortium) -> Result<BTreeMap<String, u32>, ServiceError> {
    let mut shares = BTreeMap::new();
    let mut errors = Vec::new();
    for m in &c.members {
        let field = format!("share.{}", m.provider);
        match percent_bp(params.text(&field)) {
            Ok(bp) => {
                shares.insert(m.provider.to_string(), bp);
            }
            Err(reason) => errors.push(FieldError::new(field, reason)),
        }
    }
    if errors.is_empty() {
        Ok(shares)
    } else {
        Err(ServiceError::Invalid(Invalid(errors)))
    }
}

/// The agency sets the split.
pub async fn set_split(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let version = params.version("consortium")?;
    let c = app.consortium(&caller, &id).await?;
    let outcome = match shares_of(&params, &c) {
        Ok(shares) => {
            app.set_consortium_split(&caller, &id, version, &shares)
                .await
        }
        Err(e) => Err(e),
    };
    shown_after(&app, &caller, &id, outcome).await
}

/// A member's people accept or decline.
pub async fn answer(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let version = params.version("consortium")?;
    let outcome = app
        .answer_consortium(
            &caller,
            &id,
            version,
            params.text("member"),
            params.text("answer"),
            params.text("note"),
        )
        .await;
    shown_after(&app, &caller, &id, outcome).await
}

/// The agency withdraws it.
pub async fn withdraw(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let version = params.version("consortium")?;
    let outcome = app.withdraw_consortium(&caller, &id, version).await;
    shown_after(&app, &caller, &id, outcome).await
}

/// The agency or the lead's people draft the bundle's quote: its page next.
pub async fn quote(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    match app.quote_consortium(&caller, &id).await {
        Ok(view) => Ok(Redirect::to(&format!("/quotes/{}", view.quote.id)).into_response()),
        Err(e) => shown_after(&app, &caller, &id, Err(e)).await,
    }
}
