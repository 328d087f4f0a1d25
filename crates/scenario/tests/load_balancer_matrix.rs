//! `[matrix] load_balancer`: the topology each kind builds, and the located errors.

mod common;

use common::{BASE, assert_error, valid, with};
use hoplab_scenario::{
    AlbListenerProtocol, Backend, Dimension, ListenerProtocol, LoadBalancerKind, MatrixBuilder,
    NotRun, Scenario, Setting, TargetGroupProtocol, TargetProtocol, TargetType,
};

/// Every kind, in the order docs/topologies.md lists them.
const KINDS: &str = r#"["nlb-tls", "nlb-tcp", "alb-https", "alb-http", "nlb-tcp-to-alb"]"#;

fn with_matrix(matrix: &str) -> String {
    format!("{BASE}\n[matrix]\n{matrix}")
}

/// Every combination applied to `s`, each as it came out.
fn variants(s: &Scenario) -> Vec<Result<Scenario, NotRun>> {
    let matrix = s.matrix().expect("a matrix");
    matrix
        .combinations()
        .iter()
        .map(|c| c.apply(s, matrix))
        .collect()
}

/// Every combination applied to `s`, each of which must be a valid setup.
#[track_caller]
fn applied(s: &Scenario) -> Vec<Scenario> {
    variants(s)
        .into_iter()
        .map(|v| v.unwrap_or_else(|e| panic!("a valid setup, got: {e}")))
        .collect()
}

/// The way the first route goes in `s`, hop by hop: the URI and VPC link version, each
/// listener with its protocol and certificate, each target group with its protocol, and the
/// targets with what they serve.
fn path_of(s: &Scenario) -> String {
    let route = &s.routes()[0];
    let version = route.vpc_link_version().map_or("-", |v| v.as_str());
    let mut hops = vec![format!("{} {version}", route.uri().raw())];
    let certificate = |id| s.certificate(id).name().to_owned();
    let mut group = match route.backend() {
        Backend::VpcLink(id) => {
            let listener = s.listener(id);
            hops.push(match listener.protocol() {
                ListenerProtocol::Tcp => format!("{} TCP", listener.hop_name()),
                ListenerProtocol::Tls(tls) => format!(
                    "{} TLS({})",
                    listener.hop_name(),
                    certificate(tls.default_certificate())
                ),
            });
            Some(listener.target_group())
        }
        Backend::VpcLinkAlb(id) => {
            hops.push(alb_hop(s, id));
            s.alb_listener(id).target_groups().first().copied()
        }
        Backend::Internet(_) | Backend::NoListener { .. } => None,
    };
    while let Some(id) = group.take() {
        let g = s.target_group(id);
        hops.push(format!("{} {}", g.name(), g.protocol().as_str()));
        match g.target_type() {
            TargetType::Alb(listener) => {
                hops.push(alb_hop(s, listener));
                group = s.alb_listener(listener).target_groups().first().copied();
            }
            TargetType::Ip => {
                for target in g.targets() {
                    let t = s.target(*target);
                    hops.push(match t.protocol() {
                        TargetProtocol::Http => format!("{} HTTP", t.name()),
                        TargetProtocol::Https { certificate: c } => {
                            format!("{} HTTPS({})", t.name(), certificate(c))
                        }
                    });
                }
            }
        }
    }
    hops.join(" -> ")
}

fn alb_hop(s: &Scenario, id: hoplab_scenario::AlbListenerId) -> String {
    let listener = s.alb_listener(id);
    match listener.protocol() {
        AlbListenerProtocol::Http => format!("{} HTTP", listener.hop_name()),
        AlbListenerProtocol::Https(tls) => format!(
            "{} HTTPS({})",
            listener.hop_name(),
            s.certificate(tls.default_certificate()).name()
        ),
    }
}

