//! Accounts: people, the organisations they act for, their sessions, API
//! tokens and one-time links. Every change is audited in its transaction.
//!
//! The store keeps only digests of secrets; hashing and checking passwords
//! and tokens is the caller's job.

use hcx_domain::access::Membership;
use hcx_domain::vocab::OrgKind;
use hcx_domain::{CountryCode, NetworkCode, OrganisationId};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::audit::{self, Author, Entry};
use crate::{Store, StoreError, now_ms};

/// A person's account, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub id: String,
    /// Lower case.
    pub email: String,
    pub name: String,
    pub role: String,
    pub organisations: Vec<String>,
    pub disabled_at: Option<i64>,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An account to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    /// None: the person sets a password through a reset link.
    pub password_hash: Option<String>,
    pub organisations: Vec<String>,
}

/// A signed-in browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// An API token, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Token {
    pub id: String,
    pub user_id: String,
    pub name: String,
    #[serde(skip)]
    pub secret_hash: String,
    pub role: String,
    pub organisation_id: Option<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A token to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub secret_hash: String,
    pub role: String,
    pub organisation_id: Option<String>,
    pub expires_at: Option<i64>,
}

const USER_COLUMNS: &str = "id, email, name, role, disabled_at, failed_logins, locked_until, version, created_at, updated_at";
const TOKEN_COLUMNS: &str = "id, user_id, name, secret_hash, role, organisation_id, created_at, expires_at, last_used_at, revoked_at";

fn user_row(row: &AnyRow, organisations: Vec<String>) -> Result<User, StoreError> {
    Ok(User {
        id: row.try_get(0)?,
        email: row.try_get(1)?,
        name: row.try_get(2)?,
        role: row.try_get(3)?,
        organisations,
        disabled_at: row.try_get(4)?,
        failed_logins: row.try_get(5)?,
        locked_until: row.try_get(6)?,
        version: row.try_get(7)?,
        created_at: row.try_get(8)?,
        updated_at: row.try_get(9)?,
    })
}

fn token_row(row: &AnyRow) -> Result<Token, StoreError> {
    Ok(Token {
        id: row.try_get(0)?,
        user_id: row.try_get(1)?,
        name: row.try_get(2)?,
        secret_hash: row.try_get(3)?,
        role: row.try_get(4)?,
        organisation_id: row.try_get(5)?,
        created_at: row.try_get(6)?,
        expires_at: row.try_get(7)?,
        last_used_at: row.try_get(8)?,
        revoked_at: row.try_get(9)?,
    })
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

async fn organisations_of(
    conn: &mut sqlx::AnyConnection,
    user_id: &str,
) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query(
        "select organisation_id from memberships where user_id = $1 order by organisation_id",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok(r.try_get(0)?))
        .collect::<Result<_, StoreError>>()
}

