//! Introductions of providers to opportunities, and the providers' answers;
//! every change audited in its transaction.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{self, Author, Entry};
use crate::{Store, StoreError, now_ms};

/// A provider put forward for an opportunity, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Introduction {
    /// `OPPORTUNITY/PROVIDER`.
    pub id: String,
    pub opportunity: String,
    pub provider: String,
    pub offer: Option<String>,
    /// What the agency said when introducing it.
    pub note: Option<String>,
    /// `introduced`, `interested` or `declined`.
    pub status: String,
    /// The provider's reason for declining.
    pub reason: Option<String>,
    pub introduced_by: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, opportunity_id, provider_id, offer_id, note, status, reason, introduced_by, version, created_at, updated_at";

fn row_of(r: &AnyRow) -> Result<Introduction, StoreError> {
    Ok(Introduction {
        id: r.try_get(0)?,
        opportunity: r.try_get(1)?,
        provider: r.try_get(2)?,
        offer: r.try_get(3)?,
        note: r.try_get(4)?,
        status: r.try_get(5)?,
        reason: r.try_get(6)?,
        introduced_by: r.try_get(7)?,
        version: r.try_get(8)?,
        created_at: r.try_get(9)?,
        updated_at: r.try_get(10)?,
    })
}

fn json(i: &Introduction) -> String {
    serde_json::to_string(i).unwrap_or_default()
}

impl Store {
    /// Introduces a provider to an opportunity; a second introduction of the
    /// same pair is a conflict.
    pub async fn introduce(
        &self,
        opportunity: &str,
        provider: &str,
        offer: Option<&str>,
        note: Option<&str>,
        author: &Author,
    ) -> Result<Introduction, StoreError> {
        let now = now_ms();
        let id = format!("{opportunity}/{provider}");
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "insert into introductions (id, opportunity_id, provider_id, offer_id, note, status, introduced_by, version, created_at, updated_at) values ($1, $2, $3, $4, $5, 'introduced', $6, 1, $7, $7)",
        )
        .bind(id.as_str())
        .bind(opportunity)
        .bind(provider)
        .bind(offer)
        .bind(note)
        .bind(author.actor_id.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(m) if m.starts_with("already exists") => StoreError::Conflict(
                format!("{provider} has already been introduced to {opportunity}"),
            ),
            StoreError::Conflict(_) => StoreError::NotFound {
                kind: "opportunity or provider",
                id: format!("{opportunity}, {provider}"),
            },
            other => other,
        })?;
        let made = self.introduction_in(&mut tx, &id).await?;
        let after = json(&made);
        audit::append(
            &mut tx,
            author,
            now,
            &[Entry {
                after: Some(&after),
                ..Entry::of("introduce", "introduction", &id)
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(made)
    }

    async fn introduction_in(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        id: &str,
    ) -> Result<Introduction, StoreError> {
        let row = sqlx::query(crate::built(format!(
            "select {COLUMNS} from introductions where id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            kind: "introduction",
            id: id.to_owned(),
        })?;
        row_of(&row)
    }

    pub async fn introduction(&self, id: &str) -> Result<Option<Introduction>, StoreError> {
        let row = sqlx::query(crate::built(format!(
            "select {COLUMNS} from introductions where id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(row_of).transpose()
    }

    /// Records a provider's answer (`interested`, or `declined` with a
    /// reason) to the introduction at `version`.
    pub async fn answer_introduction(
        &self,
        id: &str,
        version: i64,
        status: &str,
        reason: Option<&str>,
        author: &Author,
    ) -> Result<Introduction, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let before = self.introduction_in(&mut tx, id).await?;
        if before.version != version {
            return Err(StoreError::Conflict(format!(
                "introduction {id:?} was changed by someone else (you saw version {version}, it is now version {})",
                before.version
            )));
        }
        sqlx::query(
            "update introductions set status = $2, reason = $3, version = version + 1, updated_at = $4 where id = $1",
        )
        .bind(id)
        .bind(status)
        .bind(reason)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let after = self.introduction_in(&mut tx, id).await?;
        let (b, a) = (json(&before), json(&after));
        audit::append(
            &mut tx,
            author,
            now,
            &[Entry {
                before: Some(&b),
                after: Some(&a),
                ..Entry::of(status, "introduction", id)
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Introductions to one opportunity, or of one provider; newest first.
    pub async fn introductions(
        &self,
        opportunity: Option<&str>,
        provider: Option<&str>,
    ) -> Result<Vec<Introduction>, StoreError> {
        let rows = sqlx::query(crate::built(format!(
            "select {COLUMNS} from introductions where ($1 is null or opportunity_id = $1) and ($2 is null or provider_id = $2) order by updated_at desc, id"
        )))
        .bind(opportunity)
        .bind(provider)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row_of).collect()
    }
}
