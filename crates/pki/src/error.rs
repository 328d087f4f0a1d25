//! [`PkiError`]: why the scenario's certificates could not be generated.

/// Why a certificate (named in every variant) could not be generated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// A certificate read from PEM files has no certificate (validation normally catches this).
    #[error("certificate {name}: its PEM chain is empty")]
    EmptyPemChain {
        /// The leaf.
        name: String,
    },
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
    /// The issuer is not an authority generated before this certificate.
    #[error("certificate {name}: unknown issuer {issuer:?}")]
    UnknownIssuer {
        /// The certificate that names the issuer.
        name: String,
        /// The issuer it names.
        issuer: String,
    },
    /// Following issuers upwards from this certificate never reaches a root.
    #[error("certificate {name}: issuer chain never reaches a root")]
    IssuerCycle {
        /// The certificate whose issuers loop.
        name: String,
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
    /// An explicit chain names a certificate that does not exist.
    #[error("certificate {name}: chain names unknown certificate {entry:?}")]
    UnknownChainEntry {
        /// The leaf whose chain is explicit.
        name: String,
        /// The unknown name.
        entry: String,
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
