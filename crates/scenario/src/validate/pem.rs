//! `[certificates.<name>]` with `pem_chain` / `pem_key`: the user's own certificate.
//!
//! The files are read and checked while the scenario is validated, so a bad file is a located
//! scenario error like any other: a missing or unreadable file, no certificate in the chain
//! file, an encrypted or non-PKCS#8 key, or a key that does not belong to the first
//! certificate.

use std::path::Path;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use toml::Spanned;

use super::Cx;
use super::values::Problem;
use crate::ids::CertId;
use crate::model::{
    ChainPreset, ChainSent, KeyType, Leaf, LeafIssuer, PemCertificate, TimeSpec, Validity,
};
use crate::raw::RawCertificate;

/// Largest PEM file read.
const MAX_PEM_FILE: u64 = 1024 * 1024;

/// Converts a certificate whose chain and key come from PEM files.
pub(super) fn convert_pem_certificate(
    cx: &mut Cx<'_>,
    f: &str,
    id: CertId,
    name: &Spanned<String>,
    certificate: &Spanned<RawCertificate>,
    chain_file: &Spanned<String>,
) -> Leaf {
    let c = certificate.get_ref();
    reject_generation_fields(cx, f, name.span(), c);
    let base = cx.base_dir();
    let chain_path = base.join(chain_file.get_ref());
    let chain = match read_certificates(&chain_path) {
        Ok(chain) => Some(chain),
        Err(problem) => {
            cx.problem(chain_file.span(), format!("{f}.pem_chain"), problem);
            None
        }
    };
    let key = match &c.pem_key {
        None => {
            cx.error(
                chain_file.span(),
                format!("{f}.pem_key"),
                "`pem_chain` needs `pem_key`, the leaf's private key",
                Some("set `pem_key` to a PEM file with an unencrypted PKCS#8 key".into()),
            );
            None
        }
        Some(key_file) => {
            let key_path = base.join(key_file.get_ref());
            match read(&key_path).and_then(|bytes| parse_key(&bytes)) {
                Ok(key) => Some((key_file, key_path, key)),
                Err(problem) => {
                    cx.problem(key_file.span(), format!("{f}.pem_key"), problem);
                    None
                }
            }
        }
    };
    let pem = match (chain, key) {
        (Some(chain), Some((key_file, key_path, key))) => {
            if let Err(problem) = keys_match(&chain, &key) {
                cx.problem(key_file.span(), format!("{f}.pem_key"), problem);
            }
            Some(PemCertificate {
                chain_file: chain_path,
                key_file: key_path,
                chain,
                key_pkcs8: key,
            })
        }
        _ => None,
    };
    Leaf {
        id,
        name: name.get_ref().clone(),
        issuer: LeafIssuer::SelfSigned,
        common_name: None,
        dns_names: Vec::new(),
        ip_addresses: Vec::new(),
        key: KeyType::default(),
        validity: Validity {
            not_before: TimeSpec::Relative(time::Duration::ZERO),
            not_after: TimeSpec::Relative(time::Duration::ZERO),
        },
        basic_constraints_ca: false,
        key_cert_sign: false,
        chain: ChainSent::Preset(ChainPreset::Leaf),
        pem,
        signature_hash: None,
    }
}

/// Reads every certificate of a PEM file (at least one).
pub(super) fn read_certificates(path: &Path) -> Result<Vec<Vec<u8>>, Problem> {
    read(path).and_then(|bytes| parse_chain(&bytes))
}

