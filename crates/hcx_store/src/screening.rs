//! Screening lists: each a name, a version numbered on by every import, and
//! its entities as the JSON lines they were imported from. An import
//! replaces the whole list in one transaction, so screening never sees half
//! of one version and half of another, and enqueues in that transaction the
//! re-screening of the due-diligence cases against the new version.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::alerts::{self, RESCREEN_JOB};
use crate::audit::{self, Author, Entry};
use crate::{Store, StoreError, built, now_ms};

/// What the audit log calls these records.
const KIND: &str = "screening_list";
/// Entities per insert (see `backup::ROWS_PER_STATEMENT`).
const ROWS_PER_STATEMENT: usize = 20;

/// A list as stored: which version, from what, by whom.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ScreeningList {
    pub name: String,
    /// 1 for the first import, then one more each time it is replaced.
    pub version: i64,
    /// What the importer called this version (the file, a publication date).
    pub label: String,
    /// SHA-256 of the entities imported, to tell a changed list from the same one again.
    pub digest: String,
    pub entity_count: i64,
    /// `user:ID` or `cli:NAME`.
    pub imported_by: String,
    pub imported_at: i64,
}

/// One entity of a list: its id and the JSON line it came as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntityRow {
    pub id: String,
    pub body: String,
}

const COLUMNS: &str = "name, version, label, digest, entity_count, imported_by, imported_at";

fn list_of(r: &AnyRow) -> Result<ScreeningList, StoreError> {
    Ok(ScreeningList {
        name: r.try_get(0)?,
        version: r.try_get(1)?,
        label: r.try_get(2)?,
        digest: r.try_get(3)?,
        entity_count: r.try_get(4)?,
        imported_by: r.try_get(5)?,
        imported_at: r.try_get(6)?,
    })
}

impl Store {
    /// Replaces list `name` (or creates it) with `entities`, as one more
    /// version, in one transaction with the [`RESCREEN_JOB`] of the cases
    /// against it. Ids must be unique within the list.
    pub async fn replace_list(
        &self,
        name: &str,
        label: &str,
        digest: &str,
        entities: &[ListEntityRow],
        author: &Author,
    ) -> Result<ScreeningList, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let before = find_list(&mut tx, name).await?;
        let list = ScreeningList {
            name: name.to_owned(),
            version: before.as_ref().map_or(1, |b| b.version + 1),
            label: label.to_owned(),
            digest: digest.to_owned(),
            entity_count: entities.len() as i64,
            imported_by: author.actor_id.clone(),
            imported_at: now,
        };
        if before.is_some() {
            sqlx::query("delete from screening_entities where list_name = $1")
                .bind(name)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "update screening_lists set version = $1, label = $2, digest = $3, entity_count = $4, imported_by = $5, imported_at = $6 where name = $7",
            )
            .bind(list.version)
            .bind(label)
            .bind(digest)
            .bind(list.entity_count)
            .bind(&list.imported_by)
            .bind(now)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(built(format!(
                "insert into screening_lists ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7)"
            )))
            .bind(name)
            .bind(list.version)
            .bind(label)
            .bind(digest)
            .bind(list.entity_count)
            .bind(&list.imported_by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        for chunk in entities.chunks(ROWS_PER_STATEMENT) {
            // $1 is the list's name, shared by every row.
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| format!("($1, ${}, ${})", 2 + 2 * i, 3 + 2 * i))
                .collect();
            let mut q = sqlx::query(built(format!(
                "insert into screening_entities (list_name, entity_id, body) values {}",
                rows.join(", ")
            )))
            .bind(name);
            for e in chunk {
                q = q.bind(e.id.as_str()).bind(e.body.as_str());
            }
            q.execute(&mut *tx).await?;
        }
        let payload = serde_json::json!({"list": name, "version": list.version}).to_string();
        alerts::enqueue(&mut tx, RESCREEN_JOB, &payload, now).await?;
        let json = |l: &ScreeningList| serde_json::to_string(l).unwrap_or_default();
        let before = before.as_ref().map(json);
        let after = json(&list);
        audit::append(
            &mut tx,
            author,
            now,
            &[Entry {
                before: before.as_deref(),
                after: Some(&after),
                ..Entry::of("import", KIND, name)
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(list)
    }

    /// Every list, by name.
    pub async fn screening_lists(&self) -> Result<Vec<ScreeningList>, StoreError> {
        let rows = sqlx::query(built(format!(
            "select {COLUMNS} from screening_lists order by name"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(list_of).collect()
    }

    pub async fn screening_list(&self, name: &str) -> Result<ScreeningList, StoreError> {
        let mut conn = self.pool.acquire().await?;
        find_list(&mut conn, name)
            .await?
            .ok_or_else(|| not_found(name))
    }

    /// A list with its entities, read in one transaction so that both are of
    /// one version.
    pub async fn list_entities(
        &self,
        name: &str,
    ) -> Result<(ScreeningList, Vec<ListEntityRow>), StoreError> {
        let mut tx = self.pool.begin().await?;
        let list = find_list(&mut tx, name)
            .await?
            .ok_or_else(|| not_found(name))?;
        let rows = sqlx::query(
            "select entity_id, body from screening_entities where list_name = $1 order by entity_id",
        )
        .bind(name)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let entities = rows
            .iter()
            .map(|r| {
                Ok(ListEntityRow {
                    id: r.try_get(0)?,
                    body: r.try_get(1)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((list, entities))
    }
}

async fn find_list(
    conn: &mut sqlx::AnyConnection,
    name: &str,
) -> Result<Option<ScreeningList>, StoreError> {
    sqlx::query(built(format!(
        "select {COLUMNS} from screening_lists where name = $1"
    )))
    .bind(name)
    .fetch_optional(conn)
    .await?
    .map(|r| list_of(&r))
    .transpose()
}

fn not_found(name: &str) -> StoreError {
    StoreError::NotFound {
        kind: "screening list",
        id: name.to_owned(),
    }
}
