//! Organisations: providers, overseas buyers, partners, networks, the agency and embassy posts.

use serde::Serialize;

use crate::codes::{CountryCode, NetworkCode, OrganisationId};
use crate::fields::{Fields, code, one_of, text};
use crate::vocab::{OrgKind, Sector};

/// An organisation known to hcx.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    pub kind: OrgKind,
    pub sector: Sector,
    pub country: CountryCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ods_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkCode>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
}

impl Organisation {
    /// Reads the fields of an organisation record (everything but `record`).
    pub fn read(f: &mut Fields) -> Option<Organisation> {
        let id = f.required("id", code(OrganisationId::parse));
        let name = f.required("name", text);
        let kind = f.required("kind", one_of(OrgKind::NAMES));
        let sector = f.required("sector", one_of(Sector::NAMES));
        let country = f.required("country", code(CountryCode::parse));
        let ods_code = f.optional("ods_code", ods_code);
        let region = f.optional("region", text);
        let network = f.optional("network", code(NetworkCode::parse));
        let aliases = f.list("aliases", text);
        let website = f.optional("website", website);
        let city = f.optional("city", text);
        Some(Organisation {
            id: id?,
            name: name?,
            kind: kind?,
            sector: sector?,
            country: country?,
            ods_code,
            region,
            network,
            aliases,
            website,
            city,
        })
    }

    /// Whether it may hold offers and a strategy.
    pub fn can_offer(&self) -> bool {
        matches!(self.kind, OrgKind::Provider | OrgKind::Partner)
    }
}

/// An NHS Organisation Data Service code: 3 to 6 letters and digits.
fn ods_code(v: &serde_json::Value) -> Result<String, String> {
    let s = text(v)?.to_ascii_uppercase();
    if (3..=6).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(s)
    } else {
        Err(format!(
            "{s:?} is not an ODS code (3 to 6 letters and digits)"
        ))
    }
}

fn website(v: &serde_json::Value) -> Result<String, String> {
    let s = text(v)?;
    if (s.starts_with("https://") || s.starts_with("http://")) && !s.contains(char::is_whitespace) {
        Ok(s)
    } else {
        Err(format!("{s:?} is not a web address starting with https://"))
    }
}
