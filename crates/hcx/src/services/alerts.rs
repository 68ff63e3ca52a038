//! Alerts of new opportunities: people subscribe (a saved search, or
//! whatever fits their organisation's offers), read their notifications,
//! follow a feed, and unsubscribe with one click.

use hcx_domain::access::Verb;
use hcx_domain::vocab::{OrgKind, ServiceLine, Source};
use hcx_domain::{
    CountryCode, FieldError, Invalid, Opportunity, OrganisationId, Record, SpecialtyCode, Status,
    ValueBand,
};
use hcx_search::OpportunityQuery;
use hcx_store::{NewSubscription, Notification, Subscription};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::accounts::random_token;
use super::{App, Caller, ServiceError};

/// Notifications a list or a feed shows.
pub const RECENT: i64 = 100;

/// What a subscription listens for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// New opportunities a saved search finds.
    Search,
    /// New opportunities the organisation's offers fit, as matchmaking ranks them.
    MyOffers,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::Search => "search",
            AlertKind::MyOffers => "my_offers",
        }
    }

    pub fn parse(s: &str) -> Option<AlertKind> {
        match s {
            "search" => Some(AlertKind::Search),
            "my_offers" => Some(AlertKind::MyOffers),
            _ => None,
        }
    }
}

/// When a subscription's e-mails go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// One e-mail per fan-out, as soon as the opportunity is published.
    Immediate,
    /// One e-mail a day listing the day's matches.
    Daily,
}

impl Cadence {
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Immediate => "immediate",
            Cadence::Daily => "daily",
        }
    }

    pub fn parse(s: &str) -> Option<Cadence> {
        match s {
            "immediate" => Some(Cadence::Immediate),
            "daily" => Some(Cadence::Daily),
            _ => None,
        }
    }
}

/// A saved opportunity search: the fields of the search page, as codes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SavedSearch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub service_lines: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub specialties: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub value_bands: Vec<String>,
}

impl SavedSearch {
    /// The search a query asks for, as it is saved.
    pub fn of(q: &OpportunityQuery) -> SavedSearch {
        fn codes<T>(values: &[T], code: impl Fn(&T) -> String) -> Vec<String> {
            values.iter().map(code).collect()
        }
        SavedSearch {
            text: q.text.clone(),
            countries: codes(&q.countries, ToString::to_string),
            service_lines: codes(&q.service_lines, |s| s.as_str().to_owned()),
            specialties: codes(&q.specialties, ToString::to_string),
            statuses: codes(&q.statuses, |s| s.as_str().to_owned()),
            sources: codes(&q.sources, |s| s.as_str().to_owned()),
            value_bands: codes(&q.value_bands, |b| b.as_str().to_owned()),
        }
    }

    /// The search as a query, or every code that names nothing.
    pub fn query(&self) -> Result<OpportunityQuery, Invalid> {
        let mut errors = Vec::new();
        fn read<T>(
            field: &str,
            values: &[String],
            parse: impl Fn(&str) -> Option<T>,
            errors: &mut Vec<FieldError>,
        ) -> Vec<T> {
            let mut out = Vec::new();
            for (i, v) in values.iter().enumerate() {
                match parse(v) {
                    Some(t) => out.push(t),
                    None => errors.push(FieldError::new(
                        format!("search.{field}[{i}]"),
                        format!("{v:?} is not a known value"),
                    )),
                }
            }
            out
        }
        let query = OpportunityQuery {
            text: self
                .text
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            countries: read(
                "countries",
                &self.countries,
                |v| CountryCode::parse(v).ok(),
                &mut errors,
            ),
            service_lines: read(
                "service_lines",
                &self.service_lines,
                ServiceLine::parse,
                &mut errors,
            ),
            specialties: read(
                "specialties",
                &self.specialties,
                |v| SpecialtyCode::parse(v).ok(),
                &mut errors,
            ),
            statuses: read("statuses", &self.statuses, Status::parse, &mut errors),
            sources: read("sources", &self.sources, Source::parse, &mut errors),
            value_bands: read(
                "value_bands",
                &self.value_bands,
                ValueBand::parse,
                &mut errors,
            ),
            ..OpportunityQuery::default()
        };
        if errors.is_empty() {
            Ok(query)
        } else {
            Err(Invalid(errors))
        }
    }

