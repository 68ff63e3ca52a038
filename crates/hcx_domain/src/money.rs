//! Money as integer minor units with a currency, and conversion to pounds.

use std::fmt;

use serde_json::{Number, Value};

use crate::codes::CurrencyCode;
use crate::fields::{Fields, kind_of};
use crate::reference::reference;

/// An amount in a currency's minor units (pence, fils, cents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: CurrencyCode,
}

/// Largest amount accepted, in major units: far above any real contract,
/// far below where minor units could overflow.
const MAX_MAJOR: f64 = 1e12;

impl Money {
    /// Reads an amount in major units (as sources write it), refusing
    /// negative values and more decimals than the currency has.
    pub fn from_major(amount: &Value, currency: CurrencyCode) -> Result<Money, String> {
        let minor = major_to_minor(amount, reference().minor_unit_digits(currency.as_str()))?;
        Ok(Money { minor, currency })
    }

    pub fn gbp_pounds(amount: &Value) -> Result<Money, String> {
        Money::from_major(amount, CurrencyCode::gbp())
    }

    /// The amount in major units as a JSON number: whole when it is whole.
    pub fn major_json(&self) -> Value {
        minor_to_major_json(
            self.minor,
            reference().minor_unit_digits(self.currency.as_str()),
        )
    }

    /// The amount in pounds with the shipped exchange rates, if the currency is quoted.
    pub fn to_gbp_pence(&self) -> Option<i64> {
        if self.currency.as_str() == "GBP" {
            return Some(self.minor);
        }
        let rate = reference().units_per_gbp(self.currency.as_str())?;
        let digits = reference().minor_unit_digits(self.currency.as_str());
        let major = self.minor as f64 / 10f64.powi(digits as i32);
        Some((major / rate * 100.0).round() as i64)
    }

    /// Reads `{"amount": 1200000, "currency": "JOD"}`.
    pub fn read(f: &mut Fields) -> Option<Money> {
        let currency = f.required("currency", crate::fields::code(CurrencyCode::parse));
        let amount = f.required("amount", |v| Ok(v.clone()));
        let (currency, amount) = (currency?, amount?);
        match Money::from_major(&amount, currency) {
            Ok(m) => Some(m),
            Err(reason) => {
                f.error("amount", reason);
                None
            }
        }
    }

    pub fn to_json(&self) -> Value {
        serde_json::json!({"amount": self.major_json(), "currency": self.currency})
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = reference().minor_unit_digits(self.currency.as_str());
        write!(
            f,
            "{} {}",
            self.currency,
            group_thousands(self.minor, digits)
        )
    }
}

/// Formats minor units as `1,200,000` or `1,200,000.50` (decimals only when not whole).
pub fn group_thousands(minor: i64, digits: u32) -> String {
    let scale = 10i64.pow(digits);
    let (whole, frac) = (minor / scale, minor % scale);
    let s = whole.abs().to_string();
    let mut grouped = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if minor < 0 { "-" } else { "" };
    if frac == 0 {
        format!("{sign}{grouped}")
    } else {
        format!(
            "{sign}{grouped}.{:0width$}",
            frac.abs(),
            width = digits as usize
        )
    }
}

fn major_to_minor(amount: &Value, digits: u32) -> Result<i64, String> {
    let n = match amount {
        Value::Number(n) => n,
        Value::String(s) => {
            return s
                .trim()
                .parse::<Number>()
                .map_err(|_| format!("{s:?} is not a number"))
                .and_then(|n| major_to_minor(&Value::Number(n), digits));
        }
        other => return Err(format!("expected a number, found {}", kind_of(other))),
    };
    let scale = 10i64.pow(digits);
    if let Some(whole) = n.as_i64() {
        if whole < 0 {
            return Err("must not be negative".into());
        }
        if whole as f64 > MAX_MAJOR {
            return Err("is implausibly large".into());
        }
        return Ok(whole * scale);
    }
    let x = n.as_f64().ok_or("is not a finite number")?;
    if !x.is_finite() || x < 0.0 {
        return Err("must not be negative".into());
    }
    if x > MAX_MAJOR {
        return Err("is implausibly large".into());
    }
    let minor = (x * scale as f64).round();
    if (minor / scale as f64 - x).abs() > 1e-9 * x.max(1.0) {
        return Err(format!("has more than {digits} decimal places"));
    }
    Ok(minor as i64)
}

fn minor_to_major_json(minor: i64, digits: u32) -> Value {
    let scale = 10i64.pow(digits);
    if minor % scale == 0 {
        Value::from(minor / scale)
    } else {
        Value::from(minor as f64 / scale as f64)
    }
}

