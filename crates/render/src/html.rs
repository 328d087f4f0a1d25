//! One self-contained HTML file for a set of scenario results: inline CSS, an inline SVG
//! picture per request, no scripts and no external resources, every piece of text escaped.
//!
//! The page opens with a summary table (one row per scenario, linked to its section); each
//! scenario then lists its requests with the status, the validated hop, the ALB's decision
//! and who answered when it was not the target, PASS or FAIL with the expected-versus-actual
//! table, the picture, the execution log, the hop trace, the TLS sessions and the
//! certificates seen.

use std::fmt::Write;

use hoplab_report::{CertificateRole, RequestReport, SeenCertificate};

use crate::escape::xml as esc;
use crate::picture::{NodeKind, Picture};
use crate::result::ScenarioResult;
use crate::route::rule_title;
use crate::svg::inline_svg;

const CSS: &str = r#"
:root { --ink:#1f2328; --muted:#59636e; --line:#d1d9e0; --soft:#f6f8fa; --green:#1a7f37; --red:#cf222e; --blue:#0969da; }
* { box-sizing: border-box; }
body { margin: 0; background: #eef1f4; color: var(--ink); font: 14px/1.5 -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", Helvetica, Arial, sans-serif; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 12px; }
a { color: var(--blue); text-decoration: none; }
a:hover { text-decoration: underline; }
.top { background: #24292f; color: #fff; padding: 22px 32px 18px; }
.top h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
.top .meta { margin: 0; color: #d1d9e0; }
.top .meta b.pass { color: #7ee2a0; } .top .meta b.fail { color: #ff9492; }
main { max-width: 1280px; margin: 0 auto; padding: 24px 32px 48px; }
h2 { font-size: 18px; margin: 0 0 12px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 18px 22px; margin: 0 0 20px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td { background: #fff5f5; }
.badge { display: inline-block; min-width: 44px; text-align: center; padding: 1px 8px; border-radius: 10px; font-size: 11px; font-weight: 700; color: #fff; letter-spacing: .04em; vertical-align: middle; }
.badge.pass { background: var(--green); } .badge.fail { background: var(--red); } .badge.error { background: #9a6700; }
.scenario > h2 { display: flex; align-items: center; gap: 10px; margin-bottom: 2px; }
.scenario .source { color: var(--muted); margin: 0 0 6px; }
.scenario .desc { margin: 0 0 14px; white-space: pre-line; color: #31373d; }
.request { border: 1px solid var(--line); border-left: 5px solid var(--green); border-radius: 6px; padding: 12px 16px; margin: 14px 0 0; }
.request.fail { border-left-color: var(--red); }
.request > header { display: flex; align-items: center; gap: 10px; }
.request h3 { margin: 0; font-size: 15px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 2px 14px; margin: 10px 0; }
dl.facts dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; padding-top: 2px; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.diff { border: 1px solid #ffcecb; background: #ffebe9; border-radius: 6px; padding: 8px 12px; margin: 10px 0; }
.diff h4 { margin: 0 0 6px; color: var(--red); font-size: 13px; }
.diff table th { background: transparent; }
.diff td { border-color: #ffcecb; }
.diff ul { margin: 6px 0 0; padding-left: 20px; }
.error-line { color: var(--red); }
dd.answered { color: #bc4c00; }
figure { margin: 12px 0; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
details { margin: 8px 0; border: 1px solid var(--line); border-radius: 6px; }
details > summary { cursor: pointer; padding: 6px 12px; background: var(--soft); font-weight: 600; font-size: 13px; border-radius: 6px; }
details[open] > summary { border-bottom: 1px solid var(--line); border-radius: 6px 6px 0 0; }
details > .body { padding: 8px 12px; }
pre { margin: 0; padding: 10px 12px; background: #f6f8fa; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
.cert { border-top: 1px dashed var(--line); padding: 8px 0; }
.cert:first-child { border-top: 0; }
.cert h5 { margin: 0 0 4px; font-size: 13px; }
.cert .accepted { color: var(--green); } .cert .rejected { color: var(--red); } .cert .not-validated { color: var(--muted); }
table.sessions { margin-top: 10px; }
.cert ul { margin: 4px 0 0; padding-left: 20px; color: #31373d; }
.muted { color: var(--muted); }
footer { text-align: center; color: var(--muted); font-size: 12px; padding: 0 0 24px; }
"#;

/// Renders the results as one self-contained HTML document titled `title`.
pub fn html(results: &[ScenarioResult], title: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(title)
    );
    page_header(&mut out, results, title);
    out.push_str("<main>\n");
    summary(&mut out, results);
    for (index, result) in results.iter().enumerate() {
        scenario(&mut out, index, result);
    }
    out.push_str(
        "</main>\n<footer>hoplab report · self-contained, no scripts</footer>\n</body>\n</html>\n",
    );
    out
}

fn page_header(out: &mut String, results: &[ScenarioResult], title: &str) {
    let (passed, failed) = results.iter().fold((0, 0), |(p, f), r| {
        let (rp, rf) = r.counts();
        (p + rp, f + rf)
    });
    let not_run = results.iter().filter(|r| r.outcome.is_err()).count();
    let _ = write!(
        out,
        "<header class=\"top\"><h1>{}</h1><p class=\"meta\">{} scenarios · {} requests · <b class=\"pass\">{passed} passed</b> · <b class=\"fail\">{failed} failed</b>",
        esc(title),
        results.len(),
        passed + failed
    );
    if not_run > 0 {
        let _ = write!(out, " · <b class=\"fail\">{not_run} could not run</b>");
    }
    out.push_str("</p></header>\n");
}

fn badge(passed: bool) -> &'static str {
    if passed {
        "<span class=\"badge pass\">PASS</span>"
    } else {
        "<span class=\"badge fail\">FAIL</span>"
    }
}

fn summary(out: &mut String, results: &[ScenarioResult]) {
    out.push_str("<section class=\"card summary\"><h2>Summary</h2><table><thead><tr><th>Scenario</th><th>Source</th><th class=\"num\">Requests</th><th class=\"num\">Passed</th><th class=\"num\">Failed</th><th>Result</th></tr></thead><tbody>\n");
    for (index, result) in results.iter().enumerate() {
        let (passed, failed) = result.counts();
        let class = if result.passed() {
            ""
        } else {
            " class=\"failed\""
        };
        let verdict = match &result.outcome {
            Ok(_) => badge(result.passed()),
            Err(_) => "<span class=\"badge error\">ERROR</span>",
        };
        let _ = writeln!(
            out,
            "<tr{class}><td><a href=\"#s{index}\">{}</a></td><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{passed}</td><td class=\"num\">{failed}</td><td>{verdict}</td></tr>",
            esc(result.name()),
            esc(&result.source),
            passed + failed
        );
    }
    out.push_str("</tbody></table></section>\n");
}

fn scenario(out: &mut String, index: usize, result: &ScenarioResult) {
    let verdict = match &result.outcome {
        Ok(_) => badge(result.passed()),
        Err(_) => "<span class=\"badge error\">ERROR</span>",
    };
    let _ = write!(
        out,
        "<section class=\"card scenario\" id=\"s{index}\"><h2>{}{verdict}</h2><p class=\"source mono\">{}</p>",
        esc(result.name()),
        esc(&result.source)
    );
    match &result.outcome {
        Err(error) => {
            let _ = write!(
                out,
                "<div class=\"diff\"><h4>The scenario could not run</h4><pre>{}</pre></div>",
                esc(&error.reason)
            );
        }
        Ok(report) => {
            if let Some(description) = &report.description {
                let _ = write!(out, "<p class=\"desc\">{}</p>", esc(description.trim()));
            }
            let pictures = result.pictures();
            for (r, request) in report.requests.iter().enumerate() {
                let failures = result.failures(r);
                request_card(
                    out,
                    &format!("s{index}-r{r}"),
                    request,
                    &failures,
                    &result.extra_failures.get(&r).cloned().unwrap_or_default(),
                    pictures.get(r),
                );
            }
        }
    }
    out.push_str("</section>\n");
}

fn request_card(
    out: &mut String,
    id: &str,
    request: &RequestReport,
    failures: &[String],
    extra: &[String],
    picture: Option<&Picture>,
) {
    let passed = failures.is_empty();
    let _ = write!(
        out,
        "<article class=\"request {}\" id=\"{id}\"><header>{}<h3>{}</h3></header>",
        if passed { "pass" } else { "fail" },
        badge(passed),
        esc(&request.name)
    );
    let status = request
        .status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "no response".to_owned());
    let validated = request.validated.as_deref().unwrap_or("none");
    let _ = write!(
        out,
        "<dl class=\"facts\"><dt>Request</dt><dd><code>{} {}</code></dd><dt>Status</dt><dd><b>{}</b></dd><dt>Validated hop</dt><dd><code>{}</code></dd><dt>Request id</dt><dd><code>{}</code></dd>",
        esc(&request.method),
        esc(&request.path),
        esc(&status),
        esc(validated),
        esc(request.request_id.as_deref().unwrap_or("-"))
    );
    alb_facts(out, request, picture);
    if let Some(answered) = picture.and_then(|p| p.outcome.answered.as_deref()) {
        let _ = write!(
            out,
            "<dt>Answered by</dt><dd class=\"answered\" style=\"grid-column: span 3\">{}</dd>",
            esc(answered)
        );
    }
    if let Some(error) = &request.error {
        let _ = write!(
            out,
            "<dt>Error</dt><dd class=\"error-line\" style=\"grid-column: span 3\"><code>{}</code></dd>",
            esc(error)
        );
    }
    if let Some(error) = &request.caller_error {
        let _ = write!(
            out,
            "<dt>Caller error</dt><dd class=\"error-line\" style=\"grid-column: span 3\"><code>{}</code></dd>",
            esc(error)
        );
    }
    if !request.body.is_empty() {
        let _ = write!(
            out,
            "<dt>Body</dt><dd style=\"grid-column: span 3\"><code>{}</code></dd>",
            esc(&request.body)
        );
    }
    out.push_str("</dl>");
    if !passed {
        out.push_str("<div class=\"diff\"><h4>Expectation failed</h4>");
        if !request.mismatches.is_empty() {
            out.push_str(
                "<table><thead><tr><th>Field</th><th>Expected</th><th>Actual</th></tr></thead><tbody>",
            );
            for m in &request.mismatches {
                let _ = write!(
                    out,
                    "<tr><td><b>{}</b></td><td><code>{}</code></td><td><code>{}</code></td></tr>",
                    esc(&m.field),
                    esc(&m.expected),
                    esc(&m.actual)
                );
            }
            out.push_str("</tbody></table>");
        }
        if !extra.is_empty() {
            out.push_str("<ul>");
            for line in extra {
                let _ = write!(out, "<li>{}</li>", esc(line));
            }
            out.push_str("</ul>");
        }
        out.push_str("</div>");
    }
    if let Some(picture) = picture {
        let _ = write!(out, "<figure>{}</figure>", inline_svg(picture));
    }
    let open = if passed { "" } else { " open" };
    let _ = write!(
        out,
        "<details{open}><summary>Execution log ({} lines)</summary><div class=\"body\"><pre>{}</pre></div></details>",
        request.log.len(),
        esc(&request.log.join("\n"))
    );
    hop_trace(out, request);
    certificates(out, request);
    out.push_str("</article>\n");
}

/// The ALB's decision: the listener, the rule that matched (in full when the picture has the
/// scenario's rule), the target group and the target.
fn alb_facts(out: &mut String, request: &RequestReport, picture: Option<&Picture>) {
    let Some(alb) = &request.trace.alb else {
        return;
    };
    let described = picture
        .and_then(|p| {
            p.nodes
                .iter()
                .find(|n| n.kind == NodeKind::Rule && n.reached)
        })
        .and_then(|n| n.note.clone());
    let rule = match (described, &alb.rule) {
        (Some(described), _) => described,
        (None, Some(rule)) => format!(
            "{} ({})",
            rule_title(rule),
            alb.action.as_deref().unwrap_or("no action recorded")
        ),
        (None, None) => "answered before evaluating its rules".to_owned(),
    };
    let _ = write!(
        out,
        "<dt>ALB</dt><dd class=\"alb\" style=\"grid-column: span 3\"><code>{}</code> · {}",
        esc(&alb.listener),
        esc(&rule)
    );
    if let Some(group) = &alb.target_group {
        let _ = write!(out, " · target group <code>{}</code>", esc(group));
    }
    if let Some(target) = &alb.target {
        let _ = write!(out, " · <code>{}</code>", esc(target));
    }
    out.push_str("</dd>");
}

fn hop_trace(out: &mut String, request: &RequestReport) {
    let trace = &request.trace;
    if trace.hops.is_empty() {
        out.push_str("<p class=\"muted\">No hop recorded this request.</p>");
        return;
    }
    out.push_str("<details open><summary>Hop trace and TLS sessions</summary><div class=\"body\"><table><thead><tr><th>Hop</th><th>What it did</th></tr></thead><tbody>");
    for hop in &trace.hops {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td></tr>",
            esc(&hop.hop),
            esc(&hop.note)
        );
    }
    out.push_str("</tbody></table>");
    if !trace.tls_sessions.is_empty() {
        out.push_str("<table class=\"sessions\"><thead><tr><th>TLS client</th><th>TLS server</th><th>Through, untouched</th><th>SNI</th><th>Version</th><th>Outcome</th></tr></thead><tbody>");
        for s in &trace.tls_sessions {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                esc(&s.client),
                esc(&s.server),
                esc(&s.through.join(", ")),
                esc(s.sni.as_deref().unwrap_or("none")),
                esc(s.version.as_deref().unwrap_or("-")),
                esc(&s.outcome)
            );
        }
        out.push_str("</tbody></table>");
    }
    out.push_str("</div></details>");
}

fn certificates(out: &mut String, request: &RequestReport) {
    let seen = &request.trace.certificates;
    if seen.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<details><summary>Certificates presented ({})</summary><div class=\"body\">",
        seen.len()
    );
    for cert in seen {
        certificate(out, cert);
    }
    out.push_str("</div></details>");
}

fn certificate(out: &mut String, seen: &SeenCertificate) {
    let class = match seen.role {
        CertificateRole::Validated if seen.verdict == "accepted" => "accepted",
        CertificateRole::Validated => "rejected",
        CertificateRole::NotValidated => "not-validated",
    };
    let role = match seen.role {
        CertificateRole::Validated => "validated",
        CertificateRole::NotValidated => "presented, not validated",
    };
    let _ = write!(
        out,
        "<div class=\"cert\"><h5>Sent by <code>{}</code> to <code>{}</code> · {role}: <span class=\"{class}\">{}</span></h5>",
        esc(&seen.presented_by),
        esc(&seen.presented_to),
        esc(&seen.verdict)
    );
    if !seen.chain.is_empty() {
        out.push_str("<table><thead><tr><th>#</th><th>Subject</th><th>Issuer</th><th>SANs</th><th>Valid</th><th>SHA-256</th></tr></thead><tbody>");
        for (i, cert) in seen.chain.iter().enumerate() {
            let mut sans: Vec<&str> = cert.dns_names.iter().map(String::as_str).collect();
            sans.extend(cert.ip_addresses.iter().map(String::as_str));
            let subject = if cert.subject.is_empty() {
                "(empty subject)"
            } else {
                &cert.subject
            };
            let _ = write!(
                out,
                "<tr><td class=\"num\">{i}</td><td><code>{}</code>{}</td><td><code>{}</code></td><td><code>{}</code></td><td class=\"mono\">{} – {}</td><td class=\"mono\" title=\"{}\">{}…</td></tr>",
                esc(subject),
                if cert.is_ca {
                    " <span class=\"muted\">CA</span>"
                } else {
                    ""
                },
                esc(&cert.issuer),
                esc(&sans.join(", ")),
                esc(&cert.not_before),
                esc(&cert.not_after),
                esc(&cert.sha256),
                esc(&cert.sha256.chars().take(23).collect::<String>())
            );
        }
        out.push_str("</tbody></table>");
    }
    if !seen.explanation.is_empty() {
        out.push_str("<ul>");
        for line in &seen.explanation {
            let _ = write!(out, "<li>{}</li>", esc(line));
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>");
}
