//! A listener's certificates as values that can be replaced while the listener serves: one
//! slot for the default certificate and one per SNI list entry, each read whole at a
//! handshake and replaced whole by a control change.

use std::sync::{Arc, PoisonError, RwLock};

use crate::ListenerCertificate;

/// One value per certificate of a listener (default, then the list in order), each
/// replaceable while readers hold the previous one.
///
/// The NLB and the ALB keep what they serve for each certificate here (`T` is their own
/// view of a certificate); what `T` holds is theirs to decide.
#[derive(Debug)]
pub struct CertificateSlots<T> {
    default: RwLock<Arc<T>>,
    list: Vec<RwLock<Arc<T>>>,
}

impl<T> CertificateSlots<T> {
    /// The slots of a listener serving `default` and the SNI list `list`.
    pub fn new(default: T, list: impl IntoIterator<Item = T>) -> Self {
        CertificateSlots {
            default: RwLock::new(Arc::new(default)),
            list: list.into_iter().map(|t| RwLock::new(Arc::new(t))).collect(),
        }
    }

    /// What the default certificate's slot holds now.
    pub fn default(&self) -> Arc<T> {
        read(&self.default)
    }

    /// What each list entry's slot holds now, in list order.
    pub fn list(&self) -> impl Iterator<Item = Arc<T>> + '_ {
        self.list.iter().map(read)
    }

    /// How many certificates the SNI list holds.
    pub fn listed(&self) -> usize {
        self.list.len()
    }

    /// What `which` holds now; `None` when the list has no such entry.
    pub fn get(&self, which: ListenerCertificate) -> Option<Arc<T>> {
        self.slot(which).map(read)
    }

    /// Replaces what `which` holds, from the next read on; `false` (and nothing changes)
    /// when the list has no such entry.
    pub fn set(&self, which: ListenerCertificate, value: T) -> bool {
        let Some(slot) = self.slot(which) else {
            return false;
        };
        // Every write replaces the whole value, so a poisoned lock holds no torn state.
        *slot.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(value);
        true
    }

    fn slot(&self, which: ListenerCertificate) -> Option<&RwLock<Arc<T>>> {
        match which {
            ListenerCertificate::Default => Some(&self.default),
            ListenerCertificate::List(index) => self.list.get(index),
        }
    }
}

fn read<T>(slot: &RwLock<Arc<T>>) -> Arc<T> {
    Arc::clone(&slot.read().unwrap_or_else(PoisonError::into_inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replaced_slot_is_read_from_then_on_and_readers_keep_what_they_hold() {
        let slots = CertificateSlots::new("default", ["a", "b"]);
        let held = slots.get(ListenerCertificate::List(1)).unwrap();
        assert!(slots.set(ListenerCertificate::List(1), "expired"));
        assert_eq!(*held, "b");
        assert_eq!(
            slots.list().map(|v| *v).collect::<Vec<_>>(),
            ["a", "expired"]
        );
        assert!(slots.set(ListenerCertificate::Default, "other"));
        assert_eq!(*slots.default(), "other");
        assert!(!slots.set(ListenerCertificate::List(2), "nowhere"));
        assert!(slots.get(ListenerCertificate::List(2)).is_none());
        assert_eq!(slots.listed(), 2);
    }
}
