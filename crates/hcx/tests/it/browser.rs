//! Headless Chromium over the real server: each main page loads without an
//! error page, a console message or a Content-Security-Policy violation, and
//! what it links in (stylesheet, icon) is served.
//!
//! Chromium prints every console message of a page, whatever its level, as
//! an `INFO:CONSOLE` line on stderr; CSP violations arrive the same way. The
//! pages have no scripts, so any such line is a failure. A canary server with
//! a `console.error` and a blocked inline style proves both are caught.
//!
//! Without Chromium the test is skipped with a message, except under
//! `CI=true`, where it fails.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::routing::get;

use crate::support::Who;

const CHROMIUM: &str = "/usr/bin/chromium";
/// Longest one page may take, Chromium's start included.
const PAGE_TIMEOUT: Duration = Duration::from_secs(90);
const CSP: &str = "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'";

/// The pages checked (the UI and the API documentation), each with something it must show.
const PAGES: &[(&str, &str)] = &[
    ("/", "Recently updated published opportunities"),
    ("/opportunities?q=diabetes&country=AE", "Diabetes"),
    (
        "/opportunities/SA-MOH-2027-01",
        "Requirements of this opportunity",
    ),
    ("/opportunities/ocds-213czf-000-00001", "Classifications"),
    ("/opportunities/new", "New opportunity"),
    ("/opportunities/KHCF-2027-01/edit", "Save changes"),
    (
        "/organisations?kind=provider&network=HI-YH",
        "Leeds Teaching Hospitals",
    ),
    ("/organisations/RR8", "Domestic status"),
    (
        "/organisations/KHCF",
        "Paediatric oncology service development",
    ),
    ("/api/v1/docs/", "swagger-ui"),
    ("/account", "API tokens"),
    (
        "/opportunities/SA-MOH-2027-01/matches",
        "Kept out by the rules",
    ),
    ("/organisations/RP4/introductions", "No introductions yet"),
    (
        "/organisations/RP4/twinning",
        "Overseas hospitals and ministries",
    ),
    ("/organisations/KW-MOH/twinning", "UK providers suggested"),
    ("/admin/users", "Add an account"),
    ("/admin/audit", "Before and after"),
    (
        "/screening?name=Khalid+Al-Fawaz&schema=Person&country=SA",
        "Khalid Abd al-Rahman Hamd AL-FAWAZ",
    ),
    ("/cases", "Great Ormond Street Hospital"),
    ("/cases/new", "Open the case"),
    ("/notifications", "Notifications"),
    (
        "/opportunities/SA-MOH-2027-01/consortium",
        "Propose this team",
    ),
    ("/consortia", "SA-MOH-2027-01-T1"),
    ("/consortia/SA-MOH-2027-01-T1", "Priced together at"),
    (
        "/quotes",
        "Paediatric and neonatal intensive care nurse training",
    ),
    ("/quotes/new", "Price the quote"),
    (
        "/organisations/RP4/reinvestment",
        "Record a spend or an adjustment",
    ),
];

/// Pages a visitor who has not signed in sees.
const ANONYMOUS_PAGES: &[(&str, &str)] = &[
    ("/", "Sign in"),
    ("/login", "E-mail address"),
    ("/opportunities/SA-MOH-2027-01", "sign in"),
];

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Whether Chromium can be run here; says why not when it cannot.
fn chromium_available() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    assert!(
        !in_ci(),
        "the browser tests must run in CI, but {CHROMIUM} is missing (apt-get install -y chromium)"
    );
    eprintln!("skipping the browser tests: {CHROMIUM} is missing (apt-get install -y chromium)");
    false
}

/// What Chromium made of one page.
struct Visit {
    dom: String,
    /// Why the page fails: the exit status, console lines, CSP violations.
    problems: Vec<String>,
}

/// Loads `url` in a fresh headless Chromium and dumps the DOM it built.
async fn visit(url: &str) -> Visit {
    let profile = tempfile::tempdir().expect("a profile directory");
    let child = tokio::process::Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--dump-dom", url])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("Chromium starts");
    let output = tokio::time::timeout(PAGE_TIMEOUT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("Chromium took longer than {PAGE_TIMEOUT:?} on {url}"))
        .expect("Chromium runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut problems: Vec<String> = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Content Security Policy"))
        .map(str::to_owned)
        .collect();
    if !output.status.success() {
        problems.push(format!("Chromium exited with {}: {stderr}", output.status));
    }
    Visit {
        dom: String::from_utf8_lossy(&output.stdout).into_owned(),
        problems,
    }
}

/// Serves `router` on a free loopback port until the test ends.
async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let addr = listener.local_addr().expect("its address");
    tokio::spawn(async move {
        axum::serve(listener, router)
            .await
            .expect("the server runs")
    });
    addr
}

