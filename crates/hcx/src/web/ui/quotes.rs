//! `/quotes`: quotes priced by the pricing matrix — the list, the form for a
//! new quote or a new version (staff lines by grade of the rate card, the
//! buyer's country and currency, the partner type, a payment schedule),
//! one quote with its price in pounds and the buyer's currency, its cost,
//! margin, break-even, backfill check, schedule and versions, the steps
//! the viewer may take, a page to print; and a provider's reinvestment pot.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hcx_domain::access::{Capability, QuoteSide};
use hcx_domain::pricing::{PartnerType, PricingTables};
use hcx_domain::quote::{LedgerKind, QuoteStatus};
use hcx_domain::{FieldError, Invalid};
use hcx_store::{OrganisationFilter, QuoteAnswer};

use super::layout::{Layout, Section};
use super::params::{Pagination, Params};
use super::views::{Refusal, names_of, person_name, timestamp};
use crate::services::quotes::{
    InstalmentInput, LedgerInput, NewQuoteInput, PricedQuote, QuoteQuery, QuoteRequest, QuoteView,
    StaffLineInput, VersionView, due_label, gbp, own_providers, percent,
};
use crate::services::{App, Caller, ServiceError};
use crate::web::error::PageError;

/// Quotes per page of the list.
const PER_PAGE: usize = 25;
/// Staff lines the form offers (blank ones are left out).
const FORM_LINES: usize = 6;
/// Providers offered to the agency in the form's list.
const CHOICES: i64 = 2000;

/// An instalment of a preset schedule: label, share in basis points, when
/// it falls due and, for `months_after_start`, how many months.
type PresetPart = (&'static str, u32, &'static str, Option<u32>);

/// The payment schedules the form offers: key, label, and the instalments.
const SCHEDULES: &[(&str, &str, &[PresetPart])] = &[
    (
        "standard",
        "30% upfront, 40% after three months, 30% on completion",
        &[
            ("Upfront", 3_000, "upfront", None),
            ("Interim", 4_000, "months_after_start", Some(3)),
            ("On completion", 3_000, "on_completion", None),
        ],
    ),
    (
        "halves",
        "50% upfront, 50% on completion",
        &[
            ("Upfront", 5_000, "upfront", None),
            ("On completion", 5_000, "on_completion", None),
        ],
    ),
    (
        "quarterly",
        "25% upfront, then 25% every three months",
        &[
            ("Upfront", 2_500, "upfront", None),
            ("Quarter 1", 2_500, "months_after_start", Some(3)),
            ("Quarter 2", 2_500, "months_after_start", Some(6)),
            ("Quarter 3", 2_500, "months_after_start", Some(9)),
        ],
    ),
    (
        "upfront",
        "100% upfront",
        &[("Upfront", 10_000, "upfront", None)],
    ),
];

/// The form's value for a schedule that is none of the presets: keep it.
const KEPT: &str = "kept";

fn preset(key: &str) -> Option<Vec<InstalmentInput>> {
    SCHEDULES
        .iter()
        .find(|(k, ..)| *k == key)
        .map(|(.., parts)| {
            parts
                .iter()
                .map(|(label, share_bp, due, months)| InstalmentInput {
                    label: (*label).to_owned(),
                    share_bp: *share_bp,
                    due: (*due).to_owned(),
                    months: *months,
                })
                .collect()
        })
}

/// The preset a schedule is, or [`KEPT`].
fn preset_of(schedule: Option<&[InstalmentInput]>) -> String {
    let Some(schedule) = schedule else {
        return "standard".into();
    };
    SCHEDULES
        .iter()
        .map(|(k, ..)| *k)
        .find(|k| preset(k).as_deref() == Some(schedule))
        .unwrap_or(KEPT)
        .to_owned()
}

