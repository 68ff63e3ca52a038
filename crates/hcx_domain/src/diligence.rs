//! Due diligence on overseas partners. Before a UK provider signs with a
//! partner organisation it opens a case on it: the partner and its named
//! people are screened against sanctions and other lists, a reviewer gives
//! every hit a verdict with a reason, the financial robustness is noted, a
//! checklist is answered, the partner is rated with reasons, and a second
//! person decides.
//!
//! The rules:
//! - A case is `open` while it is worked on; its people, financial notes,
//!   checklist and rating change only then.
//! - Submitting needs every hit reviewed, financial notes, every checklist
//!   item answered (a concern or "not applicable" with a note) and a rating
//!   with reasons. Whoever submits is the requester. A case rated
//!   unacceptable or holding a confirmed sanctions match may still be
//!   submitted, so that a second person can record its rejection: approving
//!   it is refused.
//! - Deciding takes a second person: the requester cannot decide (four eyes).
//!   Every decision has a note. An approval needs no hit awaiting review, no
//!   confirmed sanctions match (a true positive whose entity has the topic
//!   `sanction`), a rating other than unacceptable, and an expiry date after
//!   today and at most 24 months ahead (12 months is suggested). A rejection
//!   has no expiry.
//! - Screening may add hits to a case in any state. A hit is the same hit
//!   when its subject, list and entity are, so re-screening never duplicates
//!   one (it refreshes the list version, caption, topics and score and keeps
//!   the verdict), and a hit no longer found stays recorded. On a case that
//!   is submitted or decided only hits awaiting review may be given a verdict:
//!   changing a verdict once given needs the case reopened.
//! - A submitted or decided case may be reopened: it returns to `open`, and
//!   its last decision stays in force until the next decision replaces it.
//!   An approved case to which re-screening adds a hit stays approved but
//!   needs review ([`Case::needs_review`]); confirming the hit as a sanctions
//!   match blocks the partner at once.
//! - Matching keeps a provider away from a partner ([`blocking`]) when the
//!   most recently decided case on that partner that concerns the provider
//!   (its own, or one the agency opened for everyone) was rejected, has
//!   expired, or has since had a sanctions match confirmed. No case, or only
//!   undecided ones, blocks nothing.
//!
//! Pure: the caller brings the cases and the time.

use serde::{Serialize, Serializer};
use time::{Date, Month, OffsetDateTime};

use crate::codes::{CaseId, CountryCode, OrganisationId, PersonId};
use crate::fields::{FieldError, Invalid, parse_date, plain_text};
use crate::opportunity::format_date;
use crate::organisation::Organisation;
use crate::screening::entity::Schema;
use crate::vocab::vocabulary;

vocabulary!(
    /// How risky a partner is judged to be, overall.
    Rating {
        Low = "low" / "Low",
        Medium = "medium" / "Medium",
        High = "high" / "High",
        Unacceptable = "unacceptable" / "Unacceptable",
    }
);

vocabulary!(
    /// A reviewer's judgement of a screening hit.
    Verdict {
        Pending = "pending" / "Awaiting review",
        TruePositive = "true_positive" / "True positive",
        FalsePositive = "false_positive" / "False positive",
    }
);

vocabulary!(
    /// Where a case stands.
    CaseStatus {
        Open = "open" / "Open",
        Submitted = "submitted" / "Submitted for decision",
        Approved = "approved" / "Approved",
        Rejected = "rejected" / "Rejected",
    }
);

vocabulary!(
    /// What the second person decided.
    Outcome {
        Approved = "approved" / "Approved",
        Rejected = "rejected" / "Rejected",
    }
);

vocabulary!(
    /// The checklist every case answers, by stable key.
    ChecklistItem {
        AntiBribery = "anti_bribery" / "Anti-bribery and corruption",
        Ethics = "ethics" / "Ethics and human rights",
        GoverningLaw = "governing_law" / "Governing law and jurisdiction",
        MouExit = "mou_exit" / "Memorandum of understanding and exit",
        NhsBrand = "nhs_brand" / "NHS name and logo",
    }
);

vocabulary!(
    /// An answer to a checklist item.
    Answer {
        Unanswered = "unanswered" / "Unanswered",
        Satisfied = "satisfied" / "Satisfied",
        Concern = "concern" / "Concern",
        NotApplicable = "not_applicable" / "Not applicable",
    }
);

impl ChecklistItem {
    /// The question the reviewer answers.
    pub fn question(self) -> &'static str {
        match self {
            ChecklistItem::AntiBribery => {
                "Does the partner have adequate procedures against bribery and corruption, \
                 as the UK Bribery Act 2010 expects, with no facilitation payments?"
            }
            ChecklistItem::Ethics => {
                "Does the partnership fit the provider's ethical and human-rights policy?"
            }
            ChecklistItem::GoverningLaw => {
                "Are the governing law and jurisdiction of the contract agreed?"
            }
            ChecklistItem::MouExit => {
                "Is a memorandum of understanding signed, with an exit clause?"
            }
            ChecklistItem::NhsBrand => {
                "Is any use of the NHS name and logo agreed in line with the NHS brand guidelines?"
            }
        }
    }
}

impl Outcome {
    /// The status a case takes with this decision.
    pub fn status(self) -> CaseStatus {
        match self {
            Outcome::Approved => CaseStatus::Approved,
            Outcome::Rejected => CaseStatus::Rejected,
        }
    }
}

/// The topic FollowTheMoney lists give an entity under sanctions.
pub const SANCTION_TOPIC: &str = "sanction";
/// How long an approval is suggested to last, in months.
pub const SUGGESTED_VALIDITY_MONTHS: u32 = 12;
/// The longest an approval may last, in months.
pub const MAX_VALIDITY_MONTHS: u32 = 24;

/// A person named in a case: screened like the partner itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: PersonId,
    pub name: String,
    /// What they are to the partner: minister, director, signatory.
    pub role: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: often only the year is known.
    pub birth_date: Option<String>,
    pub country: Option<CountryCode>,
}

/// Whom a screening hit is about: the partner itself or one of its people.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    Organisation,
    Person(PersonId),
}

impl Subject {
    /// How the partner itself is named where a person's id could stand.
    pub const ORGANISATION: &'static str = "organisation";

    pub fn as_str(&self) -> &str {
        match self {
            Subject::Organisation => Subject::ORGANISATION,
            Subject::Person(id) => id.as_str(),
        }
    }

