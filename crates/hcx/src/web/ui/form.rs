//! `/opportunities/new` and `/opportunities/{id}/edit`: one form for every
//! field of an opportunity. What is submitted becomes the interchange JSON
//! object and is read by the domain, so every problem comes back with the
//! field it concerns and is shown beside that field.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hcx_domain::access::Verb;
use hcx_domain::opportunity::Classification;
use hcx_domain::reference::reference;
use hcx_domain::vocab::{DeliveryMode, OrgKind, ServiceLine, Source};
use hcx_domain::{FieldError, Invalid, Opportunity, Record, Status};
use hcx_store::OrganisationFilter;
use serde_json::{Map, Value, json};

use super::layout::{Layout, Section};
use super::opportunities::{show, stored};
use super::params::Params;
use crate::services::{App, Caller, ServiceError};
use crate::web::error::PageError;

/// Most buyers offered in the buyer list.
const MAX_BUYERS: i64 = 5_000;

/// The form as entered: text as typed, ticked boxes as lists of values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpportunityForm {
    pub id: String,
    pub title: String,
    pub buyer: String,
    pub country: String,
    pub description: String,
    pub service_lines: Vec<String>,
    pub specialties: Vec<String>,
    pub delivery_modes: Vec<String>,
    /// ISO 639-1 codes separated by commas.
    pub languages: String,
    pub value_amount: String,
    pub value_currency: String,
    pub response_due: String,
    pub starts: String,
    pub duration_months: String,
    pub source: String,
    /// One requirement per line: `ID | title | service_line | specialties | days | delivery modes`.
    pub requirements: String,
}

