//! Every bundled example (`examples/import/`) imported through the library with its sidecar,
//! loaded from the written file and run live on loopback: each route gives the status, the
//! validated hop and the message its topology implies. Without the sidecar each example's
//! scenario refuses to load, naming every placeholder the sidecar fills.

use std::path::{Path, PathBuf};

use hoplab_import::{
    ImportInputs, Imported, PlaceholderKind, Sidecar, SourceInput, TargetHealthInput, Verdict,
    compare_runs, import, sidecar_skeleton, write_atomically,
};
use hoplab_runner::{RequestReport, RunReport};

fn example(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/import")
        .join(dir)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What an example imports: its sources (and AWS CLI exports for the OpenAPI one).
fn inputs(dir: &str, sources: &[&str], with_sidecar: bool) -> ImportInputs {
    let root = example(dir);
    let mut inputs = ImportInputs::default();
    for source in sources {
        inputs
            .sources
            .push(SourceInput::read(&root.join(source), None).expect("readable source"));
    }
    if dir.starts_with("openapi-") {
        if root.join("get-vpc-link.json").exists() {
            inputs.vpc_links = vec![read(&root.join("get-vpc-link.json"))];
        }
        for (file, list) in [
            ("describe-load-balancers.json", &mut inputs.load_balancers),
            ("describe-rules.json", &mut inputs.rules),
        ] {
            if root.join(file).exists() {
                list.push(read(&root.join(file)));
            }
        }
        inputs.listeners = vec![read(&root.join("describe-listeners.json"))];
        let groups = read(&root.join("describe-target-groups.json"));
        // describe-target-health's output does not name its group: the example's one group.
        let described: serde_json::Value = serde_json::from_str(&groups).expect("json");
        let group = described["TargetGroups"][0]["TargetGroupArn"]
            .as_str()
            .expect("a target group ARN");
        inputs.target_health = vec![TargetHealthInput {
            target_group_arn: group.to_owned(),
            json: read(&root.join("describe-target-health.json")),
        }];
        inputs.target_groups = vec![groups];
    }
    if with_sidecar {
        inputs.sidecar =
            Some(Sidecar::load(&root.join("hoplab-sidecar.toml")).expect("valid sidecar"));
    }
    inputs
}

/// Imports into `dir/name.toml` and loads the written file.
fn import_into(out: &Path, name: &str, mut inputs: ImportInputs) -> (Imported, PathBuf) {
    inputs.name = Some(name.to_owned());
    inputs.scenario_dir = Some(out.to_owned());
    let imported = import(inputs).unwrap_or_else(|e| panic!("{name}: {e}"));
    let file = out.join(format!("{name}.toml"));
    write_atomically(&file, imported.toml.as_bytes(), false).expect("written");
    (imported, file)
}

/// Imports an example with its sidecar, which must leave no placeholder.
fn import_complete(out: &Path, name: &str, dir: &str, sources: &[&str]) -> (Imported, PathBuf) {
    let (imported, file) = import_into(out, name, inputs(dir, sources, true));
    assert!(
        imported.placeholders.is_empty(),
        "{dir}: {:#?}",
        imported.placeholders
    );
    (imported, file)
}

async fn run(file: &Path) -> RunReport {
    let scenario = hoplab_scenario::load(file).unwrap_or_else(|e| panic!("{e}\n{}", read(file)));
    hoplab_runner::run(&scenario).await.expect("the lab runs")
}

fn request<'r>(report: &'r RunReport, name: &str) -> &'r RequestReport {
    report
        .requests
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| {
            panic!(
                "no request {name}: {:#?}",
                report.requests.iter().map(|r| &r.name).collect::<Vec<_>>()
            )
        })
}

fn assert_outcome(
    report: &RunReport,
    name: &str,
    status: u16,
    validated: &str,
    error: Option<&str>,
) {
    let r = request(report, name);
    assert_eq!(r.status, Some(status), "{name}: {:#?}", r.log);
    assert_eq!(r.validated.as_deref(), Some(validated), "{name}");
    match error {
        None => assert_eq!(r.error, None, "{name}"),
        Some(text) => assert!(
            r.error.as_deref().is_some_and(|e| e.contains(text)),
            "{name}: {:?} does not contain {text:?}",
            r.error
        ),
    }
}

