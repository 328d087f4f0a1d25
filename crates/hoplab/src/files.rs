//! Files `hoplab import` reads and writes: AWS CLI exports, read with a size bound, and the
//! scenario, written so that a failure never leaves half a file behind.

use std::io::Write as _;
use std::path::Path;

use crate::{Error, Result};

/// Largest AWS CLI export [`read_export`] reads, in bytes.
pub const MAX_EXPORT_SIZE: u64 = 16 * 1024 * 1024;

/// Reads one AWS CLI JSON export (`aws apigateway get-integration`, `aws elbv2
/// describe-listeners`, …) for [`hoplab::import::import`](crate::import::import).
///
/// # Errors
///
/// [`Error::File`] when it cannot be read, [`Error::FileTooLarge`] past
/// [`MAX_EXPORT_SIZE`].
pub fn read_export(path: &Path) -> Result<String> {
    let file_error = |source| Error::File {
        path: path.to_owned(),
        source,
    };
    let size = std::fs::metadata(path).map_err(file_error)?.len();
    if size > MAX_EXPORT_SIZE {
        return Err(Error::FileTooLarge {
            path: path.to_owned(),
            size,
            what: "an AWS CLI export",
        });
    }
    std::fs::read_to_string(path).map_err(file_error)
}

/// Writes a scenario to `path`, replacing any file there: through a temporary file in the
/// same directory, flushed, then renamed, so a failure never leaves a half-written scenario.
///
/// # Errors
///
/// [`Error::File`] when it cannot be written (the temporary file is removed).
pub fn write_scenario_file(path: &Path, toml: &str) -> Result<()> {
    let file_error = |source| Error::File {
        path: path.to_owned(),
        source,
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| file_error(std::io::Error::other("not a file name")))?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temp = dir.join(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(toml.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    written.map_err(|source| {
        let _ = std::fs::remove_file(&temp);
        file_error(source)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scenario_file_is_replaced_whole_and_nothing_else_is_left() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("imported.toml");
        write_scenario_file(&path, "first").expect("written");
        write_scenario_file(&path, "second").expect("replaced");
        assert_eq!(std::fs::read_to_string(&path).expect("readable"), "second");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("listable")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["imported.toml"]);
    }

    #[test]
    fn a_missing_export_names_its_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("missing.json");
        let error = read_export(&path).expect_err("missing");
        assert!(error.to_string().starts_with(&path.display().to_string()));
    }
}
