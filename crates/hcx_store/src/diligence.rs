//! Due-diligence cases, kept by the domain's rules
//! ([`hcx_domain::diligence`]): every step reads the case in a write
//! transaction, applies the rule to it, writes what changed only while the
//! case is still at the version read, and audits the case before and after.
//! There is no other way to change a case, so no rule can be bypassed.

use std::collections::HashMap;

use hcx_domain::diligence::{
    Answer, Case, CaseEdit, CaseStatus, ChecklistAnswer, ChecklistItem, Decision, Finding, Hit,
    NewCase, Outcome, Person, Rating, Subject, Verdict, checklist,
};
use hcx_domain::fields::parse_date;
use hcx_domain::opportunity::format_date;
use hcx_domain::screening::entity::Schema;
use hcx_domain::{CaseId, CountryCode, OrganisationId, PersonId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::Date;

use crate::alerts::Unread;
use crate::audit::{self, Author, Entry};
use crate::registry::IDS_PER_STATEMENT;
use crate::{Page, Store, StoreError, built, filtered_page, now_ms};

/// What the audit log calls a case.
const KIND: &str = "diligence_case";

/// Whose cases to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CaseOwner {
    #[default]
    Anyone,
    /// Those the agency opened for every provider.
    Agency,
    /// Those of any of these providers (none: no case at all).
    Providers(Vec<OrganisationId>),
}

/// Which cases to list; every part given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub partner: Option<OrganisationId>,
    pub owner: CaseOwner,
    pub status: Option<CaseStatus>,
}

const CASE_COLUMNS: &str = "id, partner_id, owner_id, financial_notes, rating, rating_reasons, status, requested_by, requested_at, outcome, decided_by, decided_at, decision_note, expires_on, version, created_at, updated_at";
const PERSON_COLUMNS: &str = "case_id, id, position, name, role, birth_date, country";
const HIT_COLUMNS: &str = "case_id, id, person_id, list_name, list_version, entity_id, caption, schema, topics, score_permille, verdict, reason, reviewed_by, reviewed_at, found_at";
const ANSWER_COLUMNS: &str = "case_id, item, answer, note";

fn corrupt(id: &str, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        kind: "due-diligence case",
        id: id.to_owned(),
        reason: reason.into(),
    }
}

/// A stored value read through the domain's own parser.
fn read<T>(
    id: &str,
    column: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
    text: &str,
) -> Result<T, StoreError> {
    parse(text).map_err(|e| corrupt(id, format!("{column}: {e}")))
}

/// A case from its row, without its people, hits or checklist yet.
fn case_of(r: &AnyRow) -> Result<Case, StoreError> {
    let id: String = r.try_get(0)?;
    let organisation = |column: &str, text: &str| read(&id, column, OrganisationId::parse, text);
    let partner = organisation("partner_id", &r.try_get::<String, _>(1)?)?;
    let owner = r
        .try_get::<Option<String>, _>(2)?
        .map(|o| organisation("owner_id", &o))
        .transpose()?;
    let rating = r
        .try_get::<Option<String>, _>(4)?
        .map(|t| read(&id, "rating", Rating::read, &t))
        .transpose()?;
    let status = read(&id, "status", CaseStatus::read, &r.try_get::<String, _>(6)?)?;
    let decision = match r.try_get::<Option<String>, _>(9)? {
        None => None,
        Some(outcome) => Some(Decision {
            outcome: read(&id, "outcome", Outcome::read, &outcome)?,
            by: r
                .try_get::<Option<String>, _>(10)?
                .ok_or_else(|| corrupt(&id, "a decision without decided_by"))?,
            at: r
                .try_get::<Option<i64>, _>(11)?
                .ok_or_else(|| corrupt(&id, "a decision without decided_at"))?,
            note: r.try_get::<Option<String>, _>(12)?.unwrap_or_default(),
            expires_on: r
                .try_get::<Option<String>, _>(13)?
                .map(|d| read(&id, "expires_on", parse_date, &d))
                .transpose()?,
        }),
    };
    Ok(Case {
        id: read(&id, "id", CaseId::parse, &id)?,
        partner,
        owner,
        people: Vec::new(),
        hits: Vec::new(),
        financial_notes: r.try_get(3)?,
        checklist: Vec::new(),
        rating,
        rating_reasons: r.try_get(5)?,
        status,
        requested_by: r.try_get(7)?,
        requested_at: r.try_get(8)?,
        decision,
        version: r.try_get(14)?,
        created_at: r.try_get(15)?,
        updated_at: r.try_get(16)?,
    })
}

