//! `hoplab explain`: the static model's prediction for a scenario, without opening a socket.

use std::path::Path;

use time::OffsetDateTime;

use super::{EXIT_PASSED, EXIT_UNUSABLE, clock, load, print_json};
use crate::args::Format;

/// Prints the prediction for `file` at `at` (default: the scenario clock).
pub(crate) fn explain(file: &Path, format: Format, at: Option<OffsetDateTime>) -> u8 {
    let Some(scenario) = load(file) else {
        return EXIT_UNUSABLE;
    };
    let now = at.unwrap_or_else(|| clock(&scenario));
    let explanation = hoplab_model::explain(&scenario, now);
    match format {
        Format::Text => print!("{}", hoplab_model::render_text(&explanation)),
        Format::Json => {
            if !print_json("hoplab", "the explanation", &explanation) {
                return EXIT_UNUSABLE;
            }
        }
    }
    EXIT_PASSED
}
