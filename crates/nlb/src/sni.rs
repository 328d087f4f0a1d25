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

use std::sync::Arc;

use hoplab_hop::{CertificateSlots, ListenerCertificate, certificate_name_matches, server_config};
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

/// The rustls resolver of one certificate position: whatever its slot holds at the
/// handshake.
#[derive(Debug)]
struct SlotResolver {
    slots: Arc<CertificateSlots<Served>>,
    which: ListenerCertificate,
}

impl ResolvesServerCert for SlotResolver {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.slots
            .get(self.which)
            .map(|served| Arc::clone(&served.key))
    }
}

/// One certificate position of a listener: the server configurations that serve it, made
/// once when the listener starts; they resolve its slot.
#[derive(Debug)]
pub(crate) struct Choice {
    /// Serves this certificate without ALPN.
    pub(crate) plain: Arc<ServerConfig>,
    /// For an ALPN policy other than `None`: serves it negotiating the policy's protocols.
    pub(crate) alpn: Option<Arc<ServerConfig>>,
}

impl Choice {
    fn new(
        hop: &HopId,
        slots: &Arc<CertificateSlots<Served>>,
        which: ListenerCertificate,
        tls: &TlsTermination,
    ) -> Result<Self, NlbError> {
        let resolver = Arc::new(SlotResolver {
            slots: Arc::clone(slots),
            which,
        });
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
    slots: Arc<CertificateSlots<Served>>,
    default: Choice,
    list: Vec<Choice>,
}

impl CertificateSelector {
    /// Reads the DNS names of every listed leaf and builds every certificate's configuration
    /// (versions from the security policy, protocols from the ALPN policy) once, up front.
    pub(crate) fn new(hop: &HopId, tls: &TlsTermination) -> Result<Self, NlbError> {
        let default = Served::new(hop, ListenerCertificate::Default, &tls.default_certificate)?;
        let listed = tls
            .certificates
            .iter()
            .enumerate()
            .map(|(index, key)| Served::new(hop, ListenerCertificate::List(index), key))
            .collect::<Result<Vec<_>, _>>()?;
        let slots = Arc::new(CertificateSlots::new(default, listed));
        let list = (0..tls.certificates.len())
            .map(|index| Choice::new(hop, &slots, ListenerCertificate::List(index), tls))
            .collect::<Result<_, _>>()?;
        Ok(CertificateSelector {
            hop: hop.clone(),
            default: Choice::new(hop, &slots, ListenerCertificate::Default, tls)?,
            slots,
            list,
        })
    }

    /// The certificate position chosen for a client that asked for `sni`, and what it serves
    /// now.
    pub(crate) fn select(&self, sni: Option<&str>) -> (&Choice, Arc<Served>) {
        if let Some(sni) = sni {
            for (choice, served) in self.list.iter().zip(self.slots.list()) {
                if served
                    .names
                    .iter()
                    .any(|pattern| certificate_name_matches(pattern, sni))
                {
                    return (choice, served);
                }
            }
        }
        (&self.default, self.slots.default())
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
        let selector = &self.selector;
        let no_such = || NlbError::NoSuchCertificate {
            hop: selector.hop.clone(),
            which,
            listed: selector.slots.listed(),
        };
        selector.slots.get(which).ok_or_else(no_such)?;
        let served = Served::new(&selector.hop, which, key)?;
        selector
            .slots
            .set(which, served)
            .then_some(())
            .ok_or_else(no_such)
    }

    /// The chain served as `which` now; `None` when there is no such list entry.
    pub fn current(&self, which: ListenerCertificate) -> Option<Arc<CertifiedKey>> {
        let served = self.selector.slots.get(which)?;
        Some(Arc::clone(&served.key))
    }

    pub(crate) fn selector(&self) -> Arc<CertificateSelector> {
        Arc::clone(&self.selector)
    }
}
