//! Keys for random chains, and signing with any hash the generator picks.
//!
//! RSA keys come from fixture files (`tests/fixtures/keys/`, generating them per run would be
//! slow); EC and Ed25519 keys are derived from a slot number, so the same seed always gives
//! the same keys. P-192 and P-224 keys are public keys only (the curve's generator point): no
//! library here signs with them, and the JDK 17 cannot use them either, so what they "sign"
//! is random bytes.

use std::sync::OnceLock;

use p256::ecdsa::signature::hazmat::PrehashSigner;
use rand::SeedableRng;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

use super::der;

/// A key type the generator uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Rsa(u32),
    P192,
    P224,
    P256,
    P384,
    P521,
    Ed25519,
}

/// A hash a signature algorithm names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => Sha1::digest(data).to_vec(),
            Hash::Sha224 => Sha224::digest(data).to_vec(),
            Hash::Sha256 => Sha256::digest(data).to_vec(),
            Hash::Sha384 => Sha384::digest(data).to_vec(),
            Hash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    fn oid(self) -> &'static [u64] {
        match self {
            Hash::Sha1 => &[1, 3, 14, 3, 2, 26],
            Hash::Sha224 => &[2, 16, 840, 1, 101, 3, 4, 2, 4],
            Hash::Sha256 => &[2, 16, 840, 1, 101, 3, 4, 2, 1],
            Hash::Sha384 => &[2, 16, 840, 1, 101, 3, 4, 2, 2],
            Hash::Sha512 => &[2, 16, 840, 1, 101, 3, 4, 2, 3],
        }
    }

    fn len(self) -> u64 {
        match self {
            Hash::Sha1 => 20,
            Hash::Sha224 => 28,
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }
}

/// A signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SigAlg {
    RsaPkcs1(Hash),
    RsaPss(Hash),
    Ecdsa(Hash),
    Ed25519,
}

impl SigAlg {
    /// Its AlgorithmIdentifier.
    pub(crate) fn identifier(self) -> Vec<u8> {
        match self {
            SigAlg::RsaPkcs1(hash) => {
                let last = match hash {
                    Hash::Sha1 => 5,
                    Hash::Sha224 => 14,
                    Hash::Sha256 => 11,
                    Hash::Sha384 => 12,
                    Hash::Sha512 => 13,
                };
                der::seq(&[&der::oid(&[1, 2, 840, 113549, 1, 1, last]), &der::null()])
            }
            SigAlg::RsaPss(hash) => {
                let hash_alg = der::seq(&[&der::oid(hash.oid()), &der::null()]);
                let mgf = der::seq(&[&der::oid(&[1, 2, 840, 113549, 1, 1, 8]), &hash_alg]);
                let params = der::seq(&[
                    &der::tlv(0xa0, &hash_alg),
                    &der::tlv(0xa1, &mgf),
                    &der::tlv(0xa2, &der::integer(hash.len())),
                ]);
                der::seq(&[&der::oid(&[1, 2, 840, 113549, 1, 1, 10]), &params])
            }
            SigAlg::Ecdsa(hash) => {
                let arcs: &[u64] = match hash {
                    Hash::Sha1 => &[1, 2, 840, 10045, 4, 1],
                    Hash::Sha224 => &[1, 2, 840, 10045, 4, 3, 1],
                    Hash::Sha256 => &[1, 2, 840, 10045, 4, 3, 2],
                    Hash::Sha384 => &[1, 2, 840, 10045, 4, 3, 3],
                    Hash::Sha512 => &[1, 2, 840, 10045, 4, 3, 4],
                };
                der::seq(&[&der::oid(arcs)])
            }
            SigAlg::Ed25519 => der::seq(&[&der::oid(&[1, 3, 101, 112])]),
        }
    }
}

/// A key pair (or a public key only, for curves nothing here signs with).
pub(crate) struct Key {
    pub(crate) kind: KeyKind,
    /// Its SubjectPublicKeyInfo.
    pub(crate) spki: Vec<u8>,
    secret: Secret,
    /// The same EC key in aws-lc-rs, which signs much faster, for the curve's own hash.
    fast_ec: Option<(Hash, aws_lc_rs::signature::EcdsaKeyPair)>,
}

