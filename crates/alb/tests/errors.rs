//! The ALB's own answers, byte for byte: plain HTTP on an HTTPS port, a refused target, an
//! empty target group, a target that hangs past the idle timeout, and a backend TLS version
//! mismatch; and the configurations a listener refuses to start with.

mod support;

use std::sync::Arc;
use std::time::Duration;

use hoplab_alb::{
    Action, AlbError, Condition, Forward, HttpsListener, ListenerConfig, ListenerProtocol, Rule,
    RuleError, SecurityPolicy, TargetProtocol,
};
use hoplab_target::{TargetBehaviour, TargetTlsVersions};
use hoplab_trace::{EventLog, HopId, MatchedRule, Observation, ResponseOrigin};
use rcgen::{CertificateParams, KeyPair, PKCS_ED25519};
use support::*;
use tokio::net::TcpStream;

const BAD_GATEWAY: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
const SERVICE_UNAVAILABLE: &str = "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n";
const GATEWAY_TIMEOUT: &str = "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n";

fn listener(protocol: ListenerProtocol) -> ListenerConfig {
    ListenerConfig::new("web", 443, protocol, Action::Forward(Forward::to("app")))
}

fn https(leaf: &Leaf, policy: SecurityPolicy) -> ListenerProtocol {
    let mut https = HttpsListener::new(Arc::clone(&leaf.key));
    https.security_policy = policy;
    ListenerProtocol::Https(https)
}

/// The only `AlbRequest` record: its status, its origin and its upstream connection.
fn the_request(events: &EventLog) -> (u16, ResponseOrigin, Option<hoplab_trace::Connection>) {
    match one(events, |o| matches!(o, Observation::AlbRequest { .. })) {
        Observation::AlbRequest {
            status,
            origin,
            upstream,
            ..
        } => (status, origin, upstream),
        _ => unreachable!(),
    }
}

/// Asserts that `answer` is the ALB page `body` with status line `status_line`.
fn assert_page(answer: &Answer, status_line: &str, body: &str) {
    assert_eq!(answer.status_line, status_line);
    assert_eq!(answer.text(), body);
    assert_eq!(
        answer.header("content-length"),
        Some(body.len().to_string().as_str())
    );
    assert_eq!(answer.header("server"), Some("awselb/2.0"));
    assert_eq!(answer.header("content-type"), Some("text/html"));
}

