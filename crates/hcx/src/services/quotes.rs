//! Quotes and reinvestment: a provider (or the agency for it) prices an
//! engagement with the pricing matrix, keeps each change as a version,
//! issues it to the buyer of the opportunity it answers, and records the
//! answer; an accepted quote holds back a share of its profit in the
//! provider's reinvestment pot, which the provider spends with a note.
//!
//! Pricing is the domain's ([`hcx_domain::pricing`], over the tables shipped
//! in the binary), the steps are the store's; this module reads requests
//! into the domain's types and decides who may see and do what: the
//! provider's people and the agency every version and step, the buyer's
//! people the versions issued to them and the answer, anyone else nothing.

use hcx_domain::access::{Capability, QuoteSide, Verb};
use hcx_domain::pricing::{
    Due, Instalment, PartnerType, PricingTables, Quote, QuoteInput, StaffLine, quote,
};
use hcx_domain::quote::{LedgerKind, QuoteStatus, QuoteStep};
use hcx_domain::vocab::{OrgKind, Role};
use hcx_domain::{FieldError, Invalid, OrganisationId, QuoteId, Record};
use hcx_store::{
    Ledger, LedgerEntry, NewQuote, Page, PricedVersion, QuoteFilter, QuoteScope, StoredQuote,
};
use serde::{Deserialize, Serialize};

use super::access::denied;
use super::{App, Caller, ServiceError, given};

/// What the errors call a quote.
const KIND: &str = "quote";
/// Longest title of a quote.
const MAX_TITLE: usize = 200;
/// Longest note on an answer or a ledger entry.
const MAX_NOTE: usize = 2_000;

/// One staff line as a request gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffLineInput {
    /// A grade of the rate card: `band_2` … `band_9`, `specialty_doctor`, `consultant`.
    pub grade: String,
    /// Days away from NHS duties.
    pub days: i64,
    /// Return journeys to the country.
    #[serde(default)]
    pub trips: i64,
    /// Days covered by temporary staff; every day away when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backfilled_days: Option<i64>,
}

/// One instalment of the payment schedule as a request gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstalmentInput {
    pub label: String,
    /// Share of the price in basis points (3000 = 30%); the shares sum to 10000.
    pub share_bp: u32,
    /// `upfront`, `months_after_start` or `on_completion`.
    pub due: String,
    /// For `months_after_start`: how many months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
}

/// What a quote is asked for: the JSON `hcx quote price --input` reads and
/// the API takes. Rates are basis points (100 = 1%); those left out take the
/// defaults of `docs/pricing.md`, and so does the schedule (30% upfront, 40%
/// after three months, 30% on completion).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    pub lines: Vec<StaffLineInput>,
    /// ISO 3166-1 alpha-2 code of the buyer's country.
    pub country: String,
    /// ISO 4217 code of the currency the buyer pays in.
    pub currency: String,
    /// `government`, `private`, `charity` or `academic`.
    pub partner_type: String,
    /// Legal costs in pence.
    #[serde(default)]
    pub legal_pence: i64,
    pub on_cost_bp: Option<u32>,
    pub backfill_premium_bp: Option<u32>,
    pub insurance_bp: Option<u32>,
    pub overhead_bp: Option<u32>,
    pub contingency_bp: Option<u32>,
    pub fx_buffer_bp: Option<u32>,
    pub schedule: Option<Vec<InstalmentInput>>,
}

/// How an instalment's due date is written.
fn due_of(due: Due) -> (String, Option<u32>) {
    match due {
        Due::Upfront => ("upfront".into(), None),
        Due::MonthsAfterStart(m) => ("months_after_start".into(), Some(m)),
        Due::OnCompletion => ("on_completion".into(), None),
    }
}

/// An instalment's due date in words.
pub fn due_label(due: &str, months: Option<u32>) -> String {
    match (due, months) {
        ("upfront", _) => "Before work starts".into(),
        ("on_completion", _) => "On completion".into(),
        (_, Some(1)) => "1 month after the start".into(),
        (_, Some(m)) => format!("{m} months after the start"),
        (other, None) => other.to_owned(),
    }
}

