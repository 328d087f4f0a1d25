//! What the gateway records about each request it served.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use hoplab_pkix::CertSummary;
use hoplab_trace::{Connection, HopId};
use serde::Serialize;

use crate::LogLine;

/// One request through the gateway: its execution log and what happened upstream.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Invocation {
    /// The request id, also sent to the client in `x-amzn-RequestId`.
    pub request_id: String,
    /// Client request method.
    pub method: String,
    /// Client request path.
    pub path: String,
    /// The route that served it (`GET /pets`), if any matched.
    pub route: Option<String>,
    /// The execution log.
    pub log: Vec<LogLine>,
    /// The execution log's failure line, if the integration failed.
    pub error: Option<String>,
    /// Status returned to the client.
    pub status: u16,
    /// Body returned to the client (lossy UTF-8).
    pub body: String,
    /// What the gateway saw on its connection to the backend, if it tried one.
    pub upstream: Option<Upstream>,
}

/// The gateway's side of its connection to the first hop.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Upstream {
    /// The hop the connection was opened to.
    pub hop: HopId,
    /// The connection, from the gateway's side, once it was open.
    pub conn: Option<Connection>,
    /// The TLS session the gateway started, for `https` integrations.
    pub tls: Option<TlsObservation>,
    /// What went wrong on this connection, in the words of the library that noticed.
    pub detail: Option<String>,
}

/// What the gateway saw and concluded in its TLS handshake.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TlsObservation {
    /// The server name sent in the ClientHello (none for an IP host).
    pub sni: Option<String>,
    /// The host the certificate was checked against (the integration URI host).
    pub host_checked: String,
    /// Whether `insecureSkipVerification` was on.
    pub insecure_skip_verification: bool,
    /// The certificates the peer sent, in order.
    pub presented: Vec<CertSummary>,
    /// `Some(true)` accepted, `Some(false)` rejected, `None` if no certificate was received.
    pub accepted: Option<bool>,
    /// The JDK message of a rejection.
    pub rejection: Option<String>,
    /// Why, in sentences: the path built, the certificate outside its window, the names compared.
    pub explanation: Vec<String>,
    /// Negotiated protocol version, when the handshake completed.
    pub version: Option<String>,
}

/// Every invocation of one gateway, by request id, oldest dropped past a bound; listeners
/// can also follow new invocations as they finish.
#[derive(Debug, Clone)]
pub struct InvocationLog {
    inner: Arc<Mutex<Stored>>,
    capacity: usize,
    finished: tokio::sync::broadcast::Sender<Arc<Invocation>>,
}

/// How many finished invocations a slow follower may fall behind before it misses some.
const FOLLOW_BACKLOG: usize = 1024;

#[derive(Debug, Default)]
struct Stored {
    /// Shared with the followers, so storing a record copies nothing.
    by_id: HashMap<String, Arc<Invocation>>,
    order: VecDeque<String>,
    evicted: u64,
}

/// How many invocations [`InvocationLog::default`] keeps.
pub const DEFAULT_KEPT_INVOCATIONS: usize = 10_000;

impl Default for InvocationLog {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_KEPT_INVOCATIONS)
    }
}

impl InvocationLog {
    /// A log that keeps every invocation, for a run that reads them all afterwards.
    pub fn unbounded() -> Self {
        Self::with_capacity(usize::MAX)
    }

    /// A log that keeps the latest `capacity` invocations (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            inner: Arc::default(),
            capacity: capacity.max(1),
            finished: tokio::sync::broadcast::channel(FOLLOW_BACKLOG).0,
        }
    }

    /// Receives every invocation stored from now on (a lagging receiver skips the oldest).
    pub fn follow(&self) -> tokio::sync::broadcast::Receiver<Arc<Invocation>> {
        self.finished.subscribe()
    }

    /// Stores an invocation, dropping the oldest one past capacity.
    pub fn insert(&self, invocation: Invocation) {
        let invocation = Arc::new(invocation);
        let mut stored = self.lock();
        if stored.order.len() >= self.capacity
            && let Some(oldest) = stored.order.pop_front()
        {
            stored.by_id.remove(&oldest);
            stored.evicted += 1;
        }
        stored.order.push_back(invocation.request_id.clone());
        stored
            .by_id
            .insert(invocation.request_id.clone(), Arc::clone(&invocation));
        drop(stored);
        // Nobody following is not an error.
        let _ = self.finished.send(invocation);
    }

    /// The invocation with this request id, if still kept.
    pub fn get(&self, request_id: &str) -> Option<Invocation> {
        // Copied outside the lock, so readers do not hold up requests finishing.
        let shared = self.lock().by_id.get(request_id).cloned();
        shared.map(|invocation| Invocation::clone(&invocation))
    }

    /// The latest `count` invocations kept, newest first.
    pub fn latest(&self, count: usize) -> Vec<Arc<Invocation>> {
        let stored = self.lock();
        stored
            .order
            .iter()
            .rev()
            .take(count)
            .filter_map(|id| stored.by_id.get(id).cloned())
            .collect()
    }

    /// How many invocations are kept.
    pub fn len(&self) -> usize {
        self.lock().order.len()
    }

    /// How many invocations are kept at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How many older invocations were dropped to stay within the capacity.
    pub fn evicted(&self) -> u64 {
        self.lock().evicted
    }

    /// Whether none are kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Stored> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invocation(id: usize) -> Invocation {
        Invocation {
            request_id: format!("id-{id}"),
            method: "GET".into(),
            path: "/".into(),
            route: None,
            log: Vec::new(),
            error: None,
            status: 200,
            body: String::new(),
            upstream: None,
        }
    }

    #[test]
    fn a_bounded_log_keeps_the_latest_records_and_counts_the_evicted() {
        let log = InvocationLog::with_capacity(3);
        for id in 0..10 {
            log.insert(invocation(id));
        }
        assert_eq!(log.len(), 3);
        assert_eq!(log.evicted(), 7);
        assert!(log.get("id-6").is_none());
        assert!(log.get("id-7").is_some() && log.get("id-9").is_some());
    }

    #[test]
    fn an_unbounded_log_keeps_every_record() {
        let log = InvocationLog::unbounded();
        for id in 0..20_000 {
            log.insert(invocation(id));
        }
        assert_eq!(log.len(), 20_000);
        assert_eq!(log.evicted(), 0);
        assert!(log.get("id-0").is_some());
    }
}
