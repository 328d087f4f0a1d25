//! Reading the user's PEM files, bounded in size.

use std::io::Read;
use std::path::Path;

use crate::InspectError;

/// Largest PEM file read, in bytes. Mozilla's whole root bundle is about 300 KB.
pub const MAX_PEM_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// Reads a PEM file of at most [`MAX_PEM_FILE_SIZE`] bytes.
///
/// The contents are not parsed here; [`crate::check`] and [`crate::Trust::load`] say what is
/// wrong with them.
///
/// # Errors
///
/// [`InspectError::ReadFile`] when the file cannot be opened or read,
/// [`InspectError::FileTooLarge`] when it is larger than the limit.
pub fn read_pem_file(path: &Path) -> Result<Vec<u8>, InspectError> {
    let read_error = |source| InspectError::ReadFile {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut contents = Vec::new();
    // One byte past the limit tells "too large" from "exactly at the limit" without trusting
    // metadata (a pipe or /dev/stdin has none).
    file.take(MAX_PEM_FILE_SIZE + 1)
        .read_to_end(&mut contents)
        .map_err(read_error)?;
    if contents.len() as u64 > MAX_PEM_FILE_SIZE {
        return Err(InspectError::FileTooLarge {
            path: path.to_owned(),
            limit: MAX_PEM_FILE_SIZE,
        });
    }
    Ok(contents)
}
