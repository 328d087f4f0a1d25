//! Patch operations applied to routes of a validated scenario: each supported path, the
//! seed article's exact string, a new host or port resolved again, the rules of the API
//! applied to a patched route, and the errors.

use hoplab_import::{
    PatchError, RouteSelector, SUPPORTED, apply_to_scenario, parse_patch_operations,
};
use hoplab_scenario::{Backend, Route, Scenario, Scheme, from_toml};

const BASE: &str = r#"
[authorities.root]
trusted = true

[certificates.nlb]
issuer = "root"
dns_names = ["api.example.com"]

[certificates.app]
issuer = "root"
dns_names = ["app.example.com", "other.example.com"]

[targets.app]
protocol = "HTTPS"
certificate = "app"
dns_names = ["app.example.com"]

[targets.other]
protocol = "HTTPS"
certificate = "app"
dns_names = ["Other.Example.com"]

[target_groups.app]
protocol = "TCP"
targets = ["app"]

[[nlbs.internal.listeners]]
port = 443
protocol = "TLS"
certificate = "nlb"
target_group = "app"

[[nlbs.internal.listeners]]
port = 8443
protocol = "TCP"
target_group = "app"

[[gateway.routes]]
path = "/public"
uri = "https://app.example.com/"

[[gateway.routes]]
method = "POST"
path = "/private"
uri = "https://api.example.com/"
connection_type = "VPC_LINK"
vpc_link = "internal"
"#;

fn scenario() -> Scenario {
    from_toml(BASE, "base.toml").expect("base scenario is valid")
}

/// The public (INTERNET) route.
const PUBLIC: &str = "GET /public";
/// The private (VPC_LINK) route.
const PRIVATE: &str = "POST /private";

fn route<'s>(s: &'s Scenario, selector: &str) -> &'s Route {
    let (method, path) = selector.split_once(' ').expect("METHOD /path");
    s.routes()
        .iter()
        .find(|r| r.method() == method && r.path() == path)
        .expect("the route exists")
}

/// Patches the one route `selector` names.
fn patch(s: &mut Scenario, selector: &str, text: &str) -> Result<(), PatchError> {
    let selector = RouteSelector::parse(selector).expect("a selector");
    apply_to_scenario(s, &selector, &parse_patch_operations(text)?).map(|count| {
        assert_eq!(count, 1);
    })
}

/// The hop a route's backend is (`target:<name>` or `nlb:<nlb>:<port>`).
fn backend(s: &Scenario, selector: &str) -> String {
    s.backend_name(route(s, selector).backend())
}

fn patch_all(scenario: &mut Scenario, text: &str) -> Result<usize, PatchError> {
    apply_to_scenario(
        scenario,
        &RouteSelector::All,
        &parse_patch_operations(text)?,
    )
}

#[test]
fn the_seed_article_patch_turns_skip_verification_on() {
    let mut s = scenario();
    assert!(!route(&s, PUBLIC).insecure_skip_verification());
    patch(
        &mut s,
        PUBLIC,
        "op='replace',path='/tlsConfig/insecureSkipVerification',value=true",
    )
    .unwrap();
    assert!(route(&s, PUBLIC).insecure_skip_verification());
    patch(
        &mut s,
        PUBLIC,
        "op=replace,path=/tlsConfig/insecureSkipVerification,value=false",
    )
    .unwrap();
    assert!(!route(&s, PUBLIC).insecure_skip_verification());
    assert_eq!(
        patch(
            &mut s,
            PUBLIC,
            "op=replace,path=/tlsConfig/insecureSkipVerification,value=yes"
        ),
        Err(PatchError::InvalidValue {
            path: "/tlsConfig/insecureSkipVerification".into(),
            value: "yes".into(),
            expected: "expected true or false".into()
        })
    );
}

#[test]
fn timeout_in_millis_takes_50_to_300000() {
    let mut s = scenario();
    patch(
        &mut s,
        PUBLIC,
        r#"[{"op":"replace","path":"/timeoutInMillis","value":"5000"}]"#,
    )
    .unwrap();
    assert_eq!(route(&s, PUBLIC).timeout_ms(), 5000);
    patch(&mut s, PUBLIC, "op=replace,path=/timeoutInMillis,value=50").unwrap();
    patch(
        &mut s,
        PUBLIC,
        "op=replace,path=/timeoutInMillis,value=300000",
    )
    .unwrap();
    assert_eq!(route(&s, PUBLIC).timeout_ms(), 300_000);
    for bad in ["49", "300001", "-1", "5s", ""] {
        let error = patch(
            &mut s,
            PUBLIC,
            &format!("op=replace,path=/timeoutInMillis,value='{bad}'"),
        )
        .unwrap_err();
        assert!(
            matches!(error, PatchError::InvalidValue { ref value, .. } if value == bad),
            "{bad}: {error}"
        );
    }
    assert_eq!(route(&s, PUBLIC).timeout_ms(), 300_000);
}

