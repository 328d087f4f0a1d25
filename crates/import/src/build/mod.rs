//! The topology → scenario TOML.
//!
//! The routes are written first (they decide which load balancers are reached), then those
//! NLBs' and ALBs' listeners (`balancers`, `albs`: they decide which target groups are
//! reached, and an NLB target group of type `alb` which further ALBs are), then the target
//! groups and their targets. Certificates (and the authorities generated ones need) are written as they are
//! first named. Each part is its own [`Doc`]; [`write`] puts them in the order the scenario
//! reference uses. Placeholders the sidecar could fill are recorded as they are written.

mod albs;
mod balancers;
mod certificates;
mod groups;
mod routes;

use std::path::{Path, PathBuf};

use hoplab_scenario::ApiType;

use crate::doc::{Doc, Value};
use crate::document::{SourceLocation, Warning};
use crate::error::ImportError;
use crate::inputs::Imported;
use crate::names::Namer;
use crate::placeholders::{CertificateSuggestion, OpenList, PlaceholderKind, substitute};
use crate::sidecar::Issuer;
use crate::topology::Topology;

/// What the scenario is called and where it will be written.
#[derive(Debug, Clone, Default)]
pub(crate) struct Target {
    /// The scenario name.
    pub(crate) name: Option<String>,
    /// The directory the scenario will be written to: PEM paths are written relative to it.
    pub(crate) dir: Option<PathBuf>,
}

/// Writes the scenario for a topology with at least one route.
pub(crate) fn write(ex: &Topology, target: &Target) -> Result<Imported, ImportError> {
    let mut b = Builder::new(ex, target.dir.as_deref());
    let (routes, facts) = routes::write(&mut b);
    let (nlbs, albs, uses) = balancers::write(&mut b, &facts);
    let (groups, targets) = groups::write(&mut b, &uses, &facts.backends);
    let requests = routes::requests(&b);
    if let Some(error) = b.certs.error.take() {
        return Err(error);
    }
    let validates = !facts.https_through.is_empty() || facts.backends.iter().any(|b| b.https);
    let trust_gap = (validates && !b.certs.trusts_an_authority()).then(|| TRUST_GAP.join(" "));

    let from = if ex.described_by.is_empty() {
        "AWS CLI exports".to_owned()
    } else {
        ex.described_by.join(", ")
    };
    let mut doc = Doc::default();
    doc.comment(&format!("Imported by `hoplab import` from {from}."));
    doc.comment("Every line marked TODO(import) needs filling in (most from the sidecar file):");
    doc.comment("`hoplab validate` fails and points at each one until it is filled.");
    doc.blank();
    doc.table(&["scenario"]);
    doc.entry(
        "name",
        Value::str(target.name.clone().unwrap_or_else(|| "imported".to_owned())),
    );
    doc.entry("description", Value::str(format!("Imported from {from}")));
    doc.append(b.certs.finish());
    if b.api == ApiType::Http {
        doc.blank();
        doc.table(&["gateway"]);
        doc.entry("api", Value::str(ApiType::Http.as_str()));
    }
    if trust_gap.is_some() {
        doc.blank();
        for line in TRUST_GAP {
            doc.comment(line);
        }
    }
    doc.append(routes);
    doc.append(nlbs);
    doc.append(albs);
    doc.append(groups);
    doc.append(targets);
    doc.append(requests);
    let (toml, placeholders) = doc.finish();
    Ok(Imported {
        toml,
        placeholders,
        notes: b.notes,
        open: b.open.finish(),
        warnings: b.warnings,
        trust_gap,
    })
}

/// What an imported scenario in which API Gateway trusts no authority is told, and the keys
/// that make it trust one (the sidecar's generated issuer; the scenario's trust keys for PEM
/// files of your own): comment lines in the scenario, one message joined.
const TRUST_GAP: [&str; 5] = [
    "API Gateway trusts no certificate authority in this scenario, so it refuses every",
    "certificate an https integration validates (PKIX path building failed). To trust one: in the",
    "sidecar, generate the certificate with issuer = \"public-ca\"; for your own PEM files, add",
    "[gateway] trusted_ca_files = [\"<root CA PEM>\"] to the scenario, or public_roots = true when",
    "a public CA issued them; or set trusted = true on an [authorities.<name>] table.",
];

/// State shared by the parts: the topology, the names given so far, the certificates
/// written so far, the open placeholders and the notes.
pub(crate) struct Builder<'a> {
    pub(crate) ex: &'a Topology,
    /// The API type of the scenario (the first route's).
    pub(crate) api: ApiType,
    /// Names of NLBs and ALBs, one namespace (`integration_target` names either).
    pub(crate) lb_names: Namer,
    pub(crate) group_names: Namer,
    pub(crate) target_names: Namer,
    pub(crate) certs: certificates::Certificates,
    pub(crate) open: OpenList,
    pub(crate) notes: Vec<String>,
    /// The names API Gateway checks certificates against (https URI hosts and
    /// `serverNameToVerify`), suggested for certificates the sidecar must give.
    pub(crate) checked_names: Vec<String>,
    /// What a source describes that the scenario cannot express, located in the source.
    pub(crate) warnings: Vec<Warning>,
}

