//! A validated scenario and its generated PKI → the configuration of every hop.
//!
//! Pure: nothing here binds a socket or spawns a task. What a configuration needs from the
//! running lab (where each target and listener serves) is passed in by [`crate::Lab`], which
//! binds back to front: targets, then ALB listeners, then NLB listeners (an `alb` target
//! group forwards to an ALB listener's address), then the gateway.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hoplab_gateway::{Clock, GatewayConfig, Integration, RouteConfig, UpstreamVia};
use hoplab_nlb::{ListenerConfig, TargetEndpoint, TargetGroup, TlsTermination};
use hoplab_pki::Pki;
use hoplab_pkix::TrustStore;
use hoplab_scenario::{
    AlbListener, AlbListenerProtocol, Backend, CertId, IntegrationType, Listener, ListenerProtocol,
    LoadBalancer, Route, Scenario, Scheme, Target, TargetGroup as ScenarioGroup,
    TargetGroupProtocol, TargetProtocol, TargetType,
};
use hoplab_target::TargetConfig;
use hoplab_trace::HopId;
use rustls::pki_types::CertificateDer;

use crate::RunError;

/// Fingerprints of the leaf certificates each hop is configured to serve, with their names.
pub(crate) type ServedCertificates = HashMap<HopId, Vec<(String, String)>>;

/// Where the hops behind the gateway serve on loopback.
#[derive(Debug, Clone)]
pub(crate) struct Addresses {
    /// By target id.
    pub(crate) targets: Vec<SocketAddr>,
    /// By listener id.
    pub(crate) listeners: Vec<SocketAddr>,
    /// By ALB listener id.
    pub(crate) alb_listeners: Vec<SocketAddr>,
    /// A loopback port nothing listens on, for routes to a load balancer port without a
    /// listener: connections to it are refused.
    pub(crate) refused: SocketAddr,
}

/// The hops' configurations for one scenario and its PKI.
pub(crate) struct HopConfigs<'a> {
    scenario: &'a Scenario,
    pki: &'a Pki,
}

impl<'a> HopConfigs<'a> {
    pub(crate) fn new(scenario: &'a Scenario, pki: &'a Pki) -> Self {
        HopConfigs { scenario, pki }
    }

    /// The hop a target is.
    pub(crate) fn target_hop(target: &Target) -> HopId {
        HopId::target(target.name())
    }

    /// The hop a listener is.
    pub(crate) fn listener_hop(&self, listener: &Listener) -> HopId {
        HopId::nlb(self.scenario.nlb(listener.nlb()).name(), listener.port())
    }

    /// The hop an ALB listener is.
    pub(crate) fn alb_listener_hop(&self, listener: &AlbListener) -> HopId {
        HopId::alb(self.scenario.alb(listener.alb()).name(), listener.port())
    }

    /// A target's server.
    pub(crate) fn target(&self, target: &Target) -> TargetConfig {
        let tls = match target.protocol() {
            TargetProtocol::Http => None,
            TargetProtocol::Https { certificate } => Some(self.certified_key(certificate)),
        };
        let mut config = TargetConfig::new(Self::target_hop(target), tls, target.body());
        config.behaviour = crate::faults::target_behaviour(target.behaviour());
        config.tls_versions = crate::faults::target_tls_versions(target.tls_versions());
        config
    }

    /// The endpoints of a target group's registered targets at `addresses`, or for an `alb`
    /// group, its ALB listener's.
    fn endpoints(&self, group: &ScenarioGroup, addresses: &Addresses) -> Vec<TargetEndpoint> {
        match group.target_type() {
            TargetType::Ip => group
                .targets()
                .iter()
                .map(|id| TargetEndpoint {
                    hop: Self::target_hop(self.scenario.target(*id)),
                    addr: addresses.targets[id.index()],
                })
                .collect(),
            TargetType::Alb(listener) => vec![TargetEndpoint {
                hop: self.alb_listener_hop(self.scenario.alb_listener(listener)),
                addr: addresses.alb_listeners[listener.index()],
            }],
        }
    }