enum Secret {
    /// The `rsa` crate signs any hash; aws-lc-rs (much faster) signs keys of 2048 bits and
    /// more with SHA-256 to SHA-512.
    Rsa(Box<rsa::RsaPrivateKey>, Option<aws_lc_rs::rsa::KeyPair>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
    Ed25519(aws_lc_rs::signature::Ed25519KeyPair),
    None,
}

/// How many keys of each kind there are.
pub(crate) const SLOTS: u64 = 3;

/// An EC key of one RustCrypto curve crate, with its aws-lc-rs twin for the curve's own hash.
macro_rules! ec_key {
    ($kind:expr, $rng:expr, $curve:ident, $secret:ident, $oid:expr, $fast:ident, $hash:ident) => {{
        let key = $curve::ecdsa::SigningKey::random(&mut Rng08(&mut $rng));
        let point = $curve::ecdsa::VerifyingKey::from(&key)
            .to_encoded_point(false)
            .as_bytes()
            .to_vec();
        let fast_ec = fast_ec(&aws_lc_rs::signature::$fast, &key.to_bytes(), &point)
            .map(|k| (Hash::$hash, k));
        Key {
            kind: $kind,
            spki: ec_spki(&$oid, point),
            secret: Secret::$secret(key),
            fast_ec,
        }
    }};
}

impl Key {
    /// Key `slot` (0..SLOTS) of a kind; the same arguments always give the same key.
    pub(crate) fn get(kind: KeyKind, slot: u64) -> &'static Key {
        static POOL: OnceLock<Vec<(KeyKind, u64, Key)>> = OnceLock::new();
        let pool = POOL.get_or_init(|| {
            let mut pool = Vec::new();
            for kind in ALL_KINDS {
                for slot in 0..SLOTS {
                    pool.push((kind, slot, Key::make(kind, slot)));
                }
            }
            pool
        });
        &pool
            .iter()
            .find(|(k, s, _)| *k == kind && *s == slot % SLOTS)
            .expect("every kind has SLOTS keys")
            .2
    }

