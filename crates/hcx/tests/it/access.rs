//! Who may do what, asked of the running router: the authorisation matrix
//! walks every route the router has (a route without a rule here fails), for
//! every role, on records of the person's own organisation and of another's.
//! Then the attacks: guessed ids, forged forms, planted sessions, dead tokens
//! and locked accounts.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use hcx::services::{App, Caller};
use serde_json::{Value, json};

use crate::support::{ADMIN_EMAIL, PASSWORD, Reply, Who, app_over, get_as, post_form_as, send_as};

const ROLES: [&str; 7] = [
    "anonymous",
    "admin",
    "adviser",
    "post",
    "provider",
    "buyer",
    "network",
];

/// A person of each role, with their own organisation and another one like it.
struct Person {
    email: String,
    user_id: String,
    token: String,
    own_org: &'static str,
    other_org: &'static str,
}

/// What the matrix expects a request to get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allowed,
    Denied,
    /// The same answer for everyone (a dead link).
    NotFound,
}

/// The rules, written out independently of the policy code.
fn expect(method: &Method, path: &str, role: &str, own: bool) -> Option<Expect> {
    use Expect::*;
    let staff = matches!(role, "admin" | "adviser");
    let signed_in = role != "anonymous";
    let keeps_opportunity = staff || (own && matches!(role, "post" | "buyer"));
    let keeps_provider = staff || (own && role == "provider");
    let admin = role == "admin";
    let allow = |yes: bool| Some(if yes { Allowed } else { Denied });
    let m = method.as_str();
    match (m, path) {
        ("GET", "/" | "/opportunities" | "/organisations" | "/organisations/{id}" | "/login")
        | ("GET", "/assets/hcx.css" | "/assets/favicon.svg" | "/healthz" | "/readyz")
        | ("POST", "/login" | "/logout")
        | ("GET" | "POST", "/reset/{token}") => allow(true),
        ("GET", p) if p.starts_with("/api/v1/docs") || p == "/api/v1/openapi.json" => allow(true),
        ("GET" | "POST", "/setup/{token}") => Some(NotFound),
        ("GET", "/opportunities/new" | "/account") | ("POST", "/account/tokens") => {
            allow(signed_in)
        }
        ("POST", "/account/tokens/{id}/revoke") => allow(signed_in && (own || admin)),
        ("GET", "/opportunities/{id}" | "/opportunities/{id}/edit")
        | ("POST", "/opportunities" | "/opportunities/{id}/edit")
        | ("POST", "/opportunities/{id}/actions/{action}") => allow(keeps_opportunity),
        ("GET" | "POST", "/admin/users")
        | ("POST", "/admin/users/{id}/{action}")
        | ("GET", "/admin/audit" | "/admin/audit.jsonl") => allow(admin),
        (
            "GET",
            "/api/v1/organisations"
            | "/api/v1/organisations/{id}"
            | "/api/v1/offers"
            | "/api/v1/offers/{id}"
            | "/api/v1/strategies"
            | "/api/v1/opportunities"
            | "/api/v1/me",
        ) => allow(true),
        ("POST", "/api/v1/organisations") | ("DELETE", "/api/v1/organisations/{id}") => {
            allow(staff)
        }
        ("PUT", "/api/v1/organisations/{id}") => {
            allow(staff || (own && signed_in && role != "admin"))
        }
        ("POST", "/api/v1/offers") | ("PUT" | "DELETE", "/api/v1/offers/{id}") => {
            allow(keeps_provider)
        }
        ("POST", "/api/v1/strategies") | ("GET" | "PUT" | "DELETE", "/api/v1/strategies/{id}") => {
            allow(keeps_provider)
        }
        ("POST", "/api/v1/opportunities")
        | ("GET" | "PUT" | "DELETE", "/api/v1/opportunities/{id}")
        | ("POST", "/api/v1/opportunities/{id}/actions/{action}") => allow(keeps_opportunity),
        ("POST", "/api/v1/import") | ("GET", "/api/v1/export") => allow(staff),
        ("GET", "/api/v1/opportunities/{id}/matches" | "/opportunities/{id}/matches") => {
            allow(staff)
        }
        (
            "GET",
            "/api/v1/organisations/{id}/matches"
            | "/api/v1/organisations/{id}/introductions"
            | "/organisations/{id}/introductions",
        )
        | (
            "POST",
            "/api/v1/opportunities/{id}/introductions/{provider}/answer"
            | "/opportunities/{id}/introductions/{provider}/answer",
        ) => allow(keeps_provider),
        // Suggestions: each side's own people, the agency, and for a buyer
        // the embassy team of its country (the post's "own" buyer).
        ("GET", "/api/v1/organisations/{id}/twinning" | "/organisations/{id}/twinning") => {
            allow(staff || (own && matches!(role, "provider" | "buyer" | "post")))
        }
        // Interest is said only for one's own organisation, or by the agency.
        ("POST" | "DELETE", "/api/v1/organisations/{id}/twinning/{partner}/interest")
        | (
            "POST",
            "/organisations/{id}/twinning/{partner}/interest"
            | "/organisations/{id}/twinning/{partner}/withdraw",
        ) => allow(staff || (own && matches!(role, "provider" | "buyer"))),
        (
            "POST",
            "/api/v1/opportunities/{id}/introductions" | "/opportunities/{id}/introductions",
        ) => allow(staff),
        ("GET", "/api/v1/opportunities/{id}/introductions") => allow(keeps_opportunity),
        ("GET", "/api/v1/audit") => allow(admin),
        // Screening: the agency, providers vetting partners, embassy teams;
        // the lists themselves are the agency's to replace.
        ("GET", "/api/v1/lists") | ("POST", "/api/v1/match/{list}") => {
            allow(staff || matches!(role, "provider" | "post"))
        }
        ("PUT", "/api/v1/lists/{name}") => allow(staff),
        ("GET", "/screening") => allow(staff || matches!(role, "provider" | "post")),
        ("POST", "/screening/lists") => allow(staff),
        // Due diligence: a provider's cases are its people's and the agency's.
        ("GET", "/cases" | "/cases/new" | "/api/v1/cases") => allow(staff || role == "provider"),
        ("POST", "/cases" | "/api/v1/cases") => allow(staff || (own && role == "provider")),
        ("GET", "/cases/{id}" | "/api/v1/cases/{id}")
        | ("PUT", "/api/v1/cases/{id}")
        | (
            "POST",
            "/cases/{id}"
            | "/cases/{id}/people"
            | "/cases/{id}/screen"
            | "/cases/{id}/hits/{hit}"
            | "/cases/{id}/submit"
            | "/cases/{id}/decision"
            | "/cases/{id}/reopen"
            | "/api/v1/cases/{id}/people"
            | "/api/v1/cases/{id}/screen"
            | "/api/v1/cases/{id}/hits/{hit}"
            | "/api/v1/cases/{id}/submit"
            | "/api/v1/cases/{id}/decision"
            | "/api/v1/cases/{id}/reopen",
        ) => allow(keeps_provider),
        // Quotes: the provider's people and the agency price them; the buyer
        // of the opportunity sees what was issued to it and answers it.
        ("GET", "/quotes" | "/api/v1/quotes") => {
            allow(staff || matches!(role, "provider" | "buyer"))
        }
        ("GET", "/quotes/new") => allow(staff || role == "provider"),
        ("POST", "/quotes" | "/api/v1/quotes") => allow(keeps_provider),
        ("GET", "/quotes/{id}" | "/quotes/{id}/print" | "/api/v1/quotes/{id}")
        | (
            "POST",
            "/quotes/{id}/accept"
            | "/quotes/{id}/reject"
            | "/api/v1/quotes/{id}/accept"
            | "/api/v1/quotes/{id}/reject",
        ) => allow(keeps_provider || (own && role == "buyer")),
        ("GET", "/quotes/{id}/revise")
        | ("PUT", "/api/v1/quotes/{id}")
        | (
            "POST",
            "/quotes/{id}/revise"
            | "/quotes/{id}/issue"
            | "/quotes/{id}/withdraw"
            | "/api/v1/quotes/{id}/issue"
            | "/api/v1/quotes/{id}/withdraw",
        ) => allow(keeps_provider),
        // A provider's reinvestment pot is its own people's and the agency's.
        (
            "GET" | "POST",
            "/organisations/{id}/reinvestment" | "/api/v1/organisations/{id}/reinvestment",
        ) => allow(keeps_provider),
        ("POST", "/notifications/cases/{id}/read") => allow(signed_in && own),
        // Consortia: the agency plans, proposes and steers; the members'
        // people see theirs, and answer only for their own provider.
        (
            "GET",
            "/opportunities/{id}/consortium" | "/api/v1/opportunities/{id}/consortium-plan",
        )
        | ("POST", "/opportunities/{id}/consortia" | "/api/v1/opportunities/{id}/consortia")
        | ("POST", "/consortia/{id}/split" | "/consortia/{id}/withdraw")
        | ("PUT", "/api/v1/consortia/{id}/split")
        | ("POST", "/api/v1/consortia/{id}/withdraw") => allow(staff),
        ("GET", "/consortia" | "/api/v1/consortia") => allow(staff || role == "provider"),
        ("GET", "/consortia/{id}" | "/api/v1/consortia/{id}") => allow(keeps_provider),
        ("POST", "/consortia/{id}/answer" | "/api/v1/consortia/{id}/answer") => {
            allow(own && role == "provider")
        }
        // The bundle's quote is the lead's: its people and the agency.
        ("POST", "/consortia/{id}/quote" | "/api/v1/consortia/{id}/quote") => allow(keeps_provider),
        ("GET", "/alerts" | "/notifications" | "/api/v1/alerts" | "/api/v1/notifications") => {
            allow(signed_in)
        }
        ("POST", "/alerts" | "/api/v1/alerts") => allow(staff || (own && role == "provider")),
        ("POST", "/alerts/{id}/delete" | "/notifications/{id}/read")
        | ("DELETE", "/api/v1/alerts/{id}") => allow(signed_in && own),
        // The token in the address is the credential: mail clients and feed
        // readers send no cookies.
        ("GET" | "POST", "/alerts/unsubscribe/{token}") | ("GET", "/alerts/{id}/feed.atom") => {
            allow(true)
        }
        _ => None,
    }
}