impl QuoteRequest {
    /// The domain's request, or every field that is wrong in it (the
    /// pricing itself names the rest).
    pub fn read(&self) -> Result<QuoteInput, Invalid> {
        let mut errors = Vec::new();
        let partner_type = PartnerType::parse(self.partner_type.trim())
            .map_err(|e| errors.push(FieldError::new("partner_type", e)))
            .ok();
        let lines = self
            .lines
            .iter()
            .map(|l| StaffLine {
                grade: l.grade.trim().to_owned(),
                days: l.days,
                trips: l.trips,
                backfilled_days: l.backfilled_days,
            })
            .collect();
        let mut input = QuoteInput::new(
            lines,
            &self.country.trim().to_uppercase(),
            &self.currency.trim().to_uppercase(),
            partner_type.unwrap_or(PartnerType::Government),
        );
        input.legal_pence = self.legal_pence;
        let rates = [
            (&mut input.on_cost_bp, self.on_cost_bp),
            (&mut input.backfill_premium_bp, self.backfill_premium_bp),
            (&mut input.insurance_bp, self.insurance_bp),
            (&mut input.overhead_bp, self.overhead_bp),
            (&mut input.contingency_bp, self.contingency_bp),
            (&mut input.fx_buffer_bp, self.fx_buffer_bp),
        ];
        for (rate, given) in rates {
            if let Some(bp) = given {
                *rate = bp;
            }
        }
        if let Some(schedule) = &self.schedule {
            input.schedule = schedule
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    let due = match (s.due.trim(), s.months) {
                        ("upfront", _) => Some(Due::Upfront),
                        ("on_completion", _) => Some(Due::OnCompletion),
                        ("months_after_start", Some(m)) => Some(Due::MonthsAfterStart(m)),
                        ("months_after_start", None) => {
                            errors.push(FieldError::new(
                                format!("schedule[{i}].months"),
                                "is needed for an instalment due months after the start",
                            ));
                            None
                        }
                        (other, _) => {
                            errors.push(FieldError::new(
                                format!("schedule[{i}].due"),
                                format!(
                                    "{other:?} is not upfront, months_after_start or on_completion"
                                ),
                            ));
                            None
                        }
                    };
                    Some(Instalment::new(s.label.trim(), s.share_bp, due?))
                })
                .collect();
        }
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(Invalid(errors))
        }
    }

    /// The request with every rate and the schedule written out, as stored.
    pub fn of(input: &QuoteInput) -> QuoteRequest {
        QuoteRequest {
            lines: input
                .lines
                .iter()
                .map(|l| StaffLineInput {
                    grade: l.grade.clone(),
                    days: l.days,
                    trips: l.trips,
                    backfilled_days: l.backfilled_days,
                })
                .collect(),
            country: input.country.clone(),
            currency: input.currency.clone(),
            partner_type: input.partner_type.as_str().to_owned(),
            legal_pence: input.legal_pence,
            on_cost_bp: Some(input.on_cost_bp),
            backfill_premium_bp: Some(input.backfill_premium_bp),
            insurance_bp: Some(input.insurance_bp),
            overhead_bp: Some(input.overhead_bp),
            contingency_bp: Some(input.contingency_bp),
            fx_buffer_bp: Some(input.fx_buffer_bp),
            schedule: Some(
                input
                    .schedule
                    .iter()
                    .map(|s| {
                        let (due, months) = due_of(s.due);
                        InstalmentInput {
                            label: s.label.clone(),
                            share_bp: s.share_bp,
                            due,
                            months,
                        }
                    })
                    .collect(),
            ),
        }
    }
}

/// The cost of one staff line, in pence.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PricedLine {
    pub grade: String,
    pub days: i64,
    pub trips: i64,
    pub backfilled_days: i64,
    pub day_rate_pence: i64,
    pub salary_pence: i64,
    pub on_costs_pence: i64,
    pub backfill_pence: i64,
    pub flights_pence: i64,
    pub per_diem_pence: i64,
}

/// One instalment with its amounts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PricedInstalment {
    pub label: String,
    /// `upfront`, `months_after_start` or `on_completion`.
    pub due: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<u32>,
    pub share_bp: u32,
    pub gbp_pence: i64,
    /// In the minor units of the buyer's currency.
    pub buyer_minor: i64,
}

