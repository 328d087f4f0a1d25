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

/// Every bundled scenario, as its path under `scenarios/` (`certificates/expired.toml`),
/// sorted.
pub fn bundled_scenario_files() -> Vec<String> {
    let root = scenarios_dir();
    let mut names: Vec<String> = hoplab_scenario::scenario_files(std::slice::from_ref(&root))
        .expect("the scenarios directory is readable")
        .into_iter()
        .map(|path| {
            path.strip_prefix(&root)
                .expect("found under scenarios/")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Loads a bundled scenario by its path under `scenarios/`, panicking with the located error if it is invalid.
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
