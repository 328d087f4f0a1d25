//! Raw scenario → validated model.
//!
//! The text is parsed into a TOML tree (syntax errors are all reported, located), then
//! deserialized strictly into [`crate::raw`] structs (the first shape error is reported:
//! unknown key, wrong type, missing key), then converted section by section into the model,
//! every name resolved to a typed id. The conversion collects every problem it finds rather
//! than stopping at the first, so a user fixes a file in one pass.
//!
//! [`validate`] is the one way into the model: a file, a [`crate::ScenarioBuilder`], a
//! `[matrix]` combination and a patched route all come through it.
//!
//! # Layout
//! - `locate`: byte offsets → line/column, and the dotted field path at an offset.
//! - `values`: parsers for names, enums, times, URIs and IP addresses.
//! - `pki`: authorities (issuer cycles, topological order) and certificates.
//! - `pem`: certificates read from the user's PEM files (chain, key, and that they match).
//! - `backends`: NLBs and their listeners, target groups, targets.
//! - `albs`: ALBs and their listeners; `alb_rules`: a listener's rules, conditions and
//!   actions, checked by `hoplab-alb-rules`' own rules engine.
//! - `health`: a target group's health check, with AWS's ranges and defaults.
//! - `behaviour`: a target's deliberate fault and TLS versions.
//! - `gateway`: the stage and routes, resolved against load balancer listeners (VPC link V1
//!   and V2) and target DNS names.
//! - `requests`: requests, resolved against routes, and their expectations.
//! - `matrix`: the `[matrix]` section, resolved against the routes and certificates.

mod alb_rules;
mod albs;
mod backends;
mod behaviour;
mod gateway;
mod health;
mod locate;
mod matrix;
mod pem;
mod pki;
mod requests;
mod teach;
pub(crate) mod values;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;
use toml::de::DeTable;

use crate::error::Rule;
use crate::ids::{
    AlbId, AlbListenerId, AuthorityId, CertId, ListenerId, NlbId, TargetGroupId, TargetId,
};
use crate::model::{LoadBalancer, Location, TargetGroupProtocol, TimeSpec};
use crate::raw::{Named, RawScenario, RawTime};
use crate::source::Source;
use crate::warning::{ScenarioWarning, WarningKind};
use crate::{LoadError, Scenario, ScenarioError};

use self::locate::{Locator, key_segment};
use self::values::{Problem, check_name, parse_enum, parse_time};

/// Parses `text` (named `file` in errors) and validates it; an empty `[scenario] name`
/// becomes `default_name`.
pub(crate) fn from_toml(text: &str, file: &str, default_name: &str) -> Result<Scenario, LoadError> {
    let locator = Locator::new(text, file);
    let (doc, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        let mut errors: Vec<ScenarioError> = syntax
            .iter()
            .map(|e| locator.toml_error(e, Some(doc.get_ref())))
            .collect();
        sort(&mut errors);
        return Err(LoadError::Invalid(errors));
    }
    let raw = match RawScenario::deserialize(toml::de::Deserializer::from(doc)) {
        Ok(raw) => raw,
        Err(error) => {
            // The tree was consumed by the deserializer; parse again to name the field.
            let doc = DeTable::parse(text).ok();
            let doc = doc.as_ref().map(Spanned::get_ref);
            return Err(LoadError::Invalid(vec![locator.toml_error(&error, doc)]));
        }
    };
    validate(Source {
        raw,
        text: text.into(),
        file: file.to_owned(),
        default_name: default_name.to_owned(),
    })
}

/// Validates a scenario in the file's form; errors are located in `source.text`.
pub(crate) fn validate(source: Source) -> Result<Scenario, LoadError> {
    let mut cx = Cx {
        locator: Locator::new(&source.text, &source.file),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let mut scenario = convert(&mut cx, &source.raw);
    if !cx.errors.is_empty() {
        sort(&mut cx.errors);
        return Err(LoadError::Invalid(cx.errors));
    }
    if scenario.name.is_empty() {
        scenario.name.clone_from(&source.default_name);
    }
    cx.warnings
        .sort_by_key(|w| (w.location.line, w.location.column));
    scenario.warnings = cx.warnings;
    scenario.source = Arc::new(source);
    Ok(scenario)
}

fn sort(errors: &mut [ScenarioError]) {
    errors.sort_by_key(|e| (e.location.line, e.location.column));
}

/// Conversion state: where errors and warnings are collected.
pub(crate) struct Cx<'a> {
    locator: Locator<'a>,
    errors: Vec<ScenarioError>,
    warnings: Vec<ScenarioWarning>,
}

