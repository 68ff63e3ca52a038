//! Matchmaking: whether a provider's offer can deliver an opportunity, how
//! well, and why — as a score in [0, 1] made of weighted features, each with
//! a sentence of reason — or which hard rule rules it out.
//!
//! Pure: the caller brings the records, the text relevance (from the search
//! index) and what it knows of capacity already committed.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codes::SpecialtyCode;
use crate::money::Money;
use crate::offer::Offer;
use crate::opportunity::Opportunity;
use crate::organisation::Organisation;
use crate::strategy::Strategy;
use crate::vocab::{DeliveryMode, DomesticStatus, ServiceLine};

/// How much each feature counts, and the thresholds of the hard rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchConfig {
    pub specialty: f64,
    pub service_line: f64,
    pub delivery_mode: f64,
    pub text: f64,
    pub language: f64,
    pub experience: f64,
    pub target_market: f64,
    pub price: f64,
    pub capacity: f64,
    /// Credit for a specialty of the same group as one asked for.
    pub group_credit: f64,
    /// A provider on amber takes work below this value (pounds)...
    pub amber_max_gbp: i64,
    /// ...or needing at most this many staff days, or done remotely.
    pub amber_max_days: u32,
    /// Matches scoring below this are not recommended.
    pub min_score: f64,
}

impl Default for MatchConfig {
    fn default() -> Self {
        MatchConfig {
            specialty: 0.30,
            service_line: 0.08,
            delivery_mode: 0.05,
            text: 0.35,
            language: 0.05,
            experience: 0.04,
            target_market: 0.02,
            price: 0.04,
            capacity: 0.04,
            group_credit: 0.20,
            amber_max_gbp: 250_000,
            amber_max_days: 60,
            min_score: 0.15,
        }
    }
}

/// A hard rule that keeps a provider out, whatever its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// The provider's strategy excludes the opportunity's country.
    ExcludedCountry,
    /// The provider is red at home: no new international work.
    DomesticRed,
    /// The provider is amber at home and the work is neither small nor remote.
    DomesticAmber,
    /// The opportunity is worth less than the provider's smallest contract.
    BelowMinimumContract,
    /// The offer's capacity is used up, or smaller than the work needs.
    NoCapacity,
    /// The partner failed due diligence, or its case expired.
    DueDiligence,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::ExcludedCountry => "excluded_country",
            Rule::DomesticRed => "domestic_red",
            Rule::DomesticAmber => "domestic_amber",
            Rule::BelowMinimumContract => "below_min_contract",
            Rule::NoCapacity => "no_capacity",
            Rule::DueDiligence => "due_diligence",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a provider is left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exclusion {
    pub rule: Rule,
    pub reason: String,
}

/// One feature of a match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feature {
    pub name: &'static str,
    /// How well this aspect fits, in [0, 1].
    pub value: f64,
    /// Its share of the score (weights of the features that apply sum to 1).
    pub weight: f64,
    /// `value × weight`: what it adds to the score.
    pub contribution: f64,
    pub reason: String,
}

/// How well an offer fits an opportunity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// In [0, 1]: the sum of the contributions.
    pub score: f64,
    pub features: Vec<Feature>,
}

/// What a need asks for, once its words have been read: the opportunity's own
/// fields, or for a free-text need what was inferred from its text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Need {
    pub specialties: Vec<SpecialtyCode>,
    pub service_lines: Vec<ServiceLine>,
    pub delivery_modes: Vec<DeliveryMode>,
    /// Whether the fields above were inferred from free text.
    pub inferred: bool,
}

/// One provider's offer, as the engine weighs it against a need.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub provider: &'a Organisation,
    pub offer: &'a Offer,
    pub strategy: Option<&'a Strategy>,
    /// Text relevance in [0, 1], from the search index.
    pub text: f64,
    /// Staff days of the offer's capacity already committed elsewhere.
    pub committed_days: u32,
    /// A due-diligence block on the provider, with its reason.
    pub blocked: Option<&'a str>,
}

/// Staff days an opportunity needs, when its requirements say.
pub fn days_needed(o: &Opportunity) -> Option<u32> {
    (!o.requirements.is_empty()).then(|| o.requirements.iter().map(|r| r.days).sum())
}

/// Staff days one provider must have free to take part: the whole of a
/// single-part need, the smallest part of a bundle (a consortium shares the rest).
pub fn days_to_take_part(o: &Opportunity) -> Option<u32> {
    o.requirements.iter().map(|r| r.days).min()
}

/// Months an engagement's staff days are spread over, against a capacity
/// stated per year: its duration, and never less than a year.
pub fn months_of_work(o: &Opportunity) -> u32 {
    o.duration_months.unwrap_or(12).max(12)
}

/// `days` of work spread evenly over the engagement, as days a year
/// (rounded up), to weigh against a capacity stated per year.
pub fn days_a_year(o: &Opportunity, days: u32) -> u32 {
    (days * 12).div_ceil(months_of_work(o))
}

