//! `[[requests]]` → [`Request`], each resolved against the routes.

use toml::Spanned;

use super::gateway::check_resource_path;
use super::values::{one_of_names, parse_method};
use super::{Cx, Index};
use crate::ids::{CertId, RequestId, RouteId, TargetId};
use crate::model::{Expectation, ExpectedHop, RepeatExpectation, Request, Route, TextMatch};
use crate::raw::{RawExpect, RawRepeatExpect, RawRequest, RawScenario};

pub(super) fn convert(
    cx: &mut Cx<'_>,
    raw: &RawScenario,
    index: &Index<'_>,
    routes: &[Route],
) -> Vec<Request> {
    raw.requests
        .iter()
        .enumerate()
        .map(|(i, request)| {
            let qf = format!("requests[{i}]");
            let q = request.get_ref();
            let method = match &q.method {
                None => "GET".to_owned(),
                Some(method) => parse_method(method.get_ref(), false).unwrap_or_else(|problem| {
                    cx.problem(method.span(), format!("{qf}.method"), problem);
                    method.get_ref().to_ascii_uppercase()
                }),
            };
            let path = q.path.get_ref();
            let route = match check_resource_path(path) {
                Err(problem) => {
                    cx.problem(q.path.span(), format!("{qf}.path"), problem);
                    None
                }
                Ok(()) => check_route(cx, &qf, q, &method, routes),
            };
            let expect = match &q.expect {
                None => Expectation::default(),
                Some(expect) => convert_expect(cx, index, &format!("{qf}.expect"), expect),
            };
            let repeat = convert_repeat(cx, &qf, q);
            let expect_repeats = q.expect_repeats.as_ref().map(|table| {
                if repeat == 1 {
                    cx.error(
                        table.span(),
                        format!("{qf}.expect_repeats"),
                        "expect_repeats applies to a request sent more than once",
                        Some("add `repeat = N` (2..=1000) to the request, or move the keys to `expect`".into()),
                    );
                }
                convert_repeat_expect(cx, index, &format!("{qf}.expect_repeats"), table.get_ref(), repeat)
            });
            Request {
                id: RequestId::new(i),
                name: q.name.clone().unwrap_or_else(|| format!("{method} {path}")),
                method,
                path: path.clone(),
                // Reported when unresolved; the placeholder is never seen.
                route: route.unwrap_or_else(RouteId::unresolved),
                expect,
                repeat,
                expect_repeats,
                location: cx.location(&request.span()),
            }
        })
        .collect()
}

/// The most times one request may be sent.
const MAX_REPEAT: i64 = 1000;

/// `repeat`, 1..=1000 (1 when absent or invalid, which is reported).
fn convert_repeat(cx: &mut Cx<'_>, qf: &str, q: &RawRequest) -> u32 {
    let Some(repeat) = &q.repeat else {
        return 1;
    };
    match u32::try_from(*repeat.get_ref()) {
        Ok(n) if (1..=MAX_REPEAT).contains(&i64::from(n)) => n,
        _ => {
            cx.error(
                repeat.span(),
                format!("{qf}.repeat"),
                format!("repeat {} is out of range", repeat.get_ref()),
                Some(format!("expected 1..={MAX_REPEAT}")),
            );
            1
        }
    }
}

/// `[requests.expect_repeats]` of a request sent `repeat` times.
fn convert_repeat_expect(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    ef: &str,
    e: &RawRepeatExpect,
    repeat: u32,
) -> RepeatExpectation {
    let targets = |cx: &mut Cx<'_>, key: &str, names: &[Spanned<String>]| -> Vec<TargetId> {
        names
            .iter()
            .enumerate()
            .filter_map(|(i, name)| check_target(cx, index, &format!("{ef}.{key}[{i}]"), name))
            .collect()
    };
    let reached = targets(cx, "reached", &e.reached);
    let not_reached = targets(cx, "not_reached", &e.not_reached);
    let mut count = |key: &str, value: &Option<Spanned<i64>>| -> Option<u32> {
        let value = value.as_ref()?;
        match u32::try_from(*value.get_ref()) {
            Ok(n) if n <= repeat => Some(n),
            _ => {
                cx.error(
                    value.span(),
                    format!("{ef}.{key}"),
                    format!("{key} {} is not a number of repeats", value.get_ref()),
                    Some(format!("expected 0..={repeat} (the request's `repeat`)")),
                );
                None
            }
        }
    };
    let min_failed = count("min_failed", &e.min_failed);
    let max_failed = count("max_failed", &e.max_failed);
    if let (Some(min), Some(max), Some(span)) = (
        min_failed,
        max_failed,
        e.max_failed.as_ref().map(Spanned::span),
    ) && min > max
    {
        cx.error(
            span,
            format!("{ef}.max_failed"),
            format!("max_failed {max} is below min_failed {min}"),
            None,
        );
    }
    RepeatExpectation {
        reached,
        not_reached,
        min_failed,
        max_failed,
    }
}

