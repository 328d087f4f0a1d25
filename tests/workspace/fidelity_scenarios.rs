//! Every bundled scenario against the real JDK: every chain a live run validated is judged by
//! the JDK oracle, at the scenario's clock, with the scenario's trusted CAs, for the host the
//! gateway checked; the verdict and message must equal what the live run reported. The same
//! chains are then served by hoplab targets on 127.0.0.1 and judged by the oracle's handshake
//! mode (Apache HttpAsyncClient), which must conclude what the direct (batch) mode concluded:
//! that proves the batch mode, used for x509-limbo and the random chains, is what a handshake
//! reports.

use std::sync::Arc;

use hoplab_pki::Pki;
use hoplab_runner::CertificateRole;
use hoplab_tests::{bundled_scenario_files, load_bundled};
use rustls::sign::CertifiedKey;
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::oracle::{self, Case, Exceptions, Hoplab, JdkVerdict, Outcome, Tally, compare};

/// A chain a live run validated, and what it concluded.
struct Served {
    /// `scenario / request`.
    id: String,
    chain: Vec<Vec<u8>>,
    trusted: Vec<Vec<u8>>,
    host: String,
    at: Option<i64>,
    skip: bool,
    /// `accepted`, or the JDK message the live run reported.
    live: String,
    key: Arc<CertifiedKey>,
}

/// The chains one bundled scenario's live run validated.
///
/// The one place this test reads the scenario, runner and PKI APIs. The run's own PKI is not
/// visible in its report, so the scenario's PKI is generated again at the same clock: the same
/// structure (names, extensions, validity, chains sent), with new keys. The run's report names
/// the scenario certificate each validated leaf is ("the leaf is the scenario's certificate
/// …"), and the route that carried the request gives the host and `insecureSkipVerification`.
async fn served_chains(file: &str) -> Vec<Served> {
    let scenario = load_bundled(file);
    let report = hoplab_runner::run(&scenario)
        .await
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let now = scenario.now().unwrap_or_else(OffsetDateTime::now_utc);
    let pki = Pki::generate(scenario.pki(), now).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut trusted: Vec<Vec<u8>> = pki.trusted().iter().map(|d| d.to_vec()).collect();
    trusted.extend(scenario.gateway().trusted_ca().iter().cloned());
    if scenario.gateway().public_roots() {
        trusted.extend(
            webpki_root_certs::TLS_SERVER_ROOT_CERTS
                .iter()
                .map(|d| d.to_vec()),
        );
    }
    if trusted.is_empty() {
        // A scenario that trusts none of its authorities still stands for API Gateway's list
        // of public CAs, which is never empty (a JVM with an empty trust store fails with "the
        // trustAnchors parameter must be non-empty"): one unrelated public root stands for it.
        trusted.push(webpki_root_certs::TLS_SERVER_ROOT_CERTS[0].to_vec());
    }
    let mut served = Vec::new();
    for request in &report.requests {
        let route = scenario
            .routes()
            .iter()
            .find(|r| r.path() == request.path && r.serves_method(&request.method))
            .unwrap_or_else(|| panic!("{file}: no route for {}", request.name));
        for seen in &request.trace.certificates {
            if seen.role != CertificateRole::Validated {
                continue;
            }
            let leaf = seen
                .explanation
                .iter()
                .find_map(|line| {
                    line.strip_prefix("the leaf is the scenario's certificate \"")
                        .and_then(|rest| rest.strip_suffix('"'))
                })
                .unwrap_or_else(|| panic!("{file}: {}: which certificate?", request.name));
            let leaf = scenario
                .find_certificate(leaf)
                .unwrap_or_else(|| panic!("{file}: no certificate {leaf}"));
            let certificate = pki.served(leaf);
            served.push(Served {
                id: format!("{} / {}", scenario.name(), request.name),
                chain: certificate.chain.iter().map(|d| d.to_vec()).collect(),
                trusted: trusted.clone(),
                host: route
                    .server_name_to_verify()
                    .unwrap_or_else(|| route.uri().host())
                    .to_owned(),
                at: scenario.now().map(OffsetDateTime::unix_timestamp),
                skip: route.insecure_skip_verification(),
                live: seen.verdict.clone(),
                key: Arc::clone(&certificate.certified_key),
            });
        }
    }
    served
}

