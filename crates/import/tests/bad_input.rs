//! Untrusted sources: each mistake is an error naming the file and the JSON pointer or line,
//! or, where the import can go on, a warning at the same place and a named placeholder.
//! Unknown enum values and fields warn and never fail; what an ALB's rules say that a scenario
//! cannot is a warning located in the source.

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
fn cloudformation_albs_are_written_and_what_rules_cannot_say_is_a_located_warning() {
    let alb = r#"Parameters:
  CertArn: { Type: String }
Resources:
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
    Properties:
      LoadBalancerArn: !Ref WebAlb
      Protocol: HTTPS
      Port: 443
      SslPolicy: ELBSecurityPolicy-2016-08
      Certificates: [{ CertificateArn: !Ref CertArn }]
      DefaultActions: [{ Type: redirect, RedirectConfig: { Protocol: HTTPS, Host: www.example.com, StatusCode: HTTP_301 } }]
  WebRule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref WebHttps
      Priority: 10
      Conditions:
        - { Field: http-header, HttpHeaderConfig: { HttpHeaderName: X-Env, Values: [prod] } }
        - { Field: query-string, QueryStringConfig: { Values: [{ Key: canary, Value: "true" }, { Value: beta }] } }
        - { Field: http-request-method, HttpRequestMethodConfig: { Values: [GET] } }
        - { Field: source-ip, SourceIpConfig: { Values: [127.0.0.0/8] } }
      Actions:
        - Type: forward
          ForwardConfig:
            TargetGroups: [{ TargetGroupArn: !Ref Blue, Weight: 3 }, { TargetGroupArn: !Ref Green, Weight: 1 }]
            TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 }
  WebAuthRule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref WebHttps
      Priority: 20
      Conditions: [{ Field: path-pattern, PathPatternConfig: { Values: ["/admin/*"] } }]
      Actions:
        - { Type: authenticate-oidc, Order: 1, AuthenticateOidcConfig: { Issuer: "https://idp.example.com" } }
        - { Type: forward, Order: 2, TargetGroupArn: !Ref Blue }
  WebCognitoRule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref WebHttps
      Priority: 30
      Conditions: [{ Field: host-header, Values: [login.example.com] }]
      Actions: [{ Type: authenticate-cognito, Order: 1 }]
  WebBadHeaderRule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref WebHttps
      Priority: 40
      Conditions: [{ Field: http-header }]
      Actions: [{ Type: fixed-response, FixedResponseConfig: { StatusCode: 403 } }]
  Blue: { Type: AWS::ElasticLoadBalancingV2::TargetGroup, Properties: { Protocol: HTTP, Port: 80, Targets: [{ Id: 10.0.0.5 }], HealthCheckPath: /up, Matcher: { HttpCode: "200-299" } } }
  Green: { Type: AWS::ElasticLoadBalancingV2::TargetGroup, Properties: { Protocol: HTTP, Port: 80, Targets: [{ Id: 10.0.0.6 }], TargetGroupAttributes: [{ Key: load_balancing.algorithm.type, Value: weighted_random }] } }
"#;
    let imported = run(vec![source("alb.yaml", alb)]).expect("imports");
    let toml = &imported.toml;
    for line in [
        "vpc_link_version = \"V2\"",
        "integration_target = \"web\"",
        "[albs.web]",
        "protocol = \"HTTPS\"",
        "security_policy = \"ELBSecurityPolicy-2016-08\"",
        "default_action = { type = \"redirect\", status_code = \"HTTP_301\", protocol = \"HTTPS\", host = \"www.example.com\" }",
        "conditions = [{ field = \"http-header\", http_header_name = \"X-Env\", values = [\"prod\"] }, { field = \"query-string\", values = [{ key = \"canary\", value = \"true\" }, { value = \"beta\" }] }, { field = \"http-request-method\", values = [\"GET\"] }, { field = \"source-ip\", values = [\"127.0.0.0/8\"] }]",
        "action = { type = \"forward\", target_groups = [{ target_group = \"Blue\", weight = 3 }, { target_group = \"Green\", weight = 1 }] }",
        "action = { type = \"forward\", target_group = \"Blue\" }",
        "[target_groups.Blue.health_check]",
        "matcher = \"200-299\"",
    ] {
        assert!(toml.contains(line), "{line}\n{toml}");
    }
    assert_eq!(
        toml.matches("[[albs.web.listeners.rules]]").count(),
        2,
        "{toml}"
    );
    // The certificate is the sidecar's to give, as for an NLB.
    assert!(
        imported
            .open
            .iter()
            .any(|p| p.kind == PlaceholderKind::Certificate && p.key == "CertArn"),
        "{:#?}",
        imported.open
    );
    let w = warnings(&imported);
    for expected in [
        "alb.yaml:23: /Resources/WebRule: listener rule WebRule: Actions[0]: target group stickiness is not modelled",
        "alb.yaml:38: /Resources/WebAuthRule: listener rule WebAuthRule: Actions[0]: the authenticate-oidc action is not modelled",
        "alb.yaml:47: /Resources/WebCognitoRule: listener rule WebCognitoRule: Actions[0]: the authenticate-cognito action is not modelled",
        "alb.yaml:54: /Resources/WebBadHeaderRule: listener rule WebBadHeaderRule: Conditions[0]: an http-header condition without HttpHeaderConfig; the rule is left out",
        "load_balancing.algorithm.type weighted_random is not modelled",
    ] {
        assert!(w.iter().any(|w| w.contains(expected)), "{expected}\n{w:#?}");
    }
    assert!(
        toml.contains("# listener rule WebCognitoRule left out"),
        "{toml}"
    );
}