/// Staff days a year one provider must have free to take part.
fn yearly_days_to_take_part(o: &Opportunity) -> Option<u32> {
    days_to_take_part(o).map(|d| days_a_year(o, d))
}

/// " over N months" when the work runs longer than a year.
fn spread(o: &Opportunity) -> String {
    match months_of_work(o) {
        12 => String::new(),
        months => format!(" over {months} months"),
    }
}

fn pounds(pence: i64) -> String {
    format!(
        "£{}",
        crate::money::group_thousands(pence.div_euclid(100), 0)
    )
}

/// The hard rules, in order; the first that applies keeps the provider out.
pub fn exclusion(o: &Opportunity, c: &Candidate<'_>, config: &MatchConfig) -> Option<Exclusion> {
    let out = |rule, reason: String| Some(Exclusion { rule, reason });
    if let Some(reason) = c.blocked {
        return out(Rule::DueDiligence, reason.to_owned());
    }
    let value_gbp = o.value.as_ref().and_then(Money::to_gbp_pence);
    let days = days_needed(o);
    if let Some(s) = c.strategy {
        if s.excluded_countries.contains(&o.country) {
            return out(
                Rule::ExcludedCountry,
                format!("its strategy rules out work in {}", o.country.name()),
            );
        }
        match s.domestic_status {
            Some(DomesticStatus::Red) => {
                return out(
                    Rule::DomesticRed,
                    "it is red at home and takes no new international work".into(),
                );
            }
            Some(DomesticStatus::Amber) => {
                let remote = !o.delivery_modes.is_empty()
                    && o.delivery_modes.iter().all(|m| *m == DeliveryMode::Remote);
                let small = value_gbp.is_some_and(|v| v < config.amber_max_gbp * 100)
                    || days.is_some_and(|d| d <= config.amber_max_days);
                if !remote && !small {
                    return out(
                        Rule::DomesticAmber,
                        format!(
                            "it is amber at home and takes only remote work or small work (under {} or {} staff days)",
                            pounds(config.amber_max_gbp * 100),
                            config.amber_max_days
                        ),
                    );
                }
            }
            Some(DomesticStatus::Green) | None => {}
        }
        if let (Some(min), Some(value)) = (
            s.min_contract_gbp.as_ref().and_then(Money::to_gbp_pence),
            value_gbp,
        ) && value < min
        {
            return out(
                Rule::BelowMinimumContract,
                format!(
                    "the work is worth about {}, below its smallest contract of {}",
                    pounds(value),
                    pounds(min)
                ),
            );
        }
    }
    if let Some(capacity) = c.offer.capacity_days_per_year {
        let left = capacity.saturating_sub(c.committed_days);
        let days = yearly_days_to_take_part(o);
        let short = match days {
            Some(d) => left < d,
            None => left == 0,
        };
        if short {
            let spread = spread(o);
            return out(
                Rule::NoCapacity,
                match days {
                    Some(d) if o.requirements.len() > 1 => format!(
                        "even the smallest part of the work needs {d} staff days a year{spread} and {left} are left of its {capacity} a year"
                    ),
                    Some(d) => format!(
                        "the work needs {d} staff days a year{spread} and {left} are left of its {capacity} a year"
                    ),
                    None => format!("all {capacity} staff days a year of this offer are committed"),
                },
            );
        }
    }
    None
}

/// A sentence of reason, written only for the matches that are shown.
type Why<'a> = Box<dyn FnOnce() -> String + 'a>;

/// A feature before weighting: `None` when the need says nothing about it.
type Scored<'a> = Option<(f64, Why<'a>)>;

fn why<'a>(reason: impl FnOnce() -> String + 'a) -> Why<'a> {
    Box::new(reason)
}

fn specialty_fit<'a>(need: &'a Need, offer: &'a Offer, config: &MatchConfig) -> Scored<'a> {
    if need.specialties.is_empty() {
        return None;
    }
    let near = |s: &SpecialtyCode| offer.specialties.iter().any(|o| o.group() == s.group());
    let total: f64 = need
        .specialties
        .iter()
        .map(|s| {
            if offer.specialties.contains(s) {
                1.0
            } else if near(s) {
                config.group_credit
            } else {
                0.0
            }
        })
        .sum();
    let value = total / need.specialties.len() as f64;
    Some((
        value,
        why(move || {
            let names = |pick: &dyn Fn(&SpecialtyCode) -> bool| -> Vec<&str> {
                need.specialties
                    .iter()
                    .filter(|s| pick(s))
                    .map(|s| s.name())
                    .collect()
            };
            let exact = names(&|s| offer.specialties.contains(s));
            let near = names(&|s| !offer.specialties.contains(s) && near(s));
            let asked = if need.inferred {
                "read in the need"
            } else {
                "asked for"
            };
            match (exact.is_empty(), near.is_empty()) {
                (true, true) => format!(
                    "offers none of the {} specialties {asked}",
                    need.specialties.len()
                ),
                (false, true) => format!("offers {} ({asked})", exact.join(", ")),
                (true, false) => format!(
                    "offers specialties of the same group as {} ({asked}), not those themselves",
                    near.join(", ")
                ),
                (false, false) => format!(
                    "offers {}, and the group of {} ({asked})",
                    exact.join(", "),
                    near.join(", ")
                ),
            }
        }),
    ))
}

