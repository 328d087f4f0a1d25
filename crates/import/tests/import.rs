//! Imports from hand-written AWS CLI outputs (tests/fixtures): a full import validates once
//! its one placeholder is filled, missing pieces become placeholders that fail validation
//! where they are, and malformed input is an error naming the input.

use std::path::Path;

use hoplab_import::{
    CertificateMapping, ImportError, ImportInputs, IntegrationInput, ListenerCertificatesInput,
    PemFiles, TargetCertificateMapping, TargetHealthInput, import,
};
use hoplab_scenario::{
    ConnectionType, IntegrationType, ListenerProtocol, LoadError, SecurityPolicy,
    TargetGroupProtocol, TargetProtocol, from_toml,
};

const CERT_API: &str =
    "arn:aws:acm:us-east-1:111122223333:certificate/3a8f0c2e-1b2c-4d5e-8f90-123456789abc";
const CERT_WILDCARD: &str =
    "arn:aws:acm:us-east-1:111122223333:certificate/b7c1d9e4-5f60-4a7b-9c8d-abcdef012345";
const CERT_EDGE: &str =
    "arn:aws:acm:us-east-1:111122223333:certificate/c0ffee00-1111-2222-3333-444455556666";
const LISTENER_443: &str = "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/net/internal-nlb/50dc6c495c0c9188/f2f7dc8efc522ab2";
const TG_APP: &str =
    "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/app-tls/73e2d6bc24d8a067";
const TG_ORDERS: &str =
    "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/orders-tcp/9683b2d02a6cabee";
const TARGET_A: &str = "i-0f76fade435676abc";
const TARGET_B: &str = "i-0bb9d0e3f1a2b3c4d";

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn integration(method: &str, path: &str, file: &str) -> IntegrationInput {
    IntegrationInput {
        method: method.to_owned(),
        path: path.to_owned(),
        json: fixture(file),
    }
}

