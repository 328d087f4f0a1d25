//! `[matrix]`: the setups `hoplab compare` runs side by side.
//!
//! A matrix names one route and lists values for some of its dimensions: the kind of load
//! balancer in front of the targets, the listener protocol, the target group protocol,
//! `insecureSkipVerification`, and which certificate the listener and the targets serve. [`Matrix::combinations`] is every combination of those
//! values; [`Combination::apply`] turns one into a scenario of its own that sends one request
//! down the route, or says why AWS would not allow that setup.
//!
//! Parsing and the located checks live in `validate::matrix`; this module holds the validated
//! types and what to do with them. A combination changes the scenario in the file's form and
//! validates it again, so it meets exactly the rules a file meets; `balancer` rebuilds the
//! route's load balancers for the `load_balancer` dimension.

mod balancer;

pub use balancer::LoadBalancerKind;
pub(crate) use balancer::current_certificate;

use crate::alb::TargetType;
use crate::behaviour::AlpnPolicy;
use crate::builder::{Part, RequestBuilder};
use crate::error::{Rule, ScenarioError};
use crate::ids::{CertId, RouteId, TargetId};
use crate::model::{Backend, ListenerProtocol, Scenario, TargetGroupProtocol};
use crate::{LoadError, Pki, ScenarioBuilder};

/// Most combinations one matrix may have.
pub const MAX_COMBINATIONS: usize = 256;

/// `listener_protocol` spellings: whether the listener terminates TLS.
pub(crate) const LISTENER_KINDS: [(&str, bool); 2] = [("TLS", true), ("TCP", false)];

/// `insecure_skip_verification` spellings besides `true` and `false`.
pub(crate) const SWITCH: [(&str, bool); 2] = [("on", true), ("off", false)];

/// A validated `[matrix]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    pub(crate) route: RouteId,
    pub(crate) axes: Vec<Axis>,
}

impl Matrix {
    /// The varied route.
    pub fn route(&self) -> RouteId {
        self.route
    }

    /// The varied dimensions, in the fixed order of [`Dimension::ALL`]; each has at least
    /// one value.
    pub fn axes(&self) -> &[Axis] {
        &self.axes
    }
}

/// One varied dimension and its values, in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    pub(crate) dimension: Dimension,
    pub(crate) values: Vec<Setting>,
}

impl Axis {
    /// Which dimension.
    pub fn dimension(&self) -> Dimension {
        self.dimension
    }

    /// Its values, without duplicates; each is of that dimension.
    pub fn values(&self) -> &[Setting] {
        &self.values
    }
}

/// A dimension a matrix can vary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// `load_balancer`: the kind of load balancer between API Gateway and the route's
    /// targets ([`LoadBalancerKind`]).
    LoadBalancer,
    /// `listener_protocol`: the route's NLB listener is `TLS` or `TCP`.
    ListenerProtocol,
    /// `target_group_protocol`: that listener's target group is `TLS` or `TCP`.
    TargetGroupProtocol,
    /// `listener_certificate`: the certificate a TLS listener serves.
    ListenerCertificate,
    /// `target_certificate`: the certificate every target behind the route serves.
    TargetCertificate,
    /// `insecure_skip_verification`: the route's `tlsConfig.insecureSkipVerification`.
    InsecureSkipVerification,
}

impl Dimension {
    /// Every dimension, in the order a matrix's axes (and `compare`'s columns) follow.
    pub const ALL: [Dimension; 6] = [
        Dimension::LoadBalancer,
        Dimension::ListenerProtocol,
        Dimension::TargetGroupProtocol,
        Dimension::ListenerCertificate,
        Dimension::TargetCertificate,
        Dimension::InsecureSkipVerification,
    ];

