//! Building apps over throwaway stores and calling the router in-process.

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use hcx::services::App;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// An app over a fresh SQLite store, with the index in memory.
pub async fn app() -> (App, hcx_store::testing::TestStore) {
    let db = hcx_store::testing::sqlite().await;
    let app = App::in_memory(db.store.clone()).await.expect("app");
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

/// Sends one request through the router.
pub async fn send(app: &App, request: Request<Body>) -> Reply {
    let response = hcx::web::router(app.clone())
        .oneshot(request)
        .await
        .expect("router answers");
    reply(response).await
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
    app.export_text().await.expect("export")
}
