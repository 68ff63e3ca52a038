//! Domain values as people read them: dates, money with a pounds estimate,
//! names for ids, and the one-line summary of an opportunity that several
//! pages list.

use std::collections::HashMap;

use axum::http::StatusCode;
use hcx_domain::access::View;
use hcx_domain::money::group_thousands;
use hcx_domain::opportunity::format_date;
use hcx_domain::{FieldError, Money, Opportunity, Status};
use hcx_store::{Store, Versioned};

use crate::services::{App, Caller, ServiceError};
use crate::web::error::PageError;

/// A calendar date, machine-readable and as people write it.
#[derive(Debug, Clone)]
pub struct DateView {
    /// `2027-03-31`, for `<time datetime>`.
    pub iso: String,
    /// `31 March 2027`.
    pub text: String,
}

impl DateView {
    pub fn of(date: time::Date) -> DateView {
        DateView {
            iso: format_date(date),
            text: format!("{} {} {}", date.day(), date.month(), date.year()),
        }
    }
}

/// A stored time (milliseconds since the epoch) as `4 March 2026, 10:22 UTC`.
pub fn timestamp(ms: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) else {
        return String::new();
    };
    format!(
        "{} {} {}, {:02}:{:02} UTC",
        t.day(),
        t.month(),
        t.year(),
        t.hour(),
        t.minute()
    )
}

/// An amount in its own currency, with what it is worth in pounds when that is known.
#[derive(Debug, Clone)]
pub struct MoneyView {
    /// `JOD 1,200,000`.
    pub text: String,
    /// `£1,339,890` at the shipped rates, for amounts in other currencies.
    pub gbp: Option<String>,
}

impl MoneyView {
    pub fn of(money: &Money) -> MoneyView {
        let gbp = match money.currency.as_str() {
            "GBP" => None,
            _ => money.to_gbp_pence().map(pounds),
        };
        MoneyView {
            text: money.to_string(),
            gbp,
        }
    }
}

/// Pence as whole pounds: `£1,339,890`.
pub fn pounds(pence: i64) -> String {
    format!("£{}", group_thousands((pence + 50).div_euclid(100), 0))
}

/// What a list shows of an opportunity.
#[derive(Debug, Clone)]
pub struct OpportunitySummary {
    pub id: String,
    pub title: String,
    pub buyer_id: String,
    /// None when the viewer may not know the buyer.
    pub buyer_name: Option<String>,
    pub country: &'static str,
    pub status: Status,
    pub value: Option<MoneyView>,
    pub response_due: Option<DateView>,
}

impl OpportunitySummary {
    fn of(o: &Opportunity, names: Option<&HashMap<String, String>>) -> OpportunitySummary {
        OpportunitySummary {
            id: o.id.to_string(),
            title: o.title.clone(),
            buyer_id: o.buyer.to_string(),
            buyer_name: names.map(|names| {
                names
                    .get(o.buyer.as_str())
                    .cloned()
                    .unwrap_or_else(|| o.buyer.to_string())
            }),
            country: o.country.name(),
            status: o.status,
            value: o.value.as_ref().map(MoneyView::of),
            response_due: o.response_due.map(DateView::of),
        }
    }

    /// Summaries of stored opportunities, with their buyers' names when the
    /// viewer may know them.
    pub async fn list(
        store: &Store,
        caller: &Caller,
        found: &[Versioned<Opportunity>],
    ) -> Result<Vec<OpportunitySummary>, ServiceError> {
        let names = if caller.actor.opportunity_view() == View::Full {
            Some(names_of(store, found.iter().map(|o| o.record.buyer.as_str())).await?)
        } else {
            None
        };
        Ok(found
            .iter()
            .map(|o| OpportunitySummary::of(&o.record, names.as_ref()))
            .collect())
    }
}

/// Who an audit id names, as people read it: an account's name, or the command line.
pub async fn person_name(app: &App, actor_id: &str) -> Result<String, ServiceError> {
    Ok(match actor_id.split_once(':') {
        Some(("user", id)) => app
            .store
            .user(id)
            .await?
            .map_or_else(|| actor_id.to_owned(), |u| u.name),
        Some(("cli", name)) => format!("{name} (command line)"),
        _ => actor_id.to_owned(),
    })
}

/// The names of the organisations with these ids, in one query.
pub async fn names_of(
    store: &Store,
    ids: impl Iterator<Item = &str>,
) -> Result<HashMap<String, String>, ServiceError> {
    let mut ids: Vec<String> = ids.map(str::to_owned).collect();
    ids.sort();
    ids.dedup();
    Ok(store.organisation_names_of(&ids).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcx_domain::CurrencyCode;
    use serde_json::json;

    #[test]
    fn foreign_amounts_carry_a_pounds_estimate_and_pounds_do_not() {
        let usd =
            Money::from_major(&json!(1_339_890), CurrencyCode::parse("USD").unwrap()).unwrap();
        let view = MoneyView::of(&usd);
        assert_eq!(view.text, "USD 1,339,890");
        assert!(
            view.gbp
                .as_deref()
                .is_some_and(|g| g.starts_with("£1,000,") || g.starts_with("£999,"))
        );
        let gbp = Money::gbp_pounds(&json!(250_000)).unwrap();
        assert!(MoneyView::of(&gbp).gbp.is_none());
    }

    #[test]
    fn dates_read_as_people_write_them() {
        let d = time::macros::date!(2027 - 03 - 31);
        let view = DateView::of(d);
        assert_eq!(
            (view.iso.as_str(), view.text.as_str()),
            ("2027-03-31", "31 March 2027")
        );
        assert_eq!(timestamp(0), "1 January 1970, 00:00 UTC");
        assert_eq!(pounds(149), "£1");
    }
}

/// Why a step was refused, as the page shows it: the sentence and each field.
#[derive(Debug, Default)]
pub struct Refusal {
    pub message: String,
    pub details: Vec<FieldError>,
}

impl Refusal {
    /// A refused step that the page shows again with its reason (out of
    /// turn or stale, not the viewer's to take, or input refused), with its
    /// status; any other error is the error page's.
    pub fn of(e: ServiceError) -> Result<(StatusCode, Refusal), PageError> {
        let (status, _) = crate::web::error::describe(&e);
        match e {
            ServiceError::Invalid(invalid) => Ok((
                status,
                Refusal {
                    message: "Some of what was sent was refused:".into(),
                    details: invalid.0,
                },
            )),
            e @ (ServiceError::Conflict(_) | ServiceError::Forbidden(_)) => Ok((
                status,
                Refusal {
                    message: e.to_string(),
                    details: Vec::new(),
                },
            )),
            e => Err(e.into()),
        }
    }
}
