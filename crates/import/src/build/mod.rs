//! AWS exports → scenario TOML.
//!
//! The routes are written first (they decide which NLBs are reached), then those NLBs'
//! listeners (which decide which target groups are reached), then the target groups and their
//! targets. Certificates are written as they are first named. Each part is its own [`Doc`];
//! [`import`] puts them in the order the scenario reference uses.

mod balancers;
mod exports;
mod groups;
mod routes;

use std::collections::HashSet;

use crate::doc::{Doc, Value};
use crate::error::ImportError;
use crate::inputs::{ImportInputs, Imported};
use crate::names::{Namer, certificate_name};
use exports::{Exports, PemPaths};

/// Builds a scenario from AWS CLI exports; see [`crate::import`].
pub(crate) fn import(inputs: &ImportInputs) -> Result<Imported, ImportError> {
    let ex = Exports::parse(inputs)?;
    if ex.routes.is_empty() {
        return Err(ImportError::NoIntegrations);
    }
    let mut b = Builder::new(&ex);
    let (routes, facts) = routes::write(&mut b);
    let (nlbs, uses) = balancers::write(&mut b, &facts);
    let (groups, targets) = groups::write(&mut b, &uses, &facts.backends);
    let requests = routes::requests(&ex);

    let mut doc = Doc::default();
    doc.comment("Imported by `hoplab import` from AWS CLI exports.");
    doc.comment("Every line marked TODO(import) needs filling in: `hoplab validate` fails and");
    doc.comment("points at each one until it is fixed.");
    doc.blank();
    doc.table(&["scenario"]);
    doc.entry(
        "name",
        Value::str(inputs.name.clone().unwrap_or_else(|| "imported".to_owned())),
    );
    doc.entry("description", Value::str("Imported from AWS CLI exports"));
    if !b.certificates_written.is_empty() {
        doc.blank();
        doc.comment("Certificates read from your PEM files (a relative path is read from this file's directory).");
    }
    doc.append(std::mem::take(&mut b.certificates));
    doc.append(routes);
    doc.append(nlbs);
    doc.append(groups);
    doc.append(targets);
    doc.append(requests);
    let (toml, placeholders) = doc.finish();
    Ok(Imported {
        toml,
        placeholders,
        notes: b.notes,
    })
}

/// State shared by the parts: the exports, the names given so far, the certificate tables
/// written so far, and the notes.
pub(crate) struct Builder<'a> {
    pub(crate) ex: &'a Exports,
    pub(crate) nlb_names: Namer,
    pub(crate) group_names: Namer,
    pub(crate) target_names: Namer,
    cert_names: Namer,
    certificates: Doc,
    certificates_written: HashSet<String>,
    pub(crate) notes: Vec<String>,
}

impl<'a> Builder<'a> {
    fn new(ex: &'a Exports) -> Self {
        Builder {
            ex,
            nlb_names: Namer::default(),
            group_names: Namer::default(),
            target_names: Namer::default(),
            cert_names: Namer::default(),
            certificates: Doc::default(),
            certificates_written: HashSet::new(),
            notes: Vec::new(),
        }
    }

    /// The certificate name for a listener certificate ARN, writing its table the first time;
    /// `None` when no PEM files are mapped to the ARN.
    pub(crate) fn listener_certificate(&mut self, arn: &str) -> Option<String> {
        let paths = self.ex.certificates.get(arn)?.clone();
        Some(self.pem_certificate(arn, &certificate_name(arn), arn, &paths))
    }

    /// The certificate name for a target's PEM files, writing its table the first time;
    /// `None` when no PEM files are mapped to the target id.
    pub(crate) fn target_certificate(&mut self, target_id: &str) -> Option<String> {
        let paths = self.ex.target_certificates.get(target_id)?.clone();
        Some(self.pem_certificate(
            &format!("target:{target_id}"),
            &format!("target-{}", crate::names::target_name(target_id)),
            &format!("target {target_id}"),
            &paths,
        ))
    }

    fn pem_certificate(&mut self, key: &str, wanted: &str, what: &str, paths: &PemPaths) -> String {
        let name = self.cert_names.name(key, wanted);
        if self.certificates_written.insert(key.to_owned()) {
            let doc = &mut self.certificates;
            doc.blank();
            doc.table(&["certificates", &name]);
            doc.comment(what);
            doc.entry("pem_chain", Value::str(&paths.chain));
            doc.entry("pem_key", Value::str(&paths.key));
        }
        name
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
