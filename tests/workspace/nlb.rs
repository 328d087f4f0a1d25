//! The full NLB seen from a report: several targets behind one listener, each request naming
//! the target its flow reached.

use std::collections::BTreeMap;

use hoplab_tests::load_bundled;

/// Requests sent through the three-target group: with three equally likely targets, missing
/// one of them in this many flows has a probability of about 3 · (2/3)^60 ≈ 10⁻¹⁰.
const FLOWS: usize = 60;

/// A flow's status and execution-log failure line.
type Outcome = (Option<u16>, Option<String>);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_bad_target_of_three_fails_only_the_flows_that_reach_it() {
    let scenario = load_bundled("outages/one-bad-target-of-three.toml");
    let builder = scenario.to_builder();
    let template = builder.request_builder(scenario.requests()[0].id());
    let scenario = (0..FLOWS)
        .fold(builder.clear_requests(), |b, i| {
            b.request(template.clone().name(&format!("flow {i}")))
        })
        .build()
        .expect("the flows are a valid scenario");
    let report = hoplab_runner::run(&scenario).await.expect("the lab runs");
    assert!(report.passed(), "{}", hoplab_runner::render_text(&report));

    let mut by_target: BTreeMap<String, Vec<Outcome>> = BTreeMap::new();
    for request in &report.requests {
        let target = request.target.clone().expect("every flow reaches a target");
        // Behind a TCP listener API Gateway validates the target the flow reached.
        assert_eq!(request.validated.as_deref(), Some(target.as_str()));
        by_target
            .entry(target)
            .or_default()
            .push((request.status, request.error.clone()));
    }
    assert_eq!(
        by_target.keys().collect::<Vec<_>>(),
        ["target:blue", "target:green", "target:stale"],
        "the flow hash spreads {FLOWS} flows over all three targets"
    );
    for (target, outcomes) in &by_target {
        for (status, error) in outcomes {
            if target == "target:stale" {
                assert_eq!(*status, Some(500));
                assert_eq!(
                    error.as_deref(),
                    Some(
                        "Execution failed due to configuration error: PKIX path validation \
                         failed: java.security.cert.CertPathValidatorException: validity check \
                         failed"
                    )
                );
            } else {
                assert_eq!((*status, error.as_deref()), (Some(200), None), "{target}");
            }
        }
    }
    let json = serde_json::to_value(&report.requests[0]).expect("a report serializes");
    assert!(
        json["target"]
            .as_str()
            .is_some_and(|t| t.starts_with("target:"))
    );
}

/// A target group whose HTTP health check waits for a hanging target (two rounds of 2 s
/// timeouts) in front of a route with a 200 ms integration timeout.
const SLOW_TO_SETTLE: &str = r#"
[targets.up]
protocol = "HTTP"

[targets.stuck]
protocol = "HTTP"
behaviour = "hang"

[target_groups.app]
protocol = "TCP"
targets = ["up", "stuck"]
[target_groups.app.health_check]
protocol = "HTTP"
timeout_seconds = 2
unhealthy_threshold = 2

[[nlbs.internal.listeners]]
port = 80
protocol = "TCP"
target_group = "app"

[[gateway.routes]]
path = "/app"
uri = "http://api.example.com/"
connection_type = "VPC_LINK"
vpc_link = "internal"
timeout_ms = 200

[[requests]]
path = "/app"
[requests.expect]
status = 200
target = "up"

[[requests]]
path = "/app"
[requests.expect]
status = 200
target = "up"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_wait_for_health_to_settle_not_for_a_timer() {
    let scenario = hoplab_scenario::from_toml(SLOW_TO_SETTLE, "slow-to-settle.toml")
        .expect("a valid scenario");
    let report = hoplab_runner::run(&scenario).await.expect("the lab runs");
    // Had the requests been sent while the listener was still checking, their 200 ms timeout
    // would have run out first; and before the hanging target turned unhealthy, some would
    // have reached it.
    assert!(report.passed(), "{}", hoplab_runner::render_text(&report));
}
