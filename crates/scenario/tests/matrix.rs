//! `[matrix]`: parsing, one test per rule, and what each combination becomes.

mod common;

use common::{BASE, assert_error, valid};
use hoplab_scenario::{
    Dimension, ListenerProtocol, Scenario, Setting, TargetGroupProtocol, TargetProtocol,
    WarningKind,
};

fn with_matrix(matrix: &str) -> String {
    format!("{BASE}\n[matrix]\n{matrix}")
}

fn route_index(s: &Scenario) -> usize {
    s.matrix().expect("a matrix").route().index()
}

#[test]
fn every_dimension_parses_in_the_fixed_order_with_values_in_written_order() {
    let s = valid(&with_matrix(
        "insecure_skip_verification = [true, false]\n\
         target_certificate = [\"app-cert\", \"nlb-cert\"]\n\
         listener_certificate = [\"nlb-cert\"]\n\
         target_group_protocol = [\"TCP\", \"TLS\"]\n\
         listener_protocol = [\"TLS\", \"TCP\"]\n",
    ));
    let matrix = s.matrix().expect("a matrix");
    assert_eq!(route_index(&s), 0, "the only route is the default");
    let dimensions: Vec<Dimension> = matrix.axes().iter().map(|a| a.dimension()).collect();
    // load_balancer sets the listener's protocols itself (tests/load_balancer_matrix.rs).
    assert_eq!(dimensions, Dimension::ALL[1..]);
    assert_eq!(
        matrix.axes()[4].values(),
        [
            Setting::InsecureSkipVerification(true),
            Setting::InsecureSkipVerification(false)
        ]
    );
    assert_eq!(matrix.combinations().len(), 2 * 2 * 2 * 2);
}

#[test]
fn combinations_vary_the_last_axis_fastest() {
    let s = valid(&with_matrix(
        "listener_protocol = [\"TLS\", \"TCP\"]\ninsecure_skip_verification = [false, true]\n",
    ));
    let labels: Vec<String> = s
        .matrix()
        .expect("a matrix")
        .combinations()
        .iter()
        .map(|c| c.label(s.pki()))
        .collect();
    assert_eq!(
        labels,
        [
            "listener_protocol=TLS, insecure_skip_verification=off",
            "listener_protocol=TLS, insecure_skip_verification=on",
            "listener_protocol=TCP, insecure_skip_verification=off",
            "listener_protocol=TCP, insecure_skip_verification=on",
        ]
    );
}

#[test]
fn a_combination_becomes_a_scenario_with_one_request_down_the_route() {
    let s = valid(&with_matrix(
        "listener_protocol = [\"TCP\"]\ntarget_group_protocol = [\"TCP\"]\n\
         target_certificate = [\"nlb-cert\"]\ninsecure_skip_verification = [true]\n",
    ));
    let matrix = s.matrix().cloned().expect("a matrix");
    let combination = &matrix.combinations()[0];
    let variant = combination.apply(&s, &matrix).expect("a valid setup");
    assert!(variant.matrix().is_none());
    assert_eq!(*variant.listeners()[0].protocol(), ListenerProtocol::Tcp);
    assert_eq!(
        variant.target_groups()[0].protocol(),
        TargetGroupProtocol::Tcp
    );
    assert_eq!(
        variant.targets()[0].protocol(),
        TargetProtocol::Https {
            certificate: variant.find_certificate("nlb-cert").expect("nlb-cert")
        }
    );
    assert!(variant.routes()[0].insecure_skip_verification());
    assert_eq!(variant.requests().len(), 1);
    assert_eq!(variant.requests()[0].path(), "/pets");
    assert_eq!(variant.requests()[0].name(), combination.label(s.pki()));
}

#[test]
fn a_tcp_listener_in_front_of_a_tls_target_group_is_not_run() {
    let s = valid(&with_matrix(
        "listener_protocol = [\"TCP\"]\ntarget_group_protocol = [\"TLS\"]\n",
    ));
    let matrix = s.matrix().cloned().expect("a matrix");
    let why = matrix.combinations()[0]
        .apply(&s, &matrix)
        .expect_err("AWS does not allow it")
        .to_string();
    assert!(
        why.contains("a TCP listener forwards only to a TCP target group"),
        "{why}"
    );
}

#[test]
fn a_tls_target_group_in_front_of_a_plain_target_runs_with_a_warning() {
    // AWS registers the target; the NLB's handshake with it fails once traffic flows.
    let plain = BASE
        .replacen(
            "protocol = \"HTTPS\"\ncertificate = \"app-cert\"\n",
            "protocol = \"HTTP\"\n",
            1,
        )
        .replacen(
            "[target_groups.app]\nprotocol = \"TLS\"",
            "[target_groups.app]\nprotocol = \"TCP\"",
            1,
        );
    let s = valid(&format!(
        "{plain}\n[matrix]\ntarget_group_protocol = [\"TLS\", \"TCP\"]\n"
    ));
    assert!(s.warnings().is_empty());
    let matrix = s.matrix().cloned().expect("a matrix");
    let combinations = matrix.combinations();
    let tls = combinations[0].apply(&s, &matrix).expect("runs");
    assert_eq!(tls.target_groups()[0].protocol(), TargetGroupProtocol::Tls);
    assert!(
        matches!(
            tls.warnings(),
            [w] if w.kind == WarningKind::PlainTargetInTlsGroup {
                group: "app".to_owned(),
                target: "app".to_owned(),
            }
        ),
        "{:?}",
        tls.warnings()
    );
    let tcp = combinations[1].apply(&s, &matrix).expect("runs");
    assert!(tcp.warnings().is_empty());
}

