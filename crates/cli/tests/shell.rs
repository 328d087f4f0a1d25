//! `hoplab completions`, `hoplab man` and `hoplab --version`, through the real binary.

mod support;

use support::{hoplab, stderr, stdout};

#[test]
fn completions_are_generated_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = hoplab(&["completions", shell]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{shell}: {}",
            stderr(&output)
        );
        let script = stdout(&output);
        assert!(script.contains("hoplab"), "{shell}: {script}");
        for subcommand in ["run", "init", "compare", "completions"] {
            assert!(script.contains(subcommand), "{shell} lacks {subcommand}");
        }
    }
    let unknown = hoplab(&["completions", "tcsh"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("bash"), "{}", stderr(&unknown));
}

#[test]
fn man_prints_a_roff_page_naming_every_subcommand() {
    let output = hoplab(&["man"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = stdout(&output);
    assert!(page.contains(".TH hoplab"), "{page}");
    assert!(page.contains(".SH NAME"), "{page}");
    for subcommand in [
        "run", "test", "explain", "compare", "init", "check", "probe",
    ] {
        assert!(
            page.contains(&format!("hoplab\\-{subcommand}(1)")),
            "{subcommand} missing: {page}"
        );
    }
}

#[test]
fn version_names_the_commit_and_the_build_profile() {
    let output = hoplab(&["--version"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let line = stdout(&output);
    let prefix = format!("hoplab {} (commit ", env!("CARGO_PKG_VERSION"));
    let rest = line
        .trim_end()
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{line:?} does not start with {prefix:?}"));
    let (commit, profile) = rest
        .strip_suffix(" build)")
        .and_then(|r| r.split_once(", "))
        .unwrap_or_else(|| panic!("{line:?}: no \", <profile> build)\""));
    assert!(
        commit == "unknown" || (commit.len() >= 7 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{commit:?}"
    );
    assert!(["debug", "release"].contains(&profile), "{profile:?}");
}
