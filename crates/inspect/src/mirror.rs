//! A scenario modelled on the chain a probed server serves, for `hoplab probe --scenario`.
//!
//! hoplab cannot serve the probed chain itself: it does not have the server's private key,
//! and a TLS server must sign the handshake with it. So the scenario issues look-alikes: one
//! certificate per certificate served, with the same subject common name, names and validity
//! window, sent in the same order and issued along the same issuer names. An issuer the
//! server did not send becomes an authority that is not sent, so a missing intermediate
//! stays missing. The top authority is trusted unless the probe's verdict was that no path to
//! a trusted CA exists. The scenario pins its clock to the probe's, puts the look-alike leaf
//! on one HTTPS target behind each kind of load balancer (a `[matrix]` over
//! `load_balancer`), and expects, behind the NLB TCP listener it is written with, the
//! verdict the probe gave.

use std::fmt::Write as _;

use hoplab_pkix::{CertSummary, Rejection};

use crate::{CheckReport, ProbeReport};

/// The scenario's name for the look-alike of the served leaf.
const LEAF: &str = "served";

/// The TOML text of a scenario that serves a look-alike of `report`'s chain behind each
/// kind of load balancer (`hoplab compare` runs every kind; `hoplab run` runs the TCP
/// listener). `target` is what was probed, for the comments.
pub fn scenario_from_probe(report: &ProbeReport, target: &str) -> String {
    let check = &report.check;
    let chain = &check.chain;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Written by `hoplab probe --scenario` from the chain {target} served at {}.",
        check.checked_at
    );
    let _ = writeln!(
        out,
        "# hoplab has no private key of that server, so it issues look-alikes: the same names,\n\
         # validity windows, order and issuers (not the same keys or fingerprints).\n\
         # `hoplab compare FILE` runs it behind each kind of load balancer; `hoplab run FILE`\n\
         # behind the NLB TCP listener, where the verdict is the probe's."
    );
    let _ = writeln!(out, "\n[scenario]");
    let _ = writeln!(
        out,
        "description = {}",
        quote(&format!(
            "A look-alike of the chain {target} served, behind each kind of load balancer."
        ))
    );
    let _ = writeln!(out, "now = {}", quote(&check.checked_at));

    let authorities = authorities(chain);
    let trusted = !matches!(check.rejection, Some(Rejection::PathBuilding));
    for authority in &authorities {
        let _ = writeln!(out, "\n[authorities.{}]", authority.name);
        let _ = writeln!(
            out,
            "common_name = {}",
            quote(&common_name(&authority.subject))
        );
        match authority.issuer {
            Some(issuer) => {
                let _ = writeln!(out, "issuer = {}", quote(&authorities[issuer].name));
            }
            None if trusted => {
                let _ = writeln!(out, "trusted = true");
            }
            None => {
                let _ = writeln!(
                    out,
                    "trusted = false                       # the probe found no path to a trusted CA"
                );
            }
        }
        if let Some(cert) = authority.served {
            let _ = writeln!(out, "not_before = {}", quote(&cert.not_before));
            let _ = writeln!(out, "not_after = {}", quote(&cert.not_after));
        } else {
            let _ = writeln!(out, "# not sent by the server");
        }
    }

    if let Some(leaf) = chain.first() {
        let _ = writeln!(out, "\n[certificates.{LEAF}]");
        match find(&authorities, &leaf.issuer).filter(|_| !leaf.self_issued) {
            Some(issuer) => {
                let _ = writeln!(out, "issuer = {}", quote(&authorities[issuer].name));
            }
            None => {
                let _ = writeln!(out, "self_signed = true");
            }
        }
        let cn = common_name(&leaf.subject);
        if !cn.is_empty() {
            let _ = writeln!(out, "common_name = {}", quote(&cn));
        }
        write_list(&mut out, "dns_names", &leaf.dns_names);
        write_list(&mut out, "ip_addresses", &leaf.ip_addresses);
        let _ = writeln!(out, "not_before = {}", quote(&leaf.not_before));
        let _ = writeln!(out, "not_after = {}", quote(&leaf.not_after));
        if !leaf.self_issued {
            // Sent as the server sent it: the leaf, then its certificates in order.
            let mut sent = vec![LEAF.to_owned()];
            sent.extend(chain.iter().skip(1).filter_map(|cert| {
                find(&authorities, &cert.subject).map(|i| authorities[i].name.clone())
            }));
            write_list(&mut out, "chain", &sent);
        }
    }

    write_topology(&mut out, check);
    out
}

/// An authority of the look-alike chain.
struct Authority<'a> {
    name: String,
    subject: String,
    /// Its issuer's index; `None` for a root.
    issuer: Option<usize>,
    /// The served certificate it stands for; `None` for an issuer the server did not send.
    served: Option<&'a CertSummary>,
}

