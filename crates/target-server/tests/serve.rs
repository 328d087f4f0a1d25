//! A real target on 127.0.0.1:0, driven by real TCP and rustls clients.

mod support;

use std::sync::Arc;

use hoplab_target::{SHUTDOWN_GRACE, TARGET_HEADER};
use hoplab_trace::{CertSummary, Connection, HopId, Observation};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[tokio::test]
async fn plain_http_request_gets_the_body_and_header_and_is_recorded() {
    let target = start("app", None, "hello from app").await;
    let mut stream = TcpStream::connect(target.addr).await.unwrap();
    let client = stream.local_addr().unwrap();

    let response = get(&mut stream, "/pets?kind=cat", "api.example.com").await;

    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(
        response.contains(&format!("{TARGET_HEADER}: app\r\n")),
        "{response}"
    );
    assert!(
        response.contains("content-type: text/plain\r\n"),
        "{response}"
    );
    assert!(response.ends_with("\r\n\r\nhello from app"), "{response}");
    let conn = Connection {
        peer: client,
        local: target.addr,
    };
    assert_eq!(
        target.events.snapshot(),
        vec![
            Observation::Accepted {
                hop: HopId::target("app"),
                conn,
            },
            Observation::Responded {
                hop: HopId::target("app"),
                conn,
                request: "GET /pets?kind=cat HTTP/1.1".to_owned(),
                host: Some("api.example.com".to_owned()),
                status: 200,
                trace_id: None,
            },
        ]
    );
    target.stop().await;
}

#[tokio::test]
async fn an_alb_trace_id_is_recorded_with_the_response() {
    let target = start("app", None, "ok").await;
    let mut stream = TcpStream::connect(target.addr).await.unwrap();
    stream
        .write_all(
            b"GET / HTTP/1.1\r\nHost: a\r\nX-Amzn-Trace-Id: Root=1-67891233-abcdef012345678912345678\r\nConnection: close\r\n\r\n",
        )
        .await
        .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let recorded = target
        .events
        .matching(|o| matches!(o, Observation::Responded { .. }));
    let [Observation::Responded { trace_id, .. }] = recorded.as_slice() else {
        panic!("{recorded:#?}");
    };
    assert_eq!(
        trace_id.as_deref(),
        Some("Root=1-67891233-abcdef012345678912345678")
    );
    target.stop().await;
}

