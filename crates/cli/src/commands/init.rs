//! `hoplab init`: writes a commented starter scenario that runs and passes as written.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::EXIT_PASSED;
use crate::error::{Context, Failure};
use crate::templates::{self, TEMPLATES, Template};

/// The template written when none is named.
const DEFAULT_TEMPLATE: &str = "rest-nlb-tls";

/// Lists the templates, or writes one to `file` (default `<template>.toml`).
pub(super) fn init(
    template: Option<&str>,
    file: Option<&Path>,
    list: bool,
) -> Result<ExitCode, Failure> {
    if list {
        let width = TEMPLATES.iter().map(|t| t.name.len()).max().unwrap_or(0);
        for t in TEMPLATES {
            println!("{:width$}  {}", t.name, t.summary);
        }
        return Ok(ExitCode::from(EXIT_PASSED));
    }
    let name = template.unwrap_or(DEFAULT_TEMPLATE);
    let template = templates::find(name).ok_or_else(|| {
        Failure::message(
            "hoplab init",
            format!(
                "no template named {name:?}: expected one of {} (hoplab init --list)",
                templates::names().join(", ")
            ),
        )
    })?;
    let file = file.map_or_else(|| PathBuf::from(format!("{name}.toml")), Path::to_path_buf);
    write_new(&file, template)?;
    println!(
        "wrote {} ({}); run it with: hoplab run {}",
        file.display(),
        template.summary,
        file.display()
    );
    Ok(ExitCode::from(EXIT_PASSED))
}

/// Creates `file` with the template's text; an existing file is left alone, and a file that
/// could not be written in full is removed.
fn write_new(file: &Path, template: &Template) -> Result<(), Failure> {
    let context = || format!("hoplab init: cannot write {}", file.display());
    let mut out = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(file)
    {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Failure::message(
                "hoplab init",
                format!(
                    "{} exists; it is not overwritten: name another file",
                    file.display()
                ),
            ));
        }
        Err(e) => return Err(e).context(context()),
    };
    if let Err(e) = out.write_all(template.text.as_bytes()) {
        drop(out);
        let _ = std::fs::remove_file(file);
        return Err(e).context(context());
    }
    Ok(())
}
