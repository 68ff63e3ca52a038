//! Backups that either backend can restore: a gzip-compressed JSON Lines
//! dump of every hcx table, so a SQLite store can also move to PostgreSQL.
//!
//! The dump is a header line, then per table a line naming it and its
//! columns followed by one JSON array per row:
//!
//! ```text
//! {"format":"hcx-backup/1","schema_version":2,"created_at":1700000000000,"backend":"sqlite"}
//! {"table":"organisations","columns":["id","name",…]}
//! ["RR8","Leeds Teaching Hospitals NHS Trust",…]
//! ```
//!
//! Text is a JSON string, integers a JSON number, SQL null is `null`. Rows come
//! in primary-key order (byte order for text on both backends), so two
//! backups of the same data are identical apart from the header.
//!
//! A restore replaces everything in one transaction. On PostgreSQL that
//! includes the append-only audit log: the restore switches its guarding
//! trigger off for the length of the transaction, which needs the role that
//! owns the tables (the one that ran the migrations). That is a deliberate
//! administrator operation: the restored log is the one the backup captured.
//! The change log is replaced too, so search indexes must be rebuilt after a
//! restore rather than caught up.

use std::io::{BufRead, BufReader, Write};

use flate2::Compression;
use flate2::bufread::GzDecoder;
use flate2::write::GzEncoder;
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{Any, Row, Transaction};

use crate::{Backend, Store, StoreError, built, now_ms};

/// The format this build writes and reads.
pub const BACKUP_FORMAT: &str = "hcx-backup/1";

/// Every table the migrations create except `schema_migrations` (the
/// restoring build's own migrations describe the schema), referenced before
/// referencing: restore inserts in this order and deletes in the reverse.
/// A migration that adds a table must add it here; a test compares this list
/// with the tables of a migrated database.
pub(crate) const TABLES: &[&str] = &[
    "organisations",
    "offers",
    "strategies",
    "opportunities",
    "introductions",
    "twinning_interests",
    "changes",
    "users",
    "memberships",
    "sessions",
    "api_tokens",
    "password_resets",
    "subscriptions",
    "notifications",
    "jobs",
    "screening_lists",
    "screening_entities",
    "diligence_cases",
    "diligence_people",
    "diligence_hits",
    "diligence_answers",
    "case_notifications",
    "consortia",
    "consortium_members",
    "quotes",
    "quote_versions",
    "reinvestment_entries",
    "audit_events",
];

/// Rows per insert: SQLite finds each numbered parameter by a linear search,
/// so binding cost grows with the square of the parameters in a statement.
const ROWS_PER_STATEMENT: usize = 20;

/// The PostgreSQL trigger that keeps the audit log append-only
/// (`0002_access.postgres.sql`); a restore must delete the log it replaces.
const AUDIT_TABLE: &str = "audit_events";
const AUDIT_TRIGGER: &str = "audit_events_append_only";

/// The same lock as registry writes take, so a restore waits for them and
/// they wait for it rather than interleaving change-log numbers.
const WRITE_LOCK: &str = "select pg_advisory_xact_lock(72736002)";

/// How many rows one table held or received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TableRows {
    pub table: &'static str,
    pub rows: u64,
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupSummary {
    /// The highest migration applied to the database backed up.
    pub schema_version: i64,
    /// When the snapshot was taken, in milliseconds since the Unix epoch.
    pub created_at: i64,
    /// Every table in dependency order.
    pub tables: Vec<TableRows>,
}

impl BackupSummary {
    /// Rows over all tables.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreSummary {
    pub schema_version: i64,
    /// When the backup was taken, in milliseconds since the Unix epoch.
    pub created_at: i64,
    /// The backend the backup was taken from: `sqlite` or `postgres`.
    pub source_backend: String,
    /// Rows deleted from the store before restoring (non-zero only with `force`).
    pub replaced: u64,
    /// Rows restored into every table, in dependency order.
    pub tables: Vec<TableRows>,
}

impl RestoreSummary {
    /// Rows restored over all tables.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    schema_version: i64,
    created_at: i64,
    backend: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    table: String,
    columns: Vec<String>,
}

/// The two column types hcx uses; anything else is refused rather than
/// carried in a lossy form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Text,
}