/// Pounds as people type them (`2,000`, `£1500.50`) in pence.
fn pence_of(text: &str) -> Result<i64, String> {
    let cleaned: String = text
        .trim()
        .trim_start_matches('£')
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    let (negative, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.as_str()),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let numeric = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 12 || !numeric(whole) || frac.len() > 2 || !numeric(frac) {
        return Err(format!(
            "{text:?} is not an amount in pounds, such as 2,000 or 1500.50"
        ));
    }
    let pence = whole.parse::<i64>().map_err(|e| e.to_string())? * 100
        + format!("{frac:0<2}")
            .parse::<i64>()
            .map_err(|e| e.to_string())?;
    Ok(if negative { -pence } else { pence })
}

/// One staff line of the form, as typed.
#[derive(Debug, Clone, Default)]
struct LineRow {
    grade: String,
    days: String,
    trips: String,
    backfilled: String,
}

/// The quote form as typed.
#[derive(Debug, Clone, Default)]
struct QuoteForm {
    provider: String,
    opportunity: String,
    title: String,
    country: String,
    currency: String,
    partner_type: String,
    legal: String,
    lines: Vec<LineRow>,
    schedule: String,
}

impl QuoteForm {
    fn parse(params: &Params) -> QuoteForm {
        let text = |name: &str| params.text(name).to_owned();
        QuoteForm {
            provider: text("provider"),
            opportunity: text("opportunity"),
            title: text("title"),
            country: text("country"),
            currency: text("currency"),
            partner_type: text("partner_type"),
            legal: text("legal"),
            lines: (0..FORM_LINES)
                .map(|i| LineRow {
                    grade: text(&format!("grade.{i}")),
                    days: text(&format!("days.{i}")),
                    trips: text(&format!("trips.{i}")),
                    backfilled: text(&format!("backfilled.{i}")),
                })
                .collect(),
            schedule: text("schedule"),
        }
    }

    /// The form for a new version of a request.
    fn of(request: &QuoteRequest) -> QuoteForm {
        let mut lines: Vec<LineRow> = request
            .lines
            .iter()
            .map(|l| LineRow {
                grade: l.grade.clone(),
                days: l.days.to_string(),
                trips: l.trips.to_string(),
                backfilled: l
                    .backfilled_days
                    .filter(|b| *b != l.days)
                    .map(|b| b.to_string())
                    .unwrap_or_default(),
            })
            .collect();
        lines.resize(lines.len().max(FORM_LINES), LineRow::default());
        QuoteForm {
            country: request.country.clone(),
            currency: request.currency.clone(),
            partner_type: request.partner_type.clone(),
            legal: if request.legal_pence == 0 {
                String::new()
            } else {
                format!(
                    "{}.{:02}",
                    request.legal_pence / 100,
                    request.legal_pence % 100
                )
            },
            lines,
            schedule: preset_of(request.schedule.as_deref()),
            ..QuoteForm::default()
        }
    }

    /// The request the form asks for, or every field that is wrong in it;
    /// `kept` is the schedule of the version revised.
    fn request(&self, kept: Option<&[InstalmentInput]>) -> Result<QuoteRequest, Invalid> {
        let mut errors = Vec::new();
        let mut lines = Vec::new();
        for (i, row) in self.lines.iter().enumerate() {
            if row.grade.is_empty() && row.days.is_empty() {
                continue;
            }
            let mut number = |name: &str, text: &str, blank: Option<i64>| -> Option<i64> {
                match (text.trim(), blank) {
                    ("", Some(default)) => Some(default),
                    (t, _) => t
                        .parse()
                        .map_err(|_| {
                            errors.push(FieldError::new(
                                format!("lines[{i}].{name}"),
                                format!("{t:?} is not a whole number"),
                            ))
                        })
                        .ok(),
                }
            };
            let days = number("days", &row.days, None);
            let trips = number("trips", &row.trips, Some(0));
            let backfilled = if row.backfilled.is_empty() {
                None
            } else {
                number("backfilled_days", &row.backfilled, None)
            };
            lines.push(StaffLineInput {
                grade: row.grade.clone(),
                days: days.unwrap_or(0),
                trips: trips.unwrap_or(0),
                backfilled_days: backfilled,
            });
        }
        let legal_pence = if self.legal.is_empty() {
            0
        } else {
            pence_of(&self.legal)
                .map_err(|e| errors.push(FieldError::new("legal", e)))
                .unwrap_or(0)
        };
        let schedule = match (self.schedule.as_str(), kept) {
            (KEPT, Some(kept)) => Some(kept.to_vec()),
            (key, _) => preset(key).or_else(|| {
                errors.push(FieldError::new("schedule", "choose a payment schedule"));
                None
            }),
        };
        if !errors.is_empty() {
            return Err(Invalid(errors));
        }
        Ok(QuoteRequest {
            lines,
            country: self.country.clone(),
            currency: self.currency.clone(),
            partner_type: self.partner_type.clone(),
            legal_pence,
            schedule,
            ..QuoteRequest::default()
        })
    }
}