/// What the answer says, in the matrix's terms.
fn outcome(reply: &Reply, api: bool) -> Option<Expect> {
    let to_sign_in = reply.status == StatusCode::SEE_OTHER
        && reply
            .headers
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .is_some_and(|l| l.starts_with("/login?next="));
    match reply.status {
        s if s.is_server_error() => None,
        // Records one may not see are answered as missing.
        StatusCode::NOT_FOUND => Some(Expect::Denied),
        StatusCode::UNAUTHORIZED if api => Some(Expect::Denied),
        StatusCode::FORBIDDEN => Some(Expect::Denied),
        _ if to_sign_in => Some(Expect::Denied),
        s if s.is_success() || s.is_redirection() || s == StatusCode::CONFLICT => {
            Some(Expect::Allowed)
        }
        _ => None,
    }
}

static FRESH: AtomicUsize = AtomicUsize::new(1);

fn fresh(prefix: &str) -> String {
    format!("{prefix}-{}", FRESH.fetch_add(1, Ordering::Relaxed))
}

/// The demo world's bundled opportunity.
const BUNDLE: &str = "SA-MOH-2027-01";

/// A screening list of one entity.
const MATRIX_LIST: &str =
    r#"{"id":"ofac-2686","schema":"Person","properties":{"name":["Hasan NASRALLAH"]}}"#;

/// How far a due-diligence case of the matrix has gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Open,
    /// Open, with a hit awaiting review.
    WithHit,
    /// Open, with everything submitting needs.
    Complete,
    /// Submitted by the command line, so that anyone else may decide it.
    Submitted,
}

/// Every checklist item answered, as the API sends it.
fn complete_case(version: i64) -> Value {
    let checklist: Vec<Value> = [
        "anti_bribery",
        "ethics",
        "governing_law",
        "mou_exit",
        "nhs_brand",
    ]
    .iter()
    .map(|item| json!({"item": item, "answer": "satisfied"}))
    .collect();
    json!({
        "version": version,
        "financial_notes": "Pays on time.",
        "checklist": checklist,
        "rating": "low",
        "rating_reasons": "A long record.",
    })
}

/// The same as a page's form sends it.
fn complete_case_form(version: i64) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("version", version.to_string()),
        ("financial_notes", "Pays on time.".to_owned()),
        ("rating", "low".to_owned()),
        ("rating_reasons", "A long record.".to_owned()),
    ];
    for answer in [
        "answer.anti_bribery",
        "answer.ethics",
        "answer.governing_law",
        "answer.mou_exit",
        "answer.nhs_brand",
    ] {
        fields.push((answer, "satisfied".to_owned()));
    }
    fields
}

fn a_year_on() -> String {
    hcx_domain::opportunity::format_date(hcx_domain::diligence::suggested_expiry(
        time::OffsetDateTime::now_utc().date(),
    ))
}

/// The test world: the demo data, a screening list and one person per role.
struct World {
    app: App,
    people: HashMap<&'static str, Person>,
    _db: hcx_store::testing::TestStore,
}

async fn world(db: hcx_store::testing::TestStore) -> World {
    let app = app_over(db.store.clone()).await;
    hcx::demo::load(&app, &mut |_| ())
        .await
        .expect("demo world");
    let cli = Caller::command_line();
    app.import_list(&cli, "matrix", "matrix", MATRIX_LIST)
        .await
        .expect("screening list");
    let mut people = HashMap::new();
    let specs: [(&str, Option<&str>, &str, &str); 6] = [
        ("admin", None, "HCUK", "RR8"),
        ("adviser", Some("HCUK"), "HCUK", "RR8"),
        ("post", Some("POST-KW"), "POST-KW", "POST-SA"),
        ("provider", Some("RP4"), "RP4", "RR8"),
        ("buyer", Some("KW-MOH"), "KW-MOH", "SA-MOH"),
        ("network", Some("UCLP"), "UCLP", "HI-East"),
    ];
    for (role, member_of, own_org, other_org) in specs {
        let email = format!("{role}@matrix.test");
        let organisations: Vec<String> = member_of.iter().map(|o| o.to_string()).collect();
        let user = app
            .add_user(&cli, &email, role, role, &organisations, Some(PASSWORD))
            .await
            .expect("account");
        let token = app
            .create_token(&cli, &user.id, "matrix", None, None)
            .await
            .expect("token")
            .secret;
        people.insert(
            role,
            Person {
                email,
                user_id: user.id,
                token,
                own_org,
                other_org,
            },
        );
    }
    World {
        app,
        people,
        _db: db,
    }
}

impl World {
    /// A fresh browser session for a role (signing out or in elsewhere ends sessions).
    async fn session(&self, role: &str) -> Who {
        match self.people.get(role) {
            None => Who::Anonymous,
            Some(p) => {
                let signed_in = self
                    .app
                    .sign_in(&p.email, PASSWORD, None)
                    .await
                    .expect("sign in");
                Who::Session {
                    cookie: signed_in.session,
                    csrf: signed_in.csrf,
                }
            }
        }
    }

    fn token(&self, role: &str) -> Who {
        self.people
            .get(role)
            .map_or(Who::Anonymous, |p| Who::Token(p.token.clone()))
    }