#[tokio::test]
async fn an_openapi_rest_export_with_cli_exports_runs_through_a_tls_listener() {
    let out = tempfile::tempdir().expect("tempdir");
    let (imported, file) = import_complete(
        out.path(),
        "openapi",
        "openapi-rest-tls",
        &["orders-api.oas30.json"],
    );
    assert!(imported.warnings.is_empty(), "{:#?}", imported.warnings);
    let report = run(&file).await;
    assert_outcome(&report, "GET /orders/{id}", 200, "nlb:orders-nlb:443", None);
    assert_outcome(&report, "POST /orders", 200, "nlb:orders-nlb:443", None);
}

#[tokio::test]
async fn an_openapi_http_api_export_checks_server_name_to_verify() {
    let out = tempfile::tempdir().expect("tempdir");
    let (imported, file) = import_complete(
        out.path(),
        "http-export",
        "openapi-http-api",
        &["orders-http.yaml"],
    );
    assert!(imported.warnings.is_empty(), "{:#?}", imported.warnings);
    let report = run(&file).await;
    assert_outcome(&report, "GET /orders/{id}", 200, "nlb:orders-nlb:443", None);
    assert_outcome(
        &report,
        "ANY /admin",
        500,
        "nlb:orders-nlb:443",
        Some(
            "Host name 'admin.example.com' does not match the certificate subject provided by the peer (CN=orders.example.com)",
        ),
    );
}

#[tokio::test]
async fn an_openapi_rest_export_with_integration_target_runs_through_an_alb_https_listener() {
    let out = tempfile::tempdir().expect("tempdir");
    let (imported, file) = import_complete(
        out.path(),
        "openapi-alb",
        "openapi-rest-alb",
        &["orders-api.oas30.json"],
    );
    assert!(imported.warnings.is_empty(), "{:#?}", imported.warnings);
    let report = run(&file).await;
    // The host and path rule forwards to the HTTPS group, whose target's certificate expired:
    // the ALB does not check it, API Gateway checks the listener's.
    assert_outcome(&report, "GET /orders/{id}", 200, "alb:orders-alb:443", None);
    assert_eq!(
        request(&report, "GET /orders/{id}").target.as_deref(),
        Some("target:10.0.3.21")
    );
    // No rule matches: the listener's fixed response, written by the ALB.
    assert_outcome(&report, "GET /reports", 404, "alb:orders-alb:443", None);
}

#[tokio::test]
async fn a_cloudformation_yaml_template_runs_through_tcp_listeners() {
    let out = tempfile::tempdir().expect("tempdir");
    let (imported, file) = import_complete(
        out.path(),
        "cloudformation",
        "cloudformation-rest-tcp",
        &["template.yaml"],
    );
    assert!(imported.warnings.is_empty(), "{:#?}", imported.warnings);
    let report = run(&file).await;
    assert_outcome(&report, "GET /orders/{id}", 200, "target:10.0.1.15", None);
    assert_outcome(
        &report,
        "GET /legacy",
        500,
        "target:10.0.2.27",
        Some(
            "PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed",
        ),
    );
}

