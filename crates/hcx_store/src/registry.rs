//! Reading and writing the registry: organisations, offers, strategies and opportunities.

use std::collections::HashMap;

use futures_util::TryStreamExt;
use hcx_domain::vocab::OrgKind;
use hcx_domain::{Offer, Opportunity, Organisation, Record, Strategy};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::alerts;
use crate::audit::{self, Author, Entry};
use crate::rows::{
    Cell, OFFERS, OPPORTUNITIES, ORGANISATIONS, STRATEGIES, TABLES, Table, cells, table_of,
};
use crate::{Store, StoreError, built, now_ms};

/// A stored record with its version and times (milliseconds since the epoch).
#[derive(Debug, Clone, PartialEq)]
pub struct Versioned<T> {
    pub record: T,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a write expects to find, so that no edit silently overwrites another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Create or replace, whatever is there.
    Any,
    /// Create only: refuse if the id is taken.
    New,
    /// Replace only the stored version given.
    Version(i64),
}

/// What a bulk write did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ApplySummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// One page of a list, with the total number of matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

/// Filters for listing organisations: each list is "any of", empty means all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganisationFilter {
    pub kinds: Vec<String>,
    pub sectors: Vec<String>,
    pub regions: Vec<String>,
    pub networks: Vec<String>,
    pub countries: Vec<String>,
    /// Part of the name, any case.
    pub name: Option<String>,
}

/// Filters for listing opportunities from the database (search has richer ones).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpportunityFilter {
    pub buyers: Vec<String>,
    pub countries: Vec<String>,
    pub statuses: Vec<String>,
    pub sources: Vec<String>,
}

/// One entry of the change log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub kind: String,
    pub record_id: String,
    /// `create`, `update` or `delete`.
    pub op: String,
}

/// Record counts for the dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub organisations_by_kind: Vec<(String, i64)>,
    pub offers: i64,
    pub strategies: i64,
    pub opportunities_by_status: Vec<(String, i64)>,
}

/// Builds a `where` clause with numbered placeholders.
#[derive(Debug, Default)]
struct Where {
    clauses: Vec<String>,
    binds: Vec<String>,
}

impl Where {
    fn any_of(&mut self, column: &str, values: &[String]) {
        if values.is_empty() {
            return;
        }
        let start = self.binds.len();
        let marks: Vec<String> = (1..=values.len())
            .map(|i| format!("${}", start + i))
            .collect();
        self.clauses
            .push(format!("{column} in ({})", marks.join(", ")));
        self.binds.extend(values.iter().cloned());
    }

    fn contains(&mut self, column: &str, needle: &str) {
        self.binds.push(format!(
            "%{}%",
            needle.to_lowercase().replace(['%', '_'], "")
        ));
        self.clauses
            .push(format!("lower({column}) like ${}", self.binds.len()));
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" where {}", self.clauses.join(" and "))
        }
    }

    fn next(&self) -> usize {
        self.binds.len() + 1
    }
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>,
    binds: &'q [String],
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
    for b in binds {
        q = q.bind(b.as_str());
    }
    q
}