    fn make(kind: KeyKind, slot: u64) -> Key {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x6b65_7973 ^ slot);
        match kind {
            KeyKind::Rsa(bits) => {
                // Two fixture files per size; a third slot reuses the first.
                let name = ["a", "b", "a"][slot as usize % 3];
                let path = format!(
                    "{}/fixtures/keys/rsa-{bits}-{name}.pem",
                    env!("CARGO_MANIFEST_DIR")
                );
                let pem = std::fs::read_to_string(&path).expect("RSA fixture key");
                let key = rsa::RsaPrivateKey::from_pkcs8_pem(&pem).expect("PKCS#8 RSA key");
                let fast = rsa::pkcs8::der::Document::from_pem(&pem)
                    .ok()
                    .and_then(|(_, doc)| aws_lc_rs::rsa::KeyPair::from_pkcs8(doc.as_bytes()).ok());
                use rsa::pkcs8::EncodePublicKey;
                let spki = key
                    .to_public_key()
                    .to_public_key_der()
                    .expect("RSA SPKI")
                    .into_vec();
                Key {
                    kind,
                    spki,
                    secret: Secret::Rsa(Box::new(key), fast),
                    fast_ec: None,
                }
            }
            KeyKind::P256 => ec_key!(
                kind,
                rng,
                p256,
                P256,
                [1, 2, 840, 10045, 3, 1, 7],
                ECDSA_P256_SHA256_ASN1_SIGNING,
                Sha256
            ),
            KeyKind::P384 => ec_key!(
                kind,
                rng,
                p384,
                P384,
                [1, 3, 132, 0, 34],
                ECDSA_P384_SHA384_ASN1_SIGNING,
                Sha384
            ),
            KeyKind::P521 => ec_key!(
                kind,
                rng,
                p521,
                P521,
                [1, 3, 132, 0, 35],
                ECDSA_P521_SHA512_ASN1_SIGNING,
                Sha512
            ),
            KeyKind::Ed25519 => {
                let mut seed = [0u8; 32];
                rand::RngCore::fill_bytes(&mut rng, &mut seed);
                let key = aws_lc_rs::signature::Ed25519KeyPair::from_seed_unchecked(&seed)
                    .expect("an Ed25519 seed");
                use aws_lc_rs::signature::KeyPair;
                let spki = der::seq(&[
                    &der::seq(&[&der::oid(&[1, 3, 101, 112])]),
                    &der::bit_string(key.public_key().as_ref()),
                ]);
                Key {
                    kind,
                    spki,
                    secret: Secret::Ed25519(key),
                    fast_ec: None,
                }
            }
            KeyKind::P192 => Key {
                kind,
                spki: ec_spki(&[1, 2, 840, 10045, 3, 1, 1], P192_G.to_vec()),
                secret: Secret::None,
                fast_ec: None,
            },
            KeyKind::P224 => Key {
                kind,
                spki: ec_spki(&[1, 3, 132, 0, 33], P224_G.to_vec()),
                secret: Secret::None,
                fast_ec: None,
            },
        }
    }

    /// The signature algorithms this key can make, for `hash`.
    pub(crate) fn algorithm(&self, hash: Hash, pss: bool) -> SigAlg {
        match self.kind {
            // PSS with SHA-512 and a 64-byte salt does not fit a 1024-bit modulus.
            KeyKind::Rsa(1024) if pss && hash == Hash::Sha512 => SigAlg::RsaPss(Hash::Sha384),
            KeyKind::Rsa(_) if pss && hash != Hash::Sha1 && hash != Hash::Sha224 => {
                SigAlg::RsaPss(hash)
            }
            KeyKind::Rsa(_) => SigAlg::RsaPkcs1(hash),
            KeyKind::Ed25519 => SigAlg::Ed25519,
            // ECDSA needs a hash at least half the curve's size.
            KeyKind::P384 if matches!(hash, Hash::Sha1) => SigAlg::Ecdsa(Hash::Sha384),
            KeyKind::P521 if matches!(hash, Hash::Sha1 | Hash::Sha224 | Hash::Sha256) => {
                SigAlg::Ecdsa(Hash::Sha512)
            }
            _ => SigAlg::Ecdsa(hash),
        }
    }

    /// Signs `tbs` with `alg`; random bytes for keys nothing here signs with.
    pub(crate) fn sign(&self, alg: SigAlg, tbs: &[u8], seed: u64) -> Vec<u8> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        if let (Secret::Rsa(_, Some(fast)), Some(encoding)) = (&self.secret, aws_lc_encoding(alg)) {
            let mut signature = vec![0; fast.public_modulus_len()];
            fast.sign(
                encoding,
                &aws_lc_rs::rand::SystemRandom::new(),
                tbs,
                &mut signature,
            )
            .expect("aws-lc-rs signs");
            return signature;
        }
        if let (Some((fast_hash, fast)), SigAlg::Ecdsa(hash)) = (&self.fast_ec, alg)
            && *fast_hash == hash
        {
            return fast
                .sign(&aws_lc_rs::rand::SystemRandom::new(), tbs)
                .expect("aws-lc-rs signs")
                .as_ref()
                .to_vec();
        }
        match (&self.secret, alg) {
            (Secret::Rsa(key, _), SigAlg::RsaPkcs1(hash)) => {
                let key = (**key).clone();
                match hash {
                    Hash::Sha1 => rsa::pkcs1v15::SigningKey::<Sha1>::new(key)
                        .sign(tbs)
                        .to_vec(),
                    Hash::Sha224 => rsa::pkcs1v15::SigningKey::<Sha224>::new(key)
                        .sign(tbs)
                        .to_vec(),
                    Hash::Sha256 => rsa::pkcs1v15::SigningKey::<Sha256>::new(key)
                        .sign(tbs)
                        .to_vec(),
                    Hash::Sha384 => rsa::pkcs1v15::SigningKey::<Sha384>::new(key)
                        .sign(tbs)
                        .to_vec(),
                    Hash::Sha512 => rsa::pkcs1v15::SigningKey::<Sha512>::new(key)
                        .sign(tbs)
                        .to_vec(),
                }
            }
            (Secret::Rsa(key, _), SigAlg::RsaPss(hash)) => {
                let key = (**key).clone();
                let mut r = Rng08(&mut rng);
                match hash {
                    Hash::Sha256 => rsa::pss::SigningKey::<Sha256>::new(key)
                        .sign_with_rng(&mut r, tbs)
                        .to_vec(),
                    Hash::Sha384 => rsa::pss::SigningKey::<Sha384>::new(key)
                        .sign_with_rng(&mut r, tbs)
                        .to_vec(),
                    _ => rsa::pss::SigningKey::<Sha512>::new(key)
                        .sign_with_rng(&mut r, tbs)
                        .to_vec(),
                }
            }
            (Secret::P256(key), SigAlg::Ecdsa(hash)) => {
                let sig: p256::ecdsa::Signature =
                    key.sign_prehash(&hash.digest(tbs)).expect("P-256 signs");
                sig.to_der().as_bytes().to_vec()
            }
            (Secret::P384(key), SigAlg::Ecdsa(hash)) => {
                let sig: p384::ecdsa::Signature =
                    key.sign_prehash(&hash.digest(tbs)).expect("P-384 signs");
                sig.to_der().as_bytes().to_vec()
            }
            (Secret::P521(key), SigAlg::Ecdsa(hash)) => {
                let sig: p521::ecdsa::Signature =
                    key.sign_prehash(&hash.digest(tbs)).expect("P-521 signs");
                sig.to_der().as_bytes().to_vec()
            }
            (Secret::Ed25519(key), SigAlg::Ed25519) => key.sign(tbs).as_ref().to_vec(),
            _ => {
                let mut junk = vec![0u8; 64];
                rand::RngCore::fill_bytes(&mut rng, &mut junk);
                der::seq(&[&der::tlv(0x02, &junk[..24]), &der::tlv(0x02, &junk[24..48])])
            }
        }
    }
}

