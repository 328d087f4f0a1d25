//! What every hoplab hop is made of.
//!
//! The gateway, the NLB listeners, the ALB listeners and the targets are different servers,
//! but the hard parts they share exist once, here: the accept loop that carries the lab's
//! shutdown guarantee, serving one HTTP/1.1 connection until it closes or the hop drains, the
//! rustls verifier that hands a server's chain to a judge and records what it saw, the TLS
//! client a load balancer uses toward its targets, and the target health checks both load
//! balancers run.
//!
//! Servers take an already-bound [`TcpListener`](tokio::net::TcpListener) and a
//! [`CancellationToken`](tokio_util::sync::CancellationToken); nothing here binds a socket.
//!
//! # Layout
//! - `server`: [`serve`], the accept loop with back-off and a bounded graceful drain.
//! - `http`: [`serve_http1`], one HTTP/1.1 connection until it closes or the hop drains.
//! - `verify`: [`ChainVerifier`], [`ChainJudge`] and [`recording`]: one verifier type for every
//!   TLS client, and the per-handshake record of what it was shown.
//! - `balancer`: [`balancer_tls_client`], the load balancers' TLS client toward targets.
//! - `names`: [`certificate_name_matches`], a certificate's DNS name against a client's SNI.
//! - `tls`: [`server_config`] and [`tls_server_config`] (a hop's TLS server: no resumption),
//!   [`tls_client_config`] (a [`ChainVerifier`] client, no resumption), [`peer_chain`], what
//!   a peer presented, and [`ListenerCertificate`], which certificate of a listener.
//! - `slots`: [`CertificateSlots`], a listener's certificates replaceable while it serves.
//! - `health`: [`HealthCheck`], [`StatusMatcher`], the per-target [`HealthTable`], the
//!   [`HealthChecker`] task, and [`group_health`], both for one target group; and
//!   [`HealthOverrides`], target health forced by hand across groups.
//! - `error`: [`HopError`] and [`HealthError`].

#![warn(missing_docs)]

mod balancer;
mod endpoint;
mod error;
mod health;
mod http;
mod names;
mod server;
mod slots;
mod tls;
mod verify;

pub use balancer::{balancer_tls_client, target_server_name};
pub use endpoint::TargetEndpoint;
pub use error::{HealthError, HopError};
pub use health::{
    HEALTH_CHECK_INTERVAL_SECONDS, HEALTH_CHECK_STATUS_CODES, HEALTH_CHECK_THRESHOLDS,
    HEALTH_CHECK_TIMEOUT_SECONDS, HealthCheck, HealthCheckProtocol, HealthChecker, HealthOverrides,
    HealthTable, StatusMatcher, group_health,
};
pub use http::serve_http1;
pub use names::certificate_name_matches;
pub use server::{ACCEPT_BACKOFF, SHUTDOWN_GRACE, ServeOptions, local_addr, serve};
pub use slots::CertificateSlots;
pub use tls::{
    ListenerCertificate, peer_chain, server_config, tls_client_config, tls_server_config,
};
pub use verify::{AcceptAnyChain, ChainJudge, ChainVerifier, Presented, recording};