    /// The search in words, for lists: `"diabetes" in Kuwait, Jordan`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(text) = &self.text {
            parts.push(format!("“{text}”"));
        }
        let names = |codes: &[String], name: fn(&str) -> Option<String>| {
            codes
                .iter()
                .map(|c| name(c).unwrap_or_else(|| c.clone()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.countries.is_empty() {
            parts.push(format!(
                "in {}",
                names(&self.countries, |c| CountryCode::parse(c)
                    .ok()
                    .map(|c| c.name().to_owned()))
            ));
        }
        if !self.specialties.is_empty() {
            parts.push(names(&self.specialties, |c| {
                SpecialtyCode::parse(c).ok().map(|c| c.name().to_owned())
            }));
        }
        if !self.service_lines.is_empty() {
            parts.push(names(&self.service_lines, |c| {
                ServiceLine::parse(c).map(|s| s.label().to_owned())
            }));
        }
        for codes in [&self.statuses, &self.sources, &self.value_bands] {
            if !codes.is_empty() {
                parts.push(codes.join(", "));
            }
        }
        if parts.is_empty() {
            "every new opportunity".to_owned()
        } else {
            parts.join(" · ")
        }
    }
}

/// A subscription to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    pub kind: AlertKind,
    /// The organisation it is for; a provider's people may leave it out
    /// when they belong to one provider.
    pub organisation: Option<String>,
    /// For `search`.
    pub search: Option<SavedSearch>,
    pub cadence: Cadence,
}

/// A notification with the opportunity it brings.
#[derive(Debug, Clone)]
pub struct Notice {
    pub notification: Notification,
    pub opportunity: Opportunity,
}

/// The `user:ID` of a signed-in person, or why there is none.
fn person_of(caller: &Caller) -> Result<&str, ServiceError> {
    match caller.actor.id.strip_prefix("user:") {
        Some(id) if caller.actor.role.is_some() => Ok(id),
        _ if caller.actor.role.is_none() => Err(ServiceError::SignIn),
        _ => Err(ServiceError::Forbidden(
            "alerts belong to people: sign in with your own account".into(),
        )),
    }
}

fn invalid(field: &str, reason: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(Invalid(vec![FieldError::new(field, reason)]))
}

