//! `hcx bench screen`: screening speed against the OFAC sample, and the
//! index at scale against a generated list of a million entities.
//!
//! Queries are the list's own names as people mistype them (word order
//! reversed, a middle name left out, a typo in the longest word), with one
//! in five ordinary names that are not listed; the generated list combines
//! the given names, surnames and company words of the OFAC sample, so its
//! words are as common as real ones.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use hcx_domain::screening::OFAC_SAMPLE;
use hcx_domain::screening::entity::{ListEntity, Schema, parse_list};
use hcx_domain::screening::index::ScreeningIndex;
use hcx_domain::screening::normalise::normalise;
use hcx_domain::screening::score::{DEFAULT_THRESHOLD, screen, screen_batch};

use crate::bench::{Lcg, machine, ms, quantile};

/// Results asked for per query.
const LIMIT: usize = 5;
/// Names that are on no list, for the queries that should find nothing.
const ORDINARY: [&str; 12] = [
    "Margaret Thompson",
    "Oluwaseun Adeyemi",
    "Priya Raghunathan",
    "Chen Wei Ling",
    "Fatima Zahra Benali",
    "Giovanni Rossi",
    "Hamad Medical Corporation",
    "Aga Khan University Hospital",
    "Ministry of Health Kuwait",
    "Siobhan O'Connell",
    "Kim Min-jun",
    "Ana Lucia Fernandes",
];

/// Runs the benchmark; `generated` is the size of the generated list (0: none).
pub fn run(queries: usize, generated: usize) -> anyhow::Result<String> {
    let entities = parse_list(OFAC_SAMPLE)
        .map_err(|bad| anyhow::anyhow!("the OFAC sample does not read: {} bad lines", bad.len()))?;
    let mut out = String::new();
    let started = Instant::now();
    let index = ScreeningIndex::new(entities.clone());
    let built = started.elapsed();
    let asked = varied_queries(index.entities(), queries);
    let (p50, p90, p99, matched) = one_at_a_time(&index, &asked);
    let started = Instant::now();
    let answered = screen_batch(&index, &asked, DEFAULT_THRESHOLD, LIMIT);
    let batch = started.elapsed();
    writeln!(
        out,
        "screening against the OFAC sample: {} entities, {} names, index built in {:.2} s\n  one query at a time, {} queries (1 in 5 not listed): p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms; {:.1}% have a match\n  batch of {} on all cores: {:.2} s, {:.0} queries/s",
        index.entities().len(),
        index.name_count(),
        built.as_secs_f64(),
        asked.len(),
        ms(p50),
        ms(p90),
        ms(p99),
        matched * 100.0,
        answered.len(),
        batch.as_secs_f64(),
        answered.len() as f64 / batch.as_secs_f64(),
    )?;
    drop(index);
    if generated > 0 {
        let before = resident_kib();
        let list = generate_list(&entities, generated);
        drop(entities);
        let generated_kib = resident_kib().saturating_sub(before);
        let started = Instant::now();
        let index = ScreeningIndex::new(list);
        let built = started.elapsed();
        let index_kib = resident_kib().saturating_sub(before);
        let asked = varied_queries(index.entities(), queries.min(2_000));
        let (p50, p90, p99, matched) = one_at_a_time(&index, &asked);
        writeln!(
            out,
            "screening against a generated list: {} entities, {} names\n  index built in {:.1} s; resident memory {:.2} GB with the index (the entities alone {:.2} GB), peak {:.2} GB\n  one query at a time, {} queries: p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms; {:.1}% have a match",
            index.entities().len(),
            index.name_count(),
            built.as_secs_f64(),
            gb(index_kib),
            gb(generated_kib),
            gb(peak_kib()),
            asked.len(),
            ms(p50),
            ms(p90),
            ms(p99),
            matched * 100.0,
        )?;
    }
    writeln!(out, "{}", machine())?;
    Ok(out)
}

/// Each query screened alone: its latency quantiles, and the share of
/// queries with a match.
fn one_at_a_time(
    index: &ScreeningIndex,
    queries: &[ListEntity],
) -> (Duration, Duration, Duration, f64) {
    let mut times = Vec::with_capacity(queries.len());
    let mut matched = 0;
    for q in queries {
        let started = Instant::now();
        let hits = screen(index, q, DEFAULT_THRESHOLD, LIMIT);
        times.push(started.elapsed());
        matched += usize::from(hits.first().is_some_and(|h| h.is_match));
    }
    times.sort();
    (
        quantile(&times, 0.5),
        quantile(&times, 0.9),
        quantile(&times, 0.99),
        matched as f64 / queries.len().max(1) as f64,
    )
}

