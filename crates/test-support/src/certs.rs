//! Certificates as servers serve them, made with rcgen on the fly.

use std::sync::Arc;

use rcgen::{CertificateParams, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;

/// A self-signed certificate as a server serves it, and the DER of its leaf.
#[derive(Clone)]
pub struct Leaf {
    /// The chain (just the leaf) and its signing key.
    pub key: Arc<CertifiedKey>,
    /// The leaf.
    pub der: CertificateDer<'static>,
}

impl Leaf {
    /// A self-signed ECDSA P-256 leaf for `names`, valid now.
    pub fn new(names: &[&str]) -> Self {
        Self::with(names, |_| {})
    }

    /// A self-signed leaf for `names` that expired a year ago.
    pub fn expired(names: &[&str]) -> Self {
        Self::with(names, |params| {
            let now = time::OffsetDateTime::now_utc();
            params.not_before = now - time::Duration::days(730);
            params.not_after = now - time::Duration::days(365);
        })
    }

    /// A self-signed leaf for `names`, its parameters changed by `edit` first.
    ///
    /// # Panics
    /// When rcgen cannot make the certificate.
    pub fn with(names: &[&str], edit: impl FnOnce(&mut CertificateParams)) -> Self {
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .expect("certificate params");
        edit(&mut params);
        let key_pair = KeyPair::generate().expect("key pair");
        Self::signed(params, &key_pair)
    }

    /// A self-signed leaf of `params`, signed with and holding `key_pair` (an ED25519 key
    /// pair, say, which [`Leaf::with`] would not generate).
    ///
    /// # Panics
    /// When rcgen cannot make the certificate or the crypto provider cannot load the key.
    pub fn signed(params: CertificateParams, key_pair: &KeyPair) -> Self {
        let cert = params
            .self_signed(key_pair)
            .expect("self-signed certificate");
        let der = cert.der().clone();
        Leaf {
            key: certified(vec![der.clone()], key_pair),
            der,
        }
    }

    /// The leaf's SHA-256 fingerprint, as reports show it.
    ///
    /// # Panics
    /// When the leaf does not parse (rcgen made it, so it does).
    pub fn fingerprint(&self) -> String {
        hoplab_trace::CertSummary::from_der(&self.der)
            .expect("leaf parses")
            .sha256
    }
}

/// A self-signed leaf for `names`, valid now, as a server serves it.
pub fn self_signed(names: &[&str]) -> Arc<CertifiedKey> {
    Leaf::new(names).key
}

/// `chain` (leaf first) and the leaf's `key`, as rustls serves them.
///
/// # Panics
/// When the crypto provider cannot load the key.
pub fn certified(chain: Vec<CertificateDer<'static>>, key: &KeyPair) -> Arc<CertifiedKey> {
    let der = PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let signing = hoplab_trace::crypto_provider()
        .key_provider
        .load_private_key(der)
        .expect("signing key");
    Arc::new(CertifiedKey::new(chain, signing))
}
