//! Certificate signature verification, for the algorithms the JDK 17 verifies.
//!
//! RSA PKCS#1 v1.5 and RSASSA-PSS with SHA-1, SHA-224, SHA-256, SHA-384 and SHA-512 (any key
//! size the `rsa` crate reads, up to 16384 bits), ECDSA on P-256, P-384 and P-521 with the same
//! hashes, DSA with SHA-1, SHA-224 and SHA-256, and Ed25519. Which of them the JDK *allows* is
//! a separate question (`algorithms`). Curves the JDK 17 has no implementation for (P-192,
//! P-224, secp256k1, ...) never verify, as in the JDK. The common combinations go through
//! aws-lc-rs first, for speed (the gateway runs this inside every handshake).

use rsa::BigUint;
use rsa::pkcs1::der::Decode;
use rsa::signature::hazmat::PrehashVerifier;
use rustls::pki_types::SignatureVerificationAlgorithm;
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};
use x509_parser::der_parser::der::parse_der_integer;
use x509_parser::prelude::*;
use x509_parser::signature_algorithm::SignatureAlgorithm;

use crate::chain::Cert;

/// The largest RSA modulus the JDK accepts, in bits.
const MAX_RSA_BITS: usize = 16384;

/// Whether `signed`'s signature verifies with `signer`'s public key.
pub(crate) fn verifies(signed: &Cert<'_>, signer: &Cert<'_>) -> bool {
    let x509 = signed.x509();
    let tbs: &[u8] = x509.tbs_certificate.as_ref();
    verify(
        &x509.signature_algorithm,
        &signer.x509().tbs_certificate.subject_pki,
        tbs,
        &x509.signature_value.data,
    )
}

/// A hash a signature algorithm names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn by_oid(oid: &str) -> Option<Hash> {
        Some(match oid {
            "1.3.14.3.2.26" => Hash::Sha1,
            "2.16.840.1.101.3.4.2.4" => Hash::Sha224,
            "2.16.840.1.101.3.4.2.1" => Hash::Sha256,
            "2.16.840.1.101.3.4.2.2" => Hash::Sha384,
            "2.16.840.1.101.3.4.2.3" => Hash::Sha512,
            _ => return None,
        })
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => Sha1::digest(data).to_vec(),
            Hash::Sha224 => Sha224::digest(data).to_vec(),
            Hash::Sha256 => Sha256::digest(data).to_vec(),
            Hash::Sha384 => Sha384::digest(data).to_vec(),
            Hash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    fn pkcs1(self) -> rsa::Pkcs1v15Sign {
        match self {
            Hash::Sha1 => rsa::Pkcs1v15Sign::new::<Sha1>(),
            Hash::Sha224 => rsa::Pkcs1v15Sign::new::<Sha224>(),
            Hash::Sha256 => rsa::Pkcs1v15Sign::new::<Sha256>(),
            Hash::Sha384 => rsa::Pkcs1v15Sign::new::<Sha384>(),
            Hash::Sha512 => rsa::Pkcs1v15Sign::new::<Sha512>(),
        }
    }

    fn pss(self, salt: usize) -> rsa::Pss {
        match self {
            Hash::Sha1 => rsa::Pss::new_with_salt::<Sha1>(salt),
            Hash::Sha224 => rsa::Pss::new_with_salt::<Sha224>(salt),
            Hash::Sha256 => rsa::Pss::new_with_salt::<Sha256>(salt),
            Hash::Sha384 => rsa::Pss::new_with_salt::<Sha384>(salt),
            Hash::Sha512 => rsa::Pss::new_with_salt::<Sha512>(salt),
        }
    }
}

/// What a signature algorithm identifier asks for.
enum Scheme {
    Pkcs1(Hash),
    Pss { hash: Hash, salt: usize },
    Ecdsa(Hash),
    Dsa(Hash),
    Ed25519,
}

