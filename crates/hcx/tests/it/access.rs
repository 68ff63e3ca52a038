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
        ("GET", "/api/v1/audit") => allow(admin),
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

/// The test world: the demo data and one person per role.
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
        ("POST", "/api/v1/opportunities/{id}/actions/{action}") => {
            let (id, _) = w.draft_opportunity(role, own).await;
            let body = json!({"version": 1});
            let uri = format!("/api/v1/opportunities/{id}/actions/submit");
            send_as(&w.app, &who, json_request(method, &uri, Some(&body))).await
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
        ("GET", "/opportunities/{id}" | "/opportunities/{id}/edit") => {
            let (id, _) = w.draft_opportunity(role, own).await;
            get_as(&w.app, &who, &path.replace("{id}", &id)).await
        }
        ("POST", "/opportunities") => {
            let (buyer, country) = w.buyer(role, own);
            post_form(path, form_of(&fresh("matrix-opp"), buyer, country)).await
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
