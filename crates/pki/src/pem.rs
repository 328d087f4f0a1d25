//! PEM files for writing the PKI to disk (`hoplab certs`).

use ::pem::{EncodeConfig, LineEnding, Pem};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::Pki;

impl Pki {
    /// The PKI as PEM files: `(relative file name, contents, whether it holds a secret key)`.
    ///
    /// Lists `<name>.crt` for every authority and leaf, then for each leaf `<leaf>.chain.pem`
    /// (the chain as sent) and `<leaf>.key` (PKCS#8), then `trusted-cas.pem` when the scenario
    /// trusts an authority (an empty trust file would trust nothing, so none is listed).
    /// Characters other than ASCII letters, digits, `-`, `_` and `.` in names become `_`, and
    /// a leading `.` becomes `_`, so every file name stays inside the output directory.
    pub fn pem_files(&self) -> Vec<(String, String, bool)> {
        let mut files = Vec::new();
        for authority in &self.authorities {
            let name = file_stem(&authority.name);
            files.push((format!("{name}.crt"), certificate(&authority.der), false));
        }
        for leaf in &self.leaves {
            let name = file_stem(&leaf.served.name);
            files.push((format!("{name}.crt"), certificate(&leaf.der), false));
        }
        for leaf in &self.leaves {
            let name = file_stem(&leaf.served.name);
            let chain = leaf.served.chain.iter().map(certificate).collect();
            files.push((format!("{name}.chain.pem"), chain, false));
            files.push((format!("{name}.key"), private_key(&leaf.served.key), true));
        }
        let trusted: String = self.trusted().iter().map(certificate).collect();
        if !trusted.is_empty() {
            files.push(("trusted-cas.pem".to_owned(), trusted, false));
        }
        files
    }
}

fn certificate(der: &CertificateDer<'_>) -> String {
    certificate_pem(der.as_ref())
}

/// One DER certificate as a PEM `CERTIFICATE` block (LF line endings).
pub fn certificate_pem(der: &[u8]) -> String {
    encode("CERTIFICATE", der)
}

fn private_key(key: &PrivateKeyDer<'_>) -> String {
    encode("PRIVATE KEY", key.secret_der())
}

fn encode(tag: &str, der: &[u8]) -> String {
    let config = EncodeConfig::new().set_line_ending(LineEnding::LF);
    ::pem::encode_config(&Pem::new(tag, der), config)
}

/// A scenario name made safe as a file name in one directory.
fn file_stem(name: &str) -> String {
    let mut stem: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => c,
            _ => '_',
        })
        .collect();
    if stem.is_empty() || stem.starts_with('.') {
        stem.insert(0, '_');
    }
    stem
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn file_stems_stay_in_the_directory() {
        assert_eq!(file_stem("api-cert_1.v2"), "api-cert_1.v2");
        assert_eq!(file_stem("../etc/passwd"), "_.._etc_passwd");
        assert_eq!(file_stem(".hidden"), "_.hidden");
        assert_eq!(file_stem(""), "_");
        assert_eq!(file_stem("naïve cert"), "na_ve_cert");
    }
}
