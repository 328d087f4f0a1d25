//! Imported scenarios run as written, through the real binary: every bundled import example
//! (`examples/import/`) imported with its sidecar and AWS CLI outputs, then run with
//! `hoplab test` from another working directory; PEM paths written relative to the scenario
//! file, so the scenario runs from anywhere; and a scenario in which API Gateway trusts
//! nothing is said to be one, with the keys that fix it.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{stderr, stdout};

/// The AWS CLI outputs an example may hold, each with the flag that reads it.
const CLI_OUTPUTS: [(&str, &str); 5] = [
    ("get-vpc-link.json", "--vpc-link"),
    ("describe-load-balancers.json", "--load-balancers"),
    ("describe-listeners.json", "--listeners"),
    ("describe-rules.json", "--rules"),
    ("describe-target-groups.json", "--target-groups"),
];

/// The output that names its target group on the command line.
const TARGET_HEALTH: &str = "describe-target-health.json";

const SIDECAR: &str = "hoplab-sidecar.toml";

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/import")
}

/// Runs the real binary in the working directory `cwd`.
fn hoplab_in(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoplab"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("the hoplab binary runs")
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    entries
}

/// The flags for an example's AWS CLI outputs; describe-target-health is for the one target
/// group describe-target-groups lists.
fn cli_output_args(example: &Path) -> Vec<String> {
    let mut args = Vec::new();
    for (file, flag) in CLI_OUTPUTS {
        let path = example.join(file);
        if path.exists() {
            args.extend([flag.to_owned(), path.display().to_string()]);
        }
    }
    let health = example.join(TARGET_HEALTH);
    if health.exists() {
        let groups = std::fs::read_to_string(example.join("describe-target-groups.json"))
            .expect("describe-target-groups.json next to describe-target-health.json");
        let groups: serde_json::Value = serde_json::from_str(&groups).expect("json");
        let arn = groups["TargetGroups"][0]["TargetGroupArn"]
            .as_str()
            .expect("a target group ARN");
        args.extend([
            "--target-health".to_owned(),
            format!("{arn}={}", health.display()),
        ]);
    }
    args
}

/// The infrastructure-code sources of an example: every file that is neither its sidecar nor
/// an AWS CLI output. Each is imported on its own (the Terraform examples hold two plans).
fn sources(example: &Path) -> Vec<PathBuf> {
    sorted_entries(example)
        .into_iter()
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name != SIDECAR
                && name != TARGET_HEALTH
                && !CLI_OUTPUTS.iter().any(|(file, _)| *file == name)
        })
        .collect()
}

