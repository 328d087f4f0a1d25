//! A backend target: the last hop of a topology.
//!
//! A target answers every HTTP/1.1 request with `200 OK`, a `text/plain` body and an
//! `x-hoplab-target: <name>` header, either in plain HTTP or over TLS with exactly the
//! certificate chain it was configured with. It never judges anything: it records what it saw
//! on each connection (accepted, TLS terminated or failed, request answered) into the shared
//! [`EventLog`](hoplab_trace::EventLog), so the runner can follow a connection from the NLB's
//! outgoing side to here.
//!
//! The target takes an already-bound [`TcpListener`](tokio::net::TcpListener) and a
//! [`CancellationToken`](tokio_util::sync::CancellationToken); it never binds a socket itself.
//! On cancellation it stops accepting, lets in-flight requests finish, and force-closes what is
//! left after [`SHUTDOWN_GRACE`].
//!
//! # Layout
//! - `config`: [`TargetConfig`], what one target serves.
//! - `error`: [`TargetError`], why a target could not start.
//! - `server`: [`serve`], the accept loop, per-connection tasks and graceful shutdown.
//! - `tls`: the rustls server configuration and the handshake, recording its outcome.
//! - `http`: the hyper HTTP/1.1 connection and the response every request gets.

#![warn(missing_docs)]

mod config;
mod error;
mod http;
mod server;
mod tls;

pub use config::TargetConfig;
pub use error::TargetError;
pub use http::{HEADER_READ_TIMEOUT, TARGET_HEADER};
pub use server::{SHUTDOWN_GRACE, serve};
pub use tls::HANDSHAKE_TIMEOUT;
