//! `hoplab import` from infrastructure code, through the real binary: the before/after
//! comparison of the bundled Terraform plans (text, JSON, JUnit, exit code), an imported
//! scenario that refuses to run while its placeholders are open, and a failed import that
//! leaves nothing behind.

mod support;

use std::path::{Path, PathBuf};

use support::{hoplab, stderr, stdout};

fn example(dir: &str, file: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/import")
        .join(dir)
        .join(file)
        .display()
        .to_string()
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

#[test]
fn before_and_after_compares_the_bundled_terraform_plans() {
    let dir = tempfile::tempdir().expect("temp dir");
    let junit = dir.path().join("import.xml");
    let scenarios = dir.path().join("scenarios");
    let output = hoplab(&[
        "import",
        "--before",
        &example("terraform-tls-to-tcp", "plan-main.json"),
        "--after",
        &example("terraform-tls-to-tcp", "plan-pr.json"),
        "--sidecar",
        &example("terraform-tls-to-tcp", "hoplab-sidecar.toml"),
        "--format",
        "json",
        "--junit",
        &junit.display().to_string(),
        "-o",
        &scenarios.display().to_string(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "a route now fails: {}",
        stderr(&output)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("json");
    assert_eq!(json["before"], "plan-main");
    assert_eq!(json["after"], "plan-pr");
    let route = &json["routes"][0];
    assert_eq!(route["route"], "GET /orders");
    assert_eq!(route["verdict"], "now_fails");
    assert_eq!(route["before"]["status"], 200);
    assert_eq!(route["before"]["validated"], "nlb:orders-nlb:443");
    assert_eq!(route["after"]["status"], 500);
    assert_eq!(route["after"]["validated"], "target:10.0.1.15");
    assert!(
        route["after"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("PKIX path building failed")),
        "{route}"
    );
    assert_eq!(
        files_in(&scenarios),
        [scenarios.join("after.toml"), scenarios.join("before.toml")]
    );

    let xml = std::fs::read_to_string(&junit).expect("junit written");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed JUnit XML");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 1, "{xml}");
    assert_eq!(cases[0].attribute("name"), Some("GET /orders"));
    let failure = cases[0]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("a failure");
    assert_eq!(failure.attribute("type"), Some("now-fails"));

    let text = hoplab(&[
        "import",
        "--before",
        &example("terraform-tls-to-tcp", "plan-main.json"),
        "--after",
        &example("terraform-tls-to-tcp", "plan-main.json"),
        "--sidecar",
        &example("terraform-tls-to-tcp", "hoplab-sidecar.toml"),
    ]);
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    assert!(
        stdout(&text)
            .contains("GET /orders  200 nlb:orders-nlb:443  200 nlb:orders-nlb:443  unchanged"),
        "{}",
        stdout(&text)
    );
}

#[test]
fn an_import_with_open_placeholders_writes_a_skeleton_and_refuses_to_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("orders.toml");
    let skeleton = dir.path().join("hoplab-sidecar.toml");
    let output = hoplab(&[
        "import",
        &example("cloudformation-rest-tcp", "template.yaml"),
        "-o",
        &scenario.display().to_string(),
        "--write-sidecar",
        &skeleton.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("2 placeholders to fill in"), "{out}");
    assert!(out.contains("[targets] \"10.0.1.15\""), "{out}");
    let written = std::fs::read_to_string(&skeleton).expect("skeleton written");
    assert!(written.contains("# [targets.\"10.0.2.27\"]"), "{written}");
    assert!(
        written.contains("dns_names = [\"orders.example.com\"]"),
        "the names API Gateway checks are suggested: {written}"
    );

    let run = hoplab(&["run", &scenario.display().to_string()]);
    assert_eq!(run.status.code(), Some(2));
    let errors = stderr(&run);
    for target in ["10.0.1.15", "10.0.2.27"] {
        assert!(
            errors.contains(&format!(
                "no certificate named \"TODO(import): certificate of target {target}\""
            )),
            "{errors}"
        );
    }

    let filled = hoplab(&[
        "import",
        &example("cloudformation-rest-tcp", "template.yaml"),
        "-o",
        &scenario.display().to_string(),
        "--force",
        "--sidecar",
        &example("cloudformation-rest-tcp", "hoplab-sidecar.toml"),
    ]);
    assert_eq!(filled.status.code(), Some(0), "{}", stderr(&filled));
    assert!(
        stdout(&filled).contains("no placeholders"),
        "{}",
        stdout(&filled)
    );
    let run = hoplab(&["run", &scenario.display().to_string()]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(
        stdout(&run).contains("GET /legacy -> status 500, validated target:10.0.2.27"),
        "{}",
        stdout(&run)
    );
}

#[test]
fn a_failed_import_leaves_nothing_behind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let source = dir.path().join("broken.yaml");
    std::fs::write(&source, "Resources:\n  A: [1, 2\n").expect("write");
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).expect("mkdir");
    let output = hoplab(&[
        "import",
        &source.display().to_string(),
        "-o",
        &out_dir.join("s.toml").display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let errors = stderr(&output);
    assert!(errors.contains("broken.yaml:"), "{errors}");
    assert!(errors.contains("invalid YAML"), "{errors}");
    assert!(files_in(&out_dir).is_empty(), "{:?}", files_in(&out_dir));

    let wrong = hoplab(&[
        "import",
        "--from",
        "terraform",
        &example("cloudformation-rest-tcp", "template.yaml"),
        "-o",
        &out_dir.join("s.toml").display().to_string(),
    ]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        stderr(&wrong).contains("no format_version"),
        "{}",
        stderr(&wrong)
    );
    assert!(files_in(&out_dir).is_empty());
}

#[test]
fn aws_cli_exports_of_an_alb_import_into_a_valid_scenario() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = dir.path().join("orders.toml");
    let ex = |file| example("openapi-rest-alb", file);
    let output = hoplab(&[
        "import",
        &ex("orders-api.oas30.json"),
        "--load-balancers",
        &ex("describe-load-balancers.json"),
        "--listeners",
        &ex("describe-listeners.json"),
        "--rules",
        &ex("describe-rules.json"),
        "--target-groups",
        &ex("describe-target-groups.json"),
        "--target-health",
        &format!(
            "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/orders-https/73e2d6bc24d8a067={}",
            ex("describe-target-health.json")
        ),
        "--sidecar",
        &ex("hoplab-sidecar.toml"),
        "-o",
        &scenario.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = std::fs::read_to_string(&scenario).expect("written");
    assert!(
        text.contains("integration_target = \"orders-alb\""),
        "{text}"
    );
    assert!(
        text.contains("[[albs.orders-alb.listeners.rules]]"),
        "{text}"
    );
    let validate = hoplab(&["validate", &scenario.display().to_string()]);
    assert_eq!(validate.status.code(), Some(0), "{}", stderr(&validate));
}
