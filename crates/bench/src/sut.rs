//! The hoplab hops under test, each in its own process so that its CPU time and resident
//! memory are its own: this binary's `serve-nlb` command runs a TCP listener and a TLS
//! listener (ECDSA P-256, a TCP target group) built with `hoplab-nlb`, both forwarding to one
//! backend; `serve-gateway` (in `gateway`) runs the gateway, `serve-alb` (in `alb`) an ALB
//! listener. [`ChildServer`] starts any of them.

use std::ffi::OsStr;
use std::fmt;
use std::future::Future;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use hoplab_nlb::{ListenerConfig, SecurityPolicy, TargetEndpoint, TargetGroup, TlsTermination};
use hoplab_trace::{EventLog, HopId};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::BenchError;
use crate::certs::load_certified_key;

/// The security policy of the TLS listener (TLS 1.3 and 1.2, as AWS's default).
pub const SECURITY_POLICY: SecurityPolicy = SecurityPolicy::Tls13_1_2_2021_06;

/// A running `serve-nlb` child.
#[derive(Debug)]
pub struct NlbProcess {
    child: ChildServer,
    /// The TCP (passthrough) listener.
    pub tcp: SocketAddr,
    /// The TLS (terminating) listener.
    pub tls: SocketAddr,
}

impl NlbProcess {
    /// Starts `exe serve-nlb` forwarding to `backend`, serving the certificate in `cert`/`key`,
    /// and waits for it to print its listeners.
    pub fn start(
        exe: &Path,
        backend: SocketAddr,
        cert: &Path,
        key: &Path,
    ) -> Result<NlbProcess, BenchError> {
        let mut command = Command::new(exe);
        command
            .arg("serve-nlb")
            .arg("--backend")
            .arg(backend.to_string())
            .arg("--cert")
            .arg(cert)
            .arg("--key")
            .arg(key);
        let (child, ready) = ChildServer::start(command, "serve-nlb")?;
        let (tcp, tls) = ready.addr("tcp").zip(ready.addr("tls")).ok_or_else(|| {
            BenchError::Process(format!(
                "serve-nlb did not report its listeners (got {ready:?})"
            ))
        })?;
        Ok(NlbProcess { child, tcp, tls })
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.pid()
    }
}

/// A server this benchmark started as a child process: it prints one ready line of
/// `name=ADDR` words once it is bound, and stops when its standard input closes. Dropping the
/// handle kills exactly that PID.
#[derive(Debug)]
pub struct ChildServer {
    child: Child,
}

/// The ready line of a [`ChildServer`].
#[derive(Debug)]
pub struct ReadyLine(String);

impl ReadyLine {
    /// The address after `name=`, if the line has one.
    pub fn addr(&self, name: &str) -> Option<SocketAddr> {
        self.0
            .split_whitespace()
            .filter_map(|word| word.split_once('='))
            .find(|(key, _)| *key == name)
            .and_then(|(_, addr)| addr.parse().ok())
    }
}

impl ChildServer {
    /// Spawns `command` (`what` names it in errors) and reads its ready line.
    pub fn start(mut command: Command, what: &str) -> Result<(ChildServer, ReadyLine), BenchError> {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(BenchError::io(format!("starting {what}")))?;
        let mut line = String::new();
        let read = child.stdout.take().map(|out| {
            // One line, at most 200 bytes: the child prints it as soon as it is bound.
            BufReader::new(out.take(200)).read_line(&mut line)
        });
        if !matches!(read, Some(Ok(n)) if n > 0) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(BenchError::Process(format!(
                "{what} did not report its address (got {line:?})"
            )));
        }
        Ok((ChildServer { child }, ReadyLine(line)))
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        // Child::kill signals exactly this PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A child server with one listener, and its address.
#[derive(Debug)]
pub struct ListeningChild {
    child: ChildServer,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl ListeningChild {
    /// Starts `exe command args…` and waits for its ready line to give the address `name=ADDR`.
    pub fn start(
        exe: &Path,
        command: &str,
        args: &[&OsStr],
        name: &str,
    ) -> Result<ListeningChild, BenchError> {
        let mut process = Command::new(exe);
        process.arg(command).args(args);
        let (child, ready) = ChildServer::start(process, command)?;
        let addr = ready.addr(name).ok_or_else(|| {
            BenchError::Process(format!(
                "{command} did not report its address (got {ready:?})"
            ))
        })?;
        Ok(ListeningChild { child, addr })
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.pid()
    }
}

/// In a child server: waits until standard input closes (the parent exiting or dropping its
/// handle), then cancels `shutdown`.
pub async fn stop_when_stdin_closes(shutdown: &CancellationToken) {
    let stdin_closed = tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
    });
    let _ = stdin_closed.await;
    shutdown.cancel();
}