/// Splits a list typed as text (`ar, en` or `370 800`).
fn split_list(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A whole number typed in a form, or `None` with a reason for the person.
fn whole_number(text: &str) -> Result<Value, String> {
    text.trim()
        .parse::<u64>()
        .map(Value::from)
        .map_err(|_| format!("{:?} is not a whole number", text.trim()))
}

impl OpportunityForm {
    pub fn from_params(p: &Params) -> OpportunityForm {
        OpportunityForm {
            id: p.text("id").to_owned(),
            title: p.text("title").to_owned(),
            buyer: p.text("buyer").to_owned(),
            country: p.text("country").to_owned(),
            description: p.text("description").to_owned(),
            service_lines: p.all("service_lines"),
            specialties: p.all("specialties"),
            delivery_modes: p.all("delivery_modes"),
            languages: p.text("languages").to_owned(),
            value_amount: p.text("value_amount").to_owned(),
            value_currency: p.text("value_currency").to_owned(),
            response_due: p.text("response_due").to_owned(),
            starts: p.text("starts").to_owned(),
            duration_months: p.text("duration_months").to_owned(),
            source: p.text("source").to_owned(),
            requirements: p.text("requirements").to_owned(),
        }
    }

    /// The inputs of `sent` whose values differ from these, as people read them.
    pub fn differences(&self, sent: &OpportunityForm) -> Vec<FieldChange> {
        let shown = |f: &OpportunityForm, input: &str| -> String {
            let text = match input {
                "id" => f.id.clone(),
                "title" => f.title.clone(),
                "description" => f.description.clone(),
                "service_lines" => f.service_lines.join(", "),
                "specialties" => f.specialties.join(", "),
                "delivery_modes" => f.delivery_modes.join(", "),
                "languages" => f.languages.clone(),
                "buyer" => f.buyer.clone(),
                "country" => f.country.clone(),
                "value_amount" => f.value_amount.replace(',', ""),
                "value_currency" => f.value_currency.clone(),
                "response_due" => f.response_due.clone(),
                "starts" => f.starts.clone(),
                "duration_months" => f.duration_months.clone(),
                "source" => f.source.clone(),
                "requirements" => f.requirements.clone(),
                _ => String::new(),
            };
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        INPUTS
            .iter()
            .filter_map(|&(input, label)| {
                let (stored, sent) = (shown(self, input), shown(sent, input));
                (stored != sent).then_some(FieldChange {
                    label,
                    stored,
                    sent,
                })
            })
            .collect()
    }

    pub fn from_opportunity(o: &Opportunity) -> OpportunityForm {
        fn names<T: serde::Serialize>(values: &[T]) -> Vec<String> {
            values
                .iter()
                .filter_map(|v| serde_json::to_value(v).ok())
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        }
        let requirements: Vec<String> = o
            .requirements
            .iter()
            .map(|r| {
                let mut parts = vec![
                    r.id.to_string(),
                    r.title.clone(),
                    r.service_line.as_str().to_owned(),
                    names(&r.specialties).join(", "),
                    r.days.to_string(),
                ];
                if !r.delivery_modes.is_empty() {
                    parts.push(names(&r.delivery_modes).join(", "));
                }
                parts.join(" | ")
            })
            .collect();
        OpportunityForm {
            id: o.id.to_string(),
            title: o.title.clone(),
            buyer: o.buyer.to_string(),
            country: o.country.to_string(),
            description: o.description.clone(),
            service_lines: names(&o.service_lines),
            specialties: names(&o.specialties),
            delivery_modes: names(&o.delivery_modes),
            languages: names(&o.languages).join(", "),
            value_amount: o
                .value
                .as_ref()
                .map(|m| m.major_json().to_string())
                .unwrap_or_default(),
            value_currency: o
                .value
                .as_ref()
                .map(|m| m.currency.to_string())
                .unwrap_or_default(),
            response_due: o
                .response_due
                .map(hcx_domain::opportunity::format_date)
                .unwrap_or_default(),
            starts: o
                .starts
                .map(hcx_domain::opportunity::format_date)
                .unwrap_or_default(),
            duration_months: o.duration_months.map(|n| n.to_string()).unwrap_or_default(),
            source: o.source.as_str().to_owned(),
            requirements: requirements.join("\n"),
        }
    }

    /// The interchange object this form describes, and the problems found
    /// before the domain reads it (numbers that are not numbers, lines that
    /// are not requirements).
    fn to_value(
        &self,
        status: Status,
        classifications: &[Classification],
    ) -> (Value, Vec<FieldError>) {
        let mut errors = Vec::new();
        let mut m = Map::new();
        fn text(m: &mut Map<String, Value>, name: &str, value: &str) {
            if !value.is_empty() {
                m.insert(name.to_owned(), Value::from(value));
            }
        }
        m.insert("record".into(), json!("opportunity"));
        text(&mut m, "id", &self.id);
        text(&mut m, "buyer", &self.buyer);
        text(&mut m, "country", &self.country);
        text(&mut m, "title", &self.title);
        text(&mut m, "description", &self.description);
        m.insert("service_lines".into(), json!(self.service_lines));
        m.insert("specialties".into(), json!(self.specialties));
        m.insert("delivery_modes".into(), json!(self.delivery_modes));
        m.insert("languages".into(), json!(split_list(&self.languages)));
        if !self.value_amount.is_empty() || !self.value_currency.is_empty() {
            let mut value = Map::new();
            // People write thousands separators; the interchange does not.
            let amount = self.value_amount.replace([',', ' '], "");
            text(&mut value, "amount", &amount);
            text(&mut value, "currency", &self.value_currency);
            m.insert("value".into(), Value::Object(value));
        }
        text(&mut m, "response_due", &self.response_due);
        text(&mut m, "starts", &self.starts);
        if !self.duration_months.is_empty() {
            match whole_number(&self.duration_months) {
                Ok(n) => {
                    m.insert("duration_months".into(), n);
                }
                Err(reason) => errors.push(FieldError::new("duration_months", reason)),
            }
        }
        text(&mut m, "source", &self.source);
        m.insert("status".into(), json!(status.as_str()));
        let requirements: Vec<Value> = self
            .requirement_lines()
            .enumerate()
            .filter_map(|(i, line)| requirement(i, line, &mut errors))
            .collect();
        m.insert("requirements".into(), Value::Array(requirements));
        m.insert("classifications".into(), json!(classifications));
        (Value::Object(m), errors)
    }

    fn requirement_lines(&self) -> impl Iterator<Item = &str> {
        self.requirements
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
    }

    /// The opportunity, or every reason it cannot be one.
    pub fn to_record(
        &self,
        status: Status,
        classifications: &[Classification],
    ) -> Result<Record, Invalid> {
        let (value, mut errors) = self.to_value(status, classifications);
        match Record::from_value(value) {
            Ok(record) if errors.is_empty() => Ok(record),
            Ok(_) => Err(Invalid(errors)),
            Err(Invalid(more)) => {
                errors.extend(more);
                Err(Invalid(errors))
            }
        }
    }
}

/// One line of the requirements box as an interchange requirement.
fn requirement(i: usize, line: &str, errors: &mut Vec<FieldError>) -> Option<Value> {
    let parts: Vec<&str> = line.split('|').map(str::trim).collect();
    if !(5..=6).contains(&parts.len()) {
        errors.push(FieldError::new(
            format!("requirements[{i}]"),
            format!("has {} parts; expected 5 or 6 separated by |", parts.len()),
        ));
        return None;
    }
    let mut r = Map::new();
    for (name, value) in [
        ("id", parts[0]),
        ("title", parts[1]),
        ("service_line", parts[2]),
    ] {
        if !value.is_empty() {
            r.insert(name.into(), Value::from(value));
        }
    }
    r.insert("specialties".into(), json!(split_list(parts[3])));
    if let Some(modes) = parts.get(5) {
        r.insert("delivery_modes".into(), json!(split_list(modes)));
    }
    match whole_number(parts[4]) {
        Ok(days) => {
            r.insert("days".into(), days);
        }
        Err(reason) => {
            errors.push(FieldError::new(format!("requirements[{i}].days"), reason));
            return None;
        }
    }
    Some(Value::Object(r))
}

/// A problem shown in the summary and beside its input.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The input it concerns; `None` for problems with the record as a whole.
    pub input: Option<&'static str>,
    pub text: String,
}

/// The problems of a submitted form, and why it could not be saved when the
/// fields were fine but the store refused it.
#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    pub problems: Vec<Problem>,
    pub conflict: Option<String>,
    /// On a conflict: each input whose stored value differs from what was sent.
    pub changes: Vec<FieldChange>,
}

