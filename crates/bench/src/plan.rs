//! How much work each benchmark mode does. Every load loop is bounded by one of these counts
//! and by one of these durations, whichever ends first.

use std::time::Duration;

/// The sizes of one benchmark run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// The mode's name, printed with the figures.
    pub name: &'static str,
    /// Repetitions of each measurement; the median is reported.
    pub reps: usize,
    /// Bytes sent per bulk transfer.
    pub bulk_bytes: u64,
    /// Longest one bulk transfer may take.
    pub bulk_timeout: Duration,
    /// Duration of one handshake-rate or request-rate run.
    pub window: Duration,
    /// Most handshakes or requests one run makes, whatever the window.
    pub max_ops: u64,
    /// Connections opened at once by the handshake and request loops.
    pub concurrency: usize,
    /// Idle connections held open at once (lowered to fit the open-file limit).
    pub idle_connections: usize,
    /// Repetitions of each scenario in the per-scenario breakdown.
    pub scenario_reps: usize,
    /// Scenarios in the scaled library run (the bundled library repeated).
    pub library_size: usize,
    /// Samples of the single-handshake reference.
    pub handshake_samples: usize,
}

impl Plan {
    /// `make bench`: the figures docs/performance.md reports.
    pub const FULL: Plan = Plan {
        name: "full",
        reps: 3,
        bulk_bytes: 1 << 30,
        bulk_timeout: Duration::from_secs(30),
        window: Duration::from_secs(3),
        max_ops: 200_000,
        concurrency: 16,
        idle_connections: 10_000,
        scenario_reps: 5,
        library_size: 40,
        handshake_samples: 100,
    };

    /// `make bench-quick`: every figure, smaller and shorter (about a minute).
    pub const QUICK: Plan = Plan {
        name: "quick",
        reps: 1,
        bulk_bytes: 256 << 20,
        bulk_timeout: Duration::from_secs(20),
        window: Duration::from_secs(1),
        max_ops: 50_000,
        concurrency: 16,
        idle_connections: 2_000,
        scenario_reps: 2,
        library_size: 40,
        handshake_samples: 30,
    };

    /// The test suite's smoke run: proves every measurement works, measures nothing useful.
    pub const SMOKE: Plan = Plan {
        name: "smoke",
        reps: 1,
        bulk_bytes: 4 << 20,
        bulk_timeout: Duration::from_secs(20),
        window: Duration::from_millis(200),
        max_ops: 200,
        concurrency: 4,
        idle_connections: 50,
        scenario_reps: 1,
        library_size: 0,
        handshake_samples: 3,
    };
}
