//! Health checks against real targets, on a paused clock: tokio advances time whenever every
//! task is waiting, so intervals and timeouts pass at once and always in the same order.

mod support;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use hoplab_hop::HealthError;
use hoplab_nlb::{HealthCheck, ListenerConfig, NlbError, StatusMatcher};
use hoplab_target::{TargetBehaviour, TargetTlsVersions};
use hoplab_trace::{EventLog, HopId, Observation};
use support::*;
use tokio::time::Instant;

const INTERVAL: Duration = Duration::from_secs(10);

/// A check every 10 s, timing out after 5 s; healthy after 3 passes, unhealthy after 2
/// failures.
fn quick(mut check: HealthCheck) -> HealthCheck {
    check.interval = INTERVAL;
    check.timeout = Duration::from_secs(5);
    check.healthy_threshold = 3;
    check.unhealthy_threshold = 2;
    check
}

fn checked(mut config: ListenerConfig, port: u16, check: HealthCheck) -> ListenerConfig {
    config.hop = HopId::nlb("internal", port);
    config.target_group.health_check = Some(check);
    config
}

fn behaving(name: &str, behaviour: TargetBehaviour) -> hoplab_target::TargetConfig {
    let mut config = target_config(name, None);
    config.behaviour = behaviour;
    config
}

/// Every `HealthChanged` as (listener, target, healthy, reason), in order.
fn changes(events: &EventLog) -> Vec<(String, String, bool, String)> {
    events
        .matching(|o| matches!(o, Observation::HealthChanged { .. }))
        .into_iter()
        .map(|o| match o {
            Observation::HealthChanged {
                hop,
                target,
                healthy,
                reason,
                ..
            } => (hop.to_string(), target.to_string(), healthy, reason),
            _ => unreachable!(),
        })
        .collect()
}

fn changed(target: &str, healthy: bool) -> impl Fn(&Observation) -> bool {
    let target = HopId::target(target);
    move |o| matches!(o, Observation::HealthChanged { target: t, healthy: h, .. } if *t == target && *h == healthy)
}