fn person_of(case: &str, r: &AnyRow) -> Result<Person, StoreError> {
    Ok(Person {
        id: read(
            case,
            "diligence_people.id",
            PersonId::parse,
            &r.try_get::<String, _>(1)?,
        )?,
        name: r.try_get(3)?,
        role: r.try_get(4)?,
        birth_date: r.try_get(5)?,
        country: r
            .try_get::<Option<String>, _>(6)?
            .map(|c| read(case, "diligence_people.country", CountryCode::parse, &c))
            .transpose()?,
    })
}

fn hit_of(case: &str, r: &AnyRow) -> Result<Hit, StoreError> {
    let subject = match r.try_get::<Option<String>, _>(2)? {
        None => Subject::Organisation,
        Some(p) => Subject::Person(read(case, "diligence_hits.person_id", PersonId::parse, &p)?),
    };
    let topics: String = r.try_get(8)?;
    Ok(Hit {
        id: r.try_get(1)?,
        subject,
        list_name: r.try_get(3)?,
        list_version: r.try_get(4)?,
        entity_id: r.try_get(5)?,
        caption: r.try_get(6)?,
        schema: read(
            case,
            "diligence_hits.schema",
            Schema::parse,
            &r.try_get::<String, _>(7)?,
        )?,
        topics: serde_json::from_str(&topics)
            .map_err(|e| corrupt(case, format!("diligence_hits.topics: {e}")))?,
        score: r.try_get::<i64, _>(9)? as f64 / 1000.0,
        verdict: read(
            case,
            "diligence_hits.verdict",
            Verdict::read,
            &r.try_get::<String, _>(10)?,
        )?,
        reason: r.try_get(11)?,
        reviewed_by: r.try_get(12)?,
        reviewed_at: r.try_get(13)?,
        found_at: r.try_get(14)?,
    })
}

fn answer_of(case: &str, r: &AnyRow) -> Result<ChecklistAnswer, StoreError> {
    Ok(ChecklistAnswer {
        item: read(
            case,
            "diligence_answers.item",
            ChecklistItem::read,
            &r.try_get::<String, _>(1)?,
        )?,
        answer: read(
            case,
            "diligence_answers.answer",
            Answer::read,
            &r.try_get::<String, _>(2)?,
        )?,
        note: r.try_get(3)?,
    })
}

