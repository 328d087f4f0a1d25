//! `hoplab completions` and `hoplab man`: the command described for shells and for `man`,
//! both generated from the argument definitions, so they never drift from `--help`.

use std::process::ExitCode;

use clap::CommandFactory;

use super::EXIT_PASSED;
use crate::args::Cli;
use crate::error::{Context, Failure};

/// Prints the completion script for `shell`.
pub(super) fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "hoplab", &mut std::io::stdout());
    ExitCode::from(EXIT_PASSED)
}

/// Prints the man page, as roff.
pub(super) fn man() -> Result<ExitCode, Failure> {
    clap_mangen::Man::new(Cli::command())
        .render(&mut std::io::stdout())
        .context("hoplab man: cannot write the page")?;
    Ok(ExitCode::from(EXIT_PASSED))
}
