//! `[matrix]` → [`Matrix`]: the route resolved, each list checked (spelling, names,
//! duplicates), and each dimension checked against the route it varies.

use std::ops::Range;

use toml::Spanned;

use super::values::{one_of_names, parse_method};
use super::{Cx, Index, dangling};
use crate::alb::AlbListener;
use crate::ids::{CertId, RouteId};
use crate::matrix::{
    Axis, Dimension, LISTENER_KINDS, LoadBalancerKind, MAX_COMBINATIONS, Matrix, SWITCH, Setting,
    current_certificate,
};
use crate::model::{Backend, Listener, ListenerProtocol, Route, TargetGroup, TargetGroupProtocol};
use crate::raw::{RawMatrix, RawScenario, RawSwitch};

/// Everything the checks read.
struct Check<'a, 'c, 'r> {
    cx: &'a mut Cx<'c>,
    index: &'a Index<'r>,
}

/// The parts of the scenario the matrix's checks read.
pub(super) struct Parts<'a> {
    pub(super) routes: &'a [Route],
    pub(super) listeners: &'a [Listener],
    pub(super) alb_listeners: &'a [AlbListener],
    pub(super) target_groups: &'a [TargetGroup],
}

pub(super) fn convert(
    cx: &mut Cx<'_>,
    raw: &RawScenario,
    index: &Index<'_>,
    parts: &Parts<'_>,
) -> Option<Matrix> {
    let Parts {
        routes, listeners, ..
    } = *parts;
    let section = raw.matrix.as_ref()?;
    let m = section.get_ref();
    let mut check = Check { cx, index };
    let route = check.route(section.span(), m, routes);

    let mut axes = Vec::new();
    let balancers = check.spelled_list(
        m.load_balancer.as_ref(),
        Dimension::LoadBalancer,
        ("load balancer", LoadBalancerKind::ALL),
        Setting::LoadBalancer,
    );
    axes.extend(balancers.clone());
    let listener_tls = check.spelled_list(
        m.listener_protocol.as_ref(),
        Dimension::ListenerProtocol,
        ("listener protocol", &LISTENER_KINDS),
        Setting::ListenerTls,
    );
    axes.extend(listener_tls.clone());
    axes.extend(check.spelled_list(
        m.target_group_protocol.as_ref(),
        Dimension::TargetGroupProtocol,
        (
            "target group protocol",
            &TargetGroupProtocol::nlb_spellings(),
        ),
        Setting::TargetGroupProtocol,
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
    if let Some(list) = &m.load_balancer {
        check.balancer(
            list,
            m,
            route,
            parts,
            balancers.as_ref(),
            listener_certificates.is_some(),
        );
    } else if let Backend::VpcLink(listener) = route.backend {
        // Dimensions of the NLB need a VPC link route.
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
        let reaches = reaches(route);
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
                        "vary this route by load_balancer, target_certificate and \
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

/// What a route reaches, in words, for errors about dimensions it cannot vary.
fn reaches(route: &Route) -> &'static str {
    match route.backend {
        Backend::Internet(_) => "is an INTERNET route",
        Backend::VpcLinkAlb(_) => "reaches an ALB listener",
        Backend::VpcLink(_) => "reaches an NLB listener",
        Backend::NoListener { .. } => "reaches a port without a listener",
    }
}

impl Check<'_, '_, '_> {
    /// `load_balancer`: the route must reach a listener through a VPC link; the listener
    /// and target group protocols are the kind's, so they cannot vary as well; a kind that
    /// serves a certificate needs one (the matrix's, or the route's listener's).
    fn balancer(
        &mut self,
        list: &Spanned<Vec<Spanned<String>>>,
        m: &RawMatrix,
        route: &Route,
        parts: &Parts<'_>,
        kinds: Option<&Axis>,
        certificates_listed: bool,
    ) {
        for (written, key) in [
            (&m.listener_protocol, "listener_protocol"),
            (&m.target_group_protocol, "target_group_protocol"),
        ] {
            if let Some(written) = written {
                self.cx.error(
                    written.span(),
                    format!("matrix.{key}"),
                    "load_balancer sets the listener's and the target group's protocols",
                    Some(format!("vary load_balancer or {key}, not both")),
                );
            }
        }
        if !matches!(route.backend, Backend::VpcLink(_) | Backend::VpcLinkAlb(_)) {
            self.cx.error(
                list.span(),
                "matrix.load_balancer".into(),
                format!(
                    "route {} {} {}: it has no load balancer to replace",
                    route.method,
                    route.path,
                    reaches(route)
                ),
                Some("pick a VPC_LINK route whose URI port reaches a listener".into()),
            );
            return;
        }
        let needs_certificate = kinds.is_some_and(|axis| {
            axis.values
                .iter()
                .any(|v| matches!(v, Setting::LoadBalancer(kind) if kind.serves_certificate()))
        });
        let has_certificate = current_certificate(
            route.backend,
            parts.listeners,
            parts.alb_listeners,
            parts.target_groups,
        )
        .is_some();
        if needs_certificate && !certificates_listed && !has_certificate {
            self.cx.error(
                list.span(),
                "matrix.load_balancer".into(),
                "the route's listener serves no certificate, so a TLS or HTTPS listener has \
                 none to serve",
                Some("add listener_certificate = [\"<certificate>\"]".into()),
            );
        }
    }

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

    /// A list of values spelt by `choices` (what they are, and the spelling table).
    fn spelled_list<T: Copy>(
        &mut self,
        list: Option<&Spanned<Vec<Spanned<String>>>>,
        dimension: Dimension,
        (what, choices): (&str, &[(&str, T)]),
        setting: fn(T) -> Setting,
    ) -> Option<Axis> {
        self.list(list, dimension, |check, value, field| {
            check
                .cx
                .enum_required(value, field, what, choices)
                .map(setting)
        })
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
