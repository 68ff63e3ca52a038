//! Background jobs, run at least once from the `jobs` table: the fan-out of
//! newly published opportunities to their subscribers, the daily digest, and
//! the re-screening of due-diligence cases against a list just imported.
//! A failed job is tried again later, waiting longer each time, and never
//! holds up the others.

use std::collections::{BTreeMap, HashMap, HashSet};

use askama::Template;
use hcx_domain::access::{Actor, Verb};
use hcx_domain::vocab::Role;
use hcx_domain::{Opportunity, Record, Status};
use hcx_store::{FAN_OUT_JOB, Job, Notification, RESCREEN_JOB, Subscription};
use serde::Serialize;

use super::alerts::{AlertKind, Cadence, SavedSearch};
use super::mail::Email;
use super::{App, Caller, ServiceError};

/// The job that e-mails each daily subscription the day's matches.
pub const DIGEST_JOB: &str = "digest";
/// How long a worker holds a job it took before another may take it.
const LEASE_MS: i64 = 5 * 60_000;
/// Jobs read at a time.
const BATCH: i64 = 50;
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// Digests go out at this hour, UTC.
const DIGEST_HOUR: i64 = 7;

/// What one run of the due jobs did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobsRun {
    pub done: usize,
    pub failed: usize,
}

/// The wait before trying again after `attempts` failures: 30 seconds,
/// doubling, at most six hours.
pub fn backoff_ms(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    (30_000_i64 << doublings).min(6 * HOUR_MS)
}

/// When the next digest goes out after `now`.
pub fn next_digest_at(now: i64) -> i64 {
    let today = now.div_euclid(DAY_MS) * DAY_MS + DIGEST_HOUR * HOUR_MS;
    if today > now { today } else { today + DAY_MS }
}

/// The worker acts with the command line's rights: it runs inside hcx,
/// beside the database.
fn worker() -> Caller {
    Caller {
        actor: Actor {
            id: "worker:jobs".into(),
            name: "jobs worker".into(),
            role: Some(Role::Admin),
            memberships: Vec::new(),
        },
        request_id: None,
    }
}

/// An opportunity as an e-mail lists it.
#[derive(Debug)]
struct EmailItem {
    title: String,
    country: &'static str,
    url: String,
}

#[derive(Debug, Template)]
#[template(path = "email/alert.txt", escape = "none")]
struct AlertEmail<'a> {
    about: &'a str,
    items: &'a [EmailItem],
    feed: &'a str,
    unsubscribe: &'a str,
}

#[derive(Debug, serde::Deserialize)]
struct FanOut {
    opportunities: Vec<String>,
}

/// A re-screening names the list imported (and its version, for the record).
#[derive(Debug, serde::Deserialize)]
struct Rescreen {
    list: String,
}

/// A job's payload, read as what its kind expects.
fn payload<T: serde::de::DeserializeOwned>(job: &Job) -> Result<T, ServiceError> {
    serde_json::from_str(&job.payload)
        .map_err(|e| ServiceError::Internal(format!("job {} has a bad payload: {e}", job.id)))
}

impl App {
    /// Runs every job due at `now` once, each in turn; returns how many
    /// succeeded and how many failed (to be tried again later).
    pub async fn run_due_jobs(&self, now: i64) -> Result<JobsRun, ServiceError> {
        let mut run = JobsRun::default();
        loop {
            let due = self.store.due_jobs(now, BATCH).await?;
            if due.is_empty() {
                return Ok(run);
            }
            for job in due {
                // Taking a job moves it past `now`, so this loop ends.
                if !self.store.claim_job(&job, now + LEASE_MS).await? {
                    continue;
                }
                match self.run_job(&job, now).await {
                    Ok(()) => {
                        self.store.finish_job(job.id, now).await?;
                        run.done += 1;
                    }
                    Err(e) => {
                        let attempts = job.attempts + 1;
                        tracing::warn!(job = job.id, kind = %job.kind, attempts, error = %e, "job failed; it will be tried again");
                        self.store
                            .fail_job(job.id, &e.to_string(), now + backoff_ms(attempts))
                            .await?;
                        run.failed += 1;
                    }
                }
            }
        }
    }

