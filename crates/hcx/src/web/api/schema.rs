//! OpenAPI schemas of the interchange records (`docs/interchange.md`).
//! Requests are validated by the domain's readers, not by these types: they
//! describe the wire format for clients, and a test keeps them in step with it.

#![allow(dead_code)]

use utoipa::ToSchema;

/// An organisation.
#[derive(ToSchema)]
#[schema(example = json!({"id": "RR8", "name": "Leeds Teaching Hospitals NHS Trust", "kind": "provider", "sector": "nhs", "country": "GB", "ods_code": "RR8", "region": "North East and Yorkshire", "network": "HI-YH", "aliases": ["LTHT"]}))]
pub struct Organisation {
    /// Stable id chosen by the source: letters, digits and `. _ : @ -`, at most 128.
    id: String,
    name: String,
    /// provider, buyer, partner, network, agency, post
    kind: String,
    /// nhs, private, government, university, charity, multilateral
    sector: String,
    /// ISO 3166-1 alpha-2
    country: String,
    ods_code: Option<String>,
    region: Option<String>,
    /// Health Innovation Network code, e.g. `HI-YH`
    network: Option<String>,
    aliases: Option<Vec<String>>,
    website: Option<String>,
    city: Option<String>,
}

/// A price range in whole pounds.
#[derive(ToSchema)]
pub struct PriceRange {
    min: f64,
    max: f64,
}

/// What a provider can deliver.
#[derive(ToSchema)]
pub struct Offer {
    id: String,
    /// An organisation of kind provider or partner.
    provider: String,
    title: String,
    description: String,
    /// One or more of education_training, consultancy, clinical_advice, service_operation, partnership, digital, research
    service_lines: Vec<String>,
    /// Treatment function codes, e.g. `370`
    specialties: Option<Vec<String>>,
    /// One or more of in_country, remote, uk_based
    delivery_modes: Vec<String>,
    /// ISO 639-1
    languages: Option<Vec<String>>,
    capacity_days_per_year: Option<u32>,
    countries_of_experience: Option<Vec<String>>,
    price_gbp: Option<PriceRange>,
}

/// A provider's international policy (at most one per provider).
#[derive(ToSchema)]
pub struct Strategy {
    id: String,
    provider: String,
    target_countries: Option<Vec<String>>,
    excluded_countries: Option<Vec<String>>,
    /// low, medium, high
    risk_appetite: Option<String>,
    /// green, amber, red
    domestic_status: Option<String>,
    /// Whole pounds
    min_contract_gbp: Option<f64>,
    accepted_law: Option<Vec<String>>,
    /// revenue, reputation, research_learning, recruitment_retention, reach, philanthropy
    motives: Option<Vec<String>>,
}

/// An amount in major units of an ISO 4217 currency.
#[derive(ToSchema)]
pub struct Money {
    amount: f64,
    currency: String,
}

/// A part of a bundled opportunity.
#[derive(ToSchema)]
pub struct Requirement {
    id: String,
    title: String,
    service_line: String,
    specialties: Option<Vec<String>>,
    delivery_modes: Option<Vec<String>>,
    /// Staff days in total
    days: u32,
}

/// A classification given by a tender (CPV, UNSPSC, …), kept as text.
#[derive(ToSchema)]
pub struct Classification {
    scheme: String,
    id: String,
    description: Option<String>,
}

/// An overseas need.
#[derive(ToSchema)]
pub struct Opportunity {
    id: String,
    /// An organisation of kind buyer.
    buyer: String,
    country: String,
    title: String,
    description: String,
    service_lines: Option<Vec<String>>,
    specialties: Option<Vec<String>>,
    delivery_modes: Option<Vec<String>>,
    languages: Option<Vec<String>>,
    value: Option<Money>,
    /// YYYY-MM-DD
    response_due: Option<String>,
    /// YYYY-MM-DD
    starts: Option<String>,
    duration_months: Option<u32>,
    /// post, trade_mission, delegation, tender, direct, agency
    source: String,
    /// draft, pending_review, published, closed, withdrawn
    status: String,
    requirements: Option<Vec<Requirement>>,
    classifications: Option<Vec<Classification>>,
}
