//! The model equals reality: random topologies, predicted by `hoplab_model::explain` and run
//! live by `hoplab_runner::run`, must not disagree.
//!
//! Each case is a scenario written as TOML text: a front (a direct INTERNET route; an NLB TLS or
//! TCP listener through VPC link V1; an ALB HTTPS or HTTP listener through VPC link V2; or an
//! NLB TCP listener forwarding to an ALB HTTPS listener), a target group (TLS or TCP behind an
//! NLB, HTTPS or HTTP behind an ALB), a target (HTTPS or HTTP), a certificate defect
//! on every hop that serves one (expired, not yet valid, self-signed, untrusted root, incomplete
//! chain, wrong host, an intermediate signed with SHA-1, one with a 1024-bit RSA key, one whose
//! name constraints leave the host out), an SNI certificate list, `insecure_skip_verification`, and the hosts the
//! routes name. The normal suite runs a few cases; `HOPLAB_MODEL_CASES` (set by
//! `make test-long`) runs more. A counterexample is printed as its scenario text: save it under
//! `scenarios/` (with expectations) or fix the model.

use std::fmt::Write as _;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Cases in the normal suite.
const DEFAULT_CASES: u32 = 32;

/// Longest one live run may take.
const RUN_BOUND: Duration = Duration::from_secs(60);

/// What is wrong with a certificate a hop serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Defect {
    None,
    Expired,
    NotYetValid,
    SelfSigned,
    UntrustedRoot,
    IncompleteChain,
    WrongHost,
    Sha1Intermediate,
    SmallKeyIntermediate,
    OutsideNameConstraints,
}

const DEFECTS: [Defect; 10] = [
    Defect::None,
    Defect::Expired,
    Defect::NotYetValid,
    Defect::SelfSigned,
    Defect::UntrustedRoot,
    Defect::IncompleteChain,
    Defect::WrongHost,
    Defect::Sha1Intermediate,
    Defect::SmallKeyIntermediate,
    Defect::OutsideNameConstraints,
];

/// Hosts a route may name; the SNI list certificate is for the second.
const HOSTS: [&str; 3] = ["api.example.com", "admin.example.com", "other.example.com"];

/// The hop API Gateway connects to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Front {
    /// An INTERNET route straight to the target.
    Internet,
    /// VPC link V1 to an NLB listener, TLS when `tls`.
    Nlb { tls: bool },
    /// VPC link V2 to an ALB listener, HTTPS when `https`.
    Alb { https: bool },
    /// VPC link V1 to an NLB TCP listener whose target group is an ALB HTTPS listener.
    NlbTcpToAlb,
}

impl Front {
    /// The front listener serves a certificate of its own (the `listener-cert`).
    fn terminates_tls(self) -> bool {
        matches!(
            self,
            Front::Nlb { tls: true } | Front::Alb { https: true } | Front::NlbTcpToAlb
        )
    }

    /// An ALB forwards to the target group.
    fn alb(self) -> bool {
        matches!(self, Front::Alb { .. } | Front::NlbTcpToAlb)
    }
}

fn front() -> impl Strategy<Value = Front> {
    prop_oneof![
        1 => Just(Front::Internet),
        2 => any::<bool>().prop_map(|tls| Front::Nlb { tls }),
        2 => any::<bool>().prop_map(|https| Front::Alb { https }),
        1 => Just(Front::NlbTcpToAlb),
    ]
}

#[derive(Debug, Clone)]
struct Topology {
    front: Front,
    /// The target group is TLS (NLB) or HTTPS (ALB).
    target_group_tls: bool,
    target_https: bool,
    listener_defect: Defect,
    /// A certificate in the listener's SNI list, for `admin.example.com`.
    sni_defect: Option<Defect>,
    target_defect: Defect,
    skip: bool,
    hosts: Vec<usize>,
}

fn defect() -> impl Strategy<Value = Defect> {
    proptest::sample::select(DEFECTS.to_vec())
}

