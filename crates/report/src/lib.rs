//! What a hoplab run produced, as plain data.
//!
//! A [`RunReport`] holds one [`RequestReport`] per request: what the caller received, the
//! execution log, the hop trace with its TLS sessions and the certificates presented on them,
//! and the expectations that did not hold. The live runner builds these; the static model,
//! the pictures and the reports read them. This crate holds only the types (serde, both ways)
//! and their text form, so a reader of reports does not link sockets, TLS or the hop servers.
//!
//! The JSON field names are the documented `--format json` output of `hoplab run`.
//!
//! # Layout
//! - `run`: [`RunReport`], [`RequestReport`] and [`Mismatch`].
//! - `trace`: [`HopTrace`] and what it is made of: [`HopStep`], [`TlsSession`],
//!   [`SeenCertificate`], [`CertificateRole`], [`AlbDecision`].
//! - `text`: [`render_text`], [`render_text_styled`] ([`TextStyle`], [`Detail`]) and
//!   [`render_request_text`], the human-readable form; [`count`] for plurals.

#![warn(missing_docs)]

mod run;
mod text;
mod trace;

pub use hoplab_cert::CertSummary;
pub use run::{Mismatch, RequestReport, RunReport};
pub use text::{Detail, TextStyle, count, render_request_text, render_text, render_text_styled};
pub use trace::{AlbDecision, CertificateRole, HopStep, HopTrace, SeenCertificate, TlsSession};