#[test]
fn a_uri_on_the_same_host_or_listener_keeps_the_backend() {
    let mut s = scenario();
    patch(
        &mut s,
        PUBLIC,
        "op=replace,path=/uri,value=http://APP.example.com/v2?x=1",
    )
    .unwrap();
    let uri = route(&s, PUBLIC).uri();
    assert_eq!(uri.scheme(), Scheme::Http);
    assert_eq!(uri.port(), 80);
    assert_eq!(uri.path_and_query(), "/v2?x=1");
    assert_eq!(backend(&s, PUBLIC), "target:app");

    // Through a VPC link the host only sets SNI and the name checked; the port picks the listener.
    patch(
        &mut s,
        PRIVATE,
        "op=replace,path=/uri,value=https://elsewhere.example.com:443/",
    )
    .unwrap();
    assert_eq!(route(&s, PRIVATE).uri().host(), "elsewhere.example.com");

    assert!(matches!(
        patch(&mut s, PRIVATE, "op=replace,path=/uri,value=ftp://x/"),
        Err(PatchError::InvalidValue { .. })
    ));
}

#[test]
fn in_a_scenario_a_new_host_or_port_resolves_again() {
    let mut s = scenario();
    let selector = RouteSelector::parse("get /public").unwrap();
    let ops =
        parse_patch_operations("op=replace,path=/uri,value=https://other.example.com/").unwrap();
    assert_eq!(apply_to_scenario(&mut s, &selector, &ops), Ok(1));
    assert_eq!(backend(&s, PUBLIC), "target:other");

    let selector = RouteSelector::parse("POST /private").unwrap();
    let ops =
        parse_patch_operations("op=replace,path=/uri,value=https://api.example.com:8443/").unwrap();
    apply_to_scenario(&mut s, &selector, &ops).unwrap();
    assert_eq!(backend(&s, PRIVATE), "nlb:internal:8443");

    let ops =
        parse_patch_operations("op=replace,path=/uri,value=https://api.example.com:9443/").unwrap();
    assert_eq!(
        apply_to_scenario(&mut s, &selector, &ops),
        Err(PatchError::Unresolved {
            route: "POST /private".into(),
            message:
                "nlb internal has no listener on port 9443, the uri's port (listeners: 443, 8443)"
                    .into()
        })
    );
    let ops =
        parse_patch_operations("op=replace,path=/uri,value=https://nobody.example.com/").unwrap();
    let error =
        apply_to_scenario(&mut s, &RouteSelector::parse("GET /public").unwrap(), &ops).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("no target serves host nobody.example.com"),
        "{error}"
    );
}

#[test]
fn in_a_scenario_the_connection_type_can_change() {
    let mut s = scenario();
    let private = RouteSelector::parse("POST /private").unwrap();
    let public = RouteSelector::parse("GET /public").unwrap();

    // VPC_LINK → INTERNET: the uri host must name a target.
    let ops = parse_patch_operations(
        "op=replace,path=/connectionType,value=INTERNET op=replace,path=/uri,value=https://app.example.com/",
    )
    .unwrap();
    apply_to_scenario(&mut s, &private, &ops).unwrap();
    assert_eq!(backend(&s, PRIVATE), "target:app");
    assert!(matches!(route(&s, PRIVATE).backend(), Backend::Internet(_)));

    // INTERNET → VPC_LINK needs the NLB.
    let ops = parse_patch_operations("op=replace,path=/connectionType,value=VPC_LINK").unwrap();
    let error = apply_to_scenario(&mut s, &public, &ops).unwrap_err();
    assert!(
        error.to_string().contains("no connectionId names the nlb"),
        "{error}"
    );
    let ops = parse_patch_operations(
        "op=replace,path=/connectionType,value=VPC_LINK op=replace,path=/connectionId,value=nowhere",
    )
    .unwrap();
    let error = apply_to_scenario(&mut s, &public, &ops).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("no nlb named nowhere (nlbs: internal)"),
        "{error}"
    );
    let ops = parse_patch_operations(
        "op=replace,path=/connectionType,value=VPC_LINK op=replace,path=/connectionId,value=internal",
    )
    .unwrap();
    apply_to_scenario(&mut s, &public, &ops).unwrap();
    assert_eq!(backend(&s, PUBLIC), "nlb:internal:443");
}