/// One quote as the list shows it.
#[derive(Debug)]
struct QuoteRow {
    id: String,
    title: String,
    provider: String,
    buyer: Option<String>,
    status: QuoteStatus,
    versions: usize,
    price_gbp: String,
    price_buyer: String,
    updated: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "quotes.html")]
pub struct QuotesPage {
    layout: Layout,
    rows: Vec<QuoteRow>,
    pages: Pagination,
    /// The status asked for ("" for any).
    status: String,
    /// Whether the viewer may price new quotes.
    may_create: bool,
    /// The pots the viewer keeps: provider id and name.
    pots: Vec<(String, String)>,
}

impl QuotesPage {
    fn statuses(&self) -> &'static [QuoteStatus] {
        QuoteStatus::ALL
    }
}

pub async fn list_quotes(
    State(app): State<App>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<QuotesPage, PageError> {
    let params = Params::from_query(raw.as_deref());
    let query = QuoteQuery::read(None, Some(params.text("status")))?;
    let offset = Pagination::offset(&params, PER_PAGE);
    let page = app
        .quotes(&caller, &query, offset as i64, PER_PAGE as i64)
        .await?;
    let own = own_providers(&caller);
    let ids: Vec<&str> = page
        .items
        .iter()
        .flat_map(|v| std::iter::once(&v.quote.provider).chain(&v.quote.buyer))
        .chain(&own)
        .map(|o| o.as_str())
        .collect();
    let names = names_of(&app.store, ids.into_iter()).await?;
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let rows = page
        .items
        .iter()
        .map(|v| {
            let latest = v.latest().map(|l| &l.priced);
            QuoteRow {
                id: v.quote.id.to_string(),
                title: v.quote.title.clone(),
                provider: name(v.quote.provider.as_str()),
                buyer: v.quote.buyer.as_ref().map(|b| name(b.as_str())),
                status: v.quote.status,
                versions: v.versions.len(),
                price_gbp: latest.map_or_else(String::new, |p| gbp(p.price_gbp_pence)),
                price_buyer: latest.map_or_else(String::new, PricedQuote::price_buyer),
                updated: timestamp(v.quote.updated_at),
            }
        })
        .collect::<Vec<_>>();
    Ok(QuotesPage {
        layout: Layout::new("Quotes", Section::Quotes),
        pages: Pagination::new(&params, "/quotes", PER_PAGE, rows.len(), page.total as u64),
        rows,
        status: params.text("status").to_owned(),
        may_create: caller.actor.is_staff() || !own.is_empty(),
        pots: own
            .iter()
            .map(|o| (o.to_string(), name(o.as_str())))
            .collect(),
    })
}

/// A grade of the rate card as the form offers it.
#[derive(Debug)]
struct GradeChoice {
    grade: String,
    label: String,
}

/// An option of a list in the form.
#[derive(Debug)]
struct Choice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

/// The quote a new version is priced for.
#[derive(Debug)]
struct Revising {
    id: String,
    title: String,
    version: i64,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "quote_form.html")]
pub struct QuoteFormPage {
    layout: Layout,
    /// The quote a new version is priced for; none for a new quote.
    revising: Option<Revising>,
    /// The providers the viewer may price for: id and name.
    providers: Vec<(String, String)>,
    grades: Vec<GradeChoice>,
    form: QuoteForm,
    /// Whether the version revised has a schedule none of the presets is.
    has_kept: bool,
    problems: Vec<FieldError>,
}

