//! Faults while requests flow through a TLS and a TCP listener in front of three health-checked
//! targets: a target killed and served again on the same address, a target that stalls in the
//! middle of its response, and a health state that flaps. The NLB keeps serving the healthy
//! targets, every failure carries API Gateway's message for it, and nothing is left open.
//!
//! Health checks run on real time (every 5 s, the shortest interval a scenario allows); every
//! state change is awaited as an observation in the event log, never by sleeping.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use hoplab_gateway::{ClientError, Failure, failure_response};
use hoplab_runner::{Lab, LabOptions};
use hoplab_trace::{EventLog, HopId, Observation};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::live::{Answer, BOUND, assert_ports_released, get};

/// Three plain HTTP targets, health-checked over HTTP, behind a TLS listener (the gateway's
/// TLS session ends there) and a TCP listener (passthrough).
const FAULTS: &str = r#"
[authorities.root]
common_name = "Hoplab Faults Root CA"
trusted = true

[certificates.nlb]
issuer = "root"
common_name = "api.example.com"
dns_names = ["api.example.com"]

[targets.a]
protocol = "HTTP"

[targets.b]
protocol = "HTTP"

[targets.c]
protocol = "HTTP"

[target_groups.app]
protocol = "TCP"
targets = ["a", "b", "c"]

[target_groups.app.health_check]
protocol = "HTTP"
interval_seconds = 5
timeout_seconds = 2
healthy_threshold = 2
unhealthy_threshold = 2

[[nlbs.front.listeners]]
port = 443
protocol = "TLS"
certificate = "nlb"
target_group = "app"

[[nlbs.front.listeners]]
port = 80
protocol = "TCP"
target_group = "app"

[[gateway.routes]]
path = "/tls"
uri = "https://api.example.com/"
connection_type = "VPC_LINK"
vpc_link = "front"
timeout_ms = 2000

[[gateway.routes]]
path = "/tcp"
uri = "http://api.example.com/"
connection_type = "VPC_LINK"
vpc_link = "front"
timeout_ms = 2000
"#;

/// The two routes, one per listener.
const ROUTES: [&str; 2] = ["/tls", "/tcp"];

/// The two listeners, as the event log names them.
fn listeners() -> [HopId; 2] {
    [HopId::nlb("front", 443), HopId::nlb("front", 80)]
}

/// Most requests the background load sends.
const MAX_FLOWS: usize = 10_000;

async fn start() -> Lab {
    let scenario = hoplab_scenario::from_toml(FAULTS, "faults.toml").expect("a valid scenario");
    Lab::start(&scenario, LabOptions::default())
        .await
        .expect("the lab starts")
}

fn target_addr(lab: &Lab, name: &str) -> SocketAddr {
    let hop = HopId::target(name);
    lab.hops()
        .iter()
        .find(|(h, _)| *h == hop)
        .map(|(_, addr)| *addr)
        .expect("the target is in the lab")
}

/// What the client and the execution log see for a failed integration call.
fn aws(failure: Failure) -> ClientError {
    failure_response(&failure)
}

fn connection_failure() -> ClientError {
    aws(Failure::Connection {
        detail: String::new(),
    })
}

/// The target that answered, or `Err` with what the failure was, checked against `allowed`:
/// its status, body and execution-log line must be API Gateway's for that failure.
fn judge(lab: &Lab, answer: &Answer, allowed: &ClientError) -> Result<String, ()> {
    if answer.status == 200 {
        let target = answer
            .body
            .strip_prefix("hello from target ")
            .unwrap_or_else(|| panic!("a 200 names its target: {answer:?}"));
        return Ok(target.to_owned());
    }
    assert_eq!(answer.status, allowed.status, "{answer:?}");
    assert_eq!(answer.body, allowed.body, "{answer:?}");
    let record = lab
        .invocations()
        .get(&answer.request_id)
        .expect("the gateway kept the record");
    assert_eq!(
        record.error.as_deref(),
        Some(allowed.log_line.as_str()),
        "{record:#?}"
    );
    Err(())
}

/// Requests sent one after another over both routes until stopped (at most [`MAX_FLOWS`]).
struct Load {
    stop: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<Vec<Answer>>,
}

impl Load {
    fn start(gateway: SocketAddr) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let task = tokio::spawn(async move {
            let mut answers = Vec::new();
            for flow in 0..MAX_FLOWS {
                if stopping.load(Ordering::Relaxed) {
                    break;
                }
                let answer = get(gateway, ROUTES[flow % ROUTES.len()])
                    .await
                    .expect("every request is answered");
                answers.push(answer);
                // Pacing, so the load leaves the shared cores to the hops.
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            answers
        });
        Load { stop, task }
    }

