//! Test helpers: one scenario PKI with a certificate for every verdict, its PEM files, and
//! servers on 127.0.0.1:0 that serve its chains.

#![allow(dead_code, unused_imports)]

use std::net::SocketAddr;
use std::sync::OnceLock;

use hoplab_inspect::Trust;
use hoplab_pki::Pki;
use hoplab_target::{TargetConfig, TargetError, serve};
use hoplab_test_support::{Running, bind};
use hoplab_trace::{EventLog, HopId};
use time::OffsetDateTime;

pub(crate) use hoplab_test_support::STEP;

/// The host every test leaf names.
pub(crate) const HOST: &str = "api.example.com";

/// The JDK's path-building text, as API Gateway logs it.
pub(crate) const PATH_BUILDING: &str = "Execution failed due to configuration error: PKIX path \
     building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to \
     find valid certification path to requested target";

/// The JDK's validity text, as API Gateway logs it.
pub(crate) const VALIDITY: &str = "Execution failed due to configuration error: PKIX path \
     validation failed: java.security.cert.CertPathValidatorException: validity check failed";

/// A public-looking CA pair API Gateway trusts, a private pair it does not, and one leaf per
/// verdict.
const SCENARIO: &str = r#"
[authorities.root]
common_name = "Inspect Test Root CA"
trusted = true
not_before = "-365d"

[authorities.intermediate]
issuer = "root"
common_name = "Inspect Test Issuing CA"
not_before = "-365d"

[authorities.private-root]
common_name = "Inspect Private Root CA"
not_before = "-365d"

[authorities.private-intermediate]
issuer = "private-root"
common_name = "Inspect Private Issuing CA"
not_before = "-365d"

[certificates.good]
issuer = "intermediate"
common_name = "api.example.com"
dns_names = ["api.example.com"]

[certificates.expired]
issuer = "intermediate"
common_name = "api.example.com"
dns_names = ["api.example.com"]
not_before = "-30d"
not_after = "-1d"

[certificates.not-yet-valid]
issuer = "intermediate"
common_name = "api.example.com"
dns_names = ["api.example.com"]
not_before = "+1d"
not_after = "+30d"

[certificates.leaf-only]
issuer = "intermediate"
common_name = "api.example.com"
dns_names = ["api.example.com"]
chain = "leaf"

[certificates.self-signed]
self_signed = true
common_name = "api.example.com"
dns_names = ["api.example.com"]

[certificates.private]
issuer = "private-intermediate"
common_name = "api.example.com"
dns_names = ["api.example.com"]
chain = "leaf+intermediates+root"

# A scenario needs a route; only its PKI is used here.
[targets.api]
protocol = "HTTPS"
certificate = "good"
dns_names = ["api.example.com"]

[[gateway.routes]]
path = "/"
uri = "https://api.example.com/"
"#;

/// The test scenario and its PKI, generated once per test binary.
fn generated() -> &'static (hoplab_scenario::Scenario, Pki) {
    static PKI: OnceLock<(hoplab_scenario::Scenario, Pki)> = OnceLock::new();
    PKI.get_or_init(|| {
        let scenario = hoplab_scenario::from_toml(SCENARIO, "inspect-test.toml")
            .unwrap_or_else(|e| panic!("test scenario: {e}"));
        let pki = Pki::generate(scenario.pki(), OffsetDateTime::now_utc()).expect("test pki");
        (scenario, pki)
    })
}

/// The test PKI.
pub(crate) fn pki() -> &'static Pki {
    &generated().1
}

/// What a server serving the leaf `leaf` sends.
pub(crate) fn served(leaf: &str) -> &'static hoplab_pki::ServedCertificate {
    let (scenario, pki) = generated();
    let id = scenario
        .find_certificate(leaf)
        .unwrap_or_else(|| panic!("no leaf {leaf}"));
    pki.served(id)
}

/// One of the PKI's PEM files, by name.
pub(crate) fn pem_file(name: &str) -> Vec<u8> {
    pki()
        .pem_files()
        .into_iter()
        .find(|(file, _, _)| file == name)
        .unwrap_or_else(|| panic!("no PEM file {name}"))
        .1
        .into_bytes()
}

/// The chain a server serving `leaf` sends, as PEM.
pub(crate) fn chain_pem(leaf: &str) -> Vec<u8> {
    pem_file(&format!("{leaf}.chain.pem"))
}

/// API Gateway's trusted CAs for this PKI.
pub(crate) fn trust() -> Trust {
    Trust::Pem(vec![pem_file("trusted-cas.pem")])
}

/// A target serving `leaf`'s chain over TLS on 127.0.0.1:0.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    running: Running<TargetError>,
}

impl Server {
    pub(crate) async fn start(leaf: &str) -> Server {
        let served = served(leaf);
        let config = TargetConfig::new(
            HopId::target(leaf),
            Some(served.certified_key.clone()),
            "ok",
        );
        let (listener, addr) = bind().await;
        let running = Running::spawn(listener, &EventLog::new(), |listener, events, shutdown| {
            serve(listener, config, events, shutdown)
        });
        Server { addr, running }
    }

    pub(crate) async fn stop(self) {
        self.running.stop().await;
    }
}
