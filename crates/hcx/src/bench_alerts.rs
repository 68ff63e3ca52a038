//! `hcx bench alerts`: the fan-out of one published opportunity to the
//! subscribers of a generated world, timed opportunity by opportunity.

use std::path::PathBuf;
use std::time::Instant;

use hcx_domain::Action;
use hcx_store::{NewSubscription, NewUser};

use crate::bench::{MARKETS, generate_match_world, machine, ms, provider_id, quantile, sorted};
use crate::services::accounts::{now, random_token};
use crate::services::alerts::{Cadence, SavedSearch};
use crate::services::import::Source;
use crate::services::mail::Mailer;
use crate::services::{App, Caller};

/// Words the saved searches look for, as people type them.
const WORDS: [&str; 10] = [
    "diabetes",
    "cancer",
    "training",
    "heart",
    "eye",
    "mental health",
    "stroke",
    "maternity",
    "renal",
    "emergency",
];

/// Imports a generated world whose needs await review, adds `subscriptions`
/// (one person each: half saved searches, half "anything that fits my
/// offers"; one in five daily, the rest immediate), then publishes
/// `opportunities` needs one at a time and times the fan-out job each
/// enqueues: subscribers found, notifications written, e-mails written to
/// `outbox`.
pub async fn fan_out(
    app: &App,
    providers: usize,
    offers: usize,
    subscriptions: usize,
    opportunities: usize,
    outbox: PathBuf,
) -> anyhow::Result<String> {
    anyhow::ensure!(
        providers > 0 && opportunities > 0,
        "an alerts benchmark needs providers and opportunities"
    );
    let mut app = app.clone();
    app.alerting.mailer = Mailer::folder(outbox.clone());
    let world = generate_match_world(providers, offers, opportunities);
    let text = world
        .text
        .replace("\"status\":\"published\"", "\"status\":\"pending_review\"");
    let cli = Caller::command_line();
    app.import(
        &cli,
        &[Source {
            name: "generated-alerts.jsonl".into(),
            text,
        }],
        &mut |_| (),
    )
    .await?;
    let started = Instant::now();
    let author = cli.author();
    let mut seed: u64 = 7;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize
    };
    for i in 0..subscriptions {
        let provider = provider_id(i % providers);
        let user = format!("bench-{i}");
        app.store
            .create_user(
                &NewUser {
                    id: user.clone(),
                    email: format!("{user}@bench.hcx"),
                    name: user.clone(),
                    role: "provider".into(),
                    password_hash: None,
                    organisations: vec![provider.clone()],
                },
                &author,
            )
            .await?;
        let (kind, query) = if i % 2 == 0 {
            let mut search = SavedSearch {
                text: Some(WORDS[next() % WORDS.len()].into()),
                ..SavedSearch::default()
            };
            if next() % 10 < 7 {
                search.countries = (0..1 + next() % 2)
                    .map(|_| MARKETS[next() % MARKETS.len()].0.to_owned())
                    .collect();
            }
            ("search", Some(serde_json::to_string(&search)?))
        } else {
            ("my_offers", None)
        };
        app.store
            .create_subscription(
                &NewSubscription {
                    id: format!("bench-alert-{i}"),
                    user_id: user,
                    organisation_id: Some(provider),
                    kind: kind.into(),
                    query,
                    cadence: if i % 5 == 0 { "daily" } else { "immediate" }.into(),
                    token: random_token(24),
                },
                &author,
            )
            .await?;
    }
    let subscribed = started.elapsed();

    // Each publication enqueues a fan-out job; its two halves are timed
    // apart (the same calls the job makes), then the job is run to mark it
    // done, finding nothing new to notify or send.
    let (mut finding, mut mailing, mut total) = (Vec::new(), Vec::new(), Vec::new());
    let (mut notified, mut emailed) = (0usize, 0usize);
    for id in &world.opportunities {
        app.transition(&cli, id, Action::Publish, 1).await?;
        let before = emails_in(&outbox)?;
        let started = Instant::now();
        notified += app.fan_out(id, now()).await?.len();
        let found = started.elapsed();
        app.email_pending(Cadence::Immediate).await?;
        let done = started.elapsed();
        finding.push(found);
        mailing.push(done - found);
        total.push(done);
        emailed += emails_in(&outbox)? - before;
        let run = app.run_due_jobs(now()).await?;
        anyhow::ensure!(run.failed == 0, "the fan-out job of {id} failed");
    }
    let n = total.len().max(1) as f64;
    let (finding, mailing, total) = (
        sorted(finding.into_iter()),
        sorted(mailing.into_iter()),
        sorted(total.into_iter()),
    );
    Ok(format!(
        "alert fan-out on {:?}: {providers} providers, {offers} offers, {subscriptions} subscriptions (half saved searches, half my offers; one in five daily) added in {:.1} s\n  one opportunity published, {} opportunities: p50 {:.1} ms  p90 {:.1} ms  max {:.1} ms\n    subscribers found and notifications written p50 {:.1} ms; e-mails written p50 {:.1} ms\n    on average {:.1} notifications and {:.1} e-mails (to a folder) per opportunity\n{}",
        app.store.backend(),
        subscribed.as_secs_f64(),
        total.len(),
        ms(quantile(&total, 0.50)),
        ms(quantile(&total, 0.90)),
        ms(total.last().copied().unwrap_or_default()),
        ms(quantile(&finding, 0.50)),
        ms(quantile(&mailing, 0.50)),
        notified as f64 / n,
        emailed as f64 / n,
        machine()
    ))
}

/// E-mails written to the outbox so far.
fn emails_in(outbox: &std::path::Path) -> anyhow::Result<usize> {
    match std::fs::read_dir(outbox) {
        Ok(entries) => Ok(entries
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .count()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(anyhow::anyhow!(
            "cannot read the outbox {}: {e}",
            outbox.display()
        )),
    }
}