#[derive(Debug, Clone)]
struct Column {
    name: String,
    kind: Kind,
    /// Position in the primary key, from 1; 0 when not part of it.
    key: i64,
    /// Numbered by the database (PostgreSQL identity, SQLite rowid alias).
    identity: bool,
}

/// One value of a row, typed by its column in this database.
#[derive(Debug, Clone)]
enum Datum {
    Int(Option<i64>),
    Text(Option<String>),
}

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// Names from the catalogue are spliced into SQL, so only plain ones pass.
fn plain(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn kind_of(table: &str, column: &str, declared: &str) -> Result<Kind, StoreError> {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") {
        Ok(Kind::Int)
    } else if t.contains("text") || t.contains("char") || t.contains("clob") {
        Ok(Kind::Text)
    } else {
        Err(StoreError::Backup(format!(
            "column {table}.{column} has type {declared:?}, which hcx backups do not carry yet: \
             extend the backup module before shipping that migration"
        )))
    }
}

/// The columns of a table as this database has them, in table order.
async fn columns(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    table: &str,
) -> Result<Vec<Column>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => "select name, type, pk from pragma_table_info($1) order by cid",
        // Catalogue names are of type `name`, which the Any driver cannot
        // decode, hence the casts.
        Backend::Postgres => {
            "select a.attname::text, format_type(a.atttypid, a.atttypmod), \
             coalesce(array_position(i.indkey::int2[], a.attnum), 0)::int8, a.attidentity <> '' \
             from pg_attribute a left join pg_index i on i.indrelid = a.attrelid and i.indisprimary \
             where a.attrelid = to_regclass($1) and a.attnum > 0 and not a.attisdropped \
             order by a.attnum"
        }
    };
    let rows = sqlx::query(sql).bind(table).fetch_all(&mut **tx).await?;
    if rows.is_empty() {
        return Err(StoreError::Backup(format!(
            "the database has no table {table}: it is not fully migrated (run `hcx migrate` first)"
        )));
    }
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let name: String = row.try_get(0)?;
        let declared: String = row.try_get(1)?;
        if !plain(&name) {
            return Err(StoreError::Backup(format!(
                "column {table}.{name:?} has a name hcx backups do not handle"
            )));
        }
        let identity = match backend {
            Backend::Sqlite => false,
            Backend::Postgres => row.try_get::<bool, _>(3)?,
        };
        out.push(Column {
            kind: kind_of(table, &name, &declared)?,
            key: row.try_get(2)?,
            identity,
            name,
        });
    }
    if backend == Backend::Sqlite {
        // A sole `integer` primary key is SQLite's rowid; with `autoincrement`
        // the next value also depends on `sqlite_sequence`.
        let keys: Vec<usize> = (0..out.len()).filter(|&i| out[i].key > 0).collect();
        if let [only] = keys[..] {
            let declared: String = rows[only].try_get(1)?;
            out[only].identity = declared.eq_ignore_ascii_case("integer");
        }
    }
    Ok(out)
}

