//! Accounts: signing in and out, sessions, API tokens, password resets and
//! the first administrator.
//!
//! Secrets leave hcx once — in a cookie, a printed token or a link — and are
//! kept only as SHA-256 digests; passwords as argon2id hashes computed off
//! the async runtime.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, Params};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hcx_domain::access::{Actor, Capability, Membership, role_fits};
use hcx_domain::vocab::Role;
use hcx_domain::{FieldError, Invalid};
use hcx_store::{NewToken, NewUser, Session, Token, User};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::access::Caller;
use super::{App, ServiceError};

/// Time limits and costs of the account rules (times in milliseconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Security {
    /// A session unused this long ends.
    pub session_idle_ms: i64,
    /// A session ends this long after sign-in, used or not.
    pub session_max_ms: i64,
    /// Failed sign-ins in a row that lock an account...
    pub sign_in_attempts: i64,
    /// ...for this long.
    pub lockout_ms: i64,
    /// How long a reset or setup link works.
    pub link_valid_ms: i64,
    /// argon2id cost: memory in KiB and passes.
    pub hash_memory_kib: u32,
    pub hash_passes: u32,
    /// Mark cookies `Secure` even when no TLS proxy says `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
}

const MINUTE: i64 = 60_000;

impl Default for Security {
    fn default() -> Self {
        Security {
            session_idle_ms: 120 * MINUTE,
            session_max_ms: 12 * 60 * MINUTE,
            sign_in_attempts: 5,
            lockout_ms: 15 * MINUTE,
            link_valid_ms: 24 * 60 * MINUTE,
            // OWASP's recommended argon2id settings.
            hash_memory_kib: 19 * 1024,
            hash_passes: 2,
            secure_cookies: false,
        }
    }
}

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Touching a session or token more often than this is not recorded.
const TOUCH_EVERY_MS: i64 = MINUTE;

/// API tokens read `hcx_<id>.<secret>`.
const TOKEN_PREFIX: &str = "hcx_";

/// The answer to any failed sign-in, so that it tells nothing about which
/// accounts exist.
const SIGN_IN_FAILED: &str = "the e-mail address or password is wrong, or the account is locked or disabled (too many failed attempts lock an account for a while)";

/// A new browser session: the cookie value and the form token that goes with it.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session: String,
    pub csrf: String,
}

/// Who a session belongs to, and its form token.
#[derive(Debug, Clone)]
pub struct SessionCaller {
    pub caller: Caller,
    pub csrf: String,
}

/// A token just created: its secret is shown this once.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: Token,
    pub secret: String,
}

/// Random bytes as URL-safe text.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system provides random numbers");
    URL_SAFE_NO_PAD.encode(buf)
}

