//! Key pairs for the scenario's certificates, with a process-wide pool of RSA keys.
//!
//! ECDSA and Ed25519 keys take microseconds and are always fresh. RSA keys take tens of
//! milliseconds (2048) to seconds (4096), so they are generated once per process and handed out
//! again by `(key type, slot)`, where the slot is the n-th key of that type one
//! [`Pki::generate`](crate::Pki::generate) call asks for. Certificates within one PKI therefore
//! get distinct keys, and every later PKI in the process reuses them. That is safe here: the keys
//! are test keys that never leave loopback.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use hoplab_scenario::KeyType;
use rcgen::{
    KeyPair, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384, PKCS_ED25519, PKCS_RSA_SHA256,
    PublicKeyData, RsaKeySize, SigningKey,
};
use rustls::pki_types::PrivatePkcs8KeyDer;

use crate::legacy::SmallRsaKey;

/// A certificate's key: one aws-lc-rs signs with, or an RSA key too small for it.
#[derive(Debug)]
pub(crate) enum CertKey {
    Standard(KeyPair),
    SmallRsa(Box<SmallRsaKey>),
}

impl CertKey {
    /// The private key, PKCS#8.
    pub(crate) fn pkcs8(&self) -> Vec<u8> {
        match self {
            CertKey::Standard(key) => key.serialize_der(),
            CertKey::SmallRsa(key) => key.pkcs8().to_vec(),
        }
    }
}

impl PublicKeyData for CertKey {
    fn der_bytes(&self) -> &[u8] {
        match self {
            CertKey::Standard(key) => key.der_bytes(),
            CertKey::SmallRsa(key) => key.der_bytes(),
        }
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        match self {
            CertKey::Standard(key) => key.algorithm(),
            CertKey::SmallRsa(key) => key.algorithm(),
        }
    }
}

impl SigningKey for CertKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        match self {
            CertKey::Standard(key) => key.sign(msg),
            CertKey::SmallRsa(key) => key.sign(msg),
        }
    }
}

/// One pooled key: empty until the first request for its slot generates it.
type Slot = Arc<Mutex<Option<Arc<Vec<u8>>>>>;

/// The RSA keys generated so far in this process, as PKCS#8.
static POOL: OnceLock<Mutex<HashMap<(KeyType, usize), Slot>>> = OnceLock::new();
static GENERATED: AtomicU64 = AtomicU64::new(0);
static REUSED: AtomicU64 = AtomicU64::new(0);

/// How the RSA key pool has served requests since the process started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyPoolStats {
    /// RSA keys generated (pool misses).
    pub generated: u64,
    /// RSA keys handed out again from the pool (pool hits).
    pub reused: u64,
}

/// Counts of RSA keys generated and reused by this process so far.
pub fn key_pool_stats() -> KeyPoolStats {
    KeyPoolStats {
        generated: GENERATED.load(Ordering::Relaxed),
        reused: REUSED.load(Ordering::Relaxed),
    }
}

/// Hands out the keys of one PKI: the n-th request for a key type gets slot n.
#[derive(Debug, Default)]
pub(crate) struct KeySource {
    next_slot: HashMap<KeyType, usize>,
}

impl KeySource {
    /// The next key of this type for this PKI.
    pub(crate) fn next(&mut self, kind: KeyType) -> Result<CertKey, rcgen::Error> {
        let counter = self.next_slot.entry(kind).or_insert(0);
        let slot = *counter;
        *counter += 1;
        match rsa_size(kind) {
            Some(size) => pooled_rsa(kind, size, slot),
            None => KeyPair::generate_for(algorithm(kind)).map(CertKey::Standard),
        }
    }
}