impl App {
    /// Subscribes the caller: provider people for their own organisation,
    /// the agency for any.
    pub async fn subscribe(
        &self,
        caller: &Caller,
        alert: &NewAlert,
    ) -> Result<Subscription, ServiceError> {
        let user = person_of(caller)?;
        let organisation = match alert.organisation.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => Some(OrganisationId::parse(id).map_err(|e| {
                invalid(
                    "organisation",
                    format!("{id:?} is not an organisation id: {e}"),
                )
            })?),
            // One provider among the person's organisations is the one meant.
            _ => {
                let providers: Vec<_> = caller
                    .actor
                    .memberships
                    .iter()
                    .filter(|m| matches!(m.kind, OrgKind::Provider | OrgKind::Partner))
                    .collect();
                match providers[..] {
                    [only] => Some(only.organisation.clone()),
                    _ => None,
                }
            }
        };
        caller
            .actor
            .check_subscribe(organisation.as_ref())
            .map_err(|d| super::access::denied(d, "organisation", ""))?;
        let query =
            match alert.kind {
                AlertKind::Search => {
                    let search = alert.search.clone().unwrap_or_default();
                    search.query()?;
                    Some(serde_json::to_string(&search).map_err(|e| {
                        ServiceError::Internal(format!("cannot save the search: {e}"))
                    })?)
                }
                AlertKind::MyOffers => {
                    let Some(org) = &organisation else {
                        return Err(invalid(
                            "organisation",
                            "say which provider's offers the alert is for",
                        ));
                    };
                    let found = self
                        .store
                        .organisation(org.as_str())
                        .await?
                        .ok_or_else(|| {
                            invalid("organisation", format!("organisation {org} does not exist"))
                        })?;
                    if !found.record.can_offer() {
                        return Err(invalid(
                            "organisation",
                            format!(
                                "{} has no offers: it is not a provider or partner",
                                found.record.name
                            ),
                        ));
                    }
                    None
                }
            };
        let new = NewSubscription {
            id: random_token(9),
            user_id: user.to_owned(),
            organisation_id: organisation.map(|o| o.to_string()),
            kind: alert.kind.as_str().to_owned(),
            query,
            cadence: alert.cadence.as_str().to_owned(),
            token: random_token(24),
        };
        Ok(self
            .store
            .create_subscription(&new, &caller.author())
            .await?)
    }

    /// The caller's own subscriptions, newest first.
    pub async fn alerts(&self, caller: &Caller) -> Result<Vec<Subscription>, ServiceError> {
        let user = person_of(caller)?;
        Ok(self.store.subscriptions_of(user).await?)
    }

    /// One of the caller's subscriptions; another's is not found.
    async fn own_alert(&self, caller: &Caller, id: &str) -> Result<Subscription, ServiceError> {
        let user = person_of(caller)?;
        self.store
            .subscription(id)
            .await?
            .filter(|s| s.user_id == user)
            .ok_or_else(|| ServiceError::NotFound {
                kind: "alert",
                id: id.to_owned(),
            })
    }

    /// Deletes one of the caller's subscriptions.
    pub async fn delete_alert(&self, caller: &Caller, id: &str) -> Result<(), ServiceError> {
        self.own_alert(caller, id).await?;
        Ok(self.store.delete_subscription(id, &caller.author()).await?)
    }

    /// The subscription an unsubscribe link names.
    pub async fn alert_of_token(&self, token: &str) -> Result<Subscription, ServiceError> {
        self.store
            .subscription_by_token(token)
            .await?
            .ok_or_else(|| ServiceError::NotFound {
                kind: "unsubscribe link",
                id: String::new(),
            })
    }

    /// The one-click unsubscribe: whoever holds the link stops the alert.
    pub async fn unsubscribe(
        &self,
        caller: &Caller,
        token: &str,
    ) -> Result<Subscription, ServiceError> {
        let found = self.alert_of_token(token).await?;
        let author = hcx_store::Author {
            actor_id: format!("link:{}", found.id),
            actor_name: "unsubscribe link".into(),
            request_id: caller.request_id.clone(),
        };
        self.store
            .deactivate_subscription(&found.id, &author)
            .await?;
        Ok(Subscription {
            active: false,
            ..found
        })
    }

    /// A subscription's recent matches for its feed, for whoever holds its
    /// token (feeds are fetched without cookies); a wrong token is not found.
    pub async fn feed(
        &self,
        id: &str,
        token: &str,
    ) -> Result<(Subscription, Vec<Notice>), ServiceError> {
        let not_found = || ServiceError::NotFound {
            kind: "feed",
            id: id.to_owned(),
        };
        let found = self.store.subscription(id).await?.ok_or_else(not_found)?;
        if token.is_empty() || !bool::from(found.token.as_bytes().ct_eq(token.as_bytes())) {
            return Err(not_found());
        }
        let notifications = self.store.notifications_of_subscription(id, RECENT).await?;
        let notices = self.notices(notifications, &Caller::anonymous()).await?;
        Ok((found, notices))
    }

    /// The caller's recent notifications, newest first.
    pub async fn notifications(&self, caller: &Caller) -> Result<Vec<Notice>, ServiceError> {
        let user = person_of(caller)?;
        let notifications = self.store.notifications_of(user, RECENT).await?;
        self.notices(notifications, caller).await
    }

    /// Notifications with their opportunities, those `caller` may read.
    async fn notices(
        &self,
        notifications: Vec<Notification>,
        caller: &Caller,
    ) -> Result<Vec<Notice>, ServiceError> {
        let mut ids: Vec<String> = notifications
            .iter()
            .map(|n| n.opportunity_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        let opportunities: std::collections::HashMap<String, Opportunity> = self
            .store
            .opportunities_by_ids(&ids)
            .await?
            .into_iter()
            .map(|v| (v.record.id.to_string(), v.record))
            .filter(|(_, o)| {
                caller
                    .check(Verb::Read, &Record::Opportunity(o.clone()))
                    .is_ok()
            })
            .collect();
        Ok(notifications
            .into_iter()
            .filter_map(|n| {
                let opportunity = opportunities.get(&n.opportunity_id)?.clone();
                Some(Notice {
                    notification: n,
                    opportunity,
                })
            })
            .collect())
    }

    /// How many of the caller's notifications are unread, of opportunities
    /// and of hits on cases (none for visitors).
    pub async fn unread(&self, caller: &Caller) -> Result<i64, ServiceError> {
        match person_of(caller) {
            Ok(user) => Ok(self.store.unread_count(user).await?
                + self.store.unread_case_notifications(user).await?),
            Err(_) => Ok(0),
        }
    }

    /// Marks one of the caller's notifications read.
    pub async fn mark_read(&self, caller: &Caller, id: i64) -> Result<(), ServiceError> {
        let user = person_of(caller)?;
        Ok(self.store.mark_read(user, id, &caller.author()).await?)
    }

    /// The page of an opportunity, for links that leave hcx.
    pub fn opportunity_url(&self, id: &str) -> String {
        format!("{}/opportunities/{id}", self.alerting.public_url)
    }

    /// The one-click unsubscribe address of a subscription.
    pub fn unsubscribe_url(&self, s: &Subscription) -> String {
        format!(
            "{}/alerts/unsubscribe/{}",
            self.alerting.public_url, s.token
        )
    }

    /// The Atom feed address of a subscription.
    pub fn feed_url(&self, s: &Subscription) -> String {
        format!(
            "{}/alerts/{}/feed.atom?token={}",
            self.alerting.public_url, s.id, s.token
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_search_keeps_every_field_of_the_query_and_refuses_unknown_codes() {
        let q = OpportunityQuery {
            text: Some("diabetes".into()),
            countries: vec![CountryCode::parse("KW").unwrap()],
            statuses: vec![Status::Published],
            ..OpportunityQuery::default()
        };
        let saved = SavedSearch::of(&q);
        let back = saved.query().unwrap();
        assert_eq!(
            (back.text, back.countries, back.statuses),
            (q.text, q.countries, q.statuses)
        );
        assert_eq!(saved.describe(), "“diabetes” · in Kuwait · published");
        let wrong = SavedSearch {
            countries: vec!["XX".into()],
            ..SavedSearch::default()
        };
        let errors = wrong.query().unwrap_err();
        assert_eq!(errors.0[0].field, "search.countries[0]");
    }
}
