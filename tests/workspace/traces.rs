//! What reports say beyond the expectations: hop traces, TLS sessions, execution logs and
//! the reporting of expectations that do not hold.

use hoplab_runner::{CertificateRole, RequestReport};
use hoplab_tests::{load_bundled, run_and_assert_passed};

fn request<'r>(report: &'r hoplab_runner::RunReport, path: &str) -> &'r RequestReport {
    report
        .requests
        .iter()
        .find(|r| r.path == path)
        .unwrap_or_else(|| panic!("no request for {path}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_listener_ends_the_gateway_session_and_the_target_certificate_is_not_validated() {
    let report = run_and_assert_passed(&load_bundled(
        "nlb/tls-listener-ignores-target-certificates.toml",
    ))
    .await;
    let expired = request(&report, "/expired");
    let sessions = &expired.trace.tls_sessions;
    assert_eq!(sessions.len(), 2, "{sessions:#?}");
    assert_eq!(
        (sessions[0].client.as_str(), sessions[0].server.as_str()),
        ("gateway", "nlb:internal:443")
    );
    assert!(sessions[0].through.is_empty());
    assert_eq!(sessions[0].sni.as_deref(), Some("api.example.com"));
    assert_eq!(
        (sessions[1].client.as_str(), sessions[1].server.as_str()),
        ("nlb:internal:443", "target:expired")
    );
    assert_eq!(sessions[1].sni, None, "the NLB sends no SNI to targets");

    let certificates = &expired.trace.certificates;
    let validated: Vec<_> = certificates
        .iter()
        .filter(|c| c.role == CertificateRole::Validated)
        .collect();
    assert_eq!(validated.len(), 1);
    assert_eq!(validated[0].presented_by, "nlb:internal:443");
    assert_eq!(validated[0].verdict, "accepted");
    assert_eq!(validated[0].chain[0].subject, "CN=api.example.com");

    let unvalidated: Vec<_> = certificates
        .iter()
        .filter(|c| c.role == CertificateRole::NotValidated)
        .collect();
    assert_eq!(unvalidated.len(), 1);
    assert_eq!(unvalidated[0].presented_by, "target:expired");
    assert_eq!(unvalidated[0].presented_to, "nlb:internal:443");
    assert_eq!(unvalidated[0].chain[0].subject, "CN=app.internal.example");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_listener_session_runs_end_to_end_through_the_nlb() {
    let report =
        run_and_assert_passed(&load_bundled("nlb/tcp-listener-validates-target.toml")).await;
    let expired = request(&report, "/expired");
    let sessions = &expired.trace.tls_sessions;
    assert_eq!(sessions.len(), 1, "{sessions:#?}");
    assert_eq!(sessions[0].client, "gateway");
    assert_eq!(sessions[0].server, "target:expired");
    assert_eq!(sessions[0].through, vec!["nlb:internal:8443".to_owned()]);
    let hops: Vec<&str> = expired.trace.hops.iter().map(|h| h.hop.as_str()).collect();
    assert_eq!(hops, ["gateway", "nlb:internal:8443", "target:expired"]);
    let validated = &expired.trace.certificates[0];
    assert_eq!(validated.presented_by, "target:expired");
    assert!(validated.verdict.contains("validity check failed"));
    assert!(
        validated
            .explanation
            .iter()
            .any(|line| line.contains("CN=api.example.com")),
        "the explanation names the certificate outside its window: {:#?}",
        validated.explanation
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn execution_log_reads_like_the_console() {
    let report =
        run_and_assert_passed(&load_bundled("seed-article/seed-article-http-proxy.toml")).await;
    let self_signed = request(&report, "/selfsigned");
    let messages: Vec<&str> = self_signed
        .log
        .iter()
        .map(|line| line.split_once(" : ").map(|(_, m)| m).unwrap_or(line))
        .collect();
    assert!(messages[0].starts_with("Starting execution for request: "));
    assert!(messages.contains(&"Sending request to https://self-signed.badssl.com/"));
    let failure = messages
        .iter()
        .position(|m| m.starts_with("Execution failed due to configuration error: "))
        .expect("a failure line");
    assert_eq!(messages[failure + 1], "Method completed with status: 500");
    assert_eq!(messages.len(), failure + 2, "the failure ends the log");
    assert_eq!(self_signed.body, r#"{"message": "Internal server error"}"#);
    let date = self_signed.log[0].split(" : ").next().unwrap_or_default();
    assert!(
        date.ends_with(&format!("UTC {}", &date[date.len() - 4..])) && date.len() == 28,
        "date shaped like 'Thu Dec 15 16:05:05 UTC 2022': {date:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmet_expectations_are_reported_field_by_field() {
    let scenario = load_bundled("integration/public-backend-valid.toml");
    let first = scenario.requests()[0].id();
    let scenario = scenario
        .to_builder()
        .edit_request(first, |r| {
            // An expectation names only hops that exist: no certificate validated, where
            // the target's is.
            r.edit_expect(|e| e.status(503).validated_none().error_contains("PKIX"))
        })
        .build()
        .expect("still a valid scenario");
    let report = hoplab_runner::run(&scenario).await.expect("the lab starts");
    assert!(!report.passed());
    let fields: Vec<&str> = report.requests[0]
        .mismatches
        .iter()
        .map(|m| m.field.as_str())
        .collect();
    assert_eq!(fields, ["status", "validated", "error"]);
    let status = &report.requests[0].mismatches[0];
    assert_eq!(
        (status.expected.as_str(), status.actual.as_str()),
        ("503", "200")
    );
    let text = hoplab_runner::render_text(&report);
    assert!(text.contains("FAIL"), "{text}");
    assert!(text.contains("expected: 503"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_report_uses_the_documented_field_names() {
    let report = run_and_assert_passed(&load_bundled("nlb/nlb-incomplete-chain.toml")).await;
    let json = serde_json::to_value(&report).expect("reports serialize");
    let request = &json["requests"][0];
    for field in [
        "name",
        "method",
        "path",
        "request_id",
        "status",
        "body",
        "error",
        "validated",
        "log",
        "trace",
        "mismatches",
    ] {
        assert!(
            request.get(field).is_some(),
            "missing {field} in {request:#}"
        );
    }
    assert_eq!(request["validated"], "nlb:internal:443");
    assert_eq!(request["trace"]["certificates"][0]["role"], "validated");
    assert!(
        request["trace"]["certificates"][0]["chain"][0]["sha256"]
            .as_str()
            .is_some_and(|fp| fp.len() == 95)
    );
}
