//! [`PkiError`]: why the scenario's certificates could not be generated.

/// Why a certificate (named in every variant) could not be generated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// The key pair could not be generated, or a pooled key could not be loaded.
    #[error("certificate {name}: cannot generate {key_type} key: {source}")]
    KeyGeneration {
        /// The authority or leaf.
        name: String,
        /// The key type, as a scenario spells it.
        key_type: &'static str,
        /// The underlying error.
        source: rcgen::Error,
    },
    /// A DNS name cannot be encoded in a subjectAltName (it must be ASCII).
    #[error("certificate {name}: invalid DNS name {value:?}: {source}")]
    InvalidDnsName {
        /// The leaf.
        name: String,
        /// The DNS name.
        value: String,
        /// The underlying error.
        source: rcgen::Error,
    },
    /// The system random number generator failed while drawing a serial number.
    #[error("certificate {name}: cannot draw a random serial number")]
    Random {
        /// The authority or leaf.
        name: String,
    },
    /// rcgen could not encode or sign the certificate.
    #[error("certificate {name}: cannot sign: {source}")]
    Signing {
        /// The authority or leaf.
        name: String,
        /// The underlying error.
        source: rcgen::Error,
    },
    /// The certificate could not be signed again with SHA-1.
    #[error("certificate {name}: cannot sign with SHA-1: {source}")]
    Sha1Signature {
        /// The authority or leaf.
        name: String,
        /// The underlying error.
        source: crate::legacy::ResignError,
    },
    /// rustls cannot use the leaf's private key for signing.
    #[error("certificate {name}: rustls cannot load the private key: {source}")]
    SigningKey {
        /// The leaf.
        name: String,
        /// The underlying error.
        source: rustls::Error,
    },
}
