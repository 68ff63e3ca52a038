//! The use cases the web UI, the JSON API and the CLI share.

pub mod access;
pub mod accounts;
pub mod alerts;
pub mod audit;
pub mod consortium;
pub mod diligence;
pub mod export;
pub mod import;
pub mod index;
pub mod introductions;
pub mod jobs;
pub mod mail;
pub mod matching;
pub mod pool;
pub mod quotes;
pub mod registry;
pub mod screening;
pub mod search;
pub mod twinning;

use std::sync::Arc;

use hcx_domain::Invalid;
use hcx_domain::agreement::AgreementError;
use hcx_domain::diligence::CaseError;
use hcx_domain::matching::MatchConfig;
use hcx_domain::opportunity::LifecycleError;
use hcx_domain::quote::QuoteConfig;
use hcx_domain::twinning::TwinningConfig;
use hcx_search::SearchIndex;
use hcx_store::{Store, StoreError};

use crate::config::Config;
pub use access::Caller;
pub use accounts::Security;

/// What a service call needs: the store and the search index that follows it.
#[derive(Debug, Clone)]
pub struct App {
    pub store: Store,
    pub search: Arc<SearchIndex>,
    pub security: Security,
    /// Weights and thresholds of matchmaking.
    pub matching: MatchConfig,
    /// Weights of twinning suggestions.
    pub twinning: TwinningConfig,
    /// The share of profit held back for reinvestment.
    pub quoting: QuoteConfig,
    /// Where alert e-mails go and the links they carry.
    pub alerting: Alerting,
    /// One index catch-up at a time per process.
    sync_lock: Arc<tokio::sync::Mutex<()>>,
    /// Offers, providers and strategies in memory for matchmaking.
    pool: pool::SharedPool,
    /// Screening lists in memory, one index per list.
    lists: screening::LoadedLists,
}

/// How alerts reach people: e-mails, with links to the public address.
#[derive(Debug, Clone)]
pub struct Alerting {
    pub mailer: mail::Mailer,
    /// The public address of hcx, without a trailing slash.
    pub public_url: String,
}

/// Why a service call failed, in terms a caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input was refused: every field that is wrong, and why.
    #[error("invalid input: {0}")]
    Invalid(Invalid),
    #[error("{kind} {id:?} was not found")]
    NotFound { kind: &'static str, id: String },
    /// A stale version, a duplicate, or a record still in use.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    /// Signing in is needed first.
    #[error("sign in first")]
    SignIn,
    /// A sign-in was refused; the message is the same whatever the reason.
    #[error("{0}")]
    SignInFailed(String),
    /// An API token that is wrong, revoked or expired, or whose account is disabled.
    #[error("the API token is not valid: it may be mistyped, revoked or expired")]
    BadToken,
    /// The caller is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The request itself is malformed (not the record it carries).
    #[error("{0}")]
    BadRequest(String),
    /// A bulk import was refused whole: every problem in every file.
    #[error("the import was refused: {} problems found, nothing was written", .0.len())]
    Refused(Vec<import::FileError>),
    /// Something failed inside hcx; the details go to the log, not the user.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Text that may be left empty, trimmed: `None` when blank.
pub(crate) fn given(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { kind, id } => ServiceError::NotFound { kind, id },
            StoreError::Conflict(m) => ServiceError::Conflict(m),
            StoreError::Diligence(e) => e.into(),
            StoreError::Agreement(e) => e.into(),
            other => ServiceError::Internal(other.to_string()),
        }
    }
}

/// A due-diligence rule's refusal: a step out of turn is a conflict with
/// the case's state, the requester deciding is a person not allowed to, and
/// what is missing or wrong is invalid input.
impl From<CaseError> for ServiceError {
    fn from(e: CaseError) -> Self {
        match e {
            CaseError::Status { .. } => ServiceError::Conflict(e.to_string()),
            CaseError::FourEyes { .. } => ServiceError::Forbidden(e.to_string()),
            CaseError::Invalid(invalid) => ServiceError::Invalid(invalid),
        }
    }
}

/// A consortium rule's refusal: a step the consortium's standing does not
/// allow is a conflict; a provider that is not a member, or what is missing
/// or wrong, is invalid input.
impl From<AgreementError> for ServiceError {
    fn from(e: AgreementError) -> Self {
        match e {
            AgreementError::Standing { .. } => ServiceError::Conflict(e.to_string()),
            AgreementError::NotMember(_) => {
                ServiceError::Invalid(Invalid::one("member", e.to_string()))
            }
            AgreementError::Invalid(invalid) => ServiceError::Invalid(invalid),
        }
    }
}

impl From<hcx_search::SearchError> for ServiceError {
    fn from(e: hcx_search::SearchError) -> Self {
        ServiceError::Internal(format!("search index: {e}"))
    }
}

impl From<Invalid> for ServiceError {
    fn from(e: Invalid) -> Self {
        ServiceError::Invalid(e)
    }
}

impl App {
    /// Opens the configured store (migrating it) and its search index,
    /// rebuilding the index when it is new or belongs to another database.
    pub async fn open(config: &Config) -> anyhow::Result<App> {
        use anyhow::Context;
        let store = Self::open_store(config).await?;
        let search = SearchIndex::open(&config.index_dir).with_context(|| {
            format!(
                "cannot open the search index in {}",
                config.index_dir.display()
            )
        })?;
        let app = App::configured(store, search, config)?;
        app.prepare_index().await?;
        Ok(app)
    }

    /// Opens the configured store (migrating it) without its search index,
    /// for commands that never search — accounts, tokens, the audit log — so
    /// that they run beside a server holding the index. Searches through
    /// this app find nothing.
    pub async fn open_without_index(config: &Config) -> anyhow::Result<App> {
        let store = Self::open_store(config).await?;
        App::configured(store, SearchIndex::in_memory()?, config)
    }

    async fn open_store(config: &Config) -> anyhow::Result<Store> {
        use anyhow::Context;
        let store = Store::connect(&config.database_url).await?;
        store
            .migrate()
            .await
            .context("cannot apply the database migrations")?;
        Ok(store)
    }

    fn configured(store: Store, search: SearchIndex, config: &Config) -> anyhow::Result<App> {
        let mut app = App::new(store, search, config.security.clone());
        app.matching = config.matching.clone();
        app.twinning = config.twinning.clone();
        app.quoting = config.quotes;
        app.alerting = Alerting {
            mailer: mail::Mailer::new(&config.email)?,
            public_url: config.public_url.clone(),
        };
        Ok(app)
    }

    /// An app over `store` with an index kept in memory (tests, one-off commands).
    pub async fn in_memory(store: Store) -> Result<App, ServiceError> {
        let app = App::new(store, SearchIndex::in_memory()?, Security::default());
        app.prepare_index().await?;
        Ok(app)
    }

    fn new(store: Store, search: SearchIndex, security: Security) -> App {
        App {
            store,
            search: Arc::new(search),
            security,
            matching: MatchConfig::default(),
            twinning: TwinningConfig::default(),
            quoting: QuoteConfig::default(),
            alerting: Alerting {
                mailer: mail::Mailer::default(),
                public_url: crate::config::Config::default().public_url,
            },
            sync_lock: Arc::new(tokio::sync::Mutex::new(())),
            pool: pool::SharedPool::default(),
            lists: screening::LoadedLists::default(),
        }
    }
}
