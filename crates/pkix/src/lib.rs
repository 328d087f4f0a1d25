//! API Gateway's certificate verdict.
//!
//! API Gateway's integration client is a JVM (its messages are JDK and Apache HttpClient
//! strings), so this crate judges the chain a server sent the way that client does: the JDK's
//! `PKIXValidator` (validate an ordered chain directly, else build a path from what was sent),
//! the JDK's TLS-server checks on the leaf, then Apache's hostname verifier against the
//! integration URI host. [`validate`] is a pure function of the certificates, the trust store,
//! the policy and the clock; the gateway calls it from inside its TLS handshake and
//! `hoplab check` calls it on PEM files. No sockets, no fetching (the JDK leaves AIA off).
//!
//! The rules are the JDK's as measured, not as read: the tests in `tests/workspace/` judge the
//! bundled scenarios' chains, x509-limbo and random chains with the real JDK 17 and Apache
//! HttpClient (`oracle/jdk/`) and require the same verdict and message (docs/fidelity.md).
//!
//! ```no_run
//! # fn demo(chain: &[rustls::pki_types::CertificateDer<'_>], trust: &hoplab_pkix::TrustStore) {
//! let verdict = hoplab_pkix::validate(
//!     chain,
//!     "api.example.com",
//!     trust,
//!     hoplab_pkix::Policy::default(),
//!     time::OffsetDateTime::now_utc(),
//! );
//! if let Err(rejection) = &verdict.outcome {
//!     println!("Execution failed due to configuration error: {}", rejection.java_message());
//! }
//! for line in verdict.explanation.lines() {
//!     println!("  {line}");
//! }
//! # }
//! ```
//!
//! # Layout
//! - `verdict`: [`validate`], [`Policy`], [`Verdict`]; the `PKIXValidator` dispatch.
//! - `rejection`: [`Rejection`] and the exact JDK/Apache messages.
//! - `explain`: [`Explanation`], the structured "why", and its sentences.
//! - `trust`: [`TrustStore`], API Gateway's trusted CAs.
//! - `anchors`: the anchors in play for one verdict (trust store, or the server's own root with
//!   `insecureSkipVerification`).
//! - `algorithms`: the JDK's algorithm constraints (disabled algorithms, key sizes, SHA-1
//!   under its own roots).
//! - `path`: validating one path against one anchor (`PKIXCertPathValidator`).
//! - `build`: the bounded path search (`SunCertPathBuilder`).
//! - `checks`: the JDK's individual checks (key usage, basic constraints, validity, name
//!   chaining, signature, TLS-server leaf usage).
//! - `constraints`: name constraints (checked and merged down a path) and unrecognized
//!   critical extensions.
//! - `subtrees`: general names and lists of subtrees compared and merged as the JDK does,
//!   quirks and exceptions included.
//! - `hostname`: Apache's `DefaultHostnameVerifier`.
//! - `signature`: signature verification with rustls-webpki's algorithms.
//! - `chain`: certificates parsed once per verdict, as the JDK parses them, and the facts the
//!   checks read.
//! - `names`: distinguished names compared as the JDK compares them.
//! - `pem`: [`parse_pem_chain`].
//! - `error`: [`PkixError`].
//! - [`CertSummary`], [`fingerprint`] and [`java_principal`] come from `hoplab-cert`, re-exported
//!   so reports built on a verdict need no other crate.

#![warn(missing_docs)]

mod algorithms;
mod anchors;
mod build;
mod chain;
mod checks;
mod constraints;
mod error;
mod explain;
mod hostname;
mod names;
mod path;
mod pem;
mod rejection;
mod signature;
mod subtrees;
mod trust;
mod verdict;

pub use error::PkixError;
pub use explain::{
    AnchorSource, AnchorUsed, BuildFailure, CheckFailure, DeadEnd, DeadEndReason, Dispatch,
    Explanation, Failure, Outside, RejectedPath, ValidityMiss,
};
pub use hoplab_cert::{CertSummary, fingerprint, java_principal};
pub use hostname::{Compared, HostKind, HostnameCheck};
pub use pem::parse_pem_chain;
pub use rejection::{AnchorProblem, EndEntityCheck, PathCheck, Rejection};
pub use trust::TrustStore;
pub use verdict::{Policy, Verdict, validate};

/// Search bounds of the path builder, exposed so tests and reports can name them.
pub mod limits {
    /// The longest path (without its anchor) the builder tries.
    pub const MAX_PATH_DEPTH: usize = crate::build::MAX_DEPTH;
    /// The most candidate issuers the builder examines in one search.
    pub const MAX_SEARCH_STEPS: usize = crate::build::MAX_STEPS;
}