#[test]
fn every_bundled_import_example_runs_as_written_from_another_directory() {
    let root = tempfile::tempdir().expect("temp dir");
    let imported = root.path().join("imported");
    let elsewhere = root.path().join("elsewhere");
    std::fs::create_dir_all(&imported).expect("mkdir");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    let mut written = Vec::new();
    for example in sorted_entries(&examples_dir()) {
        let name = example.file_name().expect("name").to_string_lossy();
        for source in sources(&example) {
            let stem = source.file_stem().expect("stem").to_string_lossy();
            let stem = stem.split('.').next().unwrap_or(&stem).to_owned();
            let out = imported.join(format!("{name}-{stem}.toml"));
            let mut args = vec![
                "import".to_owned(),
                source.display().to_string(),
                "--sidecar".to_owned(),
                example.join(SIDECAR).display().to_string(),
                "-o".to_owned(),
                out.display().to_string(),
            ];
            args.extend(cli_output_args(&example));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            // Imported from the example's own directory, written elsewhere.
            let output = hoplab_in(&example, &args);
            assert_eq!(
                output.status.code(),
                Some(0),
                "{name}/{}: {}{}",
                source.display(),
                stdout(&output),
                stderr(&output)
            );
            assert!(
                stdout(&output).contains("no placeholders"),
                "{name}: the sidecar fills every placeholder: {}",
                stdout(&output)
            );
            written.push(out);
        }
    }
    assert!(written.len() >= 8, "{written:#?}");

    // Run from a third directory: nothing in the scenarios depends on where hoplab runs.
    let output = hoplab_in(&elsewhere, &["test", &imported.display().to_string()]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    let summary = stdout(&output);
    assert!(
        summary.contains(&format!("{} passed", written.len())),
        "{summary}"
    );
}

/// A certificate of the public CA's look-alike for `orders.example.com`, written by
/// `hoplab certs` into `dir`; returns the chain and key files.
fn pem_files(dir: &Path) -> (PathBuf, PathBuf) {
    let scenario = dir.join("issue.toml");
    std::fs::write(
        &scenario,
        r#"
[authorities.root]
common_name = "Example Root"
trusted = true

[certificates.orders]
issuer = "root"
dns_names = ["orders.example.com"]

[targets.app]
protocol = "HTTPS"
certificate = "orders"
dns_names = ["orders.example.com"]

[[gateway.routes]]
path = "/orders"
uri = "https://orders.example.com/orders"
"#,
    )
    .expect("write");
    let certs = dir.join("certs");
    let output = hoplab_in(
        dir,
        &[
            "certs",
            &scenario.display().to_string(),
            "--out",
            &certs.display().to_string(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    (certs.join("orders.chain.pem"), certs.join("orders.key"))
}

#[test]
fn pem_paths_are_written_relative_to_the_scenario_and_an_untrusted_import_says_so() {
    let root = tempfile::tempdir().expect("temp dir");
    let (chain, key) = pem_files(root.path());
    let work = root.path().join("work");
    let out_dir = root.path().join("scenarios/imported");
    let elsewhere = root.path().join("elsewhere");
    for dir in [&work, &out_dir, &elsewhere] {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    // The sidecar names the PEM files relative to itself, from `work/`.
    let sidecar = work.join(SIDECAR);
    std::fs::write(
        &sidecar,
        r#"[stage_variables]
vpcLinkId = "k3m9p2"

[certificates."arn:aws:acm:eu-west-1:111122223333:certificate/5d1e2f3a-4b5c-4d6e-8f70-81a2b3c4d5e6"]
pem_chain = "../certs/orders.chain.pem"
pem_key = "../certs/orders.key"
"#,
    )
    .expect("write");
    assert!(chain.exists() && key.exists());
    let example = examples_dir().join("openapi-rest-tls");
    let mut args = vec![
        "import".to_owned(),
        example.join("orders-api.oas30.json").display().to_string(),
        "--sidecar".to_owned(),
        SIDECAR.to_owned(),
        // Through `..`: the path the scenario is written to is not the one it is read from.
        "-o".to_owned(),
        "../scenarios/../scenarios/imported/orders.toml".to_owned(),
    ];
    args.extend(cli_output_args(&example));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = hoplab_in(&work, &args);
    let warnings = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{warnings}");

    let scenario = std::fs::read_to_string(out_dir.join("orders.toml")).expect("written");
    assert!(
        scenario.contains("pem_chain = \"../../certs/orders.chain.pem\""),
        "{scenario}"
    );
    assert!(
        scenario.contains("pem_key = \"../../certs/orders.key\""),
        "{scenario}"
    );

    // Nothing in the scenario is trusted: the PEM chain's root is no authority of it.
    assert!(
        warnings.contains("warning: API Gateway trusts no certificate authority in this scenario"),
        "{warnings}"
    );
    for key in [
        "issuer = \"public-ca\"",
        "[gateway] trusted_ca_files",
        "public_roots = true",
        "trusted = true",
    ] {
        assert!(warnings.contains(key), "{key} is named: {warnings}");
    }
    assert!(
        scenario.contains("# API Gateway trusts no certificate authority in this scenario"),
        "{scenario}"
    );

    // From a third directory the scenario still finds its PEM files, and runs: the gateway
    // refuses the chain it does not trust.
    let file = out_dir.join("orders.toml").display().to_string();
    let output = hoplab_in(&elsewhere, &["run", &file, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
    let first = &report["requests"][0];
    assert_eq!(first["status"], 500, "{first}");
    assert!(
        first["error"]
            .as_str()
            .is_some_and(|e| e.contains("PKIX path building failed")),
        "{first}"
    );

    // Trusting the chain's root fixes it, as the warning says.
    let trusted = scenario.replacen(
        "[[gateway.routes]]",
        "[gateway]\ntrusted_ca_files = [\"../../certs/root.crt\"]\n\n[[gateway.routes]]",
        1,
    );
    std::fs::write(out_dir.join("trusted.toml"), trusted).expect("write");
    let file = out_dir.join("trusted.toml").display().to_string();
    let output = hoplab_in(&elsewhere, &["run", &file, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
    assert_eq!(report["requests"][0]["status"], 200, "{report}");
}