    async fn run_job(&self, job: &Job, now: i64) -> Result<(), ServiceError> {
        match job.kind.as_str() {
            FAN_OUT_JOB => {
                let payload: FanOut = payload(job)?;
                for id in &payload.opportunities {
                    self.fan_out(id, now).await?;
                }
                self.email_pending(Cadence::Immediate).await
            }
            DIGEST_JOB => self.email_pending(Cadence::Daily).await,
            RESCREEN_JOB => {
                let payload: Rescreen = payload(job)?;
                self.rescreen(&worker(), &payload.list).await.map(|_| ())
            }
            other => Err(ServiceError::Internal(format!(
                "job {} is of an unknown kind {other:?}",
                job.id
            ))),
        }
    }

    /// Notifies the subscribers of one published opportunity: saved searches
    /// that find it, and providers whose offers fit it above the minimum score
    /// without a hard rule keeping them out; each only if the person may still
    /// subscribe for that organisation and see the opportunity. Returns the
    /// notifications made (none for pairs notified before).
    pub async fn fan_out(&self, id: &str, now: i64) -> Result<Vec<Notification>, ServiceError> {
        let Some(stored) = self.store.opportunity(id).await? else {
            return Ok(Vec::new());
        };
        let o = stored.record;
        if o.status != Status::Published {
            return Ok(Vec::new());
        }
        let subscriptions = self.store.active_subscriptions().await?;
        let fitting = if subscriptions
            .iter()
            .any(|s| s.kind == AlertKind::MyOffers.as_str())
        {
            self.fitting_providers(id).await?
        } else {
            HashSet::new()
        };
        let record = Record::Opportunity(o.clone());
        let mut opening = hcx_search::Opening::of(&o);
        let mut people: HashMap<String, Option<Actor>> = HashMap::new();
        let mut recipients = Vec::new();
        let mut daily = false;
        for s in &subscriptions {
            if !wants(s, &mut opening, &fitting) {
                continue;
            }
            if !people.contains_key(&s.user_id) {
                let actor = self.subscriber(&s.user_id).await?;
                people.insert(s.user_id.clone(), actor);
            }
            let Some(Some(actor)) = people.get(&s.user_id) else {
                continue;
            };
            let organisation = s
                .organisation_id
                .as_deref()
                .and_then(|o| hcx_domain::OrganisationId::parse(o).ok());
            if actor.check_subscribe(organisation.as_ref()).is_err()
                || actor.check(Verb::Read, &record).is_err()
            {
                continue;
            }
            daily |= s.cadence == Cadence::Daily.as_str();
            recipients.push((s.user_id.clone(), s.id.clone()));
        }
        let made = self
            .store
            .add_notifications(id, &recipients, &worker().author())
            .await?;
        if daily {
            self.store
                .ensure_job(DIGEST_JOB, "{}", next_digest_at(now))
                .await?;
        }
        Ok(made)
    }

    /// The providers matchmaking recommends for an opportunity.
    async fn fitting_providers(&self, id: &str) -> Result<HashSet<String>, ServiceError> {
        let report = self.match_opportunity(&worker(), id, usize::MAX).await?;
        Ok(report.matches.into_iter().map(|m| m.provider).collect())
    }

    /// The person behind a subscription, unless the account is gone or disabled.
    async fn subscriber(&self, user_id: &str) -> Result<Option<Actor>, ServiceError> {
        match self.store.user(user_id).await? {
            Some(user) if user.disabled_at.is_none() => {
                let role = user.role.clone();
                Ok(Some(self.actor_of(&user, &role, None).await?))
            }
            _ => Ok(None),
        }
    }

