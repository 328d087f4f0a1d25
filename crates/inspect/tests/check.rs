//! `check` on the test PKI's chains: every verdict, the clock, skip, and unusable input.

mod support;

use hoplab_inspect::{
    CheckInput, CheckReport, EXIT_ACCEPTED, EXIT_REJECTED, EXIT_UNUSABLE, InspectError, Trust,
    check, exit_code, read_pem_file,
};
use hoplab_pkix::{PkixError, Rejection};
use support::*;
use time::{Duration, OffsetDateTime};

fn input(leaf: &str) -> CheckInput {
    CheckInput {
        chain_pem: chain_pem(leaf),
        host: HOST.to_owned(),
        trust: trust(),
        at: None,
        insecure_skip_verification: false,
    }
}

fn run(input: CheckInput) -> CheckReport {
    check(input).expect("usable input")
}

fn explains(report: &CheckReport, needle: &str) {
    assert!(
        report.explanation.iter().any(|line| line.contains(needle)),
        "no explanation line contains {needle:?}:\n{}",
        report.explanation.join("\n")
    );
}

#[test]
fn a_complete_chain_to_a_trusted_root_is_accepted() {
    let report = run(input("good"));

    assert!(report.accepted, "{}", report.render_text());
    assert_eq!(report.message, None);
    assert_eq!(report.exit_code(), EXIT_ACCEPTED);
    assert_eq!(report.chain.len(), 2);
    assert_eq!(report.chain[0].subject, "CN=api.example.com");
    assert_eq!(report.chain[1].subject, "CN=Inspect Test Issuing CA");
    explains(
        &report,
        "Path, leaf first: CN=api.example.com > CN=Inspect Test Issuing CA, anchored at \
         CN=Inspect Test Root CA (trusted CA).",
    );
    explains(
        &report,
        "Host name 'api.example.com' matches the certificate's DNS name 'api.example.com'.",
    );
    assert_eq!(
        report.trust_source,
        "1 certificate from the given trust PEM"
    );
    let text = report.render_text();
    assert!(
        text.starts_with("ACCEPTED: API Gateway would accept"),
        "{text}"
    );
    assert!(text.contains(" 0 s:CN=api.example.com\n"), "{text}");
    assert!(text.contains(" 1 s:CN=Inspect Test Issuing CA\n"), "{text}");
}

#[test]
fn a_self_signed_leaf_fails_path_building() {
    let report = run(input("self-signed"));

    assert!(!report.accepted);
    assert_eq!(report.message.as_deref(), Some(PATH_BUILDING));
    assert_eq!(report.rejection, Some(Rejection::PathBuilding));
    assert_eq!(report.exit_code(), EXIT_REJECTED);
    explains(
        &report,
        "CN=api.example.com is self-signed and is not a trusted CA.",
    );
}

#[test]
fn a_chain_to_an_untrusted_root_fails_path_building() {
    let report = run(input("private"));

    assert_eq!(report.message.as_deref(), Some(PATH_BUILDING));
    assert_eq!(report.chain.len(), 3);
    explains(
        &report,
        "CN=Inspect Private Root CA is self-signed and is not a trusted CA.",
    );
}

#[test]
fn a_missing_intermediate_names_the_issuer_looked_for() {
    let report = run(input("leaf-only"));

    assert_eq!(report.message.as_deref(), Some(PATH_BUILDING));
    explains(
        &report,
        "No certificate with subject CN=Inspect Test Issuing CA was sent and it is not a \
         trusted CA (needed as the issuer of CN=api.example.com).",
    );
    explains(
        &report,
        "Host name 'api.example.com' was not checked: API Gateway compares it with the leaf \
         only once the chain is trusted (its SANs are [DNS:api.example.com]).",
    );
}

#[test]
fn an_expired_leaf_fails_validity_and_says_by_how_much() {
    let report = run(input("expired"));

    assert_eq!(report.message.as_deref(), Some(VALIDITY));
    explains(
        &report,
        "CN=api.example.com failed the validity check: it expired 1 day before the check",
    );
}

