//! `[matrix]`: the setups `hoplab compare` runs side by side.
//!
//! A matrix names one route and lists values for some of its dimensions: the listener
//! protocol, the target group protocol, `insecureSkipVerification`, and which certificate the
//! listener and the targets serve. [`Matrix::combinations`] is every combination of those
//! values; [`Combination::apply`] turns one into a scenario of its own that sends one request
//! down the route, or says why AWS would not allow that setup.
//!
//! Parsing and the located checks live in `validate::matrix`; this module holds the validated
//! types and what to do with them.

use std::fmt;

use crate::model::{
    ConnectionType, Expectation, ListenerProtocol, Location, Request, Scenario, SecurityPolicy,
    TargetGroupProtocol, TargetProtocol, TlsListener,
};

/// Most combinations one matrix may have.
pub const MAX_COMBINATIONS: usize = 256;

/// A validated `[matrix]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    /// Index of the varied route in `gateway.routes`.
    pub route: usize,
    /// The varied dimensions, in the fixed order of [`Dimension::ALL`]; each has at least
    /// one value.
    pub axes: Vec<Axis>,
}

/// One varied dimension and its values, in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Axis {
    /// Which dimension.
    pub dimension: Dimension,
    /// Its values, without duplicates; each is of that dimension.
    pub values: Vec<Setting>,
}

/// A dimension a matrix can vary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
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
    pub const ALL: [Dimension; 5] = [
        Dimension::ListenerProtocol,
        Dimension::TargetGroupProtocol,
        Dimension::ListenerCertificate,
        Dimension::TargetCertificate,
        Dimension::InsecureSkipVerification,
    ];

    /// The key in `[matrix]`.
    pub fn key(self) -> &'static str {
        match self {
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
            Dimension::ListenerProtocol => "listener",
            Dimension::TargetGroupProtocol => "target group",
            Dimension::ListenerCertificate => "listener cert",
            Dimension::TargetCertificate => "target cert",
            Dimension::InsecureSkipVerification => "skip verify",
        }
    }
}

/// One value of one dimension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    /// The listener terminates TLS (`true`) or passes TCP through (`false`).
    ListenerTls(bool),
    /// The target group protocol.
    TargetGroupProtocol(TargetGroupProtocol),
    /// The certificate a TLS listener serves (a `[certificates]` name).
    ListenerCertificate(String),
    /// The certificate every target behind the route serves (a `[certificates]` name).
    TargetCertificate(String),
    /// `insecureSkipVerification`.
    InsecureSkipVerification(bool),
}

impl Setting {
    /// The dimension this value belongs to.
    pub fn dimension(&self) -> Dimension {
        match self {
            Setting::ListenerTls(_) => Dimension::ListenerProtocol,
            Setting::TargetGroupProtocol(_) => Dimension::TargetGroupProtocol,
            Setting::ListenerCertificate(_) => Dimension::ListenerCertificate,
            Setting::TargetCertificate(_) => Dimension::TargetCertificate,
            Setting::InsecureSkipVerification(_) => Dimension::InsecureSkipVerification,
        }
    }
}

impl fmt::Display for Setting {
    /// The value as a table cell: `TLS`, `TCP`, a certificate name, `on` or `off`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Setting::ListenerTls(true) => f.write_str("TLS"),
            Setting::ListenerTls(false) => f.write_str("TCP"),
            Setting::TargetGroupProtocol(TargetGroupProtocol::Tls) => f.write_str("TLS"),
            Setting::TargetGroupProtocol(TargetGroupProtocol::Tcp) => f.write_str("TCP"),
            Setting::ListenerCertificate(name) | Setting::TargetCertificate(name) => {
                f.write_str(name)
            }
            Setting::InsecureSkipVerification(true) => f.write_str("on"),
            Setting::InsecureSkipVerification(false) => f.write_str("off"),
        }
    }
}

/// One combination: a value for every axis, in axis order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Combination {
    /// One value per axis.
    pub settings: Vec<Setting>,
}