    async fn finish(self) -> Vec<Answer> {
        self.stop.store(true, Ordering::Relaxed);
        tokio::time::timeout(BOUND, self.task)
            .await
            .expect("the load stops")
            .expect("no panic")
    }
}

/// `flows` requests per route at once; the targets that answered each route, or panics on any
/// failure.
async fn batch(lab: &Lab, flows: usize) -> [BTreeSet<String>; 2] {
    let mut by_route = [BTreeSet::new(), BTreeSet::new()];
    for (route, path) in ROUTES.iter().enumerate() {
        let mut requests = JoinSet::new();
        for _ in 0..flows {
            let gateway = lab.gateway_addr();
            requests.spawn(async move { get(gateway, path).await.expect("answered") });
        }
        while let Some(answer) = requests.join_next().await {
            let answer = answer.expect("no panic");
            assert_eq!(answer.status, 200, "{path}: {answer:?}");
            by_route[route].insert(judge(lab, &answer, &connection_failure()).expect("a 200"));
        }
    }
    by_route
}

/// How many times `listener` saw `target` change to `healthy`.
fn health_changes(events: &EventLog, listener: &HopId, target: &str, healthy: bool) -> usize {
    let target = HopId::target(target);
    events
        .matching(|o| {
            matches!(o, Observation::HealthChanged { hop, target: t, healthy: h, .. }
                if hop == listener && *t == target && *h == healthy)
        })
        .len()
}

/// Waits (polling the event log, bounded) until both listeners have seen `target` turn
/// `healthy` `times` times.
async fn await_health(events: &EventLog, target: &str, healthy: bool, times: usize) {
    let done = || {
        listeners()
            .iter()
            .all(|l| health_changes(events, l, target, healthy) >= times)
    };
    let wait = async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(BOUND, wait).await.unwrap_or_else(|_| {
        panic!(
            "both listeners did not see {target} turn healthy={healthy} {times} time(s): {:#?}",
            events.matching(|o| matches!(o, Observation::HealthChanged { .. }))
        )
    });
}

