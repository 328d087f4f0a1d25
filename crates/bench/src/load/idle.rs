//! Many idle connections held open at once.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::CONNECT_TIMEOUT;
use crate::BenchError;
use crate::certs::server_name;

/// Connections opened at once while filling the set.
const OPENING_AT_ONCE: usize = 128;

/// Open connections, closed when dropped.
#[derive(Debug, Default)]
pub struct IdleSet {
    plain: Vec<TcpStream>,
    tls: Vec<TlsStream<TcpStream>>,
}

impl IdleSet {
    /// How many are open.
    pub fn len(&self) -> usize {
        self.plain.len() + self.tls.len()
    }

    /// Whether none is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Opens `count` connections to `addr` (TLS with a full handshake when `tls` is given) and
/// keeps them open, sending nothing. Fails if any cannot be opened.
pub async fn open_idle(
    addr: SocketAddr,
    tls: Option<TlsConnector>,
    count: usize,
) -> Result<IdleSet, BenchError> {
    let permits = Arc::new(Semaphore::new(OPENING_AT_ONCE));
    let mut opening = JoinSet::new();
    for _ in 0..count {
        let (permits, tls) = (Arc::clone(&permits), tls.clone());
        opening.spawn(async move {
            let _permit = permits.acquire_owned().await.ok();
            let open = async {
                let tcp = TcpStream::connect(addr).await?;
                match tls {
                    None => Ok::<_, std::io::Error>(Idle::Plain(tcp)),
                    Some(connector) => Ok(Idle::Tls(Box::new(
                        connector.connect(server_name(), tcp).await?,
                    ))),
                }
            };
            match tokio::time::timeout(CONNECT_TIMEOUT, open).await {
                Ok(Ok(idle)) => Ok(idle),
                Ok(Err(error)) => Err(error.to_string()),
                Err(_) => Err("timed out".to_owned()),
            }
        });
    }
    let mut set = IdleSet::default();
    let mut first_error = None;
    while let Some(joined) = opening.join_next().await {
        match joined {
            Ok(Ok(Idle::Plain(stream))) => set.plain.push(stream),
            Ok(Ok(Idle::Tls(stream))) => set.tls.push(*stream),
            Ok(Err(error)) => {
                first_error.get_or_insert(error);
            }
            Err(error) => {
                first_error.get_or_insert(error.to_string());
            }
        }
    }
    match first_error {
        None => Ok(set),
        Some(error) => Err(BenchError::Load(format!(
            "opened {} of {count} idle connections to {addr}; first failure: {error}",
            set.len()
        ))),
    }
}

enum Idle {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}
