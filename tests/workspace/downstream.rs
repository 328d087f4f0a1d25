//! `examples/downstream`, a crate outside the workspace whose only dependency is `hoplab`
//! (by path), builds and its own `#[tokio::test]` passes: what another project's `cargo test`
//! does with hoplab.
//!
//! It is built with the workspace's lock file (copied next to its manifest, so it gets the
//! versions the workspace tested, offline) into the target directory this test runs from,
//! so the dependencies the workspace already built are reused.

use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn a_crate_depending_only_on_hoplab_runs_a_bundled_scenario_in_its_own_test() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let downstream = root.join("examples/downstream");
    let manifest: toml::Table = std::fs::read_to_string(downstream.join("Cargo.toml"))
        .expect("a manifest")
        .parse()
        .expect("a TOML manifest");
    let dependencies = manifest["dependencies"].as_table().expect("[dependencies]");
    assert_eq!(
        dependencies.keys().collect::<Vec<_>>(),
        ["hoplab"],
        "hoplab is its only dependency"
    );
    assert_eq!(
        dependencies["hoplab"]["path"].as_str(),
        Some("../../crates/hoplab")
    );
    assert!(
        manifest.get("target").is_none(),
        "no platform-specific dependencies either"
    );

    std::fs::copy(root.join("Cargo.lock"), downstream.join("Cargo.lock"))
        .expect("the workspace's lock file is copied next to the downstream manifest");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["test", "--offline", "--manifest-path"])
        .arg(downstream.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "cargo test in examples/downstream failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(
        stdout.contains("test the_target_certificate_is_validated_behind_a_tcp_listener ... ok"),
        "the downstream test ran and passed\n{stdout}"
    );
}

/// The target directory this test binary was built in: `<target>/debug/deps/<binary>`.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors()
        .nth(3)
        .expect("the binary lies in <target>/<profile>/deps")
        .to_owned()
}