#[tokio::test]
async fn plain_http_to_an_https_listener_gets_the_400_page_and_the_connection_closes() {
    let events = EventLog::new();
    let app = target("app", None, &events).await;
    let leaf = Leaf::new(&["api.example.com"]);
    let mut config = listener(https(&leaf, SecurityPolicy::default()));
    config
        .target_groups
        .push(group("app", TargetProtocol::Http, &[("app", app.addr)]));
    let alb = alb(config, &events).await;

    let mut stream = TcpStream::connect(alb.addr).await.unwrap();
    // A second request on the same connection is never answered: the ALB closes after one.
    let request = format!(
        "GET /x HTTP/1.1\r\nHost: api.example.com\r\n\r\n{}",
        close_request("api.example.com", "/y")
    );
    let answer = exchange(&mut stream, &request).await;
    let body = "<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>The plain HTTP request was sent to HTTPS port</center>\r\n</body>\r\n</html>\r\n";
    assert_page(&answer, "HTTP/1.1 400 Bad Request", body);
    assert_eq!(answer.header("connection"), Some("close"));
    let Observation::AlbRequest {
        request,
        rule,
        origin,
        trace_id,
        ..
    } = one(&events, |o| matches!(o, Observation::AlbRequest { .. }))
    else {
        unreachable!()
    };
    assert_eq!(request, "GET /x HTTP/1.1");
    assert_eq!((rule, trace_id), (None, None));
    assert!(origin.is_generated());
    assert!(
        events
            .matching(|o| matches!(o, Observation::Responded { .. }))
            .is_empty()
    );
    assert!(
        events
            .matching(|o| matches!(o, Observation::TlsAcceptFailed { .. }))
            .is_empty()
    );
    alb.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn a_refused_connection_gets_the_502_page() {
    let events = EventLog::new();
    let mut config = target_config("gone", None);
    config.behaviour = TargetBehaviour::Refuse;
    let gone = target_with(config, &events).await;
    let mut config = listener(ListenerProtocol::Http);
    config
        .target_groups
        .push(group("app", TargetProtocol::Http, &[("gone", gone.addr)]));
    let alb = alb(config, &events).await;
    let answer = get(alb.addr, "app.example.com", "/").await;
    assert_page(&answer, "HTTP/1.1 502 Bad Gateway", BAD_GATEWAY);
    assert_eq!(answer.body.len(), 122);
    let (status, origin, upstream) = the_request(&events);
    assert_eq!((status, upstream), (502, None));
    let ResponseOrigin::LoadBalancer { reason } = origin else {
        panic!("{origin:?}")
    };
    assert!(
        reason.starts_with(&format!("connect to target {}: ", gone.addr)),
        "{reason}"
    );
    alb.stop().await;
    gone.stop().await;
}

#[tokio::test]
async fn closing_resetting_and_non_http_targets_get_the_502_page() {
    for behaviour in [TargetBehaviour::AcceptThenClose, TargetBehaviour::Reset] {
        let events = EventLog::new();
        let mut config = target_config("bad", None);
        config.behaviour = behaviour;
        let bad = target_with(config, &events).await;
        let mut config = listener(ListenerProtocol::Http);
        config
            .target_groups
            .push(group("app", TargetProtocol::Http, &[("bad", bad.addr)]));
        let alb = alb(config, &events).await;
        let answer = get(alb.addr, "app.example.com", "/").await;
        assert_page(&answer, "HTTP/1.1 502 Bad Gateway", BAD_GATEWAY);
        let (_, origin, upstream) = the_request(&events);
        assert!(origin.is_generated(), "{behaviour:?}");
        assert!(upstream.is_some(), "TCP got that far: {behaviour:?}");
        alb.stop().await;
        bad.stop().await;
    }

    // An HTTPS target behind an HTTP target group answers the ALB's plaintext with a TLS
    // alert: not an HTTP response.
    let events = EventLog::new();
    let leaf = Leaf::new(&["app.internal"]);
    let tls_target = target("tls", Some(&leaf), &events).await;
    let mut config = listener(ListenerProtocol::Http);
    config.target_groups.push(group(
        "app",
        TargetProtocol::Http,
        &[("tls", tls_target.addr)],
    ));
    let alb = alb(config, &events).await;
    let answer = get(alb.addr, "app.example.com", "/").await;
    assert_page(&answer, "HTTP/1.1 502 Bad Gateway", BAD_GATEWAY);
    alb.stop().await;
    tls_target.stop().await;
}

#[tokio::test]
async fn an_empty_target_group_gets_the_503_page() {
    let events = EventLog::new();
    let mut config = listener(ListenerProtocol::Http);
    config
        .target_groups
        .push(group("app", TargetProtocol::Http, &[]));
    let alb = alb(config, &events).await;
    let answer = get(alb.addr, "app.example.com", "/").await;
    assert_page(
        &answer,
        "HTTP/1.1 503 Service Temporarily Unavailable",
        SERVICE_UNAVAILABLE,
    );
    assert_eq!(answer.body.len(), 162);
    let Observation::AlbRequest {
        group,
        target,
        origin,
        ..
    } = one(&events, |o| matches!(o, Observation::AlbRequest { .. }))
    else {
        unreachable!()
    };
    assert_eq!((group.as_deref(), target), (Some("app"), None));
    assert_eq!(
        origin,
        ResponseOrigin::LoadBalancer {
            reason: "target group app has no registered targets".to_owned()
        }
    );
    alb.stop().await;
}

#[tokio::test]
async fn a_target_that_hangs_past_the_idle_timeout_gets_the_504_page() {
    let events = EventLog::new();
    let mut config = target_config("stuck", None);
    config.behaviour = TargetBehaviour::Hang;
    let stuck = target_with(config, &events).await;
    let mut config = listener(ListenerProtocol::Http);
    config.idle_timeout = Duration::from_millis(300);
    config
        .target_groups
        .push(group("app", TargetProtocol::Http, &[("stuck", stuck.addr)]));
    let alb = alb(config, &events).await;
    let answer = get(alb.addr, "app.example.com", "/").await;
    assert_page(&answer, "HTTP/1.1 504 Gateway Time-out", GATEWAY_TIMEOUT);
    assert_eq!(answer.body.len(), 132);
    let (_, origin, upstream) = the_request(&events);
    assert!(upstream.is_some());
    let ResponseOrigin::LoadBalancer { reason } = origin else {
        panic!("{origin:?}")
    };
    assert!(
        reason.contains("within the idle timeout (300ms)"),
        "{reason}"
    );
    alb.stop().await;
    stuck.stop().await;
}

#[tokio::test]
async fn a_tls13_only_target_fails_the_backend_handshake_unless_the_policy_is_tls13() {
    for (policy, expected) in [
        (SecurityPolicy::Elb2016_08, 502),
        (SecurityPolicy::Fs1_2Res2020_10, 502),
        (SecurityPolicy::Tls13_1_2_2021_06, 200),
    ] {
        let events = EventLog::new();
        let leaf = Leaf::new(&["app.internal"]);
        let mut config = target_config("modern", Some(&leaf));
        config.tls_versions = TargetTlsVersions::Tls13Only;
        let modern = target_with(config, &events).await;
        let listener_cert = Leaf::new(&["api.example.com"]);
        let mut config = listener(https(&listener_cert, policy));
        config.target_groups.push(group(
            "app",
            TargetProtocol::Https,
            &[("modern", modern.addr)],
        ));
        let alb = alb(config, &events).await;
        let answer = get_tls(alb.addr, "api.example.com", "api.example.com", "/").await;
        assert_eq!(answer.status(), expected, "{policy}");
        let (_, origin, upstream) = the_request(&events);
        if expected == 502 {
            assert_page(&answer, "HTTP/1.1 502 Bad Gateway", BAD_GATEWAY);
            let ResponseOrigin::LoadBalancer { reason } = origin else {
                panic!("{origin:?}")
            };
            assert!(reason.starts_with("tls handshake with target"), "{reason}");
            assert!(upstream.is_some());
            // The client's own session with the listener was fine: the failure is the ALB's.
            assert_eq!(
                events
                    .matching(|o| matches!(o, Observation::TlsTerminated { .. }))
                    .len(),
                1
            );
        } else {
            assert_eq!(origin, ResponseOrigin::Target);
        }
        alb.stop().await;
        modern.stop().await;
    }
}

#[tokio::test]
async fn a_plain_http_target_in_an_https_group_fails_the_backend_handshake() {
    let events = EventLog::new();
    let plain = target("plain", None, &events).await;
    let listener_cert = Leaf::new(&["api.example.com"]);
    let mut config = listener(https(&listener_cert, SecurityPolicy::Tls13_1_2_2021_06));
    config.target_groups.push(group(
        "app",
        TargetProtocol::Https,
        &[("plain", plain.addr)],
    ));
    let alb = alb(config, &events).await;

    let answer = get_tls(alb.addr, "api.example.com", "api.example.com", "/").await;

    assert_page(&answer, "HTTP/1.1 502 Bad Gateway", BAD_GATEWAY);
    let (_, origin, upstream) = the_request(&events);
    let ResponseOrigin::LoadBalancer { reason } = origin else {
        panic!("{origin:?}")
    };
    assert!(reason.starts_with("tls handshake with target"), "{reason}");
    // The target accepted the ALB's connection, read the ClientHello as plain HTTP and
    // answered no request of its own.
    let upstream = upstream.expect("the TCP connection was open when the handshake failed");
    let accepted = events.matching(
        |o| matches!(o, Observation::Accepted { hop, .. } if *hop == HopId::target("plain")),
    );
    assert!(
        accepted.iter().any(
            |o| matches!(o, Observation::Accepted { conn, .. } if conn.peer == upstream.local)
        ),
        "{accepted:#?}"
    );
    assert!(
        events
            .matching(|o| matches!(o, Observation::Responded { .. }))
            .is_empty()
    );
    alb.stop().await;
    plain.stop().await;
}

#[tokio::test]
async fn a_client_that_fails_the_listener_handshake_is_recorded() {
    let events = EventLog::new();
    let leaf = Leaf::new(&["api.example.com"]);
    let mut config = listener(https(&leaf, SecurityPolicy::Tls13_1_3_2021_06));
    config
        .target_groups
        .push(group("app", TargetProtocol::Http, &[]));
    let alb = alb(config, &events).await;
    let tcp = TcpStream::connect(alb.addr).await.unwrap();
    let connector = tokio_rustls::TlsConnector::from(tls_client(&[&rustls::version::TLS12]));
    let name = rustls::pki_types::ServerName::try_from("api.example.com").unwrap();
    assert!(connector.connect(name, tcp).await.is_err());
    let Observation::TlsAcceptFailed { hop, error, .. } =
        eventually(&events, "the failed handshake", |o| {
            matches!(o, Observation::TlsAcceptFailed { .. })
        })
        .await
    else {
        unreachable!()
    };
    assert_eq!(hop, HopId::alb("web", 443));
    assert!(!error.is_empty());
    alb.stop().await;
}

#[tokio::test]
async fn listeners_aws_would_refuse_do_not_start() {
    let pair = KeyPair::generate_for(&PKCS_ED25519).unwrap();
    let ed25519 = Leaf::signed(
        CertificateParams::new(vec!["api.example.com".to_owned()]).unwrap(),
        &pair,
    );
    let mut config = listener(https(&ed25519, SecurityPolicy::default()));
    config
        .target_groups
        .push(group("app", TargetProtocol::Http, &[]));
    let error = alb_refuses(config).await;
    assert!(
        matches!(&error, AlbError::Ed25519Certificate { which, .. } if which == "default"),
        "{error}"
    );

    let mut duplicate = listener(ListenerProtocol::Http);
    let path = |p: &str| Condition::PathPattern(vec![p.to_owned()]);
    duplicate.rules = vec![
        Rule {
            priority: 7,
            conditions: vec![path("/a")],
            actions: vec![Action::Forward(Forward::to("app"))],
        },
        Rule {
            priority: 7,
            conditions: vec![path("/b")],
            actions: vec![Action::Forward(Forward::to("app"))],
        },
    ];
    duplicate
        .target_groups
        .push(group("app", TargetProtocol::Http, &[]));
    let error = alb_refuses(duplicate).await;
    assert_eq!(error.to_string(), "alb:web:443: two rules have priority 7");

    let mut no_action = listener(ListenerProtocol::Http);
    no_action.rules = vec![Rule {
        priority: 1,
        conditions: vec![path("/a")],
        actions: vec![],
    }];
    no_action
        .target_groups
        .push(group("app", TargetProtocol::Http, &[]));
    let AlbError::Rules { source, .. } = alb_refuses(no_action).await else {
        panic!("a rule error")
    };
    assert_eq!(
        source,
        RuleError::NoAction {
            rule: MatchedRule::Priority(1)
        }
    );

    let unknown_group = listener(ListenerProtocol::Http);
    let error = alb_refuses(unknown_group).await;
    assert_eq!(
        error.to_string(),
        "alb:web:443: the default rule: forward to unknown target group \"app\""
    );

    let mut twice = listener(ListenerProtocol::Http);
    twice
        .target_groups
        .push(group("app", TargetProtocol::Http, &[]));
    twice
        .target_groups
        .push(group("app", TargetProtocol::Https, &[]));
    assert!(matches!(
        alb_refuses(twice).await,
        AlbError::DuplicateTargetGroup { .. }
    ));

    let mut zero = listener(ListenerProtocol::Http);
    zero.idle_timeout = Duration::ZERO;
    assert!(matches!(
        alb_refuses(zero).await,
        AlbError::ZeroIdleTimeout { .. }
    ));
}
