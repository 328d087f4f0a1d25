//! Misbehaving targets as a real client sees them, and what they record.

mod support;

use std::io::ErrorKind;
use std::time::Duration;

use hoplab_target::{
    SHUTDOWN_GRACE, TargetBehaviour, TargetConfig, TargetError, TargetTlsVersions,
};
use hoplab_trace::{HopId, Observation};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

const REQUEST: &[u8] = b"GET /pets HTTP/1.1\r\nHost: api.example.com\r\nConnection: close\r\n\r\n";

fn config(behaviour: TargetBehaviour, tls: bool) -> TargetConfig {
    let tls = tls.then(|| self_signed(&["app.internal"]));
    let mut config = TargetConfig::new(HopId::target("app"), tls, "hello from app");
    config.behaviour = behaviour;
    config
}

fn faults(running: &Running) -> Vec<(Option<hoplab_trace::Connection>, String, String)> {
    running
        .events
        .matching(|o| matches!(o, Observation::TargetFault { .. }))
        .into_iter()
        .map(|o| match o {
            Observation::TargetFault {
                conn,
                fault,
                detail,
                ..
            } => (conn, fault, detail),
            _ => unreachable!(),
        })
        .collect()
}

fn responded(running: &Running) -> Vec<Observation> {
    running
        .events
        .matching(|o| matches!(o, Observation::Responded { .. }))
}

/// Writes `REQUEST`, then reads until the end; the first I/O error, if any.
async fn first_error(stream: &mut TcpStream) -> Option<ErrorKind> {
    if let Err(error) = stream.write_all(REQUEST).await {
        return Some(error.kind());
    }
    let mut rest = Vec::new();
    match tokio::time::timeout(STEP, stream.read_to_end(&mut rest))
        .await
        .expect("the target ends the connection")
    {
        Ok(_) => None,
        Err(error) => Some(error.kind()),
    }
}

#[tokio::test]
async fn refuse_closes_the_listener_so_connects_are_refused() {
    let target = start_with(config(TargetBehaviour::Refuse, false)).await;
    eventually(&target.events, "the refuse fault", |o| {
        matches!(o, Observation::TargetFault { .. })
    })
    .await;

    let connect = TcpStream::connect(target.addr).await;
    assert_eq!(
        connect.map(|_| ()).unwrap_err().kind(),
        ErrorKind::ConnectionRefused
    );
    let recorded = faults(&target);
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    let (conn, fault, detail) = &recorded[0];
    assert_eq!((conn, fault.as_str()), (&None, "refuse"));
    assert_eq!(
        detail,
        &format!("listener {} closed; connections are refused", target.addr)
    );
    target.stop().await;
}

#[tokio::test]
async fn reset_gives_the_client_a_connection_reset() {
    let target = start_with(config(TargetBehaviour::Reset, false)).await;
    let mut stream = TcpStream::connect(target.addr).await.unwrap();
    let client = stream.local_addr().unwrap();

    assert_eq!(
        first_error(&mut stream).await,
        Some(ErrorKind::ConnectionReset)
    );
    let recorded = faults(&target);
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    let (conn, fault, detail) = &recorded[0];
    assert_eq!(conn.map(|c| c.peer), Some(client));
    assert_eq!(fault, "reset");
    assert_eq!(
        detail,
        "closed with SO_LINGER 0, so the peer gets a TCP RST"
    );
    assert!(responded(&target).is_empty());
    target.stop().await;
}

#[tokio::test]
async fn accept_then_close_gives_eof_before_any_response() {
    let target = start_with(config(TargetBehaviour::AcceptThenClose, false)).await;
    let mut stream = TcpStream::connect(target.addr).await.unwrap();

    assert_eq!(first_error(&mut stream).await, None, "an orderly close");
    let mut rest = Vec::new();
    assert_eq!(
        stream.read_to_end(&mut rest).await.unwrap(),
        0,
        "EOF, no response"
    );
    let recorded = faults(&target);
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert_eq!(recorded[0].1, "accept-then-close");
    assert!(responded(&target).is_empty());
    drop(stream);
    target.stop().await;
}

#[tokio::test]
async fn accept_then_close_ends_a_tls_handshake_with_eof() {
    let target = start_with(config(TargetBehaviour::AcceptThenClose, true)).await;
    let handshake = tls_connect(
        target.addr,
        "app.internal",
        client_config(rustls::DEFAULT_VERSIONS),
    )
    .await;

    let error = handshake.map(|_| ()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnexpectedEof, "{error}");
    assert_eq!(faults(&target).len(), 1);
    assert!(
        target
            .events
            .matching(|o| matches!(
                o,
                Observation::TlsTerminated { .. } | Observation::TlsAcceptFailed { .. }
            ))
            .is_empty(),
        "the target never started the handshake"
    );
    target.stop().await;
}

