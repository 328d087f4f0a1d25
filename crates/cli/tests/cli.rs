//! The real `hoplab` binary: output, formats and exit codes.

mod support;

use std::path::Path;

use support::{hoplab, scenario, scenarios_dir, stderr, stdout, write_scenario};

#[test]
fn run_verbose_prints_log_and_trace_and_exits_zero_when_expectations_hold() {
    let output = hoplab(&[
        "run",
        "--verbose",
        &scenario("nlb/nlb-incomplete-chain.toml"),
    ]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}\n{}", stderr(&output));
    assert!(text.contains("PASS GET /pets"), "{text}");
    assert!(
        text.contains(" : Sending request to https://api.example.com/pets"),
        "{text}"
    );
    assert!(text.contains("validated nlb:internal:443"), "{text}");
    assert!(text.contains("1 request: 1 passed, 0 failed"), "{text}");
}

#[test]
fn run_prints_a_summary_by_default_and_everything_with_verbose() {
    let file = scenario("nlb/tcp-listener-validates-target.toml");
    let output = hoplab(&["run", &file]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}\n{}", stderr(&output));
    // The verdict says a failing status was the expected one.
    assert!(
        text.contains("PASS expired target behind a TCP listener (expected 500)"),
        "{text}"
    );
    assert!(
        text.contains("GET /expired -> status 500, validated target:expired"),
        "{text}"
    );
    assert!(
        text.contains("  Execution failed due to configuration error: PKIX path validation failed"),
        "{text}"
    );
    assert!(
        text.contains("  hops: gateway -> nlb:internal:8443 -> target:expired"),
        "{text}"
    );
    assert!(
        text.contains("  cert: target:expired -> gateway [validated]: PKIX path validation failed"),
        "{text}"
    );
    assert!(text.contains(" requests: "), "{text}");
    for detail in ["execution log:", "hop trace:", "sha256 ", "valid 20"] {
        assert!(
            !text.contains(detail),
            "{detail:?} only with --verbose: {text}"
        );
    }
    assert!(
        !text.contains('\x1b'),
        "no colour when stdout is not a terminal: {text:?}"
    );

    let verbose = stdout(&hoplab(&["run", &file, "-v"]));
    for detail in [
        "execution log:",
        "hop trace:",
        "sha256 ",
        "Method completed with status: 500",
    ] {
        assert!(
            verbose.contains(detail),
            "{detail:?} with --verbose: {verbose}"
        );
    }
}

#[test]
fn run_colours_only_when_asked_and_never_with_no_color() {
    let file = scenario("nlb/tcp-listener-validates-target.toml");
    let run = |envs: &[(&str, &str)]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_hoplab"))
            .args(["run", &file])
            .env_remove("NO_COLOR")
            .envs(envs.iter().copied())
            .output()
            .expect("the hoplab binary runs");
        stdout(&output)
    };
    let forced = run(&[("CLICOLOR_FORCE", "1")]);
    assert!(forced.contains("\x1b[1m\x1b[32mPASS\x1b[0m"), "{forced:?}");
    let refused = run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!refused.contains('\x1b'), "{refused:?}");
}

