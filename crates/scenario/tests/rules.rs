//! One test per validation rule: each asserts the field path, the line and a fragment of the
//! message or help.

mod common;

use common::{BASE, assert_error, assert_warning, errors, valid, with};
use hoplab_scenario::WarningKind;

// --- names ---------------------------------------------------------------------------------

#[test]
fn name_with_invalid_characters() {
    let text = format!("{BASE}\n[authorities.\"bad name\"]\n");
    assert_error(
        &text,
        "authorities.\"bad name\"",
        "[authorities.\"bad name\"]",
        "contains ' '",
    );
}

#[test]
fn empty_name() {
    let text = format!("{BASE}\n[targets.\"\"]\nprotocol = \"HTTP\"\n");
    assert_error(&text, "targets.\"\"", "[targets.\"\"]", "name is empty");
}

#[test]
fn name_both_authority_and_certificate() {
    let text = format!("{BASE}\n[certificates.root]\nself_signed = true\n");
    assert_error(
        &text,
        "certificates.root",
        "[certificates.root]",
        "already the name of an authority",
    );
}

// --- dangling references -------------------------------------------------------------------

#[test]
fn authority_issuer_dangling() {
    let text = with(BASE, "trusted = true", "trusted = true\nissuer = \"nope\"");
    let e = assert_error(
        &text,
        "authorities.root.issuer",
        "issuer = \"nope\"",
        "no authority named \"nope\"",
    );
    assert_eq!(e.help.as_deref(), Some("expected one of: \"root\""));
}

#[test]
fn certificate_issuer_must_be_an_authority() {
    let text = with(BASE, "issuer = \"root\"\n", "issuer = \"app-cert\"\n");
    assert_error(
        &text,
        "certificates.nlb-cert.issuer",
        "issuer = \"app-cert\"",
        "is a leaf certificate, not an authority",
    );
    let text = with(BASE, "issuer = \"root\"\n", "issuer = \"ghost\"\n");
    assert_error(
        &text,
        "certificates.nlb-cert.issuer",
        "issuer = \"ghost\"",
        "expected one of: \"root\"",
    );
}

#[test]
fn chain_entry_dangling() {
    let text = with(
        BASE,
        "dns_names = [\"api.example.com\"]",
        "dns_names = [\"api.example.com\"]\nchain = [\"nlb-cert\", \"ghost\"]",
    );
    assert_error(
        &text,
        "certificates.nlb-cert.chain[1]",
        "chain = [",
        "expected one of: \"nlb-cert\", \"app-cert\", \"root\"",
    );
}

#[test]
fn chain_preset_unknown() {
    let text = with(
        BASE,
        "dns_names = [\"api.example.com\"]",
        "dns_names = [\"api.example.com\"]\nchain = \"leaf+everything\"",
    );
    assert_error(
        &text,
        "certificates.nlb-cert.chain",
        "chain = ",
        "\"leaf+intermediates+root\"",
    );
}

#[test]
fn chain_explicit_empty() {
    let text = with(
        BASE,
        "dns_names = [\"api.example.com\"]",
        "dns_names = [\"api.example.com\"]\nchain = []",
    );
    assert_error(
        &text,
        "certificates.nlb-cert.chain",
        "chain = ",
        "chain is empty",
    );
}

#[test]
fn listener_certificate_dangling() {
    let text = with(
        BASE,
        "certificate = \"nlb-cert\"",
        "certificate = \"nlb-crt\"",
    );
    let e = assert_error(
        &text,
        "nlbs.internal.listeners[0].certificate",
        "certificate = \"nlb-crt\"",
        "no certificate named \"nlb-crt\"",
    );
    assert_eq!(
        e.help.as_deref(),
        Some("expected one of: \"nlb-cert\", \"app-cert\"")
    );
}

#[test]
fn listener_certificate_is_an_authority() {
    let text = with(BASE, "certificate = \"nlb-cert\"", "certificate = \"root\"");
    assert_error(
        &text,
        "nlbs.internal.listeners[0].certificate",
        "certificate = \"root\"",
        "is an authority",
    );
}

