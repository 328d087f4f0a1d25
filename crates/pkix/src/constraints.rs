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

use x509_parser::extensions::GeneralName;
use x509_parser::prelude::*;

use crate::chain::{AltName, Cert};
use crate::rejection::PathCheck;

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

/// One constraint subtree, decoded.
#[derive(Debug, Clone)]
enum Subtree {
    Dns(String),
    Ip {
        addr: Vec<u8>,
        mask: Vec<u8>,
    },
    Directory(Vec<Vec<(String, String)>>),
    /// A form the checks below do not compare (email, URI, ...): it constrains nothing here.
    Other,
}

/// The constraints of one certificate.
#[derive(Debug, Clone, Default)]
struct Constraints {
    permitted: Option<Vec<Subtree>>,
    excluded: Vec<Subtree>,
}

/// Name constraints accumulated down a path (the JDK merges them; checking a name against each
/// certificate's constraints in turn is the same test).
#[derive(Debug, Default)]
pub(crate) struct NameConstraints {
    sets: Vec<Constraints>,
}

impl NameConstraints {
    /// Checks `cert` against the constraints above it, then adds its own. `is_leaf` is whether
    /// it is the path's last certificate.
    pub(crate) fn check_and_merge(
        &mut self,
        cert: &Cert<'_>,
        is_leaf: bool,
    ) -> Result<(), PathCheck> {
        if !self.sets.is_empty() && (is_leaf || !cert.self_issued()) {
            // Once the subject passed, the JDK adds the common name to the certificate's own
            // subjectAltName list (when it has that extension): it stays there for Apache's
            // host name check later.
            let subject = rdns(cert.x509().subject());
            let directory = Name::Directory(subject.clone());
            let subject_allowed = self
                .sets
                .iter()
                .all(|set| set.allows(&directory) == Ok(true));
            if subject.is_empty() || subject_allowed {
                cert.join_common_name_to_alt_names();
            }
            let names = names_of(cert);
            for set in &self.sets {
                match set.allows_all(&names) {
                    Ok(true) => {}
                    Ok(false) => return Err(PathCheck::NameConstraints),
                    Err(Crash) => return Err(PathCheck::JdkException),
                }
            }
        }
        match cert.x509().name_constraints() {
            Ok(None) => Ok(()),
            Ok(Some(nc)) => {
                let permitted = decode(nc.value.permitted_subtrees.as_deref())?;
                let excluded = decode(nc.value.excluded_subtrees.as_deref())?.unwrap_or_default();
                let new = Constraints {
                    permitted,
                    excluded,
                };
                if self
                    .sets
                    .iter()
                    .any(|set| disjoint_dns_permitted(set, &new))
                {
                    return Err(PathCheck::JdkException);
                }
                self.sets.push(new);
                self.reduce();
                Ok(())
            }
            // The JDK cannot decode the extension, so it cannot use the certificate.
            Err(_) => Err(PathCheck::NameConstraints),
        }
    }
}

/// The message of the exception the JDK throws for `check`, if it is one
/// ([`PathCheck::JdkException`]): a merge failure when `cert` carries name constraints of its
/// own, else the empty dNSName comparison.
pub(crate) fn exception_message(check: PathCheck, cert: &Cert<'_>) -> Option<String> {
    (check == PathCheck::JdkException).then(|| {
        let merging = matches!(cert.x509().name_constraints(), Ok(Some(_)));
        // The names are checked before the merge, so an empty dNSName would have thrown first.
        let empty_dns = names_of(cert)
            .iter()
            .any(|n| matches!(n, Name::Dns(d) if d.is_empty()));
        if merging && !empty_dns {
            MERGE_CRASH.to_owned()
        } else {
            EMPTY_DNS_NAME_CRASH.to_owned()
        }
    })
}

/// The JDK's message when merging name constraints throws (see [`disjoint_dns_permitted`]).
pub(crate) const MERGE_CRASH: &str =
    "Unexpected error: java.io.IOException: DNSName must not be null or empty";