/// The body of a child server with one listener: binds `127.0.0.1:0` on a runtime of its
/// own, runs `serve(listener, shutdown)`, prints `name=ADDR`, and stops the server when its
/// standard input closes.
pub fn serve_child<F, E>(
    name: &str,
    serve: impl FnOnce(TcpListener, CancellationToken) -> F,
) -> Result<(), BenchError>
where
    F: Future<Output = Result<(), E>> + Send + 'static,
    E: fmt::Display + Send + 'static,
{
    child_runtime()?.block_on(async move {
        let listener = bind().await?;
        let addr = listener
            .local_addr()
            .map_err(BenchError::io("reading the listener address"))?;
        let shutdown = CancellationToken::new();
        let serving = tokio::spawn(serve(listener, shutdown.clone()));
        println!("{name}={addr}");
        stop_when_stdin_closes(&shutdown).await;
        match serving.await {
            Ok(result) => result.map_err(|e| BenchError::Process(e.to_string())),
            Err(e) => Err(BenchError::Process(e.to_string())),
        }
    })
}

/// The multi-thread runtime a child server runs on.
fn child_runtime() -> Result<tokio::runtime::Runtime, BenchError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(BenchError::io("starting the runtime"))
}

/// The body of `serve-nlb`: binds both listeners on loopback, prints
/// `tcp=ADDR tls=ADDR`, and serves until its standard input closes.
pub fn serve_nlb(backend: SocketAddr, cert: &Path, key: &Path) -> Result<(), BenchError> {
    let certified = load_certified_key(cert, key)?;
    child_runtime()?.block_on(async move {
        let events = EventLog::new();
        let shutdown = CancellationToken::new();
        let target = TargetEndpoint {
            hop: HopId::target("sink"),
            addr: backend,
        };
        let group = TargetGroup::new("sink", false, vec![target]);
        let tcp_listener = bind().await?;
        let tls_listener = bind().await?;
        let tcp_addr = tcp_listener
            .local_addr()
            .map_err(BenchError::io("reading the listener address"))?;
        let tls_addr = tls_listener
            .local_addr()
            .map_err(BenchError::io("reading the listener address"))?;
        let tcp = ListenerConfig {
            hop: HopId::nlb("bench", tcp_addr.port()),
            tls: None,
            target_group: group.clone(),
        };
        let tls = ListenerConfig {
            hop: HopId::nlb("bench", tls_addr.port()),
            tls: Some(TlsTermination::new(certified, SECURITY_POLICY)),
            target_group: group,
        };
        let serving = [
            tokio::spawn(hoplab_nlb::serve_listener(
                tcp_listener,
                tcp,
                events.clone(),
                shutdown.clone(),
            )),
            tokio::spawn(hoplab_nlb::serve_listener(
                tls_listener,
                tls,
                events.clone(),
                shutdown.clone(),
            )),
        ];
        println!("tcp={tcp_addr} tls={tls_addr}");
        stop_when_stdin_closes(&shutdown).await;
        for task in serving {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => return Err(BenchError::Process(error.to_string())),
                Err(error) => return Err(BenchError::Process(error.to_string())),
            }
        }
        Ok(())
    })
}

/// A listener on `127.0.0.1:0`.
async fn bind() -> Result<TcpListener, BenchError> {
    TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(BenchError::io("binding 127.0.0.1:0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_line_names_both_listeners() {
        let ready = ReadyLine("tcp=127.0.0.1:4000 tls=127.0.0.1:4001\n".to_owned());
        assert_eq!(ready.addr("tcp").unwrap().port(), 4000);
        assert_eq!(ready.addr("tls").unwrap().port(), 4001);
        assert!(
            ReadyLine("tcp=127.0.0.1:4000".to_owned())
                .addr("tls")
                .is_none()
        );
    }
}
