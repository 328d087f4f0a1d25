//! Choosing a listener certificate from the client's SNI.
//!
//! AWS: "the default certificate is used only if a client connects without using the Server
//! Name Indication (SNI) protocol to specify a hostname or if there are no matching
//! certificates in the certificate list." When several certificates match, AWS applies a
//! "smart" selection (hash algorithm, key size, validity); here the first match in list order
//! wins, which is the same whenever at most one certificate matches.

use std::sync::Arc;

use hoplab_hop::{certificate_name_matches, tls_server_config};
use hoplab_trace::{CertSummary, HopId};
use rustls::ServerConfig;
use rustls::sign::CertifiedKey;

use crate::{NlbError, TlsTermination};

/// One certificate a listener can serve: the server configurations that serve it and what
/// reports say about its chain, all made once when the listener starts.
#[derive(Debug)]
pub(crate) struct Choice {
    /// Serves this certificate without ALPN.
    pub(crate) plain: Arc<ServerConfig>,
    /// For an ALPN policy other than `None`: serves it negotiating the policy's protocols.
    pub(crate) alpn: Option<Arc<ServerConfig>>,
    /// Summaries of the chain, leaf first, as sent; every handshake's record shares them.
    pub(crate) served: Arc<[CertSummary]>,
}

impl Choice {
    fn new(hop: &HopId, key: &Arc<CertifiedKey>, tls: &TlsTermination) -> Result<Self, NlbError> {
        let served = CertSummary::chain(key.cert.iter().map(|der| der.as_ref())).into();
        let plain = tls_server_config(tls.security_policy.tls_versions(), Arc::clone(key))
            .map_err(|source| NlbError::Tls {
                hop: hop.clone(),
                source,
            })?;
        let protocols = tls.alpn_policy.protocols();
        let alpn = (!protocols.is_empty()).then(|| {
            let mut with_alpn = plain.clone();
            with_alpn.alpn_protocols = protocols;
            Arc::new(with_alpn)
        });
        Ok(Choice {
            plain: Arc::new(plain),
            alpn,
            served,
        })
    }
}

/// A listener's certificates: the default one and the SNI-matched list.
///
/// The listener reads the client's ClientHello first and picks the certificate once, here;
/// the handshake then runs with that certificate's configuration and its record shares that
/// certificate's summaries.
#[derive(Debug)]
pub(crate) struct CertificateSelector {
    default: Choice,
    list: Vec<(Vec<String>, Choice)>,
}

impl CertificateSelector {
    /// Reads the DNS names of every listed leaf and builds every certificate's configuration
    /// (versions from the security policy, protocols from the ALPN policy) once, up front.
    pub(crate) fn new(hop: &HopId, tls: &TlsTermination) -> Result<Self, NlbError> {
        if tls.default_certificate.cert.is_empty() {
            return Err(NlbError::EmptyChain {
                hop: hop.clone(),
                which: "default".to_owned(),
            });
        }
        let mut list = Vec::with_capacity(tls.certificates.len());
        for (index, key) in tls.certificates.iter().enumerate() {
            let leaf = key.cert.first().ok_or_else(|| NlbError::EmptyChain {
                hop: hop.clone(),
                which: format!("list[{index}]"),
            })?;
            let names = CertSummary::from_der(leaf)
                .ok_or_else(|| NlbError::UnparsableLeaf {
                    hop: hop.clone(),
                    index,
                })?
                .dns_names;
            list.push((names, Choice::new(hop, key, tls)?));
        }
        Ok(CertificateSelector {
            default: Choice::new(hop, &tls.default_certificate, tls)?,
            list,
        })
    }

    /// The certificate served to a client that asked for `sni`.
    pub(crate) fn select(&self, sni: Option<&str>) -> &Choice {
        let Some(sni) = sni else {
            return &self.default;
        };
        self.list
            .iter()
            .find(|(names, _)| {
                names
                    .iter()
                    .any(|pattern| certificate_name_matches(pattern, sni))
            })
            .map_or(&self.default, |(_, choice)| choice)
    }
}
