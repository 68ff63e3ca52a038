//! Interest in twinning: one organisation saying it would like a long-term
//! partnership with another, and withdrawing it; every change audited in its
//! transaction.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{self, Author, Entry};
use crate::{Store, StoreError, now_ms};

/// What the audit log calls these records.
const KIND: &str = "twinning_interest";

/// "`organisation` is interested in twinning with `partner`", said by someone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TwinningInterest {
    /// `ORGANISATION/PARTNER`.
    pub id: String,
    pub organisation: String,
    pub partner: String,
    /// Who said so: `user:ID` or `cli:NAME`.
    pub expressed_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, organisation_id, partner_id, expressed_by, created_at, updated_at";

fn row_of(r: &AnyRow) -> Result<TwinningInterest, StoreError> {
    Ok(TwinningInterest {
        id: r.try_get(0)?,
        organisation: r.try_get(1)?,
        partner: r.try_get(2)?,
        expressed_by: r.try_get(3)?,
        created_at: r.try_get(4)?,
        updated_at: r.try_get(5)?,
    })
}

fn json(i: &TwinningInterest) -> String {
    serde_json::to_string(i).unwrap_or_default()
}

impl Store {
    /// Records that `organisation` is interested in twinning with `partner`;
    /// saying it twice is a conflict.
    pub async fn express_interest(
        &self,
        organisation: &str,
        partner: &str,
        author: &Author,
    ) -> Result<TwinningInterest, StoreError> {
        let now = now_ms();
        let made = TwinningInterest {
            id: format!("{organisation}/{partner}"),
            organisation: organisation.to_owned(),
            partner: partner.to_owned(),
            expressed_by: author.actor_id.clone(),
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "insert into twinning_interests (id, organisation_id, partner_id, expressed_by, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)",
        )
        .bind(made.id.as_str())
        .bind(organisation)
        .bind(partner)
        .bind(made.expressed_by.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(m) if m.starts_with("already exists") => StoreError::Conflict(
                format!("{organisation} has already said it is interested in twinning with {partner}"),
            ),
            StoreError::Conflict(_) => StoreError::NotFound {
                kind: "organisation",
                id: format!("{organisation}, {partner}"),
            },
            other => other,
        })?;
        let after = json(&made);
        audit::append(
            &mut tx,
            author,
            now,
            &[Entry {
                after: Some(&after),
                ..Entry::of("express_interest", KIND, &made.id)
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(made)
    }

    /// Withdraws `organisation`'s interest in twinning with `partner`.
    pub async fn withdraw_interest(
        &self,
        organisation: &str,
        partner: &str,
        author: &Author,
    ) -> Result<TwinningInterest, StoreError> {
        let id = format!("{organisation}/{partner}");
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(crate::built(format!(
            "select {COLUMNS} from twinning_interests where id = $1"
        )))
        .bind(id.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            kind: "twinning interest",
            id: id.clone(),
        })?;
        let before = row_of(&row)?;
        sqlx::query("delete from twinning_interests where id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await?;
        let was = json(&before);
        audit::append(
            &mut tx,
            author,
            now_ms(),
            &[Entry {
                before: Some(&was),
                ..Entry::of("withdraw_interest", KIND, &id)
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(before)
    }

    /// Every interest an organisation has expressed or received, oldest first.
    pub async fn interests_involving(
        &self,
        organisation: &str,
    ) -> Result<Vec<TwinningInterest>, StoreError> {
        let rows = sqlx::query(crate::built(format!(
            "select {COLUMNS} from twinning_interests where organisation_id = $1 or partner_id = $1 order by created_at, id"
        )))
        .bind(organisation)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row_of).collect()
    }
}