    /// The organisation a request concerns: the person's own, or another.
    fn org(&self, role: &str, own: bool, fallback: (&'static str, &'static str)) -> &'static str {
        match (self.people.get(role), own) {
            (Some(p), true) => p.own_org,
            (Some(p), false) => p.other_org,
            (None, true) => fallback.0,
            (None, false) => fallback.1,
        }
    }

    /// A buyer and its country: the person's own side, or another.
    fn buyer(&self, role: &str, own: bool) -> (&'static str, &'static str) {
        let own_side = matches!(role, "post" | "buyer") && own;
        if own_side {
            ("KW-MOH", "KW")
        } else {
            ("SA-MOH", "SA")
        }
    }

    /// A side of a twinning pair and its partner on the other side: the
    /// person's own organisation (a post's is a buyer in its country), or another.
    fn twinning_pair(&self, role: &str, own: bool) -> (&'static str, &'static str) {
        let org = match (role, own) {
            ("provider", true) => "RP4",
            ("provider", false) => "RR8",
            ("buyer" | "post", true) => "KW-MOH",
            (_, false) => "SA-MOH",
            (_, true) => "RP4",
        };
        let partner = if org.contains("MOH") { "RP4" } else { "KW-MOH" };
        (org, partner)
    }

    /// A provider: the person's own (for providers), or another.
    fn provider(&self, role: &str, own: bool) -> &'static str {
        if role == "provider" && own {
            "RP4"
        } else {
            "RR8"
        }
    }

    async fn put_record(&self, line: Value) {
        let record = hcx_domain::Record::from_value(line).expect("valid fixture");
        self.app
            .put(&Caller::command_line(), &record)
            .await
            .expect("fixture written");
    }

    async fn draft_opportunity(&self, role: &str, own: bool) -> (String, Value) {
        let (buyer, country) = self.buyer(role, own);
        let id = fresh("matrix-opp");
        let record = json!({"record": "opportunity", "id": id, "buyer": buyer, "country": country,
            "title": "Critical care nursing", "description": "ICU nurse training", "source": "post", "status": "draft"});
        self.put_record(record.clone()).await;
        (id, record)
    }

    async fn offer(&self, role: &str, own: bool) -> (String, Value) {
        let id = fresh("matrix-offer");
        let record = json!({"record": "offer", "id": id, "provider": self.provider(role, own),
            "title": "ICU training", "description": "Critical care", "service_lines": ["education_training"],
            "delivery_modes": ["remote"], "price_gbp": {"min": 1000, "max": 2000}});
        self.put_record(record.clone()).await;
        (id, record)
    }

    /// An alert of the person (own) or of someone else, straight into the store.
    async fn alert(&self, role: &str, own: bool) -> hcx_store::Subscription {
        let owner = match (self.people.get(role), own) {
            (Some(p), true) => p.user_id.clone(),
            _ if role == "adviser" => self.people["admin"].user_id.clone(),
            _ => self.people["adviser"].user_id.clone(),
        };
        let id = fresh("matrix-alert");
        self.app
            .store
            .create_subscription(
                &hcx_store::NewSubscription {
                    id: id.clone(),
                    user_id: owner,
                    organisation_id: None,
                    kind: "search".into(),
                    query: Some("{}".into()),
                    cadence: "immediate".into(),
                    token: format!("{id}-token"),
                },
                &Caller::command_line().author(),
            )
            .await
            .expect("alert")
    }

    /// A case on a Kuwaiti ministry of the person's own provider (for a
    /// provider's people), or of another, brought to `step`.
    /// A consortium proposed for the demo bundle with `member` leading and
    /// Evelina (RJ1) beside it.
    async fn consortium(&self, member: &str) -> hcx_domain::agreement::Consortium {
        use hcx_domain::agreement::{Answer, Consortium, Place, PlacePart, Standing};
        let place = |provider: &str, lead: bool| Place {
            provider: hcx_domain::OrganisationId::parse(provider).unwrap(),
            lead,
            parts: vec![PlacePart {
                requirement: if lead { "R1" } else { "R2" }.into(),
                offer: format!("{provider}-offer"),
                days: 100,
                fit: 0.7,
            }],
            contribution_pence: 10_000_000,
            share_bp: 5_000,
            answer: Answer::Pending,
            answered_by: None,
            answered_at: None,
            note: String::new(),
        };
        let proposal = Consortium {
            id: String::new(),
            opportunity: hcx_domain::OpportunityId::parse(BUNDLE).unwrap(),
            standing: Standing::Proposed,
            objective: 1.3,
            solver: "microlp".into(),
            members: vec![place(member, true), place("RJ1", false)],
            proposed_by: "matrix".into(),
            note: String::new(),
            agreed_at: None,
            version: 0,
            created_at: 0,
            updated_at: 0,
        };
        self.app
            .store
            .propose_consortium(proposal, &Caller::command_line().author())
            .await
            .expect("consortium")
    }

    async fn case(&self, role: &str, own: bool, step: Step) -> hcx_domain::diligence::Case {
        use hcx::services::diligence::{EditInput, OpenInput};
        let cli = Caller::command_line();
        let open = OpenInput {
            partner: "KW-MOH".into(),
            owner: Some(self.provider(role, own).into()),
            people: Vec::new(),
        };
        let case = self.app.open_case(&cli, &open).await.expect("case");
        let id = case.id.to_string();
        match step {
            Step::Open => case,
            Step::WithHit => {
                let finding = hcx_domain::diligence::Finding {
                    list_name: "matrix".into(),
                    list_version: "1".into(),
                    entity_id: "ofac-2686".into(),
                    caption: "Hasan NASRALLAH".into(),
                    schema: hcx_domain::screening::entity::Schema::Person,
                    topics: vec!["sanction".into()],
                    score: 0.6,
                };
                self.app
                    .store
                    .record_hits(
                        &case.id,
                        &hcx_domain::diligence::Subject::Organisation,
                        &[finding],
                        &cli.author(),
                    )
                    .await
                    .expect("hit");
                self.app.case(&cli, &id).await.expect("case")
            }
            Step::Complete | Step::Submitted => {
                let body = complete_case(case.version);
                let edit = EditInput {
                    financial_notes: body["financial_notes"].as_str().unwrap().into(),
                    checklist: serde_json::from_value(body["checklist"].clone()).unwrap(),
                    rating: Some("low".into()),
                    rating_reasons: body["rating_reasons"].as_str().unwrap().into(),
                    ..EditInput::default()
                };
                let case = self
                    .app
                    .edit_case(&cli, &id, case.version, &edit)
                    .await
                    .expect("complete");
                if step == Step::Complete {
                    return case;
                }
                self.app
                    .submit_case(&cli, &id, case.version)
                    .await
                    .expect("submitted")
            }
        }
    }

    /// A published opportunity of the person's own buyer (for buyers and
    /// posts), or of another.
    fn quoted_opportunity(&self, role: &str, own: bool) -> &'static str {
        match self.buyer(role, own) {
            ("KW-MOH", _) => "KW-MOH-2026-01",
            _ => "SA-MOH-2027-01",
        }
    }

    /// A quote of the person's own provider (for a provider's people), or
    /// of another, for the person's own buyer (for buyers), or another's;
    /// issued to the buyer unless a draft is asked for.
    async fn quote(&self, role: &str, own: bool, issued: bool) -> hcx::services::quotes::QuoteView {
        use hcx::services::quotes::NewQuoteInput;
        let cli = Caller::command_line();
        let new = NewQuoteInput {
            provider: Some(self.provider(role, own).into()),
            opportunity: Some(self.quoted_opportunity(role, own).into()),
            title: None,
            input: serde_json::from_value(quote_input()).expect("a quote request"),
        };
        let view = self.app.create_quote(&cli, &new).await.expect("quote");
        if !issued {
            return view;
        }
        let id = view.quote.id.to_string();
        self.app
            .issue_quote(&cli, &id, view.quote.version)
            .await
            .expect("issued")
    }

    /// The provider's strategy, written again if a request removed it.
    async fn strategy(&self, role: &str, own: bool) -> (String, Value) {
        let provider = self.provider(role, own);
        let id = format!("{provider}-strategy");
        let record = json!({"record": "strategy", "id": id, "provider": provider,
            "excluded_countries": ["RU"]});
        self.put_record(record.clone()).await;
        (id, record)
    }
}

fn json_request(method: &Method, uri: &str, body: Option<&Value>) -> Request<Body> {
    let builder = Request::builder().method(method.clone()).uri(uri);
    match body {
        Some(b) => builder
            .header("content-type", "application/json")
            .body(Body::from(b.to_string()))
            .unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    }
}

/// A quote request as the API takes it.
fn quote_input() -> Value {
    json!({"lines": [{"grade": "band_6", "days": 5, "trips": 1}], "country": "KW",
        "currency": "USD", "partner_type": "government"})
}

/// The same as the quote form sends it.
fn quote_form() -> Vec<(&'static str, String)> {
    vec![
        ("country", "KW".into()),
        ("currency", "USD".into()),
        ("partner_type", "government".into()),
        ("grade.0", "band_6".into()),
        ("days.0", "5".into()),
        ("trips.0", "1".into()),
        ("schedule", "standard".into()),
    ]
}

fn form_of(id: &str, buyer: &str, country: &str) -> Vec<(&'static str, String)> {
    vec![
        ("id", id.to_owned()),
        ("title", "Critical care nursing".into()),
        ("buyer", buyer.into()),
        ("country", country.into()),
        ("description", "ICU nurse training".into()),
        ("source", "post".into()),
        ("version", "1".into()),
    ]
}