#[test]
fn a_leaf_not_yet_valid_fails_validity() {
    let report = run(input("not-yet-valid"));

    assert_eq!(report.message.as_deref(), Some(VALIDITY));
    explains(&report, "failed the validity check: it becomes valid");
}

#[test]
fn a_leaf_for_another_host_fails_the_hostname_check_and_lists_its_names() {
    let report = run(CheckInput {
        host: "orders.example.com".to_owned(),
        ..input("good")
    });

    assert_eq!(
        report.message.as_deref(),
        Some(
            "Execution failed due to configuration error: Host name 'orders.example.com' does \
             not match the certificate subject provided by the peer (CN=api.example.com)"
        )
    );
    explains(
        &report,
        "Host name 'orders.example.com' matches none of the certificate's DNS names \
         [api.example.com]",
    );
}

#[test]
fn skip_verification_trusts_a_sent_private_root_only_when_on() {
    let off = run(input("private"));
    let on = run(CheckInput {
        insecure_skip_verification: true,
        ..input("private")
    });

    assert!(!off.accepted);
    assert!(on.accepted, "{}", on.render_text());
    assert!(on.insecure_skip_verification);
    explains(&on, "insecureSkipVerification is on");
    explains(
        &on,
        "anchored at CN=Inspect Private Root CA (sent by the server, trusted through \
         insecureSkipVerification)",
    );
}

#[test]
fn skip_verification_does_not_excuse_expiry() {
    let report = run(CheckInput {
        insecure_skip_verification: true,
        ..input("expired")
    });

    assert_eq!(report.message.as_deref(), Some(VALIDITY));
}

#[test]
fn at_moves_the_clock() {
    let past = OffsetDateTime::now_utc() - Duration::days(10);
    let report = run(CheckInput {
        at: Some(past),
        ..input("expired")
    });

    assert!(report.accepted, "{}", report.render_text());
    let checked: OffsetDateTime = OffsetDateTime::parse(
        &report.checked_at,
        &time::format_description::well_known::Rfc3339,
    )
    .expect("checked_at is RFC 3339");
    assert_eq!(checked.unix_timestamp(), past.unix_timestamp());

    let later = run(CheckInput {
        at: Some(OffsetDateTime::now_utc() + Duration::days(10)),
        ..input("not-yet-valid")
    });
    assert!(later.accepted, "{}", later.render_text());
}

#[test]
fn unusable_chain_input_is_an_error_with_a_clear_message() {
    let cases: [(&[u8], &str); 3] = [
        (
            b"",
            "certificate chain: pem: no CERTIFICATE section: the text is empty",
        ),
        (
            b"this is not a certificate\n",
            "certificate chain: pem: no CERTIFICATE section: found no BEGIN line: line 1 reads",
        ),
        (
            b"-----BEGIN CERTIFICATE-----\nAAAA\n",
            "certificate chain: pem: line 1: the CERTIFICATE section has no -----END",
        ),
    ];
    for (pem, message) in cases {
        let result = check(CheckInput {
            chain_pem: pem.to_vec(),
            ..input("good")
        });
        let error = result.as_ref().expect_err("unusable input");
        assert!(
            matches!(error, InspectError::Chain { .. }),
            "{pem:?}: {error:?}"
        );
        assert!(error.to_string().starts_with(message), "{pem:?}: {error}");
        assert_eq!(exit_code(&result), EXIT_UNUSABLE);
    }
}