/// The signature algorithm certificates signed by (or for) this key type use.
fn algorithm(kind: KeyType) -> &'static rcgen::SignatureAlgorithm {
    match kind {
        KeyType::EcdsaP256 => &PKCS_ECDSA_P256_SHA256,
        KeyType::EcdsaP384 => &PKCS_ECDSA_P384_SHA384,
        KeyType::Rsa1024 | KeyType::Rsa2048 | KeyType::Rsa3072 | KeyType::Rsa4096 => {
            &PKCS_RSA_SHA256
        }
        KeyType::Ed25519 => &PKCS_ED25519,
    }
}

/// How an RSA key of this type is generated: by aws-lc-rs, or (too small for it) by the
/// `rsa` crate.
#[derive(Debug, Clone, Copy)]
enum RsaSize {
    Standard(RsaKeySize),
    Small(usize),
}

fn rsa_size(kind: KeyType) -> Option<RsaSize> {
    match kind {
        KeyType::Rsa1024 => Some(RsaSize::Small(1024)),
        KeyType::Rsa2048 => Some(RsaSize::Standard(RsaKeySize::_2048)),
        KeyType::Rsa3072 => Some(RsaSize::Standard(RsaKeySize::_3072)),
        KeyType::Rsa4096 => Some(RsaSize::Standard(RsaKeySize::_4096)),
        KeyType::EcdsaP256 | KeyType::EcdsaP384 | KeyType::Ed25519 => None,
    }
}

/// The pooled RSA key for `(kind, slot)`, generating it on first use.
///
/// Each slot has its own lock, so concurrent PKIs wait for a key that is being generated
/// instead of generating it twice, while different slots generate in parallel.
fn pooled_rsa(kind: KeyType, size: RsaSize, slot: usize) -> Result<CertKey, rcgen::Error> {
    let cell = {
        let mut pool = lock(POOL.get_or_init(Default::default));
        Arc::clone(pool.entry((kind, slot)).or_default())
    };
    let mut cell = lock(&cell);
    let pkcs8 = match &*cell {
        Some(pkcs8) => {
            REUSED.fetch_add(1, Ordering::Relaxed);
            Arc::clone(pkcs8)
        }
        None => {
            let pkcs8 = Arc::new(match size {
                RsaSize::Standard(size) => {
                    KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, size)?.serialize_der()
                }
                RsaSize::Small(bits) => SmallRsaKey::generate_pkcs8(bits)?,
            });
            GENERATED.fetch_add(1, Ordering::Relaxed);
            *cell = Some(Arc::clone(&pkcs8));
            pkcs8
        }
    };
    drop(cell);
    match size {
        RsaSize::Standard(_) => KeyPair::from_pkcs8_der_and_sign_algo(
            &PrivatePkcs8KeyDer::from(pkcs8.as_slice()),
            &PKCS_RSA_SHA256,
        )
        .map(CertKey::Standard),
        RsaSize::Small(_) => {
            SmallRsaKey::from_pkcs8(&pkcs8).map(|key| CertKey::SmallRsa(Box::new(key)))
        }
    }
}

/// Locks a mutex, ignoring poisoning: the data (an optional key) is never left half-written.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::PublicKeyData;

    #[test]
    fn slots_are_distinct_within_a_source_and_shared_across_sources() {
        let mut first = KeySource::default();
        let a0 = first.next(KeyType::Rsa2048).unwrap();
        let a1 = first.next(KeyType::Rsa2048).unwrap();
        let mut second = KeySource::default();
        let b0 = second.next(KeyType::Rsa2048).unwrap();
        assert_ne!(a0.der_bytes(), a1.der_bytes());
        assert_eq!(a0.der_bytes(), b0.der_bytes());
    }

    #[test]
    fn cheap_keys_are_always_fresh() {
        let mut first = KeySource::default();
        let mut second = KeySource::default();
        for kind in [KeyType::EcdsaP256, KeyType::EcdsaP384, KeyType::Ed25519] {
            let a = first.next(kind).unwrap();
            let b = second.next(kind).unwrap();
            assert_ne!(a.der_bytes(), b.der_bytes(), "{kind:?}");
            assert!(std::ptr::eq(a.algorithm(), algorithm(kind)));
        }
    }
}
