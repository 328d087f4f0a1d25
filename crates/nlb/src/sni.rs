//! Choosing a listener certificate from the client's SNI, and replacing one while the
//! listener serves.
//!
//! AWS: "the default certificate is used only if a client connects without using the Server
//! Name Indication (SNI) protocol to specify a hostname or if there are no matching
//! certificates in the certificate list." When several certificates match, AWS applies a
//! "smart" selection (hash algorithm, key size, validity); here the first match in list order
//! wins, which is the same whenever at most one certificate matches.
//!
//! Each certificate of the listener sits in a slot; its server configurations are made once
//! and resolve the certificate through the slot at every handshake, so replacing what a slot
//! holds changes the next handshake without rebuilding anything or restarting the listener.

use std::sync::{Arc, PoisonError, RwLock};

use hoplab_hop::{ListenerCertificate, certificate_name_matches, server_config};
use hoplab_trace::{CertSummary, HopId};
use rustls::ServerConfig;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use crate::{NlbError, TlsTermination};

/// A certificate as one slot serves it: the chain and key, what reports say about the
/// chain, and the leaf's DNS names.
#[derive(Debug)]
pub(crate) struct Served {
    key: Arc<CertifiedKey>,
    /// Summaries of the chain, leaf first, as sent; every handshake's record shares them.
    pub(crate) summaries: Arc<[CertSummary]>,
    names: Vec<String>,
}

impl Served {
    /// Reads `key`, the listener's certificate `which`. A listed certificate's leaf must
    /// parse, so SNI can be matched to it.
    fn new(
        hop: &HopId,
        which: ListenerCertificate,
        key: &Arc<CertifiedKey>,
    ) -> Result<Self, NlbError> {
        let leaf = key.cert.first().ok_or_else(|| NlbError::EmptyChain {
            hop: hop.clone(),
            which: which.to_string(),
        })?;
        let names = match which {
            ListenerCertificate::Default => Vec::new(),
            ListenerCertificate::List(index) => {
                CertSummary::from_der(leaf)
                    .ok_or_else(|| NlbError::UnparsableLeaf {
                        hop: hop.clone(),
                        index,
                    })?
                    .dns_names
            }
        };
        Ok(Served {
            key: Arc::clone(key),
            summaries: CertSummary::chain(key.cert.iter().map(|der| der.as_ref())).into(),
            names,
        })
    }
}

/// What one certificate position holds now, shared by its resolver and the selector.
#[derive(Debug)]
struct Slot(RwLock<Arc<Served>>);

impl Slot {
    fn get(&self) -> Arc<Served> {
        // Every write replaces the whole value, so a poisoned lock holds no torn state.
        Arc::clone(&self.0.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn set(&self, served: Served) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(served);
    }
}

/// The rustls resolver of one slot: whatever it holds at the handshake.
#[derive(Debug)]
struct SlotResolver(Arc<Slot>);

impl ResolvesServerCert for SlotResolver {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(Arc::clone(&self.0.get().key))
    }
}

/// One certificate position of a listener: the server configurations that serve it, made
/// once when the listener starts, and its slot.
#[derive(Debug)]
pub(crate) struct Choice {
    /// Serves this certificate without ALPN.
    pub(crate) plain: Arc<ServerConfig>,
    /// For an ALPN policy other than `None`: serves it negotiating the policy's protocols.
    pub(crate) alpn: Option<Arc<ServerConfig>>,
    slot: Arc<Slot>,
}

impl Choice {
    fn new(hop: &HopId, served: Served, tls: &TlsTermination) -> Result<Self, NlbError> {
        let slot = Arc::new(Slot(RwLock::new(Arc::new(served))));
        let resolver = Arc::new(SlotResolver(Arc::clone(&slot)));
        let plain =
            server_config(tls.security_policy.tls_versions(), resolver).map_err(|source| {
                NlbError::Tls {
                    hop: hop.clone(),
                    source,
                }
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
            slot,
        })
    }
}