fn overlap<'a, T: PartialEq + Copy>(
    asked: &'a [T],
    offered: &'a [T],
    label: fn(T) -> &'static str,
    what: &'static str,
) -> Scored<'a> {
    if asked.is_empty() {
        return None;
    }
    let hits = asked.iter().filter(|a| offered.contains(a)).count();
    Some((
        hits as f64 / asked.len() as f64,
        why(move || {
            let hits: Vec<&str> = asked
                .iter()
                .filter(|a| offered.contains(a))
                .map(|a| label(*a))
                .collect();
            if hits.is_empty() {
                format!("offers none of the {what} asked for")
            } else {
                format!("offers {}", hits.join(", ").to_lowercase())
            }
        }),
    ))
}

fn text_fit<'a>(text: f64) -> Scored<'a> {
    let reason = match text {
        t if t >= 0.75 => "its offer's words are among the closest to the need's",
        t if t >= 0.35 => "its offer's words share much with the need's",
        t if t > 0.0 => "its offer's words share a little with the need's",
        _ => "its offer's words share nothing with the need's",
    };
    Some((text.clamp(0.0, 1.0), why(move || reason.to_owned())))
}

fn language_fit<'a>(o: &'a Opportunity, offer: &'a Offer) -> Scored<'a> {
    if o.languages.is_empty() {
        return None;
    }
    let spoken = move || {
        o.languages
            .iter()
            .filter(|l| offer.languages.contains(l) || l.as_str() == "en")
    };
    let value = spoken().count() as f64 / o.languages.len() as f64;
    Some((
        value,
        why(move || {
            let spoken: Vec<&str> = spoken().map(|l| l.as_str()).collect();
            if spoken.is_empty() {
                "works in none of the languages asked for".to_owned()
            } else {
                format!("works in {}", spoken.join(", "))
            }
        }),
    ))
}

fn experience_fit<'a>(o: &'a Opportunity, offer: &'a Offer) -> Scored<'a> {
    let country = o.country.name();
    Some(if offer.countries_of_experience.contains(&o.country) {
        (1.0, why(move || format!("has worked in {country}")))
    } else if offer.countries_of_experience.is_empty() {
        (
            0.0,
            why(|| "has no recorded work abroad for this offer".into()),
        )
    } else {
        (
            0.0,
            why(move || format!("has not worked in {country} before")),
        )
    })
}

fn target_fit<'a>(o: &'a Opportunity, strategy: Option<&'a Strategy>) -> Scored<'a> {
    let s = strategy?;
    let country = o.country.name();
    Some(if s.target_countries.contains(&o.country) {
        (
            1.0,
            why(move || format!("{country} is one of its target markets")),
        )
    } else {
        (
            0.0,
            why(move || format!("{country} is not among its target markets")),
        )
    })
}

fn price_fit<'a>(o: &'a Opportunity, offer: &'a Offer) -> Scored<'a> {
    let value = o.value.as_ref().and_then(Money::to_gbp_pence)?;
    let range = offer.price_gbp.as_ref()?;
    let (min, max) = (range.min.minor, range.max.minor);
    Some(if value >= min && value <= max {
        (
            1.0,
            why(move || {
                format!(
                    "the work's value (about {}) is within its price range",
                    pounds(value)
                )
            }),
        )
    } else if value > max {
        (
            0.5,
            why(move || {
                format!(
                    "the work (about {}) is larger than its usual range, up to {}",
                    pounds(value),
                    pounds(max)
                )
            }),
        )
    } else {
        (
            0.2,
            why(move || {
                format!(
                    "the work (about {}) is smaller than its usual range, from {}",
                    pounds(value),
                    pounds(min)
                )
            }),
        )
    })
}

fn capacity_fit<'a>(o: &'a Opportunity, c: Candidate<'a>) -> Scored<'a> {
    let capacity = c.offer.capacity_days_per_year?;
    let days = yearly_days_to_take_part(o)?;
    let left = capacity.saturating_sub(c.committed_days);
    let share = f64::from(days) / f64::from(left.max(1));
    Some(if share <= 0.5 {
        (
            1.0,
            why(move || {
                format!("{days} staff days a year is at most half of the {left} it has free")
            }),
        )
    } else {
        (
            (1.0 - share).max(0.0) * 2.0,
            why(move || {
                format!("{days} staff days a year would take most of the {left} it has free")
            }),
        )
    })
}

