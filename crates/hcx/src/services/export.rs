//! Bulk export: every record in the interchange format.

use super::{App, ServiceError};

impl App {
    /// Every record as interchange JSON Lines, organisations first, each kind by id.
    pub async fn export_text(&self) -> Result<String, ServiceError> {
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
