//! The health of each target of one listener's target group, shared by the checker (which
//! writes it) and the forwarder (which routes by it).

use std::sync::{Mutex, MutexGuard};

use hoplab_trace::{EventLog, HopId, Observation};

/// One target's state and its run of results contrary to it.
#[derive(Debug, Clone, Copy)]
struct TargetState {
    /// What the health checks concluded.
    healthy: bool,
    /// Consecutive passes while unhealthy, or consecutive failures while healthy.
    contrary: u32,
    /// A state set by hand ([`HealthTable::force`]), which routing follows instead of the
    /// checks' while it is set.
    forced: Option<bool>,
}

impl TargetState {
    /// Whether new flows may treat the target as healthy: the forced state if any, else the
    /// checks'.
    fn routable(self) -> bool {
        self.forced.unwrap_or(self.healthy)
    }
}

/// The health of every target of a target group, in registration order.
#[derive(Debug)]
pub struct HealthTable {
    hop: HopId,
    group: String,
    targets: Vec<HopId>,
    healthy_threshold: u32,
    unhealthy_threshold: u32,
    events: EventLog,
    states: Mutex<Vec<TargetState>>,
}

impl HealthTable {
    /// Every target of `group` starts healthy; transitions are recorded in `events` with
    /// `hop` (the listener) as the observer.
    pub fn new(
        hop: HopId,
        group: String,
        targets: Vec<HopId>,
        healthy_threshold: u32,
        unhealthy_threshold: u32,
        events: EventLog,
    ) -> Self {
        let initial = TargetState {
            healthy: true,
            contrary: 0,
            forced: None,
        };
        HealthTable {
            hop,
            group,
            states: Mutex::new(vec![initial; targets.len()]),
            targets,
            healthy_threshold,
            unhealthy_threshold,
            events,
        }
    }

    /// The index of the target a new flow goes to: `pick(n)` chooses among the `n` routable
    /// targets, in registration order, which are the healthy ones, or all of them when none is
    /// healthy (fail open). Nothing is allocated: this runs for every connection.
    pub fn route(&self, pick: impl FnOnce(usize) -> usize) -> usize {
        let states = self.lock();
        let healthy = states.iter().filter(|s| s.routable()).count();
        if healthy == 0 {
            return pick(states.len());
        }
        let nth = pick(healthy);
        states
            .iter()
            .enumerate()
            .filter(|(_, s)| s.routable())
            .nth(nth)
            .map_or(0, |(i, _)| i)
    }

    /// Like [`route`](Self::route), for pickers that must know which targets they choose
    /// among (least outstanding requests, for one): `pick` is handed the indices of the
    /// routable targets, in registration order, and returns one of them. Nothing is
    /// allocated.
    pub fn route_among(
        &self,
        pick: impl FnOnce(&mut dyn Iterator<Item = usize>) -> usize,
    ) -> usize {
        let states = self.lock();
        let any_healthy = states.iter().any(|s| s.routable());
        let mut routable = states
            .iter()
            .enumerate()
            .filter(|(_, s)| s.routable() || !any_healthy)
            .map(|(i, _)| i);
        pick(&mut routable)
    }

    /// The indices of the targets new flows may go to, as [`route`](Self::route) picks from.
    #[cfg(test)]
    fn routable(&self) -> Vec<usize> {
        let mut n = 0;
        self.route(|routable| {
            n = routable;
            0
        });
        (0..n).map(|k| self.route(|_| k)).collect()
    }