fn topology() -> impl Strategy<Value = Topology> {
    (
        front(),
        any::<bool>(),
        any::<bool>(),
        defect(),
        proptest::option::of(defect()),
        defect(),
        any::<bool>(),
        proptest::sample::subsequence(vec![0usize, 1, 2], 1..=3),
    )
        .prop_map(
            |(front, tg_tls, https, listener_defect, sni_defect, target_defect, skip, hosts)| {
                // Only valid combinations: an NLB TCP listener forwards to a TCP group, a TLS
                // or HTTPS group's targets speak HTTPS.
                let target_group_tls = tg_tls && (front.alb() || front == Front::Nlb { tls: true });
                let target_https = https || target_group_tls;
                Topology {
                    front,
                    target_group_tls,
                    target_https,
                    listener_defect,
                    sni_defect: sni_defect.filter(|_| front.terminates_tls()),
                    target_defect,
                    skip,
                    hosts,
                }
            },
        )
}

/// A `[certificates.<name>]` table for `host` with `defect`.
fn certificate(out: &mut String, name: &str, host: &str, defect: Defect) {
    let _ = writeln!(out, "[certificates.{name}]");
    let issuer = match defect {
        Defect::SelfSigned => None,
        Defect::UntrustedRoot => Some("rogue-root"),
        Defect::Sha1Intermediate => Some("sha1-intermediate"),
        Defect::SmallKeyIntermediate => Some("weak-intermediate"),
        Defect::OutsideNameConstraints => Some("constrained-intermediate"),
        _ => Some("public-intermediate"),
    };
    match issuer {
        Some(issuer) => {
            let _ = writeln!(out, "issuer = \"{issuer}\"");
        }
        None => out.push_str("self_signed = true\n"),
    }
    let named = if defect == Defect::WrongHost {
        "myinstance.com"
    } else {
        host
    };
    let _ = writeln!(out, "common_name = \"{named}\"\ndns_names = [\"{named}\"]");
    match defect {
        Defect::Expired => out.push_str("not_before = \"-400d\"\nnot_after = \"-35d\"\n"),
        Defect::NotYetValid => out.push_str("not_before = \"+1d\"\nnot_after = \"+90d\"\n"),
        Defect::IncompleteChain => out.push_str("chain = \"leaf\"\n"),
        _ => {}
    }
    out.push('\n');
}