/// A priced engagement, as stored with each version. Amounts are pence
/// unless said otherwise; rates are basis points.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PricedQuote {
    pub lines: Vec<PricedLine>,
    pub country: String,
    /// World Bank income group of the country: `high`, `upper_middle`, `lower_middle`, `low`.
    pub income_group: String,
    pub partner_type: String,
    pub staff_days: i64,
    pub backfilled_days: i64,
    /// Whether every day staff are away is covered by temporary staff.
    pub fully_backfilled: bool,
    pub salary_pence: i64,
    pub on_costs_pence: i64,
    pub backfill_pence: i64,
    pub travel_pence: i64,
    pub legal_pence: i64,
    pub insurance_pence: i64,
    pub overhead_pence: i64,
    pub contingency_pence: i64,
    /// Everything the engagement costs the NHS.
    pub cost_pence: i64,
    pub margin_bp: u32,
    /// The profit over cost.
    pub margin_pence: i64,
    /// Margin as a share of the price received after withholding tax.
    pub margin_share_bp: u32,
    pub net_price_pence: i64,
    pub withholding_bp: u32,
    pub withholding_pence: i64,
    /// What is invoiced, in pence.
    pub price_gbp_pence: i64,
    /// The lowest invoice that covers the cost after withholding tax.
    pub break_even_pence: i64,
    /// Units of the buyer's currency per pound, the FX buffer included.
    pub buffered_units_per_gbp: f64,
    /// ISO 4217 code of the buyer's currency.
    pub currency: String,
    /// The price in the buyer's currency's minor units.
    pub price_buyer_minor: i64,
    /// Decimal places of the buyer's currency.
    pub currency_digits: u32,
    pub schedule: Vec<PricedInstalment>,
}

impl PricedQuote {
    pub fn of(q: &Quote) -> PricedQuote {
        let currency = q.price_buyer.currency.as_str();
        PricedQuote {
            lines: q
                .lines
                .iter()
                .map(|l| PricedLine {
                    grade: l.grade.clone(),
                    days: l.days,
                    trips: l.trips,
                    backfilled_days: l.backfilled_days,
                    day_rate_pence: l.day_rate_pence,
                    salary_pence: l.salary_pence,
                    on_costs_pence: l.on_costs_pence,
                    backfill_pence: l.backfill_pence,
                    flights_pence: l.flights_pence,
                    per_diem_pence: l.per_diem_pence,
                })
                .collect(),
            country: q.country.to_string(),
            income_group: q.income_group.as_str().to_owned(),
            partner_type: q.partner_type.as_str().to_owned(),
            staff_days: q.staff_days,
            backfilled_days: q.backfilled_days,
            fully_backfilled: q.fully_backfilled(),
            salary_pence: q.salary_pence,
            on_costs_pence: q.on_costs_pence,
            backfill_pence: q.backfill_pence,
            travel_pence: q.travel_pence,
            legal_pence: q.legal_pence,
            insurance_pence: q.insurance_pence,
            overhead_pence: q.overhead_pence,
            contingency_pence: q.contingency_pence,
            cost_pence: q.cost_pence,
            margin_bp: q.margin_bp,
            margin_pence: q.margin_pence,
            margin_share_bp: q.margin_share_bp,
            net_price_pence: q.net_price_pence,
            withholding_bp: q.withholding_bp,
            withholding_pence: q.withholding_pence,
            price_gbp_pence: q.price_gbp_pence,
            break_even_pence: q.break_even_pence,
            buffered_units_per_gbp: q.buffered_units_per_gbp,
            currency: currency.to_owned(),
            price_buyer_minor: q.price_buyer.minor,
            currency_digits: hcx_domain::reference::reference().minor_unit_digits(currency),
            schedule: q
                .schedule
                .iter()
                .map(|s| {
                    let (due, months) = due_of(s.due);
                    PricedInstalment {
                        label: s.label.clone(),
                        due,
                        months,
                        share_bp: s.share_bp,
                        gbp_pence: s.gbp_pence,
                        buyer_minor: s.buyer_minor,
                    }
                })
                .collect(),
        }
    }
}

