//! Due-diligence cases: opened on an overseas partner by a provider (or by
//! the agency for every provider), its people named, screened against every
//! stored list, worked, submitted and decided by a second person; screened
//! again whenever a list is imported; and the blocks matching applies.
//!
//! The rules are the domain's ([`hcx_domain::diligence`]) and the store
//! applies and audits each step; this module reads raw input into the
//! domain's types, checks who is asking, and screens.

use std::collections::{BTreeSet, HashMap};

use hcx_domain::access::Capability;
use hcx_domain::diligence::{
    Answer, Case, CaseEdit, CaseStatus, ChecklistAnswer, ChecklistItem, Finding, Hit, NewCase,
    Outcome, Person, Rating, Subject, Verdict, blocking, date_of,
};
use hcx_domain::fields::parse_date;
use hcx_domain::screening::entity::{ListEntity, Schema};
use hcx_domain::vocab::{OrgKind, Role};
use hcx_domain::{
    CaseId, CountryCode, FieldError, Invalid, Organisation, OrganisationId, PersonId,
};
use hcx_store::{CaseFilter, CaseNotification, CaseOwner, Page, ScreeningList};
use serde::{Deserialize, Serialize};
use time::Date;

use super::access::denied;
use super::screening::ScreenOptions;
use super::{App, Caller, ServiceError, given};

/// Screening results at or above this score become hits for a reviewer:
/// lower than the score of a match (0.7), so that near misses — a name
/// spelt another way, a birth year off by one — are looked at too.
pub const REVIEW_THRESHOLD: f64 = 0.5;
/// Results kept per subject and list.
const RESULTS_PER_SUBJECT: usize = 10;
/// Cases read at a time when re-screening.
const CASES_PER_ROUND: i64 = 200;
/// Events of one case read to find who worked on it.
const AUDIT_EVENTS_READ: i64 = 10_000;
/// What the errors call a case.
const KIND: &str = "due-diligence case";

/// A person as a form or a request names them; hcx chooses an id (`p1`,
/// `p2`, …) when none is given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PersonInput {
    /// Unique within the case; letters, digits and `. _ : @ -`.
    pub id: Option<String>,
    pub name: String,
    /// What they are to the partner: minister, director, signatory.
    pub role: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
}

/// A case to open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OpenInput {
    /// The overseas buyer or partner under review.
    pub partner: String,
    /// The provider whose case it is: for a provider's people, one of their
    /// own (left out when they belong to one); for the agency, any provider,
    /// or none for a case on behalf of every provider.
    pub owner: Option<String>,
    pub people: Vec<PersonInput>,
}

/// One checklist answer as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AnswerInput {
    /// `anti_bribery`, `ethics`, `governing_law`, `mou_exit` or `nhs_brand`.
    pub item: String,
    /// `satisfied`, `concern`, `not_applicable` or `unanswered`.
    pub answer: String,
    /// Required for a concern or "not applicable" before submitting.
    pub note: String,
}

/// What reviewers write on an open case. Each part given replaces what the
/// case holds; people left out stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EditInput {
    pub people: Option<Vec<PersonInput>>,
    /// Whether the partner can pay.
    pub financial_notes: String,
    /// Items left out are unanswered.
    pub checklist: Vec<AnswerInput>,
    /// `low`, `medium`, `high` or `unacceptable`.
    pub rating: Option<String>,
    pub rating_reasons: String,
}

/// A verdict on a hit as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerdictInput {
    /// `true_positive` or `false_positive`.
    pub verdict: String,
    pub reason: String,
}

/// A decision as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionInput {
    /// `approved` or `rejected`.
    pub outcome: String,
    pub note: String,
    /// `YYYY-MM-DD`, for an approval: the first day it no longer holds.
    pub expires_on: Option<String>,
}

/// Which cases to list; the caller's scope is applied on top.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseQuery {
    pub partner: Option<OrganisationId>,
    pub status: Option<CaseStatus>,
}

impl CaseQuery {
    /// A query from the text of a form or a request: blanks ask for nothing.
    pub fn read(partner: Option<&str>, status: Option<&str>) -> Result<CaseQuery, ServiceError> {
        let mut errors = Vec::new();
        let partner =
            given(partner).and_then(|p| read_as(&mut errors, "partner", p, OrganisationId::parse));
        let status =
            given(status).and_then(|s| read_as(&mut errors, "status", s, CaseStatus::read));
        invalid(errors)?;
        Ok(CaseQuery { partner, status })
    }
}

