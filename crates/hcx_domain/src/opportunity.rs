//! Opportunities: overseas needs, their bundled requirements and their lifecycle.

use serde::{Serialize, Serializer};

use crate::codes::{
    CountryCode, LanguageCode, OpportunityId, OrganisationId, RequirementId, SpecialtyCode,
};
use crate::fields::{Fields, code, count, date, one_of, text};
use crate::money::{Money, ValueBand};
use crate::vocab::{DeliveryMode, ServiceLine, Source};

/// Where an opportunity is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Draft,
    PendingReview,
    Published,
    Closed,
    Withdrawn,
}

impl Status {
    pub const NAMES: &'static [(&'static str, Status)] = &[
        ("draft", Status::Draft),
        ("pending_review", Status::PendingReview),
        ("published", Status::Published),
        ("closed", Status::Closed),
        ("withdrawn", Status::Withdrawn),
    ];

    pub fn as_str(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("", |(n, _)| n)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::PendingReview => "Pending review",
            Status::Published => "Published",
            Status::Closed => "Closed",
            Status::Withdrawn => "Withdrawn",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == text)
            .map(|(_, s)| *s)
    }

    /// The actions allowed from this status.
    pub fn actions(self) -> &'static [Action] {
        match self {
            Status::Draft => &[Action::Submit, Action::Withdraw],
            Status::PendingReview => &[Action::Publish, Action::Return, Action::Withdraw],
            Status::Published => &[Action::Close, Action::Withdraw],
            Status::Closed | Status::Withdrawn => &[],
        }
    }

    /// The status an action leads to, or why it is not allowed.
    pub fn apply(self, action: Action) -> Result<Status, LifecycleError> {
        if self.actions().contains(&action) {
            Ok(action.target())
        } else {
            Err(LifecycleError { from: self, action })
        }
    }
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A lifecycle step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Draft → pending review.
    Submit,
    /// Pending review → published.
    Publish,
    /// Pending review → back to draft for changes.
    Return,
    /// Published → closed (no longer taking responses).
    Close,
    /// Any open status → withdrawn by the buyer or the agency.
    Withdraw,
}

impl Action {
    pub const NAMES: &'static [(&'static str, Action)] = &[
        ("submit", Action::Submit),
        ("publish", Action::Publish),
        ("return", Action::Return),
        ("close", Action::Close),
        ("withdraw", Action::Withdraw),
    ];

    pub fn as_str(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, a)| *a == self)
            .map_or("", |(n, _)| n)
    }

    pub fn parse(text: &str) -> Option<Action> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == text)
            .map(|(_, a)| *a)
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::Submit => "Submit for review",
            Action::Publish => "Publish",
            Action::Return => "Return to draft",
            Action::Close => "Close",
            Action::Withdraw => "Withdraw",
        }
    }

    fn target(self) -> Status {
        match self {
            Action::Submit => Status::PendingReview,
            Action::Publish => Status::Published,
            Action::Return => Status::Draft,
            Action::Close => Status::Closed,
            Action::Withdraw => Status::Withdrawn,
        }
    }
}

/// A lifecycle step that is not allowed from the current status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {} an opportunity that is {}", action.as_str(), from.label().to_lowercase())]
pub struct LifecycleError {
    pub from: Status,
    pub action: Action,
}

/// One part of a bundled opportunity that a consortium member must cover.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Requirement {
    pub id: RequirementId,
    pub title: String,
    pub service_line: ServiceLine,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub specialties: Vec<SpecialtyCode>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub delivery_modes: Vec<DeliveryMode>,
    /// Staff days in total.
    pub days: u32,
}

/// A classification a source gave (CPV, UNSPSC, …), kept as text when hcx has no mapping for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Classification {
    pub scheme: String,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// An overseas need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Opportunity {
    pub id: OpportunityId,
    pub buyer: OrganisationId,
    pub country: CountryCode,
    pub title: String,
    pub description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub service_lines: Vec<ServiceLine>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub specialties: Vec<SpecialtyCode>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub delivery_modes: Vec<DeliveryMode>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<LanguageCode>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "money_json")]
    pub value: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "iso_date")]
    pub response_due: Option<time::Date>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "iso_date")]
    pub starts: Option<time::Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_months: Option<u32>,
    pub source: Source,
    pub status: Status,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<Requirement>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub classifications: Vec<Classification>,
}

fn money_json<S: Serializer>(m: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
    m.as_ref().map(Money::to_json).serialize(s)
}

fn iso_date<S: Serializer>(d: &Option<time::Date>, s: S) -> Result<S::Ok, S::Error> {
    d.map(format_date).serialize(s)
}