/// The route that serves the request, as the gateway matches: the first in file order with
/// the same path (before any query) and the same method or `ANY`. Reports it when none does.
fn check_route(
    cx: &mut Cx<'_>,
    qf: &str,
    q: &RawRequest,
    method: &str,
    routes: &[Route],
) -> Option<RouteId> {
    let path = q.path.get_ref();
    let resource = path.split('?').next().unwrap_or(path);
    let on_path: Vec<&Route> = routes.iter().filter(|r| r.path == resource).collect();
    if on_path.is_empty() {
        let all: Vec<String> = routes
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        cx.error(
            q.path.span(),
            format!("{qf}.path"),
            format!("no route serves path {resource:?}"),
            Some(format!(
                "a request's path must equal a route's path; routes: {}",
                one_of_names("routes", all.iter().map(String::as_str))
            )),
        );
        return None;
    }
    if let Some(route) = on_path
        .iter()
        .find(|r| r.method == method || r.method == "ANY")
    {
        return Some(route.id);
    }
    let methods: Vec<&str> = on_path.iter().map(|r| r.method.as_str()).collect();
    let (span, field) = match &q.method {
        Some(m) => (m.span(), format!("{qf}.method")),
        None => (q.path.span(), format!("{qf}.path")),
    };
    cx.error(
        span,
        field,
        format!("no route serves {method} {resource}"),
        Some(format!(
            "{} on {resource:?}",
            one_of_names("methods", methods)
        )),
    );
    None
}

/// Converts an expect table whose field path is `ef`.
fn convert_expect(cx: &mut Cx<'_>, index: &Index<'_>, ef: &str, e: &RawExpect) -> Expectation {
    let status = e
        .status
        .as_ref()
        .and_then(|status| match u16::try_from(*status.get_ref()) {
            Ok(code) if (100..=599).contains(&code) => Some(code),
            _ => {
                cx.error(
                    status.span(),
                    format!("{ef}.status"),
                    format!("status {} is not an http status code", status.get_ref()),
                    Some("expected 100..=599".into()),
                );
                None
            }
        });
    let validated = e
        .validated
        .as_ref()
        .and_then(|hop| parse_hop(cx, index, &format!("{ef}.validated"), hop));
    let error = match (&e.error, &e.error_contains) {
        (Some(_), Some(contains)) => {
            cx.error(
                contains.span(),
                format!("{ef}.error_contains"),
                "expect has both error and error_contains",
                Some("keep one: `error` for the exact line, `error_contains` for a part".into()),
            );
            None
        }
        (Some(exact), None) => Some(TextMatch::Exact(exact.get_ref().clone())),
        (None, Some(contains)) => Some(TextMatch::Contains(contains.get_ref().clone())),
        (None, None) => None,
    };
    if let (Some(no_error), Some(text)) =
        (&e.no_error, e.error.as_ref().or(e.error_contains.as_ref()))
        && *no_error.get_ref()
    {
        cx.error(
            no_error.span(),
            format!("{ef}.no_error"),
            "expect has no_error = true and an expected error",
            Some(format!(
                "keep one: `no_error = true`, or the error ({:?})",
                text.get_ref()
            )),
        );
    }
    let validated_certificate = e.validated_certificate.as_ref().and_then(|name| {
        check_certificate(cx, index, &format!("{ef}.validated_certificate"), name)
    });
    let not_validated = e
        .not_validated
        .iter()
        .flat_map(|list| list.get_ref().iter().enumerate())
        .filter_map(|(i, name)| {
            check_certificate(cx, index, &format!("{ef}.not_validated[{i}]"), name)
        })
        .collect();
    let target = e
        .target
        .as_ref()
        .and_then(|name| check_target(cx, index, &format!("{ef}.target"), name));
    let per_target = e
        .per_target
        .0
        .iter()
        .filter_map(|(name, nested)| {
            let pf = format!(
                "{ef}.per_target.{}",
                super::locate::key_segment(name.get_ref())
            );
            let target = check_target(cx, index, &pf, name)?;
            let inner = nested.get_ref();
            for (key, span) in [
                ("target", inner.target.as_ref().map(Spanned::span)),
                (
                    "per_target",
                    inner.per_target.0.first().map(|(k, _)| k.span()),
                ),
            ] {
                if let Some(span) = span {
                    cx.error(
                        span,
                        format!("{pf}.{key}"),
                        format!("a per_target expectation cannot set `{key}`"),
                        Some("it already applies to one target; remove it".into()),
                    );
                }
            }
            // The nested table reuses this conversion; its path is reported as `per_target.<name>`.
            let converted = convert_expect(cx, index, &pf, inner);
            Some((target, converted))
        })
        .collect();
    Expectation {
        status,
        validated,
        error,
        no_error: e.no_error.as_ref().map(|flag| *flag.get_ref()),
        error_not_contains: e.error_not_contains.as_ref().map(|t| t.get_ref().clone()),
        body_contains: e.body_contains.clone(),
        body_not_contains: e.body_not_contains.clone(),
        validated_certificate,
        not_validated,
        target,
        per_target,
    }
}

