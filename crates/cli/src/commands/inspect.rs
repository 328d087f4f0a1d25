//! `hoplab check`, `hoplab probe` and `hoplab certs`: the user's own certificates.

use std::path::Path;

use hoplab_inspect::{
    CheckInput, ConnectTo, InspectError, ProbeTarget, Trust, read_pem_file, write_certs,
};
use serde::Serialize;

use super::{EXIT_PASSED, EXIT_UNUSABLE, print_json};
use crate::args::{Format, JudgeArgs};

/// Judges a PEM chain offline.
pub(crate) fn check(chain: &Path, host: String, judge: JudgeArgs) -> u8 {
    let result = trust(&judge).and_then(|trust| {
        hoplab_inspect::check(CheckInput {
            chain_pem: read_pem_file(chain)?,
            host,
            trust,
            at: judge.at,
            insecure_skip_verification: judge.insecure_skip_verification,
        })
    });
    match result {
        Ok(report) => {
            print_report(judge.format, &report, || report.render_text());
            report.exit_code()
        }
        Err(error) => fail(&error),
    }
}

/// Connects to a live endpoint and judges what it serves.
pub(crate) async fn probe(
    target: &str,
    sni: Option<String>,
    connect: Option<String>,
    timeout: std::time::Duration,
    judge: JudgeArgs,
) -> u8 {
    let (host, port) = match split_host_port(target) {
        Ok(parts) => parts,
        Err(message) => {
            eprintln!("hoplab probe: {message}");
            return EXIT_UNUSABLE;
        }
    };
    let connect = match connect.map(|c| c.parse::<ConnectTo>()).transpose() {
        Ok(connect) => connect,
        Err(error) => return fail(&error),
    };
    let trust = match trust(&judge) {
        Ok(trust) => trust,
        Err(error) => return fail(&error),
    };
    let mut probe_target = ProbeTarget::new(host, port);
    probe_target.sni = sni;
    probe_target.connect = connect;
    probe_target.timeout = timeout;
    match hoplab_inspect::probe(
        &probe_target,
        &trust,
        judge.at,
        judge.insecure_skip_verification,
    )
    .await
    {
        Ok(report) => {
            print_report(judge.format, &report, || report.render_text());
            report.exit_code()
        }
        Err(error) => fail(&error),
    }
}

/// Writes a scenario's generated PKI as PEM files.
pub(crate) async fn certs(file: &Path, out: &Path) -> u8 {
    let Some(scenario) = super::load(file) else {
        return EXIT_UNUSABLE;
    };
    let now = super::clock(&scenario);
    let spec = scenario.pki().clone();
    let pki = match tokio::task::spawn_blocking(move || hoplab_pki::Pki::generate(&spec, now)).await
    {
        Ok(Ok(pki)) => pki,
        Ok(Err(error)) => {
            eprintln!("hoplab certs: {}: {error}", file.display());
            return EXIT_UNUSABLE;
        }
        Err(error) => {
            eprintln!("hoplab certs: {error}");
            return EXIT_UNUSABLE;
        }
    };
    match write_certs(&pki, out) {
        Ok(written) => {
            for path in written {
                println!("{}", path.display());
            }
            EXIT_PASSED
        }
        Err(error) => fail(&error),
    }
}

fn trust(judge: &JudgeArgs) -> Result<Trust, InspectError> {
    if judge.trust.is_empty() {
        Ok(Trust::Bundled)
    } else {
        Trust::from_files(&judge.trust)
    }
}

fn print_report<R: Serialize>(format: Format, report: &R, text: impl FnOnce() -> String) {
    match format {
        Format::Text => print!("{}", text()),
        Format::Json => {
            print_json("hoplab", "the report", report);
        }
    }
}

fn fail(error: &InspectError) -> u8 {
    eprintln!("hoplab: {error}");
    error.exit_code()
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
