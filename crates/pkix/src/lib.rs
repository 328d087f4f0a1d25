//! API Gateway's certificate verdict.
//!
//! API Gateway's integration client is a JVM (its messages are JDK and Apache HttpClient
//! strings), so this crate judges the chain a server sent the way that client does: the JDK's
//! `PKIXValidator` (validate an ordered chain directly, else build a path from what was sent),
//! then Apache's hostname verifier against the integration URI host. It is a pure function of
//! the certificates, the trust store, the policy and the clock; the gateway calls it from inside
//! its TLS handshake and `hoplab check` calls it on PEM files.
//!
//! # Layout
//! - `summary`: [`CertSummary`], the facts a report prints about one certificate.
//! - `x500`: distinguished names printed as Java prints them.

#![warn(missing_docs)]

mod summary;
mod x500;

pub use summary::{CertSummary, fingerprint};
pub use x500::java_principal;
