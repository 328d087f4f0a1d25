//! Certificate listings in the style of `openssl s_client -showcerts`.

use std::fmt::Write as _;

use hoplab_pkix::CertSummary;

/// Appends one entry per certificate: depth, subject, issuer, validity, names, fingerprint.
pub(crate) fn chain(out: &mut String, chain: &[CertSummary]) {
    if chain.is_empty() {
        let _ = writeln!(out, " (no certificate that parses)");
    }
    for (depth, cert) in chain.iter().enumerate() {
        let _ = writeln!(out, "{depth:>2} s:{}", shown(&cert.subject));
        let _ = writeln!(out, "   i:{}", shown(&cert.issuer));
        let _ = writeln!(
            out,
            "   v:NotBefore: {}; NotAfter: {}",
            cert.not_before, cert.not_after
        );
        let names: Vec<String> = cert
            .dns_names
            .iter()
            .map(|n| format!("DNS:{n}"))
            .chain(cert.ip_addresses.iter().map(|ip| format!("IP:{ip}")))
            .collect();
        if !names.is_empty() {
            let _ = writeln!(out, "   san:{}", names.join(", "));
        }
        if cert.is_ca {
            let kind = if cert.self_issued {
                "CA, self-issued"
            } else {
                "CA"
            };
            let _ = writeln!(out, "   ca:{kind}");
        }
        let _ = writeln!(out, "   sha256:{}", cert.sha256);
    }
}

/// A subject for listings: Java prints an empty name as nothing at all.
fn shown(name: &str) -> &str {
    if name.is_empty() { "(empty)" } else { name }
}
