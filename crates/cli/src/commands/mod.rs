//! One module per subcommand. Each is an adapter over the `hoplab` library: it turns the
//! arguments into one library call, prints what comes back, and returns the exit code of the
//! verdict, or a [`Failure`] for `main` to print.

mod compare;
mod diagram;
mod explain;
mod import;
mod init;
mod inspect;
mod run;
mod shell;
mod test;
mod up;
mod validate;

use std::path::Path;
use std::process::ExitCode;

use hoplab::report::Detail;
use hoplab::{Outcome, Scenario};
use serde::Serialize;

use crate::args::Command;
use crate::error::{Context, Failure};

/// Every expectation held.
pub(crate) const EXIT_PASSED: u8 = 0;
/// At least one expectation did not hold.
pub(crate) const EXIT_FAILED: u8 = 1;
/// A scenario is invalid, or the run could not start.
pub(crate) const EXIT_UNUSABLE: u8 = 2;

/// Runs one subcommand; `verbose` is the count of `-v`.
pub(crate) async fn run(command: Command, verbose: u8) -> Result<ExitCode, Failure> {
    match command {
        Command::Run {
            file,
            format,
            patch_operations,
            route,
        } => {
            let detail = if verbose > 0 {
                Detail::Full
            } else {
                Detail::Summary
            };
            run::run(
                &file,
                format,
                detail,
                patch_operations.as_deref(),
                route.as_deref(),
            )
            .await
        }
        Command::Import(args) => import::import(&args).await,
        Command::Up {
            file,
            port,
            listen,
            keep,
            control_token,
        } => up::up(&file, listen, port, keep, control_token).await,
        Command::Test {
            paths,
            jobs,
            filter,
            format,
            junit,
            html,
        } => {
            test::test(test::TestOptions {
                paths,
                jobs: jobs.unwrap_or_else(hoplab::default_jobs),
                filter,
                format,
                junit,
                html,
            })
            .await
        }
        Command::Explain { file, format, at } => explain::explain(&file, format, at),
        Command::Compare { file, format, jobs } => {
            compare::compare(&file, format, jobs.unwrap_or_else(hoplab::default_jobs)).await
        }
        Command::Diagram {
            file,
            format,
            request,
            output,
        } => diagram::diagram(&file, format, request.as_deref(), output.as_deref()).await,
        Command::Check { chain, host, judge } => inspect::check(&chain, host, judge),
        Command::Probe {
            target,
            sni,
            connect,
            timeout,
            save_chain,
            scenario,
            judge,
        } => {
            let probe = inspect::Probe {
                target,
                sni,
                connect,
                timeout,
                save_chain,
                scenario,
            };
            inspect::probe(probe, judge).await
        }
        Command::Certs { file, out } => inspect::certs(&file, &out),
        Command::Init {
            template,
            file,
            list,
        } => init::init(template.as_deref(), file.as_deref(), list),
        Command::Completions { shell } => Ok(shell::completions(shell)),
        Command::Man => shell::man(),
        Command::Validate { files } => Ok(validate::validate(&files)),
    }
}

/// The exit code of a verdict: 0 passed, 1 failed, 2 unusable.
fn exit(outcome: Outcome) -> ExitCode {
    ExitCode::from(match outcome {
        Outcome::Passed => EXIT_PASSED,
        Outcome::Failed => EXIT_FAILED,
        _ => EXIT_UNUSABLE,
    })
}

/// How errors about `file` begin: `hoplab: <file>`.
fn about(file: &Path) -> String {
    format!("hoplab: {}", file.display())
}

/// Loads a scenario; an invalid one fails with every problem, each naming the file. Its
/// warnings (setups AWS accepts that fail once traffic flows) go to stderr, located.
fn load(file: &Path) -> Result<Scenario, Failure> {
    let scenario = Scenario::from_file(file)?;
    for warning in scenario.warnings() {
        eprintln!("{warning}");
    }
    Ok(scenario)
}

/// Writes `text` to `path`.
fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text).context(format_args!("hoplab: cannot write {}", path.display()))
}

/// Prints `value` as pretty JSON on stdout; `who` and `what` say what failed to encode.
fn print_json(who: &str, what: &str, value: &impl Serialize) -> Result<(), Failure> {
    let json = serde_json::to_string_pretty(value)
        .context(format_args!("{who}: cannot encode {what} as JSON"))?;
    println!("{json}");
    Ok(())
}
