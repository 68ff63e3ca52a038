//! Twinning: long-term partnerships between one UK provider and one overseas
//! buyer (a hospital, a ministry), suggested from everything the buyer has
//! asked for and what the provider offers and intends — as a score in [0, 1]
//! made of weighted parts, each with a sentence of reason.
//!
//! The fit with the buyer's needs is matchmaking's own ([`matching::score`]
//! over the buyer's opportunities, every status); the long-term parts are the
//! provider's target markets, its experience in the buyer's country, the
//! languages the buyer works in and whether it offers long-term partnerships.
//! A provider whose strategy rules out the buyer's country, or that is red at
//! home, is never suggested.
//!
//! Pure: the caller brings the records.

use serde::{Deserialize, Serialize};

use crate::matching::{self, Candidate, Exclusion, Feature, Match, MatchConfig, Need, Rule};
use crate::offer::Offer;
use crate::opportunity::Opportunity;
use crate::organisation::Organisation;
use crate::strategy::Strategy;
use crate::vocab::{DomesticStatus, ServiceLine};

/// How much each part of a twinning score counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TwinningConfig {
    /// How well the provider's offers meet what the buyer has asked for.
    pub needs: f64,
    /// The buyer's country among the provider's target markets.
    pub target_market: f64,
    /// The provider has worked in the buyer's country.
    pub experience: f64,
    /// The provider works in the languages the buyer's needs ask for.
    pub language: f64,
    /// The provider offers long-term partnerships at all.
    pub partnership: f64,
    /// Pairs scoring below this are not suggested.
    pub min_score: f64,
}

impl Default for TwinningConfig {
    fn default() -> Self {
        TwinningConfig {
            needs: 0.50,
            target_market: 0.15,
            experience: 0.15,
            language: 0.10,
            partnership: 0.10,
            min_score: 0.10,
        }
    }
}

/// The UK side of a pair: a provider with its offers and strategy.
#[derive(Debug, Clone, Copy)]
pub struct ProviderSide<'a> {
    pub organisation: &'a Organisation,
    pub offers: &'a [Offer],
    pub strategy: Option<&'a Strategy>,
    /// Whether the strategy's target markets count (and show): only for
    /// those who may see the provider's strategy. Its hard rules apply anyway.
    pub reveal_targets: bool,
}

/// The overseas side of a pair: a buyer and everything it has asked for,
/// each opportunity with what it was read as asking.
#[derive(Debug, Clone, Copy)]
pub struct BuyerSide<'a> {
    pub organisation: &'a Organisation,
    pub needs: &'a [(Opportunity, Need)],
}

/// The rules that keep a provider away from a buyer's country, whatever the
/// fit: its strategy excludes the country, or it is red at home.
pub fn exclusion(p: &ProviderSide<'_>, buyer: &Organisation) -> Option<Exclusion> {
    let s = p.strategy?;
    if s.excluded_countries.contains(&buyer.country) {
        return Some(Exclusion {
            rule: Rule::ExcludedCountry,
            reason: format!("its strategy rules out work in {}", buyer.country.name()),
        });
    }
    (s.domestic_status == Some(DomesticStatus::Red)).then(|| Exclusion {
        rule: Rule::DomesticRed,
        reason: "it is red at home and takes no new international work".into(),
    })
}

/// A part before weighting: `None` when it does not apply to the pair.
type Part = Option<(f64, String)>;

/// The best matchmaking score of the provider's offers for each of the
/// buyer's needs, from the features that describe the work (words, country
/// and target market are weighed here as long-term parts instead); half the
/// best, half the mean, so one strong fit counts and so does breadth.
fn needs_fit(p: &ProviderSide<'_>, b: &BuyerSide<'_>, config: &MatchConfig) -> Part {
    if b.needs.is_empty() {
        return None;
    }
    let work_only = MatchConfig {
        text: 0.0,
        experience: 0.0,
        target_market: 0.0,
        ..config.clone()
    };
    let best_per_need: Vec<(&Opportunity, f64)> = b
        .needs
        .iter()
        .map(|(o, need)| {
            let best = p
                .offers
                .iter()
                .filter_map(|offer| {
                    let c = Candidate {
                        provider: p.organisation,
                        offer,
                        strategy: p.strategy,
                        text: 0.0,
                        committed_days: 0,
                        blocked: None,
                    };
                    matching::score(o, need, &c, &work_only).ok()
                })
                .fold(0.0, f64::max);
            (o, best)
        })
        .collect();
    let n = best_per_need.len();
    let mean = best_per_need.iter().map(|(_, s)| s).sum::<f64>() / n as f64;
    let (top, best) = best_per_need
        .iter()
        .copied()
        .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.id.cmp(&a.0.id)))?;
    let fitting = best_per_need
        .iter()
        .filter(|(_, s)| *s >= config.min_score)
        .count();
    let reason = if fitting == 0 {
        format!("its offers meet none of the {n} needs the buyer has recorded")
    } else {
        format!(
            "its offers meet {fitting} of the {n} needs the buyer has recorded, best \u{201c}{}\u{201d} ({:.0}%)",
            top.title,
            best * 100.0
        )
    };
    Some(((best + mean) / 2.0, reason))
}

