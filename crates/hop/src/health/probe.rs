//! One health check of one target: connect, and for HTTP and HTTPS send a request and judge
//! the status line.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use hoplab_trace::{Connection, HopId};
use rustls::SupportedProtocolVersion;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::{HealthCheck, HealthCheckProtocol, StatusMatcher};
use crate::HealthError;
use crate::{balancer_tls_client, target_server_name};

/// HTTPS health checks offer TLS 1.2 only, so targets that speak only TLS 1.3 fail them, as
/// AWS documents.
static HEALTH_CHECK_TLS: &[&SupportedProtocolVersion] = &[&rustls::version::TLS12];

/// How much of a response is kept to find its status line; the rest is read and discarded.
const KEEP: usize = 1024;

/// What one check found.
#[derive(Debug)]
pub(crate) struct Probe {
    /// The check's connection from the NLB's side, if TCP got that far.
    pub(crate) conn: Option<Connection>,
    /// Whether the check passed.
    pub(crate) passed: bool,
    /// What the check saw.
    pub(crate) detail: String,
    /// For a failed check, AWS's reason code and description.
    pub(crate) reason: String,
}

/// Why a check failed before a status line was judged.
#[derive(Debug)]
enum Failure {
    Connect(io::Error),
    Handshake(io::Error),
    Exchange(io::Error),
}

/// Runs checks of one kind against any target.
pub(crate) struct Prober {
    protocol: HealthCheckProtocol,
    timeout: Duration,
    matcher: StatusMatcher,
    /// The request path of HTTP and HTTPS checks.
    path: String,
    /// The `Host` of HTTP and HTTPS checks: this address, or `None` for the checked target's
    /// own address.
    host: Option<SocketAddr>,
    /// The TLS client, for HTTPS checks.
    tls: Option<TlsConnector>,
}

impl Prober {
    /// A prober for `check`, whose HTTP requests carry `host` (the listener's address).
    pub(crate) fn new(
        hop: &HopId,
        check: &HealthCheck,
        host: SocketAddr,
    ) -> Result<Self, HealthError> {
        let tls = match check.protocol {
            HealthCheckProtocol::Https => Some(balancer_tls_client(HEALTH_CHECK_TLS).map_err(
                |source| HealthError::Tls {
                    hop: hop.clone(),
                    source,
                },
            )?),
            HealthCheckProtocol::Tcp | HealthCheckProtocol::Http => None,
        };
        Ok(Prober {
            protocol: check.protocol,
            timeout: check.timeout,
            matcher: check.matcher.clone(),
            path: check.path.clone(),
            host: Some(host),
            tls,
        })
    }

    /// Makes HTTP and HTTPS checks send `Host: <target address>` instead of the listener's.
    pub(crate) fn use_target_host(&mut self) {
        self.host = None;
    }

    /// The request an HTTP or HTTPS check of the target at `addr` sends.
    fn request(&self, addr: SocketAddr) -> Vec<u8> {
        format!(
            "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: ELB-HealthChecker/2.0\r\nAccept: */*\r\nConnection: close\r\n\r\n",
            self.path,
            self.host.unwrap_or(addr)
        )
        .into_bytes()
    }

    /// Checks the target at `addr` once, within the check's timeout.
    pub(crate) async fn probe(&self, addr: SocketAddr) -> Probe {
        let mut conn = None;
        let mut response = Vec::new();
        let outcome =
            tokio::time::timeout(self.timeout, self.exchange(addr, &mut conn, &mut response)).await;
        let (passed, detail, reason) = self.judge(outcome, &response);
        Probe {
            conn,
            passed,
            detail,
            reason,
        }
    }

    /// Turns what happened into (passed, detail, reason).
    fn judge(
        &self,
        outcome: Result<Result<(), Failure>, tokio::time::error::Elapsed>,
        response: &[u8],
    ) -> (bool, String, String) {
        const FAILED: &str = "Target.FailedHealthChecks: Health checks failed";
        if self.protocol != HealthCheckProtocol::Tcp
            && let Some(status) = status_code(response)
        {
            return if self.matcher.matches(status) {
                (true, format!("HTTP {status}"), String::new())
            } else {
                (
                    false,
                    format!("HTTP {status}, not in {}", self.matcher),
                    format!(
                        "Target.ResponseCodeMismatch: Health checks failed with these codes: [{status}]"
                    ),
                )
            };
        }
        let failed = |detail: String| {
            let reason = format!("{FAILED}: {detail}");
            (false, detail, reason)
        };
        match outcome {
            Err(_) => (
                false,
                format!("no answer within {:?}", self.timeout),
                "Target.Timeout: Request timed out".to_owned(),
            ),
            Ok(Err(Failure::Connect(error))) => failed(format!("connect: {error}")),
            Ok(Err(Failure::Handshake(error))) => failed(format!("tls handshake: {error}")),
            Ok(Err(Failure::Exchange(error))) => failed(format!("http exchange: {error}")),
            Ok(Ok(())) if self.protocol == HealthCheckProtocol::Tcp => {
                (true, "TCP connection accepted".to_owned(), String::new())
            }
            Ok(Ok(())) if response.is_empty() => {
                failed("connection closed before a response".to_owned())
            }
            Ok(Ok(())) => failed(format!(
                "not an HTTP response: {:?}",
                String::from_utf8_lossy(&response[..response.len().min(40)])
            )),
        }
    }

