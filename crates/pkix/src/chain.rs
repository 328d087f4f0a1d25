//! Certificates parsed once per verdict, and the facts the JDK checks read from them.

use std::cell::Cell;
use std::net::IpAddr;

use ::time::OffsetDateTime;
use x509_parser::extensions::{ExtendedKeyUsage, KeyUsage, ParsedExtension};
use x509_parser::prelude::*;

use hoplab_cert::{CertSummary, ip_from_bytes, java_principal};

use crate::names::CanonicalName;

/// OID of the Netscape certificate type extension.
const OID_NS_CERT_TYPE: &str = "2.16.840.1.113730.1.1";

/// Why the JDK's `CertificateFactory` refuses a certificate: the texts are the JDK's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ParseFailure {
    /// Not well-formed DER X.509; the parser's own words.
    #[error("{0}")]
    Malformed(String),
    /// Bytes follow the certificate.
    #[error("{0} bytes after the certificate")]
    TrailingBytes(usize),
    /// An extension appears twice.
    #[error("Duplicate extensions not allowed")]
    DuplicateExtension,
    /// The outer signature algorithm differs from the one inside the signed part.
    #[error("Signature algorithm mismatch")]
    SignatureAlgorithmMismatch,
    /// The issuer name is empty.
    #[error("Empty issuer DN not allowed in X509Certificates")]
    EmptyIssuer,
    /// A version 1 certificate with an empty subject.
    #[error("Empty subject DN not allowed in v1 certificate")]
    EmptySubjectInV1,
    /// An empty subject and no subjectAltName to stand for it.
    #[error(
        "X.509 Certificate is incomplete: subject field is empty, and SubjectAlternativeName \
         extension is absent"
    )]
    SubjectAltNameAbsent,
    /// An empty subject and an empty subjectAltName.
    #[error(
        "X.509 Certificate is incomplete: subject field is empty, and SubjectAlternativeName \
         extension is empty"
    )]
    SubjectAltNameEmpty,
    /// An empty subject and a subjectAltName that is not critical.
    #[error(
        "X.509 Certificate is incomplete: SubjectAlternativeName extension MUST be marked \
         critical when subject field is empty"
    )]
    SubjectAltNameNotCritical,
}

/// A parsed certificate borrowing its DER bytes.
pub(crate) struct Cert<'a> {
    der: &'a [u8],
    x509: X509Certificate<'a>,
    subject: CanonicalName,
    issuer: CanonicalName,
    /// Whether the JDK's name-constraints check has added the common name to this
    /// certificate's subjectAltName list (it changes the certificate object it checks).
    common_name_joined: Cell<bool>,
}

impl<'a> Cert<'a> {
    /// Parses one DER certificate as the JDK's `CertificateFactory` does; the error is the
    /// JDK's reason for refusing it.
    ///
    /// Beyond well-formed X.509, the JDK refuses: an extension that appears twice, an outer
    /// signature algorithm that differs from the one inside the signed part, an empty issuer,
    /// and an empty subject in a version 1 certificate, or in one with extensions unless a
    /// non-empty subjectAltName extension marked critical stands for it.
    pub(crate) fn parse(der: &'a [u8]) -> Result<Self, ParseFailure> {
        let (rest, x509) =
            X509Certificate::from_der(der).map_err(|e| ParseFailure::Malformed(e.to_string()))?;
        if !rest.is_empty() {
            return Err(ParseFailure::TrailingBytes(rest.len()));
        }
        let extensions = x509.extensions();
        for (i, ext) in extensions.iter().enumerate() {
            if extensions[..i].iter().any(|e| e.oid == ext.oid) {
                return Err(ParseFailure::DuplicateExtension);
            }
        }
        if !same_algorithm(&x509.signature_algorithm, &x509.tbs_certificate.signature) {
            return Err(ParseFailure::SignatureAlgorithmMismatch);
        }
        let subject = CanonicalName::of(&x509.tbs_certificate.subject);
        let issuer = CanonicalName::of(&x509.tbs_certificate.issuer);
        if issuer.is_empty() {
            return Err(ParseFailure::EmptyIssuer);
        }
        if subject.is_empty() {
            if x509.tbs_certificate.version == X509Version::V1 {
                return Err(ParseFailure::EmptySubjectInV1);
            }
            if !x509.extensions().is_empty() {
                subject_alt_name_stands_for_subject(&x509)?;
            }
        }
        Ok(Cert {
            der,
            x509,
            subject,
            issuer,
            common_name_joined: Cell::new(false),
        })
    }

