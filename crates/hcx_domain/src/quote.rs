//! The life of a quote and the reinvestment pot its profit feeds.
//!
//! A quote is drafted by its provider (or the agency), priced by
//! [`crate::pricing`], issued to the buyer, and accepted or rejected; it may
//! be withdrawn before an answer. Each change of its figures is a new
//! version; an accepted quote is frozen. When a quote is accepted, a share of
//! its profit (the margin over cost) is held back in the provider's
//! reinvestment pot, a ledger whose balance never falls below zero.

use serde::{Deserialize, Serialize};

use crate::pricing::WHOLE_BP;

/// Share of an accepted quote's profit held back for reinvestment unless
/// configured otherwise: a fifth, so that most of the margin still returns
/// to the departments whose staff did the work.
pub const DEFAULT_REINVESTMENT_BP: u32 = 2_000;

/// Where a quote stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuoteStatus {
    /// Being priced; the buyer sees only versions issued before.
    Draft,
    /// Sent to the buyer, awaiting an answer.
    Issued,
    /// Accepted by the buyer: frozen.
    Accepted,
    /// Turned down by the buyer; a new version may be drafted.
    Rejected,
    /// Withdrawn by the provider: closed.
    Withdrawn,
}

/// A step of a quote's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteStep {
    /// A new version of the figures.
    Revise,
    Issue,
    Accept,
    Reject,
    Withdraw,
}

/// A step the quote's status does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a quote that is {} cannot be {}", .status.label().to_lowercase(), .step.past())]
pub struct StepRefused {
    pub status: QuoteStatus,
    pub step: QuoteStep,
}

impl QuoteStatus {
    pub const ALL: &'static [QuoteStatus] = &[
        QuoteStatus::Draft,
        QuoteStatus::Issued,
        QuoteStatus::Accepted,
        QuoteStatus::Rejected,
        QuoteStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuoteStatus::Draft => "draft",
            QuoteStatus::Issued => "issued",
            QuoteStatus::Accepted => "accepted",
            QuoteStatus::Rejected => "rejected",
            QuoteStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            QuoteStatus::Draft => "Draft",
            QuoteStatus::Issued => "Issued",
            QuoteStatus::Accepted => "Accepted",
            QuoteStatus::Rejected => "Rejected",
            QuoteStatus::Withdrawn => "Withdrawn",
        }
    }

    pub fn read(text: &str) -> Result<QuoteStatus, String> {
        QuoteStatus::ALL
            .iter()
            .copied()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| {
                format!(
                    "{text:?} is not a quote status (draft, issued, accepted, rejected, withdrawn)"
                )
            })
    }

    /// The status after `step`, or why the step is refused: a new version
    /// returns an issued or rejected quote to draft; only an issued quote is
    /// answered; accepted and withdrawn quotes are closed.
    pub fn after(self, step: QuoteStep) -> Result<QuoteStatus, StepRefused> {
        use QuoteStatus::*;
        let next = match (step, self) {
            (QuoteStep::Revise, Draft | Issued | Rejected) => Some(Draft),
            (QuoteStep::Issue, Draft) => Some(Issued),
            (QuoteStep::Accept, Issued) => Some(Accepted),
            (QuoteStep::Reject, Issued) => Some(Rejected),
            (QuoteStep::Withdraw, Draft | Issued | Rejected) => Some(Withdrawn),
            _ => None,
        };
        next.ok_or(StepRefused { status: self, step })
    }
}

impl QuoteStep {
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteStep::Revise => "revise",
            QuoteStep::Issue => "issue",
            QuoteStep::Accept => "accept",
            QuoteStep::Reject => "reject",
            QuoteStep::Withdraw => "withdraw",
        }
    }

    fn past(self) -> &'static str {
        match self {
            QuoteStep::Revise => "given a new version",
            QuoteStep::Issue => "issued",
            QuoteStep::Accept => "accepted",
            QuoteStep::Reject => "rejected",
            QuoteStep::Withdraw => "withdrawn",
        }
    }
}

