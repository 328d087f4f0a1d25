//! Why an ALB listener could not start.

use hoplab_trace::HopId;

use crate::RuleError;

/// Something an ALB listener could not do.
///
/// [`serve_listener`](crate::serve_listener) returns these before it accepts anything.
/// Failures while serving a request never end a listener: they become the ALB's own error
/// pages and are recorded in the `AlbRequest` observation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AlbError {
    /// A listener rule is one AWS would refuse.
    #[error("{hop}: {source}")]
    Rules {
        /// The listener.
        hop: HopId,
        /// What is wrong, and with which rule.
        source: RuleError,
    },
    /// Two target groups have the same name.
    #[error("{hop}: two target groups are named {group:?}")]
    DuplicateTargetGroup {
        /// The listener.
        hop: HopId,
        /// The name.
        group: String,
    },
    /// A certificate with an ED25519 key, which an ALB does not accept.
    #[error(
        "{hop}: certificate {which} has an ED25519 key, which an ALB does not accept (use RSA or ECDSA)"
    )]
    Ed25519Certificate {
        /// The listener.
        hop: HopId,
        /// `default` or `list[<index>]`.
        which: String,
    },
    /// A certificate of the listener has an empty chain.
    #[error("{hop}: certificate {which} has an empty chain")]
    EmptyChain {
        /// The listener.
        hop: HopId,
        /// `default` or `list[<index>]`.
        which: String,
    },
    /// The leaf of a certificate does not parse, so SNI cannot be matched to it.
    #[error("{hop}: the leaf of certificate {which} does not parse")]
    UnparsableLeaf {
        /// The listener.
        hop: HopId,
        /// `default` or `list[<index>]`.
        which: String,
    },
    /// A certificate replacement named a list entry the listener does not have.
    #[error("{hop}: no certificate {which}: the listener lists {listed}")]
    NoSuchCertificate {
        /// The listener.
        hop: HopId,
        /// The entry asked for.
        which: hoplab_hop::ListenerCertificate,
        /// How many certificates its list holds.
        listed: usize,
    },
    /// An idle timeout of zero.
    #[error("{hop}: the idle timeout must be more than zero")]
    ZeroIdleTimeout {
        /// The listener.
        hop: HopId,
    },
    /// A target group's health check cannot run.
    #[error(transparent)]
    Health(#[from] hoplab_hop::HealthError),
    /// The listener's local address could not be read.
    #[error(transparent)]
    Serve(#[from] hoplab_hop::HopError),
    /// rustls refused a TLS configuration.
    #[error("{hop}: cannot build the tls configuration: {source}")]
    Tls {
        /// The listener.
        hop: HopId,
        /// What rustls said.
        source: rustls::Error,
    },
}
