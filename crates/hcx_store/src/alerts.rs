//! Alerts: subscriptions to new opportunities, the notifications they
//! produce, and the jobs table the fan-out runs from (an outbox: publishing
//! enqueues its fan-out in the transaction of the status change).
//!
//! Subscriptions and notifications are audited in the transaction that
//! writes them; job bookkeeping (attempts, errors, completion) is not an
//! audit event, what the jobs do is.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::audit::{self, Author, Entry};
use crate::{Store, StoreError, built, now_ms};

/// The job that notifies the subscribers of newly published opportunities;
/// its payload is `{"opportunities": [ID, …]}`.
pub const FAN_OUT_JOB: &str = "fan_out";
/// The job that screens the due-diligence cases again against a list just
/// imported; its payload is `{"list": NAME, "version": N}`.
pub const RESCREEN_JOB: &str = "rescreen";

/// A person's standing request to hear of new opportunities.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Subscription {
    pub id: String,
    pub user_id: String,
    /// The organisation it is for (a provider, for `my_offers`).
    pub organisation_id: Option<String>,
    /// `search` or `my_offers`.
    pub kind: String,
    /// The saved search as JSON, for `search`.
    pub query: Option<String>,
    /// `immediate` or `daily`.
    pub cadence: String,
    /// Unsubscribes and reads the feed; never in the audit log.
    #[serde(skip)]
    pub token: String,
    pub active: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A subscription to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscription {
    pub id: String,
    pub user_id: String,
    pub organisation_id: Option<String>,
    pub kind: String,
    pub query: Option<String>,
    pub cadence: String,
    pub token: String,
}

/// One opportunity brought to one person by one subscription.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notification {
    pub id: i64,
    pub user_id: String,
    pub opportunity_id: String,
    /// None once the subscription has been deleted.
    pub subscription_id: Option<String>,
    pub created_at: i64,
    pub read_at: Option<i64>,
    pub emailed_at: Option<i64>,
}

/// Work for the background worker, run at least once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    /// JSON.
    pub payload: String,
    /// Not before this time (milliseconds since the epoch).
    pub run_after: i64,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub done_at: Option<i64>,
}

const SUBSCRIPTION_COLUMNS: &str =
    "id, user_id, organisation_id, kind, query, cadence, token, active, created_at, updated_at";
const NOTIFICATION_COLUMNS: &str =
    "n.id, n.user_id, n.opportunity_id, n.subscription_id, n.created_at, n.read_at, n.emailed_at";
const JOB_COLUMNS: &str = "id, kind, payload, run_after, attempts, last_error, created_at, done_at";
/// Rows per multi-row insert (SQLite binds parameters in quadratic time).
const ROWS_PER_STATEMENT: usize = 20;

fn subscription_of(r: &AnyRow) -> Result<Subscription, StoreError> {
    Ok(Subscription {
        id: r.try_get(0)?,
        user_id: r.try_get(1)?,
        organisation_id: r.try_get(2)?,
        kind: r.try_get(3)?,
        query: r.try_get(4)?,
        cadence: r.try_get(5)?,
        token: r.try_get(6)?,
        active: r.try_get::<i64, _>(7)? != 0,
        created_at: r.try_get(8)?,
        updated_at: r.try_get(9)?,
    })
}

fn notification_of(r: &AnyRow) -> Result<Notification, StoreError> {
    Ok(Notification {
        id: r.try_get(0)?,
        user_id: r.try_get(1)?,
        opportunity_id: r.try_get(2)?,
        subscription_id: r.try_get(3)?,
        created_at: r.try_get(4)?,
        read_at: r.try_get(5)?,
        emailed_at: r.try_get(6)?,
    })
}

fn job_of(r: &AnyRow) -> Result<Job, StoreError> {
    Ok(Job {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        payload: r.try_get(2)?,
        run_after: r.try_get(3)?,
        attempts: r.try_get(4)?,
        last_error: r.try_get(5)?,
        created_at: r.try_get(6)?,
        done_at: r.try_get(7)?,
    })
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Enqueues a job inside the caller's transaction.
pub(crate) async fn enqueue(
    tx: &mut Transaction<'_, Any>,
    kind: &str,
    payload: &str,
    run_after: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into jobs (kind, payload, run_after, attempts, created_at) values ($1, $2, $3, 0, $4)",
    )
    .bind(kind)
    .bind(payload)
    .bind(run_after)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Enqueues the fan-out of opportunities that have just become published.
pub(crate) async fn enqueue_fan_out(
    tx: &mut Transaction<'_, Any>,
    opportunities: &[&str],
    now: i64,
) -> Result<(), StoreError> {
    if opportunities.is_empty() {
        return Ok(());
    }
    let payload = json(&serde_json::json!({ "opportunities": opportunities }));
    enqueue(tx, FAN_OUT_JOB, &payload, now).await
}

/// Whether a stored opportunity body says it is published.
pub(crate) fn is_published(body: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("status")
                .and_then(|s| s.as_str())
                .map(|s| s == "published")
        })
        .unwrap_or(false)
}

