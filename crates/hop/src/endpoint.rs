//! A registered target, as a load balancer knows it.

use std::net::SocketAddr;

use hoplab_trace::HopId;

/// One registered target of a target group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetEndpoint {
    /// The target's hop id (`HopId::Target { name }`).
    pub hop: HopId,
    /// The address the target listens on.
    pub addr: SocketAddr,
}