/// Minor units with every decimal place shown: `100,494.55`.
pub fn amount(minor: i64, digits: u32) -> String {
    let scale = 10i64.pow(digits);
    let whole = hcx_domain::money::group_thousands((minor / scale).abs(), 0);
    let sign = if minor < 0 { "-" } else { "" };
    if digits == 0 {
        format!("{sign}{whole}")
    } else {
        let frac = (minor % scale).abs();
        format!("{sign}{whole}.{frac:0width$}", width = digits as usize)
    }
}

/// Pence as pounds to the penny: `£100,494.55`.
pub fn gbp(pence: i64) -> String {
    let text = amount(pence, 2);
    match text.strip_prefix('-') {
        Some(rest) => format!("-£{rest}"),
        None => format!("£{text}"),
    }
}

/// Basis points as a percentage: `20%`, `16.67%`.
pub fn percent(bp: u32) -> String {
    if bp.is_multiple_of(100) {
        format!("{}%", bp / 100)
    } else {
        format!("{}.{:02}%", bp / 100, bp % 100)
    }
}

impl PricedQuote {
    /// The price in the buyer's currency: `USD 141,384.22`.
    pub fn price_buyer(&self) -> String {
        self.in_buyer_currency(self.price_buyer_minor)
    }

    /// An amount in the buyer's currency's minor units, with its code.
    pub fn in_buyer_currency(&self, minor: i64) -> String {
        format!("{} {}", self.currency, amount(minor, self.currency_digits))
    }
}

/// Prices a request with the shipped tables, storing nothing.
pub fn price(request: &QuoteRequest) -> Result<(QuoteInput, PricedQuote), ServiceError> {
    let input = request.read()?;
    let priced = quote(&input, PricingTables::shipped())?;
    Ok((input, PricedQuote::of(&priced)))
}

/// A request priced, as the store keeps a version.
fn figures(request: &QuoteRequest) -> Result<PricedVersion, ServiceError> {
    let (input, priced) = price(request)?;
    Ok(PricedVersion {
        input: json(&QuoteRequest::of(&input)),
        priced: json(&priced),
        currency: priced.currency.clone(),
        price_gbp_pence: priced.price_gbp_pence,
        price_buyer_minor: priced.price_buyer_minor,
        cost_pence: priced.cost_pence,
        margin_pence: priced.margin_pence,
    })
}

/// A stored JSON document (the wire types always serialise).
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A version as a reader of the quote sees it.
#[derive(Debug, Clone)]
pub struct VersionView {
    pub number: i64,
    pub request: QuoteRequest,
    pub priced: PricedQuote,
    /// Who made it: `user:ID` or `cli:NAME`.
    pub created_by: String,
    pub created_at: i64,
}

/// A quote as the caller may see it: the buyer sees only the versions
/// issued to it.
#[derive(Debug, Clone)]
pub struct QuoteView {
    pub quote: StoredQuote,
    pub side: QuoteSide,
    /// Oldest first.
    pub versions: Vec<VersionView>,
}

impl QuoteView {
    fn of(quote: StoredQuote, side: QuoteSide) -> Result<QuoteView, ServiceError> {
        let visible = match side {
            QuoteSide::Seller => quote.current_version,
            QuoteSide::Buyer => quote.issued_version.unwrap_or(0),
        };
        let mut versions = Vec::new();
        for v in quote.versions.iter().filter(|v| v.number <= visible) {
            let bad = |e: serde_json::Error| {
                ServiceError::Internal(format!(
                    "quote {} version {} does not read back: {e}",
                    quote.id, v.number
                ))
            };
            versions.push(VersionView {
                number: v.number,
                request: serde_json::from_str(&v.figures.input).map_err(bad)?,
                priced: serde_json::from_str(&v.figures.priced).map_err(bad)?,
                created_by: v.created_by.clone(),
                created_at: v.created_at,
            });
        }
        Ok(QuoteView {
            quote,
            side,
            versions,
        })
    }

    /// The newest version the caller sees.
    pub fn latest(&self) -> Option<&VersionView> {
        self.versions.last()
    }

    /// A version by number, among those the caller sees.
    pub fn numbered(&self, number: i64) -> Option<&VersionView> {
        self.versions.iter().find(|v| v.number == number)
    }

    fn allows(&self, step: QuoteStep) -> bool {
        self.quote.status.after(step).is_ok()
    }

    /// Whether the caller may add a version.
    pub fn may_revise(&self) -> bool {
        self.side == QuoteSide::Seller && self.allows(QuoteStep::Revise)
    }

