//! Choosing an HTTPS listener's certificate from the client's SNI, as an ALB does.
//!
//! AWS: "the default certificate is used only if a client connects without using the Server
//! Name Indication (SNI) protocol to specify a hostname or if there are no matching
//! certificates in the certificate list." When several certificates in the list match, the
//! ALB's "smart" selection prefers ECDSA over RSA, then a SHA signature over MD5, then the
//! largest key, then the validity period. (An NLB has no ECDSA step.)
//!
//! Choices where AWS is silent (docs/choices.md):
//! - **Validity period** means the later `notAfter` wins.
//! - **Client support** is not consulted: the choice depends on the SNI alone, so an ECDSA
//!   certificate is served even to a client that offered no ECDSA signature scheme.
//! - **Ties** go to the certificate listed first.
//!
//! ED25519 certificates are refused when the listener starts (AWS: no ED25519 keys).

use std::cmp::Ordering;
use std::sync::Arc;

use hoplab_hop::{CertificateSlots, ListenerCertificate, certificate_name_matches};
use hoplab_trace::{CertSummary, HopId};
use rustls::SignatureAlgorithm;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use x509_parser::oid_registry::{OID_MD5_WITH_RSA, OID_PKCS1_MD5WITHRSAENC};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

use crate::{AlbError, HttpsListener};

/// What the smart selection compares, most important first; larger is preferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Preference {
    ecdsa: bool,
    not_md5: bool,
    key_bits: usize,
    not_after: i64,
}

/// One certificate a listener can serve.
#[derive(Debug)]
pub(crate) struct Choice {
    /// The chain and key rustls serves.
    key: Arc<CertifiedKey>,
    /// Summaries of the chain, leaf first, as sent.
    pub(crate) served: Arc<[CertSummary]>,
    /// The leaf's DNS names.
    names: Vec<String>,
    preference: Preference,
}

impl Choice {
    /// Reads what selection needs from `key`'s leaf; `which` names it in errors.
    fn new(hop: &HopId, which: String, key: &Arc<CertifiedKey>) -> Result<Self, AlbError> {
        let Some(leaf) = key.cert.first() else {
            return Err(AlbError::EmptyChain {
                hop: hop.clone(),
                which,
            });
        };
        let algorithm = key.key.algorithm();
        if algorithm == SignatureAlgorithm::ED25519 {
            return Err(AlbError::Ed25519Certificate {
                hop: hop.clone(),
                which,
            });
        }
        let unparsable = || AlbError::UnparsableLeaf {
            hop: hop.clone(),
            which: which.clone(),
        };
        let (_, cert) = X509Certificate::from_der(leaf).map_err(|_| unparsable())?;
        let summary = CertSummary::from_der(leaf).ok_or_else(unparsable)?;
        let key_bits = match cert.public_key().parsed() {
            Ok(PublicKey::RSA(rsa)) => rsa.key_size(),
            Ok(PublicKey::EC(point)) => point.key_size(),
            _ => 0,
        };
        let signature = &cert.signature_algorithm.algorithm;
        let preference = Preference {
            ecdsa: algorithm == SignatureAlgorithm::ECDSA,
            not_md5: *signature != OID_PKCS1_MD5WITHRSAENC && *signature != OID_MD5_WITH_RSA,
            key_bits,
            not_after: cert.validity().not_after.timestamp(),
        };
        Ok(Choice {
            key: Arc::clone(key),
            served: CertSummary::chain(key.cert.iter().map(|der| der.as_ref())).into(),
            names: summary.dns_names,
            preference,
        })
    }

    fn covers(&self, sni: &str) -> bool {
        self.names
            .iter()
            .any(|pattern| certificate_name_matches(pattern, sni))
    }
}

/// An HTTPS listener's certificates: the default one and the SNI-matched list, each
/// replaceable while the listener serves.
///
/// It is both the rustls certificate resolver and, after the handshake, the way to find out
/// which chain was served: selection is a pure function of the SNI, which rustls keeps, and
/// of the certificates in place (a replacement that lands during a handshake may be recorded
/// with the chain that replaced the one sent).
#[derive(Debug)]
pub(crate) struct CertificateSelector {
    hop: HopId,
    slots: CertificateSlots<Choice>,
}

