//! Helpers for the whole-workspace tests in `workspace/`.

#![warn(missing_docs)]

use std::path::PathBuf;

use hoplab_runner::RunReport;
use hoplab_scenario::Scenario;

/// The bundled scenario directory.
pub fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("scenarios")
}

/// File names of every bundled scenario, sorted.
pub fn bundled_scenario_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(scenarios_dir())
        .expect("the scenarios directory is readable")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .collect();
    names.sort();
    names
}

/// Loads a bundled scenario by file name, panicking with the located error if it is invalid.
pub fn load_bundled(file: &str) -> Scenario {
    let path = scenarios_dir().join(file);
    hoplab_scenario::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs a scenario, panicking with the rendered report if any expectation failed.
pub async fn run_and_assert_passed(scenario: &Scenario) -> RunReport {
    let report = hoplab_runner::run(scenario)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", scenario.name()));
    assert!(
        report.passed(),
        "scenario {} failed:\n{}",
        scenario.name(),
        hoplab_runner::render_text(&report)
    );
    report
}
