//! One-line facts about a certificate, as reports print them.

use ::time::format_description::well_known::Rfc3339;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use x509_parser::prelude::*;

use crate::ip::ip_from_bytes;
use crate::x500::java_principal;

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

impl CertSummary {
    /// Summarizes a DER-encoded certificate, or returns `None` when it does not parse.
    pub fn from_der(der: &[u8]) -> Option<Self> {
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        let mut dns_names = Vec::new();
        let mut ip_addresses = Vec::new();
        if let Ok(Some(san)) = cert.subject_alternative_name() {
            for name in &san.value.general_names {
                match name {
                    GeneralName::DNSName(dns) => dns_names.push((*dns).to_owned()),
                    GeneralName::IPAddress(bytes) => {
                        if let Some(ip) = ip_from_bytes(bytes) {
                            ip_addresses.push(ip.to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
        let is_ca = cert
            .basic_constraints()
            .ok()
            .flatten()
            .is_some_and(|bc| bc.value.ca);
        Some(CertSummary {
            subject: java_principal(cert.subject()),
            issuer: java_principal(cert.issuer()),
            dns_names,
            ip_addresses,
            not_before: rfc3339(cert.validity().not_before),
            not_after: rfc3339(cert.validity().not_after),
            is_ca,
            self_issued: cert.subject().as_raw() == cert.issuer().as_raw(),
            sha256: fingerprint(der),
        })
    }

    /// Summarizes every certificate of a chain that parses, in order.
    pub fn chain<'a>(ders: impl IntoIterator<Item = &'a [u8]>) -> Vec<Self> {
        ders.into_iter().filter_map(Self::from_der).collect()
    }
}

/// SHA-256 of `der` as colon-separated upper-case hex.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = Sha256::digest(der);
    let mut out = String::with_capacity(digest.len() * 3);
    for (i, byte) in digest.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push_str(&format!("{byte:02X}"));
    }
    out
}

fn rfc3339(t: ASN1Time) -> String {
    t.to_datetime()
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}
