//! The installed JDK, and overlays of it whose `cacerts` the oracle chooses.
//!
//! The JDK decides which anchors are its own root CAs (the `jdkCA` constraint of
//! `jdk.certpath.disabledAlgorithms`) from the `cacerts` file under its own `java.home`, by
//! alias: entries whose alias contains ` [jdk` (as upstream OpenJDK names its roots; Debian's
//! `cacerts` names none so). A property cannot point it elsewhere, so the oracle's JVM runs
//! from an overlay: a folder of symbolic links to the installed JDK, except for the launcher
//! and `libjvm.so` (the JVM takes `java.home` from where `libjvm.so` really is, so these two
//! are real files, hard-linked or copied once) and `lib/security/cacerts`, written for the run.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

/// The installed JDK 17.
pub(super) struct Jdk {
    home: PathBuf,
    javac: PathBuf,
    /// The launcher and `libjvm.so`, copied once into the target directory.
    base: PathBuf,
}

impl Jdk {
    /// Finds `java` and `javac` on the PATH and checks they are JDK 17.
    pub(super) fn find() -> Result<Jdk, String> {
        let output = Command::new("java")
            .args(["-XshowSettings:properties", "-version"])
            .output()
            .map_err(|e| format!("no `java` on the PATH ({e}); install openjdk-17-jdk-headless"))?;
        let settings = String::from_utf8_lossy(&output.stderr);
        let property = |name: &str| {
            settings.lines().find_map(|line| {
                let (key, value) = line.trim().split_once(" = ")?;
                (key == name).then(|| value.trim().to_owned())
            })
        };
        let version = property("java.specification.version").unwrap_or_default();
        if version != "17" {
            return Err(format!(
                "`java` is version {version:?}, the oracle is built for JDK 17 \
                 (install openjdk-17-jdk-headless)"
            ));
        }
        let home = PathBuf::from(property("java.home").ok_or("java.home not reported")?);
        let javac = home.join("bin").join("javac");
        if !javac.exists() {
            return Err(format!(
                "no javac in {} (install openjdk-17-jdk-headless)",
                home.display()
            ));
        }
        let base = work_dir().join(format!(
            "jdk-{}",
            super::build::short_hash(home.to_string_lossy().as_bytes())
        ));
        let jdk = Jdk { home, javac, base };
        jdk.prepare_base()?;
        Ok(jdk)
    }

    /// The installed launcher.
    pub(super) fn java(&self) -> PathBuf {
        self.home.join("bin").join("java")
    }

    /// The installed compiler.
    pub(super) fn javac(&self) -> &Path {
        &self.javac
    }

    fn prepare_base(&self) -> Result<(), String> {
        let done = self.base.join("libjvm.so");
        if done.exists() {
            return Ok(());
        }
        let staging = self
            .base
            .with_extension(format!("tmp{}", std::process::id()));
        let io = |e: std::io::Error| format!("preparing {}: {e}", self.base.display());
        std::fs::create_dir_all(&staging).map_err(io)?;
        std::fs::copy(self.home.join("bin/java"), staging.join("java")).map_err(io)?;
        std::fs::copy(
            self.home.join("lib/server/libjvm.so"),
            staging.join("libjvm.so"),
        )
        .map_err(io)?;
        match std::fs::rename(&staging, &self.base) {
            Ok(()) => Ok(()),
            // Another process made it first.
            Err(_) if done.exists() => {
                let _ = std::fs::remove_dir_all(&staging);
                Ok(())
            }
            Err(e) => Err(io(e)),
        }
    }

    /// An overlay whose `cacerts` holds `roots` as the JDK's own roots; removed on drop.
    pub(super) fn overlay(
        &self,
        classpath: &str,
        roots: BTreeSet<&[u8]>,
    ) -> Result<Overlay, String> {
        static RUNS: AtomicUsize = AtomicUsize::new(0);
        let home = work_dir().join(format!(
            "overlay-{}-{}",
            std::process::id(),
            RUNS.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&home);
        let overlay = Overlay { home };
        let io = |what: &Path, e: std::io::Error| format!("{}: {e}", what.display());
        let mirror = |from: &Path, to: &Path, except: &[&str]| -> Result<(), String> {
            std::fs::create_dir_all(to).map_err(|e| io(to, e))?;
            for entry in std::fs::read_dir(from).map_err(|e| io(from, e))? {
                let entry = entry.map_err(|e| io(from, e))?;
                let name = entry.file_name();
                if except.iter().any(|x| name == *x) {
                    continue;
                }
                let link = to.join(&name);
                std::os::unix::fs::symlink(entry.path(), &link).map_err(|e| io(&link, e))?;
            }
            Ok(())
        };
        let home = &overlay.home;
        mirror(&self.home, home, &["bin", "lib"])?;
        mirror(&self.home.join("bin"), &home.join("bin"), &["java"])?;
        mirror(
            &self.home.join("lib"),
            &home.join("lib"),
            &["server", "security"],
        )?;
        mirror(
            &self.home.join("lib/server"),
            &home.join("lib/server"),
            &["libjvm.so"],
        )?;
        mirror(
            &self.home.join("lib/security"),
            &home.join("lib/security"),
            &["cacerts"],
        )?;
        link_or_copy(&self.base.join("java"), &home.join("bin/java"))?;
        link_or_copy(
            &self.base.join("libjvm.so"),
            &home.join("lib/server/libjvm.so"),
        )?;
        self.write_cacerts(classpath, roots, &home.join("lib/security/cacerts"))?;
        Ok(overlay)
    }

    /// Writes a keystore with `roots` under `[jdk]` aliases, using the oracle's `cacerts` mode.
    fn write_cacerts(
        &self,
        classpath: &str,
        roots: BTreeSet<&[u8]>,
        file: &Path,
    ) -> Result<(), String> {
        let mut child = Command::new(self.java())
            .args(["-cp", classpath, "hoplab.oracle.Oracle", "cacerts"])
            .arg(file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run java: {e}"))?;
        let mut input = String::new();
        for der in roots {
            input.push_str(&BASE64.encode(der));
            input.push('\n');
        }
        let mut stdin = child.stdin.take().expect("piped stdin");
        let writer = std::thread::spawn(move || {
            use std::io::Write as _;
            stdin.write_all(input.as_bytes())
        });
        let output = child
            .wait_with_output()
            .map_err(|e| format!("oracle cacerts: {e}"))?;
        writer
            .join()
            .expect("the writer thread ends")
            .map_err(|e| format!("oracle cacerts: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "oracle cacerts failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(())
    }
}

/// A JDK overlay for one run.
pub(super) struct Overlay {
    home: PathBuf,
}

impl Overlay {
    /// Its `java.home`.
    pub(super) fn home(&self) -> &Path {
        &self.home
    }

    /// Its launcher.
    pub(super) fn java(&self) -> PathBuf {
        self.home.join("bin").join("java")
    }
}

impl Drop for Overlay {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

fn link_or_copy(from: &Path, to: &Path) -> Result<(), String> {
    if std::fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("{}: {e}", to.display()))
}

/// Where the oracle's builds and overlays live: the cargo target directory.
pub(super) fn work_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hoplab-jdk-oracle")
}
