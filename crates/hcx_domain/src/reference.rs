//! Reference data shipped inside the binary: countries, currencies, exchange
//! rates, country risk, NHS trusts, networks and treatment function codes.
//!
//! The CSV files live in the repository's `data/` folder with their provenance
//! and licences; they are parsed once, on first use.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde::Deserialize;

const COUNTRIES_CSV: &str = include_str!("../../../data/countries/countries.csv");
const COUNTRY_RISK_CSV: &str = include_str!("../../../data/country_risk/country_risk_wide.csv");
const FX_LATEST_CSV: &str = include_str!("../../../data/fx/fx_rates_latest.csv");
const FX_PEGS_CSV: &str = include_str!("../../../data/fx/usd_pegs.csv");
const TRUSTS_CSV: &str = include_str!("../../../data/nhs/nhs_trusts.csv");
const NETWORKS_CSV: &str = include_str!("../../../data/nhs/ahsn.csv");
const SPECIALTIES_CSV: &str = include_str!("../../../data/specialties/treatment_functions.csv");

/// A country or territory (ISO 3166-1), with its World Bank grouping and currency.
#[derive(Debug, Clone, Deserialize)]
pub struct Country {
    #[serde(rename = "iso_alpha2")]
    pub alpha2: String,
    #[serde(rename = "iso_alpha3")]
    pub alpha3: String,
    pub name: String,
    pub common_name: String,
    pub wb_region: String,
    pub wb_income_code: String,
    pub wb_income_group: String,
    pub currency_code: String,
    pub other_currencies: String,
}

impl Country {
    /// The name people use: the common name where ISO gives one.
    pub fn display_name(&self) -> &str {
        if self.common_name.is_empty() {
            &self.name
        } else {
            &self.common_name
        }
    }
}

/// Governance risk indicators for a country, exactly as published (see `data/country_risk`).
#[derive(Debug, Clone, Deserialize)]
pub struct CountryRisk {
    pub iso_alpha3: String,
    pub ti_cpi_score_2025: Option<u32>,
    pub ti_cpi_rank_2025: Option<u32>,
    pub wb_wgi_control_of_corruption_estimate_2023: Option<f64>,
    pub wb_wgi_rule_of_law_estimate_2023: Option<f64>,
    pub wb_wgi_political_stability_no_violence_estimate_2023: Option<f64>,
    pub fatf_status: String,
}

/// An English NHS trust from the ODS extract.
#[derive(Debug, Clone, Deserialize)]
pub struct Trust {
    pub ods_code: String,
    pub name: String,
    pub trust_type_simple: String,
    pub nhs_region: String,
    pub town: String,
}

/// A Health Innovation Network (formerly an AHSN).
#[derive(Debug, Clone, Deserialize)]
pub struct Network {
    #[serde(rename = "acronym_current")]
    pub code: String,
    #[serde(rename = "hin_name_current")]
    pub name: String,
    #[serde(rename = "acronym_2021")]
    pub former_code: String,
    #[serde(rename = "nhs_region_primary")]
    pub nhs_region: String,
}

/// An NHS Data Dictionary treatment function code.
#[derive(Debug, Clone, Deserialize)]
pub struct Specialty {
    pub code: String,
    pub name: String,
    pub group: String,
    pub status: String,
    pub description_2019: String,
}

impl Specialty {
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }

    /// The display name without the Data Dictionary's trailing "Service".
    pub fn short_name(&self) -> &str {
        self.name.strip_suffix(" Service").unwrap_or(&self.name)
    }
}

/// All reference data, indexed by code.
#[derive(Debug)]
pub struct Reference {
    countries: BTreeMap<String, Country>,
    currencies: BTreeSet<String>,
    risk: BTreeMap<String, CountryRisk>,
    units_per_gbp: BTreeMap<String, f64>,
    fx_date: String,
    trusts: BTreeMap<String, Trust>,
    networks: BTreeMap<String, Network>,
    specialties: BTreeMap<String, Specialty>,
}

