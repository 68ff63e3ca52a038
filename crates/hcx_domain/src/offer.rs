//! Offers: what a provider can deliver abroad.

use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::codes::{CountryCode, LanguageCode, OfferId, OrganisationId, SpecialtyCode};
use crate::fields::{Fields, code, count, one_of, text};
use crate::money::Money;
use crate::vocab::{DeliveryMode, ServiceLine};

/// A provider's offer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Offer {
    pub id: OfferId,
    pub provider: OrganisationId,
    pub title: String,
    pub description: String,
    pub service_lines: Vec<ServiceLine>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub specialties: Vec<SpecialtyCode>,
    pub delivery_modes: Vec<DeliveryMode>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<LanguageCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity_days_per_year: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub countries_of_experience: Vec<CountryCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_gbp: Option<PriceRange>,
}

/// A price range in pounds.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceRange {
    pub min: Money,
    pub max: Money,
}

impl Serialize for PriceRange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde_json::json!({"min": self.min.major_json(), "max": self.max.major_json()}).serialize(s)
    }
}

/// Most staff days one offer can promise in a year.
pub const MAX_DAYS_PER_YEAR: u64 = 100_000;

impl Offer {
    pub fn read(f: &mut Fields) -> Option<Offer> {
        let id = f.required("id", code(OfferId::parse));
        let provider = f.required("provider", code(OrganisationId::parse));
        let title = f.required("title", text);
        let description = f.required("description", text);
        let service_lines = f.non_empty_list("service_lines", one_of(ServiceLine::NAMES));
        let specialties = f.list("specialties", code(SpecialtyCode::parse));
        let delivery_modes = f.non_empty_list("delivery_modes", one_of(DeliveryMode::NAMES));
        let languages = f.list("languages", code(LanguageCode::parse));
        let capacity_days_per_year = f.optional("capacity_days_per_year", count(MAX_DAYS_PER_YEAR));
        let countries_of_experience = f.list("countries_of_experience", code(CountryCode::parse));
        let price_gbp = f.nested("price_gbp", PriceRange::read);
        Some(Offer {
            id: id?,
            provider: provider?,
            title: title?,
            description: description?,
            service_lines: (!service_lines.is_empty()).then_some(service_lines)?,
            specialties,
            delivery_modes: (!delivery_modes.is_empty()).then_some(delivery_modes)?,
            languages,
            capacity_days_per_year,
            countries_of_experience,
            price_gbp,
        })
    }
}

impl PriceRange {
    fn read(f: &mut Fields) -> Option<PriceRange> {
        let min = f.required("min", |v: &Value| Money::gbp_pounds(v));
        let max = f.required("max", |v: &Value| Money::gbp_pounds(v));
        let (min, max) = (min?, max?);
        if min.minor > max.minor {
            f.error("max", "must not be less than min");
            return None;
        }
        Some(PriceRange { min, max })
    }
}
