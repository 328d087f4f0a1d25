//! `[matrix]` → [`Matrix`]: the route resolved, each list checked (spelling, names,
//! duplicates), and each dimension checked against the route it varies.

use std::ops::Range;

use toml::Spanned;

use super::values::{one_of_names, parse_method};
use super::{Cx, Index, dangling};
use crate::ids::{CertId, RouteId};
use crate::matrix::{Axis, Dimension, LISTENER_KINDS, MAX_COMBINATIONS, Matrix, SWITCH, Setting};
use crate::model::{Backend, Listener, ListenerProtocol, Route, TargetGroupProtocol};
use crate::raw::{RawMatrix, RawScenario, RawSwitch};

/// Everything the checks read.
struct Check<'a, 'c, 'r> {
    cx: &'a mut Cx<'c>,
    index: &'a Index<'r>,
}

pub(super) fn convert(
    cx: &mut Cx<'_>,
    raw: &RawScenario,
    index: &Index<'_>,
    routes: &[Route],
    listeners: &[Listener],
) -> Option<Matrix> {
    let section = raw.matrix.as_ref()?;
    let m = section.get_ref();
    let mut check = Check { cx, index };
    let route = check.route(section.span(), m, routes);

    let mut axes = Vec::new();
    let listener_tls = check.list(
        m.listener_protocol.as_ref(),
        Dimension::ListenerProtocol,
        |check, value: &Spanned<String>, field| {
            check
                .cx
                .enum_required(value, field, "listener protocol", &LISTENER_KINDS)
                .map(Setting::ListenerTls)
        },
    );
    axes.extend(listener_tls.clone());
    axes.extend(check.list(
        m.target_group_protocol.as_ref(),
        Dimension::TargetGroupProtocol,
        |check, value: &Spanned<String>, field| {
            check
                .cx
                .enum_required(
                    value,
                    field,
                    "target group protocol",
                    &TargetGroupProtocol::nlb_spellings(),
                )
                .map(Setting::TargetGroupProtocol)
        },
    ));
    let listener_certificates = check.list(
        m.listener_certificate.as_ref(),
        Dimension::ListenerCertificate,
        |check, value: &Spanned<String>, field| {
            check
                .certificate(value, field)
                .map(Setting::ListenerCertificate)
        },
    );
    axes.extend(listener_certificates.clone());
    axes.extend(check.list(
        m.target_certificate.as_ref(),
        Dimension::TargetCertificate,
        |check, value: &Spanned<String>, field| {
            check
                .certificate(value, field)
                .map(Setting::TargetCertificate)
        },
    ));
    axes.extend(check.list(
        m.insecure_skip_verification.as_ref(),
        Dimension::InsecureSkipVerification,
        |check, value: &Spanned<RawSwitch>, field| {
            let on = match value.get_ref() {
                RawSwitch::Bool(on) => Some(*on),
                RawSwitch::Text(text) => SWITCH
                    .iter()
                    .find(|(spelling, _)| spelling == text)
                    .map(|(_, on)| *on),
            };
            if let (None, RawSwitch::Text(text)) = (on, value.get_ref()) {
                check.cx.error(
                    value.span(),
                    field,
                    format!("{text:?} is not on or off"),
                    Some("expected true, false, \"on\" or \"off\"".into()),
                );
            }
            on.map(Setting::InsecureSkipVerification)
        },
    ));

    if axes.is_empty() {
        check.cx.error(
            section.span(),
            "matrix".into(),
            "the matrix varies nothing",
            Some(format!(
                "give at least one of: {}",
                Dimension::ALL.map(Dimension::key).join(", ")
            )),
        );
        return None;
    }
    let count = axes.iter().map(|a| a.values.len()).product::<usize>();
    if count > MAX_COMBINATIONS {
        check.cx.error(
            section.span(),
            "matrix".into(),
            format!("the matrix has {count} combinations"),
            Some(format!(
                "at most {MAX_COMBINATIONS} are run; list fewer values"
            )),
        );
    }

    let route = &routes[route?.index()];
    // Dimensions of the NLB need a VPC link route.
    if let Backend::VpcLink(listener) = route.backend {
        // An unresolved listener is reported with the route.
        let listener = listeners.get(listener.index());
        let base_tls = listener.is_some_and(|l| matches!(l.protocol, ListenerProtocol::Tls(_)));
        let wants_tls = match &listener_tls {
            Some(axis) => axis.values.contains(&Setting::ListenerTls(true)),
            None => base_tls,
        };
        if let (Some(list), true, false, None) = (
            &m.listener_protocol,
            wants_tls,
            base_tls,
            &listener_certificates,
        ) {
            check.cx.error(
                list.span(),
                "matrix.listener_protocol".into(),
                format!(
                    "listener {} is TCP in the scenario, so a TLS listener has no \
                     certificate to serve",
                    listener.map_or("", |l| l.hop_name.as_str())
                ),
                Some("add listener_certificate = [\"<certificate>\"]".into()),
            );
        }
    } else {
        let reaches = match route.backend {
            Backend::Internet(_) => "is an INTERNET route",
            Backend::VpcLinkAlb(_) => "reaches an ALB listener",
            Backend::NoListener { .. } | Backend::VpcLink(_) => "reaches a port without a listener",
        };
        let nlb_only = [
            (
                m.listener_protocol.as_ref().map(Spanned::span),
                "listener_protocol",
            ),
            (
                m.target_group_protocol.as_ref().map(Spanned::span),
                "target_group_protocol",
            ),
            (
                m.listener_certificate.as_ref().map(Spanned::span),
                "listener_certificate",
            ),
        ];
        for (span, key) in nlb_only {
            if let Some(span) = span {
                check.cx.error(
                    span,
                    format!("matrix.{key}"),
                    format!(
                        "route {} {} {reaches}: it has no NLB listener to vary",
                        route.method, route.path
                    ),
                    Some(
                        "vary this route by target_certificate and \
                         insecure_skip_verification only, or pick a route to an NLB listener"
                            .into(),
                    ),
                );
            }
        }
    }
    Some(Matrix {
        route: route.id,
        axes,
    })
}

