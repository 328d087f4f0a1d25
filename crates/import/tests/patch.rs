//! Patch operations applied to routes of a validated scenario: each supported path, the
//! seed article's exact string, the changes that need the whole scenario, and the errors.

use hoplab_import::{
    PatchError, RouteSelector, SUPPORTED, apply, apply_to_scenario, parse_patch_operations,
};
use hoplab_scenario::{ConnectionType, Route, Scenario, Scheme, from_toml};

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

fn public() -> Route {
    scenario().gateway.routes[0].clone()
}

fn private() -> Route {
    scenario().gateway.routes[1].clone()
}

fn patch(route: &mut Route, text: &str) -> Result<(), PatchError> {
    apply(route, &parse_patch_operations(text)?)
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
    let mut route = public();
    assert!(!route.insecure_skip_verification);
    patch(
        &mut route,
        "op='replace',path='/tlsConfig/insecureSkipVerification',value=true",
    )
    .unwrap();
    assert!(route.insecure_skip_verification);
    patch(
        &mut route,
        "op=replace,path=/tlsConfig/insecureSkipVerification,value=false",
    )
    .unwrap();
    assert!(!route.insecure_skip_verification);
    assert_eq!(
        patch(
            &mut route,
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
    let mut route = public();
    patch(
        &mut route,
        r#"[{"op":"replace","path":"/timeoutInMillis","value":"5000"}]"#,
    )
    .unwrap();
    assert_eq!(route.timeout_ms, 5000);
    patch(&mut route, "op=replace,path=/timeoutInMillis,value=50").unwrap();
    patch(&mut route, "op=replace,path=/timeoutInMillis,value=300000").unwrap();
    assert_eq!(route.timeout_ms, 300_000);
    for bad in ["49", "300001", "-1", "5s", ""] {
        let error = patch(
            &mut route,
            &format!("op=replace,path=/timeoutInMillis,value='{bad}'"),
        )
        .unwrap_err();
        assert!(
            matches!(error, PatchError::InvalidValue { ref value, .. } if value == bad),
            "{bad}: {error}"
        );
    }
    assert_eq!(route.timeout_ms, 300_000);
}

#[test]
fn a_uri_on_the_same_host_or_listener_patches_a_lone_route() {
    let mut route = public();
    patch(
        &mut route,
        "op=replace,path=/uri,value=http://APP.example.com/v2?x=1",
    )
    .unwrap();
    assert_eq!(route.uri.scheme, Scheme::Http);
    assert_eq!(route.uri.port, 80);
    assert_eq!(route.uri.path_and_query, "/v2?x=1");
    assert_eq!(
        route.connection,
        ConnectionType::Internet {
            target: "app".into()
        }
    );

    // Through a VPC link the host only sets SNI and the name checked; the port picks the listener.
    let mut route = private();
    patch(
        &mut route,
        "op=replace,path=/uri,value=https://elsewhere.example.com:443/",
    )
    .unwrap();
    assert_eq!(route.uri.host, "elsewhere.example.com");

    assert!(matches!(
        patch(&mut route, "op=replace,path=/uri,value=ftp://x/"),
        Err(PatchError::InvalidValue { .. })
    ));
}

#[test]
fn changes_that_need_the_scenario_are_refused_on_a_lone_route() {
    let cases = [
        (
            public(),
            "op=replace,path=/uri,value=https://other.example.com/",
            "/uri",
        ),
        (
            private(),
            "op=replace,path=/uri,value=https://api.example.com:8443/",
            "/uri",
        ),
        (
            private(),
            "op=replace,path=/connectionType,value=INTERNET",
            "/connectionType",
        ),
        (
            private(),
            "op=replace,path=/connectionId,value=elsewhere",
            "/connectionId",
        ),
    ];
    for (mut route, text, path) in cases {
        let before = route.clone();
        let error = patch(&mut route, text).unwrap_err();
        assert!(
            matches!(&error, PatchError::NeedsScenario { path: p, .. } if p == path),
            "{text}: {error}"
        );
        assert_eq!(route, before, "{text}");
    }
}

#[test]
fn in_a_scenario_a_new_host_or_port_resolves_again() {
    let mut s = scenario();
    let selector = RouteSelector::parse("get /public").unwrap();
    let ops =
        parse_patch_operations("op=replace,path=/uri,value=https://other.example.com/").unwrap();
    assert_eq!(apply_to_scenario(&mut s, &selector, &ops), Ok(1));
    assert_eq!(
        s.gateway.routes[0].connection,
        ConnectionType::Internet {
            target: "other".into()
        }
    );

    let selector = RouteSelector::parse("POST /private").unwrap();
    let ops =
        parse_patch_operations("op=replace,path=/uri,value=https://api.example.com:8443/").unwrap();
    apply_to_scenario(&mut s, &selector, &ops).unwrap();
    assert_eq!(
        s.gateway.routes[1].connection,
        ConnectionType::VpcLink {
            nlb: "internal".into(),
            listener_port: 8443
        }
    );

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
    assert_eq!(
        s.gateway.routes[1].connection,
        ConnectionType::Internet {
            target: "app".into()
        }
    );

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
    assert_eq!(
        s.gateway.routes[0].connection,
        ConnectionType::VpcLink {
            nlb: "internal".into(),
            listener_port: 443
        }
    );
}

#[test]
fn unsupported_operations_list_the_supported_ones() {
    let mut route = public();
    for text in [
        "op=replace,path=/requestParameters/x,value=y",
        "op=remove,path=/tlsConfig/insecureSkipVerification",
        "op=add,path=/timeoutInMillis,value=5000",
    ] {
        let error = patch(&mut route, text).unwrap_err();
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
        patch(&mut route, "op=replace,path=/timeoutInMillis"),
        Err(PatchError::MissingField {
            index: 1,
            field: "value"
        })
    );
}

#[test]
fn nothing_changes_unless_every_operation_applies() {
    let mut route = public();
    let before = route.clone();
    let error = patch(
        &mut route,
        "op=replace,path=/tlsConfig/insecureSkipVerification,value=true op=replace,path=/timeoutInMillis,value=1",
    )
    .unwrap_err();
    assert!(matches!(error, PatchError::InvalidValue { .. }));
    assert_eq!(route, before);

    // In a scenario: the first route takes the patch, the second does not, so neither changes.
    let mut s = scenario();
    let before = s.clone();
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