#[test]
fn kinds_parse_first_in_written_order() {
    let s = valid(&with_matrix(&format!(
        "target_certificate = [\"app-cert\"]\nload_balancer = {KINDS}\n"
    )));
    let matrix = s.matrix().expect("a matrix");
    assert_eq!(matrix.axes()[0].dimension(), Dimension::LoadBalancer);
    assert_eq!(
        matrix.axes()[0].values(),
        [
            LoadBalancerKind::NlbTls,
            LoadBalancerKind::NlbTcp,
            LoadBalancerKind::AlbHttps,
            LoadBalancerKind::AlbHttp,
            LoadBalancerKind::NlbTcpToAlb,
        ]
        .map(Setting::LoadBalancer)
    );
    assert_eq!(matrix.combinations().len(), 5);
    assert_eq!(
        matrix.combinations()[4].label(s.pki()),
        "load_balancer=nlb-tcp-to-alb, target_certificate=app-cert"
    );
}

#[test]
fn the_builder_writes_the_same_matrix() {
    let text = with_matrix("load_balancer = [\"alb-https\", \"nlb-tcp\"]\n");
    let built = valid(BASE)
        .to_builder()
        .matrix(
            MatrixBuilder::new()
                .load_balancer([LoadBalancerKind::AlbHttps, LoadBalancerKind::NlbTcp]),
        )
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(built.matrix(), valid(&text).matrix());
}

#[test]
fn each_kind_builds_its_own_topology_in_front_of_the_same_targets() {
    let s = valid(&with_matrix(&format!("load_balancer = {KINDS}\n")));
    let paths: Vec<String> = applied(&s).iter().map(path_of).collect();
    assert_eq!(
        paths,
        [
            // The TLS listener serves the certificate it served before; the targets serve
            // HTTPS, so the group is TLS.
            "https://api.example.com/pets V1 -> nlb:internal:443 TLS(nlb-cert) \
             -> internal-targets TLS -> app HTTPS(app-cert)",
            // TCP passes the gateway's TLS through: the group is TCP, the target still HTTPS.
            "https://api.example.com/pets V1 -> nlb:internal:443 TCP \
             -> internal-targets TCP -> app HTTPS(app-cert)",
            // An ALB needs a VPC link V2.
            "https://api.example.com/pets V2 -> alb:internal:443 HTTPS(nlb-cert) \
             -> internal-targets HTTPS -> app HTTPS(app-cert)",
            // An HTTP listener: the URI becomes http, on the http default port.
            "http://api.example.com/pets V2 -> alb:internal:80 HTTP \
             -> internal-targets HTTPS -> app HTTPS(app-cert)",
            // The NLB keeps the name the route uses; the ALB behind it is named after it, and
            // the alb target group's port is the ALB listener's.
            "https://api.example.com/pets V1 -> nlb:internal:443 TCP -> internal-to-alb TCP \
             -> alb:internal-alb:443 HTTPS(nlb-cert) -> internal-targets HTTPS \
             -> app HTTPS(app-cert)",
        ]
    );
    for variant in applied(&s) {
        assert!(variant.matrix().is_none());
        assert_eq!(variant.requests().len(), 1);
        assert_eq!(variant.requests()[0].path(), "/pets");
    }
}

#[test]
fn plain_http_targets_get_plain_groups_except_behind_a_tcp_listener() {
    let text = with(
        &with_matrix(&format!("load_balancer = {KINDS}\n")),
        "protocol = \"HTTPS\"\ncertificate = \"app-cert\"",
        "protocol = \"HTTP\"",
    );
    let text = with(
        &text,
        "[target_groups.app]\nprotocol = \"TLS\"",
        "[target_groups.app]\nprotocol = \"TCP\"",
    );
    let groups: Vec<Option<TargetGroupProtocol>> = applied(&valid(&text))
        .iter()
        .map(|v| {
            v.target_groups()
                .iter()
                .find(|g| g.name() == "internal-targets")
                .map(|g| g.protocol())
        })
        .collect();
    assert_eq!(
        groups,
        [
            Some(TargetGroupProtocol::Tcp),
            Some(TargetGroupProtocol::Tcp),
            Some(TargetGroupProtocol::Http),
            Some(TargetGroupProtocol::Http),
            Some(TargetGroupProtocol::Http),
        ]
    );
}