impl QuoteFormPage {
    fn partner_types(&self) -> Vec<Choice> {
        PartnerType::ALL
            .iter()
            .map(|p| Choice {
                value: p.as_str(),
                label: p.as_str(),
                selected: self.form.partner_type == p.as_str(),
            })
            .collect()
    }

    fn schedules(&self) -> Vec<Choice> {
        SCHEDULES
            .iter()
            .map(|(k, l, _)| Choice {
                value: k,
                label: l,
                selected: self.form.schedule == *k,
            })
            .collect()
    }

    async fn load(
        app: &App,
        caller: &Caller,
        revising: Option<&QuoteView>,
        form: QuoteForm,
        problems: Vec<FieldError>,
    ) -> Result<QuoteFormPage, PageError> {
        caller.check_capability(Capability::Quoting)?;
        let providers = if caller.actor.is_staff() {
            let filter = OrganisationFilter {
                kinds: vec!["provider".into(), "partner".into()],
                ..OrganisationFilter::default()
            };
            app.store
                .list_organisations(&filter, 0, CHOICES)
                .await?
                .items
                .into_iter()
                .map(|v| (v.record.id.to_string(), v.record.name))
                .collect()
        } else {
            let own = own_providers(caller);
            if own.is_empty() && revising.is_none() {
                return Err(caller.refuse("quote", "").into());
            }
            let names = names_of(&app.store, own.iter().map(|o| o.as_str())).await?;
            own.iter()
                .map(|o| {
                    let id = o.to_string();
                    let name = names.get(&id).cloned().unwrap_or_else(|| id.clone());
                    (id, name)
                })
                .collect()
        };
        let grades = PricingTables::shipped()
            .grades()
            .map(|g| GradeChoice {
                grade: g.grade.clone(),
                label: format!("{} ({} a day)", g.description, gbp(g.day_rate_pence)),
            })
            .collect();
        let has_kept = form.schedule == KEPT;
        Ok(QuoteFormPage {
            layout: Layout::within(
                match revising {
                    Some(_) => "New version of a quote",
                    None => "New quote",
                },
                Section::Quotes,
            ),
            revising: revising.map(|v| Revising {
                id: v.quote.id.to_string(),
                title: v.quote.title.clone(),
                version: v.quote.version,
            }),
            providers,
            grades,
            form,
            has_kept,
            problems,
        })
    }
}

