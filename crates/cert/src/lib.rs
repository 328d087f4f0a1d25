//! What hoplab's reports say about a certificate, shared by every crate that records or
//! judges one.
//!
//! [`CertSummary`] is the one-line view of a certificate (subject, issuer, names, validity,
//! fingerprint) that traces, reports and explanations carry. Names are printed as Java's
//! `X500Principal.toString()` prints them ([`java_principal`]), because API Gateway's messages
//! quote them that way.
//!
//! ```
//! let summary = hoplab_cert::CertSummary::from_der(b"not a certificate");
//! assert!(summary.is_none());
//! assert_eq!(hoplab_cert::fingerprint(b"").len(), 32 * 3 - 1);
//! ```
//!
//! # Layout
//! - `summary`: [`CertSummary`] and [`fingerprint`].
//! - `x500`: [`java_principal`], distinguished names as Java prints them.
//! - `ip`: [`ip_from_bytes`], an iPAddress general name.

#![warn(missing_docs)]

mod ip;
mod summary;
mod x500;

pub use ip::ip_from_bytes;
pub use summary::{CertSummary, fingerprint};
pub use x500::java_principal;
