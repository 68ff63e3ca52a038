//! `hcx bench`: repeatable measurements on generated data (import throughput,
//! search latency, pages served under load), printed with the machine they ran on.

use std::fmt::{self, Write as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderValue, Request, StatusCode, Uri, header};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

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

/// What each load client asks for, in turn; `{opportunity}` is a published opportunity.
const LOAD_MIX: [&str; 8] = [
    "/",
    "/opportunities",
    "/opportunities?q=diabetes",
    "/organisations?kind=provider",
    "/api/v1/opportunities?limit=20",
    "/api/v1/offers",
    "/api/v1/organisations",
    "/opportunities/{opportunity}",
];

/// The account the load clients browse as: signed in, as the agency's staff
/// browse, so every request also resolves a session.
const LOAD_ACCOUNT: &str = "load@bench.hcx";
/// Reasons kept of the failed requests; the count covers them all.
const FAILURE_REASONS_KEPT: usize = 5;
/// An answer slower than this is a failure, so a stuck server cannot stall the run.
const LOAD_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What `hcx bench load` measured.
#[derive(Debug, Clone)]
pub struct LoadReport {
    pub backend: String,
    pub clients: usize,
    /// The time asked for; every client sends requests until it is over.
    pub duration: Duration,
    /// From the start of the import to the last answer.
    pub elapsed: Duration,
    /// Requests answered, failed ones included.
    pub requests: usize,
    /// Requests answered before the import (with its indexing) returned.
    pub during_import: usize,
    pub failures: usize,
    /// The first few failures: the URL and what went wrong.
    pub failure_reasons: Vec<String>,
    pub p50: Duration,
    pub p90: Duration,
    pub p99: Duration,
    pub max: Duration,
    /// Records in the file imported while the clients read.
    pub import_records: usize,
    /// How long that import took, whether or not it ended inside the duration.
    pub import_time: Duration,
}

impl LoadReport {
    pub fn requests_per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn import_finished_inside(&self) -> bool {
        self.import_time <= self.duration
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "load on {}: {} clients over keep-alive HTTP/1.1 for {:.1} s, signed in as an adviser, each cycling through {} pages and API lists",
            self.backend,
            self.clients,
            self.duration.as_secs_f64(),
            LOAD_MIX.len(),
        )?;
        write!(
            f,
            "  requests: {} ({:.0}/s); {} answered while the import ran ({:.0}/s)",
            self.requests,
            self.requests_per_second(),
            self.during_import,
            self.during_import as f64 / self.import_time.min(self.elapsed).as_secs_f64()
        )?;
        if self.import_time < self.elapsed {
            let after = self.requests - self.during_import;
            write!(
                f,
                ", {after} after it ({:.0}/s)",
                after as f64 / (self.elapsed - self.import_time).as_secs_f64()
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "  latency: p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
            ms(self.p50),
            ms(self.p90),
            ms(self.p99),
            ms(self.max)
        )?;
        writeln!(f, "  failures: {}", self.failures)?;
        for reason in &self.failure_reasons {
            writeln!(f, "    {reason}")?;
        }
        writeln!(
            f,
            "  import of {} records alongside: {:.2} s ({})",
            self.import_records,
            self.import_time.as_secs_f64(),
            if self.import_finished_inside() {
                "finished inside the run"
            } else {
                "still running when the run ended"
            }
        )?;
        write!(f, "{}", machine())
    }
}

/// What one load client saw.
#[derive(Debug, Default)]
struct ClientTally {
    latencies: Vec<Duration>,
    during_import: usize,
    failures: usize,
    failure_reasons: Vec<String>,
}

