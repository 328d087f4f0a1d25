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
    #[error("listener {listener}: {detail}")]
    ListenerControl {
        /// The listener's hop id.
        listener: String,
        /// What went wrong.
        detail: String,
    },
}