/// What screening a case found.
#[derive(Debug, Clone)]
pub struct Screened {
    pub case: Case,
    /// The hits found for the first time, on every list.
    pub new: Vec<Hit>,
    /// The lists screened against, at their versions.
    pub lists: Vec<ScreeningList>,
}

/// A notification of a hit on a case, with what it is about.
#[derive(Debug, Clone)]
pub struct CaseNotice {
    pub notification: CaseNotification,
    pub case: Case,
    pub hit: Hit,
    pub partner: String,
}

/// The due-diligence blocks of one ranking: every decided case on its
/// partners, read once, and the day they are judged on.
#[derive(Debug, Clone)]
pub struct Blocks {
    cases: Vec<Case>,
    today: Date,
}

impl Blocks {
    /// Why matching must keep `provider` away from `partner`, or `None`.
    pub fn of(&self, partner: &Organisation, provider: &OrganisationId) -> Option<String> {
        if self.cases.is_empty() {
            return None;
        }
        blocking(partner, &self.cases, Some(provider), self.today)
    }
}

fn invalid(errors: Vec<FieldError>) -> Result<(), ServiceError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(Invalid(errors)))
    }
}

/// A value read by a vocabulary's `read`, or its problem recorded under `field`.
fn read_as<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    text: &str,
    read: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    read(text.trim())
        .map_err(|reason| errors.push(FieldError::new(field, reason)))
        .ok()
}

/// The first `pN` not among `taken`.
fn free_person_id(taken: &BTreeSet<String>) -> String {
    (1..)
        .map(|n| format!("p{n}"))
        .find(|id| !taken.contains(id))
        .unwrap_or_default()
}

/// People as given, read into the domain's: ids parsed or chosen (never one
/// of `taken` or of another person given), countries checked; names, roles
/// and birth dates are the domain's to check.
fn read_people(
    errors: &mut Vec<FieldError>,
    field: &str,
    people: &[PersonInput],
    taken: &BTreeSet<String>,
) -> Vec<Person> {
    let mut taken: BTreeSet<String> = taken
        .iter()
        .cloned()
        .chain(
            people
                .iter()
                .filter_map(|p| given(p.id.as_deref()).map(str::to_owned)),
        )
        .collect();
    let mut out = Vec::with_capacity(people.len());
    for (i, p) in people.iter().enumerate() {
        let at = |f: &str| format!("{field}[{i}].{f}");
        let id = match given(p.id.as_deref()) {
            Some(id) => read_as(errors, &at("id"), id, PersonId::parse),
            None => {
                let id = free_person_id(&taken);
                taken.insert(id.clone());
                PersonId::parse(&id).ok()
            }
        };
        let country = given(p.country.as_deref()).and_then(|c| {
            read_as(
                errors,
                &at("country"),
                &c.to_uppercase(),
                CountryCode::parse,
            )
        });
        if let Some(id) = id {
            out.push(Person {
                id,
                name: p.name.clone(),
                role: p.role.clone(),
                birth_date: given(p.birth_date.as_deref()).map(str::to_owned),
                country,
            });
        }
    }
    out
}

/// A person of a case as the inputs name them, to be given back unchanged.
fn input_of(p: &Person) -> PersonInput {
    PersonInput {
        id: Some(p.id.to_string()),
        name: p.name.clone(),
        role: p.role.clone(),
        birth_date: p.birth_date.clone(),
        country: p.country.as_ref().map(ToString::to_string),
    }
}

