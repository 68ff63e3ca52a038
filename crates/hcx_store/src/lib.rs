//! hcx persistence: one [`Store`] over SQLite (the embedded default) or
//! PostgreSQL, picked from the URL, with one migration set.
//!
//! Records are kept as validated interchange JSON with the fields queries
//! need copied into columns; money is integer minor units with its currency.
//! Every write appends to the `changes` log in the same transaction, which the
//! search indexes follow.

mod accounts;
mod alerts;
mod audit;
mod backup;
mod consortia;
mod diligence;
mod error;
mod introductions;
mod migrate;
mod quotes;
mod registry;
mod rows;
mod screening;
#[cfg(feature = "testing")]
pub mod testing;
mod twinning;

use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions};

pub use accounts::{NewToken, NewUser, Session, Token, User};
pub use alerts::{FAN_OUT_JOB, Job, NewSubscription, Notification, RESCREEN_JOB, Subscription};
pub use audit::{AuditEvent, AuditFilter, Author};
pub use backup::{BACKUP_FORMAT, BackupSummary, RestoreSummary, TableRows};
pub use consortia::ConsortiumFilter;
pub use diligence::{CaseFilter, CaseNotification, CaseOwner};
pub use error::StoreError;
pub use introductions::Introduction;
pub use migrate::SCHEMA_VERSION;
pub use quotes::{
    Ledger, LedgerEntry, NewQuote, PricedVersion, QuoteAnswer, QuoteFilter, QuoteScope,
    QuoteVersion, StoredQuote,
};
pub use registry::{
    ApplySummary, Change, Counts, Expect, OpportunityFilter, OrganisationFilter, Page, Versioned,
};
pub use screening::{ListEntityRow, ScreeningList};
pub use twinning::TwinningInterest;

/// Settings of every SQLite connection: write-ahead logging (readers never
/// wait for the writer), durable at checkpoints, foreign keys enforced, a wait
/// rather than an error when the database is busy, and a 64 MiB page cache.
const SQLITE_PRAGMAS: &[&str] = &[
    "pragma journal_mode = wal",
    "pragma synchronous = normal",
    "pragma foreign_keys = on",
    "pragma busy_timeout = 10000",
    "pragma cache_size = -65536",
];

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The hcx database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Connects to `sqlite://PATH` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::Config(format!(
                "unsupported database URL {:?}: use sqlite://PATH or postgres://…",
                redact(url)
            )));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::Config(format!("bad database URL {:?}: {e}", redact(&url))))?
            .disable_statement_logging();
        let pool_options = match backend {
            // SQLite allows one writer; a few connections let reads proceed beside it.
            Backend::Sqlite => AnyPoolOptions::new().max_connections(4),
            Backend::Postgres => AnyPoolOptions::new().max_connections(16),
        };
        let pool = pool_options
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        for pragma in SQLITE_PRAGMAS {
                            sqlx::query(*pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| {
                StoreError::Unavailable(format!("cannot open the database {}: {e}", redact(&url)))
            })?;
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection, waiting for those in use.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A transaction that will write. On SQLite it takes the write lock at
    /// once, so concurrent writers queue (within the busy timeout) instead of
    /// failing when a read inside the transaction turns into a write.
    pub(crate) async fn begin_write(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("begin immediate").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// A read-only transaction that sees one state of the database throughout
    /// (on SQLite a deferred transaction takes its snapshot at the first read).
    pub(crate) async fn begin_snapshot(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin().await?,
            Backend::Postgres => {
                self.pool
                    .begin_with("begin isolation level repeatable read, read only")
                    .await?
            }
        })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("select 1").execute(&self.pool).await?;
        Ok(())
    }
}

/// Hides the password in a database URL.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Marks SQL assembled in this crate from fixed table and column names and
/// numbered placeholders; values are always bound, never spliced in.
pub(crate) fn built(sql: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql)
}

/// One page of the rows of `table` that meet every clause (each with its
/// numbered placeholders into `binds`), most recently changed first, and
/// how many rows meet them in all: read in one snapshot by the caller.
pub(crate) async fn filtered_page(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    columns: &str,
    clauses: &[String],
    binds: &[&str],
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<sqlx::any::AnyRow>), StoreError> {
    use sqlx::Row;
    let clause = if clauses.is_empty() {
        String::new()
    } else {
        format!(" where {}", clauses.join(" and "))
    };
    let mut count = sqlx::query(built(format!("select count(*) from {table}{clause}")));
    for b in binds {
        count = count.bind(*b);
    }
    let total: i64 = count.fetch_one(&mut *conn).await?.try_get(0)?;
    let mut page = sqlx::query(built(format!(
        "select {columns} from {table}{clause} order by updated_at desc, id limit ${} offset ${}",
        binds.len() + 1,
        binds.len() + 2
    )));
    for b in binds {
        page = page.bind(*b);
    }
    let rows = page.bind(limit).bind(offset).fetch_all(&mut *conn).await?;
    Ok((total, rows))
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_appear_in_messages() {
        assert_eq!(
            redact("postgres://hcx:secret@db:5432/hcx"),
            "postgres://hcx:***@db:5432/hcx"
        );
        assert_eq!(redact("sqlite://hcx.db"), "sqlite://hcx.db");
    }
}