/// ISO 639-1 language codes.
const LANGUAGES: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi",
    "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de",
    "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr", "fy",
    "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia",
    "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk",
    "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln", "lo",
    "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb", "nd",
    "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl",
    "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl",
    "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti", "tk",
    "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa",
    "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

/// Currencies whose ISO 4217 minor unit is not two digits.
const MINOR_UNIT_EXCEPTIONS: &[(&str, u32)] = &[
    ("BHD", 3),
    ("BIF", 0),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("PYG", 0),
    ("RWF", 0),
    ("TND", 3),
    ("UGX", 0),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
];

fn read_csv<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Vec<T> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .unwrap_or_else(|e| panic!("shipped reference file {name} is malformed: {e}"))
}

#[derive(Deserialize)]
struct FxRow {
    date: String,
    currency: String,
    units_per_gbp: f64,
}

#[derive(Deserialize)]
struct PegRow {
    currency: String,
    units_per_usd: f64,
}

impl Reference {
    fn load() -> Self {
        let countries: BTreeMap<String, Country> =
            read_csv::<Country>("countries.csv", COUNTRIES_CSV)
                .into_iter()
                .map(|c| (c.alpha2.clone(), c))
                .collect();
        let currencies = countries
            .values()
            .flat_map(|c| {
                std::iter::once(c.currency_code.as_str()).chain(c.other_currencies.split(';'))
            })
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        let risk = read_csv::<CountryRisk>("country_risk_wide.csv", COUNTRY_RISK_CSV)
            .into_iter()
            .map(|r| (r.iso_alpha3.clone(), r))
            .collect();
        let fx_rows = read_csv::<FxRow>("fx_rates_latest.csv", FX_LATEST_CSV);
        let fx_date = fx_rows.first().map(|r| r.date.clone()).unwrap_or_default();
        let mut units_per_gbp: BTreeMap<String, f64> = fx_rows
            .into_iter()
            .map(|r| (r.currency, r.units_per_gbp))
            .collect();
        if let Some(usd) = units_per_gbp.get("USD").copied() {
            for peg in read_csv::<PegRow>("usd_pegs.csv", FX_PEGS_CSV) {
                units_per_gbp.insert(peg.currency, peg.units_per_usd * usd);
            }
        }
        Reference {
            countries,
            currencies,
            risk,
            units_per_gbp,
            fx_date,
            trusts: read_csv::<Trust>("nhs_trusts.csv", TRUSTS_CSV)
                .into_iter()
                .map(|t| (t.ods_code.clone(), t))
                .collect(),
            networks: read_csv::<Network>("ahsn.csv", NETWORKS_CSV)
                .into_iter()
                .map(|n| (n.code.clone(), n))
                .collect(),
            specialties: read_csv::<Specialty>("treatment_functions.csv", SPECIALTIES_CSV)
                .into_iter()
                .map(|s| (s.code.clone(), s))
                .collect(),
        }
    }

    pub fn country(&self, alpha2: &str) -> Option<&Country> {
        self.countries.get(alpha2)
    }

    pub fn countries(&self) -> impl Iterator<Item = &Country> {
        self.countries.values()
    }

    /// Finds a country by its ISO, common or World Bank name, ignoring case.
    pub fn country_by_name(&self, name: &str) -> Option<&Country> {
        let wanted = name.trim().to_lowercase();
        let aliases: &[(&str, &str)] = &[
            ("united kingdom", "GB"),
            ("uk", "GB"),
            ("great britain", "GB"),
            ("england", "GB"),
            ("scotland", "GB"),
            ("wales", "GB"),
            ("northern ireland", "GB"),
            ("usa", "US"),
            ("united states of america", "US"),
            ("uae", "AE"),
        ];
        if let Some((_, code)) = aliases.iter().find(|(alias, _)| *alias == wanted) {
            return self.country(code);
        }
        self.countries.values().find(|c| {
            [c.name.as_str(), c.common_name.as_str(), c.alpha3.as_str()]
                .iter()
                .any(|n| n.to_lowercase() == wanted)
        })
    }

    pub fn is_currency(&self, code: &str) -> bool {
        self.currencies.contains(code)
    }

