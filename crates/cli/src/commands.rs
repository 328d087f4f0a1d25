//! What each subcommand does.

use std::path::{Path, PathBuf};

use hoplab_runner::render_text;
use hoplab_scenario::Scenario;

use crate::args::{Command, Format};

/// Every expectation held.
pub(crate) const EXIT_PASSED: u8 = 0;
/// At least one expectation did not hold.
pub(crate) const EXIT_FAILED: u8 = 1;
/// A scenario is invalid, or the run could not start.
pub(crate) const EXIT_UNUSABLE: u8 = 2;

/// Runs one subcommand and returns its exit code.
pub(crate) async fn run(command: Command) -> u8 {
    match command {
        Command::Run { file, format } => run_scenario(&file, format).await,
        Command::Validate { files } => validate(&files),
    }
}

async fn run_scenario(file: &Path, format: Format) -> u8 {
    let Some(scenario) = load(file) else {
        return EXIT_UNUSABLE;
    };
    let report = match hoplab_runner::run(&scenario).await {
        Ok(report) => report,
        Err(error) => {
            eprintln!("hoplab: {}: {error}", file.display());
            return EXIT_UNUSABLE;
        }
    };
    match format {
        Format::Text => print!("{}", render_text(&report)),
        Format::Json => match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(error) => {
                eprintln!("hoplab: cannot encode the report as JSON: {error}");
                return EXIT_UNUSABLE;
            }
        },
    }
    if report.passed() {
        EXIT_PASSED
    } else {
        EXIT_FAILED
    }
}

fn validate(files: &[PathBuf]) -> u8 {
    let mut code = EXIT_PASSED;
    for file in files {
        match load(file) {
            Some(scenario) => println!(
                "{}: ok ({} routes, {} requests)",
                file.display(),
                scenario.gateway.routes.len(),
                scenario.requests.len()
            ),
            None => code = EXIT_UNUSABLE,
        }
    }
    code
}

/// Loads a scenario, printing its errors to stderr when it is invalid.
fn load(file: &Path) -> Option<Scenario> {
    match hoplab_scenario::load(file) {
        Ok(scenario) => Some(scenario),
        Err(error) => {
            eprintln!("{error}");
            None
        }
    }
}
