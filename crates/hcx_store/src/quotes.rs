//! Quotes and the reinvestment ledger. Every step reads the quote in a write
//! transaction, applies the domain's rule ([`QuoteStatus::after`]), writes
//! only while the quote is still at the version the caller saw, and audits
//! the quote before and after. Accepting a quote writes its reinvestment
//! credit in the same transaction, so a quote is never accepted without it.

use hcx_domain::quote::{LedgerKind, QuoteStatus, QuoteStep, reinvestment_credit};
use hcx_domain::{OpportunityId, OrganisationId, QuoteId};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, Author, Entry};
use crate::{Backend, Page, Store, StoreError, built, filtered_page, now_ms};

/// What the audit log calls a quote.
const KIND: &str = "quote";
/// What the audit log calls an entry of the reinvestment ledger.
const LEDGER_KIND: &str = "reinvestment_entry";

const QUOTE_COLUMNS: &str = "id, provider_id, opportunity_id, buyer_id, title, status, current_version, issued_version, answer_note, answered_by, answered_at, created_by, version, created_at, updated_at";
const VERSION_COLUMNS: &str = "quote_id, number, input, priced, currency, price_gbp_pence, price_buyer_minor, cost_pence, margin_pence, created_by, created_at";
const ENTRY_COLUMNS: &str = "id, provider_id, kind, amount_pence, quote_id, quote_version, share_bp, note, recorded_by, created_at";

/// A quote to create: its first version comes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQuote {
    pub id: QuoteId,
    pub provider: OrganisationId,
    pub opportunity: Option<OpportunityId>,
    /// The buyer of the opportunity, who may see the versions issued.
    pub buyer: Option<OrganisationId>,
    pub title: String,
}

/// The figures of one version: the request and the priced quote as JSON,
/// with the totals the store lists and the ledger needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedVersion {
    pub input: String,
    pub priced: String,
    /// The buyer's currency.
    pub currency: String,
    pub price_gbp_pence: i64,
    pub price_buyer_minor: i64,
    pub cost_pence: i64,
    /// The profit over cost: what the reinvestment credit is a share of.
    pub margin_pence: i64,
}

/// One stored version of a quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteVersion {
    pub number: i64,
    pub figures: PricedVersion,
    pub created_by: String,
    pub created_at: i64,
}

/// The buyer's answer, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteAnswer {
    pub note: String,
    pub by: String,
    pub at: i64,
}

/// A quote with every version, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredQuote {
    pub id: QuoteId,
    pub provider: OrganisationId,
    pub opportunity: Option<OpportunityId>,
    pub buyer: Option<OrganisationId>,
    pub title: String,
    pub status: QuoteStatus,
    /// The latest version's number.
    pub current_version: i64,
    /// The version last issued to the buyer.
    pub issued_version: Option<i64>,
    pub answer: Option<QuoteAnswer>,
    pub created_by: String,
    /// Increases with every change; a write names the one it was made from.
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub versions: Vec<QuoteVersion>,
}

impl StoredQuote {
    /// The version numbered `number`.
    pub fn version_numbered(&self, number: i64) -> Option<&QuoteVersion> {
        self.versions.iter().find(|v| v.number == number)
    }
}

/// Whose quotes to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum QuoteScope {
    #[default]
    Anyone,
    /// Those of these providers, and those issued to these buyers.
    Parties {
        providers: Vec<OrganisationId>,
        buyers: Vec<OrganisationId>,
    },
}

/// Which quotes to list; every part given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuoteFilter {
    pub scope: QuoteScope,
    pub provider: Option<OrganisationId>,
    pub status: Option<QuoteStatus>,
}

/// One entry of a provider's reinvestment ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub id: i64,
    pub provider: String,
    pub kind: LedgerKind,
    /// Pence: positive adds to the pot, negative takes from it.
    pub amount_pence: i64,
    pub quote: Option<String>,
    pub quote_version: Option<i64>,
    pub share_bp: Option<i64>,
    pub note: String,
    pub recorded_by: String,
    pub created_at: i64,
}

/// A provider's reinvestment pot: every entry, oldest first, and the balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ledger {
    pub provider: OrganisationId,
    pub entries: Vec<LedgerEntry>,
    pub balance_pence: i64,
}

