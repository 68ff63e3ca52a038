//! A consortium's agreement: what each member's part is worth, priced with
//! the pricing matrix from the staff mix that usually delivers each service
//! line; the revenue split that follows (each member's share in proportion
//! to its priced part, or as the adviser edits it); and the rule that the
//! split is agreed only when every member has accepted it.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::fields::{FieldError, Invalid};
use crate::pricing::{
    PartnerType, PricingDataError, PricingTables, Quote, QuoteInput, StaffLine, Table, WHOLE_BP,
};
use crate::vocab::{DeliveryMode, Sector, ServiceLine};
use crate::{OpportunityId, OrganisationId};

const STAFF_MIX_CSV: &str = include_str!("../../../data/pricing/staff_mix.csv");

static SHIPPED: LazyLock<StaffMix> = LazyLock::new(|| {
    StaffMix::parse(STAFF_MIX_CSV, PricingTables::shipped())
        .unwrap_or_else(|e| panic!("shipped staff mix is malformed: {e}"))
});

/// The grades that usually deliver a service line, with their share of its
/// days, and the working days one return journey covers in the country.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mix {
    grades: Vec<(String, u32)>,
    days_per_trip: u32,
}

/// Who delivers each service line (`data/pricing/staff_mix.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMix {
    lines: BTreeMap<ServiceLine, Mix>,
}

impl StaffMix {
    /// The mix shipped in `data/pricing/staff_mix.csv`.
    pub fn shipped() -> &'static StaffMix {
        &SHIPPED
    }

    /// Reads the mix, naming the line and column of any bad value: every
    /// grade must be on the rate card, every service line present, and each
    /// line's shares must sum to 100%.
    pub fn parse(text: &str, tables: &PricingTables) -> Result<StaffMix, PricingDataError> {
        const FILE: &str = "staff_mix.csv";
        let t = Table::read(
            FILE,
            text,
            &["service_line", "grade", "share_percent", "days_per_trip"],
        )?;
        let mut lines: BTreeMap<ServiceLine, Mix> = BTreeMap::new();
        for row in t.rows() {
            let line = ServiceLine::read(row.text("service_line")?)
                .map_err(|e| row.error("service_line", e))?;
            let grade = row.text("grade")?;
            if tables.grade(grade).is_none() {
                return Err(row.error("grade", format!("{grade:?} is not on the rate card")));
            }
            let share = row.percent_bp("share_percent")?;
            let days_per_trip: u32 = row
                .text("days_per_trip")?
                .parse()
                .ok()
                .filter(|d| *d > 0)
                .ok_or_else(|| row.error("days_per_trip", "must be a whole number above 0"))?;
            let mix = lines.entry(line).or_insert(Mix {
                grades: Vec::new(),
                days_per_trip,
            });
            if mix.days_per_trip != days_per_trip {
                return Err(row.error(
                    "days_per_trip",
                    format!("differs from the earlier rows of {}", line.as_str()),
                ));
            }
            mix.grades.push((grade.to_owned(), share));
        }
        for &line in ServiceLine::ALL {
            match lines.get(&line) {
                None => {
                    return Err(PricingDataError {
                        file: FILE.into(),
                        line: 0,
                        column: "service_line".into(),
                        reason: format!("no rows for {}", line.as_str()),
                    });
                }
                Some(mix) if mix.grades.iter().map(|(_, s)| s).sum::<u32>() != WHOLE_BP => {
                    return Err(PricingDataError {
                        file: FILE.into(),
                        line: 0,
                        column: "share_percent".into(),
                        reason: format!("the shares of {} do not sum to 100", line.as_str()),
                    });
                }
                Some(_) => {}
            }
        }
        Ok(StaffMix { lines })
    }

    /// The staff lines that deliver `days` of `line`: the days shared out
    /// by grade (the rounding on the largest share), with a return journey
    /// for each visit's worth of days when the work is done in the country.
    pub fn staff_lines(&self, line: ServiceLine, days: u32, in_country: bool) -> Vec<StaffLine> {
        let mix = &self.lines[&line];
        let shares: Vec<u32> = mix.grades.iter().map(|(_, s)| *s).collect();
        let days = split_whole(i64::from(days), &shares);
        mix.grades
            .iter()
            .zip(days)
            .filter(|(_, d)| *d > 0)
            .map(|((grade, _), d)| {
                let trips = if in_country {
                    (d as u64).div_ceil(u64::from(mix.days_per_trip)) as i64
                } else {
                    0
                };
                StaffLine::new(grade, d, trips)
            })
            .collect()
    }
}