    /// The whole DER encoding.
    pub(crate) fn der(&self) -> &'a [u8] {
        self.der
    }

    /// The parsed certificate.
    pub(crate) fn x509(&self) -> &X509Certificate<'a> {
        &self.x509
    }

    /// The subject, compared as the JDK compares names.
    pub(crate) fn subject(&self) -> &CanonicalName {
        &self.subject
    }

    /// The issuer, compared as the JDK compares names.
    pub(crate) fn issuer(&self) -> &CanonicalName {
        &self.issuer
    }

    /// DER encoding of the SubjectPublicKeyInfo.
    pub(crate) fn spki(&self) -> &'a [u8] {
        self.x509.tbs_certificate.subject_pki.raw
    }

    /// Whether subject and issuer are the same name.
    pub(crate) fn self_issued(&self) -> bool {
        self.subject() == self.issuer()
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

    /// The authorityKeyIdentifier extension's key identifier and issuer serial, when present.
    pub(crate) fn authority_key_id(&self) -> Option<AuthorityKeyId<'_>> {
        self.x509
            .iter_extensions()
            .find_map(|ext| match ext.parsed_extension() {
                ParsedExtension::AuthorityKeyIdentifier(aki) => Some(AuthorityKeyId {
                    key_id: aki.key_identifier.as_ref().map(|k| k.0),
                    serial: aki.authority_cert_serial,
                }),
                _ => None,
            })
    }

    /// The subjectAltName extension's encoded value, when present.
    pub(crate) fn subject_alt_name_value(&self) -> Option<&[u8]> {
        self.x509
            .iter_extensions()
            .find(|ext| ext.oid.to_id_string() == "2.5.29.17")
            .map(|ext| ext.value)
    }

    /// The subjectKeyIdentifier extension's value, when present.
    pub(crate) fn subject_key_id(&self) -> Option<&[u8]> {
        self.x509
            .iter_extensions()
            .find_map(|ext| match ext.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(ski) => Some(ski.0),
                _ => None,
            })
    }

    /// The serial number's bytes.
    pub(crate) fn serial(&self) -> &[u8] {
        self.x509.tbs_certificate.raw_serial()
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
    /// absent or malformed. After the JDK's name-constraints check added the common name to
    /// the list, it is there too, last.
    pub(crate) fn alt_names(&self) -> Vec<AltName> {
        let Ok(Some(san)) = self.x509.subject_alternative_name() else {
            return Vec::new();
        };
        let mut names: Vec<AltName> = san
            .value
            .general_names
            .iter()
            .filter_map(|name| match name {
                GeneralName::DNSName(dns) => Some(AltName::Dns((*dns).to_owned())),
                GeneralName::IPAddress(bytes) => ip_from_bytes(bytes).map(AltName::Ip),
                _ => None,
            })
            .collect();
        if self.common_name_joined.get() {
            match self.common_name_as_alt_name() {
                Some(AltName::Ip(ip)) if !names.iter().any(|n| matches!(n, AltName::Ip(_))) => {
                    names.push(AltName::Ip(ip));
                }
                Some(AltName::Dns(dns)) if !names.iter().any(|n| matches!(n, AltName::Dns(_))) => {
                    names.push(AltName::Dns(dns));
                }
                _ => {}
            }
        }
        names
    }

    /// Whether `X509Certificate.getSubjectAlternativeNames()` throws: the JDK's
    /// name-constraints check added an IPv4-mapped IPv6 common name (`::ffff:10.0.0.1`) to the
    /// list as an address it marks IPv6 but holds in four bytes, and printing it copies sixteen.
    pub(crate) fn alt_names_throw(&self) -> bool {
        let mapped = self
            .common_name()
            .and_then(|cn| cn.parse::<std::net::Ipv6Addr>().ok())
            .is_some_and(|v6| v6.to_ipv4_mapped().is_some());
        let ip_san = matches!(self.x509.subject_alternative_name(), Ok(Some(san))
            if san.value.general_names.iter().any(|n| matches!(n, GeneralName::IPAddress(_))));
        mapped && self.common_name_joined.get() && !ip_san
    }

    /// The most specific common name as the JDK's name-constraints check reads it: an IP
    /// address when it is an IP literal, a DNS name when it is a valid one (letters, digits
    /// and hyphens, no empty label, no wildcard), else nothing.
    pub(crate) fn common_name_as_alt_name(&self) -> Option<AltName> {
        let cn = self.common_name()?;
        if let Ok(ip) = cn.parse::<IpAddr>() {
            // Java reads an IPv4-mapped IPv6 literal as the IPv4 address.
            let ip = match ip {
                IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
                v4 => v4,
            };
            return Some(AltName::Ip(ip));
        }
        let valid = !cn.is_empty()
            && cn.split('.').all(|label| {
                label
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphanumeric())
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        valid.then_some(AltName::Dns(cn))
    }

    /// Records that the JDK's name-constraints check added the common name to this
    /// certificate's subjectAltName list; only a certificate with that extension keeps it.
    pub(crate) fn join_common_name_to_alt_names(&self) {
        if matches!(self.x509.subject_alternative_name(), Ok(Some(_))) {
            self.common_name_joined.set(true);
        }
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

/// `AlgorithmId.equals`: the same OID and the same parameters.
fn same_algorithm(a: &AlgorithmIdentifier<'_>, b: &AlgorithmIdentifier<'_>) -> bool {
    let params = |alg: &AlgorithmIdentifier<'_>| {
        alg.parameters
            .as_ref()
            .map(|p| (p.header.tag().0, p.data.to_vec()))
    };
    a.algorithm == b.algorithm && params(a) == params(b)
}

/// `X509CertInfo.verifyCert`: a certificate with an empty subject needs a non-empty, critical
/// subjectAltName extension.
fn subject_alt_name_stands_for_subject(x509: &X509Certificate<'_>) -> Result<(), ParseFailure> {
    let Some(ext) = x509
        .extensions()
        .iter()
        .find(|e| e.oid.to_id_string() == "2.5.29.17")
    else {
        return Err(ParseFailure::SubjectAltNameAbsent);
    };
    match ext.parsed_extension() {
        ParsedExtension::SubjectAlternativeName(san) if !san.general_names.is_empty() => {}
        _ => return Err(ParseFailure::SubjectAltNameEmpty),
    }
    if !ext.critical {
        return Err(ParseFailure::SubjectAltNameNotCritical);
    }
    Ok(())
}

/// An authorityKeyIdentifier's parts the path builder and validator compare.
pub(crate) struct AuthorityKeyId<'a> {
    /// keyIdentifier.
    pub(crate) key_id: Option<&'a [u8]>,
    /// authorityCertSerialNumber.
    pub(crate) serial: Option<&'a [u8]>,
}

/// One subjectAltName entry the hostname verifier looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AltName {
    /// A dNSName.
    Dns(String),
    /// An iPAddress.
    Ip(IpAddr),
}
