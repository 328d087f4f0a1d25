//! The crate's one error type: bad input to the trust store or the PEM reader.
//!
//! A rejected certificate chain is not an error: it is a [`crate::Rejection`] inside a
//! [`crate::Verdict`].

/// Something this crate was asked to load could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PkixError {
    /// A certificate given to [`crate::TrustStore::add`] is not a well-formed X.509 certificate.
    #[error("trust store: certificate does not parse: {reason}")]
    BadTrustedCertificate {
        /// What the X.509 parser said.
        reason: String,
    },
    /// The PEM text is malformed (bad base64, a section with no end line, ...).
    #[error("pem: {reason}")]
    Pem {
        /// What the PEM reader said.
        reason: String,
    },
    /// The PEM text holds no `CERTIFICATE` section.
    #[error("pem: no CERTIFICATE section: {found}")]
    NoCertificates {
        /// What the text holds instead: its sections, or its first line.
        found: String,
    },
}