/// `$first, $first+1, …` for `n` values.
pub(crate) fn marks(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rows of a child table for these cases, in the order given.
async fn children(
    conn: &mut AnyConnection,
    table: &str,
    columns: &str,
    order: &str,
    ids: &[&str],
) -> Result<Vec<AnyRow>, StoreError> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let sql = format!(
            "select {columns} from {table} where case_id in ({}) order by case_id, {order}",
            marks(1, chunk.len())
        );
        let mut q = sqlx::query(built(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        rows.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(rows)
}

/// Whole cases from their rows: people, hits and the checklist added (an
/// item with no stored answer, such as one added to the checklist since, is
/// unanswered).
async fn assemble(conn: &mut AnyConnection, rows: &[AnyRow]) -> Result<Vec<Case>, StoreError> {
    let mut cases: Vec<Case> = rows.iter().map(case_of).collect::<Result<_, _>>()?;
    let ids: Vec<String> = cases.iter().map(|c| c.id.to_string()).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let positions: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let index = |case: &str| positions.get(case).copied();
    for r in children(conn, "diligence_people", PERSON_COLUMNS, "position", &ids).await? {
        let case: String = r.try_get(0)?;
        if let Some(i) = index(&case) {
            cases[i].people.push(person_of(&case, &r)?);
        }
    }
    for r in children(conn, "diligence_hits", HIT_COLUMNS, "id", &ids).await? {
        let case: String = r.try_get(0)?;
        if let Some(i) = index(&case) {
            cases[i].hits.push(hit_of(&case, &r)?);
        }
    }
    let mut answers: Vec<Vec<ChecklistAnswer>> = vec![Vec::new(); cases.len()];
    for r in children(conn, "diligence_answers", ANSWER_COLUMNS, "item", &ids).await? {
        let case: String = r.try_get(0)?;
        if let Some(i) = index(&case) {
            answers[i].push(answer_of(&case, &r)?);
        }
    }
    for (case, answers) in cases.iter_mut().zip(answers) {
        case.checklist = checklist(&answers);
    }
    Ok(cases)
}

async fn case_in(conn: &mut AnyConnection, id: &CaseId) -> Result<Option<Case>, StoreError> {
    let rows = sqlx::query(built(format!(
        "select {CASE_COLUMNS} from diligence_cases where id = $1"
    )))
    .bind(id.as_str())
    .fetch_all(&mut *conn)
    .await?;
    Ok(assemble(conn, &rows).await?.pop())
}

/// Writes `after` over `before` (none for a new case): the case row only if
/// it is still at `before`'s version, then the people, hits and answers that
/// differ, and last the people no longer named.
async fn save(
    conn: &mut AnyConnection,
    before: Option<&Case>,
    after: &Case,
) -> Result<(), StoreError> {
    let id = after.id.as_str();
    match before {
        None => {
            let q = sqlx::query(built(format!(
                "insert into diligence_cases ({CASE_COLUMNS}) values ({})",
                marks(1, 17)
            )))
            .bind(id)
            .bind(after.partner.as_str())
            .bind(after.owner.as_ref().map(OrganisationId::as_str));
            bind_state(q, after)
                .bind(after.created_at)
                .bind(after.updated_at)
                .execute(&mut *conn)
                .await?;
        }
        Some(b) => {
            let q = sqlx::query(
                "update diligence_cases set financial_notes = $2, rating = $3, rating_reasons = $4, \
                 status = $5, requested_by = $6, requested_at = $7, outcome = $8, decided_by = $9, \
                 decided_at = $10, decision_note = $11, expires_on = $12, version = $13, \
                 updated_at = $14 where id = $1 and version = $15",
            )
            .bind(id);
            let written = bind_state(q, after)
                .bind(after.updated_at)
                .bind(b.version)
                .execute(&mut *conn)
                .await?;
            // Another transaction wrote the case since it was read.
            if written.rows_affected() == 0 {
                return Err(stale(&after.id, b.version));
            }
        }
    }
    for (i, p) in after.people.iter().enumerate() {
        if before.is_some_and(|b| b.people.get(i) == Some(p)) {
            continue;
        }
        sqlx::query(built(format!(
            "insert into diligence_people ({PERSON_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7) \
             on conflict (case_id, id) do update set position = excluded.position, name = excluded.name, \
             role = excluded.role, birth_date = excluded.birth_date, country = excluded.country"
        )))
        .bind(id)
        .bind(p.id.as_str())
        .bind(i as i64)
        .bind(p.name.as_str())
        .bind(p.role.as_str())
        .bind(p.birth_date.as_deref())
        .bind(p.country.as_ref().map(CountryCode::as_str))
        .execute(&mut *conn)
        .await?;
    }
    for (i, h) in after.hits.iter().enumerate() {
        if before.is_some_and(|b| b.hits.get(i) == Some(h)) {
            continue;
        }
        let person = match &h.subject {
            Subject::Organisation => None,
            Subject::Person(p) => Some(p.as_str()),
        };
        sqlx::query(built(format!(
            "insert into diligence_hits ({HIT_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             on conflict (case_id, id) do update set list_version = excluded.list_version, caption = excluded.caption, \
             schema = excluded.schema, topics = excluded.topics, score_permille = excluded.score_permille, \
             verdict = excluded.verdict, reason = excluded.reason, reviewed_by = excluded.reviewed_by, \
             reviewed_at = excluded.reviewed_at"
        )))
        .bind(id)
        .bind(h.id)
        .bind(person)
        .bind(h.list_name.as_str())
        .bind(h.list_version.as_str())
        .bind(h.entity_id.as_str())
        .bind(h.caption.as_str())
        .bind(h.schema.as_str())
        .bind(serde_json::to_string(&h.topics).unwrap_or_default())
        .bind((h.score * 1000.0).round() as i64)
        .bind(h.verdict.as_str())
        .bind(h.reason.as_deref())
        .bind(h.reviewed_by.as_deref())
        .bind(h.reviewed_at)
        .bind(h.found_at)
        .execute(&mut *conn)
        .await?;
    }
    for (i, a) in after.checklist.iter().enumerate() {
        if before.is_some_and(|b| b.checklist.get(i) == Some(a)) {
            continue;
        }
        sqlx::query(built(format!(
            "insert into diligence_answers ({ANSWER_COLUMNS}) values ($1, $2, $3, $4) \
             on conflict (case_id, item) do update set answer = excluded.answer, note = excluded.note"
        )))
        .bind(id)
        .bind(a.item.as_str())
        .bind(a.answer.as_str())
        .bind(a.note.as_str())
        .execute(&mut *conn)
        .await?;
    }
    for gone in before
        .iter()
        .flat_map(|b| &b.people)
        .filter(|p| !after.people.iter().any(|q| q.id == p.id))
    {
        sqlx::query("delete from diligence_people where case_id = $1 and id = $2")
            .bind(id)
            .bind(gone.id.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// Binds what steps change on a case row, from `financial_notes` to
/// `version` in the order of [`CASE_COLUMNS`].
fn bind_state<'q>(q: AnyQuery<'q>, c: &'q Case) -> AnyQuery<'q> {
    let decision = c.decision.as_ref();
    q.bind(c.financial_notes.as_str())
        .bind(c.rating.map(Rating::as_str))
        .bind(c.rating_reasons.as_str())
        .bind(c.status.as_str())
        .bind(c.requested_by.as_deref())
        .bind(c.requested_at)
        .bind(decision.map(|d| d.outcome.as_str()))
        .bind(decision.map(|d| d.by.as_str()))
        .bind(decision.map(|d| d.at))
        .bind(decision.map(|d| d.note.as_str()))
        .bind(decision.and_then(|d| d.expires_on).map(format_date))
        .bind(c.version)
}

fn stale(id: &CaseId, seen: i64) -> StoreError {
    StoreError::Conflict(format!(
        "due-diligence case {:?} was changed by someone else since version {seen}: reload it",
        id.as_str()
    ))
}

fn json(case: &Case) -> String {
    serde_json::to_string(case).unwrap_or_default()
}

impl Store {
    /// Opens a case; its id must be new, its partner and owner organisations known.
    pub async fn open_case(&self, new: &NewCase, author: &Author) -> Result<Case, StoreError> {
        let now = now_ms();
        let case = Case::open(new.clone(), now)?;
        let mut tx = self.begin_write().await?;
        save(&mut tx, None, &case).await.map_err(|e| match e {
            StoreError::Conflict(m) if m.starts_with("already exists") => StoreError::Conflict(
                format!("due-diligence case {:?} already exists", case.id.as_str()),
            ),
            StoreError::Conflict(_) => StoreError::NotFound {
                kind: "organisation",
                id: [Some(&case.partner), case.owner.as_ref()]
                    .into_iter()
                    .flatten()
                    .map(OrganisationId::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            other => other,
        })?;
        let after = json(&case);
        audit::append(
            &mut tx,
            author,
            now,
            &[Entry {
                after: Some(&after),
                ..Entry::of("open", KIND, case.id.as_str())
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(case)
    }

    /// One case, whole.
    pub async fn case(&self, id: &CaseId) -> Result<Option<Case>, StoreError> {
        let mut tx = self.begin_snapshot().await?;
        let case = case_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(case)
    }

    /// Cases matching the filter, most recently changed first.
    pub async fn list_cases(
        &self,
        filter: &CaseFilter,
        offset: i64,
        limit: i64,
    ) -> Result<Page<Case>, StoreError> {
        let mut clauses = Vec::new();
        let mut binds: Vec<&str> = Vec::new();
        if let Some(p) = &filter.partner {
            binds.push(p.as_str());
            clauses.push(format!("partner_id = ${}", binds.len()));
        }
        match &filter.owner {
            CaseOwner::Anyone => {}
            CaseOwner::Agency => clauses.push("owner_id is null".into()),
            CaseOwner::Providers(providers) if providers.is_empty() => {
                clauses.push("1 = 0".into());
            }
            CaseOwner::Providers(providers) => {
                let first = binds.len() + 1;
                binds.extend(providers.iter().map(OrganisationId::as_str));
                clauses.push(format!("owner_id in ({})", marks(first, providers.len())));
            }
        }
        if let Some(s) = filter.status {
            binds.push(s.as_str());
            clauses.push(format!("status = ${}", binds.len()));
        }
        let mut tx = self.begin_snapshot().await?;
        let (total, rows) = filtered_page(
            &mut tx,
            "diligence_cases",
            CASE_COLUMNS,
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

    /// Every case on these partners that has a decision in force, whoever
    /// owns it: what matching needs to tell which providers are blocked.
    pub async fn decided_cases(
        &self,
        partners: &[OrganisationId],
    ) -> Result<Vec<Case>, StoreError> {
        let mut tx = self.begin_snapshot().await?;
        let mut cases = Vec::new();
        for chunk in partners.chunks(IDS_PER_STATEMENT) {
            let mut q = sqlx::query(built(format!(
                "select {CASE_COLUMNS} from diligence_cases where outcome is not null and partner_id in ({}) order by partner_id, id",
                marks(1, chunk.len())
            )));
            for p in chunk {
                q = q.bind(p.as_str());
            }
            let rows = q.fetch_all(&mut *tx).await?;
            cases.extend(assemble(&mut tx, &rows).await?);
        }
        tx.commit().await?;
        Ok(cases)
    }

    /// Applies a rule to a case in one write transaction: the case as stored
    /// (at `version`, when given), the rule, the changes and their audit event.
    async fn case_step<T>(
        &self,
        id: &CaseId,
        version: Option<i64>,
        action: &str,
        author: &Author,
        rule: impl FnOnce(&mut Case, i64) -> Result<T, hcx_domain::diligence::CaseError>,
    ) -> Result<(Case, T), StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let before = case_in(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "due-diligence case",
                id: id.to_string(),
            })?;
        if let Some(seen) = version
            && seen != before.version
        {
            return Err(stale(id, seen));
        }
        let mut after = before.clone();
        let out = rule(&mut after, now)?;
        if after != before {
            save(&mut tx, Some(&before), &after).await?;
            let (b, a) = (json(&before), json(&after));
            audit::append(
                &mut tx,
                author,
                now,
                &[Entry {
                    before: Some(&b),
                    after: Some(&a),
                    ..Entry::of(action, KIND, id.as_str())
                }],
            )
            .await?;
            tx.commit().await?;
        }
        Ok((after, out))
    }

    /// Replaces the people, financial notes, checklist and rating of an open
    /// case at `version`.
    pub async fn edit_case(
        &self,
        id: &CaseId,
        version: i64,
        edit: &CaseEdit,
        author: &Author,
    ) -> Result<Case, StoreError> {
        let (case, ()) = self
            .case_step(id, Some(version), "edit", author, |c, now| {
                c.edit(edit, now)
            })
            .await?;
        Ok(case)
    }

    /// Records what screening found for one subject of a case, in any
    /// status; returns only the hits that are new.
    pub async fn record_hits(
        &self,
        id: &CaseId,
        subject: &Subject,
        findings: &[Finding],
        author: &Author,
    ) -> Result<Vec<Hit>, StoreError> {
        let (_, new) = self
            .case_step(id, None, "record_hits", author, |c, now| {
                c.record_hits(subject, findings, now)
            })
            .await?;
        Ok(new)
    }

    /// Gives a hit of the case at `version` its verdict; the author is the reviewer.
    pub async fn mark_hit(
        &self,
        id: &CaseId,
        version: i64,
        hit: i64,
        verdict: Verdict,
        reason: &str,
        author: &Author,
    ) -> Result<Case, StoreError> {
        let (case, ()) = self
            .case_step(id, Some(version), "mark_hit", author, |c, now| {
                c.mark_hit(hit, verdict, reason, &author.actor_id, now)
            })
            .await?;
        Ok(case)
    }

    /// Submits the case at `version` for decision; the author is the requester.
    pub async fn submit_case(
        &self,
        id: &CaseId,
        version: i64,
        author: &Author,
    ) -> Result<Case, StoreError> {
        let (case, ()) = self
            .case_step(id, Some(version), "submit", author, |c, now| {
                c.submit(&author.actor_id, now)
            })
            .await?;
        Ok(case)
    }

    /// Approves or rejects the case at `version`; the author decides, and
    /// must not be the requester.
    pub async fn decide_case(
        &self,
        id: &CaseId,
        version: i64,
        outcome: Outcome,
        note: &str,
        expires_on: Option<Date>,
        author: &Author,
    ) -> Result<Case, StoreError> {
        let action = match outcome {
            Outcome::Approved => "approve",
            Outcome::Rejected => "reject",
        };
        let (case, ()) = self
            .case_step(id, Some(version), action, author, |c, now| {
                c.decide(outcome, &author.actor_id, note, expires_on, now)
            })
            .await?;
        Ok(case)
    }

    /// Returns the submitted or decided case at `version` to work; its last
    /// decision stays in force until the next.
    pub async fn reopen_case(
        &self,
        id: &CaseId,
        version: i64,
        author: &Author,
    ) -> Result<Case, StoreError> {
        let (case, ()) = self
            .case_step(id, Some(version), "reopen", author, |c, now| c.reopen(now))
            .await?;
        Ok(case)
    }
}

/// A hit found on a case by re-screening, told to one person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CaseNotification {
    pub id: i64,
    pub user_id: String,
    pub case_id: String,
    pub hit_id: i64,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

const CASE_NOTIFICATION_COLUMNS: &str = "id, user_id, case_id, hit_id, created_at, read_at";

fn case_notification_of(r: &AnyRow) -> Result<CaseNotification, StoreError> {
    Ok(CaseNotification {
        id: r.try_get(0)?,
        user_id: r.try_get(1)?,
        case_id: r.try_get(2)?,
        hit_id: r.try_get(3)?,
        created_at: r.try_get(4)?,
        read_at: r.try_get(5)?,
    })
}

impl Store {
    /// Tells these `(user id, hit)` pairs of a case about the hit; pairs told
    /// before are left alone, so a re-screening run twice tells once.
    /// Returns the notifications made now.
    pub async fn add_case_notifications(
        &self,
        case: &CaseId,
        recipients: &[(String, i64)],
        author: &Author,
    ) -> Result<Vec<CaseNotification>, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let mut made = Vec::new();
        for (user, hit) in recipients {
            let row = sqlx::query(built(format!(
                "insert into case_notifications (user_id, case_id, hit_id, created_at) values ($1, $2, $3, $4) \
                 on conflict (user_id, case_id, hit_id) do nothing returning {CASE_NOTIFICATION_COLUMNS}"
            )))
            .bind(user.as_str())
            .bind(case.as_str())
            .bind(*hit)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = row {
                made.push(case_notification_of(&row)?);
            }
        }
        if made.is_empty() {
            return Ok(made);
        }
        let told: Vec<serde_json::Value> = made
            .iter()
            .map(|n| serde_json::json!({"user": n.user_id, "hit": n.hit_id}))
            .collect();
        let after = serde_json::json!({ "notifications": told }).to_string();
        audit::append(
            &mut tx,
            author,
            now,
            &[Entry {
                after: Some(&after),
                ..Entry::of("notify", KIND, case.as_str())
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(made)
    }

    /// A person's notifications of hits on cases, newest first.
    pub async fn case_notifications_of(
        &self,
        user_id: &str,
        limit: i64,
    ) -> Result<Vec<CaseNotification>, StoreError> {
        let rows = sqlx::query(built(format!(
            "select {CASE_NOTIFICATION_COLUMNS} from case_notifications where user_id = $1 order by id desc limit $2"
        )))
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(case_notification_of).collect()
    }

    /// How many of a person's notifications of hits on cases are unread.
    pub async fn unread_case_notifications(&self, user_id: &str) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "select count(*) from case_notifications where user_id = $1 and read_at is null",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>(0)?)
    }

    /// Marks one of a person's notifications of a hit read; another's is not found.
    pub async fn mark_case_notification_read(
        &self,
        user_id: &str,
        id: i64,
        author: &Author,
    ) -> Result<(), StoreError> {
        const UNREAD_HITS: &Unread = &Unread {
            table: "case_notifications",
            audit_kind: "case_notification",
            about: Some(("case_id", "case")),
        };
        self.mark_read_in(UNREAD_HITS, user_id, id, author).await
    }
}
