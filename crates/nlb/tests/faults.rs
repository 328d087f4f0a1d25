//! One misbehaving target among three behind a TCP listener: which flows fail, what the
//! events say, and which health checks notice. Paused clock, so a hanging target costs no
//! real time.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use hoplab_nlb::HealthCheck;
use hoplab_target::TargetBehaviour;
use hoplab_trace::{EventLog, HopId, Observation};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BAD: [TargetBehaviour; 5] = [
    TargetBehaviour::Refuse,
    TargetBehaviour::AcceptThenClose,
    TargetBehaviour::Reset,
    TargetBehaviour::Hang,
    TargetBehaviour::Status(502),
];

/// How long a client waits for a response before giving up on a hanging target.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

struct Lab {
    events: EventLog,
    targets: Vec<Running<hoplab_target::TargetError>>,
    nlb: Running<hoplab_nlb::NlbError>,
}

impl Lab {
    /// Targets `good1`, `bad` and `good2` behind a TCP listener.
    async fn start(bad: TargetBehaviour, health_check: Option<HealthCheck>) -> Lab {
        let events = EventLog::new();
        let mut targets = Vec::new();
        for name in ["good1", "bad", "good2"] {
            let mut config = target_config(name, None);
            if name == "bad" {
                config.behaviour = bad;
            }
            targets.push(target_with(config, &events).await);
        }
        let addrs = [
            ("good1", targets[0].addr),
            ("bad", targets[1].addr),
            ("good2", targets[2].addr),
        ];
        let mut config = listener_config(None, false, &addrs);
        config.target_group.health_check = health_check;
        let nlb = nlb(config, &events).await;
        Lab {
            events,
            targets,
            nlb,
        }
    }

    async fn stop(self) {
        self.nlb.stop().await;
        for target in self.targets {
            target.stop().await;
        }
    }

    /// One request through the listener, abandoned after [`CLIENT_TIMEOUT`]. Returns whether a
    /// `200 OK` came back, and the target the listener chose (from its own record).
    async fn request(&self) -> (bool, HopId) {
        let mut stream = TcpStream::connect(self.nlb.addr).await.expect("connect");
        let _ = stream.set_nodelay(true);
        let client = stream.local_addr().expect("local addr");
        let request = b"GET / HTTP/1.1\r\nHost: api.example.com\r\nConnection: close\r\n\r\n";
        let mut response = Vec::new();
        if stream.write_all(request).await.is_ok() {
            // A reset or a timeout ends the exchange with whatever had arrived.
            let _ = tokio::time::timeout(CLIENT_TIMEOUT, stream.read_to_end(&mut response)).await;
        }
        drop(stream);
        (
            response.starts_with(b"HTTP/1.1 200 OK\r\n"),
            self.chosen(client),
        )
    }

    /// The target the listener forwarded (or failed to forward) `client`'s connection to.
    fn chosen(&self, client: SocketAddr) -> HopId {
        let found = self.events.matching(|o| match o {
            Observation::Forwarded { downstream, .. }
            | Observation::ForwardFailed { downstream, .. } => downstream.peer == client,
            _ => false,
        });
        match found.as_slice() {
            [Observation::Forwarded { target, .. } | Observation::ForwardFailed { target, .. }] => {
                target.clone()
            }
            other => panic!("{client}: {other:#?}"),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn one_bad_target_of_three_fails_exactly_the_flows_it_gets() {
    for bad in BAD {
        let lab = Lab::start(bad, None).await;
        let bad_hop = HopId::target("bad");
        let (mut ok, mut failed) = (0, 0);
        for _ in 0..60 {
            let (answered, target) = lab.request().await;
            assert_eq!(answered, target != bad_hop, "{bad:?}: a flow to {target}");
            if answered {
                ok += 1;
            } else {
                failed += 1;
            }
        }
        // Each flow has a one-in-three chance of the bad target: all-or-nothing in 60 flows
        // has a probability of about 1e-10.
        assert!(ok > 0 && failed > 0, "{bad:?}: {ok} ok, {failed} failed");

        // The bad target's own record agrees: a fault per flow it accepted (Refuse: none,
        // the listener's connect failed instead).
        let forwarded_to_bad = lab
            .events
            .matching(|o| matches!(o, Observation::Forwarded { target, .. } if *target == bad_hop));
        let failed_to_bad = lab.events.matching(
            |o| matches!(o, Observation::ForwardFailed { target, .. } if *target == bad_hop),
        );
        let faults = lab.events.matching(
            |o| matches!(o, Observation::TargetFault { hop, conn: Some(_), .. } if *hop == bad_hop),
        );
        match bad {
            TargetBehaviour::Refuse => {
                assert_eq!(failed_to_bad.len(), failed, "{bad:?}");
                assert!(forwarded_to_bad.is_empty() && faults.is_empty(), "{bad:?}");
            }
            TargetBehaviour::Status(_) => {
                assert_eq!(forwarded_to_bad.len(), failed, "{bad:?}");
                assert!(faults.is_empty(), "{bad:?}: the status is the record");
            }
            _ => {
                assert_eq!(forwarded_to_bad.len(), failed, "{bad:?}");
                assert!(failed_to_bad.is_empty(), "{bad:?}");
                assert_eq!(faults.len(), failed, "{bad:?}");
            }
        }
        lab.stop().await;
    }
}

/// A check every 10 s with a 5 s timeout, unhealthy after 2 failures.
fn quick(mut check: HealthCheck) -> HealthCheck {
    check.interval = Duration::from_secs(10);
    check.timeout = Duration::from_secs(5);
    check.unhealthy_threshold = 2;
    check
}

#[tokio::test(start_paused = true)]
async fn an_http_health_check_takes_any_bad_target_out_of_rotation() {
    for bad in BAD {
        let lab = Lab::start(bad, Some(quick(HealthCheck::http("/")))).await;
        let unhealthy = within(Duration::from_secs(60), &lab.events, "bad unhealthy", |o| {
            matches!(o, Observation::HealthChanged { healthy: false, .. })
        })
        .await;
        let Observation::HealthChanged { target, .. } = unhealthy else {
            unreachable!()
        };
        assert_eq!(target, HopId::target("bad"), "{bad:?}");
        for _ in 0..30 {
            let (answered, target) = lab.request().await;
            assert!(answered, "{bad:?}: a flow to {target}");
        }
        assert_eq!(
            lab.events
                .matching(|o| matches!(o, Observation::HealthChanged { .. }))
                .len(),
            1,
            "{bad:?}"
        );
        lab.stop().await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_tcp_health_check_only_notices_a_closed_port() {
    for bad in BAD {
        let lab = Lab::start(bad, Some(quick(HealthCheck::tcp()))).await;
        let bad_hop = HopId::target("bad");
        // Enough checks for two failures in a row; without them no change would be vacuous.
        let checked = |o: &Observation| matches!(o, Observation::HealthChecked { target, .. } if *target == bad_hop);
        let mut checks = 0;
        for _ in 0..2_000 {
            checks = lab.events.matching(checked).len();
            if checks >= 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(checks >= 3, "{bad:?}: only {checks} checks of the target");
        let changes = lab
            .events
            .matching(|o| matches!(o, Observation::HealthChanged { .. }));
        if bad == TargetBehaviour::Refuse {
            assert!(
                matches!(changes.as_slice(), [Observation::HealthChanged { target, healthy: false, .. }] if *target == bad_hop),
                "{changes:#?}"
            );
        } else {
            assert!(changes.is_empty(), "{bad:?} accepts TCP: {changes:#?}");
        }
        lab.stop().await;
    }
}