#[test]
fn unsupported_operations_list_the_supported_ones() {
    let mut s = scenario();
    for text in [
        "op=replace,path=/requestParameters/x,value=y",
        "op=remove,path=/tlsConfig/insecureSkipVerification",
        "op=add,path=/timeoutInMillis,value=5000",
    ] {
        let error = patch(&mut s, PUBLIC, text).unwrap_err();
        assert!(
            matches!(&error, PatchError::Unsupported { supported, .. } if supported == SUPPORTED),
            "{text}: {error}"
        );
        assert!(
            error
                .to_string()
                .contains("replace /tlsConfig/insecureSkipVerification"),
            "{error}"
        );
    }
    assert_eq!(
        patch(&mut s, PUBLIC, "op=replace,path=/timeoutInMillis"),
        Err(PatchError::MissingField {
            index: 1,
            field: "value"
        })
    );
}

#[test]
fn nothing_changes_unless_every_operation_applies() {
    let mut s = scenario();
    let before = s.clone();
    let error = patch(
        &mut s,
        PUBLIC,
        "op=replace,path=/tlsConfig/insecureSkipVerification,value=true op=replace,path=/timeoutInMillis,value=1",
    )
    .unwrap_err();
    assert!(matches!(error, PatchError::InvalidValue { .. }));
    assert_eq!(s, before);

    // In a scenario: the first route takes the patch, the second does not, so neither changes.
    let error = patch_all(
        &mut s,
        "op=replace,path=/uri,value=https://app.example.com:9443/",
    )
    .unwrap_err();
    assert!(matches!(error, PatchError::Unresolved { .. }), "{error}");
    assert_eq!(s, before);
    assert_eq!(
        patch_all(
            &mut s,
            "op='replace',path='/tlsConfig/insecureSkipVerification',value=true"
        ),
        Ok(2)
    );
}

#[test]
fn a_selector_that_matches_no_route_lists_the_routes() {
    let mut s = scenario();
    let ops = parse_patch_operations("op=replace,path=/timeoutInMillis,value=100").unwrap();
    assert_eq!(
        apply_to_scenario(&mut s, &RouteSelector::parse("GET /private").unwrap(), &ops),
        Err(PatchError::NoRoute {
            selector: "GET /private".into(),
            routes: "GET /public, POST /private".into()
        })
    );
    assert_eq!(RouteSelector::parse("*"), Some(RouteSelector::All));
    assert_eq!(RouteSelector::parse("GET"), None);
    assert_eq!(RouteSelector::parse("GET pets"), None);
}

/// The base scenario as an HTTP API: its VPC link route may not wait longer than 30 s nor
/// skip verification, and a patch cannot make it.
fn http_api() -> Scenario {
    let text = BASE.replacen(
        "[[gateway.routes]]\npath = \"/public\"\nuri = \"https://app.example.com/\"\n\n",
        "[gateway]\napi = \"HTTP\"\n\n",
        1,
    );
    assert!(text.contains("api = \"HTTP\""), "BASE changed shape");
    from_toml(&text, "http-api.toml").expect("the HTTP API scenario is valid")
}

/// The line of `needle` in the HTTP API scenario's text.
fn http_api_line(needle: &str) -> usize {
    let text = BASE.replacen(
        "[[gateway.routes]]\npath = \"/public\"\nuri = \"https://app.example.com/\"\n\n",
        "[gateway]\napi = \"HTTP\"\n\n",
        1,
    );
    let at = text.find(needle).expect("needle in the text");
    text[..at].matches('\n').count() + 1
}

#[test]
fn a_patched_http_api_route_meets_the_http_api_timeout() {
    let mut s = http_api();
    let before = s.clone();
    patch(
        &mut s,
        PRIVATE,
        "op=replace,path=/timeoutInMillis,value=30000",
    )
    .unwrap();
    assert_eq!(route(&s, PRIVATE).timeout_ms(), 30_000);

    let error = patch(
        &mut s,
        PRIVATE,
        "op=replace,path=/timeoutInMillis,value=30001",
    )
    .unwrap_err();
    let PatchError::Invalid { errors } = &error else {
        panic!("expected the HTTP API rule, got {error}");
    };
    let [found] = errors.as_slice() else {
        panic!("one error: {error}");
    };
    assert_eq!(found.field, "gateway.routes[0].timeout_ms");
    assert_eq!(
        found.message,
        "an HTTP API's integration timeout cannot exceed 30000 ms"
    );
    assert_eq!(found.location.file, "http-api.toml");
    assert_eq!(
        found.location.line,
        http_api_line("[[gateway.routes]]\nmethod")
    );
    assert!(error.to_string().contains("http-api.toml:"), "{error}");
    assert_eq!(route(&s, PRIVATE).timeout_ms(), 30_000, "nothing changed");
    assert_ne!(s, before);
}