/// Makes one request of the matrix and returns the answer.
async fn request(w: &World, method: &Method, path: &str, role: &str, own: bool) -> Reply {
    let api = path.starts_with("/api/");
    let who = if api {
        w.token(role)
    } else {
        w.session(role).await
    };
    let post_form = async |uri: &str, fields: Vec<(&str, String)>| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        post_form_as(&w.app, &who, uri, &fields).await
    };
    match (method.as_str(), path) {
        ("GET", p) if !p.contains('{') => get_as(&w.app, &who, p).await,
        ("GET", "/api/v1/docs/{*file}") => {
            get_as(&w.app, &who, "/api/v1/docs/swagger-ui.css").await
        }
        ("GET", "/organisations/{id}") => {
            let org = w.org(role, own, ("RP4", "RR8"));
            get_as(&w.app, &who, &format!("/organisations/{org}")).await
        }
        (
            "GET",
            "/api/v1/organisations/{id}/matches" | "/api/v1/organisations/{id}/introductions",
        ) => {
            let org = w.org(role, own, ("RP4", "RR8"));
            get_as(&w.app, &who, &path.replace("{id}", org)).await
        }
        ("GET", "/organisations/{id}/introductions") => {
            let org = w.org(role, own, ("RP4", "RR8"));
            get_as(&w.app, &who, &path.replace("{id}", org)).await
        }
        ("POST", "/opportunities/{id}/introductions/{provider}/answer") => {
            let (id, _) = w.draft_opportunity(role, own).await;
            let provider = w.provider(role, own);
            w.app
                .store
                .introduce(&id, provider, None, None, &Caller::command_line().author())
                .await
                .expect("introduced");
            let uri = format!("/opportunities/{id}/introductions/{provider}/answer");
            post_form(
                &uri,
                vec![("version", "1".into()), ("answer", "interested".into())],
            )
            .await
        }
        ("GET", "/api/v1/organisations/{id}/twinning" | "/organisations/{id}/twinning") => {
            let (org, _) = w.twinning_pair(role, own);
            get_as(&w.app, &who, &path.replace("{id}", org)).await
        }
        (
            "POST" | "DELETE",
            "/api/v1/organisations/{id}/twinning/{partner}/interest"
            | "/organisations/{id}/twinning/{partner}/interest"
            | "/organisations/{id}/twinning/{partner}/withdraw",
        ) => {
            let (org, partner) = w.twinning_pair(role, own);
            let withdrawing = method == Method::DELETE || path.ends_with("/withdraw");
            if withdrawing {
                // There must be an interest to withdraw; it may be there already.
                let _ = w
                    .app
                    .store
                    .express_interest(org, partner, &Caller::command_line().author())
                    .await;
            }
            let uri = path.replace("{id}", org).replace("{partner}", partner);
            if path.starts_with("/api/") {
                send_as(&w.app, &who, json_request(method, &uri, None)).await
            } else {
                post_form(&uri, vec![]).await
            }
        }
        ("POST", "/api/v1/opportunities/{id}/introductions") => {
            let (id, _) = w.draft_opportunity(role, own).await;
            let body = json!({"provider": "RP4", "note": "paediatric fit"});
            let uri = format!("/api/v1/opportunities/{id}/introductions");
            send_as(&w.app, &who, json_request(method, &uri, Some(&body))).await
        }
        ("GET", "/api/v1/opportunities/{id}/introductions") => {
            let (id, _) = w.draft_opportunity(role, own).await;
            get_as(
                &w.app,
                &who,
                &format!("/api/v1/opportunities/{id}/introductions"),
            )
            .await
        }
        ("POST", "/api/v1/opportunities/{id}/introductions/{provider}/answer") => {
            let (id, _) = w.draft_opportunity(role, own).await;
            let provider = w.provider(role, own);
            w.app
                .store
                .introduce(&id, provider, None, None, &Caller::command_line().author())
                .await
                .expect("introduced");
            let body = json!({"version": 1, "interested": true});
            let uri = format!("/api/v1/opportunities/{id}/introductions/{provider}/answer");
            send_as(&w.app, &who, json_request(method, &uri, Some(&body))).await
        }
        ("GET", "/api/v1/organisations/{id}") => {
            let org = w.org(role, own, ("RP4", "RR8"));
            get_as(&w.app, &who, &format!("/api/v1/organisations/{org}")).await
        }
        ("PUT" | "DELETE", "/api/v1/organisations/{id}") => {
            let org = w.org(role, own, ("RP4", "RR8"));
            let stored = w
                .app
                .get(
                    &Caller::command_line(),
                    hcx::services::registry::Kind::Organisation,
                    org,
                )
                .await
                .expect("organisation")
                .record
                .to_value();
            let body = (method == Method::PUT).then_some(&stored);
            send_as(
                &w.app,
                &who,
                json_request(method, &format!("/api/v1/organisations/{org}"), body),
            )
            .await
        }
        ("POST", "/api/v1/organisations") => {
            let body = json!({"record": "organisation", "id": fresh("matrix-org"), "name": "New buyer",
                "kind": "buyer", "sector": "government", "country": "JO"});
            send_as(&w.app, &who, json_request(method, path, Some(&body))).await
        }
        ("GET" | "PUT" | "DELETE", "/api/v1/offers/{id}") => {
            let (id, record) = w.offer(role, own).await;
            let body = (method == Method::PUT).then_some(&record);
            send_as(
                &w.app,
                &who,
                json_request(method, &format!("/api/v1/offers/{id}"), body),
            )
            .await
        }
        ("POST", "/api/v1/offers") => {
            let body = json!({"record": "offer", "id": fresh("matrix-offer"), "provider": w.provider(role, own),
                "title": "ICU training", "description": "Critical care", "service_lines": ["education_training"],
                "delivery_modes": ["remote"]});
            send_as(&w.app, &who, json_request(method, path, Some(&body))).await
        }
        ("GET" | "PUT" | "DELETE", "/api/v1/strategies/{id}") => {
            let (id, record) = w.strategy(role, own).await;
            let body = (method == Method::PUT).then_some(&record);
            send_as(
                &w.app,
                &who,
                json_request(method, &format!("/api/v1/strategies/{id}"), body),
            )
            .await
        }
        ("POST", "/api/v1/strategies") => {
            let (id, record) = w.strategy(role, own).await;
            w.app
                .delete(
                    &Caller::command_line(),
                    hcx::services::registry::Kind::Strategy,
                    &id,
                    None,
                )
                .await
                .expect("strategy removed");
            send_as(&w.app, &who, json_request(method, path, Some(&record))).await
        }
        ("GET" | "PUT" | "DELETE", "/api/v1/opportunities/{id}") => {
            let (id, record) = w.draft_opportunity(role, own).await;
            let body = (method == Method::PUT).then_some(&record);
            send_as(
                &w.app,
                &who,
                json_request(method, &format!("/api/v1/opportunities/{id}"), body),
            )
            .await
        }
        ("POST", "/api/v1/opportunities") => {
            let (buyer, country) = w.buyer(role, own);
            let body = json!({"record": "opportunity", "id": fresh("matrix-opp"), "buyer": buyer, "country": country,
                "title": "Critical care nursing", "description": "ICU nurse training", "source": "post", "status": "draft"});
            send_as(&w.app, &who, json_request(method, path, Some(&body))).await
        }
        ("GET", "/api/v1/opportunities/{id}/matches") => {
            let (id, _) = w.draft_opportunity(role, own).await;
            get_as(&w.app, &who, &format!("/api/v1/opportunities/{id}/matches")).await
        }
        ("POST", "/api/v1/opportunities/{id}/actions/{action}") => {
            let (id, _) = w.draft_opportunity(role, own).await;
            let body = json!({"version": 1});
            let uri = format!("/api/v1/opportunities/{id}/actions/submit");
            send_as(&w.app, &who, json_request(method, &uri, Some(&body))).await
        }
        ("PUT", "/api/v1/lists/{name}") => {
            let request = Request::put("/api/v1/lists/matrix")
                .header("content-type", "application/x-ndjson")
                .body(Body::from(MATRIX_LIST))
                .unwrap();
            send_as(&w.app, &who, request).await
        }
        ("POST", "/api/v1/match/{list}") => {
            let body = json!({"queries": {"q": {"schema": "Person", "properties": {"name": ["Hasan Nasrallah"]}}}});
            send_as(
                &w.app,
                &who,
                json_request(method, "/api/v1/match/matrix", Some(&body)),
            )
            .await
        }
        ("POST", "/api/v1/import") => {
            let line = json!({"record": "organisation", "id": fresh("matrix-import"), "name": "Imported",
                "kind": "buyer", "sector": "government", "country": "JO"});
            let request = Request::post(path)
                .header("content-type", "application/x-ndjson")
                .body(Body::from(line.to_string()))
                .unwrap();
            send_as(&w.app, &who, request).await
        }
        (
            "GET",
            "/opportunities/{id}" | "/opportunities/{id}/edit" | "/opportunities/{id}/matches",
        ) => {
            let (id, _) = w.draft_opportunity(role, own).await;
            get_as(&w.app, &who, &path.replace("{id}", &id)).await
        }
        ("POST", "/opportunities") => {
            let (buyer, country) = w.buyer(role, own);
            post_form(path, form_of(&fresh("matrix-opp"), buyer, country)).await
        }
        ("POST", "/opportunities/{id}/introductions") => {
            let (id, _) = w.draft_opportunity(role, own).await;
            let uri = format!("/opportunities/{id}/introductions");
            post_form(&uri, vec![("provider", "RP4".into())]).await
        }
        ("POST", "/opportunities/{id}/edit") => {
            let (id, _) = w.draft_opportunity(role, own).await;
            let (buyer, country) = w.buyer(role, own);
            post_form(
                &format!("/opportunities/{id}/edit"),
                form_of(&id, buyer, country),
            )
            .await
        }
        ("POST", "/opportunities/{id}/actions/{action}") => {
            let (id, _) = w.draft_opportunity(role, own).await;
            let uri = format!("/opportunities/{id}/actions/submit");
            post_form(&uri, vec![("version", "1".into())]).await
        }
        ("POST", "/login") => {
            post_form(
                path,
                vec![("email", ADMIN_EMAIL.into()), ("password", PASSWORD.into())],
            )
            .await
        }
        ("POST", "/logout" | "/account/tokens") => {
            post_form(path, vec![("name", "matrix".into())]).await
        }
        ("POST", "/account/tokens/{id}/revoke") => {
            // Own: a token of the person; other: the administrator's.
            let owner = match (w.people.get(role), own) {
                (Some(p), true) => p.user_id.clone(),
                _ => w.people["admin"].user_id.clone(),
            };
            let issued = w
                .app
                .create_token(&Caller::command_line(), &owner, "to revoke", None, None)
                .await
                .expect("token");
            post_form(
                &format!("/account/tokens/{}/revoke", issued.token.id),
                vec![],
            )
            .await
        }
        ("POST", "/admin/users") => {
            let email = format!("{}@matrix.test", fresh("new"));
            post_form(
                path,
                vec![
                    ("email", email),
                    ("role", "adviser".into()),
                    ("organisations", "HCUK".into()),
                    ("password", "a long enough password".into()),
                ],
            )
            .await
        }
        ("POST", "/admin/users/{id}/{action}") => {
            let target = match (w.people.get(role), own) {
                (Some(p), true) => p.user_id.clone(),
                _ => w.people["network"].user_id.clone(),
            };
            post_form(&format!("/admin/users/{target}/reset"), vec![]).await
        }
        ("GET" | "POST", "/reset/{token}") => {
            let throwaway = w
                .app
                .add_user(
                    &Caller::command_line(),
                    &format!("{}@matrix.test", fresh("reset")),
                    "",
                    "adviser",
                    &[],
                    None,
                )
                .await
                .expect("account");
            let token = w
                .app
                .issue_reset(&Caller::command_line(), &throwaway.id)
                .await
                .expect("reset link");
            let uri = format!("/reset/{token}");
            if method == Method::GET {
                get_as(&w.app, &who, &uri).await
            } else {
                let password = "a brand new password".to_owned();
                post_form(
                    &uri,
                    vec![("password", password.clone()), ("confirm", password)],
                )
                .await
            }
        }
        ("GET", "/setup/{token}") => get_as(&w.app, &who, "/setup/guessed-token").await,
        ("POST", "/setup/{token}") => {
            post_form("/setup/guessed-token", vec![("email", "x@y.test".into())]).await
        }
        ("POST", "/alerts") => {
            let org = w.org(role, own, ("RP4", "RR8"));
            post_form(
                path,
                vec![
                    ("kind", "search".into()),
                    ("organisation", org.into()),
                    ("q", "diabetes".into()),
                ],
            )
            .await
        }
        ("POST", "/api/v1/alerts") => {
            let org = w.org(role, own, ("RP4", "RR8"));
            let body =
                json!({"kind": "search", "organisation": org, "search": {"text": "diabetes"}});
            send_as(&w.app, &who, json_request(method, path, Some(&body))).await
        }
        ("POST", "/alerts/{id}/delete") => {
            let alert = w.alert(role, own).await;
            post_form(&format!("/alerts/{}/delete", alert.id), vec![]).await
        }
        ("DELETE", "/api/v1/alerts/{id}") => {
            let alert = w.alert(role, own).await;
            let uri = format!("/api/v1/alerts/{}", alert.id);
            send_as(&w.app, &who, json_request(method, &uri, None)).await
        }
        ("POST", "/notifications/{id}/read") => {
            let alert = w.alert(role, own).await;
            let (opportunity, _) = w.draft_opportunity(role, own).await;
            let made = w
                .app
                .store
                .add_notifications(
                    &opportunity,
                    &[(alert.user_id.clone(), alert.id.clone())],
                    &Caller::command_line().author(),
                )
                .await
                .expect("notification");
            post_form(&format!("/notifications/{}/read", made[0].id), vec![]).await
        }
        ("GET", "/alerts/{id}/feed.atom") => {
            let alert = w.alert(role, own).await;
            let uri = format!("/alerts/{}/feed.atom?token={}", alert.id, alert.token);
            get_as(&w.app, &who, &uri).await
        }
        ("GET", "/alerts/unsubscribe/{token}") => {
            let alert = w.alert(role, own).await;
            get_as(
                &w.app,
                &who,
                &format!("/alerts/unsubscribe/{}", alert.token),
            )
            .await
        }
        ("POST", "/alerts/unsubscribe/{token}") => {
            let alert = w.alert(role, own).await;
            post_form(&format!("/alerts/unsubscribe/{}", alert.token), vec![]).await
        }
        ("POST", "/api/v1/cases") => {
            let body = json!({"partner": "KW-MOH", "owner": w.provider(role, own)});
            send_as(&w.app, &who, json_request(method, path, Some(&body))).await
        }
        ("POST", "/cases") => {
            let fields = vec![
                ("partner", "KW-MOH".to_owned()),
                ("owner", w.provider(role, own).to_owned()),
            ];
            post_form(path, fields).await
        }
        ("POST", "/screening/lists") => {
            let fields = vec![
                ("name", "matrix".to_owned()),
                ("label", "matrix".to_owned()),
                ("entities", MATRIX_LIST.to_owned()),
            ];
            post_form(path, fields).await
        }
        (m, p) if p.starts_with("/cases/{id}") || p.starts_with("/api/v1/cases/{id}") => {
            let step = match p.rsplit('/').next() {
                Some("{hit}") => Step::WithHit,
                Some("submit") => Step::Complete,
                Some("decision" | "reopen") => Step::Submitted,
                _ => Step::Open,
            };
            let case = w.case(role, own, step).await;
            let uri = p.replace("{id}", case.id.as_str()).replace("{hit}", "1");
            let version = case.version;
            let (body, fields): (Value, Vec<(&str, String)>) = match (m, p.rsplit('/').next()) {
                ("GET", _) => (Value::Null, vec![]),
                ("PUT", _) | ("POST", Some("{id}")) => {
                    (complete_case(version), complete_case_form(version))
                }
                (_, Some("people")) => (
                    json!({"version": version, "name": "Fatima Al-Sabah", "role": "Minister"}),
                    vec![
                        ("version", version.to_string()),
                        ("name", "Fatima Al-Sabah".into()),
                        ("role", "Minister".into()),
                    ],
                ),
                (_, Some("{hit}")) => (
                    json!({"version": version, "verdict": "false_positive", "reason": "Another man."}),
                    vec![
                        ("version", version.to_string()),
                        ("verdict", "false_positive".into()),
                        ("reason", "Another man.".into()),
                    ],
                ),
                (_, Some("decision")) => (
                    json!({"version": version, "outcome": "approved", "note": "Fine.", "expires_on": a_year_on()}),
                    vec![
                        ("version", version.to_string()),
                        ("outcome", "approved".into()),
                        ("note", "Fine.".into()),
                        ("expires_on", a_year_on()),
                    ],
                ),
                (_, Some("screen")) => (Value::Null, vec![]),
                _ => (
                    json!({"version": version}),
                    vec![("version", version.to_string())],
                ),
            };
            if p.starts_with("/api/") {
                let body = (!body.is_null()).then_some(&body);
                send_as(&w.app, &who, json_request(method, &uri, body)).await
            } else if m == "GET" {
                get_as(&w.app, &who, &uri).await
            } else {
                post_form(&uri, fields).await
            }
        }
        ("POST", "/notifications/cases/{id}/read") => {
            let owner = match (w.people.get(role), own) {
                (Some(p), true) => p.user_id.clone(),
                _ if role == "adviser" => w.people["admin"].user_id.clone(),
                _ => w.people["adviser"].user_id.clone(),
            };
            let case = w.case(role, own, Step::WithHit).await;
            let made = w
                .app
                .store
                .add_case_notifications(&case.id, &[(owner, 1)], &Caller::command_line().author())
                .await
                .expect("notification");
            post_form(&format!("/notifications/cases/{}/read", made[0].id), vec![]).await
        }
        (_, "/opportunities/{id}/consortium" | "/api/v1/opportunities/{id}/consortium-plan") => {
            get_as(&w.app, &who, &path.replace("{id}", BUNDLE)).await
        }
        ("POST", "/api/v1/opportunities/{id}/consortia") => {
            let body = json!({"max_members": 5});
            let uri = path.replace("{id}", BUNDLE);
            send_as(&w.app, &who, json_request(method, &uri, Some(&body))).await
        }
        ("POST", "/opportunities/{id}/consortia") => {
            post_form(&path.replace("{id}", BUNDLE), vec![]).await
        }
        (m, p) if p.starts_with("/consortia/{id}") || p.starts_with("/api/v1/consortia/{id}") => {
            let member = w.provider(role, own);
            let c = w.consortium(member).await;
            let uri = p.replace("{id}", &c.id);
            let version = c.version.to_string();
            let (body, fields): (Value, Vec<(&str, String)>) = match p.rsplit('/').next() {
                Some("split") => (
                    json!({"version": c.version, "shares_bp": {member: 5_000, "RJ1": 5_000}}),
                    vec![
                        ("version", version),
                        ("share.RJ1", "50".into()),
                        (
                            if member == "RP4" {
                                "share.RP4"
                            } else {
                                "share.RR8"
                            },
                            "50".into(),
                        ),
                    ],
                ),
                Some("answer") => (
                    json!({"version": c.version, "member": member, "answer": "accepted"}),
                    vec![
                        ("version", version),
                        ("member", member.to_owned()),
                        ("answer", "accepted".into()),
                    ],
                ),
                _ => (json!({"version": c.version}), vec![("version", version)]),
            };
            if m == "GET" {
                get_as(&w.app, &who, &uri).await
            } else if p.starts_with("/api/") {
                send_as(&w.app, &who, json_request(method, &uri, Some(&body))).await
            } else {
                post_form(&uri, fields).await
            }
        }
        ("POST", "/api/v1/quotes") => {
            let body = json!({"provider": w.provider(role, own),
                "opportunity": w.quoted_opportunity(role, own), "input": quote_input()});
            send_as(&w.app, &who, json_request(method, path, Some(&body))).await
        }
        ("POST", "/quotes") => {
            let mut fields = quote_form();
            fields.push(("provider", w.provider(role, own).into()));
            fields.push(("opportunity", w.quoted_opportunity(role, own).into()));
            post_form(path, fields).await
        }
        (m, p) if p.starts_with("/quotes/{id}") || p.starts_with("/api/v1/quotes/{id}") => {
            let step = p.rsplit('/').next().unwrap_or_default();
            let quote = w.quote(role, own, step != "issue").await;
            let uri = p.replace("{id}", quote.quote.id.as_str());
            let version = quote.quote.version;
            let (body, fields): (Value, Vec<(&str, String)>) = match (m, step) {
                ("GET", _) => (Value::Null, vec![]),
                ("PUT", _) | (_, "revise") => {
                    let mut fields = quote_form();
                    fields.push(("version", version.to_string()));
                    (json!({"version": version, "input": quote_input()}), fields)
                }
                (_, "accept" | "reject") => (
                    json!({"version": version, "note": "Answered."}),
                    vec![
                        ("version", version.to_string()),
                        ("note", "Answered.".into()),
                    ],
                ),
                _ => (
                    json!({"version": version}),
                    vec![("version", version.to_string())],
                ),
            };
            if p.starts_with("/api/") {
                let body = (!body.is_null()).then_some(&body);
                send_as(&w.app, &who, json_request(method, &uri, body)).await
            } else if m == "GET" {
                get_as(&w.app, &who, &uri).await
            } else {
                post_form(&uri, fields).await
            }
        }
        (m, "/organisations/{id}/reinvestment" | "/api/v1/organisations/{id}/reinvestment") => {
            let uri = path.replace("{id}", w.provider(role, own));
            if m == "GET" {
                get_as(&w.app, &who, &uri).await
            } else if path.starts_with("/api/") {
                let body =
                    json!({"kind": "adjustment", "amount_pence": 100, "note": "Opening balance."});
                send_as(&w.app, &who, json_request(method, &uri, Some(&body))).await
            } else {
                let fields = vec![
                    ("kind", "adjustment".to_owned()),
                    ("amount", "1.00".to_owned()),
                    ("note", "Opening balance.".to_owned()),
                ];
                post_form(&uri, fields).await
            }
        }
        (m, p) => panic!("the matrix cannot build a request for {m} {p}"),
    }
}