/// An input whose stored value is not what the person sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub label: &'static str,
    pub stored: String,
    pub sent: String,
}

/// The form's inputs in the order they appear, with their labels.
const INPUTS: &[(&str, &str)] = &[
    ("id", "Reference"),
    ("title", "Title"),
    ("description", "Description"),
    ("service_lines", "Service lines"),
    ("specialties", "Specialties"),
    ("delivery_modes", "Delivery modes"),
    ("languages", "Languages"),
    ("buyer", "Buyer"),
    ("country", "Country"),
    ("value_amount", "Value"),
    ("value_currency", "Currency"),
    ("response_due", "Response due"),
    ("starts", "Starts"),
    ("duration_months", "Duration"),
    ("source", "Source"),
    ("requirements", "Requirements"),
];

impl FormErrors {
    /// Maps each field error (`value.amount`, `requirements[1].days`) to its
    /// input, in the order the inputs appear on the form.
    pub fn of(invalid: &Invalid) -> FormErrors {
        let mut problems: Vec<Problem> = invalid.0.iter().map(Problem::of).collect();
        problems.sort_by_key(|p| {
            p.input
                .and_then(|input| INPUTS.iter().position(|(name, _)| *name == input))
                .unwrap_or(INPUTS.len())
        });
        FormErrors {
            problems,
            ..FormErrors::default()
        }
    }

    /// A stale edit: the message, and how the stored record now differs from the form.
    pub fn conflict(
        message: String,
        stored: &OpportunityForm,
        sent: &OpportunityForm,
    ) -> FormErrors {
        FormErrors {
            conflict: Some(message),
            changes: stored.differences(sent),
            ..FormErrors::default()
        }
    }

    /// The messages for one input.
    pub fn on(&self, input: &str) -> Vec<&str> {
        self.problems
            .iter()
            .filter(|p| p.input == Some(input))
            .map(|p| p.text.as_str())
            .collect()
    }

    /// `aria-describedby` for an input: its hint (if it has one) and its errors.
    pub fn described_by(&self, input: &str, hint: bool) -> String {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("f-{input}-hint"));
        }
        if !self.on(input).is_empty() {
            ids.push(format!("f-{input}-error"));
        }
        ids.join(" ")
    }
}