#[test]
fn a_pem_block_that_is_not_a_certificate_is_refused_as_the_jdk_refuses_it() {
    // A CERTIFICATE section whose body is not a certificate (not X.509, or not even base64):
    // the JDK cannot parse it, and API Gateway's JVM fails the handshake before any path check.
    for body in ["AAAA", "!!!!"] {
        let pem = format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n");
        let result = check(CheckInput {
            chain_pem: pem.into_bytes(),
            ..input("good")
        });
        let report = result.as_ref().expect("a verdict");
        assert_eq!(
            report.message.as_deref(),
            Some(
                "Execution failed due to configuration error: Failed to parse server certificates"
            ),
            "{body}"
        );
        assert!(report.chain.is_empty());
        explains(report, "Certificate 1 could not be parsed");
        assert_eq!(exit_code(&result), EXIT_REJECTED, "{body}");
    }
}

#[test]
fn unusable_trust_input_is_an_error() {
    for trust in [
        Trust::Pem(vec![]),
        Trust::Pem(vec![b"no pem here".to_vec()]),
    ] {
        let error = check(CheckInput {
            trust,
            ..input("good")
        })
        .expect_err("unusable trust");
        assert!(
            matches!(
                error,
                InspectError::Trust {
                    source: PkixError::NoCertificates { .. },
                    ..
                }
            ),
            "{error:?}"
        );
    }
}

#[test]
fn files_are_read_with_their_path_in_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing.pem");
    let error = read_pem_file(&missing).expect_err("missing file");
    assert!(matches!(error, InspectError::ReadFile { .. }), "{error:?}");
    assert!(error.to_string().contains("missing.pem"), "{error}");
    assert_eq!(error.exit_code(), EXIT_UNUSABLE);

    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, b"").expect("write");
    let error = Trust::from_files(&[empty]).expect_err("empty trust file");
    assert!(error.to_string().contains("empty.pem"), "{error}");

    let chain = dir.path().join("chain.pem");
    std::fs::write(&chain, chain_pem("good")).expect("write");
    assert_eq!(read_pem_file(&chain).expect("readable"), chain_pem("good"));
}

#[test]
fn bundled_trust_refuses_a_chain_to_a_private_root() {
    let report = run(CheckInput {
        trust: Trust::Bundled,
        ..input("good")
    });

    assert_eq!(report.message.as_deref(), Some(PATH_BUILDING));
    assert!(
        report.trust_source.contains("Mozilla's root store"),
        "{}",
        report.trust_source
    );
}

#[test]
fn bundled_trust_holds_the_public_roots() {
    // A bundled root sent as the leaf is a trust anchor by itself (the JDK accepts it without
    // path checks); the host name check then refuses it. That shows the root is in the store.
    let isrg = webpki_root_certs_pem("ISRG Root X1");
    let report = run(CheckInput {
        chain_pem: isrg,
        trust: Trust::Bundled,
        ..input("good")
    });

    explains(&report, "The leaf certificate is itself a trust anchor");
    assert!(
        matches!(report.rejection, Some(Rejection::HostnameMismatch { .. })),
        "{}",
        report.render_text()
    );
}

#[test]
fn reports_serialize_to_json() {
    let report = run(input("leaf-only"));
    let json = serde_json::to_value(&report).expect("json");

    assert_eq!(json["accepted"], false);
    assert_eq!(json["message"], PATH_BUILDING);
    assert_eq!(json["rejection"]["kind"], "path_building");
    assert_eq!(json["host"], HOST);
    assert_eq!(json["chain"][0]["subject"], "CN=api.example.com");
    assert!(
        json["explanation"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
    assert!(json["trust_source"].is_string());
}

/// The bundled root with this common name, as PEM.
fn webpki_root_certs_pem(common_name: &str) -> Vec<u8> {
    let der = hoplab_inspect::Trust::Bundled
        .load()
        .expect("bundled")
        .store
        .certificates()
        .find(|der| {
            hoplab_pkix::CertSummary::from_der(der.as_ref())
                .is_some_and(|s| s.subject.contains(&format!("CN={common_name}")))
        })
        .unwrap_or_else(|| panic!("no bundled root {common_name}"))
        .clone();
    pem_encode(der.as_ref()).into_bytes()
}

fn pem_encode(der: &[u8]) -> String {
    pem::encode(&pem::Pem::new("CERTIFICATE", der))
}