#[tokio::test]
async fn keep_alive_serves_several_requests_on_one_connection() {
    let target = start("app", None, "ok").await;
    let mut stream = TcpStream::connect(target.addr).await.unwrap();
    stream
        .write_all(b"GET /one HTTP/1.1\r\nHost: a\r\n\r\n")
        .await
        .unwrap();
    let response = get(&mut stream, "/two", "a").await;

    assert_eq!(response.matches("HTTP/1.1 200 OK").count(), 2, "{response}");
    let requests: Vec<_> = target
        .events
        .matching(|o| matches!(o, Observation::Responded { .. }))
        .into_iter()
        .map(|o| match o {
            Observation::Responded { request, .. } => request,
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(requests, ["GET /one HTTP/1.1", "GET /two HTTP/1.1"]);
    target.stop().await;
}

#[tokio::test]
async fn https_serves_exactly_the_configured_chain_and_records_the_handshake() {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["api.example.com".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let chain = vec![leaf.der().clone(), ca.der().clone()];
    let target = start(
        "secure",
        Some(certified(chain.clone(), &leaf_key)),
        "secret",
    )
    .await;

    let mut tls = tls_connect(
        target.addr,
        "api.example.com",
        client_config(rustls::DEFAULT_VERSIONS),
    )
    .await
    .unwrap();
    let presented = tls.get_ref().1.peer_certificates().unwrap().to_vec();
    let client = tls.get_ref().0.local_addr().unwrap();
    let response = get(&mut tls, "/", "api.example.com").await;

    assert_eq!(presented, chain);
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("secret"), "{response}");
    let terminated = target
        .events
        .matching(|o| matches!(o, Observation::TlsTerminated { .. }));
    let expected_served = CertSummary::chain(chain.iter().map(|c| c.as_ref()));
    assert_eq!(
        terminated,
        vec![Observation::TlsTerminated {
            hop: HopId::target("secure"),
            conn: Connection {
                peer: client,
                local: target.addr,
            },
            sni: Some("api.example.com".to_owned()),
            served: expected_served.clone().into(),
            version: "TLSv1.3".to_owned(),
        }]
    );
    assert_eq!(
        expected_served[0].sha256,
        hoplab_pkix::fingerprint(leaf.der())
    );
    target.stop().await;
}

#[tokio::test]
async fn tls12_clients_are_served_and_the_version_is_recorded() {
    let target = start("secure", Some(self_signed(&["localhost"])), "ok").await;
    let mut tls = tls_connect(
        target.addr,
        "localhost",
        client_config(&[&rustls::version::TLS12]),
    )
    .await
    .unwrap();
    let response = get(&mut tls, "/", "localhost").await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    let versions: Vec<_> = target
        .events
        .matching(|o| matches!(o, Observation::TlsTerminated { .. }))
        .into_iter()
        .map(|o| match o {
            Observation::TlsTerminated { version, .. } => version,
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(versions, ["TLSv1.2"]);
    target.stop().await;
}

#[tokio::test]
async fn garbage_instead_of_a_client_hello_is_recorded_and_dropped() {
    let target = start("secure", Some(self_signed(&["localhost"])), "ok").await;
    let mut stream = TcpStream::connect(target.addr).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut rest = Vec::new();
    // The target may send an alert before it closes; either way the read ends.
    let _ = tokio::time::timeout(STEP, stream.read_to_end(&mut rest))
        .await
        .expect("target closes the connection");

    let failures = target
        .events
        .matching(|o| matches!(o, Observation::TlsAcceptFailed { .. }));
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        target
            .events
            .matching(|o| matches!(o, Observation::Responded { .. }))
            .is_empty()
    );
    // The target is still serving.
    let tls = tls_connect(
        target.addr,
        "localhost",
        client_config(rustls::DEFAULT_VERSIONS),
    )
    .await;
    assert!(tls.is_ok());
    target.stop().await;
}

#[tokio::test]
async fn a_client_hello_to_a_plain_target_gets_a_plain_400_and_the_handshake_fails() {
    let target = start("plain", None, "ok").await;
    let mut client = rustls::ClientConnection::new(
        client_config(rustls::DEFAULT_VERSIONS),
        "localhost".try_into().unwrap(),
    )
    .unwrap();
    let mut hello = Vec::new();
    client.write_tls(&mut hello).unwrap();
    let mut stream = TcpStream::connect(target.addr).await.unwrap();
    stream.write_all(&hello).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(STEP, stream.read_to_end(&mut answer))
        .await
        .expect("target closes the connection")
        .unwrap();

    // A plain HTTP server's answer to bytes that are no HTTP request.
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
    // A TLS client cannot read it as a ServerHello.
    client.read_tls(&mut answer.as_slice()).unwrap();
    assert!(client.process_new_packets().is_err());
    assert!(
        target
            .events
            .matching(|o| matches!(o, Observation::Responded { .. }))
            .is_empty()
    );
    target.stop().await;
}

#[tokio::test]
async fn shutdown_finishes_the_request_in_flight_and_releases_the_port() {
    // A body larger than loopback socket buffers, so the response is still being written when
    // shutdown starts.
    let body = "x".repeat(16 << 20);
    let target = start("app", None, &body).await;
    let mut idle = TcpStream::connect(target.addr).await.unwrap();
    let mut busy = TcpStream::connect(target.addr).await.unwrap();
    busy.write_all(b"GET /slow HTTP/1.1\r\nHost: a\r\n\r\n")
        .await
        .unwrap();
    eventually(&target.events, "the request", |o| {
        matches!(o, Observation::Responded { .. })
    })
    .await;

    target.shutdown.cancel();
    let mut response = Vec::new();
    tokio::time::timeout(STEP, busy.read_to_end(&mut response))
        .await
        .expect("response finishes")
        .unwrap();
    let response = String::from_utf8(response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"));
    assert!(response.ends_with(&format!("\r\n\r\n{body}")));
    // An idle connection is closed rather than kept open until the grace ends.
    let mut buf = [0; 1];
    let read = tokio::time::timeout(STEP, idle.read(&mut buf))
        .await
        .unwrap();
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");

    let addr = target.addr;
    tokio::time::timeout(SHUTDOWN_GRACE, target.handle)
        .await
        .expect("serve returns within the grace period")
        .unwrap()
        .unwrap();
    TcpListener::bind(addr).await.expect("port is free again");
}

#[tokio::test]
async fn an_empty_chain_is_refused_at_start() {
    let empty = Arc::new(rustls::sign::CertifiedKey::new(
        Vec::new(),
        self_signed(&["localhost"]).key.clone(),
    ));
    let target = start("broken", Some(empty), "").await;
    let result = tokio::time::timeout(STEP, target.handle)
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(result, Err(hoplab_target::TargetError::EmptyChain { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_switch_changes_the_next_connection_and_the_next_answer_without_a_restart() {
    let (first, second) = (
        self_signed(&["first.internal"]),
        self_signed(&["second.internal"]),
    );
    let config = hoplab_target::TargetConfig::new(
        HopId::target("app"),
        Some(Arc::clone(&first)),
        "hello from app",
    );
    let switch = hoplab_target::TargetSwitch::new(&config).unwrap();
    let (listener, _) = bind().await;
    let target = hoplab_test_support::Running::spawn(
        listener,
        &hoplab_trace::EventLog::new(),
        |listener, events, shutdown| {
            let switch = switch.clone();
            async move {
                hoplab_target::serve_switched(listener, &config, switch, events, shutdown).await
            }
        },
    );
    let served = |stream: &tokio_rustls::client::TlsStream<TcpStream>| {
        stream.get_ref().1.peer_certificates().unwrap()[0].clone()
    };
    let mut before = tls_connect(target.addr, "app", client_config(rustls::DEFAULT_VERSIONS))
        .await
        .unwrap();
    assert_eq!(served(&before), first.cert[0]);

    switch.set_certificate(Arc::clone(&second)).unwrap();
    switch
        .set_behaviour(hoplab_target::TargetBehaviour::Status(503))
        .unwrap();
    let mut after = tls_connect(target.addr, "app", client_config(rustls::DEFAULT_VERSIONS))
        .await
        .unwrap();
    assert_eq!(
        served(&after),
        second.cert[0],
        "the next handshake serves the new chain"
    );
    let answer = get(&mut after, "/", "app").await;
    assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
    // A connection opened before keeps its session; its next request gets the new answer.
    let answer = get(&mut before, "/", "app").await;
    assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
    assert_eq!(
        switch.behaviour(),
        hoplab_target::TargetBehaviour::Status(503)
    );

    let refused = switch.set_behaviour(hoplab_target::TargetBehaviour::Status(99));
    assert!(matches!(
        refused,
        Err(hoplab_target::TargetError::InvalidStatus { .. })
    ));
    assert_eq!(
        switch.behaviour(),
        hoplab_target::TargetBehaviour::Status(503)
    );
    target.stop().await;
}

#[tokio::test]
async fn a_plain_http_target_has_no_certificate_to_switch() {
    let config = hoplab_target::TargetConfig::new(HopId::target("app"), None, "hello");
    let switch = hoplab_target::TargetSwitch::new(&config).unwrap();
    let error = switch
        .set_certificate(self_signed(&["x.internal"]))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "target:app: serves plain HTTP, so it has no certificate to swap"
    );
    assert!(switch.certificate().is_none());
}