/// Settings of quoting (`[quotes]` in the configuration file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuoteConfig {
    /// Share of an accepted quote's profit held back in the provider's
    /// reinvestment pot, in basis points (2000 = 20%).
    pub reinvestment_bp: u32,
}

impl Default for QuoteConfig {
    fn default() -> Self {
        QuoteConfig {
            reinvestment_bp: DEFAULT_REINVESTMENT_BP,
        }
    }
}

impl QuoteConfig {
    /// The settings, or why they cannot be used.
    pub fn check(&self) -> Result<(), String> {
        if self.reinvestment_bp > WHOLE_BP {
            return Err(format!(
                "reinvestment_bp must be from 0 to {WHOLE_BP}, not {}",
                self.reinvestment_bp
            ));
        }
        Ok(())
    }
}

/// What an entry of the reinvestment ledger records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LedgerKind {
    /// Held back from an accepted quote's profit.
    Credit,
    /// Money taken out of the pot for a new engagement.
    Spend,
    /// A correction, either way, with its reason.
    Adjustment,
}

impl LedgerKind {
    pub const ALL: &'static [LedgerKind] = &[
        LedgerKind::Credit,
        LedgerKind::Spend,
        LedgerKind::Adjustment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::Credit => "credit",
            LedgerKind::Spend => "spend",
            LedgerKind::Adjustment => "adjustment",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LedgerKind::Credit => "Held back from a quote",
            LedgerKind::Spend => "Spent",
            LedgerKind::Adjustment => "Adjustment",
        }
    }

    pub fn read(text: &str) -> Result<LedgerKind, String> {
        LedgerKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| format!("{text:?} is not a ledger entry (credit, spend, adjustment)"))
    }
}

/// The share `bp` of a profit, rounded half up to the penny; nothing of a loss.
pub fn reinvestment_credit(profit_pence: i64, bp: u32) -> i64 {
    if profit_pence <= 0 {
        return 0;
    }
    ((profit_pence as i128 * bp as i128 * 2 + WHOLE_BP as i128) / (2 * WHOLE_BP as i128)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accepted_quote_is_frozen_and_a_rejected_one_may_be_revised() {
        use QuoteStatus::*;
        assert_eq!(Draft.after(QuoteStep::Issue), Ok(Issued));
        assert_eq!(Issued.after(QuoteStep::Accept), Ok(Accepted));
        assert_eq!(Issued.after(QuoteStep::Revise), Ok(Draft));
        assert_eq!(Rejected.after(QuoteStep::Revise), Ok(Draft));
        for step in [
            QuoteStep::Revise,
            QuoteStep::Issue,
            QuoteStep::Accept,
            QuoteStep::Reject,
            QuoteStep::Withdraw,
        ] {
            assert!(Accepted.after(step).is_err(), "{step:?}");
            assert!(Withdrawn.after(step).is_err(), "{step:?}");
        }
        assert_eq!(
            Draft.after(QuoteStep::Accept).unwrap_err().to_string(),
            "a quote that is draft cannot be accepted"
        );
    }

    #[test]
    fn statuses_and_ledger_kinds_read_back() {
        for s in QuoteStatus::ALL {
            assert_eq!(QuoteStatus::read(s.as_str()), Ok(*s));
        }
        for k in LedgerKind::ALL {
            assert_eq!(LedgerKind::read(k.as_str()), Ok(*k));
        }
        assert!(QuoteStatus::read("sent").is_err());
    }

    #[test]
    fn the_credit_is_the_share_of_profit_rounded_half_up() {
        // 20% of £15,911.64 is £3,182.328 → £3,182.33.
        assert_eq!(reinvestment_credit(1_591_164, 2_000), 318_233);
        assert_eq!(reinvestment_credit(5, 1_000), 1);
        assert_eq!(reinvestment_credit(-100, 2_000), 0);
        assert!(
            QuoteConfig {
                reinvestment_bp: 10_001
            }
            .check()
            .is_err()
        );
        assert_eq!(QuoteConfig::default().reinvestment_bp, 2_000);
    }
}
