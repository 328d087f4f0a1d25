//! Validated Application Load Balancers: each ALB, its listeners, and what a listener
//! serves and decides.
//!
//! A listener's rules are a [`RuleSet`] of `hoplab-alb-rules`, the same type the ALB listener
//! runs and checked by the same code, with the target groups of `forward` actions resolved to
//! [`TargetGroupId`]s. The static model evaluates it to predict which rule decides a request;
//! the runner turns it back into names for the listener.

use hoplab_alb_rules::{LoadBalancingAlgorithm, RuleSet};

use crate::ids::{AlbId, AlbListenerId, CertId, TargetGroupId};

pub use hoplab_alb_rules::SecurityPolicy as AlbSecurityPolicy;

/// An Application Load Balancer.
#[derive(Debug, Clone, PartialEq)]
pub struct Alb {
    pub(crate) id: AlbId,
    pub(crate) name: String,
    pub(crate) idle_timeout_seconds: u32,
    pub(crate) listeners: Vec<AlbListenerId>,
}

impl Alb {
    /// This ALB's id.
    pub fn id(&self) -> AlbId {
        self.id
    }

    /// Its name (what `integration_target`, `vpc_link` and an `alb` target group say).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `idle_timeout.timeout_seconds`: how long the ALB waits for a target's answer (and keeps
    /// an idle connection) before it answers 504 itself.
    pub fn idle_timeout_seconds(&self) -> u32 {
        self.idle_timeout_seconds
    }

    /// Its listeners, in file order; ports are unique.
    pub fn listeners(&self) -> &[AlbListenerId] {
        &self.listeners
    }
}

/// One ALB listener.
#[derive(Debug, Clone, PartialEq)]
pub struct AlbListener {
    pub(crate) id: AlbListenerId,
    pub(crate) alb: AlbId,
    /// `alb:<alb>:<port>`.
    pub(crate) hop_name: String,
    pub(crate) port: u16,
    pub(crate) protocol: AlbListenerProtocol,
    pub(crate) rules: RuleSet<TargetGroupId>,
}

impl AlbListener {
    /// This listener's id.
    pub fn id(&self) -> AlbListenerId {
        self.id
    }

    /// The ALB it belongs to.
    pub fn alb(&self) -> AlbId {
        self.alb
    }

    /// `alb:<alb>:<port>`, how expectations and reports name it.
    pub fn hop_name(&self) -> &str {
        &self.hop_name
    }

    /// The listener port as AWS would show it (on loopback it is bound to a free port).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// HTTP, or HTTPS with its certificates and security policy.
    pub fn protocol(&self) -> &AlbListenerProtocol {
        &self.protocol
    }

    /// Its rules, the default one last, each `forward` naming target groups by id; every
    /// group is an ALB (HTTP or HTTPS) target group.
    pub fn rules(&self) -> &RuleSet<TargetGroupId> {
        &self.rules
    }

    /// Every target group a rule forwards to, each once, in evaluation order.
    pub fn target_groups(&self) -> Vec<TargetGroupId> {
        let mut groups: Vec<TargetGroupId> = Vec::new();
        for group in self.rules.forwarded_groups() {
            if !groups.contains(group) {
                groups.push(*group);
            }
        }
        groups
    }
}

/// An ALB listener's protocol.
#[derive(Debug, Clone, PartialEq)]
pub enum AlbListenerProtocol {
    /// Plain HTTP/1.1.
    Http,
    /// HTTP/1.1 over TLS terminated by the listener.
    Https(AlbTls),
}

impl AlbListenerProtocol {
    /// The TLS settings, for an HTTPS listener.
    pub fn tls(&self) -> Option<&AlbTls> {
        match self {
            AlbListenerProtocol::Http => None,
            AlbListenerProtocol::Https(tls) => Some(tls),
        }
    }

    /// AWS's name: `HTTP` or `HTTPS`.
    pub fn as_str(&self) -> &'static str {
        match self {
            AlbListenerProtocol::Http => "HTTP",
            AlbListenerProtocol::Https(_) => "HTTPS",
        }
    }
}

/// The TLS settings of an HTTPS ALB listener.
#[derive(Debug, Clone, PartialEq)]
pub struct AlbTls {
    pub(crate) default_certificate: CertId,
    pub(crate) certificates: Vec<CertId>,
    pub(crate) security_policy: AlbSecurityPolicy,
}

impl AlbTls {
    /// Served when the client sends no SNI or nothing in the list matches it.
    pub fn default_certificate(&self) -> CertId {
        self.default_certificate
    }

    /// The certificate list, chosen among by SNI with the ALB's preference (ECDSA, then the
    /// larger key, then the later expiry; ties to the first listed). No certificate is
    /// ED25519.
    pub fn certificates(&self) -> &[CertId] {
        &self.certificates
    }

    /// The security policy: TLS versions offered to clients, and the backend policy toward
    /// HTTPS targets ([`AlbSecurityPolicy::backend`]).
    pub fn security_policy(&self) -> AlbSecurityPolicy {
        self.security_policy
    }
}

/// What a target group's targets are, AWS's `TargetType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TargetType {
    /// Targets registered by address (`"ip"`, the default): the scenario's `[targets]`.
    #[default]
    Ip,
    /// One ALB (`"alb"`): an NLB TCP target group whose target is this ALB listener.
    Alb(AlbListenerId),
}

impl TargetType {
    /// The spelling of each kind (`ip`, `alb`), the one table the validator reads.
    pub(crate) const SPELLINGS: [(&'static str, bool); 2] = [("ip", false), ("alb", true)];
}

/// Which load balancer a target group belongs behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BalancerKind {
    /// A Network Load Balancer (TCP or TLS target groups).
    Nlb,
    /// An Application Load Balancer (HTTP or HTTPS target groups).
    Alb,
}

/// An ALB listener's `protocol` spellings: whether it is HTTPS.
pub(crate) const ALB_LISTENER_PROTOCOLS: [(&str, bool); 2] = [("HTTP", false), ("HTTPS", true)];

/// The ALB target groups' algorithms, as a scenario spells them.
pub(crate) fn algorithm_spellings() -> Vec<(&'static str, LoadBalancingAlgorithm)> {
    LoadBalancingAlgorithm::ALL.to_vec()
}

/// The ALB security policies, as a scenario spells them (AWS's names).
pub(crate) fn alb_policy_spellings() -> Vec<(&'static str, AlbSecurityPolicy)> {
    AlbSecurityPolicy::all().map(|p| (p.name(), p)).collect()
}
