//! The JDK's per-certificate checks, one function per check, with the JDK's rules.
//!
//! `path` runs the path checks in `PKIXCertPathValidator`'s order; the end-entity checks run on
//! the leaf of an accepted path, as `sun.security.validator.EndEntityChecker` does for a TLS
//! server.

use time::OffsetDateTime;

use crate::chain::Cert;
use crate::rejection::{EndEntityCheck, PathCheck};
use crate::signature;

/// `KeyChecker.verifyCAKeyUsage`: a CA's keyUsage, when present, must allow keyCertSign.
pub(crate) fn ca_key_usage(cert: &Cert<'_>) -> Result<(), PathCheck> {
    match cert.key_usage() {
        Some(ku) if !ku.key_cert_sign() => Err(PathCheck::CaKeyUsage),
        _ => Ok(()),
    }
}

/// `ConstraintsChecker.checkBasicConstraints` for a certificate that is not the target.
///
/// `i` counts certificates from the anchor (1 for the one it signed); `max_path_len` starts at
/// the path length and carries the JDK's running limit.
pub(crate) fn basic_constraints(
    cert: &Cert<'_>,
    i: usize,
    max_path_len: &mut u64,
) -> Result<(), PathCheck> {
    let path_len = if cert.is_v3() {
        cert.ca_path_len()
    } else if i == 1 && cert.self_issued() {
        // A v1/v2 self-issued certificate right below the anchor is treated as a CA.
        Some(u32::MAX)
    } else {
        None
    };
    let Some(path_len) = path_len else {
        return Err(PathCheck::NotCa);
    };
    if !cert.self_issued() {
        if *max_path_len == 0 {
            return Err(PathCheck::PathLength);
        }
        *max_path_len -= 1;
    }
    *max_path_len = (*max_path_len).min(u64::from(path_len));
    Ok(())
}

/// Where `now` falls relative to a certificate's validity window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Window {
    /// `now` is before notBefore.
    NotYetValid,
    /// `now` is after notAfter.
    Expired,
}

/// `BasicChecker.verifyValidity`: both bounds are inclusive.
pub(crate) fn validity(cert: &Cert<'_>, now: OffsetDateTime) -> Result<(), Window> {
    if now < cert.not_before() {
        Err(Window::NotYetValid)
    } else if now > cert.not_after() {
        Err(Window::Expired)
    } else {
        Ok(())
    }
}

/// `BasicChecker.verifyNameChaining`: the issuer must equal the previous subject (an empty
/// issuer never gets here: the JDK does not parse such a certificate).
pub(crate) fn name_chaining(cert: &Cert<'_>, above: &Cert<'_>) -> Result<(), PathCheck> {
    if cert.issuer() != above.subject() {
        Err(PathCheck::NameChaining)
    } else {
        Ok(())
    }
}

/// `BasicChecker.verifySignature`: the signature must verify with the previous key.
pub(crate) fn signature(cert: &Cert<'_>, above: &Cert<'_>) -> Result<(), PathCheck> {
    if signature::verifies(cert, above) {
        Ok(())
    } else {
        Err(PathCheck::Signature)
    }
}

/// `EndEntityChecker.checkTLSServer` for a signature-based key exchange (ECDHE, TLS 1.3).
pub(crate) fn tls_server_leaf(leaf: &Cert<'_>) -> Result<(), EndEntityCheck> {
    if leaf.key_usage().is_some_and(|ku| !ku.digital_signature()) {
        return Err(EndEntityCheck::DigitalSignature);
    }
    if let Some(eku) = leaf.extended_key_usage() {
        let named = |oid: &str| eku.other.iter().any(|o| o.to_id_string() == oid);
        // serverAuth, anyExtendedKeyUsage, or the obsolete Microsoft / Netscape
        // Server-Gated-Cryptography purposes.
        let allowed = eku.server_auth
            || eku.any
            || named("1.3.6.1.4.1.311.10.3.3")
            || named("2.16.840.1.113730.4.1");
        if !allowed {
            return Err(EndEntityCheck::ServerAuth);
        }
    }
    if leaf.netscape_ssl_server() == Some(false) {
        return Err(EndEntityCheck::NetscapeSslServer);
    }
    Ok(())
}