/// Serves every chain from its own hoplab target on 127.0.0.1 until `shutdown`; the cases
/// name the ports.
async fn serve_all(
    served: &[Served],
    events: &hoplab_trace::EventLog,
    shutdown: &CancellationToken,
) -> Vec<Case> {
    let mut cases = Vec::new();
    for (i, s) in served.iter().enumerate() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let config = hoplab_target::TargetConfig::new(
            hoplab_trace::HopId::target(format!("fidelity-{i}")),
            Some(Arc::clone(&s.key)),
            "ok",
        );
        tokio::spawn(hoplab_target::serve(
            listener,
            config,
            events.clone(),
            shutdown.clone(),
        ));
        cases.push(case(s, Some(port)));
    }
    cases
}

fn case(served: &Served, port: Option<u16>) -> Case {
    Case {
        id: served.id.clone(),
        chain: served.chain.clone(),
        trusted: served.trusted.clone(),
        host: served.host.clone(),
        at: served.at,
        skip: served.skip,
        port,
    }
}

/// What the oracle said, as a verdict string like the live run's.
fn said(answer: &oracle::Answer) -> String {
    match answer.verdict {
        JdkVerdict::Accepted => "accepted".to_owned(),
        _ => answer.message.clone().unwrap_or_default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bundled_chain_gets_the_jdks_verdict_in_batch_and_in_a_handshake() {
    let Some(oracle) = oracle::oracle_for("bundled scenarios") else {
        return;
    };
    let mut served = Vec::new();
    for file in bundled_scenario_files() {
        served.extend(served_chains(&file).await);
    }
    assert!(served.len() > 20, "the bundled scenarios validate chains");

    // Batch: the JDK's verdict against the live run's.
    let exceptions = Exceptions::load();
    let cases: Vec<Case> = served.iter().map(|s| case(s, None)).collect();
    let batch = tokio::task::block_in_place(|| oracle.batch(&cases));
    let mut tally = Tally::default();
    let mut problems = Vec::new();
    for (s, jdk) in served.iter().zip(&batch) {
        let ours = if s.live == "accepted" {
            Hoplab::Accepted
        } else {
            Hoplab::Rejected(s.live.clone())
        };
        let outcome = compare("scenarios", &s.id, &ours, jdk, &exceptions);
        tally.add(outcome);
        if !matches!(outcome, Outcome::Agree | Outcome::Excepted) {
            problems.push(format!(
                "{} ({outcome:?}, host {}):\n  jdk:  {}\n  live: {}\n  detail: {}",
                s.id,
                s.host,
                said(jdk),
                s.live,
                jdk.detail.as_deref().unwrap_or("")
            ));
        }
    }
    eprintln!("{}", tally.line("bundled scenarios"));
    eprintln!("oracle: {}", oracle.versions);

    // Handshake: every chain served by a real target, judged by HttpAsyncClient.
    let events = hoplab_trace::EventLog::new();
    let shutdown = CancellationToken::new();
    let handshake_cases = serve_all(&served, &events, &shutdown).await;
    let shaken = tokio::task::block_in_place(|| oracle.handshake(&handshake_cases));
    shutdown.cancel();
    let mut raised = std::collections::BTreeSet::new();
    for ((s, direct), handshake) in served.iter().zip(&batch).zip(&shaken) {
        // Once JSSE parsed the chain it called the trust manager, with the authType the batch
        // mode passes.
        if handshake.stage.as_deref() != Some("parse") {
            assert_eq!(
                handshake.auth_type.as_deref(),
                Some("UNKNOWN"),
                "{}: the handshake reached the trust manager with another authType ({:?})",
                s.id,
                handshake.detail
            );
        }
        if let Some(raw) = &handshake.raw_message {
            raised.insert(raw.clone());
        }
        if said(direct) != said(handshake) || direct.verdict != handshake.verdict {
            problems.push(format!(
                "{}: batch and handshake differ:\n  batch:     {}\n  handshake: {} (as raised: {:?})\n  detail: {}",
                s.id,
                said(direct),
                said(handshake),
                handshake.raw_message,
                handshake.detail.as_deref().unwrap_or("")
            ));
        }
    }
    eprintln!(
        "fidelity bundled scenarios: {} chains also judged through a real handshake; the \
         exceptions as raised there:\n  {}",
        shaken.len(),
        raised.into_iter().collect::<Vec<_>>().join("\n  ")
    );
    assert!(
        problems.is_empty(),
        "{} disagreement(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// A chain on which the JDK throws instead of answering: root -> CA (permitting `example.com`
/// when `constrained`) -> a leaf with these SANs, for `host`.
fn throwing_chain(id: &str, host: &str, sans: &[&str], constrained: bool) -> Served {
    use rcgen::{BasicConstraints, CertificateParams, GeneralSubtree, IsCa, Issuer, KeyPair};
    let ca_params = |cn: &str| {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
    };
    let root_key = KeyPair::generate().expect("a key");
    let root_params = ca_params("Root");
    let root = root_params.self_signed(&root_key).expect("root");
    let ca_key = KeyPair::generate().expect("a key");
    let mut ca_params = ca_params("Inter");
    if constrained {
        ca_params.name_constraints = Some(rcgen::NameConstraints {
            permitted_subtrees: vec![GeneralSubtree::DnsName("example.com".to_owned())],
            excluded_subtrees: Vec::new(),
        });
    }
    let ca = ca_params
        .signed_by(&ca_key, &Issuer::from_params(&root_params, &root_key))
        .expect("CA");
    let leaf_key = KeyPair::generate().expect("a key");
    let mut leaf_params =
        CertificateParams::new(sans.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
            .expect("SANs");
    leaf_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, host);
    let leaf = leaf_params
        .signed_by(&leaf_key, &Issuer::from_params(&ca_params, &ca_key))
        .expect("leaf");
    let chain = vec![leaf.der().clone(), ca.der().clone()];
    let pkcs8 = rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
    let signing = rustls::crypto::aws_lc_rs::sign::any_supported_type(&pkcs8).expect("a key");
    Served {
        id: id.to_owned(),
        chain: chain.iter().map(|d| d.to_vec()).collect(),
        trusted: vec![root.der().to_vec()],
        host: host.to_owned(),
        at: None,
        skip: false,
        live: String::new(),
        key: Arc::new(CertifiedKey::new(chain, signing)),
    }
}

/// When the JDK's trust manager or Apache's verifier throws, a real HttpAsyncClient handshake
/// fails with the exception's `toString()` (inside an `SSLException`): batch mode reports the
/// same text, and so does hoplab.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runtime_exceptions_in_a_handshake_read_as_batch_mode_and_hoplab_say() {
    let Some(oracle) = oracle::oracle_for("runtime exceptions") else {
        return;
    };
    let served = vec![
        throwing_chain(
            "empty dNSName under a DNS subtree",
            "api.example.com",
            &["api.example.com", ""],
            true,
        ),
        throwing_chain("overlapping wildcard", "a.b", &["a.*.b"], false),
    ];
    let cases: Vec<Case> = served.iter().map(|s| case(s, None)).collect();
    let batch = tokio::task::block_in_place(|| oracle.batch(&cases));
    let shutdown = CancellationToken::new();
    let handshake_cases = serve_all(&served, &hoplab_trace::EventLog::new(), &shutdown).await;
    let shaken = tokio::task::block_in_place(|| oracle.handshake(&handshake_cases));
    shutdown.cancel();
    for ((case, direct), handshake) in cases.iter().zip(&batch).zip(&shaken) {
        assert!(
            said(handshake).starts_with("java.lang."),
            "{}: the handshake said {:?} ({:?})",
            case.id,
            said(handshake),
            handshake.detail
        );
        assert_eq!(said(direct), said(handshake), "{}", case.id);
        assert_eq!(
            oracle::hoplab_verdict(case),
            Hoplab::Rejected(said(direct)),
            "{}",
            case.id
        );
    }
}