#[test]
fn a_tcp_listener_runs_only_the_first_listener_certificate() {
    let s = valid(&with_matrix(
        "listener_protocol = [\"TCP\"]\ntarget_group_protocol = [\"TCP\"]\n\
         listener_certificate = [\"nlb-cert\", \"app-cert\"]\n",
    ));
    let matrix = s.matrix().cloned().expect("a matrix");
    let combinations = matrix.combinations();
    assert!(combinations[0].apply(&s, &matrix).is_ok());
    let why = combinations[1]
        .apply(&s, &matrix)
        .expect_err("a repeat")
        .to_string();
    assert!(why.contains("serves no certificate"), "{why}");
}

#[test]
fn unknown_key_is_rejected() {
    let text = with_matrix("listener_protocols = [\"TLS\"]\n");
    assert_error(
        &text,
        "matrix.listener_protocols",
        "listener_protocols",
        "unknown key",
    );
}

#[test]
fn misspelt_protocol_names_the_valid_ones() {
    let text = with_matrix("listener_protocol = [\"TLS\", \"HTTPS\"]\n");
    assert_error(
        &text,
        "matrix.listener_protocol[1]",
        "listener_protocol",
        "expected \"TLS\" or \"TCP\"",
    );
}

#[test]
fn unknown_certificate_lists_the_certificates() {
    let text = with_matrix("target_certificate = [\"app-crt\"]\n");
    assert_error(
        &text,
        "matrix.target_certificate[0]",
        "target_certificate",
        "\"nlb-cert\", \"app-cert\"",
    );
}

#[test]
fn a_value_listed_twice_is_an_error() {
    let text = with_matrix("insecure_skip_verification = [true, true]\n");
    assert_error(
        &text,
        "matrix.insecure_skip_verification[1]",
        "insecure_skip_verification",
        "listed twice",
    );
}

#[test]
fn an_empty_list_is_an_error() {
    let text = with_matrix("target_group_protocol = []\n");
    assert_error(
        &text,
        "matrix.target_group_protocol",
        "target_group_protocol",
        "at least one value",
    );
}

#[test]
fn a_matrix_that_varies_nothing_is_an_error() {
    let text = with_matrix("route = \"GET /pets\"\n");
    assert_error(&text, "matrix", "[matrix]", "give at least one of");
}

#[test]
fn several_routes_need_the_route_named() {
    let extra = "[[gateway.routes]]\npath = \"/other\"\nuri = \"https://api.example.com/\"\n\
                 connection_type = \"VPC_LINK\"\nvpc_link = \"internal\"\n";
    let text = format!(
        "{}\n[matrix]\ninsecure_skip_verification = [false, true]\n",
        BASE.replace("[nlbs.internal]", &format!("{extra}\n[nlbs.internal]"))
    );
    assert_error(
        &text,
        "matrix.route",
        "[matrix]",
        "\"GET /pets\", \"GET /other\"",
    );
    let named = text.replace("[matrix]\n", "[matrix]\nroute = \"/other\"\n");
    assert_eq!(route_index(&valid(&named)), 1);
}

#[test]
fn an_unknown_route_lists_the_routes() {
    let text = with_matrix("route = \"POST /pets\"\ninsecure_skip_verification = [true]\n");
    assert_error(&text, "matrix.route", "route =", "\"GET /pets\"");
}

#[test]
fn a_tls_listener_without_a_certificate_is_an_error() {
    let text = with_matrix("listener_protocol = [\"TLS\"]\n")
        .replace(
            "protocol = \"TLS\"\ncertificate = \"nlb-cert\"\ntarget_group = \"app\"",
            "protocol = \"TCP\"\ntarget_group = \"app\"",
        )
        .replace(
            "[target_groups.app]\nprotocol = \"TLS\"",
            "[target_groups.app]\nprotocol = \"TCP\"",
        );
    assert_error(
        &text,
        "matrix.listener_protocol",
        "listener_protocol",
        "listener_certificate",
    );
}

#[test]
fn an_internet_route_has_no_listener_to_vary() {
    let text = with_matrix("listener_protocol = [\"TLS\"]\n").replace(
        "uri = \"https://api.example.com/pets\"\nconnection_type = \"VPC_LINK\"\nvpc_link = \"internal\"",
        "uri = \"https://app.example.com/pets\"",
    );
    assert_error(
        &text,
        "matrix.listener_protocol",
        "listener_protocol",
        "INTERNET route",
    );
}

#[test]
fn skip_verification_takes_booleans_or_on_and_off() {
    let s = valid(&with_matrix(
        "insecure_skip_verification = [\"off\", true]\n",
    ));
    assert_eq!(
        s.matrix().expect("a matrix").axes()[0].values(),
        [
            Setting::InsecureSkipVerification(false),
            Setting::InsecureSkipVerification(true)
        ]
    );
    let text = with_matrix("insecure_skip_verification = [\"off\", \"yes\"]\n");
    assert_error(
        &text,
        "matrix.insecure_skip_verification[1]",
        "insecure_skip_verification",
        "expected true, false, \"on\" or \"off\"",
    );
}

#[test]
fn a_single_value_instead_of_a_list_is_a_located_type_error() {
    let text = with_matrix("listener_protocol = \"TLS\"\n");
    assert_error(
        &text,
        "matrix.listener_protocol",
        "listener_protocol",
        "expected an array, found the string \"TLS\"",
    );
}
