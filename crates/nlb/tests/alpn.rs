//! ALPN policies on a TLS listener, driven by rustls clients offering various lists.

mod support;

use hoplab_nlb::{AlpnPolicy, NlbError};
use hoplab_trace::{Connection, EventLog, Observation};
use support::*;

/// What each policy selects for each offer; `None` means the handshake succeeds without ALPN.
const CASES: &[(&str, &[&str], Option<&str>)] = &[
    // No ALPN from the client: never any ALPN.
    ("HTTP1Only", &[], None),
    ("HTTP2Only", &[], None),
    ("HTTP2Optional", &[], None),
    ("HTTP2Preferred", &[], None),
    ("None", &[], None),
    // h2 only.
    ("HTTP1Only", &["h2"], None),
    ("HTTP2Only", &["h2"], Some("h2")),
    ("HTTP2Optional", &["h2"], Some("h2")),
    ("HTTP2Preferred", &["h2"], Some("h2")),
    ("None", &["h2"], None),
    // HTTP/1.1 only.
    ("HTTP1Only", &["http/1.1"], Some("http/1.1")),
    ("HTTP2Only", &["http/1.1"], None),
    ("HTTP2Optional", &["http/1.1"], Some("http/1.1")),
    ("HTTP2Preferred", &["http/1.1"], Some("http/1.1")),
    ("None", &["http/1.1"], None),
    // Both, in either order: the policy's preference wins.
    ("HTTP1Only", &["h2", "http/1.1"], Some("http/1.1")),
    ("HTTP2Only", &["http/1.1", "h2"], Some("h2")),
    ("HTTP2Optional", &["h2", "http/1.1"], Some("http/1.1")),
    ("HTTP2Preferred", &["http/1.1", "h2"], Some("h2")),
    // HTTP/1.0.
    ("HTTP1Only", &["http/1.0"], Some("http/1.0")),
    ("HTTP2Preferred", &["http/1.0", "spdy/3"], Some("http/1.0")),
    // Nothing in common: served anyway, without ALPN.
    ("HTTP1Only", &["spdy/3", "h3"], None),
    ("HTTP2Only", &["spdy/3"], None),
    ("HTTP2Optional", &["acme-tls/1"], None),
    ("HTTP2Preferred", &["h2c"], None),
];

#[tokio::test]
async fn each_policy_answers_each_offer_as_aws_documents() {
    let events = EventLog::new();
    let app = target("app", Some(&Leaf::new(&["app.internal"])), &events).await;
    let front = Leaf::new(&["api.example.com"]);
    let mut listeners = Vec::new();
    for (policy, typed) in AlpnPolicy::ALL {
        let mut tls = termination(&front, &[]);
        tls.alpn_policy = typed;
        let running = nlb(
            listener_config(Some(tls), true, &[("app", app.addr)]),
            &events,
        )
        .await;
        listeners.push((policy, running));
    }

    for &(policy, offered, expected) in CASES {
        let (_, listener) = listeners
            .iter()
            .find(|(p, _)| *p == policy)
            .expect("a listener per policy");
        // Only what is recorded from here on belongs to this case.
        let earlier = events.len();
        let mut tls = tls_connect(listener.addr, "api.example.com", alpn_client(offered))
            .await
            .unwrap_or_else(|e| panic!("{policy} with {offered:?}: {e}"));
        let selected = tls
            .get_ref()
            .1
            .alpn_protocol()
            .map(|p| String::from_utf8(p.to_vec()).unwrap());
        assert_eq!(selected.as_deref(), expected, "{policy} with {offered:?}");

        // This connection, by both ends: the client's port alone may have served an earlier
        // case against another listener.
        let this = Connection {
            peer: tls.get_ref().0.local_addr().unwrap(),
            local: listener.addr,
        };
        // The listener records the handshake once it has seen the client's Finished.
        let terminated =
            |o: &Observation| matches!(o, Observation::TlsTerminated { conn, .. } if *conn == this);
        eventually_after(&events, earlier, "the listener's handshake", terminated).await;
        let recorded = recorded_after(
            &events,
            earlier,
            |o| matches!(o, Observation::AlpnNegotiated { conn, .. } if *conn == this),
        );
        if policy == "None" {
            assert!(recorded.is_empty(), "no policy, no record: {recorded:?}");
        } else {
            let [
                Observation::AlpnNegotiated {
                    offered: seen,
                    selected: recorded_selected,
                    ..
                },
            ] = recorded.as_slice()
            else {
                panic!("{policy} with {offered:?}: {recorded:?}");
            };
            assert_eq!(seen, offered, "{policy}");
            assert_eq!(
                recorded_selected.as_deref(),
                expected,
                "{policy} with {offered:?}"
            );
        }
        // The session carries HTTP/1.1 to the target whatever was negotiated.
        if expected != Some("h2") {
            let response = get(&mut tls, "api.example.com").await;
            assert!(
                response.starts_with("HTTP/1.1 200 OK\r\n"),
                "{policy} with {offered:?}: {response}"
            );
        }
    }
    for (_, listener) in listeners {
        listener.stop().await;
    }
    app.stop().await;
}

#[tokio::test]
async fn alpn_policies_aws_does_not_allow_are_refused_at_start() {
    let events = EventLog::new();
    let front = Leaf::new(&["api.example.com"]);
    let somewhere = ([127, 0, 0, 1], 9).into();

    let mut tcp_group = termination(&front, &[]);
    tcp_group.alpn_policy = "HTTP2Preferred".parse().unwrap();
    let mut none_tcp_group = termination(&front, &[]);
    none_tcp_group.alpn_policy = "None".parse().unwrap();

    let tcp_group = nlb(
        listener_config(Some(tcp_group), false, &[("app", somewhere)]),
        &events,
    )
    .await;
    let fine = nlb(
        listener_config(Some(none_tcp_group), false, &[("app", somewhere)]),
        &events,
    )
    .await;

    // A policy is typed: a name AWS does not define is refused when it is read, before any
    // listener starts.
    let unknown = "HTTP3Only".parse::<AlpnPolicy>();
    let Err(error @ NlbError::UnknownAlpnPolicy { .. }) = unknown else {
        panic!("{unknown:?}");
    };
    assert_eq!(
        error.to_string(),
        "unknown alpn policy \"HTTP3Only\": expected one of HTTP1Only, HTTP2Only, HTTP2Optional, HTTP2Preferred, None"
    );
    let tcp_group = tokio::time::timeout(STEP, tcp_group.handle)
        .await
        .unwrap()
        .unwrap();
    let Err(error @ NlbError::AlpnNeedsTlsTargetGroup { .. }) = tcp_group else {
        panic!("{tcp_group:?}");
    };
    assert_eq!(
        error.to_string(),
        "nlb:internal:443: alpn policy HTTP2Preferred needs a TLS target group, but app-tg is TCP"
    );
    // `None` needs no TLS target group: this listener runs, and stops cleanly.
    fine.stop().await;
}
