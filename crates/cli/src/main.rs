//! The `hoplab` command.
//!
//! [`main`] parses the arguments and hands the subcommand to [`run`], which returns the exit
//! code of its verdict or a [`Failure`]. A failure is printed once, by the one error printer
//! ([`error::print`]), and exits 2. Exit codes: 0 when every expectation held, 1 when one did
//! not, 2 when a scenario is invalid or the run could not start. Each subcommand in
//! `commands/` is an adapter over the `hoplab` library: arguments in, one library call,
//! output printed, an exit code out.

mod args;
mod commands;
mod error;
mod templates;

use std::process::ExitCode;

use clap::Parser;

use crate::commands::EXIT_UNUSABLE;
use crate::error::{Context, Failure};

fn main() -> ExitCode {
    let args = args::Cli::parse();
    init_tracing(args.verbose);
    match run(args.command, args.verbose) {
        Ok(code) => code,
        Err(failure) => {
            error::print(&failure);
            ExitCode::from(EXIT_UNUSABLE)
        }
    }
}

/// Starts the async runtime and runs one subcommand on it. Once the subcommand has returned,
/// work it left behind is not waited for: a start-up `hoplab up` dropped on a signal may leave
/// key generation running on a blocking thread, and the process exits without it.
fn run(command: args::Command, verbose: u8) -> Result<ExitCode, Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("hoplab: cannot start the async runtime")?;
    let code = runtime.block_on(commands::run(command, verbose));
    runtime.shutdown_background();
    code
}

/// Logs go to stderr; `RUST_LOG` overrides the level chosen by `-v`. One `-v` asks a command
/// for its details (`run`'s full report), so logging starts at `-vv`.
fn init_tracing(verbose: u8) {
    let fallback = match verbose {
        0 | 1 => "warn",
        2 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(fallback));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
