//! The scenario's certificates, generated in memory with rcgen.
//!
//! [`Pki::generate`] turns a scenario's `[pki]` into real certificates: every authority, issuer
//! first, then every leaf, each with its own key. For each leaf it also prepares what a server
//! serving it sends ([`ServedCertificate`]): the chain in send order and a rustls
//! [`CertifiedKey`] ready for a certificate resolver. The gateway
//! trusts [`Pki::trusted`]; `hoplab certs` writes [`Pki::pem_files`].
//!
//! Generation is synchronous and CPU-bound (RSA keys especially); call it from
//! `tokio::task::spawn_blocking` inside a runtime. RSA keys come from a process-wide pool, so
//! only the first PKI of a process pays for them (see [`key_pool_stats`]).
//!
//! # Layout
//! - `keys`: key pairs per key type, and the process-wide RSA key pool.
//! - `window`: validity windows; an authority's defaulted ends widen to cover what it issues.
//! - `issue`: the contents of authority and leaf certificates, and signing them.
//! - `legacy`: what aws-lc-rs will not sign with: 1024-bit RSA keys and SHA-1.
//! - `chain`: which certificates a server sends for a leaf.
//! - `pem`: PEM files for writing the PKI to disk.
//! - `error`: [`PkiError`].

#![warn(missing_docs)]

mod chain;
mod error;
mod issue;
mod keys;
mod legacy;
mod pem;
mod window;

use std::sync::Arc;

use hoplab_scenario::{AuthorityId, CertId, CertRef, LeafIssuer};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::CertifiedKey;
use time::OffsetDateTime;

use crate::chain::{Catalog, IssuedAuthority};
use crate::issue::Signer;
use crate::keys::KeySource;

pub use error::PkiError;
pub use keys::{KeyPoolStats, key_pool_stats};
pub use legacy::ResignError;
pub use pem::certificate_pem;

/// Every certificate of one scenario, with the leaves' keys and chains.
#[derive(Debug)]
pub struct Pki {
    /// In issuer order (every issuer before what it signs).
    authorities: Vec<IssuedAuthority>,
    /// Where each authority is in `authorities`, by [`AuthorityId`].
    authority_at: Vec<usize>,
    /// By [`CertId`].
    leaves: Vec<IssuedLeaf>,
}

/// A leaf's own certificate and what a server serving it sends.
#[derive(Debug)]
struct IssuedLeaf {
    der: CertificateDer<'static>,
    served: ServedCertificate,
}

/// What a server serving one leaf presents.
#[derive(Debug)]
pub struct ServedCertificate {
    /// The leaf's name in the scenario.
    pub name: String,
    /// Exactly what the server sends, in send order (leaf first unless the chain is explicit).
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's private key, PKCS#8.
    pub key: PrivateKeyDer<'static>,
    /// `chain` and a signing key for `key`, ready for a rustls certificate resolver.
    pub certified_key: Arc<CertifiedKey>,
}

impl Clone for ServedCertificate {
    fn clone(&self) -> Self {
        ServedCertificate {
            name: self.name.clone(),
            chain: self.chain.clone(),
            key: self.key.clone_key(),
            certified_key: Arc::clone(&self.certified_key),
        }
    }
}

