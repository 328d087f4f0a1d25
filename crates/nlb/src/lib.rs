//! One Network Load Balancer listener and its target group.
//!
//! The NLB sits between API Gateway's VPC link and the targets. A **TCP listener** passes
//! each connection through untouched to one target, so a client's TLS session ends at the
//! target. A **TLS listener** terminates TLS itself, serving the certificate its client's SNI
//! selects (else the default one) and negotiating ALPN as its [ALPN policy](AlpnPolicy)
//! says, then opens a new connection to the target: plain for a TCP target group, or TLS for a
//! TLS target group, where it sends no SNI and does not validate the target's certificate.
//! Each connection is pinned to one target chosen by a flow hash. A target group may
//! [check the health](HealthCheck) of its targets; new flows then go to healthy targets only,
//! or to all of them when none is healthy.
//!
//! Everything the listener sees is recorded in the shared [`EventLog`](hoplab_trace::EventLog):
//! the `Forwarded` observation carries the NLB's outgoing connection, whose local address is
//! the peer address the target records, which is how the runner stitches the hops together.
//!
//! A listener takes an already-bound [`TcpListener`](tokio::net::TcpListener) and a
//! [`CancellationToken`](tokio_util::sync::CancellationToken); it never binds a socket itself.
//! The behaviour follows `aws-tls-facts.md` §5; where rustls cannot do what AWS does (TLS 1.0
//! and 1.1), [`SecurityPolicy::tls_versions`] says so.
//!
//! # Layout
//! - `config`: [`ListenerConfig`], [`TlsTermination`], [`TargetGroup`], [`TargetEndpoint`].
//! - `alpn`: [`AlpnPolicy`], by AWS name, its protocols, and how a client's offer is answered.
//! - `error`: [`NlbError`], for start-up failures and the text of failed forwards.
//! - `listener`: [`serve_listener`], on the hop kit's accept loop ([`hoplab_hop::serve`]);
//!   [`serve_listener_controlled`] with its [`ListenerControls`] (health forced by hand,
//!   certificates replaced while serving).
//! - `passthrough`: a TCP listener's connections.
//! - `terminate`: a TLS listener's connections: handshake, record, forward.
//! - `sni`: each certificate's server configuration and chain summaries, made once, and the
//!   choice among them from the client's SNI; [`ListenerCertificates`], replaceable while
//!   the listener serves.
//! - `policy`: [`SecurityPolicy`], by AWS name, and its TLS versions front and back.
//! - `select`: [`select_target`], the flow hash.
//! - `upstream`: connecting to a target, with the non-validating, SNI-less TLS client.
//! - `relay`: copying bytes both ways.
//! - `tls`: rustls plumbing shared by both sides.

#![warn(missing_docs)]

mod alpn;
mod config;
mod error;
mod listener;
mod passthrough;
mod policy;
mod relay;
mod select;
mod sni;
mod terminate;
mod tls;
mod upstream;

pub use alpn::AlpnPolicy;
pub use config::{ListenerConfig, TargetGroup, TlsTermination};
pub use error::NlbError;
pub use hoplab_hop::{
    HEALTH_CHECK_INTERVAL_SECONDS, HEALTH_CHECK_STATUS_CODES, HEALTH_CHECK_THRESHOLDS,
    HEALTH_CHECK_TIMEOUT_SECONDS, HealthCheck, HealthCheckProtocol, HealthOverrides,
    ListenerCertificate, StatusMatcher, TargetEndpoint,
};
pub use listener::{
    ListenerControls, SHUTDOWN_GRACE, serve_listener, serve_listener_controlled,
    serve_listener_reporting_ready,
};
pub use policy::SecurityPolicy;
pub use relay::RELAY_BUFFER;
pub use select::select_target;
pub use sni::ListenerCertificates;
pub use tls::HANDSHAKE_TIMEOUT;
pub use upstream::CONNECT_TIMEOUT;
