//! `hoplab check`, `hoplab probe` and `hoplab certs`: the user's own certificates.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hoplab::CheckInput;
use hoplab::inspect::{
    ConnectTo, InspectError, ProbeTarget, Trust, chain_pem, read_pem_file, scenario_from_probe,
    write_certs,
};
use hoplab::report::count;
use serde::Serialize;

use super::{EXIT_PASSED, load, print_json, write_file};
use crate::args::{Format, JudgeArgs};
use crate::error::{self, Context, Failure};

/// Judges a PEM chain offline.
pub(super) fn check(chain: &Path, host: String, judge: JudgeArgs) -> Result<ExitCode, Failure> {
    let host = host_of(host)?;
    let trust = trust(&judge).context("hoplab")?;
    let report = hoplab::check(CheckInput {
        chain_pem: read_pem_file(chain).context("hoplab")?,
        host,
        trust,
        at: judge.at,
        insecure_skip_verification: judge.insecure_skip_verification,
    })
    .context("hoplab")?;
    print_report(judge.format, &report, || report.render_text());
    Ok(ExitCode::from(report.exit_code()))
}

/// What `hoplab probe` connects to and writes, besides how it judges.
pub(super) struct Probe {
    pub(super) target: String,
    pub(super) sni: Option<String>,
    pub(super) connect: Option<String>,
    pub(super) timeout: std::time::Duration,
    pub(super) save_chain: Option<PathBuf>,
    pub(super) scenario: Option<PathBuf>,
}

/// Connects to a live endpoint and judges what it serves; writes the served chain and a
/// scenario of look-alikes when asked.
pub(super) async fn probe(probe: Probe, judge: JudgeArgs) -> Result<ExitCode, Failure> {
    let (host, port) = split_host_port(&probe.target)
        .map_err(|message| Failure::message("hoplab probe", message))?;
    let connect = probe
        .connect
        .map(|c| c.parse::<ConnectTo>())
        .transpose()
        .context("hoplab")?;
    let trust = trust(&judge).context("hoplab")?;
    let mut probe_target = ProbeTarget::new(host, port);
    probe_target.sni = probe.sni;
    probe_target.connect = connect;
    probe_target.timeout = probe.timeout;
    let report = hoplab::inspect::probe(
        &probe_target,
        &trust,
        judge.at,
        judge.insecure_skip_verification,
    )
    .await
    .context("hoplab")?;
    print_report(judge.format, &report, || report.render_text());
    if let Some(file) = &probe.save_chain {
        write_file(file, &chain_pem(&report))?;
        eprintln!(
            "hoplab probe: wrote the served chain to {} ({})",
            file.display(),
            count(report.served_chain.len(), "certificate", "certificates")
        );
    }
    if let Some(file) = &probe.scenario {
        write_file(file, &scenario_from_probe(&report, &probe.target))?;
        eprintln!(
            "hoplab probe: wrote {}: run `hoplab compare {}` to see the chain behind each kind \
             of load balancer",
            file.display(),
            file.display()
        );
    }
    Ok(ExitCode::from(report.exit_code()))
}

/// Writes a scenario's generated PKI as PEM files.
pub(super) fn certs(file: &Path, out: &Path) -> Result<ExitCode, Failure> {
    let scenario = load(file)?;
    let pki = hoplab::certificates(&scenario)
        .context(format_args!("hoplab certs: {}", file.display()))?;
    for path in write_certs(&pki, out).context("hoplab")? {
        println!("{}", path.display());
    }
    if pki.trusted().is_empty() {
        eprintln!(
            "hoplab certs: no trusted-cas.pem: no authority of {} has `trusted = true`, so \
             API Gateway trusts none of its certificates (a file of trusted CAs would be empty)",
            file.display()
        );
    }
    Ok(ExitCode::from(EXIT_PASSED))
}

/// The host `--host` names: given a URL (an integration URI), its host, with a note saying so.
fn host_of(host: String) -> Result<String, Failure> {
    if !host.contains("://") {
        return Ok(host);
    }
    let uri = hoplab::scenario::parse_integration_uri(&host)
        .context(format_args!("hoplab check: --host {host:?}"))?;
    eprintln!(
        "hoplab check: --host is a URL; checking its host {} (API Gateway compares the \
         certificate with the integration URI's host)",
        uri.host()
    );
    Ok(uri.host().to_owned())
}

fn trust(judge: &JudgeArgs) -> Result<Trust, InspectError> {
    if judge.trust.is_empty() {
        Ok(Trust::Bundled)
    } else {
        Trust::from_files(&judge.trust)
    }
}

/// Prints a verdict; it stands even when its JSON cannot be encoded (that is said on stderr).
fn print_report<R: Serialize>(format: Format, report: &R, text: impl FnOnce() -> String) {
    match format {
        Format::Text => print!("{}", text()),
        Format::Json => {
            if let Err(failure) = print_json("hoplab", "the report", report) {
                error::print(&failure);
            }
        }
    }
}

/// Splits `host`, `host:port`, `[v6]` or `[v6]:port`; the port defaults to 443.
fn split_host_port(target: &str) -> Result<(String, u16), String> {
    let bad_port = |port: &str| format!("invalid port {port:?} in {target:?}");
    if let Some(rest) = target.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("unclosed '[' in {target:?}"))?;
        return match after.strip_prefix(':') {
            Some(port) => Ok((host.to_owned(), port.parse().map_err(|_| bad_port(port))?)),
            None if after.is_empty() => Ok((host.to_owned(), 443)),
            None => Err(format!("unexpected {after:?} after ']' in {target:?}")),
        };
    }
    if target.matches(':').count() > 1 {
        // A bare IPv6 address.
        return Ok((target.to_owned(), 443));
    }
    match target.split_once(':') {
        Some((host, port)) => Ok((host.to_owned(), port.parse().map_err(|_| bad_port(port))?)),
        None if target.is_empty() => Err("no host given".into()),
        None => Ok((target.to_owned(), 443)),
    }
}

#[cfg(test)]
mod tests {
    use super::split_host_port;

    #[test]
    fn host_port_forms() {
        assert_eq!(
            split_host_port("api.example.com").unwrap(),
            ("api.example.com".into(), 443)
        );
        assert_eq!(
            split_host_port("api.example.com:8443").unwrap(),
            ("api.example.com".into(), 8443)
        );
        assert_eq!(split_host_port("[::1]:8443").unwrap(), ("::1".into(), 8443));
        assert_eq!(split_host_port("::1").unwrap(), ("::1".into(), 443));
        assert!(split_host_port("api.example.com:http").is_err());
        assert!(split_host_port("").is_err());
    }
}