/// Writes a chain (leaf + CA) and key for each name into `dir`; returns the files.
fn pem_files(dir: &Path, name: &str, dns: &str) -> PemFiles {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec![dns.to_owned()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    let files = PemFiles {
        chain: dir.join(format!("{name}.chain.pem")),
        key: dir.join(format!("{name}.key.pem")),
    };
    std::fs::write(&files.chain, format!("{}{}", leaf.pem(), ca.pem())).unwrap();
    std::fs::write(&files.key, key.serialize_pem()).unwrap();
    files
}

/// Every export of the internal NLB's API, with PEM files for both listener certificates and
/// for target A, but none for target B.
fn full_inputs(dir: &Path) -> ImportInputs {
    ImportInputs {
        name: Some("from-aws".to_owned()),
        sources: Vec::new(),
        sidecar: None,
        scenario_dir: None,
        integrations: vec![
            integration("get", "/pets", "get-integration-pets.json"),
            integration("ANY", "/orders", "get-integration-orders.json"),
            integration("GET", "/legacy", "get-integration-legacy.json"),
        ],
        vpc_links: vec![fixture("get-vpc-link.json")],
        load_balancers: Vec::new(),
        listeners: vec![fixture("describe-listeners.json")],
        rules: Vec::new(),
        listener_certificates: vec![ListenerCertificatesInput {
            listener_arn: LISTENER_443.to_owned(),
            json: fixture("describe-listener-certificates-443.json"),
        }],
        target_groups: vec![fixture("describe-target-groups.json")],
        target_health: vec![
            TargetHealthInput {
                target_group_arn: TG_APP.to_owned(),
                json: fixture("describe-target-health-app-tls.json"),
            },
            TargetHealthInput {
                target_group_arn: TG_ORDERS.to_owned(),
                json: fixture("describe-target-health-orders-tcp.json"),
            },
        ],
        certificates: vec![
            CertificateMapping {
                arn: CERT_API.to_owned(),
                files: pem_files(dir, "api", "api.example.com"),
            },
            CertificateMapping {
                arn: CERT_WILDCARD.to_owned(),
                files: pem_files(dir, "wildcard", "*.example.com"),
            },
        ],
        target_certificates: vec![TargetCertificateMapping {
            target_id: TARGET_A.to_owned(),
            files: pem_files(dir, "target-a", "orders.example.com"),
        }],
    }
}

fn errors(
    result: Result<hoplab_scenario::Scenario, LoadError>,
) -> Vec<hoplab_scenario::ScenarioError> {
    match result {
        Err(LoadError::Invalid(errors)) => errors,
        other => panic!("expected validation errors, got {other:?}"),
    }
}

/// `(line, field)` of each `line N: field: reason` placeholder entry.
fn placeholder_sites(placeholders: &[String]) -> Vec<(usize, String)> {
    placeholders
        .iter()
        .map(|p| {
            let rest = p.strip_prefix("line ").expect("starts with line");
            let (line, rest) = rest.split_once(": ").expect("line: field");
            let (field, _) = rest.split_once(": ").expect("field: reason");
            (line.parse().expect("a line number"), field.to_owned())
        })
        .collect()
}

#[test]
fn a_full_import_validates_once_its_placeholder_is_filled() {
    let dir = tempfile::tempdir().unwrap();
    let imported = import(full_inputs(dir.path())).expect("imports");
    let text = &imported.toml;

    // Target B sits in a TLS target group and no PEM files are mapped to it: one placeholder.
    assert_eq!(
        imported.placeholders.len(),
        1,
        "{:#?}\n{text}",
        imported.placeholders
    );
    let sites = placeholder_sites(&imported.placeholders);
    assert_eq!(sites[0].1, format!("targets.{TARGET_B}.certificate"));
    assert!(
        text.contains(&format!(
            "# TODO(import): the sidecar does not say what certificate target {TARGET_B} serves\n"
        )),
        "{text}"
    );
    let placeholder = format!("certificate = \"TODO(import): certificate of target {TARGET_B}\"");
    assert_eq!(
        text.lines().nth(sites[0].0 - 1),
        Some(placeholder.as_str()),
        "{text}"
    );

    // Unfilled, validation fails exactly there.
    let file = dir.path().join("imported.toml");
    let file = file.to_str().unwrap();
    let unfilled = errors(from_toml(text, file));
    assert_eq!(unfilled.len(), 1, "{unfilled:#?}");
    assert_eq!(unfilled[0].field, format!("targets.{TARGET_B}.certificate"));
    assert_eq!(unfilled[0].location.line, sites[0].0);

    // The ALPN policy and the health check are scenario keys; target health is a comment
    // (the lab's own checks decide it).
    assert!(
        text.contains("alpn_policy = \"HTTP2Preferred\"\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "[target_groups.app-tls.health_check]\nprotocol = \"HTTPS\"\npath = \"/health\"\n\
             interval_seconds = 30\ntimeout_seconds = 10\nhealthy_threshold = 5\n\
             unhealthy_threshold = 2\nmatcher = \"200-399\"\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(&format!("# registered in {TG_APP} on port 443: unhealthy (Target.FailedHealthChecks: Health checks failed)\n")),
        "{text}"
    );
    assert!(!text.contains("not modelled"), "{text}");
    assert!(
        !imported
            .notes
            .iter()
            .any(|n| n.contains("AlpnPolicy") || n.contains("health check")),
        "{:?}",
        imported.notes
    );

    let filled = format!(
        "{}\n[certificates.any]\nself_signed = true\n",
        text.replace(
            &format!("\"TODO(import): certificate of target {TARGET_B}\""),
            "\"any\""
        )
    );
    let scenario = from_toml(&filled, file).unwrap_or_else(|e| panic!("{e}\n{filled}"));
    assert_eq!(scenario.name(), "from-aws");

    let routes = scenario.routes();
    let backend = |i: usize| scenario.backend_name(routes[i].backend());
    assert_eq!(routes.len(), 3);
    assert_eq!((routes[0].method(), routes[0].path()), ("GET", "/pets"));
    assert_eq!(routes[0].integration(), IntegrationType::HttpProxy);
    assert_eq!(
        routes[0].backend().connection_type(),
        ConnectionType::VpcLink
    );
    assert_eq!(backend(0), "nlb:internal-nlb:443");
    assert!(!routes[0].insecure_skip_verification());
    assert_eq!(routes[0].timeout_ms(), 29000);
    assert_eq!(routes[1].method(), "ANY");
    assert_eq!(backend(1), "nlb:internal-nlb:8443");
    assert!(routes[1].insecure_skip_verification());
    assert_eq!(routes[1].timeout_ms(), 10000);
    assert_eq!(routes[2].integration(), IntegrationType::Http);
    assert_eq!(
        routes[2].backend().connection_type(),
        ConnectionType::Internet
    );
    assert_eq!(backend(2), "target:legacy.example.net");

    let nlb = &scenario.nlbs()[0];
    assert_eq!((scenario.nlbs().len(), nlb.name()), (1, "internal-nlb"));
    assert_eq!(nlb.listeners().len(), 2);
    let listener = |i: usize| scenario.listener(nlb.listeners()[i]);
    let cert_name = |id| scenario.certificate(id).name();
    let ListenerProtocol::Tls(tls) = listener(0).protocol() else {
        panic!("443 is TLS");
    };
    assert_eq!(cert_name(tls.default_certificate()), "acm-3a8f0c2e");
    let listed: Vec<&str> = tls.certificates().iter().map(|id| cert_name(*id)).collect();
    assert_eq!(listed, ["acm-3a8f0c2e", "acm-b7c1d9e4"]);
    assert_eq!(tls.security_policy(), SecurityPolicy::Tls13_1_2_2021_06);
    let group_name = |i: usize| scenario.target_group(listener(i).target_group()).name();
    assert_eq!(group_name(0), "app-tls");
    assert_eq!(*listener(1).protocol(), ListenerProtocol::Tcp);
    assert_eq!(group_name(1), "orders-tcp");

    let groups = scenario.target_groups();
    let members = |i: usize| -> Vec<&str> {
        groups[i]
            .targets()
            .iter()
            .map(|id| scenario.target(*id).name())
            .collect()
    };
    assert_eq!(groups[0].name(), "app-tls");
    assert_eq!(groups[0].protocol(), TargetGroupProtocol::Tls);
    assert_eq!(members(0), [format!("{TARGET_A}-443").as_str(), TARGET_B]);
    assert_eq!(groups[1].protocol(), TargetGroupProtocol::Tcp);
    assert_eq!(members(1), [format!("{TARGET_A}-8443")]);

    let target = |name: &str| {
        scenario
            .targets()
            .iter()
            .find(|t| t.name() == name)
            .unwrap_or_else(|| panic!("no target {name}"))
    };
    let cert = |name: &str| scenario.find_certificate(name).expect("a certificate");
    let a_cert = TargetProtocol::Https {
        certificate: cert(&format!("target-{TARGET_A}")),
    };
    assert_eq!(target(&format!("{TARGET_A}-443")).protocol(), a_cert);
    // Reached by an https route through the TCP listener: it terminates the gateway's TLS.
    assert_eq!(target(&format!("{TARGET_A}-8443")).protocol(), a_cert);
    assert_eq!(
        target(TARGET_B).protocol(),
        TargetProtocol::Https {
            certificate: cert("any")
        }
    );
    let legacy = target("legacy.example.net");
    assert_eq!(legacy.protocol(), TargetProtocol::Http);
    assert_eq!(legacy.dns_names(), ["legacy.example.net"]);

    let api = scenario
        .pki()
        .certificates()
        .iter()
        .find(|c| c.name() == "acm-3a8f0c2e")
        .expect("listener certificate");
    let pem = api.pem().expect("read from the mapped files");
    assert_eq!(pem.chain_file(), dir.path().join("api.chain.pem"));
    assert_eq!(pem.chain().len(), 2);

    assert_eq!(scenario.requests().len(), 3);
    assert_eq!(scenario.requests()[1].method(), "GET");
    assert_eq!(scenario.requests()[1].path(), "/orders");
}

#[test]
fn missing_pieces_become_placeholders_that_fail_validation_where_they_are() {
    let inputs = ImportInputs {
        integrations: vec![
            // No get-vpc-link for gim7c3.
            integration("GET", "/pets", "get-integration-pets.json"),
            // The edge NLB: an unmapped certificate, an unknown policy, a UDP listener, and
            // target groups with neither describe-target-groups nor describe-target-health.
            integration("GET", "/edge", "get-integration-edge.json"),
            integration("POST", "/lambda", "get-integration-lambda.json"),
            integration("GET", "/staged", "get-integration-stage-variables.json"),
        ],
        vpc_links: vec![fixture("get-vpc-link-edge.json")],
        listeners: vec![fixture("describe-listeners-unsupported.json")],
        ..ImportInputs::default()
    };
    let imported = import(inputs).expect("imports");
    let text = &imported.toml;
    let sites = placeholder_sites(&imported.placeholders);
    let fields: Vec<&str> = sites.iter().map(|(_, f)| f.as_str()).collect();
    assert_eq!(
        fields,
        [
            "gateway.routes[0].vpc_link",
            "gateway.routes[2].integration",
            "gateway.routes[2].uri",
            "gateway.routes[3].uri",
            "gateway.routes[3].vpc_link",
            "nlbs.edge-nlb.listeners[0].certificate",
            "nlbs.edge-nlb.listeners[0].security_policy",
            "nlbs.edge-nlb.listeners[1].protocol",
            "target_groups.edge-tls.protocol",
            "target_groups.edge-tls.targets",
            "target_groups.dns-udp.protocol",
            "target_groups.dns-udp.targets",
        ],
        "{text}"
    );

    // The placeholder for an unmapped certificate names the ARN, and says how to fix it.
    let certificate = &imported.placeholders[5];
    assert!(certificate.contains(CERT_EDGE), "{certificate}");
    assert!(text.contains(&format!(
        "# TODO(import): the sidecar does not say what certificate {CERT_EDGE} is\n"
    )));
    assert!(text.contains(&format!(
        "certificate = \"TODO(import): certificate {CERT_EDGE}\"\n"
    )));
    assert!(
        imported.placeholders[0].contains("no source describes VPC link gim7c3"),
        "{:?}",
        imported.placeholders
    );
    assert!(
        text.contains("aws apigateway get-vpc-link --vpc-link-id gim7c3\n"),
        "{text}"
    );
    assert!(text.contains("#   aws elbv2 describe-target-health --target-group-arn "));
    assert!(
        text.contains("# the VPC link's status is PENDING"),
        "{text}"
    );
    assert!(
        imported
            .notes
            .iter()
            .any(|n| n.contains("UDP listener is not supported"))
    );

    // Every placeholder fails validation on its own line.
    let errors = errors(from_toml(text, "imported.toml"));
    for (line, field) in &sites {
        assert!(
            errors
                .iter()
                .any(|e| e.location.line == *line && e.field.starts_with(field.as_str())),
            "no validation error at line {line} for {field}:\n{errors:#?}\n{text}"
        );
    }
}

#[test]
fn malformed_json_names_the_input_and_the_position() {
    let mut inputs = ImportInputs {
        integrations: vec![integration("GET", "/pets", "get-integration-pets.json")],
        listeners: vec![
            fixture("describe-listeners.json"),
            "{\n  \"Listeners\": [\n    {\"Port\": 443,}\n  ]\n}".to_owned(),
        ],
        ..ImportInputs::default()
    };
    let Err(ImportError::Json {
        input,
        line,
        column,
        message,
    }) = import(inputs.clone())
    else {
        panic!("expected a json error");
    };
    assert_eq!(input, "describe-listeners #2");
    assert_eq!((line, column), (3, 18));
    assert!(message.contains("trailing comma"), "{message}");

    // One command's output where another's is expected.
    inputs.listeners = vec![fixture("describe-target-groups.json")];
    let error = import(inputs.clone()).unwrap_err().to_string();
    assert!(
        error.starts_with("describe-listeners: invalid json at line ")
            && error.ends_with(", column 1: missing field `Listeners`"),
        "{error}"
    );

    inputs.listeners.clear();
    inputs.integrations[0].json = "{\"type\": 5}".to_owned();
    let error = import(inputs).unwrap_err();
    assert!(
        error.to_string().starts_with(
            "get-integration for GET /pets: invalid json at line 1, column 10: invalid type"
        ),
        "{error}"
    );
}

#[test]
fn nothing_to_import_is_an_error() {
    assert_eq!(
        import(ImportInputs::default()),
        Err(ImportError::NoIntegrations)
    );
}

#[test]
fn odd_route_text_stays_valid_toml() {
    let imported = import(ImportInputs {
        integrations: vec![integration(
            "GET",
            "/a\"b\\c\nd",
            "get-integration-legacy.json",
        )],
        ..ImportInputs::default()
    })
    .unwrap();
    let parsed: toml::Table = toml::from_str(&imported.toml).expect("valid toml");
    let routes = parsed["gateway"]["routes"].as_array().unwrap();
    assert_eq!(routes[0]["path"].as_str(), Some("/a\"b\\c\nd"));
}

#[cfg(unix)]
#[test]
fn a_non_utf8_pem_path_is_an_error() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::path::PathBuf::from(std::ffi::OsStr::from_bytes(b"/tmp/\xff.pem"));
    let error = import(ImportInputs {
        integrations: vec![integration("GET", "/pets", "get-integration-pets.json")],
        certificates: vec![CertificateMapping {
            arn: CERT_API.to_owned(),
            files: PemFiles {
                chain: bad.clone(),
                key: "key.pem".into(),
            },
        }],
        ..ImportInputs::default()
    })
    .unwrap_err();
    assert_eq!(error, ImportError::NonUtf8Path { path: bad });
}

#[test]
fn describe_rules_outputs_name_their_listener_and_warn_where_a_rule_cannot_be_written() {
    let listener = r#"{"Listeners":[{"ListenerArn":"arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/web/5/9","LoadBalancerArn":"arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/5","Port":80,"Protocol":"HTTP","DefaultActions":[{"Type":"fixed-response","FixedResponseConfig":{"StatusCode":"404"}}]}]}"#;
    let rules = r#"{"Rules":[
        {"RuleArn":"arn:aws:elasticloadbalancing:eu-west-1:1:listener-rule/app/web/5/9/1","Priority":"5","Conditions":[{"Field":"path-pattern","PathPatternConfig":{"Values":["/a/*"]}}],"Actions":[{"Type":"authenticate-cognito","Order":1}]},
        {"RuleArn":"arn:aws:elasticloadbalancing:eu-west-1:1:listener-rule/app/web/5/9/2","Priority":"7","Conditions":[{"Field":"http-request-method","HttpRequestMethodConfig":{"Values":["POST"]}}],"Actions":[{"Type":"redirect","RedirectConfig":{"Protocol":"HTTPS","Port":"443","StatusCode":"HTTP_302"}}]}]}"#;
    let integration = r#"{"type":"HTTP_PROXY","uri":"http://api.example.com/","connectionType":"VPC_LINK","connectionId":"v2link","integrationTarget":"arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/5"}"#;
    let imported = import(ImportInputs {
        integrations: vec![IntegrationInput {
            method: "GET".into(),
            path: "/".into(),
            json: integration.into(),
        }],
        listeners: vec![listener.into()],
        rules: vec![rules.into()],
        ..ImportInputs::default()
    })
    .expect("imports");
    let w: Vec<String> = imported.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        w,
        [
            "describe-rules: /Rules/0: listener rule arn:aws:elasticloadbalancing:eu-west-1:1:listener-rule/app/web/5/9/1: Actions[0]: the authenticate-cognito action is not modelled (hoplab models forward, fixed-response and redirect); the rule is left out of the scenario"
        ]
    );
    assert!(
        imported.toml.contains("action = { type = \"redirect\", status_code = \"HTTP_302\", protocol = \"HTTPS\", port = 443 }"),
        "{}",
        imported.toml
    );
    assert!(imported.toml.contains("priority = 7"), "{}", imported.toml);

    let no_arn = r#"{"Rules":[{"Priority":"1","Conditions":[],"Actions":[]}]}"#;
    let error = import(ImportInputs {
        integrations: vec![IntegrationInput {
            method: "GET".into(),
            path: "/".into(),
            json: integration.into(),
        }],
        rules: vec![no_arn.into()],
        ..ImportInputs::default()
    })
    .expect_err("refused");
    assert!(
        error
            .to_string()
            .starts_with("describe-rules: /Rules/0/RuleArn: a rule without a listener rule ARN"),
        "{error}"
    );
}
