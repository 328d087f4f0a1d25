//! Raw scenario → validated model.
//!
//! The text is parsed into a TOML tree (syntax errors are all reported, located), then
//! deserialized strictly into [`crate::raw`] structs (the first shape error is reported:
//! unknown key, wrong type, missing key), then converted section by section into the model.
//! The conversion collects every problem it finds rather than stopping at the first, so a
//! user fixes a file in one pass.
//!
//! # Layout
//! - `locate`: byte offsets → line/column, and the dotted field path at an offset.
//! - `values`: parsers for names, enums, times, URIs and IP addresses.
//! - `pki`: authorities (issuer cycles, topological order) and certificates.
//! - `pem`: certificates read from the user's PEM files (chain, key, and that they match).
//! - `backends`: NLBs and their listeners, target groups, targets.
//! - `health`: a target group's health check, with AWS's ranges and defaults.
//! - `behaviour`: a target's deliberate fault and TLS versions.
//! - `gateway`: the stage and routes, resolved against NLB listeners and target DNS names.
//! - `requests`: requests, resolved against routes, and their expectations.
//! - `matrix`: the `[matrix]` section, resolved against the routes and certificates.

mod backends;
mod behaviour;
mod gateway;
mod health;
mod locate;
mod matrix;
mod pem;
mod pki;
mod requests;
pub(crate) mod values;

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use toml::de::DeTable;

use crate::model::{Location, TargetGroupProtocol, TimeSpec};
use crate::raw::{Named, RawScenario, RawTime};
use crate::{LoadError, Scenario, ScenarioError};

use self::locate::{Locator, key_segment};
use self::values::{Problem, check_name, parse_enum, parse_time};

pub(crate) fn from_toml(text: &str, file: &str) -> Result<Scenario, LoadError> {
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
    let mut cx = Cx {
        locator,
        errors: Vec::new(),
    };
    let scenario = convert(&mut cx, &raw);
    if cx.errors.is_empty() {
        Ok(scenario)
    } else {
        sort(&mut cx.errors);
        Err(LoadError::Invalid(cx.errors))
    }
}

fn sort(errors: &mut [ScenarioError]) {
    errors.sort_by_key(|e| (e.location.line, e.location.column));
}

/// Conversion state: where errors are collected.
pub(crate) struct Cx<'a> {
    locator: Locator<'a>,
    errors: Vec<ScenarioError>,
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

/// A `TCP`/`TLS` spelling table shared by listeners and target groups.
pub(crate) const TARGET_GROUP_PROTOCOLS: [(&str, TargetGroupProtocol); 2] = [
    ("TCP", TargetGroupProtocol::Tcp),
    ("TLS", TargetGroupProtocol::Tls),
];

/// Names defined in the file, for resolving references before the sections are converted.
///
/// Holds only what references need, taken leniently from the raw file: each section's own
/// conversion reports the problems in what it defines.
pub(crate) struct Index<'r> {
    /// Authority names, in file order.
    pub(crate) authorities: Vec<&'r str>,
    /// Certificate names, in file order.
    pub(crate) certificates: Vec<&'r str>,
    /// NLB names with their valid listener ports, in file order.
    pub(crate) nlbs: Vec<(&'r str, Vec<u16>)>,
    /// Target group names with their protocol (if spelt validly), in file order.
    pub(crate) target_groups: Vec<(&'r str, Option<TargetGroupProtocol>)>,
    /// Target names with whether they speak HTTPS (if spelt validly), in file order.
    pub(crate) targets: Vec<(&'r str, Option<bool>)>,
    /// Lower-cased DNS name → the first target that claims it.
    pub(crate) dns: BTreeMap<String, &'r str>,
    /// Authority and certificate names, for lookups that stay fast on huge files.
    known: (HashSet<&'r str>, HashSet<&'r str>),
}

impl<'r> Index<'r> {
    fn build(raw: &'r RawScenario) -> Self {
        let nlbs = raw
            .nlbs
            .0
            .iter()
            .map(|(name, nlb)| {
                let ports = nlb
                    .get_ref()
                    .listeners
                    .iter()
                    .filter_map(|l| u16::try_from(*l.get_ref().port.get_ref()).ok())
                    .filter(|port| *port != 0)
                    .collect();
                (name.get_ref().as_str(), ports)
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
                    &TARGET_GROUP_PROTOCOLS,
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
                    &[("HTTP", false), ("HTTPS", true)],
                )
                .ok();
                (name.get_ref().as_str(), https)
            })
            .collect();
        let mut dns = BTreeMap::new();
        for (name, target) in &raw.targets.0 {
            for dns_name in &target.get_ref().dns_names {
                dns.entry(dns_name.get_ref().to_ascii_lowercase())
                    .or_insert(name.get_ref().as_str());
            }
        }
        Index {
            authorities: names(&raw.authorities),
            certificates: names(&raw.certificates),
            nlbs,
            target_groups,
            targets,
            dns,
            known: (
                names(&raw.authorities).into_iter().collect(),
                names(&raw.certificates).into_iter().collect(),
            ),
        }
    }

    pub(crate) fn is_authority(&self, name: &str) -> bool {
        self.known.0.contains(name)
    }

    pub(crate) fn is_certificate(&self, name: &str) -> bool {
        self.known.1.contains(name)
    }

    pub(crate) fn nlb(&self, name: &str) -> Option<&[u16]> {
        self.nlbs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, ports)| ports.as_slice())
    }

    pub(crate) fn target_group(&self, name: &str) -> Option<Option<TargetGroupProtocol>> {
        self.target_groups
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| *p)
    }

    pub(crate) fn target(&self, name: &str) -> Option<Option<bool>> {
        self.targets
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| *p)
    }
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
    let sections: [(&str, Vec<&Spanned<String>>); 5] = [
        ("authorities", keys(&raw.authorities)),
        ("certificates", keys(&raw.certificates)),
        ("nlbs", keys(&raw.nlbs)),
        ("target_groups", keys(&raw.target_groups)),
        ("targets", keys(&raw.targets)),
    ];
    for (section, names) in sections {
        for name in names {
            if let Err(problem) = check_name(name.get_ref()) {
                cx.problem(name.span(), field(section, name.get_ref()), problem);
            }
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

    let pki = pki::convert(cx, raw, &index, now);
    let nlbs = backends::nlbs(cx, raw, &index);
    let target_groups = backends::target_groups(cx, raw, &index);
    let targets = backends::targets(cx, raw, &index);
    let gateway = gateway::convert(cx, raw, &index);
    let requests = requests::convert(cx, raw, &index, &gateway.routes);
    let matrix = matrix::convert(cx, raw, &index, &gateway.routes, &nlbs);

    Scenario {
        name,
        description,
        now,
        pki,
        gateway,
        nlbs,
        target_groups,
        targets,
        requests,
        matrix,
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
        other => other.strip_suffix('s').unwrap_or(other),
    }
}