    /// `organisation`, or a person's id.
    pub fn parse(text: &str) -> Result<Subject, String> {
        if text == Subject::ORGANISATION {
            Ok(Subject::Organisation)
        } else {
            PersonId::parse(text)
                .map(Subject::Person)
                .map_err(|e| format!("{text:?} is neither \"organisation\" nor a person id: {e}"))
        }
    }
}

impl Serialize for Subject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// What a screening run found for one subject on one list.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub list_name: String,
    pub list_version: String,
    pub entity_id: String,
    /// The entity's name as the list shows it.
    pub caption: String,
    pub schema: Schema,
    /// The entity's topics: `sanction`, `role.pep`, `debarment`, …
    pub topics: Vec<String>,
    /// How closely the names matched, in [0, 1].
    pub score: f64,
}

/// A list entity found for a subject of a case, and the reviewer's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// Numbered from 1 within its case, in the order found.
    pub id: i64,
    pub subject: Subject,
    pub list_name: String,
    /// The version of the list that last found it.
    pub list_version: String,
    pub entity_id: String,
    pub caption: String,
    #[serde(serialize_with = "schema_name")]
    pub schema: Schema,
    pub topics: Vec<String>,
    /// To the nearest thousandth.
    pub score: f64,
    pub verdict: Verdict,
    /// Why the reviewer gave the verdict.
    pub reason: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
    /// When it was first found, in milliseconds since the Unix epoch.
    pub found_at: i64,
}

impl Hit {
    /// A true positive on an entity under sanctions.
    pub fn is_confirmed_sanction(&self) -> bool {
        self.verdict == Verdict::TruePositive && self.topics.iter().any(|t| t == SANCTION_TOPIC)
    }

    fn describe(&self) -> String {
        format!(
            "hit {} ({} on {}, about {})",
            self.id,
            self.caption,
            self.list_name,
            self.subject.as_str()
        )
    }
}

fn schema_name<S: Serializer>(schema: &Schema, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(schema.as_str())
}

/// The answer given to one checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistAnswer {
    pub item: ChecklistItem,
    pub answer: Answer,
    /// Required for a concern or "not applicable"; empty until written.
    pub note: String,
}

/// The decision in force on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub outcome: Outcome,
    pub by: String,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    pub note: String,
    /// The first day an approval no longer holds; none for a rejection.
    #[serde(serialize_with = "optional_date")]
    pub expires_on: Option<Date>,
}

fn optional_date<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    d.map(format_date).serialize(s)
}

/// A due-diligence case on a partner organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    pub id: CaseId,
    /// The overseas organisation under review.
    pub partner: OrganisationId,
    /// The provider whose case it is; none for a case the agency opened for
    /// every provider.
    pub owner: Option<OrganisationId>,
    pub people: Vec<Person>,
    /// In the order found.
    pub hits: Vec<Hit>,
    /// Whether the partner can pay: empty until written.
    pub financial_notes: String,
    /// One answer per checklist item, in the checklist's order.
    pub checklist: Vec<ChecklistAnswer>,
    pub rating: Option<Rating>,
    pub rating_reasons: String,
    pub status: CaseStatus,
    /// Who submitted it for decision, and when; none while open.
    pub requested_by: Option<String>,
    pub requested_at: Option<i64>,
    /// The last decision, in force until the next one (kept when reopened).
    pub decision: Option<Decision>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A case to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub id: CaseId,
    pub partner: OrganisationId,
    pub owner: Option<OrganisationId>,
    pub people: Vec<Person>,
}

/// The parts of an open case its reviewers write, replaced whole.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseEdit {
    pub people: Vec<Person>,
    pub financial_notes: String,
    /// Items left out are unanswered.
    pub checklist: Vec<ChecklistAnswer>,
    pub rating: Option<Rating>,
    pub rating_reasons: String,
}

/// Why a step on a case was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// The step is not open to a case in this status.
    #[error("cannot {step} a case that is {}", status.label().to_lowercase())]
    Status {
        step: &'static str,
        status: CaseStatus,
    },
    /// The requester tried to decide their own request.
    #[error("{by} submitted this case for decision, so a second person must decide it")]
    FourEyes { by: String },
    /// Something is missing or wrong: each named with where it is.
    #[error("{0}")]
    Invalid(Invalid),
}

fn refused(errors: Vec<FieldError>) -> Result<(), CaseError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CaseError::Invalid(Invalid(errors)))
    }
}

/// Free text that may be left empty for now: trimmed, and checked when given.
fn draft_text(errors: &mut Vec<FieldError>, field: &str, text: &str) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    plain_text(text).unwrap_or_else(|reason| {
        errors.push(FieldError::new(field, reason));
        String::new()
    })
}

