//! The demo world shipped inside the binary: real NHS trusts and networks,
//! illustrative offers, strategies and overseas opportunities, and three OCDS
//! tender samples (see `data/demo/README.md`).

use crate::services::import::{ImportReport, Progress, Source};
use crate::services::{App, ServiceError};

/// The demo files, as an import would read them.
pub fn sources() -> Vec<Source> {
    let files: [(&str, &str); 4] = [
        (
            "data/demo/world.jsonl",
            include_str!("../../../data/demo/world.jsonl"),
        ),
        (
            "data/ocds/fictional-tender-package-1.1.json",
            include_str!("../../../data/ocds/fictional-tender-package-1.1.json"),
        ),
        (
            "data/ocds/nsw-belmont-hospital-tender.json",
            include_str!("../../../data/ocds/nsw-belmont-hospital-tender.json"),
        ),
        (
            "data/ocds/uk-contracts-finder-wellbeing-college.json",
            include_str!("../../../data/ocds/uk-contracts-finder-wellbeing-college.json"),
        ),
    ];
    files
        .iter()
        .map(|(name, text)| Source {
            name: (*name).into(),
            text: (*text).into(),
        })
        .collect()
}

/// Loads the demo world (an import: records already there are left alone).
pub async fn load(
    app: &App,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<ImportReport, ServiceError> {
    app.import(&sources(), progress).await
}
