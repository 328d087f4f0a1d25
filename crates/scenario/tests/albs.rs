//! ALBs, their listeners and rules, ALB and `alb` target groups, and VPC link V2 routes: what
//! they become, and a located error for each rule they can break.

mod common;

use std::net::IpAddr;

use common::{assert_error, assert_warning, errors, render, valid, with};
use hoplab_scenario::alb_rules::{
    Action, Condition, FixedResponse, Forward, LoadBalancingAlgorithm, QueryPair, RequestView,
    Rule, WeightedGroup,
};
use hoplab_scenario::{
    AlbBuilder, AlbListenerBuilder, AlbListenerProtocol, AlbSecurityPolicy, AuthorityBuilder,
    Backend, BalancerKind, CertificateBuilder, ExpectBuilder, ExpectedHop, LoadBalancer,
    RequestBuilder, RouteBuilder, ScenarioBuilder, TargetBuilder, TargetGroupBuilder,
    TargetGroupProtocol, TargetType, VpcLinkVersion,
};

/// A REST API route through a VPC link V2 to an ALB HTTPS listener with two rules.
const ALB: &str = r#"[authorities.root]
trusted = true

[certificates.alb-cert]
issuer = "root"
dns_names = ["api.example.com"]

[certificates.app-cert]
self_signed = true

[targets.app]
protocol = "HTTPS"
certificate = "app-cert"

[targets.web]
protocol = "HTTP"

[target_groups.app]
protocol = "HTTPS"
targets = ["app"]

[target_groups.web]
protocol = "HTTP"
targets = ["web"]
algorithm = "least_outstanding_requests"

[albs.front]
idle_timeout_seconds = 30

[[albs.front.listeners]]
port = 443
protocol = "HTTPS"
certificate = "alb-cert"
security_policy = "ELBSecurityPolicy-2016-08"
default_action = { type = "fixed-response", status_code = 404, content_type = "text/plain", message_body = "no route" }

[[albs.front.listeners.rules]]
priority = 10
conditions = [{ field = "path-pattern", values = ["/test/api/*"] }]
action = { type = "forward", target_group = "app" }

[[albs.front.listeners.rules]]
priority = 20
conditions = [{ field = "host-header", values = ["*.example.com"] }, { field = "query-string", values = [{ key = "v", value = "1" }] }]
action = { type = "forward", target_groups = [{ target_group = "app", weight = 3 }, { target_group = "web", weight = 1 }] }

[gateway]

[[gateway.routes]]
path = "/api"
uri = "https://api.example.com/api/pets"
connection_type = "VPC_LINK"
vpc_link_version = "V2"
integration_target = "front"

[[requests]]
path = "/api"
[requests.expect]
status = 200
validated = "alb:front:443"
"#;

/// The listener's first rule, as written.
const RULE_10: &str = r#"[[albs.front.listeners.rules]]
priority = 10
conditions = [{ field = "path-pattern", values = ["/test/api/*"] }]
action = { type = "forward", target_group = "app" }
"#;

const ROUTE_V2: &str = "vpc_link_version = \"V2\"\nintegration_target = \"front\"\n";

fn headers() -> hoplab_scenario::alb_rules::RequestView<'static> {
    static EMPTY: std::sync::OnceLock<http::HeaderMap> = std::sync::OnceLock::new();
    RequestView {
        method: "GET",
        host: Some("api.example.com"),
        path: "/",
        query: None,
        headers: EMPTY.get_or_init(http::HeaderMap::new),
        source: IpAddr::from([127, 0, 0, 1]),
    }
}