#[test]
fn listener_certificates_entry_dangling() {
    let text = with(
        BASE,
        "certificate = \"nlb-cert\"",
        "certificate = \"nlb-cert\"\ncertificates = [\"app-cert\", \"ghost\"]",
    );
    assert_error(
        &text,
        "nlbs.internal.listeners[0].certificates[1]",
        "certificates = [",
        "no certificate named \"ghost\"",
    );
}

#[test]
fn listener_target_group_dangling() {
    let text = with(BASE, "target_group = \"app\"", "target_group = \"ap\"");
    assert_error(
        &text,
        "nlbs.internal.listeners[0].target_group",
        "target_group = \"ap\"",
        "no target group named \"ap\"",
    );
}

#[test]
fn target_group_target_dangling() {
    let text = with(
        BASE,
        "targets = [\"app\"]",
        "targets = [\"app\", \"ghost\"]",
    );
    assert_error(
        &text,
        "target_groups.app.targets[1]",
        "targets = [",
        "no target named \"ghost\"",
    );
}

#[test]
fn target_group_without_targets() {
    let text = with(BASE, "targets = [\"app\"]", "targets = []");
    assert_error(
        &text,
        "target_groups.app.targets",
        "targets = []",
        "has no targets",
    );
}

#[test]
fn target_certificate_dangling() {
    let text = with(
        BASE,
        "certificate = \"app-cert\"",
        "certificate = \"ghost\"",
    );
    assert_error(
        &text,
        "targets.app.certificate",
        "certificate = \"ghost\"",
        "no certificate named \"ghost\"",
    );
}

#[test]
fn route_vpc_link_dangling() {
    let text = with(BASE, "vpc_link = \"internal\"", "vpc_link = \"external\"");
    assert_error(
        &text,
        "gateway.routes[0].vpc_link",
        "vpc_link = \"external\"",
        "expected one of: \"internal\"",
    );
}

#[test]
fn request_path_without_route() {
    let text = with(
        BASE,
        "[[requests]]\npath = \"/pets\"",
        "[[requests]]\npath = \"/dogs\"",
    );
    assert_error(
        &text,
        "requests[0].path",
        "path = \"/dogs\"",
        "no route serves path \"/dogs\"",
    );
}

#[test]
fn request_method_without_route() {
    let text = with(
        BASE,
        "[[requests]]\npath = \"/pets\"",
        "[[requests]]\nmethod = \"post\"\npath = \"/pets\"",
    );
    let e = assert_error(
        &text,
        "requests[0].method",
        "method = \"post\"",
        "no route serves POST /pets",
    );
    assert!(
        e.help.as_deref().is_some_and(|h| h.contains("\"GET\"")),
        "{e}"
    );
}

#[test]
fn request_served_by_any_route_and_query_is_ignored() {
    let text = with(
        BASE,
        "path = \"/pets\"\nuri",
        "method = \"ANY\"\npath = \"/pets\"\nuri",
    );
    let text = with(
        &text,
        "[[requests]]\npath = \"/pets\"",
        "[[requests]]\nmethod = \"DELETE\"\npath = \"/pets?id=1\"",
    );
    valid(&text);
}

#[test]
fn request_method_any_is_rejected() {
    let text = with(
        BASE,
        "[[requests]]\npath = \"/pets\"",
        "[[requests]]\nmethod = \"ANY\"\npath = \"/pets\"",
    );
    assert_error(
        &text,
        "requests[0].method",
        "method = \"ANY\"",
        "unknown method",
    );
}

#[test]
fn expect_validated_missing_listener() {
    let text = format!("{BASE}[requests.expect]\nvalidated = \"nlb:internal:8443\"\n");
    let e = assert_error(
        &text,
        "requests[0].expect.validated",
        "validated = ",
        "no nlb listener \"nlb:internal:8443\"",
    );
    assert!(
        e.help
            .as_deref()
            .is_some_and(|h| h.contains("\"nlb:internal:443\"") && h.contains("\"target:app\"")),
        "{e}"
    );
}

