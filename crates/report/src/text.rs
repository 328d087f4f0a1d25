//! The human-readable form of a run report: a summary of each request by default, or
//! everything recorded, optionally with terminal colours.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use crate::{CertSummary, CertificateRole, RequestReport, RunReport, SeenCertificate, TlsSession};

/// How much of each request the text shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// The verdict, status, validated hop, the failure line, the hops crossed, the gateway's
    /// TLS session and one line per certificate presented.
    Summary,
    /// Everything recorded: the execution log, every hop's note, every TLS session, each
    /// certificate's chain and how its verdict was reached.
    #[default]
    Full,
}

/// How a report is rendered as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TextStyle {
    /// How much of each request to show.
    pub detail: Detail,
    /// Whether to mark verdicts and failures with ANSI colours (for a terminal).
    pub colour: bool,
}

/// The colours of the text, or none.
struct Palette {
    pass: Style,
    fail: Style,
    error: Style,
    dim: Style,
}

impl Palette {
    fn new(colour: bool) -> Self {
        if !colour {
            let plain = Style::new();
            return Palette {
                pass: plain,
                fail: plain,
                error: plain,
                dim: plain,
            };
        }
        Palette {
            pass: Style::new().bold().fg_color(Some(AnsiColor::Green.into())),
            fail: Style::new().bold().fg_color(Some(AnsiColor::Red.into())),
            error: Style::new().fg_color(Some(AnsiColor::Red.into())),
            dim: Style::new().dimmed(),
        }
    }
}

/// Renders a report as text: per request, the outcome, the execution log, the hop trace,
/// the TLS sessions, the certificates seen and any expectation that did not hold.
pub fn render_text(report: &RunReport) -> String {
    render_text_styled(report, TextStyle::default())
}

/// Renders a report as text, as much of it and as coloured as `style` says.
pub fn render_text_styled(report: &RunReport, style: TextStyle) -> String {
    let palette = Palette::new(style.colour);
    let mut out = String::new();
    let _ = writeln!(out, "scenario {}", report.scenario);
    if let Some(description) = &report.description {
        for line in description.lines() {
            let _ = writeln!(out, "  {}{}{:#}", palette.dim, line.trim(), palette.dim);
        }
    }
    for request in &report.requests {
        out.push('\n');
        render_request(&mut out, request, style.detail, &palette);
    }
    if report.requests.is_empty() {
        let _ = writeln!(
            out,
            "\nnothing to check: the scenario sends no requests (add a [[requests]] table with \
             its [requests.expect], or serve the topology with `hoplab up`)"
        );
        return out;
    }
    let failed = report.requests.iter().filter(|r| !r.passed()).count();
    let _ = writeln!(
        out,
        "\n{}: {} passed, {} failed",
        count(report.requests.len(), "request", "requests"),
        report.requests.len() - failed,
        failed
    );
    out
}

/// Renders one request as `render_text` does.
pub fn render_request_text(request: &RequestReport) -> String {
    let mut out = String::new();
    render_request(&mut out, request, Detail::Full, &Palette::new(false));
    out
}

/// `1 request`, `2 requests`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The verdict line: a passing request whose status is an error says it was expected, so
/// `PASS` never stands next to a 500 unexplained.
fn verdict_line(request: &RequestReport, palette: &Palette) -> String {
    let (word, style) = if request.passed() {
        ("PASS", palette.pass)
    } else {
        ("FAIL", palette.fail)
    };
    let expected = match request.status {
        _ if !request.passed() => String::new(),
        Some(status) if status >= 400 => format!(" (expected {status})"),
        None => " (expected no response)".to_owned(),
        Some(_) => String::new(),
    };
    format!("{style}{word}{style:#} {}{expected}", request.name)
}

fn render_request(out: &mut String, request: &RequestReport, detail: Detail, palette: &Palette) {
    let status = request
        .status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "no response".to_owned());
    let validated = request.validated.as_deref().unwrap_or("none");
    let _ = writeln!(out, "{}", verdict_line(request, palette));
    let _ = writeln!(
        out,
        "  {} {} -> status {status}, validated {validated}",
        request.method, request.path
    );
    if let Some(target) = &request.target {
        let _ = writeln!(out, "  reached {target}");
    }
    if let Some(alb) = &request.trace.alb {
        let rule = alb.rule.as_deref().map_or_else(
            || "answered before its rules".to_owned(),
            |rule| format!("rule {rule}"),
        );
        let action = alb.action.as_deref().unwrap_or("none");
        let group = alb
            .target_group
            .as_deref()
            .map(|g| format!(" to target group {g}"))
            .unwrap_or_default();
        let _ = writeln!(out, "  {}: {rule}, {action}{group}", alb.listener);
    }
    // A response the ALB wrote itself (its error page, a fixed response, a redirect) says so:
    // it passed through API Gateway unchanged.
    if let Some(by) = request
        .answered_by
        .as_deref()
        .filter(|by| by.starts_with("alb:"))
    {
        let reason = request
            .trace
            .alb
            .as_ref()
            .and_then(|alb| alb.reason.as_deref())
            .map(|reason| format!(" ({reason})"))
            .unwrap_or_default();
        let _ = writeln!(out, "  answered by {by}{reason}");
    }
    if let Some(error) = &request.caller_error {
        let _ = writeln!(
            out,
            "  {}caller error: {error}{:#}",
            palette.error, palette.error
        );
    }
    match detail {
        Detail::Summary => render_summary(out, request, palette),
        Detail::Full => render_full(out, request),
    }
    if !request.mismatches.is_empty() {
        let _ = writeln!(
            out,
            "  {}expectation failed:{:#}",
            palette.fail, palette.fail
        );
        for mismatch in &request.mismatches {
            let _ = writeln!(out, "    {}:", mismatch.field);
            let _ = writeln!(out, "      expected: {}", mismatch.expected);
            let _ = writeln!(out, "      actual:   {}", mismatch.actual);
        }
    }
}