/// What the store keeps of a secret.
pub fn digest(secret: &str) -> String {
    let hash = Sha256::digest(secret.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Milliseconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn invalid(field: &str, reason: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(Invalid(vec![FieldError::new(field, reason.into())]))
}

fn check_password(password: &str) -> Result<(), ServiceError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(invalid(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if password.len() > 1024 {
        return Err(invalid("password", "must be at most 1024 bytes"));
    }
    Ok(())
}

/// An e-mail address as stored: trimmed, lower case, plausibly an address.
pub fn normalise_email(email: &str) -> Result<String, ServiceError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if valid {
        Ok(email)
    } else {
        Err(invalid(
            "email",
            format!("{email:?} is not an e-mail address"),
        ))
    }
}

impl App {
    fn argon2(&self) -> Result<Argon2<'static>, ServiceError> {
        let params = Params::new(
            self.security.hash_memory_kib,
            self.security.hash_passes,
            1,
            None,
        )
        .map_err(|e| ServiceError::Internal(format!("password hash settings: {e}")))?;
        Ok(Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            params,
        ))
    }

    /// Hashes a password off the async runtime.
    pub async fn hash_password(&self, password: &str) -> Result<String, ServiceError> {
        let argon2 = self.argon2()?;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut salt = [0u8; 16];
            getrandom::fill(&mut salt).expect("the operating system provides random numbers");
            let salt = SaltString::encode_b64(&salt)
                .map_err(|e| ServiceError::Internal(format!("password salt: {e}")))?;
            argon2
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| ServiceError::Internal(format!("password hash: {e}")))
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("password hashing stopped: {e}")))?
    }

    /// Checks a password against a stored hash off the async runtime. With no
    /// hash, a stand-in is checked so that the time taken tells nothing.
    async fn verify_password(&self, hash: Option<String>, password: &str) -> bool {
        static STAND_IN: OnceLock<String> = OnceLock::new();
        let stand_in = match STAND_IN.get() {
            Some(h) => h.clone(),
            None => match self.hash_password("not a password of anyone").await {
                Ok(h) => STAND_IN.get_or_init(|| h).clone(),
                Err(_) => return false,
            },
        };
        let real = hash.is_some();
        let hash = hash.unwrap_or(stand_in);
        let password = password.to_owned();
        let argon2 = match self.argon2() {
            Ok(a) => a,
            Err(_) => return false,
        };
        tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .map(|parsed| argon2.verify_password(password.as_bytes(), &parsed).is_ok())
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false)
            && real
    }

    /// Signs in with an e-mail address and password; any failure gives the
    /// same answer, and counts towards locking the account.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        request_id: Option<String>,
    ) -> Result<SignedIn, ServiceError> {
        let failed = || ServiceError::SignInFailed(SIGN_IN_FAILED.into());
        let email = email.trim().to_lowercase();
        let found = self.store.user_by_email(&email).await?;
        let now = now();
        let (user, hash) = match found {
            Some((user, hash)) => (Some(user), hash),
            None => (None, None),
        };
        let usable = user
            .as_ref()
            .is_some_and(|u| u.disabled_at.is_none() && u.locked_until.is_none_or(|t| t <= now));
        let matches = self.verify_password(hash, password).await;
        let Some(user) = user else {
            return Err(failed());
        };
        let author = hcx_store::Author {
            actor_id: format!("user:{}", user.id),
            actor_name: user.email.clone(),
            request_id,
        };
        if !usable {
            return Err(failed());
        }
        if !matches {
            self.store
                .record_failed_sign_in(
                    &user.id,
                    self.security.sign_in_attempts,
                    now + self.security.lockout_ms,
                    &author,
                )
                .await?;
            return Err(failed());
        }
        let signed_in = SignedIn {
            session: random_token(32),
            csrf: random_token(32),
        };
        let session = Session {
            user_id: user.id.clone(),
            csrf_token: signed_in.csrf.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + self.security.session_max_ms,
        };
        self.store
            .start_session(&digest(&signed_in.session), &session, &author)
            .await?;
        Ok(signed_in)
    }

    /// Removes sessions that have expired or sat idle too long.
    pub async fn purge_sessions(&self) -> Result<u64, ServiceError> {
        let now = now();
        Ok(self
            .store
            .purge_sessions(now, now - self.security.session_idle_ms)
            .await?)
    }

    /// Ends a session.
    pub async fn sign_out(&self, session: &str) -> Result<(), ServiceError> {
        self.store.end_session(&digest(session)).await?;
        Ok(())
    }

    pub(super) async fn actor_of(
        &self,
        user: &User,
        role: &str,
        only: Option<&str>,
    ) -> Result<Actor, ServiceError> {
        let role = Role::parse(role).ok_or_else(|| {
            ServiceError::Internal(format!("account {} has an unknown role {role:?}", user.id))
        })?;
        let memberships: Vec<Membership> = self
            .store
            .memberships(&user.id)
            .await?
            .into_iter()
            .filter(|m| only.is_none_or(|o| m.organisation.as_str() == o))
            .collect();
        Ok(Actor {
            id: format!("user:{}", user.id),
            name: user.email.clone(),
            role: Some(role),
            memberships,
        })
    }

    /// The caller acting as the account with this e-mail address, with its
    /// role and every organisation it belongs to: for work done on an
    /// account's behalf, such as seeding the demo.
    pub async fn caller_as(&self, email: &str) -> Result<Caller, ServiceError> {
        let (user, _) =
            self.store
                .user_by_email(email)
                .await?
                .ok_or_else(|| ServiceError::NotFound {
                    kind: "account",
                    id: email.to_owned(),
                })?;
        Ok(Caller {
            actor: self.actor_of(&user, &user.role, None).await?,
            request_id: None,
        })
    }

    /// The caller behind a session cookie, if the session is live.
    pub async fn session_caller(
        &self,
        session: &str,
        request_id: Option<String>,
    ) -> Result<Option<SessionCaller>, ServiceError> {
        let id_hash = digest(session);
        let Some(s) = self.store.session(&id_hash).await? else {
            return Ok(None);
        };
        let now = now();
        if s.expires_at <= now || s.last_seen_at + self.security.session_idle_ms <= now {
            self.store.end_session(&id_hash).await?;
            return Ok(None);
        }
        let Some(user) = self.store.user(&s.user_id).await? else {
            return Ok(None);
        };
        if user.disabled_at.is_some() {
            return Ok(None);
        }
        if now - s.last_seen_at >= TOUCH_EVERY_MS {
            self.store.touch_session(&id_hash, now).await?;
        }
        let role = user.role.clone();
        Ok(Some(SessionCaller {
            caller: Caller {
                actor: self.actor_of(&user, &role, None).await?,
                request_id,
            },
            csrf: s.csrf_token,
        }))
    }

    /// The caller behind an API token; a wrong, revoked or expired token, or
    /// one whose account is disabled, is refused.
    pub async fn token_caller(
        &self,
        bearer: &str,
        request_id: Option<String>,
    ) -> Result<Caller, ServiceError> {
        let refused = || ServiceError::BadToken;
        let (id, secret) = bearer
            .strip_prefix(TOKEN_PREFIX)
            .and_then(|t| t.split_once('.'))
            .ok_or_else(refused)?;
        let token = self.store.token(id).await?.ok_or_else(refused)?;
        let same: bool = digest(secret)
            .as_bytes()
            .ct_eq(token.secret_hash.as_bytes())
            .into();
        let now = now();
        if !same || token.revoked_at.is_some() || token.expires_at.is_some_and(|t| t <= now) {
            return Err(refused());
        }
        let user = self.store.user(&token.user_id).await?.ok_or_else(refused)?;
        if user.disabled_at.is_some() {
            return Err(refused());
        }
        if token.last_used_at.is_none_or(|t| now - t >= TOUCH_EVERY_MS) {
            self.store.touch_token(&token.id, now).await?;
        }
        Ok(Caller {
            actor: self
                .actor_of(&user, &token.role, token.organisation_id.as_deref())
                .await?,
            request_id,
        })
    }

    /// Checks a role and the organisations of an account or token.
    async fn check_role_fits(
        &self,
        role: Role,
        organisations: &[String],
    ) -> Result<(), ServiceError> {
        for id in organisations {
            let org = self.store.organisation(id).await?.ok_or_else(|| {
                invalid(
                    "organisations",
                    format!("organisation {id:?} does not exist"),
                )
            })?;
            if !role_fits(role, org.record.kind) {
                return Err(invalid(
                    "organisations",
                    format!(
                        "a {} account cannot act for {id:?}, which is a {} organisation",
                        role.as_str(),
                        org.record.kind.as_str()
                    ),
                ));
            }
        }
        let needs_one = !matches!(role, Role::Admin | Role::Adviser);
        if needs_one && organisations.is_empty() {
            return Err(invalid(
                "organisations",
                format!(
                    "a {} account must act for at least one organisation",
                    role.as_str()
                ),
            ));
        }
        Ok(())
    }

    /// Adds an account (administrators only). Without a password the person
    /// sets one through a reset link.
    pub async fn add_user(
        &self,
        caller: &Caller,
        email: &str,
        name: &str,
        role: &str,
        organisations: &[String],
        password: Option<&str>,
    ) -> Result<User, ServiceError> {
        caller.check_capability(Capability::Accounts)?;
        let email = normalise_email(email)?;
        let role = Role::parse(role.trim()).ok_or_else(|| {
            let names: Vec<&str> = Role::NAMES.iter().map(|(n, _)| *n).collect();
            invalid(
                "role",
                format!("{role:?} is not one of {}", names.join(", ")),
            )
        })?;
        let name = match name.trim() {
            "" => email.clone(),
            n => n.to_owned(),
        };
        self.check_role_fits(role, organisations).await?;
        let password_hash = match password {
            Some(p) => {
                check_password(p)?;
                Some(self.hash_password(p).await?)
            }
            None => None,
        };
        let user = self
            .store
            .create_user(
                &NewUser {
                    id: random_token(9),
                    email,
                    name,
                    role: role.as_str().to_owned(),
                    password_hash,
                    organisations: organisations.to_vec(),
                },
                &caller.author(),
            )
            .await?;
        Ok(user)
    }

    /// Every account (administrators only).
    pub async fn users(&self, caller: &Caller) -> Result<Vec<User>, ServiceError> {
        caller.check_capability(Capability::Accounts)?;
        Ok(self.store.list_users().await?)
    }

    /// An account by id or e-mail address (administrators only).
    pub async fn find_user(&self, caller: &Caller, key: &str) -> Result<User, ServiceError> {
        caller.check_capability(Capability::Accounts)?;
        let by_email = self.store.user_by_email(&key.trim().to_lowercase()).await?;
        let found = match by_email {
            Some((u, _)) => Some(u),
            None => self.store.user(key).await?,
        };
        found.ok_or_else(|| ServiceError::NotFound {
            kind: "user",
            id: key.to_owned(),
        })
    }

    /// Disables (ending its sessions) or re-enables an account.
    pub async fn set_user_disabled(
        &self,
        caller: &Caller,
        key: &str,
        disabled: bool,
    ) -> Result<User, ServiceError> {
        let user = self.find_user(caller, key).await?;
        if disabled && caller.actor.id == format!("user:{}", user.id) {
            return Err(ServiceError::Conflict(
                "you cannot disable your own account".into(),
            ));
        }
        Ok(self
            .store
            .set_user_disabled(&user.id, disabled, &caller.author())
            .await?)
    }

    /// Issues a one-time password reset link token for an account.
    pub async fn issue_reset(&self, caller: &Caller, key: &str) -> Result<String, ServiceError> {
        let user = self.find_user(caller, key).await?;
        let token = random_token(32);
        self.store
            .create_reset(
                &digest(&token),
                Some(&user.id),
                now() + self.security.link_valid_ms,
                &caller.author(),
            )
            .await?;
        Ok(token)
    }

    /// What a one-time link is for: `Some(Some(user))` a reset,
    /// `Some(None)` the first administrator's setup, `None` a dead link.
    pub async fn link(&self, token: &str) -> Result<Option<Option<User>>, ServiceError> {
        match self.store.reset(&digest(token), now()).await? {
            None => Ok(None),
            Some(None) => Ok(Some(None)),
            Some(Some(id)) => Ok(self.store.user(&id).await?.map(Some)),
        }
    }

    /// Sets a new password through a reset link, which is then spent.
    pub async fn reset_password(
        &self,
        token: &str,
        password: &str,
        request_id: Option<String>,
    ) -> Result<User, ServiceError> {
        check_password(password)?;
        let dead = || ServiceError::NotFound {
            kind: "reset link",
            id: String::new(),
        };
        let Some(Some(user)) = self.link(token).await? else {
            return Err(dead());
        };
        let hash = self.hash_password(password).await?;
        if !self.store.use_reset(&digest(token), now()).await? {
            return Err(dead());
        }
        let author = hcx_store::Author {
            actor_id: format!("user:{}", user.id),
            actor_name: user.email.clone(),
            request_id,
        };
        Ok(self.store.set_password(&user.id, &hash, &author).await?)
    }

    /// While there is no account, a link to create the first administrator.
    pub async fn setup_link(&self) -> Result<Option<String>, ServiceError> {
        if self.store.user_count().await? > 0 {
            return Ok(None);
        }
        let token = random_token(32);
        self.store
            .create_reset(
                &digest(&token),
                None,
                now() + self.security.link_valid_ms,
                &Caller::command_line().author(),
            )
            .await?;
        Ok(Some(token))
    }

    /// Creates the first administrator through the setup link.
    pub async fn complete_setup(
        &self,
        token: &str,
        email: &str,
        password: &str,
        request_id: Option<String>,
    ) -> Result<User, ServiceError> {
        let dead = || ServiceError::NotFound {
            kind: "setup link",
            id: String::new(),
        };
        if !matches!(self.link(token).await?, Some(None)) || self.store.user_count().await? > 0 {
            return Err(dead());
        }
        check_password(password)?;
        let email = normalise_email(email)?;
        if !self.store.use_reset(&digest(token), now()).await? {
            return Err(dead());
        }
        let setup = Caller {
            actor: Actor {
                id: "setup".into(),
                name: email.clone(),
                role: Some(Role::Admin),
                memberships: Vec::new(),
            },
            request_id,
        };
        self.add_user(
            &setup,
            &email,
            "",
            Role::Admin.as_str(),
            &[],
            Some(password),
        )
        .await
    }

    /// Creates an API token. People make tokens for themselves, acting as
    /// their own role for one of their organisations (or all of them);
    /// administrators may make them for anyone.
    pub async fn create_token(
        &self,
        caller: &Caller,
        user_key: &str,
        name: &str,
        organisation: Option<&str>,
        expires_in_days: Option<u32>,
    ) -> Result<IssuedToken, ServiceError> {
        let own_id = caller.actor.id.strip_prefix("user:");
        let user = match own_id {
            Some(id) if id == user_key => self.store.user(id).await?.ok_or(ServiceError::SignIn)?,
            _ => self.find_user(caller, user_key).await?,
        };
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(invalid(
                "name",
                "give the token a name of 1 to 100 characters",
            ));
        }
        if let Some(org) = organisation
            && !user.organisations.iter().any(|o| o == org)
        {
            return Err(invalid(
                "organisation",
                format!("{} does not act for {org:?}", user.email),
            ));
        }
        let secret = random_token(32);
        let id = random_token(9);
        let token = self
            .store
            .create_token(
                &NewToken {
                    id: id.clone(),
                    user_id: user.id.clone(),
                    name: name.to_owned(),
                    secret_hash: digest(&secret),
                    role: user.role.clone(),
                    organisation_id: organisation.map(str::to_owned),
                    expires_at: expires_in_days.map(|d| now() + i64::from(d) * 24 * 60 * MINUTE),
                },
                &caller.author(),
            )
            .await?;
        Ok(IssuedToken {
            token,
            secret: format!("{TOKEN_PREFIX}{id}.{secret}"),
        })
    }

    /// Tokens of the caller, or every token for administrators asking for all.
    pub async fn tokens(&self, caller: &Caller, all: bool) -> Result<Vec<Token>, ServiceError> {
        if all {
            caller.check_capability(Capability::Accounts)?;
            return Ok(self.store.list_tokens(None).await?);
        }
        let id = caller
            .actor
            .id
            .strip_prefix("user:")
            .ok_or(ServiceError::SignIn)?;
        Ok(self.store.list_tokens(Some(id)).await?)
    }

    /// Revokes one of the caller's tokens, or any token for administrators.
    pub async fn revoke_token(&self, caller: &Caller, id: &str) -> Result<Token, ServiceError> {
        let token = self
            .store
            .token(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound {
                kind: "token",
                id: id.to_owned(),
            })?;
        let own = caller.actor.id == format!("user:{}", token.user_id);
        if !own {
            caller
                .check_capability(Capability::Accounts)
                .map_err(|_| ServiceError::NotFound {
                    kind: "token",
                    id: id.to_owned(),
                })?;
        }
        Ok(self.store.revoke_token(id, &caller.author()).await?)
    }
}