fn corrupt(id: &str, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        kind: "quote",
        id: id.to_owned(),
        reason: reason.into(),
    }
}

fn quote_of(r: &AnyRow) -> Result<StoredQuote, StoreError> {
    let id: String = r.try_get(0)?;
    let org = |column: &str, text: String| {
        OrganisationId::parse(&text).map_err(|e| corrupt(&id, format!("{column}: {e}")))
    };
    let answer = match r.try_get::<Option<String>, _>(9)? {
        None => None,
        Some(by) => Some(QuoteAnswer {
            note: r.try_get::<Option<String>, _>(8)?.unwrap_or_default(),
            by,
            at: r
                .try_get::<Option<i64>, _>(10)?
                .ok_or_else(|| corrupt(&id, "an answer without answered_at"))?,
        }),
    };
    Ok(StoredQuote {
        provider: org("provider_id", r.try_get(1)?)?,
        opportunity: r
            .try_get::<Option<String>, _>(2)?
            .map(|o| {
                OpportunityId::parse(&o).map_err(|e| corrupt(&id, format!("opportunity_id: {e}")))
            })
            .transpose()?,
        buyer: r
            .try_get::<Option<String>, _>(3)?
            .map(|b| org("buyer_id", b))
            .transpose()?,
        title: r.try_get(4)?,
        status: QuoteStatus::read(&r.try_get::<String, _>(5)?)
            .map_err(|e| corrupt(&id, format!("status: {e}")))?,
        current_version: r.try_get(6)?,
        issued_version: r.try_get(7)?,
        answer,
        created_by: r.try_get(11)?,
        version: r.try_get(12)?,
        created_at: r.try_get(13)?,
        updated_at: r.try_get(14)?,
        versions: Vec::new(),
        id: QuoteId::parse(&id).map_err(|e| corrupt(&id, format!("id: {e}")))?,
    })
}

fn version_of(r: &AnyRow) -> Result<QuoteVersion, StoreError> {
    Ok(QuoteVersion {
        number: r.try_get(1)?,
        figures: PricedVersion {
            input: r.try_get(2)?,
            priced: r.try_get(3)?,
            currency: r.try_get(4)?,
            price_gbp_pence: r.try_get(5)?,
            price_buyer_minor: r.try_get(6)?,
            cost_pence: r.try_get(7)?,
            margin_pence: r.try_get(8)?,
        },
        created_by: r.try_get(9)?,
        created_at: r.try_get(10)?,
    })
}

fn entry_of(r: &AnyRow) -> Result<LedgerEntry, StoreError> {
    let id: i64 = r.try_get(0)?;
    Ok(LedgerEntry {
        id,
        provider: r.try_get(1)?,
        kind: LedgerKind::read(&r.try_get::<String, _>(2)?).map_err(|e| StoreError::Corrupt {
            kind: "reinvestment entry",
            id: id.to_string(),
            reason: e,
        })?,
        amount_pence: r.try_get(3)?,
        quote: r.try_get(4)?,
        quote_version: r.try_get(5)?,
        share_bp: r.try_get(6)?,
        note: r.try_get(7)?,
        recorded_by: r.try_get(8)?,
        created_at: r.try_get(9)?,
    })
}

/// Quotes from their rows, each with its versions.
async fn assemble(
    conn: &mut AnyConnection,
    rows: &[AnyRow],
) -> Result<Vec<StoredQuote>, StoreError> {
    let mut quotes: Vec<StoredQuote> = rows.iter().map(quote_of).collect::<Result<_, _>>()?;
    for q in &mut quotes {
        let versions = sqlx::query(built(format!(
            "select {VERSION_COLUMNS} from quote_versions where quote_id = $1 order by number"
        )))
        .bind(q.id.as_str())
        .fetch_all(&mut *conn)
        .await?;
        q.versions = versions.iter().map(version_of).collect::<Result<_, _>>()?;
    }
    Ok(quotes)
}