#[test]
fn a_patched_http_api_route_cannot_skip_verification() {
    let mut s = http_api();
    let before = s.clone();
    let error = patch(
        &mut s,
        PRIVATE,
        "op='replace',path='/tlsConfig/insecureSkipVerification',value=true",
    )
    .unwrap_err();
    let PatchError::Invalid { errors } = &error else {
        panic!("expected the HTTP API rule, got {error}");
    };
    assert_eq!(errors.len(), 1, "{error}");
    assert_eq!(
        errors[0].field,
        "gateway.routes[0].insecure_skip_verification"
    );
    assert_eq!(
        errors[0].message,
        "insecureSkipVerification is supported only for REST APIs"
    );
    assert_eq!(s, before);
}

/// The base scenario with an ALB, and a third route through a VPC link V2 to the NLB.
fn with_v2_route() -> Scenario {
    let text = format!(
        "{BASE}
[target_groups.web]
protocol = \"HTTPS\"
targets = [\"app\"]

[[albs.web.listeners]]
port = 443
protocol = \"HTTPS\"
certificate = \"nlb\"
default_action = {{ type = \"forward\", target_group = \"web\" }}

[[gateway.routes]]
path = \"/v2\"
uri = \"https://api.example.com/\"
connection_type = \"VPC_LINK\"
vpc_link_version = \"V2\"
integration_target = \"internal\"
"
    );
    from_toml(&text, "v2.toml").expect("the V2 scenario is valid")
}

/// The VPC link V2 route.
const V2: &str = "GET /v2";

#[test]
fn integration_target_moves_a_v2_route_between_load_balancers() {
    let mut s = with_v2_route();
    assert_eq!(backend(&s, V2), "nlb:internal:443");
    patch(&mut s, V2, "op=replace,path=/integrationTarget,value=web").unwrap();
    assert_eq!(backend(&s, V2), "alb:web:443");
    assert!(matches!(route(&s, V2).backend(), Backend::VpcLinkAlb(_)));
    patch(
        &mut s,
        V2,
        r#"[{"op":"replace","path":"/integrationTarget","value":"internal"}]"#,
    )
    .unwrap();
    assert_eq!(backend(&s, V2), "nlb:internal:443");
    assert!(SUPPORTED.contains("replace /integrationTarget"));
}

#[test]
fn integration_target_must_name_a_load_balancer() {
    let mut s = with_v2_route();
    let before = s.clone();
    let error = patch(
        &mut s,
        V2,
        "op=replace,path=/integrationTarget,value=nowhere",
    )
    .unwrap_err();
    assert_eq!(
        error,
        PatchError::Unresolved {
            route: V2.into(),
            message: "no load balancer named nowhere (load balancers: internal, web)".into(),
        }
    );
    assert_eq!(
        patch(&mut s, V2, "op=replace,path=/integrationTarget,value="),
        Err(PatchError::InvalidValue {
            path: "/integrationTarget".into(),
            value: String::new(),
            expected: "expected the name of an ALB or NLB in the scenario".into(),
        })
    );
    assert_eq!(s, before, "nothing changed");
}

#[test]
fn integration_target_on_a_v1_route_gets_the_files_located_error() {
    let mut s = with_v2_route();
    let before = s.clone();
    let error = patch(
        &mut s,
        PRIVATE,
        "op=replace,path=/integrationTarget,value=web",
    )
    .unwrap_err();
    let PatchError::Invalid { errors } = &error else {
        panic!("expected the V1 rule, got {error}");
    };
    let [found] = errors.as_slice() else {
        panic!("one error: {error}");
    };
    assert_eq!(found.field, "gateway.routes[1].integration_target");
    assert_eq!(found.message, "integration_target is a VPC link V2 setting");
    assert_eq!(found.location.file, "v2.toml");
    assert_eq!(s, before, "nothing changed");
}