    /// A listener and its target group, forwarding to the targets (or the ALB listener) at
    /// `addresses`.
    pub(crate) fn listener(
        &self,
        listener: &Listener,
        addresses: &Addresses,
    ) -> Result<ListenerConfig, RunError> {
        let group = self.scenario.target_group(listener.target_group());
        let targets = self.endpoints(group, addresses);
        let tls = listener.protocol().tls().map(|tls| {
            let mut termination = TlsTermination::new(
                self.certified_key(tls.default_certificate()),
                crate::faults::security_policy(tls.security_policy()),
            );
            termination.certificates = tls
                .certificates()
                .iter()
                .map(|id| self.certified_key(*id))
                .collect();
            termination.alpn_policy = crate::faults::alpn_policy(tls.alpn_policy());
            termination
        });
        let mut target_group = TargetGroup::new(
            group.name(),
            group.protocol() == TargetGroupProtocol::Tls,
            targets,
        );
        target_group.health_check = group
            .health_check()
            .map(crate::faults::health_check)
            .transpose()?;
        Ok(ListenerConfig {
            hop: self.listener_hop(listener),
            tls,
            target_group,
        })
    }

    /// An ALB listener, its rules with target groups named as the scenario names them, and
    /// every target group they forward to, reaching the targets at `addresses`.
    pub(crate) fn alb_listener(
        &self,
        listener: &AlbListener,
        addresses: &Addresses,
    ) -> Result<hoplab_alb::ListenerConfig, RunError> {
        let alb = self.scenario.alb(listener.alb());
        let protocol = match listener.protocol() {
            AlbListenerProtocol::Http => hoplab_alb::ListenerProtocol::Http,
            AlbListenerProtocol::Https(tls) => {
                hoplab_alb::ListenerProtocol::Https(hoplab_alb::HttpsListener {
                    default_certificate: self.certified_key(tls.default_certificate()),
                    certificates: tls
                        .certificates()
                        .iter()
                        .map(|id| self.certified_key(*id))
                        .collect(),
                    security_policy: tls.security_policy(),
                })
            }
        };
        let (rules, default_actions) = listener
            .rules()
            .map_groups(|id| self.scenario.target_group(*id).name().to_owned())
            .to_rules();
        let target_groups = listener
            .target_groups()
            .into_iter()
            .map(|id| self.alb_group(self.scenario.target_group(id), addresses))
            .collect::<Result<_, _>>()?;
        Ok(hoplab_alb::ListenerConfig {
            hop: self.alb_listener_hop(listener),
            port: listener.port(),
            protocol,
            rules,
            default_actions,
            target_groups,
            idle_timeout: Duration::from_secs(u64::from(alb.idle_timeout_seconds())),
        })
    }

    /// An ALB's target group. A group without a `health_check` table is not checked (every
    /// target is routable), as an NLB's.
    fn alb_group(
        &self,
        group: &ScenarioGroup,
        addresses: &Addresses,
    ) -> Result<hoplab_alb::TargetGroup, RunError> {
        let protocol = if group.protocol() == TargetGroupProtocol::Https {
            hoplab_alb::TargetProtocol::Https
        } else {
            hoplab_alb::TargetProtocol::Http
        };
        Ok(hoplab_alb::TargetGroup {
            name: group.name().to_owned(),
            protocol,
            targets: self.endpoints(group, addresses),
            health_check: group
                .health_check()
                .map(crate::faults::health_check)
                .transpose()?,
            algorithm: group.algorithm(),
        })
    }

