//! Who is asking, for every request, and protection of forms against
//! cross-site requests.
//!
//! - Pages: a session cookie (`HttpOnly`, `SameSite=Lax`, `Secure` behind
//!   TLS) set only at sign-in, with a fresh random id, so a session id planted
//!   before sign-in is never promoted. Every form posted to a page must carry
//!   the session's form token (for visitors not signed in, the token of a
//!   `hcx_csrf` cookie), and a foreign `Origin` is refused.
//! - API: `Authorization: Bearer hcx_…` tokens (or `ApiKey hcx_…`, as
//!   OpenSanctions clients send them). Reads may also use the session
//!   cookie; writes need a token, so a cookie alone can never change anything
//!   through the API.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use subtle::ConstantTimeEq;

use crate::services::{App, Caller, accounts};
use crate::web::error::ApiError;

pub const SESSION_COOKIE: &str = "hcx_session";
pub const CSRF_COOKIE: &str = "hcx_csrf";
/// The form field that carries the form token.
pub const CSRF_FIELD: &str = "csrf";
/// Largest form a page accepts.
const MAX_FORM_BYTES: usize = 1024 * 1024;

/// What a page needs to know of its viewer: who, and the token its forms carry.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub caller: Caller,
    pub csrf: String,
    /// The path and query asked for, to come back to after signing in.
    pub path: String,
    /// The signed-in person's unread notifications, for the header of pages.
    pub unread: i64,
}

tokio::task_local! {
    /// The viewer of the page being rendered, for the layout every page shares.
    pub static VIEWER: Viewer;
}

/// The viewer of the current request (anonymous outside a request).
pub fn viewer() -> Viewer {
    VIEWER.try_with(Clone::clone).unwrap_or_else(|_| Viewer {
        caller: Caller::anonymous(),
        csrf: String::new(),
        path: "/".into(),
        unread: 0,
    })
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Caller, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Caller>()
            .cloned()
            .unwrap_or_else(Caller::anonymous))
    }
}

/// The value of one cookie.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: `max_age` zero removes the cookie.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Whether cookies must be `Secure`: served through a TLS proxy, or configured so.
pub fn secure(app: &App, headers: &HeaderMap) -> bool {
    app.security.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// The answer to a page that needs a signed-in person: the sign-in page,
/// coming back here afterwards.
pub fn to_sign_in() -> Response {
    let back = viewer().path;
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("next", &back)
        .finish();
    Redirect::to(&format!("/login?{query}")).into_response()
}

fn refuse_form(status: StatusCode, reason: &str) -> Response {
    let error = crate::web::error::ErrorBody {
        code: "forbidden",
        message: format!(
            "{reason} Go back, reload the page and try again; if it keeps happening, sign in again."
        ),
        details: vec![],
    };
    crate::web::ui::error_page(status, &error)
}

/// Whether the `Origin` of a request, if any, is this site.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(header::HOST))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host)
}

/// The path of the referring page, when it is on this site.
fn referring_path(headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let (_, rest) = referer.split_once("://")?;
    let path = rest.strip_prefix(host)?;
    path.starts_with('/').then(|| path.to_owned())
}

/// Whether a request is the one-click unsubscribe of RFC 8058: a `POST` to
/// `/alerts/unsubscribe/{token}` that mail clients send without cookies or
/// a form token. The token in the path is the credential, and the only
/// thing it can do is stop that one alert, so no form token is asked for.
fn is_one_click_unsubscribe(method: &Method, path: &str) -> bool {
    *method == Method::POST
        && path
            .strip_prefix("/alerts/unsubscribe/")
            .is_some_and(|token| !token.is_empty() && !token.contains('/'))
}

/// The form token in a urlencoded body.
fn posted_token(body: &[u8]) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned())
}