/// Every target an NLB failed to reach.
fn unreachable_targets(events: &EventLog) -> BTreeSet<String> {
    events
        .matching(|o| matches!(o, Observation::ForwardFailed { .. }))
        .into_iter()
        .filter_map(|o| match o {
            Observation::ForwardFailed { target, .. } => Some(target.to_string()),
            _ => None,
        })
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_killed_and_restarted_is_avoided_then_served_again() {
    let mut lab = start().await;
    let events = lab.events().clone();
    let hops = lab.hops().to_vec();
    let load = Load::start(lab.gateway_addr());

    let before = batch(&lab, 20).await;
    assert_eq!(before, [set(&["a", "b", "c"]), set(&["a", "b", "c"])]);

    lab.stop_target("b").await.expect("b stops");
    await_health(&events, "b", false, 1).await;
    for listener in listeners() {
        let reason = events
            .matching(|o| matches!(o, Observation::HealthChanged { hop, healthy: false, .. } if *hop == listener))
            .into_iter()
            .find_map(|o| match o {
                Observation::HealthChanged { reason, .. } => Some(reason),
                _ => None,
            })
            .expect("a reason");
        assert!(
            reason.starts_with("Target.FailedHealthChecks: Health checks failed: connect: "),
            "{listener}: {reason}"
        );
    }
    // Marked unhealthy on both listeners: new flows reach the healthy targets only.
    let while_down = batch(&lab, 20).await;
    assert_eq!(while_down, [set(&["a", "c"]), set(&["a", "c"])]);

    lab.restart_target("b").await.expect("b serves again");
    await_health(&events, "b", true, 1).await;
    let after = batch(&lab, 30).await;
    assert_eq!(after, [set(&["a", "b", "c"]), set(&["a", "b", "c"])]);

    // The background flows: each answered by a target, or failed as API Gateway fails a VPC
    // link whose target is gone (only flows that reached b before it was marked unhealthy).
    let answers = load.finish().await;
    let failed = answers
        .iter()
        .filter(|a| judge(&lab, a, &connection_failure()).is_err())
        .count();
    println!(
        "{} background flows, {failed} failed while b was down",
        answers.len()
    );
    assert_eq!(unreachable_targets(&events), set(&["target:b"]));

    assert!(
        lab.stop().await,
        "every hop stopped within its grace period"
    );
    assert_ports_released(&hops);
}

/// A server that answers every request with a status line, headers and half of the body it
/// announces, then stalls until the client closes.
struct Staller {
    open: Arc<AtomicUsize>,
    stalled: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Staller {
    async fn start(addr: SocketAddr) -> Staller {
        let listener = TcpListener::bind(addr)
            .await
            .expect("the stopped target's address is free");
        let (open, stalled): (Arc<AtomicUsize>, Arc<AtomicUsize>) = Default::default();
        let (o, s) = (Arc::clone(&open), Arc::clone(&stalled));
        let task = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    // Out of descriptors, say: pause rather than spin.
                    tokio::time::sleep(hoplab_hop::ACCEPT_BACKOFF).await;
                    continue;
                };
                let (open, stalled) = (Arc::clone(&o), Arc::clone(&s));
                open.fetch_add(1, Ordering::SeqCst);
                connections.spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let partial = b"HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\nhello from ta";
                    if stream.write_all(partial).await.is_ok() {
                        stalled.fetch_add(1, Ordering::SeqCst);
                        // Hold the connection until the client gives up and closes it.
                        while let Ok(n) = stream.read(&mut buf).await {
                            if n == 0 {
                                break;
                            }
                        }
                    }
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Staller {
            open,
            stalled,
            task,
        }
    }

    /// Waits (bounded) until every connection it accepted has been closed by its client.
    async fn await_all_closed(&self) {
        let wait = async {
            while self.open.load(Ordering::SeqCst) > 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        tokio::time::timeout(BOUND, wait)
            .await
            .expect("every stalled connection is closed by the hop in front");
    }

    /// Stops accepting and closes its port.
    async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_that_stalls_mid_response_times_out_only_its_own_flows() {
    let mut lab = start().await;
    let hops = lab.hops().to_vec();
    let b = target_addr(&lab, "b");
    lab.stop_target("b").await.expect("b stops");
    // b's address now holds a server that sends half a response and stalls.
    let staller = Staller::start(b).await;

    let timeout = aws(Failure::Timeout);
    assert_eq!(timeout.status, 504);
    for path in ROUTES {
        let mut requests = JoinSet::new();
        for _ in 0..30 {
            let gateway = lab.gateway_addr();
            requests.spawn(async move { get(gateway, path).await.expect("answered") });
        }
        let (mut served, mut timed_out) = (BTreeSet::new(), 0);
        while let Some(answer) = requests.join_next().await {
            match judge(&lab, &answer.expect("no panic"), &timeout) {
                Ok(target) => {
                    served.insert(target);
                }
                Err(()) => timed_out += 1,
            }
        }
        assert_eq!(served, set(&["a", "c"]), "{path}");
        // With three equally likely targets, 30 flows all missing b has probability 5·10⁻⁶.
        assert!(timed_out > 0, "{path}: some flows reach the stalled target");
    }
    assert!(staller.stalled.load(Ordering::SeqCst) > 0);
    // The gateway gave up on each stalled request and closed its connection; the NLB closed
    // the one to the target in turn. Health checks (whose status line arrived) close theirs at
    // their timeout; stopping the lab ends them all.
    assert!(
        lab.stop().await,
        "every hop stopped within its grace period"
    );
    staller.await_all_closed().await;
    staller.stop().await;
    assert_ports_released(&hops);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flapping_target_is_taken_out_and_back_each_time_while_the_others_serve() {
    let mut lab = start().await;
    let events = lab.events().clone();
    let hops = lab.hops().to_vec();
    let load = Load::start(lab.gateway_addr());
    const CYCLES: usize = 2;
    for cycle in 1..=CYCLES {
        lab.stop_target("b").await.expect("b stops");
        await_health(&events, "b", false, cycle).await;
        lab.restart_target("b").await.expect("b serves again");
        await_health(&events, "b", true, cycle).await;
    }
    let answers = load.finish().await;

    let mut served = BTreeSet::new();
    for answer in &answers {
        if let Ok(target) = judge(&lab, answer, &connection_failure()) {
            served.insert(target);
        }
    }
    assert!(
        served.contains("a") && served.contains("c"),
        "the healthy targets served throughout: {served:?}"
    );
    for listener in listeners() {
        let changes: Vec<(String, bool)> = events
            .matching(|o| matches!(o, Observation::HealthChanged { hop, .. } if *hop == listener))
            .into_iter()
            .filter_map(|o| match o {
                Observation::HealthChanged {
                    target, healthy, ..
                } => Some((target.to_string(), healthy)),
                _ => None,
            })
            .collect();
        let b = |healthy| ("target:b".to_owned(), healthy);
        assert_eq!(
            changes,
            [b(false), b(true), b(false), b(true)],
            "{listener}: only b changes, alternating"
        );
        assert!(
            events
                .matching(|o| matches!(o, Observation::FailOpen { hop, .. } if *hop == listener))
                .is_empty(),
            "{listener} never fails open: two targets stay healthy"
        );
    }
    assert_eq!(unreachable_targets(&events), set(&["target:b"]));
    assert!(
        lab.stop().await,
        "every hop stopped within its grace period"
    );
    assert_ports_released(&hops);
}
