//! What each certificate of a scenario will contain, read from its spec alone.
//!
//! These are the facts hoplab-pki writes into the certificates it generates, restated so the
//! model never needs a real certificate:
//!
//! - The subject is the common name alone (`CN=…`); a leaf without one has an empty subject.
//!   Two certificates with the same common name therefore have the same subject.
//! - The issuer name is the signing authority's subject; a self-signed certificate's issuer is
//!   its own subject.
//! - Every certificate has its own key, so a signature verifies with exactly one certificate's
//!   key: the signer's.
//! - Validity ends are resolved against the scenario clock and lose their sub-second part
//!   (X.509 times have whole seconds).
//! - Every certificate carries keyUsage with digitalSignature (authorities also keyCertSign and
//!   cRLSign when `key_cert_sign`; leaves keyCertSign only when asked) and an explicit
//!   basicConstraints. Leaves carry extendedKeyUsage serverAuth; authorities carry none.
//! - The chain a server sends follows the leaf's `chain` preset or explicit list.
//! - A certificate with `signature_hash = "sha1"` is signed with `SHA1withRSA`; an authority's
//!   DNS name constraints are written as its nameConstraints extension.

use std::net::IpAddr;

use hoplab_scenario::{
    CertId, CertRef, ChainPreset, ChainSent, DnsNameConstraints, LeafIssuer, Pki, SignatureHash,
    Validity,
};
use time::OffsetDateTime;

/// Whether a certificate is an authority or a leaf in the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Authority,
    Leaf,
}

/// The facts the verdict reads from one certificate.
#[derive(Debug, Clone)]
pub(crate) struct Facts<'s> {
    /// Which certificate of the scenario this is.
    pub(crate) id: CertRef,
    /// The scenario name (authority or leaf).
    pub(crate) name: &'s str,
    pub(crate) kind: Kind,
    /// Subject common name; `None` is an empty subject.
    pub(crate) subject: Option<&'s str>,
    /// Issuer name (the signer's subject); `None` is an empty issuer.
    pub(crate) issuer: Option<&'s str>,
    /// The certificate whose key signed this one (itself when self-signed).
    pub(crate) signer: CertRef,
    pub(crate) not_before: OffsetDateTime,
    pub(crate) not_after: OffsetDateTime,
    /// basicConstraints CA:TRUE.
    pub(crate) ca: bool,
    /// keyUsage keyCertSign.
    pub(crate) key_cert_sign: bool,
    /// An authority in API Gateway's trust store.
    pub(crate) trusted: bool,
    pub(crate) dns_names: &'s [String],
    pub(crate) ip_addresses: &'s [IpAddr],
    /// The certificate comes from the user's PEM files: its contents are not known here.
    pub(crate) imported: bool,
    /// Signed with SHA-1 (`SHA1withRSA`).
    pub(crate) sha1_signed: bool,
    /// The DNS name constraints an authority places below it; `None` for leaves.
    pub(crate) name_constraints: Option<&'s DnsNameConstraints>,
}

impl Facts<'_> {
    /// Subject and issuer are the same name.
    pub(crate) fn self_issued(&self) -> bool {
        self.subject == self.issuer
    }

    /// Signed with its own key.
    pub(crate) fn self_signed(&self) -> bool {
        self.signer == self.id
    }

    /// The subject as Java's `X500Principal.toString()` prints it.
    pub(crate) fn principal(&self) -> String {
        principal(self.subject)
    }

    /// Why the JDK cannot parse this certificate (`X509CertImpl`), if it cannot.
    ///
    /// An empty issuer is refused outright. An empty subject needs a non-empty subjectAltName
    /// marked critical to stand for it; hoplab-pki marks the extension critical whenever the
    /// subject is empty, so only its absence (no names at all) remains. A certificate imported
    /// from PEM files is not known here and is taken as parseable.
    pub(crate) fn parse_failure(&self) -> Option<ParseFailure> {
        if self.imported {
            None
        } else if self.issuer.is_none() {
            Some(ParseFailure::EmptyIssuer)
        } else if self.subject.is_none()
            && self.dns_names.is_empty()
            && self.ip_addresses.is_empty()
        {
            Some(ParseFailure::EmptySubjectWithoutNames)
        } else {
            None
        }
    }

    /// `"name" (CN=…)`, for sentences.
    pub(crate) fn label(&self) -> String {
        let subject = self.principal();
        if subject.is_empty() {
            format!("{:?} (empty subject)", self.name)
        } else {
            format!("{:?} ({subject})", self.name)
        }
    }
}

