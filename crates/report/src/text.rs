//! The human-readable form of a run report.

use std::fmt::Write;

use crate::{CertSummary, CertificateRole, RequestReport, RunReport};

/// Renders a report as text: per request, the outcome, the execution log, the hop trace,
/// the TLS sessions, the certificates seen and any expectation that did not hold.
pub fn render_text(report: &RunReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "scenario {}", report.scenario);
    if let Some(description) = &report.description {
        for line in description.lines() {
            let _ = writeln!(out, "  {}", line.trim());
        }
    }
    for request in &report.requests {
        out.push('\n');
        render_request(&mut out, request);
    }
    let failed = report.requests.iter().filter(|r| !r.passed()).count();
    let _ = writeln!(
        out,
        "\n{} request{}: {} passed, {} failed",
        report.requests.len(),
        if report.requests.len() == 1 { "" } else { "s" },
        report.requests.len() - failed,
        failed
    );
    out
}

/// Renders one request as `render_text` does.
pub fn render_request_text(request: &RequestReport) -> String {
    let mut out = String::new();
    render_request(&mut out, request);
    out
}

fn render_request(out: &mut String, request: &RequestReport) {
    let verdict = if request.passed() { "PASS" } else { "FAIL" };
    let status = request
        .status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "no response".to_owned());
    let validated = request.validated.as_deref().unwrap_or("none");
    let _ = writeln!(out, "{verdict} {}", request.name);
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
        let _ = writeln!(out, "  caller error: {error}");
    }
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
            let _ = writeln!(
                out,
                "    {} -> {}{through}{sni}{version}: {}",
                session.client, session.server, session.outcome
            );
        }
    }
    if !trace.certificates.is_empty() {
        let _ = writeln!(out, "  certificates:");
        for seen in &trace.certificates {
            let role = match seen.role {
                CertificateRole::Validated => "validated",
                CertificateRole::NotValidated => "presented, not validated",
            };
            let _ = writeln!(
                out,
                "    {} -> {} [{role}]: {}",
                seen.presented_by, seen.presented_to, seen.verdict
            );
            for (index, cert) in seen.chain.iter().enumerate() {
                render_certificate(out, index, cert);
            }
            for line in &seen.explanation {
                let _ = writeln!(out, "      - {line}");
            }
        }
    }
    if !request.mismatches.is_empty() {
        let _ = writeln!(out, "  expectation failed:");
        for mismatch in &request.mismatches {
            let _ = writeln!(out, "    {}:", mismatch.field);
            let _ = writeln!(out, "      expected: {}", mismatch.expected);
            let _ = writeln!(out, "      actual:   {}", mismatch.actual);
        }
    }
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
