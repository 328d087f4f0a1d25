//! The `load_balancer` dimension: which kind of load balancer stands between API Gateway and
//! the route's targets.
//!
//! A combination with a [`LoadBalancerKind`] replaces whatever the route reached (an NLB, an
//! ALB, or an NLB in front of an ALB) with a load balancer of that kind, under the same name,
//! listening on the URI's port and forwarding everything to one target group that holds the
//! route's targets. The group is encrypted (`TLS` for an NLB, `HTTPS` for an ALB) when every
//! target serves HTTPS, except behind an NLB TCP listener, which passes the gateway's TLS
//! session through to the targets. The route follows: its URI's scheme is `http` for
//! [`LoadBalancerKind::AlbHttp`] and `https` otherwise (an explicit port is kept), and a REST
//! route on a VPC link V1 moves to V2 for the ALB kinds, since V1 reaches NLBs only.
//!
//! Everything is written in the file's form and validated again, like every other matrix
//! setting.

use crate::alb::{AlbListener, TargetType};
use crate::builder::{
    AlbBuilder, AlbListenerBuilder, ListenerBuilder, NlbBuilder, ScenarioBuilder,
    TargetGroupBuilder,
};
use crate::ids::{AlbListenerId, CertId, RouteId, TargetId};
use crate::model::{
    ApiType, Backend, IntegrationUri, Listener, Scenario, Scheme, TargetGroup, TargetGroupProtocol,
    TargetProtocol, VpcLinkVersion,
};
use crate::spelling::spelled;
use hoplab_alb_rules::{Action, Forward};

/// A kind of load balancer the `load_balancer` dimension puts in front of the targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoadBalancerKind {
    /// An NLB TLS listener: it terminates the gateway's TLS, so its certificate is validated.
    NlbTls,
    /// An NLB TCP listener: the TLS session passes through to the target, whose certificate
    /// is validated.
    NlbTcp,
    /// An ALB HTTPS listener (VPC link V2): it terminates TLS, so its certificate is
    /// validated.
    AlbHttps,
    /// An ALB HTTP listener (VPC link V2): plain HTTP, no certificate is validated.
    AlbHttp,
    /// An NLB TCP listener whose target group has target type `alb`, in front of an ALB
    /// HTTPS listener: the bytes pass through the NLB and the ALB's certificate is validated.
    NlbTcpToAlb,
}

spelled!(LoadBalancerKind {
    NlbTls => "nlb-tls",
    NlbTcp => "nlb-tcp",
    AlbHttps => "alb-https",
    AlbHttp => "alb-http",
    NlbTcpToAlb => "nlb-tcp-to-alb",
});

impl LoadBalancerKind {
    /// Whether the load balancer the gateway reaches serves a certificate (a TLS or HTTPS
    /// listener, reached directly or through an NLB TCP listener).
    pub fn serves_certificate(self) -> bool {
        matches!(
            self,
            LoadBalancerKind::NlbTls | LoadBalancerKind::AlbHttps | LoadBalancerKind::NlbTcpToAlb
        )
    }

    /// Whether the gateway's connection reaches an ALB listener (directly or through an
    /// NLB), so a REST route needs a VPC link V2 when it reaches it directly.
    fn alb_first(self) -> bool {
        matches!(self, LoadBalancerKind::AlbHttps | LoadBalancerKind::AlbHttp)
    }
}

/// The load balancer a VPC-link route reaches, and the ALB behind it when its NLB listener
/// forwards to an `alb` target group: the names a combination replaces.
fn reached(base: &Scenario, backend: Backend) -> Option<(String, Option<String>)> {
    match backend {
        Backend::Internet(_) => None,
        Backend::VpcLink(id) => {
            let listener = base.listener(id);
            let nlb = base.nlb(listener.nlb()).name().to_owned();
            let behind = match base.target_group(listener.target_group()).target_type() {
                TargetType::Alb(alb) => Some(base.alb(base.alb_listener(alb).alb()).name()),
                TargetType::Ip => None,
            };
            Some((nlb, behind.map(str::to_owned)))
        }
        Backend::VpcLinkAlb(id) => Some((
            base.alb(base.alb_listener(id).alb()).name().to_owned(),
            None,
        )),
        Backend::NoListener { balancer, .. } => {
            Some((base.balancer_name(balancer).to_owned(), None))
        }
    }
}

