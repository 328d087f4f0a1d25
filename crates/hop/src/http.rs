//! One HTTP/1.1 connection served by hyper until the peer closes it or the hop drains.

use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::HttpService;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::sync::CancellationToken;

/// Serves HTTP/1.1 on `io` with `service` until the connection ends.
///
/// When `drain` is cancelled the connection is shut down gracefully: closed at once if it is
/// idle, else after the response in progress has been sent. Pair it with
/// [`serve`](crate::serve), whose shutdown token is the drain signal and whose grace
/// period bounds how long a slow response may hold the hop open.
///
/// # Errors
/// What hyper reports for the connection (a malformed request, a reset peer, a header read
/// timeout); callers usually log it at debug level, since a client may close as it likes.
pub async fn serve_http1<I, S, B>(
    builder: &http1::Builder,
    io: I,
    service: S,
    drain: &CancellationToken,
) -> Result<(), hyper::Error>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: HttpService<Incoming, ResBody = B>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: Body + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let connection = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => return result,
        () = drain.cancelled() => {}
    }
    connection.as_mut().graceful_shutdown();
    connection.await
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::time::Duration;

    use http_body_util::Full;
    use hyper::body::Bytes;
    use hyper::service::service_fn;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;

    #[tokio::test]
    async fn an_idle_keep_alive_connection_closes_when_the_hop_drains() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let drain = CancellationToken::new();
        let token = drain.clone();
        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let service = service_fn(|_request| async {
                Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from_static(b"ok"))))
            });
            serve_http1(&http1::Builder::new(), stream, service, &token).await
        });
        let mut client = TcpStream::connect(addr).await.unwrap();
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut head = [0u8; 15];
        client.read_exact(&mut head).await.unwrap();
        assert_eq!(&head, b"HTTP/1.1 200 OK");
        drain.cancel();
        let ended = tokio::time::timeout(Duration::from_secs(5), server).await;
        assert!(ended.expect("closed promptly").unwrap().is_ok());
        let mut rest = Vec::new();
        client.read_to_end(&mut rest).await.unwrap();
        assert!(
            rest.ends_with(b"ok"),
            "the response was complete before the close"
        );
    }
}