impl Cx<'_> {
    /// Records an error at `span`.
    pub(crate) fn error(
        &mut self,
        span: Range<usize>,
        field: String,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let location = self.locator.locate(span.start);
        self.errors.push(ScenarioError {
            location,
            field,
            message: message.into(),
            help,
            rule: None,
        });
    }

    /// Records an error at `span` that breaks `rule`, which other tools restate.
    pub(crate) fn rule_error(
        &mut self,
        span: Range<usize>,
        field: String,
        message: impl Into<String>,
        help: Option<String>,
        rule: Rule,
    ) {
        self.error(span, field, message, help);
        self.tag_last(rule);
    }

    /// Marks the error recorded last as breaking `rule`.
    pub(crate) fn tag_last(&mut self, rule: Rule) {
        if let Some(error) = self.errors.last_mut() {
            error.rule = Some(rule);
        }
    }

    /// Records a warning of `kind` at `span`: the value is accepted, as AWS accepts it.
    pub(crate) fn warning(
        &mut self,
        span: Range<usize>,
        field: String,
        message: impl Into<String>,
        help: impl Into<String>,
        kind: WarningKind,
    ) {
        let location = self.locator.locate(span.start);
        self.warnings.push(ScenarioWarning {
            location,
            field,
            message: message.into(),
            help: help.into(),
            kind,
        });
    }

    /// Records `problem` at `span`.
    pub(crate) fn problem(&mut self, span: Range<usize>, field: String, problem: Problem) {
        self.error(span, field, problem.message, problem.help);
    }

    /// The directory relative file names in the scenario are resolved against: the scenario
    /// file's own directory (the current directory for text without a file).
    pub(crate) fn base_dir(&self) -> std::path::PathBuf {
        std::path::Path::new(self.locator.file())
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default()
    }

    /// The location of a span's start.
    pub(crate) fn location(&self, span: &Range<usize>) -> Location {
        self.locator.locate(span.start)
    }

    /// Parses an optional enum value, reporting a bad spelling; `default` when absent or bad.
    pub(crate) fn enum_or<T: Copy>(
        &mut self,
        value: Option<&Spanned<String>>,
        field: String,
        what: &str,
        choices: &[(&str, T)],
        default: T,
    ) -> T {
        match value {
            None => default,
            Some(text) => match parse_enum(what, text.get_ref(), choices) {
                Ok(v) => v,
                Err(problem) => {
                    self.problem(text.span(), field, problem);
                    default
                }
            },
        }
    }

    /// Parses a required enum value; `None` (after reporting) when misspelt.
    pub(crate) fn enum_required<T: Copy>(
        &mut self,
        text: &Spanned<String>,
        field: String,
        what: &str,
        choices: &[(&str, T)],
    ) -> Option<T> {
        match parse_enum(what, text.get_ref(), choices) {
            Ok(v) => Some(v),
            Err(problem) => {
                self.problem(text.span(), field, problem);
                None
            }
        }
    }

    /// Parses an optional time value; `default` when absent or bad.
    pub(crate) fn time_or(
        &mut self,
        value: Option<&Spanned<RawTime>>,
        field: String,
        default: TimeSpec,
    ) -> TimeSpec {
        match value {
            None => default,
            Some(raw) => match parse_time(raw.get_ref()) {
                Ok(t) => t,
                Err(problem) => {
                    self.problem(raw.span(), field, problem);
                    default
                }
            },
        }
    }
}

/// `section.name`, quoting the name when TOML would.
pub(crate) fn field(section: &str, name: &str) -> String {
    format!("{section}.{}", key_segment(name))
}

pub(crate) use crate::model::TARGET_PROTOCOLS;