#[test]
fn albs_listeners_rules_and_v2_routes_are_read_and_navigable() {
    let s = valid(ALB);
    let alb = &s.albs()[0];
    assert_eq!((alb.name(), alb.idle_timeout_seconds()), ("front", 30));
    let listener = s.alb_listener(alb.listeners()[0]);
    assert_eq!(listener.hop_name(), "alb:front:443");
    let AlbListenerProtocol::Https(tls) = listener.protocol() else {
        panic!("an HTTPS listener");
    };
    assert_eq!(s.certificate(tls.default_certificate()).name(), "alb-cert");
    assert_eq!(tls.security_policy(), AlbSecurityPolicy::Elb2016_08);
    let app = s.find_target_group("app").expect("app");
    let web = s.find_target_group("web").expect("web");
    assert_eq!(listener.target_groups(), [app, web]);
    assert_eq!(s.target_group(web).balancer(), BalancerKind::Alb);
    assert_eq!(
        s.target_group(web).algorithm(),
        LoadBalancingAlgorithm::LeastOutstandingRequests
    );
    assert_eq!(s.target_group(app).protocol(), TargetGroupProtocol::Https);

    // The rules are hoplab-alb-rules' own, over target group ids.
    let view = RequestView {
        path: "/test/api/pets",
        ..headers()
    };
    let matched = listener.rules().evaluate(&view);
    assert_eq!(matched.rule.to_string(), "10");
    assert_eq!(
        matched.action,
        &Action::Forward(Forward {
            groups: vec![WeightedGroup {
                group: app,
                weight: 1
            }]
        })
    );
    assert!(matches!(
        listener.rules().evaluate(&headers()).action,
        Action::FixedResponse(FixedResponse { status: 404, .. })
    ));

    let route = &s.routes()[0];
    assert_eq!(route.backend(), Backend::VpcLinkAlb(listener.id()));
    assert_eq!(s.backend_name(route.backend()), "alb:front:443");
    assert_eq!(route.vpc_link_version(), Some(VpcLinkVersion::V2));
    assert!(route.stage_prefix(), "the documented default for V2");
    assert_eq!(route.backend_target(Some("test")), "/test/api/pets");
    assert_eq!(
        s.requests()[0].expect().validated(),
        Some(ExpectedHop::AlbListener(listener.id()))
    );
    assert_eq!(s.find_alb_listener("front", 443), Some(listener.id()));
}

#[test]
fn a_builder_writes_the_same_scenario_as_the_file() {
    let forward_app = Action::Forward(Forward::to("app"));
    let built = ScenarioBuilder::new()
        .authority("root", AuthorityBuilder::root().trusted(true))
        .certificate(
            "alb-cert",
            CertificateBuilder::issued_by("root").dns_name("api.example.com"),
        )
        .certificate("app-cert", CertificateBuilder::self_signed())
        .target("app", TargetBuilder::https("app-cert"))
        .target("web", TargetBuilder::http())
        .target_group(
            "app",
            TargetGroupBuilder::new(TargetGroupProtocol::Https, ["app"]),
        )
        .target_group(
            "web",
            TargetGroupBuilder::new(TargetGroupProtocol::Http, ["web"])
                .algorithm(LoadBalancingAlgorithm::LeastOutstandingRequests),
        )
        .alb(
            "front",
            AlbBuilder::new().idle_timeout_seconds(30).listener(
                AlbListenerBuilder::https(
                    443,
                    "alb-cert",
                    &Action::FixedResponse(FixedResponse {
                        status: 404,
                        content_type: Some("text/plain".to_owned()),
                        body: "no route".to_owned(),
                    }),
                )
                .security_policy(AlbSecurityPolicy::Elb2016_08)
                .rule(&Rule {
                    priority: 10,
                    conditions: vec![Condition::PathPattern(vec!["/test/api/*".to_owned()])],
                    actions: vec![forward_app],
                })
                .rule(&Rule {
                    priority: 20,
                    conditions: vec![
                        Condition::HostHeader(vec!["*.example.com".to_owned()]),
                        Condition::QueryString(vec![QueryPair {
                            key: Some("v".to_owned()),
                            value: "1".to_owned(),
                        }]),
                    ],
                    actions: vec![Action::Forward(Forward {
                        groups: vec![
                            WeightedGroup {
                                group: "app".to_owned(),
                                weight: 3,
                            },
                            WeightedGroup {
                                group: "web".to_owned(),
                                weight: 1,
                            },
                        ],
                    })],
                }),
            ),
        )
        .route(RouteBuilder::new("/api", "https://api.example.com/api/pets").vpc_link_v2("front"))
        .request(
            RequestBuilder::new("/api").expect(
                ExpectBuilder::new()
                    .status(200)
                    .validated_alb_listener("front", 443),
            ),
        )
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(built, valid(ALB));
}

