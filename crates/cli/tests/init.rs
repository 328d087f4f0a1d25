//! `hoplab init`: every template is written, runs live through the real binary and passes.

mod support;

use support::{hoplab, stderr, stdout};

/// The template names `hoplab init --list` prints, one per line.
fn listed_templates() -> Vec<String> {
    let output = hoplab(&["init", "--list"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    stdout(&output)
        .lines()
        .filter_map(|line| line.split_whitespace().next().map(str::to_owned))
        .collect()
}

#[test]
fn list_names_every_topology() {
    let names = listed_templates();
    assert_eq!(
        names,
        [
            "rest-nlb-tls",
            "rest-nlb-tcp",
            "http-api",
            "internet-backend",
            "rest-v2-alb-https",
            "nlb-tcp-to-alb"
        ]
    );
}

#[test]
fn every_template_runs_live_and_passes_as_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in listed_templates() {
        let file = dir.path().join(format!("{name}.toml"));
        let file = file.display().to_string();
        let written = hoplab(&["init", &name, &file]);
        assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
        assert!(
            stdout(&written).contains("hoplab run"),
            "{}",
            stdout(&written)
        );
        let text = std::fs::read_to_string(&file).expect("template written");
        assert!(text.starts_with("# "), "{name} is commented: {text}");

        let run = hoplab(&["run", &file]);
        assert_eq!(
            run.status.code(),
            Some(0),
            "{name} must pass as written:\n{}\n{}",
            stdout(&run),
            stderr(&run)
        );
        assert!(stdout(&run).contains("PASS "), "{}", stdout(&run));
    }
}

#[test]
fn init_never_overwrites_and_names_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("mine.toml");
    std::fs::write(&file, "# my own scenario\n").expect("write");
    let output = hoplab(&["init", "rest-nlb-tcp", &file.display().to_string()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("mine.toml exists"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        "# my own scenario\n"
    );
}

#[test]
fn init_without_a_template_writes_the_default_in_the_current_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_hoplab"))
        .arg("init")
        .current_dir(dir.path())
        .output()
        .expect("the hoplab binary runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(dir.path().join("rest-nlb-tls.toml").is_file());
}

#[test]
fn an_unknown_template_names_the_valid_ones() {
    let output = hoplab(&["init", "nlb", "x.toml"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("rest-nlb-tcp"), "{err}");
}