fn scheme(alg: &AlgorithmIdentifier<'_>) -> Option<Scheme> {
    Some(match alg.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.5" => Scheme::Pkcs1(Hash::Sha1),
        "1.2.840.113549.1.1.14" => Scheme::Pkcs1(Hash::Sha224),
        "1.2.840.113549.1.1.11" => Scheme::Pkcs1(Hash::Sha256),
        "1.2.840.113549.1.1.12" => Scheme::Pkcs1(Hash::Sha384),
        "1.2.840.113549.1.1.13" => Scheme::Pkcs1(Hash::Sha512),
        "1.2.840.113549.1.1.10" => pss(alg)?,
        "1.2.840.10045.4.1" => Scheme::Ecdsa(Hash::Sha1),
        "1.2.840.10045.4.3.1" => Scheme::Ecdsa(Hash::Sha224),
        "1.2.840.10045.4.3.2" => Scheme::Ecdsa(Hash::Sha256),
        "1.2.840.10045.4.3.3" => Scheme::Ecdsa(Hash::Sha384),
        "1.2.840.10045.4.3.4" => Scheme::Ecdsa(Hash::Sha512),
        "1.2.840.10040.4.3" => Scheme::Dsa(Hash::Sha1),
        "2.16.840.1.101.3.4.3.1" => Scheme::Dsa(Hash::Sha224),
        "2.16.840.1.101.3.4.3.2" => Scheme::Dsa(Hash::Sha256),
        "1.3.101.112" => Scheme::Ed25519,
        _ => return None,
    })
}

/// RSASSA-PSS parameters: the hash (MGF1 must use the same one here) and the salt length.
fn pss(alg: &AlgorithmIdentifier<'_>) -> Option<Scheme> {
    let SignatureAlgorithm::RSASSA_PSS(params) = SignatureAlgorithm::try_from(alg).ok()? else {
        return None;
    };
    let hash = Hash::by_oid(&params.hash_algorithm_oid().to_id_string())?;
    let mgf_hash = params
        .mask_gen_algorithm()
        .ok()
        .map(|mgf| mgf.hash.to_id_string());
    if mgf_hash.is_some_and(|oid: String| Hash::by_oid(&oid) != Some(hash)) {
        return None;
    }
    let salt = usize::try_from(params.salt_length()).ok()?;
    Some(Scheme::Pss { hash, salt })
}

/// Verifies `signature` over `message` with the key in `spki`, as `alg` says.
fn verify(
    alg: &AlgorithmIdentifier<'_>,
    spki: &SubjectPublicKeyInfo<'_>,
    message: &[u8],
    signature: &[u8],
) -> bool {
    let Some(scheme) = scheme(alg) else {
        return false;
    };
    let key_alg = spki.algorithm.algorithm.to_id_string();
    let key = &spki.subject_public_key.data;
    // aws-lc-rs first for the common combinations (it is much faster); what it does not cover,
    // or refuses, is settled by the RustCrypto implementations below.
    if let Some(fast) = fast_algorithm(&scheme, &key_alg, spki)
        && fast.verify_signature(key, message, signature).is_ok()
    {
        return true;
    }
    match scheme {
        Scheme::Pkcs1(hash) => rsa_key(&key_alg, key).is_some_and(|k| {
            k.verify(hash.pkcs1(), &hash.digest(message), signature)
                .is_ok()
        }),
        Scheme::Pss { hash, salt } => rsa_key(&key_alg, key).is_some_and(|k| {
            k.verify(hash.pss(salt), &hash.digest(message), signature)
                .is_ok()
        }),
        Scheme::Ecdsa(hash) => {
            key_alg == "1.2.840.10045.2.1" && ecdsa(spki, key, hash, message, signature)
        }
        Scheme::Dsa(hash) => {
            key_alg == "1.2.840.10040.4.1" && dsa(spki, key, hash, message, signature)
        }
        Scheme::Ed25519 => {
            key_alg == "1.3.101.112"
                && webpki::aws_lc_rs::ED25519
                    .verify_signature(key, message, signature)
                    .is_ok()
        }
    }
}