/// `total` shared in proportion to `weights`, in whole units that sum to
/// `total` exactly: each its floor, then the units left over to the largest
/// remainders (the earlier on a tie).
fn split_whole<W: Copy + Into<i128>>(total: i64, weights: &[W]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| (*w).into()).sum();
    if sum == 0 {
        return weights.iter().map(|_| 0).collect();
    }
    let total = i128::from(total);
    let mut parts: Vec<(i64, i128)> = weights
        .iter()
        .map(|w| {
            let exact = total * (*w).into();
            ((exact / sum) as i64, exact % sum)
        })
        .collect();
    let left = total - parts.iter().map(|(p, _)| i128::from(*p)).sum::<i128>();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| parts[*b].1.cmp(&parts[*a].1).then(a.cmp(b)));
    for &i in order.iter().take(left as usize) {
        parts[i].0 += 1;
    }
    parts.into_iter().map(|(p, _)| p).collect()
}

/// Who pays, by the buyer's sector, for the margin policy.
pub fn partner_type(sector: Sector) -> PartnerType {
    match sector {
        Sector::Private => PartnerType::Private,
        Sector::Charity => PartnerType::Charity,
        Sector::University => PartnerType::Academic,
        Sector::Nhs | Sector::Government | Sector::Multilateral => PartnerType::Government,
    }
}

/// A part of the bundle a member delivers, as the pricing sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartWork {
    pub service_line: ServiceLine,
    pub days: u32,
    pub delivery_modes: Vec<DeliveryMode>,
}

/// Where the work is and who pays for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engagement {
    pub country: String,
    pub currency: String,
    pub partner_type: PartnerType,
}

/// A member's parts priced with the default rates: what its contribution
/// would be quoted at on its own.
pub fn price_parts(
    parts: &[PartWork],
    engagement: &Engagement,
    mix: &StaffMix,
    tables: &PricingTables,
) -> Result<Quote, Invalid> {
    let lines = parts
        .iter()
        .flat_map(|p| {
            let in_country = p.delivery_modes.contains(&DeliveryMode::InCountry);
            mix.staff_lines(p.service_line, p.days, in_country)
        })
        .collect();
    let input = QuoteInput::new(
        lines,
        &engagement.country,
        &engagement.currency,
        engagement.partner_type,
    );
    crate::pricing::quote(&input, tables)
}

/// Shares of revenue in basis points, in proportion to each member's priced
/// contribution, summing to exactly 10,000.
pub fn proportional_split(contributions_pence: &[i64]) -> Vec<u32> {
    split_whole(i64::from(WHOLE_BP), contributions_pence)
        .into_iter()
        .map(|bp| bp as u32)
        .collect()
}

/// A share written as a percentage with at most two decimals (`60`,
/// `33.33`), in basis points.
pub fn percent_bp(text: &str) -> Result<u32, String> {
    let text = text.trim().trim_end_matches('%').trim();
    crate::pricing::parse_hundredths(text)
        .and_then(|bp| u32::try_from(bp).ok())
        .filter(|bp| *bp <= WHOLE_BP)
        .ok_or_else(|| {
            format!("{text:?} is not a percentage from 0 to 100 with at most two decimals")
        })
}

/// Checks an edited split: one share per member, each at most 100%, all
/// summing to exactly 100%.
pub fn check_split(shares_bp: &[u32], members: usize) -> Result<(), Invalid> {
    let mut errors = Vec::new();
    if shares_bp.len() != members {
        errors.push(FieldError::new(
            "shares",
            format!(
                "{} shares for {members} members: give one share for each member",
                shares_bp.len()
            ),
        ));
    }
    for (i, s) in shares_bp.iter().enumerate() {
        if *s > WHOLE_BP {
            errors.push(FieldError::new(
                format!("shares[{i}]"),
                "must be at most 100%",
            ));
        }
    }
    let total: u64 = shares_bp.iter().map(|s| u64::from(*s)).sum();
    if errors.is_empty() && total != u64::from(WHOLE_BP) {
        errors.push(FieldError::new(
            "shares",
            format!("sum to {}.{:02}%, not 100%", total / 100, total % 100),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Invalid(errors))
    }
}

/// A member's answer to the proposed team and split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Pending,
    Accepted,
    Declined,
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Pending => "pending",
            Answer::Accepted => "accepted",
            Answer::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Result<Answer, String> {
        match s {
            "pending" => Ok(Answer::Pending),
            "accepted" => Ok(Answer::Accepted),
            "declined" => Ok(Answer::Declined),
            _ => Err(format!("{s:?} is not an answer (accepted, declined)")),
        }
    }
}