/// The authorities behind a served chain, roots first: one per served certificate after the
/// leaf, and one per issuer name no served certificate has (not sent).
fn authorities(chain: &[CertSummary]) -> Vec<Authority<'_>> {
    let mut subjects: Vec<(String, Option<&CertSummary>, String)> = Vec::new();
    for cert in chain.iter().skip(1) {
        if !subjects.iter().any(|(s, _, _)| *s == cert.subject) {
            subjects.push((cert.subject.clone(), Some(cert), cert.issuer.clone()));
        }
    }
    let wanted: Vec<&str> = chain
        .iter()
        .filter(|cert| !cert.self_issued)
        .map(|cert| cert.issuer.as_str())
        .collect();
    for issuer in wanted {
        if !subjects.iter().any(|(s, _, _)| s == issuer) {
            subjects.push((issuer.to_owned(), None, issuer.to_owned()));
        }
    }
    // Roots first, then each authority after its issuer.
    let mut ordered: Vec<usize> = Vec::new();
    while ordered.len() < subjects.len() {
        let before = ordered.len();
        for (i, (subject, _, issuer)) in subjects.iter().enumerate() {
            if ordered.contains(&i) {
                continue;
            }
            let is_root = subject == issuer;
            let issuer_placed = ordered.iter().any(|&j| subjects[j].0 == *issuer);
            if is_root || issuer_placed {
                ordered.push(i);
            }
        }
        if ordered.len() == before {
            // A loop of issuers: the rest become roots.
            let rest: Vec<usize> = (0..subjects.len())
                .filter(|i| !ordered.contains(i))
                .collect();
            ordered.extend(rest);
        }
    }
    let mut authorities: Vec<Authority<'_>> = Vec::new();
    for (n, &i) in ordered.iter().enumerate() {
        let (subject, served, issuer) = &subjects[i];
        let issuer = (subject != issuer)
            .then(|| authorities.iter().position(|a| a.subject == *issuer))
            .flatten();
        authorities.push(Authority {
            name: format!("ca-{}", n + 1),
            subject: subject.clone(),
            issuer,
            served: *served,
        });
    }
    authorities
}

/// The index of the authority with this subject.
fn find(authorities: &[Authority<'_>], subject: &str) -> Option<usize> {
    authorities.iter().position(|a| a.subject == subject)
}

/// The listener certificate, the target, the NLB, the route, the request and the matrix.
fn write_topology(out: &mut String, check: &CheckReport) {
    let host = check.host.as_str();
    let _ = write!(
        out,
        r#"
# What a TLS or HTTPS listener serves in the matrix: a valid certificate for the host, from a
# CA API Gateway trusts.
[authorities.listener-root]
common_name = "Hoplab Listener Root CA"
trusted = true

[certificates.listener]
issuer = "listener-root"
common_name = {host_q}
{names}

[targets.server]
protocol = "HTTPS"
certificate = "{LEAF}"

[target_groups.server]
protocol = "TCP"
targets = ["server"]

[[nlbs.front.listeners]]
port = 443
protocol = "TCP"
target_group = "server"

[[gateway.routes]]
path = "/"
uri = "https://{uri_host}/"
connection_type = "VPC_LINK"
vpc_link = "front"

[[requests]]
name = "the served chain behind an NLB TCP listener"
path = "/"
[requests.expect]
"#,
        host_q = quote(host),
        names = if host.parse::<std::net::IpAddr>().is_ok() {
            format!("ip_addresses = [{}]", quote(host))
        } else {
            format!("dns_names = [{}]", quote(host))
        },
        uri_host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.to_owned()
        },
    );
    match &check.message {
        None => {
            let _ = writeln!(out, "status = 200\nvalidated = \"target:server\"");
        }
        Some(message) => {
            let _ = writeln!(
                out,
                "status = 500\nvalidated = \"target:server\"\nerror = {}",
                quote(message)
            );
        }
    }
    let _ = writeln!(
        out,
        "\n[matrix]\nload_balancer = [\"nlb-tls\", \"nlb-tcp\", \"alb-https\", \"alb-http\", \"nlb-tcp-to-alb\"]\n\
         listener_certificate = [\"listener\"]"
    );
}

/// The `CN=` value of a distinguished name as Java prints it, else the whole name.
fn common_name(dn: &str) -> String {
    dn.split(", ")
        .find_map(|part| part.strip_prefix("CN="))
        .unwrap_or(dn)
        .to_owned()
}

fn write_list(out: &mut String, key: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    let quoted: Vec<String> = values.iter().map(|v| quote(v)).collect();
    let _ = writeln!(out, "{key} = [{}]", quoted.join(", "));
}

/// A TOML basic string.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The chain as served, as PEM (what `openssl s_client -showcerts` prints).
pub fn chain_pem(report: &ProbeReport) -> String {
    report
        .served_chain
        .iter()
        .map(|der| hoplab_pki::certificate_pem(der.as_ref()))
        .collect()
}
