//! Many requests at once: reads served while an import writes, and writers
//! racing for the same version of one record.

use std::time::Duration;

use axum::http::StatusCode;
use hcx::services::App;
use serde_json::{Value, json};

use crate::support::{Reply, app, app_over, demo_app, get, json};

/// Writers sent at once against one version of a record.
const WRITERS: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_and_lists_answer_without_a_failure_while_an_import_runs() {
    let (app, _db) = app().await;
    let report = hcx::bench::load(&app, 3_000, 4, Duration::from_secs(3))
        .await
        .expect("the load test runs");
    println!("{report}");
    assert!(report.requests > 0, "{report}");
    assert_eq!(report.failures, 0, "{report}");
    assert!(
        report.during_import > 0,
        "no request was answered while the import ran:\n{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_of_one_record_let_exactly_one_win() {
    let (app, _db) = demo_app().await;
    one_writer_wins(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_of_one_record_let_exactly_one_win_on_postgres() {
    let Some(db) = hcx_store::testing::postgres().await else {
        return;
    };
    let app = app_over(db.store.clone()).await;
    hcx::demo::load(&app, &mut |_| ())
        .await
        .expect("demo world loads");
    one_writer_wins(&app).await;
}

/// Races edits, then lifecycle actions, each on a published opportunity of its own.
async fn one_writer_wins(app: &App) {
    let published = get(app, "/api/v1/opportunities?status=published&limit=2")
        .await
        .json();
    let ids: Vec<String> = published["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["record"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 2, "{published}");

    let (edited, version) = read(app, &ids[0]).await;
    let uri = format!("/api/v1/opportunities/{}?version={version}", ids[0]);
    let replies = race(app, |n| {
        let mut record = edited["record"].clone();
        record["title"] = json!(format!("Contested title {n}"));
        ("PUT", uri.clone(), record)
    })
    .await;
    let winner = only_winner(&replies);
    let (stored, stored_version) = read(app, &ids[0]).await;
    assert_eq!(
        stored["record"]["title"],
        format!("Contested title {winner}")
    );
    assert_eq!(stored_version, version + 1);

    let (_, version) = read(app, &ids[1]).await;
    let uri = format!("/api/v1/opportunities/{}/actions/close", ids[1]);
    let replies = race(app, |_| {
        ("POST", uri.clone(), json!({ "version": version }))
    })
    .await;
    let winner = only_winner(&replies);
    assert_eq!(replies[winner].json()["record"]["status"], "closed");
    let (stored, stored_version) = read(app, &ids[1]).await;
    assert_eq!(stored["record"]["status"], "closed");
    assert_eq!(stored_version, version + 1);
}

/// An opportunity as the API gives it, and its version.
async fn read(app: &App, id: &str) -> (Value, i64) {
    let reply = get(app, &format!("/api/v1/opportunities/{id}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let body = reply.json();
    let version = body["version"].as_i64().unwrap();
    (body, version)
}

/// Sends [`WRITERS`] requests together; the replies come back in the order of `n`.
async fn race(app: &App, request: impl Fn(usize) -> (&'static str, String, Value)) -> Vec<Reply> {
    let tasks: Vec<_> = (0..WRITERS)
        .map(|n| {
            let app = app.clone();
            let (method, uri, body) = request(n);
            tokio::spawn(async move { json(&app, method, &uri, body).await })
        })
        .collect();
    let mut replies = Vec::with_capacity(WRITERS);
    for task in tasks {
        replies.push(task.await.expect("the request task ends"));
    }
    replies
}

/// Checks that one reply is 200 and every other a conflict; returns the winner.
fn only_winner(replies: &[Reply]) -> usize {
    let statuses: Vec<StatusCode> = replies.iter().map(|r| r.status).collect();
    let winners: Vec<usize> = (0..replies.len())
        .filter(|&n| statuses[n] == StatusCode::OK)
        .collect();
    assert_eq!(winners.len(), 1, "one writer should win: {statuses:?}");
    for (n, reply) in replies.iter().enumerate().filter(|(n, _)| *n != winners[0]) {
        assert_eq!(
            reply.status,
            StatusCode::CONFLICT,
            "writer {n}: {}",
            reply.text
        );
        assert_eq!(reply.json()["error"]["code"], "conflict", "{}", reply.text);
    }
    winners[0]
}