#[test]
fn a_v2_port_without_a_listener_is_no_scenario_error_but_a_backend_nothing_answers() {
    let s = valid(&with(
        ALB,
        "https://api.example.com/api/pets",
        "https://api.example.com:8443/api/pets",
    ));
    let alb = s.find_alb("front").expect("front");
    assert_eq!(
        s.routes()[0].backend(),
        Backend::NoListener {
            balancer: LoadBalancer::Alb(alb),
            port: 8443
        }
    );
    assert_eq!(s.backend_name(s.routes()[0].backend()), "alb:front:8443");
}

#[test]
fn an_http_target_in_an_https_group_is_accepted_with_a_warning() {
    let text = with(
        ALB,
        "[target_groups.app]\nprotocol = \"HTTPS\"\ntargets = [\"app\"]",
        "[target_groups.app]\nprotocol = \"HTTPS\"\ntargets = [\"app\", \"web\"]",
    );
    let warning = assert_warning(
        &text,
        "target_groups.app.targets[1]",
        "targets = [\"app\", \"web\"]",
        "target \"web\" speaks plain HTTP, but target group \"app\" is HTTPS: the ALB will try \
         TLS",
    );
    assert!(
        warning
            .help
            .contains("set protocol = \"HTTP\" on target group \"app\"")
    );
}

#[test]
fn stage_prefix_can_be_turned_off_and_belongs_to_v2_only() {
    let s = valid(&with(
        ALB,
        ROUTE_V2,
        &format!("{ROUTE_V2}stage_prefix = false\n"),
    ));
    assert!(!s.routes()[0].stage_prefix());
    assert_eq!(s.routes()[0].backend_target(Some("test")), "/api/pets");
    let v1 = "[nlbs.inner]\n[[nlbs.inner.listeners]]\nport = 443\nprotocol = \"TCP\"\ntarget_group = \"tcp\"\n\n[target_groups.tcp]\nprotocol = \"TCP\"\ntargets = [\"web\"]\n\n[gateway]\n";
    let text = with(
        &with(ALB, "[gateway]\n", v1),
        ROUTE_V2,
        "vpc_link = \"inner\"\nstage_prefix = true\n",
    );
    assert_error(
        &text,
        "gateway.routes[0].stage_prefix",
        "stage_prefix = true",
        "VPC link V2",
    );
}

#[test]
fn an_unknown_key_in_an_alb_table_is_a_located_error() {
    for (table, at) in [
        ("[albs.front]\n", "[albs.front]\nretries = 3\n"),
        (RULE_10, "[[albs.front.listeners.rules]]\nretries = 3\n"),
    ] {
        let text = with(
            ALB,
            table,
            &format!("{at}{}", &table[table.find('\n').map_or(0, |i| i + 1)..]),
        );
        let errors = errors(&text);
        let error = errors
            .iter()
            .find(|e| e.message.contains("retries"))
            .unwrap_or_else(|| panic!("no error names `retries`: {}", render(&errors)));
        assert_eq!(error.location.line, common::line_of(&text, "retries = 3"));
    }
    let text = with(
        ALB,
        "{ type = \"forward\", target_group = \"app\" }",
        "{ type = \"forward\", target_group = \"app\", retries = 3 }",
    );
    let errors = errors(&text);
    assert!(
        errors.iter().any(|e| e.message.contains("retries")
            && e.location.line == common::line_of(&text, "retries = 3")),
        "{}",
        render(&errors)
    );
}

#[test]
fn a_rule_without_an_action_is_located_at_the_rule() {
    let text = with(
        ALB,
        RULE_10,
        "[[albs.front.listeners.rules]]\npriority = 10\nconditions = [{ field = \"path-pattern\", values = [\"/test/api/*\"] }]\n",
    );
    assert_error(
        &text,
        "albs.front.listeners[0].rules[0].action",
        "[[albs.front.listeners.rules]]",
        "no action",
    );
    let text = with(
        ALB,
        "default_action = { type = \"fixed-response\", status_code = 404, content_type = \"text/plain\", message_body = \"no route\" }\n",
        "",
    );
    assert_error(
        &text,
        "albs.front.listeners[0].default_action",
        "[[albs.front.listeners]]",
        "the default rule: no action",
    );
}