    /// Connects (noting the connection in `conn`) and, for HTTP and HTTPS, sends the request
    /// and reads the response into `response` until the target closes.
    async fn exchange(
        &self,
        addr: SocketAddr,
        conn: &mut Option<Connection>,
        response: &mut Vec<u8>,
    ) -> Result<(), Failure> {
        let stream = TcpStream::connect(addr).await.map_err(Failure::Connect)?;
        let local = stream.local_addr().map_err(Failure::Connect)?;
        *conn = Some(Connection { peer: addr, local });
        let _ = stream.set_nodelay(true);
        match (&self.protocol, &self.tls) {
            (HealthCheckProtocol::Tcp, _) => Ok(()),
            (_, None) => http(stream, &self.request(addr), response).await,
            (_, Some(connector)) => {
                let tls = connector
                    .connect(target_server_name(addr), stream)
                    .await
                    .map_err(Failure::Handshake)?;
                http(tls, &self.request(addr), response).await
            }
        }
    }
}

/// Sends `request` and reads until the peer closes, keeping the first [`KEEP`] bytes. An
/// error after a status line has arrived does not matter.
async fn http<S>(mut stream: S, request: &[u8], response: &mut Vec<u8>) -> Result<(), Failure>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    stream.write_all(request).await.map_err(Failure::Exchange)?;
    stream.flush().await.map_err(Failure::Exchange)?;
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) => return Ok(()),
            Ok(n) => {
                let room = KEEP.saturating_sub(response.len());
                response.extend_from_slice(&buf[..n.min(room)]);
            }
            Err(_) if status_code(response).is_some() => return Ok(()),
            Err(error) => return Err(Failure::Exchange(error)),
        }
    }
}

/// The status code of an HTTP/1.x status line at the start of `response`.
fn status_code(response: &[u8]) -> Option<u16> {
    let end = response.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(&response[..end]).ok()?;
    let mut parts = line.splitn(3, ' ');
    if !parts.next()?.starts_with("HTTP/1.") {
        return None;
    }
    let code = parts.next()?;
    if code.len() != 3 {
        return None;
    }
    code.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_carry_the_listener_or_the_target_as_host() {
        let listener = SocketAddr::from(([127, 0, 0, 1], 443));
        let target = SocketAddr::from(([127, 0, 0, 2], 8443));
        let hop = HopId::nlb("internal", 443);
        let mut prober = Prober::new(&hop, &HealthCheck::http("/health"), listener).unwrap();
        let request = String::from_utf8(prober.request(target)).unwrap();
        assert!(request.starts_with("GET /health HTTP/1.1\r\nHost: 127.0.0.1:443\r\n"));
        prober.use_target_host();
        let request = String::from_utf8(prober.request(target)).unwrap();
        assert!(request.starts_with("GET /health HTTP/1.1\r\nHost: 127.0.0.2:8443\r\n"));
        assert!(request.ends_with("Connection: close\r\n\r\n"));
    }

    #[test]
    fn status_lines_are_read_strictly() {
        assert_eq!(status_code(b"HTTP/1.1 200 OK\r\n"), Some(200));
        assert_eq!(
            status_code(b"HTTP/1.0 503 Service Unavailable\r\nx: y\r\n"),
            Some(503)
        );
        assert_eq!(status_code(b"HTTP/1.1 204\r\n"), Some(204));
        assert_eq!(status_code(b"HTTP/1.1 200 OK"), None, "no line end yet");
        assert_eq!(status_code(b"HTTP/2 200\r\n"), None);
        assert_eq!(status_code(b"SSH-2.0-OpenSSH\r\n"), None);
        assert_eq!(status_code(b"HTTP/1.1 2000 OK\r\n"), None);
        assert_eq!(status_code(b""), None);
    }
}
