//! rustls plumbing shared by both sides of a TLS listener.

use std::sync::Arc;
use std::time::Duration;

use rustls::ProtocolVersion;
use rustls::crypto::CryptoProvider;

/// How long a client has to finish its TLS handshake with a TLS listener.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The process-wide default crypto provider if one is installed, else aws-lc-rs.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
}

/// A protocol version as reports spell it (`TLSv1.3`).
pub(crate) fn version_name(version: Option<ProtocolVersion>) -> String {
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
        assert_eq!(version_name(Some(ProtocolVersion::TLSv1_3)), "TLSv1.3");
        assert_eq!(version_name(Some(ProtocolVersion::TLSv1_2)), "TLSv1.2");
        assert_eq!(version_name(None), "unknown");
    }
}
