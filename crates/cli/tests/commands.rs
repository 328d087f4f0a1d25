//! The real `hoplab` binary: explain, compare, diagram, and the JUnit and HTML reports of
//! `hoplab test`. Golden files live in `tests/golden/`; regenerate them with
//! `HOPLAB_BLESS=1 cargo test -p hoplab-cli --test commands`, then review the diff.

mod support;

use std::path::{Path, PathBuf};

use support::{hoplab, scenario, stderr, stdout};

/// Compares `actual` with `tests/golden/<name>`, or writes it when `HOPLAB_BLESS=1`.
#[track_caller]
fn assert_golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("HOPLAB_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).expect("golden file is writable");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "reading {}: {e} (HOPLAB_BLESS=1 creates it)",
            path.display()
        )
    });
    if actual != expected {
        let line = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, e)| a != e)
            .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()));
        let rule = "-".repeat(72);
        panic!(
            "output differs from {} at line {}\n  expected: {:?}\n  actual:   {:?}\n{rule}\n\
             {actual}{rule}\nIf the change is intended, run with HOPLAB_BLESS=1 and review the diff.",
            path.display(),
            line + 1,
            expected.lines().nth(line).unwrap_or("(end of file)"),
            actual.lines().nth(line).unwrap_or("(end of output)"),
        );
    }
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
name = "expects the wrong status"
path = "/"
[requests.expect]
status = 500
validated = "target:api"
"#;