    pub fn may_issue(&self) -> bool {
        self.side == QuoteSide::Seller && self.allows(QuoteStep::Issue)
    }

    /// Whether the caller may accept or reject: the buyer, or the provider
    /// recording the buyer's answer.
    pub fn may_answer(&self) -> bool {
        self.allows(QuoteStep::Accept)
    }

    pub fn may_withdraw(&self) -> bool {
        self.side == QuoteSide::Seller && self.allows(QuoteStep::Withdraw)
    }
}

/// A quote to create.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuoteInput {
    /// The provider pricing the work: for a provider's people one of their
    /// own (left out when they belong to one); for the agency, any provider.
    pub provider: Option<String>,
    /// The opportunity answered; its buyer then sees the versions issued.
    pub opportunity: Option<String>,
    /// Defaults to the opportunity's title.
    pub title: Option<String>,
    pub input: QuoteRequest,
}

/// Which quotes to list; the caller's scope is applied on top.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuoteQuery {
    pub provider: Option<OrganisationId>,
    pub status: Option<QuoteStatus>,
}

impl QuoteQuery {
    /// A query from the text of a form or a request: blanks ask for nothing.
    pub fn read(provider: Option<&str>, status: Option<&str>) -> Result<QuoteQuery, ServiceError> {
        let mut errors = Vec::new();
        let provider = given(provider).and_then(|p| {
            OrganisationId::parse(p)
                .map_err(|e| errors.push(FieldError::new("provider", e)))
                .ok()
        });
        let status = given(status).and_then(|s| {
            QuoteStatus::read(s)
                .map_err(|e| errors.push(FieldError::new("status", e)))
                .ok()
        });
        if errors.is_empty() {
            Ok(QuoteQuery { provider, status })
        } else {
            Err(ServiceError::Invalid(Invalid(errors)))
        }
    }
}

/// An entry of the reinvestment ledger to record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LedgerInput {
    /// `spend` (taken from the pot) or `adjustment` (either way).
    pub kind: String,
    /// Pence: positive for a spend; an adjustment takes from the pot when negative.
    pub amount_pence: i64,
    /// What the money went on, or why the pot is corrected.
    pub note: String,
}

/// A fresh quote id: `Q-` and eight letters and digits that cannot be misread.
fn new_quote_id() -> QuoteId {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system provides random numbers");
    let code: String = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect();
    QuoteId::parse(&format!("Q-{code}")).expect("a well-formed quote id")
}

fn quote_id(id: &str) -> Result<QuoteId, ServiceError> {
    QuoteId::parse(id).map_err(|_| ServiceError::NotFound {
        kind: KIND,
        id: id.to_owned(),
    })
}

/// The caller's organisations of these kinds, when they act in this role.
fn own(caller: &Caller, role: Role, kinds: &[OrgKind]) -> Vec<OrganisationId> {
    if caller.actor.role != Some(role) {
        return Vec::new();
    }
    caller
        .actor
        .memberships
        .iter()
        .filter(|m| kinds.contains(&m.kind))
        .map(|m| m.organisation.clone())
        .collect()
}

/// The providers the caller prices for.
pub fn own_providers(caller: &Caller) -> Vec<OrganisationId> {
    own(
        caller,
        Role::Provider,
        &[OrgKind::Provider, OrgKind::Partner],
    )
}

fn check_note(field: &str, note: &str) -> Result<(), ServiceError> {
    if note.chars().count() > MAX_NOTE {
        return Err(ServiceError::Invalid(Invalid::one(
            field,
            format!("must be at most {MAX_NOTE} characters"),
        )));
    }
    Ok(())
}