impl Problem {
    fn of(e: &FieldError) -> Problem {
        let top = e.field.split(['.', '[']).next().unwrap_or_default();
        let input = match (top, e.field.as_str()) {
            ("value", "value.currency") => Some("value_currency"),
            ("value", _) => Some("value_amount"),
            _ => INPUTS
                .iter()
                .find(|(name, _)| *name == top)
                .map(|(name, _)| *name),
        };
        let label = match input {
            Some("requirements") => requirement_label(&e.field),
            Some(name) => INPUTS
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(String::new(), |(_, label)| (*label).to_owned()),
            None if e.field.is_empty() => String::new(),
            None => e.field.clone(),
        };
        let joiner = if ["is ", "must ", "has ", "expected "]
            .iter()
            .any(|w| e.reason.starts_with(w))
        {
            " "
        } else {
            ": "
        };
        Problem {
            input,
            text: if label.is_empty() {
                e.reason.clone()
            } else {
                [label.as_str(), joiner, e.reason.as_str()].concat()
            },
        }
    }
}

/// `requirements[1].days` → `Requirement 2, days`.
fn requirement_label(field: &str) -> String {
    let index = field
        .strip_prefix("requirements[")
        .and_then(|rest| rest.split(']').next())
        .and_then(|n| n.parse::<usize>().ok());
    let part = field
        .split_once("].")
        .map(|(_, part)| part.split('[').next().unwrap_or(part));
    match (index, part) {
        (Some(i), Some(part)) => format!("Requirement {}, {}", i + 1, part.replace('_', " ")),
        (Some(i), None) => format!("Requirement {}", i + 1),
        _ => "Requirements".to_owned(),
    }
}

/// One option of a select or checkbox group.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    fn new(value: &str, label: &str, chosen: &[&str]) -> Choice {
        Choice {
            value: value.to_owned(),
            label: label.to_owned(),
            selected: chosen.contains(&value),
        }
    }
}

/// Specialties of one group of the Data Dictionary.
#[derive(Debug, Clone)]
pub struct ChoiceGroup {
    pub name: String,
    pub choices: Vec<Choice>,
    /// Open when one of its specialties is ticked.
    pub open: bool,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "opportunity_form.html")]
pub struct OpportunityFormPage {
    layout: Layout,
    /// Where the form posts.
    action: String,
    /// `None` for a new opportunity.
    version: Option<i64>,
    status: Status,
    classifications: usize,
    form: OpportunityForm,
    errors: FormErrors,
    buyers: Vec<Choice>,
    countries: Vec<Choice>,
    currencies: Vec<Choice>,
    sources: Vec<Choice>,
    service_lines: Vec<Choice>,
    delivery_modes: Vec<Choice>,
    specialty_groups: Vec<ChoiceGroup>,
}

/// What the page needs besides the form itself.
struct Editing<'a> {
    version: Option<i64>,
    status: Status,
    classifications: &'a [Classification],
}

impl Editing<'_> {
    /// A new opportunity: it starts as a draft.
    const DRAFT: Editing<'static> = Editing {
        version: None,
        status: Status::Draft,
        classifications: &[],
    };
}

impl OpportunityFormPage {
    async fn render(
        app: &App,
        form: OpportunityForm,
        editing: Editing<'_>,
        errors: FormErrors,
    ) -> Result<OpportunityFormPage, PageError> {
        let buyers = app
            .store
            .list_organisations(
                &OrganisationFilter {
                    kinds: vec![OrgKind::Buyer.as_str().to_owned()],
                    ..OrganisationFilter::default()
                },
                0,
                MAX_BUYERS,
            )
            .await?;
        let one = [form.buyer.as_str()];
        let mut buyers: Vec<Choice> = buyers
            .items
            .iter()
            .map(|b| {
                let label = format!("{} ({})", b.record.name, b.record.country.name());
                Choice::new(b.record.id.as_str(), &label, &one)
            })
            .collect();
        if !form.buyer.is_empty() && !buyers.iter().any(|b| b.selected) {
            // Keep what was typed visible even if it names no buyer.
            buyers.push(Choice::new(&form.buyer, &form.buyer, &one));
        }
        let (title, action) = match editing.version {
            Some(_) => (
                format!("Edit opportunity {}", form.id),
                format!("/opportunities/{}/edit", form.id),
            ),
            None => ("New opportunity".to_owned(), "/opportunities".to_owned()),
        };
        Ok(OpportunityFormPage {
            layout: Layout::within(title, Section::Opportunities),
            action,
            version: editing.version,
            status: editing.status,
            classifications: editing.classifications.len(),
            buyers,
            countries: country_choices(&form.country),
            currencies: currency_choices(&form.value_currency),
            sources: Source::NAMES
                .iter()
                .map(|(n, s)| Choice::new(n, s.label(), &[form.source.as_str()]))
                .collect(),
            service_lines: vocabulary_choices(
                ServiceLine::NAMES,
                ServiceLine::label,
                &form.service_lines,
            ),
            delivery_modes: vocabulary_choices(
                DeliveryMode::NAMES,
                DeliveryMode::label,
                &form.delivery_modes,
            ),
            specialty_groups: specialty_groups(&form.specialties),
            form,
            errors,
        })
    }
}

