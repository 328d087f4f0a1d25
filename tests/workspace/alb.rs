//! What reports say about a request through an ALB: its own hop step and decision, its TLS
//! session with an HTTPS target, and who wrote the response.

use hoplab_runner::{CertificateRole, RequestReport, RunReport};
use hoplab_tests::{load_bundled, run_and_assert_passed};

fn request<'r>(report: &'r RunReport, path: &str) -> &'r RequestReport {
    report
        .requests
        .iter()
        .find(|r| r.path == path)
        .unwrap_or_else(|| panic!("no request for {path}"))
}

fn hops(request: &RequestReport) -> Vec<&str> {
    request.trace.hops.iter().map(|h| h.hop.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_alb_is_its_own_hop_and_its_target_certificate_is_presented_not_validated() {
    let report = run_and_assert_passed(&load_bundled(
        "alb/alb-https-listener-ignores-target-certificates.toml",
    ))
    .await;
    let expired = request(&report, "/expired");
    assert_eq!(hops(expired), ["gateway", "alb:web:443", "target:expired"]);
    let alb_step = &expired.trace.hops[1].note;
    assert!(alb_step.contains("rule 10 (forward)"), "{alb_step}");
    assert!(
        alb_step.contains("GET /test/expired"),
        "the stage prefix: {alb_step}"
    );

    let decision = expired.trace.alb.as_ref().expect("an ALB decision");
    assert_eq!(decision.listener, "alb:web:443");
    assert_eq!(decision.rule.as_deref(), Some("10"));
    assert_eq!(decision.action.as_deref(), Some("forward"));
    assert_eq!(decision.target_group.as_deref(), Some("expired"));
    assert_eq!(decision.target.as_deref(), Some("target:expired"));
    assert!(
        decision
            .trace_id
            .as_deref()
            .is_some_and(|id| id.starts_with("Root=1-")),
        "{decision:?}"
    );
    assert_eq!(decision.answered_by, "target");
    assert_eq!(expired.answered_by.as_deref(), Some("target:expired"));

    let sessions = &expired.trace.tls_sessions;
    assert_eq!(sessions.len(), 2, "{sessions:#?}");
    assert_eq!(
        (sessions[0].client.as_str(), sessions[0].server.as_str()),
        ("gateway", "alb:web:443")
    );
    assert_eq!(
        (sessions[1].client.as_str(), sessions[1].server.as_str()),
        ("alb:web:443", "target:expired")
    );
    assert_eq!(sessions[1].sni, None, "the ALB sends no SNI to targets");
    assert_eq!(sessions[1].outcome, "established");

    let certificate = |role| {
        expired
            .trace
            .certificates
            .iter()
            .find(|c| c.role == role)
            .unwrap_or_else(|| panic!("a {role:?} certificate"))
    };
    let validated = certificate(CertificateRole::Validated);
    assert_eq!(validated.presented_by, "alb:web:443");
    assert_eq!(validated.verdict, "accepted");
    let unchecked = certificate(CertificateRole::NotValidated);
    assert_eq!(
        (
            unchecked.presented_by.as_str(),
            unchecked.presented_to.as_str()
        ),
        ("target:expired", "alb:web:443")
    );
    assert!(unchecked.verdict.contains("an ALB does not validate"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alb_502_is_told_apart_from_a_certificate_rejection() {
    let backend = run_and_assert_passed(&load_bundled("alb/alb-backend-tls13-target.toml")).await;
    let bad_gateway = request(&backend, "/legacy-policy");
    assert_eq!(
        bad_gateway.error, None,
        "an integration response, not a failure"
    );
    assert_eq!(bad_gateway.answered_by.as_deref(), Some("alb:web:443"));
    let decision = bad_gateway.trace.alb.as_ref().expect("an ALB decision");
    assert_eq!(decision.answered_by, "load_balancer");
    assert!(
        decision
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("tls handshake with target")),
        "{decision:?}"
    );
    let target_session = bad_gateway
        .trace
        .tls_sessions
        .iter()
        .find(|s| s.server == "target:tls13-only")
        .expect("the ALB's session with the target");
    assert!(
        target_session.outcome.starts_with("failed"),
        "{target_session:?}"
    );
    assert!(
        bad_gateway
            .log
            .iter()
            .any(|line| line.contains("Received response. Status: 502")),
        "{:#?}",
        bad_gateway.log
    );

    let expired =
        run_and_assert_passed(&load_bundled("alb/alb-expired-listener-certificate.toml")).await;
    let rejected = request(&expired, "/pets");
    assert_eq!(rejected.answered_by.as_deref(), Some("gateway"));
    assert!(rejected.trace.alb.is_none(), "no request reached the ALB");
    assert!(rejected.error.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_an_nlb_the_session_crosses_it_to_the_alb_listener() {
    let report = run_and_assert_passed(&load_bundled("alb/nlb-tcp-to-alb-https.toml")).await;
    let pets = request(&report, "/pets");
    assert_eq!(
        hops(pets),
        ["gateway", "nlb:edge:443", "alb:web:443", "target:app"]
    );
    let session = &pets.trace.tls_sessions[0];
    assert_eq!(
        (session.client.as_str(), session.server.as_str()),
        ("gateway", "alb:web:443")
    );
    assert_eq!(session.through, ["nlb:edge:443"]);
    assert_eq!(pets.target.as_deref(), Some("target:app"));
    assert_eq!(
        pets.trace.alb.as_ref().and_then(|a| a.rule.as_deref()),
        Some("default")
    );
}