#[tokio::test]
async fn a_cloudformation_alb_behind_a_vpc_link_v2_and_behind_an_nlb_validates_its_listener() {
    let out = tempfile::tempdir().expect("tempdir");
    let (imported, file) = import_complete(
        out.path(),
        "cloudformation-alb",
        "cloudformation-rest-alb",
        &["template.yaml"],
    );
    assert!(imported.warnings.is_empty(), "{:#?}", imported.warnings);
    let text = read(&file);
    for line in [
        "vpc_link_version = \"V2\"",
        "integration_target = \"orders-alb\"",
        "idle_timeout_seconds = 60",
        "conditions = [{ field = \"host-header\", values = [\"orders.example.com\"] }, { field = \"path-pattern\", values = [\"*/orders*\", \"*/legacy*\"] }]",
        "default_action = { type = \"fixed-response\", status_code = 404, content_type = \"text/plain\", message_body = \"no route\" }",
        "target_type = \"alb\"",
        "algorithm = \"least_outstanding_requests\"",
        "[target_groups.orders-app.health_check]",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    let report = run(&file).await;
    // Straight through the VPC link V2, and through the NLB's TCP listener: either way the
    // ALB listener's certificate is the one checked, and the expired target's is not.
    assert_outcome(&report, "GET /orders", 200, "alb:orders-alb:443", None);
    assert_outcome(&report, "GET /legacy", 200, "alb:orders-alb:443", None);
    assert_eq!(
        request(&report, "GET /orders").target.as_deref(),
        Some("target:10.0.3.21")
    );
}

#[tokio::test]
async fn a_cdk_http_api_checks_server_name_to_verify() {
    let out = tempfile::tempdir().expect("tempdir");
    let (imported, file) = import_into(
        out.path(),
        "http-api",
        inputs(
            "cloudformation-http-api",
            &["OrdersHttpStack.template.json"],
            true,
        ),
    );
    assert!(
        imported.placeholders.is_empty(),
        "{:#?}",
        imported.placeholders
    );
    let text = read(&file);
    assert!(text.contains("api = \"HTTP\""), "{text}");
    assert!(
        text.contains("server_name_to_verify = \"orders.example.com\""),
        "{text}"
    );
    assert!(
        text.contains(
            "uri = \"https://OrdersNlbD3E4F5A6-0123456789.elb.eu-west-1.amazonaws.com:443/\""
        ),
        "{text}"
    );
    let report = run(&file).await;
    assert_outcome(
        &report,
        "GET /orders",
        200,
        "nlb:OrdersNlbD3E4F5A6:443",
        None,
    );
    assert_outcome(
        &report,
        "GET /admin",
        500,
        "nlb:OrdersNlbD3E4F5A6:443",
        Some(
            "Host name 'admin.example.com' does not match the certificate subject provided by the peer (CN=orders.example.com)",
        ),
    );
}

#[tokio::test]
async fn a_terraform_plan_moving_a_listener_from_tls_to_tcp_now_fails() {
    let out = tempfile::tempdir().expect("tempdir");
    let (_, before) = import_into(
        out.path(),
        "plan-main",
        inputs("terraform-tls-to-tcp", &["plan-main.json"], true),
    );
    let (_, after) = import_into(
        out.path(),
        "plan-pr",
        inputs("terraform-tls-to-tcp", &["plan-pr.json"], true),
    );
    let (before, after) = (run(&before).await, run(&after).await);
    assert_outcome(&before, "GET /orders", 200, "nlb:orders-nlb:443", None);
    assert_outcome(
        &after,
        "GET /orders",
        500,
        "target:10.0.1.15",
        Some("PKIX path building failed"),
    );
    let comparison = compare_runs(&before, &after);
    assert_eq!(comparison.routes.len(), 1);
    assert_eq!(comparison.routes[0].verdict, Verdict::NowFails);
    assert!(comparison.regressed());
    assert!(
        comparison
            .text()
            .contains("GET /orders  200 nlb:orders-nlb:443  500 target:10.0.1.15  now fails"),
        "{}",
        comparison.text()
    );
}

#[tokio::test]
async fn a_terraform_plan_moving_from_an_nlb_tls_listener_to_an_alb_changes_the_validated_hop() {
    let out = tempfile::tempdir().expect("tempdir");
    let (_, before) = import_into(
        out.path(),
        "plan-main",
        inputs("terraform-nlb-to-alb", &["plan-main.json"], true),
    );
    let (imported, after) = import_into(
        out.path(),
        "plan-pr",
        inputs("terraform-nlb-to-alb", &["plan-pr.json"], true),
    );
    assert!(
        imported.placeholders.is_empty(),
        "{:#?}",
        imported.placeholders
    );
    assert!(imported.warnings.is_empty(), "{:#?}", imported.warnings);
    let text = read(&after);
    assert!(
        text.contains("integration_target = \"orders-alb\""),
        "{text}"
    );
    assert!(
        text.contains("[[albs.orders-alb.listeners.rules]]"),
        "{text}"
    );
    let (before, after) = (run(&before).await, run(&after).await);
    assert_outcome(&before, "GET /orders", 200, "nlb:orders-nlb:443", None);
    assert_outcome(&after, "GET /orders", 200, "alb:orders-alb:443", None);
    let comparison = compare_runs(&before, &after);
    assert_eq!(comparison.routes.len(), 1);
    assert_eq!(comparison.routes[0].verdict, Verdict::Changed);
    assert!(!comparison.regressed());
    assert!(
        comparison
            .text()
            .contains("GET /orders  200 nlb:orders-nlb:443  200 alb:orders-alb:443  changed"),
        "{}",
        comparison.text()
    );
}

/// An example directory, its sources, and the placeholders it leaves open.
type Case = (
    &'static str,
    &'static [&'static str],
    &'static [(PlaceholderKind, &'static str)],
);

