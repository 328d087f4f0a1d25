//! A first hoplab scenario, as a project's own test would write it: the same expired target
//! certificate behind an NLB TLS listener and behind a TCP listener, run live on loopback.
//!
//! Behind the TLS listener API Gateway validates the listener's certificate and the NLB
//! validates nothing, so the request succeeds. Behind the TCP listener the TLS session passes
//! through to the target, API Gateway validates the expired certificate and refuses it.
//!
//! ```sh
//! cargo run -p hoplab --example first_scenario
//! ```

const SCENARIO: &str = r#"
[scenario]
name = "expired target, two listeners"

[authorities.root]
trusted = true

[certificates.listener]
issuer = "root"
dns_names = ["api.example.com"]

[certificates.expired]
issuer = "root"
dns_names = ["api.example.com"]
not_before = "-400d"
not_after = "-35d"

[targets.app]
protocol = "HTTPS"
certificate = "expired"

[target_groups.tls]
protocol = "TLS"
targets = ["app"]

[target_groups.tcp]
protocol = "TCP"
targets = ["app"]

[[nlbs.internal.listeners]]
port = 443
protocol = "TLS"
certificate = "listener"
target_group = "tls"

[[nlbs.internal.listeners]]
port = 8443
protocol = "TCP"
target_group = "tcp"

[[gateway.routes]]
path = "/through-tls"
uri = "https://api.example.com/"
connection_type = "VPC_LINK"
vpc_link = "internal"

[[gateway.routes]]
path = "/through-tcp"
uri = "https://api.example.com:8443/"
connection_type = "VPC_LINK"
vpc_link = "internal"

[[requests]]
name = "behind the TLS listener"
path = "/through-tls"
[requests.expect]
status = 200
validated = "nlb:internal:443"

[[requests]]
name = "behind the TCP listener"
path = "/through-tcp"
[requests.expect]
status = 500
validated = "target:app"
"#;

/// Stands the scenario up, runs it, and checks what a test would check.
async fn run_and_check() -> hoplab::Result<hoplab::Report> {
    let scenario = hoplab::Scenario::from_toml_str(SCENARIO)?;
    let report = hoplab::run(&scenario).await?;

    // Every expectation the scenario states held…
    assert!(report.passed(), "{report}");
    // …and a test can ask further questions of each request.
    let tls = report.request("behind the TLS listener").expect("sent");
    assert_eq!(tls.validated(), Some("nlb:internal:443"));
    assert_eq!(tls.target(), Some("target:app"));
    let tcp = report.request("behind the TCP listener").expect("sent");
    assert_eq!(tcp.status(), Some(500));
    assert_eq!(tcp.validated(), Some("target:app"));
    assert_eq!(
        tcp.error(),
        Some(
            "Execution failed due to configuration error: PKIX path validation failed: \
             java.security.cert.CertPathValidatorException: validity check failed"
        )
    );
    Ok(report)
}

#[tokio::main]
async fn main() -> hoplab::Result<()> {
    let report = run_and_check().await?;
    print!("{report}");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_example_holds() {
        let report = super::run_and_check().await.expect("the scenario runs");
        assert_eq!(report.requests().len(), 2);
    }
}