/// The aws-lc-rs algorithm (through rustls-webpki) for a scheme and key, when there is one.
fn fast_algorithm(
    scheme: &Scheme,
    key_alg: &str,
    spki: &SubjectPublicKeyInfo<'_>,
) -> Option<&'static dyn SignatureVerificationAlgorithm> {
    use webpki::aws_lc_rs as alg;
    let curve = || {
        spki.algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.as_oid().ok())
            .map(|oid| oid.to_id_string())
    };
    Some(match (scheme, key_alg) {
        (Scheme::Pkcs1(Hash::Sha256), "1.2.840.113549.1.1.1") => alg::RSA_PKCS1_2048_8192_SHA256,
        (Scheme::Pkcs1(Hash::Sha384), "1.2.840.113549.1.1.1") => alg::RSA_PKCS1_2048_8192_SHA384,
        (Scheme::Pkcs1(Hash::Sha512), "1.2.840.113549.1.1.1") => alg::RSA_PKCS1_2048_8192_SHA512,
        (Scheme::Ecdsa(hash), "1.2.840.10045.2.1") => match (curve()?.as_str(), hash) {
            ("1.2.840.10045.3.1.7", Hash::Sha256) => alg::ECDSA_P256_SHA256,
            ("1.2.840.10045.3.1.7", Hash::Sha384) => alg::ECDSA_P256_SHA384,
            ("1.3.132.0.34", Hash::Sha256) => alg::ECDSA_P384_SHA256,
            ("1.3.132.0.34", Hash::Sha384) => alg::ECDSA_P384_SHA384,
            ("1.3.132.0.35", Hash::Sha512) => alg::ECDSA_P521_SHA512,
            _ => return None,
        },
        _ => return None,
    })
}

fn rsa_key(key_alg: &str, key: &[u8]) -> Option<rsa::RsaPublicKey> {
    if key_alg != "1.2.840.113549.1.1.1" && key_alg != "1.2.840.113549.1.1.10" {
        return None;
    }
    let parsed = rsa::pkcs1::RsaPublicKey::from_der(key).ok()?;
    let n = BigUint::from_bytes_be(parsed.modulus.as_bytes());
    let e = BigUint::from_bytes_be(parsed.public_exponent.as_bytes());
    rsa::RsaPublicKey::new_with_max_size(n, e, MAX_RSA_BITS).ok()
}

fn ecdsa(
    spki: &SubjectPublicKeyInfo<'_>,
    point: &[u8],
    hash: Hash,
    message: &[u8],
    signature: &[u8],
) -> bool {
    let Some(curve) = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
    else {
        return false;
    };
    let digest = hash.digest(message);
    match curve.to_id_string().as_str() {
        "1.2.840.10045.3.1.7" => {
            let (Ok(key), Ok(sig)) = (
                p256::ecdsa::VerifyingKey::from_sec1_bytes(point),
                p256::ecdsa::Signature::from_der(signature),
            ) else {
                return false;
            };
            key.verify_prehash(&digest, &sig).is_ok()
        }
        "1.3.132.0.34" => {
            let (Ok(key), Ok(sig)) = (
                p384::ecdsa::VerifyingKey::from_sec1_bytes(point),
                p384::ecdsa::Signature::from_der(signature),
            ) else {
                return false;
            };
            key.verify_prehash(&digest, &sig).is_ok()
        }
        "1.3.132.0.35" => {
            let (Ok(key), Ok(sig)) = (
                p521::ecdsa::VerifyingKey::from_sec1_bytes(point),
                p521::ecdsa::Signature::from_der(signature),
            ) else {
                return false;
            };
            key.verify_prehash(&digest, &sig).is_ok()
        }
        _ => false,
    }
}

fn dsa(
    spki: &SubjectPublicKeyInfo<'_>,
    key: &[u8],
    hash: Hash,
    message: &[u8],
    signature: &[u8],
) -> bool {
    let Some(params) = spki.algorithm.parameters.as_ref() else {
        return false;
    };
    let mut ints: Vec<BigUint> = Vec::new();
    let mut rest: &[u8] = params.data;
    while !rest.is_empty() {
        let Ok((next, int)) = parse_der_integer(rest) else {
            return false;
        };
        let Ok(bytes) = int.as_slice() else {
            return false;
        };
        ints.push(BigUint::from_bytes_be(bytes));
        rest = next;
    }
    let [p, q, g] = ints.as_slice() else {
        return false;
    };
    let Ok((_, y)) = parse_der_integer(key) else {
        return false;
    };
    let Ok(y) = y.as_slice().map(BigUint::from_bytes_be) else {
        return false;
    };
    let Ok(components) = dsa::Components::from_components(p.clone(), q.clone(), g.clone()) else {
        return false;
    };
    let (Ok(key), Ok(sig)) = (
        dsa::VerifyingKey::from_components(components, y),
        dsa::Signature::try_from(signature),
    ) else {
        return false;
    };
    key.verify_prehash(&hash.digest(message), &sig).is_ok()
}