/// The decisive lines: the failure, the hops crossed, the gateway's own TLS session, and who
/// presented which certificate to whom with its verdict.
fn render_summary(out: &mut String, request: &RequestReport, palette: &Palette) {
    if let Some(error) = &request.error {
        let _ = writeln!(out, "  {}{error}{:#}", palette.error, palette.error);
    }
    let trace = &request.trace;
    if !trace.hops.is_empty() {
        let hops: Vec<&str> = trace.hops.iter().map(|h| h.hop.as_str()).collect();
        let _ = writeln!(out, "  hops: {}", hops.join(" -> "));
    }
    for session in trace.tls_sessions.iter().filter(|s| s.client == "gateway") {
        let _ = writeln!(out, "  tls:  {}", tls_session_line(session));
    }
    for seen in &trace.certificates {
        let _ = writeln!(out, "  cert: {}", certificate_line(seen));
    }
}

/// Everything recorded about the request except its verdict and mismatches.
fn render_full(out: &mut String, request: &RequestReport) {
    if !request.log.is_empty() {
        let _ = writeln!(out, "  execution log:");
        for line in &request.log {
            let _ = writeln!(out, "    {line}");
        }
    }
    let trace = &request.trace;
    if !trace.hops.is_empty() {
        let _ = writeln!(out, "  hop trace:");
        let width = trace.hops.iter().map(|h| h.hop.len()).max().unwrap_or(0);
        for hop in &trace.hops {
            let _ = writeln!(out, "    {:width$}  {}", hop.hop, hop.note);
        }
    }
    if !trace.tls_sessions.is_empty() {
        let _ = writeln!(out, "  tls sessions:");
        for session in &trace.tls_sessions {
            let _ = writeln!(out, "    {}", tls_session_line(session));
        }
    }
    if !trace.certificates.is_empty() {
        let _ = writeln!(out, "  certificates:");
        for seen in &trace.certificates {
            let _ = writeln!(out, "    {}", certificate_line(seen));
            for (index, cert) in seen.chain.iter().enumerate() {
                render_certificate(out, index, cert);
            }
            for line in &seen.explanation {
                let _ = writeln!(out, "      - {line}");
            }
        }
    }
}

/// `client -> server (through …, untouched), SNI …, version: outcome`.
fn tls_session_line(session: &TlsSession) -> String {
    let through = if session.through.is_empty() {
        String::new()
    } else {
        format!(" (through {}, untouched)", session.through.join(", "))
    };
    let sni = session
        .sni
        .as_deref()
        .map(|s| format!(", SNI {s}"))
        .unwrap_or_else(|| ", no SNI".to_owned());
    let version = session
        .version
        .as_deref()
        .map(|v| format!(", {v}"))
        .unwrap_or_default();
    format!(
        "{} -> {}{through}{sni}{version}: {}",
        session.client, session.server, session.outcome
    )
}

/// `presented_by -> presented_to [validated]: verdict`.
fn certificate_line(seen: &SeenCertificate) -> String {
    let role = match seen.role {
        CertificateRole::Validated => "validated",
        CertificateRole::NotValidated => "presented, not validated",
    };
    format!(
        "{} -> {} [{role}]: {}",
        seen.presented_by, seen.presented_to, seen.verdict
    )
}

fn render_certificate(out: &mut String, index: usize, cert: &CertSummary) {
    let subject = if cert.subject.is_empty() {
        "(empty subject)"
    } else {
        &cert.subject
    };
    let _ = writeln!(out, "      #{index} {subject}, issuer {}", cert.issuer);
    let mut sans: Vec<&str> = cert.dns_names.iter().map(String::as_str).collect();
    sans.extend(cert.ip_addresses.iter().map(String::as_str));
    if !sans.is_empty() {
        let _ = writeln!(out, "         SANs {}", sans.join(", "));
    }
    let _ = writeln!(
        out,
        "         valid {} .. {}{}",
        cert.not_before,
        cert.not_after,
        if cert.is_ca { ", CA" } else { "" }
    );
    let _ = writeln!(out, "         sha256 {}", cert.sha256);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_without_requests_says_there_was_nothing_to_check() {
        let report = RunReport {
            scenario: "empty".to_owned(),
            description: None,
            requests: Vec::new(),
        };
        let text = render_text(&report);
        assert!(
            text.contains("nothing to check: the scenario sends no requests"),
            "{text}"
        );
        assert!(!text.contains("0 passed"), "{text}");
    }
}
