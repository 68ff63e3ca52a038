//! Screening partners and their people against sanctions and other lists.

pub mod entity;
pub mod index;
pub mod names;
pub mod normalise;
pub mod score;

/// The OFAC SDN list of 3 May 2024 in FollowTheMoney JSON Lines: a frozen
/// snapshot for the demo world and the tests, not a screening source (see
/// `data/sanctions/README.md`).
pub const OFAC_SAMPLE: &str =
    include_str!("../../../../data/sanctions/ofac_sdn_2024-05-03.ftm.jsonl");
