//! The gateway figure: requests through gateway → NLB TLS listener → HTTP target, against the
//! same requests sent straight to the target, on a lab started by `hoplab-runner`.

use std::net::SocketAddr;

use hoplab_runner::{Lab, LabOptions};
use hoplab_trace::HopId;

use crate::BenchError;

/// The path the gateway routes.
pub const PATH: &str = "/pets";

/// The topology: a REST route over a VPC link to a TLS listener (the gateway validates the
/// listener's certificate on every request), a TCP target group, a plain HTTP target.
pub const SCENARIO: &str = r#"
[scenario]
name = "bench-gateway"
description = "gateway -> NLB TLS listener -> HTTP target, for the request-rate benchmark"

[authorities.root]
common_name = "Hoplab Bench Root CA"
trusted = true

[certificates.listener]
issuer = "root"
common_name = "api.example.com"
dns_names = ["api.example.com"]

[targets.app]
protocol = "HTTP"

[target_groups.app]
protocol = "TCP"
targets = ["app"]

[[nlbs.internal.listeners]]
port = 443
protocol = "TLS"
certificate = "listener"
target_group = "app"

[[gateway.routes]]
path = "/pets"
uri = "https://api.example.com/pets"
connection_type = "VPC_LINK"
vpc_link = "internal"
"#;

/// Starts the benchmark topology; returns the lab, the gateway's address and the target's.
/// Call inside the runtime the hops should run on.
pub async fn start() -> Result<(Lab, SocketAddr, SocketAddr), BenchError> {
    let fail = |detail: String| BenchError::Scenario {
        file: "bench-gateway (built in)".into(),
        detail,
    };
    let scenario = hoplab_scenario::from_toml(SCENARIO, "bench-gateway.toml")
        .map_err(|e| fail(e.to_string()))?;
    let lab = Lab::start(&scenario, LabOptions::default())
        .await
        .map_err(|e| fail(e.to_string()))?;
    let target = lab
        .hops()
        .iter()
        .find(|(hop, _)| *hop == HopId::target("app"))
        .map(|(_, addr)| *addr)
        .ok_or_else(|| fail("the lab has no target app".into()))?;
    let gateway = lab.gateway_addr();
    Ok((lab, gateway, target))
}