/// `order by` for a table: its primary key, text in byte order on both
/// backends so that dumps compare equal across them.
fn order_by(backend: Backend, columns: &[Column]) -> String {
    let mut keys: Vec<&Column> = columns.iter().filter(|c| c.key > 0).collect();
    keys.sort_by_key(|c| c.key);
    if keys.is_empty() {
        keys = columns.iter().collect();
    }
    keys.iter()
        .map(|c| match (backend, c.kind) {
            (Backend::Postgres, Kind::Text) => format!("{} collate \"C\"", c.name),
            _ => c.name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The highest migration applied; a database never migrated has no
/// `schema_migrations` at all, which the error says in the caller's terms.
async fn applied_version(tx: &mut Transaction<'_, Any>) -> Result<i64, StoreError> {
    let row = sqlx::query("select coalesce(max(version), 0) from schema_migrations")
        .fetch_one(&mut **tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Database(e) => StoreError::Backup(format!(
                "cannot read the schema version of the database (is it migrated? run `hcx migrate` first): {e}"
            )),
            other => other,
        })?;
    Ok(row.try_get(0)?)
}

fn write_line(out: &mut impl Write, value: &impl Serialize) -> Result<(), StoreError> {
    let cannot =
        |e: std::io::Error| StoreError::Unavailable(format!("cannot write the backup: {e}"));
    serde_json::to_writer(&mut *out, value).map_err(|e| cannot(e.into()))?;
    out.write_all(b"\n").map_err(cannot)
}

fn bad(line: usize, what: impl std::fmt::Display) -> StoreError {
    StoreError::Backup(format!("line {line} of the backup: {what}"))
}

/// The decompressed lines of a backup, numbered from 1.
struct Lines<R: BufRead> {
    reader: BufReader<GzDecoder<R>>,
    buf: Vec<u8>,
    number: usize,
}

impl<R: BufRead> Lines<R> {
    fn open(mut input: R) -> Result<Self, StoreError> {
        let start = input
            .fill_buf()
            .map_err(|e| StoreError::Backup(format!("cannot read the backup: {e}")))?;
        if start.is_empty() {
            return Err(StoreError::Backup("the backup is empty".into()));
        }
        if !start.starts_with(&[0x1f, 0x8b]) {
            return Err(StoreError::Backup(
                "this is not an hcx backup: it is not gzip-compressed".into(),
            ));
        }
        Ok(Lines {
            reader: BufReader::new(GzDecoder::new(input)),
            buf: Vec::new(),
            number: 0,
        })
    }

    /// Reads the next non-blank line into `buf`; false at the end. Damage to
    /// the compressed stream, a cut-off file included, fails its checksum or
    /// length check here.
    fn next(&mut self) -> Result<bool, StoreError> {
        loop {
            self.buf.clear();
            self.number += 1;
            let n = self.reader.read_until(b'\n', &mut self.buf).map_err(|e| {
                StoreError::Backup(format!(
                    "the backup is damaged or incomplete (reading line {}): {e}",
                    self.number
                ))
            })?;
            if n == 0 {
                return Ok(false);
            }
            if !self.buf.iter().all(u8::is_ascii_whitespace) {
                return Ok(true);
            }
        }
    }
}

fn read_header(lines: &mut Lines<impl BufRead>) -> Result<Header, StoreError> {
    if !lines.next()? {
        return Err(StoreError::Backup(
            "the backup is empty: it has no header".into(),
        ));
    }
    let value: Value = serde_json::from_slice(&lines.buf).map_err(|_| {
        StoreError::Backup("this is not an hcx backup: its first line is not JSON".into())
    })?;
    match value.get("format").and_then(Value::as_str) {
        Some(BACKUP_FORMAT) => {}
        Some(other) if other.starts_with("hcx-backup/") => {
            return Err(StoreError::Backup(format!(
                "the backup is in format {other:?}, which this hcx cannot read (it reads {BACKUP_FORMAT:?}): \
                 restore it with the hcx release that made it"
            )));
        }
        _ => {
            return Err(StoreError::Backup(format!(
                "this is not an hcx backup: its header names no {BACKUP_FORMAT:?} format"
            )));
        }
    }
    serde_json::from_value(value).map_err(|e| bad(lines.number, format!("bad header: {e}")))
}

/// Rows of one table waiting to be inserted.
struct Pending {
    table: &'static str,
    /// This database's columns in the order of the backup's.
    columns: Vec<Column>,
    identity: bool,
    rows: Vec<Vec<Datum>>,
    first_line: usize,
    last_line: usize,
    written: u64,
}

impl Pending {
    fn new(table: &'static str, columns: Vec<Column>) -> Self {
        let identity = columns.iter().any(|c| c.identity);
        Pending {
            table,
            columns,
            identity,
            rows: Vec::with_capacity(ROWS_PER_STATEMENT),
            first_line: 0,
            last_line: 0,
            written: 0,
        }
    }

    /// Checks a row against the column types and queues it.
    fn push(&mut self, line: usize, values: Vec<Value>) -> Result<(), StoreError> {
        if values.len() != self.columns.len() {
            return Err(bad(
                line,
                format!(
                    "a row of {} has {} values, not {}",
                    self.table,
                    values.len(),
                    self.columns.len()
                ),
            ));
        }
        let mut row = Vec::with_capacity(values.len());
        for (value, column) in values.into_iter().zip(&self.columns) {
            let datum = match (column.kind, value) {
                (Kind::Int, Value::Null) => Datum::Int(None),
                (Kind::Text, Value::Null) => Datum::Text(None),
                (Kind::Int, Value::Number(n)) if n.is_i64() => Datum::Int(n.as_i64()),
                (Kind::Text, Value::String(s)) => Datum::Text(Some(s)),
                (kind, value) => {
                    return Err(bad(
                        line,
                        format!(
                            "{}.{} holds {value}, not {}",
                            self.table,
                            column.name,
                            match kind {
                                Kind::Int => "an integer",
                                Kind::Text => "text",
                            }
                        ),
                    ));
                }
            };
            row.push(datum);
        }
        if self.rows.is_empty() {
            self.first_line = line;
        }
        self.last_line = line;
        self.rows.push(row);
        Ok(())
    }

    async fn flush(
        &mut self,
        tx: &mut Transaction<'_, Any>,
        backend: Backend,
    ) -> Result<(), StoreError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let n = self.columns.len();
        let marks: Vec<String> = (0..self.rows.len())
            .map(|r| {
                let marks: Vec<String> = (1..=n).map(|c| format!("${}", r * n + c)).collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        let names: Vec<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
        // PostgreSQL refuses explicit values for `generated always` columns
        // unless told that they are meant.
        let overriding = if backend == Backend::Postgres && self.identity {
            " overriding system value"
        } else {
            ""
        };
        let sql = format!(
            "insert into {} ({}){overriding} values {}",
            self.table,
            names.join(", "),
            marks.join(", ")
        );
        let mut q = sqlx::query(built(sql));
        for row in self.rows.drain(..) {
            for datum in row {
                q = match datum {
                    Datum::Int(i) => q.bind(i),
                    Datum::Text(s) => q.bind(s),
                };
            }
        }
        let done = q.execute(&mut **tx).await.map_err(|e| {
            let e = StoreError::from(e);
            match e {
                StoreError::Unavailable(_) => e,
                _ => StoreError::Backup(format!(
                    "lines {}-{} of the backup ({}) cannot be restored: {e}",
                    self.first_line, self.last_line, self.table
                )),
            }
        })?;
        self.written += done.rows_affected();
        Ok(())
    }
}

/// Moves a table's numbering past its restored rows, so new rows get fresh
/// numbers and the store numbers on exactly as the one backed up would.
async fn renumber(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    table: &str,
    column: &str,
) -> Result<(), StoreError> {
    let sql = match backend {
        Backend::Postgres => format!(
            "select setval(pg_get_serial_sequence('{table}', '{column}'), coalesce(max({column}), 0) + 1, false) from {table}"
        ),
        // SQLite raises `sqlite_sequence` by itself on explicit inserts, but
        // never lowers it, and a forced restore may replace a longer history.
        Backend::Sqlite => format!(
            "update sqlite_sequence set seq = (select coalesce(max({column}), 0) from {table}) where name = '{table}'"
        ),
    };
    sqlx::query(built(sql)).execute(&mut **tx).await?;
    Ok(())
}

impl Store {
    /// Writes a consistent snapshot of every hcx table as a gzip-compressed
    /// JSON Lines dump (see the module documentation), while the store stays
    /// in use: one read transaction sees one state of the database (on
    /// SQLite, write-ahead logging lets writers go on beside it).
    pub async fn backup(&self, out: impl Write + Send) -> Result<BackupSummary, StoreError> {
        let mut tx = self.begin_snapshot().await?;
        let schema_version = applied_version(&mut tx).await?;
        let created_at = now_ms();
        let mut out = GzEncoder::new(out, Compression::default());
        write_line(
            &mut out,
            &Header {
                format: BACKUP_FORMAT.into(),
                schema_version,
                created_at,
                backend: backend_name(self.backend).into(),
            },
        )?;
        let mut tables = Vec::with_capacity(TABLES.len());
        for &table in TABLES {
            let columns = columns(&mut tx, self.backend, table).await?;
            let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
            let sql = format!(
                "select {} from {table} order by {}",
                names.join(", "),
                order_by(self.backend, &columns)
            );
            write_line(
                &mut out,
                &Section {
                    table: table.into(),
                    columns: names,
                },
            )?;
            let mut rows = sqlx::query(built(sql)).fetch(&mut *tx);
            let mut count = 0;
            let mut values = Vec::with_capacity(columns.len());
            while let Some(row) = rows.try_next().await? {
                values.clear();
                for (i, column) in columns.iter().enumerate() {
                    values.push(match column.kind {
                        Kind::Int => row
                            .try_get::<Option<i64>, _>(i)?
                            .map_or(Value::Null, Value::from),
                        Kind::Text => row
                            .try_get::<Option<String>, _>(i)?
                            .map_or(Value::Null, Value::String),
                    });
                }
                write_line(&mut out, &values)?;
                count += 1;
            }
            tables.push(TableRows { table, rows: count });
        }
        tx.rollback().await?;
        let cannot =
            |e: std::io::Error| StoreError::Unavailable(format!("cannot write the backup: {e}"));
        out.finish().map_err(cannot)?.flush().map_err(cannot)?;
        Ok(BackupSummary {
            schema_version,
            created_at,
            tables,
        })
    }

    /// Replaces the contents of this store with a backup made by
    /// [`Store::backup`] on either backend, in one transaction: a backup
    /// that turns out damaged or unfit halfway leaves the store as it was.
    ///
    /// The backup must come from the schema version this database is
    /// migrated to. A store that holds anything is refused unless `force`,
    /// since everything in it is deleted first. Search indexes follow the
    /// change log, which the restore replaces: rebuild them afterwards.
    pub async fn restore(
        &self,
        input: impl BufRead + Send,
        force: bool,
    ) -> Result<RestoreSummary, StoreError> {
        // The header is checked before the database is touched.
        let mut lines = Lines::open(input)?;
        let header = read_header(&mut lines)?;
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            // Registry writers wait, so no change slips in mid-restore.
            sqlx::query(WRITE_LOCK).execute(&mut *tx).await?;
        }
        let version = applied_version(&mut tx).await?;
        if header.schema_version != version {
            let advice = if header.schema_version < version {
                "restore it with the hcx release that made it (or one at that schema version) \
                 into an empty database, then start this release to migrate it"
            } else {
                "restore it with an hcx release at that schema version or newer"
            };
            return Err(StoreError::Backup(format!(
                "the backup has schema version {} but this database is at version {version}: {advice}",
                header.schema_version
            )));
        }

        let mut targets = Vec::with_capacity(TABLES.len());
        let mut occupied = Vec::new();
        for &table in TABLES {
            targets.push(columns(&mut tx, self.backend, table).await?);
            let sql = format!("select count(*) from (select 1 from {table} limit 1) as probe");
            if sqlx::query(built(sql))
                .fetch_one(&mut *tx)
                .await?
                .try_get::<i64, _>(0)?
                > 0
            {
                occupied.push(table);
            }
        }
        if !occupied.is_empty() && !force {
            return Err(StoreError::Conflict(format!(
                "the database already holds data (in {}); a restore deletes all of it first: \
                 restore into an empty database, or pass --force to replace it",
                occupied.join(", ")
            )));
        }

        if self.backend == Backend::Postgres {
            // Transactional: a rollback switches it back on by itself.
            sqlx::query(built(format!(
                "alter table {AUDIT_TABLE} disable trigger {AUDIT_TRIGGER}"
            )))
            .execute(&mut *tx)
            .await?;
        }
        let mut replaced = 0;
        for table in TABLES.iter().rev() {
            replaced += sqlx::query(built(format!("delete from {table}")))
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }

        let mut restored = Vec::with_capacity(TABLES.len());
        let mut pending: Option<Pending> = None;
        while lines.next()? {
            let line = lines.number;
            let value: Value = serde_json::from_slice(&lines.buf)
                .map_err(|e| bad(line, format!("not JSON: {e}")))?;
            match value {
                Value::Array(values) => {
                    let table = pending
                        .as_mut()
                        .ok_or_else(|| bad(line, "a row comes before any table line"))?;
                    table.push(line, values)?;
                    if table.rows.len() == ROWS_PER_STATEMENT {
                        table.flush(&mut tx, self.backend).await?;
                    }
                }
                Value::Object(_) => {
                    let section: Section = serde_json::from_value(value)
                        .map_err(|e| bad(line, format!("not a table line: {e}")))?;
                    if let Some(mut done) = pending.take() {
                        done.flush(&mut tx, self.backend).await?;
                        restored.push(TableRows {
                            table: done.table,
                            rows: done.written,
                        });
                    }
                    let Some(&expected) = TABLES.get(restored.len()) else {
                        return Err(bad(
                            line,
                            format!("table {:?} comes after the last table", section.table),
                        ));
                    };
                    if section.table != expected {
                        return Err(bad(
                            line,
                            format!("expected table {expected}, found {:?}", section.table),
                        ));
                    }
                    let target = &targets[restored.len()];
                    let mut ordered = Vec::with_capacity(target.len());
                    for name in &section.columns {
                        let column = target.iter().find(|c| &c.name == name).ok_or_else(|| {
                            bad(
                                line,
                                format!("{expected} has no column {name:?} in this database"),
                            )
                        })?;
                        if ordered.iter().any(|c: &Column| &c.name == name) {
                            return Err(bad(line, format!("column {name:?} is listed twice")));
                        }
                        ordered.push(column.clone());
                    }
                    if let Some(missing) =
                        target.iter().find(|c| !section.columns.contains(&c.name))
                    {
                        return Err(bad(
                            line,
                            format!("{expected} lacks column {:?}", missing.name),
                        ));
                    }
                    pending = Some(Pending::new(expected, ordered));
                }
                _ => return Err(bad(line, "neither a row nor a table line")),
            }
        }
        if let Some(mut done) = pending.take() {
            done.flush(&mut tx, self.backend).await?;
            restored.push(TableRows {
                table: done.table,
                rows: done.written,
            });
        }
        if let Some(missing) = TABLES.get(restored.len()) {
            return Err(StoreError::Backup(format!(
                "the backup ends before table {missing}: it is incomplete"
            )));
        }

        for (&table, columns) in TABLES.iter().zip(&targets) {
            for column in columns.iter().filter(|c| c.identity) {
                renumber(&mut tx, self.backend, table, &column.name).await?;
            }
        }
        if self.backend == Backend::Postgres {
            sqlx::query(built(format!(
                "alter table {AUDIT_TABLE} enable trigger {AUDIT_TRIGGER}"
            )))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(RestoreSummary {
            schema_version: header.schema_version,
            created_at: header.created_at,
            source_backend: header.backend,
            replaced,
            tables: restored,
        })
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::test_both_backends;

    /// The tables a migrated database actually has, besides bookkeeping.
    async fn present(store: &Store) -> Vec<String> {
        let sql = match store.backend {
            Backend::Sqlite => {
                "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
            }
            Backend::Postgres => {
                "select table_name::text from information_schema.tables \
                 where table_schema = current_schema() and table_type = 'BASE TABLE'"
            }
        };
        let rows = sqlx::query(sql).fetch_all(&store.pool).await.unwrap();
        let mut names: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String, _>(0).unwrap())
            .filter(|n| n != "schema_migrations")
            .collect();
        names.sort();
        names
    }

    test_both_backends!(
        async fn every_table_of_the_schema_is_backed_up(store: &Store) {
            let mut listed: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
            listed.sort();
            assert_eq!(
                present(store).await,
                listed,
                "a migration added or dropped a table: update backup::TABLES"
            );
        }
    );

    test_both_backends!(
        async fn the_numbered_tables_are_found_in_the_catalogue(store: &Store) {
            let mut tx = store.pool.begin().await.unwrap();
            let mut numbered = Vec::new();
            for &table in TABLES {
                for c in columns(&mut tx, store.backend, table).await.unwrap() {
                    if c.identity {
                        numbered.push(format!("{table}.{}", c.name));
                    }
                }
            }
            assert_eq!(
                numbered,
                [
                    "changes.seq",
                    "notifications.id",
                    "jobs.id",
                    "case_notifications.id",
                    "reinvestment_entries.id",
                    "audit_events.seq"
                ]
            );
        }
    );

    #[test]
    fn only_plain_names_are_spliced_into_sql() {
        assert!(plain("value_gbp_pence"));
        assert!(!plain("x; drop table users"));
        assert!(!plain("\"Quoted\""));
        assert!(!plain(""));
    }
}
