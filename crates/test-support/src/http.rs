//! One raw HTTP/1.1 request over any stream, plain or TLS.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::STEP;

/// Sends `GET path` for `host` with `Connection: close` and reads until the server closes.
///
/// # Panics
/// When the request cannot be written, or the server does not close within [`STEP`].
pub async fn get<S>(stream: &mut S, path: &str, host: &str) -> String
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("write request");
    read_all(stream).await
}

/// Reads until the peer closes (a reset counts as closed), within [`STEP`]; returns what
/// arrived, as lossy UTF-8.
///
/// # Panics
/// When the peer neither closes nor fails within [`STEP`].
pub async fn read_all<S: AsyncRead + Unpin>(stream: &mut S) -> String {
    let mut response = Vec::new();
    let _ = tokio::time::timeout(STEP, stream.read_to_end(&mut response))
        .await
        .expect("the peer closes within the step bound");
    String::from_utf8_lossy(&response).into_owned()
}
