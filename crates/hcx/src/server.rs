//! `hcx serve`: the web server, the follower that keeps its index and
//! matchmaking records up to date, and graceful shutdown.

use std::time::Duration;

use anyhow::Context;

use crate::config::Config;
use crate::services::App;

/// How often a node looks for writes made by other nodes.
const FOLLOW_EVERY: Duration = Duration::from_secs(2);
/// How often a node looks for due jobs (alert fan-out, digests).
const JOBS_EVERY: Duration = Duration::from_secs(5);
/// Expired sessions are removed every this many follower ticks (ten minutes).
const PURGE_EVERY_TICKS: u64 = 300;

/// Serves until interrupted, finishing the requests in flight.
pub async fn serve(config: &Config, demo: bool) -> anyhow::Result<()> {
    let app = App::open(config).await?;
    if demo {
        if app.store.is_empty().await? {
            let report = crate::demo::load(&app, &mut |_| ())
                .await
                .context("cannot load the demo world")?;
            tracing::info!(created = report.summary.created, "demo world loaded");
        } else {
            tracing::info!("the store already holds data; the demo world was not loaded");
        }
        let added = crate::demo::add_accounts(&app)
            .await
            .context("cannot add the demo accounts")?;
        crate::demo::add_twinning_interest(&app)
            .await
            .context("cannot add the demo's interest in twinning")?;
        crate::demo::add_diligence(&app)
            .await
            .context("cannot add the demo's screening list and due-diligence cases")?;
        crate::demo::add_consortium(&app)
            .await
            .context("cannot propose the demo's consortium")?;
        crate::demo::add_quote(&app)
            .await
            .context("cannot add the demo's quote")?;
        if added > 0 {
            eprintln!(
                "demo accounts added (password {:?}): {}",
                crate::demo::DEMO_PASSWORD,
                crate::demo::DEMO_ACCOUNTS
                    .iter()
                    .map(|a| a.0)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    let follower = {
        let app = app.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(FOLLOW_EVERY);
            let mut ticks: u64 = 0;
            loop {
                tick.tick().await;
                if let Err(e) = app.catch_up().await {
                    tracing::warn!(error = %e, "search index could not catch up");
                }
                if let Err(e) = app.follow_pool().await {
                    tracing::warn!(error = %e, "matchmaking records could not catch up");
                }
                ticks += 1;
                if ticks.is_multiple_of(PURGE_EVERY_TICKS)
                    && let Err(e) = app.purge_sessions().await
                {
                    tracing::warn!(error = %e, "expired sessions could not be removed");
                }
            }
        })
    };
    let worker = {
        let app = app.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(JOBS_EVERY);
            loop {
                tick.tick().await;
                if let Err(e) = app.run_due_jobs(crate::services::accounts::now()).await {
                    tracing::warn!(error = %e, "due jobs could not be run");
                }
            }
        })
    };
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("cannot listen on {}", config.addr))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, database = %hcx_store::redact(&config.database_url), "hcx is serving");
    eprintln!("hcx is serving on http://{addr}");
    if let Some(token) = app.setup_link().await? {
        eprintln!(
            "no accounts yet: create the first administrator at http://{addr}/setup/{token} (valid for 24 hours), or run `hcx user add --email E --role admin --password-stdin`"
        );
    }
    axum::serve(listener, crate::web::router(app.clone()))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the server stopped with an error")?;
    follower.abort();
    worker.abort();
    app.store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
