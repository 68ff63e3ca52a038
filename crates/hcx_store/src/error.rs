//! Storage failures, turned from driver facts into what callers act on.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist.
    #[error("{kind} {id:?} was not found")]
    NotFound { kind: &'static str, id: String },
    /// The write conflicts with the stored state: a stale version, a
    /// duplicate, or a record that others still refer to.
    #[error("{0}")]
    Conflict(String),
    /// The database URL or settings are wrong.
    #[error("{0}")]
    Config(String),
    /// The database cannot be reached.
    #[error("{0}")]
    Unavailable(String),
    /// A stored record no longer reads as valid (the reference data changed under it).
    #[error("stored {kind} {id:?} is no longer valid: {reason}")]
    Corrupt {
        kind: &'static str,
        id: String,
        reason: String,
    },
    /// A backup cannot be taken or restored: the file is damaged, is not an
    /// hcx backup, or was made at another schema version.
    #[error("{0}")]
    Backup(String),
    /// A due-diligence rule refused the step: the case's status, four eyes,
    /// or what is missing or wrong, each named.
    #[error(transparent)]
    Diligence(#[from] hcx_domain::diligence::CaseError),
    /// A consortium's rules refused the step: its standing, a provider that
    /// is not a member, or what is missing or wrong.
    #[error(transparent)]
    Agreement(#[from] hcx_domain::agreement::AgreementError),
    /// Anything else from the driver.
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        match &e {
            sqlx::Error::Database(db) => match db.kind() {
                ErrorKind::UniqueViolation => {
                    StoreError::Conflict(format!("already exists ({})", db.message()))
                }
                ErrorKind::ForeignKeyViolation => StoreError::Conflict(
                    "other records refer to it, or it refers to a record that does not exist"
                        .into(),
                ),
                _ => StoreError::Database(e),
            },
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) => {
                StoreError::Unavailable(e.to_string())
            }
            _ => StoreError::Database(e),
        }
    }
}
