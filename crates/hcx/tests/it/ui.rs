//! The web pages, driven in-process over the demo world. HTML is checked
//! loosely: by the text and attributes a person or a screen reader relies on.

use crate::support::{Reply, Who, demo_app, get, get_as, post_form_as, session_for};
use axum::http::StatusCode;
use hcx::services::{App, Caller};

/// Posts a form the way a browser does, repeated names and all, as the test administrator.
async fn post_form(app: &App, uri: &str, fields: &[(&str, &str)]) -> Reply {
    post_form_as(app, &Who::admin(), uri, fields).await
}

/// The total in "Showing 1–12 of 12 opportunities".
fn total_shown(page: &Reply) -> usize {
    page.text
        .split_once("Showing ")
        .and_then(|(_, rest)| rest.split_once(" of "))
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no result count in {}", page.text))
}

/// Every `href="/opportunities/…"` link to one opportunity.
fn opportunity_links(page: &Reply) -> Vec<&str> {
    page.text
        .split("href=\"/opportunities/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|id| *id != "new" && !id.contains('/') && !id.contains('?'))
        .collect()
}

fn the_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("id", "KW-MOH-2028-01"),
        ("title", "Diabetes nurse education"),
        ("buyer", "KW-MOH"),
        ("country", "KW"),
        (
            "description",
            "Train diabetes specialist nurses across six governorates.",
        ),
        ("service_lines", "education_training"),
        ("service_lines", "consultancy"),
        ("specialties", "307"),
        ("specialties", "920"),
        ("delivery_modes", "in_country"),
        ("languages", "ar, en"),
        ("value_amount", "1,250,000"),
        ("value_currency", "KWD"),
        ("response_due", "2028-03-31"),
        ("duration_months", "24"),
        ("source", "post"),
        (
            "requirements",
            "R1 | Nurse training | education_training | 307, 920 | 120 | in_country\nR2 | Pathway advice | consultancy | 307 | 40",
        ),
    ]
}

fn with(
    fields: &[(&'static str, &'static str)],
    name: &str,
    value: &'static str,
) -> Vec<(&'static str, &'static str)> {
    fields
        .iter()
        .map(|&(n, v)| if n == name { (n, value) } else { (n, v) })
        .collect()
}