async fn the_matrix_holds(db: hcx_store::testing::TestStore) {
    let w = world(db).await;
    let mut failures = Vec::new();
    let mut checked = 0;
    for route in hcx::web::route_list() {
        for role in ROLES {
            for own in [true, false] {
                let Some(expected) = expect(&route.method, &route.path, role, own) else {
                    failures.push(format!(
                        "{} {}: no rule in the matrix",
                        route.method, route.path
                    ));
                    break;
                };
                let reply = request(&w, &route.method, &route.path, role, own).await;
                let got = match expected {
                    Expect::NotFound => {
                        Some(Expect::NotFound).filter(|_| reply.status == StatusCode::NOT_FOUND)
                    }
                    _ => outcome(&reply, route.path.starts_with("/api/")),
                };
                checked += 1;
                if got != Some(expected) {
                    failures.push(format!(
                        "{} {} as {role} ({}): expected {expected:?}, got {} {}",
                        route.method,
                        route.path,
                        if own { "own" } else { "other" },
                        reply.status,
                        reply.text.chars().take(160).collect::<String>()
                    ));
                }
            }
        }
    }
    failures.dedup();
    assert!(checked > 500, "only {checked} requests were checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_rules_say_on_sqlite() {
    the_matrix_holds(hcx_store::testing::sqlite().await).await;
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_rules_say_on_postgres() {
    if let Some(db) = hcx_store::testing::postgres().await {
        the_matrix_holds(db).await;
    }
}

/// Runs each attack on SQLite and on PostgreSQL.
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod on_both_backends {
            $(
                mod $name {
                    #[tokio::test]
                    async fn sqlite() {
                        let w = super::super::world(hcx_store::testing::sqlite().await).await;
                        super::super::$name(w).await;
                    }

                    #[tokio::test]
                    async fn postgres() {
                        if let Some(db) = hcx_store::testing::postgres().await {
                            super::super::$name(super::super::world(db).await).await;
                        }
                    }
                }
            )+
        }
    };
}

