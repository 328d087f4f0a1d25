//! Untrusted sources: each mistake is an error naming the file and the JSON pointer or line,
//! or, where the import can go on, a warning at the same place and a named placeholder.
//! Unknown enum values and fields warn and never fail; ALBs are named as not yet importable.

use hoplab_import::{
    ImportError, ImportInputs, Imported, MAX_SOURCE_SIZE, PlaceholderKind, SourceFormat,
    SourceInput, import,
};

fn source(file: &str, text: &str) -> SourceInput {
    SourceInput {
        file: file.to_owned(),
        text: text.to_owned(),
        format: None,
    }
}

fn run(sources: Vec<SourceInput>) -> Result<Imported, ImportError> {
    import(ImportInputs {
        sources,
        ..ImportInputs::default()
    })
}

fn error(sources: Vec<SourceInput>) -> String {
    run(sources).expect_err("refused").to_string()
}

fn warnings(imported: &Imported) -> Vec<String> {
    imported.warnings.iter().map(ToString::to_string).collect()
}

/// A minimal REST API through a VPC link to one NLB listener, in YAML; `listener` is the
/// listener's properties.
fn template(listener: &str, extra: &str) -> String {
    format!(
        r#"Resources:
  Api: {{ Type: AWS::ApiGateway::RestApi, Properties: {{ Name: api }} }}
  Res: {{ Type: AWS::ApiGateway::Resource, Properties: {{ RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: pets }} }}
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Res
      HttpMethod: GET
      Integration: {{ Type: HTTP_PROXY, ConnectionType: VPC_LINK, ConnectionId: !Ref Link, Uri: "https://api.example.com/pets" }}
  Link: {{ Type: AWS::ApiGateway::VpcLink, Properties: {{ Name: link, TargetArns: [!Ref Nlb] }} }}
  Nlb: {{ Type: AWS::ElasticLoadBalancingV2::LoadBalancer, Properties: {{ Type: network }} }}
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Nlb
      DefaultActions: [{{ Type: forward, TargetGroupArn: !Ref Group }}]
{listener}
  Group: {{ Type: AWS::ElasticLoadBalancingV2::TargetGroup, Properties: {{ Protocol: TCP, Port: 8080, Targets: [{{ Id: 10.0.0.5 }}] }} }}
{extra}"#
    )
}

#[test]
fn malformed_json_and_yaml_name_the_file_line_and_column() {
    let e = error(vec![source(
        "api.json",
        "{\n  \"openapi\": \"3.0.1\",\n  \"paths\": {,}\n}",
    )]);
    assert!(e.starts_with("api.json:3:"), "{e}");
    assert!(e.contains("invalid JSON"), "{e}");
    let e = error(vec![source("t.yaml", "Resources:\n  A: [1, 2\n  B: c\n")]);
    assert!(e.starts_with("t.yaml:"), "{e}");
    assert!(e.contains("invalid YAML"), "{e}");
    let e = error(vec![source("t.yaml", "just text")]);
    assert!(e.contains("t.yaml: not an OpenAPI export"), "{e}");
}

#[test]
fn an_unknown_resource_type_is_an_error_or_a_warning() {
    let e = error(vec![source(
        "t.yaml",
        &template(
            "      Protocol: TCP\n      Port: 443",
            "  Odd: { Type: 'not a type' }",
        ),
    )]);
    assert!(
        e.starts_with("t.yaml:21: /Resources/Odd/Type: unknown resource type"),
        "{e}"
    );
    let imported = run(vec![source(
        "t.yaml",
        &template(
            "      Protocol: TCP\n      Port: 443",
            "  Future: { Type: AWS::ElasticLoadBalancingV2::Accelerator }\n  Fn: { Type: AWS::Lambda::Function }",
        ),
    )])
    .expect("imports");
    let w = warnings(&imported);
    assert!(
        w.iter().any(|w| w.starts_with("t.yaml:21: /Resources/Future/Type: resource type AWS::ElasticLoadBalancingV2::Accelerator of Future is not read")),
        "{w:#?}"
    );
    assert!(
        !w.iter().any(|w| w.contains("Lambda")),
        "other services pass over: {w:#?}"
    );
}