/// The certificate the route's load balancer serves today, to serve again when the matrix
/// names none: an NLB TLS listener's or an ALB HTTPS listener's default certificate (behind
/// an NLB TCP listener too). Takes the parts, so validation can ask before the scenario is
/// whole.
pub(crate) fn current_certificate(
    backend: Backend,
    listeners: &[Listener],
    alb_listeners: &[AlbListener],
    groups: &[TargetGroup],
) -> Option<CertId> {
    let alb_certificate = |id: AlbListenerId| {
        alb_listeners
            .get(id.index())?
            .protocol()
            .tls()
            .map(|tls| tls.default_certificate())
    };
    match backend {
        Backend::VpcLink(id) => {
            let listener = listeners.get(id.index())?;
            match groups.get(listener.target_group().index())?.target_type() {
                TargetType::Alb(alb) => alb_certificate(alb),
                TargetType::Ip => listener
                    .protocol()
                    .tls()
                    .map(|tls| tls.default_certificate()),
            }
        }
        Backend::VpcLinkAlb(id) => alb_certificate(id),
        Backend::Internet(_) | Backend::NoListener { .. } => None,
    }
}

/// What a `load_balancer` combination builds from.
pub(crate) struct Rebuild<'a> {
    pub(crate) kind: LoadBalancerKind,
    pub(crate) route: RouteId,
    /// The certificate a TLS or HTTPS listener serves.
    pub(crate) certificate: Option<&'a str>,
    /// The route's targets.
    pub(crate) targets: &'a [TargetId],
    /// Whether every target serves HTTPS once the combination's other settings apply.
    pub(crate) https_targets: bool,
}