/// Names defined in the file, for resolving references before the sections are converted.
///
/// Holds only what references need, taken leniently from the raw file: each section's own
/// conversion reports the problems in what it defines. A name's position in its list is the
/// id of what it names.
pub(crate) struct Index<'r> {
    /// Authority names, in file order.
    pub(crate) authorities: Vec<&'r str>,
    /// Certificate names, in file order.
    pub(crate) certificates: Vec<&'r str>,
    /// NLB names with their valid listener ports, in file order.
    pub(crate) nlbs: Vec<(&'r str, Vec<u16>)>,
    /// Every listener in file order (NLB by NLB): its NLB and its port, if valid.
    listeners: Vec<(NlbId, Option<u16>)>,
    /// ALB names with their valid listener ports, in file order.
    pub(crate) albs: Vec<(&'r str, Vec<u16>)>,
    /// Every ALB listener in file order (ALB by ALB): its ALB and its port, if valid.
    alb_listeners: Vec<(AlbId, Option<u16>)>,
    /// Target group names with their protocol (if spelt validly), in file order.
    pub(crate) target_groups: Vec<(&'r str, Option<TargetGroupProtocol>)>,
    /// Whether each target group (by position) is of target type `alb`.
    alb_typed_groups: Vec<bool>,
    /// Target names with whether they speak HTTPS (if spelt validly), in file order.
    pub(crate) targets: Vec<(&'r str, Option<bool>)>,
    /// Lower-cased DNS name → the first target that claims it.
    pub(crate) dns: BTreeMap<String, TargetId>,
    /// Every name → its position, first definition first, for lookups that stay fast on
    /// huge files.
    positions: Positions<'r>,
}

/// Name → position in each section.
#[derive(Default)]
struct Positions<'r> {
    authorities: HashMap<&'r str, usize>,
    certificates: HashMap<&'r str, usize>,
    nlbs: HashMap<&'r str, usize>,
    albs: HashMap<&'r str, usize>,
    target_groups: HashMap<&'r str, usize>,
    targets: HashMap<&'r str, usize>,
}

impl<'r> Index<'r> {
    fn build(raw: &'r RawScenario) -> Self {
        let (nlbs, listeners) = balancers(&raw.nlbs, |nlb| {
            nlb.listeners
                .iter()
                .map(|l| *l.get_ref().port.get_ref())
                .collect()
        });
        let listeners = listeners
            .into_iter()
            .map(|(i, port)| (NlbId::new(i), port))
            .collect();
        let (albs, alb_listeners) = balancers(&raw.albs, |alb| {
            alb.listeners
                .iter()
                .map(|l| *l.get_ref().port.get_ref())
                .collect()
        });
        let alb_listeners = alb_listeners
            .into_iter()
            .map(|(i, port)| (AlbId::new(i), port))
            .collect();
        let alb_typed_groups = raw
            .target_groups
            .0
            .iter()
            .map(|(_, tg)| {
                tg.get_ref()
                    .target_type
                    .as_ref()
                    .is_some_and(|t| t.get_ref() == "alb")
            })
            .collect();
        let target_groups = raw
            .target_groups
            .0
            .iter()
            .map(|(name, tg)| {
                let protocol = parse_enum(
                    "protocol",
                    tg.get_ref().protocol.get_ref(),
                    TargetGroupProtocol::ALL,
                )
                .ok();
                (name.get_ref().as_str(), protocol)
            })
            .collect();
        let targets = raw
            .targets
            .0
            .iter()
            .map(|(name, target)| {
                let https = parse_enum(
                    "protocol",
                    target.get_ref().protocol.get_ref(),
                    &TARGET_PROTOCOLS,
                )
                .ok();
                (name.get_ref().as_str(), https)
            })
            .collect();
        let mut dns = BTreeMap::new();
        for (i, (_, target)) in raw.targets.0.iter().enumerate() {
            for dns_name in &target.get_ref().dns_names {
                dns.entry(dns_name.get_ref().to_ascii_lowercase())
                    .or_insert(TargetId::new(i));
            }
        }
        Index {
            authorities: names(&raw.authorities),
            certificates: names(&raw.certificates),
            nlbs,
            listeners,
            albs,
            alb_listeners,
            target_groups,
            alb_typed_groups,
            targets,
            dns,
            positions: Positions {
                authorities: positions(&raw.authorities),
                certificates: positions(&raw.certificates),
                nlbs: positions(&raw.nlbs),
                albs: positions(&raw.albs),
                target_groups: positions(&raw.target_groups),
                targets: positions(&raw.targets),
            },
        }
    }

    pub(crate) fn authority(&self, name: &str) -> Option<AuthorityId> {
        self.positions
            .authorities
            .get(name)
            .map(|&i| AuthorityId::new(i))
    }

    pub(crate) fn certificate(&self, name: &str) -> Option<CertId> {
        self.positions
            .certificates
            .get(name)
            .map(|&i| CertId::new(i))
    }

    pub(crate) fn is_authority(&self, name: &str) -> bool {
        self.authority(name).is_some()
    }

    pub(crate) fn is_certificate(&self, name: &str) -> bool {
        self.certificate(name).is_some()
    }

    /// The NLB named `name` and its valid listener ports.
    pub(crate) fn nlb(&self, name: &str) -> Option<(NlbId, &[u16])> {
        let i = *self.positions.nlbs.get(name)?;
        Some((NlbId::new(i), self.nlbs[i].1.as_slice()))
    }

    /// The first listener of `nlb` on `port`.
    pub(crate) fn listener(&self, nlb: NlbId, port: u16) -> Option<ListenerId> {
        self.listeners
            .iter()
            .position(|(n, p)| *n == nlb && *p == Some(port))
            .map(ListenerId::new)
    }

    /// The ALB named `name` and its valid listener ports.
    pub(crate) fn alb(&self, name: &str) -> Option<(AlbId, &[u16])> {
        let i = *self.positions.albs.get(name)?;
        Some((AlbId::new(i), self.albs[i].1.as_slice()))
    }

    /// The first listener of `alb` on `port`.
    pub(crate) fn alb_listener(&self, alb: AlbId, port: u16) -> Option<AlbListenerId> {
        self.alb_listeners
            .iter()
            .position(|(a, p)| *a == alb && *p == Some(port))
            .map(AlbListenerId::new)
    }

    /// The load balancer (NLB or ALB) named `name`, with its valid listener ports.
    pub(crate) fn balancer(&self, name: &str) -> Option<(LoadBalancer, &[u16])> {
        if let Some((id, ports)) = self.nlb(name) {
            return Some((LoadBalancer::Nlb(id), ports));
        }
        self.alb(name)
            .map(|(id, ports)| (LoadBalancer::Alb(id), ports))
    }

    /// Every load balancer's name, NLBs first, for help texts.
    pub(crate) fn balancer_names(&self) -> Vec<&'r str> {
        self.nlbs
            .iter()
            .chain(&self.albs)
            .map(|(name, _)| *name)
            .collect()
    }

    /// Whether the target group at `id` is of target type `alb`.
    pub(crate) fn is_alb_typed(&self, id: TargetGroupId) -> bool {
        self.alb_typed_groups
            .get(id.index())
            .copied()
            .unwrap_or(false)
    }

    /// The target group named `name` and its protocol (if spelt validly).
    pub(crate) fn target_group(
        &self,
        name: &str,
    ) -> Option<(TargetGroupId, Option<TargetGroupProtocol>)> {
        let i = *self.positions.target_groups.get(name)?;
        Some((TargetGroupId::new(i), self.target_groups[i].1))
    }

    /// The target named `name` and whether it speaks HTTPS (if spelt validly).
    pub(crate) fn target(&self, name: &str) -> Option<(TargetId, Option<bool>)> {
        let i = *self.positions.targets.get(name)?;
        Some((TargetId::new(i), self.targets[i].1))
    }

    pub(crate) fn target_names(&self) -> Vec<&'r str> {
        self.targets.iter().map(|(n, _)| *n).collect()
    }
}