/// Why the JDK refuses to parse a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParseFailure {
    /// The issuer name is empty (a self-signed certificate with an empty subject).
    EmptyIssuer,
    /// The subject is empty and no subjectAltName stands for it.
    EmptySubjectWithoutNames,
}

/// A name as Java prints it: `CN=value`, quoted when the value holds special characters, or
/// the empty string for an empty name.
pub(crate) fn principal(common_name: Option<&str>) -> String {
    let Some(cn) = common_name else {
        return String::new();
    };
    let special = |c: char| matches!(c, ',' | '+' | '=' | '"' | '<' | '>' | '#' | ';' | '\n');
    if cn.chars().any(special) || cn.starts_with(' ') || cn.ends_with(' ') {
        format!("CN=\"{}\"", cn.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        format!("CN={cn}")
    }
}

/// Every authority and leaf of a scenario, as facts.
#[derive(Debug)]
pub(crate) struct Catalog<'s> {
    /// Authorities in issuer order, then leaves in file order.
    certs: Vec<Facts<'s>>,
    /// Where each authority's facts are in `certs`, by authority id.
    authority_at: Vec<usize>,
    spec: &'s Pki,
}

impl<'s> Catalog<'s> {
    /// Reads every certificate's facts, resolving validity against `now`.
    pub(crate) fn new(spec: &'s Pki, now: OffsetDateTime) -> Self {
        let mut certs = Vec::with_capacity(spec.authorities().len() + spec.certificates().len());
        let mut authority_at = vec![0; spec.authorities().len()];
        for a in spec.authorities() {
            let (issuer, signer) = match a.issuer() {
                Some(issuer) => (
                    Some(spec.authority(issuer).common_name()),
                    CertRef::Authority(issuer),
                ),
                None => (Some(a.common_name()), CertRef::Authority(a.id())),
            };
            let (not_before, not_after) = window(a.validity(), now);
            authority_at[a.id().index()] = certs.len();
            certs.push(Facts {
                id: CertRef::Authority(a.id()),
                name: a.name(),
                kind: Kind::Authority,
                subject: Some(a.common_name()),
                issuer,
                signer,
                not_before,
                not_after,
                ca: a.basic_constraints_ca(),
                key_cert_sign: a.key_cert_sign(),
                trusted: a.trusted(),
                dns_names: &[],
                ip_addresses: &[],
                imported: false,
                sha1_signed: a.signature_hash() == Some(SignatureHash::Sha1),
                name_constraints: Some(a.name_constraints())
                    .filter(|constraints| !constraints.is_empty()),
            });
        }
        for leaf in spec.certificates() {
            let subject = leaf.common_name();
            let (issuer, signer) = match leaf.issuer() {
                LeafIssuer::Authority(issuer) => (
                    Some(spec.authority(issuer).common_name()),
                    CertRef::Authority(issuer),
                ),
                LeafIssuer::SelfSigned => (subject, CertRef::Leaf(leaf.id())),
            };
            let (not_before, not_after) = window(leaf.validity(), now);
            certs.push(Facts {
                id: CertRef::Leaf(leaf.id()),
                name: leaf.name(),
                kind: Kind::Leaf,
                subject,
                issuer,
                signer,
                not_before,
                not_after,
                ca: leaf.basic_constraints_ca(),
                key_cert_sign: leaf.key_cert_sign(),
                trusted: false,
                dns_names: leaf.dns_names(),
                ip_addresses: leaf.ip_addresses(),
                imported: leaf.pem().is_some(),
                sha1_signed: leaf.signature_hash() == Some(SignatureHash::Sha1),
                name_constraints: None,
            });
        }
        Catalog {
            certs,
            authority_at,
            spec,
        }
    }