impl Combination {
    /// `listener_protocol=TLS, target_certificate=expired, …`, the name of its request.
    pub fn label(&self) -> String {
        self.settings
            .iter()
            .map(|s| format!("{}={s}", s.dimension().key()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn get(&self, dimension: Dimension) -> Option<&Setting> {
        self.settings.iter().find(|s| s.dimension() == dimension)
    }

    /// The scenario this combination stands for: `base` with the matrix route changed, no
    /// matrix, and one request (named [`Combination::label`], no expectations) down the route.
    ///
    /// `Err` says why AWS would not allow the setup (a TCP listener forwarding to a TLS
    /// target group, a TLS target group with a plain HTTP target), or why it would repeat
    /// another row (a TCP listener serves no certificate, so only the first listener
    /// certificate is run with it).
    pub fn apply(&self, base: &Scenario, matrix: &Matrix) -> Result<Scenario, String> {
        let mut s = base.clone();
        s.matrix = None;
        let route = s
            .gateway
            .routes
            .get_mut(matrix.route)
            .ok_or_else(|| "the matrix route does not exist".to_owned())?;
        if let Some(Setting::InsecureSkipVerification(skip)) =
            self.get(Dimension::InsecureSkipVerification)
        {
            route.insecure_skip_verification = *skip;
        }
        let method = if route.method == "ANY" {
            "GET".to_owned()
        } else {
            route.method.clone()
        };
        let path = route.path.clone();
        let connection = route.connection.clone();
        let targets: Vec<String> = match &connection {
            ConnectionType::Internet { target } => vec![target.clone()],
            ConnectionType::VpcLink { nlb, listener_port } => {
                apply_listener(self, &mut s, matrix, nlb, *listener_port)?
            }
        };
        if let Some(Setting::TargetCertificate(certificate)) =
            self.get(Dimension::TargetCertificate)
        {
            for target in s.targets.iter_mut().filter(|t| targets.contains(&t.name)) {
                target.protocol = TargetProtocol::Https {
                    certificate: certificate.clone(),
                };
            }
        }
        if let ConnectionType::VpcLink { nlb, listener_port } = &connection {
            check_setup(&s, nlb, *listener_port)?;
        }
        s.requests = vec![Request {
            name: self.label(),
            method,
            path,
            expect: Expectation::default(),
            location: Location::default(),
        }];
        Ok(s)
    }
}

/// Sets the listener's and target group's protocols and the listener's certificate; returns
/// the targets behind the listener.
fn apply_listener(
    combination: &Combination,
    s: &mut Scenario,
    matrix: &Matrix,
    nlb: &str,
    port: u16,
) -> Result<Vec<String>, String> {
    let listener = s
        .nlbs
        .iter_mut()
        .find(|n| n.name == nlb)
        .and_then(|n| n.listeners.iter_mut().find(|l| l.port == port))
        .ok_or_else(|| format!("the route's listener nlb:{nlb}:{port} does not exist"))?;
    let certificate = match combination.get(Dimension::ListenerCertificate) {
        Some(Setting::ListenerCertificate(name)) => Some(name.clone()),
        _ => None,
    };
    let tls = match combination.get(Dimension::ListenerProtocol) {
        Some(Setting::ListenerTls(tls)) => *tls,
        _ => matches!(listener.protocol, ListenerProtocol::Tls(_)),
    };
    if tls {
        let (kept, policy) = match &listener.protocol {
            ListenerProtocol::Tls(t) => (Some(t.clone()), t.security_policy),
            ListenerProtocol::Tcp => (None, SecurityPolicy::default()),
        };
        listener.protocol = ListenerProtocol::Tls(match (kept, certificate) {
            (Some(t), None) => t,
            (_, Some(name)) => TlsListener {
                default_certificate: name,
                certificates: Vec::new(),
                security_policy: policy,
                alpn_policy: crate::AlpnPolicy::default(),
            },
            (None, None) => {
                return Err(
                    "a TLS listener needs a certificate (validation rules this out)".into(),
                );
            }
        });
    } else {
        listener.protocol = ListenerProtocol::Tcp;
        let first = matrix
            .axes
            .iter()
            .find(|a| a.dimension == Dimension::ListenerCertificate)
            .and_then(|a| a.values.first());
        if let (Some(first), Some(name)) = (first, &certificate)
            && first != &Setting::ListenerCertificate(name.clone())
        {
            return Err(format!(
                "a TCP listener serves no certificate: same as listener_certificate={first}"
            ));
        }
    }
    let group_name = listener.target_group.clone();
    let group = s
        .target_groups
        .iter_mut()
        .find(|g| g.name == group_name)
        .ok_or_else(|| format!("target group {group_name:?} does not exist"))?;
    if let Some(Setting::TargetGroupProtocol(protocol)) =
        combination.get(Dimension::TargetGroupProtocol)
    {
        group.protocol = *protocol;
    }
    Ok(group.targets.clone())
}

/// The rules AWS (and scenario validation) sets on a listener, its group and its targets.
fn check_setup(s: &Scenario, nlb: &str, port: u16) -> Result<(), String> {
    let Some(listener) = s
        .nlbs
        .iter()
        .find(|n| n.name == nlb)
        .and_then(|n| n.listeners.iter().find(|l| l.port == port))
    else {
        return Ok(());
    };
    let Some(group) = s
        .target_groups
        .iter()
        .find(|g| g.name == listener.target_group)
    else {
        return Ok(());
    };
    if listener.protocol == ListenerProtocol::Tcp && group.protocol == TargetGroupProtocol::Tls {
        return Err(
            "not allowed by AWS: a TCP listener forwards only to a TCP target group".into(),
        );
    }
    if group.protocol == TargetGroupProtocol::Tls {
        let plain = s
            .targets
            .iter()
            .find(|t| group.targets.contains(&t.name) && t.protocol == TargetProtocol::Http);
        if let Some(target) = plain {
            return Err(format!(
                "not a working setup: a TLS target group needs HTTPS targets, and target {:?} \
                 speaks HTTP",
                target.name
            ));
        }
    }
    Ok(())
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
                        settings.push(value.clone());
                        Combination { settings }
                    })
                })
                .collect();
        }
        out
    }
}
