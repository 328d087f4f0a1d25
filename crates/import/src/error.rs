//! Errors: [`ImportError`] for imports, [`PatchError`] for patch operations.

use std::path::PathBuf;

use crate::document::SourceLocation;

/// Why an import failed. Anything merely missing from the exports is not an error: it becomes
/// a placeholder in the scenario.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// An input is not the JSON the named AWS CLI command prints.
    #[error("{input}: invalid json at line {line}, column {column}: {message}")]
    Json {
        /// Which input, such as `get-integration for GET /pets` or `describe-listeners #2`.
        input: String,
        /// 1-based line in that input.
        line: usize,
        /// 1-based column in that input.
        column: usize,
        /// What serde_json found wrong.
        message: String,
    },
    /// No `get-integration` output was given, so there is no route to import.
    #[error("no get-integration output given: a scenario needs at least one route")]
    NoIntegrations,
    /// A PEM file path is not UTF-8, so it cannot be written into the scenario.
    #[error("pem file path {path:?} is not utf-8")]
    NonUtf8Path {
        /// The path.
        path: PathBuf,
    },
    /// A source file could not be read.
    #[error("{path}: cannot read: {message}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// A source file is larger than an import reads; it was refused from its size.
    #[error(
        "{path}: {size} bytes is over the {limit}-byte limit of an import source (nothing was read)"
    )]
    TooLarge {
        /// The file.
        path: String,
        /// Its size in bytes.
        size: u64,
        /// [`crate::MAX_SOURCE_SIZE`].
        limit: u64,
    },
    /// A source is not well-formed JSON or YAML.
    #[error("{file}:{line}:{column}: invalid {syntax}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// `JSON` or `YAML`.
        syntax: &'static str,
        /// What the parser found wrong.
        message: String,
    },
    /// A well-formed source says something an import cannot go on past: a cyclic reference,
    /// an unknown Terraform format version, a value of the wrong shape where a topology
    /// needs it.
    #[error("{location}: {message}")]
    Source {
        /// Where.
        location: SourceLocation,
        /// What is wrong and what would be valid.
        message: String,
    },
    /// The format of a source could not be recognised.
    #[error(
        "{file}: not an OpenAPI export, a CloudFormation template or a Terraform show -json document: {reason} (name the format: openapi, cloudformation or terraform)"
    )]
    UnknownFormat {
        /// The file.
        file: String,
        /// What was looked for.
        reason: String,
    },
    /// The sidecar file breaks its format.
    #[error("{file}:{line}:{column}: {field}: {message}")]
    Sidecar {
        /// The sidecar file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The dotted key, such as `certificates."arn:…".generate.issuer`.
        field: String,
        /// What is wrong and what would be valid.
        message: String,
    },
    /// The sources describe no route hoplab can import.
    #[error("{sources}: no API Gateway route with an HTTP or HTTP_PROXY integration found")]
    NoRoutes {
        /// The sources, comma-separated.
        sources: String,
    },
    /// An output file could not be written (nothing was left behind).
    #[error("{path}: cannot write: {message}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// The comparison could not be written as JUnit XML.
    #[error("cannot write the comparison as JUnit XML: {message}")]
    Junit {
        /// Why.
        message: String,
    },
}

impl ImportError {
    /// Wraps a serde_json error for the named input.
    pub(crate) fn json(input: impl Into<String>, error: &serde_json::Error) -> Self {
        let full = error.to_string();
        let suffix = format!(" at line {} column {}", error.line(), error.column());
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
        ImportError::Json {
            input: input.into(),
            line: error.line(),
            column: error.column(),
            message,
        }
    }
}

/// Why patch operations could not be read or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatchError {
    /// The text held no operation.
    #[error("no patch operation given (expected op=replace,path=/…,value=…)")]
    Empty,
    /// The shorthand form is malformed.
    #[error("patch operations, column {column}: {message}")]
    Syntax {
        /// 1-based character column in the text.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The JSON form is malformed.
    #[error("patch operations json, line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What serde_json found wrong.
        message: String,
    },
    /// An operation lacks a field it needs.
    #[error("patch operation {index}: missing `{field}`")]
    MissingField {
        /// 1-based position of the operation.
        index: usize,
        /// The missing field.
        field: &'static str,
    },
    /// An `op` that is not one of AWS's.
    #[error(
        "patch operation {index}: unknown op {op:?} (expected one of: add, remove, replace, move, copy, test)"
    )]
    UnknownOp {
        /// 1-based position of the operation.
        index: usize,
        /// The op as written.
        op: String,
    },
    /// An operation hoplab does not simulate.
    #[error("unsupported patch operation: {op} {path} (supported: {supported})")]
    Unsupported {
        /// The op.
        op: String,
        /// The path.
        path: String,
        /// The supported operations, comma-separated.
        supported: String,
    },
    /// A value the path does not accept.
    #[error("patch {path}: invalid value {value:?} ({expected})")]
    InvalidValue {
        /// The path.
        path: String,
        /// The value as written.
        value: String,
        /// What would be valid.
        expected: String,
    },
    /// The patched route does not resolve against the scenario.
    #[error("route {route}: {message}")]
    Unresolved {
        /// `METHOD path`.
        route: String,
        /// What does not resolve.
        message: String,
    },
    /// The patched scenario breaks a rule of the scenario reference (for example an HTTP
    /// API's integration timeout above 30 s); every problem is listed, located in the file.
    #[error("the patched scenario is not valid:\n{}", render(.errors))]
    Invalid {
        /// What validation found.
        errors: Vec<hoplab_scenario::ScenarioError>,
    },
    /// The scenario's files (PEM) could not be read again to validate the patched scenario.
    #[error("validating the patched scenario: {message}")]
    Reload {
        /// Why.
        message: String,
    },
    /// No route matches the selector.
    #[error("no route {selector} in the scenario (routes: {routes})")]
    NoRoute {
        /// The selector, such as `GET /pets`.
        selector: String,
        /// The scenario's routes, comma-separated.
        routes: String,
    },
}

fn render(errors: &[hoplab_scenario::ScenarioError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