/// The `href`s of the `<link>` elements in a DOM.
fn linked(dom: &str) -> Vec<&str> {
    dom.split("<link ")
        .skip(1)
        .filter_map(|tag| tag.split('>').next())
        .filter_map(|tag| tag.split_once("href=\""))
        .filter_map(|(_, rest)| rest.split('"').next())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_canary_pages_show_that_console_messages_and_csp_violations_are_caught() {
    if !chromium_available() {
        return;
    }
    let page = |body: &'static str| {
        move || async move {
            (
                [
                    (header::CONTENT_SECURITY_POLICY, CSP),
                    (header::CONTENT_TYPE, "text/html"),
                ],
                body,
            )
        }
    };
    let canary = Router::new()
        .route(
            "/clean",
            get(page(
                "<!doctype html><title>clean</title><p>nothing wrong</p>",
            )),
        )
        .route(
            "/inline-style",
            get(page(
                r#"<!doctype html><title>style</title><p style="color: red">blocked</p>"#,
            )),
        )
        .route(
            "/console-error",
            get(page(
                r#"<!doctype html><title>console</title><script src="/bad.js"></script>"#,
            )),
        )
        .route(
            "/bad.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript")],
                    "console.error('canary error');",
                )
            }),
        );
    let addr = serve(canary).await;

    let clean = visit(&format!("http://{addr}/clean")).await;
    assert!(clean.problems.is_empty(), "{:?}", clean.problems);
    assert!(clean.dom.contains("nothing wrong"));
    let style = visit(&format!("http://{addr}/inline-style")).await;
    assert!(
        style
            .problems
            .iter()
            .any(|p| p.contains("Content Security Policy")),
        "a blocked inline style is reported: {:?}",
        style.problems
    );
    let console = visit(&format!("http://{addr}/console-error")).await;
    assert!(
        console.problems.iter().any(|p| p.contains("canary error")),
        "console.error is reported: {:?}",
        console.problems
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_main_page_renders_in_chromium_without_errors_or_csp_violations() {
    if !chromium_available() {
        return;
    }
    let (app, _db) = crate::support::demo_app().await;
    hcx::demo::add_diligence(&app)
        .await
        .expect("the demo's cases");
    // The demo's cases, each with something its page must show.
    let mut cases = Vec::new();
    let any = hcx::services::diligence::CaseQuery::default();
    let admin = hcx::services::Caller::command_line();
    for case in app.cases(&admin, &any, 0, 10).await.expect("cases").items {
        let expected = match case.status {
            hcx_domain::diligence::CaseStatus::Approved => {
                "Corruption Perceptions Index 2025 by Transparency International"
            }
            _ => "Screen against every list",
        };
        cases.push((format!("/cases/{}", case.id), expected));
    }
    assert_eq!(cases.len(), 2, "the demo opens two cases");
    hcx::demo::add_accounts(&app)
        .await
        .expect("the demo's accounts");
    hcx::demo::add_consortium(&app)
        .await
        .expect("the demo's consortium");
    assert_eq!(
        hcx::demo::add_quote(&app).await.expect("the demo's quote"),
        1
    );
    let quote = app
        .quotes(&admin, &Default::default(), 0, 1)
        .await
        .expect("quotes")
        .items
        .remove(0);
    cases.push((format!("/quotes/{}", quote.quote.id), "Break-even price"));
    cases.push((
        format!("/quotes/{}/print", quote.quote.id),
        "Payment schedule",
    ));
    cases.push((
        format!("/quotes/{}/revise", quote.quote.id),
        "Price the new version",
    ));
    let anonymous = serve(hcx::web::router(app.clone())).await;
    // Chromium is signed in as the test administrator by a cookie added to each request.
    let Who::Session { cookie, .. } = Who::admin() else {
        unreachable!("the administrator has a session")
    };
    let signed_in = hcx::web::router(app.clone()).layer(axum::middleware::map_request(
        move |mut request: axum::extract::Request| {
            let cookie = cookie.clone();
            async move {
                request.headers_mut().insert(
                    header::COOKIE,
                    format!("hcx_session={cookie}").parse().expect("a cookie"),
                );
                request
            }
        },
    ));
    let addr = serve(signed_in).await;
    let visits = PAGES
        .iter()
        .map(|(path, expected)| (addr, *path, *expected))
        .chain(
            cases
                .iter()
                .map(|(path, expected)| (addr, path.as_str(), *expected)),
        )
        .chain(
            ANONYMOUS_PAGES
                .iter()
                .map(|(path, expected)| (anonymous, *path, *expected)),
        );
    let mut failures = Vec::new();
    for (addr, path, expected) in visits {
        let page = visit(&format!("http://{addr}{path}")).await;
        if page.dom.contains("data-error-page") {
            failures.push(format!("{path}: the error page was shown"));
        }
        if !page.dom.contains(expected) {
            failures.push(format!("{path}: {expected:?} is missing from the page"));
        }
        failures.extend(page.problems.iter().map(|p| format!("{path}: {p}")));
        for href in linked(&page.dom) {
            // Relative links (the API viewer's) resolve against the page's folder.
            let target = if href.starts_with('/') {
                href.to_owned()
            } else {
                let folder = &path[..=path.rfind('/').unwrap_or(0)];
                format!("{folder}{}", href.trim_start_matches("./"))
            };
            let status = crate::support::get(&app, &target).await.status;
            if status != StatusCode::OK {
                failures.push(format!("{path}: {href} answered {status}"));
            }
        }
    }
    let missing = visit(&format!("http://{addr}/no/such/page")).await;
    assert!(
        missing.dom.contains("data-error-page=\"404\""),
        "the 404 page carries the marker"
    );
    assert!(missing.problems.is_empty(), "{:?}", missing.problems);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
