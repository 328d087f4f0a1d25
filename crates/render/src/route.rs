//! The part of a scenario a picture needs: the route a request matched and the topology
//! behind it, looked up once so pictures do not depend on the scenario model.

use hoplab_scenario::{
    ConnectionType, ListenerProtocol, Scenario, Scheme, TargetGroupProtocol, TargetProtocol,
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
    /// The route of `scenario` that a request with this method and path matches, the same
    /// way the gateway matches it (exact path; the method, or `ANY`).
    ///
    /// `None` when no route matches or a name does not resolve.
    pub fn find(scenario: &Scenario, method: &str, path: &str) -> Option<RouteInfo> {
        let route = scenario.gateway.routes.iter().find(|r| {
            r.path == path && (r.method == "ANY" || r.method.eq_ignore_ascii_case(method))
        })?;
        let target_info = |name: &str| {
            let target = scenario.targets.iter().find(|t| t.name == name)?;
            Some(TargetInfo {
                name: target.name.clone(),
                https: matches!(target.protocol, TargetProtocol::Https { .. }),
            })
        };
        let backend = match &route.connection {
            ConnectionType::Internet { target } => Backend::Internet {
                target: target_info(target)?,
            },
            ConnectionType::VpcLink { nlb, listener_port } => {
                let listener = scenario
                    .nlbs
                    .iter()
                    .find(|n| &n.name == nlb)?
                    .listeners
                    .iter()
                    .find(|l| l.port == *listener_port)?;
                let group = scenario
                    .target_groups
                    .iter()
                    .find(|g| g.name == listener.target_group)?;
                Backend::VpcLink {
                    nlb: nlb.clone(),
                    port: *listener_port,
                    tls_listener: matches!(listener.protocol, ListenerProtocol::Tls(_)),
                    target_group: group.name.clone(),
                    tls_targets: group.protocol == TargetGroupProtocol::Tls,
                    targets: group
                        .targets
                        .iter()
                        .map(|name| target_info(name))
                        .collect::<Option<Vec<_>>>()?,
                }
            }
        };
        Some(RouteInfo {
            method: route.method.clone(),
            resource: route.path.clone(),
            integration: route.integration.as_str().to_owned(),
            uri: route.uri.raw.clone(),
            host: route.uri.host.clone(),
            https: route.uri.scheme == Scheme::Https,
            insecure_skip_verification: route.insecure_skip_verification,
            backend,
        })
    }
}