fn decode<T>(
    table: Table,
    row: &AnyRow,
    pick: fn(Record) -> Option<T>,
) -> Result<Versioned<T>, StoreError> {
    let id: String = row.try_get("id")?;
    let body: String = row.try_get("body")?;
    let corrupt = |reason: String| StoreError::Corrupt {
        kind: table.kind,
        id: id.clone(),
        reason,
    };
    let record = Record::parse_line(&body).map_err(|e| corrupt(e.to_string()))?;
    let record = pick(record).ok_or_else(|| corrupt(format!("is not a {}", table.kind)))?;
    Ok(Versioned {
        record,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn as_organisation(r: Record) -> Option<Organisation> {
    match r {
        Record::Organisation(o) => Some(o),
        _ => None,
    }
}

fn as_offer(r: Record) -> Option<Offer> {
    match r {
        Record::Offer(o) => Some(o),
        _ => None,
    }
}

fn as_strategy(r: Record) -> Option<Strategy> {
    match r {
        Record::Strategy(s) => Some(s),
        _ => None,
    }
}

fn as_opportunity(r: Record) -> Option<Opportunity> {
    match r {
        Record::Opportunity(o) => Some(o),
        _ => None,
    }
}

const META: &str = "id, body, version, created_at, updated_at";

/// Rows per multi-row statement. SQLite finds each numbered parameter by a
/// linear search, so binding costs grow with the square of the count: small
/// statements are faster than large ones.
const ROWS_PER_STATEMENT: usize = 20;
/// Ids per `in (...)` lookup, for the same reason.
pub(crate) const IDS_PER_STATEMENT: usize = 100;
/// Rows read per statement when reading a whole table.
const SCAN_PAGE: i64 = 5_000;

/// A record ready to bind: its id, its column values and its body.
type Prepared = (String, Vec<Cell>, String);

fn prepare(records: &[&Record]) -> Vec<Prepared> {
    records
        .iter()
        .map(|r| (r.id().to_owned(), cells(r), r.to_line()))
        .collect()
}

/// Upserts records of one table, leaving alone those whose stored body is
/// identical, and logs each change; returns the id and new version of each
/// record that changed (version 1: created).
async fn upsert(
    tx: &mut Transaction<'_, Any>,
    table: Table,
    records: &[&Record],
    now: i64,
) -> Result<Vec<(String, i64)>, StoreError> {
    let n = table.columns.len();
    let names = table.columns.join(", ");
    let updates: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let mut changed = Vec::new();
    let mut chunks = records.chunks(ROWS_PER_STATEMENT);
    let mut ready = chunks.next().map(prepare);
    while let Some(rows) = ready.take() {
        // $1 is the time; each row then takes id, its columns and its body.
        let marks: Vec<String> = (0..rows.len())
            .map(|r| {
                let first = 2 + r * (n + 2);
                let marks: Vec<String> = (first..first + n + 2).map(|i| format!("${i}")).collect();
                format!("({}, 1, $1, $1)", marks.join(", "))
            })
            .collect();
        let sql = format!(
            "insert into {t} (id, {names}, body, version, created_at, updated_at) values {rows} \
             on conflict (id) do update set {updates}, body = excluded.body, version = {t}.version + 1, updated_at = excluded.updated_at \
             where {t}.body <> excluded.body returning id, version",
            t = table.name,
            rows = marks.join(", "),
            updates = updates.join(", "),
        );
        let mut q = sqlx::query(built(sql)).bind(now);
        for (id, cells, body) in rows {
            q = q.bind(id);
            for cell in cells {
                q = match cell {
                    Cell::Text(s) => q.bind(s),
                    Cell::MaybeText(s) => q.bind(s),
                    Cell::MaybeInt(i) => q.bind(i),
                };
            }
            q = q.bind(body);
        }
        // The next rows are serialised while the database writes these.
        let (written, next) =
            tokio::join!(q.fetch_all(&mut **tx), async { chunks.next().map(prepare) });
        for row in written? {
            changed.push((row.try_get::<String, _>(0)?, row.try_get::<i64, _>(1)?));
        }
        ready = next;
    }
    for chunk in changed.chunks(ROWS_PER_STATEMENT) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| format!("($1, ${}, ${}, $2)", 3 + 2 * r, 4 + 2 * r))
            .collect();
        let sql = format!(
            "insert into changes (kind, record_id, op, at) values {}",
            rows.join(", ")
        );
        let mut q = sqlx::query(built(sql)).bind(table.kind).bind(now);
        for (id, version) in chunk {
            q = q
                .bind(id.as_str())
                .bind(if *version == 1 { "create" } else { "update" });
        }
        q.execute(&mut **tx).await?;
    }
    Ok(changed)
}

async fn log_change(
    tx: &mut Transaction<'_, Any>,
    kind: &str,
    id: &str,
    op: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("insert into changes (kind, record_id, op, at) values ($1, $2, $3, $4)")
        .bind(kind)
        .bind(id)
        .bind(op)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The stored bodies of these ids (absent ones left out).
async fn bodies_of(
    tx: &mut Transaction<'_, Any>,
    table: Table,
    ids: &[&str],
) -> Result<HashMap<String, String>, StoreError> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "select id, body from {} where id in ({})",
            table.name,
            marks.join(", ")
        );
        let mut q = sqlx::query(built(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        for row in q.fetch_all(&mut **tx).await? {
            found.insert(row.try_get(0)?, row.try_get(1)?);
        }
    }
    Ok(found)
}

/// Upserts records and writes an audit event for each one that changed,
/// with what it was before; `action` names the event instead of
/// `create`/`update` (a lifecycle step, say).
async fn upsert_audited(
    tx: &mut Transaction<'_, Any>,
    table: Table,
    records: &[&Record],
    now: i64,
    author: &Author,
    action: Option<&str>,
) -> Result<Vec<(String, i64)>, StoreError> {
    let ids: Vec<&str> = records.iter().map(|r| r.id()).collect();
    let before = bodies_of(tx, table, &ids).await?;
    let changed = upsert(tx, table, records, now).await?;
    if changed.is_empty() {
        return Ok(changed);
    }
    let after: HashMap<&str, String> = records.iter().map(|r| (r.id(), r.to_line())).collect();
    let entries: Vec<Entry> = changed
        .iter()
        .map(|(id, version)| Entry {
            action: action.unwrap_or(if *version == 1 { "create" } else { "update" }),
            kind: table.kind,
            record_id: id,
            before: before.get(id).map(String::as_str),
            after: after.get(id.as_str()).map(String::as_str),
        })
        .collect();
    audit::append(tx, author, now, &entries).await?;
    if table == OPPORTUNITIES {
        // The outbox: subscribers hear of an opportunity once it is published.
        let published: Vec<&str> = changed
            .iter()
            .map(|(id, _)| id.as_str())
            .filter(|id| after.get(id).is_some_and(|b| alerts::is_published(b)))
            .filter(|id| !before.get(*id).is_some_and(|b| alerts::is_published(b)))
            .collect();
        alerts::enqueue_fan_out(tx, &published, now).await?;
    }
    Ok(changed)
}

async fn stored_version(
    tx: &mut Transaction<'_, Any>,
    table: Table,
    id: &str,
) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query(built(format!(
        "select version from {} where id = $1",
        table.name
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| r.try_get::<i64, _>(0)).transpose()?)
}

fn check_expectation(
    table: Table,
    id: &str,
    expect: Expect,
    stored: Option<i64>,
) -> Result<(), StoreError> {
    match (expect, stored) {
        (Expect::New, Some(_)) => Err(StoreError::Conflict(format!(
            "{} {id:?} already exists",
            table.kind
        ))),
        (Expect::Version(_), None) => Err(StoreError::NotFound {
            kind: table.kind,
            id: id.to_owned(),
        }),
        (Expect::Version(want), Some(have)) if want != have => Err(StoreError::Conflict(format!(
            "{} {id:?} was changed by someone else (you edited version {want}, it is now version {have})",
            table.kind
        ))),
        _ => Ok(()),
    }
}

impl Store {
    /// Starts a transaction that writes records and the change log. On
    /// PostgreSQL such transactions take turns, so change-log sequence numbers
    /// become visible in the order they were given: an index that has applied
    /// up to N can never later miss a change numbered below N.
    async fn begin_change(&self) -> Result<Transaction<'static, Any>, StoreError> {
        let mut tx = self.begin_write().await?;
        if self.backend == crate::Backend::Postgres {
            sqlx::query("select pg_advisory_xact_lock(72736002)")
                .execute(&mut *tx)
                .await?;
            // Tables grow within a bulk write while their statistics
            // still say empty, and a plan cached for an empty table scans
            // the whole of it for every key lookup: every statement here
            // finds rows by key, so scans are ruled out.
            sqlx::query("set local enable_seqscan = off")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Writes many records in one transaction, in dependency order; records
    /// identical to what is stored are left alone (so re-importing changes
    /// nothing). Each record must appear once.
    pub async fn apply(
        &self,
        records: &[Record],
        author: &Author,
    ) -> Result<ApplySummary, StoreError> {
        self.apply_with_progress(records, author, &mut |_| ()).await
    }

    /// Like [`Store::apply`], calling `progress` with the number of records written so far.
    pub async fn apply_with_progress(
        &self,
        records: &[Record],
        author: &Author,
        progress: &mut (dyn FnMut(usize) + Send),
    ) -> Result<ApplySummary, StoreError> {
        let mut summary = ApplySummary::default();
        let now = now_ms();
        let mut tx = self.begin_change().await?;
        let mut done = 0;
        for table in TABLES {
            let of_table: Vec<&Record> = records.iter().filter(|r| table_of(r) == table).collect();
            for chunk in of_table.chunks(1000) {
                let changed = upsert_audited(&mut tx, table, chunk, now, author, None).await?;
                let created = changed.iter().filter(|(_, v)| *v == 1).count();
                summary.created += created;
                summary.updated += changed.len() - created;
                summary.unchanged += chunk.len() - changed.len();
                done += chunk.len();
                progress(done);
            }
        }
        tx.commit().await?;
        Ok(summary)
    }

    /// Writes one record, checking what it expects to find; returns the stored version.
    pub async fn put(
        &self,
        record: &Record,
        expect: Expect,
        author: &Author,
    ) -> Result<i64, StoreError> {
        self.put_as(record, expect, author, None).await
    }

    /// Like [`Store::put`], naming the audit event `action` (a lifecycle step).
    pub async fn put_as(
        &self,
        record: &Record,
        expect: Expect,
        author: &Author,
        action: Option<&str>,
    ) -> Result<i64, StoreError> {
        let table = table_of(record);
        let mut tx = self.begin_change().await?;
        let stored = stored_version(&mut tx, table, record.id()).await?;
        check_expectation(table, record.id(), expect, stored)?;
        let changed = upsert_audited(&mut tx, table, &[record], now_ms(), author, action).await?;
        tx.commit().await?;
        Ok(changed.first().map(|(_, v)| *v).or(stored).unwrap_or(1))
    }

    async fn delete(
        &self,
        table: Table,
        id: &str,
        expect: Expect,
        author: &Author,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_change().await?;
        let before = bodies_of(&mut tx, table, &[id]).await?;
        let stored = stored_version(&mut tx, table, id).await?;
        if stored.is_none() {
            return Err(StoreError::NotFound {
                kind: table.kind,
                id: id.to_owned(),
            });
        }
        check_expectation(table, id, expect, stored)?;
        sqlx::query(built(format!("delete from {} where id = $1", table.name)))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => StoreError::Conflict(format!(
                    "{} {id:?} cannot be deleted while offers, strategies, opportunities or due-diligence cases refer to it",
                    table.kind
                )),
                other => other,
            })?;
        let now = now_ms();
        log_change(&mut tx, table.kind, id, "delete", now).await?;
        let entry = Entry {
            before: before.get(id).map(String::as_str),
            ..Entry::of("delete", table.kind, id)
        };
        audit::append(&mut tx, author, now, &[entry]).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_organisation(
        &self,
        id: &str,
        expect: Expect,
        author: &Author,
    ) -> Result<(), StoreError> {
        self.delete(ORGANISATIONS, id, expect, author).await
    }

    pub async fn delete_offer(
        &self,
        id: &str,
        expect: Expect,
        author: &Author,
    ) -> Result<(), StoreError> {
        self.delete(OFFERS, id, expect, author).await
    }

    pub async fn delete_strategy(
        &self,
        id: &str,
        expect: Expect,
        author: &Author,
    ) -> Result<(), StoreError> {
        self.delete(STRATEGIES, id, expect, author).await
    }

    pub async fn delete_opportunity(
        &self,
        id: &str,
        expect: Expect,
        author: &Author,
    ) -> Result<(), StoreError> {
        self.delete(OPPORTUNITIES, id, expect, author).await
    }

    async fn get<T>(
        &self,
        table: Table,
        column: &str,
        key: &str,
        pick: fn(Record) -> Option<T>,
    ) -> Result<Option<Versioned<T>>, StoreError> {
        let row = sqlx::query(built(format!(
            "select {META} from {} where {column} = $1",
            table.name
        )))
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| decode(table, &r, pick)).transpose()
    }

    pub async fn organisation(
        &self,
        id: &str,
    ) -> Result<Option<Versioned<Organisation>>, StoreError> {
        self.get(ORGANISATIONS, "id", id, as_organisation).await
    }

    pub async fn offer(&self, id: &str) -> Result<Option<Versioned<Offer>>, StoreError> {
        self.get(OFFERS, "id", id, as_offer).await
    }

    pub async fn strategy(&self, id: &str) -> Result<Option<Versioned<Strategy>>, StoreError> {
        self.get(STRATEGIES, "id", id, as_strategy).await
    }

    /// The strategy of a provider, if it has one.
    pub async fn strategy_of(
        &self,
        provider: &str,
    ) -> Result<Option<Versioned<Strategy>>, StoreError> {
        self.get(STRATEGIES, "provider_id", provider, as_strategy)
            .await
    }

    pub async fn opportunity(
        &self,
        id: &str,
    ) -> Result<Option<Versioned<Opportunity>>, StoreError> {
        self.get(OPPORTUNITIES, "id", id, as_opportunity).await
    }

    async fn page<T>(
        &self,
        table: Table,
        filter: Where,
        order: &str,
        offset: i64,
        limit: i64,
        pick: fn(Record) -> Option<T>,
    ) -> Result<Page<Versioned<T>>, StoreError> {
        let clause = filter.sql();
        let total = bind_all(
            sqlx::query(built(format!(
                "select count(*) from {}{clause}",
                table.name
            ))),
            &filter.binds,
        )
        .fetch_one(&self.pool)
        .await?
        .try_get::<i64, _>(0)?;
        let n = filter.next();
        let sql = format!(
            "select {META} from {}{clause} order by {order} limit ${n} offset ${}",
            table.name,
            n + 1
        );
        let rows = bind_all(sqlx::query(built(sql)), &filter.binds)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        let items = rows
            .iter()
            .map(|r| decode(table, r, pick))
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            total,
            offset,
            limit,
        })
    }

    pub async fn list_organisations(
        &self,
        filter: &OrganisationFilter,
        offset: i64,
        limit: i64,
    ) -> Result<Page<Versioned<Organisation>>, StoreError> {
        let mut w = Where::default();
        w.any_of("kind", &filter.kinds);
        w.any_of("sector", &filter.sectors);
        w.any_of("region", &filter.regions);
        w.any_of("network", &filter.networks);
        w.any_of("country", &filter.countries);
        if let Some(name) = filter
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            w.contains("name", name);
        }
        self.page(ORGANISATIONS, w, "name, id", offset, limit, as_organisation)
            .await
    }

    /// Offers, optionally of one provider, by title.
    pub async fn list_offers(
        &self,
        provider: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<Page<Versioned<Offer>>, StoreError> {
        let mut w = Where::default();
        w.any_of(
            "provider_id",
            &provider.map(str::to_owned).into_iter().collect::<Vec<_>>(),
        );
        self.page(OFFERS, w, "title, id", offset, limit, as_offer)
            .await
    }

    pub async fn list_strategies(
        &self,
        offset: i64,
        limit: i64,
    ) -> Result<Page<Versioned<Strategy>>, StoreError> {
        self.page(
            STRATEGIES,
            Where::default(),
            "id",
            offset,
            limit,
            as_strategy,
        )
        .await
    }

    /// Opportunities, most recently changed first.
    pub async fn list_opportunities(
        &self,
        filter: &OpportunityFilter,
        offset: i64,
        limit: i64,
    ) -> Result<Page<Versioned<Opportunity>>, StoreError> {
        let mut w = Where::default();
        w.any_of("buyer_id", &filter.buyers);
        w.any_of("country", &filter.countries);
        w.any_of("status", &filter.statuses);
        w.any_of("source", &filter.sources);
        self.page(
            OPPORTUNITIES,
            w,
            "updated_at desc, id",
            offset,
            limit,
            as_opportunity,
        )
        .await
    }

    /// Every opportunity, in id order.
    pub async fn all_opportunities(&self) -> Result<Vec<Versioned<Opportunity>>, StoreError> {
        self.scan(OPPORTUNITIES, as_opportunity).await
    }

    /// Every offer, in id order.
    pub async fn all_offers(&self) -> Result<Vec<Versioned<Offer>>, StoreError> {
        self.scan(OFFERS, as_offer).await
    }

    /// Every organisation, in id order.
    pub async fn all_organisations(&self) -> Result<Vec<Versioned<Organisation>>, StoreError> {
        self.scan(ORGANISATIONS, as_organisation).await
    }

    /// Every strategy, in id order.
    pub async fn all_strategies(&self) -> Result<Vec<Versioned<Strategy>>, StoreError> {
        self.scan(STRATEGIES, as_strategy).await
    }

    /// A whole table in id order, read in pages so that no statement holds
    /// the database for long.
    async fn scan<T>(
        &self,
        table: Table,
        pick: fn(Record) -> Option<T>,
    ) -> Result<Vec<Versioned<T>>, StoreError> {
        let sql = format!(
            "select {META} from {} where id > $1 order by id limit $2",
            table.name
        );
        let mut all = Vec::new();
        let mut after = String::new();
        loop {
            let rows = sqlx::query(built(sql.clone()))
                .bind(&after)
                .bind(SCAN_PAGE)
                .fetch_all(&self.pool)
                .await?;
            let Some(last) = rows.last() else {
                return Ok(all);
            };
            after = last.try_get("id")?;
            for row in &rows {
                all.push(decode(table, row, pick)?);
            }
        }
    }

    /// The opportunities with these ids, in the order given (missing ones skipped).
    pub async fn opportunities_by_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<Versioned<Opportunity>>, StoreError> {
        self.by_ids(OPPORTUNITIES, ids, as_opportunity).await
    }

    /// The offers with these ids, in the order given (missing ones skipped).
    pub async fn offers_by_ids(&self, ids: &[String]) -> Result<Vec<Versioned<Offer>>, StoreError> {
        self.by_ids(OFFERS, ids, as_offer).await
    }

    async fn by_ids<T>(
        &self,
        table: Table,
        ids: &[String],
        pick: fn(Record) -> Option<T>,
    ) -> Result<Vec<Versioned<T>>, StoreError> {
        let mut found: HashMap<String, Versioned<T>> = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let mut w = Where::default();
            w.any_of("id", chunk);
            let sql = format!("select {META} from {}{}", table.name, w.sql());
            for row in bind_all(sqlx::query(built(sql)), &w.binds)
                .fetch_all(&self.pool)
                .await?
            {
                let id: String = row.try_get("id")?;
                found.insert(id, decode(table, &row, pick)?);
            }
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// The organisations with these ids, in the order given (missing ones skipped).
    pub async fn organisations_by_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<Versioned<Organisation>>, StoreError> {
        self.by_ids(ORGANISATIONS, ids, as_organisation).await
    }

    /// The strategies with these ids, in the order given (missing ones skipped).
    pub async fn strategies_by_ids(
        &self,
        ids: &[String],
    ) -> Result<Vec<Versioned<Strategy>>, StoreError> {
        self.by_ids(STRATEGIES, ids, as_strategy).await
    }

    /// The strategies of these providers (those that have one).
    pub async fn strategies_of(
        &self,
        providers: &[String],
    ) -> Result<Vec<Versioned<Strategy>>, StoreError> {
        let mut found = Vec::new();
        for chunk in providers.chunks(IDS_PER_STATEMENT) {
            let mut w = Where::default();
            w.any_of("provider_id", chunk);
            let sql = format!("select {META} from strategies{}", w.sql());
            for row in bind_all(sqlx::query(built(sql)), &w.binds)
                .fetch_all(&self.pool)
                .await?
            {
                found.push(decode(STRATEGIES, &row, as_strategy)?);
            }
        }
        Ok(found)
    }

    /// Every organisation's kind by id, for checking the references of a bulk import.
    pub async fn organisation_kinds(&self) -> Result<HashMap<String, OrgKind>, StoreError> {
        let rows = sqlx::query("select id, kind from organisations")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get(0)?;
                let kind: String = r.try_get(1)?;
                let kind = OrgKind::parse(&kind).ok_or_else(|| StoreError::Corrupt {
                    kind: "organisation",
                    id: id.clone(),
                    reason: format!("unknown kind {kind:?}"),
                })?;
                Ok((id, kind))
            })
            .collect()
    }

    /// Every provider's strategy id, for keeping one strategy per provider.
    pub async fn strategy_ids_by_provider(&self) -> Result<HashMap<String, String>, StoreError> {
        let rows = sqlx::query("select provider_id, id from strategies")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Names of organisations by id.
    pub async fn organisation_names(&self) -> Result<HashMap<String, String>, StoreError> {
        let rows = sqlx::query("select id, name from organisations")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Names of the organisations with these ids (unknown ids left out).
    pub async fn organisation_names_of(
        &self,
        ids: &[String],
    ) -> Result<HashMap<String, String>, StoreError> {
        let mut names = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let mut w = Where::default();
            w.any_of("id", chunk);
            let sql = format!("select id, name from organisations{}", w.sql());
            for row in bind_all(sqlx::query(built(sql)), &w.binds)
                .fetch_all(&self.pool)
                .await?
            {
                names.insert(row.try_get(0)?, row.try_get(1)?);
            }
        }
        Ok(names)
    }

    /// Streams every record as an interchange line, organisations first, each kind by id.
    pub async fn export(
        &self,
        mut write: impl FnMut(&str) -> std::io::Result<()>,
    ) -> Result<usize, StoreError> {
        let mut n = 0;
        for table in TABLES {
            let sql = format!("select body from {} order by id", table.name);
            let mut rows = sqlx::query(built(sql)).fetch(&self.pool);
            while let Some(row) = rows.try_next().await? {
                let body: String = row.try_get(0)?;
                write(&body).map_err(|e| {
                    StoreError::Unavailable(format!("cannot write the export: {e}"))
                })?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// Whether the registry holds no records at all.
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("select count(*) from organisations")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>(0)? == 0)
    }

    pub async fn counts(&self) -> Result<Counts, StoreError> {
        let grouped = |sql: &'static str| async move {
            let rows = sqlx::query(sql).fetch_all(&self.pool).await?;
            rows.iter()
                .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
                .collect::<Result<Vec<_>, StoreError>>()
        };
        let single = |sql: &'static str| async move {
            Ok::<i64, StoreError>(
                sqlx::query(sql)
                    .fetch_one(&self.pool)
                    .await?
                    .try_get::<i64, _>(0)?,
            )
        };
        Ok(Counts {
            organisations_by_kind: grouped(
                "select kind, count(*) from organisations group by kind order by kind",
            )
            .await?,
            offers: single("select count(*) from offers").await?,
            strategies: single("select count(*) from strategies").await?,
            opportunities_by_status: grouped(
                "select status, count(*) from opportunities group by status order by status",
            )
            .await?,
        })
    }

    /// Change-log entries after `seq`, oldest first.
    pub async fn changes_since(&self, seq: i64, limit: i64) -> Result<Vec<Change>, StoreError> {
        let rows = sqlx::query(
            "select seq, kind, record_id, op from changes where seq > $1 order by seq limit $2",
        )
        .bind(seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Change {
                    seq: r.try_get(0)?,
                    kind: r.try_get(1)?,
                    record_id: r.try_get(2)?,
                    op: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// The newest change-log sequence number (0 when empty).
    pub async fn latest_change(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("select coalesce(max(seq), 0) from changes")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>(0)?)
    }
}
