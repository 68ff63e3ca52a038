//! The pricing matrix: a quote for an overseas engagement that covers its
//! whole cost to the NHS, backfill of every day staff are away included.
//!
//! All amounts are integer minor units (pence for GBP) and all rates are basis
//! points (1% = 100), so a quote is exact and reproducible. The default tables
//! ship in `data/pricing/` (see its README) and can be replaced by edited ones
//! through [`PricingTables::parse`].

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::codes::{CountryCode, CurrencyCode};
use crate::fields::{FieldError, Invalid};
use crate::money::Money;
use crate::reference::reference;

const RATE_CARD_CSV: &str = include_str!("../../../data/pricing/rate_card.csv");
const TRAVEL_CSV: &str = include_str!("../../../data/pricing/travel.csv");
const WITHHOLDING_CSV: &str = include_str!("../../../data/pricing/withholding_tax.csv");
const MARGINS_CSV: &str = include_str!("../../../data/pricing/margins.csv");

/// Basis points in one whole (100%).
pub const WHOLE_BP: u32 = 10_000;

/// Employer on-costs over basic pay: NHS Pension Scheme employer contribution
/// (23.7% from April 2024) plus employer National Insurance (15% above the
/// £5,000 secondary threshold from April 2025, about 13.3% of pay at the top
/// of band 6).
pub const DEFAULT_ON_COST_BP: u32 = 3_700;
/// Cost of a temporary replacement over basic pay: the NHS England agency
/// price cap allows 55% above basic pay to cover the agency's costs.
pub const DEFAULT_BACKFILL_PREMIUM_BP: u32 = 5_500;
pub const DEFAULT_INSURANCE_BP: u32 = 100;
pub const DEFAULT_OVERHEAD_BP: u32 = 1_500;
pub const DEFAULT_CONTINGENCY_BP: u32 = 1_000;
/// Added to the exchange rate when pricing in the buyer's currency, so that a
/// fall of the buyer's currency before payment does not eat the margin.
pub const DEFAULT_FX_BUFFER_BP: u32 = 500;

/// Who is buying: the margin policy differs by partner type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PartnerType {
    Government,
    Private,
    Charity,
    Academic,
}

impl PartnerType {
    pub const ALL: [PartnerType; 4] = [
        PartnerType::Government,
        PartnerType::Private,
        PartnerType::Charity,
        PartnerType::Academic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartnerType::Government => "government",
            PartnerType::Private => "private",
            PartnerType::Charity => "charity",
            PartnerType::Academic => "academic",
        }
    }

    pub fn parse(s: &str) -> Result<PartnerType, String> {
        PartnerType::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                format!("{s:?} is not a partner type (government, private, charity, academic)")
            })
    }
}

/// World Bank income group of the buyer's country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IncomeGroup {
    High,
    UpperMiddle,
    LowerMiddle,
    Low,
}

impl IncomeGroup {
    pub const ALL: [IncomeGroup; 4] = [
        IncomeGroup::High,
        IncomeGroup::UpperMiddle,
        IncomeGroup::LowerMiddle,
        IncomeGroup::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncomeGroup::High => "high",
            IncomeGroup::UpperMiddle => "upper_middle",
            IncomeGroup::LowerMiddle => "lower_middle",
            IncomeGroup::Low => "low",
        }
    }

    /// From the World Bank income code (`H`, `UM`, `LM`, `L`).
    pub fn from_wb_code(code: &str) -> Option<IncomeGroup> {
        match code {
            "H" => Some(IncomeGroup::High),
            "UM" => Some(IncomeGroup::UpperMiddle),
            "LM" => Some(IncomeGroup::LowerMiddle),
            "L" => Some(IncomeGroup::Low),
            _ => None,
        }
    }
}

/// A shipped or edited pricing table that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} line {line}, column {column}: {reason}")]
pub struct PricingDataError {
    pub file: String,
    /// The line in the file, the header being line 1.
    pub line: u64,
    pub column: String,
    pub reason: String,
}

/// One grade of the rate card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grade {
    pub grade: String,
    pub description: String,
    pub annual_basic_pence: i64,
    pub working_days: u32,
    pub day_rate_pence: i64,
}

/// Travel costs for one country, in pence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TravelCost {
    pub return_flight_pence: i64,
    pub per_diem_pence: i64,
}

/// The editable tables a quote is priced from.
#[derive(Debug, Clone)]
pub struct PricingTables {
    grades: BTreeMap<String, Grade>,
    travel: BTreeMap<String, TravelCost>,
    default_travel: TravelCost,
    withholding: BTreeMap<String, u32>,
    default_withholding: u32,
    margins: BTreeMap<(PartnerType, IncomeGroup), u32>,
}

static SHIPPED: LazyLock<PricingTables> = LazyLock::new(|| {
    PricingTables::parse(RATE_CARD_CSV, TRAVEL_CSV, WITHHOLDING_CSV, MARGINS_CSV)
        .unwrap_or_else(|e| panic!("shipped pricing table is malformed: {e}"))
});

/// A CSV file read row by row, each value reported by line and column on error.
pub(crate) struct Table<'a> {
    file: &'a str,
    headers: csv::StringRecord,
    rows: Vec<csv::StringRecord>,
}

pub(crate) struct Row<'t> {
    file: &'t str,
    headers: &'t csv::StringRecord,
    record: &'t csv::StringRecord,
}

impl<'a> Table<'a> {
    pub(crate) fn read(
        file: &'a str,
        text: &str,
        columns: &[&str],
    ) -> Result<Self, PricingDataError> {
        let error = |line: u64, column: &str, reason: String| PricingDataError {
            file: file.to_owned(),
            line,
            column: column.to_owned(),
            reason,
        };
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| error(1, "", e.to_string()))?
            .clone();
        for c in columns {
            if !headers.iter().any(|h| h == *c) {
                return Err(error(1, c, "column is missing".into()));
            }
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                error(line, "", e.to_string())
            })?;
            rows.push(record);
        }
        Ok(Table {
            file,
            headers,
            rows,
        })
    }

    pub(crate) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|record| Row {
            file: self.file,
            headers: &self.headers,
            record,
        })
    }
}