pub async fn new_quote(
    State(app): State<App>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<QuoteFormPage, PageError> {
    let params = Params::from_query(raw.as_deref());
    let mut form = QuoteForm {
        lines: vec![LineRow::default(); FORM_LINES],
        schedule: "standard".into(),
        partner_type: "government".into(),
        currency: "GBP".into(),
        ..QuoteForm::default()
    };
    let opportunity = params.text("opportunity");
    if !opportunity.is_empty()
        && let Ok(found) = app
            .get(
                &caller,
                crate::services::registry::Kind::Opportunity,
                opportunity,
            )
            .await
        && let hcx_domain::Record::Opportunity(o) = found.record
    {
        form.opportunity = o.id.to_string();
        form.title = o.title.clone();
        form.country = o.country.to_string();
        if let Some(value) = &o.value {
            form.currency = value.currency.to_string();
        }
    }
    QuoteFormPage::load(&app, &caller, None, form, Vec::new()).await
}

pub async fn create_quote(
    State(app): State<App>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = QuoteForm::parse(&Params::parse(&body));
    let outcome = match form.request(None) {
        Ok(request) => {
            let input = NewQuoteInput {
                provider: Some(form.provider.clone()).filter(|p| !p.is_empty()),
                opportunity: Some(form.opportunity.clone()).filter(|o| !o.is_empty()),
                title: Some(form.title.clone()).filter(|t| !t.is_empty()),
                input: request,
            };
            app.create_quote(&caller, &input).await
        }
        Err(invalid) => Err(ServiceError::Invalid(invalid)),
    };
    match outcome {
        Ok(view) => Ok(Redirect::to(&format!("/quotes/{}", view.quote.id)).into_response()),
        Err(ServiceError::Invalid(invalid)) => {
            let page = QuoteFormPage::load(&app, &caller, None, form, invalid.0).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_quote(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<QuoteFormPage, PageError> {
    let view = app.quote(&caller, &id).await?;
    if !view.may_revise() {
        return Err(caller.refuse("quote", &id).into());
    }
    let form = view
        .latest()
        .map(|l| QuoteForm::of(&l.request))
        .unwrap_or_default();
    QuoteFormPage::load(&app, &caller, Some(&view), form, Vec::new()).await
}

pub async fn revise_quote(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let version = params.version("quote")?;
    let view = app.quote(&caller, &id).await?;
    let form = QuoteForm::parse(&params);
    let kept = view.latest().and_then(|l| l.request.schedule.clone());
    let outcome = match form.request(kept.as_deref()) {
        Ok(request) => app.revise_quote(&caller, &id, version, &request).await,
        Err(invalid) => Err(ServiceError::Invalid(invalid)),
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/quotes/{id}")).into_response()),
        Err(ServiceError::Invalid(invalid)) => {
            let page = QuoteFormPage::load(&app, &caller, Some(&view), form, invalid.0).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e @ ServiceError::Conflict(_)) => shown_after(&app, &caller, &id, Err(e)).await,
        Err(e) => Err(e.into()),
    }
}

/// A version as the quote page and the print page show it.
#[derive(Debug)]
struct Shown {
    number: i64,
    created_by: String,
    created_at: String,
}

/// A line of the price's build-up.
#[derive(Debug)]
struct CostRow {
    label: String,
    amount: String,
    total: bool,
}

/// A staff line for people.
#[derive(Debug)]
struct LineView {
    grade: String,
    days: i64,
    trips: i64,
    backfilled: i64,
    day_rate: String,
    salary: String,
    on_costs: String,
    backfill: String,
    travel: String,
}

/// An instalment for people.
#[derive(Debug)]
struct InstalmentView {
    label: String,
    due: String,
    share: String,
    gbp: String,
    buyer: String,
}

/// A version in the list of versions.
#[derive(Debug)]
struct VersionRow {
    number: i64,
    created: String,
    price_gbp: String,
    price_buyer: String,
    issued: bool,
}

/// What both the quote page and the print page show of one version.
#[derive(Debug)]
struct Figures {
    price_gbp: String,
    price_buyer: String,
    cost: String,
    margin: String,
    margin_rate: String,
    margin_share: String,
    break_even: String,
    withholding: String,
    rate: String,
    backfilled: bool,
    backfill_check: String,
    lines: Vec<LineView>,
    build_up: Vec<CostRow>,
    schedule: Vec<InstalmentView>,
    country: String,
}

impl Figures {
    fn of(p: &PricedQuote) -> Figures {
        let row = |label: String, pence: i64, total: bool| CostRow {
            label,
            amount: gbp(pence),
            total,
        };
        Figures {
            price_gbp: gbp(p.price_gbp_pence),
            price_buyer: p.price_buyer(),
            cost: gbp(p.cost_pence),
            margin: gbp(p.margin_pence),
            margin_rate: percent(p.margin_bp),
            margin_share: percent(p.margin_share_bp),
            break_even: gbp(p.break_even_pence),
            withholding: format!(
                "{} ({})",
                gbp(p.withholding_pence),
                percent(p.withholding_bp)
            ),
            rate: format!("{:.4} {} per pound", p.buffered_units_per_gbp, p.currency),
            backfilled: p.fully_backfilled,
            backfill_check: if p.fully_backfilled {
                format!(
                    "Every one of the {} days staff are away is backfilled, and the price pays for it.",
                    p.staff_days
                )
            } else {
                format!(
                    "Only {} of the {} days staff are away are backfilled: the NHS would be short of staff for the rest.",
                    p.backfilled_days, p.staff_days
                )
            },
            lines: p
                .lines
                .iter()
                .map(|l| LineView {
                    grade: PricingTables::shipped()
                        .grade(&l.grade)
                        .map_or_else(|| l.grade.clone(), |g| g.description.clone()),
                    days: l.days,
                    trips: l.trips,
                    backfilled: l.backfilled_days,
                    day_rate: gbp(l.day_rate_pence),
                    salary: gbp(l.salary_pence),
                    on_costs: gbp(l.on_costs_pence),
                    backfill: gbp(l.backfill_pence),
                    travel: gbp(l.flights_pence + l.per_diem_pence),
                })
                .collect(),
            build_up: vec![
                row("Salary".into(), p.salary_pence, false),
                row("On-costs".into(), p.on_costs_pence, false),
                row("Backfill".into(), p.backfill_pence, false),
                row("Travel".into(), p.travel_pence, false),
                row("Legal".into(), p.legal_pence, false),
                row("Insurance".into(), p.insurance_pence, false),
                row("Overhead".into(), p.overhead_pence, false),
                row("Contingency".into(), p.contingency_pence, false),
                row("Cost".into(), p.cost_pence, true),
                row(
                    format!(
                        "Margin ({} for a {} partner, {} income)",
                        percent(p.margin_bp),
                        p.partner_type,
                        p.income_group.replace('_', " ")
                    ),
                    p.margin_pence,
                    false,
                ),
                row("Net price".into(), p.net_price_pence, true),
                row(
                    format!("Withholding tax ({})", percent(p.withholding_bp)),
                    p.withholding_pence,
                    false,
                ),
                row("Price".into(), p.price_gbp_pence, true),
            ],
            schedule: p
                .schedule
                .iter()
                .map(|s| InstalmentView {
                    label: s.label.clone(),
                    due: due_label(&s.due, s.months),
                    share: percent(s.share_bp),
                    gbp: gbp(s.gbp_pence),
                    buyer: p.in_buyer_currency(s.buyer_minor),
                })
                .collect(),
            country: hcx_domain::reference::reference()
                .country(&p.country)
                .map_or_else(|| p.country.clone(), |c| c.display_name().to_owned()),
        }
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "quote.html")]
pub struct QuotePage {
    layout: Layout,
    view: QuoteView,
    provider: String,
    buyer: Option<String>,
    shown: Shown,
    figures: Figures,
    /// Whether the version shown is the newest the viewer sees.
    is_latest: bool,
    versions: Vec<VersionRow>,
    answer: Option<AnswerView>,
    /// The share of profit an acceptance holds back.
    share: String,
    is_seller: bool,
    problem: Option<Refusal>,
}

/// The buyer's answer for people.
#[derive(Debug)]
struct AnswerView {
    by: String,
    at: String,
    note: String,
}

impl AnswerView {
    fn of(people: &std::collections::HashMap<String, String>, a: &QuoteAnswer) -> AnswerView {
        AnswerView {
            by: people.get(&a.by).cloned().unwrap_or_else(|| a.by.clone()),
            at: timestamp(a.at),
            note: a.note.clone(),
        }
    }
}

/// The version asked for (`?version=N`), or the newest.
fn shown_version<'a>(view: &'a QuoteView, params: &Params) -> Result<&'a VersionView, PageError> {
    let asked = params.text("version");
    let shown = if asked.is_empty() {
        view.latest()
    } else {
        asked.parse().ok().and_then(|n| view.numbered(n))
    };
    shown.ok_or_else(|| {
        PageError(ServiceError::NotFound {
            kind: "quote version",
            id: format!("{} {asked}", view.quote.id),
        })
    })
}

impl QuotePage {
    async fn load(
        app: &App,
        caller: &Caller,
        id: &str,
        params: &Params,
        problem: Option<Refusal>,
    ) -> Result<QuotePage, PageError> {
        let view = app.quote(caller, id).await?;
        let shown = shown_version(&view, params)?;
        let ids = std::iter::once(view.quote.provider.as_str())
            .chain(view.quote.buyer.as_ref().map(|b| b.as_str()));
        let names = names_of(&app.store, ids).await?;
        let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
        let mut people = std::collections::HashMap::new();
        for actor in std::iter::once(shown.created_by.as_str())
            .chain(view.quote.answer.as_ref().map(|a| a.by.as_str()))
        {
            if !people.contains_key(actor) {
                people.insert(actor.to_owned(), person_name(app, actor).await?);
            }
        }
        let issued = view.quote.issued_version;
        Ok(QuotePage {
            layout: Layout::within(view.quote.title.clone(), Section::Quotes),
            provider: name(view.quote.provider.as_str()),
            buyer: view.quote.buyer.as_ref().map(|b| name(b.as_str())),
            figures: Figures::of(&shown.priced),
            is_latest: view.latest().map(|l| l.number) == Some(shown.number),
            shown: Shown {
                number: shown.number,
                created_by: people
                    .get(&shown.created_by)
                    .cloned()
                    .unwrap_or_else(|| shown.created_by.clone()),
                created_at: timestamp(shown.created_at),
            },
            versions: view
                .versions
                .iter()
                .rev()
                .map(|v| VersionRow {
                    number: v.number,
                    created: timestamp(v.created_at),
                    price_gbp: gbp(v.priced.price_gbp_pence),
                    price_buyer: v.priced.price_buyer(),
                    issued: issued == Some(v.number),
                })
                .collect(),
            answer: view
                .quote
                .answer
                .as_ref()
                .map(|a| AnswerView::of(&people, a)),
            share: percent(app.quoting.reinvestment_bp),
            is_seller: view.side == QuoteSide::Seller,
            problem,
            view,
        })
    }
}

pub async fn get_quote(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<QuotePage, PageError> {
    let params = Params::from_query(raw.as_deref());
    QuotePage::load(&app, &caller, &id, &params, None).await
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "quote_print.html")]
pub struct QuotePrintPage {
    title: String,
    id: String,
    provider: String,
    buyer: Option<String>,
    number: i64,
    status: QuoteStatus,
    printed: String,
    figures: Figures,
    currency: String,
}

pub async fn print_quote(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<QuotePrintPage, PageError> {
    let params = Params::from_query(raw.as_deref());
    let view = app.quote(&caller, &id).await?;
    let shown = shown_version(&view, &params)?;
    let ids = std::iter::once(view.quote.provider.as_str())
        .chain(view.quote.buyer.as_ref().map(|b| b.as_str()));
    let names = names_of(&app.store, ids).await?;
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_owned());
    Ok(QuotePrintPage {
        title: view.quote.title.clone(),
        id: view.quote.id.to_string(),
        provider: name(view.quote.provider.as_str()),
        buyer: view.quote.buyer.as_ref().map(|b| name(b.as_str())),
        number: shown.number,
        status: view.quote.status,
        printed: timestamp(crate::services::accounts::now()),
        figures: Figures::of(&shown.priced),
        currency: shown.priced.currency.clone(),
    })
}

/// The version of the quote the form was shown with.
/// After a step: the quote again (303); or, for a step out of turn, stale
/// or not the viewer's, the quote with the reason.
async fn shown_after(
    app: &App,
    caller: &Caller,
    id: &str,
    outcome: Result<QuoteView, ServiceError>,
) -> Result<Response, PageError> {
    let e = match outcome {
        Ok(view) => return Ok(Redirect::to(&format!("/quotes/{}", view.quote.id)).into_response()),
        Err(e) => e,
    };
    let (status, problem) = Refusal::of(e)?;
    let page = QuotePage::load(app, caller, id, &Params::default(), Some(problem)).await?;
    Ok((status, page).into_response())
}

pub async fn issue_quote(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let version = Params::parse(&body).version("quote")?;
    let outcome = app.issue_quote(&caller, &id, version).await;
    shown_after(&app, &caller, &id, outcome).await
}

pub async fn accept_quote(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let version = params.version("quote")?;
    let outcome = app
        .answer_quote(&caller, &id, version, true, params.text("note"))
        .await;
    shown_after(&app, &caller, &id, outcome).await
}

pub async fn reject_quote(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let version = params.version("quote")?;
    let outcome = app
        .answer_quote(&caller, &id, version, false, params.text("note"))
        .await;
    shown_after(&app, &caller, &id, outcome).await
}

pub async fn withdraw_quote(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let version = Params::parse(&body).version("quote")?;
    let outcome = app.withdraw_quote(&caller, &id, version).await;
    shown_after(&app, &caller, &id, outcome).await
}

/// An entry of the ledger for people.
#[derive(Debug)]
struct EntryRow {
    kind: LedgerKind,
    amount: String,
    incoming: bool,
    quote: Option<String>,
    note: String,
    by: String,
    at: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "reinvestment.html")]
pub struct ReinvestmentPage {
    layout: Layout,
    provider_id: String,
    provider: String,
    balance: String,
    share: String,
    entries: Vec<EntryRow>,
    /// The form's values: those just refused, or blank.
    kind: String,
    amount: String,
    note: String,
    problem: Option<Refusal>,
}

impl ReinvestmentPage {
    async fn load(
        app: &App,
        caller: &Caller,
        id: &str,
        draft: (String, String, String),
        problem: Option<Refusal>,
    ) -> Result<ReinvestmentPage, PageError> {
        let ledger = app.reinvestment(caller, id).await?;
        let provider = app.organisation(id).await?.name;
        let mut people = std::collections::HashMap::new();
        for e in &ledger.entries {
            if !people.contains_key(&e.recorded_by) {
                people.insert(
                    e.recorded_by.clone(),
                    person_name(app, &e.recorded_by).await?,
                );
            }
        }
        let (kind, amount, note) = draft;
        Ok(ReinvestmentPage {
            layout: Layout::within(format!("Reinvestment pot of {provider}"), Section::Quotes),
            provider_id: id.to_owned(),
            provider,
            balance: gbp(ledger.balance_pence),
            share: percent(app.quoting.reinvestment_bp),
            entries: ledger
                .entries
                .iter()
                .rev()
                .map(|e| EntryRow {
                    kind: e.kind,
                    amount: gbp(e.amount_pence),
                    incoming: e.amount_pence >= 0,
                    quote: e.quote.clone(),
                    note: e.note.clone(),
                    by: people
                        .get(&e.recorded_by)
                        .cloned()
                        .unwrap_or_else(|| e.recorded_by.clone()),
                    at: timestamp(e.created_at),
                })
                .collect(),
            kind,
            amount,
            note,
            problem,
        })
    }
}

pub async fn get_reinvestment(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<ReinvestmentPage, PageError> {
    let draft = ("spend".to_owned(), String::new(), String::new());
    ReinvestmentPage::load(&app, &caller, &id, draft, None).await
}

pub async fn record_reinvestment(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let draft = (
        params.text("kind").to_owned(),
        params.text("amount").to_owned(),
        params.text("note").to_owned(),
    );
    let outcome = match pence_of(&draft.1) {
        Ok(amount_pence) => {
            let input = LedgerInput {
                kind: draft.0.clone(),
                amount_pence,
                note: draft.2.clone(),
            };
            app.record_reinvestment(&caller, &id, &input).await
        }
        Err(reason) => Err(ServiceError::Invalid(Invalid::one("amount", reason))),
    };
    let e = match outcome {
        Ok(_) => {
            return Ok(Redirect::to(&format!("/organisations/{id}/reinvestment")).into_response());
        }
        Err(e) => e,
    };
    let (status, problem) = Refusal::of(e)?;
    let page = ReinvestmentPage::load(&app, &caller, &id, draft, Some(problem)).await?;
    Ok((status, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_are_read_as_people_type_them() {
        assert_eq!(pence_of("2,000"), Ok(200_000));
        assert_eq!(pence_of("£1500.5"), Ok(150_050));
        assert_eq!(pence_of("-12.34"), Ok(-1_234));
        assert!(pence_of("1.234").is_err());
        assert!(pence_of("ten").is_err());
    }

    #[test]
    fn every_preset_schedule_sums_to_the_whole_and_is_recognised() {
        for (key, ..) in SCHEDULES {
            let parts = preset(key).unwrap();
            assert_eq!(
                parts.iter().map(|p| p.share_bp).sum::<u32>(),
                10_000,
                "{key}"
            );
            assert_eq!(preset_of(Some(parts.as_slice())), *key);
        }
    }
}
