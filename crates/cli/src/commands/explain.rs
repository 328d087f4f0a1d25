//! `hoplab explain`: the static model's prediction for a scenario, without opening a socket.

use std::path::Path;
use std::process::ExitCode;

use time::OffsetDateTime;

use super::{EXIT_PASSED, load, print_json};
use crate::args::Format;
use crate::error::Failure;

/// Prints the prediction for `file` at `at` (default: the scenario clock).
pub(super) fn explain(
    file: &Path,
    format: Format,
    at: Option<OffsetDateTime>,
) -> Result<ExitCode, Failure> {
    let scenario = load(file)?;
    let explanation = match at {
        Some(at) => hoplab::explain_at(&scenario, at),
        None => hoplab::explain(&scenario),
    };
    match format {
        Format::Text => print!("{}", hoplab::model::render_text(&explanation)),
        Format::Json => print_json("hoplab", "the explanation", &explanation)?,
    }
    Ok(ExitCode::from(EXIT_PASSED))
}
