//! A backend target: the last hop of a topology.
//!
//! A target answers every HTTP/1.1 request with `200 OK`, a `text/plain` body and an
//! `x-hoplab-target: <name>` header, either in plain HTTP or over TLS (1.2 and 1.3, or just
//! one of them) with exactly the certificate chain it was configured with. A
//! [`TargetBehaviour`] makes it misbehave instead: refuse connections, close or reset them,
//! hang, answer slowly, or answer with another status.
//!
//! A target never judges anything: it records what it saw on each connection (accepted, TLS
//! terminated or failed, request answered, fault) into the shared
//! [`EventLog`](hoplab_trace::EventLog), so the runner can follow a connection from the NLB's
//! outgoing side to here.
//!
//! The target takes an already-bound [`TcpListener`](tokio::net::TcpListener) and a
//! [`CancellationToken`](tokio_util::sync::CancellationToken); it never binds a socket itself.
//! On cancellation it stops accepting, lets in-flight requests finish, and force-closes what is
//! left after [`SHUTDOWN_GRACE`].
//!
//! # Layout
//! - `config`: [`TargetConfig`], what one target serves; [`TargetBehaviour`], its faults;
//!   [`TargetTlsVersions`].
//! - `error`: [`TargetError`], why a target could not start.
//! - `server`: [`serve`], on the hop kit's accept loop ([`hoplab_hop::serve`]), and the
//!   connection-level faults (refuse, accept-then-close, reset).
//! - `switch`: [`TargetSwitch`], the behaviour and chain a running target reads for every
//!   connection, changed while it serves ([`serve_switched`]).
//! - `tls`: the rustls server configuration and the handshake, recording its outcome.
//! - `http`: the hyper HTTP/1.1 connection and the response every request gets (or, for the
//!   request-level faults, a late, withheld or non-200 one).

#![warn(missing_docs)]

mod config;
mod error;
mod http;
mod server;
mod switch;
mod tls;

pub use config::{TargetBehaviour, TargetConfig, TargetTlsVersions};
pub use error::TargetError;
pub use http::{HEADER_READ_TIMEOUT, TARGET_HEADER};
pub use server::{SHUTDOWN_GRACE, serve, serve_switched};
pub use switch::TargetSwitch;
pub use tls::HANDSHAKE_TIMEOUT;
