//! The whole bundled library as a user runs it: `hoplab test scenarios/` from a release
//! build, a new process each time, against the target of one second, with the ratio to it.
//!
//! The machine's one-minute load average is read before each run and printed with the
//! figure: on a shared machine the wall time moves with what else runs, and a figure without
//! its load cannot be compared with another.

use std::path::Path;
use std::time::Duration;

use crate::BenchError;
use crate::report::Row;
use crate::scenario_cost::run_cli;
use crate::stats::median_secs;

/// The target: the whole library in at most this many seconds.
pub const TARGET_SECS: f64 = 1.0;

/// The wall times of `hoplab test` on a library, and the load they ran under.
#[derive(Debug, Clone, Default)]
pub struct LibraryWall {
    /// One wall time per run.
    pub runs: Vec<Duration>,
    /// The one-minute load average read before each run, where procfs gives it.
    pub loads: Vec<f64>,
}

impl LibraryWall {
    /// The median wall time, in seconds.
    pub fn median_secs(&self) -> Option<f64> {
        median_secs(&self.runs)
    }

    /// The highest load average seen before a run.
    pub fn peak_load(&self) -> Option<f64> {
        self.loads.iter().copied().reduce(f64::max)
    }

    /// The figure's row: the median against [`TARGET_SECS`], met when at or under it.
    pub fn row(&self, dir: &Path, scenarios: usize) -> Row {
        let wall = self.median_secs();
        let load = self
            .peak_load()
            .map_or_else(String::new, |l| format!(", load average up to {l:.2}"));
        Row {
            section: 1,
            figure: format!(
                "whole library: `hoplab test {}` ({scenarios} scenarios, release build, new process each time, median of {}{load})",
                dir.display(),
                self.runs.len()
            ),
            hoplab: wall.map_or_else(|| "–".into(), |s| format!("{s:.3} s")),
            reference: format!("{TARGET_SECS} s"),
            ratio: wall.map(|w| w / TARGET_SECS),
            target: format!("≤ {TARGET_SECS} s"),
            met: wall.map(|w| w <= TARGET_SECS),
        }
    }
}

/// Runs `hoplab test dir` `reps` times (at least once), each in a new process.
///
/// # Errors
/// When `hoplab` cannot be started, a run fails, or one takes longer than the library's
/// bound.
pub fn measure(hoplab: &Path, dir: &Path, reps: usize) -> Result<LibraryWall, BenchError> {
    let mut wall = LibraryWall::default();
    for _ in 0..reps.max(1) {
        wall.loads.extend(load_average());
        wall.runs.push(run_cli(hoplab, dir)?);
    }
    Ok(wall)
}

/// The one-minute load average (`/proc/loadavg`), if procfs gives it.
pub fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_row_compares_the_median_with_one_second() {
        let wall = LibraryWall {
            runs: vec![
                Duration::from_millis(900),
                Duration::from_millis(1300),
                Duration::from_millis(1100),
            ],
            loads: vec![2.5, 3.25, 1.0],
        };
        let row = wall.row(Path::new("scenarios"), 70);
        assert_eq!(row.hoplab, "1.100 s");
        assert_eq!(row.target, "≤ 1 s");
        assert!((row.ratio.expect("ratio") - 1.1).abs() < 1e-9);
        assert_eq!(row.met, Some(false));
        assert!(
            row.figure.contains("70 scenarios") && row.figure.contains("load average up to 3.25"),
            "{}",
            row.figure
        );
    }

    #[test]
    fn the_load_average_is_read_where_procfs_is() {
        if Path::new("/proc/loadavg").exists() {
            assert!(load_average().is_some_and(|l| l >= 0.0));
        }
    }
}
