//! `hoplab diagram`: runs a scenario live and draws what each request did.
//!
//! The picture is drawn from the live run, not from the model's prediction: the hops it
//! shows are the ones that recorded the request, the TLS sessions are the handshakes that
//! happened, and the certificates are the ones that were presented. `hoplab test` checks that
//! the model agrees with the same run.

use std::path::Path;
use std::process::ExitCode;

use hoplab::render::{Picture, pictures, render_dot, render_mermaid, render_svg, render_svg_stack};

use super::{EXIT_PASSED, about, load, write_file};
use crate::args::DiagramFormat;
use crate::error::{Context, Failure};

/// Draws `file`'s requests (or the one named by `request`) in `format`.
pub(super) async fn diagram(
    file: &Path,
    format: DiagramFormat,
    request: Option<&str>,
    output: Option<&Path>,
) -> Result<ExitCode, Failure> {
    let scenario = load(file)?;
    if scenario.requests().is_empty() {
        return Err(Failure::message(
            about(file),
            "the scenario has no [[requests]] to draw",
        ));
    }
    let report = hoplab::run(&scenario).await.context(about(file))?;
    let mut drawn = pictures(report.full(), Some(&scenario));
    if let Some(wanted) = request {
        let index =
            select(&drawn, wanted).map_err(|message| Failure::message(about(file), message))?;
        drawn = vec![drawn.swap_remove(index)];
    }
    let text = render(&drawn, format);
    match output {
        Some(path) => write_file(path, &text)?,
        None => print!("{text}"),
    }
    Ok(ExitCode::from(EXIT_PASSED))
}

/// The picture a `--request` names: its name, or its 1-based number.
fn select(drawn: &[Picture], wanted: &str) -> Result<usize, String> {
    if let Some(index) = drawn.iter().position(|p| p.title == wanted) {
        return Ok(index);
    }
    match wanted.parse::<usize>() {
        Ok(n) if (1..=drawn.len()).contains(&n) => Ok(n - 1),
        _ => {
            let names: Vec<String> = drawn
                .iter()
                .enumerate()
                .map(|(i, p)| format!("{} {:?}", i + 1, p.title))
                .collect();
            Err(format!(
                "no request {wanted:?}; the requests are: {}",
                names.join(", ")
            ))
        }
    }
}

/// One document: an SVG (stacked when there are several requests), or one Mermaid or DOT
/// graph per request, each headed by a comment naming it.
fn render(drawn: &[Picture], format: DiagramFormat) -> String {
    match (format, drawn) {
        (DiagramFormat::Svg, [one]) => with_newline(render_svg(one)),
        (DiagramFormat::Svg, many) => with_newline(render_svg_stack(many)),
        (DiagramFormat::Mermaid, [one]) => render_mermaid(one),
        (DiagramFormat::Dot, [one]) => render_dot(one),
        (DiagramFormat::Mermaid, many) => many
            .iter()
            .map(|p| format!("%% {}\n{}", one_line(&p.title), render_mermaid(p)))
            .collect::<Vec<_>>()
            .join("\n"),
        (DiagramFormat::Dot, many) => many
            .iter()
            .map(|p| format!("// {}\n{}", one_line(&p.title), render_dot(p)))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn with_newline(mut text: String) -> String {
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}
