//! One small scenario per rule: the model's prediction, checked field by field, and the same
//! scenario run live, which must agree with it.

mod support;

use hoplab_model::{RoutePrediction, disagreements, explain};
use hoplab_scenario::Scenario;
use support::INTERNAL;

/// A pinned clock and a public PKI every case can use: `root` (trusted) > `int` > `good`.
const BASE: &str = r#"
[scenario]
name = "case"
now = "2026-01-01T00:00:00Z"

[authorities.root]
common_name = "Root CA"
trusted = true

[authorities.int]
issuer = "root"
common_name = "Issuing CA"

[certificates.good]
issuer = "int"
common_name = "api.example.com"
dns_names = ["api.example.com"]
"#;

const SSL_ENGINE: &str = "Execution failed due to configuration error: General SSLEngine problem";
const BUILDING: &str = "Execution failed due to configuration error: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target";
const UNPARSEABLE: &str =
    "Execution failed due to configuration error: Failed to parse server certificates";
const VALIDITY: &str = "Execution failed due to configuration error: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed";

fn scenario(extra: &str) -> Scenario {
    support::scenario(BASE, extra)
}

/// The prediction for the scenario's only route, after checking the live run agrees.
async fn predict(extra: &str) -> RoutePrediction {
    let mut all = predict_all(extra).await;
    assert_eq!(all.len(), 1, "one route expected");
    all.remove(0)
}

/// One request per route, so every route is also run live.
async fn predict_all(extra: &str) -> Vec<RoutePrediction> {
    support::predict_all(BASE, extra, 1).await
}

fn assert_outcome(r: &RoutePrediction, status: u16, validated: Option<&str>, error: Option<&str>) {
    assert_eq!(
        (r.status, r.validated.as_deref(), r.error.as_deref()),
        (status, validated, error),
        "narrative: {:#?}",
        r.narrative
    );
}

const TLS_TARGET: &str = r#"
[targets.app]
protocol = "HTTPS"
certificate = "good"
dns_names = ["api.example.com"]
"#;

