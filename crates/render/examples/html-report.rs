//! Runs every bundled scenario and writes the HTML report, and optionally each request's
//! picture as SVG, Mermaid and DOT.
//!
//! ```text
//! cargo run -p hoplab-render --example html-report -- OUT.html [PICTURE_DIR [SCENARIO_DIR]]
//! ```
//!
//! SCENARIO_DIR defaults to the bundled `scenarios/`; the JUnit XML goes next to OUT.html
//! as `OUT.junit.xml`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hoplab_render::{ScenarioResult, html, junit, render_dot, render_mermaid, render_svg};

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(out) = args.next().map(PathBuf::from) else {
        eprintln!("usage: html-report OUT.html [PICTURE_DIR [SCENARIO_DIR]]");
        return ExitCode::from(2);
    };
    let picture_dir = args.next().map(PathBuf::from);
    let scenario_dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios"));
    match run(&out, picture_dir.as_deref(), &scenario_dir).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("html-report: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(
    out: &Path,
    picture_dir: Option<&Path>,
    dir: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let files = hoplab_scenario::scenario_files(&[dir.to_owned()])?;

    let mut results = Vec::new();
    for file in &files {
        let source = match (dir.file_name(), file.strip_prefix(dir)) {
            (Some(name), Ok(relative)) => Path::new(name).join(relative).display().to_string(),
            _ => file.display().to_string(),
        };
        let result = match hoplab_scenario::load(file) {
            Err(error) => ScenarioResult::not_run(source, error.to_string()),
            Ok(scenario) => match hoplab_runner::run(&scenario).await {
                Ok(report) => ScenarioResult::ran(source, report, Some(&scenario)),
                Err(error) => ScenarioResult::not_run(source, error.to_string()),
            },
        };
        let (passed, failed) = result.counts();
        eprintln!("{}: {passed} passed, {failed} failed", result.name());
        results.push(result);
    }

    write(out, &html(&results, "hoplab: bundled scenarios"))?;
    let xml = junit(&results).map_err(|e| e.to_string())?;
    write(&out.with_extension("junit.xml"), &xml)?;
    if let Some(dir) = picture_dir {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        for result in &results {
            for (index, picture) in result.pictures().iter().enumerate() {
                let stem = dir.join(format!("{}-{}", result.name(), index + 1));
                write(&stem.with_extension("svg"), &render_svg(picture))?;
                write(&stem.with_extension("mmd"), &render_mermaid(picture))?;
                write(&stem.with_extension("dot"), &render_dot(picture))?;
            }
        }
    }
    eprintln!("wrote {}", out.display());
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()).into())
}