#[tokio::test]
async fn the_dashboard_shows_counts_that_link_into_the_lists() {
    let (app, _db) = demo_app().await;
    let counts = app.store.counts().await.unwrap();
    let page = get(&app, "/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        page.text
            .contains(r#"<a href="/" aria-current="page">Dashboard</a>"#)
    );
    let published = counts
        .opportunities_by_status
        .iter()
        .find(|(s, _)| s == "published")
        .unwrap()
        .1;
    assert!(page.text.contains(&format!(
        r#"<a href="/opportunities?status=published"><span class="tally-label">Published</span> <span class="tally-count">{published}</span></a>"#
    )));
    let providers = counts
        .organisations_by_kind
        .iter()
        .find(|(k, _)| k == "provider")
        .unwrap()
        .1;
    assert!(page.text.contains(&format!(
        r#"<a href="/organisations?kind=provider"><span class="tally-label">Provider</span> <span class="tally-count">{providers}</span></a>"#
    )));
    assert!(page.text.contains(&format!(
        r#"<span class="tally-label">Offers</span> <span class="tally-count">{}</span>"#,
        counts.offers
    )));
    assert!(
        page.text
            .contains("Recently updated published opportunities")
    );
    assert!(page.text.contains("Open Government Licence v3.0"));
}

#[tokio::test]
async fn a_search_for_diabetes_finds_opportunities_and_a_country_facet_narrows_it() {
    let (app, _db) = demo_app().await;
    let all = get(&app, "/opportunities?q=diabetes").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(
        all.text.contains(r#"value="diabetes""#),
        "the query stays in the box"
    );
    assert!(all.text.contains("Diabetes centres of excellence"));
    let everywhere = total_shown(&all);
    assert!(everywhere >= 5, "{everywhere} diabetes opportunities");
    assert!(
        all.text.contains(r#"name="country" value="AE">"#),
        "countries are offered as checkboxes"
    );
    assert!(
        all.text
            .contains("United Arab Emirates <span class=\"count\">(")
    );

    let uae = get(&app, "/opportunities?q=diabetes&country=AE").await;
    let in_uae = total_shown(&uae);
    assert!(
        0 < in_uae && in_uae < everywhere,
        "{in_uae} of {everywhere}"
    );
    assert!(uae.text.contains(r#"name="country" value="AE" checked>"#));
    assert_eq!(
        uae.text
            .matches("<div><dt>Country</dt><dd>United Arab Emirates</dd></div>")
            .count(),
        in_uae,
        "every result is in the UAE"
    );
    assert!(
        uae.text
            .contains(r#"<a href="/opportunities">Clear all</a>"#)
    );
}

#[tokio::test]
async fn search_pages_keep_the_query_and_an_empty_search_says_so() {
    let (app, _db) = demo_app().await;
    let first = get(&app, "/opportunities?status=published").await;
    assert!(
        first
            .text
            .contains(r#"href="/opportunities?status=published&#38;page=2" rel="next""#)
    );
    assert_eq!(opportunity_links(&first).len(), 20);
    let second = get(&app, "/opportunities?status=published&page=2").await;
    assert!(
        second
            .text
            .contains(r#"href="/opportunities?status=published" rel="prev""#)
    );
    let none = get(&app, "/opportunities?q=zzzyzzy").await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(none.text.contains("No opportunities match your search."));
}

#[tokio::test]
async fn an_opportunity_page_shows_every_field_and_the_lifecycle_buttons_its_status_allows() {
    let (app, _db) = demo_app().await;
    let page = get(&app, "/opportunities/KHCF-2027-01").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "Paediatric oncology service development",
        r#"<span class="badge badge-published">Published</span>"#,
        r#"<a href="/organisations/KHCF">King Hussein Cancer Foundation</a>"#,
        "Jordan",
        "JOD 1,200,000",
        "about £",
        r#"<time datetime="2027-03-31">31 March 2027</time>"#,
        "36 months",
        "Embassy trade team",
        "Medical Oncology",
        "Consultancy and advisory",
        "In country",
        r#"<a href="/opportunities" aria-current="true">Opportunities</a>"#,
    ] {
        assert!(page.text.contains(text), "{text} is on the page");
    }
    assert!(
        page.text
            .contains(r#"action="/opportunities/KHCF-2027-01/actions/close""#)
    );
    assert!(
        page.text
            .contains(r#"action="/opportunities/KHCF-2027-01/actions/withdraw""#)
    );
    assert!(
        !page.text.contains("/actions/submit"),
        "a published opportunity cannot be submitted"
    );
    assert!(
        page.text
            .contains(r#"<input type="hidden" name="version" value="1">"#)
    );

    let bundled = get(&app, "/opportunities/SA-MOH-2027-01").await;
    assert!(bundled.text.contains("Requirements of this opportunity"));
    assert!(
        bundled
            .text
            .contains("Children&#39;s heart surgery service development")
    );
    let tender = get(&app, "/opportunities/ocds-213czf-000-00001").await;
    assert!(tender.text.contains("Classifications"));
    assert!(tender.text.contains("Free text only"));
}

#[tokio::test]
async fn lifecycle_buttons_move_the_opportunity_and_a_stale_one_shows_the_conflict() {
    let (app, _db) = demo_app().await;
    let stale = post_form(
        &app,
        "/opportunities/KHCF-2027-01/actions/close",
        &[("version", "7")],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale.text.contains("changed by someone else"),
        "{}",
        stale.text
    );
    assert!(stale.text.contains(r#"role="alert""#));

    let closed = post_form(
        &app,
        "/opportunities/KHCF-2027-01/actions/close",
        &[("version", "1")],
    )
    .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    assert_eq!(closed.headers["location"], "/opportunities/KHCF-2027-01");
    let stored = app
        .store
        .opportunity("KHCF-2027-01")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.record.status, hcx_domain::Status::Closed);
    let page = get(&app, "/opportunities/KHCF-2027-01").await;
    assert!(page.text.contains("no further steps are possible"));

    let unknown = post_form(
        &app,
        "/opportunities/KHCF-2027-01/actions/explode",
        &[("version", "2")],
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_invalid_opportunity_form_is_shown_again_with_inline_errors_and_nothing_is_written() {
    let (app, _db) = demo_app().await;
    let before = app.store.counts().await.unwrap();
    let fields = with(
        &with(&with(&the_form(), "title", ""), "languages", "ar, xx"),
        "value_currency",
        "",
    );
    let fields = with(
        &fields,
        "requirements",
        "R1 | Nurse training | education_training | 307 | 0\nR2 | too | few",
    );
    let page = post_form(&app, "/opportunities", &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text.contains(r#"class="error-summary""#));
    for (input, message) in [
        ("title", "Title is required"),
        (
            "languages",
            "Languages: &#34;xx&#34; is not an ISO 639-1 language code",
        ),
        ("value_currency", "Currency is required"),
        ("requirements", "Requirement 1, days must be at least 1"),
        ("requirements", "Requirement 2 has 3 parts"),
    ] {
        assert!(
            page.text
                .contains(&format!(r##"<a href="#f-{input}">{message}"##)),
            "summary links {message} to {input}"
        );
        assert!(
            page.text.contains(&format!(r#"id="f-{input}-error""#)),
            "{input} has an inline error"
        );
    }
    assert!(page.text.contains(r#"id="f-title" name="title" value="" class="input-wide" aria-describedby="f-title-error" aria-invalid="true""#));
    assert!(
        page.text
            .contains("Train diabetes specialist nurses across six governorates."),
        "entered values are kept"
    );
    assert!(
        page.text
            .contains(r#"name="service_lines" value="consultancy" checked"#)
    );
    assert!(page.text.contains(r#"<option value="KW-MOH" selected>"#));
    assert_eq!(
        app.store.counts().await.unwrap(),
        before,
        "nothing was written"
    );
}

#[tokio::test]
async fn a_valid_form_creates_a_draft_and_redirects_to_it() {
    let (app, _db) = demo_app().await;
    let form = get(&app, "/opportunities/new").await;
    assert_eq!(form.status, StatusCode::OK);
    for label in [
        r#"<label for="f-title">Title</label>"#,
        r#"<label for="f-buyer">Buyer</label>"#,
        r#"<label for="f-requirements">"#,
    ] {
        assert!(form.text.contains(label), "{label}");
    }
    assert!(
        form.text
            .contains(r#"<option value="KHCF">King Hussein Cancer Foundation (Jordan)</option>"#)
    );

    let created = post_form(&app, "/opportunities", &the_form()).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text);
    assert_eq!(created.headers["location"], "/opportunities/KW-MOH-2028-01");
    let stored = app
        .store
        .opportunity("KW-MOH-2028-01")
        .await
        .unwrap()
        .unwrap()
        .record;
    assert_eq!(stored.status, hcx_domain::Status::Draft);
    assert_eq!(
        stored.service_lines.len(),
        2,
        "both ticked service lines are kept"
    );
    assert_eq!(stored.specialties.len(), 2);
    assert_eq!(stored.requirements.len(), 2);
    assert_eq!(stored.value.unwrap().minor, 1_250_000_000);
    let page = get(&app, "/opportunities/KW-MOH-2028-01").await;
    assert!(
        page.text.contains("/actions/submit"),
        "a draft can be submitted for review"
    );

    let again = post_form(&app, "/opportunities", &the_form()).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text.contains("already exists"));
}

#[tokio::test]
async fn an_edit_saves_and_a_stale_edit_shows_the_conflict() {
    let (app, _db) = demo_app().await;
    let form = get(&app, "/opportunities/KHCF-2027-01/edit").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.text
            .contains(r#"<input type="hidden" name="version" value="1">"#)
    );
    assert!(
        form.text
            .contains(r#"value="Paediatric oncology service development""#)
    );

    let mut fields = with(&the_form(), "title", "Paediatric oncology: revised scope");
    fields.push(("version", "1"));
    let saved = post_form(&app, "/opportunities/KHCF-2027-01/edit", &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text);
    let stored = app
        .store
        .opportunity("KHCF-2027-01")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.version, 2);
    assert_eq!(stored.record.title, "Paediatric oncology: revised scope");
    assert_eq!(
        stored.record.id.as_str(),
        "KHCF-2027-01",
        "the id comes from the address"
    );
    assert_eq!(
        stored.record.status,
        hcx_domain::Status::Published,
        "the status is not edited here"
    );

    let mut stale = with(&the_form(), "title", "An older idea");
    stale.push(("version", "1"));
    let conflict = post_form(&app, "/opportunities/KHCF-2027-01/edit", &stale).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert!(
        conflict
            .text
            .contains("Someone else changed this opportunity")
    );
    assert!(
        conflict.text.contains(r#"value="An older idea""#),
        "what was typed is kept"
    );
    let differs = conflict
        .text
        .split_once("<caption>What differs</caption>")
        .map(|(_, rest)| rest.split("</table>").next().unwrap_or(""))
        .expect("a table of what differs");
    assert!(
        differs.contains(r#"<th scope="row">Title</th><td>Paediatric oncology: revised scope</td><td>An older idea</td>"#),
        "{differs}"
    );
    assert!(
        conflict
            .text
            .contains(r#"<input type="hidden" name="version" value="2">"#)
    );
    let unchanged = app
        .store
        .opportunity("KHCF-2027-01")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged.record.title, "Paediatric oncology: revised scope");
}

#[tokio::test]
async fn organisations_filter_by_kind_and_network() {
    let (app, _db) = demo_app().await;
    let page = get(&app, "/organisations?kind=provider&network=HI-YH").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Leeds Teaching Hospitals NHS Trust"));
    assert!(!page.text.contains("King Hussein Cancer Foundation"));
    assert!(
        page.text
            .contains(r#"<option value="provider" selected>Provider</option>"#)
    );
    assert!(page.text.contains(r#"<option value="HI-YH" selected>"#));
    let rows = page.text.matches("<tr>").count() - 1;
    assert_eq!(page.text.matches("<td>Provider</td>").count(), rows);
    assert_eq!(
        page.text
            .matches(r#"<abbr title="Health Innovation Yorkshire and Humber">HI-YH</abbr>"#)
            .count(),
        rows
    );

    let buyers = get(&app, "/organisations?kind=buyer").await;
    assert!(buyers.text.contains("King Hussein Cancer Foundation"));
    assert!(!buyers.text.contains("Leeds Teaching Hospitals"));
    let regions = get(&app, "/organisations?region=London&name=moorfields").await;
    assert!(regions.text.contains("Moorfields Eye Hospital"));
}

#[tokio::test]
async fn a_provider_page_lists_its_offers_and_its_strategy() {
    let (app, _db) = demo_app().await;
    let page = get(&app, "/organisations/RR8").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "Leeds Teaching Hospitals NHS Trust",
        "LTHT",
        "Health Innovation Yorkshire and Humber",
        "Oncology nursing education programme",
        "Cancer centre twinning partnership",
        "120 staff days a year",
        "£50,000 to £400,000",
        r#"<p class="domestic-label">Green: good place domestically</p>"#,
        "Russian Federation",
        "Saudi Arabia",
        "£25,000",
        "Research and learning",
    ] {
        assert!(page.text.contains(text), "{text} is on the provider page");
    }
}

#[tokio::test]
async fn a_buyer_page_lists_its_opportunities_in_every_status() {
    let (app, _db) = demo_app().await;
    let page = get(&app, "/organisations/KHCF").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text
            .contains("Paediatric oncology service development")
    );
    assert!(
        page.text
            .contains(r#"<span class="badge badge-closed">Closed</span>"#)
    );
    assert!(
        page.text
            .contains(r#"href="/opportunities/new?buyer=KHCF""#)
    );
    let form = get(&app, "/opportunities/new?buyer=KHCF").await;
    assert!(form.text.contains(r#"<option value="KHCF" selected>"#));
}

#[tokio::test]
async fn unknown_ids_and_paths_give_the_404_page() {
    let (app, _db) = demo_app().await;
    for uri in [
        "/opportunities/NOPE-1",
        "/organisations/NOPE",
        "/opportunities/NOPE-1/edit",
        "/no/such/page",
    ] {
        let page = get(&app, uri).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(page.text.contains("data-error-page=\"404\""), "{uri}");
        assert!(page.text.contains("Page not found"), "{uri}");
        assert!(
            page.text
                .contains(r#"<nav class="site-nav" aria-label="Main">"#),
            "{uri} keeps the layout"
        );
    }
    let missing = get(&app, "/opportunities/NOPE-1").await;
    assert!(
        missing
            .text
            .contains("opportunity &#34;NOPE-1&#34; was not found")
    );
}

#[tokio::test]
async fn the_stylesheet_comes_from_the_binary() {
    let (app, _db) = demo_app().await;
    let css = get(&app, "/assets/hcx.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
    assert!(css.text.contains(":focus-visible"));
    let icon = get(&app, "/assets/favicon.svg").await;
    assert_eq!(icon.headers["content-type"], "image/svg+xml");
}

#[tokio::test]
async fn an_adviser_introduces_a_provider_from_the_match_page() {
    let (app, _db) = demo_app().await;
    let page = get(&app, "/opportunities/KW-MOH-2026-01/matches").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Introduce to the buyer"));
    let done = post_form(
        &app,
        "/opportunities/KW-MOH-2026-01/introductions",
        &[("provider", "RP4"), ("offer", "RP4-paed-advice")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
    let again = get(&app, "/opportunities/KW-MOH-2026-01/matches").await;
    assert!(
        again.text.contains("Introduced: introduced"),
        "the page shows who was introduced"
    );
    let blocked = post_form(
        &app,
        "/opportunities/SA-MOH-2027-01/introductions",
        &[("provider", "G6V2S")],
    )
    .await;
    assert_eq!(blocked.status, StatusCode::CONFLICT);
    assert!(blocked.text.contains("excluded_country"));
}

#[tokio::test]
async fn a_provider_answers_its_introductions_by_form_and_the_buyer_sees_its_shortlist() {
    let (app, _db) = demo_app().await;
    let opportunity = "/opportunities/KW-MOH-2026-01";
    let introduced = post_form(
        &app,
        &format!("{opportunity}/introductions"),
        &[("provider", "RP4"), ("offer", "RP4-paed-advice")],
    )
    .await;
    assert_eq!(
        introduced.status,
        StatusCode::SEE_OTHER,
        "{}",
        introduced.text
    );
    app.introduce(&Caller::command_line(), "KW-MOH-2026-01", "RR8", None, None)
        .await
        .expect("Leeds introduced");
    app.answer_introduction(
        &Caller::command_line(),
        "KW-MOH-2026-01",
        "RR8",
        1,
        false,
        Some("no paediatric capacity this year"),
    )
    .await
    .expect("Leeds declines");

    let gosh = session_for(&app, "provider", "RP4").await;
    let dashboard = get_as(&app, &gosh, "/").await;
    assert!(dashboard.text.contains("/organisations/RP4/introductions"));
    let page = get_as(&app, &gosh, "/organisations/RP4/introductions").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("Introduced by Test Admin"),
        "who introduced it"
    );
    assert!(
        page.text.contains("name=\"csrf\""),
        "the forms carry the form token"
    );

    let answer = format!("{opportunity}/introductions/RP4/answer");
    let no_reason = post_form_as(
        &app,
        &gosh,
        &answer,
        &[("version", "1"), ("answer", "declined"), ("reason", " ")],
    )
    .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.text.contains("say why the provider declines"));
    let stale = post_form_as(
        &app,
        &gosh,
        &answer,
        &[("version", "7"), ("answer", "interested")],
    )
    .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(
        stale.text.contains("changed by someone else"),
        "{}",
        stale.text
    );
    let yes = post_form_as(
        &app,
        &gosh,
        &answer,
        &[("version", "1"), ("answer", "interested")],
    )
    .await;
    assert_eq!(yes.status, StatusCode::SEE_OTHER, "{}", yes.text);
    assert_eq!(yes.headers["location"], "/organisations/RP4/introductions");
    let after = get_as(&app, &gosh, "/organisations/RP4/introductions").await;
    assert!(after.text.contains("badge-interested"));
    let leeds = session_for(&app, "provider", "RR8").await;
    let rival = post_form_as(
        &app,
        &leeds,
        &answer,
        &[
            ("version", "2"),
            ("answer", "declined"),
            ("reason", "sabotage"),
        ],
    )
    .await;
    assert_eq!(rival.status, StatusCode::NOT_FOUND);
    assert_eq!(
        get_as(&app, &leeds, "/organisations/RP4/introductions")
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let buyer = session_for(&app, "buyer", "KW-MOH").await;
    let shortlist = get_as(&app, &buyer, opportunity).await;
    assert!(shortlist.text.contains("Providers introduced"));
    assert!(shortlist.text.contains("Great Ormond Street"));
    assert!(
        !shortlist.text.contains("Leeds Teaching") && !shortlist.text.contains("no paediatric"),
        "declines are the agency's alone"
    );
    let agency = get(&app, opportunity).await;
    assert!(agency.text.contains("Declined"));
    assert!(agency.text.contains("no paediatric capacity this year"));
}

#[tokio::test]
async fn twinning_is_a_double_match_only_while_both_sides_are_interested() {
    let (app, _db) = demo_app().await;
    let gosh = session_for(&app, "provider", "RP4").await;
    let ministry = session_for(&app, "buyer", "KW-MOH").await;
    let double = |page: &Reply| page.text.contains("badge-double");

    let mine = get_as(&app, &gosh, "/organisations/RP4/twinning").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.text.contains("<meter"), "scores are drawn as bars");
    let said = post_form_as(
        &app,
        &gosh,
        "/organisations/RP4/twinning/KW-MOH/interest",
        &[],
    )
    .await;
    assert_eq!(said.status, StatusCode::SEE_OTHER, "{}", said.text);
    let twice = post_form_as(
        &app,
        &gosh,
        "/organisations/RP4/twinning/KW-MOH/interest",
        &[],
    )
    .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(!double(
        &get_as(&app, &gosh, "/organisations/RP4/twinning").await
    ));

    let theirs = get_as(&app, &ministry, "/organisations/KW-MOH/twinning").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(theirs.text.contains("Great Ormond Street"));
    assert!(!double(&theirs));
    assert!(
        !theirs.text.contains("Target market"),
        "a buyer never sees a provider's strategy"
    );
    let forged = post_form_as(
        &app,
        &ministry,
        "/organisations/RP4/twinning/KW-MOH/interest",
        &[],
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "only for its own");
    let back = post_form_as(
        &app,
        &ministry,
        "/organisations/KW-MOH/twinning/RP4/interest",
        &[],
    )
    .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.text);
    assert!(double(
        &get_as(&app, &ministry, "/organisations/KW-MOH/twinning").await
    ));
    assert!(double(
        &get_as(&app, &gosh, "/organisations/RP4/twinning").await
    ));
    let api = get(&app, "/api/v1/organisations/RP4/twinning?top=1")
        .await
        .json();
    let kuwait = api["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["partner"] == "KW-MOH")
        .expect("a partner with interest is listed beyond the top");
    assert_eq!(kuwait["double_match"], true);

    let withdrawn = post_form_as(
        &app,
        &gosh,
        "/organisations/RP4/twinning/KW-MOH/withdraw",
        &[],
    )
    .await;
    assert_eq!(
        withdrawn.status,
        StatusCode::SEE_OTHER,
        "{}",
        withdrawn.text
    );
    assert!(!double(
        &get_as(&app, &ministry, "/organisations/KW-MOH/twinning").await
    ));
    assert!(!double(
        &get_as(&app, &gosh, "/organisations/RP4/twinning").await
    ));
}