#[test]
fn expect_validated_missing_nlb_or_target_or_malformed() {
    for (value, fragment) in [
        ("nlb:external:443", "no nlb listener"),
        ("target:ghost", "no target \"target:ghost\""),
        ("gateway", "invalid hop"),
        ("nlb:internal", "no nlb listener"),
    ] {
        let text = format!("{BASE}[requests.expect]\nvalidated = \"{value}\"\n");
        assert_error(
            &text,
            "requests[0].expect.validated",
            "validated = ",
            fragment,
        );
    }
    let text = format!("{BASE}[requests.expect]\nvalidated = \"target:app\"\n");
    valid(&text);
}

// --- authority cycles and order ------------------------------------------------------------

#[test]
fn authority_issuer_cycle() {
    let text = format!(
        "{BASE}\n[authorities.a]\nissuer = \"b\"\n\n[authorities.b]\nissuer = \"c\"\n\n[authorities.c]\nissuer = \"a\"\n"
    );
    let all = errors(&text);
    assert_eq!(all.len(), 1, "one report per cycle: {all:?}");
    assert_error(
        &text,
        "authorities.a.issuer",
        "issuer = \"b\"",
        "authority issuer cycle: a -> b -> c -> a",
    );
}

#[test]
fn authority_self_issued() {
    let text = with(BASE, "trusted = true", "trusted = true\nissuer = \"root\"");
    assert_error(
        &text,
        "authorities.root.issuer",
        "issuer = \"root\"",
        "cycle: root -> root",
    );
}

#[test]
fn authority_cycle_with_a_tail() {
    // d hangs off the cycle; the cycle is reported once, at its first member in file order.
    let text = format!(
        "{BASE}\n[authorities.d]\nissuer = \"b\"\n\n[authorities.b]\nissuer = \"c\"\n\n[authorities.c]\nissuer = \"b\"\n"
    );
    assert_eq!(errors(&text).len(), 1);
    assert_error(
        &text,
        "authorities.b.issuer",
        "issuer = \"c\"",
        "b -> c -> b",
    );
}

#[test]
fn authorities_are_ordered_issuer_first() {
    let text = format!(
        "{BASE}\n[authorities.leafward]\nissuer = \"mid\"\n\n[authorities.other]\n\n[authorities.mid]\nissuer = \"top\"\n\n[authorities.top]\n"
    );
    let s = valid(&text);
    let names: Vec<&str> = s.pki().authorities().map(|a| a.name()).collect();
    assert_eq!(names, ["root", "top", "mid", "leafward", "other"]);
}

// --- impossible combinations ---------------------------------------------------------------

#[test]
fn tls_listener_without_certificate() {
    let text = with(BASE, "certificate = \"nlb-cert\"\n", "");
    let e = assert_error(
        &text,
        "nlbs.internal.listeners[0].certificate",
        "[[nlbs.internal.listeners]]",
        "TLS listener has no certificate",
    );
    assert!(
        e.help
            .as_deref()
            .is_some_and(|h| h.contains("\"nlb-cert\""))
    );
}

#[test]
fn tcp_listener_with_tls_settings() {
    let text = with(
        BASE,
        "protocol = \"TLS\"\ncertificate",
        "protocol = \"TCP\"\ncertificate",
    );
    let text = with(
        &text,
        "target_group = \"app\"",
        "certificates = [\"app-cert\"]\nsecurity_policy = \"ELBSecurityPolicy-2016-08\"\ntarget_group = \"plain\"",
    );
    let text = format!("{text}\n[target_groups.plain]\nprotocol = \"TCP\"\ntargets = [\"app\"]\n");
    assert_error(
        &text,
        "nlbs.internal.listeners[0].certificate",
        "certificate = \"nlb-cert\"",
        "a TCP listener does not terminate TLS",
    );
    assert_error(
        &text,
        "nlbs.internal.listeners[0].certificates",
        "certificates = [",
        "remove `certificates`",
    );
    assert_error(
        &text,
        "nlbs.internal.listeners[0].security_policy",
        "security_policy",
        "set protocol = \"TLS\"",
    );
    assert_eq!(errors(&text).len(), 3);
}