impl App {
    /// The quotes the caller may see that match the query, most recently
    /// changed first: the agency every quote, a provider's people their
    /// providers', a buyer's people those issued to their organisations.
    pub async fn quotes(
        &self,
        caller: &Caller,
        query: &QuoteQuery,
        offset: i64,
        limit: i64,
    ) -> Result<Page<QuoteView>, ServiceError> {
        caller.check_capability(Capability::Quoting)?;
        let scope = if caller.actor.is_staff() {
            QuoteScope::Anyone
        } else {
            QuoteScope::Parties {
                providers: own_providers(caller),
                buyers: own(caller, Role::Buyer, &[OrgKind::Buyer]),
            }
        };
        let filter = QuoteFilter {
            scope,
            provider: query.provider.clone(),
            status: query.status,
        };
        let page = self.store.list_quotes(&filter, offset, limit).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for q in page.items {
            let side = caller
                .actor
                .quote_side(&q.provider, q.buyer.as_ref())
                .map_err(|d| denied(d, KIND, q.id.as_str()))?;
            items.push(QuoteView::of(q, side)?);
        }
        Ok(Page {
            items,
            total: page.total,
            offset: page.offset,
            limit: page.limit,
        })
    }

    /// One quote as the caller may see it; to anyone else (and to the buyer
    /// before anything is issued) it is not found.
    pub async fn quote(&self, caller: &Caller, id: &str) -> Result<QuoteView, ServiceError> {
        if caller.actor.role.is_none() {
            return Err(ServiceError::SignIn);
        }
        let id = quote_id(id)?;
        let hidden = || ServiceError::NotFound {
            kind: KIND,
            id: id.to_string(),
        };
        let quote = self.store.quote(&id).await?.ok_or_else(hidden)?;
        let side = caller
            .actor
            .quote_side(&quote.provider, quote.buyer.as_ref())
            .map_err(|d| denied(d, KIND, id.as_str()))?;
        if side == QuoteSide::Buyer && quote.issued_version.is_none() {
            return Err(hidden());
        }
        QuoteView::of(quote, side)
    }

    /// The provider a new quote is for: the one named, which the caller must
    /// price for, or the caller's only provider.
    async fn quoting_provider(
        &self,
        caller: &Caller,
        named: Option<&str>,
    ) -> Result<OrganisationId, ServiceError> {
        let id = match named {
            Some(id) => id.to_owned(),
            None => match own_providers(caller).as_slice() {
                [only] => only.to_string(),
                _ => {
                    return Err(ServiceError::Invalid(Invalid::one(
                        "provider",
                        "name the provider the quote is for",
                    )));
                }
            },
        };
        let provider = self
            .store
            .organisation(&id)
            .await?
            .map(|v| v.record)
            .ok_or_else(|| {
                ServiceError::Invalid(Invalid::one(
                    "provider",
                    format!("organisation {id:?} does not exist"),
                ))
            })?;
        if caller.actor.quote_side(&provider.id, None) != Ok(QuoteSide::Seller) {
            return Err(caller.refuse("organisation", &id));
        }
        if !matches!(provider.kind, OrgKind::Provider | OrgKind::Partner) {
            return Err(ServiceError::Invalid(Invalid::one(
                "provider",
                format!("{} is not a provider", provider.name),
            )));
        }
        Ok(provider.id)
    }

    /// Creates a draft quote priced from `input.input`, for one of the
    /// caller's providers (any, for the agency).
    pub async fn create_quote(
        &self,
        caller: &Caller,
        input: &NewQuoteInput,
    ) -> Result<QuoteView, ServiceError> {
        caller.check_capability(Capability::Quoting)?;
        let provider = self
            .quoting_provider(caller, given(input.provider.as_deref()))
            .await?;
        let opportunity = match given(input.opportunity.as_deref()) {
            None => None,
            Some(id) => {
                let missing = || {
                    ServiceError::Invalid(Invalid::one(
                        "opportunity",
                        format!("opportunity {id:?} does not exist"),
                    ))
                };
                let o = self
                    .store
                    .opportunity(id)
                    .await?
                    .ok_or_else(missing)?
                    .record;
                let record = Record::Opportunity(o);
                caller
                    .actor
                    .check(Verb::Read, &record)
                    .map_err(|_| missing())?;
                let Record::Opportunity(o) = record else {
                    unreachable!("an opportunity was wrapped")
                };
                Some(o)
            }
        };
        let title = given(input.title.as_deref())
            .map(str::to_owned)
            .or_else(|| opportunity.as_ref().map(|o| o.title.clone()))
            .ok_or_else(|| {
                ServiceError::Invalid(Invalid::one(
                    "title",
                    "give the quote a title (or the opportunity it answers)",
                ))
            })?;
        if title.chars().count() > MAX_TITLE {
            return Err(ServiceError::Invalid(Invalid::one(
                "title",
                format!("must be at most {MAX_TITLE} characters"),
            )));
        }
        let figures = figures(&input.input)?;
        let new = NewQuote {
            id: new_quote_id(),
            provider: provider.clone(),
            opportunity: opportunity.as_ref().map(|o| o.id.clone()),
            buyer: opportunity.as_ref().map(|o| o.buyer.clone()),
            title,
        };
        let stored = self
            .store
            .create_quote(&new, &figures, &caller.author())
            .await?;
        QuoteView::of(stored, QuoteSide::Seller)
    }