/// Waits until `listener` has checked `target` `n` times.
async fn checks_of(events: &EventLog, listener: u16, target: &str, n: usize) {
    let (hop, target) = (HopId::nlb("internal", listener), HopId::target(target));
    for _ in 0..(n as u32 * INTERVAL.as_secs() as u32 * 20 + 100) {
        let done = events
            .matching(|o| matches!(o, Observation::HealthChecked { hop: h, target: t, .. } if *h == hop && *t == target))
            .len();
        if done >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{hop} did not check {target} {n} times: {:#?}",
        events.snapshot()
    );
}

/// Which target answered a request sent through `nlb`.
async fn answered_by(nlb: SocketAddr) -> String {
    let (_, response) = try_get(nlb).await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    served_by(&response).expect("a target answered").to_owned()
}

#[tokio::test(start_paused = true)]
async fn a_target_that_goes_down_is_avoided_until_it_recovers() {
    let events = EventLog::new();
    let a = target("a", None, &events).await;
    let b = target("b", None, &events).await;
    let b_addr = b.addr;
    let config = listener_config(None, false, &[("a", a.addr), ("b", b.addr)]);
    let nlb = nlb(checked(config, 443, quick(HealthCheck::tcp())), &events).await;

    // Both targets pass the first round of checks, which runs at once.
    checks_of(&events, 443, "a", 1).await;
    checks_of(&events, 443, "b", 1).await;
    assert!(changes(&events).is_empty());

    let down_since = Instant::now();
    b.stop().await;
    let Observation::HealthChanged { reason, group, .. } = within(
        Duration::from_secs(60),
        &events,
        "b unhealthy",
        changed("b", false),
    )
    .await
    else {
        unreachable!()
    };
    let waited = down_since.elapsed();
    assert!(
        (2 * INTERVAL - Duration::from_secs(1)..=2 * INTERVAL).contains(&waited),
        "unhealthy after unhealthy_threshold intervals, not {waited:?}"
    );
    assert_eq!(group, "app-tg");
    assert!(
        reason.starts_with("Target.FailedHealthChecks: Health checks failed: connect: "),
        "{reason}"
    );
    assert!(
        reason.ends_with(" (2 failed health checks in a row)"),
        "{reason}"
    );

    // New flows go to the healthy target only.
    for _ in 0..20 {
        assert_eq!(answered_by(nlb.addr).await, "a");
    }
    assert!(
        events
            .matching(|o| matches!(o, Observation::ForwardFailed { .. }))
            .is_empty()
    );

    // b comes back on the same address and is healthy again after healthy_threshold passes.
    let up_since = Instant::now();
    let b = target_at(b_addr, target_config("b", None), &events).await;
    within(
        Duration::from_secs(60),
        &events,
        "b healthy",
        changed("b", true),
    )
    .await;
    let waited = up_since.elapsed();
    assert!(
        (2 * INTERVAL..=3 * INTERVAL).contains(&waited),
        "healthy after healthy_threshold checks, not {waited:?}"
    );
    let mut seen = BTreeSet::new();
    for _ in 0..60 {
        seen.insert(answered_by(nlb.addr).await);
        if seen.len() == 2 {
            break;
        }
    }
    assert_eq!(seen.len(), 2, "both targets get flows again: {seen:?}");
    assert_eq!(
        changes(&events)
            .into_iter()
            .map(|(_, target, healthy, _)| (target, healthy))
            .collect::<Vec<_>>(),
        [
            ("target:b".to_owned(), false),
            ("target:b".to_owned(), true)
        ]
    );
    assert!(
        events
            .matching(|o| matches!(o, Observation::FailOpen { .. }))
            .is_empty()
    );

    // Checks stop with the listener.
    nlb.stop().await;
    let count = || {
        events
            .matching(|o| matches!(o, Observation::HealthChecked { .. }))
            .len()
    };
    let after_stop = count();
    tokio::time::sleep(10 * INTERVAL).await;
    assert_eq!(count(), after_stop, "no checks after shutdown");
    a.stop().await;
    b.stop().await;
}

#[tokio::test(start_paused = true)]
async fn when_every_target_fails_its_checks_the_listener_fails_open() {
    let events = EventLog::new();
    let a = target_with(behaving("a", TargetBehaviour::Status(503)), &events).await;
    let b = target_with(behaving("b", TargetBehaviour::Status(503)), &events).await;
    let config = listener_config(None, false, &[("a", a.addr), ("b", b.addr)]);
    let nlb = nlb(
        checked(config, 443, quick(HealthCheck::http("/health"))),
        &events,
    )
    .await;

    let Observation::FailOpen { group, .. } =
        within(Duration::from_secs(60), &events, "fail open", |o| {
            matches!(o, Observation::FailOpen { active: true, .. })
        })
        .await
    else {
        unreachable!()
    };
    assert_eq!(group, "app-tg");
    let mut unhealthy: Vec<_> = changes(&events)
        .into_iter()
        .map(|(_, target, healthy, reason)| {
            assert!(!healthy);
            assert_eq!(
                reason,
                "Target.ResponseCodeMismatch: Health checks failed with these codes: [503] \
                 (2 failed health checks in a row)"
            );
            target
        })
        .collect();
    unhealthy.sort();
    assert_eq!(unhealthy, ["target:a", "target:b"]);

    // Failing open: new flows still reach every target, which answer 503.
    let mut seen = BTreeSet::new();
    for _ in 0..60 {
        let (_, response) = try_get(nlb.addr).await;
        assert!(response.starts_with("HTTP/1.1 503 "), "{response}");
        seen.insert(served_by(&response).expect("a target answered").to_owned());
        if seen.len() == 2 {
            break;
        }
    }
    assert_eq!(seen.len(), 2, "{seen:?}");
    nlb.stop().await;
    a.stop().await;
    b.stop().await;
}

#[tokio::test(start_paused = true)]
async fn http_checks_judge_the_status_line_with_the_matcher() {
    let events = EventLog::new();
    let ok = target("ok", None, &events).await;
    let moved = target_with(behaving("moved", TargetBehaviour::Status(302)), &events).await;
    let broken = target_with(behaving("broken", TargetBehaviour::Status(500)), &events).await;
    let targets = [
        ("ok", ok.addr),
        ("moved", moved.addr),
        ("broken", broken.addr),
    ];
    let mut listeners = Vec::new();
    for (port, matcher) in [(1, "200-399"), (2, "200"), (3, "500")] {
        let mut check = quick(HealthCheck::http("/health"));
        check.matcher = StatusMatcher::parse(matcher).unwrap();
        let config = checked(listener_config(None, false, &targets), port, check);
        listeners.push(nlb(config, &events).await);
    }

    // Three checks of every target by every listener: enough for two failures in a row.
    for port in 1..=3 {
        for (name, _) in targets {
            checks_of(&events, port, name, 3).await;
        }
    }
    let mut got: Vec<_> = changes(&events)
        .into_iter()
        .map(|(hop, target, healthy, _)| (hop, target, healthy))
        .collect();
    got.sort();
    let unhealthy = |port: u16, name: &str| {
        (
            format!("nlb:internal:{port}"),
            format!("target:{name}"),
            false,
        )
    };
    assert_eq!(
        got,
        [
            unhealthy(1, "broken"),
            unhealthy(2, "broken"),
            unhealthy(2, "moved"),
            unhealthy(3, "moved"),
            unhealthy(3, "ok"),
        ]
    );
    let details: BTreeSet<_> = events
        .matching(|o| matches!(o, Observation::HealthChecked { .. }))
        .into_iter()
        .filter_map(|o| match o {
            Observation::HealthChecked {
                hop,
                target,
                detail,
                passed,
                ..
            } if hop == HopId::nlb("internal", 2) => Some((target.to_string(), passed, detail)),
            _ => None,
        })
        .collect();
    assert_eq!(
        details,
        BTreeSet::from([
            (
                "target:broken".to_owned(),
                false,
                "HTTP 500, not in 200".to_owned()
            ),
            (
                "target:moved".to_owned(),
                false,
                "HTTP 302, not in 200".to_owned()
            ),
            ("target:ok".to_owned(), true, "HTTP 200".to_owned()),
        ])
    );

    // The target saw the check as a request, from the address the NLB recorded, with the
    // listener's address as Host.
    let Observation::HealthChecked { probe, .. } = events
        .matching(|o| matches!(o, Observation::HealthChecked { hop, .. } if *hop == HopId::nlb("internal", 1)))
        .remove(0)
    else {
        unreachable!()
    };
    let probe = probe.expect("TCP got through");
    let Observation::Responded { request, host, .. } = one(
        &events,
        |o| matches!(o, Observation::Responded { conn, .. } if conn.peer == probe.local),
    ) else {
        unreachable!()
    };
    assert_eq!(request, "GET /health HTTP/1.1");
    assert_eq!(host, Some(listeners[0].addr.to_string()));

    for listener in listeners {
        listener.stop().await;
    }
    for t in [ok, moved, broken] {
        t.stop().await;
    }
}

#[tokio::test(start_paused = true)]
async fn https_checks_skip_certificate_validation_and_offer_only_tls12() {
    let events = EventLog::new();
    let expired = target("expired", Some(&Leaf::expired(&["app.internal"])), &events).await;
    let mut tls13 = target_config("tls13", Some(&Leaf::new(&["app.internal"])));
    tls13.tls_versions = TargetTlsVersions::Tls13Only;
    let tls13 = target_with(tls13, &events).await;
    let targets = [("expired", expired.addr), ("tls13", tls13.addr)];
    let https = nlb(
        checked(
            listener_config(None, false, &targets),
            1,
            quick(HealthCheck::https("/")),
        ),
        &events,
    )
    .await;
    let tcp = nlb(
        checked(
            listener_config(None, false, &targets),
            2,
            quick(HealthCheck::tcp()),
        ),
        &events,
    )
    .await;

    let Observation::HealthChanged { hop, reason, .. } = within(
        Duration::from_secs(60),
        &events,
        "tls13 unhealthy",
        changed("tls13", false),
    )
    .await
    else {
        unreachable!()
    };
    assert_eq!(
        hop,
        HopId::nlb("internal", 1),
        "only the HTTPS check fails it"
    );
    assert!(
        reason.starts_with("Target.FailedHealthChecks: Health checks failed: tls handshake: "),
        "{reason}"
    );
    checks_of(&events, 1, "expired", 3).await;
    checks_of(&events, 2, "tls13", 3).await;
    assert_eq!(changes(&events).len(), 1, "{:#?}", changes(&events));

    // The expired, self-signed target passed over TLS 1.2, without SNI.
    let passed: Vec<_> = events
        .matching(|o| {
            matches!(o, Observation::HealthChecked { hop, target, passed: true, .. }
                if *hop == HopId::nlb("internal", 1) && *target == HopId::target("expired"))
        })
        .into_iter()
        .map(|o| match o {
            Observation::HealthChecked { probe, detail, .. } => (probe.expect("connected"), detail),
            _ => unreachable!(),
        })
        .collect();
    assert!(passed.len() >= 3, "{passed:?}");
    let (probe, detail) = &passed[0];
    assert_eq!(detail, "HTTP 200");
    let Observation::TlsTerminated { sni, version, .. } = one(
        &events,
        |o| matches!(o, Observation::TlsTerminated { conn, .. } if conn.peer == probe.local),
    ) else {
        unreachable!()
    };
    assert_eq!((sni, version.as_str()), (None, "TLSv1.2"));

    https.stop().await;
    tcp.stop().await;
    expired.stop().await;
    tls13.stop().await;
}

#[tokio::test(start_paused = true)]
async fn https_checks_fail_a_plain_http_target_in_a_tls_group() {
    let events = EventLog::new();
    let plain = target("plain", None, &events).await;
    let front = Leaf::new(&["api.example.com"]);
    let nlb = nlb(
        checked(
            listener_config(
                Some(termination(&front, &[])),
                true,
                &[("plain", plain.addr)],
            ),
            443,
            quick(HealthCheck::https("/")),
        ),
        &events,
    )
    .await;

    let Observation::HealthChanged { reason, .. } = within(
        Duration::from_secs(60),
        &events,
        "plain unhealthy",
        changed("plain", false),
    )
    .await
    else {
        unreachable!()
    };
    assert!(
        reason.starts_with("Target.FailedHealthChecks: Health checks failed: tls handshake: "),
        "{reason}"
    );
    // The target answered the checker's ClientHello as a plain HTTP server, never a request.
    assert!(
        events
            .matching(|o| matches!(o, Observation::Responded { .. }))
            .is_empty()
    );
    nlb.stop().await;
    plain.stop().await;
}

#[tokio::test(start_paused = true)]
async fn checks_time_out_on_hanging_and_slow_targets() {
    let events = EventLog::new();
    let hang = target_with(behaving("hang", TargetBehaviour::Hang), &events).await;
    let slow = target_with(
        behaving(
            "slow",
            TargetBehaviour::Slow {
                delay: Duration::from_secs(2),
            },
        ),
        &events,
    )
    .await;
    let slower = target_with(
        behaving(
            "slower",
            TargetBehaviour::Slow {
                delay: Duration::from_secs(8),
            },
        ),
        &events,
    )
    .await;
    let targets = [
        ("hang", hang.addr),
        ("slow", slow.addr),
        ("slower", slower.addr),
    ];
    let nlb = nlb(
        checked(
            listener_config(None, false, &targets),
            443,
            quick(HealthCheck::http("/")),
        ),
        &events,
    )
    .await;

    within(
        Duration::from_secs(60),
        &events,
        "hang unhealthy",
        changed("hang", false),
    )
    .await;
    within(
        Duration::from_secs(60),
        &events,
        "slower unhealthy",
        changed("slower", false),
    )
    .await;
    checks_of(&events, 443, "slow", 3).await;
    let mut got = changes(&events);
    got.sort();
    let timed_out = |name: &str| {
        (
            "nlb:internal:443".to_owned(),
            format!("target:{name}"),
            false,
            "Target.Timeout: Request timed out (2 failed health checks in a row)".to_owned(),
        )
    };
    assert_eq!(got, [timed_out("hang"), timed_out("slower")]);
    let hang_details: BTreeSet<_> = events
        .matching(|o| matches!(o, Observation::HealthChecked { target, .. } if *target == HopId::target("hang")))
        .into_iter()
        .map(|o| match o {
            Observation::HealthChecked { detail, .. } => detail,
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        hang_details,
        BTreeSet::from(["no answer within 5s".to_owned()])
    );

    nlb.stop().await;
    for t in [hang, slow, slower] {
        t.stop().await;
    }
}

#[tokio::test]
async fn health_checks_the_checker_cannot_run_are_refused_at_start() {
    let events = EventLog::new();
    let somewhere: SocketAddr = ([127, 0, 0, 1], 9).into();
    let mut zero = HealthCheck::tcp();
    zero.interval = Duration::ZERO;
    let config = checked(
        listener_config(None, false, &[("app", somewhere)]),
        443,
        zero,
    );
    let result = tokio::time::timeout(STEP, nlb(config, &events).await.handle)
        .await
        .unwrap()
        .unwrap();
    let Err(error @ NlbError::Health(HealthError::InvalidHealthCheck { .. })) = result else {
        panic!("{result:?}");
    };
    assert_eq!(
        error.to_string(),
        "nlb:internal:443: health check of target group app-tg: the interval must be more than zero"
    );
    assert!(events.snapshot().is_empty());
}

#[tokio::test(start_paused = true)]
async fn settling_takes_failing_targets_out_before_the_first_flow() {
    let events = EventLog::new();
    let good = target("good", None, &events).await;
    let refusing = target_with(behaving("refusing", TargetBehaviour::Refuse), &events).await;
    let config = listener_config(
        None,
        false,
        &[("good", good.addr), ("refusing", refusing.addr)],
    );
    let mut check = quick(HealthCheck::tcp());
    check.settle_before_serving = true;
    let nlb = nlb(checked(config, 443, check), &events).await;

    // The very first flows already avoid the refusing target: no wait for any state.
    for _ in 0..12 {
        assert_eq!(answered_by(nlb.addr).await, "good");
    }
    let failed_before_serving = changes(&events);
    assert_eq!(failed_before_serving.len(), 1, "{failed_before_serving:?}");
    assert_eq!(failed_before_serving[0].1, "target:refusing");
    assert!(!failed_before_serving[0].2);
    let first_accept = events
        .snapshot()
        .iter()
        .position(|o| matches!(o, Observation::Accepted { hop, .. } if *hop == HopId::nlb("internal", 443)))
        .expect("the listener accepted");
    let unhealthy_at = events
        .snapshot()
        .iter()
        .position(changed("refusing", false))
        .expect("refusing turned unhealthy");
    assert!(
        unhealthy_at < first_accept,
        "health settled before the first accept"
    );
}
