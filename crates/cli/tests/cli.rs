//! The real `hoplab` binary: output, formats and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn hoplab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoplab"))
        .args(args)
        .output()
        .expect("the hoplab binary runs")
}

fn scenario(file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(file)
        .display()
        .to_string()
}

fn write_scenario(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("temp file is writable");
    path
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn run_prints_log_and_trace_and_exits_zero_when_expectations_hold() {
    let output = hoplab(&["run", &scenario("nlb-incomplete-chain.toml")]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}\n{}", stderr(&output));
    assert!(text.contains("PASS GET /pets"), "{text}");
    assert!(
        text.contains(" : Sending request to https://api.example.com/pets"),
        "{text}"
    );
    assert!(text.contains("validated nlb:internal:443"), "{text}");
    assert!(text.contains("1 requests: 1 passed, 0 failed"), "{text}");
}

#[test]
fn run_json_is_parseable_and_complete() {
    let output = hoplab(&[
        "run",
        &scenario("public-backend-valid.toml"),
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    assert_eq!(json["scenario"], "public-backend-valid");
    assert_eq!(json["requests"][0]["status"], 200);
    assert_eq!(json["requests"][0]["validated"], "target:api");
}

const FAILING: &str = r#"
[authorities.root]
trusted = true

[certificates.api]
issuer = "root"
dns_names = ["api.example.com"]

[targets.api]
protocol = "HTTPS"
certificate = "api"
dns_names = ["api.example.com"]

[[gateway.routes]]
path = "/"
uri = "https://api.example.com/"

[[requests]]
path = "/"
[requests.expect]
status = 500
"#;

#[test]
fn run_exits_one_and_shows_the_difference_when_an_expectation_fails() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_scenario(&dir, "failing.toml", FAILING);
    let output = hoplab(&["run", &path.display().to_string()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL GET /"), "{text}");
    assert!(text.contains("expected: 500"), "{text}");
    assert!(text.contains("actual:   200"), "{text}");
}

#[test]
fn invalid_scenario_exits_two_with_a_located_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = FAILING.replace(
        "dns_names = [\"api.example.com\"]\n\n[targets",
        "dns_names = [\"api.example.com\"]\ncolour = \"blue\"\n\n[targets",
    );
    let path = write_scenario(&dir, "invalid.toml", &text);
    let output = hoplab(&["run", &path.display().to_string()]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("invalid.toml:8:"),
        "names file and line: {err}"
    );
    assert!(err.contains("colour"), "names the key: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn missing_file_exits_two() {
    let output = hoplab(&["run", "no/such/scenario.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no/such/scenario.toml"));
}

#[test]
fn validate_checks_every_bundled_scenario() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("scenarios dir")
        .filter_map(Result::ok)
        .map(|e| e.path().display().to_string())
        .filter(|p| p.ends_with(".toml"))
        .collect();
    files.sort();
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let output = hoplab(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), files.len());
}