fn vocabulary_choices<T: Copy>(
    names: &[(&str, T)],
    label: fn(T) -> &'static str,
    chosen: &[String],
) -> Vec<Choice> {
    let chosen: Vec<&str> = chosen.iter().map(String::as_str).collect();
    names
        .iter()
        .map(|(n, v)| Choice::new(n, label(*v), &chosen))
        .collect()
}

fn country_choices(chosen: &str) -> Vec<Choice> {
    let mut countries: Vec<Choice> = reference()
        .countries()
        .map(|c| Choice::new(&c.alpha2, c.display_name(), &[chosen]))
        .collect();
    countries.sort_by(|a, b| a.label.cmp(&b.label));
    countries
}

fn currency_choices(chosen: &str) -> Vec<Choice> {
    let codes: BTreeSet<&str> = reference()
        .countries()
        .flat_map(|c| {
            std::iter::once(c.currency_code.as_str()).chain(c.other_currencies.split(';'))
        })
        .filter(|c| !c.is_empty())
        .collect();
    codes
        .into_iter()
        .map(|c| Choice::new(c, c, &[chosen]))
        .collect()
}

fn specialty_groups(chosen: &[String]) -> Vec<ChoiceGroup> {
    let chosen: Vec<&str> = chosen.iter().map(String::as_str).collect();
    let mut groups: BTreeMap<&str, Vec<Choice>> = BTreeMap::new();
    for s in reference().specialties().filter(|s| s.is_active()) {
        let label = format!("{} {}", s.code, s.short_name());
        groups
            .entry(s.group.as_str())
            .or_default()
            .push(Choice::new(&s.code, &label, &chosen));
    }
    groups
        .into_iter()
        .map(|(name, choices)| ChoiceGroup {
            name: name.to_owned(),
            open: choices.iter().any(|c| c.selected),
            choices,
        })
        .collect()
}

