//! The task that checks one target group's targets until shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hoplab_trace::{EventLog, HopId, Observation};
use tokio::task::JoinSet;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::probe::Prober;
use super::{HealthCheck, HealthTable};
use crate::{HealthError, TargetEndpoint};

/// A target group's health table and, when the group has a `check` and targets, the checker
/// that keeps it current: what a load balancer listener sets up for each of its target
/// groups. Without a check, every target stays healthy. `host` is the listener's address
/// (HTTP and HTTPS checks send it as `Host` unless told otherwise).
///
/// # Errors
/// [`HealthError`] when `check` cannot run.
pub fn group_health(
    hop: &HopId,
    group: &str,
    targets: &[TargetEndpoint],
    check: Option<&HealthCheck>,
    host: SocketAddr,
    events: &EventLog,
) -> Result<(Arc<HealthTable>, Option<HealthChecker>), HealthError> {
    let (healthy, unhealthy) =
        check.map_or((1, 1), |c| (c.healthy_threshold, c.unhealthy_threshold));
    let table = Arc::new(HealthTable::new(
        hop.clone(),
        group.to_owned(),
        targets.iter().map(|t| t.hop.clone()).collect(),
        healthy,
        unhealthy,
        events.clone(),
    ));
    let checker = match check {
        Some(check) if !targets.is_empty() => Some(HealthChecker::new(
            hop,
            group,
            targets.to_vec(),
            check,
            host,
            Arc::clone(&table),
            events.clone(),
        )?),
        _ => None,
    };
    Ok((table, checker))
}

/// Checks every target of one target group on a schedule and feeds the results to the
/// group's [`HealthTable`].
pub struct HealthChecker {
    hop: HopId,
    group: String,
    targets: Vec<TargetEndpoint>,
    interval: Duration,
    /// Rounds of checks to run before the listener accepts (0: none).
    settle_rounds: u32,
    prober: Prober,
    table: Arc<HealthTable>,
    events: EventLog,
}

impl HealthChecker {
    /// A checker for `targets` of `group`, run by the listener `hop` listening on `host`.
    pub fn new(
        hop: &HopId,
        group: &str,
        targets: Vec<TargetEndpoint>,
        check: &HealthCheck,
        host: SocketAddr,
        table: Arc<HealthTable>,
        events: EventLog,
    ) -> Result<Self, HealthError> {
        check.check(hop, group)?;
        Ok(HealthChecker {
            hop: hop.clone(),
            group: group.to_owned(),
            targets,
            interval: check.interval,
            settle_rounds: if check.settle_before_serving {
                check.unhealthy_threshold
            } else {
                0
            },
            prober: Prober::new(hop, check, host)?,
            table,
            events,
        })
    }

    /// Makes HTTP and HTTPS checks carry `Host: <target ip>:<port>`, as an ALB's do (AWS),
    /// instead of the listener's address, as an NLB's do.
    #[must_use]
    pub fn with_target_host(mut self) -> Self {
        self.prober.use_target_host();
        self
    }

    /// When the check asks to settle before serving, runs `unhealthy_threshold` rounds of
    /// checks of every target (each round checks all targets at once and waits for them),
    /// without waiting for the interval; returns early on `shutdown`.
    pub async fn settle(self: &Arc<Self>, shutdown: &CancellationToken) {
        let rounds = self.settle_rounds;
        if rounds == 0 {
            return;
        }
        for _ in 0..rounds {
            let mut round = JoinSet::new();
            for index in 0..self.targets.len() {
                let checker = Arc::clone(self);
                round.spawn(async move { checker.check_once(index).await });
            }
            tokio::select! {
                () = shutdown.cancelled() => {
                    round.shutdown().await;
                    break;
                }
                () = async { while round.join_next().await.is_some() {} } => {}
            }
        }
        tracing::info!(hop = %self.hop, rounds, "target health settled");
    }

    /// Checks every target, each on its own schedule, until `shutdown` is cancelled; a check
    /// in flight then is abandoned.
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        let mut checks = JoinSet::new();
        for index in 0..self.targets.len() {
            let span = tracing::debug_span!(
                "health check",
                hop = %self.hop,
                target = %self.targets[index].hop,
                server.addr = %self.targets[index].addr,
            );
            checks.spawn(Arc::clone(&self).check_forever(index).instrument(span));
        }
        shutdown.cancelled().await;
        checks.shutdown().await;
    }

    /// Checks target `index` at once, then every interval; a slow check delays the next.
    async fn check_forever(self: Arc<Self>, index: usize) {
        let mut ticker = tokio::time::interval(self.interval);
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            self.check_once(index).await;
        }
    }

    /// Checks target `index` once and records the result.
    async fn check_once(&self, index: usize) {
        let target = &self.targets[index];
        let probe = self.prober.probe(target.addr).await;
        tracing::debug!(passed = probe.passed, detail = %probe.detail, "health check done");
        self.events.record(Observation::HealthChecked {
            hop: self.hop.clone(),
            group: self.group.clone(),
            target: target.hop.clone(),
            probe: probe.conn,
            passed: probe.passed,
            detail: probe.detail,
        });
        self.table.report(index, probe.passed, &probe.reason);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_gets_a_checker_only_with_a_check_and_targets() {
        let hop = HopId::alb("web", 443);
        let host = SocketAddr::from(([127, 0, 0, 1], 443));
        let events = EventLog::new();
        let targets = [TargetEndpoint {
            hop: HopId::target("app"),
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
        }];
        let check = HealthCheck::http("/");
        let with = |targets: &[TargetEndpoint], check| {
            group_health(&hop, "tg", targets, check, host, &events).map(|(_, c)| c.is_some())
        };
        assert!(with(&targets, Some(&check)).unwrap());
        assert!(!with(&targets, None).unwrap());
        assert!(!with(&[], Some(&check)).unwrap());
        let mut broken = check.clone();
        broken.interval = Duration::ZERO;
        assert!(with(&targets, Some(&broken)).is_err());
        let (table, _) = group_health(&hop, "tg", &targets, None, host, &events).unwrap();
        assert_eq!(
            table.route(|n| n - 1),
            0,
            "without a check every target is routable"
        );
    }
}
