//! The trust anchors in play for one verdict: the relevant trust-store certificates, plus the
//! server's own root when `insecureSkipVerification` is on.

use std::collections::{HashMap, HashSet};

use crate::chain::Cert;
use crate::checks;
use crate::explain::AnchorSource;
use crate::names::CanonicalName;
use crate::trust::TrustStore;

/// One trust anchor, parsed.
pub(crate) struct Anchor<'a> {
    pub(crate) cert: Cert<'a>,
    pub(crate) source: AnchorSource,
}

/// The anchors one verdict may end a path at.
pub(crate) struct Anchors<'a> {
    list: Vec<Anchor<'a>>,
    by_subject: HashMap<CanonicalName, Vec<usize>>,
}

impl<'a> Anchors<'a> {
    /// Trust-store certificates named as subject or issuer by a sent certificate (no other can
    /// take part), then, with `skip`, every sent certificate that qualifies as a private root.
    pub(crate) fn collect(trust: &'a TrustStore, sent: &[Cert<'a>], skip: bool) -> Self {
        let names = sent.iter().flat_map(|c| [c.subject(), c.issuer()]);
        let mut list: Vec<Anchor<'a>> = trust
            .with_subjects(names)
            .into_iter()
            .filter_map(|der| Cert::parse(der.as_ref()).ok())
            .map(|cert| Anchor {
                cert,
                source: AnchorSource::TrustStore,
            })
            .collect();
        if skip {
            let mut seen: HashSet<&[u8]> = list.iter().map(|a| a.cert.der()).collect();
            for cert in sent {
                if is_private_root(cert)
                    && seen.insert(cert.der())
                    && let Ok(cert) = Cert::parse(cert.der())
                {
                    list.push(Anchor {
                        cert,
                        source: AnchorSource::SentWithSkipVerification,
                    });
                }
            }
        }
        let mut by_subject: HashMap<CanonicalName, Vec<usize>> = HashMap::new();
        for (i, anchor) in list.iter().enumerate() {
            by_subject
                .entry(anchor.cert.subject().clone())
                .or_default()
                .push(i);
        }
        Anchors { list, by_subject }
    }

    /// The anchor `cert` is, if any: the same encoding, or (when `same_key_counts`) the same
    /// subject and public key, as `PKIXValidator` compares.
    pub(crate) fn matching(&self, cert: &Cert<'_>, same_key_counts: bool) -> Option<usize> {
        self.with_subject(cert.subject()).find(|&i| {
            let anchor = &self.list[i].cert;
            anchor.der() == cert.der() || (same_key_counts && anchor.spki() == cert.spki())
        })
    }

    /// Indices of the anchors whose subject is `name`.
    pub(crate) fn with_subject(&self, name: &CanonicalName) -> impl Iterator<Item = usize> + '_ {
        self.by_subject.get(name).into_iter().flatten().copied()
    }

    /// The anchor at `index`.
    pub(crate) fn get(&self, index: usize) -> &Anchor<'a> {
        &self.list[index]
    }
}

/// `AdaptableX509CertSelector`: whether `anchor` (already named as `child`'s issuer) may be
/// tried for `child`. When `child` has an authority key identifier, a key identifier in it must
/// equal the anchor's subject key identifier (an anchor without one is not excluded), and an
/// issuer serial number in it must equal the serial of a version 3 anchor.
pub(crate) fn selects(anchor: &Cert<'_>, child: &Cert<'_>) -> bool {
    let Some(aki) = child.authority_key_id() else {
        return true;
    };
    if let (Some(id), Some(ski)) = (aki.key_id, anchor.subject_key_id())
        && id != ski
    {
        return false;
    }
    if let Some(serial) = aki.serial
        && anchor.is_v3()
        && !same_serial(serial, anchor.serial())
    {
        return false;
    }
    true
}

/// Serial numbers compared as integers (leading zero bytes do not count).
fn same_serial(a: &[u8], b: &[u8]) -> bool {
    let trim = |s: &[u8]| -> Vec<u8> { s.iter().copied().skip_while(|b| *b == 0).collect() };
    trim(a) == trim(b)
}

/// What AWS requires of a private root under `insecureSkipVerification`: self-issued, signed by
/// its own key, basicConstraints CA:TRUE, and a keyUsage extension with keyCertSign.
fn is_private_root(cert: &Cert<'_>) -> bool {
    cert.self_issued()
        && cert.ca_path_len().is_some()
        && cert.key_usage().is_some_and(|ku| ku.key_cert_sign())
        && checks::signature(cert, cert).is_ok()
}