impl Row<'_> {
    fn line(&self) -> u64 {
        self.record.position().map_or(0, |p| p.line())
    }

    pub(crate) fn error(&self, column: &str, reason: impl Into<String>) -> PricingDataError {
        PricingDataError {
            file: self.file.to_owned(),
            line: self.line(),
            column: column.to_owned(),
            reason: reason.into(),
        }
    }

    pub(crate) fn text(&self, column: &str) -> Result<&str, PricingDataError> {
        let i = self
            .headers
            .iter()
            .position(|h| h == column)
            .ok_or_else(|| self.error(column, "column is missing"))?;
        let value = self.record.get(i).unwrap_or("").trim();
        if value.is_empty() {
            return Err(self.error(column, "is empty"));
        }
        Ok(value)
    }

    /// A non-negative amount with up to two decimals, in hundredths.
    fn hundredths(&self, column: &str) -> Result<i64, PricingDataError> {
        let value = self.text(column)?;
        parse_hundredths(value).ok_or_else(|| {
            self.error(
                column,
                format!("{value:?} is not a non-negative number with at most two decimals"),
            )
        })
    }

    pub(crate) fn percent_bp(&self, column: &str) -> Result<u32, PricingDataError> {
        let bp = self.hundredths(column)?;
        u32::try_from(bp)
            .ok()
            .filter(|bp| *bp <= WHOLE_BP)
            .ok_or_else(|| self.error(column, "must be a percentage from 0 to 100"))
    }
}

/// Reads `"646.57"` as 64657; refuses signs, exponents and a third decimal.
pub(crate) fn parse_hundredths(s: &str) -> Option<i64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 12 || !digits(whole) || frac.len() > 2 || !digits(frac) {
        return None;
    }
    let frac = format!("{frac:0<2}");
    Some(whole.parse::<i64>().ok()? * 100 + frac.parse::<i64>().ok()?)
}

/// `amount × bp / 10,000`, rounded half up (amounts are never negative).
fn apply_bp(amount: i64, bp: u32) -> i64 {
    ((amount as i128 * bp as i128 * 2 + WHOLE_BP as i128) / (2 * WHOLE_BP as i128)) as i64
}

/// The smallest invoice from which, once `bp` is withheld (rounded half up),
/// at least `net` is received.
fn gross_up(net: i64, bp: u32) -> i64 {
    let keep = (WHOLE_BP - bp) as i128;
    let mut gross = ((net as i128 * WHOLE_BP as i128 + keep - 1) / keep) as i64;
    while gross > 0 && gross - 1 - apply_bp(gross - 1, bp) >= net {
        gross -= 1;
    }
    while gross - apply_bp(gross, bp) < net {
        gross += 1;
    }
    gross
}

fn country_key(row: &Row<'_>, column: &str) -> Result<String, PricingDataError> {
    let code = row.text(column)?;
    if code == "default" || reference().country(code).is_some() {
        Ok(code.to_owned())
    } else {
        Err(row.error(
            column,
            format!("{code:?} is neither an ISO 3166-1 alpha-2 code nor \"default\""),
        ))
    }
}

