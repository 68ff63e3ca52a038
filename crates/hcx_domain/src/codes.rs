//! Identifiers and codes, each checked once when it is made.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::reference::reference;

/// Serialises as its text and deserialises through its parser, so a code
/// read from anywhere is valid.
macro_rules! text_type {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                $name::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn parse(text: &str) -> Result<Self, String> {
                check_id(text).map(|()| $name(text.to_owned()))
            }
        }

        text_type!($name);
    };
}

/// Longest id accepted from a source.
pub const MAX_ID_LEN: usize = 128;

fn check_id(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("must not be empty".into());
    }
    if text.len() > MAX_ID_LEN {
        return Err(format!("must be at most {MAX_ID_LEN} characters"));
    }
    match text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '@' | '-')))
    {
        Some(c) => Err(format!(
            "{c:?} is not allowed: use letters, digits and . _ : @ -"
        )),
        None => Ok(()),
    }
}

id_type!(
    /// An organisation's stable id, chosen by its source (an ODS code for NHS bodies).
    OrganisationId
);
id_type!(
    /// A provider offer's id.
    OfferId
);
id_type!(
    /// A provider strategy's id.
    StrategyId
);
id_type!(
    /// An opportunity's id (the `ocid` for OCDS tenders).
    OpportunityId
);
id_type!(
    /// A requirement's id, unique within its opportunity.
    RequirementId
);
id_type!(
    /// A due-diligence case's id.
    CaseId
);
id_type!(
    /// A person's id, unique within their due-diligence case.
    PersonId
);
id_type!(
    /// A quote's id.
    QuoteId
);

/// An ISO 3166-1 alpha-2 country code known to the reference data.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(text: &str) -> Result<Self, String> {
        match reference().country(text) {
            Some(_) => Ok(CountryCode(text.to_owned())),
            None => Err(format!(
                "{text:?} is not an ISO 3166-1 alpha-2 country code"
            )),
        }
    }

    /// The country's display name.
    pub fn name(&self) -> &'static str {
        reference()
            .country(&self.0)
            .map_or("", |c| c.display_name())
    }
}
text_type!(CountryCode);

/// An ISO 4217 currency code in current use.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CurrencyCode(String);

impl CurrencyCode {
    pub fn parse(text: &str) -> Result<Self, String> {
        if reference().is_currency(text) {
            Ok(CurrencyCode(text.to_owned()))
        } else {
            Err(format!("{text:?} is not an ISO 4217 currency code"))
        }
    }

    pub fn gbp() -> Self {
        CurrencyCode("GBP".to_owned())
    }
}
text_type!(CurrencyCode);

/// An ISO 639-1 language code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LanguageCode(String);

impl LanguageCode {
    pub fn parse(text: &str) -> Result<Self, String> {
        if reference().is_language(text) {
            Ok(LanguageCode(text.to_owned()))
        } else {
            Err(format!("{text:?} is not an ISO 639-1 language code"))
        }
    }
}
text_type!(LanguageCode);

/// An active NHS Data Dictionary treatment function code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpecialtyCode(String);

impl SpecialtyCode {
    pub fn parse(text: &str) -> Result<Self, String> {
        match reference().specialty(text) {
            Some(s) if s.is_active() => Ok(SpecialtyCode(text.to_owned())),
            Some(_) => Err(format!("treatment function code {text:?} is retired")),
            None => Err(format!("{text:?} is not a treatment function code")),
        }
    }

    /// The specialty's name without the trailing "Service".
    pub fn name(&self) -> &'static str {
        reference()
            .specialty(&self.0)
            .map_or("", |s| s.short_name())
    }

    /// The group the specialty belongs to (e.g. "Surgical Specialties").
    pub fn group(&self) -> &'static str {
        reference()
            .specialty(&self.0)
            .map_or("", |s| s.group.as_str())
    }
}
text_type!(SpecialtyCode);

/// A Health Innovation Network code (e.g. `HI-YH`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NetworkCode(String);

impl NetworkCode {
    pub fn parse(text: &str) -> Result<Self, String> {
        match reference().network(text) {
            Some(_) => Ok(NetworkCode(text.to_owned())),
            None => Err(format!(
                "{text:?} is not a network code (expected one of {})",
                reference()
                    .networks()
                    .map(|n| n.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    pub fn name(&self) -> &'static str {
        reference().network(&self.0).map_or("", |n| n.name.as_str())
    }
}
text_type!(NetworkCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_accept_ods_codes_and_ocids() {
        assert!(OrganisationId::parse("RR8").is_ok());
        assert!(OpportunityId::parse("ocds-213czf-000-00001").is_ok());
        assert!(OfferId::parse("RR8-onc-edu").is_ok());
    }

    #[test]
    fn ids_refuse_spaces_slashes_and_empty_text() {
        assert!(OrganisationId::parse("").is_err());
        assert!(OrganisationId::parse("a b").unwrap_err().contains("' '"));
        assert!(OrganisationId::parse("a/b").is_err());
        assert!(OrganisationId::parse(&"x".repeat(129)).is_err());
    }

    #[test]
    fn codes_are_checked_against_reference_data() {
        assert!(CountryCode::parse("JO").is_ok());
        assert!(CountryCode::parse("jo").is_err());
        assert!(CurrencyCode::parse("JOD").is_ok());
        assert!(CurrencyCode::parse("XYZ").is_err());
        assert!(SpecialtyCode::parse("370").is_ok());
        assert!(SpecialtyCode::parse("510").unwrap_err().contains("retired"));
        assert!(SpecialtyCode::parse("999").is_err());
        assert!(NetworkCode::parse("HI-YH").is_ok());
        assert!(NetworkCode::parse("YHAHSN").is_err());
        assert_eq!(SpecialtyCode::parse("130").unwrap().name(), "Ophthalmology");
    }
}
