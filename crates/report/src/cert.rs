//! One-line facts about a certificate, as reports print them.

use serde::{Deserialize, Serialize};

/// The facts a report shows about one certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertSummary {
    /// Subject distinguished name, formatted as Java's `X500Principal.toString()` does.
    pub subject: String,
    /// Issuer distinguished name, formatted the same way.
    pub issuer: String,
    /// DNS names from the subjectAltName extension.
    pub dns_names: Vec<String>,
    /// IP addresses from the subjectAltName extension.
    pub ip_addresses: Vec<String>,
    /// Start of the validity window (RFC 3339).
    pub not_before: String,
    /// End of the validity window (RFC 3339).
    pub not_after: String,
    /// Whether basicConstraints says CA:TRUE.
    pub is_ca: bool,
    /// Whether the subject and issuer names are equal.
    pub self_issued: bool,
    /// SHA-256 of the DER encoding, as colon-separated upper-case hex (like `openssl x509 -fingerprint`).
    pub sha256: String,
}