#[test]
fn tcp_listener_to_tls_target_group() {
    let text = with(
        BASE,
        "protocol = \"TLS\"\ncertificate = \"nlb-cert\"\n",
        "protocol = \"TCP\"\n",
    );
    let e = assert_error(
        &text,
        "nlbs.internal.listeners[0].target_group",
        "target_group = \"app\"",
        "cannot forward to TLS target group \"app\"",
    );
    assert!(
        e.help
            .as_deref()
            .is_some_and(|h| h.contains("use a TLS listener or a TCP target group"))
    );
}

#[test]
fn tls_target_group_with_http_target_is_accepted_with_a_warning() {
    let text = with(
        BASE,
        "protocol = \"HTTPS\"\ncertificate = \"app-cert\"\n",
        "protocol = \"HTTP\"\n",
    );
    let warning = assert_warning(
        &text,
        "target_groups.app.targets[0]",
        "targets = [\"app\"]",
        "the NLB will try TLS to a target that speaks plain HTTP, and every request it receives \
         will fail",
    );
    assert!(
        warning
            .help
            .contains("protocol = \"HTTPS\" and a certificate, or set protocol = \"TCP\""),
        "{warning}"
    );
    assert_eq!(
        warning.kind,
        WarningKind::PlainTargetInTlsGroup {
            group: "app".to_owned(),
            target: "app".to_owned(),
        }
    );
    assert!(
        warning
            .to_string()
            .starts_with(&format!("test.toml:{}:", warning.location.line)),
        "{warning}"
    );
    // The target is registered: the group keeps it.
    let scenario = valid(&text);
    assert_eq!(scenario.target_groups()[0].targets().len(), 1);
}

#[test]
fn a_valid_scenario_has_no_warnings() {
    assert!(valid(BASE).warnings().is_empty());
}

#[test]
fn https_target_without_certificate() {
    let text = with(BASE, "certificate = \"app-cert\"\n", "");
    assert_error(
        &text,
        "targets.app.certificate",
        "[targets.app]",
        "HTTPS target has no certificate",
    );
}

#[test]
fn http_target_with_certificate() {
    let text = with(BASE, "protocol = \"HTTPS\"", "protocol = \"HTTP\"");
    let text = with(
        &text,
        "protocol = \"TLS\"\ntargets",
        "protocol = \"TCP\"\ntargets",
    );
    assert_error(
        &text,
        "targets.app.certificate",
        "certificate = \"app-cert\"",
        "an HTTP target serves no certificate",
    );
}

#[test]
fn vpc_link_route_without_vpc_link() {
    let text = with(BASE, "vpc_link = \"internal\"\n", "");
    let e = assert_error(
        &text,
        "gateway.routes[0].vpc_link",
        "connection_type = \"VPC_LINK\"",
        "VPC_LINK route has no vpc_link",
    );
    assert!(
        e.help
            .as_deref()
            .is_some_and(|h| h.contains("\"internal\""))
    );
}

#[test]
fn internet_route_with_vpc_link() {
    let text = with(BASE, "connection_type = \"VPC_LINK\"\n", "");
    let text = with(
        &text,
        "https://api.example.com/pets",
        "https://app.example.com/pets",
    );
    assert_error(
        &text,
        "gateway.routes[0].vpc_link",
        "vpc_link = \"internal\"",
        "an INTERNET route takes no vpc_link",
    );
}

#[test]
fn vpc_link_uri_port_without_listener() {
    let text = with(
        BASE,
        "https://api.example.com/pets",
        "https://api.example.com:8443/pets",
    );
    let e = assert_error(
        &text,
        "gateway.routes[0].uri",
        "uri = ",
        "nlb \"internal\" has no listener on port 8443",
    );
    assert!(
        e.help.as_deref().is_some_and(|h| h.ends_with(": 443")),
        "{e}"
    );
    // http defaults to port 80.
    let text = with(
        BASE,
        "https://api.example.com/pets",
        "http://api.example.com/pets",
    );
    assert_error(&text, "gateway.routes[0].uri", "uri = ", "port 80");
}

