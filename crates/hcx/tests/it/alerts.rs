//! Alerts end to end: publishing notifies exactly the subscribers it should,
//! e-mails carry one-click unsubscribe, digests group a day's matches, the
//! feed is well-formed Atom, and a failed job is tried again.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hcx::services::alerts::{AlertKind, Cadence, NewAlert, SavedSearch};
use hcx::services::mail::Mailer;
use hcx::services::{App, Caller};
use hcx_domain::matching::Rule;
use hcx_domain::{Action, Record};
use serde_json::json;

use crate::support::{PASSWORD, Who, demo_app, get_as, now_ms, send_as};

const DAY_MS: i64 = 86_400_000;

/// The demo world, with the fan-out its import enqueued already run (no
/// one had subscribed yet), and e-mails going to a folder of the test's own.
async fn quiet_demo() -> (App, hcx_store::testing::TestStore, tempfile::TempDir) {
    let (mut app, db) = demo_app().await;
    let outbox = tempfile::tempdir().unwrap();
    app.alerting.mailer = Mailer::folder(outbox.path().to_owned());
    let run = app.run_due_jobs(now_ms()).await.unwrap();
    assert_eq!(
        (run.done, run.failed),
        (1, 0),
        "the demo world's own fan-out"
    );
    (app, db, outbox)
}

/// An account with the test password.
async fn account(app: &App, email: &str, role: &str, organisations: &[&str]) -> hcx_store::User {
    let orgs: Vec<String> = organisations.iter().map(|o| o.to_string()).collect();
    app.add_user(
        &Caller::command_line(),
        email,
        email,
        role,
        &orgs,
        Some(PASSWORD),
    )
    .await
    .expect("account")
}

/// A person with an account, signed in.
async fn person(app: &App, email: &str, role: &str, organisations: &[&str]) -> Caller {
    account(app, email, role, organisations).await;
    let signed_in = app.sign_in(email, PASSWORD, None).await.expect("sign in");
    app.session_caller(&signed_in.session, None)
        .await
        .expect("session")
        .expect("a live session")
        .caller
}

fn search(text: &str, countries: &[&str]) -> NewAlert {
    NewAlert {
        kind: AlertKind::Search,
        organisation: None,
        search: Some(SavedSearch {
            text: Some(text.into()),
            countries: countries.iter().map(|c| c.to_string()).collect(),
            ..SavedSearch::default()
        }),
        cadence: Cadence::Immediate,
    }
}

fn daily(alert: NewAlert) -> NewAlert {
    NewAlert {
        cadence: Cadence::Daily,
        ..alert
    }
}

fn my_offers(provider: &str) -> NewAlert {
    NewAlert {
        kind: AlertKind::MyOffers,
        organisation: Some(provider.into()),
        search: None,
        cadence: Cadence::Immediate,
    }
}

/// Writes an opportunity awaiting review.
async fn pending(app: &App, id: &str, title: &str) {
    let record = Record::from_value(json!({"record": "opportunity", "id": id, "buyer": "KW-MOH",
        "country": "KW", "title": title,
        "description": "Paediatric cardiac surgery and intensive care nursing for children with heart disease.",
        "specialties": ["321"], "service_lines": ["clinical_advice", "education_training"],
        "delivery_modes": ["remote"], "source": "post", "status": "pending_review"}))
    .expect("valid opportunity");
    app.put(&Caller::command_line(), &record)
        .await
        .expect("written");
}

async fn publish(app: &App, id: &str) {
    let version = app.store.opportunity(id).await.unwrap().unwrap().version;
    app.transition(&Caller::command_line(), id, Action::Publish, version)
        .await
        .expect("published");
}

/// The `.eml` files written so far, oldest first.
fn emails(folder: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

async fn notified(app: &App, caller: &Caller) -> Vec<String> {
    app.notifications(caller)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.opportunity.id.to_string())
        .collect()
}