/// Where a proposed consortium stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Waiting for members' answers.
    Proposed,
    /// Every member accepted the team and the split.
    Agreed,
    /// The adviser withdrew it.
    Withdrawn,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Proposed => "proposed",
            Standing::Agreed => "agreed",
            Standing::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Result<Standing, String> {
        match s {
            "proposed" => Ok(Standing::Proposed),
            "agreed" => Ok(Standing::Agreed),
            "withdrawn" => Ok(Standing::Withdrawn),
            _ => Err(format!("{s:?} is not a consortium status")),
        }
    }

    /// The standing once the members have answered so: agreed only when
    /// every one of them accepted.
    pub fn after(answers: &[Answer]) -> Standing {
        if !answers.is_empty() && answers.iter().all(|a| *a == Answer::Accepted) {
            Standing::Agreed
        } else {
            Standing::Proposed
        }
    }
}

/// A member's place in a proposed consortium: its parts, what they are
/// worth priced, its share of revenue, and its answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    pub provider: OrganisationId,
    pub lead: bool,
    pub parts: Vec<PlacePart>,
    /// The member's parts priced on their own with the default rates, in pence.
    pub contribution_pence: i64,
    /// Its share of the consortium's revenue, in basis points.
    pub share_bp: u32,
    pub answer: Answer,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
    /// Why it declined, or what it said accepting.
    pub note: String,
}

/// A part given to a member, and the offer and fit it was chosen for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacePart {
    pub requirement: String,
    pub offer: String,
    pub days: u32,
    pub fit: f64,
}

/// A consortium proposed for a bundled opportunity, and where its
/// agreement stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Consortium {
    pub id: String,
    pub opportunity: OpportunityId,
    pub standing: Standing,
    /// The optimiser's objective for the team: total fit less coordination.
    pub objective: f64,
    pub solver: String,
    /// Members, the lead first.
    pub members: Vec<Place>,
    pub proposed_by: String,
    pub note: String,
    pub agreed_at: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A step the agreement's rules refuse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AgreementError {
    /// The step is not open to a consortium that stands so.
    #[error("cannot {step} a consortium that is {}", standing.as_str())]
    Standing {
        step: &'static str,
        standing: Standing,
    },
    /// The provider is not a member.
    #[error("{0} is not a member of this consortium")]
    NotMember(String),
    /// Something is missing or wrong: each named with where it is.
    #[error("{0}")]
    Invalid(Invalid),
}

impl Consortium {
    /// A new proposal: every member pending, the split as given (checked).
    pub fn propose(mut self, now: i64) -> Result<Consortium, AgreementError> {
        let shares: Vec<u32> = self.members.iter().map(|m| m.share_bp).collect();
        check_split(&shares, self.members.len()).map_err(AgreementError::Invalid)?;
        if self.members.iter().filter(|m| m.lead).count() != 1 {
            return Err(AgreementError::Invalid(Invalid::one(
                "members",
                "a consortium has exactly one lead",
            )));
        }
        for m in &mut self.members {
            (m.answer, m.answered_by, m.answered_at) = (Answer::Pending, None, None);
            m.note.clear();
        }
        self.standing = Standing::Proposed;
        self.agreed_at = None;
        self.version = 1;
        (self.created_at, self.updated_at) = (now, now);
        Ok(self)
    }

    fn proposed(&self, step: &'static str) -> Result<(), AgreementError> {
        match self.standing {
            Standing::Proposed => Ok(()),
            standing => Err(AgreementError::Standing { step, standing }),
        }
    }

    /// Sets the revenue split (one share per member, in member order). A
    /// changed split asks every member again.
    pub fn set_split(&mut self, shares_bp: &[u32], now: i64) -> Result<(), AgreementError> {
        self.proposed("change the split of")?;
        check_split(shares_bp, self.members.len()).map_err(AgreementError::Invalid)?;
        if self
            .members
            .iter()
            .map(|m| m.share_bp)
            .eq(shares_bp.iter().copied())
        {
            return Ok(());
        }
        for (m, share) in self.members.iter_mut().zip(shares_bp) {
            m.share_bp = *share;
            (m.answer, m.answered_by, m.answered_at) = (Answer::Pending, None, None);
            m.note.clear();
        }
        self.touch(now);
        Ok(())
    }

