//! Screening partners and their people against sanctions and other lists.

pub mod entity;
pub mod index;
pub mod names;
pub mod normalise;