/// Free text that must be given.
fn required_text(errors: &mut Vec<FieldError>, field: &str, text: &str) -> String {
    plain_text(text).unwrap_or_else(|reason| {
        errors.push(FieldError::new(field, reason));
        String::new()
    })
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
fn check_birth_date(text: &str) -> Result<(), String> {
    let bad = || format!("{text:?} is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD");
    let parts: Vec<&str> = text.split('-').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] if digits(y, 4) => Ok(()),
        [y, m] if digits(y, 4) && digits(m, 2) && (1..=12).contains(&m.parse().unwrap_or(0)) => {
            Ok(())
        }
        [_, _, _] => parse_date(text).map(|_| ()).map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// The people of a case, checked: names and roles given, ids unique and
/// never the word that names the partner itself.
fn check_people(errors: &mut Vec<FieldError>, people: &[Person]) -> Vec<Person> {
    let mut seen: Vec<&PersonId> = Vec::new();
    let mut out = Vec::with_capacity(people.len());
    for (i, p) in people.iter().enumerate() {
        let at = |f: &str| format!("people[{i}].{f}");
        if p.id.as_str() == Subject::ORGANISATION {
            errors.push(FieldError::new(
                at("id"),
                "\"organisation\" names the partner itself: choose another id",
            ));
        } else if seen.contains(&&p.id) {
            errors.push(FieldError::new(
                at("id"),
                format!("{:?} is given to two people", p.id.as_str()),
            ));
        }
        seen.push(&p.id);
        let birth_date = p.birth_date.as_deref().map(str::trim);
        if let Some(Err(reason)) = birth_date.map(check_birth_date) {
            errors.push(FieldError::new(at("birth_date"), reason));
        }
        out.push(Person {
            id: p.id.clone(),
            name: required_text(errors, &at("name"), &p.name),
            role: required_text(errors, &at("role"), &p.role),
            birth_date: birth_date.map(str::to_owned),
            country: p.country.clone(),
        });
    }
    out
}

/// The whole checklist in its order: the answers given, every other item unanswered.
pub fn checklist(answers: &[ChecklistAnswer]) -> Vec<ChecklistAnswer> {
    ChecklistItem::ALL
        .iter()
        .map(|&item| {
            answers
                .iter()
                .find(|a| a.item == item)
                .cloned()
                .unwrap_or(ChecklistAnswer {
                    item,
                    answer: Answer::Unanswered,
                    note: String::new(),
                })
        })
        .collect()
}

/// [`checklist`] from answers given in an edit, each answered once, notes checked.
fn check_checklist(
    errors: &mut Vec<FieldError>,
    answers: &[ChecklistAnswer],
) -> Vec<ChecklistAnswer> {
    for (i, a) in answers.iter().enumerate() {
        if answers[..i].iter().any(|b| b.item == a.item) {
            errors.push(FieldError::new(
                format!("checklist[{i}].item"),
                format!("{} is answered twice", a.item.as_str()),
            ));
        }
    }
    checklist(answers)
        .into_iter()
        .map(|a| ChecklistAnswer {
            note: draft_text(
                errors,
                &format!("checklist.{}.note", a.item.as_str()),
                &a.note,
            ),
            ..a
        })
        .collect()
}

/// The date of a time in milliseconds since the Unix epoch, in UTC.
pub fn date_of(ms: i64) -> Date {
    OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).map_or(Date::MIN, |t| t.date())
}

/// The same day `months` months later, or the month's last day when it is shorter.
pub fn add_months(date: Date, months: u32) -> Date {
    let index = date.year() * 12 + i32::from(u8::from(date.month()) - 1) + months as i32;
    let year = index.div_euclid(12);
    let month = Month::January.nth_next(index.rem_euclid(12) as u8);
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MAX)
}

/// The expiry an approval decided `today` is suggested to have.
pub fn suggested_expiry(today: Date) -> Date {
    add_months(today, SUGGESTED_VALIDITY_MONTHS)
}

/// The latest expiry an approval decided `today` may have.
pub fn latest_expiry(today: Date) -> Date {
    add_months(today, MAX_VALIDITY_MONTHS)
}

impl Case {
    /// A new open case: nothing screened, answered or rated yet.
    pub fn open(new: NewCase, now: i64) -> Result<Case, CaseError> {
        let mut errors = Vec::new();
        if new.owner.as_ref() == Some(&new.partner) {
            errors.push(FieldError::new(
                "partner",
                "a provider cannot open due diligence on itself",
            ));
        }
        let people = check_people(&mut errors, &new.people);
        refused(errors)?;
        Ok(Case {
            id: new.id,
            partner: new.partner,
            owner: new.owner,
            people,
            hits: Vec::new(),
            financial_notes: String::new(),
            checklist: checklist(&[]),
            rating: None,
            rating_reasons: String::new(),
            status: CaseStatus::Open,
            requested_by: None,
            requested_at: None,
            decision: None,
            version: 1,
            created_at: now,
            updated_at: now,
        })
    }

    fn touch(&mut self, now: i64) {
        self.version += 1;
        self.updated_at = now;
    }

    fn expect_status(&self, step: &'static str, allowed: &[CaseStatus]) -> Result<(), CaseError> {
        if allowed.contains(&self.status) {
            Ok(())
        } else {
            Err(CaseError::Status {
                step,
                status: self.status,
            })
        }
    }

    /// Replaces what reviewers write on an open case. A person with hits
    /// cannot be removed: the record of what screening found stays whole.
    pub fn edit(&mut self, edit: &CaseEdit, now: i64) -> Result<(), CaseError> {
        self.expect_status("edit", &[CaseStatus::Open])?;
        let mut errors = Vec::new();
        let people = check_people(&mut errors, &edit.people);
        for gone in self
            .people
            .iter()
            .filter(|p| !people.iter().any(|q| q.id == p.id))
        {
            let subject = Subject::Person(gone.id.clone());
            if self.hits.iter().any(|h| h.subject == subject) {
                errors.push(FieldError::new(
                    "people",
                    format!(
                        "{} ({}) has screening hits and cannot be removed",
                        gone.id, gone.name
                    ),
                ));
            }
        }
        let financial_notes = draft_text(&mut errors, "financial_notes", &edit.financial_notes);
        let checklist = check_checklist(&mut errors, &edit.checklist);
        let rating_reasons = draft_text(&mut errors, "rating_reasons", &edit.rating_reasons);
        refused(errors)?;
        self.people = people;
        self.financial_notes = financial_notes;
        self.checklist = checklist;
        self.rating = edit.rating;
        self.rating_reasons = rating_reasons;
        self.touch(now);
        Ok(())
    }

