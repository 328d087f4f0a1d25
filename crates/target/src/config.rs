//! What one target serves.

use std::sync::Arc;

use hoplab_trace::HopId;
use rustls::sign::CertifiedKey;

/// The configuration of one target.
#[derive(Debug, Clone)]
pub struct TargetConfig {
    /// The target's hop id (`HopId::Target { name }`); its name also goes in the
    /// `x-hoplab-target` response header.
    pub hop: HopId,
    /// `Some` serves HTTPS with exactly this chain (its `cert` field is the chain as sent, leaf
    /// first); `None` serves plain HTTP.
    pub tls: Option<Arc<CertifiedKey>>,
    /// The body of every response.
    pub body: String,
}

impl TargetConfig {
    /// The name the `x-hoplab-target` header carries: the target's name, or the hop id's
    /// textual form for any other kind of hop.
    pub(crate) fn name(&self) -> String {
        match &self.hop {
            HopId::Target { name } => name.clone(),
            other => other.to_string(),
        }
    }
}
