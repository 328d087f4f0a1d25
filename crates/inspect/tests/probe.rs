//! `probe` against real TLS servers started on 127.0.0.1:0, and against a dead port and a
//! silent listener.

mod support;

use std::time::Duration;

use hoplab_inspect::{ConnectTo, EXIT_UNUSABLE, InspectError, ProbeTarget, exit_code, probe};
use support::*;
use tokio::net::TcpListener;

fn target_at(addr: std::net::SocketAddr, host: &str) -> ProbeTarget {
    ProbeTarget {
        connect: Some(ConnectTo::Addr(addr)),
        timeout: STEP,
        ..ProbeTarget::new(host, addr.port())
    }
}

#[tokio::test]
async fn a_served_complete_chain_is_listed_and_accepted() {
    let server = Server::start("good").await;

    let report = probe(&target_at(server.addr, HOST), &trust(), None, false)
        .await
        .expect("probe");

    assert!(report.check.accepted, "{}", report.render_text());
    assert_eq!(report.exit_code(), 0);
    assert_eq!(report.connected_to, server.addr);
    assert_eq!(report.sni.as_deref(), Some(HOST));
    assert!(report.protocol.starts_with("TLSv1."), "{}", report.protocol);
    let served = &support::served("good").chain;
    let fingerprints: Vec<String> = served
        .iter()
        .map(|der| hoplab_pkix::fingerprint(der.as_ref()))
        .collect();
    let listed: Vec<String> = report
        .check
        .chain
        .iter()
        .map(|c| c.sha256.clone())
        .collect();
    assert_eq!(listed, fingerprints);
    let text = report.render_text();
    assert!(
        text.starts_with(&format!("CONNECTED to {} (SNI {HOST})\n", server.addr)),
        "{text}"
    );
    assert!(
        text.contains(" 0 s:CN=api.example.com\n   i:CN=Inspect Test Issuing CA\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("   sha256:{}\n", fingerprints[0])),
        "{text}"
    );
    assert!(
        text.contains("ACCEPTED: API Gateway would accept"),
        "{text}"
    );
    server.stop().await;
}

#[tokio::test]
async fn an_expired_served_chain_is_rejected() {
    let server = Server::start("expired").await;

    let report = probe(&target_at(server.addr, HOST), &trust(), None, false)
        .await
        .expect("probe");

    assert_eq!(report.check.message.as_deref(), Some(VALIDITY));
    assert_eq!(report.exit_code(), 1);
    server.stop().await;
}

#[tokio::test]
async fn a_served_chain_missing_its_intermediate_is_rejected() {
    let server = Server::start("leaf-only").await;

    let report = probe(&target_at(server.addr, HOST), &trust(), None, false)
        .await
        .expect("probe");

    assert_eq!(report.check.message.as_deref(), Some(PATH_BUILDING));
    assert_eq!(report.check.chain.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn the_host_not_the_sni_is_checked_against_the_leaf() {
    let server = Server::start("good").await;

    let mut target = target_at(server.addr, "orders.example.com");
    target.sni = Some(HOST.to_owned());
    let report = probe(&target, &trust(), None, false).await.expect("probe");

    assert_eq!(report.sni.as_deref(), Some(HOST));
    assert_eq!(
        report.check.message.as_deref(),
        Some(
            "Execution failed due to configuration error: Host name 'orders.example.com' does \
             not match the certificate subject provided by the peer (CN=api.example.com)"
        )
    );
    server.stop().await;
}

#[tokio::test]
async fn an_ip_host_sends_no_sni() {
    let server = Server::start("good").await;

    let target = ProbeTarget {
        timeout: STEP,
        ..ProbeTarget::new("127.0.0.1", server.addr.port())
    };
    let report = probe(&target, &trust(), None, false).await.expect("probe");

    assert_eq!(report.sni, None);
    assert_eq!(report.connected_to, server.addr);
    assert!(
        matches!(
            report.check.rejection,
            Some(hoplab_pkix::Rejection::HostnameMismatch { .. })
        ),
        "{}",
        report.render_text()
    );
    server.stop().await;
}

#[tokio::test]
async fn a_refused_connection_is_an_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let dead = listener.local_addr().expect("local addr");
    drop(listener);

    let result = probe(&target_at(dead, HOST), &trust(), None, false).await;

    let error = result.as_ref().expect_err("nothing listens");
    assert!(matches!(error, InspectError::Connect { .. }), "{error:?}");
    assert!(error.to_string().contains(&dead.to_string()), "{error}");
    assert_eq!(exit_code(&result), EXIT_UNUSABLE);
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let (release, held) = tokio::sync::oneshot::channel::<()>();
    let holder = tokio::spawn(async move {
        // Accept and hold the connection without a word until the test is done.
        let (stream, _) = listener.accept().await.expect("accept");
        let _ = held.await;
        drop(stream);
    });

    let target = ProbeTarget {
        timeout: Duration::from_millis(500),
        ..target_at(addr, HOST)
    };
    let result = probe(&target, &trust(), None, false).await;

    let error = result.as_ref().expect_err("no handshake");
    assert!(matches!(error, InspectError::Timeout { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains(&format!("waiting for the TLS handshake with {addr}")),
        "{error}"
    );
    assert_eq!(exit_code(&result), EXIT_UNUSABLE);
    let _ = release.send(());
    tokio::time::timeout(STEP, holder)
        .await
        .expect("holder ends")
        .expect("holder task");
}

#[tokio::test]
async fn an_unusable_trust_input_fails_before_connecting() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local addr");

    let error = probe(
        &target_at(addr, HOST),
        &hoplab_inspect::Trust::Pem(vec![]),
        None,
        false,
    )
    .await
    .expect_err("no trust");

    assert!(matches!(error, InspectError::Trust { .. }), "{error:?}");
    // Nothing connected: accepting would hang, so poll once.
    let accepted = tokio::time::timeout(Duration::ZERO, listener.accept()).await;
    assert!(accepted.is_err(), "probe connected anyway");
}