impl EditInput {
    /// The edit of `case` this input asks for, or every problem in it.
    pub fn read(&self, case: &Case) -> Result<CaseEdit, ServiceError> {
        let mut errors = Vec::new();
        let people = match &self.people {
            Some(people) => read_people(&mut errors, "people", people, &BTreeSet::new()),
            None => case.people.clone(),
        };
        let checklist = self
            .checklist
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let item = read_as(
                    &mut errors,
                    &format!("checklist[{i}].item"),
                    &a.item,
                    ChecklistItem::read,
                );
                let answer = read_as(
                    &mut errors,
                    &format!("checklist[{i}].answer"),
                    &a.answer,
                    Answer::read,
                );
                Some(ChecklistAnswer {
                    item: item?,
                    answer: answer?,
                    note: a.note.clone(),
                })
            })
            .collect();
        let rating = given(self.rating.as_deref())
            .and_then(|r| read_as(&mut errors, "rating", r, Rating::read));
        invalid(errors)?;
        Ok(CaseEdit {
            people,
            financial_notes: self.financial_notes.clone(),
            checklist,
            rating,
            rating_reasons: self.rating_reasons.clone(),
        })
    }

    /// What `case` holds now, as an edit would give it.
    pub fn of(case: &Case) -> EditInput {
        EditInput {
            people: Some(case.people.iter().map(input_of).collect()),
            financial_notes: case.financial_notes.clone(),
            checklist: case
                .checklist
                .iter()
                .map(|a| AnswerInput {
                    item: a.item.as_str().to_owned(),
                    answer: a.answer.as_str().to_owned(),
                    note: a.note.clone(),
                })
                .collect(),
            rating: case.rating.map(|r| r.as_str().to_owned()),
            rating_reasons: case.rating_reasons.clone(),
        }
    }
}

impl DecisionInput {
    fn read(&self) -> Result<(Outcome, Option<Date>), ServiceError> {
        let mut errors = Vec::new();
        let outcome = read_as(&mut errors, "outcome", &self.outcome, Outcome::read);
        let expires_on = given(self.expires_on.as_deref())
            .and_then(|d| read_as(&mut errors, "expires_on", d, parse_date));
        match outcome {
            Some(outcome) if errors.is_empty() => Ok((outcome, expires_on)),
            _ => Err(ServiceError::Invalid(Invalid(errors))),
        }
    }
}

/// The query screening asks of a list for a subject of a case.
fn query_of(
    id: &str,
    schema: Schema,
    names: Vec<String>,
    birth_date: Option<&str>,
    country: Option<&CountryCode>,
) -> ListEntity {
    ListEntity {
        id: id.to_owned(),
        schema,
        names,
        aliases: Vec::new(),
        weak_aliases: Vec::new(),
        birth_dates: birth_date.map(str::to_owned).into_iter().collect(),
        countries: country
            .map(|c| c.as_str().to_lowercase())
            .into_iter()
            .collect(),
        identifiers: Vec::new(),
        topics: Vec::new(),
    }
}

/// Every subject of a case with the query that screens it: the partner by
/// its name and aliases in its country, each person by name, birth date
/// and country.
fn subjects(case: &Case, partner: &Organisation) -> Vec<(Subject, ListEntity)> {
    let mut names = vec![partner.name.clone()];
    names.extend(partner.aliases.iter().cloned());
    let mut out = vec![(
        Subject::Organisation,
        query_of(
            Subject::ORGANISATION,
            Schema::Organization,
            names,
            None,
            Some(&partner.country),
        ),
    )];
    for p in &case.people {
        out.push((
            Subject::Person(p.id.clone()),
            query_of(
                p.id.as_str(),
                Schema::Person,
                vec![p.name.clone()],
                p.birth_date.as_deref(),
                p.country.as_ref(),
            ),
        ));
    }
    out
}

/// A fresh case id: `DD-` and eight letters and digits that cannot be misread.
fn new_case_id() -> CaseId {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system provides random numbers");
    let code: String = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect();
    CaseId::parse(&format!("DD-{code}")).expect("a well-formed case id")
}

fn case_id(id: &str) -> Result<CaseId, ServiceError> {
    CaseId::parse(id).map_err(|_| ServiceError::NotFound {
        kind: KIND,
        id: id.to_owned(),
    })
}

/// The ids of the providers among the caller's organisations.
fn own_providers(caller: &Caller) -> Vec<OrganisationId> {
    if caller.actor.role != Some(Role::Provider) {
        return Vec::new();
    }
    caller
        .actor
        .memberships
        .iter()
        .filter(|m| matches!(m.kind, OrgKind::Provider | OrgKind::Partner))
        .map(|m| m.organisation.clone())
        .collect()
}

