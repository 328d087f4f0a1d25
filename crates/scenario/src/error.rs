//! Scenario errors: each names the file, line, column and field, and what would be valid.

use std::fmt;
use std::path::PathBuf;

use crate::model::Location;

/// One problem in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// Where the offending value (or key) is written.
    pub location: Location,
    /// The dotted path of the field, e.g. `nlbs.internal.listeners[0].certificate`.
    pub field: String,
    /// What is wrong, in lower case, e.g. `no certificate named "nlb-cert"`.
    pub message: String,
    /// What would be valid, e.g. `expected one of: "api", "app"`.
    pub help: Option<String>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.location, self.field, self.message)?;
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("{path}: cannot read scenario: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is larger than a scenario can reasonably be.
    #[error("{path}: scenario file is {size} bytes; the limit is {limit} bytes")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file was read but is not a valid scenario; every problem found is listed.
    #[error("{}", render(.0))]
    Invalid(Vec<ScenarioError>),
}

fn render(errors: &[ScenarioError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
