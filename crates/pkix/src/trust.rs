//! API Gateway's trusted CAs: a stand-in for its "supported certificate authorities" list.

use std::collections::{HashMap, HashSet};

use rustls::pki_types::CertificateDer;

use crate::PkixError;
use crate::chain::Cert;
use crate::names::CanonicalName;

/// The CA certificates API Gateway trusts.
///
/// Like a Java `cacerts` keystore it holds whole certificates; a path is trusted when it ends at
/// one of them (same encoding, or same subject and public key).
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    entries: Vec<Entry>,
    by_subject: HashMap<CanonicalName, Vec<usize>>,
    ders: HashSet<Vec<u8>>,
}

#[derive(Debug, Clone)]
struct Entry {
    der: CertificateDer<'static>,
}

impl TrustStore {
    /// An empty trust store (nothing is trusted).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a trusted certificate. Adding the same certificate twice keeps one copy.
    ///
    /// # Errors
    ///
    /// [`PkixError::BadTrustedCertificate`] when `der` is not a certificate the JDK can parse
    /// (then no JVM trust store can hold it).
    pub fn add(&mut self, der: CertificateDer<'static>) -> Result<(), PkixError> {
        let subject = {
            let cert =
                Cert::parse(der.as_ref()).map_err(|failure| PkixError::BadTrustedCertificate {
                    reason: failure.to_string(),
                })?;
            cert.subject().clone()
        };
        if !self.ders.insert(der.as_ref().to_vec()) {
            return Ok(());
        }
        self.by_subject
            .entry(subject)
            .or_default()
            .push(self.entries.len());
        self.entries.push(Entry { der });
        Ok(())
    }

    /// How many distinct certificates are trusted.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is trusted.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The trusted certificates, in the order they were added.
    pub fn certificates(&self) -> impl Iterator<Item = &CertificateDer<'static>> {
        self.entries.iter().map(|e| &e.der)
    }

    /// The trusted certificates whose subject is one of `names`, in the order added.
    pub(crate) fn with_subjects<'n>(
        &self,
        names: impl IntoIterator<Item = &'n CanonicalName>,
    ) -> Vec<&CertificateDer<'static>> {
        let mut picked: Vec<usize> = names
            .into_iter()
            .filter_map(|name| self.by_subject.get(name))
            .flatten()
            .copied()
            .collect();
        picked.sort_unstable();
        picked.dedup();
        picked.into_iter().map(|i| &self.entries[i].der).collect()
    }
}
