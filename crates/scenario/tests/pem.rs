//! Certificates read from the user's PEM files: accepted when sound, located errors otherwise.

mod common;

use std::path::Path;

use common::BASE;
use hoplab_scenario::{LoadError, load};

/// Writes `leaf.pem` (leaf + issuer), `key.pem` (the leaf's PKCS#8 key) and `other-key.pem`
/// (an unrelated key) into `dir`.
fn write_pem_files(dir: &Path) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["api.example.com".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    std::fs::write(dir.join("leaf.pem"), format!("{}{}", leaf.pem(), ca.pem())).unwrap();
    std::fs::write(dir.join("key.pem"), leaf_key.serialize_pem()).unwrap();
    let other = rcgen::KeyPair::generate().unwrap();
    std::fs::write(dir.join("other-key.pem"), other.serialize_pem()).unwrap();
    std::fs::write(dir.join("empty.pem"), "no certificates here\n").unwrap();
    std::fs::write(
        dir.join("encrypted.pem"),
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
    )
    .unwrap();
}

/// BASE with the NLB certificate replaced by one read from `chain` and `key`.
fn scenario_with(
    dir: &Path,
    chain: &str,
    key: Option<&str>,
) -> Result<hoplab_scenario::Scenario, LoadError> {
    let key_line = key
        .map(|k| format!("pem_key = \"{k}\"\n"))
        .unwrap_or_default();
    let text = BASE.replace(
        "[certificates.nlb-cert]\nissuer = \"root\"\ndns_names = [\"api.example.com\"]\n",
        &format!("[certificates.nlb-cert]\npem_chain = \"{chain}\"\n{key_line}"),
    );
    assert!(text.contains("pem_chain"), "BASE changed shape");
    let path = dir.join("scenario.toml");
    std::fs::write(&path, text).unwrap();
    load(&path)
}

fn only_error(
    result: Result<hoplab_scenario::Scenario, LoadError>,
) -> hoplab_scenario::ScenarioError {
    match result {
        Err(LoadError::Invalid(errors)) => {
            assert_eq!(errors.len(), 1, "{errors:#?}");
            errors.into_iter().next().unwrap()
        }
        other => panic!("expected one scenario error, got {other:?}"),
    }
}

#[test]
fn a_sound_chain_and_key_are_read_relative_to_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    write_pem_files(dir.path());
    let scenario = scenario_with(dir.path(), "leaf.pem", Some("key.pem")).expect("valid");
    let leaf = &scenario.pki().certificates()[0];
    let pem = leaf.pem().expect("read from PEM");
    assert_eq!(pem.chain().len(), 2);
    assert_eq!(pem.chain_file(), dir.path().join("leaf.pem"));
    assert!(!pem.key_pkcs8().is_empty());
}

#[test]
fn a_key_of_another_certificate_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    write_pem_files(dir.path());
    let error = only_error(scenario_with(dir.path(), "leaf.pem", Some("other-key.pem")));
    assert_eq!(error.field, "certificates.nlb-cert.pem_key");
    assert!(error.message.contains("does not belong"), "{error}");
    assert_eq!(error.location.line, 6, "{error}");
    assert!(error.location.file.ends_with("scenario.toml"));
}

#[test]
fn an_encrypted_key_is_a_located_error_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    write_pem_files(dir.path());
    let error = only_error(scenario_with(dir.path(), "leaf.pem", Some("encrypted.pem")));
    assert_eq!(error.field, "certificates.nlb-cert.pem_key");
    assert!(error.message.contains("encrypted"), "{error}");
    assert!(
        error
            .help
            .as_deref()
            .unwrap_or_default()
            .contains("openssl pkcs8")
    );
}

#[test]
fn an_empty_chain_file_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    write_pem_files(dir.path());
    let error = only_error(scenario_with(dir.path(), "empty.pem", Some("key.pem")));
    assert_eq!(error.field, "certificates.nlb-cert.pem_chain");
    assert!(error.message.contains("no certificate"), "{error}");
    assert_eq!(error.location.line, 5);
}

#[test]
fn a_missing_file_and_a_missing_key_are_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    write_pem_files(dir.path());
    let error = only_error(scenario_with(dir.path(), "nowhere.pem", Some("key.pem")));
    assert!(error.message.contains("cannot read"), "{error}");
    assert!(error.message.contains("nowhere.pem"), "{error}");
    let error = only_error(scenario_with(dir.path(), "leaf.pem", None));
    assert_eq!(error.field, "certificates.nlb-cert.pem_key");
}

#[test]
fn generation_fields_cannot_be_mixed_with_pem_files() {
    let dir = tempfile::tempdir().unwrap();
    write_pem_files(dir.path());
    let path = dir.path().join("mixed.toml");
    let text = BASE.replace(
        "[certificates.nlb-cert]\nissuer = \"root\"\n",
        "[certificates.nlb-cert]\nissuer = \"root\"\npem_chain = \"leaf.pem\"\npem_key = \"key.pem\"\n",
    );
    std::fs::write(&path, text).unwrap();
    let Err(LoadError::Invalid(errors)) = load(&path) else {
        panic!("mixing must fail")
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert!(
        fields.contains(&"certificates.nlb-cert.issuer"),
        "{fields:?}"
    );
    assert!(
        fields.contains(&"certificates.nlb-cert.dns_names"),
        "{fields:?}"
    );
}