/// The features that apply to one candidate, each as (name, share of the
/// score, value, reason): the shares of those that apply sum to one.
fn weighed<'a>(
    o: &'a Opportunity,
    need: &'a Need,
    c: Candidate<'a>,
    config: &'a MatchConfig,
) -> impl Iterator<Item = (&'static str, f64, f64, Why<'a>)> {
    let scored: [(&'static str, f64, Scored<'a>); 9] = [
        (
            "specialty",
            config.specialty,
            specialty_fit(need, c.offer, config),
        ),
        (
            "service_line",
            config.service_line,
            overlap(
                &need.service_lines,
                &c.offer.service_lines,
                ServiceLine::label,
                "service lines",
            ),
        ),
        (
            "delivery_mode",
            config.delivery_mode,
            overlap(
                &need.delivery_modes,
                &c.offer.delivery_modes,
                DeliveryMode::label,
                "ways of working",
            ),
        ),
        ("text", config.text, text_fit(c.text)),
        ("language", config.language, language_fit(o, c.offer)),
        ("experience", config.experience, experience_fit(o, c.offer)),
        (
            "target_market",
            config.target_market,
            target_fit(o, c.strategy),
        ),
        ("price", config.price, price_fit(o, c.offer)),
        ("capacity", config.capacity, capacity_fit(o, c)),
    ];
    let total_weight: f64 = scored
        .iter()
        .filter(|(_, _, s)| s.is_some())
        .map(|(_, w, _)| w)
        .sum();
    scored.into_iter().filter_map(move |(name, weight, s)| {
        let (value, reason) = s?;
        let share = if total_weight > 0.0 {
            weight / total_weight
        } else {
            0.0
        };
        Some((name, share, value, reason))
    })
}

/// The score alone of one offer against one opportunity (the hard rules
/// first), without writing the reasons: what ranking many candidates needs.
pub fn score(
    o: &Opportunity,
    need: &Need,
    c: &Candidate<'_>,
    config: &MatchConfig,
) -> Result<f64, Exclusion> {
    if let Some(e) = exclusion(o, c, config) {
        return Err(e);
    }
    Ok(weighed(o, need, *c, config)
        .map(|(_, share, value, _)| value * share)
        .sum::<f64>()
        .clamp(0.0, 1.0))
}

/// Weighs one offer against one opportunity: the hard rules first, then the
/// features that apply, weighted so that their weights sum to one, each
/// with its reason.
pub fn assess(
    o: &Opportunity,
    need: &Need,
    c: &Candidate<'_>,
    config: &MatchConfig,
) -> Result<Match, Exclusion> {
    if let Some(e) = exclusion(o, c, config) {
        return Err(e);
    }
    let features: Vec<Feature> = weighed(o, need, *c, config)
        .map(|(name, weight, value, reason)| Feature {
            name,
            value,
            weight,
            contribution: value * weight,
            reason: reason(),
        })
        .collect();
    let score = features
        .iter()
        .map(|f| f.contribution)
        .sum::<f64>()
        .clamp(0.0, 1.0);
    Ok(Match { score, features })
}

/// A provider recommended for an opportunity, through its best offer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderMatch {
    pub provider: String,
    pub offer: String,
    #[serde(flatten)]
    pub fit: Match,
}

/// A provider left out, and the rule that did it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Excluded {
    pub provider: String,
    #[serde(flatten)]
    pub exclusion: Exclusion,
}

/// The providers for one opportunity: recommended ones best first, and those
/// the hard rules keep out.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Ranking {
    pub matches: Vec<ProviderMatch>,
    /// How many providers fit above the minimum score; `matches` holds the best of them.
    pub matched: usize,
    pub excluded: Vec<Excluded>,
}

/// What ranking keyed pairs gives: the best `top` keys with their offer
/// and explained fit, how many fit in all, and the keys ruled out.
struct Keyed<K> {
    shown: Vec<(K, String, Match)>,
    matched: usize,
    excluded: Vec<(K, Exclusion)>,
}