impl Check<'_, '_, '_> {
    /// The varied route: `route = "METHOD /path"` or `"/path"`, else the only route.
    fn route(&mut self, section: Range<usize>, m: &RawMatrix, routes: &[Route]) -> Option<RouteId> {
        let listed = || {
            let names: Vec<String> = routes
                .iter()
                .map(|r| format!("{} {}", r.method, r.path))
                .collect();
            one_of_names("routes", names.iter().map(String::as_str))
        };
        let Some(text) = &m.route else {
            if routes.len() == 1 {
                return Some(RouteId::new(0));
            }
            if !routes.is_empty() {
                self.cx.error(
                    section,
                    "matrix.route".into(),
                    format!(
                        "the scenario has {} routes: say which one the matrix varies",
                        routes.len()
                    ),
                    Some(format!("add route = \"GET /path\"; {}", listed())),
                );
            }
            return None;
        };
        let written = text.get_ref().trim();
        let (method, path) = match written.split_once(char::is_whitespace) {
            Some((method, path)) => (Some(method), path.trim()),
            None => (None, written),
        };
        let method = match method.map(|m| parse_method(m, true)) {
            Some(Err(problem)) => {
                self.cx.problem(text.span(), "matrix.route".into(), problem);
                return None;
            }
            Some(Ok(m)) => Some(m),
            None => None,
        };
        let found: Vec<usize> = routes
            .iter()
            .enumerate()
            .filter(|(_, r)| r.path == path && method.as_ref().is_none_or(|m| &r.method == m))
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [one] => Some(RouteId::new(*one)),
            [] => {
                self.cx.error(
                    text.span(),
                    "matrix.route".into(),
                    format!("no route {written:?}"),
                    Some(listed()),
                );
                None
            }
            _ => {
                self.cx.error(
                    text.span(),
                    "matrix.route".into(),
                    format!("several routes serve {path:?}"),
                    Some(format!("name the method too; {}", listed())),
                );
                None
            }
        }
    }

    /// A list of values: at least one, no duplicates, each converted by `value`.
    fn list<T>(
        &mut self,
        list: Option<&Spanned<Vec<Spanned<T>>>>,
        dimension: Dimension,
        mut value: impl FnMut(&mut Self, &Spanned<T>, String) -> Option<Setting>,
    ) -> Option<Axis> {
        let list = list?;
        let key = format!("matrix.{}", dimension.key());
        if list.get_ref().is_empty() {
            self.cx.error(
                list.span(),
                key,
                "the list is empty",
                Some("give at least one value, or remove the key to keep the scenario's".into()),
            );
            return None;
        }
        let mut values: Vec<Setting> = Vec::new();
        for (i, item) in list.get_ref().iter().enumerate() {
            let field = format!("{key}[{i}]");
            let Some(setting) = value(self, item, field.clone()) else {
                continue;
            };
            if values.contains(&setting) {
                let index = self.index;
                let text = setting.text_with(|id| index.certificates[id.index()]);
                self.cx.error(
                    item.span(),
                    field,
                    format!("{text} is listed twice"),
                    Some("list each value once".into()),
                );
            } else {
                values.push(setting);
            }
        }
        (!values.is_empty()).then_some(Axis { dimension, values })
    }

    fn certificate(&mut self, value: &Spanned<String>, field: String) -> Option<CertId> {
        if let Some(id) = self.index.certificate(value.get_ref()) {
            Some(id)
        } else {
            let valid = self.index.certificates.clone();
            dangling(self.cx, value, field, "certificates", &valid);
            None
        }
    }
}
