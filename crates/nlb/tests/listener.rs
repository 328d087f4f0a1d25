//! Real listeners in front of real targets on 127.0.0.1:0, driven by real rustls clients.

mod support;

use std::collections::BTreeSet;

use hoplab_nlb::{NlbError, SHUTDOWN_GRACE, SecurityPolicy};
use hoplab_trace::{CertSummary, Connection, EventLog, HopId, Observation};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn leaf_fingerprint(served: &[CertSummary]) -> &str {
    &served.first().expect("a chain").sha256
}

fn is_forwarded(o: &Observation) -> bool {
    matches!(o, Observation::Forwarded { .. })
}

fn accepted_by(hop: HopId) -> impl Fn(&Observation) -> bool {
    move |o| matches!(o, Observation::Accepted { hop: h, .. } if *h == hop)
}

fn terminated_by(hop: HopId) -> impl Fn(&Observation) -> bool {
    move |o| matches!(o, Observation::TlsTerminated { hop: h, .. } if *h == hop)
}

#[tokio::test]
async fn tcp_listener_passes_tls_through_to_the_target() {
    let events = EventLog::new();
    let target_cert = Leaf::new(&["app.internal"]);
    let app = target("app", Some(&target_cert), &events).await;
    let nlb = nlb(listener_config(None, false, &[("app", app.addr)]), &events).await;

    let mut tls = tls_connect(nlb.addr, "api.example.com", any_client())
        .await
        .unwrap();
    let presented = tls.get_ref().1.peer_certificates().unwrap().to_vec();
    let client = tls.get_ref().0.local_addr().unwrap();
    let response = get(&mut tls, "api.example.com").await;

    assert_eq!(
        presented,
        std::slice::from_ref(&target_cert.der),
        "the client sees the target's chain"
    );
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("hello from app"), "{response}");

    let Observation::Forwarded {
        downstream,
        upstream,
        target,
        tls: forwarded_tls,
        ..
    } = one(&events, is_forwarded)
    else {
        unreachable!()
    };
    assert_eq!(
        downstream,
        Connection {
            peer: client,
            local: nlb.addr
        }
    );
    assert_eq!(target, HopId::target("app"));
    assert!(!forwarded_tls);
    assert_eq!(upstream.peer, app.addr);
    let Observation::Accepted { conn, .. } = one(&events, accepted_by(HopId::target("app"))) else {
        unreachable!()
    };
    assert_eq!(
        conn.peer, upstream.local,
        "traces stitch by the NLB's outgoing address"
    );
    assert_eq!(conn.local, upstream.peer);
    // The listener saw no TLS; the target saw the client's own SNI.
    assert!(events.matching(terminated_by(listener_hop())).is_empty());
    let Observation::TlsTerminated { sni, served, .. } =
        one(&events, terminated_by(HopId::target("app")))
    else {
        unreachable!()
    };
    assert_eq!(sni.as_deref(), Some("api.example.com"));
    assert_eq!(leaf_fingerprint(&served), target_cert.fingerprint());

    drop(tls);
    nlb.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn tls_listener_chooses_its_certificate_by_sni() {
    let events = EventLog::new();
    let app = target("app", None, &events).await;
    let default = Leaf::new(&["default.example.com"]);
    let api = Leaf::new(&["api.example.com"]);
    let wildcard = Leaf::new(&["*.wild.example.com"]);
    let also_api = Leaf::new(&["api.example.com", "other.example.com"]);
    let config = listener_config(
        Some(termination(&default, &[&api, &wildcard, &also_api])),
        false,
        &[("app", app.addr)],
    );
    let nlb = nlb(config, &events).await;

    let cases = [
        ("api.example.com", &api, Some("api.example.com")),
        ("API.Example.com", &api, Some("api.example.com")),
        ("x.wild.example.com", &wildcard, Some("x.wild.example.com")),
        ("other.example.com", &also_api, Some("other.example.com")),
        ("unknown.example.com", &default, Some("unknown.example.com")),
        (
            "a.b.wild.example.com",
            &default,
            Some("a.b.wild.example.com"),
        ),
        // An IP address makes the client send no SNI.
        ("127.0.0.1", &default, None),
    ];
    for (name, expected, expected_sni) in cases {
        let mut tls = tls_connect(nlb.addr, name, any_client()).await.unwrap();
        let presented = tls.get_ref().1.peer_certificates().unwrap().to_vec();
        let client = tls.get_ref().0.local_addr().unwrap();
        let response = get(&mut tls, name).await;

        assert_eq!(presented, std::slice::from_ref(&expected.der), "{name}");
        assert!(
            response.starts_with("HTTP/1.1 200 OK\r\n"),
            "{name}: {response}"
        );
        let Observation::TlsTerminated {
            sni,
            served,
            version,
            ..
        } = one(
            &events,
            |o| matches!(o, Observation::TlsTerminated { conn, .. } if conn.peer == client),
        )
        else {
            unreachable!()
        };
        assert_eq!(sni.as_deref(), expected_sni, "{name}");
        assert_eq!(leaf_fingerprint(&served), expected.fingerprint(), "{name}");
        assert_eq!(version, "TLSv1.3");
    }
    nlb.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn tls_target_group_accepts_an_expired_self_signed_target_and_sends_no_sni() {
    let events = EventLog::new();
    let expired = Leaf::expired(&["app.internal"]);
    let app = target("app", Some(&expired), &events).await;
    let front = Leaf::new(&["api.example.com"]);
    let nlb = nlb(
        listener_config(Some(termination(&front, &[])), true, &[("app", app.addr)]),
        &events,
    )
    .await;

    let mut tls = tls_connect(nlb.addr, "api.example.com", any_client())
        .await
        .unwrap();
    let presented = tls.get_ref().1.peer_certificates().unwrap().to_vec();
    let response = get(&mut tls, "api.example.com").await;

    assert_eq!(
        presented,
        std::slice::from_ref(&front.der),
        "the client sees the listener's chain"
    );
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("hello from app"), "{response}");

    let Observation::TargetTlsUnverified {
        upstream,
        presented,
        ..
    } = one(&events, |o| {
        matches!(o, Observation::TargetTlsUnverified { .. })
    })
    else {
        unreachable!()
    };
    assert_eq!(presented.len(), 1);
    assert_eq!(leaf_fingerprint(&presented), expired.fingerprint());
    let Observation::Forwarded {
        upstream: forwarded_upstream,
        tls: forwarded_tls,
        ..
    } = one(&events, is_forwarded)
    else {
        unreachable!()
    };
    assert!(forwarded_tls);
    assert_eq!(forwarded_upstream, upstream);
    let Observation::TlsTerminated { conn, sni, .. } =
        one(&events, terminated_by(HopId::target("app")))
    else {
        unreachable!()
    };
    assert_eq!(conn.peer, upstream.local);
    assert_eq!(sni, None, "the NLB sends no SNI to targets");

    drop(tls);
    nlb.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn tls_listener_forwards_decrypted_bytes_to_a_plain_target() {
    let events = EventLog::new();
    let app = target("app", None, &events).await;
    let front = Leaf::new(&["api.example.com"]);
    let nlb = nlb(
        listener_config(Some(termination(&front, &[])), false, &[("app", app.addr)]),
        &events,
    )
    .await;

    let mut tls = tls_connect(nlb.addr, "api.example.com", any_client())
        .await
        .unwrap();
    let response = get(&mut tls, "api.example.com").await;

    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    let Observation::Forwarded {
        upstream,
        tls: forwarded_tls,
        ..
    } = one(&events, is_forwarded)
    else {
        unreachable!()
    };
    assert!(!forwarded_tls);
    let Observation::Responded { conn, host, .. } =
        one(&events, |o| matches!(o, Observation::Responded { .. }))
    else {
        unreachable!()
    };
    assert_eq!(conn.peer, upstream.local);
    assert_eq!(host.as_deref(), Some("api.example.com"));
    drop(tls);
    nlb.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn tls_listener_to_a_tcp_group_in_front_of_an_https_target_fails_cleanly() {
    let events = EventLog::new();
    let app = target("app", Some(&Leaf::new(&["app.internal"])), &events).await;
    let front = Leaf::new(&["api.example.com"]);
    let nlb = nlb(
        listener_config(Some(termination(&front, &[])), false, &[("app", app.addr)]),
        &events,
    )
    .await;

    let mut tls = tls_connect(nlb.addr, "api.example.com", any_client())
        .await
        .unwrap();
    let request = b"GET / HTTP/1.1\r\nHost: api.example.com\r\nConnection: close\r\n\r\n";
    // The target may close before the write lands; only the outcome matters.
    let _ = tls.write_all(request).await;
    let response = read_all(&mut tls).await;

    assert!(!response.starts_with("HTTP/1.1 200"), "{response}");
    let failed = eventually(
        &events,
        "the target's failed handshake",
        |o| matches!(o, Observation::TlsAcceptFailed { hop, .. } if *hop == HopId::target("app")),
    )
    .await;
    let Observation::TlsAcceptFailed { conn, .. } = failed else {
        unreachable!()
    };
    let Observation::Forwarded { upstream, .. } = one(&events, is_forwarded) else {
        unreachable!()
    };
    assert_eq!(conn.peer, upstream.local);
    assert!(
        events
            .matching(|o| matches!(o, Observation::Responded { .. }))
            .is_empty()
    );
    drop(tls);
    nlb.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn a_tls_group_in_front_of_a_plain_http_target_fails_the_handshake_for_real() {
    let events = EventLog::new();
    let app = target("app", None, &events).await;
    let front = Leaf::new(&["api.example.com"]);
    let nlb = nlb(
        listener_config(Some(termination(&front, &[])), true, &[("app", app.addr)]),
        &events,
    )
    .await;

    let mut tls = tls_connect(nlb.addr, "api.example.com", any_client())
        .await
        .unwrap();
    let mut buf = [0; 16];
    let read = tokio::time::timeout(STEP, tls.read(&mut buf))
        .await
        .unwrap();

    // The listener's own handshake passed; the client then gets close_notify and EOF.
    assert_eq!(read.unwrap(), 0);
    let Observation::ForwardFailed {
        target,
        upstream,
        error,
        ..
    } = one(&events, |o| matches!(o, Observation::ForwardFailed { .. }))
    else {
        unreachable!()
    };
    assert_eq!(target, HopId::target("app"));
    assert!(
        error.starts_with(&format!("tls handshake with target {}: ", app.addr)),
        "{error}"
    );
    // The target accepted the NLB's connection and read its ClientHello as plain HTTP.
    let upstream = upstream.expect("the TCP connection was open when the handshake failed");
    let Observation::Accepted { conn, .. } = one(&events, accepted_by(HopId::target("app"))) else {
        unreachable!()
    };
    assert_eq!(conn.peer, upstream.local);
    assert!(events.matching(is_forwarded).is_empty());
    assert!(
        events
            .matching(|o| matches!(o, Observation::Responded { .. }))
            .is_empty()
    );
    drop(tls);
    nlb.stop().await;
    app.stop().await;
}

/// An address nothing listens on: bind, read the address, close.
async fn refusing_address() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

#[tokio::test]
async fn an_unreachable_target_is_recorded_and_the_tcp_client_is_closed() {
    let events = EventLog::new();
    let gone = refusing_address().await;
    let nlb = nlb(listener_config(None, false, &[("gone", gone)]), &events).await;

    let mut stream = TcpStream::connect(nlb.addr).await.unwrap();
    let client = stream.local_addr().unwrap();
    let rest = read_all(&mut stream).await;

    assert!(rest.is_empty(), "{rest}");
    let Observation::ForwardFailed {
        downstream,
        target,
        upstream,
        error,
        ..
    } = one(&events, |o| matches!(o, Observation::ForwardFailed { .. }))
    else {
        unreachable!()
    };
    assert_eq!(downstream.peer, client);
    assert_eq!(
        upstream, None,
        "a refused connect never opened a connection"
    );
    assert_eq!(target, HopId::target("gone"));
    assert!(
        error.starts_with(&format!("connect to target {gone}: ")),
        "{error}"
    );
    assert!(events.matching(is_forwarded).is_empty());
    nlb.stop().await;
}

#[tokio::test]
async fn an_unreachable_target_behind_a_tls_listener_gets_the_client_a_close_notify() {
    let events = EventLog::new();
    let gone = refusing_address().await;
    let front = Leaf::new(&["api.example.com"]);
    for group_tls in [false, true] {
        let nlb = nlb(
            listener_config(Some(termination(&front, &[])), group_tls, &[("gone", gone)]),
            &events,
        )
        .await;
        let mut tls = tls_connect(nlb.addr, "api.example.com", any_client())
            .await
            .unwrap();
        let mut buf = [0; 16];
        let read = tokio::time::timeout(STEP, tls.read(&mut buf))
            .await
            .unwrap();
        // A clean close: close_notify, then EOF, not an abrupt reset.
        assert_eq!(read.unwrap(), 0);
        nlb.stop().await;
    }
    assert_eq!(
        events
            .matching(|o| matches!(o, Observation::ForwardFailed { .. }))
            .len(),
        2
    );
}

#[tokio::test]
async fn a_tls13_only_policy_refuses_a_tls12_only_client() {
    let events = EventLog::new();
    let app = target("app", None, &events).await;
    let front = Leaf::new(&["api.example.com"]);
    let mut tls = termination(&front, &[]);
    tls.security_policy = "ELBSecurityPolicy-TLS13-1-3-2021-06".parse().unwrap();
    let nlb = nlb(
        listener_config(Some(tls), false, &[("app", app.addr)]),
        &events,
    )
    .await;

    let refused = tls_connect(
        nlb.addr,
        "api.example.com",
        client_config(&[&rustls::version::TLS12]),
    )
    .await;
    assert!(refused.is_err());
    let accepted = tls_connect(nlb.addr, "api.example.com", any_client()).await;
    assert!(accepted.is_ok());

    let failed = eventually(&events, "the refused handshake", |o| {
        matches!(o, Observation::TlsAcceptFailed { .. })
    })
    .await;
    let Observation::TlsAcceptFailed { hop, .. } = failed else {
        unreachable!()
    };
    assert_eq!(hop, listener_hop());
    drop(accepted);
    nlb.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn a_tls12_policy_serves_tls12_to_clients_and_targets() {
    let events = EventLog::new();
    let app = target("app", Some(&Leaf::new(&["app.internal"])), &events).await;
    let front = Leaf::new(&["api.example.com"]);
    let mut tls = termination(&front, &[]);
    tls.security_policy = "ELBSecurityPolicy-2016-08".parse().unwrap();
    let nlb = nlb(
        listener_config(Some(tls), true, &[("app", app.addr)]),
        &events,
    )
    .await;

    let mut client = tls_connect(nlb.addr, "api.example.com", any_client())
        .await
        .unwrap();
    let response = get(&mut client, "api.example.com").await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");

    let versions: Vec<_> = events
        .matching(|o| matches!(o, Observation::TlsTerminated { .. }))
        .into_iter()
        .map(|o| match o {
            Observation::TlsTerminated { hop, version, .. } => (hop.to_string(), version),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        versions,
        [
            ("nlb:internal:443".to_owned(), "TLSv1.2".to_owned()),
            ("target:app".to_owned(), "TLSv1.2".to_owned()),
        ]
    );
    drop(client);
    nlb.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn connections_spread_over_three_targets_and_stay_pinned() {
    let events = EventLog::new();
    let mut targets = Vec::new();
    for name in ["a", "b", "c"] {
        targets.push((name, target(name, None, &events).await));
    }
    let addrs: Vec<_> = targets.iter().map(|(n, t)| (*n, t.addr)).collect();
    let nlb = nlb(listener_config(None, false, &addrs), &events).await;

    let mut seen = BTreeSet::new();
    // With a fair hash, 60 connections miss one of three targets with probability ~1e-10.
    for _ in 0..60 {
        let mut stream = TcpStream::connect(nlb.addr).await.unwrap();
        let client = stream.local_addr().unwrap();
        let response = get(&mut stream, "api.example.com").await;
        let answered = served_by(&response).expect("a target answered").to_owned();
        let Observation::Forwarded { target, .. } = one(
            &events,
            |o| matches!(o, Observation::Forwarded { downstream, .. } if downstream.peer == client),
        ) else {
            unreachable!()
        };
        assert_eq!(
            target,
            HopId::target(answered.as_str()),
            "pinned to the chosen target"
        );
        seen.insert(answered);
        if seen.len() == 3 {
            break;
        }
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
    nlb.stop().await;
    for (_, t) in targets {
        t.stop().await;
    }
}

#[tokio::test]
async fn half_closes_propagate_both_ways() {
    // A raw TCP target: reads until the client's FIN arrives, answers with the byte count,
    // then closes. It only answers if the NLB passed the half-close on.
    let raw = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let raw_addr = raw.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut stream, _) = raw.accept().await.unwrap();
        let mut received = Vec::new();
        stream.read_to_end(&mut received).await.unwrap();
        stream
            .write_all(format!("got {} bytes", received.len()).as_bytes())
            .await
            .unwrap();
    });
    let events = EventLog::new();
    let nlb = nlb(listener_config(None, false, &[("raw", raw_addr)]), &events).await;

    let mut stream = TcpStream::connect(nlb.addr).await.unwrap();
    let payload = vec![7u8; 1 << 20];
    stream.write_all(&payload).await.unwrap();
    stream.shutdown().await.unwrap();
    let answer = read_all(&mut stream).await;

    assert_eq!(answer, format!("got {} bytes", payload.len()));
    tokio::time::timeout(STEP, server).await.unwrap().unwrap();
    nlb.stop().await;
}

#[tokio::test]
async fn shutdown_closes_idle_connections_through_the_chain_and_releases_the_port() {
    let events = EventLog::new();
    let app = target("app", None, &events).await;
    let nlb = nlb(listener_config(None, false, &[("app", app.addr)]), &events).await;

    // One keep-alive connection through the listener, left idle after a request.
    let mut stream = TcpStream::connect(nlb.addr).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    tokio::time::timeout(STEP, stream.read_exact(&mut first))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");

    // The runner cancels every hop at once. The target closes the idle connection, the
    // listener passes the close on, and the client (like the gateway's HTTP client) closes its
    // side when it sees it, so nobody waits for the grace period.
    app.shutdown.cancel();
    nlb.shutdown.cancel();
    let rest = read_all(&mut stream).await;
    assert!(rest.ends_with("hello from app"), "{rest}");
    drop(stream);
    let addr = nlb.addr;
    tokio::time::timeout(SHUTDOWN_GRACE, nlb.handle)
        .await
        .expect("the listener returns within the grace period")
        .unwrap()
        .unwrap();
    TcpListener::bind(addr)
        .await
        .expect("the port is free again");
    tokio::time::timeout(STEP, app.handle)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn configurations_aws_does_not_allow_are_refused_at_start() {
    let events = EventLog::new();
    let front = Leaf::new(&["api.example.com"]);
    let somewhere = refusing_address().await;

    // A policy is typed: an unknown name is refused when it is read, before any listener.
    let unknown = "ELBSecurityPolicy-Custom".parse::<SecurityPolicy>();
    let tcp_to_tls = listener_config(None, true, &[("app", somewhere)]);
    let empty = listener_config(Some(termination(&front, &[])), false, &[]);
    let configs = [tcp_to_tls, empty];
    let mut errors = vec![unknown.expect_err("refused")];
    for config in configs {
        let nlb = nlb(config, &events).await;
        let result = tokio::time::timeout(STEP, nlb.handle)
            .await
            .unwrap()
            .unwrap();
        errors.push(result.expect_err("refused"));
    }
    assert!(matches!(errors[0], NlbError::UnknownSecurityPolicy { .. }));
    assert!(matches!(errors[1], NlbError::TcpListenerToTlsGroup { .. }));
    assert!(matches!(errors[2], NlbError::NoTargets { .. }));
    assert_eq!(
        errors[1].to_string(),
        "nlb:internal:443: a TCP listener cannot forward to TLS target group app-tg"
    );
    assert!(events.snapshot().is_empty());
}