/// Serves `app` on loopback and has `clients` connections read pages and API
/// lists for `duration` while `opportunities` generated records are imported.
/// The demo world is imported first so that every page has something to show.
pub async fn load(
    app: &App,
    opportunities: usize,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<LoadReport> {
    anyhow::ensure!(clients > 0, "a load test needs at least one client");
    crate::demo::load(app, &mut |_| ()).await?;
    let published = hcx_store::OpportunityFilter {
        statuses: vec![Status::Published.as_str().into()],
        ..Default::default()
    };
    let opportunity = app
        .store
        .list_opportunities(&published, 0, 1)
        .await?
        .items
        .into_iter()
        .next()
        .map(|v| v.record.id.to_string())
        .ok_or_else(|| anyhow::anyhow!("the demo world has no published opportunity"))?;
    let cookie = load_session(app).await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        axum::serve(listener, crate::web::router(app.clone()))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .into_future(),
    );
    let uris: Arc<Vec<Uri>> = Arc::new(
        LOAD_MIX
            .iter()
            .map(|path| {
                format!(
                    "http://{addr}{}",
                    path.replace("{opportunity}", &opportunity)
                )
                .parse()
            })
            .collect::<Result<_, _>>()?,
    );

    let text = generate_world(opportunities);
    let import_records = text.lines().count();
    let importing = Arc::new(AtomicBool::new(true));
    let started = Instant::now();
    let import = {
        let app = app.clone();
        let importing = importing.clone();
        tokio::spawn(async move {
            let source = Source {
                name: "generated.jsonl".into(),
                text,
            };
            let done = app
                .import(&Caller::command_line(), &[source], &mut |_| ())
                .await;
            importing.store(false, Ordering::SeqCst);
            (done, started.elapsed())
        })
    };

    let client: Client<HttpConnector, Empty<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(clients)
        .build_http();
    let deadline = started + duration;
    let tallies: Vec<_> = (0..clients)
        .map(|n| {
            let (client, uris, cookie, importing) = (
                client.clone(),
                uris.clone(),
                cookie.clone(),
                importing.clone(),
            );
            tokio::spawn(async move {
                let mut tally = ClientTally::default();
                // Clients start at different points of the mix, so every
                // kind of request is in flight at once.
                let mut next = n;
                while Instant::now() < deadline {
                    let uri = &uris[next % uris.len()];
                    next += 1;
                    let sent = Instant::now();
                    let answer =
                        tokio::time::timeout(LOAD_REQUEST_TIMEOUT, fetch(&client, uri, &cookie))
                            .await
                            .unwrap_or_else(|_| Err("no answer in time".into()));
                    tally.latencies.push(sent.elapsed());
                    if importing.load(Ordering::SeqCst) {
                        tally.during_import += 1;
                    }
                    if let Err(reason) = answer {
                        tally.failures += 1;
                        if tally.failure_reasons.len() < FAILURE_REASONS_KEPT {
                            tally.failure_reasons.push(format!(
                                "{}: {reason}",
                                uri.path_and_query().map_or("", |p| p.as_str())
                            ));
                        }
                    }
                }
                tally
            })
        })
        .collect();
    drop(client);

    let mut latencies = Vec::new();
    let (mut during_import, mut failures, mut failure_reasons) = (0, 0, Vec::new());
    for tally in tallies {
        let tally = tally.await?;
        latencies.extend(tally.latencies);
        during_import += tally.during_import;
        failures += tally.failures;
        failure_reasons.extend(tally.failure_reasons);
    }
    let elapsed = started.elapsed();
    failure_reasons.truncate(FAILURE_REASONS_KEPT);

    let (imported, import_time) = import.await?;
    let _ = stop.send(());
    // Connections the clients left open end the server's wait; if one does
    // not close, the server is stopped anyway.
    if let Ok(served) = tokio::time::timeout(Duration::from_secs(5), server).await {
        served??;
    }
    imported?;

    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Ok(LoadReport {
        backend: format!("{:?}", app.store.backend()),
        clients,
        duration,
        elapsed,
        requests: latencies.len(),
        during_import,
        failures,
        failure_reasons,
        p50: at(0.50),
        p90: at(0.90),
        p99: at(0.99),
        max: latencies.last().copied().unwrap_or_default(),
        import_records,
        import_time,
    })
}

/// A session cookie for the load account, made without a password so the
/// run does not spend its time hashing one.
async fn load_session(app: &App) -> anyhow::Result<HeaderValue> {
    use crate::services::accounts::{digest, random_token};
    let cli = Caller::command_line();
    let user = match app.store.user_by_email(LOAD_ACCOUNT).await? {
        Some((user, _)) => user,
        None => {
            app.add_user(&cli, LOAD_ACCOUNT, "Load test", "adviser", &[], None)
                .await?
        }
    };
    let secret = random_token(32);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    app.store
        .start_session(
            &digest(&secret),
            &hcx_store::Session {
                user_id: user.id,
                csrf_token: random_token(32),
                created_at: now,
                last_seen_at: now,
                expires_at: now + app.security.session_max_ms,
            },
            &cli.author(),
        )
        .await?;
    Ok(HeaderValue::from_str(&format!(
        "{}={secret}",
        crate::web::auth::SESSION_COOKIE
    ))?)
}

/// One GET, its body read to the end; anything but 200 is a failure.
async fn fetch(
    client: &Client<HttpConnector, Empty<Bytes>>,
    uri: &Uri,
    cookie: &HeaderValue,
) -> Result<(), String> {
    let request = Request::get(uri.clone())
        .header(header::COOKIE, cookie.clone())
        .body(Empty::new())
        .map_err(|e| e.to_string())?;
    let response = client.request(request).await.map_err(|e| causes(&e))?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| causes(&e))?
        .to_bytes();
    if status == StatusCode::OK {
        Ok(())
    } else {
        let text = String::from_utf8_lossy(&body);
        Err(format!(
            "{status}: {}",
            text.chars().take(200).collect::<String>()
        ))
    }
}

/// An error with its causes: the client's own message alone is too terse.
fn causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let _ = write!(text, ": {cause}");
        source = cause.source();
    }
    text
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