    /// A member's answer to its place and the split; declining needs a
    /// reason. The consortium is agreed when the last member accepts.
    pub fn answer(
        &mut self,
        provider: &OrganisationId,
        answer: Answer,
        note: &str,
        by: &str,
        now: i64,
    ) -> Result<(), AgreementError> {
        self.proposed("answer for")?;
        let note = note.trim();
        if answer == Answer::Pending {
            return Err(AgreementError::Invalid(Invalid::one(
                "answer",
                "answer accepted or declined",
            )));
        }
        if answer == Answer::Declined && note.is_empty() {
            return Err(AgreementError::Invalid(Invalid::one(
                "note",
                "say why the member declines, so the adviser can revise the team or the split",
            )));
        }
        let place = self
            .members
            .iter_mut()
            .find(|m| &m.provider == provider)
            .ok_or_else(|| AgreementError::NotMember(provider.to_string()))?;
        place.answer = answer;
        place.answered_by = Some(by.to_owned());
        place.answered_at = Some(now);
        place.note = note.to_owned();
        let answers: Vec<Answer> = self.members.iter().map(|m| m.answer).collect();
        self.standing = Standing::after(&answers);
        if self.standing == Standing::Agreed {
            self.agreed_at = Some(now);
        }
        self.touch(now);
        Ok(())
    }

    /// The adviser withdraws the proposal, or the agreed team (the bid is
    /// off); a withdrawn consortium stays on record.
    pub fn withdraw(&mut self, now: i64) -> Result<(), AgreementError> {
        if self.standing == Standing::Withdrawn {
            return Err(AgreementError::Standing {
                step: "withdraw",
                standing: self.standing,
            });
        }
        self.standing = Standing::Withdrawn;
        self.touch(now);
        Ok(())
    }

    fn touch(&mut self, now: i64) {
        self.version += 1;
        self.updated_at = now;
    }

    /// The consortium's price: its members' priced parts together, in pence.
    pub fn price_pence(&self) -> i64 {
        self.members.iter().map(|m| m.contribution_pence).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn days_of(lines: &[StaffLine]) -> i64 {
        lines.iter().map(|l| l.days).sum()
    }

    #[test]
    fn the_shipped_mix_covers_every_service_line_with_rate_card_grades() {
        let mix = StaffMix::shipped();
        for &line in ServiceLine::ALL {
            let lines = mix.staff_lines(line, 97, true);
            assert_eq!(days_of(&lines), 97, "{line:?}");
            for l in &lines {
                assert!(PricingTables::shipped().grade(&l.grade).is_some());
            }
        }
    }

    #[test]
    fn staff_lines_share_days_by_grade_and_travel_only_in_country() {
        let mix = StaffMix::shipped();
        // education_training: band_7 50%, band_8a 30%, consultant 20%, 10 days a trip.
        let lines = mix.staff_lines(ServiceLine::EducationTraining, 400, true);
        let got: Vec<(&str, i64, i64)> = lines
            .iter()
            .map(|l| (l.grade.as_str(), l.days, l.trips))
            .collect();
        assert_eq!(
            got,
            [
                ("band_7", 200, 20),
                ("band_8a", 120, 12),
                ("consultant", 80, 8)
            ]
        );
        let remote = mix.staff_lines(ServiceLine::EducationTraining, 400, false);
        assert!(remote.iter().all(|l| l.trips == 0));
        // 11 days: 5.5 / 3.3 / 2.2 → 6, 3, 2 (the largest remainder gets the day).
        let odd: Vec<i64> = mix
            .staff_lines(ServiceLine::EducationTraining, 11, true)
            .iter()
            .map(|l| l.days)
            .collect();
        assert_eq!(odd, [6, 3, 2]);
    }

    #[test]
    fn a_bad_mix_is_named_by_line_and_column() {
        let tables = PricingTables::shipped();
        let head = "service_line,grade,share_percent,days_per_trip\n";
        let e = StaffMix::parse(
            &format!("{head}education_training,band_99,100,10\n"),
            tables,
        )
        .unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (2, "grade"));
        let e = StaffMix::parse(&format!("{head}surgery,band_7,100,10\n"), tables).unwrap_err();
        assert_eq!((e.line, e.column.as_str()), (2, "service_line"));
        let e = StaffMix::parse(&format!("{head}education_training,band_7,100,0\n"), tables)
            .unwrap_err();
        assert_eq!(e.column, "days_per_trip");
        let e = StaffMix::parse(&format!("{head}education_training,band_7,90,10\n"), tables)
            .unwrap_err();
        assert!(e.reason.contains("education_training"), "{e}");
        let full: String = ServiceLine::ALL
            .iter()
            .map(|l| {
                format!(
                    "{},band_7,60,10\n{},consultant,30,10\n",
                    l.as_str(),
                    l.as_str()
                )
            })
            .collect();
        let e = StaffMix::parse(&format!("{head}{full}"), tables).unwrap_err();
        assert_eq!(e.column, "share_percent");
    }