/// `GeneralSubtrees.intersect`, merging a CA's permitted subtrees into those above it: when
/// both have DNS subtrees and none contains another, the JDK makes the "widest" DNS subtree,
/// `DNSName("")`, which its own constructor refuses; the exception escapes the trust check.
fn disjoint_dns_permitted(above: &Constraints, new: &Constraints) -> bool {
    let dns = |c: &Constraints| -> Vec<String> {
        c.permitted
            .iter()
            .flatten()
            .filter_map(|s| match s {
                Subtree::Dns(d) => Some(d.to_ascii_lowercase()),
                _ => None,
            })
            .collect()
    };
    let (a, b) = (dns(above), dns(new));
    !a.is_empty()
        && !b.is_empty()
        && !a.iter().any(|x| {
            b.iter()
                .any(|y| crate::hostname::in_domain(x, y) || crate::hostname::in_domain(y, x))
        })
}

/// The subject, when not empty, and every dNSName, iPAddress and directoryName subjectAltName.
fn subject_and_alt_names(cert: &Cert<'_>) -> Vec<Name> {
    let x509 = cert.x509();
    let mut names = Vec::new();
    let subject = rdns(x509.subject());
    if !subject.is_empty() {
        names.push(Name::Directory(subject));
    }
    if let Ok(Some(san)) = x509.subject_alternative_name() {
        for general in &san.value.general_names {
            match general {
                GeneralName::DNSName(dns) => names.push(Name::Dns((*dns).to_owned())),
                GeneralName::IPAddress(bytes) => {
                    if let Some(ip) = hoplab_cert::ip_from_bytes(bytes) {
                        names.push(Name::Ip(ip));
                    }
                }
                GeneralName::DirectoryName(name) => names.push(Name::Directory(rdns(name))),
                _ => {}
            }
        }
    }
    names
}

impl NameConstraints {
    /// `NameConstraintsExtension.merge`'s "optimization": permitted subtrees inside an excluded
    /// one are dropped. A permitted list left empty then restricts nothing, so a name outside
    /// every permitted subtree can pass once a CA below excludes those subtrees.
    fn reduce(&mut self) {
        let excluded: Vec<Subtree> = self
            .sets
            .iter()
            .flat_map(|set| set.excluded.iter().cloned())
            .collect();
        for set in &mut self.sets {
            if let Some(permitted) = &mut set.permitted {
                permitted.retain(|p| !excluded.iter().any(|e| subtree_within(p, e)));
            }
        }
    }
}

/// Whether subtree `inner` lies inside subtree `outer`.
fn subtree_within(inner: &Subtree, outer: &Subtree) -> bool {
    match (inner, outer) {
        (Subtree::Dns(i), Subtree::Dns(o)) => {
            crate::hostname::in_domain(&i.to_ascii_lowercase(), &o.to_ascii_lowercase())
        }
        (Subtree::Ip { addr: ia, mask: im }, Subtree::Ip { addr: oa, mask: om }) => {
            ia.len() == oa.len()
                && im.iter().zip(om).all(|(i, o)| i & o == *o)
                && ia.iter().zip(oa).zip(om).all(|((i, o), m)| i & m == o & m)
        }
        (Subtree::Directory(i), Subtree::Directory(o)) => {
            o.len() <= i.len() && i[..o.len()] == o[..]
        }
        _ => false,
    }
}

