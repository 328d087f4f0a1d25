//! x509-limbo: public path-validation vectors through `hoplab check`'s engine.
//!
//! Every SERVER case of the C2SP/x509-limbo snapshot in `../shared/data/x509-limbo-2023.json`
//! is judged by [`hoplab_inspect::check`] (the code path of `hoplab check`, hence of the
//! gateway's TLS client) and its verdict compared with the case's `expected_result`. The
//! vectors follow RFC 5280 and Web PKI rules; API Gateway validates like Java PKIX, so the
//! cases where hoplab deliberately decides as Java does are listed, each with its reason, in
//! `limbo-exceptions.toml` next to this file. Any other disagreement fails the test, and so
//! does an exception that no longer disagrees (a stale entry hides nothing).
//!
//! The data file lives outside the repository; when it is absent the test says so and passes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use hoplab_inspect::{CheckInput, Trust, check};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The snapshot, relative to the repository root.
const DATA: &str = "../shared/data/x509-limbo-2023.json";

#[derive(Deserialize)]
struct Limbo {
    version: u32,
    testcases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    validation_kind: String,
    trusted_certs: Vec<String>,
    untrusted_intermediates: Vec<String>,
    peer_certificate: String,
    validation_time: Option<String>,
    expected_result: Expected,
    expected_peer_name: Option<PeerName>,
}

/// Why an exception is listed.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Kind {
    /// hoplab decides as the JDK does; the vector follows RFC 5280 or the Web PKI.
    Java,
    /// The JDK would agree with the vector; hoplab does not model that check yet.
    Gap,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Expected {
    Success,
    Failure,
}

#[derive(Deserialize)]
struct PeerName {
    value: String,
}

/// `limbo-exceptions.toml`: the cases where hoplab follows Java PKIX, not the vector.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Exceptions {
    cases: BTreeMap<String, Exception>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Exception {
    /// What hoplab decides instead of the vector's expectation.
    hoplab: Expected,
    /// Whether hoplab follows the JDK here, or the JDK would agree with the vector.
    kind: Kind,
    /// Why, in terms of the JDK's behaviour.
    reason: String,
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn exceptions() -> Exceptions {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("workspace")
        .join("limbo-exceptions.toml");
    let text = std::fs::read_to_string(&path).expect("limbo-exceptions.toml is readable");
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// hoplab's verdict on one case, and the first line of its explanation when refused.
fn judge(case: &Case) -> (Expected, String) {
    let mut chain = case.peer_certificate.clone();
    for pem in &case.untrusted_intermediates {
        chain.push('\n');
        chain.push_str(pem);
    }
    let at = match &case.validation_time {
        Some(t) => OffsetDateTime::parse(t, &Rfc3339)
            .unwrap_or_else(|e| panic!("{}: validation_time {t:?}: {e}", case.id)),
        None => OffsetDateTime::now_utc(),
    };
    let host = case
        .expected_peer_name
        .as_ref()
        .map(|n| n.value.clone())
        .unwrap_or_default();
    let input = CheckInput {
        chain_pem: chain.into_bytes(),
        host,
        trust: Trust::Pem(
            case.trusted_certs
                .iter()
                .map(|p| p.clone().into_bytes())
                .collect(),
        ),
        at: Some(at),
        insecure_skip_verification: false,
    };
    match check(input) {
        Ok(report) if report.accepted => (Expected::Success, String::new()),
        Ok(report) => (Expected::Failure, report.message.unwrap_or_default()),
        // An unusable input (a trust anchor that does not parse) can never be accepted.
        Err(e) => (Expected::Failure, format!("no verdict: {e}")),
    }
}

#[test]
fn every_server_case_matches_the_vector_or_a_documented_java_exception() {
    let path = repo_root().join(DATA);
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "SKIPPED: x509-limbo data not found at {} (the suite lives outside the repository)",
            path.display()
        );
        return;
    };
    let limbo: Limbo = serde_json::from_str(&text).expect("the limbo snapshot is valid JSON");
    assert_eq!(limbo.version, 1, "limbo format version");
    let exceptions = exceptions();

    let mut server = 0;
    let mut problems = Vec::new();
    let mut seen_exceptions = Vec::new();
    for case in limbo
        .testcases
        .iter()
        .filter(|c| c.validation_kind == "SERVER")
    {
        server += 1;
        let (got, why) = judge(case);
        match exceptions.cases.get(&case.id) {
            Some(exception) => {
                seen_exceptions.push(case.id.as_str());
                assert!(
                    !exception.reason.trim().is_empty(),
                    "{}: empty reason",
                    case.id
                );
                if got != exception.hoplab || got == case.expected_result {
                    problems.push(format!(
                        "{}: listed as an exception (hoplab {:?}, vector {:?}) but hoplab now \
                         says {got:?} {why}",
                        case.id, exception.hoplab, case.expected_result
                    ));
                }
            }
            None if got != case.expected_result => problems.push(format!(
                "{}: expected {:?}, hoplab says {got:?} {why}",
                case.id, case.expected_result
            )),
            None => {}
        }
    }
    for id in exceptions.cases.keys() {
        if !seen_exceptions.contains(&id.as_str()) {
            problems.push(format!(
                "{id}: exception for a case that is not in the suite"
            ));
        }
    }
    assert_eq!(server, 135, "the 2023-12 snapshot has 135 SERVER cases");
    let gaps = exceptions
        .cases
        .values()
        .filter(|e| e.kind == Kind::Gap)
        .count();
    eprintln!(
        "x509-limbo: {server} SERVER cases, {} agree, {} follow Java by design, {gaps} known gap(s)",
        server - exceptions.cases.len(),
        exceptions.cases.len() - gaps
    );
    assert!(
        problems.is_empty(),
        "{} disagreement(s) with x509-limbo:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