    /// The key in `[matrix]`.
    pub fn key(self) -> &'static str {
        match self {
            Dimension::LoadBalancer => "load_balancer",
            Dimension::ListenerProtocol => "listener_protocol",
            Dimension::TargetGroupProtocol => "target_group_protocol",
            Dimension::ListenerCertificate => "listener_certificate",
            Dimension::TargetCertificate => "target_certificate",
            Dimension::InsecureSkipVerification => "insecure_skip_verification",
        }
    }

    /// A short column heading.
    pub fn heading(self) -> &'static str {
        match self {
            Dimension::LoadBalancer => "load balancer",
            Dimension::ListenerProtocol => "listener",
            Dimension::TargetGroupProtocol => "target group",
            Dimension::ListenerCertificate => "listener cert",
            Dimension::TargetCertificate => "target cert",
            Dimension::InsecureSkipVerification => "skip verify",
        }
    }
}

/// One value of one dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// The kind of load balancer in front of the targets.
    LoadBalancer(LoadBalancerKind),
    /// The listener terminates TLS (`true`) or passes TCP through (`false`).
    ListenerTls(bool),
    /// The target group protocol.
    TargetGroupProtocol(TargetGroupProtocol),
    /// The certificate a TLS listener serves.
    ListenerCertificate(CertId),
    /// The certificate every target behind the route serves.
    TargetCertificate(CertId),
    /// `insecureSkipVerification`.
    InsecureSkipVerification(bool),
}

impl Setting {
    /// The dimension this value belongs to.
    pub fn dimension(&self) -> Dimension {
        match self {
            Setting::LoadBalancer(_) => Dimension::LoadBalancer,
            Setting::ListenerTls(_) => Dimension::ListenerProtocol,
            Setting::TargetGroupProtocol(_) => Dimension::TargetGroupProtocol,
            Setting::ListenerCertificate(_) => Dimension::ListenerCertificate,
            Setting::TargetCertificate(_) => Dimension::TargetCertificate,
            Setting::InsecureSkipVerification(_) => Dimension::InsecureSkipVerification,
        }
    }

    /// The value as a table cell: `nlb-tls`, `TLS`, `TCP`, a certificate name, `on` or `off`.
    pub fn text(&self, pki: &Pki) -> String {
        self.text_with(|id| pki.certificate(id).name())
    }

    /// [`Setting::text`], naming certificates with `name`.
    pub(crate) fn text_with<'a>(&self, name: impl Fn(CertId) -> &'a str) -> String {
        let spelling = |table: &[(&'static str, bool)], value: bool| {
            table
                .iter()
                .find(|(_, v)| *v == value)
                .map_or("", |(s, _)| *s)
                .to_owned()
        };
        match self {
            Setting::LoadBalancer(kind) => kind.as_str().to_owned(),
            Setting::ListenerTls(tls) => spelling(&LISTENER_KINDS, *tls),
            Setting::TargetGroupProtocol(protocol) => protocol.as_str().to_owned(),
            Setting::ListenerCertificate(id) | Setting::TargetCertificate(id) => {
                name(*id).to_owned()
            }
            Setting::InsecureSkipVerification(on) => spelling(&SWITCH, *on),
        }
    }
}

/// One combination: a value for every axis, in axis order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Combination {
    pub(crate) settings: Vec<Setting>,
}

/// Why a combination is not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotRun {
    /// AWS does not let a TCP listener forward to a TLS target group.
    #[error("not allowed by AWS: a TCP listener forwards only to a TCP target group")]
    TcpListenerToTlsGroup,
    /// A TCP or HTTP listener serves no certificate, so every listener certificate after the
    /// first would repeat the first's row.
    #[error("a TCP or HTTP listener serves no certificate: same as listener_certificate={first}")]
    Repeats {
        /// The first listener certificate, whose row this repeats.
        first: String,
    },
    /// The combination breaks another rule of the scenario reference.
    #[error("not a valid scenario: {}", render(.0))]
    Invalid(Vec<ScenarioError>),
    /// The scenario's files could not be read again.
    #[error("{0}")]
    Unreadable(String),
}