/// Load balancers with their valid listener ports, and every listener with its load
/// balancer's position and its port.
type Balancers<'r> = (Vec<(&'r str, Vec<u16>)>, Vec<(usize, Option<u16>)>);

/// Each load balancer of `section` with its valid listener ports, and every listener (load
/// balancer by load balancer) with its load balancer's position and port, if valid.
/// `ports` gives a load balancer's listener ports as written.
fn balancers<T>(section: &Named<T>, ports: impl Fn(&T) -> Vec<i64>) -> Balancers<'_> {
    let mut named = Vec::with_capacity(section.0.len());
    let mut listeners = Vec::new();
    for (i, (name, balancer)) in section.0.iter().enumerate() {
        let written = ports(balancer.get_ref());
        listeners.extend(written.iter().map(|port| (i, listener_port(port))));
        let valid = written.iter().filter_map(listener_port).collect();
        named.push((name.get_ref().as_str(), valid));
    }
    (named, listeners)
}

/// A listener's port, when it is a valid one.
fn listener_port(port: &i64) -> Option<u16> {
    u16::try_from(*port).ok().filter(|port| *port != 0)
}

fn positions<T>(section: &Named<T>) -> HashMap<&str, usize> {
    let mut positions = HashMap::new();
    for (i, (name, _)) in section.0.iter().enumerate() {
        positions.entry(name.get_ref().as_str()).or_insert(i);
    }
    positions
}

