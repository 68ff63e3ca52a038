//! Building apps over throwaway stores and calling the router in-process.

use axum::body::Body;
use axum::http::{Method, Request, Response, StatusCode};
use hcx::services::accounts::digest;
use hcx::services::{App, Caller};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// The administrator every test app has, and its credentials.
pub const ADMIN_EMAIL: &str = "admin@test.hcx";
pub const PASSWORD: &str = "correct horse battery";
pub const ADMIN_TOKEN: &str = "hcx_testadmin.secret";
const ADMIN_SESSION: &str = "test-admin-session";
const ADMIN_CSRF: &str = "test-admin-csrf";
/// The form token of a visitor not signed in (kept in their `hcx_csrf` cookie).
const ANONYMOUS_CSRF: &str = "test-anonymous-csrf";

/// Who a test request comes from.
#[derive(Debug, Clone)]
pub enum Who {
    /// The request as built, with whatever headers it has.
    AsIs,
    Anonymous,
    /// An API token (`hcx_…`).
    Token(String),
    /// A browser session: its cookie value and form token.
    Session {
        cookie: String,
        csrf: String,
    },
}

impl Who {
    /// The test administrator's browser session (pages) or token (API).
    pub fn admin() -> Who {
        Who::Session {
            cookie: ADMIN_SESSION.into(),
            csrf: ADMIN_CSRF.into(),
        }
    }
}

/// An app over `store`, with cheap password hashing and a test administrator.
pub async fn app_over(store: hcx_store::Store) -> App {
    let mut app = App::in_memory(store).await.expect("app");
    app.security.hash_memory_kib = 64;
    app.security.hash_passes = 1;
    let admin = app
        .add_user(
            &Caller::command_line(),
            ADMIN_EMAIL,
            "Test Admin",
            "admin",
            &[],
            Some(PASSWORD),
        )
        .await
        .expect("test administrator");
    let author = Caller::command_line().author();
    let (id, secret) = ADMIN_TOKEN
        .strip_prefix("hcx_")
        .and_then(|t| t.split_once('.'))
        .unwrap();
    app.store
        .create_token(
            &hcx_store::NewToken {
                id: id.into(),
                user_id: admin.id.clone(),
                name: "tests".into(),
                secret_hash: digest(secret),
                role: "admin".into(),
                organisation_id: None,
                expires_at: None,
            },
            &author,
        )
        .await
        .expect("test token");
    let now = now_ms();
    app.store
        .start_session(
            &digest(ADMIN_SESSION),
            &hcx_store::Session {
                user_id: admin.id,
                csrf_token: ADMIN_CSRF.into(),
                created_at: now,
                last_seen_at: now,
                expires_at: now + 86_400_000,
            },
            &author,
        )
        .await
        .expect("test session");
    app
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// An app over a fresh SQLite store, with the index in memory.
pub async fn app() -> (App, hcx_store::testing::TestStore) {
    let db = hcx_store::testing::sqlite().await;
    let app = app_over(db.store.clone()).await;
    (app, db)
}

/// An app with the demo world loaded.
pub async fn demo_app() -> (App, hcx_store::testing::TestStore) {
    let (app, db) = app().await;
    hcx::demo::load(&app, &mut |_| ())
        .await
        .expect("demo world loads");
    (app, db)
}

/// A response's status, headers and body text.
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

async fn reply(response: Response<Body>) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Reply {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// Sends one request through the router as the test administrator.
pub async fn send(app: &App, request: Request<Body>) -> Reply {
    send_as(app, &Who::admin(), request).await
}

/// Sends one request through the router as `who`: API requests carry a
/// token (the administrator's for a session), pages the session cookie.
pub async fn send_as(app: &App, who: &Who, mut request: Request<Body>) -> Reply {
    let api = request.uri().path().starts_with("/api/");
    let headers = request.headers_mut();
    match who {
        Who::AsIs => {}
        Who::Anonymous => {
            headers.insert(
                "cookie",
                format!("hcx_csrf={ANONYMOUS_CSRF}").parse().unwrap(),
            );
        }
        Who::Token(token) => {
            headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
        }
        Who::Session { .. } if api && *who_is_admin(who) => {
            headers.insert(
                "authorization",
                format!("Bearer {ADMIN_TOKEN}").parse().unwrap(),
            );
        }
        Who::Session { cookie, .. } => {
            headers.insert("cookie", format!("hcx_session={cookie}").parse().unwrap());
        }
    }
    let response = hcx::web::router(app.clone())
        .oneshot(request)
        .await
        .expect("router answers");
    reply(response).await
}

fn who_is_admin(who: &Who) -> &bool {
    match who {
        Who::Session { cookie, .. } if cookie == ADMIN_SESSION => &true,
        _ => &false,
    }
}

/// Posts a form the way a browser does, with the session's form token.
pub async fn post_form_as(app: &App, who: &Who, uri: &str, fields: &[(&str, &str)]) -> Reply {
    let mut body = form_urlencoded::Serializer::new(String::new());
    match who {
        Who::Session { csrf, .. } => {
            body.append_pair("csrf", csrf);
        }
        Who::Anonymous => {
            body.append_pair("csrf", ANONYMOUS_CSRF);
        }
        Who::Token(_) | Who::AsIs => {}
    }
    let body = body.extend_pairs(fields).finish();
    let request = Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    send_as(app, who, request).await
}

pub async fn get_as(app: &App, who: &Who, uri: &str) -> Reply {
    send_as(app, who, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub async fn get(app: &App, uri: &str) -> Reply {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub async fn json(app: &App, method: &str, uri: &str, body: Value) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    send(app, request).await
}

pub async fn import(app: &App, text: &str) -> Reply {
    let request = Request::post("/api/v1/import")
        .header("content-type", "application/x-ndjson")
        .body(Body::from(text.to_owned()))
        .unwrap();
    send(app, request).await
}

/// Everything the store holds, as an export writes it.
pub async fn export(app: &App) -> String {
    app.export_text(&Caller::command_line())
        .await
        .expect("export")
}

/// A browser session of a new account with `role` in `organisation`.
pub async fn session_for(app: &App, role: &str, organisation: &str) -> Who {
    let email = format!("{role}.{}@ui.test", organisation.to_lowercase());
    app.add_user(
        &Caller::command_line(),
        &email,
        &format!("{role} of {organisation}"),
        role,
        &[organisation.to_owned()],
        Some(PASSWORD),
    )
    .await
    .expect("account");
    let signed_in = app.sign_in(&email, PASSWORD, None).await.expect("sign in");
    Who::Session {
        cookie: signed_in.session,
        csrf: signed_in.csrf,
    }
}

/// A person with an API token: who they are to the API, and their user id.
pub async fn person(
    app: &App,
    email: &str,
    role: &str,
    organisation: Option<&str>,
) -> (Who, String) {
    let cli = Caller::command_line();
    let organisations: Vec<String> = organisation.iter().map(|o| o.to_string()).collect();
    let user = app
        .add_user(&cli, email, email, role, &organisations, Some(PASSWORD))
        .await
        .expect("account");
    let token = app
        .create_token(&cli, &user.id, "tests", None, None)
        .await
        .expect("token");
    (Who::Token(token.secret), user.id)
}

pub async fn call(app: &App, who: &Who, method: Method, uri: &str, body: Option<Value>) -> Reply {
    let builder = Request::builder().method(method).uri(uri);
    let request = match body {
        Some(b) => builder
            .header("content-type", "application/json")
            .body(Body::from(b.to_string()))
            .unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    };
    send_as(app, who, request).await
}
