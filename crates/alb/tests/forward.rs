//! Real hoplab targets behind real ALB listeners on 127.0.0.1: TLS termination and SNI,
//! HTTPS targets whose certificates nobody validates, how targets are picked, what reaches
//! them, and the records that tie a target's answer to the ALB request.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use hoplab_alb::{
    Action, Forward, HttpsListener, ListenerConfig, ListenerProtocol, LoadBalancingAlgorithm,
    TargetProtocol, WeightedGroup,
};
use hoplab_target::TargetBehaviour;
use hoplab_trace::{EventLog, HopId, MatchedRule, Observation, ResponseOrigin};
use support::*;
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

/// An HTTPS listener of ALB `web` on port 443 serving `leaf`, forwarding to group `app`.
fn https_listener(leaf: &Leaf) -> ListenerConfig {
    ListenerConfig::new(
        "web",
        443,
        ListenerProtocol::Https(HttpsListener::new(Arc::clone(&leaf.key))),
        Action::Forward(Forward::to("app")),
    )
}

/// An HTTP listener of ALB `web` on port 80, forwarding to group `app`.
fn http_listener() -> ListenerConfig {
    ListenerConfig::new(
        "web",
        80,
        ListenerProtocol::Http,
        Action::Forward(Forward::to("app")),
    )
}

#[tokio::test]
async fn expired_and_self_signed_https_targets_pass_because_the_alb_validates_nothing() {
    let events = EventLog::new();
    let expired = Leaf::expired(&["expired.internal"]);
    let self_signed = Leaf::new(&["wrong-name.internal"]);
    let t1 = target("expired", Some(&expired), &events).await;
    let t2 = target("self-signed", Some(&self_signed), &events).await;
    let listener_cert = Leaf::new(&["api.example.com"]);
    let mut config = https_listener(&listener_cert);
    config.target_groups.push(group(
        "app",
        TargetProtocol::Https,
        &[("expired", t1.addr), ("self-signed", t2.addr)],
    ));
    let alb = alb(config, &events).await;

    let mut reached = Vec::new();
    for _ in 0..2 {
        let answer = get_tls(alb.addr, "api.example.com", "api.example.com", "/pets").await;
        assert_eq!(answer.status(), 200, "{answer:?}");
        reached.push(answer.target().unwrap().to_owned());
    }
    reached.sort();
    assert_eq!(reached, ["expired", "self-signed"]);

    // The client's session ended at the ALB, with the listener's certificate.
    let terminated = events.matching(
        |o| matches!(o, Observation::TlsTerminated { hop, .. } if *hop == HopId::alb("web", 443)),
    );
    assert_eq!(terminated.len(), 2);
    for record in &terminated {
        let Observation::TlsTerminated { served, sni, .. } = record else {
            unreachable!()
        };
        assert_eq!(sni.as_deref(), Some("api.example.com"));
        assert_eq!(served[0].sha256, listener_cert.fingerprint());
    }
    // Each target's chain was seen, not judged.
    let unverified = events.matching(|o| matches!(o, Observation::TargetTlsUnverified { .. }));
    let mut seen: Vec<String> = unverified
        .iter()
        .map(|o| match o {
            Observation::TargetTlsUnverified { presented, .. } => presented[0].sha256.clone(),
            _ => unreachable!(),
        })
        .collect();
    seen.sort();
    let mut expected = vec![expired.fingerprint(), self_signed.fingerprint()];
    expected.sort();
    assert_eq!(seen, expected);

    alb.stop().await;
    t1.stop().await;
    t2.stop().await;
}