impl Pki {
    /// Generates every authority and leaf of the scenario; relative times resolve against `now`.
    pub fn generate(spec: &hoplab_scenario::Pki, now: OffsetDateTime) -> Result<Pki, PkiError> {
        let mut keys = KeySource::default();
        let key_error = |name: &str, kind: hoplab_scenario::KeyType| {
            let name = name.to_owned();
            move |source| PkiError::KeyGeneration {
                name,
                key_type: kind.as_str(),
                source,
            }
        };

        // Issuer order: every issuer's signer exists before what it signs.
        let mut signers: Vec<Option<Signer>> = Vec::new();
        signers.resize_with(spec.authorities().len(), || None);
        let mut authorities = Vec::with_capacity(spec.authorities().len());
        let mut authority_at = vec![0; spec.authorities().len()];
        let windows = window::authority_windows(spec, now);
        for authority in spec.authorities() {
            let issuer = authority.issuer().map(|issuer| signer(&signers, issuer));
            let key = keys
                .next(authority.key())
                .map_err(key_error(authority.name(), authority.key()))?;
            let window = windows[authority.id().index()];
            let (der, signer) = issue::authority(authority, window, key, issuer)?;
            signers[authority.id().index()] = Some(signer);
            authority_at[authority.id().index()] = authorities.len();
            authorities.push(IssuedAuthority {
                issuer: authority.issuer(),
                name: authority.name().to_owned(),
                der,
                trusted: authority.trusted(),
            });
        }

        let mut leaf_certs = Vec::with_capacity(spec.certificates().len());
        let mut leaf_keys = Vec::with_capacity(spec.certificates().len());
        for leaf in spec.certificates() {
            if let Some(pem) = leaf.pem() {
                leaf_certs.push(CertificateDer::from(pem.leaf().to_vec()));
                leaf_keys.push(pem.key_pkcs8().to_vec());
                continue;
            }
            let issuer = match leaf.issuer() {
                LeafIssuer::SelfSigned => None,
                LeafIssuer::Authority(issuer) => Some(signer(&signers, issuer)),
            };
            let key = keys
                .next(leaf.key())
                .map_err(key_error(leaf.name(), leaf.key()))?;
            let der = issue::leaf(leaf, &key, issuer, now)?;
            leaf_certs.push(der);
            leaf_keys.push(key.pkcs8());
        }

        let catalog = Catalog {
            authorities: &authorities,
            authority_at: &authority_at,
            leaves: &leaf_certs,
        };
        let mut leaves = Vec::with_capacity(spec.certificates().len());
        for ((leaf, der), key) in spec.certificates().iter().zip(&leaf_certs).zip(leaf_keys) {
            let chain = match leaf.pem() {
                Some(pem) => pem
                    .chain()
                    .iter()
                    .map(|der| CertificateDer::from(der.clone()))
                    .collect(),
                None => catalog.chain_sent(leaf, der),
            };
            let served = ServedCertificate::new(leaf.name(), chain, key)?;
            leaves.push(IssuedLeaf {
                der: der.clone(),
                served,
            });
        }

        Ok(Pki {
            authorities,
            authority_at,
            leaves,
        })
    }

    /// What a server serving the leaf `leaf` sends.
    pub fn served(&self, leaf: CertId) -> &ServedCertificate {
        &self.leaves[leaf.index()].served
    }

    /// The authorities API Gateway trusts (`trusted = true`), issuers first.
    pub fn trusted(&self) -> Vec<CertificateDer<'static>> {
        self.authorities
            .iter()
            .filter(|a| a.trusted)
            .map(|a| a.der.clone())
            .collect()
    }

    /// The certificate of any authority or leaf.
    pub fn certificate_der(&self, cert: CertRef) -> &CertificateDer<'static> {
        match cert {
            CertRef::Authority(id) => &self.authorities[self.authority_at[id.index()]].der,
            CertRef::Leaf(id) => &self.leaves[id.index()].der,
        }
    }

    /// Authority names, issuers first.
    pub fn authority_names(&self) -> impl Iterator<Item = &str> {
        self.authorities.iter().map(|a| a.name.as_str())
    }

    /// Leaf names, in scenario order.
    pub fn leaf_names(&self) -> impl Iterator<Item = &str> {
        self.leaves.iter().map(|l| l.served.name.as_str())
    }
}

/// The signer of an authority generated earlier: generation follows issuer order, which
/// validation guarantees, so the issuer's signer exists.
fn signer(signers: &[Option<Signer>], issuer: AuthorityId) -> &Signer {
    signers[issuer.index()]
        .as_ref()
        .expect("a validated PKI lists every issuer before what it signs")
}

impl ServedCertificate {
    fn new(
        name: &str,
        chain: Vec<CertificateDer<'static>>,
        pkcs8: Vec<u8>,
    ) -> Result<ServedCertificate, PkiError> {
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8));
        let signing_key =
            rustls::crypto::aws_lc_rs::sign::any_supported_type(&key).map_err(|source| {
                PkiError::SigningKey {
                    name: name.to_owned(),
                    source,
                }
            })?;
        Ok(ServedCertificate {
            name: name.to_owned(),
            certified_key: Arc::new(CertifiedKey::new(chain.clone(), signing_key)),
            chain,
            key,
        })
    }
}
