//! One target group as a running listener holds it: its targets' connection pools, their
//! health, their requests in flight, and the choice of a target for each request.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hoplab_hop::{HealthChecker, HealthOverrides, HealthTable, group_health};
use hoplab_trace::{EventLog, HopId};

use crate::balance::{RoundRobin, least_outstanding};
use crate::upstream::TargetPool;
use crate::{AlbError, LoadBalancingAlgorithm, TargetGroup, TargetProtocol};

/// A running target group.
pub(crate) struct Group {
    pub(crate) name: String,
    algorithm: LoadBalancingAlgorithm,
    health: Arc<HealthTable>,
    /// One per registered target, in registration order.
    pub(crate) pools: Vec<TargetPool>,
    outstanding: Vec<AtomicUsize>,
    turn: RoundRobin,
}

/// A target chosen for one request; while it lives, the request counts as outstanding.
pub(crate) struct Chosen<'a> {
    group: &'a Group,
    index: usize,
}

impl Chosen<'_> {
    /// The chosen target's pool.
    pub(crate) fn pool(&self) -> &TargetPool {
        &self.group.pools[self.index]
    }
}

impl Drop for Chosen<'_> {
    fn drop(&mut self) {
        self.group.outstanding[self.index].fetch_sub(1, Ordering::Relaxed);
    }
}

impl Group {
    /// The running form of `group` for the listener `hop` listening on `addr`, and the health
    /// checker of its targets if it has a check and targets; `overrides` forces its targets'
    /// health by hand.
    pub(crate) fn new(
        hop: &HopId,
        group: TargetGroup,
        events: &EventLog,
        addr: SocketAddr,
        overrides: &HealthOverrides,
    ) -> Result<(Self, Option<HealthChecker>), AlbError> {
        let (health, checker) = group_health(
            hop,
            &group.name,
            &group.targets,
            group.health_check.as_ref(),
            addr,
            events,
        )?;
        overrides.watch(&health);
        let checker = checker.map(HealthChecker::with_target_host);
        let https = group.protocol == TargetProtocol::Https;
        let running = Group {
            outstanding: group.targets.iter().map(|_| AtomicUsize::new(0)).collect(),
            pools: group
                .targets
                .into_iter()
                .map(|endpoint| TargetPool::new(endpoint, https))
                .collect(),
            name: group.name,
            algorithm: group.algorithm,
            health,
            turn: RoundRobin::default(),
        };
        Ok((running, checker))
    }

    /// The target for the next request, among the healthy ones (or all, when none is), by
    /// the group's algorithm; `None` when the group has no registered targets.
    pub(crate) fn choose(&self) -> Option<Chosen<'_>> {
        if self.pools.is_empty() {
            return None;
        }
        let index = match self.algorithm {
            LoadBalancingAlgorithm::RoundRobin => self.health.route(|n| self.turn.next(n)),
            LoadBalancingAlgorithm::LeastOutstandingRequests => {
                let start = self.turn.next(self.pools.len());
                self.health
                    .route_among(|routable| least_outstanding(routable, &self.outstanding, start))
            }
        };
        let index = index.min(self.pools.len() - 1);
        self.outstanding[index].fetch_add(1, Ordering::Relaxed);
        Some(Chosen { group: self, index })
    }
}
