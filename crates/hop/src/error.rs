//! What the hop kit can fail at.

use std::io;

use hoplab_trace::HopId;

/// A hop's server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HopError {
    /// The listener's local address could not be read.
    #[error("{hop}: cannot read the listener address: {source}")]
    LocalAddr {
        /// The hop.
        hop: HopId,
        /// The socket error.
        source: io::Error,
    },
}

/// A health check that cannot run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HealthError {
    /// The check's settings cannot run (zero interval or threshold, bad path).
    #[error("{hop}: health check of target group {group}: {reason}")]
    InvalidHealthCheck {
        /// The load balancer hop that runs the check.
        hop: HopId,
        /// The target group.
        group: String,
        /// What is wrong.
        reason: String,
    },
    /// A health check matcher is not in AWS's syntax.
    #[error("invalid health check matcher {matcher:?}: {reason}")]
    InvalidMatcher {
        /// The matcher as given.
        matcher: String,
        /// What is wrong.
        reason: String,
    },
    /// rustls refused the HTTPS check's TLS configuration.
    #[error("{hop}: cannot build the health check's tls configuration: {source}")]
    Tls {
        /// The load balancer hop that runs the check.
        hop: HopId,
        /// What rustls said.
        source: rustls::Error,
    },
}