impl App {
    /// The cases the caller may see that match the query, most recently
    /// changed first: the agency sees every case, a provider's people their
    /// providers' cases.
    pub async fn cases(
        &self,
        caller: &Caller,
        query: &CaseQuery,
        offset: i64,
        limit: i64,
    ) -> Result<Page<Case>, ServiceError> {
        caller.check_capability(Capability::DueDiligence)?;
        let owner = if caller.actor.is_staff() {
            CaseOwner::Anyone
        } else {
            CaseOwner::Providers(own_providers(caller))
        };
        let filter = CaseFilter {
            partner: query.partner.clone(),
            owner,
            status: query.status,
        };
        Ok(self.store.list_cases(&filter, offset, limit).await?)
    }

    /// One case the caller may see and work on; to anyone else it is not found.
    pub async fn case(&self, caller: &Caller, id: &str) -> Result<Case, ServiceError> {
        if caller.actor.role.is_none() {
            return Err(ServiceError::SignIn);
        }
        let id = case_id(id)?;
        let case = self
            .store
            .case(&id)
            .await?
            .ok_or_else(|| ServiceError::NotFound {
                kind: KIND,
                id: id.to_string(),
            })?;
        caller
            .actor
            .check_case(case.owner.as_ref())
            .map_err(|d| denied(d, KIND, id.as_str()))?;
        Ok(case)
    }

    /// An organisation a case names, or an error naming `field`.
    async fn named_organisation(
        &self,
        field: &str,
        id: &str,
    ) -> Result<Organisation, ServiceError> {
        let id = id.trim();
        OrganisationId::parse(id).map_err(|e| {
            ServiceError::Invalid(Invalid::one(
                field,
                format!("{id:?} is not an organisation id: {e}"),
            ))
        })?;
        self.store
            .organisation(id)
            .await?
            .map(|v| v.record)
            .ok_or_else(|| {
                ServiceError::Invalid(Invalid::one(
                    field,
                    format!("organisation {id:?} does not exist"),
                ))
            })
    }

    /// Opens a case on an overseas buyer or partner: for one of the caller's
    /// providers, or (the agency) for any provider or for every provider.
    pub async fn open_case(
        &self,
        caller: &Caller,
        input: &OpenInput,
    ) -> Result<Case, ServiceError> {
        caller.check_capability(Capability::DueDiligence)?;
        let partner = self.named_organisation("partner", &input.partner).await?;
        if !matches!(partner.kind, OrgKind::Buyer | OrgKind::Partner) {
            return Err(ServiceError::Invalid(Invalid::one(
                "partner",
                format!(
                    "{} is {}: due diligence is on overseas buyers and partners",
                    partner.name,
                    partner.kind.label().to_lowercase()
                ),
            )));
        }
        let owner = match given(input.owner.as_deref()) {
            Some(id) => {
                let owner = self.named_organisation("owner", id).await?;
                if !owner.can_offer() {
                    return Err(ServiceError::Invalid(Invalid::one(
                        "owner",
                        format!("{} is not a provider or partner", owner.name),
                    )));
                }
                Some(owner.id)
            }
            None if caller.actor.is_staff() => None,
            None => match own_providers(caller).as_slice() {
                [only] => Some(only.clone()),
                _ => {
                    return Err(ServiceError::Invalid(Invalid::one(
                        "owner",
                        "say which of your providers the case is for",
                    )));
                }
            },
        };
        if caller.actor.check_case(owner.as_ref()).is_err() {
            return Err(caller.refuse(
                "organisation",
                owner.as_ref().map_or("", OrganisationId::as_str),
            ));
        }
        let mut errors = Vec::new();
        let people = read_people(&mut errors, "people", &input.people, &BTreeSet::new());
        invalid(errors)?;
        let new = NewCase {
            id: new_case_id(),
            partner: partner.id,
            owner,
            people,
        };
        Ok(self.store.open_case(&new, &caller.author()).await?)
    }

    /// Replaces what reviewers write on an open case seen at `version`.
    pub async fn edit_case(
        &self,
        caller: &Caller,
        id: &str,
        version: i64,
        input: &EditInput,
    ) -> Result<Case, ServiceError> {
        let case = self.case(caller, id).await?;
        let edit = input.read(&case)?;
        Ok(self
            .store
            .edit_case(&case.id, version, &edit, &caller.author())
            .await?)
    }

