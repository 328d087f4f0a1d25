//! What each hop observed, in one vocabulary shared by the gateway, the load balancers and the
//! targets.
//!
//! Hops never predict anything: they record what happened on their sockets into an
//! [`EventLog`], keyed by the TCP connection it happened on. The runner later stitches those
//! records into a hop trace by following connections: the gateway's outgoing connection is the
//! NLB's incoming one, and the NLB's outgoing connection is the target's incoming one.
//!
//! # Layout
//! - [`HopId`]: the name of a hop as it appears in reports and expectations.
//! - [`CertSummary`] (from `hoplab-cert`): subject, issuer, SANs, validity and fingerprint.
//! - [`Observation`] and [`EventLog`]: what a hop saw, and the shared place it is written to.
//! - [`MatchedRule`], [`AlbAction`] and [`ResponseOrigin`]: the parts of an ALB listener's
//!   request record.
//! - [`crypto_provider`] and [`tls_version_name`]: TLS helpers every hop shares.

#![warn(missing_docs)]

mod alb;
mod event;
mod hop;
mod tls;

pub use alb::ResponseOrigin;
pub use event::{Connection, EventLog, Observation};
pub use hop::HopId;
pub use hoplab_alb_rules::{AlbAction, MatchedRule};
pub use hoplab_cert::CertSummary;
pub use tls::{crypto_provider, tls_version_name};
