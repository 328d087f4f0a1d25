//! `[authorities.*]` and `[certificates.*]`: each certificate a listener or target serves,
//! read from PEM files or generated as the sidecar says, written once however often named.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::doc::{Doc, Value};
use crate::error::ImportError;
use crate::names::{Namer, certificate_name, target_name};
use crate::sidecar::{CertSource, Generate, Issuer, relative_to};

/// The authorities a generated certificate's issuer stands for: root name, root common name,
/// whether API Gateway trusts it, issuing CA name and common name. A public CA's root is
/// trusted (API Gateway's list of CAs); a private CA's is not.
const AUTHORITIES: [(Issuer, &str, &str, bool, &str, &str); 2] = [
    (
        Issuer::PublicCa,
        "import-public-root",
        "Hoplab Import Public Root CA",
        true,
        "import-public-ca",
        "Hoplab Import Public Issuing CA",
    ),
    (
        Issuer::PrivateCa,
        "import-private-root",
        "Hoplab Import Private Root CA",
        false,
        "import-private-ca",
        "Hoplab Import Private Issuing CA",
    ),
];

/// The certificate tables written so far.
pub(crate) struct Certificates {
    /// Where the scenario goes: PEM paths are written relative to it.
    dir: Option<PathBuf>,
    names: Namer,
    written: HashSet<String>,
    issuers: HashSet<Issuer>,
    authorities: Doc,
    certificates: Doc,
    /// A PEM path that cannot be written into a scenario.
    pub(crate) error: Option<ImportError>,
}

impl Certificates {
    pub(crate) fn new(dir: Option<&Path>) -> Self {
        let mut names = Namer::default();
        // Authorities and certificates share one namespace.
        for (_, root, _, _, ca, _) in AUTHORITIES {
            names.name(&format!("authority:{root}"), root);
            names.name(&format!("authority:{ca}"), ca);
        }
        Certificates {
            dir: dir.map(Path::to_owned),
            names,
            written: HashSet::new(),
            issuers: HashSet::new(),
            authorities: Doc::default(),
            certificates: Doc::default(),
            error: None,
        }
    }

    /// The name of the certificate a listener serves, by its key (ARN or source name).
    pub(crate) fn listener(&mut self, key: &str, source: &CertSource) -> String {
        self.table(key, &certificate_name(key), key, source)
    }

    /// The name of the certificate a target serves, by target id.
    pub(crate) fn target(&mut self, id: &str, source: &CertSource) -> String {
        self.table(
            &format!("target:{id}"),
            &format!("target-{}", target_name(id)),
            &format!("target {id}"),
            source,
        )
    }

    /// Whether an authority written so far is one API Gateway trusts (the public CA's root a
    /// generated `public-ca` certificate is issued under).
    pub(crate) fn trusts_an_authority(&self) -> bool {
        AUTHORITIES
            .iter()
            .any(|(issuer, _, _, trusted, _, _)| *trusted && self.issuers.contains(issuer))
    }

    /// The authorities, then the certificates.
    pub(crate) fn finish(&mut self) -> Doc {
        let mut doc = std::mem::take(&mut self.authorities);
        if !self.written.is_empty() {
            doc.blank();
            doc.comment("Certificates, as the sidecar or your mappings say (a relative PEM path is read from this file's directory).");
        }
        doc.append(std::mem::take(&mut self.certificates));
        doc
    }

    fn table(&mut self, key: &str, wanted: &str, what: &str, source: &CertSource) -> String {
        let name = self.names.name(key, wanted);
        if !self.written.insert(key.to_owned()) {
            return name;
        }
        if let CertSource::Generate(g) = source {
            self.authority(g.issuer);
        }
        let doc = &mut self.certificates;
        doc.blank();
        doc.table(&["certificates", &name]);
        match source {
            CertSource::Pem { chain, key } => {
                doc.comment(&format!("{what}: your PEM files"));
                for (field, path) in [("pem_chain", chain), ("pem_key", key)] {
                    let shown = match &self.dir {
                        Some(dir) => relative_to(path, dir),
                        None => path.clone(),
                    };
                    match shown.to_str() {
                        Some(text) => doc.entry(field, Value::str(text)),
                        None => {
                            self.error
                                .get_or_insert(ImportError::NonUtf8Path { path: shown });
                        }
                    }
                }
            }
            CertSource::Generate(g) => write_generated(doc, what, g),
        }
        name
    }

    /// Writes the root and issuing CA an issuer stands for, once.
    fn authority(&mut self, issuer: Issuer) {
        let Some((_, root, root_cn, trusted, ca, ca_cn)) =
            AUTHORITIES.iter().find(|(i, ..)| *i == issuer)
        else {
            return;
        };
        if !self.issuers.insert(issuer) {
            return;
        }
        let doc = &mut self.authorities;
        doc.blank();
        doc.comment(&format!(
            "Stands for a {} CA{}.",
            issuer.spelling().trim_end_matches("-ca"),
            if *trusted {
                ", trusted as API Gateway trusts public CAs"
            } else {
                ", which API Gateway does not trust"
            }
        ));
        doc.table(&["authorities", root]);
        doc.entry("common_name", Value::str(*root_cn));
        doc.entry("trusted", Value::Bool(*trusted));
        doc.blank();
        doc.table(&["authorities", ca]);
        doc.entry("issuer", Value::str(*root));
        doc.entry("common_name", Value::str(*ca_cn));
    }
}

fn write_generated(doc: &mut Doc, what: &str, g: &Generate) {
    doc.comment(&format!("{what}: generated, {}", g.issuer));
    match AUTHORITIES.iter().find(|(i, ..)| *i == g.issuer) {
        Some((_, _, _, _, ca, _)) => doc.entry("issuer", Value::str(*ca)),
        None => doc.entry("self_signed", Value::Bool(true)),
    }
    if let Some(cn) = g.common_name.as_ref().or(g.dns_names.first()) {
        doc.entry("common_name", Value::str(cn));
    }
    if !g.dns_names.is_empty() {
        doc.entry("dns_names", Value::List(g.dns_names.clone()));
    }
    if let Some(t) = &g.not_before {
        doc.entry("not_before", Value::str(t));
    }
    if let Some(t) = &g.not_after {
        doc.entry("not_after", Value::str(t));
    }
}
