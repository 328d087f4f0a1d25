//! `hoplab run`: one scenario, live, optionally after `--patch-operations`.

use std::path::Path;
use std::process::ExitCode;

use hoplab::RouteSelector;
use hoplab::report::{Detail, TextStyle, count, render_text_styled};

use super::{EXIT_FAILED, EXIT_PASSED, about, load, print_json};
use crate::args::Format;
use crate::error::{Context, Failure};

/// Runs `file` (patched first when asked) and prints its report, as much of it as `detail`
/// says; colours appear only on a terminal and never with `NO_COLOR`.
pub(super) async fn run(
    file: &Path,
    format: Format,
    detail: Detail,
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
        eprintln!("hoplab: patched {}", count(patched, "route", "routes"));
    }
    let report = hoplab::run(&scenario).await.context(about(file))?;
    match format {
        Format::Text => {
            let style = TextStyle {
                detail,
                colour: true,
            };
            anstream::print!("{}", render_text_styled(report.full(), style));
        }
        Format::Json => print_json("hoplab", "the report", &report)?,
    }
    Ok(ExitCode::from(if report.passed() {
        EXIT_PASSED
    } else {
        EXIT_FAILED
    }))
}