    /// Digits after the decimal point in the currency's minor unit (ISO 4217).
    pub fn minor_unit_digits(&self, currency: &str) -> u32 {
        MINOR_UNIT_EXCEPTIONS
            .iter()
            .find(|(c, _)| *c == currency)
            .map_or(2, |(_, d)| *d)
    }

    /// Units of `currency` that £1 buys, from the shipped rates; `None` when not quoted.
    pub fn units_per_gbp(&self, currency: &str) -> Option<f64> {
        self.units_per_gbp.get(currency).copied()
    }

    /// The date of the shipped exchange-rate fixing.
    pub fn fx_date(&self) -> &str {
        &self.fx_date
    }

    pub fn country_risk(&self, alpha2: &str) -> Option<&CountryRisk> {
        let country = self.country(alpha2)?;
        self.risk.get(&country.alpha3)
    }

    pub fn is_language(&self, code: &str) -> bool {
        LANGUAGES.binary_search(&code).is_ok()
    }

    pub fn trust(&self, ods_code: &str) -> Option<&Trust> {
        self.trusts.get(ods_code)
    }

    pub fn trusts(&self) -> impl Iterator<Item = &Trust> {
        self.trusts.values()
    }

    pub fn network(&self, code: &str) -> Option<&Network> {
        self.networks.get(code)
    }

    pub fn networks(&self) -> impl Iterator<Item = &Network> {
        self.networks.values()
    }

    pub fn specialty(&self, code: &str) -> Option<&Specialty> {
        self.specialties.get(code)
    }

    pub fn specialties(&self) -> impl Iterator<Item = &Specialty> {
        self.specialties.values()
    }

    /// The NHS England regions named by the trusts list.
    pub fn nhs_regions(&self) -> BTreeSet<&str> {
        self.trusts
            .values()
            .map(|t| t.nhs_region.as_str())
            .collect()
    }
}

/// The shipped reference data, loaded on first use.
pub fn reference() -> &'static Reference {
    static REFERENCE: LazyLock<Reference> = LazyLock::new(Reference::load);
    &REFERENCE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_files_load_with_their_documented_row_counts() {
        let r = reference();
        assert_eq!(r.countries().count(), 250);
        assert_eq!(r.trusts().count(), 202);
        assert_eq!(r.networks().count(), 15);
        assert_eq!(r.specialties().count(), 184);
        assert_eq!(r.risk.len(), 214);
    }

    #[test]
    fn languages_are_sorted_for_binary_search() {
        assert!(LANGUAGES.windows(2).all(|w| w[0] < w[1]));
        assert!(reference().is_language("ar"));
        assert!(!reference().is_language("xx"));
    }

    #[test]
    fn jordan_uses_the_dinar_with_three_decimals_and_a_usd_peg() {
        let r = reference();
        let jo = r.country("JO").unwrap();
        assert_eq!(jo.currency_code, "JOD");
        assert_eq!(jo.alpha3, "JOR");
        assert_eq!(r.minor_unit_digits("JOD"), 3);
        assert_eq!(r.minor_unit_digits("GBP"), 2);
        let usd = r.units_per_gbp("USD").unwrap();
        let jod = r.units_per_gbp("JOD").unwrap();
        assert!((jod - 0.709 * usd).abs() < 1e-9);
        assert!(r.units_per_gbp("KWD").is_none());
    }

    #[test]
    fn countries_are_found_by_name_in_any_case() {
        let r = reference();
        assert_eq!(r.country_by_name(" United Kingdom").unwrap().alpha2, "GB");
        assert_eq!(r.country_by_name("jordan").unwrap().alpha2, "JO");
        assert_eq!(r.country_by_name("Australia").unwrap().alpha2, "AU");
        assert!(r.country_by_name("Atlantis").is_none());
    }

    #[test]
    fn country_risk_joins_on_alpha3() {
        let risk = reference().country_risk("GB").unwrap();
        assert_eq!(risk.iso_alpha3, "GBR");
        assert!(risk.ti_cpi_score_2025.is_some());
    }
}
