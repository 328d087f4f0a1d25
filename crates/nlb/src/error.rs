//! Why a listener could not start, or a connection could not be forwarded.

use std::io;
use std::net::SocketAddr;

use hoplab_trace::HopId;

use crate::{AlpnPolicy, SecurityPolicy};

/// Something an NLB listener could not do.
///
/// Reading a policy name returns the unknown-policy variants;
/// [`serve_listener`](crate::serve_listener) returns the start-up variants. The handshake and
/// forwarding variants never end a listener: their text is what a `TlsAcceptFailed` or
/// `ForwardFailed` observation records.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NlbError {
    /// A security policy name this simulator does not know (see [`SecurityPolicy::ALL`]).
    #[error(
        "unknown security policy {policy:?}: expected one of {}",
        names(&SecurityPolicy::ALL)
    )]
    UnknownSecurityPolicy {
        /// The policy name as given.
        policy: String,
    },
    /// An ALPN policy name AWS does not define (see [`AlpnPolicy::ALL`]).
    #[error("unknown alpn policy {policy:?}: expected one of {}", names(&AlpnPolicy::ALL))]
    UnknownAlpnPolicy {
        /// The policy name as given.
        policy: String,
    },
    /// An ALPN policy other than `None` on a listener whose target group is TCP; AWS requires
    /// a TLS target group.
    #[error("{hop}: alpn policy {policy} needs a TLS target group, but {group} is TCP")]
    AlpnNeedsTlsTargetGroup {
        /// The listener.
        hop: HopId,
        /// The policy.
        policy: AlpnPolicy,
        /// The target group.
        group: String,
    },
    /// The target group's health check cannot run.
    #[error(transparent)]
    Health(#[from] hoplab_hop::HealthError),
    /// The listener's local address could not be read.
    #[error(transparent)]
    Serve(#[from] hoplab_hop::HopError),
    /// A certificate of the listener has an empty chain.
    #[error("{hop}: certificate {which} has an empty chain")]
    EmptyChain {
        /// The listener.
        hop: HopId,
        /// `default` or `list[<index>]`.
        which: String,
    },
    /// The leaf of a certificate in the list does not parse, so SNI cannot be matched to it.
    #[error("{hop}: the leaf of certificate list[{index}] does not parse")]
    UnparsableLeaf {
        /// The listener.
        hop: HopId,
        /// Its position in the certificate list.
        index: usize,
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
    /// The target group has no registered targets.
    #[error("{hop}: target group {group} has no targets")]
    NoTargets {
        /// The listener.
        hop: HopId,
        /// The target group.
        group: String,
    },
    /// A TCP listener was given a TLS target group, which AWS does not allow.
    #[error("{hop}: a TCP listener cannot forward to TLS target group {group}")]
    TcpListenerToTlsGroup {
        /// The listener.
        hop: HopId,
        /// The target group.
        group: String,
    },
    /// rustls refused a TLS configuration.
    #[error("{hop}: cannot build the tls configuration: {source}")]
    Tls {
        /// The listener.
        hop: HopId,
        /// What rustls said.
        source: rustls::Error,
    },
    /// A client's TLS handshake with a TLS listener failed.
    #[error("{source}")]
    ClientHandshake {
        /// The error, in rustls' words.
        source: io::Error,
    },
    /// A client did not finish its TLS handshake with a TLS listener in time.
    #[error("tls handshake not finished after {seconds}s")]
    ClientHandshakeTimeout {
        /// How long the listener waited.
        seconds: u64,
    },
    /// The TCP connection to a target failed.
    #[error("connect to target {target}: {source}")]
    Connect {
        /// The target's address.
        target: SocketAddr,
        /// The socket error.
        source: io::Error,
    },
    /// The target did not accept the TCP connection in time.
    #[error("connect to target {target}: no answer after {seconds}s")]
    ConnectTimeout {
        /// The target's address.
        target: SocketAddr,
        /// How long the listener waited.
        seconds: u64,
    },
    /// The TLS handshake with a target of a TLS target group failed.
    #[error("tls handshake with target {target}: {source}")]
    TargetHandshake {
        /// The target's address.
        target: SocketAddr,
        /// The error, in rustls' words.
        source: io::Error,
    },
    /// The TLS handshake with a target did not finish in time.
    #[error("tls handshake with target {target}: not finished after {seconds}s")]
    TargetHandshakeTimeout {
        /// The target's address.
        target: SocketAddr,
        /// How long the listener waited.
        seconds: u64,
    },
}

/// The names of a spelling table, for an error message.
fn names<T>(table: &[(&'static str, T)]) -> String {
    table
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}