#[test]
fn internet_route_host_unknown() {
    let text = with(
        BASE,
        "connection_type = \"VPC_LINK\"\nvpc_link = \"internal\"\n",
        "",
    );
    let e = assert_error(
        &text,
        "gateway.routes[0].uri",
        "uri = ",
        "no target serves host \"api.example.com\"",
    );
    assert!(
        e.help
            .as_deref()
            .is_some_and(|h| h.contains("\"app.example.com\"")),
        "{e}"
    );
    // Case-insensitive match on the host.
    let text = with(
        &text,
        "https://api.example.com/pets",
        "https://APP.example.com/pets",
    );
    valid(&text);
}

#[test]
fn dns_name_claimed_by_two_targets() {
    let text = format!(
        "{BASE}\n[targets.other]\nprotocol = \"HTTP\"\ndns_names = [\"App.example.com\"]\n"
    );
    assert_error(
        &text,
        "targets.other.dns_names[0]",
        "dns_names = [\"App.example.com\"]",
        "already claimed by target \"app\"",
    );
}

#[test]
fn duplicate_listener_ports() {
    let text = format!(
        "{BASE}\n[[nlbs.internal.listeners]]\nport = 443\nprotocol = \"TLS\"\ncertificate = \"nlb-cert\"\ntarget_group = \"app\"\n"
    );
    let second = text.rfind("port = 443").expect("present");
    let e = errors(&text)
        .into_iter()
        .find(|e| e.field == "nlbs.internal.listeners[1].port")
        .expect("error on the second listener");
    assert_eq!(e.location.line, text[..second].matches('\n').count() + 1);
    assert!(e.message.contains("duplicate listener port 443"));
    assert!(
        e.help
            .as_deref()
            .is_some_and(|h| h.contains("listeners[0]"))
    );
}

#[test]
fn nlb_without_listeners() {
    let text = format!("{BASE}\n[nlbs.empty]\n");
    assert_error(
        &text,
        "nlbs.empty.listeners",
        "[nlbs.empty]",
        "nlb has no listeners",
    );
}

#[test]
fn duplicate_routes() {
    let text = with(
        BASE,
        "[nlbs.internal]",
        "[[gateway.routes]]\nmethod = \"get\"\npath = \"/pets\"\nuri = \"https://app.example.com/\"\n\n[nlbs.internal]",
    );
    let second = text.rfind("path = \"/pets\"\nuri").expect("present");
    let e = errors(&text)
        .into_iter()
        .find(|e| e.field == "gateway.routes[1].path")
        .expect("error on the second route");
    assert_eq!(e.location.line, text[..second].matches('\n').count() + 1);
    assert!(e.message.contains("duplicate route GET /pets"), "{e}");
    assert!(
        e.help
            .as_deref()
            .is_some_and(|h| h.contains("gateway.routes[0]"))
    );
}

#[test]
fn self_signed_and_issuer() {
    let text = with(
        BASE,
        "[certificates.app-cert]\nissuer = \"root\"",
        "[certificates.app-cert]\nissuer = \"root\"\nself_signed = true",
    );
    assert_error(
        &text,
        "certificates.app-cert.self_signed",
        "self_signed = true",
        "both an issuer and self_signed",
    );
}

#[test]
fn neither_self_signed_nor_issuer() {
    let text = with(
        BASE,
        "[certificates.app-cert]\nissuer = \"root\"",
        "[certificates.app-cert]\nself_signed = false",
    );
    let e = assert_error(
        &text,
        "certificates.app-cert.issuer",
        "[certificates.app-cert]",
        "certificate has no issuer",
    );
    assert!(
        e.help
            .as_deref()
            .is_some_and(|h| h.contains("self_signed = true"))
    );
}

#[test]
fn error_and_error_contains() {
    let text = format!("{BASE}[requests.expect]\nerror = \"x\"\nerror_contains = \"y\"\n");
    assert_error(
        &text,
        "requests[0].expect.error_contains",
        "error_contains",
        "both error and error_contains",
    );
}