    /// Records what screening found for a subject, in any status; returns
    /// the hits that are new. A finding of an entity already found for the
    /// subject on the same list refreshes that hit and keeps its verdict.
    pub fn record_hits(
        &mut self,
        subject: &Subject,
        findings: &[Finding],
        now: i64,
    ) -> Result<Vec<Hit>, CaseError> {
        let mut errors = Vec::new();
        if let Subject::Person(id) = subject
            && !self.people.iter().any(|p| &p.id == id)
        {
            errors.push(FieldError::new(
                "subject",
                format!("case {} names no person {:?}", self.id, id.as_str()),
            ));
        }
        for (i, f) in findings.iter().enumerate() {
            let at = |field: &str| format!("findings[{i}].{field}");
            for (field, value) in [
                ("list_name", &f.list_name),
                ("list_version", &f.list_version),
                ("entity_id", &f.entity_id),
                ("caption", &f.caption),
            ] {
                if let Err(reason) = plain_text(value) {
                    errors.push(FieldError::new(at(field), reason));
                }
            }
            if !(0.0..=1.0).contains(&f.score) {
                errors.push(FieldError::new(
                    at("score"),
                    format!("{} is not a score between 0 and 1", f.score),
                ));
            }
        }
        refused(errors)?;
        let findings: Vec<Finding> = findings
            .iter()
            .map(|f| Finding {
                list_name: f.list_name.trim().to_owned(),
                list_version: f.list_version.trim().to_owned(),
                entity_id: f.entity_id.trim().to_owned(),
                caption: f.caption.trim().to_owned(),
                schema: f.schema,
                topics: f.topics.clone(),
                score: (f.score * 1000.0).round() / 1000.0,
            })
            .collect();
        let before = self.hits.clone();
        let mut new_ids = Vec::new();
        for f in &findings {
            let known = self.hits.iter_mut().find(|h| {
                &h.subject == subject && h.list_name == f.list_name && h.entity_id == f.entity_id
            });
            match known {
                Some(hit) => {
                    hit.list_version.clone_from(&f.list_version);
                    hit.caption.clone_from(&f.caption);
                    hit.schema = f.schema;
                    hit.topics.clone_from(&f.topics);
                    hit.score = f.score;
                }
                None => {
                    let id = self.hits.len() as i64 + 1;
                    new_ids.push(id);
                    self.hits.push(Hit {
                        id,
                        subject: subject.clone(),
                        list_name: f.list_name.clone(),
                        list_version: f.list_version.clone(),
                        entity_id: f.entity_id.clone(),
                        caption: f.caption.clone(),
                        schema: f.schema,
                        topics: f.topics.clone(),
                        score: f.score,
                        verdict: Verdict::Pending,
                        reason: None,
                        reviewed_by: None,
                        reviewed_at: None,
                        found_at: now,
                    });
                }
            }
        }
        if self.hits != before {
            self.touch(now);
        }
        Ok(self
            .hits
            .iter()
            .filter(|h| new_ids.contains(&h.id))
            .cloned()
            .collect())
    }

    /// Gives a hit its verdict, with the reason. Once the case is submitted
    /// or decided, only hits awaiting review may be given one.
    pub fn mark_hit(
        &mut self,
        hit: i64,
        verdict: Verdict,
        reason: &str,
        by: &str,
        now: i64,
    ) -> Result<(), CaseError> {
        let Some(index) = self.hits.iter().position(|h| h.id == hit) else {
            return refused(vec![FieldError::new(
                "hit",
                format!("case {} has no hit {hit}", self.id),
            )]);
        };
        if self.status != CaseStatus::Open && self.hits[index].verdict != Verdict::Pending {
            return Err(CaseError::Status {
                step: "change a verdict already given on",
                status: self.status,
            });
        }
        let mut errors = Vec::new();
        if verdict == Verdict::Pending {
            errors.push(FieldError::new(
                "verdict",
                "must be true_positive or false_positive",
            ));
        }
        let reason = required_text(&mut errors, "reason", reason);
        refused(errors)?;
        let h = &mut self.hits[index];
        h.verdict = verdict;
        h.reason = Some(reason);
        h.reviewed_by = Some(by.to_owned());
        h.reviewed_at = Some(now);
        self.touch(now);
        Ok(())
    }

    /// What the case still lacks before it can be submitted, each named.
    pub fn missing(&self) -> Vec<FieldError> {
        let mut errors: Vec<FieldError> = self
            .hits
            .iter()
            .filter(|h| h.verdict == Verdict::Pending)
            .map(|h| FieldError::new("hits", format!("{} awaits review", h.describe())))
            .collect();
        if self.financial_notes.is_empty() {
            errors.push(FieldError::new(
                "financial_notes",
                "are required: can the partner pay?",
            ));
        }
        for a in &self.checklist {
            let field = format!("checklist.{}", a.item.as_str());
            match a.answer {
                Answer::Unanswered => errors.push(FieldError::new(
                    field,
                    format!("is unanswered: {}", a.item.question()),
                )),
                Answer::Concern | Answer::NotApplicable if a.note.is_empty() => {
                    errors.push(FieldError::new(
                        format!("{field}.note"),
                        format!("is required for the answer {:?}", a.answer.as_str()),
                    ))
                }
                _ => {}
            }
        }
        if self.rating.is_none() {
            errors.push(FieldError::new("rating", "is required"));
        }
        if self.rating_reasons.is_empty() {
            errors.push(FieldError::new(
                "rating_reasons",
                "are required: why this rating?",
            ));
        }
        errors
    }

    /// Asks for a decision; `by` becomes the requester.
    pub fn submit(&mut self, by: &str, now: i64) -> Result<(), CaseError> {
        self.expect_status("submit", &[CaseStatus::Open])?;
        refused(self.missing())?;
        self.status = CaseStatus::Submitted;
        self.requested_by = Some(by.to_owned());
        self.requested_at = Some(now);
        self.touch(now);
        Ok(())
    }

    /// Decides a submitted case. `by` must not be the requester; an approval
    /// needs an expiry after today and at most [`MAX_VALIDITY_MONTHS`] ahead,
    /// and nothing that rules the partner out.
    pub fn decide(
        &mut self,
        outcome: Outcome,
        by: &str,
        note: &str,
        expires_on: Option<Date>,
        now: i64,
    ) -> Result<(), CaseError> {
        self.expect_status("decide", &[CaseStatus::Submitted])?;
        if self.requested_by.as_deref() == Some(by) {
            return Err(CaseError::FourEyes { by: by.to_owned() });
        }
        let mut errors = Vec::new();
        let note = required_text(&mut errors, "note", note);
        let today = date_of(now);
        match (outcome, expires_on) {
            (Outcome::Approved, None) => errors.push(FieldError::new(
                "expires_on",
                format!(
                    "an approval needs an expiry date ({} is suggested)",
                    format_date(suggested_expiry(today))
                ),
            )),
            (Outcome::Approved, Some(d)) if d <= today => errors.push(FieldError::new(
                "expires_on",
                format!("{} is not after today", format_date(d)),
            )),
            (Outcome::Approved, Some(d)) if d > latest_expiry(today) => {
                errors.push(FieldError::new(
                    "expires_on",
                    format!(
                        "{} is more than {MAX_VALIDITY_MONTHS} months ahead (at most {})",
                        format_date(d),
                        format_date(latest_expiry(today))
                    ),
                ))
            }
            (Outcome::Rejected, Some(_)) => {
                errors.push(FieldError::new("expires_on", "only an approval expires"))
            }
            _ => {}
        }
        if outcome == Outcome::Approved {
            for h in &self.hits {
                if h.verdict == Verdict::Pending {
                    errors.push(FieldError::new(
                        "hits",
                        format!("{} awaits review", h.describe()),
                    ));
                } else if h.is_confirmed_sanction() {
                    errors.push(FieldError::new(
                        "hits",
                        format!(
                            "{} is a confirmed sanctions match: the case can only be rejected",
                            h.describe()
                        ),
                    ));
                }
            }
            if self.rating == Some(Rating::Unacceptable) {
                errors.push(FieldError::new(
                    "rating",
                    "is unacceptable: the case can only be rejected",
                ));
            }
        }
        refused(errors)?;
        self.status = outcome.status();
        self.decision = Some(Decision {
            outcome,
            by: by.to_owned(),
            at: now,
            note,
            expires_on,
        });
        self.touch(now);
        Ok(())
    }