#[test]
fn terraform_albs_listener_rules_and_alb_target_groups_are_written() {
    let plan = r#"{"format_version":"1.2","planned_values":{"root_module":{"resources":[
        {"address":"aws_lb.web","type":"aws_lb","name":"web","values":{"name":"web","internal":true,"idle_timeout":120,"arn":"arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/1"}},
        {"address":"aws_lb_listener.http","type":"aws_lb_listener","name":"http","values":{"port":80,"protocol":"HTTP","load_balancer_arn":"arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/1","default_action":[{"type":"fixed-response","fixed_response":[{"content_type":"text/plain","message_body":"nothing here","status_code":"404"}],"forward":[],"redirect":[]}]}},
        {"address":"aws_lb_listener_rule.api","type":"aws_lb_listener_rule","name":"api","values":{"priority":10,"listener_arn":null,
          "condition":[{"host_header":[{"values":["api.example.com"]}],"path_pattern":[],"http_header":[],"query_string":[]},
                       {"path_pattern":[{"values":["/test/*"]}],"host_header":[],"http_header":[],"query_string":[]},
                       {"query_string":[{"key":"v","value":"2"},{"key":"","value":"x*"}],"host_header":[],"path_pattern":[]}],
          "action":[{"type":"forward","target_group_arn":null,"forward":[],"fixed_response":[],"redirect":[]}]}},
        {"address":"aws_lb_target_group.app","type":"aws_lb_target_group","name":"app","values":{"name":"app","port":8080,"protocol":"HTTP","target_type":"ip","load_balancing_algorithm_type":"least_outstanding_requests","health_check":[{"enabled":true,"protocol":"HTTP","path":"/healthz","interval":10,"timeout":5,"healthy_threshold":2,"unhealthy_threshold":2,"matcher":"200","port":"traffic-port"}]}},
        {"address":"aws_lb_target_group_attachment.app","type":"aws_lb_target_group_attachment","name":"app","values":{"target_id":"10.0.0.7","port":8080,"target_group_arn":null}},
        {"address":"aws_apigatewayv2_vpc_link.v2","type":"aws_apigatewayv2_vpc_link","name":"v2","values":{"name":"v2"}},
        {"address":"aws_api_gateway_rest_api.api","type":"aws_api_gateway_rest_api","name":"api","values":{"body":"{\"openapi\":\"3.0.1\",\"paths\":{\"/\":{\"get\":{\"x-amazon-apigateway-integration\":{\"type\":\"HTTP_PROXY\",\"uri\":\"http://api.example.com/\",\"connectionType\":\"VPC_LINK\",\"connectionId\":\"l1\",\"integrationTarget\":\"arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/1\"}}}}}"}}]}},
      "resource_changes":[
        {"address":"aws_lb_listener_rule.api","change":{"actions":["create"],"after_unknown":{"listener_arn":true,"action":[{"target_group_arn":true}]}}},
        {"address":"aws_lb_target_group_attachment.app","change":{"actions":["create"],"after_unknown":{"target_group_arn":true}}}],
      "configuration":{"root_module":{"resources":[
        {"address":"aws_lb_listener_rule.api","expressions":{"listener_arn":{"references":["aws_lb_listener.http.arn","aws_lb_listener.http"]},"action":[{"target_group_arn":{"references":["aws_lb_target_group.app.arn","aws_lb_target_group.app"]}}]}},
        {"address":"aws_lb_target_group_attachment.app","expressions":{"target_group_arn":{"references":["aws_lb_target_group.app.arn","aws_lb_target_group.app"]}}}]}}}"#;
    let imported = run(vec![source("plan.json", plan)]).expect("imports");
    assert!(imported.warnings.is_empty(), "{:#?}", imported.warnings);
    assert!(
        imported.placeholders.is_empty(),
        "{:#?}",
        imported.placeholders
    );
    let toml = &imported.toml;
    for line in [
        "integration_target = \"web\"",
        "idle_timeout_seconds = 120",
        "default_action = { type = \"fixed-response\", status_code = 404, content_type = \"text/plain\", message_body = \"nothing here\" }",
        "priority = 10",
        "conditions = [{ field = \"host-header\", values = [\"api.example.com\"] }, { field = \"path-pattern\", values = [\"/test/*\"] }, { field = \"query-string\", values = [{ key = \"v\", value = \"2\" }, { value = \"x*\" }] }]",
        "action = { type = \"forward\", target_group = \"app\" }",
        "algorithm = \"least_outstanding_requests\"",
        "interval_seconds = 10",
    ] {
        assert!(toml.contains(line), "{line}\n{toml}");
    }
    // Nothing is left open: the imported scenario is valid as written.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("alb.toml");
    std::fs::write(&file, toml).expect("write");
    hoplab_scenario::load(&file).unwrap_or_else(|e| panic!("{e}\n{toml}"));
}