#[test]
fn not_after_before_not_before() {
    let text = with(
        BASE,
        "[certificates.app-cert]\nissuer = \"root\"",
        "[certificates.app-cert]\nissuer = \"root\"\nnot_before = \"2026-01-01T00:00:00Z\"\nnot_after = \"2025-01-01T00:00:00Z\"",
    );
    assert_error(
        &text,
        "certificates.app-cert.not_after",
        "not_after = ",
        "not_after is earlier than not_before",
    );
    // Both relative to the same clock: comparable too.
    let text = with(
        BASE,
        "trusted = true",
        "trusted = true\nnot_before = \"+1d\"\nnot_after = \"-1d\"",
    );
    assert_error(
        &text,
        "authorities.root.not_after",
        "not_after = ",
        "earlier than not_before",
    );
    // Mixed absolute and relative without a pinned clock: not comparable, accepted.
    let text = with(
        BASE,
        "trusted = true",
        "trusted = true\nnot_before = \"2090-01-01T00:00:00Z\"",
    );
    valid(&text);
    // ... but with a pinned clock it is resolved and compared.
    let text = format!("[scenario]\nnow = \"2026-01-01T00:00:00Z\"\n{text}");
    // (not_after is the default here, so the error points at the written not_before.)
    assert_error(
        &text,
        "authorities.root.not_before",
        "not_before = ",
        "earlier than not_before",
    );
}

#[test]
fn invalid_time_and_unit() {
    let text = with(
        BASE,
        "trusted = true",
        "trusted = true\nnot_after = \"+10q\"",
    );
    assert_error(
        &text,
        "authorities.root.not_after",
        "not_after",
        "unknown time unit 'q'",
    );
    let text = with(
        BASE,
        "trusted = true",
        "trusted = true\nnot_before = \"yesterday\"",
    );
    assert_error(
        &text,
        "authorities.root.not_before",
        "not_before",
        "RFC 3339",
    );
}

#[test]
fn clock_must_be_absolute() {
    let text = format!("[scenario]\nnow = \"-1d\"\n{BASE}");
    assert_error(&text, "scenario.now", "now = ", "absolute");
}

#[test]
fn timeout_out_of_range() {
    for value in ["49", "300001", "-1"] {
        let text = with(
            BASE,
            "vpc_link = \"internal\"",
            &format!("vpc_link = \"internal\"\ntimeout_ms = {value}"),
        );
        assert_error(
            &text,
            "gateway.routes[0].timeout_ms",
            "timeout_ms",
            "expected 50..=300000",
        );
    }
    for value in ["50", "300000"] {
        let text = with(
            BASE,
            "vpc_link = \"internal\"",
            &format!("vpc_link = \"internal\"\ntimeout_ms = {value}"),
        );
        valid(&text);
    }
}

#[test]
fn integration_uri_problems() {
    for (uri, fragment) in [
        ("api.example.com/pets", "has no scheme"),
        ("ftp://api.example.com/pets", "not http or https"),
        ("https://user:secret@api.example.com/pets", "userinfo"),
        ("https://api.example.com:70000/pets", "invalid port"),
        ("https:///pets", "no host"),
    ] {
        let text = with(BASE, "https://api.example.com/pets", uri);
        assert_error(&text, "gateway.routes[0].uri", "uri = ", fragment);
    }
}

#[test]
fn ip_san_invalid() {
    let text = with(
        BASE,
        "dns_names = [\"api.example.com\"]",
        "dns_names = [\"api.example.com\"]\nip_addresses = [\"127.0.0.1\", \"127.0.0.256\"]",
    );
    assert_error(
        &text,
        "certificates.nlb-cert.ip_addresses[1]",
        "ip_addresses",
        "invalid ip address \"127.0.0.256\"",
    );
}

#[test]
fn dns_san_invalid() {
    let text = with(
        BASE,
        "dns_names = [\"api.example.com\"]",
        "dns_names = [\"api example.com\"]",
    );
    assert_error(
        &text,
        "certificates.nlb-cert.dns_names[0]",
        "dns_names",
        "contains ' '",
    );
}