/// Ranks keys (providers, opportunities) by their best pair. Per key, any fit
/// beats an exclusion, a higher score a lower one, and ties go to the lower
/// offer id; a key every pair of which is excluded keeps the exclusion of its
/// lowest offer id. Keys scoring below the configured minimum are dropped;
/// ties between keys go to the lower key. So the order of the pairs never
/// changes the ranking. Every pair is scored; only the `top` shown are
/// explained.
fn rank_keyed<'a, K: Ord + Copy>(
    pairs: &[(K, &'a Opportunity, &'a Need, Candidate<'a>)],
    config: &MatchConfig,
    top: usize,
) -> Keyed<K> {
    // Per key: the best fit and its pair, or the exclusion kept and its pair.
    type Best = Result<(f64, usize), (Exclusion, usize)>;
    let mut best: std::collections::BTreeMap<K, Best> = std::collections::BTreeMap::new();
    for (i, (key, o, need, c)) in pairs.iter().enumerate() {
        let outcome = score(o, need, c, config);
        let lower_offer = |j: usize| c.offer.id < pairs[j].3.offer.id;
        let better = match (best.get(key), &outcome) {
            (None, _) | (Some(Err(_)), Ok(_)) => true,
            (Some(Ok((held, j))), Ok(new)) => *new > *held || (*new == *held && lower_offer(*j)),
            (Some(Err((_, j))), Err(_)) => lower_offer(*j),
            (Some(Ok(_)), Err(_)) => false,
        };
        if better {
            best.insert(*key, outcome.map(|s| (s, i)).map_err(|e| (e, i)));
        }
    }
    let mut fits = Vec::new();
    let mut excluded = Vec::new();
    for (key, outcome) in best {
        match outcome {
            Ok((s, i)) if s >= config.min_score => fits.push((s, key, i)),
            Ok(_) => {}
            Err((exclusion, _)) => excluded.push((key, exclusion)),
        }
    }
    fits.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let matched = fits.len();
    let shown = fits
        .into_iter()
        .take(top)
        .filter_map(|(_, key, i)| {
            let (_, o, need, c) = &pairs[i];
            let fit = assess(o, need, c, config).ok()?;
            Some((key, c.offer.id.to_string(), fit))
        })
        .collect();
    Keyed {
        shown,
        matched,
        excluded,
    }
}

/// Ranks providers by their best offer: at most `top` recommended, best
/// first; a provider is excluded only when every one of its offers is.
pub fn rank<'a>(
    o: &'a Opportunity,
    need: &'a Need,
    candidates: impl IntoIterator<Item = Candidate<'a>>,
    config: &MatchConfig,
    top: usize,
) -> Ranking {
    let pairs: Vec<_> = candidates
        .into_iter()
        .map(|c| (c.provider.id.as_str(), o, need, c))
        .collect();
    let keyed = rank_keyed(&pairs, config, top);
    Ranking {
        matches: keyed
            .shown
            .into_iter()
            .map(|(provider, offer, fit)| ProviderMatch {
                provider: provider.to_owned(),
                offer,
                fit,
            })
            .collect(),
        matched: keyed.matched,
        excluded: keyed
            .excluded
            .into_iter()
            .map(|(provider, exclusion)| Excluded {
                provider: provider.to_owned(),
                exclusion,
            })
            .collect(),
    }
}

/// An opportunity recommended to a provider, through its best offer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpportunityMatch {
    pub opportunity: String,
    pub offer: String,
    #[serde(flatten)]
    pub fit: Match,
}

/// An opportunity a provider's own rules keep it from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuledOut {
    pub opportunity: String,
    #[serde(flatten)]
    pub exclusion: Exclusion,
}

/// The opportunities for one provider: best first, and those its rules rule out.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OpportunityRanking {
    pub matches: Vec<OpportunityMatch>,
    /// How many opportunities fit above the minimum score.
    pub matched: usize,
    pub excluded: Vec<RuledOut>,
}

