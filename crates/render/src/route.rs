//! The part of a scenario a picture needs: the route a request matched and the topology
//! behind it, looked up once so pictures do not depend on the scenario model.

use hoplab_report::RunReport;
use hoplab_scenario::{
    Backend as ScenarioBackend, ListenerProtocol, RouteId, Scenario, Scheme, Target, TargetProtocol,
};

/// The route a request matched and how the gateway reaches its backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    /// The route's method (`GET`, …, or `ANY`).
    pub method: String,
    /// The route's resource path.
    pub resource: String,
    /// `HTTP` or `HTTP_PROXY`.
    pub integration: String,
    /// The integration URI as written.
    pub uri: String,
    /// The URI host (what the certificate is checked against).
    pub host: String,
    /// Whether the URI is `https` (the gateway starts TLS).
    pub https: bool,
    /// `tlsConfig.insecureSkipVerification`.
    pub insecure_skip_verification: bool,
    /// What is behind the gateway.
    pub backend: Backend,
}

/// What is behind the gateway on one route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// An INTERNET integration: the URI host resolves to this target.
    Internet {
        /// The target.
        target: TargetInfo,
    },
    /// A VPC link to an NLB listener and its target group.
    VpcLink {
        /// The NLB's name.
        nlb: String,
        /// The listener port.
        port: u16,
        /// Whether the listener terminates TLS (`false`: TCP passthrough).
        tls_listener: bool,
        /// The target group's name.
        target_group: String,
        /// Whether the NLB speaks TLS to the targets (`false`: plain TCP).
        tls_targets: bool,
        /// The registered targets, in scenario order.
        targets: Vec<TargetInfo>,
    },
    /// A VPC link to a load balancer listener drawn from the trace alone: an ALB listener,
    /// or a port of a load balancer without a listener.
    LoadBalancer {
        /// The hop the gateway connects to (`alb:<name>:<port>`, `nlb:<name>:<port>`).
        hop: String,
    },
}

/// A backend target as a picture shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetInfo {
    /// Target name.
    pub name: String,
    /// Whether it serves HTTPS (`false`: plain HTTP).
    pub https: bool,
}

impl RouteInfo {
    /// The route `id` of `scenario` and the topology behind it.
    pub fn new(scenario: &Scenario, id: RouteId) -> RouteInfo {
        let route = scenario.route(id);
        let target_info = |target: &Target| TargetInfo {
            name: target.name().to_owned(),
            https: matches!(target.protocol(), TargetProtocol::Https { .. }),
        };
        let backend = match route.backend() {
            ScenarioBackend::Internet(target) => Backend::Internet {
                target: target_info(scenario.target(target)),
            },
            ScenarioBackend::VpcLink(listener) => {
                let listener = scenario.listener(listener);
                let group = scenario.target_group(listener.target_group());
                Backend::VpcLink {
                    nlb: scenario.nlb(listener.nlb()).name().to_owned(),
                    port: listener.port(),
                    tls_listener: matches!(listener.protocol(), ListenerProtocol::Tls(_)),
                    target_group: group.name().to_owned(),
                    tls_targets: group.protocol().encrypted(),
                    targets: group
                        .targets()
                        .iter()
                        .map(|id| target_info(scenario.target(*id)))
                        .collect(),
                }
            }
            backend @ (ScenarioBackend::VpcLinkAlb(_) | ScenarioBackend::NoListener { .. }) => {
                Backend::LoadBalancer {
                    hop: scenario.backend_name(backend),
                }
            }
        };
        RouteInfo {
            method: route.method().to_owned(),
            resource: route.path().to_owned(),
            integration: route.integration().as_str().to_owned(),
            uri: route.uri().raw().to_owned(),
            host: route.uri().host().to_owned(),
            https: route.uri().scheme() == Scheme::Https,
            insecure_skip_verification: route.insecure_skip_verification(),
            backend,
        }
    }

    /// The route of each request of `report`, a run of `scenario` (requests are paired by
    /// position and name); `None` for a request the scenario does not have.
    pub fn for_report(scenario: &Scenario, report: &RunReport) -> Vec<Option<RouteInfo>> {
        report
            .requests
            .iter()
            .enumerate()
            .map(|(i, reported)| {
                let request = scenario.requests().get(i)?;
                (request.name() == reported.name).then(|| RouteInfo::new(scenario, request.route()))
            })
            .collect()
    }
}
