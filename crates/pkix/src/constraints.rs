//! The JDK's name constraints (`ConstraintsChecker.verifyNameConstraints`) and its refusal of
//! critical extensions no checker handles (`PKIXMasterCertPathValidator`).
//!
//! Name constraints come from the certificates of the path only: the JDK builds its trust
//! anchors from whole certificates with no constraints (`new TrustAnchor(cert, null)`), so an
//! anchor's own nameConstraints extension is never applied. Constraints accumulate from the
//! top of the path down and apply to every certificate below the one that carries them,
//! except a self-issued CA certificate that is not the leaf. A name of a type the constraints
//! do not mention is allowed; a constraint the JDK could not decode refuses the path.

use std::net::IpAddr;

use x509_parser::extensions::GeneralName as X509GeneralName;
use x509_parser::prelude::*;

use crate::chain::{AltName, Cert};
use crate::rejection::PathCheck;
use crate::subtrees::{self, GeneralName, JavaException, Relation};

/// Extensions some checker of the JDK's `PKIXCertPathValidator` handles (`KeyChecker`,
/// `ConstraintsChecker`, `PolicyChecker`); any other critical extension refuses the path.
const RECOGNIZED: [&str; 9] = [
    "2.5.29.15", // keyUsage
    "2.5.29.37", // extendedKeyUsage
    "2.5.29.17", // subjectAltName
    "2.5.29.19", // basicConstraints
    "2.5.29.30", // nameConstraints
    "2.5.29.32", // certificatePolicies
    "2.5.29.33", // policyMappings
    "2.5.29.36", // policyConstraints
    "2.5.29.54", // inhibitAnyPolicy
];

/// `PKIXMasterCertPathValidator`: after every checker ran on a certificate, a critical
/// extension none of them handled is "unrecognized".
pub(crate) fn critical_extensions(cert: &Cert<'_>) -> Result<(), PathCheck> {
    let unrecognized = cert
        .x509()
        .extensions()
        .iter()
        .any(|ext| ext.critical && !RECOGNIZED.contains(&ext.oid.to_id_string().as_str()));
    if unrecognized {
        Err(PathCheck::UnrecognizedCriticalExtension)
    } else {
        Ok(())
    }
}

/// A CA's nameConstraints, decoded.
#[derive(Debug, Clone, Default)]
struct Constraints {
    permitted: Option<Vec<GeneralName>>,
    excluded: Option<Vec<GeneralName>>,
}

/// Why a certificate fails the name constraints check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// `name constraints check failed` (or constraints the JDK cannot decode).
    Check,
    /// The JDK's comparison or merge threw: the exception escapes the trust manager.
    Exception(JavaException),
}

impl From<JavaException> for Refusal {
    fn from(e: JavaException) -> Self {
        Refusal::Exception(e)
    }
}

/// Name constraints accumulated down a path, merged as `NameConstraintsExtension.merge` merges
/// them (`ConstraintsChecker.verifyNameConstraints`): the first CA's are taken as they are;
/// each later CA's excluded subtrees are added, its permitted subtrees intersected with those
/// so far, and the permitted subtrees an excluded one contains are dropped.
#[derive(Debug, Default)]
pub(crate) struct NameConstraints {
    merged: Option<Constraints>,
}

impl NameConstraints {
    /// Checks `cert` against the constraints above it, then merges its own. `is_leaf` is
    /// whether it is the path's last certificate.
    pub(crate) fn check_and_merge(
        &mut self,
        cert: &Cert<'_>,
        is_leaf: bool,
    ) -> Result<(), Refusal> {
        if let Some(merged) = &self.merged
            && (is_leaf || !cert.self_issued())
            && !merged.allows_certificate(cert)?
        {
            return Err(Refusal::Check);
        }
        let new = match cert.x509().name_constraints() {
            Ok(None) => return Ok(()),
            Ok(Some(nc)) => Constraints {
                permitted: decode(nc.value.permitted_subtrees.as_deref())?,
                excluded: decode(nc.value.excluded_subtrees.as_deref())?,
            },
            // The JDK cannot decode the extension, so it cannot use the certificate.
            Err(_) => return Err(Refusal::Check),
        };
        match &mut self.merged {
            None => self.merged = Some(new),
            Some(merged) => merged.merge(new)?,
        }
        Ok(())
    }
}

impl Constraints {
    /// `NameConstraintsExtension.merge`.
    fn merge(&mut self, new: Constraints) -> Result<(), JavaException> {
        if let Some(new_excluded) = &new.excluded {
            match &mut self.excluded {
                None => self.excluded = Some(new_excluded.clone()),
                Some(excluded) => subtrees::union(excluded, new_excluded)?,
            }
        }
        match (&mut self.permitted, new.permitted) {
            (None, new_permitted) => self.permitted = new_permitted,
            (Some(permitted), Some(mut new_permitted)) => {
                let widest = subtrees::intersect(permitted, &mut new_permitted)?;
                if !widest.is_empty() {
                    match &mut self.excluded {
                        None => self.excluded = Some(widest),
                        Some(excluded) => subtrees::union(excluded, &widest)?,
                    }
                }
            }
            (Some(_), None) => {}
        }
        if let (Some(permitted), Some(excluded)) = (&mut self.permitted, &self.excluded) {
            subtrees::reduce(permitted, excluded)?;
        }
        Ok(())
    }