#[test]
fn a_cyclic_reference_is_an_error_naming_the_cycle() {
    let e = error(vec![source(
        "t.yaml",
        &template(
            "      Protocol: TCP\n      Port: 443",
            "  A: { Type: AWS::ApiGateway::VpcLink, Properties: { TargetArns: [!GetAtt B.Arn] } }\n  B: { Type: AWS::ApiGateway::VpcLink, Properties: { Name: !Ref A } }",
        ),
    )]);
    assert!(
        e.contains("/Resources/A: cyclic reference between resources: A -> B -> A"),
        "{e}"
    );
}

#[test]
fn a_50_megabyte_template_is_refused_from_its_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("huge.template.json");
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(50 * 1024 * 1024).expect("a sparse 50 MB file");
    let e = SourceInput::read(&path, None)
        .expect_err("too large")
        .to_string();
    assert!(e.contains("52428800 bytes is over the"), "{e}");
    assert!(e.contains(&MAX_SOURCE_SIZE.to_string()), "{e}");
    assert!(e.contains("nothing was read"), "{e}");
}

#[test]
fn import_value_and_custom_resources_become_named_placeholders_with_warnings() {
    let imported = run(vec![source(
        "t.yaml",
        &template(
            "      Protocol: TLS\n      Port: 443\n      SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06\n      Certificates: [{ CertificateArn: !ImportValue shared-CertArn }]",
            "  Lookup: { Type: Custom::Lookup, Properties: { ServiceToken: arn:aws:lambda:eu-west-1:111122223333:function:lookup } }\n  Other:\n    Type: AWS::ElasticLoadBalancingV2::ListenerCertificate\n    Properties: { ListenerArn: !Ref Listener, Certificates: [{ CertificateArn: !GetAtt Lookup.Arn }] }",
        ),
    )])
    .expect("imports");
    let w = warnings(&imported);
    assert!(
        w.iter().any(|w| w.contains("/Resources/Listener/Properties/Certificates/0/CertificateArn/Fn::ImportValue: Fn::ImportValue \"shared-CertArn\"")),
        "{w:#?}"
    );
    assert!(
        w.iter()
            .any(|w| w.contains("Lookup.Arn comes from the custom resource Lookup")),
        "{w:#?}"
    );
    assert!(
        w.iter()
            .any(|w| w.contains("custom resource Lookup (Custom::Lookup)")),
        "{w:#?}"
    );
    let open: Vec<(PlaceholderKind, &str)> = imported
        .open
        .iter()
        .map(|p| (p.kind, p.key.as_str()))
        .collect();
    assert!(
        open.contains(&(PlaceholderKind::Certificate, "import:shared-CertArn")),
        "{open:?}"
    );
    // A reference to a resource is keyed by the resource's logical id.
    assert!(
        open.contains(&(PlaceholderKind::Certificate, "Lookup")),
        "{open:?}"
    );
}

#[test]
fn unknown_enum_values_and_fields_warn_and_do_not_fail() {
    let imported = run(vec![source(
        "t.yaml",
        &template(
            "      Protocol: SCTP\n      Port: 443\n      FutureSetting: on",
            "",
        ),
    )])
    .expect("imports");
    let w = warnings(&imported);
    assert!(
        w.iter()
            .any(|w| w.contains("unknown listener protocol SCTP")),
        "{w:#?}"
    );
    assert!(
        w.iter().any(|w| w.contains(
            "unknown property FutureSetting of AWS::ElasticLoadBalancingV2::Listener Listener"
        )),
        "{w:#?}"
    );
    assert!(
        imported
            .placeholders
            .iter()
            .any(|p| p.contains("SCTP listeners are not supported")),
        "{:#?}",
        imported.placeholders
    );
    let export = r#"{"openapi":"3.0.1","paths":{"/a":{"get":{"x-amazon-apigateway-integration":
        {"type":"http_proxy_v9","uri":"https://api.example.com/","connectionType":"private_link","newField":true}}}}}"#;
    let imported = run(vec![source("api.json", export)]).expect("imports");
    let w = warnings(&imported);
    assert!(
        w.iter()
            .any(|w| w.contains("unknown integration type HTTP_PROXY_V9")),
        "{w:#?}"
    );
    assert!(
        w.iter()
            .any(|w| w.contains("unknown connectionType PRIVATE_LINK")),
        "{w:#?}"
    );
    assert!(
        w.iter().any(|w| w.contains("unknown field newField")),
        "{w:#?}"
    );
}

