//! `hcx eval screen`: screening measured against the labelled queries in
//! `data/screening/queries.jsonl` (names of the OFAC sample varied as people
//! write them, and names on no list), at the default threshold.
//!
//! A query is a true positive when its expected entity is flagged a match;
//! a false positive when any entity it did not expect is flagged (a
//! negative flagged at all, or a positive that also flags someone else); a
//! false negative when its expected entity is not flagged.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use anyhow::Context;
use hcx_domain::screening::OFAC_SAMPLE;
use hcx_domain::screening::entity::{ListEntity, parse_list};
use hcx_domain::screening::index::ScreeningIndex;
use hcx_domain::screening::names::compare;
use hcx_domain::screening::normalise::normalise;
use hcx_domain::screening::score::screen_batch;

use crate::services::screening::parse_query;

/// The labelled set, shipped in the binary.
const QUERIES: &str = include_str!("../../../data/screening/queries.jsonl");
/// OpenSanctions' labelled name pairs (nomenklatura, MIT): names alone,
/// written by others, so a check on names that the queries did not shape.
const PAIRS: &str = include_str!("../../../data/screening/nomenklatura_name_bench_cases.csv");
/// Results weighed per query.
const LIMIT: usize = 5;

/// One labelled query.
#[derive(Debug)]
struct Labelled {
    query: ListEntity,
    expected: Option<String>,
    variation: String,
}

