//! Reading the audit log: administrators only.

use hcx_domain::access::Capability;
use hcx_store::{AuditEvent, AuditFilter};

use super::{App, Caller, ServiceError};

impl App {
    /// Up to `limit` events matching the filter, newest first.
    pub async fn audit_events(
        &self,
        caller: &Caller,
        filter: &AuditFilter,
        limit: i64,
    ) -> Result<Vec<AuditEvent>, ServiceError> {
        caller.check_capability(Capability::Audit)?;
        Ok(self
            .store
            .audit_events(filter, limit.clamp(1, 1000))
            .await?)
    }

    /// Every event matching the filter as JSON Lines, newest first.
    pub async fn export_audit(
        &self,
        caller: &Caller,
        filter: &AuditFilter,
    ) -> Result<String, ServiceError> {
        caller.check_capability(Capability::Audit)?;
        let mut out = String::new();
        self.store
            .export_audit(filter, |event| {
                let line = serde_json::to_string(event).map_err(std::io::Error::other)?;
                out.push_str(&line);
                out.push('\n');
                Ok(())
            })
            .await?;
        Ok(out)
    }
}