/// Appends the audit events of a write and commits it.
/// A table of notifications a user reads: its audit kind, and the column
/// naming what a notification is about (with its key in the event).
#[derive(Debug)]
pub(crate) struct Unread {
    pub table: &'static str,
    pub audit_kind: &'static str,
    pub about: Option<(&'static str, &'static str)>,
}

/// Notifications of new opportunities.
const UNREAD_OPPORTUNITIES: &Unread = &Unread {
    table: "notifications",
    audit_kind: "notification",
    about: None,
};

async fn commit_audited(
    mut tx: Transaction<'_, Any>,
    author: &Author,
    now: i64,
    entries: &[Entry<'_>],
) -> Result<(), StoreError> {
    audit::append(&mut tx, author, now, entries).await?;
    tx.commit().await?;
    Ok(())
}

impl Store {
    /// Creates a subscription.
    pub async fn create_subscription(
        &self,
        new: &NewSubscription,
        author: &Author,
    ) -> Result<Subscription, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        sqlx::query(built(format!(
            "insert into subscriptions ({SUBSCRIPTION_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)"
        )))
        .bind(new.id.as_str())
        .bind(new.user_id.as_str())
        .bind(new.organisation_id.as_deref())
        .bind(new.kind.as_str())
        .bind(new.query.as_deref())
        .bind(new.cadence.as_str())
        .bind(new.token.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(m) if m.starts_with("already exists") => {
                StoreError::Conflict(format!("subscription {:?} already exists", new.id))
            }
            StoreError::Conflict(_) => StoreError::NotFound {
                kind: "user or organisation",
                id: format!(
                    "{}, {}",
                    new.user_id,
                    new.organisation_id.as_deref().unwrap_or("-")
                ),
            },
            other => other,
        })?;
        let made = subscription_in(&mut tx, &new.id).await?;
        let after = json(&made);
        commit_audited(
            tx,
            author,
            now,
            &[Entry {
                after: Some(&after),
                ..Entry::of("subscribe", "subscription", &new.id)
            }],
        )
        .await?;
        Ok(made)
    }

    pub async fn subscription(&self, id: &str) -> Result<Option<Subscription>, StoreError> {
        self.subscription_where("id", id).await
    }

    /// The subscription an unsubscribe or feed token belongs to.
    pub async fn subscription_by_token(
        &self,
        token: &str,
    ) -> Result<Option<Subscription>, StoreError> {
        self.subscription_where("token", token).await
    }

    async fn subscription_where(
        &self,
        column: &str,
        key: &str,
    ) -> Result<Option<Subscription>, StoreError> {
        let row = sqlx::query(built(format!(
            "select {SUBSCRIPTION_COLUMNS} from subscriptions where {column} = $1"
        )))
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(subscription_of).transpose()
    }

    /// A person's subscriptions, newest first.
    pub async fn subscriptions_of(&self, user_id: &str) -> Result<Vec<Subscription>, StoreError> {
        let rows = sqlx::query(built(format!(
            "select {SUBSCRIPTION_COLUMNS} from subscriptions where user_id = $1 order by created_at desc, id"
        )))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(subscription_of).collect()
    }

    /// Every active subscription, by id.
    pub async fn active_subscriptions(&self) -> Result<Vec<Subscription>, StoreError> {
        let rows = sqlx::query(built(format!(
            "select {SUBSCRIPTION_COLUMNS} from subscriptions where active = 1 order by id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(subscription_of).collect()
    }

    /// Stops a subscription (the one-click unsubscribe); it stays listed.
    /// Returns whether it was active.
    pub async fn deactivate_subscription(
        &self,
        id: &str,
        author: &Author,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "update subscriptions set active = 0, updated_at = $1 where id = $2 and active = 1",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        commit_audited(
            tx,
            author,
            now,
            &[Entry::of("unsubscribe", "subscription", id)],
        )
        .await?;
        Ok(true)
    }

    /// Deletes a subscription; its notifications stay, detached from it.
    pub async fn delete_subscription(&self, id: &str, author: &Author) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let before = json(&subscription_in(&mut tx, id).await?);
        sqlx::query("update notifications set subscription_id = null where subscription_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("delete from subscriptions where id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        commit_audited(
            tx,
            author,
            now,
            &[Entry {
                before: Some(&before),
                ..Entry::of("delete", "subscription", id)
            }],
        )
        .await?;
        Ok(())
    }

    /// Records that an opportunity reached these `(user, subscription)`
    /// pairs; pairs already notified are left alone, so a fan-out run twice
    /// notifies once. Returns the notifications made now.
    pub async fn add_notifications(
        &self,
        opportunity: &str,
        recipients: &[(String, String)],
        author: &Author,
    ) -> Result<Vec<Notification>, StoreError> {
        if recipients.is_empty() {
            return Ok(Vec::new());
        }
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let mut made = Vec::new();
        for chunk in recipients.chunks(ROWS_PER_STATEMENT) {
            // $1 the opportunity, $2 the time; then user and subscription per row.
            let rows: Vec<String> = (0..chunk.len())
                .map(|r| format!("(${}, $1, ${}, $2)", 3 + 2 * r, 4 + 2 * r))
                .collect();
            let sql = format!(
                "insert into notifications (user_id, opportunity_id, subscription_id, created_at) values {} \
                 on conflict (subscription_id, opportunity_id) do nothing \
                 returning id, user_id, opportunity_id, subscription_id, created_at, read_at, emailed_at",
                rows.join(", ")
            );
            let mut q = sqlx::query(built(sql)).bind(opportunity).bind(now);
            for (user, subscription) in chunk {
                q = q.bind(user.as_str()).bind(subscription.as_str());
            }
            for row in q.fetch_all(&mut *tx).await? {
                made.push(notification_of(&row)?);
            }
        }
        if made.is_empty() {
            return Ok(made);
        }
        let subscriptions: Vec<&str> = made
            .iter()
            .filter_map(|n| n.subscription_id.as_deref())
            .collect();
        let after = json(&serde_json::json!({ "subscriptions": subscriptions }));
        commit_audited(
            tx,
            author,
            now,
            &[Entry {
                after: Some(&after),
                ..Entry::of("notify", "opportunity", opportunity)
            }],
        )
        .await?;
        Ok(made)
    }

    /// A person's notifications of opportunities still stored, newest first.
    pub async fn notifications_of(
        &self,
        user_id: &str,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        self.notifications_where("n.user_id = $1", user_id, limit)
            .await
    }

    /// A subscription's notifications of opportunities still stored, newest first.
    pub async fn notifications_of_subscription(
        &self,
        subscription_id: &str,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        self.notifications_where("n.subscription_id = $1", subscription_id, limit)
            .await
    }

    async fn notifications_where(
        &self,
        clause: &str,
        key: &str,
        limit: i64,
    ) -> Result<Vec<Notification>, StoreError> {
        let rows = sqlx::query(built(format!(
            "select {NOTIFICATION_COLUMNS} from notifications n join opportunities o on o.id = n.opportunity_id \
             where {clause} order by n.id desc limit $2"
        )))
        .bind(key)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(notification_of).collect()
    }

    /// How many notifications an opportunity has brought.
    pub async fn notification_count(&self, opportunity_id: &str) -> Result<usize, StoreError> {
        let row = sqlx::query("select count(*) from notifications where opportunity_id = $1")
            .bind(opportunity_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(usize::try_from(row.try_get::<i64, _>(0)?).unwrap_or(0))
    }

    /// How many of a person's notifications are unread.
    pub async fn unread_count(&self, user_id: &str) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "select count(*) from notifications n join opportunities o on o.id = n.opportunity_id \
             where n.user_id = $1 and n.read_at is null",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>(0)?)
    }

    /// Marks one of the user's notifications of new opportunities read
    /// (another's is not found); reading it again changes nothing.
    pub async fn mark_read(
        &self,
        user_id: &str,
        id: i64,
        author: &Author,
    ) -> Result<(), StoreError> {
        self.mark_read_in(UNREAD_OPPORTUNITIES, user_id, id, author)
            .await
    }

    /// Marks the notification `id` of a kind read for its owner, once: the
    /// row must be the user's, and the event names what it was about.
    pub(crate) async fn mark_read_in(
        &self,
        kind: &Unread,
        user_id: &str,
        id: i64,
        author: &Author,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let about = kind.about.map_or("null", |(column, _)| column);
        let owned = sqlx::query(built(format!(
            "select read_at, {about} from {} where id = $1 and user_id = $2",
            kind.table
        )))
        .bind(id)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            kind: "notification",
            id: id.to_string(),
        })?;
        if owned.try_get::<Option<i64>, _>(0)?.is_some() {
            return Ok(());
        }
        sqlx::query(built(format!(
            "update {} set read_at = $1 where id = $2",
            kind.table
        )))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = match kind.about {
            Some((_, key)) => {
                Some(serde_json::json!({ key: owned.try_get::<String, _>(1)? }).to_string())
            }
            None => None,
        };
        commit_audited(
            tx,
            author,
            now,
            &[Entry {
                after: after.as_deref(),
                ..Entry::of("read", kind.audit_kind, &id.to_string())
            }],
        )
        .await
    }

    /// Notifications of active subscriptions with this cadence not yet e-mailed, oldest first.
    pub async fn unemailed(&self, cadence: &str) -> Result<Vec<Notification>, StoreError> {
        let rows = sqlx::query(built(format!(
            "select {NOTIFICATION_COLUMNS} from notifications n \
             join subscriptions s on s.id = n.subscription_id \
             join opportunities o on o.id = n.opportunity_id \
             where s.cadence = $1 and s.active = 1 and n.emailed_at is null order by n.id"
        )))
        .bind(cadence)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(notification_of).collect()
    }

    /// Records that an e-mail carried these notifications of one subscription.
    pub async fn mark_emailed(
        &self,
        subscription_id: &str,
        notifications: &[i64],
        author: &Author,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        for chunk in notifications.chunks(ROWS_PER_STATEMENT * 5) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let mut q = sqlx::query(built(format!(
                "update notifications set emailed_at = $1 where id in ({})",
                marks.join(", ")
            )))
            .bind(now);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut *tx).await?;
        }
        let after = json(&serde_json::json!({ "notifications": notifications }));
        commit_audited(
            tx,
            author,
            now,
            &[Entry {
                after: Some(&after),
                ..Entry::of("email", "subscription", subscription_id)
            }],
        )
        .await?;
        Ok(())
    }

    /// Enqueues a job of `kind` unless one with the same payload is still to run.
    pub async fn ensure_job(
        &self,
        kind: &str,
        payload: &str,
        run_after: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let pending = sqlx::query(
            "select count(*) from jobs where kind = $1 and payload = $2 and done_at is null",
        )
        .bind(kind)
        .bind(payload)
        .fetch_one(&mut *tx)
        .await?
        .try_get::<i64, _>(0)?;
        if pending == 0 {
            enqueue(&mut tx, kind, payload, run_after).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Jobs due at `now`, longest waiting first.
    pub async fn due_jobs(&self, now: i64, limit: i64) -> Result<Vec<Job>, StoreError> {
        let rows = sqlx::query(built(format!(
            "select {JOB_COLUMNS} from jobs where done_at is null and run_after <= $1 order by run_after, id limit $2"
        )))
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(job_of).collect()
    }

    /// Jobs, newest first (all, or those not done).
    pub async fn jobs(&self, pending_only: bool) -> Result<Vec<Job>, StoreError> {
        let rows = sqlx::query(built(format!(
            "select {JOB_COLUMNS} from jobs where ($1 = 0 or done_at is null) order by id desc"
        )))
        .bind(i64::from(pending_only))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(job_of).collect()
    }

    /// Takes a due job for this worker by moving its time to `lease_until`:
    /// false when another worker took it first.
    pub async fn claim_job(&self, job: &Job, lease_until: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "update jobs set run_after = $1, attempts = attempts + 1 where id = $2 and run_after = $3 and done_at is null",
        )
        .bind(lease_until)
        .bind(job.id)
        .bind(job.run_after)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn finish_job(&self, id: i64, now: i64) -> Result<(), StoreError> {
        sqlx::query("update jobs set done_at = $1, last_error = null where id = $2")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records why a job failed and when to try it again.
    pub async fn fail_job(&self, id: i64, error: &str, retry_at: i64) -> Result<(), StoreError> {
        sqlx::query("update jobs set last_error = $1, run_after = $2 where id = $3")
            .bind(error)
            .bind(retry_at)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Enqueues a job in a transaction of its own.
    pub async fn enqueue_job(
        &self,
        kind: &str,
        payload: &str,
        run_after: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        enqueue(&mut tx, kind, payload, run_after).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn subscription_in(
    tx: &mut Transaction<'_, Any>,
    id: &str,
) -> Result<Subscription, StoreError> {
    let row = sqlx::query(built(format!(
        "select {SUBSCRIPTION_COLUMNS} from subscriptions where id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| StoreError::NotFound {
        kind: "subscription",
        id: id.to_owned(),
    })?;
    subscription_of(&row)
}
