//! What hoplab's tests share, so that every crate's tests stand hops up the same way.
//!
//! Everything here is real: hops listen on real sockets bound to `127.0.0.1:0` (the bound
//! address is passed on), certificates come from rcgen, TLS clients make real rustls
//! handshakes with the hop kit's [`ChainVerifier`](hoplab_hop::ChainVerifier), and every wait
//! is bounded in count and time so that a test fails rather than hangs.
//!
//! What only one crate's tests need (a target or a listener configured just so, a scenario
//! PKI, the PKIX certificate builder) stays in that crate's `tests/support`.
//!
//! # Layout
//! - `net`: [`bind`], [`Running`] (a hop spawned on its listener, stopped within [`STEP`]).
//! - `certs`: [`Leaf`], [`self_signed`] and [`certified`]: certificates as servers serve them.
//! - `tls`: [`client_config`], [`any_client`], [`alpn_client`] and [`tls_connect`]: clients
//!   that accept any chain but check handshake signatures.
//! - `http`: [`get`] and [`read_all`]: one raw HTTP/1.1 request over any stream.
//! - `wait`: [`eventually`], [`eventually_after`], [`within`], [`one`] and
//!   [`recorded_after`]: bounded waits for observations, and what one step recorded.
//! - `logging`: [`init_tracing`], logs of the hops under test when `RUST_LOG` asks.

#![warn(missing_docs)]

mod certs;
mod http;
mod logging;
mod net;
mod tls;
mod wait;

pub use certs::{Leaf, certified, self_signed};
pub use http::{get, read_all};
pub use logging::init_tracing;
pub use net::{Running, STEP, bind};
pub use tls::{alpn_client, any_client, client_config, tls_connect};
pub use wait::{eventually, eventually_after, one, recorded_after, within};
