//! Target health set by hand across every target group of a lab: one registry that each
//! load balancer listener hands its groups' tables to, so a target marked healthy or
//! unhealthy is forced in every group that holds it, at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use hoplab_trace::HopId;

use super::HealthTable;

/// Targets whose health is forced, and the tables they are forced in. Cloning shares it.
#[derive(Debug, Clone, Default)]
pub struct HealthOverrides {
    inner: Arc<Mutex<Registry>>,
}

#[derive(Debug, Default)]
struct Registry {
    /// Forced states by target.
    forced: HashMap<HopId, bool>,
    /// Every table handed over, dropped once its listener has stopped.
    tables: Vec<Weak<HealthTable>>,
}

impl HealthOverrides {
    /// A registry with nothing forced and no tables.
    pub fn new() -> Self {
        HealthOverrides::default()
    }

    /// Forces, in `table` from now on, every target forced so far and every one forced
    /// later.
    pub fn watch(&self, table: &Arc<HealthTable>) {
        let mut registry = self.lock();
        for (target, healthy) in &registry.forced {
            table.force(target, Some(*healthy));
        }
        registry.tables.retain(|known| known.strong_count() > 0);
        registry.tables.push(Arc::downgrade(table));
    }

    /// Forces `target` healthy or unhealthy (`Some`) or hands it back to its health checks
    /// (`None`) in every watched table that holds it. Returns how many tables hold it.
    pub fn set(&self, target: &HopId, forced: Option<bool>) -> usize {
        let mut registry = self.lock();
        match forced {
            Some(healthy) => registry.forced.insert(target.clone(), healthy),
            None => registry.forced.remove(target),
        };
        registry.tables.retain(|known| known.strong_count() > 0);
        registry
            .tables
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|table| table.force(target, forced))
            .count()
    }

    /// The state `target` is forced to, if any.
    pub fn get(&self, target: &HopId) -> Option<bool> {
        self.lock().forced.get(target).copied()
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        // Every update leaves the map and the list whole, so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