#[test]
fn duplicate_priorities_are_located_at_the_second_rule() {
    let text = with(ALB, "priority = 20", "priority = 10");
    assert_error(
        &text,
        "albs.front.listeners[0].rules[1].priority",
        "priority = 10\nconditions = [{ field = \"host-header\"",
        "two rules have priority 10",
    );
}

#[test]
fn what_aws_refuses_in_rules_is_located_with_its_message() {
    // More than three values in one condition.
    let text = with(
        ALB,
        "values = [\"/test/api/*\"]",
        "values = [\"/a\", \"/b\", \"/c\", \"/d\"]",
    );
    assert_error(
        &text,
        "albs.front.listeners[0].rules[0].conditions",
        "values = [\"/a\"",
        "at most 3 are allowed",
    );
    // A fixed response outside 2XX, 4XX and 5XX.
    let text = with(ALB, "status_code = 404", "status_code = 302");
    assert_error(
        &text,
        "albs.front.listeners[0].default_action",
        "status_code = 302",
        "is not a 2XX, 4XX or 5XX code",
    );
    // An unknown condition field and a bad address block.
    assert_error(
        &with(ALB, "field = \"path-pattern\"", "field = \"path\""),
        "albs.front.listeners[0].rules[0].conditions[0].field",
        "field = \"path\"",
        "\"path-pattern\"",
    );
    assert_error(
        &with(
            ALB,
            "{ field = \"path-pattern\", values = [\"/test/api/*\"] }",
            "{ field = \"source-ip\", values = [\"10.0.0.0\"] }",
        ),
        "albs.front.listeners[0].rules[0].conditions[0].values[0]",
        "source-ip",
        "CIDR",
    );
    assert_error(
        &with(
            ALB,
            "{ field = \"path-pattern\", values = [\"/test/api/*\"] }",
            "{ field = \"http-header\", values = [\"x\"] }",
        ),
        "albs.front.listeners[0].rules[0].conditions[0].http_header_name",
        "http-header",
        "needs `http_header_name`",
    );
}

#[test]
fn a_target_group_behind_the_wrong_kind_of_load_balancer_is_located() {
    // An ALB forwards to HTTP or HTTPS groups only.
    let text = with(
        ALB,
        "[target_groups.web]\nprotocol = \"HTTP\"\ntargets = [\"web\"]\nalgorithm = \"least_outstanding_requests\"\n",
        "[target_groups.web]\nprotocol = \"TCP\"\ntargets = [\"web\"]\n",
    );
    assert_error(
        &text,
        "albs.front.listeners[0].rules[1].action.target_groups[1].target_group",
        "{ target_group = \"web\", weight = 1 }",
        "an ALB forwards to HTTP or HTTPS target groups",
    );
    // An NLB listener forwards to TCP or TLS groups only.
    let nlb = "[nlbs.inner]\n[[nlbs.inner.listeners]]\nport = 443\nprotocol = \"TCP\"\ntarget_group = \"web\"\n\n[gateway]\n";
    assert_error(
        &with(ALB, "[gateway]\n", nlb),
        "nlbs.inner.listeners[0].target_group",
        "target_group = \"web\"\n\n[gateway]",
        "an NLB forwards to TCP or TLS target groups",
    );
    // An ALB group takes an algorithm; an NLB group does not.
    let tcp = "[target_groups.tcp]\nprotocol = \"TCP\"\ntargets = [\"web\"]\nalgorithm = \"round_robin\"\n";
    assert_error(
        &with(ALB, "[albs.front]\n", &format!("{tcp}\n[albs.front]\n")),
        "target_groups.tcp.algorithm",
        "algorithm = \"round_robin\"",
        "ALB (HTTP, HTTPS) target groups",
    );
}

/// An NLB TCP listener in front of the ALB's HTTPS listener.
const NLB_TO_ALB: &str = "[target_groups.to-alb]\nprotocol = \"TCP\"\ntarget_type = \"alb\"\ntargets = [\"front\"]\nport = 443\n\n[nlbs.edge]\n[[nlbs.edge.listeners]]\nport = 443\nprotocol = \"TCP\"\ntarget_group = \"to-alb\"\n\n[gateway]\n";

