//! `hoplab test`: a library of scenarios run as regression tests, each live and against the
//! static model ([`hoplab::Suite`]), with a line per scenario as it finishes, the details of
//! every failure and a summary, and JUnit and HTML reports on request.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use hoplab::Suite;

use super::{EXIT_UNUSABLE, exit, print_json, write_file};
use crate::args::Format;
use crate::error::{self, Context, Failure};

/// Runs wider than this show a progress bar when stderr is a terminal.
const PROGRESS_BAR_FROM: usize = 8;

/// What `hoplab test` was asked to do.
#[derive(Debug)]
pub(super) struct TestOptions {
    pub(super) paths: Vec<PathBuf>,
    pub(super) jobs: usize,
    pub(super) filter: Option<String>,
    pub(super) format: Format,
    pub(super) junit: Option<PathBuf>,
    pub(super) html: Option<PathBuf>,
}

/// Runs the suite, prints it, writes the reports asked for.
pub(super) async fn test(options: TestOptions) -> Result<ExitCode, Failure> {
    let mut suite = Suite::discover(&options.paths)
        .context("hoplab test")?
        .jobs(options.jobs);
    if let Some(filter) = &options.filter {
        suite = suite.matching(filter);
    }
    let text = options.format == Format::Text;
    let progress = progress_bar(suite.files().len(), options.format);
    let report = suite
        .run_with(|result| {
            if !text {
                return;
            }
            let line = result.status_line();
            match &progress {
                Some(bar) => {
                    bar.suspend(|| println!("{line}"));
                    bar.inc(1);
                }
                None => println!("{line}"),
            }
        })
        .await
        .context("hoplab test")?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }

    // A report that cannot be written is said at once; the results are printed all the same.
    let mut unwritten = false;
    let mut written = |outcome: Result<(), Failure>| {
        if let Err(failure) = outcome {
            error::print(&failure);
            unwritten = true;
        }
    };
    if let Some(path) = &options.junit {
        written(
            report
                .junit()
                .context("hoplab test: cannot write JUnit XML")
                .and_then(|xml| write_file(path, &xml)),
        );
    }
    if let Some(path) = &options.html {
        written(write_file(path, &report.html("hoplab test")));
    }
    match options.format {
        Format::Text => print!("{}", report.summary_text()),
        Format::Json => print_json("hoplab test", "results", &report)?,
    }
    if unwritten {
        return Ok(ExitCode::from(EXIT_UNUSABLE));
    }
    Ok(exit(report.outcome()))
}

fn progress_bar(len: usize, format: Format) -> Option<indicatif::ProgressBar> {
    if format != Format::Text || len < PROGRESS_BAR_FROM || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} scenarios {elapsed}")
    {
        bar.set_style(style);
    }
    Some(bar)
}