/// Ranks opportunities for one provider, each through the provider's best
/// offer for it (at most `top`); the pairs are (opportunity, what it asks
/// for, one offer).
pub fn rank_opportunities<'a>(
    pairs: impl IntoIterator<Item = (&'a Opportunity, &'a Need, Candidate<'a>)>,
    config: &MatchConfig,
    top: usize,
) -> OpportunityRanking {
    let pairs: Vec<_> = pairs
        .into_iter()
        .map(|(o, need, c)| (o.id.as_str(), o, need, c))
        .collect();
    let keyed = rank_keyed(&pairs, config, top);
    OpportunityRanking {
        matches: keyed
            .shown
            .into_iter()
            .map(|(opportunity, offer, fit)| OpportunityMatch {
                opportunity: opportunity.to_owned(),
                offer,
                fit,
            })
            .collect(),
        matched: keyed.matched,
        excluded: keyed
            .excluded
            .into_iter()
            .map(|(opportunity, exclusion)| RuledOut {
                opportunity: opportunity.to_owned(),
                exclusion,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Record;

    fn record(line: &str) -> Record {
        Record::parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    fn provider(id: &str) -> Organisation {
        match record(&format!(
            r#"{{"record":"organisation","id":"{id}","name":"{id} Trust","kind":"provider","sector":"nhs","country":"GB"}}"#
        )) {
            Record::Organisation(o) => o,
            _ => unreachable!(),
        }
    }

    fn offer(fields: &str) -> Offer {
        match record(&format!(
            r#"{{"record":"offer","id":"F1","provider":"P1","title":"Paediatric cardiac surgery","description":"Children's heart surgery training","service_lines":["education_training","clinical_advice"],"delivery_modes":["in_country","remote"]{fields}}}"#
        )) {
            Record::Offer(o) => o,
            _ => unreachable!(),
        }
    }

    fn strategy(fields: &str) -> Strategy {
        match record(&format!(
            r#"{{"record":"strategy","id":"S1","provider":"P1"{fields}}}"#
        )) {
            Record::Strategy(s) => s,
            _ => unreachable!(),
        }
    }

    fn opportunity(fields: &str) -> Opportunity {
        match record(&format!(
            r#"{{"record":"opportunity","id":"O1","buyer":"B1","country":"KW","title":"Children's heart programme","description":"Train paediatric cardiac teams","source":"post","status":"published"{fields}}}"#
        )) {
            Record::Opportunity(o) => o,
            _ => unreachable!(),
        }
    }

    fn need_of(o: &Opportunity) -> Need {
        Need {
            specialties: o.specialties.clone(),
            service_lines: o.service_lines.clone(),
            delivery_modes: o.delivery_modes.clone(),
            ..Need::default()
        }
    }

    fn candidate<'a>(p: &'a Organisation, f: &'a Offer, s: Option<&'a Strategy>) -> Candidate<'a> {
        Candidate {
            provider: p,
            offer: f,
            strategy: s,
            text: 0.8,
            committed_days: 0,
            blocked: None,
        }
    }

    fn rule_of(o: &Opportunity, c: &Candidate<'_>) -> Option<Rule> {
        exclusion(o, c, &MatchConfig::default()).map(|e| e.rule)
    }

    #[test]
    fn a_strategy_that_excludes_the_country_keeps_the_provider_out() {
        let (p, f) = (provider("P1"), offer(""));
        let s = strategy(r#","excluded_countries":["KW"]"#);
        let o = opportunity("");
        assert_eq!(
            rule_of(&o, &candidate(&p, &f, Some(&s))),
            Some(Rule::ExcludedCountry)
        );
        let elsewhere = strategy(r#","excluded_countries":["RU"]"#);
        assert_eq!(rule_of(&o, &candidate(&p, &f, Some(&elsewhere))), None);
    }

    #[test]
    fn red_at_home_means_no_new_work_and_amber_only_small_or_remote_work() {
        let (p, f) = (provider("P1"), offer(""));
        let red = strategy(r#","domestic_status":"red""#);
        let amber = strategy(r#","domestic_status":"amber""#);
        let big = opportunity(r#","value":{"amount":2000000,"currency":"GBP"}"#);
        let small = opportunity(r#","value":{"amount":90000,"currency":"GBP"}"#);
        let remote = opportunity(
            r#","value":{"amount":2000000,"currency":"GBP"},"delivery_modes":["remote"]"#,
        );
        let few_days = opportunity(
            r#","requirements":[{"id":"R1","title":"Advice","service_line":"clinical_advice","days":40}]"#,
        );
        assert_eq!(
            rule_of(&small, &candidate(&p, &f, Some(&red))),
            Some(Rule::DomesticRed)
        );
        assert_eq!(
            rule_of(&big, &candidate(&p, &f, Some(&amber))),
            Some(Rule::DomesticAmber)
        );
        for fine in [&small, &remote, &few_days] {
            assert_eq!(rule_of(fine, &candidate(&p, &f, Some(&amber))), None);
        }
    }

    #[test]
    fn work_below_the_smallest_contract_is_refused_after_converting_to_pounds() {
        let (p, f) = (provider("P1"), offer(""));
        let s = strategy(r#","min_contract_gbp":500000"#);
        // 1,000,000 SAR is about £200,000 at the shipped rates and peg.
        let small = opportunity(r#","value":{"amount":1000000,"currency":"SAR"}"#);
        assert_eq!(
            rule_of(&small, &candidate(&p, &f, Some(&s))),
            Some(Rule::BelowMinimumContract)
        );
        let large = opportunity(r#","value":{"amount":10000000,"currency":"SAR"}"#);
        assert_eq!(rule_of(&large, &candidate(&p, &f, Some(&s))), None);
        let unpriced = opportunity("");
        assert_eq!(rule_of(&unpriced, &candidate(&p, &f, Some(&s))), None);
    }

    #[test]
    fn capacity_used_up_or_too_small_for_the_work_keeps_the_offer_out() {
        let p = provider("P1");
        let f = offer(r#","capacity_days_per_year":100"#);
        let o = opportunity(
            r#","requirements":[{"id":"R1","title":"Training","service_line":"education_training","days":120}]"#,
        );
        assert_eq!(
            rule_of(&o, &candidate(&p, &f, None)),
            Some(Rule::NoCapacity)
        );
        let open_ended = opportunity("");
        let mut busy = candidate(&p, &f, None);
        busy.committed_days = 100;
        assert_eq!(rule_of(&open_ended, &busy), Some(Rule::NoCapacity));
        assert_eq!(rule_of(&open_ended, &candidate(&p, &f, None)), None);
    }

    #[test]
    fn a_part_of_a_bundle_needs_only_room_for_its_smallest_part() {
        let p = provider("P1");
        let f = offer(r#","capacity_days_per_year":100"#);
        let bundle = opportunity(
            r#","requirements":[{"id":"R1","title":"Training","service_line":"education_training","days":400},{"id":"R2","title":"Advice","service_line":"clinical_advice","days":80}]"#,
        );
        assert_eq!(rule_of(&bundle, &candidate(&p, &f, None)), None);
        let tight = offer(r#","capacity_days_per_year":60"#);
        assert_eq!(
            rule_of(&bundle, &candidate(&p, &tight, None)),
            Some(Rule::NoCapacity)
        );
    }

    #[test]
    fn capacity_a_year_is_weighed_against_the_work_spread_over_its_duration() {
        let p = provider("P1");
        let f = offer(r#","capacity_days_per_year":100"#);
        let part = r#","requirements":[{"id":"R1","title":"Training","service_line":"education_training","days":400}]"#;
        let one_year = opportunity(part);
        let e = exclusion(&one_year, &candidate(&p, &f, None), &MatchConfig::default()).unwrap();
        assert_eq!(e.rule, Rule::NoCapacity);
        assert!(
            e.reason.contains("400 staff days a year and 100 are left"),
            "{}",
            e.reason
        );
        // 400 days over five years is 80 a year: within 100 a year.
        let five_years = opportunity(&format!(r#"{part},"duration_months":60"#));
        assert_eq!(rule_of(&five_years, &candidate(&p, &f, None)), None);
        let busy = opportunity(&format!(r#"{part},"duration_months":36"#));
        let e = exclusion(&busy, &candidate(&p, &f, None), &MatchConfig::default()).unwrap();
        assert!(
            e.reason.contains("134 staff days a year over 36 months"),
            "{}",
            e.reason
        );
        // Shorter than a year still counts as a year's capacity.
        let months = opportunity(&format!(r#"{part},"duration_months":6"#));
        assert_eq!(months_of_work(&months), 12);
    }

    #[test]
    fn a_failed_due_diligence_case_blocks_the_provider() {
        let (p, f) = (provider("P1"), offer(""));
        let mut c = candidate(&p, &f, None);
        c.blocked = Some("the partner's case expired on 1 March 2027");
        let e = exclusion(&opportunity(""), &c, &MatchConfig::default()).unwrap();
        assert_eq!(
            (e.rule, e.reason.contains("expired")),
            (Rule::DueDiligence, true)
        );
    }

    #[test]
    fn the_same_specialty_scores_full_and_the_same_group_partial_credit() {
        let p = provider("P1");
        let o = opportunity(r#","specialties":["221"]"#);
        let exact = offer(r#","specialties":["221"]"#);
        let group = offer(r#","specialties":["242"]"#);
        let far = offer(r#","specialties":["130"]"#);
        let fit = |f: &Offer| {
            let m = assess(
                &o,
                &need_of(&o),
                &candidate(&p, f, None),
                &MatchConfig::default(),
            )
            .unwrap();
            m.features
                .iter()
                .find(|x| x.name == "specialty")
                .unwrap()
                .value
        };
        assert_eq!(fit(&exact), 1.0);
        let partial = fit(&group);
        assert!(partial > 0.0 && partial < 1.0, "{partial}");
        assert_eq!(fit(&far), 0.0);
    }

    #[test]
    fn features_that_the_need_does_not_speak_of_carry_no_weight_and_weights_sum_to_one() {
        let p = provider("P1");
        let f = offer(r#","specialties":["221"],"countries_of_experience":["KW"]"#);
        let bare = opportunity("");
        let m = assess(
            &bare,
            &need_of(&bare),
            &candidate(&p, &f, None),
            &MatchConfig::default(),
        )
        .unwrap();
        let names: Vec<&str> = m.features.iter().map(|x| x.name).collect();
        assert_eq!(names, ["text", "experience"]);
        let weights: f64 = m.features.iter().map(|x| x.weight).sum();
        assert!((weights - 1.0).abs() < 1e-9);
        assert!((m.score - m.features.iter().map(|x| x.contribution).sum::<f64>()).abs() < 1e-9);
        assert!(m.features.iter().all(|x| !x.reason.is_empty()));
        let fast = score(
            &bare,
            &need_of(&bare),
            &candidate(&p, &f, None),
            &MatchConfig::default(),
        );
        assert_eq!(fast, Ok(m.score), "scoring alone must agree with assessing");
    }

    #[test]
    fn each_feature_rewards_what_a_buyer_would() {
        let p = provider("P1");
        let s = strategy(r#","target_countries":["KW"]"#);
        let o = opportunity(
            r#","service_lines":["education_training"],"delivery_modes":["in_country"],"languages":["ar"],"value":{"amount":300000,"currency":"GBP"},"requirements":[{"id":"R1","title":"Training","service_line":"education_training","days":30}]"#,
        );
        let good = offer(
            r#","languages":["ar"],"countries_of_experience":["KW"],"capacity_days_per_year":200,"price_gbp":{"min":100000,"max":500000}"#,
        );
        let poor = offer(
            r#","service_lines":["research"],"delivery_modes":["uk_based"],"capacity_days_per_year":40,"price_gbp":{"min":1000000,"max":5000000}"#,
        );
        let value_of = |f: &Offer, s: Option<&Strategy>, name: &str| {
            let m = assess(
                &o,
                &need_of(&o),
                &candidate(&p, f, s),
                &MatchConfig::default(),
            )
            .unwrap();
            m.features.iter().find(|x| x.name == name).map(|x| x.value)
        };
        for name in [
            "service_line",
            "delivery_mode",
            "language",
            "experience",
            "price",
            "capacity",
        ] {
            let (g, b) = (value_of(&good, Some(&s), name), value_of(&poor, None, name));
            assert!(g.unwrap() > b.unwrap_or(0.0), "{name}: {g:?} vs {b:?}");
        }
        assert_eq!(value_of(&good, Some(&s), "target_market"), Some(1.0));
        assert_eq!(value_of(&good, None, "target_market"), None);
    }

    #[test]
    fn opportunities_for_a_provider_come_best_first_and_ruled_out_ones_apart() {
        let p = provider("P1");
        let heart = offer(r#","specialties":["221"]"#);
        let mut eyes = offer(r#","specialties":["130"]"#);
        eyes.id = crate::OfferId::parse("F2").unwrap();
        let s = strategy(r#","excluded_countries":["SA"]"#);
        let kuwait = opportunity(r#","specialties":["221"]"#);
        let mut saudi = opportunity(r#","specialties":["221"],"country":"SA""#);
        saudi.id = crate::OpportunityId::parse("O2").unwrap();
        let (nk, ns) = (need_of(&kuwait), need_of(&saudi));
        let pairs = [
            (&kuwait, &nk, candidate(&p, &eyes, Some(&s))),
            (&kuwait, &nk, candidate(&p, &heart, Some(&s))),
            (&saudi, &ns, candidate(&p, &heart, Some(&s))),
        ];
        let ranking = rank_opportunities(pairs, &MatchConfig::default(), 10);
        assert_eq!(ranking.matches.len(), 1);
        assert_eq!(ranking.matches[0].opportunity, "O1");
        assert_eq!(ranking.matches[0].offer, "F1");
        assert_eq!(ranking.excluded[0].opportunity, "O2");
        assert_eq!(ranking.excluded[0].exclusion.rule, Rule::ExcludedCountry);
    }

    #[test]
    fn a_ranking_keeps_each_providers_best_offer_and_lists_the_excluded() {
        let (p1, p2, p3) = (provider("P1"), provider("P2"), provider("P3"));
        let o = opportunity(r#","specialties":["221"]"#);
        let strong = offer(r#","specialties":["221"]"#);
        let weak = offer(r#","specialties":["130"]"#);
        let excluding = strategy(r#","excluded_countries":["KW"]"#);
        let candidates = [
            candidate(&p1, &weak, None),
            candidate(&p1, &strong, None),
            candidate(&p2, &weak, None),
            candidate(&p3, &strong, Some(&excluding)),
        ];
        let ranking = rank(&o, &need_of(&o), candidates, &MatchConfig::default(), 10);
        let order: Vec<&str> = ranking
            .matches
            .iter()
            .map(|m| m.provider.as_str())
            .collect();
        assert_eq!(order, ["P1", "P2"]);
        assert!(ranking.matches[0].fit.score > ranking.matches[1].fit.score);
        assert_eq!(ranking.excluded.len(), 1);
        assert_eq!(
            (
                ranking.excluded[0].provider.as_str(),
                ranking.excluded[0].exclusion.rule
            ),
            ("P3", Rule::ExcludedCountry)
        );
        assert_eq!(ranking.matched, 2);
        let first = rank(&o, &need_of(&o), candidates, &MatchConfig::default(), 1);
        assert_eq!(
            (first.matches.len(), first.matched, first.excluded.len()),
            (1, 2, 1),
            "the best one shown, both counted, the excluded all listed"
        );
        assert_eq!(first.matches[0], ranking.matches[0]);
        let mut reversed = candidates;
        reversed.reverse();
        assert_eq!(
            rank(&o, &need_of(&o), reversed, &MatchConfig::default(), 10),
            ranking,
            "the order of the candidates changes nothing"
        );
    }

    #[test]
    fn a_provider_whose_offers_are_all_excluded_keeps_the_rule_of_its_lowest_offer() {
        let p = provider("P1");
        let o = opportunity(
            r#","specialties":["221"],"requirements":[{"id":"R1","title":"Surgery","service_line":"clinical_advice","days":50}]"#,
        );
        let s = strategy(r#","excluded_countries":["SA"]"#);
        let mut full = offer(r#","specialties":["221"],"capacity_days_per_year":10"#);
        full.id = crate::OfferId::parse("F0").unwrap();
        let small = offer(r#","specialties":["221"],"capacity_days_per_year":20"#);
        for order in [[full.clone(), small.clone()], [small.clone(), full.clone()]] {
            let candidates = order.iter().map(|f| candidate(&p, f, Some(&s)));
            let ranking = rank(&o, &need_of(&o), candidates, &MatchConfig::default(), 10);
            assert_eq!(ranking.excluded.len(), 1);
            assert!(
                ranking.excluded[0]
                    .exclusion
                    .reason
                    .contains("of its 10 a year"),
                "{:?}",
                ranking.excluded[0]
            );
        }
    }
}