#[test]
fn without_the_sidecar_each_example_refuses_to_load_naming_its_placeholders() {
    let cases: [Case; 9] = [
        (
            "openapi-rest-alb",
            &["orders-api.oas30.json"],
            &[
                (
                    PlaceholderKind::Certificate,
                    "arn:aws:acm:eu-west-1:111122223333:certificate/7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
                ),
                (PlaceholderKind::TargetCertificate, "10.0.3.21"),
            ],
        ),
        (
            "cloudformation-rest-alb",
            &["template.yaml"],
            &[
                (PlaceholderKind::Certificate, "OrdersCertArn"),
                (PlaceholderKind::TargetCertificate, "10.0.3.21"),
            ],
        ),
        (
            "terraform-nlb-to-alb",
            &["plan-pr.json"],
            &[
                (PlaceholderKind::Certificate, "aws_acm_certificate.orders"),
                (PlaceholderKind::TargetCertificate, "10.0.1.15"),
            ],
        ),
        (
            "openapi-http-api",
            &["orders-http.yaml"],
            &[
                (PlaceholderKind::Value, "orders-nlb.DNSName"),
                (
                    PlaceholderKind::Certificate,
                    "arn:aws:acm:eu-west-1:111122223333:certificate/5d1e2f3a-4b5c-4d6e-8f70-81a2b3c4d5e6",
                ),
            ],
        ),
        (
            "openapi-rest-tls",
            &["orders-api.oas30.json"],
            &[(PlaceholderKind::StageVariable, "vpcLinkId")],
        ),
        (
            "cloudformation-rest-tcp",
            &["template.yaml"],
            &[
                (PlaceholderKind::TargetCertificate, "10.0.1.15"),
                (PlaceholderKind::TargetCertificate, "10.0.2.27"),
            ],
        ),
        (
            "cloudformation-http-api",
            &["OrdersHttpStack.template.json"],
            &[
                (PlaceholderKind::Value, "OrdersNlbD3E4F5A6.DNSName"),
                (PlaceholderKind::Certificate, "OrdersCert5A0B2C1D"),
            ],
        ),
        (
            "terraform-tls-to-tcp",
            &["plan-main.json"],
            &[
                (PlaceholderKind::Certificate, "aws_acm_certificate.orders"),
                (PlaceholderKind::TargetCertificate, "10.0.1.15"),
            ],
        ),
        (
            "terraform-tls-to-tcp",
            &["plan-pr.json"],
            &[(PlaceholderKind::TargetCertificate, "10.0.1.15")],
        ),
    ];
    for (dir, sources, expected) in cases {
        let out = tempfile::tempdir().expect("tempdir");
        let (imported, file) = import_into(out.path(), "open", inputs(dir, sources, false));
        let open: Vec<(PlaceholderKind, &str)> = imported
            .open
            .iter()
            .map(|p| (p.kind, p.key.as_str()))
            .collect();
        assert_eq!(open, expected, "{dir}");
        let Err(hoplab_scenario::LoadError::Invalid(errors)) = hoplab_scenario::load(&file) else {
            panic!("{dir}: the scenario loads with open placeholders");
        };
        for placeholder in &imported.open {
            assert!(
                errors
                    .iter()
                    .any(|e| e.to_string().contains(&placeholder.key)),
                "{dir}: no error names {}:\n{errors:#?}",
                placeholder.key
            );
        }
        // The skeleton lists each, commented out: as written it fills nothing.
        let skeleton = sidecar_skeleton(&imported.open);
        for placeholder in &imported.open {
            assert!(skeleton.contains(&placeholder.key), "{dir}: {skeleton}");
        }
        let parsed =
            Sidecar::parse(&skeleton, "skeleton.toml", out.path()).expect("the skeleton parses");
        let mut again = inputs(dir, sources, false);
        again.sidecar = Some(parsed);
        let (still, _) = import_into(out.path(), "again", again);
        assert_eq!(still.open.len(), imported.open.len(), "{dir}");
    }
}

