//! What one ALB listener serves: its protocol and certificates, its rules, and the target
//! groups its rules forward to.
//!
//! The types mirror AWS's resources (a listener, its rules, its target groups), so a scenario
//! or an `aws elbv2 describe-*` export converts into them field by field; the listener checks
//! them as AWS would when it starts ([`AlbError`](crate::AlbError)).

use std::sync::Arc;
use std::time::Duration;

use hoplab_hop::{HealthCheck, TargetEndpoint};
use hoplab_trace::HopId;
use rustls::sign::CertifiedKey;

use crate::aws::{DEFAULT_IDLE_TIMEOUT, default_health_check};
use crate::{Action, LoadBalancingAlgorithm, Rule, SecurityPolicy};

/// One ALB listener, its rules and the target groups they forward to.
#[derive(Debug, Clone)]
pub struct ListenerConfig {
    /// The listener's hop id (`HopId::AlbListener { alb, port }`).
    pub hop: HopId,
    /// The listener's port as AWS knows it (the scenario's, not the loopback port it is bound
    /// to): what `X-Forwarded-Port` and a redirect's `#{port}` say.
    pub port: u16,
    /// `HTTP`, or `HTTPS` with its certificates and security policy.
    pub protocol: ListenerProtocol,
    /// The rules other than the default one, in any order (they are evaluated by priority).
    pub rules: Vec<Rule>,
    /// The default rule's actions: exactly one.
    pub default_actions: Vec<Action>,
    /// The target groups the rules may forward to, by name.
    pub target_groups: Vec<TargetGroup>,
    /// How long a connection may sit without data before it is closed, and how long a target
    /// may take to answer before the client gets 504 (AWS `idle_timeout.timeout_seconds`).
    pub idle_timeout: Duration,
}

impl ListenerConfig {
    /// A listener of the ALB `alb` on `port` whose default rule does `default_action`, with no
    /// other rules, no target groups and the default idle timeout (60 s).
    pub fn new(
        alb: impl Into<String>,
        port: u16,
        protocol: ListenerProtocol,
        default_action: Action,
    ) -> Self {
        ListenerConfig {
            hop: HopId::alb(alb, port),
            port,
            protocol,
            rules: Vec::new(),
            default_actions: vec![default_action],
            target_groups: Vec::new(),
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }
}

/// A listener's protocol.
#[derive(Debug, Clone)]
pub enum ListenerProtocol {
    /// Plain HTTP/1.1.
    Http,
    /// HTTP/1.1 over TLS terminated by the listener.
    Https(HttpsListener),
}

impl ListenerProtocol {
    /// AWS's name: `HTTP` or `HTTPS`.
    pub fn aws_name(&self) -> &'static str {
        match self {
            ListenerProtocol::Http => "HTTP",
            ListenerProtocol::Https(_) => "HTTPS",
        }
    }
}

/// The TLS settings of an HTTPS listener.
#[derive(Debug, Clone)]
pub struct HttpsListener {
    /// Served when the client sends no SNI or no certificate in the list matches it.
    pub default_certificate: Arc<CertifiedKey>,
    /// The certificate list, chosen from by the client's SNI (see the crate docs for the
    /// order when several match).
    pub certificates: Vec<Arc<CertifiedKey>>,
    /// The security policy: TLS versions offered to clients, and the backend policy.
    pub security_policy: SecurityPolicy,
}

impl HttpsListener {
    /// An HTTPS listener serving `default_certificate` under the console's default policy
    /// (`ELBSecurityPolicy-TLS13-1-2-2021-06`), with an empty certificate list.
    pub fn new(default_certificate: Arc<CertifiedKey>) -> Self {
        HttpsListener {
            default_certificate,
            certificates: Vec::new(),
            security_policy: SecurityPolicy::default(),
        }
    }
}

/// A target group: registered targets, how the ALB speaks to them and how it picks one.
#[derive(Debug, Clone)]
pub struct TargetGroup {
    /// The group's name, as `forward` actions name it.
    pub name: String,
    /// `HTTP` or `HTTPS` to the targets.
    pub protocol: TargetProtocol,
    /// The registered targets; none makes every request forwarded here a 503.
    pub targets: Vec<TargetEndpoint>,
    /// `Some` checks every target's health and forwards only to healthy ones (or to all when
    /// none is); `None` checks nothing and treats every target as healthy.
    pub health_check: Option<HealthCheck>,
    /// How a target is picked for each request.
    pub algorithm: LoadBalancingAlgorithm,
}

impl TargetGroup {
    /// A target group with AWS's defaults: round robin, and the ALB's default health check
    /// ([`default_health_check`](crate::default_health_check)).
    pub fn new(
        name: impl Into<String>,
        protocol: TargetProtocol,
        targets: Vec<TargetEndpoint>,
    ) -> Self {
        TargetGroup {
            name: name.into(),
            protocol,
            targets,
            health_check: Some(default_health_check()),
            algorithm: LoadBalancingAlgorithm::default(),
        }
    }
}

/// How the ALB speaks to a target group's targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetProtocol {
    /// Plain HTTP/1.1.
    Http,
    /// HTTP/1.1 over TLS, without validating the target's certificate and without SNI.
    Https,
}

impl TargetProtocol {
    /// AWS's name: `HTTP` or `HTTPS`.
    pub fn aws_name(self) -> &'static str {
        match self {
            TargetProtocol::Http => "HTTP",
            TargetProtocol::Https => "HTTPS",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_aws_names() {
        assert_eq!(TargetProtocol::Https.aws_name(), "HTTPS");
        assert_eq!(ListenerProtocol::Http.aws_name(), "HTTP");
    }

    #[test]
    fn new_listeners_and_groups_have_aws_defaults() {
        let listener = ListenerConfig::new(
            "web",
            80,
            ListenerProtocol::Http,
            Action::Forward(crate::Forward::to("app")),
        );
        assert_eq!(listener.hop.to_string(), "alb:web:80");
        assert_eq!(listener.idle_timeout, Duration::from_secs(60));
        let group = TargetGroup::new("app", TargetProtocol::Http, Vec::new());
        assert_eq!(group.health_check, Some(default_health_check()));
        assert_eq!(group.algorithm, LoadBalancingAlgorithm::RoundRobin);
    }
}
