//! Consortia, kept by the domain's rules ([`hcx_domain::agreement`]): every
//! step reads the consortium in a write transaction, applies the rule,
//! writes what changed only while it is still at the version read, and
//! audits it before and after.

use hcx_domain::agreement::{AgreementError, Answer, Consortium, Place, PlacePart, Standing};
use hcx_domain::{OpportunityId, OrganisationId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{self, Author, Entry};
use crate::diligence::marks;
use crate::registry::IDS_PER_STATEMENT;
use crate::{Page, Store, StoreError, built, filtered_page, now_ms};

/// What the audit log calls a consortium.
const KIND: &str = "consortium";
/// The objective is stored in millionths.
const MILLION: f64 = 1e6;

const COLUMNS: &str = "id, opportunity_id, standing, objective_millionths, solver, proposed_by, note, agreed_at, version, created_at, updated_at";
const MEMBER_COLUMNS: &str = "consortium_id, provider_id, position, lead, parts, contribution_pence, share_bp, answer, answered_by, answered_at, note";

/// Which consortia to list; every part given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsortiumFilter {
    pub opportunity: Option<OpportunityId>,
    /// Only those with one of these providers as a member (none: no
    /// consortium at all); `None`: any.
    pub members: Option<Vec<OrganisationId>>,
}

fn corrupt(id: &str, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        kind: "consortium",
        id: id.to_owned(),
        reason: reason.into(),
    }
}

fn consortium_of(r: &AnyRow) -> Result<Consortium, StoreError> {
    let id: String = r.try_get(0)?;
    let opportunity = OpportunityId::parse(&r.try_get::<String, _>(1)?)
        .map_err(|e| corrupt(&id, format!("opportunity_id: {e}")))?;
    let standing = Standing::parse(&r.try_get::<String, _>(2)?)
        .map_err(|e| corrupt(&id, format!("standing: {e}")))?;
    Ok(Consortium {
        opportunity,
        standing,
        objective: r.try_get::<i64, _>(3)? as f64 / MILLION,
        solver: r.try_get(4)?,
        proposed_by: r.try_get(5)?,
        note: r.try_get(6)?,
        agreed_at: r.try_get(7)?,
        version: r.try_get(8)?,
        created_at: r.try_get(9)?,
        updated_at: r.try_get(10)?,
        members: Vec::new(),
        id,
    })
}

fn place_of(consortium: &str, r: &AnyRow) -> Result<Place, StoreError> {
    let provider = OrganisationId::parse(&r.try_get::<String, _>(1)?)
        .map_err(|e| corrupt(consortium, format!("consortium_members.provider_id: {e}")))?;
    let parts: Vec<PlacePart> = serde_json::from_str(&r.try_get::<String, _>(4)?)
        .map_err(|e| corrupt(consortium, format!("consortium_members.parts: {e}")))?;
    let share_bp = u32::try_from(r.try_get::<i64, _>(6)?)
        .map_err(|e| corrupt(consortium, format!("consortium_members.share_bp: {e}")))?;
    Ok(Place {
        provider,
        lead: r.try_get::<i64, _>(3)? != 0,
        parts,
        contribution_pence: r.try_get(5)?,
        share_bp,
        answer: Answer::parse(&r.try_get::<String, _>(7)?)
            .map_err(|e| corrupt(consortium, format!("consortium_members.answer: {e}")))?,
        answered_by: r.try_get(8)?,
        answered_at: r.try_get(9)?,
        note: r.try_get(10)?,
    })
}

/// Whole consortia from their rows, members added in their order.
async fn assemble(
    conn: &mut AnyConnection,
    rows: &[AnyRow],
) -> Result<Vec<Consortium>, StoreError> {
    let mut all: Vec<Consortium> = rows.iter().map(consortium_of).collect::<Result<_, _>>()?;
    let ids: Vec<String> = all.iter().map(|c| c.id.clone()).collect();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let mut q = sqlx::query(built(format!(
            "select {MEMBER_COLUMNS} from consortium_members where consortium_id in ({}) order by consortium_id, position",
            marks(1, chunk.len())
        )));
        for id in chunk {
            q = q.bind(id.as_str());
        }
        for r in q.fetch_all(&mut *conn).await? {
            let id: String = r.try_get(0)?;
            if let Some(c) = all.iter_mut().find(|c| c.id == id) {
                let place = place_of(&id, &r)?;
                c.members.push(place);
            }
        }
    }
    Ok(all)
}

