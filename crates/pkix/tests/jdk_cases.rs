//! Chains on which hoplab once disagreed with the real JDK 17 and Apache HttpClient 4.5, each
//! kept with the answer the JDK oracle (`oracle/jdk/`) gave: the JDK's exact message, its
//! acceptance, or its refusal to even hold a trusted certificate. The chains are in
//! `fixtures/jdk-cases.json` (ten from x509-limbo, two made with openssl).

use hoplab_pkix::{PkixError, Policy, TrustStore, parse_pem_chain, validate};
use serde::Deserialize;
use time::OffsetDateTime;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    host: String,
    at: i64,
    chain: Vec<String>,
    trusted: Vec<String>,
    jdk: Jdk,
}

#[derive(Deserialize)]
struct Jdk {
    /// `accepted`, `rejected`, or `unusable_trust` (a trusted certificate the JDK cannot
    /// parse, so no JVM trust store can hold it).
    verdict: String,
    message: Option<String>,
}

fn case(id: &str) -> Case {
    let text = include_str!("fixtures/jdk-cases.json");
    let fixture: Fixture = serde_json::from_str(text).expect("the fixture is valid JSON");
    fixture
        .cases
        .into_iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no case {id} in the fixture"))
}

/// hoplab's answer on the case equals the JDK's.
fn agrees_with_the_jdk(id: &str) {
    let case = case(id);
    let mut trust = TrustStore::new();
    for pem in &case.trusted {
        for der in parse_pem_chain(pem.as_bytes()).expect("trusted PEM") {
            match trust.add(der) {
                Ok(()) => {}
                Err(PkixError::BadTrustedCertificate { reason }) => {
                    assert_eq!(case.jdk.verdict, "unusable_trust", "{id}: {reason}");
                    assert_eq!(Some(reason), case.jdk.message, "{id}");
                    return;
                }
                Err(e) => panic!("{id}: {e}"),
            }
        }
    }
    assert_ne!(
        case.jdk.verdict, "unusable_trust",
        "{id}: the JDK cannot hold a trusted certificate, hoplab can"
    );
    let chain: Vec<_> = case
        .chain
        .iter()
        .flat_map(|pem| parse_pem_chain(pem.as_bytes()).expect("chain PEM"))
        .collect();
    let at = OffsetDateTime::from_unix_timestamp(case.at).expect("a time");
    let verdict = validate(&chain, &case.host, &trust, Policy::default(), at);
    match case.jdk.verdict.as_str() {
        "accepted" => assert!(
            verdict.is_accepted(),
            "{id}: the JDK accepts, hoplab says {:?}\n{}",
            verdict.java_message(),
            verdict.explanation.lines().join("\n")
        ),
        _ => assert_eq!(verdict.java_message(), case.jdk.message, "{id}"),
    }
}

macro_rules! jdk_cases {
    ($($test:ident => $id:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                agrees_with_the_jdk($id);
            }
        )*
    };
}

jdk_cases! {
    limbo_noncritical_with_empty_subject => "rfc5280::san::noncritical-with-empty-subject",
    limbo_ski_critical_ski => "rfc5280::ski::critical-ski",
    limbo_root_missing_basic_constraints => "rfc5280::root-missing-basic-constraints",
    limbo_root_inconsistent_ca_extensions => "rfc5280::root-inconsistent-ca-extensions",
    limbo_forbidden_p192_spki_leaf => "webpki::forbidden-p192-spki-leaf",
    limbo_forbidden_signature_algorithm_in_root => "webpki::forbidden-signature-algorithm-in-root",
    limbo_duplicate_extensions => "rfc5280::duplicate-extensions",
    limbo_mismatching_signature_algorithm => "rfc5280::mismatching-signature-algorithm",
    limbo_ca_empty_subject => "rfc5280::ca-empty-subject",
    limbo_ee_empty_issuer => "rfc5280::ee-empty-issuer",
    wildcard_public_suffix => "wildcard-public-suffix",
    ec_p192_intermediate => "ec-p192-intermediate",
}