impl PricingTables {
    /// The default tables shipped in `data/pricing/`.
    pub fn shipped() -> &'static PricingTables {
        &SHIPPED
    }

    /// Reads the four tables from CSV text, naming file, line and column on error.
    pub fn parse(
        rate_card: &str,
        travel: &str,
        withholding_tax: &str,
        margins: &str,
    ) -> Result<PricingTables, PricingDataError> {
        let mut grades = BTreeMap::new();
        let t = Table::read(
            "rate_card.csv",
            rate_card,
            &[
                "grade",
                "description",
                "annual_basic_gbp",
                "working_days",
                "day_rate_gbp",
            ],
        )?;
        for row in t.rows() {
            let grade = row.text("grade")?.to_owned();
            let annual_basic_pence = row.hundredths("annual_basic_gbp")?;
            let working_days: u32 = row
                .text("working_days")?
                .parse()
                .ok()
                .filter(|d| (1..=366).contains(d))
                .ok_or_else(|| row.error("working_days", "must be a whole number from 1 to 366"))?;
            let day_rate_pence = row.hundredths("day_rate_gbp")?;
            let wd = working_days as i64;
            let expected = (annual_basic_pence * 2 + wd) / (2 * wd);
            if day_rate_pence != expected {
                return Err(row.error(
                    "day_rate_gbp",
                    format!(
                        "must be annual_basic_gbp / working_days to the penny: {}.{:02}",
                        expected / 100,
                        expected % 100
                    ),
                ));
            }
            let g = Grade {
                grade: grade.clone(),
                description: row.text("description")?.to_owned(),
                annual_basic_pence,
                working_days,
                day_rate_pence,
            };
            if grades.insert(grade, g).is_some() {
                return Err(row.error("grade", "appears twice"));
            }
        }

        let mut travel_costs = BTreeMap::new();
        let t = Table::read(
            "travel.csv",
            travel,
            &["country", "return_flight_gbp", "per_diem_gbp"],
        )?;
        for row in t.rows() {
            let key = country_key(&row, "country")?;
            let cost = TravelCost {
                return_flight_pence: row.hundredths("return_flight_gbp")?,
                per_diem_pence: row.hundredths("per_diem_gbp")?,
            };
            if travel_costs.insert(key, cost).is_some() {
                return Err(row.error("country", "appears twice"));
            }
        }
        let default_travel = travel_costs.remove("default").ok_or(PricingDataError {
            file: "travel.csv".into(),
            line: 0,
            column: "country".into(),
            reason: "a \"default\" row is required".into(),
        })?;

        let mut rates = BTreeMap::new();
        let t = Table::read(
            "withholding_tax.csv",
            withholding_tax,
            &["country", "rate_percent"],
        )?;
        for row in t.rows() {
            let key = country_key(&row, "country")?;
            let bp = row.percent_bp("rate_percent")?;
            if bp >= WHOLE_BP {
                return Err(row.error("rate_percent", "must be below 100"));
            }
            if rates.insert(key, bp).is_some() {
                return Err(row.error("country", "appears twice"));
            }
        }
        let default_withholding = rates.remove("default").ok_or(PricingDataError {
            file: "withholding_tax.csv".into(),
            line: 0,
            column: "country".into(),
            reason: "a \"default\" row is required".into(),
        })?;

        let mut policy = BTreeMap::new();
        let columns: Vec<&str> = std::iter::once("partner_type")
            .chain(IncomeGroup::ALL.iter().map(|g| g.as_str()))
            .collect();
        let t = Table::read("margins.csv", margins, &columns)?;
        for row in t.rows() {
            let partner = PartnerType::parse(row.text("partner_type")?)
                .map_err(|e| row.error("partner_type", e))?;
            for group in IncomeGroup::ALL {
                let bp = row.percent_bp(group.as_str())?;
                if policy.insert((partner, group), bp).is_some() {
                    return Err(row.error("partner_type", "appears twice"));
                }
            }
        }
        if let Some(missing) = PartnerType::ALL
            .into_iter()
            .find(|p| !policy.contains_key(&(*p, IncomeGroup::High)))
        {
            return Err(PricingDataError {
                file: "margins.csv".into(),
                line: 0,
                column: "partner_type".into(),
                reason: format!("no row for {}", missing.as_str()),
            });
        }

        Ok(PricingTables {
            grades,
            travel: travel_costs,
            default_travel,
            withholding: rates,
            default_withholding,
            margins: policy,
        })
    }

    pub fn grade(&self, grade: &str) -> Option<&Grade> {
        self.grades.get(grade)
    }

    pub fn grades(&self) -> impl Iterator<Item = &Grade> {
        self.grades.values()
    }

    /// Travel costs for a country, or the default row's.
    pub fn travel(&self, country: &str) -> TravelCost {
        self.travel
            .get(country)
            .copied()
            .unwrap_or(self.default_travel)
    }

    /// Withholding tax on UK service fees in a country, or the default rate.
    pub fn withholding_bp(&self, country: &str) -> u32 {
        self.withholding
            .get(country)
            .copied()
            .unwrap_or(self.default_withholding)
    }

    /// The policy margin over cost for a partner type in an income group.
    pub fn margin_bp(&self, partner: PartnerType, group: IncomeGroup) -> u32 {
        self.margins[&(partner, group)]
    }
}

/// Staff of one grade sent on the engagement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffLine {
    /// A grade of the rate card, e.g. `consultant` or `band_6`.
    pub grade: String,
    /// Days away from their NHS duties.
    pub days: i64,
    /// Return journeys to the country.
    pub trips: i64,
    /// Days covered by temporary staff; every day away unless stated.
    pub backfilled_days: Option<i64>,
}

impl StaffLine {
    pub fn new(grade: &str, days: i64, trips: i64) -> StaffLine {
        StaffLine {
            grade: grade.to_owned(),
            days,
            trips,
            backfilled_days: None,
        }
    }
}

/// When an instalment falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Before any work starts.
    Upfront,
    /// A number of months after the engagement starts.
    MonthsAfterStart(u32),
    OnCompletion,
}

/// One part of the payment schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instalment {
    pub label: String,
    /// Share of the price in basis points; the schedule's shares sum to 10,000.
    pub share_bp: u32,
    pub due: Due,
}

impl Instalment {
    pub fn new(label: &str, share_bp: u32, due: Due) -> Instalment {
        Instalment {
            label: label.to_owned(),
            share_bp,
            due,
        }
    }
}

/// What a quote is asked for. Rates are basis points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteInput {
    pub lines: Vec<StaffLine>,
    /// ISO 3166-1 alpha-2 code of the buyer's country.
    pub country: String,
    /// ISO 4217 code of the currency the buyer pays in.
    pub currency: String,
    pub partner_type: PartnerType,
    pub on_cost_bp: u32,
    pub backfill_premium_bp: u32,
    pub legal_pence: i64,
    pub insurance_bp: u32,
    pub overhead_bp: u32,
    pub contingency_bp: u32,
    pub fx_buffer_bp: u32,
    pub schedule: Vec<Instalment>,
}

impl QuoteInput {
    /// A request with the default rates, no legal costs and a schedule of
    /// 30% upfront, 40% after three months and 30% on completion.
    pub fn new(
        lines: Vec<StaffLine>,
        country: &str,
        currency: &str,
        partner_type: PartnerType,
    ) -> QuoteInput {
        QuoteInput {
            lines,
            country: country.to_owned(),
            currency: currency.to_owned(),
            partner_type,
            on_cost_bp: DEFAULT_ON_COST_BP,
            backfill_premium_bp: DEFAULT_BACKFILL_PREMIUM_BP,
            legal_pence: 0,
            insurance_bp: DEFAULT_INSURANCE_BP,
            overhead_bp: DEFAULT_OVERHEAD_BP,
            contingency_bp: DEFAULT_CONTINGENCY_BP,
            fx_buffer_bp: DEFAULT_FX_BUFFER_BP,
            schedule: vec![
                Instalment::new("Upfront", 3_000, Due::Upfront),
                Instalment::new("Interim", 4_000, Due::MonthsAfterStart(3)),
                Instalment::new("On completion", 3_000, Due::OnCompletion),
            ],
        }
    }
}

