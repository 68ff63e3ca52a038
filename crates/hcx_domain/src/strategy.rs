//! Strategies: a provider's international policy.

use serde::Serialize;

use crate::codes::{CountryCode, OrganisationId, StrategyId};
use crate::fields::{Fields, code, one_of};
use crate::money::Money;
use crate::vocab::{DomesticStatus, Motive, RiskAppetite};

/// A provider's international strategy: where it will and will not work, and how much it can take on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Strategy {
    pub id: StrategyId,
    pub provider: OrganisationId,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub target_countries: Vec<CountryCode>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_countries: Vec<CountryCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_appetite: Option<RiskAppetite>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domestic_status: Option<DomesticStatus>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "pounds")]
    pub min_contract_gbp: Option<Money>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accepted_law: Vec<CountryCode>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub motives: Vec<Motive>,
}

fn pounds<S: serde::Serializer>(m: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
    m.as_ref().map(Money::major_json).serialize(s)
}

impl Strategy {
    pub fn read(f: &mut Fields) -> Option<Strategy> {
        let id = f.required("id", code(StrategyId::parse));
        let provider = f.required("provider", code(OrganisationId::parse));
        let target_countries = f.list("target_countries", code(CountryCode::parse));
        let excluded_countries = f.list("excluded_countries", code(CountryCode::parse));
        let risk_appetite = f.optional("risk_appetite", one_of(RiskAppetite::NAMES));
        let domestic_status = f.optional("domestic_status", one_of(DomesticStatus::NAMES));
        let min_contract_gbp = f.optional("min_contract_gbp", Money::gbp_pounds);
        let accepted_law = f.list("accepted_law", code(CountryCode::parse));
        let motives = f.list("motives", one_of(Motive::NAMES));
        if let Some(both) = target_countries
            .iter()
            .find(|c| excluded_countries.contains(c))
        {
            f.error(
                "excluded_countries",
                format!("{both} is also a target country"),
            );
        }
        Some(Strategy {
            id: id?,
            provider: provider?,
            target_countries,
            excluded_countries,
            risk_appetite,
            domestic_status,
            min_contract_gbp,
            accepted_law,
            motives,
        })
    }
}