impl<'a> Builder<'a> {
    fn new(ex: &'a Topology, dir: Option<&Path>) -> Self {
        Builder {
            ex,
            api: ex.routes.first().map(|r| r.api).unwrap_or_default(),
            lb_names: Namer::default(),
            group_names: Namer::default(),
            target_names: Namer::default(),
            certs: certificates::Certificates::new(dir),
            open: OpenList::default(),
            notes: Vec::new(),
            checked_names: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Records what the scenario cannot express: a warning where the source says it, or a
    /// note when no source location is known.
    pub(crate) fn warn(&mut self, origin: Option<&SourceLocation>, message: String) {
        match origin {
            Some(location) => self.warnings.push(Warning {
                location: location.clone(),
                message,
            }),
            None => self.notes.push(message),
        }
    }

    /// `text` with the sidecar's values in place of its `${name}` placeholders; each one
    /// left open is recorded as needed by `needed_by`. `None` while one is open.
    pub(crate) fn fill(&mut self, text: &str, needed_by: &str) -> Result<String, Vec<String>> {
        let (filled, open) = substitute(text, &self.ex.values);
        if open.is_empty() {
            return Ok(filled);
        }
        for name in &open {
            self.open.add_name(name, needed_by);
        }
        Err(open)
    }

    /// The certificate name for a listener certificate, writing its table the first time;
    /// `None` (and an open placeholder) when the sidecar does not say what it is.
    pub(crate) fn listener_certificate(
        &mut self,
        reference: &str,
        needed_by: &str,
    ) -> Option<String> {
        let key = self.certificate_key(reference);
        match self.ex.certificates.get(&key) {
            Some(source) => Some(self.certs.listener(&key, source)),
            None => {
                self.open.add(PlaceholderKind::Certificate, &key, needed_by);
                let hint = self
                    .ex
                    .certificate_hints
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(|| self.names_checked());
                self.open.suggest(PlaceholderKind::Certificate, &key, hint);
                None
            }
        }
    }

    /// The key a certificate reference has in the sidecar: the ARN once the sidecar's values
    /// fill it, else the name of the placeholder standing for it.
    pub(crate) fn certificate_key(&self, reference: &str) -> String {
        let (filled, _) = substitute(reference, &self.ex.values);
        match crate::placeholders::whole(&filled) {
            Some(name) => name.to_owned(),
            None => filled,
        }
    }

    /// A public certificate for the names API Gateway checks: the suggestion when the source
    /// says nothing about a certificate.
    fn names_checked(&self) -> CertificateSuggestion {
        CertificateSuggestion {
            issuer: Issuer::PublicCa,
            dns_names: self.checked_names.clone(),
        }
    }

    /// The certificate name for a target's certificate, writing its table the first time;
    /// `None` (and an open placeholder) when neither the sidecar nor a mapping gives one.
    /// `required`: whether the target must terminate TLS (else absence is no placeholder).
    pub(crate) fn target_certificate(
        &mut self,
        target_id: &str,
        needed_by: &str,
        required: bool,
    ) -> Option<String> {
        match self.ex.target_certificates.get(target_id) {
            Some(source) => Some(self.certs.target(target_id, source)),
            None => {
                if required {
                    self.open
                        .add(PlaceholderKind::TargetCertificate, target_id, needed_by);
                    let hint = self.names_checked();
                    self.open
                        .suggest(PlaceholderKind::TargetCertificate, target_id, hint);
                }
                None
            }
        }
    }
}

/// Something missing, to be written as a placeholder.
#[derive(Debug, Clone)]
pub(crate) struct Missing {
    /// What is missing (the TODO comment).
    pub(crate) reason: String,
    /// How to get it (a second comment line).
    pub(crate) help: Option<String>,
    /// The placeholder value's text.
    pub(crate) short: String,
}

impl Missing {
    pub(crate) fn new(
        reason: impl Into<String>,
        help: Option<String>,
        short: impl Into<String>,
    ) -> Self {
        Missing {
            reason: reason.into(),
            help,
            short: short.into(),
        }
    }

    /// Writes `key = "TODO(import): …"` with its comments.
    pub(crate) fn write(&self, doc: &mut Doc, key: &str, field: &str) {
        doc.todo(
            key,
            field,
            &self.reason,
            self.help.as_deref(),
            Value::todo(&self.short),
        );
    }

    /// Writes `key = ["TODO(import): …"]` with its comments, for a field holding names.
    pub(crate) fn write_list(&self, doc: &mut Doc, key: &str, field: &str) {
        doc.todo(
            key,
            field,
            &self.reason,
            self.help.as_deref(),
            Value::List(vec![crate::doc::placeholder(&self.short)]),
        );
    }
}