    /// Returns a submitted or decided case to work; its last decision stays
    /// in force until the next one.
    pub fn reopen(&mut self, now: i64) -> Result<(), CaseError> {
        self.expect_status(
            "reopen",
            &[
                CaseStatus::Submitted,
                CaseStatus::Approved,
                CaseStatus::Rejected,
            ],
        )?;
        self.status = CaseStatus::Open;
        self.requested_by = None;
        self.requested_at = None;
        self.touch(now);
        Ok(())
    }

    /// A submitted or decided case with hits awaiting review, found since.
    pub fn needs_review(&self) -> bool {
        self.status != CaseStatus::Open && self.hits.iter().any(|h| h.verdict == Verdict::Pending)
    }
}

/// Why matching must keep `provider` away from `partner`, as a sentence, or
/// `None`. Among `cases` (others than the partner's are passed over), those
/// that concern the provider are its own and the agency's; for no provider,
/// the agency's alone. The most recently decided of them governs: it blocks
/// when it was rejected, when its approval has expired, or when a sanctions
/// match has since been confirmed on it.
pub fn blocking(
    partner: &Organisation,
    cases: &[Case],
    provider: Option<&OrganisationId>,
    today: Date,
) -> Option<String> {
    let (case, decision) = cases
        .iter()
        .filter(|c| c.partner == partner.id && (c.owner.is_none() || c.owner.as_ref() == provider))
        .filter_map(|c| c.decision.as_ref().map(|d| (c, d)))
        .max_by(|(a, x), (b, y)| x.at.cmp(&y.at).then_with(|| a.id.cmp(&b.id)))?;
    let name = &partner.name;
    if decision.outcome == Outcome::Rejected {
        return Some(format!(
            "due diligence on {name} was rejected on {}",
            format_date(date_of(decision.at))
        ));
    }
    if let Some(hit) = case.hits.iter().find(|h| h.is_confirmed_sanction()) {
        return Some(format!(
            "due diligence on {name} confirmed a sanctions match on {}: {} on {}",
            format_date(date_of(hit.reviewed_at.unwrap_or(decision.at))),
            hit.caption,
            hit.list_name
        ));
    }
    match decision.expires_on {
        Some(expiry) if expiry <= today => Some(format!(
            "due diligence on {name} expired on {}",
            format_date(expiry)
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::vocab::{OrgKind, Sector};

    /// Noon UTC on `d`, in milliseconds since the Unix epoch.
    fn at(d: Date) -> i64 {
        d.midnight().assume_utc().unix_timestamp() * 1000 + 12 * 3_600_000
    }

    const TODAY: Date = date!(2026 - 11 - 20);

    fn id(text: &str) -> OrganisationId {
        OrganisationId::parse(text).unwrap()
    }

    fn ministry() -> Organisation {
        Organisation {
            id: id("MOH-KW"),
            name: "Ministry of Health, Kuwait".into(),
            kind: OrgKind::Buyer,
            sector: Sector::Government,
            country: CountryCode::parse("KW").unwrap(),
            ods_code: None,
            region: None,
            network: None,
            aliases: Vec::new(),
            website: None,
            city: None,
        }
    }

    fn person(pid: &str, name: &str) -> Person {
        Person {
            id: PersonId::parse(pid).unwrap(),
            name: name.into(),
            role: "Minister".into(),
            birth_date: Some("1961".into()),
            country: Some(CountryCode::parse("KW").unwrap()),
        }
    }

    fn opened(case: &str, owner: Option<&str>) -> Case {
        Case::open(
            NewCase {
                id: CaseId::parse(case).unwrap(),
                partner: id("MOH-KW"),
                owner: owner.map(id),
                people: vec![person("p1", "Ahmad Al-Awadhi")],
            },
            at(TODAY),
        )
        .unwrap()
    }

    fn finding(entity: &str, topics: &[&str]) -> Finding {
        Finding {
            list_name: "us_ofac_sdn".into(),
            list_version: "20261101".into(),
            entity_id: entity.into(),
            caption: format!("Entity {entity}"),
            schema: Schema::Person,
            topics: topics.iter().map(|t| t.to_string()).collect(),
            score: 0.91,
        }
    }

    fn complete(rating: Rating) -> CaseEdit {
        CaseEdit {
            people: vec![person("p1", "Ahmad Al-Awadhi")],
            financial_notes: "Audited accounts for 2024 and 2025; pays on time.".into(),
            checklist: ChecklistItem::ALL
                .iter()
                .map(|&item| ChecklistAnswer {
                    item,
                    answer: Answer::Satisfied,
                    note: String::new(),
                })
                .collect(),
            rating: Some(rating),
            rating_reasons: "A ministry with a clean record.".into(),
        }
    }

    /// An open case, fully worked, with no hits.
    fn ready(case: &str, owner: Option<&str>) -> Case {
        let mut c = opened(case, owner);
        c.edit(&complete(Rating::Low), at(TODAY)).unwrap();
        c
    }

    fn submitted(case: &str, owner: Option<&str>) -> Case {
        let mut c = ready(case, owner);
        c.submit("user:ada", at(TODAY)).unwrap();
        c
    }

    fn decided(case: &str, owner: Option<&str>, outcome: Outcome, on: Date) -> Case {
        let mut c = submitted(case, owner);
        let expiry = (outcome == Outcome::Approved).then(|| suggested_expiry(on));
        c.decide(outcome, "user:bob", "Reviewed in full.", expiry, at(on))
            .unwrap();
        c
    }

    fn fields(e: CaseError) -> Vec<String> {
        match e {
            CaseError::Invalid(Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected invalid, got {other}"),
        }
    }

    #[test]
    fn the_requester_cannot_decide_and_a_second_person_can() {
        let mut c = submitted("DD-1", Some("RR8"));
        let expiry = Some(suggested_expiry(TODAY));
        let err = c
            .decide(Outcome::Approved, "user:ada", "Fine.", expiry, at(TODAY))
            .unwrap_err();
        assert_eq!(
            err,
            CaseError::FourEyes {
                by: "user:ada".into()
            }
        );
        assert!(err.to_string().contains("a second person must decide"));
        assert_eq!(c.status, CaseStatus::Submitted);
        c.decide(Outcome::Approved, "user:bob", "Fine.", expiry, at(TODAY))
            .unwrap();
        assert_eq!(c.status, CaseStatus::Approved);
        let d = c.decision.as_ref().unwrap();
        assert_eq!((d.by.as_str(), d.expires_on), ("user:bob", expiry));
    }

    #[test]
    fn hits_awaiting_review_block_submission_and_each_is_named() {
        let mut c = ready("DD-1", Some("RR8"));
        c.record_hits(&Subject::Organisation, &[finding("ofac-1", &[])], at(TODAY))
            .unwrap();
        let err = c.submit("user:ada", at(TODAY)).unwrap_err();
        assert!(
            err.to_string()
                .contains("hit 1 (Entity ofac-1 on us_ofac_sdn")
        );
        assert_eq!(fields(err), ["hits"]);
        c.mark_hit(
            1,
            Verdict::FalsePositive,
            "Born 1940, a different man.",
            "user:ada",
            at(TODAY),
        )
        .unwrap();
        c.submit("user:ada", at(TODAY)).unwrap();
        assert_eq!(c.requested_by.as_deref(), Some("user:ada"));
    }

    #[test]
    fn an_unfinished_case_lists_everything_missing_before_submission() {
        let mut c = opened("DD-1", Some("RR8"));
        let err = c.submit("user:ada", at(TODAY)).unwrap_err();
        assert!(
            err.to_string()
                .contains("is unanswered: Does the partner have adequate procedures")
        );
        assert_eq!(
            fields(err),
            [
                "financial_notes",
                "checklist.anti_bribery",
                "checklist.ethics",
                "checklist.governing_law",
                "checklist.mou_exit",
                "checklist.nhs_brand",
                "rating",
                "rating_reasons"
            ]
        );
        let mut edit = complete(Rating::Medium);
        edit.checklist.retain(|a| a.item != ChecklistItem::NhsBrand);
        edit.checklist[0].answer = Answer::Concern;
        c.edit(&edit, at(TODAY)).unwrap();
        assert_eq!(
            fields(c.submit("user:ada", at(TODAY)).unwrap_err()),
            ["checklist.anti_bribery.note", "checklist.nhs_brand"]
        );
        assert_eq!(c.status, CaseStatus::Open);
    }

    #[test]
    fn a_confirmed_sanctions_match_can_only_be_rejected() {
        let mut c = ready("DD-1", Some("RR8"));
        let p1 = Subject::Person(PersonId::parse("p1").unwrap());
        c.record_hits(
            &p1,
            &[
                finding("ofac-1", &["sanction"]),
                finding("pep-1", &["role.pep"]),
            ],
            at(TODAY),
        )
        .unwrap();
        c.mark_hit(
            1,
            Verdict::TruePositive,
            "Same name, birth year and post.",
            "user:ada",
            at(TODAY),
        )
        .unwrap();
        c.mark_hit(
            2,
            Verdict::TruePositive,
            "He is the minister.",
            "user:ada",
            at(TODAY),
        )
        .unwrap();
        c.submit("user:ada", at(TODAY)).unwrap();
        let expiry = Some(suggested_expiry(TODAY));
        let err = c
            .decide(Outcome::Approved, "user:bob", "Fine.", expiry, at(TODAY))
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("hit 1") && text.contains("confirmed sanctions match"),
            "{text}"
        );
        assert!(
            !text.contains("hit 2"),
            "a politically exposed person alone is no bar: {text}"
        );
        c.decide(
            Outcome::Rejected,
            "user:bob",
            "Sanctioned minister.",
            None,
            at(TODAY),
        )
        .unwrap();
        assert_eq!(c.status, CaseStatus::Rejected);
    }

    #[test]
    fn an_unacceptable_rating_is_submitted_for_rejection_only() {
        let mut c = opened("DD-1", None);
        c.edit(&complete(Rating::Unacceptable), at(TODAY)).unwrap();
        c.submit("user:ada", at(TODAY)).unwrap();
        let err = c
            .decide(
                Outcome::Approved,
                "user:bob",
                "Fine.",
                Some(suggested_expiry(TODAY)),
                at(TODAY),
            )
            .unwrap_err();
        assert_eq!(fields(err), ["rating"]);
    }

    #[test]
    fn an_approval_expires_after_today_and_within_two_years() {
        let mut c = submitted("DD-1", Some("RR8"));
        let mut expiry_error = |expires_on: Option<Date>| {
            let err = c
                .decide(
                    Outcome::Approved,
                    "user:bob",
                    "Fine.",
                    expires_on,
                    at(TODAY),
                )
                .unwrap_err();
            match err {
                CaseError::Invalid(Invalid(e)) => format!("{}: {}", e[0].field, e[0].reason),
                other => panic!("{other}"),
            }
        };
        assert_eq!(
            expiry_error(None),
            "expires_on: an approval needs an expiry date (2027-11-20 is suggested)"
        );
        assert_eq!(
            expiry_error(Some(date!(2026 - 11 - 01))),
            "expires_on: 2026-11-01 is not after today"
        );
        assert_eq!(
            expiry_error(Some(TODAY)),
            "expires_on: 2026-11-20 is not after today"
        );
        assert_eq!(
            expiry_error(Some(date!(2028 - 11 - 21))),
            "expires_on: 2028-11-21 is more than 24 months ahead (at most 2028-11-20)"
        );
        let err = c
            .decide(Outcome::Rejected, "user:bob", "No.", Some(TODAY), at(TODAY))
            .unwrap_err();
        assert_eq!(fields(err), ["expires_on"]);
        let err = c
            .decide(Outcome::Rejected, "user:bob", "  ", None, at(TODAY))
            .unwrap_err();
        assert_eq!(fields(err), ["note"]);
        c.decide(
            Outcome::Approved,
            "user:bob",
            "Fine.",
            Some(date!(2028 - 11 - 20)),
            at(TODAY),
        )
        .unwrap();
    }

    #[test]
    fn months_are_added_calendar_wise() {
        assert_eq!(add_months(date!(2026 - 11 - 20), 12), date!(2027 - 11 - 20));
        assert_eq!(add_months(date!(2028 - 02 - 29), 12), date!(2029 - 02 - 28));
        assert_eq!(add_months(date!(2027 - 01 - 31), 1), date!(2027 - 02 - 28));
        assert_eq!(add_months(date!(2026 - 12 - 15), 24), date!(2028 - 12 - 15));
        assert_eq!(date_of(at(TODAY)), TODAY);
    }

    #[test]
    fn rescreening_keeps_one_hit_per_entity_and_returns_only_new_ones() {
        let mut c = opened("DD-1", Some("RR8"));
        let first = c
            .record_hits(&Subject::Organisation, &[finding("ofac-1", &[])], at(TODAY))
            .unwrap();
        assert_eq!(first.iter().map(|h| h.id).collect::<Vec<_>>(), [1]);
        let version = c.version;
        c.mark_hit(
            1,
            Verdict::FalsePositive,
            "Another ministry.",
            "user:ada",
            at(TODAY),
        )
        .unwrap();
        let mut again = finding("ofac-1", &["sanction"]);
        again.list_version = "20261201".into();
        let new = c
            .record_hits(
                &Subject::Organisation,
                &[again, finding("ofac-2", &[])],
                at(TODAY),
            )
            .unwrap();
        assert_eq!(
            new.iter().map(|h| h.entity_id.as_str()).collect::<Vec<_>>(),
            ["ofac-2"]
        );
        assert_eq!(c.hits.len(), 2);
        let refreshed = &c.hits[0];
        assert_eq!(
            (
                refreshed.list_version.as_str(),
                refreshed.verdict,
                refreshed.topics.len()
            ),
            ("20261201", Verdict::FalsePositive, 1)
        );
        assert_eq!(c.version, version + 2);
        // The same entity found for a person is a hit of its own.
        let p1 = Subject::Person(PersonId::parse("p1").unwrap());
        assert_eq!(
            c.record_hits(&p1, &[finding("ofac-1", &[])], at(TODAY))
                .unwrap()
                .len(),
            1
        );
        // Finding nothing new changes nothing.
        let version = c.version;
        assert!(
            c.record_hits(&p1, &[finding("ofac-1", &[])], at(TODAY))
                .unwrap()
                .is_empty()
        );
        assert_eq!(c.version, version);
    }

    #[test]
    fn findings_name_what_is_wrong_with_them() {
        let mut c = opened("DD-1", Some("RR8"));
        let mut bad = finding("", &[]);
        bad.score = 1.5;
        let nobody = Subject::Person(PersonId::parse("p9").unwrap());
        let err = c.record_hits(&nobody, &[bad], at(TODAY)).unwrap_err();
        assert_eq!(
            fields(err),
            ["subject", "findings[0].entity_id", "findings[0].score"]
        );
        assert!(c.hits.is_empty());
    }

    #[test]
    fn findings_are_kept_trimmed_with_scores_to_a_thousandth() {
        let mut c = opened("DD-1", Some("RR8"));
        let mut f = finding(" ofac-1 ", &[]);
        f.score = 0.9137;
        let new = c
            .record_hits(&Subject::Organisation, &[f], at(TODAY))
            .unwrap();
        assert_eq!(
            (
                new[0].entity_id.as_str(),
                new[0].caption.as_str(),
                new[0].score
            ),
            ("ofac-1", "Entity  ofac-1", 0.914)
        );
    }

    #[test]
    fn a_hit_found_after_approval_needs_review_and_verdicts_given_stay_until_reopened() {
        let mut c = decided("DD-1", Some("RR8"), Outcome::Approved, TODAY);
        assert!(!c.needs_review());
        c.record_hits(
            &Subject::Organisation,
            &[finding("ofac-9", &["sanction"])],
            at(TODAY),
        )
        .unwrap();
        assert!(c.needs_review());
        assert_eq!(
            c.status,
            CaseStatus::Approved,
            "the approval stays in force"
        );
        c.mark_hit(
            1,
            Verdict::FalsePositive,
            "Another ministry of the same name.",
            "user:ada",
            at(TODAY),
        )
        .unwrap();
        assert!(!c.needs_review());
        let err = c
            .mark_hit(
                1,
                Verdict::TruePositive,
                "On second thoughts.",
                "user:ada",
                at(TODAY),
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot change a verdict already given on a case that is approved"
        );
        c.reopen(at(TODAY)).unwrap();
        assert_eq!(
            (c.status, c.requested_by.as_ref()),
            (CaseStatus::Open, None)
        );
        assert_eq!(c.decision.as_ref().unwrap().outcome, Outcome::Approved);
        c.mark_hit(
            1,
            Verdict::TruePositive,
            "On second thoughts.",
            "user:ada",
            at(TODAY),
        )
        .unwrap();
    }

    #[test]
    fn steps_out_of_turn_are_refused_by_status() {
        let mut c = opened("DD-1", Some("RR8"));
        assert_eq!(
            c.decide(Outcome::Rejected, "user:bob", "No.", None, at(TODAY))
                .unwrap_err()
                .to_string(),
            "cannot decide a case that is open"
        );
        assert!(matches!(c.reopen(at(TODAY)), Err(CaseError::Status { .. })));
        let mut c = submitted("DD-2", Some("RR8"));
        assert_eq!(
            c.edit(&complete(Rating::Low), at(TODAY))
                .unwrap_err()
                .to_string(),
            "cannot edit a case that is submitted for decision"
        );
    }

    #[test]
    fn people_are_checked_and_those_with_hits_stay() {
        let mut c = opened("DD-1", Some("RR8"));
        let p1 = Subject::Person(PersonId::parse("p1").unwrap());
        c.record_hits(&p1, &[finding("ofac-1", &[])], at(TODAY))
            .unwrap();
        let mut edit = complete(Rating::Low);
        edit.people = vec![
            person("organisation", "Someone"),
            person("p2", " "),
            person("p2", "Fatima Al-Sabah"),
        ];
        edit.people[2].birth_date = Some("1970-13".into());
        edit.checklist.push(edit.checklist[0].clone());
        let err = c.edit(&edit, at(TODAY)).unwrap_err();
        assert_eq!(
            fields(err),
            [
                "people[0].id",
                "people[1].name",
                "people[2].id",
                "people[2].birth_date",
                "people",
                "checklist[5].item"
            ]
        );
        for good in ["1970", "1970-02", "1970-02-28"] {
            assert_eq!(check_birth_date(good), Ok(()), "{good}");
        }
        for bad in ["70", "1970-2", "1970-02-30", "1970-02-28-01", "born 1970"] {
            assert!(check_birth_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_provider_cannot_review_itself() {
        let err = Case::open(
            NewCase {
                id: CaseId::parse("DD-1").unwrap(),
                partner: id("RR8"),
                owner: Some(id("RR8")),
                people: Vec::new(),
            },
            at(TODAY),
        )
        .unwrap_err();
        assert_eq!(fields(err), ["partner"]);
    }

    #[test]
    fn a_rejected_case_blocks_its_provider_and_no_other() {
        let cases = [decided("DD-1", Some("RR8"), Outcome::Rejected, TODAY)];
        let partner = ministry();
        assert_eq!(
            blocking(&partner, &cases, Some(&id("RR8")), TODAY).as_deref(),
            Some("due diligence on Ministry of Health, Kuwait was rejected on 2026-11-20")
        );
        assert_eq!(blocking(&partner, &cases, Some(&id("RBV")), TODAY), None);
        assert_eq!(blocking(&partner, &cases, None, TODAY), None);
        let mut elsewhere = cases[0].clone();
        elsewhere.partner = id("KHCF");
        assert_eq!(
            blocking(&partner, &[elsewhere], Some(&id("RR8")), TODAY),
            None
        );
    }

    #[test]
    fn an_approval_blocks_from_its_expiry_day() {
        let cases = [decided("DD-1", Some("RR8"), Outcome::Approved, TODAY)];
        let (partner, rr8) = (ministry(), id("RR8"));
        assert_eq!(
            blocking(&partner, &cases, Some(&rr8), date!(2027 - 11 - 19)),
            None
        );
        assert_eq!(
            blocking(&partner, &cases, Some(&rr8), date!(2027 - 11 - 20)).as_deref(),
            Some("due diligence on Ministry of Health, Kuwait expired on 2027-11-20")
        );
    }

    #[test]
    fn an_agency_case_concerns_every_provider() {
        let cases = [decided("DD-1", None, Outcome::Rejected, TODAY)];
        let partner = ministry();
        for provider in [Some(id("RR8")), Some(id("RBV")), None] {
            assert!(blocking(&partner, &cases, provider.as_ref(), TODAY).is_some());
        }
    }

    #[test]
    fn the_most_recently_decided_case_governs() {
        let partner = ministry();
        let rr8 = id("RR8");
        let old_rejection = decided("DD-1", None, Outcome::Rejected, date!(2026 - 01 - 10));
        let new_approval = decided(
            "DD-2",
            Some("RR8"),
            Outcome::Approved,
            date!(2026 - 06 - 01),
        );
        let undecided = submitted("DD-3", Some("RR8"));
        let cases = [
            new_approval.clone(),
            old_rejection.clone(),
            undecided.clone(),
        ];
        assert_eq!(blocking(&partner, &cases, Some(&rr8), TODAY), None);
        // Another provider sees only the agency's rejection.
        assert!(blocking(&partner, &cases, Some(&id("RBV")), TODAY).is_some());
        let later_rejection = decided("DD-4", None, Outcome::Rejected, date!(2026 - 09 - 01));
        let cases = [old_rejection, new_approval, later_rejection];
        assert_eq!(
            blocking(&partner, &cases, Some(&rr8), TODAY).as_deref(),
            Some("due diligence on Ministry of Health, Kuwait was rejected on 2026-09-01")
        );
        assert_eq!(blocking(&partner, &[], Some(&rr8), TODAY), None);
        assert_eq!(blocking(&partner, &[undecided], Some(&rr8), TODAY), None);
    }

    #[test]
    fn a_reopened_rejection_still_blocks_until_decided_again() {
        let mut c = decided("DD-1", Some("RR8"), Outcome::Rejected, TODAY);
        c.reopen(at(TODAY)).unwrap();
        assert!(blocking(&ministry(), &[c], Some(&id("RR8")), TODAY).is_some());
    }

    #[test]
    fn a_sanctions_match_confirmed_after_approval_blocks_at_once() {
        let mut c = decided("DD-1", Some("RR8"), Outcome::Approved, TODAY);
        let p1 = Subject::Person(PersonId::parse("p1").unwrap());
        c.record_hits(&p1, &[finding("ofac-7", &["sanction"])], at(TODAY))
            .unwrap();
        let later = date!(2027 - 02 - 03);
        assert_eq!(
            blocking(&ministry(), &[c.clone()], Some(&id("RR8")), later),
            None
        );
        c.mark_hit(
            1,
            Verdict::TruePositive,
            "Designated on 2027-01-30.",
            "user:ada",
            at(later),
        )
        .unwrap();
        assert_eq!(
            blocking(&ministry(), &[c], Some(&id("RR8")), later).as_deref(),
            Some(
                "due diligence on Ministry of Health, Kuwait confirmed a sanctions match on 2027-02-03: Entity ofac-7 on us_ofac_sdn"
            )
        );
    }

    #[test]
    fn names_read_back_and_unknown_ones_list_the_allowed() {
        assert_eq!(Rating::read("high"), Ok(Rating::High));
        assert_eq!(
            Rating::read("severe").unwrap_err(),
            "\"severe\" is not one of low, medium, high, unacceptable"
        );
        for &(name, v) in Verdict::NAMES {
            assert_eq!(Verdict::read(name), Ok(v));
        }
        assert_eq!(Subject::parse("organisation"), Ok(Subject::Organisation));
        assert_eq!(
            Subject::parse("p1"),
            Ok(Subject::Person(PersonId::parse("p1").unwrap()))
        );
        assert!(Subject::parse("p 1").unwrap_err().contains("neither"));
        assert_eq!(ChecklistItem::ALL.len(), 5);
        assert!(
            ChecklistItem::NhsBrand
                .question()
                .contains("NHS brand guidelines")
        );
    }
}