async fn consortium_in(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<Consortium>, StoreError> {
    let rows = sqlx::query(built(format!(
        "select {COLUMNS} from consortia where id = $1"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(assemble(conn, &rows).await?.pop())
}

/// Writes the consortium's row and its members' rows (inserted or updated).
async fn save(conn: &mut AnyConnection, fresh: bool, c: &Consortium) -> Result<(), StoreError> {
    if fresh {
        sqlx::query(built(format!(
            "insert into consortia ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        )))
        .bind(c.id.as_str())
        .bind(c.opportunity.as_str())
        .bind(c.standing.as_str())
        .bind((c.objective * MILLION).round() as i64)
        .bind(c.solver.as_str())
        .bind(c.proposed_by.as_str())
        .bind(c.note.as_str())
        .bind(c.agreed_at)
        .bind(c.version)
        .bind(c.created_at)
        .bind(c.updated_at)
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query(
            "update consortia set standing = $2, note = $3, agreed_at = $4, version = $5, updated_at = $6 where id = $1",
        )
        .bind(c.id.as_str())
        .bind(c.standing.as_str())
        .bind(c.note.as_str())
        .bind(c.agreed_at)
        .bind(c.version)
        .bind(c.updated_at)
        .execute(&mut *conn)
        .await?;
    }
    for (position, m) in c.members.iter().enumerate() {
        let parts = serde_json::to_string(&m.parts).unwrap_or_default();
        sqlx::query(built(format!(
            "insert into consortium_members ({MEMBER_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             on conflict (consortium_id, provider_id) do update set share_bp = excluded.share_bp, \
             answer = excluded.answer, answered_by = excluded.answered_by, \
             answered_at = excluded.answered_at, note = excluded.note"
        )))
        .bind(c.id.as_str())
        .bind(m.provider.as_str())
        .bind(position as i64)
        .bind(i64::from(m.lead))
        .bind(parts)
        .bind(m.contribution_pence)
        .bind(i64::from(m.share_bp))
        .bind(m.answer.as_str())
        .bind(m.answered_by.as_deref())
        .bind(m.answered_at)
        .bind(m.note.as_str())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn json(c: &Consortium) -> String {
    serde_json::to_string(c).unwrap_or_default()
}

impl Store {
    /// Records a proposed consortium under the next free id of its
    /// opportunity (`{opportunity}-T1`, `-T2`, …); its members and their
    /// opportunity must exist.
    pub async fn propose_consortium(
        &self,
        proposal: Consortium,
        author: &Author,
    ) -> Result<Consortium, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let taken: i64 = sqlx::query("select count(*) from consortia where opportunity_id = $1")
            .bind(proposal.opportunity.as_str())
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        let consortium = Consortium {
            id: format!("{}-T{}", proposal.opportunity, taken + 1),
            ..proposal.propose(now)?
        };
        save(&mut tx, true, &consortium)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(m) if !m.starts_with("already exists") => {
                    StoreError::NotFound {
                        kind: "opportunity or member",
                        id: std::iter::once(consortium.opportunity.as_str())
                            .chain(consortium.members.iter().map(|m| m.provider.as_str()))
                            .collect::<Vec<_>>()
                            .join(", "),
                    }
                }
                other => other,
            })?;
        let after = json(&consortium);
        audit::append(
            &mut tx,
            author,
            now,
            &[Entry {
                after: Some(&after),
                ..Entry::of("propose", KIND, &consortium.id)
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(consortium)
    }

    /// One consortium, whole.
    pub async fn consortium(&self, id: &str) -> Result<Option<Consortium>, StoreError> {
        let mut tx = self.begin_snapshot().await?;
        let c = consortium_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(c)
    }

    /// Consortia matching the filter, most recently changed first.
    pub async fn list_consortia(
        &self,
        filter: &ConsortiumFilter,
        offset: i64,
        limit: i64,
    ) -> Result<Page<Consortium>, StoreError> {
        let mut clauses = Vec::new();
        let mut binds: Vec<&str> = Vec::new();
        if let Some(o) = &filter.opportunity {
            binds.push(o.as_str());
            clauses.push(format!("opportunity_id = ${}", binds.len()));
        }
        match &filter.members {
            None => {}
            Some(members) if members.is_empty() => clauses.push("1 = 0".into()),
            Some(members) => {
                let first = binds.len() + 1;
                binds.extend(members.iter().map(OrganisationId::as_str));
                clauses.push(format!(
                    "id in (select consortium_id from consortium_members where provider_id in ({}))",
                    marks(first, members.len())
                ));
            }
        }
        let mut tx = self.begin_snapshot().await?;
        let (total, rows) = filtered_page(
            &mut tx,
            "consortia",
            COLUMNS,
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

    /// Applies a rule to a consortium at `version` in one write transaction,
    /// with its audit event.
    async fn consortium_step(
        &self,
        id: &str,
        version: i64,
        action: &str,
        author: &Author,
        rule: impl FnOnce(&mut Consortium, i64) -> Result<(), AgreementError>,
    ) -> Result<Consortium, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let before = consortium_in(&mut tx, id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "consortium",
                id: id.to_owned(),
            })?;
        if version != before.version {
            return Err(StoreError::Conflict(format!(
                "consortium {id:?} was changed by someone else since version {version}: reload it"
            )));
        }
        let mut after = before.clone();
        rule(&mut after, now)?;
        if after != before {
            save(&mut tx, false, &after).await?;
            let (b, a) = (json(&before), json(&after));
            audit::append(
                &mut tx,
                author,
                now,
                &[Entry {
                    before: Some(&b),
                    after: Some(&a),
                    ..Entry::of(action, KIND, id)
                }],
            )
            .await?;
            tx.commit().await?;
        }
        Ok(after)
    }

    /// Sets the revenue split of the consortium at `version`, one share per
    /// member in member order; a changed split asks every member again.
    pub async fn set_consortium_split(
        &self,
        id: &str,
        version: i64,
        shares_bp: &[u32],
        author: &Author,
    ) -> Result<Consortium, StoreError> {
        self.consortium_step(id, version, "split", author, |c, now| {
            c.set_split(shares_bp, now)
        })
        .await
    }

    /// Records a member's answer on the consortium at `version`; the author
    /// answers for the member.
    pub async fn answer_consortium(
        &self,
        id: &str,
        version: i64,
        member: &OrganisationId,
        answer: Answer,
        note: &str,
        author: &Author,
    ) -> Result<Consortium, StoreError> {
        self.consortium_step(id, version, answer.as_str(), author, |c, now| {
            c.answer(member, answer, note, &author.actor_id, now)
        })
        .await
    }

    /// Withdraws the consortium at `version`.
    pub async fn withdraw_consortium(
        &self,
        id: &str,
        version: i64,
        author: &Author,
    ) -> Result<Consortium, StoreError> {
        self.consortium_step(id, version, "withdraw", author, |c, now| c.withdraw(now))
            .await
    }
}
