//! Signing in and out, one's own account and API tokens, password links,
//! and the administrators' pages: accounts and the audit log.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hcx_domain::vocab::Role;
use hcx_store::{AuditEvent, AuditFilter, Token, User};

use super::layout::{Layout, Section};
use super::params::Params;
use super::views::timestamp;
use crate::services::{App, Caller, ServiceError};
use crate::web::auth::{self, SESSION_COOKIE};
use crate::web::error::PageError;

/// Audit events per page.
const EVENTS_PER_PAGE: i64 = 50;

/// Every problem of refused input, in one line.
fn reasons(invalid: &hcx_domain::Invalid) -> String {
    invalid
        .0
        .iter()
        .map(|f| format!("{}: {}", f.field, f.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A local path to go back to: never another site (`//host`, `https://…`).
fn local_path(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    layout: Layout,
    email: String,
    next: String,
    problem: Option<String>,
}

pub async fn get_login(RawQuery(raw): RawQuery) -> LoginPage {
    let params = Params::from_query(raw.as_deref());
    LoginPage {
        layout: Layout::within("Sign in", Section::Other),
        email: String::new(),
        next: local_path(params.text("next")).to_owned(),
        problem: None,
    }
}

/// Signs in: a new session with a new id, whatever cookie came with the form.
pub async fn sign_in(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let email = params.text("email").to_owned();
    let next = local_path(params.text("next")).to_owned();
    match app
        .sign_in(&email, params.text("password"), caller.request_id.clone())
        .await
    {
        Ok(signed_in) => {
            if let Some(old) = auth::cookie(&headers, SESSION_COOKIE) {
                app.sign_out(old).await?;
            }
            let secure = auth::secure(&app, &headers);
            let max_age = app.security.session_max_ms / 1000;
            let cookie = auth::set_cookie(SESSION_COOKIE, &signed_in.session, max_age, secure);
            let mut response = Redirect::to(&next).into_response();
            response.headers_mut().append(header::SET_COOKIE, cookie);
            Ok(response)
        }
        Err(ServiceError::SignInFailed(reason)) => {
            let page = LoginPage {
                layout: Layout::within("Sign in", Section::Other),
                email,
                next,
                problem: Some(reason),
            };
            Ok((StatusCode::UNAUTHORIZED, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Signs out and forgets the session cookie.
pub async fn sign_out(State(app): State<App>, headers: HeaderMap) -> Result<Response, PageError> {
    if let Some(session) = auth::cookie(&headers, SESSION_COOKIE) {
        app.sign_out(session).await?;
    }
    let secure = auth::secure(&app, &headers);
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        auth::set_cookie(SESSION_COOKIE, "", 0, secure),
    );
    Ok(response)
}

/// A token as the account page lists it.
#[derive(Debug)]
struct TokenView {
    token: Token,
    created: String,
    last_used: Option<String>,
    expires: Option<String>,
    revoked: Option<String>,
}

impl TokenView {
    fn of(token: Token) -> TokenView {
        TokenView {
            created: timestamp(token.created_at),
            last_used: token.last_used_at.map(timestamp),
            expires: token.expires_at.map(timestamp),
            revoked: token.revoked_at.map(timestamp),
            token,
        }
    }
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    layout: Layout,
    name: String,
    role: &'static str,
    organisations: Vec<String>,
    tokens: Vec<TokenView>,
    /// A token just created: its secret, shown this once.
    new_secret: Option<String>,
    problem: Option<String>,
}

impl AccountPage {
    async fn load(
        app: &App,
        caller: &Caller,
        new_secret: Option<String>,
        problem: Option<String>,
    ) -> Result<AccountPage, PageError> {
        let Some(role) = caller.actor.role else {
            return Err(PageError(ServiceError::SignIn));
        };
        let tokens = app.tokens(caller, false).await?;
        Ok(AccountPage {
            layout: Layout::within("Your account", Section::Other),
            name: caller.actor.name.clone(),
            role: role.label(),
            organisations: caller
                .actor
                .memberships
                .iter()
                .map(|m| m.organisation.to_string())
                .collect(),
            tokens: tokens.into_iter().map(TokenView::of).collect(),
            new_secret,
            problem,
        })
    }
}

pub async fn get_account(State(app): State<App>, caller: Caller) -> Result<AccountPage, PageError> {
    AccountPage::load(&app, &caller, None, None).await
}

/// Creates an API token for the signed-in person and shows its secret once.
pub async fn create_token(
    State(app): State<App>,
    caller: Caller,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let Some(user_id) = caller.actor.id.strip_prefix("user:") else {
        return Err(PageError(ServiceError::SignIn));
    };
    let organisation = Some(params.text("organisation")).filter(|o| !o.is_empty());
    let days = match params.text("expires_in_days") {
        "" => None,
        d => match d.parse::<u32>() {
            Ok(d) if (1..=3650).contains(&d) => Some(d),
            _ => {
                let problem = format!("{d:?} is not a number of days from 1 to 3650");
                let page = AccountPage::load(&app, &caller, None, Some(problem)).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
        },
    };
    match app
        .create_token(&caller, user_id, params.text("name"), organisation, days)
        .await
    {
        Ok(issued) => Ok(AccountPage::load(&app, &caller, Some(issued.secret), None)
            .await?
            .into_response()),
        Err(ServiceError::Invalid(invalid)) => {
            let problem = reasons(&invalid);
            let page = AccountPage::load(&app, &caller, None, Some(problem)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    app.revoke_token(&caller, &id).await?;
    Ok(Redirect::to("/account").into_response())
}

/// An account as the administrators' list shows it.
#[derive(Debug)]
struct UserView {
    user: User,
    role: &'static str,
    created: String,
    locked: bool,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "users.html")]
pub struct UsersPage {
    layout: Layout,
    users: Vec<UserView>,
    roles: &'static [(&'static str, Role)],
    /// A reset or invitation link just made, for whom, shown this once.
    link: Option<(String, String)>,
    problem: Option<String>,
    form: Params,
}

impl UsersPage {
    async fn load(
        app: &App,
        caller: &Caller,
        link: Option<(String, String)>,
        problem: Option<String>,
        form: Params,
    ) -> Result<UsersPage, PageError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let users = app
            .users(caller)
            .await?
            .into_iter()
            .map(|user| UserView {
                role: Role::parse(&user.role).map_or("unknown role", Role::label),
                created: timestamp(user.created_at),
                locked: user.locked_until.is_some_and(|t| t > now),
                user,
            })
            .collect();
        Ok(UsersPage {
            layout: Layout::new("Accounts", Section::Admin),
            users,
            roles: Role::NAMES,
            link,
            problem,
            form,
        })
    }
}

pub async fn list_users(State(app): State<App>, caller: Caller) -> Result<UsersPage, PageError> {
    UsersPage::load(&app, &caller, None, None, Params::default()).await
}

/// A one-time link as a person opens it.
fn link_to(headers: &HeaderMap, path: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if headers
        .get("x-forwarded-proto")
        .is_some_and(|p| p.as_bytes().eq_ignore_ascii_case(b"https"))
    {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}{path}")
}

/// Adds an account; without a password, shows a link for the person to set one.
pub async fn create_user(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let organisations: Vec<String> = params
        .text("organisations")
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let password = Some(params.text("password")).filter(|p| !p.is_empty());
    let added = app
        .add_user(
            &caller,
            params.text("email"),
            params.text("name"),
            params.text("role"),
            &organisations,
            password,
        )
        .await;
    match added {
        Ok(user) => {
            let link = if password.is_none() {
                let token = app.issue_reset(&caller, &user.id).await?;
                Some((user.email, link_to(&headers, &format!("/reset/{token}"))))
            } else {
                None
            };
            let page = UsersPage::load(&app, &caller, link, None, Params::default()).await?;
            Ok((StatusCode::CREATED, page).into_response())
        }
        Err(e @ (ServiceError::Invalid(_) | ServiceError::Conflict(_))) => {
            let problem = match &e {
                ServiceError::Invalid(invalid) => reasons(invalid),
                other => other.to_string(),
            };
            let page = UsersPage::load(&app, &caller, None, Some(problem), params).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Disables, enables or makes a reset link for an account.
pub async fn act_on_user(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let link = match action.as_str() {
        "disable" | "enable" => {
            match app
                .set_user_disabled(&caller, &id, action == "disable")
                .await
            {
                Ok(_) => None,
                Err(ServiceError::Conflict(reason)) => {
                    let page =
                        UsersPage::load(&app, &caller, None, Some(reason), Params::default())
                            .await?;
                    return Ok((StatusCode::CONFLICT, page).into_response());
                }
                Err(e) => return Err(e.into()),
            }
        }
        "reset" => {
            let user = app.find_user(&caller, &id).await?;
            let token = app.issue_reset(&caller, &id).await?;
            Some((user.email, link_to(&headers, &format!("/reset/{token}"))))
        }
        _ => {
            return Err(PageError(ServiceError::NotFound {
                kind: "action",
                id: action,
            }));
        }
    };
    if link.is_none() {
        return Ok(Redirect::to("/admin/users").into_response());
    }
    Ok(
        UsersPage::load(&app, &caller, link, None, Params::default())
            .await?
            .into_response(),
    )
}

/// An audit event as the log page shows it.
#[derive(Debug)]
struct EventView {
    event: AuditEvent,
    at: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    layout: Layout,
    events: Vec<EventView>,
    kind: String,
    record: String,
    actor: String,
    /// The query for the next (older) page, if there may be one.
    older: Option<String>,
    export: String,
}

fn audit_filter(params: &Params) -> AuditFilter {
    let given = |name: &str| Some(params.text(name).to_owned()).filter(|v| !v.is_empty());
    AuditFilter {
        kind: given("kind"),
        record_id: given("record"),
        actor_id: given("actor"),
        before_seq: params.text("before").parse().ok(),
    }
}

fn audit_query(filter: &AuditFilter, before: Option<i64>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in [
        ("kind", &filter.kind),
        ("record", &filter.record_id),
        ("actor", &filter.actor_id),
    ] {
        if let Some(v) = value {
            query.append_pair(name, v);
        }
    }
    if let Some(seq) = before {
        query.append_pair("before", &seq.to_string());
    }
    query.finish()
}

pub async fn get_audit(
    State(app): State<App>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<AuditPage, PageError> {
    let params = Params::from_query(raw.as_deref());
    let filter = audit_filter(&params);
    let events = app.audit_events(&caller, &filter, EVENTS_PER_PAGE).await?;
    let older = (events.len() as i64 == EVENTS_PER_PAGE)
        .then(|| events.last().map(|e| audit_query(&filter, Some(e.seq))))
        .flatten();
    Ok(AuditPage {
        layout: Layout::new("Audit log", Section::Admin),
        kind: params.text("kind").to_owned(),
        record: params.text("record").to_owned(),
        actor: params.text("actor").to_owned(),
        export: audit_query(
            &AuditFilter {
                before_seq: None,
                ..filter.clone()
            },
            None,
        ),
        older,
        events: events
            .into_iter()
            .map(|event| EventView {
                at: timestamp(event.at),
                event,
            })
            .collect(),
    })
}

/// The filtered audit log as JSON Lines.
pub async fn export_audit(
    State(app): State<App>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let filter = audit_filter(&Params::from_query(raw.as_deref()));
    let text = app.export_audit(&caller, &filter).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/x-ndjson"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"hcx-audit.jsonl\"",
            ),
        ],
        text,
    )
        .into_response())
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "password.html")]
pub struct PasswordPage {
    layout: Layout,
    /// `None` for the first administrator's setup, which asks for an address too.
    email: Option<String>,
    action: String,
    problem: Option<String>,
}

fn dead_link() -> PageError {
    PageError(ServiceError::NotFound {
        kind: "link",
        id: "it may have been used already or have expired: ask an administrator for a new one"
            .into(),
    })
}

pub async fn get_reset(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<PasswordPage, PageError> {
    let Some(Some(user)) = app.link(&token).await? else {
        return Err(dead_link());
    };
    Ok(PasswordPage {
        layout: Layout::within("Choose a password", Section::Other),
        email: Some(user.email),
        action: format!("/reset/{token}"),
        problem: None,
    })
}

fn password_problem(e: ServiceError) -> Result<String, PageError> {
    match e {
        ServiceError::Invalid(invalid) => Ok(reasons(&invalid)),
        other => Err(PageError(other)),
    }
}

pub async fn reset_password(
    State(app): State<App>,
    caller: Caller,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let password = params.text("password");
    let problem = if password != params.text("confirm") {
        Some("the two passwords differ".to_owned())
    } else {
        match app
            .reset_password(&token, password, caller.request_id.clone())
            .await
        {
            Ok(_) => return Ok(Redirect::to("/login").into_response()),
            Err(ServiceError::NotFound { .. }) => return Err(dead_link()),
            Err(e) => Some(password_problem(e)?),
        }
    };
    let Some(Some(user)) = app.link(&token).await? else {
        return Err(dead_link());
    };
    let page = PasswordPage {
        layout: Layout::within("Choose a password", Section::Other),
        email: Some(user.email),
        action: format!("/reset/{token}"),
        problem,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn get_setup(
    State(app): State<App>,
    Path(token): Path<String>,
) -> Result<PasswordPage, PageError> {
    if !matches!(app.link(&token).await?, Some(None)) {
        return Err(dead_link());
    }
    Ok(PasswordPage {
        layout: Layout::within("Create the first administrator", Section::Other),
        email: None,
        action: format!("/setup/{token}"),
        problem: None,
    })
}

pub async fn complete_setup(
    State(app): State<App>,
    caller: Caller,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let params = Params::parse(&body);
    let password = params.text("password");
    let problem = if password != params.text("confirm") {
        "the two passwords differ".to_owned()
    } else {
        match app
            .complete_setup(
                &token,
                params.text("email"),
                password,
                caller.request_id.clone(),
            )
            .await
        {
            Ok(_) => return Ok(Redirect::to("/login").into_response()),
            Err(ServiceError::NotFound { .. }) => return Err(dead_link()),
            Err(e) => password_problem(e)?,
        }
    };
    let page = PasswordPage {
        layout: Layout::within("Create the first administrator", Section::Other),
        email: None,
        action: format!("/setup/{token}"),
        problem: Some(problem),
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn sign_in_only_ever_returns_to_this_site() {
        assert_eq!(local_path("/opportunities?q=icu"), "/opportunities?q=icu");
        for outside in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "",
        ] {
            assert_eq!(local_path(outside), "/", "{outside}");
        }
    }
}
