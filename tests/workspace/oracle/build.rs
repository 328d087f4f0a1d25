//! Compiling the oracle with `oracle/jdk/build.sh`, once per change of its sources.

use std::path::PathBuf;
use std::process::Command;

use sha2::{Digest, Sha256};

use super::jdk::{Jdk, work_dir};
use super::repo_root;

/// The jars the oracle is compiled and run against (Debian's `libhttpclient-java` and
/// `libhttpasyncclient-java`).
const JARS: [&str; 6] = [
    "httpclient",
    "httpcore",
    "httpasyncclient",
    "httpcore-nio",
    "commons-logging",
    "commons-codec",
];

/// Builds the oracle (or finds it built) and returns its class path.
pub(super) fn compile(jdk: &Jdk) -> Result<String, String> {
    let source = repo_root().join("oracle").join("jdk");
    let jars = PathBuf::from(std::env::var("JARS_DIR").unwrap_or("/usr/share/java".to_owned()));
    let mut hash = Sha256::new();
    let mut files = vec![source.join("build.sh")];
    let src = source.join("src").join("hoplab").join("oracle");
    let mut java: Vec<PathBuf> = std::fs::read_dir(&src)
        .map_err(|e| format!("{}: {e}", src.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "java"))
        .collect();
    java.sort();
    files.extend(java);
    for file in &files {
        hash.update(file.to_string_lossy().as_bytes());
        hash.update(std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?);
    }
    for jar in JARS {
        let path = jars.join(format!("{jar}.jar"));
        let meta = std::fs::metadata(&path).map_err(|_| {
            format!(
                "{} is missing (apt-get install libhttpclient-java libhttpasyncclient-java)",
                path.display()
            )
        })?;
        hash.update(path.to_string_lossy().as_bytes());
        hash.update(meta.len().to_le_bytes());
    }
    hash.update(jdk.javac().to_string_lossy().as_bytes());
    let dir = work_dir().join(format!("oracle-{}", hex(&hash.finalize()[..8])));
    let classpath_file = dir.join("classpath");
    if let Ok(classpath) = std::fs::read_to_string(&classpath_file) {
        return Ok(classpath.trim().to_owned());
    }
    let staging = dir.with_extension(format!("tmp{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let output = Command::new("bash")
        .arg(source.join("build.sh"))
        .arg(&staging)
        .env("JARS_DIR", &jars)
        .env("PATH", path_with(jdk))
        .output()
        .map_err(|e| format!("cannot run oracle/jdk/build.sh: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "oracle/jdk/build.sh failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    // The class path names the staging folder; name the final one instead.
    let classpath = String::from_utf8_lossy(&output.stdout).trim().replace(
        &staging.to_string_lossy().into_owned(),
        &dir.to_string_lossy(),
    );
    std::fs::write(staging.join("classpath"), &classpath)
        .map_err(|e| format!("{}: {e}", staging.display()))?;
    if std::fs::rename(&staging, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&staging);
        if !classpath_file.exists() {
            return Err(format!("cannot move the oracle build to {}", dir.display()));
        }
    }
    prune_other_builds(&dir);
    Ok(classpath)
}

/// Removes builds of earlier versions of the oracle.
fn prune_other_builds(current: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(work_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let stale = path != current && entry.file_name().to_string_lossy().starts_with("oracle-");
        if stale {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}

/// PATH with the JDK's `bin` first, so build.sh finds the same javac.
fn path_with(jdk: &Jdk) -> String {
    let bin = jdk
        .javac()
        .parent()
        .map(|p| p.to_owned())
        .unwrap_or_default();
    match std::env::var("PATH") {
        Ok(path) => format!("{}:{path}", bin.display()),
        Err(_) => bin.display().to_string(),
    }
}

/// The first 16 hex digits of SHA-256.
pub(super) fn short_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes)[..8])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