    #[test]
    fn a_part_in_country_is_priced_with_travel_and_costs_more_than_remote() {
        let engagement = Engagement {
            country: "SA".into(),
            currency: "SAR".into(),
            partner_type: PartnerType::Government,
        };
        let part = |modes: Vec<DeliveryMode>| PartWork {
            service_line: ServiceLine::ClinicalAdvice,
            days: 100,
            delivery_modes: modes,
        };
        let (mix, tables) = (StaffMix::shipped(), PricingTables::shipped());
        let there = price_parts(
            &[part(vec![DeliveryMode::InCountry])],
            &engagement,
            mix,
            tables,
        )
        .unwrap();
        let remote = price_parts(
            &[part(vec![DeliveryMode::Remote])],
            &engagement,
            mix,
            tables,
        )
        .unwrap();
        assert_eq!(remote.travel_pence, 0);
        assert!(there.travel_pence > 0);
        assert!(there.price_gbp_pence > remote.price_gbp_pence);
        assert!(there.fully_backfilled());
        assert_eq!(there.staff_days, 100);
    }

    #[test]
    fn the_split_follows_the_priced_contributions() {
        assert_eq!(proportional_split(&[300, 100]), [7_500, 2_500]);
        assert_eq!(proportional_split(&[1, 1, 1]), [3_334, 3_333, 3_333]);
        assert_eq!(proportional_split(&[5, 0]), [10_000, 0]);
        assert_eq!(proportional_split(&[0, 0]), [0, 0]);
    }

    #[test]
    fn an_edited_split_must_give_each_member_a_share_summing_to_all() {
        assert!(check_split(&[6_000, 4_000], 2).is_ok());
        let fields = |e: Invalid| -> Vec<String> { e.0.into_iter().map(|f| f.field).collect() };
        assert_eq!(
            fields(check_split(&[6_000, 3_000], 2).unwrap_err()),
            ["shares"]
        );
        assert_eq!(fields(check_split(&[10_000], 2).unwrap_err()), ["shares"]);
        assert_eq!(
            fields(check_split(&[12_000, 0], 2).unwrap_err()),
            ["shares[0]"]
        );
        let e = check_split(&[6_000, 3_050], 2).unwrap_err();
        assert!(e.0[0].reason.contains("90.50%"), "{e:?}");
    }