#[tokio::test]
async fn sidecar_pem_files_are_written_relative_to_the_scenario() {
    let infra = tempfile::tempdir().expect("tempdir");
    let certs = infra.path().join("certs");
    std::fs::create_dir(&certs).expect("mkdir");
    // A self-signed CA and a leaf for the URI host, as PEM files next to the sidecar.
    let ca_key = rcgen::KeyPair::generate().expect("key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::new()).expect("params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().expect("key");
    let leaf = rcgen::CertificateParams::new(vec!["orders.example.com".to_owned()])
        .expect("params")
        .signed_by(&key, &issuer)
        .expect("leaf");
    std::fs::write(
        certs.join("app.chain.pem"),
        format!("{}{}", leaf.pem(), ca.pem()),
    )
    .expect("write");
    std::fs::write(certs.join("app.key.pem"), key.serialize_pem()).expect("write");
    let sidecar = r#"
[targets."10.0.1.15"]
pem_chain = "certs/app.chain.pem"
pem_key = "certs/app.key.pem"

[targets."10.0.2.27"]
generate = { issuer = "self-signed", dns_names = ["orders.example.com"] }
"#;
    let mut inputs = inputs("cloudformation-rest-tcp", &["template.yaml"], false);
    inputs.sidecar =
        Some(Sidecar::parse(sidecar, "hoplab-sidecar.toml", infra.path()).expect("valid"));
    let out = infra.path().join("scenarios");
    std::fs::create_dir(&out).expect("mkdir");
    let (_, file) = import_into(&out, "pem", inputs);
    let text = read(&file);
    assert!(
        text.contains("pem_chain = \"../certs/app.chain.pem\""),
        "{text}"
    );
    assert!(
        text.contains("pem_key = \"../certs/app.key.pem\""),
        "{text}"
    );
    let report = run(&file).await;
    // The private CA is not trusted: API Gateway refuses the target's own certificate.
    assert_outcome(
        &report,
        "GET /orders/{id}",
        500,
        "target:10.0.1.15",
        Some("PKIX path building failed"),
    );
    assert_outcome(
        &report,
        "GET /legacy",
        500,
        "target:10.0.2.27",
        Some("PKIX path building failed"),
    );
}

#[tokio::test]
async fn terraform_state_imports_like_the_plan_that_made_it() {
    // The state main's plan left behind: the prior state of the pull request's plan.
    let plan: serde_json::Value =
        serde_json::from_str(&read(&example("terraform-tls-to-tcp").join("plan-pr.json")))
            .expect("json");
    let state = serde_json::to_string(&plan["prior_state"]).expect("json");
    let mut inputs = inputs("terraform-tls-to-tcp", &[], true);
    inputs.sources.push(SourceInput {
        file: "terraform.tfstate.json".into(),
        text: state,
        format: None,
    });
    let out = tempfile::tempdir().expect("tempdir");
    let (imported, file) = import_into(out.path(), "state", inputs);
    assert!(
        imported.placeholders.is_empty(),
        "{:#?}",
        imported.placeholders
    );
    assert!(read(&file).contains("the Terraform state terraform.tfstate.json"));
    let report = run(&file).await;
    assert_outcome(&report, "GET /orders", 200, "nlb:orders-nlb:443", None);
}