impl CertificateSelector {
    /// Reads every certificate once, up front, refusing empty chains, unparsable leaves and
    /// ED25519 keys.
    pub(crate) fn new(hop: &HopId, https: &HttpsListener) -> Result<Self, AlbError> {
        let default = Choice::new(hop, "default".to_owned(), &https.default_certificate)?;
        let list = https
            .certificates
            .iter()
            .enumerate()
            .map(|(index, key)| Choice::new(hop, format!("list[{index}]"), key))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CertificateSelector {
            hop: hop.clone(),
            slots: CertificateSlots::new(default, list),
        })
    }

    /// The certificate served to a client that asked for `sni`.
    pub(crate) fn select(&self, sni: Option<&str>) -> Arc<Choice> {
        let Some(sni) = sni else {
            return self.slots.default();
        };
        self.slots
            .list()
            .filter(|choice| choice.covers(sni))
            .fold(None, |best: Option<Arc<Choice>>, choice| match best {
                // Strictly better only, so the first listed wins a tie.
                Some(best) if choice.preference.cmp(&best.preference) != Ordering::Greater => {
                    Some(best)
                }
                _ => Some(choice),
            })
            .unwrap_or_else(|| self.slots.default())
    }

    /// Serves `key` as `which` from the next handshake on, after the checks a listener
    /// makes when it starts.
    pub(crate) fn replace(
        &self,
        which: ListenerCertificate,
        key: &Arc<CertifiedKey>,
    ) -> Result<(), AlbError> {
        let no_such = || AlbError::NoSuchCertificate {
            hop: self.hop.clone(),
            which,
            listed: self.slots.listed(),
        };
        self.slots.get(which).ok_or_else(no_such)?;
        let choice = Choice::new(&self.hop, which.to_string(), key)?;
        self.slots
            .set(which, choice)
            .then_some(())
            .ok_or_else(no_such)
    }

    /// The chain served as `which` now.
    pub(crate) fn current(&self, which: ListenerCertificate) -> Option<Arc<CertifiedKey>> {
        self.slots.get(which).map(|choice| Arc::clone(&choice.key))
    }
}

impl ResolvesServerCert for CertificateSelector {
    fn resolve(&self, client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.select(client_hello.server_name()).key))
    }
}

/// An HTTPS listener's certificates as whoever runs the listener can change them: made from
/// its configuration before it starts ([`ListenerCertificates::new`]) and handed to
/// [`serve_listener_controlled`](crate::serve_listener_controlled). Cloning shares them.
#[derive(Debug, Clone)]
pub struct ListenerCertificates {
    selector: Arc<CertificateSelector>,
}

impl ListenerCertificates {
    /// The certificates of the HTTPS listener `hop` configured with `https`.
    ///
    /// # Errors
    /// [`AlbError`] for an empty chain, an unparsable leaf or an ED25519 key.
    pub fn new(hop: &HopId, https: &HttpsListener) -> Result<Self, AlbError> {
        Ok(ListenerCertificates {
            selector: Arc::new(CertificateSelector::new(hop, https)?),
        })
    }

    /// Serves `key` as the default certificate or as a list entry from the next handshake
    /// on; connections already open keep their session.
    ///
    /// # Errors
    /// [`AlbError`] when the listener has no such list entry or would refuse `key` at start
    /// (empty chain, unparsable leaf, ED25519); nothing changes then.
    pub fn replace(
        &self,
        which: ListenerCertificate,
        key: &Arc<CertifiedKey>,
    ) -> Result<(), AlbError> {
        self.selector.replace(which, key)
    }

    /// The chain served as `which` now; `None` when there is no such list entry.
    pub fn current(&self, which: ListenerCertificate) -> Option<Arc<CertifiedKey>> {
        self.selector.current(which)
    }

    pub(crate) fn selector(&self) -> Arc<CertificateSelector> {
        Arc::clone(&self.selector)
    }
}

#[cfg(test)]
mod tests {
    use rcgen::{CertificateParams, KeyPair, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384};
    use rcgen::{PKCS_ED25519, PKCS_RSA_SHA256, SignatureAlgorithm as Alg};
    use rustls::pki_types::PrivateKeyDer;

    use super::*;

