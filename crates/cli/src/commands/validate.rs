//! `hoplab validate`: scenario files checked without running them.

use std::path::PathBuf;
use std::process::ExitCode;

use hoplab::Scenario;

use super::{EXIT_PASSED, EXIT_UNUSABLE};
use crate::error;

/// Says of each file that it is valid, or prints every problem in it. A valid file's
/// warnings (setups AWS accepts that will fail once traffic flows) go to stderr and do not
/// fail it.
pub(super) fn validate(files: &[PathBuf]) -> ExitCode {
    let mut code = EXIT_PASSED;
    for file in files {
        match Scenario::from_file(file) {
            Ok(scenario) => {
                let warnings = scenario.warnings();
                let noted = match warnings.len() {
                    0 => String::new(),
                    1 => ", 1 warning".to_owned(),
                    n => format!(", {n} warnings"),
                };
                println!(
                    "{}: ok ({} routes, {} requests{noted})",
                    file.display(),
                    scenario.gateway().routes().len(),
                    scenario.requests().len()
                );
                for warning in warnings {
                    eprintln!("{warning}");
                }
            }
            Err(failure) => {
                error::print(&failure.into());
                code = EXIT_UNUSABLE;
            }
        }
    }
    ExitCode::from(code)
}