fn target_fit(p: &ProviderSide<'_>, buyer: &Organisation) -> Part {
    let s = p.strategy.filter(|_| p.reveal_targets)?;
    let country = buyer.country.name();
    Some(if s.target_countries.contains(&buyer.country) {
        (1.0, format!("{country} is one of its target markets"))
    } else {
        (0.0, format!("{country} is not among its target markets"))
    })
}

fn experience_fit(p: &ProviderSide<'_>, buyer: &Organisation) -> Part {
    let country = buyer.country.name();
    let offers = p
        .offers
        .iter()
        .filter(|o| o.countries_of_experience.contains(&buyer.country))
        .count();
    Some(match offers {
        0 => (0.0, format!("has no recorded work in {country}")),
        1 => (1.0, format!("has worked in {country} (one offer)")),
        n => (1.0, format!("has worked in {country} ({n} offers)")),
    })
}

fn language_fit(p: &ProviderSide<'_>, b: &BuyerSide<'_>) -> Part {
    let mut asked: Vec<&str> = b
        .needs
        .iter()
        .flat_map(|(o, _)| o.languages.iter().map(|l| l.as_str()))
        .collect();
    asked.sort_unstable();
    asked.dedup();
    if asked.is_empty() {
        return None;
    }
    let spoken: Vec<&str> = asked
        .iter()
        .copied()
        .filter(|l| {
            *l == "en"
                || p.offers
                    .iter()
                    .any(|o| o.languages.iter().any(|x| x.as_str() == *l))
        })
        .collect();
    let value = spoken.len() as f64 / asked.len() as f64;
    Some(if spoken.is_empty() {
        (
            0.0,
            format!("works in none of {} asked for", asked.join(", ")),
        )
    } else {
        (
            value,
            format!("works in {} of those asked for", spoken.join(", ")),
        )
    })
}

fn partnership_fit(p: &ProviderSide<'_>) -> Part {
    let offers = p
        .offers
        .iter()
        .filter(|o| o.service_lines.contains(&ServiceLine::Partnership))
        .count();
    Some(if offers > 0 {
        (1.0, "offers long-term partnerships".into())
    } else {
        (0.0, "offers no long-term partnership yet".into())
    })
}

/// Weighs one provider against one buyer: the country rules first, then the
/// parts that apply, weighted so that their weights sum to one.
pub fn assess(
    p: &ProviderSide<'_>,
    b: &BuyerSide<'_>,
    config: &TwinningConfig,
    matching: &MatchConfig,
) -> Result<Match, Exclusion> {
    if let Some(e) = exclusion(p, b.organisation) {
        return Err(e);
    }
    let parts: [(&'static str, f64, Part); 5] = [
        ("needs", config.needs, needs_fit(p, b, matching)),
        (
            "target_market",
            config.target_market,
            target_fit(p, b.organisation),
        ),
        (
            "experience",
            config.experience,
            experience_fit(p, b.organisation),
        ),
        ("language", config.language, language_fit(p, b)),
        ("partnership", config.partnership, partnership_fit(p)),
    ];
    let applying: f64 = parts
        .iter()
        .filter_map(|(_, w, part)| part.as_ref().map(|_| w))
        .sum();
    let mut features = Vec::with_capacity(parts.len());
    for (name, weight, part) in parts {
        let Some((value, reason)) = part else {
            continue;
        };
        let weight = if applying > 0.0 {
            weight / applying
        } else {
            0.0
        };
        features.push(Feature {
            name,
            value,
            weight,
            contribution: value * weight,
            reason,
        });
    }
    let score = features.iter().map(|f| f.contribution).sum::<f64>();
    Ok(Match {
        score: score.clamp(0.0, 1.0),
        features,
    })
}

/// A suggested partner, and how well the pair fits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub partner: String,
    #[serde(flatten)]
    pub fit: Match,
}