/// A listener's certificates: the default one and the SNI-matched list.
///
/// The listener reads the client's ClientHello first and picks the position once, here,
/// with what it holds at that moment; the handshake that follows at once resolves the same
/// slot. (A replacement landing between the two, a matter of microseconds, would be recorded
/// with the chain it replaced.)
#[derive(Debug)]
pub(crate) struct CertificateSelector {
    hop: HopId,
    default: Choice,
    list: Vec<Choice>,
}

impl CertificateSelector {
    /// Reads the DNS names of every listed leaf and builds every certificate's configuration
    /// (versions from the security policy, protocols from the ALPN policy) once, up front.
    pub(crate) fn new(hop: &HopId, tls: &TlsTermination) -> Result<Self, NlbError> {
        let default = Served::new(hop, ListenerCertificate::Default, &tls.default_certificate)?;
        let mut list = Vec::with_capacity(tls.certificates.len());
        for (index, key) in tls.certificates.iter().enumerate() {
            let served = Served::new(hop, ListenerCertificate::List(index), key)?;
            list.push(Choice::new(hop, served, tls)?);
        }
        Ok(CertificateSelector {
            hop: hop.clone(),
            default: Choice::new(hop, default, tls)?,
            list,
        })
    }

    /// The certificate position chosen for a client that asked for `sni`, and what it serves
    /// now.
    pub(crate) fn select(&self, sni: Option<&str>) -> (&Choice, Arc<Served>) {
        if let Some(sni) = sni {
            for choice in &self.list {
                let served = choice.slot.get();
                if served
                    .names
                    .iter()
                    .any(|pattern| certificate_name_matches(pattern, sni))
                {
                    return (choice, served);
                }
            }
        }
        (&self.default, self.default.slot.get())
    }

    fn choice(&self, which: ListenerCertificate) -> Result<&Choice, NlbError> {
        match which {
            ListenerCertificate::Default => Ok(&self.default),
            ListenerCertificate::List(index) => {
                self.list
                    .get(index)
                    .ok_or_else(|| NlbError::NoSuchCertificate {
                        hop: self.hop.clone(),
                        which,
                        listed: self.list.len(),
                    })
            }
        }
    }
}

/// A TLS listener's certificates as whoever runs the listener can change them: made from
/// its configuration before it starts ([`ListenerCertificates::new`]) and handed to
/// [`serve_listener_controlled`](crate::serve_listener_controlled). Cloning shares them.
#[derive(Debug, Clone)]
pub struct ListenerCertificates {
    selector: Arc<CertificateSelector>,
}

impl ListenerCertificates {
    /// The certificates of the TLS listener `hop` configured with `tls`.
    ///
    /// # Errors
    /// [`NlbError`] for an empty chain, a listed leaf that does not parse, or versions the
    /// crypto provider cannot do.
    pub fn new(hop: &HopId, tls: &TlsTermination) -> Result<Self, NlbError> {
        Ok(ListenerCertificates {
            selector: Arc::new(CertificateSelector::new(hop, tls)?),
        })
    }

    /// Serves `key` as the default certificate or as a list entry from the next handshake
    /// on; connections already open keep their session.
    ///
    /// # Errors
    /// [`NlbError`] when the listener has no such list entry, or `key` has an empty chain
    /// (or, for a list entry, a leaf that does not parse); nothing changes then.
    pub fn replace(
        &self,
        which: ListenerCertificate,
        key: &Arc<CertifiedKey>,
    ) -> Result<(), NlbError> {
        let choice = self.selector.choice(which)?;
        choice
            .slot
            .set(Served::new(&self.selector.hop, which, key)?);
        Ok(())
    }

    /// The chain served as `which` now; `None` when there is no such list entry.
    pub fn current(&self, which: ListenerCertificate) -> Option<Arc<CertifiedKey>> {
        let choice = self.selector.choice(which).ok()?;
        Some(Arc::clone(&choice.slot.get().key))
    }

    pub(crate) fn selector(&self) -> Arc<CertificateSelector> {
        Arc::clone(&self.selector)
    }
}