/// The scenario text of a topology.
fn scenario_text(t: &Topology) -> String {
    let mut out = String::from(
        "[authorities.public-root]\ntrusted = true\nkey = \"rsa-2048\"\n\n\
         [authorities.public-intermediate]\nissuer = \"public-root\"\n\n\
         [authorities.sha1-intermediate]\nissuer = \"public-root\"\nsignature_hash = \"sha1\"\n\n\
         [authorities.weak-intermediate]\nissuer = \"public-root\"\nkey = \"rsa-1024\"\n\n\
         [authorities.constrained-intermediate]\nissuer = \"public-root\"\n\
         permitted_dns_names = [\"internal.example.com\"]\n\n\
         [authorities.rogue-root]\n\n",
    );
    let target_host = "api.example.com";
    if t.target_https {
        certificate(&mut out, "target-cert", target_host, t.target_defect);
    }
    if t.front.terminates_tls() {
        certificate(
            &mut out,
            "listener-cert",
            "api.example.com",
            t.listener_defect,
        );
        if let Some(sni) = t.sni_defect {
            certificate(&mut out, "sni-cert", "admin.example.com", sni);
        }
    }
    let _ = writeln!(
        out,
        "[targets.app]\nprotocol = \"{}\"",
        if t.target_https { "HTTPS" } else { "HTTP" }
    );
    if t.target_https {
        out.push_str("certificate = \"target-cert\"\n");
    }
    if t.front == Front::Internet {
        let names: Vec<String> = t
            .hosts
            .iter()
            .map(|&h| format!("\"{}\"", HOSTS[h]))
            .collect();
        let _ = writeln!(out, "dns_names = [{}]", names.join(", "));
    }
    out.push('\n');
    let group_protocol = match (t.front.alb(), t.target_group_tls) {
        (true, true) => "HTTPS",
        (true, false) => "HTTP",
        (false, true) => "TLS",
        (false, false) => "TCP",
    };
    if t.front != Front::Internet {
        let _ = writeln!(
            out,
            "[target_groups.app]\nprotocol = \"{group_protocol}\"\ntargets = [\"app\"]\n"
        );
    }
    let listener_certificates = |out: &mut String| {
        out.push_str("certificate = \"listener-cert\"\n");
        if t.sni_defect.is_some() {
            out.push_str("certificates = [\"sni-cert\"]\n");
        }
    };
    match t.front {
        Front::Internet => {}
        Front::Nlb { tls } => {
            let _ = writeln!(
                out,
                "[[nlbs.nlb.listeners]]\nport = 443\nprotocol = \"{}\"\ntarget_group = \"app\"",
                if tls { "TLS" } else { "TCP" }
            );
            if tls {
                listener_certificates(&mut out);
            }
        }
        Front::Alb { https } => {
            let _ = writeln!(
                out,
                "[[albs.alb.listeners]]\nport = 443\nprotocol = \"{}\"\n\
                 default_action = {{ type = \"forward\", target_group = \"app\" }}",
                if https { "HTTPS" } else { "HTTP" }
            );
            if https {
                listener_certificates(&mut out);
            }
        }
        Front::NlbTcpToAlb => {
            out.push_str(
                "[target_groups.to-alb]\nprotocol = \"TCP\"\ntarget_type = \"alb\"\n\
                 targets = [\"alb\"]\nport = 443\n\n\
                 [[nlbs.nlb.listeners]]\nport = 443\nprotocol = \"TCP\"\n\
                 target_group = \"to-alb\"\n\n\
                 [[albs.alb.listeners]]\nport = 443\nprotocol = \"HTTPS\"\n\
                 default_action = { type = \"forward\", target_group = \"app\" }\n",
            );
            listener_certificates(&mut out);
        }
    }
    out.push('\n');
    for &h in &t.hosts {
        let _ = writeln!(
            out,
            "[[gateway.routes]]\npath = \"/r{h}\"\nuri = \"https://{}/\"",
            HOSTS[h]
        );
        match t.front {
            Front::Internet => out.push_str("connection_type = \"INTERNET\"\n"),
            Front::Nlb { .. } | Front::NlbTcpToAlb => {
                out.push_str("connection_type = \"VPC_LINK\"\nvpc_link = \"nlb\"\n");
            }
            Front::Alb { .. } => out.push_str(
                "connection_type = \"VPC_LINK\"\nvpc_link_version = \"V2\"\n\
                 integration_target = \"alb\"\n",
            ),
        }
        if t.skip {
            out.push_str("insecure_skip_verification = true\n");
        }
        out.push('\n');
    }
    for &h in &t.hosts {
        let _ = writeln!(
            out,
            "[[requests]]\nname = \"to {}\"\npath = \"/r{h}\"\n",
            HOSTS[h]
        );
    }
    out
}

fn cases() -> u32 {
    std::env::var("HOPLAB_MODEL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

/// Runs one topology live and through the model; `Err` lists the disagreements.
fn model_equals_reality(runtime: &tokio::runtime::Runtime, t: &Topology) -> Result<(), String> {
    let text = scenario_text(t);
    let scenario = hoplab_scenario::from_toml(&text, "generated.toml")
        .map_err(|e| format!("generated an invalid scenario: {e}\n{text}"))?;
    let now = time::OffsetDateTime::now_utc();
    let predicted = hoplab_model::explain(&scenario, now);
    let report = runtime
        .block_on(async { tokio::time::timeout(RUN_BOUND, hoplab_runner::run(&scenario)).await })
        .map_err(|_| format!("the live run took longer than {RUN_BOUND:?}\n{text}"))?
        .map_err(|e| format!("the live run failed: {e}\n{text}"))?;
    let found = hoplab_model::disagreements(&predicted, &report);
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!("{found:#?}\n--- scenario ---\n{text}"))
    }
}

#[test]
fn the_models_prediction_equals_the_live_run_for_random_topologies() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let config = Config {
        cases: cases(),
        max_shrink_iters: 64,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&topology(), |t| {
        model_equals_reality(&runtime, &t).map_err(TestCaseError::fail)
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}