/// The cost of one staff line, in pence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteLine {
    pub grade: String,
    pub days: i64,
    pub trips: i64,
    pub backfilled_days: i64,
    pub day_rate_pence: i64,
    /// Basic pay for the days away.
    pub salary_pence: i64,
    pub on_costs_pence: i64,
    /// Temporary staff covering the backfilled days at basic pay plus the premium.
    pub backfill_pence: i64,
    pub flights_pence: i64,
    pub per_diem_pence: i64,
}

/// One instalment with its amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledPayment {
    pub label: String,
    pub due: Due,
    pub share_bp: u32,
    pub gbp_pence: i64,
    /// In the buyer's currency's minor units.
    pub buyer_minor: i64,
}

/// A priced engagement. Amounts are pence unless said otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub lines: Vec<QuoteLine>,
    pub country: CountryCode,
    pub income_group: IncomeGroup,
    pub partner_type: PartnerType,
    pub staff_days: i64,
    pub backfilled_days: i64,
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
    /// The policy margin over cost.
    pub margin_bp: u32,
    pub margin_pence: i64,
    /// Margin as a share of the price received after withholding tax.
    pub margin_share_bp: u32,
    /// What must be received after withholding tax: cost plus margin.
    pub net_price_pence: i64,
    pub withholding_bp: u32,
    pub withholding_pence: i64,
    /// The price invoiced, grossed up so that after withholding tax the net
    /// price is received.
    pub price_gbp_pence: i64,
    /// The lowest invoice that covers cost after withholding tax (no margin).
    pub break_even_pence: i64,
    /// Units of the buyer's currency per pound, the FX buffer included.
    pub buffered_units_per_gbp: f64,
    pub price_buyer: Money,
    pub schedule: Vec<ScheduledPayment>,
}

impl Quote {
    /// Whether every day staff are away is covered by temporary staff.
    pub fn fully_backfilled(&self) -> bool {
        self.backfilled_days == self.staff_days
    }
}

/// Splits `total` by the shares, the rounding remainder on the last part.
fn split(total: i64, shares: &[u32]) -> Vec<i64> {
    let mut parts: Vec<i64> = shares
        .iter()
        .map(|s| (total as i128 * *s as i128 / WHOLE_BP as i128) as i64)
        .collect();
    let rest = total - parts.iter().sum::<i64>();
    if let Some(last) = parts.last_mut() {
        *last += rest;
    }
    parts
}

fn check_rate(errors: &mut Vec<FieldError>, field: &str, bp: u32, max: u32) {
    if bp > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} basis points"),
        ));
    }
}