#[test]
fn an_explicit_port_is_kept_for_every_kind() {
    let text = with(
        &with(
            &with_matrix("load_balancer = [\"alb-http\", \"nlb-tcp-to-alb\"]\n"),
            "uri = \"https://api.example.com/pets\"",
            "uri = \"https://api.example.com:8443/pets\"",
        ),
        "port = 443",
        "port = 8443",
    );
    let paths: Vec<String> = applied(&valid(&text)).iter().map(path_of).collect();
    assert!(
        paths[0].starts_with("http://api.example.com:8443/pets V2 -> alb:internal:8443 HTTP"),
        "{}",
        paths[0]
    );
    assert!(
        paths[1].contains("nlb:internal:8443 TCP -> internal-to-alb TCP -> alb:internal-alb:8443"),
        "{}",
        paths[1]
    );
}

#[test]
fn a_route_to_an_alb_moves_with_every_target_its_rules_reach() {
    let text = format!(
        "{}\n[matrix]\nroute = \"/expired\"\nload_balancer = [\"nlb-tls\", \"alb-https\"]\n",
        include_str!("../../../scenarios/alb/alb-https-listener-ignores-target-certificates.toml")
    );
    let variants = applied(&valid(&text));
    assert_eq!(
        path_of(&variants[0]),
        "https://api.example.com/expired V2 -> nlb:web:443 TLS(listener) -> web-targets TLS \
         -> expired HTTPS(expired) -> self-signed HTTPS(self-signed)"
    );
    assert!(variants[0].albs().is_empty(), "the ALB is replaced");
    assert_eq!(
        variants[0].routes().len(),
        1,
        "the other route to the replaced ALB goes"
    );
    assert_eq!(
        path_of(&variants[1]),
        "https://api.example.com/expired V2 -> alb:web:443 HTTPS(listener) -> web-targets HTTPS \
         -> expired HTTPS(expired) -> self-signed HTTPS(self-signed)"
    );
    assert!(variants[1].nlbs().is_empty());
}

#[test]
fn an_http_api_keeps_its_vpc_link_for_every_kind() {
    let text = with(
        &with_matrix(&format!("load_balancer = {KINDS}\n")),
        "[gateway]\n",
        "[gateway]\napi = \"HTTP\"\n",
    );
    for variant in applied(&valid(&text)) {
        let route = &variant.routes()[0];
        assert!(
            matches!(
                route.backend(),
                Backend::VpcLink(_) | Backend::VpcLinkAlb(_)
            ),
            "{}",
            path_of(&variant)
        );
        assert_eq!(
            variant.backend_name(route.backend()).split(':').nth(1),
            Some("internal")
        );
    }
}

#[test]
fn generated_names_step_around_names_already_taken() {
    let text = with(
        &with_matrix("load_balancer = [\"nlb-tcp-to-alb\"]\n"),
        "[targets.app]",
        "[target_groups.internal-targets]\nprotocol = \"TLS\"\ntargets = [\"app\"]\n\n\
         [target_groups.internal-alb]\nprotocol = \"HTTPS\"\ntargets = [\"app\"]\n\n\
         [targets.app]",
    );
    let path = path_of(&applied(&valid(&text))[0]);
    assert!(
        path.contains("alb:internal-alb-2:443 HTTPS(nlb-cert) -> internal-targets-2 HTTPS"),
        "{path}"
    );
}

