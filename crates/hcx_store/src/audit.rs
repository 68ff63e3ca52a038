//! The audit log: one event per write, in the same transaction as the write.
//!
//! There is no code path that changes or removes an event; on PostgreSQL the
//! database itself refuses it (see the `0002_access.postgres.sql` migration).

use futures_util::TryStreamExt;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::{Store, StoreError, built};

/// Who a write is attributed to, and the request that carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    /// `user:ID`, `cli:NAME`, `anonymous`.
    pub actor_id: String,
    /// What people read: an e-mail address or a name.
    pub actor_name: String,
    pub request_id: Option<String>,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEvent {
    pub seq: i64,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    pub actor_id: String,
    pub actor_name: String,
    /// `create`, `update`, `delete`, a lifecycle step such as `publish`, or an
    /// account event such as `sign_in`.
    pub action: String,
    pub kind: String,
    pub record_id: String,
    /// The record as it was, as JSON (none when created).
    pub before: Option<String>,
    /// The record as it became, as JSON (none when deleted).
    pub after: Option<String>,
    pub request_id: Option<String>,
}

/// Which events to read; every part given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub kind: Option<String>,
    pub record_id: Option<String>,
    pub actor_id: Option<String>,
    /// Only events older than this sequence number (for paging back).
    pub before_seq: Option<i64>,
}

/// An event about to be written.
#[derive(Debug, Clone)]
pub(crate) struct Entry<'a> {
    pub action: &'a str,
    pub kind: &'a str,
    pub record_id: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

impl<'a> Entry<'a> {
    /// An event about a record, with neither version of it.
    pub(crate) fn of(action: &'a str, kind: &'a str, record_id: &'a str) -> Entry<'a> {
        Entry {
            action,
            kind,
            record_id,
            before: None,
            after: None,
        }
    }
}

/// Events per multi-row insert (SQLite binds parameters in quadratic time).
const EVENTS_PER_STATEMENT: usize = 20;
const COLUMNS: &str =
    "seq, at, actor_id, actor_name, action, kind, record_id, before, after, request_id";

/// Appends events inside the caller's transaction.
pub(crate) async fn append(
    tx: &mut Transaction<'_, Any>,
    author: &Author,
    now: i64,
    entries: &[Entry<'_>],
) -> Result<(), StoreError> {
    for chunk in entries.chunks(EVENTS_PER_STATEMENT) {
        // $1..$4 are shared: time, actor id, actor name, request id.
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| {
                let p = 5 + r * 5;
                format!(
                    "($1, $2, $3, ${}, ${}, ${}, ${}, ${}, $4)",
                    p,
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4
                )
            })
            .collect();
        let sql = format!(
            "insert into audit_events (at, actor_id, actor_name, action, kind, record_id, before, after, request_id) values {}",
            rows.join(", ")
        );
        let mut q = sqlx::query(built(sql))
            .bind(now)
            .bind(author.actor_id.as_str())
            .bind(author.actor_name.as_str())
            .bind(author.request_id.as_deref());
        for e in chunk {
            q = q
                .bind(e.action)
                .bind(e.kind)
                .bind(e.record_id)
                .bind(e.before)
                .bind(e.after);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

fn event(row: &AnyRow) -> Result<AuditEvent, StoreError> {
    Ok(AuditEvent {
        seq: row.try_get(0)?,
        at: row.try_get(1)?,
        actor_id: row.try_get(2)?,
        actor_name: row.try_get(3)?,
        action: row.try_get(4)?,
        kind: row.try_get(5)?,
        record_id: row.try_get(6)?,
        before: row.try_get(7)?,
        after: row.try_get(8)?,
        request_id: row.try_get(9)?,
    })
}

fn select(filter: &AuditFilter) -> (String, Vec<String>, Option<i64>) {
    let mut clauses = Vec::new();
    let mut binds = Vec::new();
    for (column, value) in [
        ("kind", &filter.kind),
        ("record_id", &filter.record_id),
        ("actor_id", &filter.actor_id),
    ] {
        if let Some(v) = value {
            binds.push(v.clone());
            clauses.push(format!("{column} = ${}", binds.len()));
        }
    }
    if filter.before_seq.is_some() {
        clauses.push(format!("seq < ${}", binds.len() + 1));
    }
    let clause = if clauses.is_empty() {
        String::new()
    } else {
        format!(" where {}", clauses.join(" and "))
    };
    (
        format!("select {COLUMNS} from audit_events{clause} order by seq desc"),
        binds,
        filter.before_seq,
    )
}

impl Store {
    /// Records an event that is not a registry write (signing in, say) in a
    /// transaction of its own.
    pub async fn log_event(
        &self,
        author: &Author,
        action: &str,
        kind: &str,
        record_id: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        append(
            &mut tx,
            author,
            crate::now_ms(),
            &[Entry::of(action, kind, record_id)],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Up to `limit` events matching the filter, newest first.
    pub async fn audit_events(
        &self,
        filter: &AuditFilter,
        limit: i64,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let (sql, binds, before) = select(filter);
        let sql = format!(
            "{sql} limit ${}",
            binds.len() + 1 + usize::from(before.is_some())
        );
        let mut q = sqlx::query(built(sql));
        for b in &binds {
            q = q.bind(b.as_str());
        }
        if let Some(seq) = before {
            q = q.bind(seq);
        }
        let rows = q.bind(limit).fetch_all(&self.pool).await?;
        rows.iter().map(event).collect()
    }

    /// Streams every event matching the filter, newest first.
    pub async fn export_audit(
        &self,
        filter: &AuditFilter,
        mut write: impl FnMut(&AuditEvent) -> std::io::Result<()>,
    ) -> Result<usize, StoreError> {
        let (sql, binds, before) = select(filter);
        let mut q = sqlx::query(built(sql));
        for b in &binds {
            q = q.bind(b.as_str());
        }
        if let Some(seq) = before {
            q = q.bind(seq);
        }
        let mut rows = q.fetch(&self.pool);
        let mut n = 0;
        while let Some(row) = rows.try_next().await? {
            write(&event(&row)?).map_err(|e| {
                StoreError::Unavailable(format!("cannot write the audit export: {e}"))
            })?;
            n += 1;
        }
        Ok(n)
    }
}
