//! The backend and the load generators. All of them connect to or bind `127.0.0.1` only, and
//! every loop ends at a count or a deadline, whichever comes first.
//!
//! The wire protocol of bulk transfers: the client sends an 8-byte big-endian length and that
//! many bytes; the [`Sink`] reads them all and answers with the same 8 bytes, which ends the
//! client's clock. A connection that sends nothing is simply held until it closes.

mod bulk;
mod handshakes;
mod http;
mod idle;
mod sink;

pub use bulk::transfer;
pub use handshakes::{HandshakeRun, handshakes};
pub use http::{HttpRun, http_load};
pub use idle::{IdleSet, open_idle};
pub use sink::Sink;

use std::time::Duration;

/// Longest a connection (and its TLS handshake) may take to be established.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
