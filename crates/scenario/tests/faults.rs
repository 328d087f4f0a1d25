//! Target faults, TLS versions, health checks, ALPN policies and per-target expectations: what
//! they become, and one test per rule on how they fail.

mod common;

use common::{BASE, assert_error, valid, with};
use hoplab_scenario::{
    AlpnPolicy, HealthCheckProtocol, ListenerProtocol, TargetBehaviour, TlsVersions,
};

const TARGET: &str = "[targets.app]\nprotocol = \"HTTPS\"\ncertificate = \"app-cert\"\n";
const GROUP: &str = "[target_groups.app]\nprotocol = \"TLS\"\ntargets = [\"app\"]\n";
const LISTENER: &str = "certificate = \"nlb-cert\"\ntarget_group = \"app\"\n";

fn target(extra: &str) -> String {
    with(BASE, TARGET, &format!("{TARGET}{extra}\n"))
}

fn health(lines: &str) -> String {
    with(
        BASE,
        GROUP,
        &format!("{GROUP}[target_groups.app.health_check]\n{lines}\n"),
    )
}

#[test]
fn behaviours_tls_versions_health_checks_and_alpn_are_read() {
    let s = valid(&target(
        "behaviour = \"slow\"\ndelay_ms = 1500\ntls_versions = \"TLSv1.3\"",
    ));
    assert_eq!(
        s.targets()[0].behaviour(),
        TargetBehaviour::Slow { delay_ms: 1500 }
    );
    assert_eq!(s.targets()[0].tls_versions(), TlsVersions::Tls13Only);
    let s = valid(&target("behaviour = \"status\"\nstatus = 503"));
    assert_eq!(s.targets()[0].behaviour(), TargetBehaviour::Status(503));
    for (name, behaviour) in [
        ("refuse", TargetBehaviour::Refuse),
        ("accept-then-close", TargetBehaviour::AcceptThenClose),
        ("reset", TargetBehaviour::Reset),
        ("hang", TargetBehaviour::Hang),
        ("normal", TargetBehaviour::Normal),
    ] {
        let s = valid(&target(&format!("behaviour = \"{name}\"")));
        assert_eq!(s.targets()[0].behaviour(), behaviour);
    }
    let s = valid(BASE);
    assert_eq!(s.targets()[0].behaviour(), TargetBehaviour::Normal);
    assert_eq!(s.targets()[0].tls_versions(), TlsVersions::Tls12AndTls13);
    assert_eq!(s.target_groups()[0].health_check(), None);

    let s = valid(&health(
        "protocol = \"HTTP\"\npath = \"/health\"\nmatcher = \"200-299,404\"",
    ));
    let check = s.target_groups()[0].health_check().expect("a health check");
    assert_eq!(check.protocol(), HealthCheckProtocol::Http);
    assert_eq!(check.path(), "/health");
    assert_eq!((check.interval_seconds(), check.timeout_seconds()), (30, 6));
    assert_eq!(
        (check.healthy_threshold(), check.unhealthy_threshold()),
        (5, 2)
    );
    assert_eq!(check.matcher_text(), "200-299,404");
    assert!(check.matches(404) && !check.matches(300));
    let s = valid(&health("interval_seconds = 5\nunhealthy_threshold = 3"));
    let check = s.target_groups()[0].health_check().expect("a health check");
    assert_eq!(check.protocol(), HealthCheckProtocol::Tcp);
    assert_eq!((check.interval_seconds(), check.timeout_seconds()), (5, 10));
    assert_eq!(check.unhealthy_threshold(), 3);
    assert_eq!(check.matcher_text(), "200-399");

    let s = valid(&with(
        BASE,
        LISTENER,
        &format!("{LISTENER}alpn_policy = \"HTTP2Preferred\"\n"),
    ));
    let ListenerProtocol::Tls(tls) = s.listener(s.nlbs()[0].listeners()[0]).protocol() else {
        panic!("a TLS listener");
    };
    assert_eq!(tls.alpn_policy(), AlpnPolicy::Http2Preferred);
}

#[test]
fn unknown_behaviour() {
    assert_error(
        &target("behaviour = \"explode\""),
        "targets.app.behaviour",
        "behaviour = \"explode\"",
        "\"accept-then-close\"",
    );
}

#[test]
fn slow_needs_delay_and_status_needs_status() {
    assert_error(
        &target("behaviour = \"slow\""),
        "targets.app.delay_ms",
        "behaviour = \"slow\"",
        "needs `delay_ms`",
    );
    assert_error(
        &target("behaviour = \"status\""),
        "targets.app.status",
        "behaviour = \"status\"",
        "needs `status`",
    );
    assert_error(
        &target("behaviour = \"slow\"\ndelay_ms = 0"),
        "targets.app.delay_ms",
        "delay_ms = 0",
        "1..=600000",
    );
    assert_error(
        &target("behaviour = \"status\"\nstatus = 700"),
        "targets.app.status",
        "status = 700",
        "200..=599",
    );
}