#[test]
fn explain_matches_the_golden_file() {
    let output = hoplab(&[
        "explain",
        &scenario("nlb/tls-listener-ignores-target-certificates.toml"),
        "--at",
        "2026-01-01T00:00:00Z",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_golden("explain-tls-listener.txt", &stdout(&output));
}

#[test]
fn explain_narrates_why_the_target_certificate_does_not_matter() {
    let output = hoplab(&[
        "explain",
        &scenario("seed-article/seed-article-matrix.toml"),
    ]);
    // Sentences wrap across lines: compare with single spaces.
    let text = stdout(&output)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        text.contains("predicted for 2026-01-01T00:00:00Z"),
        "{text}"
    );
    assert!(
        text.contains("TLS from API Gateway ends at the NLB \"internal\" listener on :443"),
        "{text}"
    );
    assert!(
        text.contains("does not check the certificate \"expired\""),
        "{text}"
    );
}

#[test]
fn explain_json_predicts_each_request() {
    let output = hoplab(&[
        "explain",
        &scenario("nlb/tcp-listener-validates-target.toml"),
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON document");
    let expired = &json["requests"][1];
    assert_eq!(expired["name"], "expired target behind a TCP listener");
    assert_eq!(expired["status"], 500);
    assert_eq!(expired["validated"], "target:expired");
    assert_eq!(
        expired["error"],
        "Execution failed due to configuration error: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed"
    );
    assert_eq!(
        json["routes"][1]["tls_sessions"][0]["through"][0],
        "nlb:internal:8443"
    );
}

#[test]
fn explain_of_an_invalid_scenario_exits_two() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[scenario]\nnmae = \"x\"\n").expect("writable");
    let output = hoplab(&["explain", &path.display().to_string()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("bad.toml:2:1: scenario.nmae"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn compare_matches_the_golden_file() {
    let output = hoplab(&[
        "compare",
        &scenario("seed-article/seed-article-matrix.toml"),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&output),
        stderr(&output)
    );
    assert_golden("compare-seed-article-matrix.txt", &stdout(&output));
}

#[test]
fn compare_which_load_balancer_prints_whose_certificate_each_kind_checks() {
    let output = hoplab(&["compare", &scenario("vpc-link-v2/which-load-balancer.toml")]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}\n{}", stderr(&output));
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|line| line.split_whitespace().collect())
        .collect();
    let row = |kind: &str, certificate: &str| {
        rows.iter()
            .find(|r| r.len() > 2 && r[0] == kind && r[1] == certificate)
            .unwrap_or_else(|| panic!("no row {kind} {certificate} in:\n{text}"))
    };
    assert!(text.contains("15 combinations, 15 run live"), "{text}");
    assert!(
        rows.iter().any(|r| r[..]
            == [
                "load",
                "balancer",
                "target",
                "cert",
                "status",
                "validated",
                "model",
                "message"
            ]),
        "{text}"
    );
    // status, validated hop, the model's verdict, the message's first word.
    for (kind, hop) in [
        ("nlb-tls", "nlb:front:443"),
        ("alb-https", "alb:front:443"),
        ("alb-http", "none"),
        ("nlb-tcp-to-alb", "alb:front-alb:443"),
    ] {
        for certificate in ["valid", "expired", "self-signed"] {
            assert_eq!(
                row(kind, certificate)[2..],
                ["200", hop, "agrees", "-"],
                "{text}"
            );
        }
    }
    assert_eq!(
        row("nlb-tcp", "valid")[2..],
        ["200", "target:app", "agrees", "-"]
    );
    let expired = row("nlb-tcp", "expired");
    assert_eq!(expired[2..5], ["500", "target:app", "agrees"]);
    assert_eq!(
        expired[5..].join(" "),
        "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed"
    );
    let self_signed = row("nlb-tcp", "self-signed");
    assert_eq!(self_signed[2..5], ["500", "target:app", "agrees"]);
    assert!(
        self_signed[5..]
            .join(" ")
            .ends_with("unable to find valid certification path to requested target"),
        "{text}"
    );
    assert!(
        text.contains("15 run: 15 agree with the model, 0 disagree"),
        "{text}"
    );
}

#[test]
fn compare_json_has_one_row_per_combination() {
    let output = hoplab(&[
        "compare",
        &scenario("seed-article/seed-article-matrix.toml"),
        "--format",
        "json",
        "--jobs",
        "2",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON document");
    let rows = json["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 32);
    let ran: Vec<&serde_json::Value> = rows.iter().filter(|r| r["result"] == "ran").collect();
    assert_eq!(ran.len(), 24);
    assert!(
        ran.iter()
            .all(|r| r["disagreements"].as_array().is_some_and(Vec::is_empty))
    );
    // TCP listener, TCP target group, private CA with insecureSkipVerification: accepted.
    let last = &rows[31];
    assert_eq!(
        last["settings"][3],
        serde_json::json!(["insecure_skip_verification", "on"])
    );
    assert_eq!(last["status"], 200);
    assert_eq!(last["validated"], "target:app");
}

#[test]
fn compare_without_a_matrix_exits_two() {
    let output = hoplab(&[
        "compare",
        &scenario("integration/public-backend-valid.toml"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("has no [matrix] section"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn compare_with_an_invalid_matrix_exits_two_with_a_located_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("m.toml");
    std::fs::write(
        &path,
        format!("{FAILING}\n[matrix]\ntarget_certificate = [\"api\", \"nope\"]\n"),
    )
    .expect("writable");
    let output = hoplab(&["compare", &path.display().to_string()]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("m.toml:26:"), "{err}");
    assert!(
        err.contains("matrix.target_certificate[1]: no certificate named \"nope\""),
        "{err}"
    );
}

#[test]
fn diagram_svg_is_well_formed_and_marks_the_validated_hop() {
    let output = hoplab(&[
        "diagram",
        &scenario("nlb/tcp-listener-validates-target.toml"),
        "--request",
        "2",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let svg = stdout(&output);
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let text: String = doc
        .descendants()
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("|");
    assert!(text.contains("✘ validated"), "{text}");
    assert!(text.contains("validity check failed"), "{text}");
    assert!(
        !svg.contains("<script") && !svg.contains("href="),
        "self-contained"
    );
}

#[test]
fn diagram_mermaid_and_dot_draw_each_request() {
    let file = scenario("nlb/tls-listener-ignores-target-certificates.toml");
    let mermaid = hoplab(&[
        "diagram",
        &file,
        "--format",
        "mermaid",
        "--request",
        "expired target behind a TLS listener",
    ]);
    assert_eq!(mermaid.status.code(), Some(0), "{}", stderr(&mermaid));
    let text = stdout(&mermaid);
    assert!(text.starts_with("flowchart LR\n"), "{text}");
    assert!(text.contains("not validated"), "{text}");

    let dot = hoplab(&["diagram", &file, "--format", "dot"]);
    assert_eq!(dot.status.code(), Some(0), "{}", stderr(&dot));
    assert_eq!(stdout(&dot).matches("digraph hoplab {").count(), 3);
}

#[test]
fn diagram_of_an_unknown_request_names_the_requests() {
    let output = hoplab(&[
        "diagram",
        &scenario("nlb/nlb-incomplete-chain.toml"),
        "--request",
        "nope",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("1 \"GET /pets\""),
        "{}",
        stderr(&output)
    );
}

#[test]
fn test_junit_parses_back_with_one_testcase_per_request_and_the_diff() {
    let dir = tempfile::tempdir().expect("temp dir");
    let failing = dir.path().join("failing.toml");
    std::fs::write(&failing, FAILING).expect("writable");
    let junit = dir.path().join("report.xml");
    let output = hoplab(&[
        "test",
        &scenario("nlb/tcp-listener-validates-target.toml"),
        &failing.display().to_string(),
        "--junit",
        &junit.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let xml = std::fs::read_to_string(&junit).expect("report written");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let cases: Vec<roxmltree::Node<'_, '_>> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 6, "5 requests + 1");
    let failed: Vec<&roxmltree::Node<'_, '_>> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0].attribute("name"),
        Some("expects the wrong status")
    );
    let failure = failed[0]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("failure");
    assert_eq!(
        failure.attribute("message"),
        Some("status: expected 500, actual 200")
    );
    let suites: Vec<roxmltree::Node<'_, '_>> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 2);
    let failing_suite = suites
        .iter()
        .find(|s| s.attribute("name") == Some("failing"))
        .expect("a suite named after the failing file");
    assert_eq!(failing_suite.attribute("failures"), Some("1"));
}

#[test]
fn test_junit_reports_an_invalid_scenario_as_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let invalid = dir.path().join("invalid.toml");
    std::fs::write(&invalid, "[targets.x]\nprotocol = \"FTP\"\n").expect("writable");
    let junit = dir.path().join("report.xml");
    let output = hoplab(&[
        "test",
        &invalid.display().to_string(),
        "--junit",
        &junit.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let xml = std::fs::read_to_string(&junit).expect("report written");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let error = doc
        .descendants()
        .find(|n| n.has_tag_name("error"))
        .expect("an error element");
    assert!(
        error
            .attribute("message")
            .is_some_and(|m| m.contains("invalid.toml:")),
        "{xml}"
    );
}

#[test]
fn test_html_is_one_self_contained_page_with_a_picture_per_request() {
    let dir = tempfile::tempdir().expect("temp dir");
    let failing = dir.path().join("failing.toml");
    std::fs::write(&failing, FAILING).expect("writable");
    let html = dir.path().join("report.html");
    let output = hoplab(&[
        "test",
        &scenario("seed-article/seed-article-http-proxy.toml"),
        &failing.display().to_string(),
        "--html",
        &html.display().to_string(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let page = std::fs::read_to_string(&html).expect("report written");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_eq!(page.matches("<svg").count(), 4, "3 + 1 requests");
    assert!(page.contains("Expectation failed"));
    assert!(
        page.contains("Execution failed due to configuration error: PKIX path validation failed")
    );
    for external in ["<script", "src=", "<link", "url("] {
        assert!(
            !page.contains(external),
            "{external} in a self-contained page"
        );
    }
}

#[test]
fn test_checks_the_model_on_every_scenario() {
    let output = hoplab(&["test", &scenario(""), "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON document");
    assert_eq!(json["model_disagreements"], 0);
    let scenarios = json["scenarios"].as_array().expect("scenarios");
    assert!(scenarios.len() >= 14);
    assert!(scenarios.iter().all(|s| {
        s["model_disagreements"]
            .as_array()
            .is_some_and(Vec::is_empty)
    }));
}

#[test]
fn readme_diagrams_are_what_hoplab_diagram_draws() {
    let cases = [
        (
            "nlb/tls-listener-ignores-target-certificates.toml",
            "expired target behind a TLS listener",
            "tls-listener.svg",
        ),
        (
            "nlb/tcp-listener-validates-target.toml",
            "expired target behind a TCP listener",
            "tcp-listener.svg",
        ),
        (
            "alb/alb-https-listener-ignores-target-certificates.toml",
            "expired target behind an ALB HTTPS listener",
            "alb-listener.svg",
        ),
    ];
    for (file, request, image) in cases {
        let output = hoplab(&["diagram", &scenario(file), "--request", request]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../docs/img")
            .join(image);
        let committed = std::fs::read_to_string(&path).expect("the README's diagram exists");
        assert!(
            stdout(&output) == committed,
            "{} is out of date: run `make diagrams`",
            path.display()
        );
    }
}
