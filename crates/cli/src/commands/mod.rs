//! What each subcommand does.

mod compare;
mod diagram;
mod explain;
mod import;
mod inspect;
mod test;
mod up;

use std::path::{Path, PathBuf};

use hoplab_runner::{RunReport, render_text};
use hoplab_scenario::Scenario;
use serde::Serialize;

use crate::args::{Command, Format};

/// Every expectation held.
pub(crate) const EXIT_PASSED: u8 = 0;
/// At least one expectation did not hold.
pub(crate) const EXIT_FAILED: u8 = 1;
/// A scenario is invalid, or the run could not start.
pub(crate) const EXIT_UNUSABLE: u8 = 2;

/// Scenarios (or combinations) run at once by default: the number of cores.
fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

/// The scenario clock: `now` when the scenario pins it, else the current time.
pub(crate) fn clock(scenario: &Scenario) -> time::OffsetDateTime {
    scenario.now().unwrap_or_else(time::OffsetDateTime::now_utc)
}

/// Writes `text` to `path`, or says why it could not on stderr.
pub(crate) fn write_file(path: &Path, text: &str) -> bool {
    match std::fs::write(path, text) {
        Ok(()) => true,
        Err(error) => {
            eprintln!("hoplab: cannot write {}: {error}", path.display());
            false
        }
    }
}

/// Prints `value` as pretty JSON on stdout, or says on stderr (as `who`) why `what` could not
/// be encoded.
pub(crate) fn print_json(who: &str, what: &str, value: &impl Serialize) -> bool {
    match serde_json::to_string_pretty(value) {
        Ok(json) => {
            println!("{json}");
            true
        }
        Err(error) => {
            eprintln!("{who}: cannot encode {what} as JSON: {error}");
            false
        }
    }
}

/// Runs `scenario` live, saying on stderr why it could not when it cannot.
pub(crate) async fn run_live(file: &Path, scenario: &Scenario) -> Option<RunReport> {
    match hoplab_runner::run(scenario).await {
        Ok(report) => Some(report),
        Err(error) => {
            eprintln!("hoplab: {}: {error}", file.display());
            None
        }
    }
}

/// Runs one subcommand and returns its exit code.
pub(crate) async fn run(command: Command) -> u8 {
    match command {
        Command::Run {
            file,
            format,
            patch_operations,
            route,
        } => run_scenario(&file, format, patch_operations.as_deref(), route.as_deref()).await,
        Command::Import(args) => import::import(*args).await,
        Command::Up {
            file,
            port,
            listen,
            keep,
        } => up::up(&file, listen, port, keep).await,
        Command::Test {
            paths,
            jobs,
            filter,
            format,
            junit,
            html,
        } => {
            let jobs = jobs.unwrap_or_else(default_jobs);
            test::run(test::TestOptions {
                paths,
                jobs,
                filter,
                format,
                junit,
                html,
            })
            .await
        }
        Command::Explain { file, format, at } => explain::explain(&file, format, at),
        Command::Compare { file, format, jobs } => {
            compare::compare(&file, format, jobs.unwrap_or_else(default_jobs)).await
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
            judge,
        } => inspect::probe(&target, sni, connect, timeout, judge).await,
        Command::Certs { file, out } => inspect::certs(&file, &out).await,
        Command::Validate { files } => validate(&files),
    }
}

async fn run_scenario(
    file: &Path,
    format: Format,
    patch_operations: Option<&str>,
    route: Option<&str>,
) -> u8 {
    let Some(mut scenario) = load(file) else {
        return EXIT_UNUSABLE;
    };
    if let Some(text) = patch_operations
        && let Err(message) = patch(&mut scenario, text, route)
    {
        eprintln!("hoplab: {}: {message}", file.display());
        return EXIT_UNUSABLE;
    }
    let Some(report) = run_live(file, &scenario).await else {
        return EXIT_UNUSABLE;
    };
    match format {
        Format::Text => print!("{}", render_text(&report)),
        Format::Json => {
            if !print_json("hoplab", "the report", &report) {
                return EXIT_UNUSABLE;
            }
        }
    }
    if report.passed() {
        EXIT_PASSED
    } else {
        EXIT_FAILED
    }
}

/// Applies `--patch-operations` to the selected routes, as `update-integration` would.
fn patch(scenario: &mut Scenario, text: &str, route: Option<&str>) -> Result<(), String> {
    let ops = hoplab_import::parse_patch_operations(text).map_err(|e| e.to_string())?;
    let selector = match route {
        Some(route) => hoplab_import::RouteSelector::parse(route)
            .ok_or_else(|| format!("--route {route:?}: expected \"METHOD /path\" or \"*\""))?,
        None => hoplab_import::RouteSelector::All,
    };
    let patched =
        hoplab_import::apply_to_scenario(scenario, &selector, &ops).map_err(|e| e.to_string())?;
    eprintln!("hoplab: patched {patched} route(s)");
    Ok(())
}

fn validate(files: &[PathBuf]) -> u8 {
    let mut code = EXIT_PASSED;
    for file in files {
        match load(file) {
            Some(scenario) => println!(
                "{}: ok ({} routes, {} requests)",
                file.display(),
                scenario.gateway().routes().len(),
                scenario.requests().len()
            ),
            None => code = EXIT_UNUSABLE,
        }
    }
    code
}

/// Loads a scenario, printing its errors to stderr when it is invalid.
pub(crate) fn load(file: &Path) -> Option<Scenario> {
    match hoplab_scenario::load(file) {
        Ok(scenario) => Some(scenario),
        Err(error) => {
            eprintln!("{error}");
            None
        }
    }
}