#[tokio::test(start_paused = true)]
async fn hang_completes_tls_reads_the_request_and_never_answers() {
    let target = start_with(config(TargetBehaviour::Hang, true)).await;
    let mut tls = tls_connect(
        target.addr,
        "app.internal",
        client_config(rustls::DEFAULT_VERSIONS),
    )
    .await
    .unwrap();
    tls.write_all(REQUEST).await.unwrap();
    // tokio-rustls buffers like `BufWriter`: only a flush guarantees the bytes left.
    tls.flush().await.unwrap();

    let mut buf = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(60), tls.read(&mut buf)).await;
    assert!(read.is_err(), "no answer within a minute: {read:?}");
    let recorded = faults(&target);
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert_eq!(recorded[0].1, "hang");
    assert_eq!(recorded[0].2, "read GET /pets HTTP/1.1; never answering");
    assert_eq!(
        target
            .events
            .matching(|o| matches!(o, Observation::TlsTerminated { .. }))
            .len(),
        1
    );
    assert!(responded(&target).is_empty());

    // Shutdown cuts the hanging connection at the end of the grace period.
    let stopping = Instant::now();
    target.shutdown.cancel();
    tokio::time::timeout(SHUTDOWN_GRACE + STEP, target.handle)
        .await
        .expect("serve returns")
        .unwrap()
        .unwrap();
    let waited = stopping.elapsed();
    assert!(
        (SHUTDOWN_GRACE..SHUTDOWN_GRACE + Duration::from_secs(1)).contains(&waited),
        "{waited:?}"
    );
    let mut rest = Vec::new();
    let end = tokio::time::timeout(STEP, tls.read_to_end(&mut rest))
        .await
        .expect("the connection is closed");
    assert!(rest.is_empty(), "still no answer: {end:?}");
}

#[tokio::test(start_paused = true)]
async fn slow_answers_once_the_delay_has_passed() {
    let delay = Duration::from_secs(30);
    let target = start_with(config(TargetBehaviour::Slow { delay }, false)).await;
    let mut stream = TcpStream::connect(target.addr).await.unwrap();
    let sent = Instant::now();
    stream.write_all(REQUEST).await.unwrap();

    let mut first = [0u8; 12];
    let early = tokio::time::timeout(
        delay - Duration::from_secs(1),
        stream.read_exact(&mut first),
    )
    .await;
    assert!(early.is_err(), "nothing before the delay: {early:?}");
    tokio::time::advance(Duration::from_secs(2)).await;
    let mut rest = Vec::new();
    tokio::time::timeout(STEP, stream.read_to_end(&mut rest))
        .await
        .expect("the answer comes after the delay")
        .unwrap();
    let response = String::from_utf8(rest).unwrap();
    assert!(sent.elapsed() >= delay);
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("hello from app"), "{response}");
    let recorded = faults(&target);
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert_eq!(recorded[0].1, "slow");
    assert_eq!(recorded[0].2, "answering GET /pets HTTP/1.1 after 30s");
    assert_eq!(responded(&target).len(), 1);
    target.stop().await;
}

#[tokio::test]
async fn status_answers_with_that_status() {
    let target = start_with(config(TargetBehaviour::Status(503), true)).await;
    let mut tls = tls_connect(
        target.addr,
        "app.internal",
        client_config(rustls::DEFAULT_VERSIONS),
    )
    .await
    .unwrap();
    let response = get(&mut tls, "/", "api.example.com").await;

    assert!(
        response.starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "{response}"
    );
    assert!(response.contains("x-hoplab-target: app\r\n"), "{response}");
    assert!(response.ends_with("hello from app"), "{response}");
    let answered = responded(&target);
    assert!(
        matches!(
            answered.as_slice(),
            [Observation::Responded { status: 503, .. }]
        ),
        "{answered:?}"
    );
    assert!(faults(&target).is_empty(), "the status is the record");
    target.stop().await;
}

#[tokio::test]
async fn statuses_outside_200_to_599_are_refused_at_start() {
    for status in [0, 101, 199, 600, 1000] {
        let target = start_with(config(TargetBehaviour::Status(status), false)).await;
        let result = tokio::time::timeout(STEP, target.handle)
            .await
            .unwrap()
            .unwrap();
        let Err(error @ TargetError::InvalidStatus { .. }) = result else {
            panic!("{status}: {result:?}");
        };
        assert_eq!(
            error.to_string(),
            format!("target:app: cannot answer with status {status}: only 200 to 599 are allowed")
        );
    }
}

#[tokio::test]
async fn tls_versions_limit_what_a_target_accepts() {
    let cases = [
        (TargetTlsVersions::Tls13Only, &rustls::version::TLS12, false),
        (TargetTlsVersions::Tls13Only, &rustls::version::TLS13, true),
        (TargetTlsVersions::Tls12Only, &rustls::version::TLS13, false),
        (TargetTlsVersions::Tls12Only, &rustls::version::TLS12, true),
        (
            TargetTlsVersions::Tls12AndTls13,
            &rustls::version::TLS12,
            true,
        ),
    ];
    for (versions, client, accepted) in cases {
        let mut config = config(TargetBehaviour::Normal, true);
        config.tls_versions = versions;
        let target = start_with(config).await;
        let handshake = tls_connect(target.addr, "app.internal", client_config(&[client])).await;
        assert_eq!(handshake.is_ok(), accepted, "{versions:?} with {client:?}");
        drop(handshake);
        target.stop().await;
    }
}

#[tokio::test]
async fn every_behaviour_shuts_down_with_a_connection_open() {
    let behaviours = [
        TargetBehaviour::Normal,
        TargetBehaviour::Refuse,
        TargetBehaviour::AcceptThenClose,
        TargetBehaviour::Reset,
        TargetBehaviour::Slow {
            delay: Duration::from_secs(1),
        },
        TargetBehaviour::Status(500),
    ];
    for behaviour in behaviours {
        let target = start_with(config(behaviour, false)).await;
        // Open (or try to open) a connection and leave it idle.
        let idle = TcpStream::connect(target.addr).await;
        target.shutdown.cancel();
        tokio::time::timeout(SHUTDOWN_GRACE + STEP, target.handle)
            .await
            .unwrap_or_else(|_| panic!("{behaviour:?}: serve returns"))
            .unwrap()
            .unwrap();
        drop(idle);
    }
    // Hang is covered with a paused clock above.
}
