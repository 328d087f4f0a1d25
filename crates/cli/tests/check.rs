//! `hoplab check` and `hoplab certs` on the inputs people bring: a URL for the host, a
//! relative time, broken PEM, a DER file, a scenario that trusts no authority.

mod support;

use std::path::{Path, PathBuf};

use support::{hoplab, scenario, stderr, stdout, write_scenario};

/// The certificates of the bundled `integration/public-backend-valid.toml`, written by `hoplab certs`.
fn certs(dir: &tempfile::TempDir) -> PathBuf {
    let out = dir.path().join("certs");
    let written = hoplab(&[
        "certs",
        &scenario("integration/public-backend-valid.toml"),
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    out
}

fn check(chain: &Path, trust: &Path, extra: &[&str]) -> std::process::Output {
    let chain = chain.display().to_string();
    let trust = trust.display().to_string();
    let mut args = vec!["check", &chain, "--trust", &trust];
    args.extend_from_slice(extra);
    hoplab(&args)
}

#[test]
fn check_takes_the_host_of_a_url_and_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = certs(&dir);
    let output = check(
        &out.join("api.chain.pem"),
        &out.join("trusted-cas.pem"),
        &["--host", "https://api.example.com/pets"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("checking its host api.example.com"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn check_at_takes_relative_times_as_scenarios_do() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = certs(&dir);
    let (chain, trust) = (out.join("api.chain.pem"), out.join("trusted-cas.pem"));
    let host = ["--host", "api.example.com"];
    // The leaf is valid for 90 days from a day ago.
    let soon = check(&chain, &trust, &[&host[..], &["--at", "+30d"]].concat());
    assert_eq!(soon.status.code(), Some(0), "{}", stdout(&soon));
    let later = check(&chain, &trust, &[&host[..], &["--at", "+1y"]].concat());
    assert_eq!(later.status.code(), Some(1), "{}", stdout(&later));
    assert!(
        stdout(&later).contains("validity check failed"),
        "{}",
        stdout(&later)
    );
    let before = check(&chain, &trust, &[&host[..], &["--at", "-1y"]].concat());
    assert_eq!(before.status.code(), Some(1), "{}", stdout(&before));

    let bad = check(&chain, &trust, &[&host[..], &["--at", "+3x"]].concat());
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("unknown time unit 'x'"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn pem_errors_name_the_line_and_a_der_file_is_read_as_der() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = certs(&dir);
    let trust = out.join("trusted-cas.pem");
    let host = ["--host", "api.example.com"];

    let key = check(&out.join("api.key"), &trust, &host);
    assert_eq!(key.status.code(), Some(2));
    assert!(
        stderr(&key).contains("found a PRIVATE KEY section at line 1"),
        "{}",
        stderr(&key)
    );

    let cut = dir.path().join("cut.pem");
    let chain = std::fs::read_to_string(out.join("api.chain.pem")).expect("chain");
    let first_end = chain
        .find("-----END CERTIFICATE-----")
        .expect("an END line");
    std::fs::write(&cut, format!("\n{}", &chain[..first_end])).expect("write");
    let cut_output = check(&cut, &trust, &host);
    assert_eq!(cut_output.status.code(), Some(2));
    assert!(
        stderr(&cut_output)
            .contains("line 2: the CERTIFICATE section has no -----END CERTIFICATE----- line"),
        "{}",
        stderr(&cut_output)
    );

    // One DER certificate, as `openssl x509 -outform der` writes it: read as that certificate.
    let leaf_pem = std::fs::read_to_string(out.join("api.crt")).expect("leaf");
    let der = dir.path().join("api.der");
    std::fs::write(&der, decode_pem(&leaf_pem)).expect("write");
    let output = check(&der, &trust, &host);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}\n{}", stderr(&output));
    // The leaf alone, without its intermediate: read, and judged.
    assert!(text.contains("PKIX path building failed"), "{text}");
}

#[test]
fn certs_says_why_it_writes_no_trusted_cas() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write_scenario(
        &dir,
        "untrusted.toml",
        r#"
[certificates.api]
self_signed = true
common_name = "api.example.com"
dns_names = ["api.example.com"]

[targets.api]
protocol = "HTTPS"
certificate = "api"
dns_names = ["api.example.com"]

[[gateway.routes]]
path = "/"
uri = "https://api.example.com/"
"#,
    );
    let out = dir.path().join("out");
    let output = hoplab(&[
        "certs",
        &file.display().to_string(),
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!out.join("trusted-cas.pem").exists());
    assert!(out.join("api.crt").is_file());
    assert!(
        stderr(&output).contains("no trusted-cas.pem: no authority of"),
        "{}",
        stderr(&output)
    );
}

/// The DER bytes of a one-certificate PEM text.
fn decode_pem(text: &str) -> Vec<u8> {
    pem::parse(text).expect("one PEM block").into_contents()
}