    /// The gateway, its routes reaching the hops at `addresses`.
    pub(crate) fn gateway(&self, addresses: &Addresses) -> Result<GatewayConfig, RunError> {
        Ok(GatewayConfig {
            stage: self.scenario.gateway().stage_segment().map(str::to_owned),
            routes: self
                .scenario
                .routes()
                .iter()
                .map(|route| self.route(route, addresses))
                .collect(),
            trust: Arc::new(self.trust()?),
            clock: match self.scenario.now() {
                Some(at) => Clock::pinned(at),
                None => Clock::System,
            },
        })
    }

    fn route(&self, route: &Route, addresses: &Addresses) -> RouteConfig {
        let (upstream, via) = match route.backend() {
            Backend::Internet(target) => (
                addresses.targets[target.index()],
                UpstreamVia::Internet(Self::target_hop(self.scenario.target(target))),
            ),
            Backend::VpcLink(listener) => (
                addresses.listeners[listener.index()],
                UpstreamVia::VpcLink(self.listener_hop(self.scenario.listener(listener))),
            ),
            Backend::VpcLinkAlb(listener) => (
                addresses.alb_listeners[listener.index()],
                UpstreamVia::VpcLink(self.alb_listener_hop(self.scenario.alb_listener(listener))),
            ),
            Backend::NoListener { balancer, port } => (
                addresses.refused,
                UpstreamVia::VpcLink(match balancer {
                    LoadBalancer::Nlb(_) => HopId::nlb(self.scenario.balancer_name(balancer), port),
                    LoadBalancer::Alb(_) => HopId::alb(self.scenario.balancer_name(balancer), port),
                }),
            ),
        };
        let uri = route.uri();
        RouteConfig {
            method: route.method().to_owned(),
            path: route.path().to_owned(),
            integration: match route.integration() {
                IntegrationType::Http => Integration::Http,
                IntegrationType::HttpProxy => Integration::HttpProxy,
            },
            uri: uri.raw().to_owned(),
            https: uri.scheme() == Scheme::Https,
            host: uri.host().to_owned(),
            port: uri.port(),
            path_and_query: route.backend_target(self.scenario.gateway().stage_segment()),
            upstream,
            via,
            insecure_skip_verification: route.insecure_skip_verification(),
            server_name_to_verify: route.server_name_to_verify().map(str::to_owned),
            timeout: Duration::from_millis(u64::from(route.timeout_ms())),
        }
    }

    /// What API Gateway trusts: the scenario's trusted authorities, its `trusted_ca_files`,
    /// and Mozilla's roots when `public_roots` is set.
    fn trust(&self) -> Result<TrustStore, RunError> {
        let gateway = self.scenario.gateway();
        let public_roots: &[CertificateDer<'static>] = if gateway.public_roots() {
            webpki_root_certs::TLS_SERVER_ROOT_CERTS
        } else {
            &[]
        };
        let extra = gateway
            .trusted_ca()
            .iter()
            .map(|der| CertificateDer::from(der.clone()))
            .chain(public_roots.iter().cloned());
        let mut trust = TrustStore::new();
        for (index, der) in self.pki.trusted().into_iter().chain(extra).enumerate() {
            trust.add(der).map_err(|e| RunError::Trust {
                index,
                detail: e.to_string(),
            })?;
        }
        Ok(trust)
    }

    /// The leaf certificates each hop serves, by fingerprint, so a trace can name the
    /// certificate a hop presented.
    pub(crate) fn served(&self) -> ServedCertificates {
        let mut served = ServedCertificates::new();
        for target in self.scenario.targets() {
            if let TargetProtocol::Https { certificate } = target.protocol() {
                served
                    .entry(Self::target_hop(target))
                    .or_default()
                    .push(self.fingerprint(certificate));
            }
        }
        for listener in self.scenario.listeners() {
            if let ListenerProtocol::Tls(tls) = listener.protocol() {
                let entry = served.entry(self.listener_hop(listener)).or_default();
                entry.push(self.fingerprint(tls.default_certificate()));
                entry.extend(tls.certificates().iter().map(|id| self.fingerprint(*id)));
            }
        }
        for listener in self.scenario.alb_listeners() {
            if let AlbListenerProtocol::Https(tls) = listener.protocol() {
                let entry = served.entry(self.alb_listener_hop(listener)).or_default();
                entry.push(self.fingerprint(tls.default_certificate()));
                entry.extend(tls.certificates().iter().map(|id| self.fingerprint(*id)));
            }
        }
        served
    }