    /// The quote, checked to be the caller's to price.
    async fn priced_by(&self, caller: &Caller, id: &str) -> Result<QuoteView, ServiceError> {
        let view = self.quote(caller, id).await?;
        if view.side != QuoteSide::Seller {
            return Err(caller.refuse(KIND, id));
        }
        Ok(view)
    }

    /// Adds a version priced from `request` to the quote at `version`.
    pub async fn revise_quote(
        &self,
        caller: &Caller,
        id: &str,
        version: i64,
        request: &QuoteRequest,
    ) -> Result<QuoteView, ServiceError> {
        let view = self.priced_by(caller, id).await?;
        let figures = figures(request)?;
        let stored = self
            .store
            .revise_quote(&view.quote.id, version, &figures, &caller.author())
            .await?;
        QuoteView::of(stored, QuoteSide::Seller)
    }

    /// Issues the latest version to the buyer.
    pub async fn issue_quote(
        &self,
        caller: &Caller,
        id: &str,
        version: i64,
    ) -> Result<QuoteView, ServiceError> {
        let view = self.priced_by(caller, id).await?;
        let stored = self
            .store
            .issue_quote(&view.quote.id, version, &caller.author())
            .await?;
        QuoteView::of(stored, QuoteSide::Seller)
    }

    /// Withdraws a quote not yet accepted.
    pub async fn withdraw_quote(
        &self,
        caller: &Caller,
        id: &str,
        version: i64,
    ) -> Result<QuoteView, ServiceError> {
        let view = self.priced_by(caller, id).await?;
        let stored = self
            .store
            .withdraw_quote(&view.quote.id, version, &caller.author())
            .await?;
        QuoteView::of(stored, QuoteSide::Seller)
    }

    /// Accepts or rejects the issued quote: its buyer, or its provider
    /// recording the buyer's answer. Accepting holds back the configured
    /// share of the profit in the provider's reinvestment pot.
    pub async fn answer_quote(
        &self,
        caller: &Caller,
        id: &str,
        version: i64,
        accept: bool,
        note: &str,
    ) -> Result<QuoteView, ServiceError> {
        let view = self.quote(caller, id).await?;
        check_note("note", note)?;
        let stored = self
            .store
            .answer_quote(
                &view.quote.id,
                version,
                accept,
                note.trim(),
                self.quoting.reinvestment_bp,
                &caller.author(),
            )
            .await?;
        QuoteView::of(stored, view.side)
    }

    /// The organisation, checked to be a pot the caller keeps.
    async fn pot_of(&self, caller: &Caller, id: &str) -> Result<OrganisationId, ServiceError> {
        if caller.actor.role.is_none() {
            return Err(ServiceError::SignIn);
        }
        let hidden = || ServiceError::NotFound {
            kind: "reinvestment pot",
            id: id.to_owned(),
        };
        let provider = OrganisationId::parse(id).map_err(|_| hidden())?;
        self.store.organisation(id).await?.ok_or_else(hidden)?;
        caller
            .actor
            .check_reinvestment(&provider)
            .map_err(|d| denied(d, "reinvestment pot", id))?;
        Ok(provider)
    }

    /// A provider's reinvestment ledger and balance: its people and the agency.
    pub async fn reinvestment(
        &self,
        caller: &Caller,
        provider: &str,
    ) -> Result<Ledger, ServiceError> {
        let provider = self.pot_of(caller, provider).await?;
        Ok(self.store.reinvestment(&provider).await?)
    }

