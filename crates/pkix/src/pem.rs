//! Reading a certificate chain from PEM text, as `hoplab check` and the trust-store loaders do.

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::PkixError;

/// Reads every `CERTIFICATE` section of `pem`, in order; other sections (keys, ...) are skipped.
///
/// The certificates are not parsed as X.509 here: a chain that decodes from PEM but holds a
/// malformed certificate is for [`crate::validate`] to reject, as the server would have sent it.
///
/// # Errors
///
/// [`PkixError::Pem`] when the PEM text is malformed, [`PkixError::NoCertificates`] when it holds
/// no certificate at all.
pub fn parse_pem_chain(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, PkixError> {
    let chain = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| PkixError::Pem {
            reason: e.to_string(),
        })?;
    if chain.is_empty() {
        return Err(PkixError::NoCertificates);
    }
    Ok(chain)
}