#[test]
fn scenario_without_routes() {
    let text = BASE.replacen(
        "[[gateway.routes]]\npath = \"/pets\"\nuri = \"https://api.example.com/pets\"\nconnection_type = \"VPC_LINK\"\nvpc_link = \"internal\"\n",
        "",
        1,
    );
    let text = text.replacen("[[requests]]\npath = \"/pets\"\n", "", 1);
    assert_error(
        &text,
        "gateway.routes",
        "[gateway]",
        "scenario has no routes",
    );

    let text = text.replacen("[gateway]\n", "", 1);
    assert_error(
        &text,
        "gateway.routes",
        "[authorities.root]",
        "scenario has no routes",
    );

    let e = errors("");
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].location.line, e[0].location.column), (1, 1));
}

#[test]
fn route_path_must_start_with_slash() {
    let text = with(BASE, "path = \"/pets\"\nuri", "path = \"pets\"\nuri");
    assert_error(
        &text,
        "gateway.routes[0].path",
        "path = \"pets\"",
        "does not start with \"/\"",
    );
}

#[test]
fn only_an_http_api_has_a_default_stage() {
    let text = with(BASE, "[gateway]\n", "[gateway]\nstage = \"$default\"\n");
    let error = assert_error(
        &text,
        "gateway.stage",
        "stage = ",
        "REST API has no \"$default\" stage",
    );
    assert!(error.to_string().contains("api = \"HTTP\""), "{error}");
}

#[test]
fn stage_name_checked() {
    let text = with(BASE, "[gateway]\n", "[gateway]\nstage = \"my stage\"\n");
    assert_error(&text, "gateway.stage", "stage = ", "invalid stage name");
}

// --- enum spellings ------------------------------------------------------------------------

#[test]
fn enum_spellings_list_the_valid_ones() {
    let cases: [(&str, &str, &str, &str); 9] = [
        (
            "protocol = \"TLS\"\ncertificate",
            "protocol = \"tls\"\ncertificate",
            "nlbs.internal.listeners[0].protocol",
            "expected \"TCP\" or \"TLS\"",
        ),
        (
            "protocol = \"TLS\"\ntargets",
            "protocol = \"UDP\"\ntargets",
            "target_groups.app.protocol",
            "expected one of: \"TCP\", \"TLS\", \"HTTP\", \"HTTPS\"",
        ),
        (
            "protocol = \"HTTPS\"",
            "protocol = \"https\"",
            "targets.app.protocol",
            "expected \"HTTP\" or \"HTTPS\"",
        ),
        (
            "connection_type = \"VPC_LINK\"",
            "connection_type = \"vpc-link\"",
            "gateway.routes[0].connection_type",
            "expected \"INTERNET\" or \"VPC_LINK\"",
        ),
        (
            "vpc_link = \"internal\"",
            "vpc_link = \"internal\"\nintegration = \"AWS_PROXY\"",
            "gateway.routes[0].integration",
            "expected \"HTTP\" or \"HTTP_PROXY\"",
        ),
        (
            "vpc_link = \"internal\"",
            "vpc_link = \"internal\"\nmethod = \"FETCH\"",
            "gateway.routes[0].method",
            "\"OPTIONS\", \"ANY\"",
        ),
        (
            "trusted = true",
            "trusted = true\nkey = \"rsa-512\"",
            "authorities.root.key",
            "\"rsa-2048\", \"rsa-3072\"",
        ),
        (
            "certificate = \"nlb-cert\"",
            "certificate = \"nlb-cert\"\nsecurity_policy = \"TLS13\"",
            "nlbs.internal.listeners[0].security_policy",
            "\"ELBSecurityPolicy-2016-08\"",
        ),
        (
            "port = 443",
            "port = 0",
            "nlbs.internal.listeners[0].port",
            "expected a port in 1..=65535",
        ),
    ];
    for (old, new, field, fragment) in cases {
        let text = with(BASE, old, new);
        let at = new
            .lines()
            .find(|line| !old.contains(line))
            .expect("a changed line");
        assert_error(&text, field, at, fragment);
    }
}

#[test]
fn expect_status_range() {
    let text = format!("{BASE}[requests.expect]\nstatus = 42\n");
    assert_error(
        &text,
        "requests[0].expect.status",
        "status = 42",
        "expected 100..=599",
    );
}

// --- collecting ----------------------------------------------------------------------------