fn render(errors: &[ScenarioError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl NotRun {
    /// The reason a failed validation gives, in the matrix's words where it has them (the
    /// rules AWS sets on a listener, its target group and the targets).
    fn from_load(error: LoadError) -> Self {
        let LoadError::Invalid(errors) = error else {
            return NotRun::Unreadable(error.to_string());
        };
        if errors
            .iter()
            .any(|e| e.rule == Some(Rule::TcpListenerToTlsGroup))
        {
            return NotRun::TcpListenerToTlsGroup;
        }
        NotRun::Invalid(errors)
    }
}

impl Combination {
    /// The values, one per axis.
    pub fn settings(&self) -> &[Setting] {
        &self.settings
    }

    /// `listener_protocol=TLS, target_certificate=expired, …`, the name of its request.
    pub fn label(&self, pki: &Pki) -> String {
        self.settings
            .iter()
            .map(|s| format!("{}={}", s.dimension().key(), s.text(pki)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn get(&self, dimension: Dimension) -> Option<Setting> {
        self.settings
            .iter()
            .copied()
            .find(|s| s.dimension() == dimension)
    }

    /// The scenario this combination stands for: `base` with the matrix route's settings
    /// changed, no matrix, and one request (named [`Combination::label`], no expectations)
    /// down the route, validated again like any scenario.
    ///
    /// `Err` says why AWS would not allow the setup (a TCP listener forwarding to a TLS
    /// target group, or another rule), or why it would repeat another row (a TCP or HTTP listener serves no certificate, so only the
    /// first listener certificate is run with it).
    pub fn apply(&self, base: &Scenario, matrix: &Matrix) -> Result<Scenario, NotRun> {
        let pki = base.pki();
        let route = base.route(matrix.route);
        let mut edit = base.to_builder().clear_matrix().clear_requests();
        let span = edit.matrix_span();
        if let Some(Setting::InsecureSkipVerification(skip)) =
            self.get(Dimension::InsecureSkipVerification)
        {
            edit = edit.edit_route(route.id(), |r| r.insecure_skip_verification(skip));
        }
        let kind = match self.get(Dimension::LoadBalancer) {
            Some(Setting::LoadBalancer(kind)) => Some(kind),
            _ => None,
        };
        let targets: Vec<TargetId> = match (kind, route.backend()) {
            (_, Backend::Internet(target)) => vec![target],
            (Some(_), Backend::VpcLink(listener)) => {
                targets_behind(base, base.listener(listener).target_group())
            }
            (None, Backend::VpcLink(listener)) => {
                let (changed, targets) = self.apply_listener(base, matrix, listener, edit)?;
                edit = changed;
                targets
            }
            (_, Backend::VpcLinkAlb(listener)) => alb_targets(base, listener),
            (_, Backend::NoListener { .. }) => Vec::new(),
        };
        let target_certificate = match self.get(Dimension::TargetCertificate) {
            Some(Setting::TargetCertificate(certificate)) => {
                Some(pki.certificate(certificate).name())
            }
            _ => None,
        };
        if let Some(name) = target_certificate {
            for target in &targets {
                edit = edit.edit_target(*target, |t| t.serving(name));
            }
        }
        if let Some(kind) = kind {
            if !kind.serves_certificate() {
                self.first_listener_certificate_only(matrix, pki)?;
            }
            let certificate = match self.get(Dimension::ListenerCertificate) {
                Some(Setting::ListenerCertificate(id)) => Some(id),
                _ => current_certificate(
                    route.backend(),
                    base.listeners(),
                    base.alb_listeners(),
                    base.target_groups(),
                ),
            };
            let rebuild = balancer::Rebuild {
                kind,
                route: route.id(),
                certificate: certificate.map(|id| pki.certificate(id).name()),
                targets: &targets,
                https_targets: target_certificate.is_some()
                    || targets.iter().all(|t| balancer::serves_https(base, *t)),
            };
            edit = rebuild.apply(base, edit);
        }
        let method = if route.method() == "ANY" {
            "GET"
        } else {
            route.method()
        };
        let request = RequestBuilder::from_parts(
            RequestBuilder::new(route.path())
                .method(method)
                .name(&self.label(pki))
                .into_parts()
                .0,
            span,
        );
        edit.request(request).build().map_err(NotRun::from_load)
    }

    /// `Err(Repeats)` unless this combination's listener certificate, if the matrix varies
    /// it, is the first listed: a listener without a certificate runs only that one.
    fn first_listener_certificate_only(&self, matrix: &Matrix, pki: &Pki) -> Result<(), NotRun> {
        let first = matrix
            .axes
            .iter()
            .find(|a| a.dimension == Dimension::ListenerCertificate)
            .and_then(|a| a.values.first());
        match (first, self.get(Dimension::ListenerCertificate)) {
            (Some(first), Some(chosen)) if *first != chosen => Err(NotRun::Repeats {
                first: first.text(pki),
            }),
            _ => Ok(()),
        }
    }

    /// Sets the listener's and its target group's protocols and the listener's certificate;
    /// returns the targets behind the listener.
    fn apply_listener(
        &self,
        base: &Scenario,
        matrix: &Matrix,
        id: crate::ListenerId,
        mut edit: ScenarioBuilder,
    ) -> Result<(ScenarioBuilder, Vec<TargetId>), NotRun> {
        let pki = base.pki();
        let listener = base.listener(id);
        let certificate = match self.get(Dimension::ListenerCertificate) {
            Some(Setting::ListenerCertificate(id)) => Some(pki.certificate(id).name()),
            _ => None,
        };
        let tls = match self.get(Dimension::ListenerProtocol) {
            Some(Setting::ListenerTls(tls)) => tls,
            _ => matches!(listener.protocol(), ListenerProtocol::Tls(_)),
        };
        if tls {
            match certificate {
                // A listener certificate from the matrix replaces the listener's list.
                Some(name) => {
                    edit = edit.edit_listener(id, |l| {
                        l.protocol(TargetGroupProtocol::Tls)
                            .certificate(name)
                            .certificates([])
                            .alpn_policy(AlpnPolicy::default())
                    });
                }
                // Validation of the matrix rules this out; validation of the result says so.
                None if listener.protocol().tls().is_none() => {
                    edit = edit.edit_listener(id, |l| l.protocol(TargetGroupProtocol::Tls));
                }
                None => {}
            }
        } else {
            self.first_listener_certificate_only(matrix, pki)?;
            edit = edit.edit_listener(id, |l| {
                l.protocol(TargetGroupProtocol::Tcp).without_tls_settings()
            });
        }
        let group = listener.target_group();
        if let Some(Setting::TargetGroupProtocol(protocol)) =
            self.get(Dimension::TargetGroupProtocol)
        {
            edit = edit.edit_target_group(group, |g| g.protocol(protocol));
        }
        Ok((edit, targets_behind(base, group)))
    }
}

/// The targets a target group reaches: its own, or for an `alb` group those of every group
/// the ALB listener forwards to.
fn targets_behind(base: &Scenario, group: crate::TargetGroupId) -> Vec<TargetId> {
    match base.target_group(group).target_type() {
        TargetType::Ip => base.target_group(group).targets().to_vec(),
        TargetType::Alb(listener) => alb_targets(base, listener),
    }
}

/// The targets of every group an ALB listener forwards to, each once.
fn alb_targets(base: &Scenario, listener: crate::AlbListenerId) -> Vec<TargetId> {
    let mut targets = Vec::new();
    for group in base.alb_listener(listener).target_groups() {
        for target in base.target_group(group).targets() {
            if !targets.contains(target) {
                targets.push(*target);
            }
        }
    }
    targets
}

impl Matrix {
    /// Every combination, the first axis varying slowest.
    pub fn combinations(&self) -> Vec<Combination> {
        let mut out = vec![Combination {
            settings: Vec::new(),
        }];
        for axis in &self.axes {
            out = out
                .into_iter()
                .flat_map(|partial| {
                    axis.values.iter().map(move |value| {
                        let mut settings = partial.settings.clone();
                        settings.push(*value);
                        Combination { settings }
                    })
                })
                .collect();
        }
        out
    }
}