/// Works out the caller of every request, checks the form token of every
/// page form, and makes the viewer known to the page layout.
pub async fn authenticate(State(app): State<App>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let request_id = parts
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let is_api = parts.uri.path().starts_with("/api/");
    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let path = if safe {
        parts.uri.path_and_query().map(|p| p.as_str().to_owned())
    } else {
        // After signing in, a form's sender goes back to the page of the form.
        referring_path(&parts.headers)
    }
    .unwrap_or_else(|| "/".to_owned());

    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("ApiKey "))
        })
        .map(str::trim);
    let mut caller = Caller {
        request_id: request_id.clone(),
        ..Caller::anonymous()
    };
    let mut csrf = None;
    if let Some(token) = bearer.filter(|_| is_api) {
        match app.token_caller(token, request_id.clone()).await {
            Ok(c) => caller = c,
            Err(e) => return ApiError(e).into_response(),
        }
    } else if let Some(session) = cookie(&parts.headers, SESSION_COOKIE).filter(|_| !is_api || safe)
    {
        match app.session_caller(session, request_id.clone()).await {
            Ok(Some(found)) => {
                caller = found.caller;
                csrf = Some(found.csrf);
            }
            Ok(None) => {}
            Err(e) => return ApiError(e).into_response(),
        }
    }

    // Visitors not signed in get a form token of their own, kept in a cookie.
    let mut new_cookie = None;
    let csrf = match csrf {
        Some(token) => token,
        None => match cookie(&parts.headers, CSRF_COOKIE) {
            Some(token) => token.to_owned(),
            None => {
                let token = accounts::random_token(32);
                new_cookie = Some(token.clone());
                token
            }
        },
    };

    let body = if is_api || safe || is_one_click_unsubscribe(&parts.method, parts.uri.path()) {
        body
    } else {
        if !same_origin(&parts.headers) {
            return refuse_form(
                StatusCode::FORBIDDEN,
                "This form was sent from another site.",
            );
        }
        let bytes = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
            Ok(b) => b,
            Err(_) => {
                return refuse_form(StatusCode::PAYLOAD_TOO_LARGE, "This form is too large.");
            }
        };
        let sent = posted_token(&bytes).unwrap_or_default();
        if !bool::from(sent.as_bytes().ct_eq(csrf.as_bytes())) || sent.is_empty() {
            return refuse_form(
                StatusCode::FORBIDDEN,
                "This form has expired or did not come from hcx.",
            );
        }
        Body::from(bytes)
    };
    // The request log names who asked (an id, never a secret).
    tracing::Span::current().record("actor", caller.actor.id.as_str());
    parts.extensions.insert(caller.clone());
    let secure = secure(&app, &parts.headers);
    let signed_in = caller.actor.role.is_some();
    let unread = if signed_in && safe && !is_api && !parts.uri.path().starts_with("/assets/") {
        match app.unread(&caller).await {
            Ok(n) => n,
            Err(e) => return ApiError(e).into_response(),
        }
    } else {
        0
    };
    let viewer = Viewer {
        caller,
        csrf,
        path,
        unread,
    };
    let request = Request::from_parts(parts, body);
    let mut response = VIEWER.scope(viewer, next.run(request)).await;
    if signed_in && !response.headers().contains_key(header::CACHE_CONTROL) {
        // What a signed-in person sees is theirs: no shared or stored copies.
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    if let Some(token) = new_cookie {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &token, 60 * 60 * 24, secure),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_one_click_unsubscribe_goes_without_a_form_token() {
        assert!(is_one_click_unsubscribe(
            &Method::POST,
            "/alerts/unsubscribe/abc"
        ));
        assert!(!is_one_click_unsubscribe(
            &Method::GET,
            "/alerts/unsubscribe/abc"
        ));
        assert!(!is_one_click_unsubscribe(
            &Method::POST,
            "/alerts/unsubscribe/"
        ));
        assert!(!is_one_click_unsubscribe(
            &Method::POST,
            "/alerts/unsubscribe/a/b"
        ));
        assert!(!is_one_click_unsubscribe(&Method::POST, "/alerts"));
        assert!(!is_one_click_unsubscribe(&Method::POST, "/logout"));
    }
}