    /// Records the result of one check of target `index`. `reason` says why it failed, in
    /// AWS's words; it becomes the `HealthChanged` reason if this failure makes the target
    /// unhealthy. State and observations change together, under one lock, so the log's order
    /// is the order the state changed in. While the target's state is forced, the checks
    /// still move its checked state (silently: routing does not follow it until the force is
    /// cleared).
    pub fn report(&self, index: usize, passed: bool, reason: &str) {
        let mut states = self.lock();
        let Some(state) = states.get(index).copied() else {
            return;
        };
        let threshold = if state.healthy {
            self.unhealthy_threshold
        } else {
            self.healthy_threshold
        };
        let next = if passed == state.healthy {
            TargetState {
                contrary: 0,
                ..state
            }
        } else if state.contrary + 1 >= threshold {
            TargetState {
                healthy: passed,
                contrary: 0,
                ..state
            }
        } else {
            TargetState {
                contrary: state.contrary + 1,
                ..state
            }
        };
        let reason = if next.healthy {
            format!("passed {} health checks in a row", self.healthy_threshold)
        } else {
            format!(
                "{reason} ({} failed health checks in a row)",
                self.unhealthy_threshold
            )
        };
        self.change(&mut states, index, next, &reason);
    }

    /// Forces the state of `target` (every registration of it in this group): `Some` makes
    /// routing treat it as healthy or unhealthy whatever the checks say, `None` hands it back
    /// to the checks. Records a `HealthChanged` when that changes the state routing sees (and
    /// `FailOpen` when that starts or ends failing open). Returns whether the group holds
    /// `target`.
    pub fn force(&self, target: &HopId, forced: Option<bool>) -> bool {
        let mut states = self.lock();
        let mut holds = false;
        for index in 0..self.targets.len() {
            if self.targets[index] != *target {
                continue;
            }
            holds = true;
            let next = TargetState {
                forced,
                ..states[index]
            };
            let reason = match forced {
                Some(true) => "marked healthy by hand; health checks are overridden".to_owned(),
                Some(false) => "marked unhealthy by hand; health checks are overridden".to_owned(),
                None => format!(
                    "override cleared; the health checks say {}",
                    if next.healthy { "healthy" } else { "unhealthy" }
                ),
            };
            self.change(&mut states, index, next, &reason);
        }
        holds
    }

