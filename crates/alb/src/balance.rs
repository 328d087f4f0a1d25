//! Picking where a request goes: a target group of a weighted `forward`, then a target of
//! the group.
//!
//! Choices where AWS is silent (docs/choices.md):
//! - **Weighted forward** is a smooth weighted round robin (nginx's): over any run of
//!   `sum(weights)` requests each group gets exactly its weight's share, interleaved, so a
//!   scenario's outcome does not depend on chance. AWS does not say how it spreads requests.
//! - **Least outstanding requests** counts the requests this listener has in flight to each
//!   target; ties go round robin.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Smooth weighted round robin over a fixed list of weights.
#[derive(Debug)]
pub(crate) struct WeightedRotation {
    weights: Vec<i64>,
    total: i64,
    current: Mutex<Vec<i64>>,
}

impl WeightedRotation {
    /// A rotation over `weights`, at least one of which is above zero.
    pub(crate) fn new(weights: impl IntoIterator<Item = u16>) -> Self {
        let weights: Vec<i64> = weights.into_iter().map(i64::from).collect();
        let total = weights.iter().sum();
        WeightedRotation {
            current: Mutex::new(vec![0; weights.len()]),
            weights,
            total,
        }
    }

    /// The index of the next choice. A weight of zero is never chosen (unless every weight
    /// is zero, when the first is).
    pub(crate) fn next(&self) -> usize {
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut best = 0;
        for (i, weight) in self.weights.iter().enumerate() {
            current[i] += weight;
            if *weight > 0 && (self.weights[best] == 0 || current[i] > current[best]) {
                best = i;
            }
        }
        current[best] -= self.total;
        best
    }
}

/// A round-robin counter.
#[derive(Debug, Default)]
pub(crate) struct RoundRobin(AtomicUsize);

impl RoundRobin {
    /// The next position among `n` (0 when `n` is 0).
    pub(crate) fn next(&self, n: usize) -> usize {
        let turn = self.0.fetch_add(1, Ordering::Relaxed);
        turn.checked_rem(n).unwrap_or(0)
    }
}

/// Among `routable` target indices, the one with the fewest requests in flight
/// (`outstanding[index]`); ties go to the first at or after position `start` of `0..n`, going
/// round. Returns 0 when `routable` is empty.
pub(crate) fn least_outstanding(
    routable: &mut dyn Iterator<Item = usize>,
    outstanding: &[AtomicUsize],
    start: usize,
) -> usize {
    let n = outstanding.len().max(1);
    routable
        .min_by_key(|&index| {
            let load = outstanding
                .get(index)
                .map_or(usize::MAX, |o| o.load(Ordering::Relaxed));
            (load, (index + n - start % n) % n)
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picks(rotation: &WeightedRotation, n: usize) -> Vec<usize> {
        (0..n).map(|_| rotation.next()).collect()
    }

    #[test]
    fn weighted_rotation_gives_each_its_share_interleaved() {
        let rotation = WeightedRotation::new([5, 1, 1]);
        assert_eq!(picks(&rotation, 7), [0, 0, 1, 0, 2, 0, 0]);
        assert_eq!(
            picks(&rotation, 7),
            [0, 0, 1, 0, 2, 0, 0],
            "the cycle repeats"
        );

        let rotation = WeightedRotation::new([80, 20]);
        let mut counts = [0; 2];
        for pick in picks(&rotation, 1000) {
            counts[pick] += 1;
        }
        assert_eq!(counts, [800, 200]);
    }

    #[test]
    fn zero_weights_are_never_chosen() {
        let rotation = WeightedRotation::new([0, 3, 0, 1]);
        let chosen = picks(&rotation, 40);
        assert!(chosen.iter().all(|&i| i == 1 || i == 3), "{chosen:?}");
        assert_eq!(chosen.iter().filter(|&&i| i == 3).count(), 10);
        assert_eq!(picks(&WeightedRotation::new([7]), 3), [0, 0, 0]);
    }

    #[test]
    fn round_robin_goes_round() {
        let rr = RoundRobin::default();
        let turns: Vec<usize> = (0..7).map(|_| rr.next(3)).collect();
        assert_eq!(turns, [0, 1, 2, 0, 1, 2, 0]);
        assert_eq!(rr.next(0), 0);
    }

    #[test]
    fn least_outstanding_prefers_the_idlest_routable_target() {
        let outstanding: Vec<AtomicUsize> =
            [3, 1, 1, 0].into_iter().map(AtomicUsize::new).collect();
        let pick = |routable: &[usize], start| {
            least_outstanding(&mut routable.iter().copied(), &outstanding, start)
        };
        assert_eq!(pick(&[0, 1, 2, 3], 0), 3);
        assert_eq!(pick(&[0, 1, 2], 0), 1, "3 is not routable; 1 and 2 tie");
        assert_eq!(
            pick(&[0, 1, 2], 2),
            2,
            "the tie goes round from the start position"
        );
        assert_eq!(pick(&[0, 1, 2], 3), 1);
        assert_eq!(pick(&[0], 1), 0);
        assert_eq!(pick(&[], 1), 0);
    }
}