/// A band of contract value in pounds, for filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ValueBand {
    Under100k,
    From100kTo1m,
    From1mTo10m,
    Over10m,
    Unknown,
}

impl ValueBand {
    pub const ALL: [ValueBand; 5] = [
        ValueBand::Under100k,
        ValueBand::From100kTo1m,
        ValueBand::From1mTo10m,
        ValueBand::Over10m,
        ValueBand::Unknown,
    ];

    pub fn of_pence(pence: Option<i64>) -> ValueBand {
        match pence {
            None => ValueBand::Unknown,
            Some(p) if p < 10_000_000 => ValueBand::Under100k,
            Some(p) if p < 100_000_000 => ValueBand::From100kTo1m,
            Some(p) if p < 1_000_000_000 => ValueBand::From1mTo10m,
            Some(_) => ValueBand::Over10m,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ValueBand::Under100k => "under_100k",
            ValueBand::From100kTo1m => "100k_1m",
            ValueBand::From1mTo10m => "1m_10m",
            ValueBand::Over10m => "over_10m",
            ValueBand::Unknown => "unknown",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ValueBand::Under100k => "Under £100k",
            ValueBand::From100kTo1m => "£100k to £1m",
            ValueBand::From1mTo10m => "£1m to £10m",
            ValueBand::Over10m => "£10m and over",
            ValueBand::Unknown => "Value not known",
        }
    }

    pub fn parse(s: &str) -> Option<ValueBand> {
        ValueBand::ALL.into_iter().find(|b| b.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cur(c: &str) -> CurrencyCode {
        CurrencyCode::parse(c).unwrap()
    }

    #[test]
    fn amounts_become_minor_units_of_their_currency() {
        assert_eq!(
            Money::from_major(&json!(1200000), cur("JOD"))
                .unwrap()
                .minor,
            1_200_000_000
        );
        assert_eq!(
            Money::from_major(&json!(12.5), cur("GBP")).unwrap().minor,
            1250
        );
        assert_eq!(
            Money::from_major(&json!(500), cur("JPY")).unwrap().minor,
            500
        );
        assert_eq!(
            Money::from_major(&json!("99.99"), cur("USD"))
                .unwrap()
                .minor,
            9999
        );
    }

    #[test]
    fn bad_amounts_are_refused_with_a_reason() {
        assert!(
            Money::from_major(&json!(-1), cur("GBP"))
                .unwrap_err()
                .contains("negative")
        );
        assert!(
            Money::from_major(&json!(1.005), cur("GBP"))
                .unwrap_err()
                .contains("decimal")
        );
        assert!(Money::from_major(&json!(1.5), cur("JPY")).is_err());
        assert!(Money::from_major(&json!(true), cur("GBP")).is_err());
        assert!(Money::from_major(&json!(1e15), cur("GBP")).is_err());
    }

    #[test]
    fn major_units_are_written_back_exactly() {
        for (v, c) in [
            (json!(1200000), "JOD"),
            (json!(12.5), "GBP"),
            (json!(0.001), "KWD"),
        ] {
            let m = Money::from_major(&v, cur(c)).unwrap();
            assert_eq!(m.major_json(), v);
        }
    }

    #[test]
    fn conversion_to_pounds_uses_the_shipped_rates() {
        let gbp = Money::from_major(&json!(100), cur("GBP")).unwrap();
        assert_eq!(gbp.to_gbp_pence(), Some(10_000));
        let usd = Money::from_major(&json!(1_339_890), cur("USD")).unwrap();
        let pence = usd.to_gbp_pence().unwrap();
        assert!((pence - 100_000_000).abs() < 100, "{pence}");
        assert_eq!(
            Money::from_major(&json!(1), cur("KWD"))
                .unwrap()
                .to_gbp_pence(),
            None
        );
    }

    #[test]
    fn bands_split_at_round_pound_figures() {
        assert_eq!(ValueBand::of_pence(Some(9_999_999)), ValueBand::Under100k);
        assert_eq!(
            ValueBand::of_pence(Some(10_000_000)),
            ValueBand::From100kTo1m
        );
        assert_eq!(ValueBand::of_pence(Some(1_000_000_000)), ValueBand::Over10m);
        assert_eq!(ValueBand::of_pence(None), ValueBand::Unknown);
    }

    #[test]
    fn amounts_display_with_thousands_separators() {
        assert_eq!(group_thousands(120_000_000, 2), "1,200,000");
        assert_eq!(group_thousands(1_234_550, 2), "12,345.50");
        assert_eq!(group_thousands(5, 0), "5");
    }
}