fn set_cookie_value(reply: &Reply, name: &str) -> Option<String> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
}

async fn a_provider_never_sees_another_providers_strategy_prices_or_capacity(w: World) {
    let provider = w.token("provider");
    let rival = get_as(&w.app, &provider, "/api/v1/strategies/RR8-strategy").await;
    assert_eq!(rival.status, StatusCode::NOT_FOUND);
    let own = get_as(&w.app, &provider, "/api/v1/strategies/RP4-strategy").await;
    assert_eq!(own.status, StatusCode::OK);
    let listed = get_as(&w.app, &provider, "/api/v1/strategies").await.json();
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["record"]["provider"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["RP4"], "only its own strategy is listed");

    let (rival_offer, _) = w.offer("provider", false).await;
    let (own_offer, _) = w.offer("provider", true).await;
    let seen = get_as(&w.app, &provider, &format!("/api/v1/offers/{rival_offer}"))
        .await
        .json();
    assert!(seen["record"].get("price_gbp").is_none(), "{seen}");
    let mine = get_as(&w.app, &provider, &format!("/api/v1/offers/{own_offer}"))
        .await
        .json();
    assert!(mine["record"].get("price_gbp").is_some(), "{mine}");
    for (who, expect_prices) in [
        (provider.clone(), false),
        (Who::Anonymous, false),
        (w.token("adviser"), true),
    ] {
        let search = get_as(&w.app, &who, "/api/v1/offers?provider=RR8&limit=100")
            .await
            .json();
        let items = search["items"].as_array().unwrap();
        assert!(!items.is_empty());
        assert_eq!(
            items.iter().any(|i| i["record"].get("price_gbp").is_some()
                || i["record"].get("capacity_days_per_year").is_some()),
            expect_prices,
            "{search}"
        );
    }

    let session = w.session("provider").await;
    let page = get_as(&w.app, &session, "/organisations/RR8").await;
    assert!(!page.text.contains("Price range") && !page.text.contains("Will not work in"));
    assert!(page.text.contains("seen only by its own people"));
    let own_page = get_as(&w.app, &session, "/organisations/RP4").await;
    assert!(own_page.text.contains("Price range") && own_page.text.contains("Will not work in"));
}