async fn user_in(tx: &mut Transaction<'_, Any>, id: &str) -> Result<Option<User>, StoreError> {
    let row = sqlx::query(crate::built(format!(
        "select {USER_COLUMNS} from users where id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    match row {
        Some(row) => {
            let organisations = organisations_of(tx, id).await?;
            Ok(Some(user_row(&row, organisations)?))
        }
        None => Ok(None),
    }
}

/// Changes a user with `sql` (binding `$1` = id, `$2` = now, then `binds`),
/// bumping its version, and audits the change as `action`.
async fn change_user(
    store: &Store,
    id: &str,
    sql: &str,
    binds: &[Option<String>],
    author: &Author,
    action: &str,
) -> Result<User, StoreError> {
    let now = now_ms();
    let mut tx = store.begin_write().await?;
    let before = user_in(&mut tx, id)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            kind: "user",
            id: id.to_owned(),
        })?;
    let mut q = sqlx::query(crate::built(format!(
        "update users set {sql}, version = version + 1, updated_at = $2 where id = $1"
    )))
    .bind(id)
    .bind(now);
    for b in binds {
        q = q.bind(b.as_deref());
    }
    q.execute(&mut *tx).await?;
    let after = user_in(&mut tx, id)
        .await?
        .unwrap_or_else(|| before.clone());
    let (before_json, after_json) = (json(&before), json(&after));
    audit::append(
        &mut tx,
        author,
        now,
        &[Entry {
            action,
            kind: "user",
            record_id: id,
            before: Some(&before_json),
            after: Some(&after_json),
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

impl Store {
    /// How many accounts exist.
    pub async fn user_count(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("select count(*) from users")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Creates an account and its memberships.
    pub async fn create_user(&self, new: &NewUser, author: &Author) -> Result<User, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "insert into users (id, email, name, role, password_hash, failed_logins, version, created_at, updated_at) values ($1, $2, $3, $4, $5, 0, 1, $6, $6)",
        )
        .bind(new.id.as_str())
        .bind(new.email.as_str())
        .bind(new.name.as_str())
        .bind(new.role.as_str())
        .bind(new.password_hash.as_deref())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("an account for {} already exists", new.email))
            }
            other => other,
        })?;
        for organisation in &new.organisations {
            sqlx::query(
                "insert into memberships (user_id, organisation_id, created_at) values ($1, $2, $3)",
            )
            .bind(new.id.as_str())
            .bind(organisation.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => StoreError::NotFound {
                    kind: "organisation",
                    id: organisation.clone(),
                },
                other => other,
            })?;
        }
        let user = user_in(&mut tx, &new.id)
            .await?
            .ok_or_else(|| StoreError::Conflict("the new account vanished".into()))?;
        let after = json(&user);
        audit::append(
            &mut tx,
            author,
            now,
            &[Entry {
                after: Some(&after),
                ..Entry::of("create", "user", &new.id)
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn user(&self, id: &str) -> Result<Option<User>, StoreError> {
        // A read: a plain transaction, so signed-in requests never queue for
        // SQLite's write lock.
        let mut tx = self.pool.begin().await?;
        let user = user_in(&mut tx, id).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// The account with this e-mail address and its password hash.
    pub async fn user_by_email(
        &self,
        email: &str,
    ) -> Result<Option<(User, Option<String>)>, StoreError> {
        let row = sqlx::query("select id, password_hash from users where email = $1")
            .bind(email)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let id: String = row.try_get(0)?;
        let hash: Option<String> = row.try_get(1)?;
        Ok(self.user(&id).await?.map(|u| (u, hash)))
    }

    /// Every account, by e-mail address.
    pub async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(crate::built(format!(
            "select {USER_COLUMNS} from users order by email"
        )))
        .fetch_all(&self.pool)
        .await?;
        let members = sqlx::query(
            "select user_id, organisation_id from memberships order by user_id, organisation_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut by_user: std::collections::HashMap<String, Vec<String>> = Default::default();
        for m in &members {
            by_user
                .entry(m.try_get(0)?)
                .or_default()
                .push(m.try_get(1)?);
        }
        rows.iter()
            .map(|r| {
                let id: String = r.try_get(0)?;
                user_row(r, by_user.remove(&id).unwrap_or_default())
            })
            .collect()
    }

    /// The organisations a user acts for, as the access policy reads them.
    pub async fn memberships(&self, user_id: &str) -> Result<Vec<Membership>, StoreError> {
        let rows = sqlx::query(
            "select o.id, o.kind, o.country, o.network from memberships m join organisations o on o.id = m.organisation_id where m.user_id = $1 order by o.id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let id: String = r.try_get(0)?;
                let corrupt = |reason: String| StoreError::Corrupt {
                    kind: "organisation",
                    id: id.clone(),
                    reason,
                };
                let kind: String = r.try_get(1)?;
                let country: String = r.try_get(2)?;
                let network: Option<String> = r.try_get(3)?;
                Ok(Membership {
                    organisation: OrganisationId::parse(&id).map_err(corrupt)?,
                    kind: OrgKind::parse(&kind)
                        .ok_or_else(|| corrupt(format!("unknown kind {kind:?}")))?,
                    country: CountryCode::parse(&country).map_err(corrupt)?,
                    network: network
                        .map(|n| NetworkCode::parse(&n))
                        .transpose()
                        .map_err(corrupt)?,
                })
            })
            .collect()
    }

    /// Disables or re-enables an account; disabling ends its sessions.
    pub async fn set_user_disabled(
        &self,
        id: &str,
        disabled: bool,
        author: &Author,
    ) -> Result<User, StoreError> {
        let (sql, action) = if disabled {
            ("disabled_at = $2", "disable")
        } else {
            (
                "disabled_at = null, failed_logins = 0, locked_until = null",
                "enable",
            )
        };
        let user = change_user(self, id, sql, &[], author, action).await?;
        if disabled {
            self.end_sessions_of(id).await?;
        }
        Ok(user)
    }

    /// Sets a password hash, clears any lockout and ends every session.
    pub async fn set_password(
        &self,
        id: &str,
        password_hash: &str,
        author: &Author,
    ) -> Result<User, StoreError> {
        let user = change_user(
            self,
            id,
            "password_hash = $3, failed_logins = 0, locked_until = null",
            &[Some(password_hash.to_owned())],
            author,
            "set_password",
        )
        .await?;
        self.end_sessions_of(id).await?;
        Ok(user)
    }

    /// Counts a failed sign-in; at `lock_after` failures in a row the account
    /// is locked until `lock_until`. Returns the account as it now is.
    pub async fn record_failed_sign_in(
        &self,
        id: &str,
        lock_after: i64,
        lock_until: i64,
        author: &Author,
    ) -> Result<User, StoreError> {
        let user = change_user(
            self,
            id,
            "failed_logins = failed_logins + 1",
            &[],
            author,
            "sign_in_failed",
        )
        .await?;
        if user.failed_logins < lock_after {
            return Ok(user);
        }
        change_user(
            self,
            id,
            "failed_logins = 0, locked_until = cast($3 as bigint)",
            &[Some(lock_until.to_string())],
            author,
            "lock",
        )
        .await
    }

    /// Starts a session after a successful sign-in (the caller has checked the
    /// password); the failure count starts again.
    pub async fn start_session(
        &self,
        id_hash: &str,
        session: &Session,
        author: &Author,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("update users set failed_logins = 0, locked_until = null where id = $1")
            .bind(session.user_id.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "insert into sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id_hash)
        .bind(session.user_id.as_str())
        .bind(session.csrf_token.as_str())
        .bind(session.created_at)
        .bind(session.last_seen_at)
        .bind(session.expires_at)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            author,
            session.created_at,
            &[Entry::of("sign_in", "user", &session.user_id)],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn session(&self, id_hash: &str) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(
            "select user_id, csrf_token, created_at, last_seen_at, expires_at from sessions where id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Session {
                user_id: r.try_get(0)?,
                csrf_token: r.try_get(1)?,
                created_at: r.try_get(2)?,
                last_seen_at: r.try_get(3)?,
                expires_at: r.try_get(4)?,
            })
        })
        .transpose()
    }

    /// Notes that a session is in use.
    pub async fn touch_session(&self, id_hash: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("update sessions set last_seen_at = $2 where id_hash = $1")
            .bind(id_hash)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends one session (signing out, or found expired).
    pub async fn end_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("delete from sessions where id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends every session of a user.
    pub async fn end_sessions_of(&self, user_id: &str) -> Result<(), StoreError> {
        sqlx::query("delete from sessions where user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes sessions past their absolute expiry or idle since `idle_before`.
    pub async fn purge_sessions(&self, now: i64, idle_before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("delete from sessions where expires_at <= $1 or last_seen_at < $2")
            .bind(now)
            .bind(idle_before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn create_token(&self, new: &NewToken, author: &Author) -> Result<Token, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "insert into api_tokens (id, user_id, name, secret_hash, role, organisation_id, created_at, expires_at) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new.id.as_str())
        .bind(new.user_id.as_str())
        .bind(new.name.as_str())
        .bind(new.secret_hash.as_str())
        .bind(new.role.as_str())
        .bind(new.organisation_id.as_deref())
        .bind(now)
        .bind(new.expires_at)
        .execute(&mut *tx)
        .await?;
        let token = Token {
            id: new.id.clone(),
            user_id: new.user_id.clone(),
            name: new.name.clone(),
            secret_hash: new.secret_hash.clone(),
            role: new.role.clone(),
            organisation_id: new.organisation_id.clone(),
            created_at: now,
            expires_at: new.expires_at,
            last_used_at: None,
            revoked_at: None,
        };
        let after = json(&token);
        audit::append(
            &mut tx,
            author,
            now,
            &[Entry {
                after: Some(&after),
                ..Entry::of("create", "token", &new.id)
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    pub async fn token(&self, id: &str) -> Result<Option<Token>, StoreError> {
        let row = sqlx::query(crate::built(format!(
            "select {TOKEN_COLUMNS} from api_tokens where id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(token_row).transpose()
    }

    /// Tokens of one user, or of everyone; newest first.
    pub async fn list_tokens(&self, user_id: Option<&str>) -> Result<Vec<Token>, StoreError> {
        let rows = sqlx::query(crate::built(format!(
            "select {TOKEN_COLUMNS} from api_tokens where $1 is null or user_id = $1 order by created_at desc, id"
        )))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(token_row).collect()
    }

    /// Revokes a token for good.
    pub async fn revoke_token(&self, id: &str, author: &Author) -> Result<Token, StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "update api_tokens set revoked_at = $2 where id = $1 and revoked_at is null",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(crate::built(format!(
            "select {TOKEN_COLUMNS} from api_tokens where id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let token =
            row.as_ref()
                .map(token_row)
                .transpose()?
                .ok_or_else(|| StoreError::NotFound {
                    kind: "token",
                    id: id.to_owned(),
                })?;
        if done.rows_affected() > 0 {
            audit::append(&mut tx, author, now, &[Entry::of("revoke", "token", id)]).await?;
        }
        tx.commit().await?;
        Ok(token)
    }

    /// Notes that a token was used.
    pub async fn touch_token(&self, id: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("update api_tokens set last_used_at = $2 where id = $1")
            .bind(id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores a one-time link: a password reset for `user_id`, or with no
    /// user, the setup of the first administrator.
    pub async fn create_reset(
        &self,
        token_hash: &str,
        user_id: Option<&str>,
        expires_at: i64,
        author: &Author,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "insert into password_resets (token_hash, user_id, created_at, expires_at) values ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            author,
            now,
            &[Entry::of("issue_reset", "user", user_id.unwrap_or("setup"))],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user of a one-time link that is unused and unexpired (`Some(None)`
    /// for a setup link), without using it.
    pub async fn reset(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<Option<String>>, StoreError> {
        let row = sqlx::query(
            "select user_id from password_resets where token_hash = $1 and used_at is null and expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok(r.try_get(0)?)).transpose()
    }

    /// Uses a one-time link: true when it was valid and is now spent.
    pub async fn use_reset(&self, token_hash: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "update password_resets set used_at = $2 where token_hash = $1 and used_at is null and expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