    /// Sets target `index` to `next`, recording `HealthChanged` (with `reason`) when the
    /// state routing sees changes, and `FailOpen` when that starts or ends failing open.
    fn change(&self, states: &mut [TargetState], index: usize, next: TargetState, reason: &str) {
        let before = states[index];
        let any_healthy_before = states.iter().any(|s| s.routable());
        states[index] = next;
        if next.routable() == before.routable() {
            return;
        }
        let healthy = next.routable();
        let target = self.targets[index].clone();
        tracing::info!(hop = %self.hop, %target, healthy, %reason, "target health changed");
        self.events.record(Observation::HealthChanged {
            hop: self.hop.clone(),
            group: self.group.clone(),
            target,
            healthy,
            reason: reason.to_owned(),
        });
        let any_healthy_after = states.iter().any(|s| s.routable());
        if any_healthy_before != any_healthy_after {
            let active = !any_healthy_after;
            tracing::info!(hop = %self.hop, group = %self.group, active, "fail open");
            self.events.record(Observation::FailOpen {
                hop: self.hop.clone(),
                group: self.group.clone(),
                active,
            });
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<TargetState>> {
        // Every update writes one whole `TargetState`, so a poisoned lock holds no torn state.
        self.states
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(n: usize, events: &EventLog) -> HealthTable {
        let targets = (0..n).map(|i| HopId::target(format!("t{i}"))).collect();
        HealthTable::new(
            HopId::nlb("internal", 443),
            "tg".to_owned(),
            targets,
            3,
            2,
            events.clone(),
        )
    }

    fn changes(events: &EventLog) -> Vec<String> {
        events
            .snapshot()
            .into_iter()
            .map(|o| match o {
                Observation::HealthChanged {
                    target, healthy, ..
                } => format!("{target} {}", if healthy { "healthy" } else { "unhealthy" }),
                Observation::FailOpen { active, .. } => format!("fail open {active}"),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn targets_start_healthy_and_flip_after_their_thresholds() {
        let events = EventLog::new();
        let t = table(2, &events);
        assert_eq!(t.routable(), [0, 1]);
        t.report(0, false, "Target.Timeout: Request timed out");
        assert_eq!(t.routable(), [0, 1], "one failure is below the threshold");
        t.report(0, true, "");
        t.report(0, false, "x");
        assert_eq!(t.routable(), [0, 1], "a pass resets the run of failures");
        t.report(0, false, "Target.Timeout: Request timed out");
        assert_eq!(t.routable(), [1]);
        t.report(0, true, "");
        t.report(0, true, "");
        t.report(0, false, "x");
        t.report(0, true, "");
        t.report(0, true, "");
        assert_eq!(t.routable(), [1], "a failure resets the run of passes");
        t.report(0, true, "");
        assert_eq!(t.routable(), [0, 1]);
        assert_eq!(
            changes(&events),
            ["target:t0 unhealthy", "target:t0 healthy"]
        );
        let Observation::HealthChanged { reason, .. } = &events.snapshot()[0] else {
            unreachable!()
        };
        assert_eq!(
            reason,
            "Target.Timeout: Request timed out (2 failed health checks in a row)"
        );
    }

    #[test]
    fn when_every_target_is_unhealthy_all_are_routable() {
        let events = EventLog::new();
        let t = table(2, &events);
        for _ in 0..2 {
            t.report(0, false, "a");
            t.report(1, false, "b");
        }
        assert_eq!(t.routable(), [0, 1]);
        for _ in 0..3 {
            t.report(1, true, "");
        }
        assert_eq!(t.routable(), [1]);
        assert_eq!(
            changes(&events),
            [
                "target:t0 unhealthy",
                "target:t1 unhealthy",
                "fail open true",
                "target:t1 healthy",
                "fail open false",
            ]
        );
        t.report(7, false, "out of range is ignored");
    }

    #[test]
    fn a_forced_state_wins_over_the_checks_until_cleared_and_fail_open_still_holds() {
        let events = EventLog::new();
        let t = table(2, &events);
        assert!(t.force(&HopId::target("t0"), Some(false)));
        assert_eq!(t.routable(), [1]);
        for _ in 0..3 {
            t.report(0, true, "");
        }
        assert_eq!(t.routable(), [1], "passing checks do not undo the force");
        assert!(t.force(&HopId::target("t1"), Some(false)));
        assert_eq!(t.routable(), [0, 1], "none routable: fail open");
        t.force(&HopId::target("t1"), Some(true));
        for _ in 0..2 {
            t.report(1, false, "Target.Timeout");
        }
        assert_eq!(
            t.routable(),
            [1],
            "failing checks do not undo a forced healthy"
        );
        t.force(&HopId::target("t1"), None);
        assert_eq!(
            t.routable(),
            [0, 1],
            "cleared: the checks say unhealthy; fail open"
        );
        t.force(&HopId::target("t0"), None);
        assert_eq!(
            t.routable(),
            [0],
            "cleared: the checks said healthy all along"
        );
        assert!(!t.force(&HopId::target("elsewhere"), Some(true)));
        assert_eq!(
            changes(&events),
            [
                "target:t0 unhealthy",
                "target:t1 unhealthy",
                "fail open true",
                "target:t1 healthy",
                "fail open false",
                "target:t1 unhealthy",
                "fail open true",
                "target:t0 healthy",
                "fail open false",
            ]
        );
    }

    #[test]
    fn route_among_sees_the_same_targets_as_route() {
        let events = EventLog::new();
        let t = table(3, &events);
        let among = |t: &HealthTable| {
            let mut seen = Vec::new();
            t.route_among(|routable| {
                seen.extend(routable);
                seen[0]
            });
            seen
        };
        assert_eq!(among(&t), [0, 1, 2]);
        for _ in 0..2 {
            t.report(1, false, "x");
        }
        assert_eq!(among(&t), [0, 2]);
        assert_eq!(among(&t), t.routable());
        assert_eq!(t.route_among(|routable| routable.nth(1).unwrap()), 2);
        for _ in 0..2 {
            t.report(0, false, "x");
            t.report(2, false, "x");
        }
        assert_eq!(among(&t), [0, 1, 2], "fail open: all are routable");
    }
}