#[test]
fn an_nlb_reaches_an_alb_through_an_alb_target_group() {
    let text = with(
        &with(ALB, "[gateway]\n", NLB_TO_ALB),
        ROUTE_V2,
        "vpc_link = \"edge\"\n",
    );
    let text = with(
        &text,
        "validated = \"alb:front:443\"",
        "validated = \"alb:front:443\"",
    );
    let s = valid(&text);
    let group = s.target_group(s.find_target_group("to-alb").expect("to-alb"));
    let front = s.find_alb_listener("front", 443).expect("listener");
    assert_eq!(group.target_type(), TargetType::Alb(front));
    assert!(group.targets().is_empty());
    assert_eq!(s.routes()[0].vpc_link_version(), Some(VpcLinkVersion::V1));
    assert!(!s.routes()[0].stage_prefix());

    assert_error(
        &with(
            &text,
            "target_type = \"alb\"\ntargets = [\"front\"]\nport = 443",
            "target_type = \"alb\"\ntargets = [\"front\"]\nport = 8443",
        ),
        "target_groups.to-alb.port",
        "port = 8443",
        "must equal the ALB listener's port",
    );
    let tls = with(
        &text,
        "protocol = \"TCP\"\ntarget_type = \"alb\"",
        "protocol = \"TLS\"\ntarget_type = \"alb\"",
    );
    assert_error(
        &tls,
        "target_groups.to-alb.protocol",
        "protocol = \"TLS\"\ntarget_type",
        "Target type 'alb' is not supported for target groups with TLS protocol",
    );
    let tls_listener = with(
        &text,
        "protocol = \"TCP\"\ntarget_group = \"to-alb\"",
        "protocol = \"TLS\"\ncertificate = \"alb-cert\"\ntarget_group = \"to-alb\"",
    );
    assert_error(
        &tls_listener,
        "nlbs.edge.listeners[0].target_group",
        "target_group = \"to-alb\"",
        "only TCP listeners can forward traffic to an Application Load Balancer target group",
    );
}

#[test]
fn a_v1_link_naming_an_alb_carries_aws_error() {
    let text = with(ALB, ROUTE_V2, "vpc_link = \"front\"\n");
    assert_error(
        &text,
        "gateway.routes[0].vpc_link",
        "vpc_link = \"front\"",
        "NLB ARN is malformed",
    );
}

#[test]
fn a_v2_route_without_integration_target_carries_aws_error() {
    let text = with(ALB, "integration_target = \"front\"\n", "");
    assert_error(
        &text,
        "gateway.routes[0].integration_target",
        "vpc_link_version = \"V2\"",
        "IntegrationTarget is required for VpcLinkV2",
    );
    assert_error(
        &with(
            ALB,
            "integration_target = \"front\"",
            "integration_target = \"back\"",
        ),
        "gateway.routes[0].integration_target",
        "integration_target = \"back\"",
        "expected one of: \"front\"",
    );
}

#[test]
fn http_apis_name_an_alb_with_vpc_link() {
    let text = with(
        &with(ALB, "[gateway]\n", "[gateway]\napi = \"HTTP\"\n"),
        ROUTE_V2,
        "vpc_link = \"front\"\n",
    );
    let s = valid(&text);
    assert!(matches!(s.routes()[0].backend(), Backend::VpcLinkAlb(_)));
    assert_eq!(s.routes()[0].vpc_link_version(), Some(VpcLinkVersion::V2));
    let text = with(
        &with(ALB, "[gateway]\n", "[gateway]\napi = \"HTTP\"\n"),
        "vpc_link_version = \"V2\"\n",
        "",
    );
    assert_error(
        &text,
        "gateway.routes[0].integration_target",
        "integration_target = \"front\"",
        "REST API field",
    );
}

#[test]
fn expectations_name_alb_listeners_that_exist() {
    assert_error(
        &with(
            ALB,
            "validated = \"alb:front:443\"",
            "validated = \"alb:front:80\"",
        ),
        "requests[0].expect.validated",
        "validated = \"alb:front:80\"",
        "\"alb:front:443\"",
    );
    assert_error(
        &with(
            ALB,
            "validated = \"alb:front:443\"",
            "validated = \"alb:back:443\"",
        ),
        "requests[0].expect.validated",
        "validated = \"alb:back:443\"",
        "no alb listener",
    );
}