#[tokio::test(flavor = "multi_thread")]
async fn internet_https_validates_the_target() {
    let r = predict(&format!(
        "{TLS_TARGET}\n[[gateway.routes]]\npath = \"/\"\nuri = \"https://api.example.com/\"\n"
    ))
    .await;
    assert_outcome(&r, 200, Some("target:app"), None);
    assert_eq!(r.certificate.as_deref(), Some("good"));
    assert_eq!(r.host_checked.as_deref(), Some("api.example.com"));
    assert_eq!(r.hops, ["gateway", "target:app"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn internet_http_uri_to_an_https_target_is_an_internal_error() {
    let r = predict(&format!(
        "{TLS_TARGET}\n[[gateway.routes]]\npath = \"/\"\nuri = \"http://api.example.com/\"\n"
    ))
    .await;
    assert_outcome(&r, 500, None, Some(INTERNAL));
}

/// An NLB with one listener on 443 in front of target group `app` holding `targets`.
fn nlb(listener: &str, group_protocol: &str, targets: &str, uri: &str) -> String {
    format!(
        r#"
{targets}

[target_groups.app]
protocol = "{group_protocol}"
targets = ["app"]

[[nlbs.internal.listeners]]
port = 443
{listener}
target_group = "app"

[[gateway.routes]]
path = "/"
uri = "{uri}"
connection_type = "VPC_LINK"
vpc_link = "internal"
"#
    )
}

const TLS_LISTENER: &str = "protocol = \"TLS\"\ncertificate = \"good\"";
const TCP_LISTENER: &str = "protocol = \"TCP\"";
const HTTP_TARGET: &str = "[targets.app]\nprotocol = \"HTTP\"";

fn https_target(certificate: &str) -> String {
    format!("[targets.app]\nprotocol = \"HTTPS\"\ncertificate = \"{certificate}\"")
}

const EXPIRED: &str = r#"
[certificates.expired]
issuer = "int"
common_name = "app.example.net"
dns_names = ["app.example.net"]
not_before = "-400d"
not_after = "-35d"
"#;

#[tokio::test(flavor = "multi_thread")]
async fn tls_listener_to_tls_group_ignores_the_target_certificate() {
    let r = predict(&format!(
        "{EXPIRED}{}",
        nlb(
            TLS_LISTENER,
            "TLS",
            &https_target("expired"),
            "https://api.example.com/"
        )
    ))
    .await;
    assert_outcome(&r, 200, Some("nlb:internal:443"), None);
    assert_eq!(r.hops, ["gateway", "nlb:internal:443", "target:app"]);
    assert_eq!(r.not_validated.len(), 1);
    assert_eq!(r.not_validated[0].hop, "target:app");
    assert_eq!(r.not_validated[0].certificate, "expired");
    assert_eq!(
        r.not_validated[0].why,
        "an NLB does not validate the certificates of a TLS target group's targets"
    );
    assert_eq!(r.tls_sessions.len(), 2);
    assert_eq!(r.tls_sessions[1].sni, None);
    assert!(
        r.narrative
            .iter()
            .any(|s| s.contains("does not matter") && s.contains("expired 35 days ago")),
        "{:#?}",
        r.narrative
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tcp_listener_passes_tls_through_to_the_target() {
    let r = predict(&format!(
        "{EXPIRED}{}",
        nlb(
            TCP_LISTENER,
            "TCP",
            &https_target("expired"),
            "https://app.example.net/"
        )
    ))
    .await;
    assert_outcome(&r, 500, Some("target:app"), Some(VALIDITY));
    assert_eq!(r.tls_sessions[0].server, "target:app");
    assert_eq!(r.tls_sessions[0].through, ["nlb:internal:443"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_listener_to_tcp_group_sends_plaintext_to_an_https_target() {
    let r = predict(&nlb(
        TLS_LISTENER,
        "TCP",
        &https_target("good"),
        "https://api.example.com/",
    ))
    .await;
    assert_outcome(&r, 500, Some("nlb:internal:443"), Some(INTERNAL));
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_listener_to_tcp_group_reaches_a_plain_target() {
    let r = predict(&nlb(
        TLS_LISTENER,
        "TCP",
        HTTP_TARGET,
        "https://api.example.com/",
    ))
    .await;
    assert_outcome(&r, 200, Some("nlb:internal:443"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn https_uri_through_a_tcp_listener_to_a_plain_target_is_an_ssl_engine_problem() {
    let r = predict(&nlb(
        TCP_LISTENER,
        "TCP",
        HTTP_TARGET,
        "https://api.example.com/",
    ))
    .await;
    assert_outcome(&r, 500, None, Some(SSL_ENGINE));
}

#[tokio::test(flavor = "multi_thread")]
async fn http_uri_to_a_tls_listener_is_an_internal_error() {
    let r = predict(&nlb(
        TLS_LISTENER,
        "TCP",
        HTTP_TARGET,
        "http://api.example.com:443/",
    ))
    .await;
    assert_outcome(&r, 500, None, Some(INTERNAL));
}

#[tokio::test(flavor = "multi_thread")]
async fn http_uri_end_to_end_plain_succeeds_without_validation() {
    let r = predict(&nlb(
        TCP_LISTENER,
        "TCP",
        HTTP_TARGET,
        "http://api.example.com:443/",
    ))
    .await;
    assert_outcome(&r, 200, None, None);
    assert!(r.tls_sessions.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn sni_picks_from_the_certificate_list_else_the_default() {
    let certs = r#"
[certificates.wild]
issuer = "int"
common_name = "wild"
dns_names = ["*.admin.example.com"]

[certificates.fallback]
issuer = "int"
common_name = "fallback.example.com"
dns_names = ["fallback.example.com"]
ip_addresses = ["10.0.0.1"]

[targets.app]
protocol = "HTTP"

[target_groups.app]
protocol = "TCP"
targets = ["app"]

[[nlbs.internal.listeners]]
port = 443
protocol = "TLS"
certificate = "fallback"
certificates = ["good", "wild"]
target_group = "app"
"#;
    let route = |path: &str, uri: &str| {
        format!(
            "[[gateway.routes]]\npath = \"{path}\"\nuri = \"{uri}\"\nconnection_type = \"VPC_LINK\"\nvpc_link = \"internal\"\n"
        )
    };
    let routes = predict_all(&format!(
        "{certs}{}{}{}{}{}",
        route("/api", "https://api.example.com/"),
        route("/wild", "https://eu.admin.example.com/"),
        route("/two-labels", "https://a.b.admin.example.com/"),
        route("/ip", "https://10.0.0.1/"),
        route("/other-ip", "https://10.0.0.2/"),
    ))
    .await;
    let picked: Vec<(Option<&str>, u16)> = routes
        .iter()
        .map(|r| (r.certificate.as_deref(), r.status))
        .collect();
    assert_eq!(
        picked,
        [
            (Some("good"), 200),
            (Some("wild"), 200),
            (Some("fallback"), 500),
            (Some("fallback"), 200),
            (Some("fallback"), 500),
        ]
    );
    assert_eq!(routes[3].tls_sessions[0].sni, None);
    assert_eq!(
        routes[4].error.as_deref(),
        Some(
            "Execution failed due to configuration error: Host name '10.0.0.2' does not match the certificate subject provided by the peer (CN=fallback.example.com)"
        )
    );
}

/// A TLS listener on 443 serving `certificate`, with `skip` as insecureSkipVerification.
fn listener_serving(certs: &str, certificate: &str, uri: &str, skip: bool) -> String {
    format!(
        r#"
{certs}

[targets.app]
protocol = "HTTP"

[target_groups.app]
protocol = "TCP"
targets = ["app"]

[[nlbs.internal.listeners]]
port = 443
protocol = "TLS"
certificate = "{certificate}"
target_group = "app"

[[gateway.routes]]
path = "/"
uri = "{uri}"
connection_type = "VPC_LINK"
vpc_link = "internal"
insecure_skip_verification = {skip}
"#
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn chain_dispatch_validates_in_order_and_builds_otherwise() {
    let certs = r#"
[authorities.int2]
issuer = "int"
common_name = "Second Issuing CA"

[certificates.expired-ordered]
issuer = "int2"
dns_names = ["api.example.com"]
not_before = "-10d"
not_after = "-1d"

[certificates.expired-reversed]
issuer = "int2"
dns_names = ["api.example.com"]
not_before = "-10d"
not_after = "-1d"
chain = "leaf+reversed-intermediates"

[certificates.missing-intermediate]
issuer = "int2"
dns_names = ["api.example.com"]
chain = ["missing-intermediate", "int"]

[certificates.self-signed]
self_signed = true
common_name = "api.example.com"
dns_names = ["api.example.com"]
"#;
    let cases = [
        ("expired-ordered", VALIDITY),
        ("expired-reversed", BUILDING),
        ("missing-intermediate", BUILDING),
        ("self-signed", BUILDING),
    ];
    for (certificate, error) in cases {
        let r = predict(&listener_serving(
            certs,
            certificate,
            "https://api.example.com/",
            false,
        ))
        .await;
        assert_outcome(&r, 500, Some("nlb:internal:443"), Some(error));
    }
}

/// JSSE parses every sent certificate before any path check: an empty issuer, or an empty
/// subject with no subjectAltName to stand for it, fails the handshake with its own message,
/// even with `insecureSkipVerification`.
#[tokio::test(flavor = "multi_thread")]
async fn certificates_the_jdk_cannot_parse_fail_before_any_path_check() {
    let certs = r#"
[certificates.self-signed-no-subject]
self_signed = true
dns_names = ["api.example.com"]

[certificates.no-subject-no-names]
issuer = "int"

[certificates.no-subject-with-names]
issuer = "int"
dns_names = ["api.example.com"]
"#;
    let cases = [
        ("self-signed-no-subject", true, Some(UNPARSEABLE)),
        ("no-subject-no-names", true, Some(UNPARSEABLE)),
        ("no-subject-no-names", false, Some(UNPARSEABLE)),
        // A critical subjectAltName stands for the empty subject.
        ("no-subject-with-names", false, None),
    ];
    for (certificate, skip, error) in cases {
        let r = predict(&listener_serving(
            certs,
            certificate,
            "https://api.example.com/",
            skip,
        ))
        .await;
        let status = if error.is_some() { 500 } else { 200 };
        assert_outcome(&r, status, Some("nlb:internal:443"), error);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn broken_authorities_fail_the_validation_checks() {
    let certs = r#"
[authorities.not-ca]
issuer = "root"
common_name = "Not A CA"
basic_constraints_ca = false

[authorities.no-cert-sign]
issuer = "root"
common_name = "No keyCertSign"
key_cert_sign = false

[certificates.under-not-ca]
issuer = "not-ca"
dns_names = ["api.example.com"]

[certificates.under-no-cert-sign]
issuer = "no-cert-sign"
dns_names = ["api.example.com"]
"#;
    let prefix = "Execution failed due to configuration error: PKIX path validation failed: java.security.cert.CertPathValidatorException: ";
    let cases = [
        (
            "under-not-ca",
            "basic constraints check failed: this is not a CA certificate",
        ),
        (
            "under-no-cert-sign",
            "CA key usage check failed: keyCertSign bit is not set",
        ),
    ];
    for (certificate, reason) in cases {
        let r = predict(&listener_serving(
            certs,
            certificate,
            "https://api.example.com/",
            false,
        ))
        .await;
        let error = format!("{prefix}{reason}");
        assert_outcome(&r, 500, Some("nlb:internal:443"), Some(&error));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn skip_verification_trusts_a_sent_private_root_but_checks_its_expiry() {
    let certs = r#"
[authorities.private]
common_name = "Private Root"

[authorities.old-private]
common_name = "Old Private Root"
not_before = "-10y"
not_after = "-1d"

[certificates.root-sent]
issuer = "private"
dns_names = ["api.example.com"]
chain = "leaf+intermediates+root"

[certificates.root-not-sent]
issuer = "private"
dns_names = ["api.example.com"]

[certificates.old-root-sent]
issuer = "old-private"
dns_names = ["api.example.com"]
chain = "leaf+intermediates+root"

[certificates.self-signed-ca]
self_signed = true
common_name = "api.example.com"
basic_constraints_ca = true
key_cert_sign = true
"#;
    let cases = [
        ("root-sent", 200, None),
        ("root-not-sent", 500, Some(BUILDING)),
        ("old-root-sent", 500, Some(VALIDITY)),
        ("self-signed-ca", 200, None),
    ];
    for (certificate, status, error) in cases {
        let r = predict(&listener_serving(
            certs,
            certificate,
            "https://api.example.com/",
            true,
        ))
        .await;
        assert_outcome(&r, status, Some("nlb:internal:443"), error);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn apache_hostname_rules() {
    let certs = r#"
[certificates.cn-only]
issuer = "int"
common_name = "api.example.com"

[certificates.san-wins]
issuer = "int"
common_name = "api.example.com"
dns_names = ["other.example.com"]

[certificates.ip-only]
issuer = "int"
common_name = "api.example.com"
ip_addresses = ["10.0.0.1"]

[certificates.star-com]
issuer = "int"
dns_names = ["*.com"]

[certificates.no-names]
issuer = "int"
"#;
    let mismatch = |host: &str, subject: &str| {
        format!(
            "Execution failed due to configuration error: Host name '{host}' does not match the certificate subject provided by the peer ({subject})"
        )
    };
    let cases = [
        ("cn-only", "api.example.com", None),
        (
            "san-wins",
            "api.example.com",
            Some(mismatch("api.example.com", "CN=api.example.com")),
        ),
        (
            "ip-only",
            "api.example.com",
            Some(mismatch("api.example.com", "CN=api.example.com")),
        ),
        ("star-com", "example.com", Some(mismatch("example.com", ""))),
        // Without names the JDK cannot even parse it (see the test below).
        ("no-names", "api.example.com", Some(UNPARSEABLE.to_owned())),
        (
            "good",
            "api.example.com.",
            Some(mismatch("api.example.com.", "CN=api.example.com")),
        ),
    ];
    for (certificate, host, error) in cases {
        let r = predict(&listener_serving(
            certs,
            certificate,
            &format!("https://{host}/"),
            false,
        ))
        .await;
        let status = if error.is_some() { 500 } else { 200 };
        assert_outcome(&r, status, Some("nlb:internal:443"), error.as_deref());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trusted_first_certificate_is_accepted_as_is() {
    // The listener sends the trusted root alone; its CN names the host, so the verdict
    // passes, but the listener holds the leaf's key, so the handshake signature fails.
    let certs = r#"
[authorities.named-root]
common_name = "api.example.com"
trusted = true

[certificates.sends-root]
issuer = "named-root"
dns_names = ["api.example.com"]
chain = ["named-root"]
"#;
    let r = predict(&listener_serving(
        certs,
        "sends-root",
        "https://api.example.com/",
        false,
    ))
    .await;
    assert_outcome(&r, 500, Some("nlb:internal:443"), Some(SSL_ENGINE));
    assert!(
        r.narrative.iter().any(|s| s.contains("itself")),
        "{:#?}",
        r.narrative
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn several_targets_give_alternatives() {
    let r = predict(&format!(
        r#"
{EXPIRED}

[targets.a]
protocol = "HTTPS"
certificate = "good"

[targets.b]
protocol = "HTTPS"
certificate = "expired"

[target_groups.app]
protocol = "TCP"
targets = ["a", "b"]

[[nlbs.internal.listeners]]
port = 443
protocol = "TCP"
target_group = "app"

[[gateway.routes]]
path = "/"
uri = "https://api.example.com/"
connection_type = "VPC_LINK"
vpc_link = "internal"
"#
    ))
    .await;
    assert_outcome(&r, 200, Some("target:a"), None);
    assert_eq!(r.alternatives.len(), 1);
    assert_eq!(r.alternatives[0].target, "b");
    assert_eq!(r.alternatives[0].validated.as_deref(), Some("target:b"));
    assert!(r.narrative.iter().any(|s| s.contains("flow hash")));
}

#[tokio::test(flavor = "multi_thread")]
async fn disagreements_name_each_differing_field() {
    let s = scenario(&format!(
        "{TLS_TARGET}\n[[gateway.routes]]\npath = \"/\"\nuri = \"https://api.example.com/\"\n\
         [[requests]]\nname = \"only\"\npath = \"/\"\n"
    ));
    let report = hoplab_runner::run(&s).await.expect("live run");
    let mut explanation = explain(&s, s.now().expect("pinned"));
    assert!(disagreements(&explanation, &report).is_empty());

    explanation.requests[0].status = 500;
    explanation.requests[0].validated = None;
    explanation.requests[0].error = Some("boom".into());
    let found = disagreements(&explanation, &report);
    let fields: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|d| (d.field, d.predicted.as_str(), d.observed.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("status", "500", "200"),
            ("validated", "none", "target:app"),
            ("error", "boom", "(no error)"),
        ]
    );
    assert!(found.iter().all(|d| d.request == "only"));

    explanation.requests[0].name = "renamed".into();
    let found = disagreements(&explanation, &report);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].field, "request");
}
