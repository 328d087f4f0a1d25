//! Writing a file so that it is either whole or absent: a temporary file in the same
//! directory, synced, then renamed over the target.

use std::io::Write;
use std::path::Path;

use crate::error::ImportError;

/// Writes `bytes` to `path` through a temporary file in its directory, renamed into place
/// once complete, so a failure never leaves a half-written file. Refuses to replace an
/// existing file unless `overwrite`.
pub fn write_atomically(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), ImportError> {
    let error = |message: String| ImportError::Write {
        path: path.display().to_string(),
        message,
    };
    if !overwrite && path.exists() {
        return Err(error("the file exists (pass --force to replace it)".into()));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".hoplab-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| error(e.to_string()))?;
    temp.write_all(bytes)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| error(e.to_string()))?;
    // On failure the temporary file is dropped, which deletes it.
    let persisted = if overwrite {
        temp.persist(path).map(drop)
    } else {
        temp.persist_noclobber(path).map(drop)
    };
    persisted.map_err(|e| error(e.error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_keeps_existing_ones_unless_told() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("s.toml");
        write_atomically(&path, b"one", false).expect("written");
        assert!(write_atomically(&path, b"two", false).is_err());
        assert_eq!(std::fs::read(&path).expect("read"), b"one");
        write_atomically(&path, b"two", true).expect("replaced");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let missing = dir.path().join("no/such/dir/s.toml");
        assert!(write_atomically(&missing, b"x", false).is_err());
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(
            left,
            [std::ffi::OsString::from("s.toml")],
            "no temporary file left"
        );
    }
}