    /// Records a spend from the pot, or an adjustment, with its note; the
    /// balance never falls below zero.
    pub async fn record_reinvestment(
        &self,
        caller: &Caller,
        provider: &str,
        input: &LedgerInput,
    ) -> Result<LedgerEntry, ServiceError> {
        let provider = self.pot_of(caller, provider).await?;
        let mut errors = Vec::new();
        let kind = match LedgerKind::read(input.kind.trim()) {
            Ok(LedgerKind::Credit) => {
                errors.push(FieldError::new(
                    "kind",
                    "credits are held back from accepted quotes: record a spend or an adjustment",
                ));
                None
            }
            Ok(kind) => Some(kind),
            Err(e) => {
                errors.push(FieldError::new("kind", e));
                None
            }
        };
        match kind {
            Some(LedgerKind::Spend) if input.amount_pence <= 0 => {
                errors.push(FieldError::new(
                    "amount_pence",
                    "a spend must be more than nothing",
                ));
            }
            Some(LedgerKind::Adjustment) if input.amount_pence == 0 => {
                errors.push(FieldError::new(
                    "amount_pence",
                    "an adjustment must not be zero",
                ));
            }
            _ => {}
        }
        if input.amount_pence.abs() > 100_000_000_000 {
            errors.push(FieldError::new("amount_pence", "is implausibly large"));
        }
        let note = input.note.trim();
        if note.is_empty() {
            errors.push(FieldError::new(
                "note",
                "say what the money went on, or why the pot is corrected",
            ));
        }
        check_note("note", note)?;
        let (Some(kind), true) = (kind, errors.is_empty()) else {
            return Err(ServiceError::Invalid(Invalid(errors)));
        };
        Ok(self
            .store
            .record_reinvestment(&provider, kind, input.amount_pence, note, &caller.author())
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kuwait() -> QuoteRequest {
        serde_json::from_str(
            r#"{"lines": [{"grade": "consultant", "days": 10, "trips": 1},
                          {"grade": "consultant", "days": 10, "trips": 1},
                          {"grade": "band_6", "days": 20, "trips": 1}],
                "country": "KW", "currency": "USD", "partner_type": "government",
                "legal_pence": 200000}"#,
        )
        .unwrap()
    }

    #[test]
    fn the_documented_example_prices_through_the_request_to_the_penny() {
        let (input, priced) = price(&kuwait()).unwrap();
        assert_eq!(priced.price_gbp_pence, 10_049_455);
        assert_eq!(priced.break_even_pence, 8_374_545);
        assert_eq!(priced.cost_pence, 7_955_818);
        assert_eq!(
            (priced.currency.as_str(), priced.price_buyer_minor),
            ("USD", 14_138_422)
        );
        assert!(priced.fully_backfilled);
        assert_eq!(priced.schedule.len(), 3);
        // Written out in full, the request prices the same again.
        let stored = QuoteRequest::of(&input);
        assert_eq!(stored.read().unwrap(), input);
        let text = serde_json::to_string(&priced).unwrap();
        assert_eq!(serde_json::from_str::<PricedQuote>(&text).unwrap(), priced);
    }

    #[test]
    fn amounts_show_every_decimal_place() {
        assert_eq!(gbp(10_049_455), "£100,494.55");
        assert_eq!(gbp(200_000), "£2,000.00");
        assert_eq!(gbp(-5), "-£0.05");
        assert_eq!(amount(1_234_567, 3), "1,234.567");
        assert_eq!(amount(1_234, 0), "1,234");
        assert_eq!(
            (percent(2_000), percent(1_667)),
            ("20%".into(), "16.67%".into())
        );
    }

    #[test]
    fn a_bad_request_names_every_field() {
        let mut request = kuwait();
        request.partner_type = "friendly".into();
        request.schedule = Some(vec![InstalmentInput {
            label: "Later".into(),
            share_bp: 10_000,
            due: "someday".into(),
            months: None,
        }]);
        let Err(ServiceError::Invalid(invalid)) = price(&request) else {
            panic!("refused")
        };
        let fields: Vec<&str> = invalid.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["partner_type", "schedule[0].due"]);
        request.partner_type = "private".into();
        request.schedule = None;
        request.lines[0].grade = "band_99".into();
        let Err(ServiceError::Invalid(invalid)) = price(&request) else {
            panic!("refused")
        };
        assert_eq!(invalid.0[0].field, "lines[0].grade");
    }
}