    /// E-mails what subscriptions of this cadence have not yet sent: one
    /// e-mail per subscription, listing its new opportunities.
    pub async fn email_pending(&self, cadence: Cadence) -> Result<(), ServiceError> {
        let mut by_subscription: BTreeMap<String, Vec<Notification>> = BTreeMap::new();
        for n in self.store.unemailed(cadence.as_str()).await? {
            if let Some(s) = n.subscription_id.clone() {
                by_subscription.entry(s).or_default().push(n);
            }
        }
        for (id, notifications) in by_subscription {
            let Some(s) = self.store.subscription(&id).await? else {
                continue;
            };
            let Some(user) = self.store.user(&s.user_id).await? else {
                continue;
            };
            let ids: Vec<String> = notifications
                .iter()
                .map(|n| n.opportunity_id.clone())
                .collect();
            let opportunities: Vec<Opportunity> = self
                .store
                .opportunities_by_ids(&ids)
                .await?
                .into_iter()
                .map(|v| v.record)
                .collect();
            let email = self.alert_email(&s, &user.email, &opportunities).await?;
            self.alerting.mailer.send(&email).await?;
            let sent: Vec<i64> = notifications.iter().map(|n| n.id).collect();
            self.store
                .mark_emailed(&s.id, &sent, &worker().author())
                .await?;
        }
        Ok(())
    }

    async fn alert_email(
        &self,
        s: &Subscription,
        to: &str,
        opportunities: &[Opportunity],
    ) -> Result<Email, ServiceError> {
        let about = self.describe_alert(s).await?;
        let items: Vec<EmailItem> = opportunities
            .iter()
            .map(|o| EmailItem {
                title: o.title.clone(),
                country: o.country.name(),
                url: self.opportunity_url(o.id.as_str()),
            })
            .collect();
        let unsubscribe = self.unsubscribe_url(s);
        let body = AlertEmail {
            about: &about,
            items: &items,
            feed: &self.feed_url(s),
            unsubscribe: &unsubscribe,
        }
        .render()
        .map_err(|e| ServiceError::Internal(format!("cannot write the alert e-mail: {e}")))?;
        let subject = match opportunities {
            [one] => format!("New opportunity: {}", one.title),
            many => format!("{} new opportunities for your alert", many.len()),
        };
        Ok(Email {
            to: to.to_owned(),
            subject,
            body,
            unsubscribe,
        })
    }

    /// What a subscription listens for, in words.
    pub async fn describe_alert(&self, s: &Subscription) -> Result<String, ServiceError> {
        if s.kind == AlertKind::MyOffers.as_str() {
            let org = s.organisation_id.clone().unwrap_or_default();
            let name = self
                .store
                .organisation(&org)
                .await?
                .map_or(org, |v| v.record.name);
            return Ok(format!("opportunities that fit the offers of {name}"));
        }
        Ok(saved_search(s).map_or_else(
            || "a saved search that can no longer be read".to_owned(),
            |q| format!("opportunities found by {}", q.describe()),
        ))
    }
}

/// The saved search of a `search` subscription.
pub fn saved_search(s: &Subscription) -> Option<SavedSearch> {
    serde_json::from_str(s.query.as_deref()?).ok()
}

/// Whether a subscription asks for this opportunity (before access is checked).
fn wants(s: &Subscription, o: &mut hcx_search::Opening<'_>, fitting: &HashSet<String>) -> bool {
    match AlertKind::parse(&s.kind) {
        Some(AlertKind::Search) => saved_search(s)
            .and_then(|q| q.query().ok())
            .is_some_and(|q| o.found_by(&q)),
        Some(AlertKind::MyOffers) => s
            .organisation_id
            .as_ref()
            .is_some_and(|org| fitting.contains(org)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_six_hours() {
        assert_eq!(backoff_ms(1), 30_000);
        assert_eq!(backoff_ms(2), 60_000);
        assert_eq!(backoff_ms(3), 120_000);
        assert_eq!(backoff_ms(100), 6 * HOUR_MS);
    }

    #[test]
    fn digests_go_out_at_the_next_seven_oclock() {
        let midnight = 20_000 * DAY_MS;
        assert_eq!(next_digest_at(midnight), midnight + 7 * HOUR_MS);
        assert_eq!(
            next_digest_at(midnight + 7 * HOUR_MS),
            midnight + DAY_MS + 7 * HOUR_MS
        );
    }
}
