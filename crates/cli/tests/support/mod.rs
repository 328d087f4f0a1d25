//! What the tests of the `hoplab` binary share: running it, the bundled scenarios, and
//! reading its output. Each test crate uses part of it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the real `hoplab` binary to completion.
pub(crate) fn hoplab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoplab"))
        .args(args)
        .output()
        .expect("the hoplab binary runs")
}

/// The bundled scenarios, `scenarios/` at the repository root.
pub(crate) fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

/// The path of a bundled scenario in `scenarios/`.
pub(crate) fn bundled(file: &str) -> PathBuf {
    scenarios_dir().join(file)
}

/// The path of a bundled scenario, as an argument.
pub(crate) fn scenario(file: &str) -> String {
    bundled(file).display().to_string()
}

pub(crate) fn write_scenario(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("temp file is writable");
    path
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