/// Prices an engagement from the tables, or says every field that is wrong.
pub fn quote(input: &QuoteInput, tables: &PricingTables) -> Result<Quote, Invalid> {
    let mut errors = Vec::new();
    let country = CountryCode::parse(&input.country)
        .map_err(|e| errors.push(FieldError::new("country", e)))
        .ok();
    let income_group = country.as_ref().and_then(|c| {
        let code = &reference().country(c.as_str())?.wb_income_code;
        let group = IncomeGroup::from_wb_code(code);
        if group.is_none() {
            errors.push(FieldError::new(
                "country",
                format!("{c} has no World Bank income group"),
            ));
        }
        group
    });
    let currency = CurrencyCode::parse(&input.currency)
        .map_err(|e| errors.push(FieldError::new("currency", e)))
        .ok();
    let units_per_gbp = currency.as_ref().and_then(|c| {
        let rate = reference().units_per_gbp(c.as_str());
        if rate.is_none() {
            errors.push(FieldError::new(
                "currency",
                format!("no exchange rate is shipped for {c}; quote in GBP or USD"),
            ));
        }
        rate
    });

    if input.lines.is_empty() {
        errors.push(FieldError::new(
            "lines",
            "at least one staff line is needed",
        ));
    }
    for (i, line) in input.lines.iter().enumerate() {
        if tables.grade(&line.grade).is_none() {
            errors.push(FieldError::new(
                format!("lines[{i}].grade"),
                format!("{:?} is not a grade of the rate card", line.grade),
            ));
        }
        for (name, value) in [("days", line.days), ("trips", line.trips)] {
            if value < 0 {
                errors.push(FieldError::new(
                    format!("lines[{i}].{name}"),
                    "must not be negative",
                ));
            } else if value > 3_660 {
                errors.push(FieldError::new(
                    format!("lines[{i}].{name}"),
                    "is implausibly large",
                ));
            }
        }
        if let Some(b) = line.backfilled_days
            && !(0..=line.days.max(0)).contains(&b)
        {
            errors.push(FieldError::new(
                format!("lines[{i}].backfilled_days"),
                "must be from 0 to the line's days",
            ));
        }
    }
    check_rate(&mut errors, "on_cost_bp", input.on_cost_bp, WHOLE_BP);
    check_rate(
        &mut errors,
        "backfill_premium_bp",
        input.backfill_premium_bp,
        5 * WHOLE_BP,
    );
    check_rate(&mut errors, "insurance_bp", input.insurance_bp, WHOLE_BP);
    check_rate(&mut errors, "overhead_bp", input.overhead_bp, WHOLE_BP);
    check_rate(
        &mut errors,
        "contingency_bp",
        input.contingency_bp,
        WHOLE_BP,
    );
    check_rate(&mut errors, "fx_buffer_bp", input.fx_buffer_bp, WHOLE_BP);
    if input.legal_pence < 0 {
        errors.push(FieldError::new("legal_pence", "must not be negative"));
    } else if input.legal_pence > 100_000_000_000 {
        errors.push(FieldError::new("legal_pence", "is implausibly large"));
    }
    if input.schedule.is_empty() {
        errors.push(FieldError::new(
            "schedule",
            "at least one instalment is needed",
        ));
    }
    for (i, inst) in input.schedule.iter().enumerate() {
        if inst.label.trim().is_empty() {
            errors.push(FieldError::new(
                format!("schedule[{i}].label"),
                "must not be empty",
            ));
        }
    }
    let shares: u64 = input.schedule.iter().map(|s| s.share_bp as u64).sum();
    if !input.schedule.is_empty() && shares != WHOLE_BP as u64 {
        errors.push(FieldError::new(
            "schedule",
            format!("shares must sum to 10000 basis points (100%), not {shares}"),
        ));
    }
    let (Some(country), Some(income_group), Some(currency), Some(units_per_gbp), true) = (
        country,
        income_group,
        currency,
        units_per_gbp,
        errors.is_empty(),
    ) else {
        return Err(Invalid(errors));
    };

    let travel = tables.travel(country.as_str());
    let lines: Vec<QuoteLine> = input
        .lines
        .iter()
        .map(|line| {
            let day_rate_pence = tables.grade(&line.grade).map_or(0, |g| g.day_rate_pence);
            let salary_pence = day_rate_pence * line.days;
            let backfilled_days = line.backfilled_days.unwrap_or(line.days);
            QuoteLine {
                grade: line.grade.clone(),
                days: line.days,
                trips: line.trips,
                backfilled_days,
                day_rate_pence,
                salary_pence,
                on_costs_pence: apply_bp(salary_pence, input.on_cost_bp),
                backfill_pence: apply_bp(
                    day_rate_pence * backfilled_days,
                    WHOLE_BP + input.backfill_premium_bp,
                ),
                flights_pence: travel.return_flight_pence * line.trips,
                // A line with no journeys works from the UK: no per diem.
                per_diem_pence: if line.trips > 0 {
                    travel.per_diem_pence * line.days
                } else {
                    0
                },
            }
        })
        .collect();
    let total = |f: fn(&QuoteLine) -> i64| lines.iter().map(f).sum::<i64>();
    let salary_pence = total(|l| l.salary_pence);
    let on_costs_pence = total(|l| l.on_costs_pence);
    let backfill_pence = total(|l| l.backfill_pence);
    let travel_pence = total(|l| l.flights_pence + l.per_diem_pence);
    let direct = salary_pence + on_costs_pence + backfill_pence + travel_pence + input.legal_pence;
    let insurance_pence = apply_bp(direct, input.insurance_bp);
    let overhead_pence = apply_bp(direct, input.overhead_bp);
    let contingency_pence = apply_bp(
        direct + insurance_pence + overhead_pence,
        input.contingency_bp,
    );
    let cost_pence = direct + insurance_pence + overhead_pence + contingency_pence;

    let margin_bp = tables.margin_bp(input.partner_type, income_group);
    let margin_pence = apply_bp(cost_pence, margin_bp);
    let net_price_pence = cost_pence + margin_pence;
    let margin_share_bp = if net_price_pence == 0 {
        0
    } else {
        ((margin_pence as i128 * WHOLE_BP as i128 * 2 + net_price_pence as i128)
            / (2 * net_price_pence as i128)) as u32
    };
    let withholding_bp = tables.withholding_bp(country.as_str());
    let price_gbp_pence = gross_up(net_price_pence, withholding_bp);
    let withholding_pence = apply_bp(price_gbp_pence, withholding_bp);
    let break_even_pence = gross_up(cost_pence, withholding_bp);

    let buffer = if currency.as_str() == "GBP" {
        0
    } else {
        input.fx_buffer_bp
    };
    let buffered_units_per_gbp = units_per_gbp * (WHOLE_BP + buffer) as f64 / WHOLE_BP as f64;
    let digits = reference().minor_unit_digits(currency.as_str());
    let to_buyer = |pence: i64| {
        (pence as f64 / 100.0 * buffered_units_per_gbp * 10f64.powi(digits as i32)).round() as i64
    };
    let price_buyer = Money {
        minor: to_buyer(price_gbp_pence),
        currency,
    };

    let shares: Vec<u32> = input.schedule.iter().map(|s| s.share_bp).collect();
    let gbp_parts = split(price_gbp_pence, &shares);
    let buyer_parts = split(price_buyer.minor, &shares);
    let schedule = input
        .schedule
        .iter()
        .zip(gbp_parts.into_iter().zip(buyer_parts))
        .map(|(inst, (gbp_pence, buyer_minor))| ScheduledPayment {
            label: inst.label.clone(),
            due: inst.due,
            share_bp: inst.share_bp,
            gbp_pence,
            buyer_minor,
        })
        .collect();

    Ok(Quote {
        staff_days: lines.iter().map(|l| l.days).sum(),
        backfilled_days: lines.iter().map(|l| l.backfilled_days).sum(),
        lines,
        country,
        income_group,
        partner_type: input.partner_type,
        salary_pence,
        on_costs_pence,
        backfill_pence,
        travel_pence,
        legal_pence: input.legal_pence,
        insurance_pence,
        overhead_pence,
        contingency_pence,
        cost_pence,
        margin_bp,
        margin_pence,
        margin_share_bp,
        net_price_pence,
        withholding_bp,
        withholding_pence,
        price_gbp_pence,
        break_even_pence,
        buffered_units_per_gbp,
        price_buyer,
        schedule,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kuwait_example() -> QuoteInput {
        let mut input = QuoteInput::new(
            vec![
                StaffLine::new("consultant", 10, 1),
                StaffLine::new("consultant", 10, 1),
                StaffLine::new("band_6", 20, 1),
            ],
            "KW",
            "USD",
            PartnerType::Government,
        );
        input.legal_pence = 200_000;
        input
    }

    fn fields(err: Invalid) -> Vec<String> {
        err.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn shipped_tables_parse_with_every_grade_market_and_policy_cell() {
        let t = PricingTables::shipped();
        for grade in [
            "band_2",
            "band_3",
            "band_4",
            "band_5",
            "band_6",
            "band_7",
            "band_8a",
            "band_8b",
            "band_8c",
            "band_8d",
            "band_9",
            "specialty_doctor",
            "consultant",
        ] {
            assert!(t.grade(grade).is_some(), "{grade}");
        }
        for country in [
            "SA", "AE", "KW", "QA", "JO", "CN", "IN", "MY", "OM", "BH", "EG", "NG",
        ] {
            assert!(t.travel.contains_key(country), "travel {country}");
            assert!(t.withholding.contains_key(country), "withholding {country}");
        }
        assert_eq!(t.margins.len(), 16);
    }

    #[test]
    fn day_rates_are_annual_basic_pay_over_225_working_days() {
        let t = PricingTables::shipped();
        // £145,478 / 225 = £646.568… → £646.57
        let consultant = t.grade("consultant").unwrap();
        assert_eq!(consultant.annual_basic_pence, 14_547_800);
        assert_eq!(consultant.working_days, 225);
        assert_eq!(consultant.day_rate_pence, 64_657);
        // £46,580 / 225 = £207.022… → £207.02
        assert_eq!(t.grade("band_6").unwrap().day_rate_pence, 20_702);
    }

    #[test]
    fn bad_table_rows_are_reported_by_file_line_and_column() {
        let parse = |rate: &str, travel: &str, wht: &str, margins: &str| {
            PricingTables::parse(rate, travel, wht, margins).unwrap_err()
        };
        let rate_bad = "grade,description,annual_basic_gbp,working_days,day_rate_gbp\n\
                        band_5,Band 5,37796,225,167.98\n\
                        band_6,Band 6,46580,225,210.00\n";
        let e = parse(rate_bad, TRAVEL_CSV, WITHHOLDING_CSV, MARGINS_CSV);
        assert_eq!((e.file.as_str(), e.line), ("rate_card.csv", 3));
        assert_eq!(e.column, "day_rate_gbp");
        assert!(e.reason.contains("207.02"), "{e}");

        let travel_bad = "country,return_flight_gbp,per_diem_gbp\nXX,700,210\ndefault,800,200\n";
        let e = parse(RATE_CARD_CSV, travel_bad, WITHHOLDING_CSV, MARGINS_CSV);
        assert_eq!(
            e.to_string(),
            "travel.csv line 2, column country: \"XX\" is neither an ISO 3166-1 alpha-2 code nor \"default\""
        );

        let travel_no_default = "country,return_flight_gbp,per_diem_gbp\nKW,700,-1\n";
        let e = parse(
            RATE_CARD_CSV,
            travel_no_default,
            WITHHOLDING_CSV,
            MARGINS_CSV,
        );
        assert_eq!((e.line, e.column.as_str()), (2, "per_diem_gbp"));

        let wht_bad = "country,rate_percent,note\nKW,120,\ndefault,10,\n";
        let e = parse(RATE_CARD_CSV, TRAVEL_CSV, wht_bad, MARGINS_CSV);
        assert_eq!((e.file.as_str(), e.line), ("withholding_tax.csv", 2));
        assert_eq!(e.column, "rate_percent");

        let margins_bad = "partner_type,high,upper_middle,lower_middle\ngovernment,20,15,10\n";
        let e = parse(RATE_CARD_CSV, TRAVEL_CSV, WITHHOLDING_CSV, margins_bad);
        assert_eq!((e.file.as_str(), e.column.as_str()), ("margins.csv", "low"));
        assert!(e.reason.contains("missing"));
    }

    /// The worked example of `docs/pricing.md`: two consultants for 10 days
    /// and a band 6 nurse for 20 days in Kuwait, one trip each, for a
    /// government buyer paying in US dollars, £2,000 of legal costs and the
    /// default rates.
    #[test]
    fn kuwait_government_quote_is_priced_to_the_penny() {
        let q = quote(&kuwait_example(), PricingTables::shipped()).unwrap();
        let consultant = &q.lines[0];
        // salary 10 × £646.57 = £6,465.70
        assert_eq!(consultant.salary_pence, 646_570);
        // on-costs 37% × £6,465.70 = £2,392.309 → £2,392.31
        assert_eq!(consultant.on_costs_pence, 239_231);
        // backfill 155% × £6,465.70 = £10,021.835 → £10,021.84 (half up)
        assert_eq!(consultant.backfill_pence, 1_002_184);
        // one return flight £700; per diem 10 × £210 = £2,100
        assert_eq!(consultant.flights_pence, 70_000);
        assert_eq!(consultant.per_diem_pence, 210_000);
        let nurse = &q.lines[2];
        // 20 × £207.02 = £4,140.40; 37% = £1,531.948 → £1,531.95;
        // 155% = £6,417.62; per diem 20 × £210 = £4,200
        assert_eq!(nurse.salary_pence, 414_040);
        assert_eq!(nurse.on_costs_pence, 153_195);
        assert_eq!(nurse.backfill_pence, 641_762);
        assert_eq!(nurse.per_diem_pence, 420_000);

        // salary 2 × 6,465.70 + 4,140.40 = £17,071.80
        assert_eq!(q.salary_pence, 1_707_180);
        // on-costs 2 × 2,392.31 + 1,531.95 = £6,316.57
        assert_eq!(q.on_costs_pence, 631_657);
        // backfill 2 × 10,021.84 + 6,417.62 = £26,461.30
        assert_eq!(q.backfill_pence, 2_646_130);
        // travel 3 × £700 + 40 days × £210 = £10,500
        assert_eq!(q.travel_pence, 1_050_000);
        // direct costs 17,071.80 + 6,316.57 + 26,461.30 + 10,500 + 2,000 = £62,349.67
        // insurance 1% = £623.4967 → £623.50; overhead 15% = £9,352.4505 → £9,352.45
        assert_eq!(q.insurance_pence, 62_350);
        assert_eq!(q.overhead_pence, 935_245);
        // contingency 10% × (62,349.67 + 623.50 + 9,352.45 = 72,325.62) = £7,232.562 → £7,232.56
        assert_eq!(q.contingency_pence, 723_256);
        // cost 72,325.62 + 7,232.56 = £79,558.18
        assert_eq!(q.cost_pence, 7_955_818);
        // Kuwait is high income: government margin 20% = £15,911.636 → £15,911.64
        assert_eq!((q.income_group, q.margin_bp), (IncomeGroup::High, 2_000));
        assert_eq!(q.margin_pence, 1_591_164);
        // net price £95,469.82; margin 15,911.64 / 95,469.82 = 16.67% of it
        assert_eq!(q.net_price_pence, 9_546_982);
        assert_eq!(q.margin_share_bp, 1_667);
        // withholding 5%: 95,469.82 / 0.95 = 100,494.547… → £100,494.55;
        // 5% of it = £5,024.7275 → £5,024.73; 100,494.55 − 5,024.73 = 95,469.82
        assert_eq!(q.withholding_bp, 500);
        assert_eq!(q.price_gbp_pence, 10_049_455);
        assert_eq!(q.withholding_pence, 502_473);
        assert_eq!(q.price_gbp_pence - q.withholding_pence, q.net_price_pence);
        // break-even: 79,558.18 / 0.95 = 83,745.4526… and £83,745.45 less
        // 5% (£4,187.27) leaves exactly the cost
        assert_eq!(q.break_even_pence, 8_374_545);
        // USD 1.33989 per pound + 5% buffer = 1.4068845;
        // 100,494.55 × 1.4068845 = 141,384.2247… → USD 141,384.22
        assert!((q.buffered_units_per_gbp - 1.406_884_5).abs() < 1e-12);
        assert_eq!(q.price_buyer.minor, 14_138_422);
        assert_eq!(q.price_buyer.currency.as_str(), "USD");
        // 30% / 40% / 30%: 30,148.36 + 40,197.82 + remainder 30,148.37
        let gbp: Vec<i64> = q.schedule.iter().map(|p| p.gbp_pence).collect();
        assert_eq!(gbp, [3_014_836, 4_019_782, 3_014_837]);
        // USD 42,415.26 + 56,553.68 + remainder 42,415.28
        let usd: Vec<i64> = q.schedule.iter().map(|p| p.buyer_minor).collect();
        assert_eq!(usd, [4_241_526, 5_655_368, 4_241_528]);
        assert_eq!((q.staff_days, q.backfilled_days), (40, 40));
        assert!(q.fully_backfilled());
    }

    #[test]
    fn the_documented_worked_example_shows_the_quoted_figures() {
        let doc = include_str!("../../../docs/pricing.md");
        let q = quote(&kuwait_example(), PricingTables::shipped()).unwrap();
        let pounds = |pence: i64| format!("{:.2}", pence as f64 / 100.0);
        for pence in [
            q.salary_pence,
            q.on_costs_pence,
            q.backfill_pence,
            q.insurance_pence,
            q.overhead_pence,
            q.contingency_pence,
            q.cost_pence,
            q.margin_pence,
            q.net_price_pence,
            q.withholding_pence,
            q.price_gbp_pence,
            q.break_even_pence,
            q.price_buyer.minor,
        ]
        .into_iter()
        .chain(q.schedule.iter().flat_map(|p| [p.gbp_pence, p.buyer_minor]))
        {
            let shown = crate::money::group_thousands(pence, 2);
            let shown = if shown.contains('.') {
                shown
            } else {
                format!("{shown}.00")
            };
            assert!(
                doc.contains(&shown),
                "docs/pricing.md lacks {shown} ({})",
                pounds(pence)
            );
        }
    }

    #[test]
    fn schedule_parts_sum_exactly_to_the_price_with_the_remainder_last() {
        assert_eq!(split(100, &[3_333, 3_333, 3_334]), [33, 33, 34]);
        assert_eq!(split(1, &[5_000, 5_000]), [0, 1]);
        let mut input = kuwait_example();
        input.schedule = vec![
            Instalment::new("Upfront", 3_333, Due::Upfront),
            Instalment::new("Month 2", 3_333, Due::MonthsAfterStart(2)),
            Instalment::new("On completion", 3_334, Due::OnCompletion),
        ];
        let q = quote(&input, PricingTables::shipped()).unwrap();
        let gbp: i64 = q.schedule.iter().map(|p| p.gbp_pence).sum();
        let buyer: i64 = q.schedule.iter().map(|p| p.buyer_minor).sum();
        assert_eq!(gbp, q.price_gbp_pence);
        assert_eq!(buyer, q.price_buyer.minor);
        // 10,049,455 × 33.33% = 3,349,483.35 → 3,349,483 twice; the last takes 3,350,489
        assert_eq!(q.schedule[0].gbp_pence, 3_349_483);
        assert_eq!(q.schedule[2].gbp_pence, 3_350_489);
    }

    #[test]
    fn margin_follows_partner_type_and_income_group() {
        let t = PricingTables::shipped();
        assert_eq!(t.margin_bp(PartnerType::Private, IncomeGroup::High), 3_000);
        assert_eq!(
            t.margin_bp(PartnerType::Government, IncomeGroup::LowerMiddle),
            1_000
        );
        assert_eq!(t.margin_bp(PartnerType::Charity, IncomeGroup::Low), 0);
        // Egypt is lower middle income: a private buyer gets 20%
        let mut input = kuwait_example();
        input.country = "EG".into();
        input.partner_type = PartnerType::Private;
        let q = quote(&input, t).unwrap();
        assert_eq!(
            (q.income_group, q.margin_bp),
            (IncomeGroup::LowerMiddle, 2_000)
        );
        assert_eq!(q.margin_pence, apply_bp(q.cost_pence, 2_000));
        input.partner_type = PartnerType::Charity;
        let q = quote(&input, t).unwrap();
        assert_eq!(q.margin_pence, 0);
        assert_eq!(q.net_price_pence, q.cost_pence);
        assert_eq!(q.price_gbp_pence, q.break_even_pence);
    }

    #[test]
    fn fx_buffer_makes_the_buyer_pay_more_than_the_spot_rate() {
        let mut input = kuwait_example();
        input.currency = "SAR".into();
        let q = quote(&input, PricingTables::shipped()).unwrap();
        let spot = reference().units_per_gbp("SAR").unwrap();
        let at_spot = q.price_gbp_pence as f64 * spot;
        assert!(
            q.price_buyer.minor as f64 > at_spot * 1.049,
            "buyer pays the buffer"
        );
        assert!((q.price_buyer.minor as f64) < at_spot * 1.051);
        input.fx_buffer_bp = 0;
        let q0 = quote(&input, PricingTables::shipped()).unwrap();
        assert!(q0.price_buyer.minor < q.price_buyer.minor);
        // pounds carry no exchange risk, so no buffer
        input.currency = "GBP".into();
        input.fx_buffer_bp = 500;
        let q = quote(&input, PricingTables::shipped()).unwrap();
        assert_eq!(q.price_buyer.minor, q.price_gbp_pence);
    }

    #[test]
    fn withholding_is_grossed_up_so_the_net_price_is_received() {
        for bp in [0, 500, 1_000, 1_500, 2_000, 3_333] {
            for net in [0, 1, 99, 9_546_982, 123_456_789] {
                let gross = gross_up(net, bp);
                assert!(gross - apply_bp(gross, bp) >= net, "{net} at {bp}");
                if gross > 0 {
                    let less = gross - 1;
                    assert!(
                        less - apply_bp(less, bp) < net,
                        "smallest for {net} at {bp}"
                    );
                }
            }
        }
        // the UAE levies none: the price is the net price
        let mut input = kuwait_example();
        input.country = "AE".into();
        let q = quote(&input, PricingTables::shipped()).unwrap();
        assert_eq!((q.withholding_bp, q.withholding_pence), (0, 0));
        assert_eq!(q.price_gbp_pence, q.net_price_pence);
    }

    proptest::proptest! {
        #[test]
        fn any_schedule_splits_to_exactly_the_total(
            total in 0i64..10_000_000_000,
            cuts in proptest::collection::vec(0u32..=WHOLE_BP, 0..6),
        ) {
            let mut cuts = cuts;
            cuts.sort_unstable();
            let mut shares = Vec::new();
            let mut last = 0;
            for c in cuts.into_iter().chain([WHOLE_BP]) {
                shares.push(c - last);
                last = c;
            }
            let parts = split(total, &shares);
            proptest::prop_assert_eq!(parts.iter().sum::<i64>(), total);
            proptest::prop_assert!(parts.iter().all(|p| *p >= 0));
        }

        #[test]
        fn any_net_price_is_received_after_withholding(
            net in 0i64..10_000_000_000,
            bp in 0u32..WHOLE_BP,
        ) {
            let gross = gross_up(net, bp);
            proptest::prop_assert!(gross - apply_bp(gross, bp) >= net);
            proptest::prop_assert!(gross == 0 || gross - 1 - apply_bp(gross - 1, bp) < net);
        }
    }

    #[test]
    fn days_away_without_backfill_are_flagged() {
        let mut input = kuwait_example();
        input.lines[2].backfilled_days = Some(15);
        let q = quote(&input, PricingTables::shipped()).unwrap();
        assert_eq!((q.staff_days, q.backfilled_days), (40, 35));
        assert!(!q.fully_backfilled());
        // 15 × £207.02 × 155% = £4,813.215 → £4,813.22
        assert_eq!(q.lines[2].backfill_pence, 481_322);
    }

    #[test]
    fn invalid_requests_name_every_field_at_fault() {
        let t = PricingTables::shipped();
        let mut input = kuwait_example();
        input.lines[0].grade = "registrar".into();
        input.lines[1].days = -2;
        input.lines[2].trips = -1;
        input.schedule[1].share_bp = 3_000;
        input.country = "ZZ".into();
        input.currency = "XYZ".into();
        input.legal_pence = -5;
        let err = quote(&input, t).unwrap_err();
        assert_eq!(
            fields(err.clone()),
            [
                "country",
                "currency",
                "lines[0].grade",
                "lines[1].days",
                "lines[2].trips",
                "legal_pence",
                "schedule"
            ]
        );
        assert!(err.to_string().contains("\"registrar\" is not a grade"));
        assert!(err.to_string().contains("not 9000"));

        let mut input = kuwait_example();
        input.currency = "KWD".into();
        let err = quote(&input, t).unwrap_err();
        assert_eq!(fields(err.clone()), ["currency"]);
        assert!(err.to_string().contains("no exchange rate"));

        let mut input = kuwait_example();
        input.lines.clear();
        input.schedule.clear();
        input.lines.push(StaffLine {
            backfilled_days: Some(11),
            ..StaffLine::new("band_5", 10, 0)
        });
        input.contingency_bp = 20_000;
        assert_eq!(
            fields(quote(&input, t).unwrap_err()),
            ["lines[0].backfilled_days", "contingency_bp", "schedule"]
        );
    }

    #[test]
    fn partner_types_parse_from_their_names() {
        assert_eq!(PartnerType::parse("charity"), Ok(PartnerType::Charity));
        assert!(
            PartnerType::parse("ngo")
                .unwrap_err()
                .contains("government")
        );
    }
}