    /// Names one more person on an open case seen at `version`.
    pub async fn add_person(
        &self,
        caller: &Caller,
        id: &str,
        version: i64,
        person: &PersonInput,
    ) -> Result<Case, ServiceError> {
        let case = self.case(caller, id).await?;
        let taken: BTreeSet<String> = case.people.iter().map(|p| p.id.to_string()).collect();
        let mut errors = Vec::new();
        let added = read_people(&mut errors, "person", std::slice::from_ref(person), &taken);
        invalid(errors)?;
        let mut edit = EditInput::of(&case).read(&case)?;
        edit.people.extend(added);
        Ok(self
            .store
            .edit_case(&case.id, version, &edit, &caller.author())
            .await?)
    }

    /// Screens the partner and every person of a case against every stored
    /// list, and records the results at or above [`REVIEW_THRESHOLD`] as hits.
    pub async fn screen_case(&self, caller: &Caller, id: &str) -> Result<Screened, ServiceError> {
        let case = self.case(caller, id).await?;
        caller.check_capability(Capability::Screening)?;
        let lists = self.store.screening_lists().await?;
        if lists.is_empty() {
            return Err(ServiceError::Conflict(
                "there is no screening list to screen against: the agency imports them on the screening page".into(),
            ));
        }
        let partner = self.organisation(case.partner.as_str()).await?;
        let mut new = Vec::new();
        let mut screened = Vec::new();
        for list in &lists {
            let (list, found) = self
                .screen_case_against(caller, &case, &partner, &list.name)
                .await?;
            new.extend(found);
            screened.push(list);
        }
        let case = self.case(caller, id).await?;
        Ok(Screened {
            case,
            new,
            lists: screened,
        })
    }

    /// Screens every subject of `case` against list `name` at its latest
    /// version and records what is found; returns the list and the hits new
    /// to the case.
    async fn screen_case_against(
        &self,
        caller: &Caller,
        case: &Case,
        partner: &Organisation,
        name: &str,
    ) -> Result<(ScreeningList, Vec<Hit>), ServiceError> {
        let subjects = subjects(case, partner);
        let queries = subjects.iter().map(|(_, q)| q.clone()).collect();
        let options = ScreenOptions {
            limit: RESULTS_PER_SUBJECT,
            ..ScreenOptions::default()
        };
        let (list, results) = self.screen(caller, name, queries, options).await?;
        let mut new = Vec::new();
        for ((subject, _), results) in subjects.iter().zip(results) {
            let findings: Vec<Finding> = results
                .into_iter()
                .filter(|r| r.score >= REVIEW_THRESHOLD)
                .map(|r| Finding {
                    list_name: list.name.clone(),
                    list_version: list.version.to_string(),
                    entity_id: r.id,
                    caption: r.caption,
                    schema: Schema::parse(r.schema).unwrap_or(Schema::LegalEntity),
                    topics: r.topics,
                    score: r.score,
                })
                .collect();
            if findings.is_empty() {
                continue;
            }
            new.extend(
                self.store
                    .record_hits(&case.id, subject, &findings, &caller.author())
                    .await?,
            );
        }
        Ok((list, new))
    }

    /// Gives a hit of the case seen at `version` its verdict; the caller is the reviewer.
    pub async fn mark_hit(
        &self,
        caller: &Caller,
        id: &str,
        version: i64,
        hit: i64,
        input: &VerdictInput,
    ) -> Result<Case, ServiceError> {
        let case = self.case(caller, id).await?;
        let verdict = Verdict::read(input.verdict.trim())
            .map_err(|reason| ServiceError::Invalid(Invalid::one("verdict", reason)))?;
        Ok(self
            .store
            .mark_hit(
                &case.id,
                version,
                hit,
                verdict,
                &input.reason,
                &caller.author(),
            )
            .await?)
    }

    /// Submits the case seen at `version` for decision; the caller becomes the requester.
    pub async fn submit_case(
        &self,
        caller: &Caller,
        id: &str,
        version: i64,
    ) -> Result<Case, ServiceError> {
        let case = self.case(caller, id).await?;
        Ok(self
            .store
            .submit_case(&case.id, version, &caller.author())
            .await?)
    }

    /// Approves or rejects the case seen at `version`; the caller decides
    /// and must not be its requester.
    pub async fn decide_case(
        &self,
        caller: &Caller,
        id: &str,
        version: i64,
        input: &DecisionInput,
    ) -> Result<Case, ServiceError> {
        let case = self.case(caller, id).await?;
        let (outcome, expires_on) = input.read()?;
        Ok(self
            .store
            .decide_case(
                &case.id,
                version,
                outcome,
                &input.note,
                expires_on,
                &caller.author(),
            )
            .await?)
    }