pub async fn new_opportunity(
    State(app): State<App>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<OpportunityFormPage, PageError> {
    // `?buyer=KHCF` starts the form for that buyer (the buyer page links here).
    let form = OpportunityForm {
        buyer: Params::from_query(raw.as_deref()).text("buyer").to_owned(),
        ..OpportunityForm::default()
    };
    if caller.actor.role.is_none() {
        return Err(PageError(ServiceError::SignIn));
    }
    let editing = Editing::DRAFT;
    OpportunityFormPage::render(&app, form, editing, FormErrors::default()).await
}

/// A form that could not be saved, shown again with what was entered.
async fn refused(
    app: &App,
    form: OpportunityForm,
    editing: Editing<'_>,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let status = if errors.conflict.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = OpportunityFormPage::render(app, form, editing, errors).await?;
    Ok((status, page).into_response())
}

/// Creates a draft from the form.
pub async fn create_opportunity(
    State(app): State<App>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, PageError> {
    let form = OpportunityForm::from_params(&Params::parse(&body));
    let editing = Editing::DRAFT;
    let record = match form.to_record(Status::Draft, &[]) {
        Ok(record) => record,
        Err(invalid) => return refused(&app, form, editing, FormErrors::of(&invalid)).await,
    };
    match app.create(&caller, &record).await {
        Ok(_) => Ok(show(record.id())),
        Err(ServiceError::Invalid(invalid)) => {
            refused(&app, form, editing, FormErrors::of(&invalid)).await
        }
        Err(ServiceError::Conflict(reason)) => {
            let taken = Invalid::one("id", reason);
            refused(&app, form, editing, FormErrors::of(&taken)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_opportunity(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<OpportunityFormPage, PageError> {
    let current = stored(&app, &caller, &id).await?;
    caller.check(Verb::Update, &Record::Opportunity(current.record.clone()))?;
    let editing = Editing {
        version: Some(current.version),
        status: current.record.status,
        classifications: &current.record.classifications,
    };
    let form = OpportunityForm::from_opportunity(&current.record);
    OpportunityFormPage::render(&app, form, editing, FormErrors::default()).await
}

/// Replaces the opportunity if it is still at the version the form was made
/// from; its status and classifications are kept as stored.
pub async fn update_opportunity(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let version: i64 = params.text("version").parse().map_err(|_| {
        ServiceError::BadRequest("the form did not say which version you edited".into())
    })?;
    let form = OpportunityForm {
        id: id.clone(),
        ..OpportunityForm::from_params(&params)
    };
    let current = stored(&app, &caller, &id).await?;
    let editing = Editing {
        version: Some(version),
        status: current.record.status,
        classifications: &current.record.classifications,
    };
    let record = match form.to_record(current.record.status, &current.record.classifications) {
        Ok(record) => record,
        Err(invalid) => return refused(&app, form, editing, FormErrors::of(&invalid)).await,
    };
    match app.update(&caller, &record, version).await {
        Ok(_) => Ok(show(&id)),
        Err(ServiceError::Invalid(invalid)) => {
            refused(&app, form, editing, FormErrors::of(&invalid)).await
        }
        Err(ServiceError::Conflict(reason)) => {
            // Submitting again replaces the newer version, knowingly.
            let editing = Editing {
                version: Some(current.version),
                ..editing
            };
            let message = format!(
                "Someone else changed this opportunity while you were editing it, so your changes have not been saved ({reason}). Compare what is stored now with what you sent, below; submit this form again to replace the stored version with what you see here."
            );
            let stored_form = OpportunityForm::from_opportunity(&current.record);
            let errors = FormErrors::conflict(message, &stored_form, &form);
            refused(&app, form, editing, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> OpportunityForm {
        OpportunityForm {
            id: "KW-2028-01".into(),
            title: "Diabetes education".into(),
            buyer: "KW-MOH".into(),
            country: "KW".into(),
            description: "Training for diabetes nurses.".into(),
            service_lines: vec!["education_training".into()],
            specialties: vec!["307".into()],
            languages: "ar, en".into(),
            value_amount: "1,250,000".into(),
            value_currency: "KWD".into(),
            source: "post".into(),
            requirements:
                "R1 | Nurse training | education_training | 307 | 120 | in_country, remote\n\n"
                    .into(),
            ..OpportunityForm::default()
        }
    }

    #[test]
    fn a_complete_form_reads_as_a_draft_and_round_trips() {
        let Record::Opportunity(o) = form().to_record(Status::Draft, &[]).unwrap() else {
            panic!("not an opportunity")
        };
        assert_eq!(o.status, Status::Draft);
        assert_eq!(o.value.as_ref().unwrap().minor, 1_250_000_000);
        assert_eq!(o.requirements[0].delivery_modes.len(), 2);
        let again = OpportunityForm::from_opportunity(&o);
        assert_eq!(
            again.to_record(Status::Draft, &[]).unwrap(),
            Record::Opportunity(o)
        );
    }

    #[test]
    fn every_demo_opportunity_survives_an_unchanged_edit() {
        let mut seen = 0;
        for source in crate::demo::sources() {
            let batch = if source.name.ends_with(".jsonl") {
                hcx_domain::Batch::from_jsonl(&source.text)
            } else {
                hcx_domain::ocds::read(&serde_json::from_str(&source.text).unwrap())
            };
            for (_, record) in batch.records {
                if let Record::Opportunity(o) = record {
                    let form = OpportunityForm::from_opportunity(&o);
                    let again = form.to_record(o.status, &o.classifications);
                    assert_eq!(again, Ok(Record::Opportunity(o)));
                    seen += 1;
                }
            }
        }
        assert!(seen > 40, "{seen} opportunities checked");
    }

    #[test]
    fn every_problem_names_its_input() {
        let bad = OpportunityForm {
            title: String::new(),
            value_currency: String::new(),
            languages: "ar, xx".into(),
            duration_months: "two".into(),
            requirements:
                "R1 | Nurse training | education_training | 307 | 0\nR2 | only three | parts".into(),
            ..form()
        };
        let errors = FormErrors::of(&bad.to_record(Status::Draft, &[]).unwrap_err());
        let inputs: Vec<Option<&str>> = errors.problems.iter().map(|p| p.input).collect();
        for input in [
            "title",
            "value_currency",
            "languages",
            "duration_months",
            "requirements",
        ] {
            assert!(
                inputs.contains(&Some(input)),
                "{input} missing from {errors:?}"
            );
        }
        assert!(errors.on("title").contains(&"Title is required"));
        assert_eq!(
            errors.problems[0].input,
            Some("title"),
            "problems follow the form's order"
        );
        assert!(
            errors
                .on("requirements")
                .iter()
                .any(|t| t.starts_with("Requirement 1, days must be at least 1"))
        );
        assert!(
            errors
                .on("requirements")
                .iter()
                .any(|t| t.starts_with("Requirement 2 has 3 parts"))
        );
        assert_eq!(
            errors.described_by("title", true),
            "f-title-hint f-title-error"
        );
        assert_eq!(errors.described_by("buyer", false), "");
    }

    mod typed_anything {
        use proptest::prelude::*;

        use super::*;

        /// What people type: often plausible, sometimes anything at all.
        fn typed(plausible: &'static [&'static str]) -> impl Strategy<Value = String> {
            prop_oneof![
                3 => proptest::sample::select(plausible).prop_map(str::to_owned),
                1 => ".{0,40}",
                1 => proptest::collection::vec(any::<char>(), 0..30)
                    .prop_map(|c| c.into_iter().collect::<String>()),
            ]
        }

        fn ticked(plausible: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
            proptest::collection::vec(typed(plausible), 0..4)
        }

        prop_compose! {
            fn any_form()(
                id in typed(&["KW-2028-01", "", "new", "a b"]),
                title in typed(&["Diabetes education", ""]),
                buyer in typed(&["KW-MOH", "", "NOPE"]),
                country in typed(&["KW", "XX", ""]),
                description in typed(&["Nurses", ""]),
                service_lines in ticked(&["education_training", "consultancy", "bogus"]),
                specialties in ticked(&["307", "999", ""]),
                delivery_modes in ticked(&["remote", "in_country", "teleport"]),
                languages in typed(&["ar, en", "xx", ""]),
                value_amount in typed(&["1,250,000", "-5", "1e99", "12.3456", ""]),
                value_currency in typed(&["KWD", "GBP", "ZZZ", ""]),
                response_due in typed(&["2028-03-31", "2028-02-30", "tomorrow", ""]),
                starts in typed(&["2028-06-01", ""]),
                duration_months in typed(&["24", "0", "99999999999", ""]),
                source in typed(&["post", "tender", "rumour", ""]),
                requirements in typed(&[
                    "R1 | Nurse training | education_training | 307 | 120 | in_country",
                    "R1 | x",
                    "| | | | |",
                    "",
                ]),
            ) -> OpportunityForm {
                OpportunityForm {
                    id, title, buyer, country, description, service_lines, specialties,
                    delivery_modes, languages, value_amount, value_currency, response_due,
                    starts, duration_months, source, requirements,
                }
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

            #[test]
            fn any_form_gives_a_record_or_a_reason_beside_each_input(form in any_form()) {
                match form.to_record(Status::Draft, &[]) {
                    Ok(record) => prop_assert_eq!(record.id(), form.id.trim()),
                    Err(invalid) => {
                        prop_assert!(!invalid.0.is_empty());
                        let errors = FormErrors::of(&invalid);
                        prop_assert_eq!(errors.problems.len(), invalid.0.len());
                        for p in &errors.problems {
                            prop_assert!(!p.text.trim().is_empty());
                            if let Some(input) = p.input {
                                prop_assert!(INPUTS.iter().any(|(name, _)| *name == input));
                            }
                        }
                    }
                }
            }
        }
    }
}
