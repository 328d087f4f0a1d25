//! The model's rules for target faults, timeouts, health checks and backend TLS versions: each
//! case is predicted, checked field by field, and run live, which must agree.

mod support;

use hoplab_model::RoutePrediction;
use support::INTERNAL;

const BASE: &str = r#"
[scenario]
name = "case"
now = "2026-01-01T00:00:00Z"

[authorities.root]
common_name = "Root CA"
trusted = true

[certificates.good]
issuer = "root"
common_name = "api.example.com"
dns_names = ["api.example.com"]

[certificates.backend]
self_signed = true
common_name = "backend.internal"
"#;

const TIMEOUT: &str = "Execution failed due to a timeout error";

/// Predicts every route, runs `requests` requests per route live, and checks they agree.
async fn predict(extra: &str, requests: usize) -> Vec<RoutePrediction> {
    support::predict_all(BASE, extra, requests).await
}

fn outcome(r: &RoutePrediction) -> (u16, Option<&str>, Option<&str>) {
    (r.status, r.validated.as_deref(), r.error.as_deref())
}

fn says(r: &RoutePrediction, part: &str) -> bool {
    r.narrative.iter().any(|s| s.contains(part))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_connection_validates_nothing_unless_a_tls_listener_ended_tls_first() {
    let routes = predict(
        r#"
[targets.gone]
protocol = "HTTPS"
certificate = "good"
behaviour = "refuse"
[targets.closing]
protocol = "HTTPS"
certificate = "backend"
behaviour = "accept-then-close"
[target_groups.passthrough]
protocol = "TCP"
targets = ["gone"]
[target_groups.terminated]
protocol = "TLS"
targets = ["closing"]
[[nlbs.internal.listeners]]
port = 443
protocol = "TCP"
target_group = "passthrough"
[[nlbs.internal.listeners]]
port = 8443
protocol = "TLS"
certificate = "good"
target_group = "terminated"
[[gateway.routes]]
path = "/passthrough"
uri = "https://api.example.com/"
connection_type = "VPC_LINK"
vpc_link = "internal"
[[gateway.routes]]
path = "/terminated"
uri = "https://api.example.com:8443/"
connection_type = "VPC_LINK"
vpc_link = "internal"
"#,
        1,
    )
    .await;
    assert_eq!(outcome(&routes[0]), (500, None, Some(INTERNAL)));
    assert!(
        says(&routes[0], "refuses connections"),
        "{:#?}",
        routes[0].narrative
    );
    assert_eq!(
        outcome(&routes[1]),
        (500, Some("nlb:internal:8443"), Some(INTERNAL))
    );
    assert!(says(&routes[1], "closes it at once"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plain_target_in_a_tls_or_https_group_fails_the_handshake_whatever_its_behaviour() {
    // The target reads the ClientHello as a malformed request and answers 400 before any
    // request reaches its behaviour, so even a hanging target fails at once.
    let routes = predict(
        r#"
[targets.plain]
protocol = "HTTP"
behaviour = "hang"
[target_groups.nlb-tls]
protocol = "TLS"
targets = ["plain"]
[target_groups.alb-https]
protocol = "HTTPS"
targets = ["plain"]
[[nlbs.internal.listeners]]
port = 443
protocol = "TLS"
certificate = "good"
target_group = "nlb-tls"
[albs.web]
[[albs.web.listeners]]
port = 8443
protocol = "HTTPS"
certificate = "good"
default_action = { type = "forward", target_group = "alb-https" }
[[gateway.routes]]
path = "/nlb"
uri = "https://api.example.com/"
connection_type = "VPC_LINK"
vpc_link = "internal"
[[gateway.routes]]
path = "/alb"
uri = "https://api.example.com:8443/"
connection_type = "VPC_LINK"
vpc_link_version = "V2"
integration_target = "web"
"#,
        1,
    )
    .await;
    assert_eq!(
        outcome(&routes[0]),
        (500, Some("nlb:internal:443"), Some(INTERNAL))
    );
    assert!(
        says(
            &routes[0],
            "answers 400 in plain HTTP, so the NLB's handshake"
        ),
        "{:#?}",
        routes[0].narrative
    );
    assert_eq!(
        routes[0].tls_sessions.last().map(|s| s.outcome.as_str()),
        Some("fails: target \"plain\" speaks plain HTTP")
    );
    assert_eq!(outcome(&routes[1]), (502, Some("alb:web:8443"), None));
    assert!(
        says(
            &routes[1],
            "answers 400 in plain HTTP, so the ALB's handshake fails"
        ),
        "{:#?}",
        routes[1].narrative
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn hanging_and_slow_targets_meet_the_integration_timeout() {
    let routes = predict(
        r#"
[targets.stuck]
protocol = "HTTPS"
certificate = "backend"
behaviour = "hang"
[targets.slow]
protocol = "HTTP"
behaviour = "slow"
delay_ms = 400
[target_groups.stuck]
protocol = "TLS"
targets = ["stuck"]
[target_groups.slow]
protocol = "TCP"
targets = ["slow"]
[[nlbs.internal.listeners]]
port = 443
protocol = "TLS"
certificate = "good"
target_group = "stuck"
[[nlbs.internal.listeners]]
port = 8080
protocol = "TCP"
target_group = "slow"
[[gateway.routes]]
path = "/stuck"
uri = "https://api.example.com/"
connection_type = "VPC_LINK"
vpc_link = "internal"
timeout_ms = 150
[[gateway.routes]]
path = "/too-slow"
uri = "http://api.example.com:8080/"
connection_type = "VPC_LINK"
vpc_link = "internal"
timeout_ms = 100
[[gateway.routes]]
path = "/slow-enough"
uri = "http://api.example.com:8080/"
connection_type = "VPC_LINK"
vpc_link = "internal"
timeout_ms = 5000
"#,
        1,
    )
    .await;
    assert_eq!(
        outcome(&routes[0]),
        (504, Some("nlb:internal:443"), Some(TIMEOUT))
    );
    assert!(says(&routes[0], "Endpoint request timed out"));
    assert_eq!(outcome(&routes[1]), (504, None, Some(TIMEOUT)));
    assert_eq!(outcome(&routes[2]), (200, None, None));
}

#[tokio::test(flavor = "multi_thread")]
async fn health_checks_choose_the_targets_and_fail_open() {
    let routes = predict(
        r#"
[targets.up]
protocol = "HTTP"
[targets.down]
protocol = "HTTP"
behaviour = "reset"
[targets.sick-a]
protocol = "HTTP"
behaviour = "status"
status = 500
[targets.sick-b]
protocol = "HTTP"
behaviour = "status"
status = 500
[target_groups.mixed]
protocol = "TCP"
targets = ["down", "up"]
[target_groups.mixed.health_check]
protocol = "HTTP"
[target_groups.sick]
protocol = "TCP"
targets = ["sick-a", "sick-b"]
[target_groups.sick.health_check]
protocol = "HTTP"
[[nlbs.internal.listeners]]
port = 80
protocol = "TCP"
target_group = "mixed"
[[nlbs.internal.listeners]]
port = 8080
protocol = "TCP"
target_group = "sick"
[[gateway.routes]]
path = "/mixed"
uri = "http://api.example.com/"
connection_type = "VPC_LINK"
vpc_link = "internal"
[[gateway.routes]]
path = "/sick"
uri = "http://api.example.com:8080/"
connection_type = "VPC_LINK"
vpc_link = "internal"
"#,
        4,
    )
    .await;
    assert_eq!(routes[0].targets, ["up"]);
    assert_eq!(outcome(&routes[0]), (200, None, None));
    assert!(says(&routes[0], "fail their HTTP health check"));
    assert_eq!(routes[1].targets, ["sick-a", "sick-b"]);
    assert_eq!(outcome(&routes[1]), (500, None, None));
    assert!(says(&routes[1], "fails open"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_listener_policy_sets_the_backend_tls_versions() {
    let routes = predict(
        r#"
[targets.modern]
protocol = "HTTPS"
certificate = "backend"
tls_versions = "TLSv1.3"
[target_groups.modern]
protocol = "TLS"
targets = ["modern"]
[[nlbs.internal.listeners]]
port = 443
protocol = "TLS"
certificate = "good"
security_policy = "ELBSecurityPolicy-FS-1-2-Res-2020-10"
target_group = "modern"
[[nlbs.internal.listeners]]
port = 8443
protocol = "TLS"
certificate = "good"
security_policy = "ELBSecurityPolicy-TLS13-1-3-2021-06"
target_group = "modern"
[[gateway.routes]]
path = "/tls12"
uri = "https://api.example.com/"
connection_type = "VPC_LINK"
vpc_link = "internal"
[[gateway.routes]]
path = "/tls13"
uri = "https://api.example.com:8443/"
connection_type = "VPC_LINK"
vpc_link = "internal"
"#,
        1,
    )
    .await;
    assert_eq!(
        outcome(&routes[0]),
        (500, Some("nlb:internal:443"), Some(INTERNAL))
    );
    assert!(says(&routes[0], "ELBSecurityPolicy-2016-08"));
    assert_eq!(outcome(&routes[1]), (200, Some("nlb:internal:8443"), None));
}
