//! `hcx bench`: repeatable measurements on generated data (import throughput,
//! search latency), printed with the machine they ran on.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use hcx_domain::opportunity::Status;
use hcx_domain::reference::reference;
use hcx_domain::vocab::{ServiceLine, Source as OpportunitySource};
use hcx_domain::{CountryCode, ValueBand};
use hcx_search::OpportunityQuery;

use crate::services::import::Source;
use crate::services::{App, Caller};

/// Countries the generated opportunities come from, with their currency.
const MARKETS: [(&str, &str); 10] = [
    ("AE", "AED"),
    ("SA", "SAR"),
    ("KW", "KWD"),
    ("QA", "QAR"),
    ("JO", "JOD"),
    ("CN", "CNY"),
    ("IN", "INR"),
    ("MY", "MYR"),
    ("EG", "EGP"),
    ("KE", "KES"),
];

const NEEDS: [&str; 12] = [
    "diabetes prevention and care programme",
    "children's heart surgery service",
    "intensive care nursing education",
    "cancer centre partnership",
    "eye hospital operation",
    "mental health service redesign",
    "emergency medicine training",
    "digital outpatient clinics",
    "maternity safety improvement",
    "stroke pathway development",
    "renal dialysis network",
    "hospital management consultancy",
];

const PLACES: [&str; 8] = [
    "capital",
    "northern region",
    "coastal province",
    "new city",
    "university hospital",
    "military hospital",
    "ministry network",
    "private group",
];

/// A small deterministic generator, so every run measures the same data.
#[derive(Debug)]
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() as usize) % items.len()]
    }
}

/// Interchange JSON Lines: one buyer per market, then `count` opportunities.
pub fn generate_world(count: usize) -> String {
    let mut rng = Lcg(2027);
    let specialties: Vec<&str> = reference()
        .specialties()
        .filter(|s| s.is_active())
        .map(|s| s.code.as_str())
        .collect();
    let mut out = String::with_capacity(count * 700);
    for (country, _) in MARKETS {
        let _ = writeln!(
            out,
            r#"{{"record":"organisation","id":"BUYER-{country}","name":"Ministry of Health {country}","kind":"buyer","sector":"government","country":"{country}"}}"#
        );
    }
    for i in 0..count {
        let (country, currency) = *rng.pick(&MARKETS);
        let need = rng.pick(&NEEDS);
        let place = rng.pick(&PLACES);
        let line = rng.pick(ServiceLine::ALL).as_str();
        let specialty = rng.pick(&specialties);
        let status =
            ["published", "published", "published", "draft", "closed"][(rng.next() % 5) as usize];
        let source = rng.pick(OpportunitySource::ALL).as_str();
        let amount = 50_000 + rng.next() % 20_000_000;
        let _ = writeln!(
            out,
            r#"{{"record":"opportunity","id":"GEN-{i:07}","buyer":"BUYER-{country}","country":"{country}","title":"{need} for the {place}","description":"The ministry seeks a UK partner for a {need} serving the {place}, including training of local staff, clinical governance and a plan for sustainability over {years} years.","service_lines":["{line}"],"specialties":["{specialty}"],"value":{{"amount":{amount},"currency":"{currency}"}},"response_due":"2027-0{month}-15","source":"{source}","status":"{status}"}}"#,
            years = 1 + rng.next() % 5,
            month = 1 + rng.next() % 9,
        );
    }
    out
}

/// Imports `count` generated opportunities into `app` and reports the throughput.
pub async fn import(app: &App, count: usize) -> anyhow::Result<String> {
    let text = generate_world(count);
    let records = text.lines().count();
    let started = Instant::now();
    let mut written_at = None;
    let report = app
        .import(
            &Caller::command_line(),
            &[Source {
                name: "generated.jsonl".into(),
                text,
            }],
            &mut |p| {
                if p == crate::services::import::Progress::Indexing {
                    written_at = Some(started.elapsed());
                }
            },
        )
        .await?;
    let total = started.elapsed();
    let written = written_at.unwrap_or(total);
    Ok(format!(
        "import of {records} records ({} created, {} unchanged) on {:?}\n  check + write: {:.2} s ({:.0} records/s)\n  with indexing: {:.2} s ({:.0} records/s)\n{}",
        report.summary.created,
        report.summary.unchanged,
        app.store.backend(),
        written.as_secs_f64(),
        records as f64 / written.as_secs_f64(),
        total.as_secs_f64(),
        records as f64 / total.as_secs_f64(),
        machine()
    ))
}

/// Times `queries` filtered searches through the app (the index, then the
/// page's records loaded from the store) over the opportunities already in it.
pub async fn search(app: &App, queries: usize) -> anyhow::Result<String> {
    let count = app
        .store
        .counts()
        .await?
        .opportunities_by_status
        .iter()
        .map(|(_, n)| n)
        .sum::<i64>();
    let mut rng = Lcg(7);
    let mut times: Vec<Duration> = Vec::with_capacity(queries);
    for _ in 0..queries {
        let words: Vec<&str> = rng.pick(&NEEDS).split(' ').collect();
        let (country, _) = rng.pick(&MARKETS);
        let query = OpportunityQuery {
            text: Some(words[..2].join(" ")),
            countries: vec![CountryCode::parse(country).map_err(anyhow::Error::msg)?],
            statuses: vec![Status::Published],
            value_bands: if rng.next().is_multiple_of(2) {
                vec![ValueBand::From1mTo10m]
            } else {
                vec![]
            },
            ..OpportunityQuery::default()
        };
        let started = Instant::now();
        let found = app
            .search_opportunities(&Caller::command_line(), query)
            .await?;
        times.push(started.elapsed());
        std::hint::black_box(found);
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    Ok(format!(
        "search over {count} opportunities on {:?}, {queries} queries (text + country + status, half with a value band; 20 records loaded, all facets)\n  p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms\n{}",
        app.store.backend(),
        ms(at(0.50)),
        ms(at(0.90)),
        ms(at(0.99)),
        ms(times[times.len() - 1]),
        machine()
    ))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The machine, for the record: cores and processor model.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown processor".into());
    format!("  machine: {cores} cores, {model}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_worlds_are_valid_and_repeatable() {
        let text = generate_world(200);
        assert_eq!(text, generate_world(200));
        let batch = hcx_domain::Batch::from_jsonl(&text);
        assert_eq!(batch.errors, vec![]);
        assert_eq!(batch.records.len(), 210);
    }
}
