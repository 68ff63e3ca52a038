//! The hcx domain: the vocabulary of healthcare export matchmaking and the
//! rules over it, as plain data and pure functions (no I/O, no async).
//!
//! Raw input becomes a validated type once, at the edge, through [`fields`]:
//! every problem in a record is collected with the field it concerns.

pub mod access;
pub mod agreement;
pub mod codes;
pub mod consortium;
pub mod diligence;
pub mod fields;
pub mod interchange;
pub mod matching;
pub mod money;
pub mod ocds;
pub mod offer;
pub mod opportunity;
pub mod org_csv;
pub mod organisation;
pub mod pricing;
pub mod quote;
pub mod reference;
pub mod screening;
pub mod strategy;
pub mod synonyms;
pub mod text;
pub mod twinning;
pub mod vocab;

pub use codes::{
    CaseId, CountryCode, CurrencyCode, LanguageCode, NetworkCode, OfferId, OpportunityId,
    OrganisationId, PersonId, QuoteId, SpecialtyCode, StrategyId,
};
pub use fields::{FieldError, Invalid};
pub use interchange::{Batch, LineError, Location, Record};
pub use money::{Money, ValueBand};
pub use offer::Offer;
pub use opportunity::{Action, Opportunity, Status};
pub use organisation::Organisation;
pub use strategy::Strategy;