fn reject_generation_fields(
    cx: &mut Cx<'_>,
    f: &str,
    name_span: std::ops::Range<usize>,
    c: &RawCertificate,
) {
    let set: [(&str, Option<std::ops::Range<usize>>); 9] = [
        ("issuer", c.issuer.as_ref().map(Spanned::span)),
        ("self_signed", c.self_signed.as_ref().map(Spanned::span)),
        ("key", c.key.as_ref().map(Spanned::span)),
        ("not_before", c.not_before.as_ref().map(Spanned::span)),
        ("not_after", c.not_after.as_ref().map(Spanned::span)),
        ("chain", c.chain.as_ref().map(Spanned::span)),
        ("dns_names", c.dns_names.first().map(Spanned::span)),
        ("ip_addresses", c.ip_addresses.first().map(Spanned::span)),
        (
            "signature_hash",
            c.signature_hash.as_ref().map(Spanned::span),
        ),
    ];
    let flags = [
        ("common_name", c.common_name.is_some()),
        ("basic_constraints_ca", c.basic_constraints_ca),
        ("key_cert_sign", c.key_cert_sign),
    ];
    for (key, present) in flags {
        if present {
            cx.error(
                name_span.clone(),
                format!("{f}.{key}"),
                format!("`{key}` cannot be combined with `pem_chain`"),
                Some("a certificate from PEM files is served exactly as the files hold it: remove this key".into()),
            );
        }
    }
    for (key, span) in set {
        if let Some(span) = span {
            cx.error(
                span,
                format!("{f}.{key}"),
                format!("`{key}` cannot be combined with `pem_chain`"),
                Some("a certificate from PEM files is served exactly as the files hold it: remove this key".into()),
            );
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Problem> {
    let size = std::fs::metadata(path)
        .map_err(|e| Problem::without_help(format!("cannot read {}: {e}", path.display())))?
        .len();
    if size > MAX_PEM_FILE {
        return Err(Problem::without_help(format!(
            "{} is {size} bytes; the limit is {MAX_PEM_FILE}",
            path.display()
        )));
    }
    std::fs::read(path)
        .map_err(|e| Problem::without_help(format!("cannot read {}: {e}", path.display())))
}

fn parse_chain(bytes: &[u8]) -> Result<Vec<Vec<u8>>, Problem> {
    let mut chain = Vec::new();
    for item in CertificateDer::pem_slice_iter(bytes) {
        let cert =
            item.map_err(|e| Problem::without_help(format!("the file is not valid PEM: {e}")))?;
        chain.push(cert.as_ref().to_vec());
    }
    if chain.is_empty() {
        return Err(Problem::new(
            "the file holds no certificate",
            "expected one or more `-----BEGIN CERTIFICATE-----` blocks, leaf first",
        ));
    }
    Ok(chain)
}

fn parse_key(bytes: &[u8]) -> Result<Vec<u8>, Problem> {
    let text = String::from_utf8_lossy(bytes);
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        return Err(Problem::new(
            "the key is encrypted",
            "hoplab needs an unencrypted PKCS#8 key: `openssl pkcs8 -in key.pem -out plain.pem` asks for the passphrase once",
        ));
    }
    match PrivateKeyDer::from_pem_slice(bytes) {
        Ok(PrivateKeyDer::Pkcs8(key)) => Ok(key.secret_pkcs8_der().to_vec()),
        Ok(_) => Err(Problem::new(
            "the key is not PKCS#8",
            "convert it with `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.p8.pem`",
        )),
        Err(e) => Err(Problem::new(
            format!("the key file holds no private key: {e}"),
            "expected a `-----BEGIN PRIVATE KEY-----` block",
        )),
    }
}

fn keys_match(chain: &[Vec<u8>], key: &[u8]) -> Result<(), Problem> {
    let key = PrivateKeyDer::Pkcs8(key.to_vec().into());
    let signing = rustls::crypto::aws_lc_rs::sign::any_supported_type(&key).map_err(|e| {
        Problem::new(
            format!("the key cannot be used for TLS: {e}"),
            "supported: ECDSA P-256/P-384/P-521, RSA 2048 and up, Ed25519",
        )
    })?;
    let certs = chain
        .iter()
        .map(|der| CertificateDer::from(der.clone()))
        .collect();
    CertifiedKey::new(certs, signing).keys_match().map_err(|_| {
        Problem::new(
            "the key does not belong to the first certificate of the chain",
            "the chain file must start with the leaf whose key this is",
        )
    })
}
