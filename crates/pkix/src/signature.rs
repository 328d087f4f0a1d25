//! Certificate signature verification with rustls-webpki's aws-lc-rs algorithms.
//!
//! The signature algorithm OID of the signed certificate and the key type of the signer are
//! mapped explicitly to one webpki algorithm. Anything unmapped (SHA-1, DSA, RSA keys under 2048
//! bits, ...) counts as a failed signature; the JDK would reject most of those too, though with
//! an "Algorithm constraints check failed" text this crate does not reproduce.

use rustls::pki_types::SignatureVerificationAlgorithm;
use webpki::aws_lc_rs as alg;
use x509_parser::prelude::*;
use x509_parser::signature_algorithm::SignatureAlgorithm;

use crate::chain::Cert;

/// Whether `signed`'s signature verifies with `signer`'s public key.
pub(crate) fn verifies(signed: &Cert<'_>, signer: &Cert<'_>) -> bool {
    let signer_key = &signer.x509().tbs_certificate.subject_pki;
    let Some(algorithm) = algorithm(&signed.x509().signature_algorithm, key_kind(signer_key))
    else {
        return false;
    };
    let tbs: &[u8] = signed.x509().tbs_certificate.as_ref();
    algorithm
        .verify_signature(
            &signer_key.subject_public_key.data,
            tbs,
            &signed.x509().signature_value.data,
        )
        .is_ok()
}

/// Key types webpki can verify with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    EcP256,
    EcP384,
    EcP521,
    Ed25519,
}

fn key_kind(spki: &SubjectPublicKeyInfo<'_>) -> Option<KeyKind> {
    match spki.algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.1" => Some(KeyKind::Rsa),
        "1.3.101.112" => Some(KeyKind::Ed25519),
        "1.2.840.10045.2.1" => {
            let curve = spki.algorithm.parameters.as_ref()?.as_oid().ok()?;
            match curve.to_id_string().as_str() {
                "1.2.840.10045.3.1.7" => Some(KeyKind::EcP256),
                "1.3.132.0.34" => Some(KeyKind::EcP384),
                "1.3.132.0.35" => Some(KeyKind::EcP521),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Hash functions that appear in signature algorithm identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

fn hash_by_oid(oid: &str) -> Option<Hash> {
    match oid {
        "2.16.840.1.101.3.4.2.1" => Some(Hash::Sha256),
        "2.16.840.1.101.3.4.2.2" => Some(Hash::Sha384),
        "2.16.840.1.101.3.4.2.3" => Some(Hash::Sha512),
        _ => None,
    }
}

/// The webpki algorithm for a signature algorithm identifier and a signer key type.
fn algorithm(
    sig: &AlgorithmIdentifier<'_>,
    key: Option<KeyKind>,
) -> Option<&'static dyn SignatureVerificationAlgorithm> {
    use Hash::*;
    use KeyKind::*;
    let key = key?;
    let (family, hash) = match sig.algorithm.to_id_string().as_str() {
        "1.2.840.10045.4.3.2" => ("ecdsa", Some(Sha256)),
        "1.2.840.10045.4.3.3" => ("ecdsa", Some(Sha384)),
        "1.2.840.10045.4.3.4" => ("ecdsa", Some(Sha512)),
        "1.2.840.113549.1.1.11" => ("pkcs1", Some(Sha256)),
        "1.2.840.113549.1.1.12" => ("pkcs1", Some(Sha384)),
        "1.2.840.113549.1.1.13" => ("pkcs1", Some(Sha512)),
        "1.2.840.113549.1.1.10" => ("pss", pss_hash(sig)),
        "1.3.101.112" => ("ed25519", None),
        _ => return None,
    };
    Some(match (family, key, hash) {
        ("ecdsa", EcP256, Some(Sha256)) => alg::ECDSA_P256_SHA256,
        ("ecdsa", EcP256, Some(Sha384)) => alg::ECDSA_P256_SHA384,
        ("ecdsa", EcP256, Some(Sha512)) => alg::ECDSA_P256_SHA512,
        ("ecdsa", EcP384, Some(Sha256)) => alg::ECDSA_P384_SHA256,
        ("ecdsa", EcP384, Some(Sha384)) => alg::ECDSA_P384_SHA384,
        ("ecdsa", EcP384, Some(Sha512)) => alg::ECDSA_P384_SHA512,
        ("ecdsa", EcP521, Some(Sha256)) => alg::ECDSA_P521_SHA256,
        ("ecdsa", EcP521, Some(Sha384)) => alg::ECDSA_P521_SHA384,
        ("ecdsa", EcP521, Some(Sha512)) => alg::ECDSA_P521_SHA512,
        ("pkcs1", Rsa, Some(Sha256)) => alg::RSA_PKCS1_2048_8192_SHA256,
        ("pkcs1", Rsa, Some(Sha384)) => alg::RSA_PKCS1_2048_8192_SHA384,
        ("pkcs1", Rsa, Some(Sha512)) => alg::RSA_PKCS1_2048_8192_SHA512,
        ("pss", Rsa, Some(Sha256)) => alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        ("pss", Rsa, Some(Sha384)) => alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        ("pss", Rsa, Some(Sha512)) => alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
        ("ed25519", Ed25519, None) => alg::ED25519,
        _ => return None,
    })
}

/// The hash named in RSASSA-PSS parameters (SHA-1 when they name none, which is unsupported).
fn pss_hash(sig: &AlgorithmIdentifier<'_>) -> Option<Hash> {
    match SignatureAlgorithm::try_from(sig).ok()? {
        SignatureAlgorithm::RSASSA_PSS(params) => {
            hash_by_oid(&params.hash_algorithm_oid().to_id_string())
        }
        _ => None,
    }
}
