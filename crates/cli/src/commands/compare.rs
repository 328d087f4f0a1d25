//! `hoplab compare`: every combination of a scenario's `[matrix]` run live, one row each,
//! each checked against the static model.

use std::path::Path;
use std::process::ExitCode;

use super::{about, exit, load, print_json};
use crate::args::Format;
use crate::error::{Context, Failure};

/// Runs the matrix of `file`, `jobs` combinations at once, and prints the table.
pub(super) async fn compare(file: &Path, format: Format, jobs: usize) -> Result<ExitCode, Failure> {
    let scenario = load(file)?;
    let comparison = hoplab::compare(&scenario, jobs)
        .await
        .context(about(file))?;
    match format {
        Format::Text => print!("{}", comparison.table_text()),
        Format::Json => print_json("hoplab", "the comparison", &comparison)?,
    }
    Ok(exit(comparison.outcome()))
}
