//! x509-limbo against the real JDK: every SERVER case with a DNS peer name, judged by hoplab
//! (`hoplab check`'s engine) and by the JDK oracle (`oracle/jdk/`), must get the same verdict
//! and the same message.
//!
//! The vectors' own `expected_result` follows RFC 5280 and the Web PKI; API Gateway's client
//! is a JVM, so the JDK is the referee here, not the vector. The data file lives outside the
//! repository (`../shared/data/x509-limbo-2023.json`, or the file `HOPLAB_LIMBO_DATA` names):
//! without it the test says it skipped, and under `CI=true` it fails.

use std::path::PathBuf;

use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::oracle::{self, Case, Exceptions, Outcome, Tally, compare, hoplab_verdict};

/// The snapshot, relative to the repository root.
const DATA: &str = "../shared/data/x509-limbo-2023.json";

#[derive(Deserialize)]
struct Limbo {
    version: u32,
    testcases: Vec<LimboCase>,
}

#[derive(Deserialize)]
struct LimboCase {
    id: String,
    validation_kind: String,
    trusted_certs: Vec<String>,
    untrusted_intermediates: Vec<String>,
    peer_certificate: String,
    validation_time: Option<String>,
    expected_peer_name: Option<PeerName>,
}

#[derive(Deserialize)]
struct PeerName {
    kind: String,
    value: String,
}

fn der(case: &str, pem_text: &str) -> Vec<u8> {
    pem::parse(pem_text)
        .unwrap_or_else(|e| panic!("{case}: PEM in the snapshot: {e}"))
        .into_contents()
}

/// The SERVER cases with a DNS peer name, as oracle cases.
fn cases(limbo: &Limbo) -> Vec<Case> {
    limbo
        .testcases
        .iter()
        .filter(|c| c.validation_kind == "SERVER")
        .filter_map(|c| {
            let name = c.expected_peer_name.as_ref().filter(|n| n.kind == "DNS")?;
            let mut chain = vec![der(&c.id, &c.peer_certificate)];
            chain.extend(c.untrusted_intermediates.iter().map(|p| der(&c.id, p)));
            let at = c.validation_time.as_ref().map(|t| {
                OffsetDateTime::parse(t, &Rfc3339)
                    .unwrap_or_else(|e| panic!("{}: validation_time {t:?}: {e}", c.id))
                    .unix_timestamp()
            });
            Some(Case {
                id: c.id.clone(),
                chain,
                trusted: c.trusted_certs.iter().map(|p| der(&c.id, p)).collect(),
                host: name.value.clone(),
                at,
                skip: false,
                port: None,
            })
        })
        .collect()
}

#[test]
fn every_dns_server_case_gets_the_jdks_verdict_and_message() {
    const TEST: &str = "limbo";
    let path = std::env::var_os("HOPLAB_LIMBO_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| oracle::repo_root().join(DATA));
    let Ok(text) = std::fs::read_to_string(&path) else {
        oracle::skip(
            TEST,
            &format!("x509-limbo data not found at {}", path.display()),
        );
        return;
    };
    let Some(oracle) = oracle::oracle_for(TEST) else {
        return;
    };
    let limbo: Limbo = serde_json::from_str(&text).expect("the limbo snapshot is valid JSON");
    assert_eq!(limbo.version, 1, "limbo format version");
    let cases = cases(&limbo);
    assert_eq!(
        cases.len(),
        127,
        "the 2023-12 snapshot has 127 SERVER cases with a DNS name"
    );

    let exceptions = Exceptions::load();
    let answers = oracle.batch(&cases);
    let mut tally = Tally::default();
    let mut problems = Vec::new();
    let mut used = Vec::new();
    for (case, jdk) in cases.iter().zip(&answers) {
        let ours = hoplab_verdict(case);
        let outcome = compare("limbo", &case.id, &ours, jdk, &exceptions);
        tally.add(outcome);
        if let (Outcome::Excepted, oracle::Hoplab::Rejected(m)) = (outcome, &ours) {
            used.push((
                case.id.clone(),
                m.clone(),
                jdk.message.clone().unwrap_or_default(),
            ));
        }
        if !matches!(outcome, Outcome::Agree | Outcome::Excepted) {
            problems.push(format!(
                "{} ({outcome:?}, host {}):\n  jdk:    {:?} {}\n  hoplab: {ours}\n  detail: {}",
                case.id,
                case.host,
                jdk.verdict,
                jdk.message.as_deref().unwrap_or(""),
                jdk.detail.as_deref().unwrap_or("")
            ));
        }
    }
    for id in exceptions.stale("limbo", &used) {
        problems.push(format!("{id}: exception that no longer applies"));
    }
    eprintln!("{}", tally.line("x509-limbo"));
    assert!(
        problems.is_empty(),
        "{} disagreement(s) with the JDK:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