async fn guessing_the_id_of_another_buyers_draft_reveals_nothing_and_changes_nothing(w: World) {
    let (theirs, record) = w.draft_opportunity("buyer", false).await;
    let buyer_api = w.token("buyer");
    let missing = get_as(&w.app, &buyer_api, "/api/v1/opportunities/no-such-id").await;
    let guessed = get_as(
        &w.app,
        &buyer_api,
        &format!("/api/v1/opportunities/{theirs}"),
    )
    .await;
    assert_eq!(guessed.status, StatusCode::NOT_FOUND);
    assert_eq!(
        guessed.json()["error"]["code"],
        missing.json()["error"]["code"],
        "a hidden record looks like a missing one"
    );
    let mut changed = record.clone();
    changed["title"] = json!("Taken over");
    let uri = format!("/api/v1/opportunities/{theirs}");
    for request in [
        json_request(&Method::PUT, &uri, Some(&changed)),
        json_request(&Method::DELETE, &uri, None),
        json_request(
            &Method::POST,
            &format!("{uri}/actions/withdraw"),
            Some(&json!({"version": 1})),
        ),
    ] {
        assert_eq!(
            send_as(&w.app, &buyer_api, request).await.status,
            StatusCode::NOT_FOUND
        );
    }
    let session = w.session("buyer").await;
    let form = post_form_as(
        &w.app,
        &session,
        &format!("/opportunities/{theirs}/edit"),
        &[
            ("title", "Taken over"),
            ("buyer", "SA-MOH"),
            ("country", "SA"),
            ("version", "1"),
        ],
    )
    .await;
    assert_eq!(form.status, StatusCode::NOT_FOUND);
    // Moving one's own draft to another buyer is refused too.
    let (mine, mut moved) = w.draft_opportunity("buyer", true).await;
    moved["buyer"] = json!("SA-MOH");
    moved["country"] = json!("SA");
    let moved = send_as(
        &w.app,
        &buyer_api,
        json_request(
            &Method::PUT,
            &format!("/api/v1/opportunities/{mine}"),
            Some(&moved),
        ),
    )
    .await;
    assert_eq!(moved.status, StatusCode::FORBIDDEN);

    let stored = w.app.store.opportunity(&theirs).await.unwrap().unwrap();
    assert_eq!(
        (stored.version, stored.record.title.as_str()),
        (1, "Critical care nursing")
    );
    let drafts = get_as(
        &w.app,
        &buyer_api,
        "/api/v1/opportunities?status=draft&limit=1000",
    )
    .await
    .json();
    assert!(
        drafts["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["record"]["buyer"] == "KW-MOH"),
        "a buyer's search finds only its own drafts: {drafts}"
    );
}

async fn forms_without_the_sessions_token_or_from_another_site_are_refused(w: World) {
    let Who::Session { cookie, csrf } = w.session("adviser").await else {
        unreachable!()
    };
    let Who::Session {
        csrf: other_csrf, ..
    } = w.session("buyer").await
    else {
        unreachable!()
    };
    let id = fresh("csrf-opp");
    let form = |token: Option<&str>| {
        let mut body = form_urlencoded::Serializer::new(String::new());
        if let Some(t) = token {
            body.append_pair("csrf", t);
        }
        for (k, v) in form_of(&id, "KW-MOH", "KW") {
            body.append_pair(k, &v);
        }
        body.finish()
    };
    let post = |body: String, origin: Option<&str>| {
        let mut request = Request::post("/opportunities")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("hcx_session={cookie}"))
            .header("host", "hcx.example");
        if let Some(o) = origin {
            request = request.header("origin", o);
        }
        request.body(Body::from(body)).unwrap()
    };
    for (body, origin) in [
        (form(None), None),
        (form(Some("wrong")), None),
        (form(Some(&other_csrf)), None),
        (form(Some(&csrf)), Some("https://evil.example")),
    ] {
        let reply = send_as(&w.app, &Who::AsIs, post(body, origin)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text);
    }
    assert!(
        w.app.store.opportunity(&id).await.unwrap().is_none(),
        "nothing was written"
    );
    let ok = send_as(
        &w.app,
        &Who::AsIs,
        post(form(Some(&csrf)), Some("http://hcx.example")),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text);
    assert!(w.app.store.opportunity(&id).await.unwrap().is_some());

    // Signing in needs the visitor's own form token too.
    let login = Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "email={ADMIN_EMAIL}&password={PASSWORD}"
        )))
        .unwrap();
    assert_eq!(
        send_as(&w.app, &Who::Anonymous, login).await.status,
        StatusCode::FORBIDDEN
    );
}

async fn a_session_id_planted_before_sign_in_is_never_promoted(w: World) {
    let planted = "attacker-chosen-session-id";
    let login = |forwarded: bool| {
        let mut request = Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("hcx_session={planted}; hcx_csrf=known"));
        if forwarded {
            request = request.header("x-forwarded-proto", "https");
        }
        let body = format!(
            "csrf=known&email={}&password={PASSWORD}&next=/account",
            w.people["post"].email
        );
        request.body(Body::from(body)).unwrap()
    };
    let reply = send_as(&w.app, &Who::AsIs, login(false)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
    assert_eq!(reply.headers[header::LOCATION], "/account");
    let issued = set_cookie_value(&reply, "hcx_session").expect("a session cookie");
    assert_ne!(issued, planted);
    let cookie_line = reply.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie_line.contains("HttpOnly") && cookie_line.contains("SameSite=Lax"),
        "{cookie_line}"
    );
    assert!(!cookie_line.contains("Secure"), "plain HTTP on loopback");
    let behind_tls = send_as(&w.app, &Who::AsIs, login(true)).await;
    assert!(
        behind_tls.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );

    let with = |cookie: &str| Who::Session {
        cookie: cookie.into(),
        csrf: String::new(),
    };
    let planted_view = get_as(&w.app, &with(planted), "/account").await;
    assert_eq!(
        planted_view.status,
        StatusCode::SEE_OTHER,
        "the planted id is nobody's session"
    );
    let account = get_as(&w.app, &with(&issued), "/account").await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.text.contains(&w.people["post"].email));
    assert_eq!(account.headers[header::CACHE_CONTROL], "private, no-store");
}

