//! Which CAs the check trusts: the bundled public roots, or the user's PEM files.

use std::borrow::Cow;
use std::path::PathBuf;

use hoplab_pkix::{TrustStore, parse_pem_chain};

use crate::bundled::{bundled_description, mozilla_roots};
use crate::{InspectError, read_pem_file};

/// The CAs API Gateway is taken to trust.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Trust {
    /// Mozilla's public root store, standing in for API Gateway's supported certificate
    /// authorities (see the differences documented on the crate's bundled root set).
    #[default]
    Bundled,
    /// Every `CERTIFICATE` in these PEM texts (for instance `trusted-cas.pem` from
    /// `hoplab certs`, or a private CA's root).
    Pem(Vec<Vec<u8>>),
}

/// A trust store ready for a verdict, and how reports describe it.
#[derive(Debug, Clone)]
pub struct LoadedTrust {
    /// The trusted certificates.
    pub store: Cow<'static, TrustStore>,
    /// Where they came from, for reports.
    pub source: String,
}

impl Trust {
    /// Reads trust PEM files; each must hold at least one well-formed certificate.
    ///
    /// # Errors
    ///
    /// [`InspectError::ReadFile`] or [`InspectError::FileTooLarge`] for a file that cannot be
    /// read, [`InspectError::Trust`] (naming the file) for one that holds no usable
    /// certificate.
    pub fn from_files(paths: &[PathBuf]) -> Result<Trust, InspectError> {
        let mut pems = Vec::with_capacity(paths.len());
        for path in paths {
            let pem = read_pem_file(path)?;
            load_into(&mut TrustStore::new(), &pem, || path.display().to_string())?;
            pems.push(pem);
        }
        Ok(Trust::Pem(pems))
    }

    /// Builds the trust store.
    ///
    /// # Errors
    ///
    /// [`InspectError::Trust`] when a PEM input is malformed, holds no certificate, or holds a
    /// certificate that does not parse. An empty list of inputs trusts nothing, which is an
    /// error too: nothing could ever be accepted.
    pub fn load(&self) -> Result<LoadedTrust, InspectError> {
        match self {
            Trust::Bundled => Ok(LoadedTrust {
                store: Cow::Borrowed(mozilla_roots()),
                source: bundled_description(),
            }),
            Trust::Pem(pems) => {
                if pems.is_empty() {
                    return Err(InspectError::Trust {
                        which: "(no PEM input)".to_owned(),
                        source: hoplab_pkix::PkixError::NoCertificates {
                            found: "no trust PEM was given".to_owned(),
                        },
                    });
                }
                let mut store = TrustStore::new();
                for (i, pem) in pems.iter().enumerate() {
                    load_into(&mut store, pem, || format!("PEM input {}", i + 1))?;
                }
                let source = match store.len() {
                    1 => "1 certificate from the given trust PEM".to_owned(),
                    n => format!("{n} certificates from the given trust PEM"),
                };
                Ok(LoadedTrust {
                    store: Cow::Owned(store),
                    source,
                })
            }
        }
    }
}

/// Adds every certificate of `pem` to `store`; `which` names the input in errors.
fn load_into(
    store: &mut TrustStore,
    pem: &[u8],
    which: impl Fn() -> String,
) -> Result<(), InspectError> {
    let error = |source| InspectError::Trust {
        which: which(),
        source,
    };
    for der in parse_pem_chain(pem).map_err(error)? {
        store.add(der).map_err(error)?;
    }
    Ok(())
}