#[test]
fn run_json_is_parseable_and_complete() {
    let output = hoplab(&[
        "run",
        &scenario("integration/public-backend-valid.toml"),
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is one JSON document");
    assert_eq!(json["scenario"], "public-backend-valid");
    assert_eq!(json["requests"][0]["status"], 200);
    assert_eq!(json["requests"][0]["validated"], "target:api");
    // The full record, whatever the text shows by default.
    assert!(
        json["requests"][0]["log"]
            .as_array()
            .is_some_and(|log| !log.is_empty())
    );
    assert!(json["requests"][0]["trace"]["certificates"][0]["chain"][0]["sha256"].is_string());
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
    let dir = scenarios_dir();
    let files: Vec<String> = hoplab::scenario::scenario_files(&[dir])
        .expect("scenarios dir")
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    assert!(files.len() >= 40, "{files:?}");
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let output = hoplab(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), files.len());
}

#[test]
fn validate_prints_a_located_warning_without_failing() {
    let file = scenario("outages/plain-target-in-tls-group.toml");
    let text = std::fs::read_to_string(&file).expect("bundled scenario");
    // The warned entries: the `targets` lines of the TLS and HTTPS groups.
    let line = |group: &str| {
        let table = text
            .lines()
            .position(|l| l == format!("[target_groups.{group}]"))
            .expect("the group's table");
        table + 3
    };
    let output = hoplab(&["validate", &file]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains(": ok (4 routes, 4 requests, 2 warnings)"),
        "{}",
        stdout(&output)
    );
    let warnings = stderr(&output);
    assert_eq!(warnings.lines().count(), 2, "{warnings}");
    for (group, balancer) in [("nlb-tls", "NLB"), ("alb-https", "ALB")] {
        let field = format!(
            ": warning: target_groups.{group}.targets[0]: target \"plain\" speaks plain HTTP"
        );
        let warning = warnings
            .lines()
            .find(|l| l.contains(&field))
            .unwrap_or_else(|| panic!("{field}\n{warnings}"));
        assert!(
            warning.starts_with(&format!("{file}:{}:", line(group))),
            "{warning}"
        );
        assert!(
            warning.contains(&format!("the {balancer} will try TLS")),
            "{warning}"
        );
    }
}

#[test]
fn commands_that_load_a_scenario_print_its_warnings_too() {
    let file = scenario("outages/plain-target-in-tls-group.toml");
    let output = hoplab(&["explain", &file]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stderr(&output);
    let warned: Vec<_> = text.lines().filter(|l| l.contains(": warning: ")).collect();
    assert_eq!(warned.len(), 2, "{text}");
    assert!(warned.iter().all(|l| l.starts_with(&file)), "{text}");
}

#[test]
fn test_runs_the_bundled_library_and_exits_zero() {
    let dir = scenarios_dir();
    let output = hoplab(&["test", &dir.display().to_string(), "--jobs", "2"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}\n{}", stderr(&output));
    assert!(text.contains("ok      "), "{text}");
    assert!(
        text.contains(" failed, 0 model disagreements, 0 invalid, 0 could not run"),
        "{text}"
    );
}

#[test]
fn test_exits_one_on_a_failed_expectation_and_two_on_an_invalid_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_scenario(&dir, "failing.toml", FAILING);
    let output = hoplab(&["test", &dir.path().display().to_string()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("FAILED  "), "{text}");
    assert!(text.contains("expected: 500"), "{text}");

    write_scenario(&dir, "broken.toml", "[gateway\n");
    let output = hoplab(&["test", &dir.path().display().to_string()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    assert!(text.contains("INVALID "), "{text}");
    assert!(
        text.contains("broken.toml:1:"),
        "the error is located: {text}"
    );
}

#[test]
fn test_filter_selects_by_path_and_json_is_parseable() {
    let dir = scenarios_dir();
    let output = hoplab(&[
        "test",
        &dir.display().to_string(),
        "--filter",
        "seed-article-http",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let scenarios = json["scenarios"].as_array().expect("scenarios array");
    assert_eq!(scenarios.len(), 1);
    assert_eq!(scenarios[0]["status"], "passed");
    assert_eq!(json["passed"], 1);

    let none = hoplab(&[
        "test",
        &dir.display().to_string(),
        "--filter",
        "no-such-name",
    ]);
    assert_eq!(none.status.code(), Some(2));
}

#[test]
fn certs_then_check_agree_with_the_scenario() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("certs");
    let written = hoplab(&[
        "certs",
        &scenario("integration/public-backend-valid.toml"),
        "--out",
        &out.display().to_string(),
    ]);
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    let chain = out.join("api.chain.pem").display().to_string();
    let trust = out.join("trusted-cas.pem").display().to_string();

    let accepted = hoplab(&[
        "check",
        &chain,
        "--host",
        "api.example.com",
        "--trust",
        &trust,
    ]);
    assert_eq!(accepted.status.code(), Some(0), "{}", stdout(&accepted));

    let wrong_host = hoplab(&[
        "check",
        &chain,
        "--host",
        "other.example.com",
        "--trust",
        &trust,
    ]);
    assert_eq!(wrong_host.status.code(), Some(1));
    assert!(
        stdout(&wrong_host).contains("Host name 'other.example.com' does not match the certificate subject provided by the peer (CN=api.example.com)"),
        "{}",
        stdout(&wrong_host)
    );

    let untrusted = hoplab(&[
        "check",
        &chain,
        "--host",
        "api.example.com",
        "--format",
        "json",
    ]);
    assert_eq!(
        untrusted.status.code(),
        Some(1),
        "a private root is not a public one"
    );
    let json: serde_json::Value = serde_json::from_slice(&untrusted.stdout).expect("JSON");
    assert_eq!(json["accepted"], false);

    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let unusable = hoplab(&[
        "check",
        &empty.display().to_string(),
        "--host",
        "api.example.com",
    ]);
    assert_eq!(unusable.status.code(), Some(2));

    // A CERTIFICATE section whose body is no certificate is a verdict, as the JDK gives it.
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(
        &garbage,
        "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let refused = hoplab(&[
        "check",
        &garbage.display().to_string(),
        "--host",
        "api.example.com",
    ]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(
        stdout(&refused).contains("Failed to parse server certificates"),
        "{}",
        stdout(&refused)
    );
}

#[test]
fn probe_of_a_closed_port_is_unusable_input() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let output = hoplab(&["probe", &format!("127.0.0.1:{port}"), "--timeout", "2s"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains(&port.to_string()),
        "{}",
        stderr(&output)
    );
}

#[test]
fn import_writes_a_scenario_with_marked_placeholders() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../import/tests/fixtures");
    let f = |name: &str| fixtures.join(name).display().to_string();
    let dir = tempfile::tempdir().expect("temp dir");
    let output_path = dir.path().join("imported.toml");
    let output = hoplab(&[
        "import",
        "-o",
        &output_path.display().to_string(),
        "--integration",
        &format!("GET /pets={}", f("get-integration-pets.json")),
        "--vpc-link",
        &f("get-vpc-link.json"),
        "--listeners",
        &f("describe-listeners.json"),
        "--target-groups",
        &f("describe-target-groups.json"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = std::fs::read_to_string(&output_path).expect("scenario written");
    assert!(text.contains("TODO(import)"), "{text}");
    assert!(
        stdout(&output).contains("placeholders to fill in"),
        "{}",
        stdout(&output)
    );
    let validate = hoplab(&["validate", &output_path.display().to_string()]);
    assert_eq!(
        validate.status.code(),
        Some(2),
        "placeholders must not validate"
    );

    let again = hoplab(&[
        "import",
        "-o",
        &output_path.display().to_string(),
        "--integration",
        &format!("GET /pets={}", f("get-integration-pets.json")),
    ]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "refuses to overwrite without --force"
    );
}

#[test]
fn run_applies_patch_operations_as_update_integration_does() {
    let output = hoplab(&[
        "run",
        &scenario("nlb/private-ca-listener.toml"),
        "--route",
        "GET /strict",
        "--patch-operations",
        "op='replace',path='/tlsConfig/insecureSkipVerification',value=true",
    ]);
    let text = stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "the patched route now succeeds: {text}"
    );
    assert!(text.contains("GET /strict -> status 200"), "{text}");
}
