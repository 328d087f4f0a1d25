//! `hoplab run`: one scenario, live, optionally after `--patch-operations`.

use std::path::Path;
use std::process::ExitCode;

use hoplab::RouteSelector;

use super::{EXIT_FAILED, EXIT_PASSED, about, load, print_json};
use crate::args::Format;
use crate::error::{Context, Failure};

/// Runs `file` (patched first when asked) and prints its report.
pub(super) async fn run(
    file: &Path,
    format: Format,
    patch_operations: Option<&str>,
    route: Option<&str>,
) -> Result<ExitCode, Failure> {
    let mut scenario = load(file)?;
    if let Some(operations) = patch_operations {
        let routes = match route {
            Some(route) => RouteSelector::parse(route).ok_or_else(|| {
                Failure::message(
                    about(file),
                    format!("--route {route:?}: expected \"METHOD /path\" or \"*\""),
                )
            })?,
            None => RouteSelector::All,
        };
        let patched = hoplab::patch(&mut scenario, operations, &routes).context(about(file))?;
        eprintln!("hoplab: patched {patched} route(s)");
    }
    let report = hoplab::run(&scenario).await.context(about(file))?;
    match format {
        Format::Text => print!("{report}"),
        Format::Json => print_json("hoplab", "the report", &report)?,
    }
    Ok(ExitCode::from(if report.passed() {
        EXIT_PASSED
    } else {
        EXIT_FAILED
    }))
}
