//! Small TLS helpers every hop shares: the crypto provider and version names.

use std::sync::{Arc, OnceLock};

use rustls::ProtocolVersion;
use rustls::crypto::CryptoProvider;

/// The process-wide default crypto provider if one is installed, else aws-lc-rs (built once:
/// the gateway asks for a provider on every request).
pub fn crypto_provider() -> Arc<CryptoProvider> {
    static AWS_LC_RS: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    CryptoProvider::get_default().cloned().unwrap_or_else(|| {
        Arc::clone(
            AWS_LC_RS.get_or_init(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider())),
        )
    })
}

/// A negotiated protocol version as reports spell it (`TLSv1.3`, `TLSv1.2`), or `unknown`.
pub fn tls_version_name(version: Option<ProtocolVersion>) -> String {
    match version {
        Some(ProtocolVersion::TLSv1_3) => "TLSv1.3".to_owned(),
        Some(ProtocolVersion::TLSv1_2) => "TLSv1.2".to_owned(),
        Some(other) => format!("{other:?}"),
        None => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_spelled_as_reports_spell_them() {
        assert_eq!(tls_version_name(Some(ProtocolVersion::TLSv1_3)), "TLSv1.3");
        assert_eq!(tls_version_name(Some(ProtocolVersion::TLSv1_2)), "TLSv1.2");
        assert_eq!(tls_version_name(None), "unknown");
    }
}