fn names<T>(section: &Named<T>) -> Vec<&str> {
    section
        .0
        .iter()
        .map(|(name, _)| name.get_ref().as_str())
        .collect()
}

/// Checks every table key used as a name.
fn check_names(cx: &mut Cx<'_>, raw: &RawScenario) {
    let sections: [(&str, Vec<&Spanned<String>>); 6] = [
        ("authorities", keys(&raw.authorities)),
        ("certificates", keys(&raw.certificates)),
        ("nlbs", keys(&raw.nlbs)),
        ("albs", keys(&raw.albs)),
        ("target_groups", keys(&raw.target_groups)),
        ("targets", keys(&raw.targets)),
    ];
    for (section, names) in sections {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for name in names {
            if let Err(problem) = check_name(name.get_ref()) {
                cx.problem(name.span(), field(section, name.get_ref()), problem);
            }
            // A TOML table cannot repeat a key; a builder can.
            if seen.insert(name.get_ref(), 0).is_some() {
                cx.error(
                    name.span(),
                    field(section, name.get_ref()),
                    format!("{:?} is defined twice", name.get_ref()),
                    Some(format!("names in [{section}] are unique: rename one")),
                );
            }
        }
    }
}

/// Load balancers share one namespace: `integration_target` names an NLB or an ALB.
fn check_balancer_names(cx: &mut Cx<'_>, raw: &RawScenario) {
    let nlbs: HashMap<&str, ()> = raw
        .nlbs
        .0
        .iter()
        .map(|(name, _)| (name.get_ref().as_str(), ()))
        .collect();
    for (name, _) in &raw.albs.0 {
        if nlbs.contains_key(name.get_ref().as_str()) {
            cx.error(
                name.span(),
                field("albs", name.get_ref()),
                format!("{:?} is the name of an nlb too", name.get_ref()),
                Some(
                    "a load balancer's name is unique across [nlbs] and [albs], since \
                     integration_target names either: rename one"
                        .into(),
                ),
            );
        }
    }
}

fn keys<T>(section: &Named<T>) -> Vec<&Spanned<String>> {
    section.0.iter().map(|(name, _)| name).collect()
}

fn convert(cx: &mut Cx<'_>, raw: &RawScenario) -> Scenario {
    let index = Index::build(raw);
    check_names(cx, raw);

    let (name, description, now) = match &raw.scenario {
        None => (String::new(), None, None),
        Some(meta) => {
            let meta = meta.get_ref();
            let now = meta.now.as_ref().and_then(|now| {
                values::parse_clock(now.get_ref())
                    .map_err(|problem| cx.problem(now.span(), "scenario.now".to_owned(), problem))
                    .ok()
            });
            (meta.name.clone(), meta.description.clone(), now)
        }
    };

    check_balancer_names(cx, raw);
    let pki = pki::convert(cx, raw, &index, now);
    let (nlbs, listeners) = backends::nlbs(cx, raw, &index);
    let (albs, alb_listeners) = albs::convert(cx, raw, &index, &pki);
    let target_groups = backends::target_groups(cx, raw, &index);
    let targets = backends::targets(cx, raw, &index);
    let gateway = gateway::convert(cx, raw, &index);
    let requests = requests::convert(cx, raw, &index, &gateway.routes);
    let matrix = matrix::convert(
        cx,
        raw,
        &index,
        &matrix::Parts {
            routes: &gateway.routes,
            listeners: &listeners,
            alb_listeners: &alb_listeners,
            target_groups: &target_groups,
        },
    );

    Scenario {
        name,
        description,
        now,
        pki,
        gateway,
        nlbs,
        listeners,
        albs,
        alb_listeners,
        target_groups,
        targets,
        requests,
        matrix,
        source: Arc::default(),
        warnings: Vec::new(),
    }
}

/// Reports a reference to a missing name: `no <kind> named "x"`, listing the valid names.
pub(crate) fn dangling(
    cx: &mut Cx<'_>,
    reference: &Spanned<String>,
    field: String,
    kind: &str,
    valid: &[&str],
) {
    cx.error(
        reference.span(),
        field,
        format!("no {} named {:?}", singular(kind), reference.get_ref()),
        Some(values::one_of_names(kind, valid.iter().copied())),
    );
}

fn singular(kind: &str) -> &str {
    match kind {
        "authorities" => "authority",
        "certificates" => "certificate",
        "target groups" => "target group",
        "load balancers" => "load balancer",
        other => other.strip_suffix('s').unwrap_or(other),
    }
}