/// The SubjectPublicKeyInfo of an EC point on a named curve.
fn ec_spki(curve: &[u64], point: Vec<u8>) -> Vec<u8> {
    der::seq(&[
        &der::seq(&[&der::oid(&[1, 2, 840, 10045, 2, 1]), &der::oid(curve)]),
        &der::bit_string(&point),
    ])
}

/// An aws-lc-rs ECDSA key from a private scalar and its uncompressed public point.
fn fast_ec(
    alg: &'static aws_lc_rs::signature::EcdsaSigningAlgorithm,
    scalar: &[u8],
    point: &[u8],
) -> Option<aws_lc_rs::signature::EcdsaKeyPair> {
    aws_lc_rs::signature::EcdsaKeyPair::from_private_key_and_public_key(alg, scalar, point).ok()
}

/// The aws-lc-rs encoding for an RSA signature algorithm it can make.
fn aws_lc_encoding(alg: SigAlg) -> Option<&'static dyn aws_lc_rs::signature::RsaEncoding> {
    use aws_lc_rs::signature as s;
    Some(match alg {
        SigAlg::RsaPkcs1(Hash::Sha256) => &s::RSA_PKCS1_SHA256,
        SigAlg::RsaPkcs1(Hash::Sha384) => &s::RSA_PKCS1_SHA384,
        SigAlg::RsaPkcs1(Hash::Sha512) => &s::RSA_PKCS1_SHA512,
        SigAlg::RsaPss(Hash::Sha256) => &s::RSA_PSS_SHA256,
        SigAlg::RsaPss(Hash::Sha384) => &s::RSA_PSS_SHA384,
        SigAlg::RsaPss(Hash::Sha512) => &s::RSA_PSS_SHA512,
        _ => return None,
    })
}

/// Every kind, in a fixed order.
pub(crate) const ALL_KINDS: [KeyKind; 10] = [
    KeyKind::Rsa(1024),
    KeyKind::Rsa(2048),
    KeyKind::Rsa(3072),
    KeyKind::Rsa(4096),
    KeyKind::P192,
    KeyKind::P224,
    KeyKind::P256,
    KeyKind::P384,
    KeyKind::P521,
    KeyKind::Ed25519,
];

/// The P-192 base point, uncompressed.
const P192_G: [u8; 49] = [
    0x04, 0x18, 0x8d, 0xa8, 0x0e, 0xb0, 0x30, 0x90, 0xf6, 0x7c, 0xbf, 0x20, 0xeb, 0x43, 0xa1, 0x88,
    0x00, 0xf4, 0xff, 0x0a, 0xfd, 0x82, 0xff, 0x10, 0x12, 0x07, 0x19, 0x2b, 0x95, 0xff, 0xc8, 0xda,
    0x78, 0x63, 0x10, 0x11, 0xed, 0x6b, 0x24, 0xcd, 0xd5, 0x73, 0xf9, 0x77, 0xa1, 0x1e, 0x79, 0x48,
    0x11,
];

/// The P-224 base point, uncompressed.
const P224_G: [u8; 57] = [
    0x04, 0xb7, 0x0e, 0x0c, 0xbd, 0x6b, 0xb4, 0xbf, 0x7f, 0x32, 0x13, 0x90, 0xb9, 0x4a, 0x03, 0xc1,
    0xd3, 0x56, 0xc2, 0x11, 0x22, 0x34, 0x32, 0x80, 0xd6, 0x11, 0x5c, 0x1d, 0x21, 0xbd, 0x37, 0x63,
    0x88, 0xb5, 0xf7, 0x23, 0xfb, 0x4c, 0x22, 0xdf, 0xe6, 0xcd, 0x43, 0x75, 0xa0, 0x5a, 0x07, 0x47,
    0x64, 0x44, 0xd5, 0x81, 0x99, 0x85, 0x00, 0x7e, 0x34,
];

/// rand 0.9's generator as the rand_core 0.6 RNG the RustCrypto crates take.
struct Rng08<'a>(&'a mut rand_chacha::ChaCha8Rng);

impl rsa::rand_core::RngCore for Rng08<'_> {
    fn next_u32(&mut self) -> u32 {
        rand::RngCore::next_u32(self.0)
    }
    fn next_u64(&mut self) -> u64 {
        rand::RngCore::next_u64(self.0)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand::RngCore::fill_bytes(self.0, dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
        rand::RngCore::fill_bytes(self.0, dest);
        Ok(())
    }
}

impl rsa::rand_core::CryptoRng for Rng08<'_> {}
