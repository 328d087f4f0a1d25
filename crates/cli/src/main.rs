//! The `hoplab` command.
//!
//! `main` only parses arguments and turns the outcome of [`run`] into an exit code:
//! 0 when every expectation held, 1 when one did not, 2 when a scenario is invalid or the
//! run could not start.

mod args;
mod commands;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = args::Cli::parse();
    init_tracing(args.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("hoplab: cannot start the async runtime: {error}");
            return ExitCode::from(commands::EXIT_UNUSABLE);
        }
    };
    ExitCode::from(runtime.block_on(commands::run(args.command)))
}

/// Logs go to stderr; `RUST_LOG` overrides the level chosen by `-v`.
fn init_tracing(verbose: u8) {
    let fallback = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(fallback));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