/// The leaf certificate `name` names; reports it when it names none.
fn check_certificate(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    field: &str,
    name: &Spanned<String>,
) -> Option<CertId> {
    if let Some(id) = index.certificate(name.get_ref()) {
        return Some(id);
    }
    super::dangling(
        cx,
        name,
        field.to_owned(),
        "certificates",
        &index.certificates,
    );
    None
}

/// The target `name` names (written `b1` or, as reports write it, `target:b1`); reports it
/// when it names none.
fn check_target(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    field: &str,
    name: &Spanned<String>,
) -> Option<TargetId> {
    let written = name.get_ref();
    let bare = written.strip_prefix("target:").unwrap_or(written);
    if let Some((id, _)) = index.target(bare) {
        return Some(id);
    }
    super::dangling(cx, name, field.to_owned(), "targets", &index.target_names());
    None
}

/// Parses `none`, `nlb:<nlb>:<port>`, `alb:<alb>:<port>` or `target:<name>`, which must name
/// what exists.
fn parse_hop(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    field: &str,
    hop: &Spanned<String>,
) -> Option<ExpectedHop> {
    let text = hop.get_ref().as_str();
    let parsed = if text == "none" {
        Some(ExpectedHop::None)
    } else if let Some(rest) = text.strip_prefix("nlb:") {
        rest.rsplit_once(':').and_then(|(nlb, port)| {
            let port: u16 = port.parse().ok()?;
            let (nlb, ports) = index.nlb(nlb)?;
            if !ports.contains(&port) {
                return None;
            }
            index.listener(nlb, port).map(ExpectedHop::NlbListener)
        })
    } else if let Some(rest) = text.strip_prefix("alb:") {
        rest.rsplit_once(':').and_then(|(alb, port)| {
            let port: u16 = port.parse().ok()?;
            let (alb, ports) = index.alb(alb)?;
            if !ports.contains(&port) {
                return None;
            }
            index.alb_listener(alb, port).map(ExpectedHop::AlbListener)
        })
    } else if let Some(name) = text.strip_prefix("target:") {
        index.target(name).map(|(id, _)| ExpectedHop::Target(id))
    } else {
        None
    };
    if parsed.is_none() {
        let mut valid = vec!["none".to_owned()];
        for (nlb, ports) in &index.nlbs {
            valid.extend(ports.iter().map(|port| format!("nlb:{nlb}:{port}")));
        }
        for (alb, ports) in &index.albs {
            valid.extend(ports.iter().map(|port| format!("alb:{alb}:{port}")));
        }
        valid.extend(
            index
                .targets
                .iter()
                .map(|(name, _)| format!("target:{name}")),
        );
        let message = if text.starts_with("nlb:") {
            format!("no nlb listener {text:?}")
        } else if text.starts_with("alb:") {
            format!("no alb listener {text:?}")
        } else if text.starts_with("target:") {
            format!("no target {text:?}")
        } else {
            format!("invalid hop {text:?}")
        };
        cx.error(
            hop.span(),
            field.to_owned(),
            message,
            Some(format!(
                "use \"none\", \"nlb:<nlb>:<port>\", \"alb:<alb>:<port>\" or \"target:<name>\"; {}",
                one_of_names("hops", valid.iter().map(String::as_str))
            )),
        );
    }
    parsed
}
