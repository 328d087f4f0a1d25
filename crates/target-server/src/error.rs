//! Why a target could not start.

use hoplab_trace::HopId;

/// A target failed to start serving.
///
/// Failures on one connection (a bad handshake, a broken HTTP request) are recorded in the
/// event log and never end the server, so they are not errors here.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The configured certificate chain is empty.
    #[error("{hop}: the certificate chain is empty")]
    EmptyChain {
        /// The target.
        hop: HopId,
    },
    /// The configured private key does not belong to the chain's leaf certificate, or rustls
    /// cannot tell.
    #[error("{hop}: the private key does not match the leaf certificate: {source}")]
    KeyMismatch {
        /// The target.
        hop: HopId,
        /// What rustls said.
        source: rustls::Error,
    },
    /// The target's name cannot be sent in an HTTP header.
    #[error("{hop}: the name cannot be sent in the x-hoplab-target header")]
    InvalidName {
        /// The target.
        hop: HopId,
    },
    /// rustls refused the server configuration.
    #[error("{hop}: cannot build the tls server configuration: {source}")]
    Tls {
        /// The target.
        hop: HopId,
        /// What rustls said.
        source: rustls::Error,
    },
    /// A [`TargetBehaviour::Status`](crate::TargetBehaviour::Status) code outside 200–599.
    #[error("{hop}: cannot answer with status {status}: only 200 to 599 are allowed")]
    InvalidStatus {
        /// The target.
        hop: HopId,
        /// The status as configured.
        status: u16,
    },
    /// A certificate was given to a target that serves plain HTTP.
    #[error("{hop}: serves plain HTTP, so it has no certificate to swap")]
    PlainHttp {
        /// The target.
        hop: HopId,
    },
    /// The listener's local address could not be read.
    #[error(transparent)]
    Serve(#[from] hoplab_hop::HopError),
}