impl Rebuild<'_> {
    /// `edit` with the route's load balancers replaced by one of this kind (see the module
    /// docs); `edit` unchanged when the route reaches no load balancer (validation of the
    /// matrix refuses that).
    pub(crate) fn apply(&self, base: &Scenario, mut edit: ScenarioBuilder) -> ScenarioBuilder {
        let route = base.route(self.route);
        let Some((name, behind)) = reached(base, route.backend()) else {
            return edit;
        };
        let port = port_for(route.uri(), self.kind);
        let uri = uri_for(route.uri(), self.kind, port);
        let api = base.gateway().api();
        let to_v2 = api == ApiType::Rest
            && self.kind.alb_first()
            && route.vpc_link_version() != Some(VpcLinkVersion::V2);
        edit = edit.edit_route(self.route, |r| {
            let r = r.uri(&uri);
            if to_v2 { r.vpc_link_v2(&name) } else { r }
        });
        let mut replaced = vec![name.as_str()];
        replaced.extend(behind.as_deref());
        edit = edit.without_balancers(&replaced, self.route);

        let targets: Vec<&str> = self
            .targets
            .iter()
            .map(|id| base.target(*id).name())
            .collect();
        let group = unused_name(&edit, &format!("{name}-targets"));
        let forward = Action::Forward(Forward::to(group.as_str()));
        let certificate = self.certificate.unwrap_or_default();
        let idle_timeout = base
            .albs()
            .iter()
            .find(|alb| alb.name() == name || Some(alb.name()) == behind.as_deref())
            .map(|alb| alb.idle_timeout_seconds());
        let alb = |listener: AlbListenerBuilder| {
            let alb = AlbBuilder::new().listener(listener);
            match idle_timeout {
                Some(seconds) => alb.idle_timeout_seconds(seconds),
                None => alb,
            }
        };
        let (nlb_group, alb_group) = if self.https_targets {
            (TargetGroupProtocol::Tls, TargetGroupProtocol::Https)
        } else {
            (TargetGroupProtocol::Tcp, TargetGroupProtocol::Http)
        };
        edit = match self.kind {
            LoadBalancerKind::NlbTls => edit
                .target_group(&group, TargetGroupBuilder::new(nlb_group, targets))
                .nlb(
                    &name,
                    NlbBuilder::new().listener(ListenerBuilder::tls(port, certificate, &group)),
                ),
            LoadBalancerKind::NlbTcp => edit
                .target_group(
                    &group,
                    TargetGroupBuilder::new(TargetGroupProtocol::Tcp, targets),
                )
                .nlb(
                    &name,
                    NlbBuilder::new().listener(ListenerBuilder::tcp(port, &group)),
                ),
            LoadBalancerKind::AlbHttps => edit
                .target_group(&group, TargetGroupBuilder::new(alb_group, targets))
                .alb(
                    &name,
                    alb(AlbListenerBuilder::https(port, certificate, &forward)),
                ),
            LoadBalancerKind::AlbHttp => edit
                .target_group(&group, TargetGroupBuilder::new(alb_group, targets))
                .alb(&name, alb(AlbListenerBuilder::http(port, &forward))),
            LoadBalancerKind::NlbTcpToAlb => {
                let edit = edit.target_group(&group, TargetGroupBuilder::new(alb_group, targets));
                let inner = unused_name(&edit, &format!("{name}-alb"));
                let edit = edit.alb(
                    &inner,
                    alb(AlbListenerBuilder::https(port, certificate, &forward)),
                );
                let to_alb = unused_name(&edit, &format!("{name}-to-alb"));
                edit.target_group(&to_alb, TargetGroupBuilder::alb_target(&inner, port))
                    .nlb(
                        &name,
                        NlbBuilder::new().listener(ListenerBuilder::tcp(port, &to_alb)),
                    )
            }
        };
        edit
    }
}

/// `wanted`, or `wanted-2`, `wanted-3`, … if a load balancer or target group already has
/// that name.
fn unused_name(edit: &ScenarioBuilder, wanted: &str) -> String {
    std::iter::once(wanted.to_owned())
        .chain((2..).map(|n| format!("{wanted}-{n}")))
        .find(|name| !edit.names_a_part(name))
        .unwrap_or_else(|| wanted.to_owned())
}

/// The listener port: the URI's, or the new scheme's default when the URI left it to its
/// own scheme's default.
fn port_for(uri: &IntegrationUri, kind: LoadBalancerKind) -> u16 {
    let default = |scheme| if scheme == Scheme::Https { 443 } else { 80 };
    if uri.port() == default(uri.scheme()) {
        default(scheme_for(kind))
    } else {
        uri.port()
    }
}

fn scheme_for(kind: LoadBalancerKind) -> Scheme {
    if kind == LoadBalancerKind::AlbHttp {
        Scheme::Http
    } else {
        Scheme::Https
    }
}

/// The route's URI with the kind's scheme and `port`, the host, path and query kept.
fn uri_for(uri: &IntegrationUri, kind: LoadBalancerKind, port: u16) -> String {
    let scheme = scheme_for(kind);
    let (name, default) = match scheme {
        Scheme::Https => ("https", 443),
        Scheme::Http => ("http", 80),
    };
    let host = if uri.host().contains(':') {
        format!("[{}]", uri.host())
    } else {
        uri.host().to_owned()
    };
    let port = if port == default {
        String::new()
    } else {
        format!(":{port}")
    };
    format!("{name}://{host}{port}{}", uri.path_and_query())
}

/// Whether `target` serves HTTPS in `base`.
pub(crate) fn serves_https(base: &Scenario, target: TargetId) -> bool {
    matches!(base.target(target).protocol(), TargetProtocol::Https { .. })
}
