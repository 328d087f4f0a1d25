//! Why a scenario could not be run.

/// A scenario could not be stood up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The PKI could not be generated.
    #[error("generating certificates: {0}")]
    Pki(#[from] hoplab_pki::PkiError),
    /// A trusted CA could not be loaded into the gateway's trust store.
    #[error("loading trusted CA #{index}: {detail}")]
    Trust {
        /// Position among the trusted authorities.
        index: usize,
        /// What went wrong.
        detail: String,
    },
    /// A background task failed.
    #[error("background task failed: {0}")]
    Task(String),
    /// A target group's health check could not be built (its matcher).
    #[error("health check: {0}")]
    HealthCheck(#[from] hoplab_hop::HealthError),
    /// A socket could not be bound.
    #[error("binding {what} on {addr}: {source}")]
    Bind {
        /// Which hop.
        what: String,
        /// The address tried.
        addr: std::net::SocketAddr,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The process may not open as many files as the topology needs; nothing was bound.
    #[error(
        "the scenario needs about {needed} open files ({targets} targets, each hop's socket and \
         connections) but this process may open {limit}: raise the limit (`ulimit -n {needed}`) \
         or split the scenario"
    )]
    OpenFileLimit {
        /// About how many files the topology needs.
        needed: u64,
        /// The process's soft limit.
        limit: u64,
        /// The scenario's targets.
        targets: usize,
    },
    /// A target could not be stopped or served again.
    #[error("target {target}: {detail}")]
    TargetControl {
        /// The target's name.
        target: String,
        /// What went wrong.
        detail: String,
    },
    /// A load balancer listener could not be changed.
    #[error("listener {listener}: {reason}")]
    ListenerControl {
        /// The listener's hop id.
        listener: String,
        /// Why the change was refused (boxed: the load balancers' errors are large).
        #[source]
        reason: Box<ListenerRefusal>,
    },
}

/// Why a lab refused to change a listener's certificate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ListenerRefusal {
    /// The scenario has no certificate of that name.
    #[error(transparent)]
    UnknownCertificate(#[from] UnknownCertificate),
    /// The lab has no TLS or HTTPS listener of that name.
    #[error(
        "no TLS or HTTPS listener of that name in this lab; they are: {}",
        if known.is_empty() { "none".to_owned() } else { known.join(", ") }
    )]
    UnknownListener {
        /// The hop ids of the listeners it has.
        known: Vec<String>,
    },
    /// The NLB listener refused the certificate.
    #[error(transparent)]
    Nlb(#[from] hoplab_nlb::NlbError),
    /// The ALB listener refused the certificate.
    #[error(transparent)]
    Alb(#[from] hoplab_alb::AlbError),
}

/// A certificate name the scenario does not have.
#[derive(Debug, thiserror::Error)]
#[error("no certificate {name:?} in this scenario; the certificates are: {}", known.join(", "))]
pub struct UnknownCertificate {
    /// The name asked for.
    pub name: String,
    /// The scenario's certificate names.
    pub known: Vec<String>,
}
