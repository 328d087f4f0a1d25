//! The JDK's algorithm constraints on a certification path: its `AlgorithmChecker` with the
//! default `jdk.certpath.disabledAlgorithms` of JDK 17,
//! `MD2, MD5, SHA1 jdkCA & usage TLSServer, RSA keySize < 1024, DSA keySize < 1024,
//! EC keySize < 224` (the rest concerns signed JARs).
//!
//! For each certificate, from the one the anchor signed down to the leaf, before any other
//! check: its signature algorithm must not be disabled; a keyUsage extension must have a bit
//! the JDK maps to an operation; a SHA-1 signature is refused when the path ends at one of the
//! JDK's own roots ("jdkCA": API Gateway's trusted CAs, not a root trusted through
//! `insecureSkipVerification`); its own key must be large enough; and the key that signed it
//! (the previous certificate's, or the anchor's) must be large enough.

use x509_parser::prelude::*;
use x509_parser::public_key::PublicKey;

use crate::chain::Cert;
use crate::rejection::PathCheck;

/// A refusal: the check and the JDK's exact message.
pub(crate) type Refusal = (PathCheck, Option<String>);

/// Runs the algorithm checks on `cert`, signed by the key in `signer`.
pub(crate) fn check(cert: &Cert<'_>, signer: &Cert<'_>, jdk_ca: bool) -> Result<(), Refusal> {
    let x509 = cert.x509();
    let alg = java_name(&x509.signature_algorithm);
    let constrained = |text: String| Err((PathCheck::AlgorithmConstraints, Some(text)));
    if disabled_signature(&alg) {
        return constrained(format!(
            "Algorithm constraints check failed on signature algorithm: {alg}"
        ));
    }
    if let Some(ku) = cert.key_usage()
        && !(ku.digital_signature()
            || ku.non_repudiation()
            || ku.key_encipherment()
            || ku.data_encipherment()
            || ku.key_agreement()
            || ku.key_cert_sign()
            || ku.crl_sign())
    {
        return Err((PathCheck::IncorrectKeyUsage, None));
    }
    if jdk_ca && uses_sha1(&x509.signature_algorithm) {
        return constrained(format!(
            "Usage constraint TLSServer check failed: SHA1 used with certificate: {}",
            cert.subject_name()
        ));
    }
    if let Some((kind, bits)) = too_small(&x509.tbs_certificate.subject_pki) {
        return constrained(format!(
            "Algorithm constraints check failed on keysize limits: {kind} {bits} bit key used \
             with certificate: {}",
            cert.subject_name()
        ));
    }
    if too_small(&signer.x509().tbs_certificate.subject_pki).is_some() {
        return constrained(format!(
            "Algorithm constraints check failed on signature algorithm: {alg}"
        ));
    }
    Ok(())
}

/// MD2 and MD5 signatures are refused outright.
fn disabled_signature(java_name: &str) -> bool {
    java_name.starts_with("MD2") || java_name.starts_with("MD5")
}

/// Whether a signature algorithm hashes with SHA-1.
fn uses_sha1(alg: &AlgorithmIdentifier<'_>) -> bool {
    java_name(alg).starts_with("SHA1with")
}

/// The key's algorithm and size when a key-size constraint refuses it.
fn too_small(spki: &SubjectPublicKeyInfo<'_>) -> Option<(&'static str, usize)> {
    let (kind, bits) = key_size(spki)?;
    let minimum = match kind {
        "RSA" | "DSA" => 1024,
        "EC" => 224,
        _ => return None,
    };
    (bits < minimum).then_some((kind, bits))
}

/// A key's algorithm as the JDK names it and its size in bits, when the JDK knows it.
pub(crate) fn key_size(spki: &SubjectPublicKeyInfo<'_>) -> Option<(&'static str, usize)> {
    match spki.algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.1" => match spki.parsed() {
            Ok(PublicKey::RSA(rsa)) => Some(("RSA", bit_length(rsa.modulus))),
            _ => None,
        },
        "1.2.840.10045.2.1" => {
            let curve = spki.algorithm.parameters.as_ref()?.as_oid().ok()?;
            let bits = match curve.to_id_string().as_str() {
                "1.2.840.10045.3.1.1" => 192,
                "1.3.132.0.33" => 224,
                "1.2.840.10045.3.1.7" | "1.3.132.0.10" => 256,
                "1.3.132.0.34" => 384,
                "1.3.132.0.35" => 521,
                _ => return None,
            };
            Some(("EC", bits))
        }
        "1.2.840.10040.4.1" => {
            let params = spki.algorithm.parameters.as_ref()?;
            let (_, p) = x509_parser::der_parser::der::parse_der_integer(params.data).ok()?;
            Some(("DSA", bit_length(p.as_slice().ok()?)))
        }
        _ => None,
    }
}

/// Bits in a big-endian unsigned integer, leading zeros ignored.
fn bit_length(bytes: &[u8]) -> usize {
    let bytes: &[u8] = match bytes.iter().position(|b| *b != 0) {
        Some(first) => &bytes[first..],
        None => return 0,
    };
    bytes.len() * 8 - bytes[0].leading_zeros() as usize
}

/// `X509Certificate.getSigAlgName()` for the algorithms the JDK knows; others by OID.
pub(crate) fn java_name(alg: &AlgorithmIdentifier<'_>) -> String {
    let oid = alg.algorithm.to_id_string();
    let name = match oid.as_str() {
        "1.2.840.113549.1.1.2" => "MD2withRSA",
        "1.2.840.113549.1.1.4" => "MD5withRSA",
        "1.2.840.113549.1.1.5" => "SHA1withRSA",
        "1.2.840.113549.1.1.14" => "SHA224withRSA",
        "1.2.840.113549.1.1.11" => "SHA256withRSA",
        "1.2.840.113549.1.1.12" => "SHA384withRSA",
        "1.2.840.113549.1.1.13" => "SHA512withRSA",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS",
        "1.2.840.10045.4.1" => "SHA1withECDSA",
        "1.2.840.10045.4.3.1" => "SHA224withECDSA",
        "1.2.840.10045.4.3.2" => "SHA256withECDSA",
        "1.2.840.10045.4.3.3" => "SHA384withECDSA",
        "1.2.840.10045.4.3.4" => "SHA512withECDSA",
        "1.2.840.10040.4.3" => "SHA1withDSA",
        "2.16.840.1.101.3.4.3.1" => "SHA224withDSA",
        "2.16.840.1.101.3.4.3.2" => "SHA256withDSA",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        _ => return oid,
    };
    name.to_owned()
}
