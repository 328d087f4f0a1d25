//! The PEM reader and the verdict engine on arbitrary bytes: as PEM when they parse as PEM,
//! else as one DER certificate. The first certificate of a PEM input is also trusted, so the
//! path checks run and not only path building.
#![no_main]

use hoplab_pkix::{Policy, TrustStore, parse_pem_chain, validate};
use libfuzzer_sys::fuzz_target;
use rustls::pki_types::CertificateDer;

fuzz_target!(|data: &[u8]| {
    let now = time::macros::datetime!(2025-06-01 00:00:00 UTC);
    let chain: Vec<CertificateDer<'static>> = match parse_pem_chain(data) {
        Ok(chain) => chain,
        Err(_) => vec![CertificateDer::from(data.to_vec())],
    };
    let mut trust = TrustStore::new();
    if let Some(last) = chain.last() {
        let _ = trust.add(last.clone());
    }
    for policy in [
        Policy::default(),
        Policy {
            insecure_skip_verification: true,
        },
    ] {
        let verdict = validate(&chain, "api.example.com", &trust, policy, now);
        let _ = verdict.java_message();
        let _ = verdict.explanation.lines();
    }
    let _ = hoplab_pkix::CertSummary::chain(chain.iter().map(|c| c.as_ref()));
});
