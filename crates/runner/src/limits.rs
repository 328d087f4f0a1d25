//! Whether the process may open the files a scenario's topology needs, checked before
//! anything is bound, so that a scenario with thousands of targets fails with the numbers
//! instead of an `EMFILE` halfway through standing the lab up.

use hoplab_scenario::Scenario;

use crate::RunError;

/// Files each bound hop may hold at once besides its listening socket: the connection it
/// accepted, the one it opened onward, and a health check's.
const FILES_PER_HOP: u64 = 3;

/// Files the process holds whatever the scenario: the runtime, the caller's connection,
/// standard streams, logs.
const BASELINE_FILES: u64 = 64;

/// About how many files standing `scenario` up and sending its requests needs.
pub(crate) fn files_needed(scenario: &Scenario) -> u64 {
    // Targets, NLB and ALB listeners, the gateway, and the address kept refusing.
    let hops =
        scenario.targets().len() + scenario.listeners().len() + scenario.alb_listeners().len() + 2;
    BASELINE_FILES + (FILES_PER_HOP + 1) * u64::try_from(hops).unwrap_or(u64::MAX / 8)
}

/// Fails when the open-file limit (`RLIMIT_NOFILE`'s soft value) is below what the scenario
/// needs.
pub(crate) fn check_open_files(scenario: &Scenario) -> Result<(), RunError> {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
    let needed = files_needed(scenario);
    match limit {
        Some(limit) if limit < needed => Err(RunError::OpenFileLimit {
            needed,
            limit,
            targets: scenario.targets().len(),
        }),
        _ => Ok(()),
    }
}
