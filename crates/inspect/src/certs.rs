//! `hoplab certs`: a scenario's certificates and keys as PEM files, written safely.

use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::InspectError;

/// Mode of private key files.
#[cfg(unix)]
const SECRET_MODE: u32 = 0o600;
/// Mode of every other file.
#[cfg(unix)]
const PUBLIC_MODE: u32 = 0o644;

/// Writes [`hoplab_pki::Pki::pem_files`] into `out`, creating it if missing, and returns the
/// paths written, in the same order.
///
/// Each file is written under a temporary name in `out`, flushed to disk, then renamed over
/// its final name, so no reader ever sees a half-written file. On unix, key files get mode
/// 0600 and the others 0644, whatever the umask. A name that is not a single plain file name
/// is refused, so nothing is written outside `out`.
///
/// # Errors
///
/// [`InspectError::CreateDir`] when `out` cannot be created, [`InspectError::UnsafeFileName`]
/// for a name that would leave `out`, [`InspectError::WriteFile`] when a file cannot be
/// written or renamed (files written before it stay).
pub fn write_certs(pki: &hoplab_pki::Pki, out: &Path) -> Result<Vec<PathBuf>, InspectError> {
    let files = pki.pem_files();
    for (name, _, _) in &files {
        plain_file_name(name)?;
    }
    std::fs::create_dir_all(out).map_err(|source| InspectError::CreateDir {
        path: out.to_owned(),
        source,
    })?;
    let mut written = Vec::with_capacity(files.len());
    for (name, contents, secret) in &files {
        let path = out.join(plain_file_name(name)?);
        write_atomically(&path, contents.as_bytes(), *secret)?;
        written.push(path);
    }
    Ok(written)
}

/// `name` as a path of exactly one normal component (no separator, `..`, root or prefix).
fn plain_file_name(name: &str) -> Result<&Path, InspectError> {
    let path = Path::new(name);
    let mut components = path.components();
    match (components.next(), components.next()) {
        (Some(Component::Normal(one)), None) if one == path.as_os_str() => Ok(path),
        _ => Err(InspectError::UnsafeFileName {
            name: name.to_owned(),
        }),
    }
}

/// Writes `contents` to a fresh temporary file next to `path`, then renames it to `path`.
fn write_atomically(path: &Path, contents: &[u8], secret: bool) -> Result<(), InspectError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let write_error = |source| InspectError::WriteFile {
        path: path.to_owned(),
        source,
    };
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = path.with_file_name(format!(
        ".{file_name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = create_new(&temp, secret)?;
        file.write_all(contents)?;
        set_mode(&file, secret)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(write_error)
}

#[cfg(unix)]
fn create_new(path: &Path, secret: bool) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(if secret { SECRET_MODE } else { PUBLIC_MODE })
        .open(path)
}

#[cfg(not(unix))]
fn create_new(path: &Path, _secret: bool) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// Sets the final mode explicitly: the mode given at creation is reduced by the umask.
#[cfg(unix)]
fn set_mode(file: &std::fs::File, secret: bool) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = if secret { SECRET_MODE } else { PUBLIC_MODE };
    file.set_permissions(std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &std::fs::File, _secret: bool) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_file_names_are_written() {
        for good in [
            "ca.crt",
            "api.chain.pem",
            "_.._etc_passwd",
            "trusted-cas.pem",
        ] {
            assert!(plain_file_name(good).is_ok(), "{good}");
        }
        for bad in ["", ".", "..", "../x", "a/b", "/etc/passwd", "x/", "./x"] {
            assert!(
                matches!(
                    plain_file_name(bad),
                    Err(InspectError::UnsafeFileName { .. })
                ),
                "{bad}"
            );
        }
    }
}