#[test]
fn all_problems_are_reported_in_file_order() {
    let text = with(BASE, "trusted = true", "trusted = true\nkey = \"dsa\"");
    let text = with(&text, "target_group = \"app\"", "target_group = \"nope\"");
    let text = with(
        &text,
        "[[requests]]\npath = \"/pets\"",
        "[[requests]]\npath = \"/nope\"",
    );
    let errors = errors(&text);
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "authorities.root.key",
            "nlbs.internal.listeners[0].target_group",
            "requests[0].path"
        ]
    );
}

#[test]
fn request_location_is_its_header_or_inline_table() {
    let text = format!("{BASE}\n[[requests]]\nname = \"second\"\npath = \"/pets\"\n");
    let s = valid(&text);
    let second = text.rfind("[[requests]]").expect("present");
    assert_eq!(
        s.requests()[1].location().line,
        text[..second].matches('\n').count() + 1
    );
    assert_eq!(s.requests()[1].name(), "second");

    // An inline table in a top-level array (top-level keys come before any table).
    let moved = format!(
        "requests = [\n  {{ path = \"/pets\" }},\n]\n{}",
        with(BASE, "[[requests]]\npath = \"/pets\"\n", "")
    );
    let s = valid(&moved);
    assert_eq!(s.requests()[0].location().line, 2);
    assert_eq!(s.requests()[0].location().column, 3);
}

// --- legacy signatures, small keys and name constraints --------------------------------------

#[test]
fn a_leaf_cannot_have_a_1024_bit_rsa_key() {
    let text = with(
        BASE,
        "[certificates.app-cert]\nissuer = \"root\"",
        "[certificates.app-cert]\nissuer = \"root\"\nkey = \"rsa-1024\"",
    );
    assert_error(
        &text,
        "certificates.app-cert.key",
        "key = \"rsa-1024\"",
        "1024-bit RSA",
    );
    // An authority may have one.
    valid(&with(
        BASE,
        "trusted = true",
        "trusted = true\nkey = \"rsa-1024\"",
    ));
}

#[test]
fn sha1_needs_an_rsa_signing_key() {
    let text = with(
        BASE,
        "[certificates.app-cert]\nissuer = \"root\"",
        "[certificates.app-cert]\nissuer = \"root\"\nsignature_hash = \"sha1\"",
    );
    let error = assert_error(
        &text,
        "certificates.app-cert.signature_hash",
        "signature_hash",
        "ecdsa-p256",
    );
    assert!(
        error.to_string().contains("sha1 needs an RSA signing key"),
        "{error}"
    );
    let rsa_root = with(BASE, "trusted = true", "trusted = true\nkey = \"rsa-2048\"");
    valid(&with(
        &rsa_root,
        "[certificates.app-cert]\nissuer = \"root\"",
        "[certificates.app-cert]\nissuer = \"root\"\nsignature_hash = \"sha1\"",
    ));
    let text = with(
        &rsa_root,
        "trusted = true",
        "trusted = true\nsignature_hash = \"md5\"",
    );
    assert_error(
        &text,
        "authorities.root.signature_hash",
        "signature_hash",
        "\"sha1\" or \"sha256\"",
    );
}

#[test]
fn name_constraints_are_dns_subtrees() {
    let text = with(
        BASE,
        "trusted = true",
        "trusted = true\npermitted_dns_names = [\"example.com\", \".example.net\"]",
    );
    assert_error(
        &text,
        "authorities.root.permitted_dns_names[1]",
        "permitted_dns_names",
        "not a DNS subtree",
    );
    let text = with(
        BASE,
        "trusted = true",
        "trusted = true\nexcluded_dns_names = [\"*.example.com\"]",
    );
    assert_error(
        &text,
        "authorities.root.excluded_dns_names[0]",
        "excluded_dns_names",
        "not a DNS subtree",
    );
    let scenario = valid(&with(
        BASE,
        "trusted = true",
        "trusted = true\npermitted_dns_names = [\"Example.COM\"]",
    ));
    let root = scenario.pki().authorities().next().expect("the root");
    assert_eq!(root.name_constraints().permitted(), ["example.com"]);
}
