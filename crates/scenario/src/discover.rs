//! Finds scenario files: files as given, directories searched recursively for `*.toml`.

use std::path::{Path, PathBuf};

use crate::DiscoverError;

/// Deepest directory nesting searched, so a symlink loop cannot recurse forever.
const MAX_DEPTH: usize = 32;

/// Every scenario file under `paths`, sorted and without duplicates; an error names a path
/// that does not exist or cannot be read.
pub fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, DiscoverError> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| failed(path, e))?;
        if meta.is_dir() {
            walk(path, 0, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

fn failed(path: &Path, detail: impl ToString) -> DiscoverError {
    DiscoverError {
        path: path.to_owned(),
        detail: detail.to_string(),
    }
}

fn walk(dir: &Path, depth: usize, files: &mut Vec<PathBuf>) -> Result<(), DiscoverError> {
    if depth > MAX_DEPTH {
        return Err(failed(dir, "directories nested too deeply"));
    }
    let entries = std::fs::read_dir(dir).map_err(|e| failed(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| failed(dir, e))?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(|e| failed(&path, e))?;
        if file_type.is_dir() {
            walk(&path, depth + 1, files)?;
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_searched_for_toml_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("nested");
        std::fs::create_dir(&nested).unwrap();
        for name in ["b.toml", "a.toml", "notes.md"] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        std::fs::write(nested.join("c.toml"), "").unwrap();
        let found = scenario_files(&[dir.path().to_path_buf(), dir.path().join("a.toml")]).unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a.toml", "b.toml", "nested/c.toml"]);
    }

    #[test]
    fn a_missing_path_is_an_error_naming_it() {
        let error = scenario_files(&[PathBuf::from("no/such/dir")])
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("no/such/dir: "), "{error}");
    }
}