    #[test]
    fn shares_are_read_as_percentages_with_two_decimals() {
        assert_eq!(percent_bp("60"), Ok(6_000));
        assert_eq!(percent_bp(" 33.33 % "), Ok(3_333));
        assert_eq!(percent_bp("0.5"), Ok(50));
        for bad in ["", "-5", "100.01", "33.333", "a lot", "1e2"] {
            assert!(percent_bp(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn agreed_only_when_every_member_accepted() {
        use Answer::*;
        assert_eq!(Standing::after(&[Accepted, Accepted]), Standing::Agreed);
        assert_eq!(Standing::after(&[Accepted, Pending]), Standing::Proposed);
        assert_eq!(Standing::after(&[Accepted, Declined]), Standing::Proposed);
        assert_eq!(Standing::after(&[]), Standing::Proposed);
        for a in [Pending, Accepted, Declined] {
            assert_eq!(Answer::parse(a.as_str()), Ok(a));
        }
        for s in [Standing::Proposed, Standing::Agreed, Standing::Withdrawn] {
            assert_eq!(Standing::parse(s.as_str()), Ok(s));
        }
    }

    fn team() -> Consortium {
        let place = |provider: &str, lead: bool, share_bp: u32| Place {
            provider: OrganisationId::parse(provider).unwrap(),
            lead,
            parts: vec![PlacePart {
                requirement: "R1".into(),
                offer: format!("{provider}-offer"),
                days: 100,
                fit: 0.8,
            }],
            contribution_pence: i64::from(share_bp) * 100,
            share_bp,
            answer: Answer::Accepted,
            answered_by: Some("someone".into()),
            answered_at: Some(1),
            note: "old".into(),
        };
        Consortium {
            id: "O1-T1".into(),
            opportunity: OpportunityId::parse("O1").unwrap(),
            standing: Standing::Agreed,
            objective: 1.5,
            solver: "microlp".into(),
            members: vec![place("RP4", true, 6_000), place("RJ1", false, 4_000)],
            proposed_by: "adviser@agency".into(),
            note: String::new(),
            agreed_at: Some(1),
            version: 9,
            created_at: 0,
            updated_at: 0,
        }
        .propose(10)
        .unwrap()
    }

    fn org(id: &str) -> OrganisationId {
        OrganisationId::parse(id).unwrap()
    }

    #[test]
    fn a_proposal_starts_with_every_member_pending() {
        let t = team();
        assert_eq!(
            (t.standing, t.version, t.agreed_at),
            (Standing::Proposed, 1, None)
        );
        assert!(
            t.members
                .iter()
                .all(|m| m.answer == Answer::Pending && m.note.is_empty())
        );
        let mut two_leads = team();
        two_leads.members[1].lead = true;
        assert!(two_leads.propose(1).is_err());
        let mut bad_split = team();
        bad_split.members[1].share_bp = 3_000;
        assert!(matches!(
            bad_split.propose(1),
            Err(AgreementError::Invalid(_))
        ));
    }

    #[test]
    fn the_team_is_agreed_when_the_last_member_accepts() {
        let mut t = team();
        t.answer(&org("RP4"), Answer::Accepted, "", "a@rp4", 20)
            .unwrap();
        assert_eq!(t.standing, Standing::Proposed);
        t.answer(&org("RJ1"), Answer::Accepted, "content", "b@rj1", 30)
            .unwrap();
        assert_eq!((t.standing, t.agreed_at), (Standing::Agreed, Some(30)));
        assert_eq!(t.version, 3);
        // Agreed: the split and the answers are settled.
        assert!(matches!(
            t.set_split(&[5_000, 5_000], 40),
            Err(AgreementError::Standing { .. })
        ));
        assert!(
            t.answer(&org("RJ1"), Answer::Declined, "no", "b@rj1", 40)
                .is_err()
        );
        t.withdraw(50).unwrap();
        assert_eq!(t.standing, Standing::Withdrawn);
        assert!(t.withdraw(60).is_err());
    }

    #[test]
    fn a_decline_needs_a_reason_and_a_new_split_asks_everyone_again() {
        let mut t = team();
        let e = t
            .answer(&org("RJ1"), Answer::Declined, " ", "b@rj1", 20)
            .unwrap_err();
        assert!(e.to_string().contains("why"), "{e}");
        t.answer(&org("RP4"), Answer::Accepted, "", "a@rp4", 20)
            .unwrap();
        t.answer(&org("RJ1"), Answer::Declined, "we want half", "b@rj1", 21)
            .unwrap();
        assert_eq!(t.standing, Standing::Proposed);
        assert!(matches!(
            t.answer(&org("RXX"), Answer::Accepted, "", "c", 22),
            Err(AgreementError::NotMember(_))
        ));
        let version = t.version;
        t.set_split(&[6_000, 4_000], 23).unwrap();
        assert_eq!(t.version, version, "an unchanged split changes nothing");
        t.set_split(&[5_000, 5_000], 24).unwrap();
        assert!(t.members.iter().all(|m| m.answer == Answer::Pending));
        assert_eq!(t.price_pence(), 1_000_000);
        assert!(t.set_split(&[5_000, 4_000], 25).is_err());
    }

    proptest! {
        #[test]
        fn split_whole_always_sums_to_the_total(
            weights in proptest::collection::vec(0i64..1_000_000_000, 1..8),
            total in 0i64..100_000,
        ) {
            let parts = split_whole(total, &weights);
            let sum: i64 = weights.iter().sum();
            prop_assert_eq!(parts.iter().sum::<i64>(), if sum == 0 { 0 } else { total });
            for (p, w) in parts.iter().zip(&weights) {
                if sum > 0 {
                    let exact = total as f64 * *w as f64 / sum as f64;
                    prop_assert!((*p as f64 - exact).abs() < 1.0);
                }
            }
        }
    }
}
