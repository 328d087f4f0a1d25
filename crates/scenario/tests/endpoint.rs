//! API Gateway's integration endpoint rules, checked when the scenario is validated and by
//! [`parse_integration_uri`], which imports and patches use.

mod common;

use common::{BASE, with};
use hoplab_scenario::{LoadError, Scheme, from_toml, parse_integration_uri};

fn with_uri(uri: &str) -> Result<hoplab_scenario::Scenario, LoadError> {
    let text = with(
        BASE,
        "uri = \"https://api.example.com/pets\"",
        &format!("uri = \"{uri}\""),
    );
    from_toml(&text, "s.toml")
}

fn error_for(uri: &str) -> hoplab_scenario::ScenarioError {
    match with_uri(uri) {
        Err(LoadError::Invalid(errors)) => errors
            .into_iter()
            .find(|e| e.field == "gateway.routes[0].uri")
            .unwrap_or_else(|| panic!("no uri error for {uri}")),
        other => panic!("{uri}: expected an error, got {other:?}"),
    }
}

#[test]
fn hosts_without_a_public_suffix_are_refused_with_the_aws_message() {
    for uri in [
        "https://get-books-proxy.myproxy.internal/",
        "https://api.local/",
        "https://api.example/",
    ] {
        let error = error_for(uri);
        assert!(
            error
                .message
                .starts_with("Invalid HTTP endpoint specified for URI"),
            "{error}"
        );
        assert_eq!(error.location.line, 15, "{error}");
    }
}

#[test]
fn only_ports_80_443_and_above_1024_are_allowed() {
    let error = error_for("https://api.example.com:1024/");
    assert!(error.message.contains("port 1024"), "{error}");
    assert!(error.help.unwrap_or_default().contains("80, 443"));
    // 1025 is allowed by API Gateway; the only complaint left is that the NLB has no
    // listener on that port.
    let Err(LoadError::Invalid(errors)) = with_uri("https://api.example.com:1025/") else {
        panic!("the NLB has no listener on 1025")
    };
    assert!(
        errors
            .iter()
            .all(|e| !e.help.clone().unwrap_or_default().contains("80, 443")),
        "{errors:#?}"
    );
}

#[test]
fn public_names_and_ip_hosts_are_accepted() {
    for uri in [
        "https://api.example.com/pets",
        "https://internal-nlb-0123.elb.us-east-1.amazonaws.com/pets",
        "https://api.example.co.uk/pets",
    ] {
        assert!(
            !matches!(with_uri(uri), Err(LoadError::Invalid(ref e)) if e.iter().any(|e| e.field == "gateway.routes[0].uri")),
            "{uri} must be accepted"
        );
    }
}

#[test]
fn integration_uris_parse_into_their_parts_with_default_ports() {
    let uri = parse_integration_uri("HTTPS://API.Example.com/pets?x=1").unwrap();
    assert_eq!(uri.scheme(), Scheme::Https);
    assert_eq!(uri.host(), "api.example.com");
    assert_eq!(uri.port(), 443);
    assert_eq!(uri.path_and_query(), "/pets?x=1");
    assert_eq!(uri.raw(), "HTTPS://API.Example.com/pets?x=1");

    let uri = parse_integration_uri("http://10.0.0.1:8080").unwrap();
    assert_eq!((uri.port(), uri.path_and_query()), (8080, "/"));

    let uri = parse_integration_uri("https://[::1]:8443/x").unwrap();
    assert_eq!((uri.host(), uri.port()), ("::1", 8443));
}

#[test]
fn integration_uri_parsing_rejects_what_a_scenario_rejects() {
    for bad in [
        "api.example.com/pets",
        "ftp://api.example.com/",
        "https://user@api.example.com/",
        "https://api.example.com/#frag",
        "https://api.example.com:0/",
        "https://api.example.com:+1/",
        "https://api.example.com:99999/",
        "https://exa mple.com/",
        "https:///pets",
        "https://[::1/",
        "https://${stageVariables.host}/",
        "https://api.example.com:22/",
        "https://app.internal/",
    ] {
        assert!(parse_integration_uri(bad).is_err(), "{bad}");
    }
}
