//! `hoplab check`, `hoplab probe` and `hoplab certs`: the user's own certificates.

use std::path::Path;
use std::process::ExitCode;

use hoplab::CheckInput;
use hoplab::inspect::{ConnectTo, InspectError, ProbeTarget, Trust, read_pem_file, write_certs};
use serde::Serialize;

use super::{EXIT_PASSED, load, print_json};
use crate::args::{Format, JudgeArgs};
use crate::error::{self, Context, Failure};

/// Judges a PEM chain offline.
pub(super) fn check(chain: &Path, host: String, judge: JudgeArgs) -> Result<ExitCode, Failure> {
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

/// Connects to a live endpoint and judges what it serves.
pub(super) async fn probe(
    target: &str,
    sni: Option<String>,
    connect: Option<String>,
    timeout: std::time::Duration,
    judge: JudgeArgs,
) -> Result<ExitCode, Failure> {
    let (host, port) =
        split_host_port(target).map_err(|message| Failure::message("hoplab probe", message))?;
    let connect = connect
        .map(|c| c.parse::<ConnectTo>())
        .transpose()
        .context("hoplab")?;
    let trust = trust(&judge).context("hoplab")?;
    let mut probe_target = ProbeTarget::new(host, port);
    probe_target.sni = sni;
    probe_target.connect = connect;
    probe_target.timeout = timeout;
    let report = hoplab::inspect::probe(
        &probe_target,
        &trust,
        judge.at,
        judge.insecure_skip_verification,
    )
    .await
    .context("hoplab")?;
    print_report(judge.format, &report, || report.render_text());
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
    Ok(ExitCode::from(EXIT_PASSED))
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
