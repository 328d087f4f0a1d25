//! What one listener serves and where it forwards.

use std::sync::Arc;

use hoplab_trace::HopId;
use rustls::sign::CertifiedKey;

use crate::{AlpnPolicy, HealthCheck, SecurityPolicy, TargetEndpoint};

/// One NLB listener and its target group.
#[derive(Debug, Clone)]
pub struct ListenerConfig {
    /// The listener's hop id (`HopId::NlbListener { nlb, port }`).
    pub hop: HopId,
    /// `Some` makes this a TLS listener, which terminates TLS; `None` a TCP listener, which
    /// passes bytes through untouched.
    pub tls: Option<TlsTermination>,
    /// Where accepted connections go.
    pub target_group: TargetGroup,
}

/// The TLS settings of a TLS listener.
#[derive(Debug, Clone)]
pub struct TlsTermination {
    /// Served when the client sends no SNI or no certificate in `certificates` matches it.
    pub default_certificate: Arc<CertifiedKey>,
    /// The certificate list: the first whose leaf DNS names match the client's SNI is served.
    pub certificates: Vec<Arc<CertifiedKey>>,
    /// The security policy; see [`SecurityPolicy::tls_versions`] for what each allows here.
    pub security_policy: SecurityPolicy,
    /// The ALPN policy; [`AlpnPolicy::None`] (the default) negotiates no ALPN. Any other
    /// policy needs a TLS target group.
    pub alpn_policy: AlpnPolicy,
}

impl TlsTermination {
    /// A TLS listener serving `default_certificate` under `security_policy`, with an empty
    /// certificate list and no ALPN.
    pub fn new(default_certificate: Arc<CertifiedKey>, security_policy: SecurityPolicy) -> Self {
        TlsTermination {
            default_certificate,
            certificates: Vec::new(),
            security_policy,
            alpn_policy: AlpnPolicy::default(),
        }
    }
}

/// A target group: the targets one listener forwards to, and how it speaks to them.
#[derive(Debug, Clone)]
pub struct TargetGroup {
    /// The target group's name, for logs and errors.
    pub name: String,
    /// `true` for a TLS target group: the NLB opens a new TLS session to the target and does
    /// not validate its certificate. `false` for TCP: bytes go to the target as they are (for a
    /// TLS listener, decrypted). Only a TLS listener may use a TLS target group.
    pub tls: bool,
    /// The registered targets; at least one.
    pub targets: Vec<TargetEndpoint>,
    /// `Some` checks every target's health and sends new flows only to healthy ones (or to
    /// all when none is healthy); `None` checks nothing and treats every target as healthy.
    pub health_check: Option<HealthCheck>,
}

impl TargetGroup {
    /// A target group without health checks.
    pub fn new(name: impl Into<String>, tls: bool, targets: Vec<TargetEndpoint>) -> Self {
        TargetGroup {
            name: name.into(),
            tls,
            targets,
            health_check: None,
        }
    }
}
