//! Bounded waits for what hops record: a test polls the event log a fixed number of times and
//! fails, with the whole log, when what it waits for never comes.

use std::time::Duration;

use hoplab_trace::{EventLog, Observation};

/// Waits (at most 500 polls, 10 ms apart) until an observation matching `keep` is recorded,
/// and returns the first one.
///
/// # Panics
/// When none is recorded in time; the message names `what` and shows the log.
pub async fn eventually(
    events: &EventLog,
    what: &str,
    keep: impl Fn(&Observation) -> bool,
) -> Observation {
    eventually_after(events, 0, what, keep).await
}

/// [`eventually`], among the observations recorded after the first `earlier` of an unbounded
/// log (take `earlier` from [`EventLog::len`] before the step that is to be recorded): what
/// an earlier step recorded cannot be taken for this one, even when it looks the same.
///
/// # Panics
/// When none is recorded in time; the message names `what` and shows the log.
pub async fn eventually_after(
    events: &EventLog,
    earlier: usize,
    what: &str,
    keep: impl Fn(&Observation) -> bool,
) -> Observation {
    for _ in 0..500 {
        if let Some(found) = recorded_after(events, earlier, &keep).into_iter().next() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{what} was not recorded; log: {:#?}", events.snapshot());
}

/// The observations matching `keep` among those recorded after the first `earlier` of an
/// unbounded log, in order.
pub fn recorded_after(
    events: &EventLog,
    earlier: usize,
    keep: impl Fn(&Observation) -> bool,
) -> Vec<Observation> {
    let mut kept = events.snapshot();
    kept.drain(..earlier.min(kept.len()));
    kept.retain(|o| keep(o));
    kept
}

/// Waits, polling every 50 ms of (possibly paused) tokio time for at most `limit`, until an
/// observation matching `keep` is recorded. For paused-clock tests whose events come after
/// long intervals.
///
/// # Panics
/// When none is recorded in time; the message names `what` and shows the log.
pub async fn within(
    limit: Duration,
    events: &EventLog,
    what: &str,
    keep: impl Fn(&Observation) -> bool,
) -> Observation {
    let poll = Duration::from_millis(50);
    let polls = limit.as_millis() / poll.as_millis() + 1;
    for _ in 0..polls {
        if let Some(found) = events.matching(&keep).into_iter().next() {
            return found;
        }
        tokio::time::sleep(poll).await;
    }
    panic!(
        "{what} was not recorded within {limit:?}; log: {:#?}",
        events.snapshot()
    );
}

/// The only observation matching `keep`.
///
/// # Panics
/// When there is none or more than one; the message shows the log.
pub fn one(events: &EventLog, keep: impl Fn(&Observation) -> bool) -> Observation {
    let mut found = events.matching(keep);
    assert_eq!(found.len(), 1, "{:#?}", events.snapshot());
    found.remove(0)
}