/// `2027-03-31`.
pub fn format_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// Longest contract accepted, in months.
pub const MAX_DURATION_MONTHS: u64 = 240;
/// Most staff days one requirement may ask for.
pub const MAX_REQUIREMENT_DAYS: u64 = 1_000_000;

impl Opportunity {
    pub fn read(f: &mut Fields) -> Option<Opportunity> {
        let id = f.required("id", code(OpportunityId::parse));
        let buyer = f.required("buyer", code(OrganisationId::parse));
        let country = f.required("country", code(CountryCode::parse));
        let title = f.required("title", text);
        let description = f.required("description", text);
        let service_lines = f.list("service_lines", one_of(ServiceLine::NAMES));
        let specialties = f.list("specialties", code(SpecialtyCode::parse));
        let delivery_modes = f.list("delivery_modes", one_of(DeliveryMode::NAMES));
        let languages = f.list("languages", code(LanguageCode::parse));
        let value = f.nested("value", Money::read);
        let response_due = f.optional("response_due", date);
        let starts = f.optional("starts", date);
        let duration_months = f.optional("duration_months", count(MAX_DURATION_MONTHS));
        let source = f.required("source", one_of(Source::NAMES));
        let status = f.required("status", one_of(Status::NAMES));
        let requirements = f.nested_list("requirements", Requirement::read);
        let classifications = f.nested_list("classifications", Classification::read);
        let mut seen = Vec::new();
        for (i, r) in requirements.iter().enumerate() {
            if seen.contains(&&r.id) {
                f.error(
                    &format!("requirements[{i}].id"),
                    format!("{} is repeated", r.id),
                );
            }
            seen.push(&r.id);
        }
        Some(Opportunity {
            id: id?,
            buyer: buyer?,
            country: country?,
            title: title?,
            description: description?,
            service_lines,
            specialties,
            delivery_modes,
            languages,
            value,
            response_due,
            starts,
            duration_months,
            source: source?,
            status: status?,
            requirements,
            classifications,
        })
    }

    /// The value band in pounds (unknown when there is no value or no rate for its currency).
    pub fn value_band(&self) -> ValueBand {
        ValueBand::of_pence(self.value.as_ref().and_then(Money::to_gbp_pence))
    }

    /// Bundled opportunities list the parts a consortium must cover.
    pub fn is_bundled(&self) -> bool {
        !self.requirements.is_empty()
    }

    /// Whether the need arrived as free text only, with no structured fields to match on.
    pub fn is_free_text(&self) -> bool {
        self.service_lines.is_empty()
            && self.specialties.is_empty()
            && self.delivery_modes.is_empty()
    }
}

impl Requirement {
    fn read(f: &mut Fields) -> Option<Requirement> {
        let id = f.required("id", code(RequirementId::parse));
        let title = f.required("title", text);
        let service_line = f.required("service_line", one_of(ServiceLine::NAMES));
        let specialties = f.list("specialties", code(SpecialtyCode::parse));
        let delivery_modes = f.list("delivery_modes", one_of(DeliveryMode::NAMES));
        let days = f.required("days", count(MAX_REQUIREMENT_DAYS));
        if days == Some(0) {
            f.error("days", "must be at least 1");
        }
        Some(Requirement {
            id: id?,
            title: title?,
            service_line: service_line?,
            specialties,
            delivery_modes,
            days: days?,
        })
    }
}

impl Classification {
    fn read(f: &mut Fields) -> Option<Classification> {
        let scheme = f.required("scheme", text);
        let id = f.required("id", text);
        let description = f.optional("description", text);
        Some(Classification {
            scheme: scheme?,
            id: id?,
            description,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lifecycle_allows_only_its_own_steps() {
        use Action::*;
        use Status::*;
        assert_eq!(Draft.apply(Submit), Ok(PendingReview));
        assert_eq!(PendingReview.apply(Publish), Ok(Published));
        assert_eq!(PendingReview.apply(Return), Ok(Draft));
        assert_eq!(Published.apply(Close), Ok(Closed));
        assert_eq!(Published.apply(Withdraw), Ok(Withdrawn));
        assert!(Draft.apply(Publish).is_err());
        assert!(Closed.apply(Withdraw).is_err());
        assert!(Withdrawn.actions().is_empty());
        let err = Draft.apply(Close).unwrap_err();
        assert_eq!(err.to_string(), "cannot close an opportunity that is draft");
    }

    #[test]
    fn every_status_and_action_round_trips_through_its_name() {
        for (name, s) in Status::NAMES {
            assert_eq!(Status::parse(name), Some(*s));
            assert_eq!(s.as_str(), *name);
        }
        for (name, a) in Action::NAMES {
            assert_eq!(Action::parse(name), Some(*a));
        }
    }
}