/// A provider matchmaking recommends for the opportunity, and another one
/// recommended until its strategy rules the opportunity's country out.
async fn recommended_and_ruled_out(app: &App, id: &str) -> (String, String) {
    let cli = Caller::command_line();
    let report = app.match_opportunity(&cli, id, usize::MAX).await.unwrap();
    assert!(report.matches.len() >= 2, "{report:?}");
    let (fits, ruled_out) = (
        report.matches[0].provider.clone(),
        report.matches[1].provider.clone(),
    );
    let strategy = match app.store.strategy_of(&ruled_out).await.unwrap() {
        Some(s) => {
            let mut value = Record::Strategy(s.record).to_value();
            value["excluded_countries"] = json!(["KW"]);
            value
        }
        None => json!({"record": "strategy", "id": format!("{ruled_out}-strategy"),
            "provider": ruled_out, "excluded_countries": ["KW"]}),
    };
    app.put(&cli, &Record::from_value(strategy).unwrap())
        .await
        .unwrap();
    let again = app.match_opportunity(&cli, id, usize::MAX).await.unwrap();
    assert!(
        again
            .excluded
            .iter()
            .any(|e| e.provider == ruled_out && e.exclusion.rule == Rule::ExcludedCountry),
        "{:?}",
        again.excluded
    );
    (fits, ruled_out)
}