    /// Returns the submitted or decided case seen at `version` to work.
    pub async fn reopen_case(
        &self,
        caller: &Caller,
        id: &str,
        version: i64,
    ) -> Result<Case, ServiceError> {
        let case = self.case(caller, id).await?;
        Ok(self
            .store
            .reopen_case(&case.id, version, &caller.author())
            .await?)
    }

    /// Every decided case on these partners, for matching to tell which
    /// providers are blocked, judged on today's date.
    pub async fn blocks(&self, partners: &[OrganisationId]) -> Result<Blocks, ServiceError> {
        Ok(Blocks {
            cases: self.store.decided_cases(partners).await?,
            today: date_of(super::accounts::now()),
        })
    }

    /// Screens every case not rejected against list `name` again (a new
    /// version was imported) and tells the people who worked on each case
    /// of the hits found since that version: an approved case with one
    /// then needs review. Returns how many notifications were made.
    pub async fn rescreen(&self, caller: &Caller, name: &str) -> Result<usize, ServiceError> {
        let list = self.store.screening_list(name).await?;
        // Read first: screening a case changes it, and so the order of the pages.
        let mut cases = Vec::new();
        let mut offset = 0;
        loop {
            let page = self
                .store
                .list_cases(&CaseFilter::default(), offset, CASES_PER_ROUND)
                .await?;
            cases.extend(
                page.items
                    .into_iter()
                    .filter(|c| c.status != CaseStatus::Rejected),
            );
            offset += CASES_PER_ROUND;
            if offset >= page.total {
                break;
            }
        }
        let mut ids: Vec<String> = cases.iter().map(|c| c.partner.to_string()).collect();
        ids.sort();
        ids.dedup();
        let partners: HashMap<String, Organisation> = self
            .store
            .organisations_by_ids(&ids)
            .await?
            .into_iter()
            .map(|v| (v.record.id.to_string(), v.record))
            .collect();
        let mut told = 0;
        for case in &cases {
            let Some(partner) = partners.get(case.partner.as_str()) else {
                continue;
            };
            let (_, new) = self
                .screen_case_against(caller, case, partner, name)
                .await?;
            // Hits an earlier attempt of this job recorded are told too.
            let since_import: Vec<i64> = case
                .hits
                .iter()
                .chain(&new)
                .filter(|h| {
                    h.list_name == list.name
                        && h.verdict == Verdict::Pending
                        && h.found_at >= list.imported_at
                })
                .map(|h| h.id)
                .collect();
            if since_import.is_empty() {
                continue;
            }
            let people = self.case_people(case).await?;
            let recipients: Vec<(String, i64)> = people
                .iter()
                .flat_map(|p| since_import.iter().map(move |h| (p.clone(), *h)))
                .collect();
            told += self
                .store
                .add_case_notifications(&case.id, &recipients, &caller.author())
                .await?
                .len();
        }
        Ok(told)
    }

    /// The accounts that have worked on a case (opened, edited, screened,
    /// reviewed, submitted or decided it), still enabled and still allowed
    /// to see it.
    async fn case_people(&self, case: &Case) -> Result<Vec<String>, ServiceError> {
        let events = self
            .store
            .audit_events(
                &hcx_store::AuditFilter {
                    kind: Some("diligence_case".into()),
                    record_id: Some(case.id.to_string()),
                    ..Default::default()
                },
                AUDIT_EVENTS_READ,
            )
            .await?;
        let ids: BTreeSet<&str> = events
            .iter()
            .filter_map(|e| e.actor_id.strip_prefix("user:"))
            .collect();
        let mut people = Vec::new();
        for id in ids {
            let Some(user) = self.store.user(id).await? else {
                continue;
            };
            if user.disabled_at.is_some() {
                continue;
            }
            let actor = self.actor_of(&user, &user.role, None).await?;
            if actor.check_case(case.owner.as_ref()).is_ok() {
                people.push(user.id);
            }
        }
        Ok(people)
    }