    /// Every leaf certificate of the scenario, by name, as a server sends it.
    pub(crate) fn certificates(&self) -> Vec<(String, Arc<rustls::sign::CertifiedKey>)> {
        self.scenario
            .pki()
            .certificates()
            .iter()
            .map(|leaf| (leaf.name().to_owned(), self.certified_key(leaf.id())))
            .collect()
    }

    fn certified_key(&self, leaf: CertId) -> Arc<rustls::sign::CertifiedKey> {
        Arc::clone(&self.pki.served(leaf).certified_key)
    }

    fn fingerprint(&self, leaf: CertId) -> (String, String) {
        let der = self
            .pki
            .certificate_der(hoplab_scenario::CertRef::Leaf(leaf));
        (
            self.scenario.certificate(leaf).name().to_owned(),
            hoplab_pkix::fingerprint(der),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCENARIO: &str = r#"
[scenario]
now = "2026-01-01T00:00:00Z"

[authorities.root]
trusted = true

[certificates.nlb-cert]
issuer = "root"
dns_names = ["api.example.com"]

[certificates.other]
issuer = "root"
dns_names = ["other.example.com"]

[certificates.app-cert]
self_signed = true

[targets.app]
protocol = "HTTPS"
certificate = "app-cert"
behaviour = "slow"
delay_ms = 5
tls_versions = "TLSv1.3"

[targets.web]
protocol = "HTTP"
dns_names = ["web.example.com"]
body = "web"

[targets.app2]
protocol = "HTTPS"
certificate = "other"

[target_groups.app]
protocol = "TLS"
targets = ["app", "app2"]

[target_groups.app.health_check]
protocol = "HTTPS"
matcher = "200-299"

[[nlbs.internal.listeners]]
port = 443
protocol = "TLS"
certificate = "nlb-cert"
certificates = ["other"]
security_policy = "ELBSecurityPolicy-2016-08"
alpn_policy = "HTTP2Preferred"
target_group = "app"

[[nlbs.internal.listeners]]
port = 8443
protocol = "TCP"
target_group = "plain"

[target_groups.plain]
protocol = "TCP"
targets = ["web"]

[gateway]
stage = "prod"

[[gateway.routes]]
path = "/private"
uri = "https://api.example.com:8443/x?y=1"
connection_type = "VPC_LINK"
vpc_link = "internal"
insecure_skip_verification = true
timeout_ms = 5000

[[gateway.routes]]
method = "ANY"
path = "/public"
integration = "HTTP"
uri = "http://web.example.com/"
"#;

    fn setup() -> (Scenario, Pki, Addresses) {
        let scenario = hoplab_scenario::from_toml(SCENARIO, "config-test.toml").expect("valid");
        let now = scenario.now().expect("pinned");
        let pki = Pki::generate(scenario.pki(), now).expect("pki");
        let addresses = Addresses {
            targets: vec![
                SocketAddr::from(([127, 0, 0, 1], 1001)),
                SocketAddr::from(([127, 0, 0, 1], 1002)),
                SocketAddr::from(([127, 0, 0, 1], 1003)),
            ],
            listeners: vec![
                SocketAddr::from(([127, 0, 0, 1], 2001)),
                SocketAddr::from(([127, 0, 0, 1], 2002)),
            ],
            alb_listeners: Vec::new(),
            refused: SocketAddr::from(([127, 0, 0, 1], 9)),
        };
        (scenario, pki, addresses)
    }

    /// A VPC link V2 route to an ALB HTTPS listener, the same listener behind an NLB TCP
    /// listener (an `alb` target group), and a V2 route to a port without a listener.
    const ALB_SCENARIO: &str = r#"
[scenario]
now = "2026-01-01T00:00:00Z"

[authorities.root]
trusted = true

[certificates.alb-cert]
issuer = "root"
dns_names = ["api.example.com"]

[certificates.other]
issuer = "root"
dns_names = ["other.example.com"]

[targets.app]
protocol = "HTTPS"
certificate = "other"

[targets.web]
protocol = "HTTP"

[target_groups.app]
protocol = "HTTPS"
targets = ["app"]
algorithm = "least_outstanding_requests"

[target_groups.app.health_check]
path = "/health"

[target_groups.web]
protocol = "HTTP"
targets = ["web"]

[target_groups.to-alb]
protocol = "TCP"
target_type = "alb"
targets = ["front"]
port = 443

[albs.front]
idle_timeout_seconds = 5

[[albs.front.listeners]]
port = 443
protocol = "HTTPS"
certificate = "alb-cert"
certificates = ["other"]
security_policy = "ELBSecurityPolicy-2016-08"
default_action = { type = "forward", target_group = "web" }

[[albs.front.listeners.rules]]
priority = 5
conditions = [{ field = "path-pattern", values = ["/prod/app*"] }]
action = { type = "forward", target_group = "app" }

[[nlbs.edge.listeners]]
port = 443
protocol = "TCP"
target_group = "to-alb"

[gateway]
stage = "prod"

[[gateway.routes]]
path = "/direct"
uri = "https://api.example.com/app"
connection_type = "VPC_LINK"
vpc_link_version = "V2"
integration_target = "front"

[[gateway.routes]]
path = "/via-nlb"
uri = "https://api.example.com/app"
connection_type = "VPC_LINK"
vpc_link = "edge"

[[gateway.routes]]
path = "/nowhere"
uri = "https://api.example.com:8443/app"
connection_type = "VPC_LINK"
vpc_link_version = "V2"
integration_target = "front"
"#;

    fn alb_setup() -> (Scenario, Pki, Addresses) {
        let scenario = hoplab_scenario::from_toml(ALB_SCENARIO, "alb-config.toml").expect("valid");
        let pki = Pki::generate(scenario.pki(), scenario.now().expect("pinned")).expect("pki");
        let addresses = Addresses {
            targets: vec![
                SocketAddr::from(([127, 0, 0, 1], 1001)),
                SocketAddr::from(([127, 0, 0, 1], 1002)),
            ],
            listeners: vec![SocketAddr::from(([127, 0, 0, 1], 2001))],
            alb_listeners: vec![SocketAddr::from(([127, 0, 0, 1], 3001))],
            refused: SocketAddr::from(([127, 0, 0, 1], 9)),
        };
        (scenario, pki, addresses)
    }

    #[test]
    fn alb_listeners_carry_their_rules_groups_certificates_and_timeout() {
        let (scenario, pki, addresses) = alb_setup();
        let configs = HopConfigs::new(&scenario, &pki);
        let config = configs
            .alb_listener(&scenario.alb_listeners()[0], &addresses)
            .expect("converts");
        assert_eq!(config.hop, HopId::alb("front", 443));
        assert_eq!(config.port, 443);
        assert_eq!(config.idle_timeout, Duration::from_secs(5));
        let hoplab_alb::ListenerProtocol::Https(https) = &config.protocol else {
            panic!("an HTTPS listener");
        };
        assert_eq!(https.certificates.len(), 1);
        assert_eq!(https.security_policy.name(), "ELBSecurityPolicy-2016-08");
        let alb_cert = scenario.find_certificate("alb-cert").expect("alb-cert");
        assert!(Arc::ptr_eq(
            &https.default_certificate,
            &pki.served(alb_cert).certified_key
        ));
        assert_eq!(config.rules.len(), 1);
        assert_eq!(config.rules[0].priority, 5);
        assert_eq!(
            config.rules[0].actions,
            [hoplab_alb::Action::Forward(hoplab_alb::Forward::to("app"))]
        );
        assert_eq!(
            config.default_actions,
            [hoplab_alb::Action::Forward(hoplab_alb::Forward::to("web"))]
        );
        let names: Vec<&str> = config
            .target_groups
            .iter()
            .map(|g| g.name.as_str())
            .collect();
        assert_eq!(names, ["app", "web"]);
        let app = &config.target_groups[0];
        assert_eq!(app.protocol, hoplab_alb::TargetProtocol::Https);
        assert_eq!(
            app.algorithm,
            hoplab_alb::LoadBalancingAlgorithm::LeastOutstandingRequests
        );
        assert_eq!(
            app.targets,
            [TargetEndpoint {
                hop: HopId::target("app"),
                addr: addresses.targets[0]
            }]
        );
        let check = app.health_check.as_ref().expect("checked");
        assert_eq!(
            (check.path.as_str(), check.timeout),
            ("/health", Duration::from_secs(5))
        );
        assert!(check.settle_before_serving);
        assert!(config.target_groups[1].health_check.is_none());
    }

    #[test]
    fn an_nlb_alb_group_forwards_to_the_alb_listener() {
        let (scenario, pki, addresses) = alb_setup();
        let edge = HopConfigs::new(&scenario, &pki)
            .listener(&scenario.listeners()[0], &addresses)
            .expect("converts");
        assert!(!edge.target_group.tls);
        assert_eq!(
            edge.target_group.targets,
            [TargetEndpoint {
                hop: HopId::alb("front", 443),
                addr: addresses.alb_listeners[0]
            }]
        );
    }

    #[test]
    fn v2_routes_reach_the_alb_with_the_stage_prefix_or_a_refused_port() {
        let (scenario, pki, addresses) = alb_setup();
        let configs = HopConfigs::new(&scenario, &pki);
        let gateway = configs.gateway(&addresses).expect("converts");
        let direct = &gateway.routes[0];
        assert_eq!(direct.upstream, addresses.alb_listeners[0]);
        assert_eq!(direct.via, UpstreamVia::VpcLink(HopId::alb("front", 443)));
        assert_eq!(
            direct.path_and_query, "/prod/app",
            "V2: the stage goes first"
        );
        let via_nlb = &gateway.routes[1];
        assert_eq!(via_nlb.upstream, addresses.listeners[0]);
        assert_eq!(
            via_nlb.path_and_query, "/app",
            "V1: the URI's path as written"
        );
        let nowhere = &gateway.routes[2];
        assert_eq!(nowhere.upstream, addresses.refused);
        assert_eq!(nowhere.via, UpstreamVia::VpcLink(HopId::alb("front", 8443)));
        let served = configs.served();
        let names: Vec<&str> = served[&HopId::alb("front", 443)]
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(names, ["alb-cert", "other"]);
    }

    #[test]
    fn targets_serve_their_certificate_body_and_fault() {
        let (scenario, pki, _) = setup();
        let configs = HopConfigs::new(&scenario, &pki);
        let app = configs.target(&scenario.targets()[0]);
        assert_eq!(app.hop, HopId::target("app"));
        let app_cert = scenario.find_certificate("app-cert").expect("app-cert");
        let served = app.tls.expect("an HTTPS target");
        assert!(Arc::ptr_eq(&served, &pki.served(app_cert).certified_key));
        assert_eq!(app.body, "hello from target app");
        assert!(matches!(
            app.behaviour,
            hoplab_target::TargetBehaviour::Slow { delay } if delay == Duration::from_millis(5)
        ));
        assert!(matches!(
            app.tls_versions,
            hoplab_target::TargetTlsVersions::Tls13Only
        ));
        let web = configs.target(&scenario.targets()[1]);
        assert!(web.tls.is_none());
        assert_eq!(web.body, "web");
    }

    #[test]
    fn listeners_forward_to_their_group_at_the_bound_addresses() {
        let (scenario, pki, addresses) = setup();
        let configs = HopConfigs::new(&scenario, &pki);
        let tls = configs
            .listener(&scenario.listeners()[0], &addresses)
            .expect("converts");
        assert_eq!(tls.hop, HopId::nlb("internal", 443));
        let termination = tls.tls.expect("a TLS listener");
        assert_eq!(
            termination.security_policy.name(),
            "ELBSecurityPolicy-2016-08"
        );
        assert_eq!(termination.alpn_policy.name(), "HTTP2Preferred");
        assert_eq!(termination.certificates.len(), 1);
        let nlb_cert = scenario.find_certificate("nlb-cert").expect("nlb-cert");
        assert!(Arc::ptr_eq(
            &termination.default_certificate,
            &pki.served(nlb_cert).certified_key
        ));
        assert_eq!(tls.target_group.name, "app");
        assert!(tls.target_group.tls);
        assert_eq!(
            tls.target_group.targets,
            [
                TargetEndpoint {
                    hop: HopId::target("app"),
                    addr: addresses.targets[0]
                },
                TargetEndpoint {
                    hop: HopId::target("app2"),
                    addr: addresses.targets[2]
                }
            ]
        );
        assert!(tls.target_group.health_check.is_some());

        let tcp = configs
            .listener(&scenario.listeners()[1], &addresses)
            .expect("converts");
        assert_eq!(tcp.hop, HopId::nlb("internal", 8443));
        assert!(tcp.tls.is_none());
        assert!(!tcp.target_group.tls);
        assert!(tcp.target_group.health_check.is_none());
    }

    #[test]
    fn routes_reach_their_backend_with_the_integration_settings() {
        let (scenario, pki, addresses) = setup();
        let gateway = HopConfigs::new(&scenario, &pki)
            .gateway(&addresses)
            .expect("converts");
        assert_eq!(gateway.stage.as_deref(), Some("prod"));
        assert_eq!(gateway.trust.len(), 1, "the one trusted authority");
        let private = &gateway.routes[0];
        assert_eq!(
            (private.method.as_str(), private.path.as_str()),
            ("GET", "/private")
        );
        assert_eq!(
            private.upstream, addresses.listeners[1],
            "the URI port picks :8443"
        );
        assert_eq!(
            private.via,
            UpstreamVia::VpcLink(HopId::nlb("internal", 8443))
        );
        assert!(private.https);
        assert_eq!(
            (private.host.as_str(), private.port),
            ("api.example.com", 8443)
        );
        assert_eq!(private.path_and_query, "/x?y=1");
        assert!(private.insecure_skip_verification);
        assert_eq!(private.timeout, Duration::from_millis(5000));
        assert_eq!(private.integration, Integration::HttpProxy);

        let public = &gateway.routes[1];
        assert_eq!(public.method, "ANY");
        assert_eq!(public.upstream, addresses.targets[1]);
        assert_eq!(public.via, UpstreamVia::Internet(HopId::target("web")));
        assert!(!public.https);
        assert_eq!(public.integration, Integration::Http);
        assert_eq!(public.timeout, Duration::from_millis(29_000));
    }

    #[test]
    fn served_certificates_name_each_hops_leaves() {
        let (scenario, pki, _) = setup();
        let served = HopConfigs::new(&scenario, &pki).served();
        let names = |hop: HopId| -> Vec<String> {
            served
                .get(&hop)
                .map(|leaves| leaves.iter().map(|(name, _)| name.clone()).collect())
                .unwrap_or_default()
        };
        assert_eq!(names(HopId::target("app")), ["app-cert"]);
        assert_eq!(names(HopId::target("app2")), ["other"]);
        assert!(names(HopId::target("web")).is_empty());
        assert_eq!(names(HopId::nlb("internal", 443)), ["nlb-cert", "other"]);
        assert!(names(HopId::nlb("internal", 8443)).is_empty());
    }
}