/// `count` queries: listed names varied as people write them, and one in
/// five ordinary names.
fn varied_queries(entities: &[ListEntity], count: usize) -> Vec<ListEntity> {
    let mut rng = Lcg(5);
    (0..count)
        .map(|i| {
            if i % 5 == 4 {
                return query(i, Schema::LegalEntity, rng.pick(&ORDINARY).to_string());
            }
            let e = rng.pick(entities);
            let mut tokens = normalise(&e.names[0]).tokens;
            match i % 4 {
                0 => tokens.reverse(),
                1 if tokens.len() >= 3 => {
                    tokens.remove(1);
                }
                2 => {
                    if let Some(longest) = tokens.iter_mut().max_by_key(|t| t.len())
                        && longest.len() >= 5
                    {
                        let middle = longest.len() / 2;
                        longest.replace_range(middle..=middle, "e");
                    }
                }
                _ => {}
            }
            query(i, e.schema, tokens.join(" "))
        })
        .collect()
}

fn query(i: usize, schema: Schema, name: String) -> ListEntity {
    ListEntity {
        id: format!("q{i}"),
        schema,
        names: vec![name],
        aliases: Vec::new(),
        weak_aliases: Vec::new(),
        birth_dates: Vec::new(),
        countries: Vec::new(),
        identifiers: Vec::new(),
        topics: Vec::new(),
    }
}

/// A list of `count` entities made of the sample's words: people from its
/// given names and surnames (a third with a middle name, some with an
/// alias and a birth date), organisations from its company words.
fn generate_list(sample: &[ListEntity], count: usize) -> Vec<ListEntity> {
    let (mut given, mut surnames, mut words) = (Vec::new(), Vec::new(), Vec::new());
    for e in sample {
        let tokens = normalise(&e.names[0]).tokens;
        if e.schema == Schema::Person && tokens.len() >= 2 {
            given.push(tokens[0].clone());
            surnames.push(tokens[tokens.len() - 1].clone());
        } else if e.schema != Schema::Person {
            words.extend(tokens.into_iter().filter(|t| t.len() > 2));
        }
    }
    let mut rng = Lcg(11);
    (0..count)
        .map(|i| {
            let mut e = query(i, Schema::Person, String::new());
            e.id = format!("gen-{i}");
            e.topics = vec!["sanction".into()];
            if i % 2 == 0 {
                let mut name = vec![rng.pick(&given).clone()];
                if i % 3 == 0 {
                    name.push(rng.pick(&given).clone());
                }
                name.push(rng.pick(&surnames).clone());
                e.names = vec![name.join(" ")];
                if i % 4 == 0 {
                    e.aliases = vec![format!("{} {}", rng.pick(&given), name[name.len() - 1])];
                    e.birth_dates = vec![format!("{}", 1940 + rng.next() % 60)];
                }
            } else {
                e.schema = Schema::Company;
                let n = 2 + (rng.next() % 3) as usize;
                let name: Vec<&str> = (0..n).map(|_| rng.pick(&words).as_str()).collect();
                e.names = vec![format!("{} LLC", name.join(" "))];
            }
            e
        })
        .collect()
}

/// This process's resident memory now, in KiB (Linux).
fn resident_kib() -> u64 {
    status_kib("VmRSS:")
}

/// This process's highest resident memory so far, in KiB (Linux).
fn peak_kib() -> u64 {
    status_kib("VmHWM:")
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn gb(kib: u64) -> f64 {
    kib as f64 / 1024.0 / 1024.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_list_and_queries_are_repeatable_and_valid() {
        let sample = parse_list(OFAC_SAMPLE).unwrap();
        let list = generate_list(&sample, 1_000);
        assert_eq!(list.len(), 1_000);
        let again = generate_list(&sample, 1_000);
        assert!(list.iter().zip(&again).all(|(a, b)| a == b));
        assert!(list.iter().all(|e| !e.names[0].trim().is_empty()));
        let queries = varied_queries(&list, 50);
        assert_eq!(queries.len(), 50);
        assert_eq!(queries[4].names[0], varied_queries(&list, 50)[4].names[0]);
    }
}