async fn signing_out_ends_the_session_for_good(w: World) {
    let session = w.session("buyer").await;
    assert_eq!(
        get_as(&w.app, &session, "/account").await.status,
        StatusCode::OK
    );
    let out = post_form_as(&w.app, &session, "/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(set_cookie_value(&out, "hcx_session").as_deref(), Some(""));
    assert_eq!(
        get_as(&w.app, &session, "/account").await.status,
        StatusCode::SEE_OTHER
    );
}

async fn idle_and_expired_sessions_end(w: World) {
    let now = crate::support::now_ms();
    let hour = 3_600_000;
    for (name, created, seen, expires) in [
        ("idle", now - 5 * hour, now - 3 * hour, now + hour),
        ("expired", now - 13 * hour, now - 60_000, now - 1),
    ] {
        w.app
            .store
            .start_session(
                &hcx::services::accounts::digest(name),
                &hcx_store::Session {
                    user_id: w.people["adviser"].user_id.clone(),
                    csrf_token: "c".into(),
                    created_at: created,
                    last_seen_at: seen,
                    expires_at: expires,
                },
                &Caller::command_line().author(),
            )
            .await
            .unwrap();
        let who = Who::Session {
            cookie: name.into(),
            csrf: "c".into(),
        };
        let reply = get_as(&w.app, &who, "/account").await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{name}");
        assert!(
            w.app
                .store
                .session(&hcx::services::accounts::digest(name))
                .await
                .unwrap()
                .is_none()
        );
    }
}

async fn wrong_revoked_expired_and_disabled_tokens_are_refused(w: World) {
    let cli = Caller::command_line();
    let body = json!({"record": "organisation", "id": "TOKEN-TEST", "name": "T", "kind": "buyer", "sector": "government", "country": "JO"});
    let create = || json_request(&Method::POST, "/api/v1/organisations", Some(&body));

    let none = send_as(&w.app, &Who::Anonymous, create()).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(none.headers[header::WWW_AUTHENTICATE], "Bearer");
    assert_eq!(none.json()["error"]["code"], "unauthenticated");

    let good = w.people["adviser"].token.clone();
    let (id_part, _) = good.split_once('.').unwrap();
    let wrong = format!("{id_part}.not-the-secret");
    let reply = send_as(&w.app, &Who::Token(wrong), create()).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["error"]["code"], "bad_token");

    let revoked = w
        .app
        .create_token(&cli, &w.people["adviser"].user_id, "old", None, None)
        .await
        .unwrap();
    w.app.revoke_token(&cli, &revoked.token.id).await.unwrap();
    assert_eq!(
        send_as(&w.app, &Who::Token(revoked.secret), create())
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    w.app
        .store
        .create_token(
            &hcx_store::NewToken {
                id: "expiredtoken".into(),
                user_id: w.people["adviser"].user_id.clone(),
                name: "expired".into(),
                secret_hash: hcx::services::accounts::digest("s"),
                role: "adviser".into(),
                organisation_id: None,
                expires_at: Some(crate::support::now_ms() - 1),
            },
            &cli.author(),
        )
        .await
        .unwrap();
    let expired = send_as(&w.app, &Who::Token("hcx_expiredtoken.s".into()), create()).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);

    w.app
        .set_user_disabled(&cli, &w.people["adviser"].email, true)
        .await
        .unwrap();
    assert_eq!(
        send_as(&w.app, &Who::Token(good.clone()), create())
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    w.app
        .set_user_disabled(&cli, &w.people["adviser"].email, false)
        .await
        .unwrap();
    let created = send_as(&w.app, &Who::Token(good), create()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let last_used = w.app.tokens(&cli, true).await.unwrap();
    assert!(
        last_used
            .iter()
            .any(|t| t.user_id == w.people["adviser"].user_id && t.last_used_at.is_some())
    );
}

async fn repeated_wrong_passwords_lock_an_account_until_an_administrator_reenables_it(w: World) {
    let email = w.people["buyer"].email.clone();
    let attempt = async |password: &str| {
        let body = format!("csrf=k&email={email}&password={password}");
        let request = Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", "hcx_csrf=k")
            .body(Body::from(body))
            .unwrap();
        send_as(&w.app, &Who::AsIs, request).await
    };
    for _ in 0..5 {
        let reply = attempt("guess-guess-guess").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert!(reply.text.contains("password is wrong"));
    }
    let locked = attempt(PASSWORD).await;
    assert_eq!(
        locked.status,
        StatusCode::UNAUTHORIZED,
        "the right password waits for the lock to pass"
    );
    let unknown = attempt("x").await;
    assert_eq!(
        unknown.text.contains("locked"),
        locked.text.contains("locked"),
        "the same words whatever the reason"
    );
    let events = w
        .app
        .audit_events(
            &Caller::command_line(),
            &hcx_store::AuditFilter {
                record_id: Some(w.people["buyer"].user_id.clone()),
                ..Default::default()
            },
            20,
        )
        .await
        .unwrap();
    assert!(events.iter().any(|e| e.action == "lock"));
    assert_eq!(
        events
            .iter()
            .filter(|e| e.action == "sign_in_failed")
            .count(),
        5
    );
    w.app
        .set_user_disabled(&Caller::command_line(), &email, false)
        .await
        .unwrap();
    assert_eq!(attempt(PASSWORD).await.status, StatusCode::SEE_OTHER);
}

async fn every_write_through_the_api_and_the_pages_is_in_the_audit_log_with_its_request(w: World) {
    let before = w
        .app
        .store
        .audit_events(&Default::default(), 100_000)
        .await
        .unwrap()
        .len();
    let adviser = w.token("adviser");
    let body = json!({"record": "organisation", "id": "AUDITED", "name": "Audited", "kind": "buyer", "sector": "government", "country": "JO"});
    let request = json_request(&Method::POST, "/api/v1/organisations", Some(&body));
    let (mut parts, body_bytes) = request.into_parts();
    parts
        .headers
        .insert("x-request-id", "req-audit-1".parse().unwrap());
    let created = send_as(&w.app, &adviser, Request::from_parts(parts, body_bytes)).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let session = w.session("buyer").await;
    let form = post_form_as(
        &w.app,
        &session,
        "/opportunities",
        &form_of("AUDITED-OPP", "KW-MOH", "KW")
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    )
    .await;
    assert_eq!(form.status, StatusCode::SEE_OTHER, "{}", form.text);
    let submitted = post_form_as(
        &w.app,
        &session,
        "/opportunities/AUDITED-OPP/actions/submit",
        &[("version", "1")],
    )
    .await;
    assert_eq!(submitted.status, StatusCode::SEE_OTHER);
    let deleted = send_as(
        &w.app,
        &adviser,
        json_request(&Method::DELETE, "/api/v1/organisations/AUDITED", None),
    )
    .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);

    let events = w
        .app
        .store
        .audit_events(&Default::default(), 100_000)
        .await
        .unwrap();
    let new: Vec<_> = events[..events.len() - before].iter().collect();
    // The sign-in for the buyer's session is an event too.
    let actions: Vec<(&str, &str, &str)> = new
        .iter()
        .rev()
        .map(|e| (e.action.as_str(), e.kind.as_str(), e.record_id.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("create", "organisation", "AUDITED"),
            ("sign_in", "user", w.people["buyer"].user_id.as_str()),
            ("create", "opportunity", "AUDITED-OPP"),
            ("submit", "opportunity", "AUDITED-OPP"),
            ("delete", "organisation", "AUDITED"),
        ]
    );
    let first = new.last().unwrap();
    assert_eq!(
        first.actor_id,
        format!("user:{}", w.people["adviser"].user_id)
    );
    assert_eq!(first.request_id.as_deref(), Some("req-audit-1"));
    assert!(
        new.iter()
            .filter(|e| e.action != "sign_in")
            .all(|e| e.request_id.is_some()),
        "every web write carries its request id"
    );
    let audit_api = get_as(
        &w.app,
        &w.token("admin"),
        "/api/v1/audit?record=AUDITED-OPP",
    )
    .await
    .json();
    assert_eq!(audit_api["events"].as_array().unwrap().len(), 2);
    assert_eq!(
        get_as(&w.app, &adviser, "/api/v1/audit").await.status,
        StatusCode::FORBIDDEN
    );
}

on_both_backends!(
    a_provider_never_sees_another_providers_strategy_prices_or_capacity,
    guessing_the_id_of_another_buyers_draft_reveals_nothing_and_changes_nothing,
    forms_without_the_sessions_token_or_from_another_site_are_refused,
    a_session_id_planted_before_sign_in_is_never_promoted,
    signing_out_ends_the_session_for_good,
    idle_and_expired_sessions_end,
    wrong_revoked_expired_and_disabled_tokens_are_refused,
    repeated_wrong_passwords_lock_an_account_until_an_administrator_reenables_it,
    every_write_through_the_api_and_the_pages_is_in_the_audit_log_with_its_request,
);

#[tokio::test]
async fn the_first_administrator_is_made_through_a_one_time_setup_link() {
    let db = hcx_store::testing::sqlite().await;
    let mut app = App::in_memory(db.store.clone()).await.unwrap();
    app.security.hash_memory_kib = 64;
    app.security.hash_passes = 1;
    let token = app
        .setup_link()
        .await
        .unwrap()
        .expect("a link while no account exists");
    let page = get_as(&app, &Who::Anonymous, &format!("/setup/{token}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Create the first administrator"));
    let form = |password: &str, confirm: &str| {
        vec![
            ("email", "first@example.org".to_owned()),
            ("password", password.to_owned()),
            ("confirm", confirm.to_owned()),
        ]
    };
    let post = async |fields: Vec<(&str, String)>| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        post_form_as(&app, &Who::Anonymous, &format!("/setup/{token}"), &fields).await
    };
    let short = post(form("short", "short")).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.text.contains("at least 10 characters"));
    let differ = post(form("a long password", "another long one")).await;
    assert!(differ.text.contains("the two passwords differ"));
    let made = post(form("a long password", "a long password")).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text);
    let admin = app
        .store
        .user_by_email("first@example.org")
        .await
        .unwrap()
        .unwrap()
        .0;
    assert_eq!(admin.role, "admin");
    assert_eq!(
        post(form("another password!", "another password!"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        app.setup_link().await.unwrap().is_none(),
        "no more links once an account exists"
    );
    app.sign_in("first@example.org", "a long password", None)
        .await
        .expect("signs in");
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_ends_every_session() {
    let w = world(hcx_store::testing::sqlite().await).await;
    let person = &w.people["provider"];
    let old_session = w.session("provider").await;
    assert_eq!(
        get_as(&w.app, &old_session, "/account").await.status,
        StatusCode::OK
    );
    let token = w
        .app
        .issue_reset(&Caller::command_line(), &person.email)
        .await
        .unwrap();
    let uri = format!("/reset/{token}");
    let page = get_as(&w.app, &Who::Anonymous, &uri).await;
    assert!(page.text.contains(&person.email));
    let new_password = "a fresh long password";
    let fields = [("password", new_password), ("confirm", new_password)];
    let done = post_form_as(&w.app, &Who::Anonymous, &uri, &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        get_as(&w.app, &old_session, "/account").await.status,
        StatusCode::SEE_OTHER
    );
    assert!(w.app.sign_in(&person.email, PASSWORD, None).await.is_err());
    w.app
        .sign_in(&person.email, new_password, None)
        .await
        .expect("the new password works");
    let again = post_form_as(&w.app, &Who::Anonymous, &uri, &fields).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "a link works once");
}

#[tokio::test]
async fn an_oversized_form_is_refused_before_any_handler_runs() {
    let w = world(hcx_store::testing::sqlite().await).await;
    let session = w.session("adviser").await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let reply = post_form_as(&w.app, &session, "/opportunities", &[("title", &huge)]).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
}