#[tokio::test]
async fn publishing_notifies_exactly_the_subscribers_it_should_and_mails_them() {
    let (app, _db, outbox) = quiet_demo().await;
    pending(
        &app,
        "ALERT-1",
        "Cardiac surgery & <intensive> care for children",
    )
    .await;
    let (fits, ruled_out) = recommended_and_ruled_out(&app, "ALERT-1").await;

    let fitting = person(&app, "fits@alerts.test", "provider", &[&fits]).await;
    let excluded = person(&app, "excluded@alerts.test", "provider", &[&ruled_out]).await;
    let searcher = person(&app, "searcher@alerts.test", "provider", &["RP4"]).await;
    let elsewhere = person(&app, "elsewhere@alerts.test", "provider", &["RR8"]).await;
    let adviser = person(&app, "adviser@alerts.test", "adviser", &["HCUK"]).await;
    app.subscribe(&fitting, &my_offers(&fits)).await.unwrap();
    app.subscribe(&excluded, &my_offers(&ruled_out))
        .await
        .unwrap();
    let searching = app
        .subscribe(&searcher, &search("cardiac children", &["KW"]))
        .await
        .unwrap();
    app.subscribe(&elsewhere, &search("cardiac", &["JO"]))
        .await
        .unwrap();
    app.subscribe(&adviser, &daily(search("", &["KW"])))
        .await
        .unwrap();

    publish(&app, "ALERT-1").await;
    let now = now_ms();
    let run = app.run_due_jobs(now).await.unwrap();
    assert_eq!((run.done, run.failed), (1, 0));
    assert_eq!(notified(&app, &fitting).await, ["ALERT-1"]);
    assert!(
        notified(&app, &excluded).await.is_empty(),
        "a hard rule keeps it out"
    );
    assert_eq!(notified(&app, &searcher).await, ["ALERT-1"]);
    assert!(
        notified(&app, &elsewhere).await.is_empty(),
        "another country"
    );
    assert_eq!(notified(&app, &adviser).await, ["ALERT-1"]);

    let sent = emails(outbox.path());
    assert_eq!(
        sent.len(),
        2,
        "the two immediate alerts; the daily one waits"
    );
    let to_searcher = sent
        .iter()
        .find(|m| m.contains("To: searcher@alerts.test"))
        .expect("an e-mail to the searcher");
    let unsubscribe = format!(
        "List-Unsubscribe: <http://127.0.0.1:8080/alerts/unsubscribe/{}>",
        searching.token
    );
    assert!(to_searcher.contains(&unsubscribe), "{to_searcher}");
    assert!(to_searcher.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    assert!(to_searcher.contains("http://127.0.0.1:8080/opportunities/ALERT-1"));

    // Run again: nothing new, nothing sent twice.
    assert_eq!(app.run_due_jobs(now).await.unwrap().done, 0);
    assert_eq!(emails(outbox.path()).len(), 2);
    assert_eq!(app.unread(&searcher).await.unwrap(), 1);
}

#[tokio::test]
async fn a_daily_alert_sends_one_digest_of_the_days_matches() {
    let (app, _db, outbox) = quiet_demo().await;
    let adviser = person(&app, "digest@alerts.test", "adviser", &["HCUK"]).await;
    app.subscribe(&adviser, &daily(search("cardiac", &["KW"])))
        .await
        .unwrap();
    pending(&app, "DIGEST-1", "Cardiac nursing in Kuwait City").await;
    pending(&app, "DIGEST-2", "Cardiac surgery mentoring in Jahra").await;
    publish(&app, "DIGEST-1").await;
    publish(&app, "DIGEST-2").await;
    let now = now_ms();
    app.run_due_jobs(now).await.unwrap();
    assert!(
        emails(outbox.path()).is_empty(),
        "the digest goes out later"
    );
    let later = app.run_due_jobs(now + DAY_MS + 1).await.unwrap();
    assert_eq!(later.done, 1, "one digest job");
    let sent = emails(outbox.path());
    assert_eq!(sent.len(), 1, "one e-mail for the day");
    assert!(
        sent[0].contains("Subject: 2 new opportunities for your alert"),
        "{}",
        sent[0]
    );
    assert!(sent[0].contains("Cardiac nursing in Kuwait City"));
    assert!(sent[0].contains("Cardiac surgery mentoring in Jahra"));
    app.run_due_jobs(now + 3 * DAY_MS).await.unwrap();
    assert_eq!(emails(outbox.path()).len(), 1, "nothing is sent twice");
}

#[tokio::test]
async fn the_one_click_unsubscribe_needs_no_session_and_stops_further_alerts() {
    let (app, _db, outbox) = quiet_demo().await;
    let searcher = person(&app, "leaver@alerts.test", "provider", &["RP4"]).await;
    let alert = app
        .subscribe(&searcher, &search("cardiac", &[]))
        .await
        .unwrap();
    let page = get_as(
        &app,
        &Who::Anonymous,
        &format!("/alerts/unsubscribe/{}", alert.token),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Stop this alert"));
    // As a mail client posts it: no cookie, no form token, no origin.
    let request = Request::post(format!("/alerts/unsubscribe/{}", alert.token))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("List-Unsubscribe=One-Click"))
        .unwrap();
    let reply = send_as(&app, &Who::AsIs, request).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let guessed = Request::post("/alerts/unsubscribe/not-a-token")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        send_as(&app, &Who::AsIs, guessed).await.status,
        StatusCode::NOT_FOUND
    );
    // Other forms still need their token.
    let forged = Request::post(format!("/alerts/{}/delete", alert.id))
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        send_as(&app, &Who::AsIs, forged).await.status,
        StatusCode::FORBIDDEN
    );

    pending(&app, "AFTER-1", "Cardiac outreach").await;
    publish(&app, "AFTER-1").await;
    app.run_due_jobs(now_ms()).await.unwrap();
    assert!(notified(&app, &searcher).await.is_empty());
    assert!(emails(outbox.path()).is_empty());
    let events = app
        .store
        .audit_events(
            &hcx_store::AuditFilter {
                record_id: Some(alert.id.clone()),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(events[0].action, "unsubscribe");
}

/// Checks that a document is well-formed XML: tags nest and close, attribute
/// values are quoted, and text holds no raw `<` or stray `&`.
fn well_formed(xml: &str) -> Result<Vec<String>, String> {
    let mut open: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let mut rest = xml.trim_start();
    if let Some(after) = rest.strip_prefix("<?xml") {
        rest = &after[after.find("?>").ok_or("unclosed declaration")? + 2..];
    }
    let check_text = |text: &str| -> Result<(), String> {
        let mut t = text;
        while let Some(i) = t.find('&') {
            t = &t[i + 1..];
            let end = t.find(';').ok_or_else(|| format!("stray & in {text:?}"))?;
            let entity = &t[..end];
            let known = matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
                || entity
                    .strip_prefix("#x")
                    .is_some_and(|h| u32::from_str_radix(h, 16).is_ok())
                || entity
                    .strip_prefix('#')
                    .is_some_and(|d| d.parse::<u32>().is_ok());
            if !known {
                return Err(format!("unknown entity &{entity};"));
            }
        }
        Ok(())
    };
    while let Some(start) = rest.find('<') {
        let text = &rest[..start];
        if open.is_empty() && !text.trim().is_empty() {
            return Err(format!("text outside the root: {text:?}"));
        }
        check_text(text)?;
        let end = rest[start..].find('>').ok_or("unclosed tag")? + start;
        let tag = &rest[start + 1..end];
        if tag.contains('<') {
            return Err(format!("< inside a tag: {tag:?}"));
        }
        if let Some(name) = tag.strip_prefix('/') {
            match open.pop() {
                Some(o) if o == name.trim() => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
        } else {
            let self_closing = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name = body
                .split_whitespace()
                .next()
                .ok_or("empty tag")?
                .to_owned();
            if !body.matches('"').count().is_multiple_of(2) {
                return Err(format!("unbalanced quotes in <{tag}>"));
            }
            check_text(body)?;
            if open.is_empty() && !seen.is_empty() {
                return Err("a second root element".into());
            }
            seen.push(name.clone());
            if !self_closing {
                open.push(name);
            }
        }
        rest = &rest[end + 1..];
    }
    if !open.is_empty() || !rest.trim().is_empty() {
        return Err(format!("unclosed elements {open:?}"));
    }
    Ok(seen)
}

/// Text with the XML entities a template writes read back.
fn unescape(text: &str) -> String {
    [
        ("&#60;", "<"),
        ("&lt;", "<"),
        ("&#62;", ">"),
        ("&gt;", ">"),
        ("&#34;", "\""),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&#38;", "&"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(text.to_owned(), |t, (entity, c)| t.replace(entity, c))
}

#[test]
fn the_well_formedness_check_catches_broken_xml() {
    assert!(well_formed("<a><b/>x &amp; y</a>").is_ok());
    assert!(well_formed("<a><b></a>").is_err());
    assert!(well_formed("<a>x & y</a>").is_err());
    assert!(well_formed("<a>x</a><b/>").is_err());
}

#[tokio::test]
async fn the_feed_is_well_formed_atom_and_needs_its_token() {
    let (app, _db, _outbox) = quiet_demo().await;
    let searcher = person(&app, "reader@alerts.test", "provider", &["RP4"]).await;
    let alert = app
        .subscribe(&searcher, &search("cardiac", &["KW"]))
        .await
        .unwrap();
    pending(&app, "FEED-1", "Cardiac surgery & <intensive> care").await;
    publish(&app, "FEED-1").await;
    app.run_due_jobs(now_ms()).await.unwrap();

    let uri = format!("/alerts/{}/feed.atom", alert.id);
    let feed = get_as(
        &app,
        &Who::Anonymous,
        &format!("{uri}?token={}", alert.token),
    )
    .await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(
        feed.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let elements = well_formed(&feed.text).unwrap_or_else(|e| panic!("{e}\n{}", feed.text));
    assert_eq!(elements[0], "feed");
    assert!(
        feed.text
            .contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">")
    );
    for required in ["id", "title", "updated", "author"] {
        assert!(
            elements.iter().any(|e| e == required),
            "feed lacks <{required}>"
        );
    }
    assert_eq!(elements.iter().filter(|e| *e == "entry").count(), 1);
    assert!(!feed.text.contains("<intensive>"), "text is escaped");
    let titles: Vec<String> = feed
        .text
        .split("<title>")
        .skip(1)
        .map(|t| unescape(&t[..t.find("</title>").unwrap()]))
        .collect();
    assert_eq!(titles[1], "Cardiac surgery & <intensive> care");
    assert!(
        feed.text
            .contains("href=\"http://127.0.0.1:8080/opportunities/FEED-1\"")
    );

    for wrong in [uri.clone(), format!("{uri}?token=guess")] {
        assert_eq!(
            get_as(&app, &Who::Anonymous, &wrong).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn a_failed_fan_out_is_recorded_and_tried_again_later() {
    let (mut app, _db, outbox) = quiet_demo().await;
    // A file where the outbox folder should be: writing an e-mail fails.
    let blocked = outbox.path().join("blocked");
    std::fs::write(&blocked, "not a folder").unwrap();
    app.alerting.mailer = Mailer::folder(blocked.clone());
    let searcher = person(&app, "retry@alerts.test", "provider", &["RP4"]).await;
    app.subscribe(&searcher, &search("cardiac", &[]))
        .await
        .unwrap();
    pending(&app, "RETRY-1", "Cardiac rehabilitation").await;
    publish(&app, "RETRY-1").await;
    let now = now_ms();
    let run = app.run_due_jobs(now).await.unwrap();
    assert_eq!((run.done, run.failed), (0, 1));
    let job = app.store.jobs(true).await.unwrap().remove(0);
    assert_eq!(job.attempts, 1);
    assert!(
        job.last_error
            .as_deref()
            .is_some_and(|e| e.contains("outbox")),
        "{job:?}"
    );
    assert!(job.run_after > now, "it waits before the next attempt");
    assert_eq!(app.run_due_jobs(now).await.unwrap().done, 0, "not yet");

    let folder = outbox.path().join("mail");
    app.alerting.mailer = Mailer::folder(folder.clone());
    let retried = app.run_due_jobs(now + 3_600_000).await.unwrap();
    assert_eq!((retried.done, retried.failed), (1, 0));
    assert!(app.store.jobs(true).await.unwrap().is_empty());
    assert_eq!(emails(&folder).len(), 1, "the e-mail goes out on the retry");
    assert_eq!(
        notified(&app, &searcher).await,
        ["RETRY-1"],
        "notified once"
    );
}

#[tokio::test]
async fn alerts_and_notifications_through_the_api_belong_to_their_owner() {
    let (app, _db) = demo_app().await;
    let cli = Caller::command_line();
    let user = account(&app, "api@alerts.test", "provider", &["RP4"]).await;
    let token = app
        .create_token(&cli, &user.id, "alerts", None, None)
        .await
        .unwrap()
        .secret;
    let who = Who::Token(token);
    let create = |body: serde_json::Value| {
        Request::post("/api/v1/alerts")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let made = send_as(
        &app,
        &who,
        create(json!({"kind": "my_offers", "cadence": "daily"})),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let made = made.json();
    assert_eq!(
        made["organisation"], "RP4",
        "the one provider the person belongs to"
    );
    assert!(made["feed"].as_str().unwrap().contains("/feed.atom?token="));
    let bad = send_as(
        &app,
        &who,
        create(json!({"kind": "search", "search": {"countries": ["XX"]}})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text.contains("search.countries[0]"), "{}", bad.text);

    let listed = get_as(&app, &who, "/api/v1/alerts").await.json();
    assert_eq!(listed["alerts"].as_array().unwrap().len(), 1);
    let theirs = get_as(&app, &Who::admin(), "/api/v1/alerts").await.json();
    assert!(theirs["alerts"].as_array().unwrap().is_empty());
    let notifications = get_as(&app, &who, "/api/v1/notifications").await;
    assert_eq!(notifications.status, StatusCode::OK);
    let id = made["id"].as_str().unwrap();
    let delete = async |who: &Who| {
        let request = Request::delete(format!("/api/v1/alerts/{id}"))
            .body(Body::empty())
            .unwrap();
        send_as(&app, who, request).await
    };
    assert_eq!(delete(&Who::admin()).await.status, StatusCode::NOT_FOUND);
    assert_eq!(delete(&who).await.status, StatusCode::NO_CONTENT);
    let spec = get_as(&app, &Who::Anonymous, "/api/v1/openapi.json")
        .await
        .json();
    for path in ["/alerts", "/alerts/{id}", "/notifications"] {
        assert!(spec["paths"].get(path).is_some(), "{path} is documented");
    }
}

#[tokio::test]
async fn a_search_becomes_an_alert_from_the_pages_and_its_notifications_are_read_there() {
    let (app, _db, _outbox) = quiet_demo().await;
    let user = account(&app, "pages@alerts.test", "provider", &["RP4"]).await;
    let signed_in = app
        .sign_in("pages@alerts.test", PASSWORD, None)
        .await
        .unwrap();
    let who = Who::Session {
        cookie: signed_in.session,
        csrf: signed_in.csrf,
    };
    let search = get_as(&app, &who, "/opportunities?q=cardiac&country=KW&page=1").await;
    assert!(
        search
            .text
            .contains("href=\"/alerts?q=cardiac&#38;country=KW\"")
            || search
                .text
                .contains("href=\"/alerts?q=cardiac&amp;country=KW\""),
        "an Alert me link carrying the search"
    );
    let proposal = get_as(&app, &who, "/alerts?q=cardiac&country=KW").await;
    assert!(
        proposal.text.contains("“cardiac” · in Kuwait"),
        "{}",
        proposal.text
    );
    let saved = crate::support::post_form_as(
        &app,
        &who,
        "/alerts",
        &[
            ("kind", "search"),
            ("q", "cardiac"),
            ("country", "KW"),
            ("cadence", "daily"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let listed = get_as(&app, &who, "/alerts").await;
    assert!(listed.text.contains("Daily digest") && listed.text.contains("in Kuwait"));

    pending(&app, "PAGE-1", "Cardiac mentoring").await;
    publish(&app, "PAGE-1").await;
    app.run_due_jobs(now_ms()).await.unwrap();
    let page = get_as(&app, &who, "/notifications").await;
    assert!(page.text.contains("Cardiac mentoring"));
    assert!(page.text.contains("1 unread"), "the header counts it");
    let id = app.store.notifications_of(&user.id, 10).await.unwrap()[0].id;
    let read =
        crate::support::post_form_as(&app, &who, &format!("/notifications/{id}/read"), &[]).await;
    assert_eq!(read.status, StatusCode::SEE_OTHER);
    assert!(
        !get_as(&app, &who, "/notifications")
            .await
            .text
            .contains("1 unread")
    );
}
