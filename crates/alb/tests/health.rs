//! Health checks with the ALB's defaults on a live listener: a failing target leaves the
//! rotation, every target failing makes the listener fail open, and checks carry the target's
//! own address as `Host`.

mod support;

use std::collections::BTreeSet;

use hoplab_alb::{
    Action, Forward, HealthCheck, ListenerConfig, ListenerProtocol, TargetProtocol,
    default_health_check,
};
use hoplab_target::TargetBehaviour;
use hoplab_trace::{EventLog, HopId, Observation, ResponseOrigin};
use support::*;

/// The ALB's default check, run to a settled state before the listener accepts.
fn settled() -> HealthCheck {
    HealthCheck {
        settle_before_serving: true,
        ..default_health_check()
    }
}

/// A listener forwarding to `targets` (name, behaviour), checked with [`settled`].
async fn lab(
    targets: &[(&str, TargetBehaviour)],
    events: &EventLog,
) -> (
    Running<hoplab_alb::AlbError>,
    Vec<Running<hoplab_target::TargetError>>,
) {
    let mut running = Vec::new();
    let mut endpoints = Vec::new();
    for (name, behaviour) in targets {
        let mut config = target_config(name, None);
        config.behaviour = *behaviour;
        let target = target_with(config, events).await;
        endpoints.push((*name, target.addr));
        running.push(target);
    }
    let mut config = ListenerConfig::new(
        "web",
        80,
        ListenerProtocol::Http,
        Action::Forward(Forward::to("app")),
    );
    let mut app = group("app", TargetProtocol::Http, &endpoints);
    app.health_check = Some(settled());
    config.target_groups.push(app);
    (alb(config, events).await, running)
}

#[tokio::test]
async fn a_target_failing_its_checks_gets_no_requests() {
    let events = EventLog::new();
    let (alb, targets) = lab(
        &[
            ("good", TargetBehaviour::Normal),
            ("sick", TargetBehaviour::Status(500)),
        ],
        &events,
    )
    .await;
    let changed = one(&events, |o| matches!(o, Observation::HealthChanged { .. }));
    let Observation::HealthChanged {
        hop,
        target,
        healthy,
        reason,
        ..
    } = changed
    else {
        unreachable!()
    };
    assert_eq!(hop, HopId::alb("web", 80));
    assert_eq!((target, healthy), (HopId::target("sick"), false));
    assert!(
        reason.starts_with(
            "Target.ResponseCodeMismatch: Health checks failed with these codes: [500]"
        ),
        "{reason}"
    );
    for _ in 0..4 {
        let answer = get(alb.addr, "app.example.com", "/").await;
        assert_eq!((answer.status(), answer.target()), (200, Some("good")));
    }

    // Each check's request names the checked target itself as Host, as an ALB's do.
    for (target, running) in ["good", "sick"].iter().zip(&targets) {
        let probes: Vec<_> = events
            .matching(|o| matches!(o, Observation::HealthChecked { target: t, .. } if *t == HopId::target(*target)))
            .into_iter()
            .filter_map(|o| match o {
                Observation::HealthChecked { probe, .. } => probe,
                _ => None,
            })
            .collect();
        assert!(
            probes.len() >= 2,
            "two settling rounds for {target}, then the schedule"
        );
        for probe in probes {
            let Observation::Responded { host, request, .. } = one(
                &events,
                |o| matches!(o, Observation::Responded { conn, .. } if conn.peer == probe.local),
            ) else {
                unreachable!()
            };
            assert_eq!(request, "GET / HTTP/1.1");
            assert_eq!(host, Some(running.addr.to_string()));
        }
    }
    alb.stop().await;
    for target in targets {
        target.stop().await;
    }
}

#[tokio::test]
async fn when_every_target_fails_its_checks_the_listener_fails_open() {
    let events = EventLog::new();
    let (alb, targets) = lab(
        &[
            ("a", TargetBehaviour::Status(503)),
            ("b", TargetBehaviour::Status(503)),
        ],
        &events,
    )
    .await;
    let Observation::FailOpen { active, group, .. } =
        one(&events, |o| matches!(o, Observation::FailOpen { .. }))
    else {
        unreachable!()
    };
    assert!(active);
    assert_eq!(group, "app");
    let mut reached = BTreeSet::new();
    for _ in 0..4 {
        let answer = get(alb.addr, "app.example.com", "/").await;
        // The targets' own 503, passed on: not the ALB's page.
        assert_eq!(answer.status(), 503);
        assert_eq!(answer.header("server"), None);
        reached.insert(answer.target().unwrap().to_owned());
    }
    assert_eq!(reached, BTreeSet::from(["a".to_owned(), "b".to_owned()]));
    assert!(alb_requests(&events).iter().all(
        |o| matches!(o, Observation::AlbRequest { origin, .. } if *origin == ResponseOrigin::Target)
    ));
    alb.stop().await;
    for target in targets {
        target.stop().await;
    }
}
