//! `write_certs`: files, modes, and openssl agreeing with hoplab's verdict on them.

mod support;

use std::path::Path;
use std::process::Command;

use hoplab_inspect::{CheckInput, Trust, check, read_pem_file, write_certs};
use support::*;

#[test]
fn writes_every_pem_file_with_safe_modes_and_no_leftovers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("nested").join("certs");

    let written = write_certs(pki(), &out).expect("write certs");

    let expected: Vec<_> = pki()
        .pem_files()
        .into_iter()
        .map(|(name, contents, secret)| (out.join(name), contents, secret))
        .collect();
    assert_eq!(
        written,
        expected
            .iter()
            .map(|(p, _, _)| p.clone())
            .collect::<Vec<_>>()
    );
    for (path, contents, secret) in &expected {
        assert_eq!(
            std::fs::read_to_string(path).expect("read back"),
            *contents,
            "{}",
            path.display()
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(path)
                .expect("metadata")
                .permissions()
                .mode()
                & 0o777;
            let want = if *secret { 0o600 } else { 0o644 };
            assert_eq!(mode, want, "{}: mode {mode:o}", path.display());
        }
        #[cfg(not(unix))]
        let _ = secret;
    }
    let names: Vec<String> = std::fs::read_dir(&out)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), expected.len(), "leftover files: {names:?}");
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");

    // Writing again replaces the files in place.
    let again = write_certs(pki(), &out).expect("write certs again");
    assert_eq!(again, written);
    assert_eq!(
        std::fs::read_dir(&out).expect("read dir").count(),
        expected.len()
    );
}

#[test]
fn an_output_path_that_is_a_file_is_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").expect("write");

    let error = write_certs(pki(), &file).expect_err("not a directory");

    assert!(error.to_string().contains("not-a-dir"), "{error}");
}

/// openssl and hoplab must agree on every chain: accepted, expired, missing intermediate and
/// untrusted root.
#[test]
fn openssl_agrees_with_the_check_on_written_files() {
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("note: openssl is not on PATH; skipping the openssl cross-check");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    write_certs(pki(), dir.path()).expect("write certs");

    for (leaf, accepted) in [
        ("good", true),
        ("expired", false),
        ("leaf-only", false),
        ("private", false),
    ] {
        let openssl = openssl_verify(dir.path(), leaf);
        let hoplab = check(CheckInput {
            chain_pem: read_pem_file(&dir.path().join(format!("{leaf}.chain.pem")))
                .expect("chain file"),
            host: HOST.to_owned(),
            trust: Trust::from_files(&[dir.path().join("trusted-cas.pem")]).expect("trust"),
            at: None,
            insecure_skip_verification: false,
        })
        .expect("check");
        assert_eq!(openssl.0, accepted, "openssl on {leaf}: {}", openssl.1);
        assert_eq!(
            hoplab.accepted,
            accepted,
            "hoplab on {leaf}:\n{}",
            hoplab.render_text()
        );
    }
}

/// `openssl verify -CAfile trusted-cas.pem -untrusted <leaf>.chain.pem <leaf>.crt`.
fn openssl_verify(dir: &Path, leaf: &str) -> (bool, String) {
    let output = Command::new("openssl")
        .arg("verify")
        .arg("-CAfile")
        .arg(dir.join("trusted-cas.pem"))
        .arg("-untrusted")
        .arg(dir.join(format!("{leaf}.chain.pem")))
        .arg(dir.join(format!("{leaf}.crt")))
        .output()
        .expect("run openssl");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), said)
}