    /// The caller's notifications of hits on cases they may still see, newest first.
    pub async fn case_notices(&self, caller: &Caller) -> Result<Vec<CaseNotice>, ServiceError> {
        let Some(user) = caller.actor.id.strip_prefix("user:") else {
            return Ok(Vec::new());
        };
        let notifications = self
            .store
            .case_notifications_of(user, super::alerts::RECENT)
            .await?;
        // Each case once, with its partner's name, however many hits it has.
        let mut cases: HashMap<String, Option<(Case, String)>> = HashMap::new();
        let mut notices = Vec::new();
        for n in notifications {
            if !cases.contains_key(&n.case_id) {
                let found = match self.case(caller, &n.case_id).await {
                    Ok(case) => {
                        let partner = self
                            .store
                            .organisation(case.partner.as_str())
                            .await?
                            .map_or_else(|| case.partner.to_string(), |v| v.record.name);
                        Some((case, partner))
                    }
                    // No longer the caller's to see.
                    Err(ServiceError::NotFound { .. }) => None,
                    Err(e) => return Err(e),
                };
                cases.insert(n.case_id.clone(), found);
            }
            let Some(Some((case, partner))) = cases.get(&n.case_id) else {
                continue;
            };
            let Some(hit) = case.hits.iter().find(|h| h.id == n.hit_id).cloned() else {
                continue;
            };
            notices.push(CaseNotice {
                notification: n,
                case: case.clone(),
                hit,
                partner: partner.clone(),
            });
        }
        Ok(notices)
    }

    /// Marks one of the caller's notifications of a hit read.
    pub async fn mark_case_notice_read(
        &self,
        caller: &Caller,
        id: i64,
    ) -> Result<(), ServiceError> {
        match caller.actor.id.strip_prefix("user:") {
            Some(user) => Ok(self
                .store
                .mark_case_notification_read(user, id, &caller.author())
                .await?),
            None if caller.actor.role.is_none() => Err(ServiceError::SignIn),
            None => Err(ServiceError::NotFound {
                kind: "notification",
                id: id.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_get_the_first_free_ids_and_bad_ones_are_named() {
        let mut errors = Vec::new();
        let taken: BTreeSet<String> = ["p1".to_owned()].into();
        let people = read_people(
            &mut errors,
            "people",
            &[
                PersonInput {
                    name: "Fatima Al-Sabah".into(),
                    country: Some("kw".into()),
                    ..PersonInput::default()
                },
                PersonInput {
                    id: Some("p2".into()),
                    name: "Asem Mansour".into(),
                    ..PersonInput::default()
                },
                PersonInput {
                    name: "Dina Haddad".into(),
                    birth_date: Some("  ".into()),
                    ..PersonInput::default()
                },
            ],
            &taken,
        );
        assert!(errors.is_empty(), "{errors:?}");
        let ids: Vec<&str> = people.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["p3", "p2", "p4"]);
        assert_eq!(people[0].country.as_ref().map(|c| c.as_str()), Some("KW"));
        assert_eq!(people[2].birth_date, None);
        read_people(
            &mut errors,
            "people",
            &[PersonInput {
                id: Some("p 1".into()),
                country: Some("XX".into()),
                ..PersonInput::default()
            }],
            &taken,
        );
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["people[0].id", "people[0].country"]);
    }

    #[test]
    fn an_edit_names_every_unknown_item_answer_and_rating() {
        let input = EditInput {
            checklist: vec![
                AnswerInput {
                    item: "ethics".into(),
                    answer: "maybe".into(),
                    note: String::new(),
                },
                AnswerInput {
                    item: "morals".into(),
                    answer: "satisfied".into(),
                    note: String::new(),
                },
            ],
            rating: Some("severe".into()),
            ..EditInput::default()
        };
        let case = Case::open(
            NewCase {
                id: CaseId::parse("DD-1").unwrap(),
                partner: OrganisationId::parse("KW-MOH").unwrap(),
                owner: None,
                people: Vec::new(),
            },
            0,
        )
        .unwrap();
        let Err(ServiceError::Invalid(Invalid(errors))) = input.read(&case) else {
            panic!("the edit is refused");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["checklist[0].answer", "checklist[1].item", "rating"]
        );
        assert_eq!(EditInput::of(&case).read(&case).unwrap().checklist.len(), 5);
    }

    #[test]
    fn case_ids_are_short_and_unambiguous() {
        let id = new_case_id();
        assert_eq!(id.as_str().len(), 11);
        assert!(id.as_str().starts_with("DD-"));
        assert!(!id.as_str()[3..].contains(['I', 'L', 'O', 'U']));
    }
}