    /// `NameConstraintsExtension.verify(X509Certificate)`: the subject (when not empty), then
    /// every subjectAltName, then the common name (see [`names_of`]).
    fn allows_certificate(&self, cert: &Cert<'_>) -> Result<bool, JavaException> {
        let subject = rdns(cert.x509().subject());
        if !subject.is_empty() && !self.allows(&GeneralName::Directory(subject))? {
            return Ok(false);
        }
        // Once the subject passed, the JDK adds the common name to the certificate's own
        // subjectAltName list (when it has that extension): it stays there for Apache's
        // host name check later.
        cert.join_common_name_to_alt_names();
        for name in names_of(cert) {
            if !self.allows(&name)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `NameConstraintsExtension.verify(GeneralNameInterface)`: excluded subtrees first, then
    /// permitted ones; an empty permitted list restricts nothing.
    fn allows(&self, name: &GeneralName) -> Result<bool, JavaException> {
        for subtree in self.excluded.iter().flatten() {
            if matches!(
                subtree.constrains(name)?,
                Relation::Match | Relation::Narrows
            ) {
                return Ok(false);
            }
        }
        let mut same_type = false;
        for subtree in self.permitted.iter().flatten() {
            match subtree.constrains(name)? {
                Relation::DiffType => {}
                Relation::Widens | Relation::SameType => same_type = true,
                Relation::Match | Relation::Narrows => return Ok(true),
            }
        }
        Ok(!same_type)
    }
}

/// Decodes a list of subtrees, if present.
fn decode(
    subtrees: Option<&[x509_parser::extensions::GeneralSubtree<'_>]>,
) -> Result<Option<Vec<GeneralName>>, Refusal> {
    subtrees
        .map(|list| {
            list.iter()
                .map(|t| subtree(&t.base))
                .collect::<Option<Vec<_>>>()
                .ok_or(Refusal::Check)
        })
        .transpose()
}

/// Decodes one subtree; `None` when the JDK would refuse to decode it.
fn subtree(base: &X509GeneralName<'_>) -> Option<GeneralName> {
    Some(match base {
        X509GeneralName::DNSName(dns) => {
            if !valid_dns_constraint(dns) {
                return None;
            }
            GeneralName::Dns((*dns).to_owned())
        }
        X509GeneralName::IPAddress(bytes) => {
            if bytes.len() != 8 && bytes.len() != 32 {
                return None;
            }
            if !contiguous(&bytes[bytes.len() / 2..]) {
                return None;
            }
            GeneralName::Ip(bytes.to_vec())
        }
        X509GeneralName::DirectoryName(name) => GeneralName::Directory(rdns(name)),
        _ => GeneralName::Other,
    })
}

/// `sun.security.x509.DNSName`: letters, digits, hyphens and dots, no empty label, no label
/// starting or ending with a hyphen.
fn valid_dns_constraint(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Whether a netmask is ones followed by zeros.
fn contiguous(mask: &[u8]) -> bool {
    let mut zero_seen = false;
    for byte in mask {
        for bit in (0..8).rev() {
            let one = byte & (1 << bit) != 0;
            if one && zero_seen {
                return false;
            }
            zero_seen |= !one;
        }
    }
    true
}

/// A name's RDNs as (OID, lower-cased value) pairs, compared as the JDK compares X500 names.
fn rdns(name: &X509Name<'_>) -> Vec<Vec<(String, String)>> {
    name.iter()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    let value = atv
                        .as_str()
                        .map(|s| s.trim().to_lowercase())
                        .unwrap_or_else(|_| format!("{:?}", atv.attr_value().data));
                    (atv.attr_type().to_id_string(), value)
                })
                .collect()
        })
        .collect()
}

/// The names `NameConstraintsExtension.verify` checks after the subject: every
/// subjectAltName, then the subject's most specific common name, as an IP address when it is an
/// IP literal and there is no iPAddress SAN, else as a DNS name when it is a valid one and there
/// is no dNSName SAN.
fn names_of(cert: &Cert<'_>) -> Vec<GeneralName> {
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.x509().subject_alternative_name() {
        for general in &san.value.general_names {
            names.push(match general {
                X509GeneralName::DNSName(dns) => GeneralName::Dns((*dns).to_owned()),
                X509GeneralName::IPAddress(bytes) => GeneralName::Ip(bytes.to_vec()),
                X509GeneralName::DirectoryName(name) => GeneralName::Directory(rdns(name)),
                _ => GeneralName::Other,
            });
        }
    }
    let has_ip = names.iter().any(|n| matches!(n, GeneralName::Ip(_)));
    let has_dns = names.iter().any(|n| matches!(n, GeneralName::Dns(_)));
    match cert.common_name_as_alt_name() {
        Some(AltName::Ip(ip)) if !has_ip => names.push(GeneralName::Ip(match ip {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => v6.octets().to_vec(),
        })),
        Some(AltName::Dns(dns)) if !has_dns => names.push(GeneralName::Dns(dns)),
        _ => {}
    }
    names
}