async fn quote_in(
    conn: &mut AnyConnection,
    id: &QuoteId,
) -> Result<Option<StoredQuote>, StoreError> {
    let rows = sqlx::query(built(format!(
        "select {QUOTE_COLUMNS} from quotes where id = $1"
    )))
    .bind(id.as_str())
    .fetch_all(&mut *conn)
    .await?;
    Ok(assemble(conn, &rows).await?.pop())
}

async fn insert_version(
    conn: &mut AnyConnection,
    id: &QuoteId,
    number: i64,
    figures: &PricedVersion,
    author: &Author,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(built(format!(
        "insert into quote_versions ({VERSION_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    )))
    .bind(id.as_str())
    .bind(number)
    .bind(figures.input.as_str())
    .bind(figures.priced.as_str())
    .bind(figures.currency.as_str())
    .bind(figures.price_gbp_pence)
    .bind(figures.price_buyer_minor)
    .bind(figures.cost_pence)
    .bind(figures.margin_pence)
    .bind(author.actor_id.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The quote as the audit log keeps it: its state, and the latest version's
/// request and totals.
fn json_of(q: &StoredQuote) -> String {
    let latest = q.versions.last().map(|v| {
        json!({
            "number": v.number,
            "input": serde_json::from_str::<serde_json::Value>(&v.figures.input).unwrap_or_default(),
            "currency": v.figures.currency,
            "price_gbp_pence": v.figures.price_gbp_pence,
            "price_buyer_minor": v.figures.price_buyer_minor,
            "cost_pence": v.figures.cost_pence,
            "margin_pence": v.figures.margin_pence,
        })
    });
    json!({
        "id": q.id.as_str(),
        "provider": q.provider.as_str(),
        "opportunity": q.opportunity.as_ref().map(OpportunityId::as_str),
        "buyer": q.buyer.as_ref().map(OrganisationId::as_str),
        "title": q.title,
        "status": q.status.as_str(),
        "current_version": q.current_version,
        "issued_version": q.issued_version,
        "answer_note": q.answer.as_ref().map(|a| a.note.as_str()),
        "answered_by": q.answer.as_ref().map(|a| a.by.as_str()),
        "version": q.version,
        "latest": latest,
    })
    .to_string()
}

/// Binds `ids` after those already in `binds`; returns their placeholders.
fn marks<'a>(binds: &mut Vec<&'a str>, ids: &'a [OrganisationId]) -> String {
    let first = binds.len() + 1;
    binds.extend(ids.iter().map(OrganisationId::as_str));
    crate::diligence::marks(first, ids.len())
}

fn stale(id: &QuoteId, seen: i64) -> StoreError {
    StoreError::Conflict(format!(
        "quote {:?} was changed by someone else since version {seen}: reload it",
        id.as_str()
    ))
}

fn not_found(id: &QuoteId) -> StoreError {
    StoreError::NotFound {
        kind: "quote",
        id: id.to_string(),
    }
}

/// A step and what it brings.
enum Change<'a> {
    Revise(&'a PricedVersion),
    Issue,
    Answer {
        accept: bool,
        note: &'a str,
        reinvestment_bp: u32,
    },
    Withdraw,
}

impl Change<'_> {
    fn step(&self) -> QuoteStep {
        match self {
            Change::Revise(_) => QuoteStep::Revise,
            Change::Issue => QuoteStep::Issue,
            Change::Answer { accept: true, .. } => QuoteStep::Accept,
            Change::Answer { accept: false, .. } => QuoteStep::Reject,
            Change::Withdraw => QuoteStep::Withdraw,
        }
    }
}

/// The pot's balance inside a transaction.
async fn balance_in(conn: &mut AnyConnection, provider: &str) -> Result<i64, StoreError> {
    // PostgreSQL sums bigints as numeric: the cast brings it back to bigint.
    let row = sqlx::query(
        "select cast(coalesce(sum(amount_pence), 0) as bigint) from reinvestment_entries where provider_id = $1",
    )
    .bind(provider)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get::<i64, _>(0)?)
}

async fn insert_entry(
    conn: &mut AnyConnection,
    entry: &LedgerEntry,
) -> Result<LedgerEntry, StoreError> {
    let row = sqlx::query(built(format!(
        "insert into reinvestment_entries (provider_id, kind, amount_pence, quote_id, quote_version, share_bp, note, recorded_by, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning {ENTRY_COLUMNS}"
    )))
    .bind(entry.provider.as_str())
    .bind(entry.kind.as_str())
    .bind(entry.amount_pence)
    .bind(entry.quote.as_deref())
    .bind(entry.quote_version)
    .bind(entry.share_bp)
    .bind(entry.note.as_str())
    .bind(entry.recorded_by.as_str())
    .bind(entry.created_at)
    .fetch_one(&mut *conn)
    .await?;
    entry_of(&row)
}

fn entry_json(e: &LedgerEntry) -> String {
    json!({
        "id": e.id,
        "provider": e.provider,
        "kind": e.kind.as_str(),
        "amount_pence": e.amount_pence,
        "quote": e.quote,
        "quote_version": e.quote_version,
        "share_bp": e.share_bp,
        "note": e.note,
    })
    .to_string()
}

impl Store {
    /// Creates a quote with its first version, as a draft; its id must be
    /// new, its provider, buyer and opportunity known.
    pub async fn create_quote(
        &self,
        new: &NewQuote,
        figures: &PricedVersion,
        author: &Author,
    ) -> Result<StoredQuote, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(built(format!(
            "insert into quotes ({QUOTE_COLUMNS}) values ($1, $2, $3, $4, $5, $6, 1, null, null, null, null, $7, 1, $8, $8)"
        )))
        .bind(new.id.as_str())
        .bind(new.provider.as_str())
        .bind(new.opportunity.as_ref().map(OpportunityId::as_str))
        .bind(new.buyer.as_ref().map(OrganisationId::as_str))
        .bind(new.title.as_str())
        .bind(QuoteStatus::Draft.as_str())
        .bind(author.actor_id.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(e) => {
                return Err(match StoreError::from(e) {
                    StoreError::Conflict(m) if m.starts_with("already exists") => {
                        StoreError::Conflict(format!("quote {:?} already exists", new.id.as_str()))
                    }
                    StoreError::Conflict(_) => StoreError::NotFound {
                        kind: "organisation or opportunity",
                        id: [
                            Some(new.provider.as_str()),
                            new.buyer.as_ref().map(OrganisationId::as_str),
                            new.opportunity.as_ref().map(OpportunityId::as_str),
                        ]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", "),
                    },
                    other => other,
                });
            }
        }
        insert_version(&mut tx, &new.id, 1, figures, author, now).await?;
        let quote = quote_in(&mut tx, &new.id)
            .await?
            .ok_or_else(|| not_found(&new.id))?;
        let after = json_of(&quote);
        audit::append(
            &mut tx,
            author,
            now,
            &[Entry {
                after: Some(&after),
                ..Entry::of("create", KIND, new.id.as_str())
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(quote)
    }

    /// One quote with its versions.
    pub async fn quote(&self, id: &QuoteId) -> Result<Option<StoredQuote>, StoreError> {
        let mut tx = self.begin_snapshot().await?;
        let quote = quote_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(quote)
    }

    /// Quotes matching the filter, most recently changed first.
    pub async fn list_quotes(
        &self,
        filter: &QuoteFilter,
        offset: i64,
        limit: i64,
    ) -> Result<Page<StoredQuote>, StoreError> {
        let mut clauses = Vec::new();
        let mut binds: Vec<&str> = Vec::new();
        if let QuoteScope::Parties { providers, buyers } = &filter.scope {
            let mut either = Vec::new();
            if !providers.is_empty() {
                either.push(format!("provider_id in ({})", marks(&mut binds, providers)));
            }
            if !buyers.is_empty() {
                either.push(format!(
                    "(buyer_id in ({}) and issued_version is not null)",
                    marks(&mut binds, buyers)
                ));
            }
            if either.is_empty() {
                clauses.push("1 = 0".to_owned());
            } else {
                clauses.push(format!("({})", either.join(" or ")));
            }
        }
        if let Some(p) = &filter.provider {
            binds.push(p.as_str());
            clauses.push(format!("provider_id = ${}", binds.len()));
        }
        if let Some(s) = filter.status {
            binds.push(s.as_str());
            clauses.push(format!("status = ${}", binds.len()));
        }
        let mut tx = self.begin_snapshot().await?;
        let (total, rows) = filtered_page(
            &mut tx,
            "quotes",
            QUOTE_COLUMNS,
            &clauses,
            &binds,
            offset,
            limit,
        )
        .await?;
        let items = assemble(&mut tx, &rows).await?;
        tx.commit().await?;
        Ok(Page {
            items,
            total,
            offset,
            limit,
        })
    }

    /// Applies a step to the quote at `version` in one write transaction:
    /// the rule, the row, a new version or a ledger credit, the audit event.
    async fn quote_step(
        &self,
        id: &QuoteId,
        version: i64,
        change: Change<'_>,
        author: &Author,
    ) -> Result<StoredQuote, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let before = quote_in(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
        if before.version != version {
            return Err(stale(id, version));
        }
        let step = change.step();
        let status = before
            .status
            .after(step)
            .map_err(|e| StoreError::Conflict(e.to_string()))?;
        let mut current = before.current_version;
        let mut issued = before.issued_version;
        let (mut note, mut by, mut at) = (None, None, None);
        match &change {
            Change::Revise(figures) => {
                current += 1;
                insert_version(&mut tx, id, current, figures, author, now).await?;
            }
            Change::Issue => issued = Some(current),
            Change::Answer {
                accept,
                note: text,
                reinvestment_bp,
            } => {
                note = Some(*text);
                by = Some(author.actor_id.as_str());
                at = Some(now);
                if *accept {
                    let accepted = before
                        .version_numbered(current)
                        .ok_or_else(|| corrupt(id.as_str(), "the current version is missing"))?;
                    let entry = insert_entry(
                        &mut tx,
                        &LedgerEntry {
                            id: 0,
                            provider: before.provider.to_string(),
                            kind: LedgerKind::Credit,
                            amount_pence: reinvestment_credit(
                                accepted.figures.margin_pence,
                                *reinvestment_bp,
                            ),
                            quote: Some(id.to_string()),
                            quote_version: Some(current),
                            share_bp: Some(i64::from(*reinvestment_bp)),
                            note: format!("{} (version {current})", before.title),
                            recorded_by: author.actor_id.clone(),
                            created_at: now,
                        },
                    )
                    .await?;
                    let after = entry_json(&entry);
                    audit::append(
                        &mut tx,
                        author,
                        now,
                        &[Entry {
                            after: Some(&after),
                            ..Entry::of("credit", LEDGER_KIND, &entry.id.to_string())
                        }],
                    )
                    .await?;
                }
            }
            Change::Withdraw => {}
        }
        let (note, by, at) = match &change {
            Change::Answer { .. } => (note, by, at),
            // A new version or a withdrawal keeps the last answer on record.
            _ => (
                before.answer.as_ref().map(|a| a.note.as_str()),
                before.answer.as_ref().map(|a| a.by.as_str()),
                before.answer.as_ref().map(|a| a.at),
            ),
        };
        let written = sqlx::query(
            "update quotes set status = $2, current_version = $3, issued_version = $4, answer_note = $5, \
             answered_by = $6, answered_at = $7, version = $8, updated_at = $9 where id = $1 and version = $10",
        )
        .bind(id.as_str())
        .bind(status.as_str())
        .bind(current)
        .bind(issued)
        .bind(note)
        .bind(by)
        .bind(at)
        .bind(before.version + 1)
        .bind(now)
        .bind(before.version)
        .execute(&mut *tx)
        .await?;
        if written.rows_affected() == 0 {
            return Err(stale(id, version));
        }
        let after = quote_in(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
        let (b, a) = (json_of(&before), json_of(&after));
        audit::append(
            &mut tx,
            author,
            now,
            &[Entry {
                before: Some(&b),
                after: Some(&a),
                ..Entry::of(step.as_str(), KIND, id.as_str())
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Adds a version of the figures to the quote at `version`; an issued or
    /// rejected quote returns to draft.
    pub async fn revise_quote(
        &self,
        id: &QuoteId,
        version: i64,
        figures: &PricedVersion,
        author: &Author,
    ) -> Result<StoredQuote, StoreError> {
        self.quote_step(id, version, Change::Revise(figures), author)
            .await
    }

    /// Issues the latest version of a draft quote to its buyer.
    pub async fn issue_quote(
        &self,
        id: &QuoteId,
        version: i64,
        author: &Author,
    ) -> Result<StoredQuote, StoreError> {
        self.quote_step(id, version, Change::Issue, author).await
    }

    /// Records the buyer's answer to an issued quote. An acceptance freezes
    /// the quote and holds back `reinvestment_bp` of its profit in the
    /// provider's pot, in the same transaction.
    pub async fn answer_quote(
        &self,
        id: &QuoteId,
        version: i64,
        accept: bool,
        note: &str,
        reinvestment_bp: u32,
        author: &Author,
    ) -> Result<StoredQuote, StoreError> {
        let change = Change::Answer {
            accept,
            note,
            reinvestment_bp,
        };
        self.quote_step(id, version, change, author).await
    }

    /// Withdraws a quote not yet accepted.
    pub async fn withdraw_quote(
        &self,
        id: &QuoteId,
        version: i64,
        author: &Author,
    ) -> Result<StoredQuote, StoreError> {
        self.quote_step(id, version, Change::Withdraw, author).await
    }

    /// A provider's reinvestment ledger, oldest entry first, and its balance.
    pub async fn reinvestment(&self, provider: &OrganisationId) -> Result<Ledger, StoreError> {
        let mut tx = self.begin_snapshot().await?;
        let rows = sqlx::query(built(format!(
            "select {ENTRY_COLUMNS} from reinvestment_entries where provider_id = $1 order by created_at, id"
        )))
        .bind(provider.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let entries: Vec<LedgerEntry> = rows.iter().map(entry_of).collect::<Result<_, _>>()?;
        tx.commit().await?;
        Ok(Ledger {
            provider: provider.clone(),
            balance_pence: entries.iter().map(|e| e.amount_pence).sum(),
            entries,
        })
    }

    /// Records a spend (a positive amount, taken from the pot) or an
    /// adjustment (either way) with its note. Credits come only from
    /// accepted quotes. Refused when it would take the balance below zero.
    pub async fn record_reinvestment(
        &self,
        provider: &OrganisationId,
        kind: LedgerKind,
        amount_pence: i64,
        note: &str,
        author: &Author,
    ) -> Result<LedgerEntry, StoreError> {
        let signed = match kind {
            LedgerKind::Credit => {
                return Err(StoreError::Conflict(
                    "credits are held back from accepted quotes, not recorded by hand".into(),
                ));
            }
            LedgerKind::Spend => -amount_pence,
            LedgerKind::Adjustment => amount_pence,
        };
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        // One writer per pot at a time on PostgreSQL (SQLite has one writer anyway).
        let found = match self.backend {
            Backend::Postgres => {
                sqlx::query("select id from organisations where id = $1 for update")
                    .bind(provider.as_str())
                    .fetch_optional(&mut *tx)
                    .await?
            }
            Backend::Sqlite => {
                sqlx::query("select id from organisations where id = $1")
                    .bind(provider.as_str())
                    .fetch_optional(&mut *tx)
                    .await?
            }
        };
        if found.is_none() {
            return Err(StoreError::NotFound {
                kind: "organisation",
                id: provider.to_string(),
            });
        }
        let balance = balance_in(&mut tx, provider.as_str()).await?;
        if balance + signed < 0 {
            return Err(StoreError::Conflict(format!(
                "the reinvestment pot holds {} pence: {} cannot be taken from it",
                balance, -signed
            )));
        }
        let entry = insert_entry(
            &mut tx,
            &LedgerEntry {
                id: 0,
                provider: provider.to_string(),
                kind,
                amount_pence: signed,
                quote: None,
                quote_version: None,
                share_bp: None,
                note: note.to_owned(),
                recorded_by: author.actor_id.clone(),
                created_at: now,
            },
        )
        .await?;
        let after = entry_json(&entry);
        audit::append(
            &mut tx,
            author,
            now,
            &[Entry {
                after: Some(&after),
                ..Entry::of(kind.as_str(), LEDGER_KIND, &entry.id.to_string())
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(entry)
    }
}
