//! `hoplab validate`: scenario files checked without running them.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{EXIT_PASSED, EXIT_UNUSABLE, load};
use crate::error;

/// Says of each file that it is valid, or prints every problem in it.
pub(super) fn validate(files: &[PathBuf]) -> ExitCode {
    let mut code = EXIT_PASSED;
    for file in files {
        match load(file) {
            Ok(scenario) => println!(
                "{}: ok ({} routes, {} requests)",
                file.display(),
                scenario.gateway().routes().len(),
                scenario.requests().len()
            ),
            Err(failure) => {
                error::print(&failure);
                code = EXIT_UNUSABLE;
            }
        }
    }
    ExitCode::from(code)
}