    fn key(names: &[&str], alg: &'static Alg, days: i64) -> Arc<CertifiedKey> {
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        params.not_after = time::OffsetDateTime::now_utc() + time::Duration::days(days);
        let pair = if alg == &PKCS_RSA_SHA256 {
            KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048).unwrap()
        } else {
            KeyPair::generate_for(alg).unwrap()
        };
        let cert = params.self_signed(&pair).unwrap();
        let signing = hoplab_trace::crypto_provider()
            .key_provider
            .load_private_key(PrivateKeyDer::Pkcs8(pair.serialize_der().into()))
            .unwrap();
        Arc::new(CertifiedKey::new(vec![cert.der().clone()], signing))
    }

    fn https(default: &Arc<CertifiedKey>, list: &[&Arc<CertifiedKey>]) -> HttpsListener {
        let mut https = HttpsListener::new(Arc::clone(default));
        https.certificates = list.iter().map(|k| Arc::clone(k)).collect();
        https
    }

    fn served<'a>(
        selector: &CertificateSelector,
        sni: Option<&str>,
        keys: &'a [(&str, &Arc<CertifiedKey>)],
    ) -> &'a str {
        let choice = selector.select(sni);
        keys.iter()
            .find(|(_, key)| Arc::ptr_eq(key, &choice.key))
            .map(|(name, _)| *name)
            .expect("a known key")
    }

    #[test]
    fn sni_picks_from_the_list_by_alb_preference_and_falls_back_to_the_default() {
        let hop = HopId::alb("web", 443);
        let default = key(&["default.example.com"], &PKCS_ECDSA_P256_SHA256, 365);
        let rsa = key(&["api.example.com"], &PKCS_RSA_SHA256, 365);
        let ec256 = key(&["*.example.com"], &PKCS_ECDSA_P256_SHA256, 365);
        let ec384 = key(&["api.example.com"], &PKCS_ECDSA_P384_SHA384, 30);
        let ec384_longer = key(&["api.example.com"], &PKCS_ECDSA_P384_SHA384, 90);
        let other = key(&["other.example.org"], &PKCS_RSA_SHA256, 365);
        let keys = [
            ("default", &default),
            ("rsa", &rsa),
            ("ec256", &ec256),
            ("ec384", &ec384),
            ("ec384-longer", &ec384_longer),
            ("other", &other),
        ];
        let selector = |list: &[&Arc<CertifiedKey>]| {
            CertificateSelector::new(&hop, &https(&default, list)).unwrap()
        };
        // (list, SNI, served)
        type Case<'a> = (Vec<&'a Arc<CertifiedKey>>, Option<&'a str>, &'a str);
        let cases: Vec<Case<'_>> = vec![
            (vec![&rsa, &other], None, "default"),
            (vec![&rsa, &other], Some("unknown.example.net"), "default"),
            (vec![&rsa, &other], Some("other.example.org"), "other"),
            (vec![&rsa, &other], Some("API.example.com"), "rsa"),
            // ECDSA over RSA, whatever the order.
            (vec![&rsa, &ec256], Some("api.example.com"), "ec256"),
            (vec![&ec256, &rsa], Some("api.example.com"), "ec256"),
            // Then the larger key.
            (vec![&ec256, &ec384], Some("api.example.com"), "ec384"),
            // Then the later end of validity.
            (
                vec![&ec384, &ec384_longer],
                Some("api.example.com"),
                "ec384-longer",
            ),
            (
                vec![&ec384_longer, &ec384],
                Some("api.example.com"),
                "ec384-longer",
            ),
            // A tie goes to the first listed.
            (vec![&ec384, &ec384], Some("api.example.com"), "ec384"),
            // The wildcard covers one label only.
            (vec![&ec256], Some("a.b.example.com"), "default"),
        ];
        for (list, sni, expected) in cases {
            assert_eq!(served(&selector(&list), sni, &keys), expected, "{sni:?}");
        }
    }

    #[test]
    fn a_replaced_certificate_is_served_from_then_on_and_a_refused_one_changes_nothing() {
        let hop = HopId::alb("web", 443);
        let default = key(&["default.example.com"], &PKCS_ECDSA_P256_SHA256, 365);
        let api = key(&["api.example.com"], &PKCS_ECDSA_P256_SHA256, 365);
        let expired = key(&["api.example.com"], &PKCS_ECDSA_P256_SHA256, -30);
        let ed = key(&["api.example.com"], &PKCS_ED25519, 365);
        let keys = [("default", &default), ("api", &api), ("expired", &expired)];
        let certificates = ListenerCertificates::new(&hop, &https(&default, &[&api])).unwrap();
        let selector = certificates.selector();
        assert_eq!(served(&selector, Some("api.example.com"), &keys), "api");
        certificates
            .replace(ListenerCertificate::List(0), &expired)
            .unwrap();
        assert_eq!(served(&selector, Some("api.example.com"), &keys), "expired");
        certificates
            .replace(ListenerCertificate::Default, &expired)
            .unwrap();
        assert_eq!(served(&selector, None, &keys), "expired");
        let error = certificates
            .replace(ListenerCertificate::List(3), &api)
            .unwrap_err();
        assert!(matches!(
            error,
            AlbError::NoSuchCertificate { listed: 1, .. }
        ));
        let error = certificates
            .replace(ListenerCertificate::List(0), &ed)
            .unwrap_err();
        assert!(matches!(error, AlbError::Ed25519Certificate { .. }));
        assert_eq!(served(&selector, Some("api.example.com"), &keys), "expired");
    }

    #[test]
    fn ed25519_certificates_are_refused_with_their_position() {
        let hop = HopId::alb("web", 443);
        let good = key(&["a.example.com"], &PKCS_ECDSA_P256_SHA256, 365);
        let ed = key(&["b.example.com"], &PKCS_ED25519, 365);
        let error = CertificateSelector::new(&hop, &https(&good, &[&good, &ed])).unwrap_err();
        assert_eq!(
            error.to_string(),
            "alb:web:443: certificate list[1] has an ED25519 key, which an ALB does not accept (use RSA or ECDSA)"
        );
        let error = CertificateSelector::new(&hop, &https(&ed, &[])).unwrap_err();
        assert!(matches!(error, AlbError::Ed25519Certificate { which, .. } if which == "default"));
    }
}
