//! Reading a certificate chain from PEM text, as `hoplab check` and the trust-store loaders do.
//!
//! A file that is one DER certificate (binary, as `openssl x509 -outform der` writes it) is
//! read as that certificate. Errors name the line at fault and what was found there.

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::PkixError;

/// Reads every `CERTIFICATE` section of `pem`, in order; other sections (keys, ...) are skipped.
/// Binary input that starts as a DER certificate does (an ASN.1 SEQUENCE) is read as one
/// DER certificate.
///
/// The certificates are not parsed as X.509 here: a chain that decodes from PEM but holds a
/// malformed certificate is for [`crate::validate`] to reject, as the server would have sent it.
///
/// # Errors
///
/// [`PkixError::Pem`] when the PEM text is malformed, [`PkixError::NoCertificates`] when it holds
/// no certificate at all; both say which line is at fault and what it holds.
pub fn parse_pem_chain(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, PkixError> {
    if looks_like_der(pem) {
        return Ok(vec![CertificateDer::from(pem.to_vec())]);
    }
    let chain = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| PkixError::Pem {
            reason: locate_pem_error(pem).unwrap_or_else(|| e.to_string()),
        })?;
    if chain.is_empty() {
        return Err(PkixError::NoCertificates {
            found: describe_contents(pem),
        });
    }
    Ok(chain)
}

/// A DER certificate starts with a SEQUENCE tag and a long-form length, and is not text.
fn looks_like_der(bytes: &[u8]) -> bool {
    matches!(bytes, [0x30, 0x81..=0x84, ..]) && std::str::from_utf8(bytes).is_err()
}

/// The lines of `pem`, numbered from 1, without line endings.
fn numbered_lines(pem: &[u8]) -> impl Iterator<Item = (usize, String)> + '_ {
    pem.split(|&b| b == b'\n').enumerate().map(|(i, line)| {
        let text = String::from_utf8_lossy(line);
        (i + 1, text.trim_end_matches('\r').to_owned())
    })
}

/// What a PEM text holds when it holds no certificate: its sections, or its first line.
fn describe_contents(pem: &[u8]) -> String {
    let labels: Vec<String> = numbered_lines(pem)
        .filter_map(|(n, line)| {
            let label = line.strip_prefix("-----BEGIN ")?.strip_suffix("-----")?;
            Some(format!("a {label} section at line {n}"))
        })
        .collect();
    if !labels.is_empty() {
        return format!("found {}", labels.join(", "));
    }
    match numbered_lines(pem).find(|(_, line)| !line.trim().is_empty()) {
        Some((n, line)) => format!(
            "found no BEGIN line: line {n} reads {:?}; expected -----BEGIN CERTIFICATE-----",
            shorten(&line)
        ),
        None => "the text is empty".to_owned(),
    }
}

/// Where a malformed PEM text breaks: a section without its END line, or a body line that is
/// not base64.
fn locate_pem_error(pem: &[u8]) -> Option<String> {
    let mut open: Option<(usize, String)> = None;
    for (n, line) in numbered_lines(pem) {
        let trimmed = line.trim();
        if let Some(label) = trimmed
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            if let Some((start, open_label)) = &open {
                return Some(format!(
                    "line {start}: the {open_label} section has no END line before line {n} begins another"
                ));
            }
            open = Some((n, label.to_owned()));
        } else if trimmed.starts_with("-----END ") {
            open = None;
        } else if open.is_some() && !trimmed.is_empty() && !is_base64_line(trimmed) {
            let bad = trimmed.chars().find(|c| !is_base64_char(*c)).unwrap_or('?');
            return Some(format!(
                "line {n}: expected base64 inside the section, found {bad:?} in {:?}",
                shorten(trimmed)
            ));
        }
    }
    open.map(|(start, label)| {
        format!("line {start}: the {label} section has no -----END {label}----- line")
    })
}

fn is_base64_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')
}

fn is_base64_line(line: &str) -> bool {
    line.chars().all(is_base64_char)
}

/// At most 60 characters of a line, for a message.
fn shorten(line: &str) -> String {
    match line.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_line_and_what_is_there() {
        let err = parse_pem_chain(b"hello\n").unwrap_err().to_string();
        assert!(err.contains("line 1 reads \"hello\""), "{err}");

        let key = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        let err = parse_pem_chain(key).unwrap_err().to_string();
        assert!(err.contains("a PRIVATE KEY section at line 1"), "{err}");

        let cut = b"\n-----BEGIN CERTIFICATE-----\nAAAA\n";
        let err = parse_pem_chain(cut).unwrap_err().to_string();
        assert!(
            err.contains("line 2: the CERTIFICATE section has no -----END CERTIFICATE----- line"),
            "{err}"
        );

        let bad = b"-----BEGIN CERTIFICATE-----\nAA!A\n-----END CERTIFICATE-----\n";
        let err = parse_pem_chain(bad).unwrap_err().to_string();
        assert!(err.contains("line 2: expected base64"), "{err}");

        let err = parse_pem_chain(b"").unwrap_err().to_string();
        assert!(err.contains("the text is empty"), "{err}");
    }

    #[test]
    fn a_der_certificate_is_read_as_one_certificate() {
        let der = [0x30, 0x82, 0x01, 0x0a, 0xff, 0xfe, 0x00];
        assert_eq!(
            parse_pem_chain(&der).unwrap(),
            [CertificateDer::from(der.to_vec())]
        );
    }
}