#[test]
fn an_unknown_terraform_format_version_is_refused() {
    let e = error(vec![source(
        "plan.json",
        r#"{"format_version":"2.0","planned_values":{"root_module":{}}}"#,
    )]);
    assert_eq!(
        e,
        "plan.json: /format_version: format_version \"2.0\" has major version 2; hoplab reads version 1.x (Terraform 1.x writes it)"
    );
    let e = error(vec![SourceInput {
        format: Some(SourceFormat::Terraform),
        ..source("plan.json", r#"{"planned_values":{}}"#)
    }]);
    assert!(e.contains("no format_version"), "{e}");
}

#[test]
fn albs_are_named_as_not_yet_importable() {
    let alb = r#"Resources:
  Api: { Type: AWS::ApiGateway::RestApi, Properties: { Name: api } }
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      Integration: { Type: HTTP_PROXY, ConnectionType: VPC_LINK, ConnectionId: link2, IntegrationTarget: !Ref WebAlb, Uri: "https://api.example.com/" }
  WebAlb: { Type: AWS::ElasticLoadBalancingV2::LoadBalancer, Properties: { Name: web } }
  WebHttps:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties: { LoadBalancerArn: !Ref WebAlb, Protocol: HTTPS, Port: 443 }
  WebRule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties: { ListenerArn: !Ref WebHttps, Priority: 1 }
"#;
    let imported = run(vec![source("alb.yaml", alb)]).expect("imports");
    let w = warnings(&imported);
    assert!(
        w.iter()
            .any(|w| w.contains("Application Load Balancer WebAlb is not yet importable")),
        "{w:#?}"
    );
    assert!(
        w.iter()
            .any(|w| w.contains("ALB listener WebHttps of WebAlb is not yet importable")),
        "{w:#?}"
    );
    assert!(
        w.iter()
            .any(|w| w.contains("ALB listener rule WebRule is not yet importable")),
        "{w:#?}"
    );
    assert!(
        imported.placeholders.iter().any(|p| p.contains("web is an Application Load Balancer, which is not yet importable")),
        "{:#?}",
        imported.placeholders
    );
    assert!(
        imported
            .toml
            .contains("vpc_link = \"TODO(import): alb web\""),
        "{}",
        imported.toml
    );

    let plan = r#"{"format_version":"1.2","planned_values":{"root_module":{"resources":[
        {"address":"aws_lb.web","type":"aws_lb","name":"web","values":{"name":"web","internal":true}},
        {"address":"aws_lb_listener_rule.api","type":"aws_lb_listener_rule","name":"api","values":{"priority":10}}]}}}"#;
    let e = run(vec![source("plan.json", plan)]).expect_err("no routes");
    assert!(e.to_string().contains("no API Gateway route"), "{e}");
    let plan_with_route = plan.replace(
        "]}}}",
        r#",{"address":"aws_api_gateway_rest_api.api","type":"aws_api_gateway_rest_api","name":"api","values":{"body":"{\"openapi\":\"3.0.1\",\"paths\":{\"/\":{\"get\":{\"x-amazon-apigateway-integration\":{\"type\":\"HTTP_PROXY\",\"uri\":\"https://api.example.com/\",\"connectionType\":\"VPC_LINK\",\"connectionId\":\"l1\",\"integrationTarget\":\"aws_lb.web\"}}}}}"}}]}}}"#,
    );
    let imported = run(vec![source("plan.json", &plan_with_route)]).expect("imports");
    let w = warnings(&imported);
    assert!(
        w.iter()
            .any(|w| w.contains("Application Load Balancer aws_lb.web is not yet importable")),
        "{w:#?}"
    );
    assert!(w.iter().any(|w| w.contains("ALB listener rule aws_lb_listener_rule.api is not yet importable")), "{w:#?}");
}
