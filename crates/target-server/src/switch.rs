//! What can change in a running target without stopping it: its behaviour and the chain it
//! serves. The server reads them for every connection (and the answer for every request),
//! so a change applies from the next connection or request on and no connection is refused
//! while it is made.

use std::sync::{Arc, PoisonError, RwLock};

use hoplab_trace::HopId;
use hyper::StatusCode;
use rustls::sign::CertifiedKey;

use crate::http::Answer;
use crate::tls::TlsServer;
use crate::{TargetBehaviour, TargetConfig, TargetError, TargetTlsVersions};

/// A target's behaviour and certificate, shared by its server and whoever changes them.
/// Cloning shares the same state.
///
/// [`TargetBehaviour::Refuse`] is the one behaviour a running server cannot take on, since
/// refusing needs the listener closed: it applies when the server (re)starts, and a server
/// already running treats it as [`TargetBehaviour::Reset`] until then.
#[derive(Debug, Clone)]
pub struct TargetSwitch {
    hop: HopId,
    tls_versions: TargetTlsVersions,
    state: Arc<RwLock<Live>>,
}

/// What the server reads.
struct Live {
    behaviour: TargetBehaviour,
    /// The status every answered request gets, and when it is sent.
    answer: (StatusCode, Answer),
    /// The chain served and its TLS server; `None` for plain HTTP.
    tls: Option<(Arc<CertifiedKey>, Arc<TlsServer>)>,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live")
            .field("behaviour", &self.behaviour)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

impl TargetSwitch {
    /// The switch of a target serving `config`: its behaviour and its chain.
    ///
    /// # Errors
    /// [`TargetError`] when the chain cannot be served or the status is outside 200–599.
    pub fn new(config: &TargetConfig) -> Result<Self, TargetError> {
        let tls = config
            .tls
            .as_ref()
            .map(|key| tls_for(&config.hop, key, config.tls_versions))
            .transpose()?;
        let state = Live {
            behaviour: config.behaviour,
            answer: answer(&config.hop, config.behaviour)?,
            tls,
        };
        Ok(TargetSwitch {
            hop: config.hop.clone(),
            tls_versions: config.tls_versions,
            state: Arc::new(RwLock::new(state)),
        })
    }

    /// The behaviour now.
    pub fn behaviour(&self) -> TargetBehaviour {
        self.read().behaviour
    }

    /// Behaves as `behaviour` from the next connection (or request) on.
    ///
    /// # Errors
    /// [`TargetError::InvalidStatus`] for a status outside 200–599; nothing changes then.
    pub fn set_behaviour(&self, behaviour: TargetBehaviour) -> Result<(), TargetError> {
        let answer = answer(&self.hop, behaviour)?;
        let mut state = self.write();
        state.behaviour = behaviour;
        state.answer = answer;
        Ok(())
    }

    /// The chain served now; `None` for plain HTTP.
    pub fn certificate(&self) -> Option<Arc<CertifiedKey>> {
        self.read().tls.as_ref().map(|(key, _)| Arc::clone(key))
    }

    /// Serves `key`'s chain from the next handshake on.
    ///
    /// # Errors
    /// [`TargetError::PlainHttp`] for a target without TLS, or why the chain cannot be
    /// served; nothing changes then.
    pub fn set_certificate(&self, key: Arc<CertifiedKey>) -> Result<(), TargetError> {
        if self.read().tls.is_none() {
            return Err(TargetError::PlainHttp {
                hop: self.hop.clone(),
            });
        }
        let tls = tls_for(&self.hop, &key, self.tls_versions)?;
        self.write().tls = Some(tls);
        Ok(())
    }

    /// What one connection is served with: the behaviour and the TLS server, read once.
    pub(crate) fn connection(&self) -> (TargetBehaviour, Option<Arc<TlsServer>>) {
        let state = self.read();
        let tls = state.tls.as_ref().map(|(_, server)| Arc::clone(server));
        (state.behaviour, tls)
    }

    /// The status and timing of the next answer.
    pub(crate) fn answer(&self) -> (StatusCode, Answer) {
        self.read().answer
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Live> {
        // Every write replaces whole fields, so a poisoned lock holds no torn state.
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Live> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The TLS server of `key`'s chain.
fn tls_for(
    hop: &HopId,
    key: &Arc<CertifiedKey>,
    versions: TargetTlsVersions,
) -> Result<(Arc<CertifiedKey>, Arc<TlsServer>), TargetError> {
    let server = TlsServer::new(hop, Arc::clone(key), versions)?;
    Ok((Arc::clone(key), Arc::new(server)))
}

/// The status and timing of the answers `behaviour` gives.
fn answer(hop: &HopId, behaviour: TargetBehaviour) -> Result<(StatusCode, Answer), TargetError> {
    Ok(match behaviour {
        TargetBehaviour::Status(code) => {
            let status = StatusCode::from_u16(code)
                .ok()
                .filter(|_| (200..=599).contains(&code))
                .ok_or_else(|| TargetError::InvalidStatus {
                    hop: hop.clone(),
                    status: code,
                })?;
            (status, Answer::Now)
        }
        TargetBehaviour::Slow { delay } => (StatusCode::OK, Answer::After(delay)),
        TargetBehaviour::Hang => (StatusCode::OK, Answer::Never),
        _ => (StatusCode::OK, Answer::Now),
    })
}