/// The partners to suggest, best first (ties to the lower id): at most `top`
/// of those scoring at least the minimum, plus any that `keep` names (a
/// partner either side has already expressed interest in) whatever its rank.
/// A partner a rule keeps out is never suggested.
pub fn suggest(
    outcomes: impl IntoIterator<Item = (String, Result<Match, Exclusion>)>,
    keep: impl Fn(&str) -> bool,
    top: usize,
    config: &TwinningConfig,
) -> Vec<Suggestion> {
    let mut fits: Vec<Suggestion> = outcomes
        .into_iter()
        .filter_map(|(partner, outcome)| outcome.ok().map(|fit| Suggestion { partner, fit }))
        .collect();
    fits.sort_by(|a, b| {
        b.fit
            .score
            .total_cmp(&a.fit.score)
            .then_with(|| a.partner.cmp(&b.partner))
    });
    let mut shown = 0;
    fits.retain(|s| {
        let ranked = shown < top && s.fit.score >= config.min_score;
        shown += usize::from(ranked);
        ranked || keep(&s.partner)
    });
    fits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Record;

    fn record(line: &str) -> Record {
        Record::parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    fn organisation(id: &str, kind: &str, country: &str) -> Organisation {
        match record(&format!(
            r#"{{"record":"organisation","id":"{id}","name":"{id}","kind":"{kind}","sector":"nhs","country":"{country}"}}"#
        )) {
            Record::Organisation(o) => o,
            _ => unreachable!(),
        }
    }

    fn offer(fields: &str) -> Offer {
        match record(&format!(
            r#"{{"record":"offer","id":"F1","provider":"P1","title":"Paediatric cardiac surgery","description":"Children's heart surgery training","service_lines":["education_training"],"delivery_modes":["in_country"],"specialties":["221"]{fields}}}"#
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

    fn need(id: &str, fields: &str) -> (Opportunity, Need) {
        let Record::Opportunity(o) = record(&format!(
            r#"{{"record":"opportunity","id":"{id}","buyer":"B1","country":"KW","title":"Children's heart programme","description":"Train paediatric cardiac teams","source":"post","status":"closed"{fields}}}"#
        )) else {
            unreachable!()
        };
        let need = Need {
            specialties: o.specialties.clone(),
            service_lines: o.service_lines.clone(),
            delivery_modes: o.delivery_modes.clone(),
            inferred: false,
        };
        (o, need)
    }

    fn score(
        provider: &Organisation,
        offers: &[Offer],
        strategy: Option<&Strategy>,
        buyer: &Organisation,
        needs: &[(Opportunity, Need)],
    ) -> Result<Match, Exclusion> {
        assess(
            &ProviderSide {
                organisation: provider,
                offers,
                strategy,
                reveal_targets: true,
            },
            &BuyerSide {
                organisation: buyer,
                needs,
            },
            &TwinningConfig::default(),
            &MatchConfig::default(),
        )
    }

    #[test]
    fn a_provider_whose_strategy_excludes_the_country_or_that_is_red_is_never_suggested() {
        let p = organisation("P1", "provider", "GB");
        let kuwait = organisation("B1", "buyer", "KW");
        let jordan = organisation("B2", "buyer", "JO");
        let offers = [offer(r#","countries_of_experience":["KW"]"#)];
        let needs = [need("O1", r#","specialties":["221"]"#)];
        let excluding = strategy(r#","excluded_countries":["KW"]"#);
        let e = score(&p, &offers, Some(&excluding), &kuwait, &needs).unwrap_err();
        assert_eq!(e.rule, Rule::ExcludedCountry);
        assert!(score(&p, &offers, Some(&excluding), &jordan, &[]).is_ok());
        let red = strategy(r#","domestic_status":"red","target_countries":["KW"]"#);
        let e = score(&p, &offers, Some(&red), &kuwait, &needs).unwrap_err();
        assert_eq!(e.rule, Rule::DomesticRed);

        let outcomes = vec![
            ("B1".to_owned(), Err(e)),
            (
                "B2".to_owned(),
                score(&p, &offers, None, &jordan, &[]).map(|mut m| {
                    m.score = 0.5;
                    m
                }),
            ),
        ];
        let shown = suggest(outcomes, |_| true, 10, &TwinningConfig::default());
        let partners: Vec<&str> = shown.iter().map(|s| s.partner.as_str()).collect();
        assert_eq!(partners, ["B2"], "even interest does not bring back B1");
    }

    #[test]
    fn the_buyers_country_among_the_target_markets_raises_the_score() {
        let p = organisation("P1", "provider", "GB");
        let kuwait = organisation("B1", "buyer", "KW");
        let offers = [offer("")];
        let needs = [need("O1", r#","specialties":["221"]"#)];
        let targeting = strategy(r#","target_countries":["KW"]"#);
        let elsewhere = strategy(r#","target_countries":["JO"]"#);
        let high = score(&p, &offers, Some(&targeting), &kuwait, &needs).unwrap();
        let low = score(&p, &offers, Some(&elsewhere), &kuwait, &needs).unwrap();
        assert!(high.score > low.score, "{} vs {}", high.score, low.score);
        let part = |m: &Match| {
            m.features
                .iter()
                .find(|f| f.name == "target_market")
                .cloned()
        };
        assert_eq!(part(&high).map(|f| f.value), Some(1.0));
        assert_eq!(part(&low).map(|f| f.value), Some(0.0));

        let hidden = assess(
            &ProviderSide {
                organisation: &p,
                offers: &offers,
                strategy: Some(&targeting),
                reveal_targets: false,
            },
            &BuyerSide {
                organisation: &kuwait,
                needs: &needs,
            },
            &TwinningConfig::default(),
            &MatchConfig::default(),
        )
        .unwrap();
        assert_eq!(part(&hidden), None, "the strategy is not shown to others");
    }

    #[test]
    fn meeting_the_buyers_needs_experience_and_languages_each_raise_the_score() {
        let p = organisation("P1", "provider", "GB");
        let kuwait = organisation("B1", "buyer", "KW");
        let needs = [
            need("O1", r#","specialties":["221"],"languages":["ar"]"#),
            need("O2", r#","specialties":["130"]"#),
        ];
        let plain = [offer(r#","specialties":["101"]"#)];
        let fitting = [offer("")];
        let experienced = [offer(r#","countries_of_experience":["KW"]"#)];
        let speaking = [offer(
            r#","countries_of_experience":["KW"],"languages":["ar"]"#,
        )];
        let partnering = [offer(
            r#","countries_of_experience":["KW"],"languages":["ar"],"service_lines":["education_training","partnership"]"#,
        )];
        let scores: Vec<f64> = [&plain, &fitting, &experienced, &speaking, &partnering]
            .iter()
            .map(|offers| score(&p, *offers, None, &kuwait, &needs).unwrap().score)
            .collect();
        assert!(
            scores.windows(2).all(|w| w[0] < w[1]),
            "each step adds: {scores:?}"
        );
        let m = score(&p, &partnering, None, &kuwait, &needs).unwrap();
        let needs_part = m.features.iter().find(|f| f.name == "needs").unwrap();
        assert!(
            needs_part.reason.contains("1 of the 2 needs"),
            "{}",
            needs_part.reason
        );
    }

    #[test]
    fn scores_stay_in_range_and_weights_of_the_parts_that_apply_sum_to_one() {
        let p = organisation("P1", "provider", "GB");
        let kuwait = organisation("B1", "buyer", "KW");
        let best = [offer(
            r#","countries_of_experience":["KW"],"languages":["ar"],"service_lines":["education_training","partnership"]"#,
        )];
        let target = strategy(r#","target_countries":["KW"]"#);
        let needs = [need(
            "O1",
            r#","specialties":["221"],"service_lines":["education_training"],"delivery_modes":["in_country"],"languages":["ar"]"#,
        )];
        for (offers, s, needs) in [
            (&best[..], Some(&target), &needs[..]),
            (&best[..], None, &[][..]),
            (&[][..], None, &needs[..]),
            (&[][..], None, &[][..]),
        ] {
            let m = score(&p, offers, s, &kuwait, needs).unwrap();
            assert!((0.0..=1.0).contains(&m.score), "{}", m.score);
            let weights: f64 = m.features.iter().map(|f| f.weight).sum();
            assert!((weights - 1.0).abs() < 1e-9, "{weights}");
            let sum: f64 = m.features.iter().map(|f| f.contribution).sum();
            assert!((m.score - sum).abs() < 1e-9);
            assert!(m.features.iter().all(|f| !f.reason.is_empty()));
        }
        let top = score(&p, &best, Some(&target), &kuwait, &needs).unwrap();
        assert!(
            top.score > 0.9,
            "a pair fitting in every part: {}",
            top.score
        );
        assert!(
            score(&p, &best, None, &kuwait, &[])
                .unwrap()
                .features
                .iter()
                .all(|f| f.name != "needs" && f.name != "language"),
            "a buyer with no needs recorded is weighed on the long-term parts"
        );
    }

    #[test]
    fn suggestions_come_best_first_keep_the_top_and_those_with_interest() {
        let fit = |score: f64| {
            Ok(Match {
                score,
                features: vec![],
            })
        };
        let outcomes = || {
            vec![
                ("B".to_owned(), fit(0.4)),
                ("A".to_owned(), fit(0.4)),
                ("C".to_owned(), fit(0.9)),
                ("D".to_owned(), fit(0.05)),
                ("E".to_owned(), fit(0.2)),
            ]
        };
        let config = TwinningConfig::default();
        let order = |s: Vec<Suggestion>| s.into_iter().map(|s| s.partner).collect::<Vec<_>>();
        assert_eq!(
            order(suggest(outcomes(), |_| false, 10, &config)),
            ["C", "A", "B", "E"]
        );
        assert_eq!(
            order(suggest(outcomes(), |_| false, 2, &config)),
            ["C", "A"]
        );
        assert_eq!(
            order(suggest(outcomes(), |p| p == "D" || p == "E", 2, &config)),
            ["C", "A", "E", "D"]
        );
    }
}
