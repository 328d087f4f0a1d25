//! hoplab scenario files.
//!
//! A scenario is read in two stages: the TOML is deserialized strictly into raw structs that
//! mirror the file (unknown keys are errors), then validated into [`Scenario`]. Every error
//! names the file, line, column and field, and says what would be valid.
//!
//! The validated scenario is sealed: its fields are private, and one part refers to another
//! by a typed id that only validation makes ([`ListenerId`], [`TargetGroupId`], [`CertId`],
//! …), so a dangling reference or an impossible combination cannot be represented. Code that
//! reads it navigates (`scenario.listener(id)`, `route.backend()`, `group.targets()`) and
//! never searches by name; names remain for display, and `find_*` methods turn a name the
//! user typed into an id.
//!
//! [`ScenarioBuilder`] writes a scenario in Rust, and [`Scenario::to_builder`] edits one: both
//! produce the raw form and go through the same validation, so there is one set of rules,
//! applied once (a `[matrix]` combination and a patched route are validated like a file).
//!
//! # Layout
//! - `raw`: the file as written (serde structs with `deny_unknown_fields` and spans).
//! - `validate`: raw → [`Scenario`], resolving every name to an id and checking every rule.
//! - `model`: the validated types, their accessors and navigation.
//! - `ids`: the typed ids.
//! - `alb`: validated ALBs, their listeners (rules as `hoplab-alb-rules`' [`alb_rules::RuleSet`]
//!   over target group ids) and target types.
//! - `behaviour`: validated target faults, health checks and ALPN policies.
//! - `spelling`: the one spelling table of each enum.
//! - `builder`: [`ScenarioBuilder`] and a builder per table.
//! - `source`: what a validated scenario was made from, for editing it.
//! - `matrix`: `[matrix]`, the setups `hoplab compare` runs, and how each becomes a scenario.
//! - `discover`: [`scenario_files`], the scenario files under the paths a command is given.
//! - `error`: [`ScenarioError`], [`LoadError`] and the other errors.
//! - `warning`: [`ScenarioWarning`], a setup AWS accepts that will fail once traffic flows.

#![warn(missing_docs)]

mod alb;
mod behaviour;
mod builder;
mod discover;
mod error;
mod ids;
mod matrix;
mod model;
mod raw;
mod schema;
mod source;
mod spelling;
mod validate;
mod warning;

use std::path::Path;

pub use alb::{
    Alb, AlbListener, AlbListenerProtocol, AlbSecurityPolicy, AlbTls, BalancerKind, TargetType,
};
pub use behaviour::{AlpnPolicy, HealthCheck, HealthCheckProtocol, TargetBehaviour, TlsVersions};
pub use builder::{
    AlbBuilder, AlbListenerBuilder, AuthorityBuilder, BUILDER_FILE, CertificateBuilder,
    ExpectBuilder, HealthCheckBuilder, ListenerBuilder, MatrixBuilder, NlbBuilder, RequestBuilder,
    RouteBuilder, ScenarioBuilder, TargetBuilder, TargetGroupBuilder,
};
pub use discover::scenario_files;
pub use error::{DiscoverError, LoadError, Rule, ScenarioError, TimeError, UriError};
pub use hoplab_alb_rules as alb_rules;
pub use ids::{
    AlbId, AlbListenerId, AuthorityId, CertId, CertRef, ListenerId, NlbId, RequestId, RouteId,
    TargetGroupId, TargetId,
};
pub use matrix::{
    Axis, Combination, Dimension, LoadBalancerKind, MAX_COMBINATIONS, Matrix, NotRun, Setting,
};
pub use model::*;
pub use schema::json_schema;
pub use warning::{ScenarioWarning, WarningKind};

/// Largest scenario file accepted, in bytes.
pub const MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// Most authorities above one authority (a root has none): a deeper hierarchy is refused
/// before any certificate is generated.
pub const MAX_AUTHORITY_DEPTH: usize = 32;

/// Most certificates an explicit `chain` may list.
pub const MAX_CHAIN_LENGTH: usize = 64;

/// The file name errors of [`Scenario::from_toml_str`] are located in.
pub const STRING_FILE: &str = "<string>";

/// Parses and validates scenario text; `file` names it in error locations.
///
/// Text longer than [`MAX_FILE_SIZE`] is refused before parsing ([`LoadError::TooLarge`]).
pub fn from_toml(text: &str, file: &str) -> Result<Scenario, LoadError> {
    if text.len() as u64 > MAX_FILE_SIZE {
        return Err(LoadError::TooLarge {
            path: file.into(),
            size: text.len() as u64,
            limit: MAX_FILE_SIZE,
        });
    }
    validate::from_toml(text, file, "")
}

/// Parses an integration URI by the rules a scenario file applies to `uri` (scheme, host,
/// port and AWS's endpoint rules); the error says what is wrong and what would be valid.
pub fn parse_integration_uri(raw: &str) -> Result<IntegrationUri, UriError> {
    validate::values::parse_uri(raw).map_err(|problem| UriError {
        message: problem.message,
        help: problem.help,
    })
}

/// Whether `c` may appear in a name (a key of `[authorities]`, `[certificates]`, `[nlbs]`,
/// `[albs]`, `[target_groups]` or `[targets]`): an ASCII letter or digit, `.`, `_` or `-`.
pub fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

/// Reads, parses and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, LoadError> {
    let size = std::fs::metadata(path)
        .map_err(|source| LoadError::Io {
            path: path.to_owned(),
            source,
        })?
        .len();
    if size > MAX_FILE_SIZE {
        return Err(LoadError::TooLarge {
            path: path.to_owned(),
            size,
            limit: MAX_FILE_SIZE,
        });
    }
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
        path: path.to_owned(),
        source,
    })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    validate::from_toml(&text, &path.display().to_string(), &stem)
}

impl Scenario {
    /// Reads, parses and validates a scenario file (see [`load`]); errors are located in it,
    /// and a scenario without `[scenario] name` is named after the file's stem.
    ///
    /// # Errors
    ///
    /// [`LoadError::Io`] or [`LoadError::TooLarge`] when the file cannot be read,
    /// [`LoadError::Invalid`] with every problem found otherwise.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Scenario, LoadError> {
        load(path.as_ref())
    }

    /// Parses and validates scenario text (see [`from_toml`]); errors are located in
    /// [`STRING_FILE`].
    ///
    /// # Errors
    ///
    /// [`LoadError::TooLarge`] for text longer than [`MAX_FILE_SIZE`], [`LoadError::Invalid`]
    /// with every problem found otherwise.
    pub fn from_toml_str(text: &str) -> Result<Scenario, LoadError> {
        from_toml(text, STRING_FILE)
    }
}