/// Counts of one group of queries.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub queries: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    /// Positives whose entity was among the candidates at all.
    pub found: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    fn add(&mut self, other: &Counts) {
        self.queries += other.queries;
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.false_negatives += other.false_negatives;
        self.found += other.found;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// What the evaluation found.
#[derive(Debug, Clone)]
pub struct Report {
    pub threshold: f64,
    pub positives: Counts,
    pub negatives: Counts,
    pub by_variation: BTreeMap<String, Counts>,
    /// The name pairs: a pair is a true positive when it should match and
    /// its names score at the threshold or above.
    pub pairs: Counts,
    /// Each query that went wrong: id, variation, what was expected, what
    /// was flagged (or the best result, when nothing was); then each name
    /// pair that went wrong, with its label and score.
    pub mistakes: Vec<String>,
}

impl Report {
    /// Every query together.
    pub fn all(&self) -> Counts {
        let mut all = self.positives;
        all.add(&self.negatives);
        all
    }

    /// Share of the negatives that flagged anything.
    pub fn negatives_flagged(&self) -> f64 {
        ratio(self.negatives.false_positives, self.negatives.queries)
    }

    /// Share of the positives whose entity was among the candidates.
    pub fn candidate_recall(&self) -> f64 {
        ratio(self.positives.found, self.positives.queries)
    }
}

/// Runs the labelled queries against the OFAC sample.
pub fn run(threshold: f64) -> anyhow::Result<Report> {
    let labelled = read_queries()?;
    let list = parse_list(OFAC_SAMPLE)
        .map_err(|bad| anyhow::anyhow!("the OFAC sample does not read: {} bad lines", bad.len()))?;
    let index = ScreeningIndex::new(list);
    let queries: Vec<ListEntity> = labelled.iter().map(|l| l.query.clone()).collect();
    let answers = screen_batch(&index, &queries, threshold, LIMIT);
    let (pairs, pair_mistakes) = name_pairs(threshold)?;
    let mut report = Report {
        threshold,
        positives: Counts::default(),
        negatives: Counts::default(),
        by_variation: BTreeMap::new(),
        pairs,
        mistakes: Vec::new(),
    };
    for (l, hits) in labelled.iter().zip(&answers) {
        let flagged: Vec<&str> = hits
            .iter()
            .filter(|h| h.is_match)
            .map(|h| h.entity.id.as_str())
            .collect();
        let mut c = Counts {
            queries: 1,
            ..Counts::default()
        };
        match &l.expected {
            Some(expected) => {
                let names: Vec<_> = l.query.all_names().map(normalise).collect();
                c.found = usize::from(
                    index
                        .candidates(&names)
                        .iter()
                        .any(|cand| &cand.entity.id == expected),
                );
                if flagged.contains(&expected.as_str()) {
                    c.true_positives = 1;
                } else {
                    c.false_negatives = 1;
                }
                c.false_positives = usize::from(flagged.iter().any(|f| f != expected));
            }
            None => c.false_positives = usize::from(!flagged.is_empty()),
        }
        if c.false_negatives + c.false_positives > 0 {
            let shown: Vec<String> = hits
                .iter()
                .take(if flagged.is_empty() { 1 } else { flagged.len() })
                .map(|h| format!("{} {:.3}", h.entity.id, h.score))
                .collect();
            report.mistakes.push(format!(
                "{:<6} {:<22} {:<28} expected {:<11} got {}",
                l.query.id,
                l.variation,
                l.query.names.first().map_or("", String::as_str),
                l.expected.as_deref().unwrap_or("nothing"),
                if shown.is_empty() {
                    "no result".to_owned()
                } else {
                    shown.join(", ")
                }
            ));
        }
        if l.expected.is_some() {
            report.positives.add(&c);
        } else {
            report.negatives.add(&c);
        }
        report
            .by_variation
            .entry(l.variation.clone())
            .or_default()
            .add(&c);
    }
    report.mistakes.extend(pair_mistakes);
    Ok(report)
}

/// The name pairs scored by their names alone.
fn name_pairs(threshold: f64) -> anyhow::Result<(Counts, Vec<String>)> {
    let (mut counts, mut mistakes) = (Counts::default(), Vec::new());
    // Columns: case_group, schema, name1, name2, is_match, …
    for (i, row) in csv::Reader::from_reader(PAIRS.as_bytes())
        .records()
        .enumerate()
    {
        let row = row.with_context(|| {
            format!(
                "data/screening/nomenklatura_name_bench_cases.csv: row {}",
                i + 1
            )
        })?;
        let field = |n: usize| row.get(n).unwrap_or_default();
        let (a, b, is_match) = (field(2), field(3), field(4));
        let score = compare(&normalise(a), &normalise(b)).score;
        let flagged = score >= threshold;
        counts.queries += 1;
        if flagged != (is_match == "true") {
            mistakes.push(format!(
                "pair {:<4} {is_match:<5} {score:.3}  {a}  |  {b}",
                i + 1
            ));
        }
        match (is_match == "true", flagged) {
            (true, true) => counts.true_positives += 1,
            (true, false) => counts.false_negatives += 1,
            (false, true) => counts.false_positives += 1,
            (false, false) => {}
        }
    }
    Ok((counts, mistakes))
}

fn read_queries() -> anyhow::Result<Vec<Labelled>> {
    QUERIES
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let at = || format!("data/screening/queries.jsonl: line {}", i + 1);
            let value: serde_json::Value = serde_json::from_str(line).with_context(at)?;
            let query = parse_query(&value, "").map_err(|e| anyhow::anyhow!("{}: {e}", at()))?;
            Ok(Labelled {
                query,
                expected: value["expected"].as_str().map(str::to_owned),
                variation: value["variation"].as_str().unwrap_or("").to_owned(),
            })
        })
        .collect()
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all = self.all();
        writeln!(
            f,
            "screening {} labelled queries ({} positives, {} negatives) against the OFAC sample, threshold {}",
            all.queries, self.positives.queries, self.negatives.queries, self.threshold
        )?;
        writeln!(
            f,
            "  precision {:.3}  recall {:.3}  F1 {:.3}",
            all.precision(),
            all.recall(),
            all.f1()
        )?;
        writeln!(
            f,
            "  negatives flagged {:.1}% ({} of {}); positives flagging someone else as well: {}",
            self.negatives_flagged() * 100.0,
            self.negatives.false_positives,
            self.negatives.queries,
            self.positives.false_positives
        )?;
        writeln!(
            f,
            "  the expected entity among the candidates: {:.1}% ({} of {})",
            self.candidate_recall() * 100.0,
            self.positives.found,
            self.positives.queries
        )?;
        let mut table = String::new();
        for (variation, c) in &self.by_variation {
            let rate = if c.true_positives + c.false_negatives > 0 {
                format!("recall {:.3}", c.recall())
            } else {
                format!("flagged {}", c.false_positives)
            };
            writeln!(
                table,
                "    {variation:<22} {:>4} queries  {rate}",
                c.queries
            )?;
        }
        write!(f, "  by variation:\n{table}")?;
        writeln!(
            f,
            "nomenklatura's {} labelled name pairs, names alone: precision {:.3}  recall {:.3}  F1 {:.3}",
            self.pairs.queries,
            self.pairs.precision(),
            self.pairs.recall(),
            self.pairs.f1()
        )
    }
}
