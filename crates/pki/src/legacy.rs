//! What rcgen's signers cannot make: 1024-bit RSA keys and SHA-1 signatures.
//!
//! aws-lc-rs, which signs for rcgen, refuses RSA keys below 2048 bits and signs no SHA-1, yet
//! both still occur in chains API Gateway is shown. A [`SmallRsaKey`] signs with the `rsa`
//! crate under rcgen's `sha256WithRSAEncryption`; [`resign_sha1`] rewrites a finished
//! certificate's signature algorithm to `sha1WithRSAEncryption` and signs it again.

use rcgen::{PKCS_RSA_SHA256, PublicKeyData, SigningKey};
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::signature::{SignatureEncoding, Signer};
use rustls::pki_types::CertificateDer;
use x509_cert::Certificate;
use x509_cert::der::asn1::{Any, BitString};
use x509_cert::der::{Decode, Encode};
use x509_cert::spki::AlgorithmIdentifierOwned;

/// An RSA key too small for aws-lc-rs, signing with PKCS#1 v1.5 and SHA-256.
#[derive(Clone)]
pub(crate) struct SmallRsaKey {
    private: rsa::RsaPrivateKey,
    /// The same key as the PKCS#8 document it was read from.
    pkcs8: Vec<u8>,
    /// The public key as the SubjectPublicKeyInfo's bit string holds it (PKCS#1).
    public_pkcs1: Vec<u8>,
}

impl std::fmt::Debug for SmallRsaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmallRsaKey").finish_non_exhaustive()
    }
}

impl SmallRsaKey {
    /// A fresh key of `bits` bits, as PKCS#8.
    pub(crate) fn generate_pkcs8(bits: usize) -> Result<Vec<u8>, rcgen::Error> {
        let mut rng = rsa::rand_core::OsRng;
        let key = rsa::RsaPrivateKey::new(&mut rng, bits)
            .map_err(|_| rcgen::Error::KeyGenerationUnavailable)?;
        key.to_pkcs8_der()
            .map(|der| der.as_bytes().to_vec())
            .map_err(|_| rcgen::Error::KeyGenerationUnavailable)
    }

    /// The key a PKCS#8 document holds.
    pub(crate) fn from_pkcs8(pkcs8: &[u8]) -> Result<SmallRsaKey, rcgen::Error> {
        let private = rsa::RsaPrivateKey::from_pkcs8_der(pkcs8)
            .map_err(|_| rcgen::Error::CouldNotParseKeyPair)?;
        let public_pkcs1 = private
            .to_public_key()
            .to_pkcs1_der()
            .map_err(|_| rcgen::Error::CouldNotParseKeyPair)?
            .into_vec();
        Ok(SmallRsaKey {
            private,
            pkcs8: pkcs8.to_vec(),
            public_pkcs1,
        })
    }

    /// The key as PKCS#8.
    pub(crate) fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }
}

impl PublicKeyData for SmallRsaKey {
    fn der_bytes(&self) -> &[u8] {
        &self.public_pkcs1
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &PKCS_RSA_SHA256
    }
}

impl SigningKey for SmallRsaKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(self.private.clone());
        Ok(signer.sign(msg).to_vec())
    }
}

/// Why a certificate could not be signed again with SHA-1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResignError {
    /// The signing key is not an RSA key (validation allows SHA-1 with RSA issuers only).
    #[error("SHA-1 signatures need an RSA signing key")]
    NotRsa,
    /// The certificate could not be decoded or encoded again.
    #[error("cannot re-encode the certificate: {0}")]
    Encoding(x509_cert::der::Error),
}

/// `der` signed again by the RSA key in `signer_pkcs8`, with `sha1WithRSAEncryption` in both
/// of its signature algorithm fields.
pub(crate) fn resign_sha1(
    der: &[u8],
    signer_pkcs8: &[u8],
) -> Result<CertificateDer<'static>, ResignError> {
    let key = rsa::RsaPrivateKey::from_pkcs8_der(signer_pkcs8).map_err(|_| ResignError::NotRsa)?;
    let mut cert = Certificate::from_der(der).map_err(ResignError::Encoding)?;
    let algorithm = AlgorithmIdentifierOwned {
        oid: x509_cert::der::oid::db::rfc5912::SHA_1_WITH_RSA_ENCRYPTION,
        parameters: Some(Any::null()),
    };
    cert.tbs_certificate.signature = algorithm.clone();
    let tbs = cert
        .tbs_certificate
        .to_der()
        .map_err(ResignError::Encoding)?;
    let signature = rsa::pkcs1v15::SigningKey::<sha1::Sha1>::new(key).sign(&tbs);
    cert.signature_algorithm = algorithm;
    cert.signature = BitString::from_bytes(&signature.to_vec()).map_err(ResignError::Encoding)?;
    let der = cert.to_der().map_err(ResignError::Encoding)?;
    Ok(CertificateDer::from(der))
}
