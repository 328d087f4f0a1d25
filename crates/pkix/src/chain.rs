//! Certificates parsed once per verdict, and the facts the JDK checks read from them.

use std::net::IpAddr;

use ::time::OffsetDateTime;
use x509_parser::extensions::{ExtendedKeyUsage, KeyUsage, ParsedExtension};
use x509_parser::prelude::*;

use hoplab_cert::{CertSummary, ip_from_bytes, java_principal};

/// OID of the Netscape certificate type extension.
const OID_NS_CERT_TYPE: &str = "2.16.840.1.113730.1.1";

/// A parsed certificate borrowing its DER bytes.
pub(crate) struct Cert<'a> {
    der: &'a [u8],
    x509: X509Certificate<'a>,
}

impl<'a> Cert<'a> {
    /// Parses one DER certificate; trailing bytes after it, or an extension that appears
    /// twice, are errors.
    pub(crate) fn parse(der: &'a [u8]) -> Result<Self, String> {
        let (rest, x509) = X509Certificate::from_der(der).map_err(|e| e.to_string())?;
        if !rest.is_empty() {
            return Err(format!("{} bytes after the certificate", rest.len()));
        }
        // The JDK's `CertificateExtensions` refuses to decode a certificate that repeats an
        // extension ("Duplicate extensions not allowed").
        let extensions = x509.extensions();
        for (i, ext) in extensions.iter().enumerate() {
            if extensions[..i].iter().any(|e| e.oid == ext.oid) {
                return Err(format!("duplicate extension {}", ext.oid.to_id_string()));
            }
        }
        Ok(Cert { der, x509 })
    }

    /// The whole DER encoding.
    pub(crate) fn der(&self) -> &'a [u8] {
        self.der
    }

    /// The parsed certificate.
    pub(crate) fn x509(&self) -> &X509Certificate<'a> {
        &self.x509
    }

    /// DER encoding of the subject name (the JDK compares names by their encoding here).
    pub(crate) fn subject(&self) -> &'a [u8] {
        self.x509.tbs_certificate.subject.as_raw()
    }

    /// DER encoding of the issuer name.
    pub(crate) fn issuer(&self) -> &'a [u8] {
        self.x509.tbs_certificate.issuer.as_raw()
    }

    /// DER encoding of the SubjectPublicKeyInfo.
    pub(crate) fn spki(&self) -> &'a [u8] {
        self.x509.tbs_certificate.subject_pki.raw
    }

    /// Whether subject and issuer are the same name.
    pub(crate) fn self_issued(&self) -> bool {
        self.subject() == self.issuer()
    }

    /// Whether the issuer name has no relative distinguished names.
    pub(crate) fn issuer_is_empty(&self) -> bool {
        self.x509.tbs_certificate.issuer.iter().next().is_none()
    }

    /// The subject as Java prints it.
    pub(crate) fn subject_name(&self) -> String {
        java_principal(&self.x509.tbs_certificate.subject)
    }

    /// The issuer as Java prints it.
    pub(crate) fn issuer_name(&self) -> String {
        java_principal(&self.x509.tbs_certificate.issuer)
    }

    /// Whether this is a version 3 certificate (extensions only count there).
    pub(crate) fn is_v3(&self) -> bool {
        self.x509.tbs_certificate.version == X509Version::V3
    }

    /// `X509Certificate.getBasicConstraints()`: `None` when not a CA, else the path length
    /// constraint (`u32::MAX` when unlimited).
    pub(crate) fn ca_path_len(&self) -> Option<u32> {
        match self.x509.basic_constraints() {
            Ok(Some(bc)) if bc.value.ca => Some(bc.value.path_len_constraint.unwrap_or(u32::MAX)),
            _ => None,
        }
    }

    /// The keyUsage extension, when present.
    pub(crate) fn key_usage(&self) -> Option<&KeyUsage> {
        match self.x509.key_usage() {
            Ok(Some(ku)) => Some(ku.value),
            _ => None,
        }
    }

    /// The extendedKeyUsage extension, when present.
    pub(crate) fn extended_key_usage(&self) -> Option<&ExtendedKeyUsage<'_>> {
        match self.x509.extended_key_usage() {
            Ok(Some(eku)) => Some(eku.value),
            _ => None,
        }
    }

    /// The Netscape certificate type's "SSL server" bit, when that extension is present.
    pub(crate) fn netscape_ssl_server(&self) -> Option<bool> {
        self.x509
            .iter_extensions()
            .find(|ext| ext.oid.to_id_string() == OID_NS_CERT_TYPE)
            .map(|ext| match ext.parsed_extension() {
                ParsedExtension::NSCertType(t) => t.ssl_server(),
                _ => false,
            })
    }

    /// Start of the validity window.
    pub(crate) fn not_before(&self) -> OffsetDateTime {
        self.x509.validity().not_before.to_datetime()
    }

    /// End of the validity window.
    pub(crate) fn not_after(&self) -> OffsetDateTime {
        self.x509.validity().not_after.to_datetime()
    }

    /// dNSName and iPAddress subjectAltNames, in certificate order, as
    /// `X509Certificate.getSubjectAlternativeNames()` lists them; empty when the extension is
    /// absent or malformed.
    pub(crate) fn alt_names(&self) -> Vec<AltName> {
        let Ok(Some(san)) = self.x509.subject_alternative_name() else {
            return Vec::new();
        };
        san.value
            .general_names
            .iter()
            .filter_map(|name| match name {
                GeneralName::DNSName(dns) => Some(AltName::Dns((*dns).to_owned())),
                GeneralName::IPAddress(bytes) => ip_from_bytes(bytes).map(AltName::Ip),
                _ => None,
            })
            .collect()
    }

    /// The most specific common name of the subject (the last one encoded), if any.
    pub(crate) fn common_name(&self) -> Option<String> {
        self.x509
            .tbs_certificate
            .subject
            .iter_common_name()
            .last()
            .map(|cn| cn.as_str().map(str::to_owned).unwrap_or_default())
    }

    /// The facts a report prints about this certificate.
    pub(crate) fn summary(&self) -> CertSummary {
        CertSummary::from_der(self.der).unwrap_or_else(|| CertSummary {
            subject: self.subject_name(),
            issuer: self.issuer_name(),
            dns_names: Vec::new(),
            ip_addresses: Vec::new(),
            not_before: String::new(),
            not_after: String::new(),
            is_ca: self.ca_path_len().is_some(),
            self_issued: self.self_issued(),
            sha256: crate::fingerprint(self.der),
        })
    }
}

/// One subjectAltName entry the hostname verifier looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AltName {
    /// A dNSName.
    Dns(String),
    /// An iPAddress.
    Ip(IpAddr),
}