#[test]
fn a_listener_without_a_certificate_runs_the_first_listener_certificate_only() {
    let s = valid(&with_matrix(
        "load_balancer = [\"alb-http\"]\nlistener_certificate = [\"nlb-cert\", \"app-cert\"]\n",
    ));
    let results = variants(&s);
    assert!(results[0].is_ok());
    let why = results[1].as_ref().expect_err("a repeat").to_string();
    assert!(
        why.contains("same as listener_certificate=nlb-cert"),
        "{why}"
    );
}

#[test]
fn a_listed_listener_certificate_is_served_by_every_kind_that_serves_one() {
    let s = valid(&with_matrix(
        "load_balancer = [\"nlb-tls\", \"alb-https\", \"nlb-tcp-to-alb\"]\n\
         listener_certificate = [\"app-cert\"]\n",
    ));
    for variant in applied(&s) {
        let path = path_of(&variant);
        assert!(path.contains("S(app-cert) -> internal-targets"), "{path}");
    }
}

#[test]
fn an_unknown_kind_names_the_valid_ones() {
    let text = with_matrix("load_balancer = [\"nlb-tls\", \"ALB\"]\n");
    assert_error(
        &text,
        "matrix.load_balancer[1]",
        "load_balancer",
        "expected one of: \"nlb-tls\", \"nlb-tcp\", \"alb-https\", \"alb-http\", \"nlb-tcp-to-alb\"",
    );
}

#[test]
fn a_kind_listed_twice_is_an_error() {
    let text = with_matrix("load_balancer = [\"alb-https\", \"alb-https\"]\n");
    assert_error(
        &text,
        "matrix.load_balancer[1]",
        "load_balancer",
        "listed twice",
    );
}

#[test]
fn kinds_are_not_a_string() {
    let text = with_matrix("load_balancer = \"alb-https\"\n");
    assert_error(
        &text,
        "matrix.load_balancer",
        "load_balancer",
        "expected an array, found the string \"alb-https\"",
    );
}

#[test]
fn kinds_and_listener_protocols_cannot_both_vary() {
    let text = with_matrix(
        "load_balancer = [\"alb-https\"]\nlistener_protocol = [\"TCP\"]\n\
         target_group_protocol = [\"TCP\"]\n",
    );
    assert_error(
        &text,
        "matrix.listener_protocol",
        "listener_protocol",
        "vary load_balancer or listener_protocol, not both",
    );
    assert_error(
        &text,
        "matrix.target_group_protocol",
        "target_group_protocol",
        "load_balancer sets the listener's and the target group's protocols",
    );
}

#[test]
fn an_internet_route_has_no_load_balancer_to_replace() {
    let text = with(
        &with_matrix("load_balancer = [\"nlb-tls\"]\n"),
        "uri = \"https://api.example.com/pets\"\nconnection_type = \"VPC_LINK\"\nvpc_link = \"internal\"",
        "uri = \"https://app.example.com/pets\"",
    );
    assert_error(
        &text,
        "matrix.load_balancer",
        "load_balancer",
        "INTERNET route",
    );
}

#[test]
fn a_kind_that_serves_a_certificate_needs_one() {
    let tcp = with(
        &with(
            &with_matrix("load_balancer = [\"nlb-tcp\", \"alb-https\"]\n"),
            "protocol = \"TLS\"\ncertificate = \"nlb-cert\"\ntarget_group = \"app\"",
            "protocol = \"TCP\"\ntarget_group = \"app\"",
        ),
        "[target_groups.app]\nprotocol = \"TLS\"",
        "[target_groups.app]\nprotocol = \"TCP\"",
    );
    assert_error(
        &tcp,
        "matrix.load_balancer",
        "load_balancer",
        "add listener_certificate",
    );
    // Kinds without a certificate need none, and a listed one is enough.
    valid(&tcp.replace("\"nlb-tcp\", \"alb-https\"", "\"nlb-tcp\", \"alb-http\""));
    valid(&tcp.replace(
        "load_balancer = [",
        "listener_certificate = [\"nlb-cert\"]\nload_balancer = [",
    ));
}
