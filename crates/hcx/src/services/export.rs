//! Bulk export: every record in the interchange format.

use hcx_domain::access::Capability;

use super::{App, Caller, ServiceError};

impl App {
    /// Every record as interchange JSON Lines, organisations first, each kind by id.
    pub async fn export_text(&self, caller: &Caller) -> Result<String, ServiceError> {
        caller.check_capability(Capability::Bulk)?;
        let mut out = String::new();
        self.store
            .export(|line| {
                out.push_str(line);
                out.push('\n');
                Ok(())
            })
            .await?;
        Ok(out)
    }
}
