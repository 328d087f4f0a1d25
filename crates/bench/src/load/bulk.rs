//! One bulk transfer over one connection, plain or TLS.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::CONNECT_TIMEOUT;
use crate::BenchError;
use crate::certs::server_name;

/// Size of each write, as iperf3's default.
const WRITE_SIZE: usize = 128 * 1024;

/// Sends `bytes` to the sink at `addr` (through whatever proxy listens there), over TLS when
/// `tls` is given, and returns the time from the first byte to the sink's acknowledgement.
/// Connecting and the handshake are not timed. Fails after `timeout`.
pub async fn transfer(
    addr: SocketAddr,
    tls: Option<&TlsConnector>,
    bytes: u64,
    timeout: Duration,
) -> Result<Duration, BenchError> {
    let stream = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr))
        .await
        .map_err(|_| BenchError::Load(format!("connecting to {addr} timed out")))?
        .map_err(BenchError::io(format!("connecting to {addr}")))?;
    let _ = stream.set_nodelay(true);
    match tls {
        None => timed(stream, bytes, timeout).await,
        Some(connector) => {
            let stream =
                tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(server_name(), stream))
                    .await
                    .map_err(|_| BenchError::Load(format!("tls handshake with {addr} timed out")))?
                    .map_err(BenchError::io(format!("tls handshake with {addr}")))?;
            timed(stream, bytes, timeout).await
        }
    }
}

async fn timed<S>(stream: S, bytes: u64, timeout: Duration) -> Result<Duration, BenchError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let started = Instant::now();
    tokio::time::timeout(timeout, send(stream, bytes))
        .await
        .map_err(|_| BenchError::Load(format!("bulk transfer not done after {timeout:?}")))??;
    Ok(started.elapsed())
}

async fn send<S>(mut stream: S, bytes: u64) -> Result<(), BenchError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let chunk = vec![0x5au8; WRITE_SIZE];
    let header = bytes.to_be_bytes();
    stream
        .write_all(&header)
        .await
        .map_err(BenchError::io("sending"))?;
    let mut left = bytes;
    while left > 0 {
        let n = usize::try_from(left).unwrap_or(usize::MAX).min(chunk.len());
        stream
            .write_all(&chunk[..n])
            .await
            .map_err(BenchError::io("sending"))?;
        left -= n as u64;
    }
    stream.flush().await.map_err(BenchError::io("sending"))?;
    let mut ack = [0u8; 8];
    stream
        .read_exact(&mut ack)
        .await
        .map_err(BenchError::io("reading the acknowledgement"))?;
    if ack != header {
        return Err(BenchError::Load(
            "the sink acknowledged a different length".into(),
        ));
    }
    let _ = stream.shutdown().await;
    Ok(())
}