#[test]
fn alb_listener_settings_are_checked() {
    assert_error(
        &with(
            ALB,
            "idle_timeout_seconds = 30",
            "idle_timeout_seconds = 4001",
        ),
        "albs.front.idle_timeout_seconds",
        "idle_timeout_seconds = 4001",
        "1..=4000",
    );
    assert_error(
        &with(
            ALB,
            "security_policy = \"ELBSecurityPolicy-2016-08\"",
            "security_policy = \"ELBSecurityPolicy-Custom\"",
        ),
        "albs.front.listeners[0].security_policy",
        "ELBSecurityPolicy-Custom",
        "\"ELBSecurityPolicy-TLS13-1-2-2021-06\"",
    );
    assert_error(
        &with(
            ALB,
            "dns_names = [\"api.example.com\"]",
            "dns_names = [\"api.example.com\"]\nkey = \"ed25519\"",
        ),
        "albs.front.listeners[0].certificate",
        "certificate = \"alb-cert\"",
        "ED25519",
    );
    assert_error(
        &with(
            ALB,
            "protocol = \"HTTPS\"\ncertificate = \"alb-cert\"",
            "protocol = \"HTTP\"\ncertificate = \"alb-cert\"",
        ),
        "albs.front.listeners[0].certificate",
        "certificate = \"alb-cert\"\nsecurity",
        "does not terminate TLS",
    );
    let shared = with(
        ALB,
        "[albs.front]\n",
        "[nlbs.front]\n[[nlbs.front.listeners]]\nport = 80\nprotocol = \"TCP\"\ntarget_group = \"tcp\"\n\n[target_groups.tcp]\nprotocol = \"TCP\"\ntargets = [\"web\"]\n\n[albs.front]\n",
    );
    assert_error(
        &shared,
        "albs.front",
        "[albs.front]",
        "unique across [nlbs] and [albs]",
    );
}

#[test]
fn an_alb_target_group_may_be_empty_and_checks_health_with_alb_defaults() {
    let text = with(
        ALB,
        "[target_groups.app]\nprotocol = \"HTTPS\"\ntargets = [\"app\"]\n",
        "[target_groups.app]\nprotocol = \"HTTPS\"\ntargets = []\n\n[target_groups.app.health_check]\npath = \"/health\"\n",
    );
    let s = valid(&text);
    let group = s.target_group(s.find_target_group("app").expect("app"));
    assert!(group.targets().is_empty());
    let check = group.health_check().expect("a check");
    assert_eq!(check.protocol(), hoplab_scenario::HealthCheckProtocol::Http);
    assert_eq!(
        (check.timeout_seconds(), check.matcher_text().as_str()),
        (5, "200")
    );
    assert_error(
        &with(&text, "path = \"/health\"", "protocol = \"TCP\""),
        "target_groups.app.health_check.protocol",
        "protocol = \"TCP\"",
        "HTTP requests",
    );
}

#[test]
fn an_alb_listener_is_edited_through_the_one_validator() {
    let s = valid(ALB);
    let id = s.find_alb_listener("front", 443).expect("listener");
    let edited = s
        .to_builder()
        .edit_alb_listener(id, |l| {
            l.security_policy(AlbSecurityPolicy::Tls13_1_3_2021_06)
                .default_action(&Action::Forward(Forward::to("web")))
        })
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let AlbListenerProtocol::Https(tls) = edited.alb_listener(id).protocol() else {
        panic!("an HTTPS listener");
    };
    assert_eq!(tls.security_policy(), AlbSecurityPolicy::Tls13_1_3_2021_06);
    assert!(matches!(
        edited.alb_listener(id).rules().default_action(),
        Action::Forward(_)
    ));
    // A rule the edit breaks is reported against the original file.
    let broken = s
        .to_builder()
        .edit_alb_listener(id, |l| {
            l.rule(&Rule {
                priority: 10,
                conditions: vec![Condition::PathPattern(vec!["/again".to_owned()])],
                actions: vec![Action::Forward(Forward::to("web"))],
            })
        })
        .build();
    let Err(hoplab_scenario::LoadError::Invalid(errors)) = broken else {
        panic!("a duplicate priority is refused");
    };
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("two rules have priority 10")
                && e.location.file == "test.toml"),
        "{}",
        render(&errors)
    );
}
