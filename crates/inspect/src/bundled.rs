//! The public root set `hoplab check` and `hoplab probe` trust when no `--trust` is given.

use std::sync::OnceLock;

use hoplab_pkix::TrustStore;

/// Mozilla's root store, as whole certificates, standing in for API Gateway's supported
/// certificate authorities.
///
/// The certificates come from the `webpki-root-certs` crate (generated from Mozilla's
/// `IncludedCACertificateReportPEMCSV` via CCADB, the same list `webpki-roots` ships as bare
/// trust anchors). Whole certificates are what [`TrustStore`] holds, like a Java `cacerts`
/// keystore, so no anchor has to be made up.
///
/// How this differs from what AWS actually trusts (aws-tls-facts.md §1.1):
/// - AWS publishes its list as a Java `keytool -list` dump: a `cacerts`-style store with 398
///   aliases and 247 distinct roots (2022–2023), not a Mozilla bundle. About 150 aliases are
///   Mozilla-derived, the rest JDK-style aliases for mostly the same CAs.
/// - AWS also trusts Amazon-internal roots (`amzninternalrootca`, `amazon-ca-g4-acm1..3`) and
///   old roots Mozilla has removed (`dstrootcax3`, `addtrustexternalca`, VeriSign class 1–3),
///   and lacks some Mozilla has added (`isrgrootx2`). A chain that only reaches such a root is
///   judged differently here than by API Gateway; pass AWS's roots with `--trust` when that
///   matters.
/// - A private root (yours, or an ACM Private CA root) is in neither list: a chain that ends
///   at one is refused with `PKIX path building failed` unless the integration sets
///   `insecureSkipVerification` and the server sends that root.
pub(crate) fn mozilla_roots() -> &'static TrustStore {
    static STORE: OnceLock<TrustStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut store = TrustStore::new();
        for der in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
            // A root the X.509 parser cannot read could never anchor a path here anyway;
            // `bundled_description` reports how many were loaded.
            let _ = store.add(der.clone());
        }
        store
    })
}

/// How the bundled set is described in reports.
pub(crate) fn bundled_description() -> String {
    format!(
        "bundled public roots: Mozilla's root store ({} roots, from webpki-root-certs), a \
         stand-in for API Gateway's supported certificate authorities; a private root is \
         never in it",
        mozilla_roots().len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_root_loads() {
        assert_eq!(
            mozilla_roots().len(),
            webpki_root_certs::TLS_SERVER_ROOT_CERTS.len()
        );
        assert!(mozilla_roots().len() > 100);
    }
}