    /// The facts of one certificate, authority or leaf.
    pub(crate) fn get(&self, cert: CertRef) -> &Facts<'s> {
        match cert {
            CertRef::Authority(id) => &self.certs[self.authority_at[id.index()]],
            CertRef::Leaf(id) => &self.certs[self.authority_at.len() + id.index()],
        }
    }

    /// The facts of a leaf certificate.
    pub(crate) fn leaf(&self, leaf: CertId) -> &Facts<'s> {
        self.get(CertRef::Leaf(leaf))
    }

    /// The trusted authorities, in the order the scenario generates them (issuers first).
    pub(crate) fn trusted(&self) -> impl Iterator<Item = &Facts<'s>> {
        self.certs.iter().filter(|c| c.trusted)
    }

    /// What a server serving the leaf `leaf` sends, in send order.
    ///
    /// Presets follow the leaf's issuers upwards: the intermediates leaf-side first, then
    /// the root when asked; `leaf+reversed-intermediates` sends the intermediates root-side
    /// first. An explicit list is sent as written.
    pub(crate) fn chain_sent(&self, leaf: CertId) -> Vec<&Facts<'s>> {
        let spec = self.spec.certificate(leaf);
        let (intermediates, root) = self.issuers(spec.issuer());
        let mut chain = vec![self.leaf(leaf)];
        match spec.chain() {
            ChainSent::Preset(ChainPreset::Leaf) => {}
            ChainSent::Preset(ChainPreset::LeafAndIntermediates) => chain.extend(intermediates),
            ChainSent::Preset(ChainPreset::LeafIntermediatesAndRoot) => {
                chain.extend(intermediates);
                chain.extend(root);
            }
            ChainSent::Preset(ChainPreset::LeafAndReversedIntermediates) => {
                chain.extend(intermediates.into_iter().rev());
            }
            ChainSent::Explicit(entries) => {
                chain = entries.iter().map(|entry| self.get(*entry)).collect();
            }
        }
        chain
    }

    /// A leaf's issuing authorities: `(intermediates leaf-side first, root)`. Validation rules
    /// out issuer cycles, so the climb ends at a root.
    fn issuers(&self, issuer: LeafIssuer) -> (Vec<&Facts<'s>>, Option<&Facts<'s>>) {
        let LeafIssuer::Authority(first) = issuer else {
            return (Vec::new(), None);
        };
        let mut intermediates = Vec::new();
        let mut current = first;
        while let Some(next) = self.spec.authority(current).issuer() {
            intermediates.push(self.get(CertRef::Authority(current)));
            current = next;
        }
        (intermediates, Some(self.get(CertRef::Authority(current))))
    }
}

/// A validity window as the certificate will hold it.
fn window(validity: Validity, now: OffsetDateTime) -> (OffsetDateTime, OffsetDateTime) {
    let whole = |t: OffsetDateTime| t.replace_nanosecond(0).unwrap_or(t);
    (
        whole(validity.not_before().resolve(now)),
        whole(validity.not_after().resolve(now)),
    )
}

#[cfg(test)]
mod tests {
    use super::principal;

    #[test]
    fn principals_are_printed_as_java_prints_them() {
        assert_eq!(principal(None), "");
        assert_eq!(principal(Some("api.example.com")), "CN=api.example.com");
        assert_eq!(principal(Some("Acme, Inc")), "CN=\"Acme, Inc\"");
        assert_eq!(principal(Some(" padded")), "CN=\" padded\"");
        assert_eq!(principal(Some("say \"hi\"=")), "CN=\"say \\\"hi\\\"=\"");
    }
}