#[tokio::test]
async fn sni_picks_the_listener_certificate_and_no_sni_gets_the_default() {
    let events = EventLog::new();
    let app = target("app", None, &events).await;
    let default = Leaf::new(&["default.example.com"]);
    let api = Leaf::new(&["api.example.com"]);
    let wildcard = Leaf::new(&["*.example.org"]);
    let mut config = https_listener(&default);
    if let ListenerProtocol::Https(https) = &mut config.protocol {
        https.certificates = vec![Arc::clone(&api.key), Arc::clone(&wildcard.key)];
    }
    config
        .target_groups
        .push(group("app", TargetProtocol::Http, &[("app", app.addr)]));
    let alb = alb(config, &events).await;

    for (sni, expected) in [
        ("api.example.com", &api),
        ("shop.example.org", &wildcard),
        ("other.example.net", &default),
        ("127.0.0.1", &default),
    ] {
        let mut stream = tls_connect(alb.addr, sni).await;
        let local = stream.get_ref().0.local_addr().unwrap();
        let answer = exchange(&mut stream, &close_request(sni, "/")).await;
        assert_eq!(answer.status(), 200);
        let Observation::TlsTerminated { served, .. } = one(
            &events,
            |o| matches!(o, Observation::TlsTerminated { conn, .. } if conn.peer == local),
        ) else {
            unreachable!()
        };
        assert_eq!(served[0].sha256, expected.fingerprint(), "SNI {sni}");
    }
    alb.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn round_robin_spreads_requests_evenly_over_the_targets() {
    let events = EventLog::new();
    let mut targets = Vec::new();
    for name in ["a", "b", "c"] {
        targets.push(target(name, None, &events).await);
    }
    let mut config = http_listener();
    config.target_groups.push(group(
        "app",
        TargetProtocol::Http,
        &[
            ("a", targets[0].addr),
            ("b", targets[1].addr),
            ("c", targets[2].addr),
        ],
    ));
    let alb = alb(config, &events).await;
    let mut counts = BTreeMap::new();
    let mut order = Vec::new();
    for _ in 0..9 {
        let answer = get(alb.addr, "app.example.com", "/").await;
        let name = answer.target().unwrap().to_owned();
        order.push(name.clone());
        *counts.entry(name).or_insert(0) += 1;
    }
    assert_eq!(counts.values().copied().collect::<Vec<_>>(), [3, 3, 3]);
    assert_eq!(&order[..3], ["a", "b", "c"]);
    assert_eq!(&order[3..6], &order[..3], "the same order every round");
    alb.stop().await;
    for t in targets {
        t.stop().await;
    }
}

#[tokio::test]
async fn a_weighted_forward_splits_requests_by_weight() {
    let events = EventLog::new();
    let blue = target("blue", None, &events).await;
    let green = target("green", None, &events).await;
    let mut config = http_listener();
    config.default_actions = vec![Action::Forward(Forward {
        groups: vec![
            WeightedGroup {
                group: "blue".to_owned(),
                weight: 3,
            },
            WeightedGroup {
                group: "green".to_owned(),
                weight: 1,
            },
        ],
    })];
    config
        .target_groups
        .push(group("blue", TargetProtocol::Http, &[("blue", blue.addr)]));
    config.target_groups.push(group(
        "green",
        TargetProtocol::Http,
        &[("green", green.addr)],
    ));
    let alb = alb(config, &events).await;
    let mut counts = BTreeMap::new();
    for _ in 0..8 {
        let answer = get(alb.addr, "app.example.com", "/").await;
        *counts
            .entry(answer.target().unwrap().to_owned())
            .or_insert(0) += 1;
    }
    assert_eq!(
        counts,
        BTreeMap::from([("blue".to_owned(), 6), ("green".to_owned(), 2)])
    );
    let groups: Vec<Option<String>> = alb_requests(&events)
        .into_iter()
        .map(|o| match o {
            Observation::AlbRequest { group, .. } => group,
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        groups
            .iter()
            .filter(|g| g.as_deref() == Some("green"))
            .count(),
        2
    );
    alb.stop().await;
    blue.stop().await;
    green.stop().await;
}

#[tokio::test]
async fn forwarded_headers_and_the_trace_id_reach_the_target() {
    let shutdown = CancellationToken::new();
    let backend = echo(&shutdown).await;
    let events = EventLog::new();
    let leaf = Leaf::new(&["api.example.com"]);
    let mut config = https_listener(&leaf);
    config
        .target_groups
        .push(group("app", TargetProtocol::Http, &[("echo", backend)]));
    let alb = alb(config, &events).await;

    let mut stream = tls_connect(alb.addr, "api.example.com").await;
    let client = stream.get_ref().0.local_addr().unwrap();
    let request = "GET /pets?kind=cat HTTP/1.1\r\nHost: api.example.com\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n";
    let answer = exchange(&mut stream, request).await;
    assert_eq!(answer.status(), 200, "{answer:?}");
    let seen = answer.text();
    assert!(seen.starts_with("GET /pets?kind=cat\n"), "{seen}");
    assert!(seen.contains("host: api.example.com\n"), "{seen}");
    assert!(
        seen.contains(&format!("x-forwarded-for: 203.0.113.9, {}\n", client.ip())),
        "{seen}"
    );
    assert!(seen.contains("x-forwarded-proto: https\n"), "{seen}");
    assert!(
        seen.contains("x-forwarded-port: 443\n"),
        "the listener's AWS port: {seen}"
    );
    assert!(
        !seen.contains("connection:"),
        "hop-by-hop headers stay behind: {seen}"
    );
    let Observation::AlbRequest {
        trace_id,
        request,
        origin,
        ..
    } = one(&events, |o| matches!(o, Observation::AlbRequest { .. }))
    else {
        unreachable!()
    };
    let trace_id = trace_id.expect("a forwarded request has a trace id");
    assert!(trace_id.starts_with("Root=1-"));
    assert!(
        seen.contains(&format!("x-amzn-trace-id: {trace_id}\n")),
        "{seen}"
    );
    assert_eq!(request, "GET /pets?kind=cat HTTP/1.1");
    assert_eq!(origin, ResponseOrigin::Target);
    alb.stop().await;
    shutdown.cancel();
}

#[tokio::test]
async fn a_request_body_reaches_the_target() {
    let shutdown = CancellationToken::new();
    let backend = echo(&shutdown).await;
    let events = EventLog::new();
    let mut config = http_listener();
    config
        .target_groups
        .push(group("app", TargetProtocol::Http, &[("echo", backend)]));
    let alb = alb(config, &events).await;
    let mut stream = TcpStream::connect(alb.addr).await.unwrap();
    let request = "POST /orders HTTP/1.1\r\nHost: app.example.com\r\nContent-Type: application/json\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{\"pets\": [1]}";
    let answer = exchange(&mut stream, request).await;
    assert_eq!(answer.status(), 200, "{answer:?}");
    let seen = answer.text();
    assert!(seen.starts_with("POST /orders\n"), "{seen}");
    assert!(seen.contains("content-length: 13\n"), "{seen}");
    assert!(seen.ends_with("\n\n{\"pets\": [1]}"), "{seen}");
    alb.stop().await;
    shutdown.cancel();
}

#[tokio::test]
async fn requests_share_a_pooled_connection_and_the_trace_id_ties_each_to_its_answer() {
    let events = EventLog::new();
    let app = target("app", None, &events).await;
    let mut config = http_listener();
    config
        .target_groups
        .push(group("app", TargetProtocol::Http, &[("app", app.addr)]));
    let alb = alb(config, &events).await;
    for _ in 0..3 {
        assert_eq!(get(alb.addr, "app.example.com", "/").await.status(), 200);
    }
    let records = alb_requests(&events);
    assert_eq!(records.len(), 3);
    let mut upstreams = Vec::new();
    for record in records {
        let Observation::AlbRequest {
            trace_id: Some(trace_id),
            upstream: Some(upstream),
            target,
            rule,
            ..
        } = record
        else {
            panic!("{record:?}")
        };
        assert_eq!(target, Some(HopId::target("app")));
        assert_eq!(rule, Some(MatchedRule::Default));
        // The target's answer names the same request, over the same connection.
        let Observation::Responded { conn, .. } = one(
            &events,
            |o| matches!(o, Observation::Responded { trace_id: Some(t), .. } if *t == trace_id),
        ) else {
            unreachable!()
        };
        assert_eq!(conn.peer, upstream.local);
        upstreams.push(upstream);
    }
    assert!(
        upstreams.windows(2).all(|w| w[0] == w[1]),
        "one kept-alive connection: {upstreams:?}"
    );
    let accepted = events.matching(
        |o| matches!(o, Observation::Accepted { hop, .. } if *hop == HopId::target("app")),
    );
    assert_eq!(accepted.len(), 1);
    alb.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn least_outstanding_requests_avoids_the_busy_target() {
    let events = EventLog::new();
    let mut slow = target_config("slow", None);
    slow.behaviour = TargetBehaviour::Slow {
        delay: Duration::from_millis(600),
    };
    let slow = target_with(slow, &events).await;
    let fast = target("fast", None, &events).await;
    let mut config = http_listener();
    let mut app = group(
        "app",
        TargetProtocol::Http,
        &[("slow", slow.addr), ("fast", fast.addr)],
    );
    app.algorithm = LoadBalancingAlgorithm::LeastOutstandingRequests;
    config.target_groups.push(app);
    let alb = alb(config, &events).await;

    // The first request ties at zero outstanding and goes to the first target.
    let addr = alb.addr;
    let first = tokio::spawn(async move { get(addr, "app.example.com", "/").await });
    eventually(
        &events,
        "the slow target holding the request",
        |o| matches!(o, Observation::TargetFault { fault, .. } if fault == "slow"),
    )
    .await;
    for _ in 0..4 {
        let answer = get(alb.addr, "app.example.com", "/").await;
        assert_eq!(
            answer.target(),
            Some("fast"),
            "the slow target still has one in flight"
        );
    }
    let first = tokio::time::timeout(STEP, first).await.unwrap().unwrap();
    assert_eq!(first.target(), Some("slow"));
    alb.stop().await;
    slow.stop().await;
    fast.stop().await;
}

#[tokio::test]
async fn a_keep_alive_client_is_served_request_after_request() {
    let events = EventLog::new();
    let app = target("app", None, &events).await;
    let mut config = http_listener();
    config
        .target_groups
        .push(group("app", TargetProtocol::Http, &[("app", app.addr)]));
    let alb = alb(config, &events).await;
    let mut stream = TcpStream::connect(alb.addr).await.unwrap();
    let keep = "GET /1 HTTP/1.1\r\nHost: app.example.com\r\n\r\nGET /2 HTTP/1.1\r\nHost: app.example.com\r\n\r\n";
    let answers = exchange(
        &mut stream,
        &format!("{keep}{}", close_request("app.example.com", "/3")),
    )
    .await;
    assert_eq!(answers.status(), 200);
    assert_eq!(
        answers.text().matches("HTTP/1.1 200 OK").count(),
        2,
        "two more answers follow the first"
    );
    let records = alb_requests(&events);
    let downstreams: Vec<_> = records
        .iter()
        .map(|o| match o {
            Observation::AlbRequest {
                downstream,
                request,
                ..
            } => (downstream.peer, request.clone()),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(downstreams.len(), 3);
    assert!(
        downstreams
            .iter()
            .all(|(peer, _)| *peer == downstreams[0].0)
    );
    assert_eq!(downstreams[2].1, "GET /3 HTTP/1.1");
    alb.stop().await;
    app.stop().await;
}