#[test]
fn fault_settings_belong_to_their_behaviour() {
    assert_error(
        &target("delay_ms = 100"),
        "targets.app.delay_ms",
        "delay_ms = 100",
        "behaviour = \"slow\"",
    );
    assert_error(
        &target("behaviour = \"hang\"\nstatus = 503"),
        "targets.app.status",
        "status = 503",
        "behaviour = \"status\"",
    );
}

#[test]
fn tls_versions_only_for_https_targets() {
    assert_error(
        &target("tls_versions = \"TLSv1.1\""),
        "targets.app.tls_versions",
        "tls_versions = \"TLSv1.1\"",
        "\"TLSv1.3\"",
    );
    let text = "[targets.web]\nprotocol = \"HTTP\"\ntls_versions = \"TLSv1.3\"\n";
    assert_error(
        &format!("{BASE}\n{text}"),
        "targets.web.tls_versions",
        "tls_versions = \"TLSv1.3\"",
        "speaks no TLS",
    );
}

#[test]
fn health_check_ranges_are_aws_ranges() {
    for (line, field, fragment) in [
        ("interval_seconds = 1", "interval_seconds", "5..=300"),
        ("timeout_seconds = 121", "timeout_seconds", "2..=120"),
        ("healthy_threshold = 11", "healthy_threshold", "2..=10"),
        ("unhealthy_threshold = 1", "unhealthy_threshold", "2..=10"),
    ] {
        assert_error(
            &health(line),
            &format!("target_groups.app.health_check.{field}"),
            line,
            fragment,
        );
    }
}

#[test]
fn health_check_protocol_path_and_matcher() {
    assert_error(
        &health("protocol = \"UDP\""),
        "target_groups.app.health_check.protocol",
        "protocol = \"UDP\"",
        "\"HTTPS\"",
    );
    assert_error(
        &health("path = \"/health\""),
        "target_groups.app.health_check.path",
        "path = \"/health\"",
        "TCP health check sends no request",
    );
    assert_error(
        &health("protocol = \"HTTP\"\npath = \"health\""),
        "target_groups.app.health_check.path",
        "path = \"health\"",
        "starting with '/'",
    );
    assert_error(
        &health("protocol = \"HTTP\"\nmatcher = \"200-600\""),
        "target_groups.app.health_check.matcher",
        "matcher = \"200-600\"",
        "\"600\" is not a status code",
    );
    assert_error(
        &health("protocol = \"HTTP\"\nretries = 3"),
        "target_groups.app.health_check.retries",
        "retries = 3",
        "unknown key",
    );
}

#[test]
fn alpn_policy_names_and_target_group() {
    assert_error(
        &with(
            BASE,
            LISTENER,
            &format!("{LISTENER}alpn_policy = \"HTTP3\"\n"),
        ),
        "nlbs.internal.listeners[0].alpn_policy",
        "alpn_policy = \"HTTP3\"",
        "\"HTTP2Preferred\"",
    );
    let tcp_group = with(
        BASE,
        GROUP,
        &format!(
            "{GROUP}\n[target_groups.plain]\nprotocol = \"TCP\"\ntargets = [\"web\"]\n\n[targets.web]\nprotocol = \"HTTP\"\n"
        ),
    );
    let text = with(
        &tcp_group,
        LISTENER,
        "certificate = \"nlb-cert\"\ntarget_group = \"plain\"\nalpn_policy = \"HTTP2Only\"\n",
    );
    assert_error(
        &text,
        "nlbs.internal.listeners[0].alpn_policy",
        "alpn_policy = \"HTTP2Only\"",
        "needs a TLS target group",
    );
}

#[test]
fn expected_targets_must_exist() {
    let text = format!("{BASE}[requests.expect]\ntarget = \"ghost\"\n");
    assert_error(
        &text,
        "requests[0].expect.target",
        "target = \"ghost\"",
        "expected one of: \"app\"",
    );
    let text = format!("{BASE}[requests.expect.per_target.ghost]\nstatus = 200\n");
    assert_error(
        &text,
        "requests[0].expect.per_target.ghost",
        "[requests.expect.per_target.ghost]",
        "no target named \"ghost\"",
    );
    let text = format!("{BASE}[requests.expect.per_target.app]\ntarget = \"app\"\n");
    assert_error(
        &text,
        "requests[0].expect.per_target.app.target",
        "target = \"app\"",
        "cannot set `target`",
    );
    let s = valid(&format!(
        "{BASE}[requests.expect]\ntarget = \"app\"\n[requests.expect.per_target.app]\nstatus = 504\n"
    ));
    let app = s.find_target("app");
    assert_eq!(s.requests()[0].expect().target(), app);
    assert_eq!(Some(s.requests()[0].expect().per_target()[0].0), app);
    assert_eq!(
        s.requests()[0].expect().per_target()[0].1.status(),
        Some(504)
    );
}
