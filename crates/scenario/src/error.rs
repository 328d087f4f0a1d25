//! Scenario errors: each names the file, line, column and field, and what would be valid.
//! Also the errors of the crate's other entry points: a URI ([`UriError`]) and scenario
//! discovery ([`DiscoverError`]).

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
    /// The rule broken, for the few that other tools restate in their own words; `None`
    /// otherwise.
    pub rule: Option<Rule>,
}

/// A rule of the scenario reference that tools changing a scenario restate in their own
/// words: `update-integration` patches speak of `connectionId` rather than `vpc_link`, and
/// `hoplab compare` says which `[matrix]` rows AWS would not allow. Routes are numbered from
/// 0 in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// A route's `uri` is not a URI API Gateway accepts.
    InvalidUri {
        /// The route.
        route: usize,
    },
    /// A route's `timeout_ms` is outside 50..=300000.
    TimeoutOutOfRange {
        /// The route.
        route: usize,
    },
    /// A `VPC_LINK` route has no `vpc_link`.
    MissingVpcLink {
        /// The route.
        route: usize,
    },
    /// A route's `vpc_link` names no NLB.
    UnknownNlb {
        /// The route.
        route: usize,
        /// The name written.
        name: String,
        /// The scenario's NLBs.
        nlbs: Vec<String>,
    },
    /// A `VPC_LINK` route's URI port is no listener port of its NLB.
    NoListenerOnPort {
        /// The route.
        route: usize,
        /// The NLB.
        nlb: String,
        /// The URI's port.
        port: u16,
        /// The NLB's listener ports.
        ports: Vec<u16>,
    },
    /// A VPC link V1 route's `vpc_link` names an ALB (AWS: `NLB ARN is malformed`).
    V1LinkToAlb {
        /// The route.
        route: usize,
        /// The ALB named.
        alb: String,
    },
    /// A VPC link V2 route has no `integration_target` (AWS: `IntegrationTarget is required
    /// for VpcLinkV2`).
    MissingIntegrationTarget {
        /// The route.
        route: usize,
    },
    /// A VPC link V2 route's `integration_target` names no load balancer.
    UnknownIntegrationTarget {
        /// The route.
        route: usize,
        /// The name written.
        name: String,
        /// The scenario's load balancers, NLBs first.
        balancers: Vec<String>,
    },
    /// An HTTP API route's URI port is no listener port of the ALB its `vpc_link` names.
    NoAlbListenerOnPort {
        /// The route.
        route: usize,
        /// The ALB.
        alb: String,
        /// The URI's port.
        port: u16,
        /// The ALB's listener ports.
        ports: Vec<u16>,
    },
    /// An `INTERNET` route's URI host is in no target's `dns_names`.
    UnknownHost {
        /// The route.
        route: usize,
        /// The host.
        host: String,
    },
    /// A TCP listener forwards to a TLS target group.
    TcpListenerToTlsGroup,
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

/// Why a string is not an integration URI (see [`crate::parse_integration_uri`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriError {
    /// What is wrong, in lower case.
    pub message: String,
    /// What would be valid.
    pub help: Option<String>,
}

impl fmt::Display for UriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "; {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UriError {}

/// Why a string is not a time as scenarios write them (see [`crate::TimeSpec`]'s `FromStr`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}; {help}")]
pub struct TimeError {
    /// What is wrong, in lower case.
    pub message: String,
    /// What would be valid.
    pub help: String,
}

/// Why the scenario files under a path could not be listed.
#[derive(Debug, thiserror::Error)]
#[error("{}: {detail}", path.display())]
pub struct DiscoverError {
    /// The path that could not be read.
    pub path: PathBuf,
    /// What went wrong.
    pub detail: String,
}
