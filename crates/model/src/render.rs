//! The text `hoplab explain FILE` prints.

use std::fmt::Write;

use crate::{Explanation, RequestPrediction, RoutePrediction};

/// Width the narrative is wrapped to.
const WIDTH: usize = 96;

/// Renders an explanation: the scenario, then each route (path, TLS sessions, whose
/// certificate is validated, the outcome and why), then each request's predicted outcome.
pub fn render_text(e: &Explanation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "scenario {}", e.scenario);
    if let Some(description) = &e.description {
        for line in description.lines() {
            let _ = writeln!(out, "  {line}");
        }
    }
    let _ = writeln!(out, "  predicted for {}", e.checked_at);
    for route in &e.routes {
        out.push('\n');
        route_text(&mut out, route);
    }
    if !e.requests.is_empty() {
        let _ = writeln!(out, "\nrequests");
        let mut rest = e.requests.as_slice();
        while let Some(request) = rest.first() {
            // A repeated request's sends are predicted alike: print them once.
            let (name, sends) = repeated(rest);
            let _ = writeln!(
                out,
                "  {name}: {}, validated {} (route {} {})",
                request.status,
                request.validated.as_deref().unwrap_or("none"),
                request.route.0,
                request.route.1
            );
            if let Some(error) = &request.error {
                let _ = writeln!(out, "    {error}");
            }
            rest = &rest[sends..];
        }
    }
    out
}

/// How the first request of `requests` is printed, and how many predictions that line
/// covers: the sends `<name> [1/n]` .. `[n/n]` of one repeated request, predicted alike, as
/// `<name> (sent n times)`.
fn repeated(requests: &[RequestPrediction]) -> (String, usize) {
    let first = &requests[0];
    let Some((base, count)) = first
        .name
        .strip_suffix(']')
        .and_then(|name| name.rsplit_once(" [1/"))
        .and_then(|(base, n)| Some((base, n.parse::<usize>().ok()?)))
    else {
        return (first.name.clone(), 1);
    };
    let alike = requests.iter().take(count).enumerate().all(|(k, r)| {
        r.name == format!("{base} [{}/{count}]", k + 1)
            && (r.status, &r.validated, &r.error, &r.route)
                == (first.status, &first.validated, &first.error, &first.route)
    });
    if alike && requests.len() >= count {
        (format!("{base} (sent {count} times)"), count)
    } else {
        (first.name.clone(), 1)
    }
}

fn route_text(out: &mut String, r: &RoutePrediction) {
    let _ = writeln!(
        out,
        "route {} {} -> {} ({})",
        r.method, r.path, r.uri, r.via
    );
    let _ = writeln!(out, "  hops:       {}", r.hops.join(" -> "));
    for session in &r.tls_sessions {
        let through = if session.through.is_empty() {
            String::new()
        } else {
            format!(" through {}", session.through.join(", "))
        };
        let sni = session
            .sni
            .as_ref()
            .map_or_else(|| ", no SNI".to_owned(), |s| format!(", SNI {s}"));
        let _ = writeln!(
            out,
            "  tls:        {} -> {}{through}{sni}: {}",
            session.client, session.server, session.outcome
        );
    }
    match (&r.validated, &r.certificate, &r.host_checked) {
        (Some(hop), Some(cert), Some(host)) => {
            let _ = writeln!(
                out,
                "  validated:  {hop}, certificate {cert:?}, checked against {host}"
            );
        }
        (Some(hop), _, _) => {
            let _ = writeln!(out, "  validated:  {hop}");
        }
        (None, _, _) => {
            let _ = writeln!(out, "  validated:  none");
        }
    }
    for skipped in &r.not_validated {
        let _ = writeln!(
            out,
            "  unchecked:  {}, certificate {:?}: {}",
            skipped.hop, skipped.certificate, skipped.why
        );
    }
    match &r.error {
        Some(error) => {
            let _ = writeln!(out, "  outcome:    {}, {error}", r.status);
        }
        None => {
            let _ = writeln!(out, "  outcome:    {}", r.status);
        }
    }
    for other in &r.alternatives {
        let _ = writeln!(
            out,
            "  or, via target:{}: {}, validated {}{}",
            other.target,
            other.status,
            other.validated.as_deref().unwrap_or("none"),
            other
                .error
                .as_ref()
                .map(|e| format!(", {e}"))
                .unwrap_or_default()
        );
    }
    if let Some(why) = &r.unpredictable {
        let _ = writeln!(out, "  not predicted: {why}");
    }
    let _ = writeln!(out, "  why:");
    for sentence in &r.narrative {
        for (i, line) in wrap(sentence, WIDTH - 6).iter().enumerate() {
            let bullet = if i == 0 { "- " } else { "  " };
            let _ = writeln!(out, "    {bullet}{line}");
        }
    }
}

/// Greedy word wrap; a word longer than `width` gets a line of its own.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_on_word_boundaries() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("averyverylongword x", 4), ["averyverylongword", "x"]);
        assert!(wrap("", 10).is_empty());
    }

    fn prediction(name: &str, status: u16) -> RequestPrediction {
        RequestPrediction {
            name: name.to_owned(),
            route: ("GET".to_owned(), "/app".to_owned()),
            status,
            validated: Some("target:blue".to_owned()),
            error: None,
        }
    }

    #[test]
    fn the_sends_of_a_repeated_request_are_printed_once_when_predicted_alike() {
        let alike: Vec<_> = (1..=3)
            .map(|k| prediction(&format!("r [{k}/3]"), 200))
            .collect();
        assert_eq!(repeated(&alike), ("r (sent 3 times)".to_owned(), 3));

        let mut differ = alike.clone();
        differ[2].status = 500;
        assert_eq!(repeated(&differ), ("r [1/3]".to_owned(), 1));

        let single = [prediction("GET /app [note]", 200)];
        assert_eq!(repeated(&single), ("GET /app [note]".to_owned(), 1));
    }
}