/// Decodes a list of subtrees, if present.
fn decode(
    subtrees: Option<&[x509_parser::extensions::GeneralSubtree<'_>]>,
) -> Result<Option<Vec<Subtree>>, PathCheck> {
    subtrees
        .map(|list| {
            list.iter()
                .map(|t| subtree(&t.base))
                .collect::<Option<Vec<_>>>()
                .ok_or(PathCheck::NameConstraints)
        })
        .transpose()
}

/// A name of a certificate that constraints apply to.
#[derive(Debug, Clone)]
enum Name {
    Dns(String),
    Ip(IpAddr),
    Directory(Vec<Vec<(String, String)>>),
}

/// The JDK's `DNSName.constrains` throws `StringIndexOutOfBoundsException` for an empty dNSName
/// compared with a DNS subtree; the exception escapes the whole trust check.
pub(crate) const EMPTY_DNS_NAME_CRASH: &str = "String index out of range: 0";

/// The JDK's name comparison threw instead of answering (see [`EMPTY_DNS_NAME_CRASH`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Crash;

impl Constraints {
    /// Excluded subtrees first, then permitted ones, as `NameConstraintsExtension.verify`.
    fn allows(&self, name: &Name) -> Result<bool, Crash> {
        for subtree in &self.excluded {
            if within(name, subtree)? == Some(true) {
                return Ok(false);
            }
        }
        let Some(permitted) = &self.permitted else {
            return Ok(true);
        };
        let mut same_kind = false;
        for subtree in permitted {
            match within(name, subtree)? {
                Some(true) => return Ok(true),
                Some(false) => same_kind = true,
                None => {}
            }
        }
        Ok(!same_kind)
    }

    /// Whether every name is allowed, in order.
    fn allows_all(&self, names: &[Name]) -> Result<bool, Crash> {
        for name in names {
            if !self.allows(name)? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Whether `name` is inside `subtree`; `None` when they are of different kinds.
fn within(name: &Name, subtree: &Subtree) -> Result<Option<bool>, Crash> {
    Ok(match (name, subtree) {
        (Name::Dns(name), Subtree::Dns(_)) if name.is_empty() => return Err(Crash),
        (Name::Dns(name), Subtree::Dns(base)) => Some(crate::hostname::in_domain(
            &name.to_ascii_lowercase(),
            &base.to_ascii_lowercase(),
        )),
        (Name::Ip(ip), Subtree::Ip { addr, mask }) => {
            let bytes = match ip {
                IpAddr::V4(v4) => v4.octets().to_vec(),
                IpAddr::V6(v6) => v6.octets().to_vec(),
            };
            // The JDK's `IPAddressName.constrains` takes an IPv6 name and an IPv4 subtree for
            // the same kind (never inside), but an IPv4 name and an IPv6 subtree for different
            // kinds.
            if bytes.len() != addr.len() {
                return Ok((bytes.len() == 16).then_some(false));
            }
            Some(
                bytes
                    .iter()
                    .zip(addr)
                    .zip(mask)
                    .all(|((b, a), m)| b & m == a & m),
            )
        }
        (Name::Directory(rdns), Subtree::Directory(base)) => {
            Some(base.len() <= rdns.len() && rdns[..base.len()] == base[..])
        }
        _ => None,
    })
}

/// Decodes one subtree; `None` when the JDK would refuse to decode it.
fn subtree(base: &GeneralName<'_>) -> Option<Subtree> {
    Some(match base {
        GeneralName::DNSName(dns) => {
            if !valid_dns_constraint(dns) {
                return None;
            }
            Subtree::Dns((*dns).to_owned())
        }
        GeneralName::IPAddress(bytes) => {
            if bytes.len() != 8 && bytes.len() != 32 {
                return None;
            }
            let (addr, mask) = bytes.split_at(bytes.len() / 2);
            if !contiguous(mask) {
                return None;
            }
            Subtree::Ip {
                addr: addr.to_vec(),
                mask: mask.to_vec(),
            }
        }
        GeneralName::DirectoryName(name) => Subtree::Directory(rdns(name)),
        _ => Subtree::Other,
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

/// The names `NameConstraintsExtension.verify` checks: the subject (when not empty), every
/// dNSName, iPAddress and directoryName subjectAltName, and the subject's most specific common
/// name: as an IP address when it is an IP literal and there is no iPAddress SAN, else as a DNS
/// name when it is a valid one and there is no dNSName SAN.
fn names_of(cert: &Cert<'_>) -> Vec<Name> {
    let mut names = subject_and_alt_names(cert);
    match cert.common_name_as_alt_name() {
        Some(AltName::Ip(ip)) if !names.iter().any(|n| matches!(n, Name::Ip(_))) => {
            names.push(Name::Ip(ip));
        }
        Some(AltName::Dns(dns)) if !names.iter().any(|n| matches!(n, Name::Dns(_))) => {
            names.push(Name::Dns(dns));
        }
        _ => {}
    }
    names
}
